"""The SPARQL 1.1 Protocol endpoint at /sparql: read-only, with the limits of the settings.

GET ?query=, POST form (query=), POST application/sparql-query, with the protocol's
default-graph-uri and named-graph-uri (the data is the graph DATA_GRAPH, and the default graph
when none is named; any other graph is empty: sparql/engine.py Dataset). Results as SPARQL JSON,
XML, CSV, TSV; graphs as Turtle, N-Triples, JSON-LD, RDF/XML, chosen by Accept or ?format=. A bare GET
answers the SPARQL 1.1 Service Description, listing every limit (service_description.py). Updates
are refused (405), and so is SERVICE unless its endpoint is in the `service_allow` list (403);
the engine applies that policy (sparql/text.py `guard`), this module speaks the protocol."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import pyoxigraph as ox

from .. import formats
from ..errors import BadRequest, MalformedQuery, PayloadTooLarge, ReadOnly, RequestTimeout, UnsupportedMediaType
from ..sparql.engine import Dataset
from .http import fields
from .service_description import service_description
from .site import Site

BODY_TIMEOUT_S = 10.0
FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"


def routes(site: Site) -> list[Route]:
    async def endpoint(request: Request) -> Response:
        return await answer(site, request)
    return [Route("/sparql", endpoint, methods=["GET", "HEAD", "POST"])]


async def answer(site: Site, request: Request) -> Response:
    params = await protocol_params(request, site.settings.max_request_bytes)
    if "update" in params:
        raise ReadOnly("this SPARQL endpoint is read-only: the update operation is not accepted")
    queries = params.get("query", [])
    if not queries:
        return service_description(site, request)
    if len(queries) > 1:
        raise BadRequest("give exactly one query (the request has several `query` parameters)")
    text = queries[0]
    if not text.strip():
        raise MalformedQuery("the query is empty")
    result = await site.engine.query(text, accept=requested_format(request.headers.get("accept"), params), timeout=_timeout(params),
                                     client=request.client.host if request.client else "",
                                     dataset=requested_dataset(params))
    request.state.rows = result.rows
    headers = {"Vary": "Accept", "X-SPARQL-Rows": str(result.rows),
               "Cache-Control": "no-cache"}
    if result.truncated:
        headers["X-SPARQL-Truncated"] = "true"
    return site.answer(result, headers)


async def protocol_params(request: Request, max_bytes: int) -> dict[str, list[str]]:
    """The protocol's parameters from the URL and the body (form, query or update)."""
    params = url_params(request.url.query, max_bytes)
    if request.method != "POST":
        return params
    kind = body_kind(request.headers.get("content-type", ""))
    add_body_params(params, kind, await read_body(request, max_bytes))
    return params


def url_params(query: str, max_bytes: int) -> dict[str, list[str]]:
    if len(query) > max_bytes:
        raise PayloadTooLarge(f"the query string is longer than {max_bytes} bytes (max_request_bytes)")
    params: dict[str, list[str]] = {}
    add_fields(params, query)
    return params


def add_fields(params: dict[str, list[str]], encoded: str) -> None:
    for name, value in fields(encoded):
        params.setdefault(name, []).append(value)


def body_kind(content_type_header: str) -> str:
    """The media type of a POST body the protocol accepts (charset UTF-8), or the error saying why not."""
    content_type, _, parameters = content_type_header.partition(";")
    content_type = content_type.strip().lower()
    charset = next((v.strip().strip('"').lower() for k, _, v in (p.partition("=") for p in parameters.split(";"))
                    if k.strip().lower() == "charset"), "utf-8")
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"a request body must be UTF-8, not {charset[:40]}")
    if content_type == UPDATE_BODY:
        raise ReadOnly("this SPARQL endpoint is read-only: application/sparql-update is not accepted")
    if content_type not in (FORM, QUERY_BODY):
        raise UnsupportedMediaType(
            f"POST a query as {QUERY_BODY} or as a {FORM} form; got {content_type or 'no Content-Type'}")
    return content_type


def add_body_params(params: dict[str, list[str]], kind: str, body: bytes) -> None:
    text = body.decode("utf-8", errors="replace")
    if kind == FORM:
        add_fields(params, text)
    else:
        params.setdefault("query", []).append(text)


async def read_body(request: Request, max_bytes: int, within_s: float = BODY_TIMEOUT_S) -> bytes:
    """The request body, at most `max_bytes` of it, arriving within `within_s` seconds (408 past it)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise PayloadTooLarge(f"the request body is {declared} bytes; the limit is {max_bytes} (max_request_bytes)")
    try:
        return await asyncio.wait_for(_read(request, max_bytes), within_s)
    except TimeoutError:
        raise RequestTimeout(f"the request body did not arrive within {within_s:g} s") from None


async def _read(request: Request, max_bytes: int) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise PayloadTooLarge(f"the request body is larger than {max_bytes} bytes (max_request_bytes)")
        chunks.append(chunk)
    return b"".join(chunks)


def requested_format(accept: str | None, params: dict[str, list[str]]) -> str:
    """An Accept value: ?format= (or ?output=) when given, else the request's Accept header. A
    name may mean one format for results and another for graphs (`json`: SPARQL JSON or JSON-LD),
    so it becomes every media type it names, and the engine picks by the kind of the query."""
    wanted = (params.get("format") or params.get("output") or [""])[0].strip().lower()
    if not wanted:
        return accept or "*/*"
    meant = [f.media_type for f in formats.FORMATS if f.answers_to(wanted) and f.kinds != (formats.PAGE,)]
    if meant:
        return ", ".join(meant)
    if "/" in wanted:
        return wanted
    raise BadRequest(f"unknown format {wanted!r}",
                     detail={"formats": sorted({n for f in formats.FORMATS if formats.PAGE not in f.kinds
                                                for n in (f.name, *f.names)})})


def requested_dataset(params: dict[str, list[str]]) -> Dataset | None:
    """The dataset the protocol's default-graph-uri and named-graph-uri name (None: the data)."""
    default, named = params.get("default-graph-uri", []), params.get("named-graph-uri", [])
    for iri in (*default, *named):
        try:
            ox.NamedNode(iri)
        except ValueError as error:
            raise BadRequest(f"default-graph-uri and named-graph-uri take IRIs; {iri[:200]!r} is none: {error}") from None
    return Dataset(tuple(default), tuple(named)) if default or named else None


def _timeout(params: dict[str, list[str]]) -> float | None:
    raw = (params.get("timeout") or [""])[0]
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise BadRequest(f"timeout must be a number of seconds, got {raw!r}") from None
