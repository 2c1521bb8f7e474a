"""Dereferencing: every IRI under https://w3id.org/ict-diplomacy/ answers on this server.

`/id/country/BR` is `https://w3id.org/ict-diplomacy/id/country/BR` (base rewrite). One URL serves
HTML or RDF by content negotiation; `?format=ttl` or an extension (`/id/country/BR.ttl`) picks a
representation explicitly. Every answer carries `Vary`, an `ETag` (release × representation),
`Content-Location` (the URL of the representation chosen) and a `Link rel="alternate"` per format.
Descriptions are built from CONSTRUCT queries through `site.engine`, so remote mode works too."""

from __future__ import annotations

import bisect
import re
from urllib.parse import quote

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ..errors import NotFound
from ..formats import HTML, JSONLD, NTRIPLES, RDFXML, TURTLE, Format, named
from ..project import BASE, ICTD, ID_BASE, ONTOLOGY_IRI, PREFIXES
from ..sparql.engine import ask
from ..publish.dumps import DUMP_PREFIXES
from . import seo
from .html import render
from .http import not_modified, pick_format, variant_etag
from .i18n import pick_language
from .ontology_doc import load_shapes, ontology_view
from .retired import Retirements
from .views import DCT, LABEL, Graph, resource_view

# In order of preference: ties in the Accept header go to the first; `*/*` gets HTML.
FORMATS: tuple[Format, ...] = (HTML, TURTLE, JSONLD, NTRIPLES, RDFXML)


def serialize(triples: list[ox.Triple], fmt: Format) -> bytes:
    """Sorted triples (same description, same bytes); Turtle and RDF/XML with the prefixes used."""
    ordered = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    if fmt not in (TURTLE, RDFXML):
        return ox.serialize(ordered, format=fmt.rdf)
    return ox.serialize(ordered, format=fmt.rdf, prefixes=_used_prefixes(ordered))


def _used_prefixes(triples: list[ox.Triple]) -> dict[str, str]:
    """The prefixes some IRI starts with: found by bisection in the sorted IRIs (a scan of every
    IRI for each of the prefixes took more than half of a Turtle page's server time)."""
    iris = sorted({term.value for t in triples for term in t if isinstance(term, ox.NamedNode)})
    used = {}
    for prefix, ns in DUMP_PREFIXES.items():
        at = bisect.bisect_left(iris, ns)
        if at < len(iris) and iris[at].startswith(ns):
            used[prefix] = ns
    return used


# ---------------------------------------------------------------- IRIs and descriptions

# The blank nodes a resource points at, and those they lead to. In this data blank nodes are OWL
# class expressions, RDF lists and Data Cube components, chained by the links below; a walk along any
# link instead leaves them through the named nodes into the whole graph, and Virtuoso 7 gives up at
# 1M triples ("Exceeded … bytes in transitive temp memory").
_BLANK_LINKS = "|".join([f"<{PREFIXES['rdf']}{name}>" for name in ("first", "rest")]
                        + [f"<{PREFIXES['owl']}{name}>" for name in ("unionOf", "intersectionOf", "oneOf", "complementOf",
                                                                   "someValuesFrom", "allValuesFrom", "onProperty")])
# (no BIND of ?s here: beside the other branches Virtuoso 7 cannot compile it, SP031 sparp_gp_deprecate)
_BNODE_CLOSURE = """  UNION {{ {anchor} ?via ?b . FILTER(isBlank(?b))
           ?b (""" + _BLANK_LINKS + """)* ?s . FILTER(isBlank(?s)) ?s ?p ?o }}"""


def describe_query(iri: str) -> str:
    """The description of a resource: its triples (and those of blank nodes it points at), the
    labels of what it points at, its incoming links with their subjects' labels, and its sources
    (dct:source, up the dct:isPartOf chain to the white paper)."""
    r = f"<{iri}>"
    return f"""PREFIX rdfs: <{PREFIXES['rdfs']}>
PREFIX dct: <{DCT}>
PREFIX foaf: <{PREFIXES['foaf']}>
PREFIX ictd: <{ICTD}>
CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  {{ {r} ?p ?o BIND({r} AS ?s) }}
  UNION {{ {r} ?via ?s . ?s rdfs:label ?o BIND(rdfs:label AS ?p) }}
  UNION {{ ?s ?p {r} BIND({r} AS ?o) }}
  UNION {{ ?s ?via {r} . ?s rdfs:label ?o BIND(rdfs:label AS ?p) }}
  UNION {{ {r} dct:source/dct:isPartOf* ?s . ?s ?p ?o
           FILTER(?p IN (rdfs:label, dct:isPartOf, dct:title, ictd:notation, foaf:page)) }}
{_BNODE_CLOSURE.format(anchor=r)}
}}"""


def ontology_query() -> str:
    """The ontology document: every triple about the ontology or one of its terms, and about the
    blank nodes of their class expressions and lists."""
    return f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  {{ ?s ?p ?o FILTER(?s = <{ONTOLOGY_IRI}> || STRSTARTS(STR(?s), "{ICTD}")) }}
{_BNODE_CLOSURE.format(anchor="?t").replace("FILTER(isBlank(?b))", f'FILTER(isBlank(?b) && STRSTARTS(STR(?t), "{ICTD}"))')}
}}"""


def labels_query(iris: set[str]) -> str:
    values = " ".join(f"<{i}>" for i in sorted(iris))
    return (f"CONSTRUCT {{ ?t <{LABEL}> ?l }} WHERE {{ VALUES ?t {{ {values} }} ?t <{LABEL}> ?l }}")


_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f]')


def resource_iri(prefix: str, stem: str) -> str:
    """The IRI a local path names: characters an IRI cannot hold (a space, `<`, `>`, …) are
    percent-encoded, as `href` writes them, and what is still no valid IRI is NotFound. So an
    odd path never reaches a query as anything but one well-formed IRI."""
    iri = f"{BASE}{prefix}/" + _NOT_IN_IRI.sub(lambda m: quote(m.group(0), safe=""), stem)
    try:
        ox.NamedNode(iri)
    except ValueError as error:
        raise NotFound(f"/{prefix}/{stem[:200]} names no resource: {error}") from None
    return iri


async def describe(site, iri: str) -> list[ox.Triple]:
    return await site.engine.triples(describe_query(iri))


# ---------------------------------------------------------------- responses

def split_extension(path: str) -> tuple[str, str | None]:
    """`country/BR.ttl` → (`country/BR`, `ttl`) when the extension names a format."""
    stem, dot, ext = path.rpartition(".")
    if dot and "/" not in ext and named(ext, list(FORMATS)):
        return stem, ext
    return path, None


def alternates_of(path: str) -> list[tuple[str, str, str]]:
    """(extension, media type, URL) of every representation of the page at `path`."""
    return [(f.extension, f.media_type, f"{path}.{f.extension}") for f in FORMATS]


def _headers(site, path: str, fmt: Format, lang: str) -> dict[str, str]:
    links = [f'<{quote(path)}.{f.extension}>; rel="alternate"; type="{f.media_type}"' for f in FORMATS]
    etag = variant_etag(site.etag, fmt.extension, lang) if fmt is HTML else variant_etag(site.etag, fmt.extension)
    return {"Vary": "Accept, Accept-Language, Cookie" if fmt is HTML else "Accept", "ETag": etag,
            "Content-Location": f"{quote(path)}.{fmt.extension}", "Link": ", ".join(links)}


async def representation(request: Request, site, iri: str, path: str, extension: str | None,
                          fetch, page) -> Response:
    """The shared flow: choose the format, answer 304 when the client has it, else fetch the
    triples (404 when there are none) and serialize them or render the page."""
    fmt, _ = pick_format(request, list(FORMATS), extension)
    lang = pick_language(request)
    headers = _headers(site, path, fmt, lang)
    if not site.manifest:  # no local release (remote mode): nothing tells when the data changes
        headers.pop("ETag")
    elif not_modified(request, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    triples = await fetch()
    if not triples:
        raise NotFound(f"nothing is known about <{iri}> in this release")
    if fmt.rdf:
        return Response(serialize(triples, fmt), media_type=fmt.content_type, headers=headers)
    html = await page(Graph(triples), lang)
    return HTMLResponse(html, headers=headers)


_KIND = re.compile(r"[a-z][a-z0-9-]{0,60}")


async def is_kind(site, stem: str) -> bool:
    """True when identifiers id/{stem}/… exist (so /id/{stem} names the list of a kind)."""
    if not _KIND.fullmatch(stem):
        return False
    return await ask(site.engine, f'ASK {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{ID_BASE}{stem}/")) }}')


def render_resource(request: Request, graph: Graph, iri: str, lang: str, alternates: list,
                    types: list[str] | None = None) -> str:
    """The HTML page of a resource, with its schema.org description (of `types`) embedded."""
    view = resource_view(graph, iri, lang)
    jsonld = seo.resource_jsonld(graph, iri, view, lang, types or ["Thing"])
    return render("resource.html", request, lang=lang, view=view, alternates=alternates,
                  description=seo.resource_description(view, lang), jsonld=jsonld)


def routes(site) -> list[BaseRoute]:
    """`/id/…` resources, `/ontology` (and its extensions), `/ontology/…` documents."""
    shapes = load_shapes()
    schema_types = seo.SchemaTypes(site)
    retirements = Retirements(site)

    term_labels: dict[str, list[ox.Triple]] = {}  # labels of predicates, the same on every page of a release

    async def resource_page(request: Request, graph: Graph, iri: str, lang: str, alternates: list) -> str:
        predicates = {t.predicate.value for t in graph.triples} - set(graph.labels)
        unknown = predicates - set(term_labels)
        if unknown:
            for t in await site.engine.triples(labels_query(unknown)):
                term_labels.setdefault(t.subject.value, []).append(t)
            for predicate in unknown:
                term_labels.setdefault(predicate, [])
        graph.add_labels([t for p in predicates for t in term_labels[p]])
        await schema_types.load()
        types = schema_types.of([o.value for o in graph.objects(iri, PREFIXES["rdf"] + "type")])
        return render_resource(request, graph, iri, lang, alternates, types)

    def resource(prefix: str):
        async def endpoint(request: Request) -> Response:
            stem, extension = split_extension(request.path_params["path"])
            iri, path = resource_iri(prefix, stem), f"/{prefix}/{stem}"
            if (gone := retirements.answer(request, iri, extension, list(FORMATS))) is not None:
                return gone
            if site.pages is not None and (stored := site.pages.response(request, iri, extension)) is not None:
                return stored
            alternates = alternates_of(path)
            try:
                return await representation(
                    request, site, iri, path, extension, lambda: describe(site, iri),
                    lambda graph, lang: resource_page(request, graph, iri, lang, alternates))
            except NotFound:
                if prefix == "id" and extension is None and await is_kind(site, stem):  # /id/country: its list
                    return RedirectResponse(f"/id/{stem}/" + (f"?{request.url.query}" if request.url.query else ""),
                                            status_code=308)
                raise
        return endpoint

    async def ontology(request: Request) -> Response:
        extension = request.path_params.get("ext")
        if extension and not named(extension, list(FORMATS)):
            raise NotFound(f"no ontology document /ontology.{extension}")
        alternates = alternates_of("/ontology")

        async def page(graph: Graph, lang: str) -> str:
            return render("ontology.html", request, lang=lang, view=ontology_view(graph, lang, shapes),
                          alternates=alternates)

        return await representation(
            request, site, ONTOLOGY_IRI, "/ontology", extension,
            lambda: site.engine.triples(ontology_query()), page)

    return [
        Route("/id/{path:path}", resource("id"), methods=["GET", "HEAD"], name="resource"),
        Route("/ontology", ontology, methods=["GET", "HEAD"], name="ontology"),
        Route("/ontology.{ext}", ontology, methods=["GET", "HEAD"], name="ontology-file"),
        Route("/ontology/{path:path}", resource("ontology"), methods=["GET", "HEAD"], name="ontology-document"),
    ]


