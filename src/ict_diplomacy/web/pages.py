"""The human pages that are not resource descriptions: the landing page `/`, search (`/search`,
`/api/search`), the stored-query pages (query_pages.py), the link report `/links` (links_page.py),
the language switch `/lang/{ja|en}` and the site's static files under `/static/`.

Every page is rendered with deref.render (the templates of this package) and answers through
`site.engine`, so remote mode works. The language comes from i18n.pick_language; the switch
remembers the choice in a cookie for a year and goes back to the page it was clicked on."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from . import links_page, query_pages, seo
from .html import page
from .kinds import Kinds
from .kinds import routes as kinds_routes
from .sparql_page import catalogue
from ..errors import NotFound
from .i18n import COOKIE, LANGUAGES, format_number, pick_language, sentence_case
from ..project import BASE, ICTD, ID_BASE, PREFIXES
from ..publish import history
from ..sparql.engine import json_rows
from .search import DEFAULT_LIMIT, PAGE_SIZE, SearchIndex, SiteSearch, hit_json
from .views import href
from .http import query_params

log = logging.getLogger("ict_diplomacy.pages")

VOID = "http://rdfs.org/ns/void#"
COOKIE_AGE = 365 * 24 * 3600
MAIN_CLASSES = tuple(ICTD + name for name in (
    "Country", "InternationalOrganization", "GovernmentAgency", "Person", "Conference", "MinisterialMeeting",
    "DialogueSeries", "DialogueSession", "TradeAgreement", "MemorandumOfCooperation", "Project", "Loan",
    "StandardAdoption", "Appointment", "Statistic", "Topic"))
SOURCE_QUERY = f"""PREFIX rdfs: <{PREFIXES['rdfs']}>
PREFIX dct: <{PREFIXES['dct']}>
PREFIX foaf: <{PREFIXES['foaf']}>
SELECT ?doc ?label ?page ?licence WHERE {{
  ?doc a <{ICTD}SourceDocument> ; rdfs:label ?label .
  OPTIONAL {{ ?doc foaf:page ?page }} OPTIONAL {{ ?doc dct:license ?licence }}
}}"""
COUNTS_QUERY = f"""SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  ?s a ?class FILTER(STRSTARTS(STR(?s), "{ID_BASE}")) }} GROUP BY ?class"""
TRIPLES_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


# ---------------------------------------------------------------- the dataset in figures

def void_figures(release: Path | None) -> dict:
    """Triples, resources and example resources from the release's VoID (empty if there is none)."""
    if release is None or not (release / "void.ttl").exists():
        return {}
    triples = [q.triple if isinstance(q, ox.Quad) else q for q in ox.parse(path=str(release / "void.ttl"))]
    dataset = BASE + "dataset"

    def number(predicate: str) -> int | None:
        found = [t.object.value for t in triples if t.subject.value == dataset and t.predicate.value == VOID + predicate]
        return int(found[0]) if found else None
    examples = sorted(t.object.value for t in triples
                      if t.subject.value == dataset and t.predicate.value == VOID + "exampleResource")
    return {"triples": number("triples"), "entities": number("entities"), "examples": examples}


class Summary:
    """What the landing page says about the dataset, computed once per release."""

    def __init__(self, site, search: SiteSearch):
        self.site, self.search = site, search
        self._cached: tuple[str, dict] | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> dict:
        async with self._lock:
            if self._cached is None or self._cached[0] != self.site.etag:
                self._cached = (self.site.etag, await self._compute())
        return self._cached[1]

    async def _compute(self) -> dict:
        figures = void_figures(self.site.release)
        if figures.get("triples") is None:
            rows = await json_rows(self.site.engine, TRIPLES_QUERY)
            figures["triples"] = int(rows[0]["n"]["value"])
        counts = {row["class"]["value"]: int(row["n"]["value"]) for row in await json_rows(self.site.engine, COUNTS_QUERY)}
        sources = await json_rows(self.site.engine, SOURCE_QUERY)
        return {"figures": figures, "counts": counts, "sources": sources}


def landing_view(summary: dict, index: SearchIndex, type_labels: dict, lang: str) -> dict:
    figures, counts = summary["figures"], summary["counts"]
    labels = type_labels

    def label(iri: str) -> str:
        return sentence_case(labels.get(iri, {}).get(lang) or iri.rsplit("#", 1)[-1])
    source = next((row for row in summary["sources"] if row["label"].get("xml:lang") == lang),
                  summary["sources"][0] if summary["sources"] else None)
    examples = []
    for iri in figures.get("examples", []):
        entry = index.entries.get(iri)
        if entry is not None and entry.labels:  # a retired identifier has no name to show
            examples.append({"href": href(iri), "label": entry.labels.get(lang) or next(iter(entry.labels.values()))})
    return {
        "triples": format_number(str(figures["triples"])), "triples_raw": figures["triples"],
        "entities": format_number(str(figures.get("entities") or sum(counts.values()))),
        "classes": [{"label": label(c), "count": counts[c]} for c in MAIN_CLASSES if counts.get(c)],
        "source": {"href": href(source["doc"]["value"]), "label": source["label"]["value"],
                   "page": source.get("page", {}).get("value"),
                   "licence": source.get("licence", {}).get("value")} if source else None,
        "examples": examples,
    }


# ---------------------------------------------------------------- routes

def _whole(raw: str | None, default: int, least: int = 1) -> int:
    """A whole-number parameter (a page, a limit, an offset); the default when it is not one."""
    try:
        return max(least, int(raw)) if raw else default
    except ValueError:
        return default


def safe_next(target: str | None) -> str:
    """A local path to go back to (never another site), without its `lang` parameter."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    return parts.path + ("?" + urlencode(kept) if kept else "")


def search_routes(search: SiteSearch) -> list[BaseRoute]:
    """`/search` (a page of PAGE_SIZE hits with the true total) and `/api/search` (JSON, with
    `total`, `offset` and the `next` URL)."""

    async def search_page(request: Request) -> Response:
        lang = pick_language(request)
        q = (query_params(request).get("q") or "").strip()
        found = (await search.index()).search(q) if q else []
        pages = max(1, -(-len(found) // PAGE_SIZE))
        number = min(pages, _whole(query_params(request).get("page"), 1))
        shown = found[(number - 1) * PAGE_SIZE:number * PAGE_SIZE]
        hits = [hit_json(h, lang, search.type_labels) for h in shown]
        api_url = "/api/search?" + urlencode({"q": q, "lang": lang})
        return page("search.html", request, lang, search_query=q, query=q, hits=hits, total=len(found),
                    first=(number - 1) * PAGE_SIZE + 1, number=number, pages=pages,
                    alternates=[("json", "application/json", api_url)])

    async def search_api(request: Request) -> Response:
        lang = pick_language(request)
        params = query_params(request)
        q = (params.get("q") or "").strip()
        limit = max(1, min(200, _whole(params.get("limit"), DEFAULT_LIMIT)))
        offset = _whole(params.get("offset"), 0, least=0)
        found = (await search.index()).search(q) if q else []
        hits = [hit_json(h, lang, search.type_labels) for h in found[offset:offset + limit]]
        more = offset + limit < len(found)
        following = "/api/search?" + urlencode({"q": q, "lang": lang, "limit": limit, "offset": offset + limit})
        return JSONResponse({"query": q, "lang": lang, "total": len(found), "offset": offset, "count": len(hits),
                             "next": following if more else None, "results": hits},
                            headers={"Vary": "Accept-Language, Cookie"})

    return [Route("/search", search_page, methods=["GET", "HEAD"], name="search"),
            Route("/api/search", search_api, methods=["GET", "HEAD"], name="api-search")]


def routes(site) -> list[BaseRoute]:
    search = SiteSearch(site)
    summary = Summary(site, search)

    async def type_labels() -> dict:
        await search.index()
        return search.type_labels

    kinds = Kinds(site, type_labels)

    async def page_paths() -> list[str]:
        stored = [f"/queries/{name}" for name in (catalogue() or {})]
        changes = [f"/changes/{entry['version']}" for entry in history.read_index(site.release)] if site.release else []
        return [f"/id/{kind}/" for kind in await kinds.counts()] + stored + changes

    async def landing(request: Request) -> Response:
        lang = pick_language(request)
        index = await search.index()
        view = landing_view(await summary.get(), index, search.type_labels, lang)
        described = [("void", "text/turtle", "/.well-known/void.ttl"), ("catalog", "text/turtle", "/catalog.ttl")]
        return page("landing.html", request, lang, view=view, alternates=described if site.release else [],
                    jsonld=seo.dataset_jsonld(site, request, lang), cite=seo.citation(site, request, lang))

    async def switch(request: Request) -> Response:
        lang = request.path_params["lang"]
        if lang not in LANGUAGES:
            raise NotFound(f"no language {lang!r}; use one of {', '.join(LANGUAGES)}")
        target = safe_next(query_params(request).get("next"))
        target += ("&" if "?" in target else "?") + f"lang={lang}"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(COOKIE, lang, max_age=COOKIE_AGE, samesite="lax")
        return response

    return [
        Route("/", landing, methods=["GET", "HEAD"], name="landing"),
        *search_routes(search),
        Route("/lang/{lang}", switch, methods=["GET", "HEAD"], name="language"),
        *query_pages.routes(site, page),
        *links_page.routes(site, page, search),
        *kinds_routes(site, kinds),
        *seo.routes(site, page_paths),
    ]
