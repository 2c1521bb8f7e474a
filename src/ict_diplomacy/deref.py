"""Dereferencing: every IRI under https://w3id.org/ict-diplomacy/ answers on this server.

`/id/country/BR` is `https://w3id.org/ict-diplomacy/id/country/BR` (base rewrite). One URL serves
HTML or RDF by content negotiation; `?format=ttl` or an extension (`/id/country/BR.ttl`) picks a
representation explicitly. Every answer carries `Vary`, an `ETag` (release × representation),
`Content-Location` (the URL of the representation chosen) and a `Link rel="alternate"` per format.
Descriptions are built from CONSTRUCT queries through `site.engine`, so remote mode works too."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

import jinja2
import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from .dumps import DUMP_PREFIXES
from .errors import NotAcceptable, NotFound
from .i18n import messages, other_language, pick_language
from .ontology_doc import load_shapes, ontology_view
from .project import BASE, ICTD, ONTOLOGY_IRI, PREFIXES
from .site import shorten
from .views import DCT, LABEL, RDF_TYPE, Graph, compact, href, local_path, resource_view

__all__ = ["RDF_TYPE", "Graph", "compact", "href", "local_path", "pick_language", "resource_view"]

# ---------------------------------------------------------------- formats and negotiation

@dataclass(frozen=True)
class Format:
    """A representation: its key (also the file extension and `?format=` value), its media
    type, the media types accepted as asking for it, and the pyoxigraph format (None: HTML)."""

    key: str
    media_type: str
    accepts: tuple[str, ...]
    rdf: ox.RdfFormat | None = None
    charset: bool = False

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8" if self.charset else self.media_type


HTML = Format("html", "text/html", ("text/html", "application/xhtml+xml"), charset=True)
TURTLE = Format("ttl", "text/turtle", ("text/turtle", "application/x-turtle"), ox.RdfFormat.TURTLE, True)
JSONLD = Format("jsonld", "application/ld+json", ("application/ld+json", "application/json"), ox.RdfFormat.JSON_LD)
NTRIPLES = Format("nt", "application/n-triples", ("application/n-triples",), ox.RdfFormat.N_TRIPLES)
RDFXML = Format("rdf", "application/rdf+xml", ("application/rdf+xml",), ox.RdfFormat.RDF_XML)

# In order of preference: ties in the Accept header go to the first; `*/*` gets HTML.
FORMATS: dict[str, Format] = {f.key: f for f in (HTML, TURTLE, JSONLD, NTRIPLES, RDFXML)}
RDF_FORMATS: dict[str, Format] = {k: f for k, f in FORMATS.items() if f.rdf}
ALIASES = {"turtle": "ttl", "json-ld": "jsonld", "json": "jsonld", "ntriples": "nt", "n-triples": "nt",
           "xml": "rdf", "rdfxml": "rdf", "htm": "html"}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """(media range, q) pairs of an Accept header; parameters other than q are ignored."""
    ranges = []
    for part in (header or "").split(","):
        media, *params = [p.strip() for p in part.split(";")]
        if not media:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media.lower(), q))
    return ranges


def _quality(ranges: list[tuple[str, float]], media_type: str) -> tuple[float, int]:
    """The q of the most specific range matching a media type, and that specificity (-1: none)."""
    kind = media_type.split("/")[0]
    best = (0.0, -1)
    for media, q in ranges:
        specificity = 2 if media == media_type else 1 if media == f"{kind}/*" else 0 if media == "*/*" else -1
        if specificity > best[1]:
            best = (q, specificity)
    return best


def negotiate(accept: str | None, offers: list[Format]) -> Format | None:
    """The offer the client prefers; ties go to the earlier offer; None when nothing is acceptable."""
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0]
    best, best_q = None, 0.0
    for offer in offers:
        q, _ = max((_quality(ranges, media) for media in offer.accepts), key=lambda found: (found[1], found[0]))
        if q > best_q:
            best, best_q = offer, q
    return best


def not_acceptable(offers: list[Format], asked: str) -> NotAcceptable:
    listed = ", ".join(f"{f.media_type} (?format={f.key})" for f in offers)
    return NotAcceptable(f"no representation matches {asked}; available: {listed}",
                         [f.media_type for f in offers])


def pick_format(request: Request, offers: list[Format], extension: str | None = None) -> tuple[Format, bool]:
    """The representation to send and whether it was negotiated (False: named by the URL)."""
    named = extension or request.query_params.get("format")
    if named:
        asked = named.lower()
        chosen = next((f for f in offers if asked in (f.key, f.media_type)), None)
        chosen = chosen or next((f for f in offers if f.key == ALIASES.get(asked)), None)
        if chosen is None:
            raise not_acceptable(offers, f"format {named!r}")
        return chosen, False
    chosen = negotiate(request.headers.get("accept"), offers)
    if chosen is None:
        raise not_acceptable(offers, f"Accept: {shorten(request.headers.get('accept'))}")
    return chosen, True


def variant_etag(release_etag: str, *parts: str) -> str:
    """A strong ETag for one representation of one release."""
    inner = release_etag.strip().removeprefix("W/").strip('"')
    return '"' + "-".join((inner, *parts)) + '"'


def not_modified(request: Request, etag: str) -> bool:
    """True when If-None-Match lists this ETag (weak comparison) or `*`."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag.removeprefix("W/") in tags


def serialize(triples: list[ox.Triple], fmt: Format) -> bytes:
    """Sorted triples (same description, same bytes); Turtle and RDF/XML with the prefixes used."""
    ordered = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    if fmt.rdf not in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
        return ox.serialize(ordered, format=fmt.rdf)
    return ox.serialize(ordered, format=fmt.rdf, prefixes=_used_prefixes(ordered))


def _used_prefixes(triples: list[ox.Triple]) -> dict[str, str]:
    iris = {term.value for t in triples for term in t if isinstance(term, ox.NamedNode)}
    return {prefix: ns for prefix, ns in DUMP_PREFIXES.items() if any(i.startswith(ns) for i in iris)}


@lru_cache(maxsize=1)
def templates() -> jinja2.Environment:
    """The Jinja2 environment of the site's pages (autoescaped, templates/ in this package)."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("ict_diplomacy", "templates"),
                             autoescape=jinja2.select_autoescape(("html", "xml", "j2")),
                             trim_blocks=True, lstrip_blocks=True)
    env.globals["other_language"] = other_language
    env.globals["messages"] = messages
    return env


def render(name: str, **context) -> str:
    """A page; its language's interface texts are there as `t` (see i18n.MESSAGES)."""
    context.setdefault("t", messages(context.get("lang", "en")))
    return templates().get_template(name).render(**context)


# ---------------------------------------------------------------- IRIs and descriptions

_BNODE_CLOSURE = """  UNION {{ {anchor} ?via ?b . FILTER(isBlank(?b))
           ?b (<urn:x-ictd:any>|!<urn:x-ictd:any>)* ?x . FILTER(isBlank(?x)) ?x ?p ?o BIND(?x AS ?s) }}"""


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
    """The ontology document: every triple about the ontology or one of its terms."""
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
    if dot and "/" not in ext and ALIASES.get(ext.lower(), ext.lower()) in FORMATS:
        return stem, ext
    return path, None


def _headers(site, path: str, fmt: Format, lang: str) -> dict[str, str]:
    links = [f'<{quote(path)}.{f.key}>; rel="alternate"; type="{f.media_type}"' for f in FORMATS.values()]
    etag = variant_etag(site.etag, fmt.key, lang) if fmt is HTML else variant_etag(site.etag, fmt.key)
    return {"Vary": "Accept, Accept-Language, Cookie" if fmt is HTML else "Accept", "ETag": etag,
            "Content-Location": f"{quote(path)}.{fmt.key}", "Link": ", ".join(links)}


async def representation(request: Request, site, iri: str, path: str, extension: str | None,
                          fetch, page) -> Response:
    """The shared flow: choose the format, answer 304 when the client has it, else fetch the
    triples (404 when there are none) and serialize them or render the page."""
    fmt, _ = pick_format(request, list(FORMATS.values()), extension)
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


def routes(site) -> list[BaseRoute]:
    """`/id/…` resources, `/ontology` (and its extensions), `/ontology/…` documents."""
    shapes = load_shapes()

    term_labels: dict[str, list[ox.Triple]] = {}  # labels of predicates, the same on every page of a release

    async def resource_page(graph: Graph, iri: str, lang: str, alternates: list) -> str:
        predicates = {t.predicate.value for t in graph.triples} - set(graph.labels)
        unknown = predicates - set(term_labels)
        if unknown:
            for t in await site.engine.triples(labels_query(unknown)):
                term_labels.setdefault(t.subject.value, []).append(t)
            for predicate in unknown:
                term_labels.setdefault(predicate, [])
        graph.add_labels([t for p in predicates for t in term_labels[p]])
        return render("resource.html", lang=lang, view=resource_view(graph, iri, lang), alternates=alternates,
                      path=local_path(iri))

    def resource(prefix: str):
        async def endpoint(request: Request) -> Response:
            stem, extension = split_extension(request.path_params["path"])
            iri, path = resource_iri(prefix, stem), f"/{prefix}/{stem}"
            alternates = [(f.key, f.media_type, f"{path}.{f.key}") for f in FORMATS.values()]
            return await representation(
                request, site, iri, path, extension, lambda: describe(site, iri),
                lambda graph, lang: resource_page(graph, iri, lang, alternates))
        return endpoint

    async def ontology(request: Request) -> Response:
        extension = request.path_params.get("ext")
        if extension and ALIASES.get(extension.lower(), extension.lower()) not in FORMATS:
            raise NotFound(f"no ontology document /ontology.{extension}")
        alternates = [(f.key, f.media_type, f"/ontology.{f.key}") for f in FORMATS.values()]

        async def page(graph: Graph, lang: str) -> str:
            return render("ontology.html", lang=lang, view=ontology_view(graph, lang, shapes), alternates=alternates,
                          path="/ontology")

        return await representation(
            request, site, ONTOLOGY_IRI, "/ontology", extension,
            lambda: site.engine.triples(ontology_query()), page)

    return [
        Route("/id/{path:path}", resource("id"), methods=["GET", "HEAD"], name="resource"),
        Route("/ontology", ontology, methods=["GET", "HEAD"], name="ontology"),
        Route("/ontology.{ext}", ontology, methods=["GET", "HEAD"], name="ontology-file"),
        Route("/ontology/{path:path}", resource("ontology"), methods=["GET", "HEAD"], name="ontology-document"),
    ]


