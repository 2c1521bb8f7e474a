"""The stored-query API: the catalogue of `queries/*.rq` as web resources, with OpenAPI docs.

`/api/queries` lists the queries with their metadata; `/api/queries/{name}?param=value` runs one
through `site.engine` with its parameters checked and bound as RDF terms by the queries library
(never pasted into the text); `/api/openapi.json` is an OpenAPI 3.1 document generated from the
same metadata, and `/api/docs` shows it in a vendored Swagger UI (no CDN)."""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from .. import __version__, formats
from ..errors import BadRequest, NotAcceptable, NotFound, ParameterError, QueryNotFound
from ..project import PREFIXES, Project
from ..sparql import queries
from ..sparql.engine import Bindings
from .html import render
from .http import not_modified, query_params, variant_etag

RESERVED = ("format", "bom")
BOM = b"\xef\xbb\xbf"  # UTF-8 byte-order mark: Excel in Japan reads CSV without it as Shift-JIS
TRUNCATED = "X-SPARQL-Truncated"
ROWS = "X-SPARQL-Rows"
XSD = PREFIXES["xsd"]
# JSON Schema of a parameter's value by datatype (values travel as query-string text).
SCHEMAS = {
    XSD + "string": {"type": "string"},
    XSD + "integer": {"type": "integer"},
    XSD + "decimal": {"type": "number"},
    XSD + "gYear": {"type": "string", "pattern": r"^\d{4}$"},
    XSD + "gYearMonth": {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$"},
    XSD + "date": {"type": "string", "format": "date"},
}


def engine_kind(query: queries.StoredQuery) -> str:
    """The result kind as the engine names it: select, ask or construct (graphs)."""
    return "construct" if query.kind in ("construct", "describe") else query.kind


def formats_of(query: queries.StoredQuery) -> list[formats.Format]:
    return formats.offers(engine_kind(query))


# ---------------------------------------------------------------- the catalogue as JSON

def param_json(param: queries.Param) -> dict:
    out = {"name": param.name, "type": param.type, "required": param.default is None}
    if param.type == "iri":
        out["class"] = param.cls
    else:
        out["datatype"] = param.datatype
    for key in ("enum", "default", "example", "description"):
        value = getattr(param, key)
        if value and param.type == "iri" and key in ("default", "example"):
            value = queries.expand(value)
        if value:
            out[key] = list(value) if key == "enum" else value
    return out


def query_json(query: queries.StoredQuery) -> dict:
    return {"name": query.name, "url": f"/api/queries/{query.name}", "title": query.title,
            "description": query.description, "tags": list(query.tags), "kind": query.kind,
            "columns": list(query.columns), "federated": query.federated,
            "parameters": [param_json(p) for p in query.params.values()],
            "formats": {f.name: f.media_type for f in formats_of(query)},
            "example": query.example, "source": query.path.name}


# ---------------------------------------------------------------- running a stored query

def raw_parameters(request: Request) -> dict[str, str]:
    """The query-string parameters (less `format`); a name given twice is a 400 naming it."""
    raw: dict[str, str] = {}
    for name, value in query_params(request).multi_items():
        if name in RESERVED:
            continue
        if name in raw:
            raise BadRequest(f"parameter {name!r}: given more than once", detail={"parameter": name})
        raw[name] = value
    return raw


def choose(request: Request, query: queries.StoredQuery):
    """The output format: `?format=` first, then Accept; 406 listing the formats of this kind."""
    asked = query_params(request).get("format")
    if asked:
        available = formats_of(query)
        fmt = formats.named(asked, available)
        if fmt is None:
            raise NotAcceptable(f"format {asked!r} is not available for {query.name} (a {query.kind} query); "
                                f"use one of {', '.join(f.name for f in available)}",
                                [f.media_type for f in available])
        return fmt
    return formats.choose(request.headers.get("accept"), engine_kind(query))


async def bind(site, query: queries.StoredQuery, raw: dict[str, str]) -> Bindings:
    try:
        return await queries.bind(query, raw, site.engine, site.instances())
    except ParameterError as error:
        raise BadRequest(str(error), detail={"parameter": error.name}) from None


async def execute(site, query: queries.StoredQuery, bindings: Bindings, media_type: str):
    return await site.engine.query(query.text, accept=media_type, bindings=bindings)


def result_etag(site, query: queries.StoredQuery, bindings: Bindings, media_type: str) -> str:
    key = json.dumps([query.name, media_type, sorted((k, str(v)) for k, v in bindings.items())])
    return variant_etag(site.etag, "q" + hashlib.sha256(key.encode()).hexdigest()[:16])


# ---------------------------------------------------------------- OpenAPI 3.1

def _value_schema(param: queries.Param) -> dict:
    schema = {"type": "string", "format": "iri"} if param.type == "iri" else dict(SCHEMAS[param.datatype])
    convert = {"integer": int, "number": float}.get(schema["type"], str)
    if param.type == "iri":
        convert = queries.expand  # prefixed defaults and examples as the full IRIs of the enum
    if param.enum:
        schema["enum"] = [convert(v) for v in param.enum]
    if param.default is not None:
        schema["default"] = convert(param.default)
    if param.example is not None:
        schema["examples"] = [convert(param.example)]
    return schema


def _parameter(param: queries.Param) -> dict:
    what = f"IRI of a {queries.compact(param.cls)}" if param.cls else (
        "IRI" if param.type == "iri" else queries.compact(param.datatype))
    text = " / ".join(param.description.get(lang, "") for lang in ("en", "ja") if param.description.get(lang))
    return {"name": param.name, "in": "query", "required": param.default is None,
            "description": f"{text} ({what})" if text else what, "schema": _value_schema(param)}


def _operation(query: queries.StoredQuery) -> dict:
    formats = formats_of(query)
    content = {f.media_type: {"schema": {"$ref": "#/components/schemas/SparqlResults"}}
               if f.media_type == "application/sparql-results+json" else {"schema": {"type": "string"}}
               for f in formats}
    format_param = {"name": "format", "in": "query", "required": False,
                    "description": "Output format; overrides the Accept header.",
                    "schema": {"type": "string", "enum": [f.name for f in formats]}}
    bom_param = {"name": "bom", "in": "query", "required": False,
                 "description": "1: start CSV and TSV with a UTF-8 byte-order mark (for Excel)",
                 "schema": {"type": "string", "enum": ["0", "1"]}}
    description = (f"{query.description['en']}\n\n{query.description['ja']}"
                   + (f"\n\nCalls {query.service_names} with SERVICE; refused unless the server allows it." if query.federated else ""))
    return {"get": {
        "operationId": "".join(w.capitalize() if i else w for i, w in enumerate(query.name.split("-"))),
        "summary": f"{query.title['en']} / {query.title['ja']}", "description": description,
        "tags": list(query.tags),
        "parameters": [_parameter(p) for p in query.params.values()] + [format_param]
                      + ([bom_param] if query.kind == "select" else []),
        "responses": {"200": {"description": f"The {query.kind} result",
                              "headers": {TRUNCATED: {"$ref": "#/components/headers/Truncated"}},
                              "content": content},
                      **({} if query.federated else {"304": {"description": NOT_MODIFIED}}),
                      **{code: {"$ref": f"#/components/responses/{name}"} for code, name in ERROR_RESPONSES.items()}},
    }}


ERROR_RESPONSES = {"400": "BadRequest", "403": "Refused", "406": "NotAcceptable", "429": "TooManyRequests",
                   "502": "BadGateway", "503": "Unavailable"}
NOT_MODIFIED = "The result has not changed: If-None-Match names its ETag (results of a release never change)"
ERROR_TEXT = {"BadRequest": "A parameter is refused; `detail.parameter` names it",
              "Refused": "The query needs a feature this server refuses (e.g. SERVICE)",
              "NotAcceptable": "No output format matches; `detail.available` lists the media types",
              "TooManyRequests": "The queue is full; retry after Retry-After seconds",
              "BadGateway": "In remote mode: the SPARQL endpoint failed or sent an answer that does not parse",
              "Unavailable": "The query ran past its deadline or the store is unavailable"}


def openapi(catalogue: queries.Catalogue, manifest: dict) -> dict:
    """An OpenAPI 3.1 document: one path per stored query, plus the catalogue itself."""
    error = {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    listing = {"get": {"operationId": "listQueries", "summary": "The stored queries and their parameters",
                       "tags": ["catalogue"], "responses": {"200": {"description": "The catalogue", "content": {
                           "application/json": {"schema": {"$ref": "#/components/schemas/Catalogue"}}}}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "ICT Diplomacy stored queries",
                 "version": manifest.get("release") or __version__,
                 "summary": "Stored SPARQL queries over the ICT diplomacy knowledge graph",
                 "description": "Each stored query is a GET with typed parameters, bound as RDF terms. "
                                "Results: SPARQL JSON, XML, CSV, TSV, or RDF for graph queries.",
                 "license": {"name": "CC BY 4.0", "identifier": "CC-BY-4.0"}},
        "servers": [{"url": "/"}],
        "paths": {"/api/queries": listing,
                  **{f"/api/queries/{name}": _operation(q) for name, q in catalogue.items()}},
        "components": {
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                    "type": "object", "required": ["status", "code", "message"],
                    "properties": {"status": {"type": "integer"}, "code": {"type": "string"},
                                   "message": {"type": "string"}, "detail": {"type": "object"}}}}},
                "SparqlResults": {"type": "object", "properties": {
                    "head": {"type": "object"}, "results": {"type": "object"}, "boolean": {"type": "boolean"}}},
                "Catalogue": {"type": "object", "properties": {"queries": {"type": "array",
                                                                           "items": {"type": "object"}}}},
            },
            "headers": {"Truncated": {"description": "true when the row cap cut the result",
                                      "schema": {"type": "string", "enum": ["true", "false"]}}},
            "responses": {name: {**error, "description": ERROR_TEXT[name]} for name in ERROR_RESPONSES.values()},
        },
    }


# ---------------------------------------------------------------- Swagger UI

def swagger_static() -> Path | None:
    """The static files of Swagger UI 5 shipped by the swagger-ui-py package (found without
    importing it), or None when it is not installed."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        return None
    static = Path(next(iter(spec.submodule_search_locations))) / "static"
    return static if (static / "swagger-ui-bundle.js").exists() else None


SWAGGER_INIT = """window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({url: "/api/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
                               presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout"});
});
"""


# ---------------------------------------------------------------- routes

def routes(site, catalogue: queries.Catalogue | None = None) -> list[BaseRoute]:
    """The API routes; the catalogue is loaded (and validated) once, from the project's queries/."""
    catalogue = catalogue if catalogue is not None else queries.load(Project.find())
    document = openapi(catalogue, site.manifest)

    async def listing(request: Request) -> Response:
        return JSONResponse({"queries": [query_json(q) for q in catalogue.values()],
                             "openapi": "/api/openapi.json", "docs": "/api/docs"})

    async def run(request: Request) -> Response:
        try:
            query = catalogue.get_query(request.path_params["name"])
        except QueryNotFound as error:
            raise NotFound(str(error)) from None
        fmt = choose(request, query)
        bindings = await bind(site, query, raw_parameters(request))
        headers = {"Vary": "Accept"}
        bom = query_params(request).get("bom") == "1" and fmt in (formats.CSV, formats.TSV)
        if bom:
            headers["Content-Disposition"] = f'attachment; filename="{query.name}.{fmt.extension}"'
        if not query.federated:
            headers["ETag"] = result_etag(site, query, bindings, fmt.media_type + (";bom" if bom else ""))
            if not_modified(request, headers["ETag"]):
                return Response(status_code=304, headers=headers)
        result = await execute(site, query, bindings, fmt.media_type)
        headers[TRUNCATED] = "true" if result.truncated else "false"
        if result.rows is not None:
            headers[ROWS] = str(result.rows)
            request.state.rows = result.rows  # for the request log
        if bom:
            result = dataclasses.replace(result, body=BOM + result.body)
        return site.answer(result, headers)

    async def openapi_json(request: Request) -> Response:
        return JSONResponse(document, media_type="application/json")

    async def docs(request: Request) -> Response:
        if swagger_static() is None:
            raise NotFound("Swagger UI is not installed (pip install swagger-ui-py); "
                           "the OpenAPI document is at /api/openapi.json")
        return HTMLResponse(render("swagger.html", lang="en"))

    async def docs_init(request: Request) -> Response:
        return Response(SWAGGER_INIT, media_type="text/javascript")

    found = [
        Route("/api/queries", listing, methods=["GET", "HEAD"], name="api-queries"),
        Route("/api/queries/{name}", run, methods=["GET", "HEAD"], name="api-query"),
        Route("/api/openapi.json", openapi_json, methods=["GET", "HEAD"], name="api-openapi"),
        Route("/api/docs", docs, methods=["GET", "HEAD"], name="api-docs"),
        Route("/api/docs/init.js", docs_init, methods=["GET", "HEAD"], name="api-docs-init"),
    ]
    static = swagger_static()
    if static is not None:
        found.append(Mount("/api/docs/static", StaticFiles(directory=static), name="api-docs-static"))
    return found


