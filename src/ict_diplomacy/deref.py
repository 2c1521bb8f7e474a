"""Dereferencing: every IRI under https://w3id.org/ict-diplomacy/ answers on this server.

`/id/country/BR` is `https://w3id.org/ict-diplomacy/id/country/BR` (base rewrite). One URL serves
HTML or RDF by content negotiation; `?format=ttl` or an extension (`/id/country/BR.ttl`) picks a
representation explicitly. Every answer carries `Vary`, an `ETag` (release × representation),
`Content-Location` (the URL of the representation chosen) and a `Link rel="alternate"` per format.
Descriptions are built from CONSTRUCT queries through `site.engine`, so remote mode works too."""

from __future__ import annotations

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
from .project import BASE, ICTD, ONTOLOGY_IRI, PREFIXES

RDF_TYPE = PREFIXES["rdf"] + "type"
LABEL = PREFIXES["rdfs"] + "label"
DCT = PREFIXES["dct"]
LANGUAGES = ("en", "ja")

# Labels of the borrowed terms that pages show most (ours come from the ontology in the data).
KNOWN_LABELS = {
    RDF_TYPE: {"ja": "種類", "en": "type"},
    LABEL: {"ja": "ラベル", "en": "label"},
    PREFIXES["rdfs"] + "comment": {"ja": "注記", "en": "comment"},
    PREFIXES["rdfs"] + "seeAlso": {"ja": "参照", "en": "see also"},
    PREFIXES["owl"] + "sameAs": {"ja": "同一の資源", "en": "same as"},
    PREFIXES["skos"] + "exactMatch": {"ja": "完全一致", "en": "exact match"},
    PREFIXES["skos"] + "closeMatch": {"ja": "近い一致", "en": "close match"},
    PREFIXES["skos"] + "altLabel": {"ja": "別名", "en": "alternative label"},
    PREFIXES["skos"] + "definition": {"ja": "定義", "en": "definition"},
    PREFIXES["skos"] + "notation": {"ja": "記号", "en": "notation"},
    PREFIXES["skos"] + "inScheme": {"ja": "所属する体系", "en": "in scheme"},
    PREFIXES["skos"] + "broader": {"ja": "上位概念", "en": "broader"},
    PREFIXES["foaf"] + "page": {"ja": "ウェブページ", "en": "web page"},
    DCT + "source": {"ja": "出典", "en": "source"},
    DCT + "isPartOf": {"ja": "所収", "en": "is part of"},
    DCT + "title": {"ja": "表題", "en": "title"},
    DCT + "description": {"ja": "説明", "en": "description"},
    DCT + "issued": {"ja": "発行", "en": "issued"},
    DCT + "publisher": {"ja": "発行者", "en": "publisher"},
    DCT + "license": {"ja": "ライセンス", "en": "licence"},
    DCT + "language": {"ja": "言語", "en": "language"},
    DCT + "rights": {"ja": "権利", "en": "rights"},
}


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
        raise not_acceptable(offers, f"Accept: {request.headers.get('accept')}")
    return chosen, True


def pick_language(request: Request) -> str:
    """ja or en: `?lang=` first, then Accept-Language, then English."""
    asked = (request.query_params.get("lang") or "").lower()
    if asked in LANGUAGES:
        return asked
    for tag, q in sorted(parse_accept(request.headers.get("accept-language")), key=lambda r: -r[1]):
        primary = tag.split("-")[0]
        if q > 0 and primary in LANGUAGES:
            return primary
    return "en"


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
    env.globals["other_language"] = lambda lang: "ja" if lang == "en" else "en"
    return env


def render(name: str, **context) -> str:
    return templates().get_template(name).render(**context)


# ---------------------------------------------------------------- IRIs and descriptions

def local_path(iri: str) -> str | None:
    """`/id/country/BR` for `https://w3id.org/ict-diplomacy/id/country/BR`; None outside the base."""
    return "/" + iri[len(BASE):] if iri.startswith(BASE) else None


def href(iri: str) -> str:
    path = local_path(iri)
    return quote(path, safe="/#:@!$&'()*+,;=-._~%") if path is not None else iri


def compact(iri: str) -> str:
    for prefix, namespace in DUMP_PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


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


async def describe(site, iri: str) -> list[ox.Triple]:
    return await site.engine.triples(describe_query(iri))


# ---------------------------------------------------------------- views for HTML

class Graph:
    """A small index of triples for building pages: outgoing values, incoming links, labels."""

    def __init__(self, triples: list[ox.Triple]):
        self.triples = triples
        self.labels: dict[str, dict[str, str]] = {iri: dict(labels) for iri, labels in KNOWN_LABELS.items()}
        self._objects: dict[tuple[str, str], list] = {}
        for t in triples:
            self._objects.setdefault((t.subject.value, t.predicate.value), []).append(t.object)
            if t.predicate.value == LABEL and isinstance(t.object, ox.Literal):
                self.labels.setdefault(t.subject.value, {}).setdefault(t.object.language or "", t.object.value)

    def add_labels(self, triples: list[ox.Triple]) -> None:
        for t in triples:
            if isinstance(t.object, ox.Literal):
                self.labels.setdefault(t.subject.value, {}).setdefault(t.object.language or "", t.object.value)

    def objects(self, subject: str, predicate: str) -> list:
        return self._objects.get((subject, predicate), [])

    def link(self, iri: str, lang: str) -> dict:
        """A link to a resource with its label in `lang` (or the other language, or its IRI)."""
        labels = self.labels.get(iri, {})
        for tag in (lang, *LANGUAGES, ""):
            if labels.get(tag):
                return {"href": href(iri), "iri": iri, "label": labels[tag], "lang": tag or None}
        return {"href": href(iri), "iri": iri, "label": compact(iri), "lang": None}

    def value(self, term, lang: str) -> dict:
        if isinstance(term, ox.NamedNode):
            return self.link(term.value, lang)
        if isinstance(term, ox.BlankNode):
            return {"literal": "[" + ", ".join(self.link(t.predicate.value, lang)["label"] + " " + self.value(
                t.object, lang).get("label", t.object.value) for t in self.triples if t.subject == term) + "]"}
        datatype = term.datatype.value if term.datatype and not term.language else None
        shown = None if datatype in (None, PREFIXES["xsd"] + "string") else compact(datatype)
        return {"literal": term.value, "lang": term.language or None, "datatype": shown}


def _ordered(values: list[dict], lang: str) -> list[dict]:
    return sorted(values, key=lambda v: (v.get("lang") not in (lang, None), v.get("label") or v.get("literal", "")))


def resource_view(graph: Graph, iri: str, lang: str) -> dict:
    """What the resource page shows: title, types, properties, incoming links, sources."""
    outgoing: dict[str, list] = {}
    incoming: dict[str, list] = {}
    for t in graph.triples:
        if t.subject.value == iri:
            outgoing.setdefault(t.predicate.value, []).append(t.object)
        elif isinstance(t.object, ox.NamedNode) and t.object.value == iri:
            incoming.setdefault(t.predicate.value, []).append(t.subject.value)
    first = (RDF_TYPE, LABEL)
    order = sorted(outgoing, key=lambda p: (p not in first, first.index(p) if p in first else 0,
                                            graph.link(p, lang)["label"].lower()))
    return {
        "iri": iri, "title": graph.link(iri, lang),
        "labels": [graph.value(o, lang) for o in outgoing.get(LABEL, [])],
        "types": [graph.link(o.value, lang) for o in outgoing.get(RDF_TYPE, []) if isinstance(o, ox.NamedNode)],
        "properties": [{"predicate": graph.link(p, lang), "values": _ordered([graph.value(o, lang) for o in outgoing[p]], lang)}
                       for p in order],
        "incoming": [{"predicate": graph.link(p, lang), "subjects": _ordered([graph.link(s, lang) for s in set(subjects)], lang)}
                     for p, subjects in sorted(incoming.items(), key=lambda i: graph.link(i[0], lang)["label"].lower())],
        "sources": [_source_chain(graph, s.value, lang) for s in outgoing.get(DCT + "source", [])
                    if isinstance(s, ox.NamedNode)],
    }


def _source_chain(graph: Graph, section: str, lang: str) -> dict:
    chain, seen, current = [], set(), section
    while current and current not in seen:
        seen.add(current)
        chain.append(graph.link(current, lang))
        parents = [o.value for o in graph.objects(current, DCT + "isPartOf") if isinstance(o, ox.NamedNode)]
        current = parents[0] if parents else None
    pages = [o.value for o in graph.objects(chain[-1]["iri"], PREFIXES["foaf"] + "page")]
    return {"section": chain[0], "within": chain[1:], "page": pages[0] if pages else None}


# ---------------------------------------------------------------- ontology documentation

ONTOLOGY_SECTIONS = (
    ("classes", PREFIXES["owl"] + "Class"),
    ("object_properties", PREFIXES["owl"] + "ObjectProperty"),
    ("datatype_properties", PREFIXES["owl"] + "DatatypeProperty"),
    ("annotation_properties", PREFIXES["owl"] + "AnnotationProperty"),
)


def ontology_view(graph: Graph, lang: str) -> dict:
    """Header, then the terms of each kind with ja/en labels, definitions and main relations."""
    terms: dict[str, list[dict]] = {name: [] for name, _ in ONTOLOGY_SECTIONS}
    terms["other"] = []
    subjects = sorted({t.subject.value for t in graph.triples
                       if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(ICTD)})
    kinds = {cls: name for name, cls in ONTOLOGY_SECTIONS}
    for iri in subjects:
        types = [o.value for o in graph.objects(iri, RDF_TYPE)]
        section = next((kinds[t] for t in types if t in kinds), "other")
        terms[section].append(_term_view(graph, iri, lang))
    def texts(predicate: str) -> list[dict]:
        return [graph.value(o, lang) for o in graph.objects(ONTOLOGY_IRI, predicate)]
    return {"iri": ONTOLOGY_IRI, "title": _pick(texts(DCT + "title"), lang),
            "description": _pick(texts(DCT + "description"), lang),
            "version": _pick(texts(PREFIXES["owl"] + "versionInfo"), lang),
            "license": [graph.value(o, lang) for o in graph.objects(ONTOLOGY_IRI, DCT + "license")],
            "sections": [(name, terms[name]) for name in (*(n for n, _ in ONTOLOGY_SECTIONS), "other") if terms[name]]}


def _pick(values: list[dict], lang: str) -> dict | None:
    return next((v for v in values if v.get("lang") == lang), values[0] if values else None)


def _term_view(graph: Graph, iri: str, lang: str) -> dict:
    def named(predicate: str) -> list[dict]:
        return [graph.link(o.value, lang) for o in graph.objects(iri, predicate) if isinstance(o, ox.NamedNode)]
    definitions = [graph.value(o, lang) for o in graph.objects(iri, PREFIXES["skos"] + "definition")]
    definitions = definitions or [graph.value(o, lang) for o in graph.objects(iri, PREFIXES["rdfs"] + "comment")]
    labels = graph.labels.get(iri, {})
    return {"iri": iri, "name": iri[len(ICTD):], "label_ja": labels.get("ja"), "label_en": labels.get("en"),
            "definitions": _ordered(definitions, lang),
            "types": named(RDF_TYPE),
            "parents": named(PREFIXES["rdfs"] + "subClassOf") + named(PREFIXES["rdfs"] + "subPropertyOf"),
            "domain": named(PREFIXES["rdfs"] + "domain"), "range": named(PREFIXES["rdfs"] + "range")}


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
    return {"Vary": "Accept, Accept-Language" if fmt is HTML else "Accept", "ETag": etag,
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

    async def resource_page(graph: Graph, iri: str, lang: str, alternates: list) -> str:
        predicates = {t.predicate.value for t in graph.triples} - set(graph.labels)
        if predicates:
            graph.add_labels(await site.engine.triples(labels_query(predicates)))
        return render("resource.html", lang=lang, view=resource_view(graph, iri, lang), alternates=alternates,
                      path=local_path(iri))

    def resource(prefix: str):
        async def endpoint(request: Request) -> Response:
            stem, extension = split_extension(request.path_params["path"])
            iri, path = f"{BASE}{prefix}/{stem}", f"/{prefix}/{stem}"
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
            return render("ontology.html", lang=lang, view=ontology_view(graph, lang), alternates=alternates,
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


