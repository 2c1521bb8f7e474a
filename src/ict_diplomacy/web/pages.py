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
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from . import links_page, query_pages
from .html import render
from ..errors import NotFound
from .i18n import COOKIE, LANGUAGES, format_number, pick_language, sentence_case
from ..project import BASE, ICTD, ID_BASE, PREFIXES
from ..sparql.engine import json_rows
from .search import DEFAULT_LIMIT, SearchIndex, SiteSearch, hit_json
from .views import href

log = logging.getLogger("ict_diplomacy.pages")

STATIC = Path(__file__).parent / "static"
VOID = "http://rdfs.org/ns/void#"
HTML_HEADERS = {"Vary": "Accept-Language, Cookie"}
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


def page(name: str, request: Request, lang: str, status: int = 200, **context) -> HTMLResponse:
    """A rendered page; `here` is this URL without `lang`, for the language switch."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    here = request.url.path + ("?" + urlencode(kept) if kept else "")
    html = render(name, lang=lang, path=request.url.path, here=here, **context)
    return HTMLResponse(html, status_code=status, headers=HTML_HEADERS)


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
        text = (entry.labels.get(lang) or next(iter(entry.labels.values()), iri)) if entry else iri
        examples.append({"href": href(iri), "label": text})
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

def safe_next(target: str | None) -> str:
    """A local path to go back to (never another site), without its `lang` parameter."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    return parts.path + ("?" + urlencode(kept) if kept else "")


def routes(site) -> list[BaseRoute]:
    search = SiteSearch(site)
    summary = Summary(site, search)

    async def landing(request: Request) -> Response:
        lang = pick_language(request)
        index = await search.index()
        view = landing_view(await summary.get(), index, search.type_labels, lang)
        described = [("void", "text/turtle", "/.well-known/void.ttl"), ("catalog", "text/turtle", "/catalog.ttl")]
        return page("landing.html", request, lang, view=view, alternates=described if site.release else [])

    async def search_page(request: Request) -> Response:
        lang = pick_language(request)
        q = (request.query_params.get("q") or "").strip()
        index = await search.index()
        hits = [hit_json(h, lang, search.type_labels) for h in index.search(q)] if q else []
        api_url = "/api/search?" + urlencode({"q": q, "lang": lang})
        return page("search.html", request, lang, query=q, hits=hits, alternates=[("json", "application/json", api_url)])

    async def search_api(request: Request) -> Response:
        lang = pick_language(request)
        q = (request.query_params.get("q") or "").strip()
        try:
            limit = max(1, min(200, int(request.query_params.get("limit", DEFAULT_LIMIT))))
        except ValueError:
            limit = DEFAULT_LIMIT
        index = await search.index()
        hits = [hit_json(h, lang, search.type_labels) for h in index.search(q, limit)] if q else []
        return JSONResponse({"query": q, "lang": lang, "count": len(hits), "results": hits},
                            headers={"Vary": "Accept-Language, Cookie"})

    async def switch(request: Request) -> Response:
        lang = request.path_params["lang"]
        if lang not in LANGUAGES:
            raise NotFound(f"no language {lang!r}; use one of {', '.join(LANGUAGES)}")
        target = safe_next(request.query_params.get("next"))
        target += ("&" if "?" in target else "?") + f"lang={lang}"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(COOKIE, lang, max_age=COOKIE_AGE, samesite="lax")
        return response

    return [
        Route("/", landing, methods=["GET", "HEAD"], name="landing"),
        Route("/search", search_page, methods=["GET", "HEAD"], name="search"),
        Route("/api/search", search_api, methods=["GET", "HEAD"], name="api-search"),
        Route("/lang/{lang}", switch, methods=["GET", "HEAD"], name="language"),
        *query_pages.routes(site, page),
        *links_page.routes(site, page, search),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
