"""Findable by search engines and portals: `/robots.txt`, `/sitemap.xml` (every page in both
languages, with its `hreflang` alternates), the schema.org descriptions pages embed as JSON-LD
(the `Dataset` with its distributions on the landing and download pages, the schema.org type of
a resource on its page), meta descriptions and the citation of the dataset.

The dataset's facts come from the release's DCAT catalog (catalog.ttl, written by the build),
a resource's schema.org types from the ontology's own `rdfs:subClassOf schema:…` alignments:
nothing here restates the data. Google's rich-result rules that apply (a Dataset needs a name
and a description of 50 to 5000 characters; distributions are DataDownloads with a URL and an
encoding format) are tested in tests/test_findable.py."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from ..project import BASE, ICTD, ID_BASE, PREFIXES
from ..sparql.engine import json_rows
from .html import public_origin, with_lang
from .i18n import LANGUAGES, messages, other_language
from .views import DCT, Graph, href

SCHEMA = PREFIXES["schema"]
DCAT = "http://www.w3.org/ns/dcat#"
FOAF = PREFIXES["foaf"]
OWL = PREFIXES["owl"]
DATASET = BASE + "dataset"
SUBCLASS_QUERY = f"""SELECT ?c ?super WHERE {{ ?c <{PREFIXES['rdfs']}subClassOf> ?super
  FILTER(isIRI(?super) && STRSTARTS(STR(?c), "{ICTD}")) }}"""
SUBJECTS_QUERY = f"""SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID_BASE}")) }}"""
# Pages that are not resources, in the order the sitemap lists them.
SITE_PAGES = ("/", "/id/", "/activities", "/search", "/queries", "/query", "/timeline", "/map",
              "/charts/isdb-t", "/ontology", "/links", "/dumps/", "/sparql")
ROBOTS = """User-agent: *
Allow: /
Disallow: /api/
Disallow: /lang/
Disallow: /search?
Disallow: /sparql?
Sitemap: {origin}/sitemap.xml
"""


# ---------------------------------------------------------------- the dataset, from its catalog

@lru_cache(maxsize=4)
def _catalog(path: Path, modified: float) -> Graph:
    return Graph([q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)])


def catalog_graph(release: Path | None) -> Graph | None:
    path = release / "catalog.ttl" if release else None
    return _catalog(path, path.stat().st_mtime) if path is not None and path.exists() else None


def _text(graph: Graph, subject: str, predicate: str, lang: str) -> str | None:
    values = {o.language or "": o.value for o in graph.objects(subject, predicate) if isinstance(o, ox.Literal)}
    return values.get(lang) or values.get(other_language(lang)) or values.get("")


def _iri(graph: Graph, subject: str, predicate: str) -> str | None:
    found = [o.value for o in graph.objects(subject, predicate) if isinstance(o, ox.NamedNode)]
    return found[0] if found else None


def _here(origin: str, iri: str | None) -> str | None:
    """An IRI of the dataset as a URL of this server (the dumps are served here)."""
    if iri and iri.startswith(BASE):
        return origin + "/" + iri[len(BASE):]
    return iri


def dataset_jsonld(site, request: Request, lang: str) -> dict | None:
    """schema.org `Dataset` of the release's catalog, its dumps as `DataDownload`s."""
    graph = catalog_graph(site.release)
    if graph is None:
        return None
    origin = public_origin(request)
    creator = _iri(graph, DATASET, DCT + "creator")
    period = _iri(graph, DATASET, DCT + "temporal")
    downloads = []
    for distribution in sorted(o.value for o in graph.objects(DATASET, DCAT + "distribution")):
        url = _iri(graph, distribution, DCAT + "downloadURL")
        media = _iri(graph, distribution, DCAT + "mediaType")
        if url and media:
            size = _text(graph, distribution, DCAT + "byteSize", "")
            downloads.append({"@type": "DataDownload", "name": _text(graph, distribution, DCT + "title", lang),
                              "contentUrl": _here(origin, url), "encodingFormat": media.rsplit("media-types/", 1)[-1],
                              **({"contentSize": f"{size} B"} if size else {})})
    start = _text(graph, period, DCAT + "startDate", "") if period else None
    end = _text(graph, period, DCAT + "endDate", "") if period else None
    return {
        "@context": "https://schema.org", "@type": "Dataset", "@id": DATASET,
        "name": _text(graph, DATASET, DCT + "title", lang),
        "alternateName": _text(graph, DATASET, DCT + "title", other_language(lang)),
        "description": _text(graph, DATASET, DCT + "description", lang),
        "url": origin + with_lang("/", lang), "identifier": DATASET, "sameAs": DATASET,
        "version": _text(graph, DATASET, DCAT + "version", ""),
        "license": _iri(graph, DATASET, DCT + "license"), "isAccessibleForFree": True,
        "inLanguage": list(LANGUAGES),
        "keywords": sorted(o.value for o in graph.objects(DATASET, DCAT + "keyword") if o.language == lang),
        "creator": {"@type": "Organization", "@id": creator, "name": _text(graph, creator, FOAF + "name", lang)},
        "datePublished": _text(graph, DATASET, DCT + "issued", ""),
        "dateModified": _text(graph, DATASET, DCT + "modified", ""),
        **({"temporalCoverage": f"{start}/{end}"} if start and end else {}),
        "isBasedOn": _iri(graph, DATASET, DCT + "source"),
        "distribution": downloads,
        "includedInDataCatalog": {"@type": "DataCatalog", "name": _text(graph, BASE + "catalog", DCT + "title", lang)},
    }


def citation(site, request: Request, lang: str) -> dict | None:
    """How to cite the dataset: its title, version, build date and persistent URL."""
    graph = catalog_graph(site.release)
    if graph is None:
        return None
    built = str(site.manifest.get("built") or _text(graph, DATASET, DCT + "modified", "") or "")[:10]
    return {"title": _text(graph, DATASET, DCT + "title", lang), "version": _text(graph, DATASET, DCAT + "version", ""),
            "date": built, "url": DATASET}


# ---------------------------------------------------------------- resources

def resource_description(view: dict, lang: str) -> str:
    """The meta description of a resource page: its description, else its kind and name."""
    if view.get("description"):
        return view["description"][0]["literal"]
    kinds = ", ".join(t["label"] for t in view.get("types", []))
    name = f"{view['title']['label']} ({kinds})" if kinds else view["title"]["label"]
    return f"{name} — {messages(lang)['site']}"


class SchemaTypes:
    """The schema.org classes each class of the ontology is aligned with (nearest first), once per release."""

    def __init__(self, site):
        self.site, self._parents, self._for = site, None, None

    async def load(self) -> None:
        if self._parents is None or self._for != self.site.etag:
            parents: dict[str, list[str]] = {}
            for row in await json_rows(self.site.engine, SUBCLASS_QUERY):
                parents.setdefault(row["c"]["value"], []).append(row["super"]["value"])
            self._parents, self._for = parents, self.site.etag

    def of(self, classes: list[str]) -> list[str]:
        """The schema.org names nearest to `classes` along rdfs:subClassOf."""
        level, seen = list(classes), set()
        while level:
            found = sorted({c[len(SCHEMA):] for c in level if c.startswith(SCHEMA)})
            if found:
                return found
            seen.update(level)
            level = [p for c in level for p in (self._parents or {}).get(c, []) if p not in seen]
        return ["Thing"]


def resource_jsonld(graph: Graph, iri: str, view: dict, lang: str, types: list[str]) -> dict:
    """A resource as schema.org: its type, names, description, links to the same thing elsewhere,
    and for events their dates and place."""
    other = view.get("other_name") or {}
    described = {"@context": "https://schema.org", "@type": types[0] if len(types) == 1 else types, "@id": iri,
                 "name": view["title"]["label"], "url": iri, "identifier": iri}
    if other.get("label"):
        described["alternateName"] = other["label"]
    if view.get("description"):
        described["description"] = view["description"][0]["literal"]
    same = [link["href"] for link in view.get("outbound", []) if link.get("href") and link["relation"]]
    if same:
        described["sameAs"] = same
    if "Event" in types:
        described.update(_event(graph, iri, lang))
    return described


def _event(graph: Graph, iri: str, lang: str) -> dict:
    def first(local: str) -> str | None:
        found = [o.value for o in graph.objects(iri, ICTD + local) if isinstance(o, ox.Literal)]
        return found[0] if found else None
    found = {"startDate": first("date") or first("startDate"), "endDate": first("endDate") or first("date")}
    places = [o.value for o in graph.objects(iri, ICTD + "location") if isinstance(o, ox.NamedNode)]
    if places:
        found["location"] = {"@type": "Place", "@id": places[0], "name": graph.link(places[0], lang)["label"]}
    return {key: value for key, value in found.items() if value}


# ---------------------------------------------------------------- robots.txt and the sitemap

def sitemap_xml(origin: str, paths: list[str]) -> str:
    """Every page in each language, each entry with its alternates (and x-default, negotiated)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">']
    for path in paths:
        alternates = [f"<xhtml:link rel=\"alternate\" hreflang=\"{code}\" href={quoteattr(origin + with_lang(path, code))}/>"
                      for code in LANGUAGES]
        alternates.append(f'<xhtml:link rel="alternate" hreflang="x-default" href={quoteattr(origin + path)}/>')
        for code in LANGUAGES:
            lines.append(f"<url><loc>{escape(origin + with_lang(path, code))}</loc>{''.join(alternates)}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def routes(site, page_paths) -> list[Route]:
    """`/robots.txt` and `/sitemap.xml`; `page_paths()` gives the paths of the pages besides the
    resources (kinds, stored queries)."""

    async def robots(request: Request) -> Response:
        return PlainTextResponse(ROBOTS.format(origin=public_origin(request)))

    async def sitemap(request: Request) -> Response:
        subjects = sorted(row["s"]["value"] for row in await json_rows(site.engine, SUBJECTS_QUERY))
        paths = [*SITE_PAGES, *await page_paths(), *(href(s) for s in subjects)]
        body = sitemap_xml(public_origin(request), list(dict.fromkeys(paths)))
        return Response(body, media_type="application/xml; charset=utf-8")

    return [Route("/robots.txt", robots, methods=["GET", "HEAD"], name="robots"),
            Route("/sitemap.xml", sitemap, methods=["GET", "HEAD"], name="sitemap")]
