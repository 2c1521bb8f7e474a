"""The stored queries as pages: `/queries` lists them, `/queries/{name}` shows one with a form for
its parameters (dropdowns for closed lists and for IRIs of a class, whose members are listed with
their labels), its results as a table with labels and links, a link that opens it in the query
editor (`/query?query=…`) and download links to the stored-query API (`/api/queries/{name}`).

Parameters are checked and bound by the API's own functions (api.bind, api.execute), so a page
and the API never disagree. A query's `lang` parameter follows the page's language; a federated
query runs only when the server allows its SERVICE endpoint."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from . import api

from ..sparql import queries
from ..sparql.text import with_values
from .deref import labels_query
from ..errors import HttpError, NotFound, QueryDefinitionError
from .i18n import column_label, format_date, format_number, notation_for, pick_language
from ..project import PREFIXES, Project
from .views import Graph
from .http import query_params

log = logging.getLogger("ict_diplomacy.query_pages")

XSD = PREFIXES["xsd"]
RESULTS_JSON = "application/sparql-results+json"
DOWNLOADS = {"select": ("json", "csv", "tsv", "xml"), "ask": ("json", "xml"),
             "construct": ("ttl", "jsonld", "nt"), "describe": ("ttl", "jsonld", "nt")}
MAX_LABELLED = 2000
INPUT_HINTS = {XSD + "gYear": "2019", XSD + "gYearMonth": "2019-12", XSD + "date": "2019-12-31", XSD + "integer": "10"}


def summary(query: queries.StoredQuery, lang: str) -> dict:
    return {"name": query.name, "href": f"/queries/{query.name}", "title": query.title[lang],
            "description": query.description[lang], "tags": list(query.tags), "kind": query.kind,
            "federated": query.federated}


def chosen_values(request: Request, query: queries.StoredQuery, lang: str) -> dict[str, str]:
    """The parameter values of the form (unknown names ignored); `lang` is the page's language."""
    raw = {k: v for k, v in query_params(request).items() if k in query.params and k != "lang" and v != ""}
    if "lang" in query.params:
        raw["lang"] = lang
    return raw


def missing(query: queries.StoredQuery, raw: dict[str, str]) -> list[str]:
    return [name for name, p in query.params.items() if p.default is None and name not in raw]


def cell(term: dict | None, lang: str, graph: Graph, label: dict | None = None) -> dict:
    """A result value as the templates show it (see _macros.value)."""
    if term is None:
        return {"literal": ""}
    if term["type"] == "uri":
        link = graph.link(term["value"], lang)
        if label:
            tag = label.get("xml:lang")
            link = {**link, "label": notation_for(label["value"], tag or ""), "lang": tag}
        return link
    if term["type"] == "bnode":
        return {"literal": "_:" + term["value"]}
    datatype, value = term.get("datatype"), term["value"]
    if date := format_date(value, datatype, lang):
        return {"literal": date, "time": value}
    if datatype in (XSD + "decimal", XSD + "integer"):
        return {"literal": format_number(value), "raw": value}
    return {"literal": notation_for(value, term.get("xml:lang") or ""), "lang": term.get("xml:lang")}


def table_view(data: dict, columns: list[str], lang: str, graph: Graph) -> dict:
    """Columns and rows; a column `xLabel` becomes the text of the link in column `x`."""
    shown = [c for c in columns if not (c.endswith("Label") and c[:-5] in columns)]
    rows = []
    for binding in data["results"]["bindings"]:
        rows.append([cell(binding.get(c), lang, graph, binding.get(c + "Label")) for c in shown])
    return {"columns": [{"name": c, "label": column_label(c, lang)} for c in shown],
            "rows": rows, "truncated": bool(data.get("truncated"))}


async def labelled_graph(site, data: dict) -> Graph:
    """The labels of the IRIs in a result (those without a label column too)."""
    iris = {b["value"] for row in data.get("results", {}).get("bindings", []) for b in row.values()
            if b["type"] == "uri"}
    graph = Graph([])
    if iris and len(iris) <= MAX_LABELLED:
        graph.add_labels(await site.engine.triples(labels_query(iris)))
    return graph


class Options:
    """The choices of each closed parameter, per language and release (class members are queried once)."""

    def __init__(self, site):
        self.site = site
        self._cache: dict[tuple, list[dict]] = {}

    async def of(self, param: queries.Param, lang: str) -> list[dict]:
        key = (param.name, param.cls, param.enum, lang, self.site.etag)
        if key not in self._cache:
            self._cache[key] = await self._compute(param, lang)
        return self._cache[key]

    async def _compute(self, param: queries.Param, lang: str) -> list[dict]:
        return [{"value": v, "label": label} for v, label in await queries.options(param, self.site.engine, lang)]


async def form_view(query: queries.StoredQuery, raw: dict[str, str], lang: str, options: Options) -> list[dict]:
    fields = []
    for name, param in query.params.items():
        if name == "lang":
            continue
        current = raw.get(name, param.default)
        if current and param.type == "iri":
            current = queries.expand(current)
        fields.append({"name": name, "label": column_label(name, lang), "required": param.default is None, "value": current or "",
                       "description": param.description.get(lang), "options": await options.of(param, lang),
                       "hint": param.example or INPUT_HINTS.get(param.datatype, ""),
                       "datatype": None if param.type == "iri" else queries.compact(param.datatype)})
    return fields


def links(query: queries.StoredQuery, raw: dict[str, str], bindings) -> dict:
    """Downloads through the API with the same parameters, and the query text for the editor."""
    downloads = [{"format": f, "href": f"/api/queries/{query.name}?" + urlencode({**raw, "format": f})}
                 for f in DOWNLOADS[query.kind]]
    if "csv" in DOWNLOADS[query.kind]:
        downloads.append({"format": "csv", "excel": True,
                          "href": f"/api/queries/{query.name}?" + urlencode({**raw, "format": "csv", "bom": "1"})})
    body = "\n".join(line for line in query.text.splitlines() if not line.startswith("#+")).strip()
    body = f"# {query.title['en']}\n# {query.title['ja']}\n{body}\n"
    text = with_values(body, bindings) if bindings else body
    return {"downloads": downloads, "editor": "/query?" + urlencode({"query": text}), "text": text}


def routes(site, page) -> list[BaseRoute]:
    """`/queries` and `/queries/{name}`, rendered with `page` (pages.page)."""
    try:
        catalogue = queries.load(Project.find())
    except (OSError, QueryDefinitionError) as error:
        log.warning("stored-query pages skipped: %s", error)
        return []
    options = Options(site)
    allowed = set(site.settings.service_allow)

    async def listing(request: Request) -> Response:
        lang = pick_language(request)
        return page("queries.html", request, lang, items=[summary(q, lang) for q in catalogue.values()],
                    alternates=[("json", "application/json", "/api/queries")])

    async def one(request: Request) -> Response:
        try:
            query = catalogue.get_query(request.path_params["name"])
        except Exception:  # noqa: BLE001 - QueryNotFound, said as a 404
            raise NotFound(f"no stored query {request.path_params['name']!r}; /queries lists them") from None
        lang = pick_language(request)
        raw = chosen_values(request, query, lang)
        state = {"query": summary(query, lang), "fields": await form_view(query, raw, lang, options),
                 "table": None, "boolean": None, "error": None, "note": None, "bindings": None}
        refused = any(queries.ENDPOINTS[key] not in allowed for key in query.services)
        status = 200
        if refused:
            state["note"] = "federated"
        elif missing(query, raw):
            state["note"] = "needs_value"
        else:
            status = await _run(site, query, raw, lang, state)
        state["links"] = links(query, raw, state.pop("bindings"))
        state["downloadable"] = not refused
        return page("query.html", request, lang, status=status, **state)

    return [Route("/queries", listing, methods=["GET", "HEAD"], name="queries"),
            Route("/queries/{name}", one, methods=["GET", "HEAD"], name="query-page")]


async def _run(site, query: queries.StoredQuery, raw: dict[str, str], lang: str, state: dict) -> int:
    """Bind and run the query into `state` (table or boolean, or the error); the page's status."""
    try:
        state["bindings"] = await api.bind(site, query, raw)
        if query.kind not in ("select", "ask"):
            state["note"] = "graph_result"
            return 200
        result = await api.execute(site, query, state["bindings"], RESULTS_JSON)
    except HttpError as error:
        state["error"] = error.message
        return error.status
    data = json.loads(result.body)
    if query.kind == "ask":
        state["boolean"] = bool(data.get("boolean"))
    else:
        graph = await labelled_graph(site, data)
        state["table"] = table_view(data, list(query.columns), lang, graph)
        state["table"]["truncated"] = result.truncated
    return 200

