"""The remote engine: the same interface and limits as the workers, over any SPARQL 1.1 endpoint.

Queries are forwarded (not redirected), so the read-only rule, the SERVICE policy, the deadline,
the row cap and the concurrency cap hold in remote mode too. The remote answer is asked for in
line-based formats (TSV for solutions, N-Triples for graphs), read only up to `max_rows + 1`
lines, parsed whole (an answer cut off by the remote end fails to parse and becomes 502, never a
partial 200) and serialized in the format the client chose."""

from __future__ import annotations

import asyncio

import httpx
import pyoxigraph as ox

from ..errors import BadGateway, HttpError, MalformedQuery, QueryTimeout
from ..formats import choose
from ..settings import Settings
from .engine import Bindings, Gate, QueryResult
from .text import guard, with_values
from .workers import JSON, TSV, graph_body

ASK_REMOTE = "text/tab-separated-values, application/n-triples;q=0.9, application/sparql-results+json;q=0.8"


class RemoteEngine:
    def __init__(self, settings: Settings, preflight=None):
        self.settings, self.endpoint = settings, settings.sparql_endpoint
        self.preflight = preflight  # preflight.Preflight: queries that would crash the upstream stop here
        self._gate = Gate(settings)
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(settings.query_timeout + 1),
                                         limits=httpx.Limits(max_connections=settings.max_concurrent))

    async def query(self, sparql: str, *, accept: str = "application/sparql-results+json",
                    bindings: Bindings | None = None, timeout: float | None = None, client: str = "") -> QueryResult:
        kind, data, truncated = await self._fetch(with_values(sparql, bindings), timeout, client)
        return await asyncio.to_thread(_convert, kind, data, truncated, accept, self.settings.max_rows)

    async def triples(self, construct_or_describe: str, *, bindings: Bindings | None = None,
                      timeout: float | None = None, client: str = "") -> list[ox.Triple]:
        kind, data, _ = await self._fetch(with_values(construct_or_describe, bindings), timeout, client)
        if kind != "construct":
            raise MalformedQuery("expected a CONSTRUCT or DESCRIBE query")
        return _parse_triples(data)[: self.settings.max_rows]

    async def close(self) -> None:
        await self._client.aclose()
        if self.preflight:
            await self.preflight.close()

    async def _fetch(self, text: str, timeout: float | None, client: str = "") -> tuple[str, bytes, bool]:
        guard(text, self.settings)
        if self.preflight:
            await self.preflight.check(text)
        limit = self._gate.deadline(timeout)
        async with self._gate.slot(limit, client):
            try:
                return await asyncio.wait_for(self._read(text), limit)
            except TimeoutError:
                raise QueryTimeout(f"the query ran past the {limit:g} s limit and was stopped",
                                   detail={"timeout_s": limit}) from None
            except httpx.HTTPError as error:
                raise BadGateway(f"the SPARQL endpoint {self.endpoint} failed: {error}") from None

    async def _read(self, text: str) -> tuple[str, bytes, bool]:
        """The kind of answer, its first max_rows (+ header) lines, and whether more followed."""
        request = self._client.build_request("POST", self.endpoint, data={"query": text},
                                             headers={"Accept": ASK_REMOTE})
        response = await self._client.send(request, stream=True)
        try:
            if response.status_code >= 400:
                await response.aread()
                raise _remote_error(response)
            media = response.headers.get("content-type", "").split(";")[0].strip().lower()
            kind = {"text/tab-separated-values": "select", "application/n-triples": "construct"}.get(media, "ask")
            keep = self.settings.max_rows + (1 if kind == "select" else 0)
            lines, truncated = await _first_lines(response, keep)
            return kind, lines, truncated
        finally:
            await response.aclose()


async def _first_lines(response: httpx.Response, keep: int) -> tuple[bytes, bool]:
    buffer = bytearray()
    async for chunk in response.aiter_bytes():
        buffer += chunk
        if buffer.count(b"\n") > keep:
            end = -1
            for _ in range(keep):
                end = buffer.index(b"\n", end + 1)
            return bytes(buffer[:end + 1]), True
    return bytes(buffer), False


def _remote_error(response: httpx.Response) -> HttpError:
    message = response.text.strip()[:2000]
    if response.status_code == 400:
        return MalformedQuery(f"the SPARQL endpoint refused the query: {message}")
    return BadGateway(f"the SPARQL endpoint answered {response.status_code}: {message}")


def _convert(kind: str, data: bytes, truncated: bool, accept: str, max_rows: int) -> QueryResult:
    """The remote answer, checked whole, in the format the client chose (runs in a thread)."""
    fmt = choose(accept, kind)
    try:
        if kind == "construct":
            triples = _parse_triples(data)
            return QueryResult(graph_body(triples, fmt, truncated, max_rows), fmt.media_type,
                               len(triples), truncated, kind)
        source = TSV if kind == "select" else JSON
        results = ox.parse_query_results(data, source)
        target = fmt.results
        body = data if target == source else results.serialize(format=target)
    except (SyntaxError, ValueError) as error:
        raise BadGateway(f"the SPARQL endpoint sent an incomplete or invalid answer: {error}") from None
    if truncated and target == JSON:
        body = b'{"truncated":true,' + body[1:]
    rows = 1 if kind == "ask" else max(0, data.count(b"\n") - 1)
    return QueryResult(body, fmt.media_type, rows, truncated, kind)


def _parse_triples(data: bytes) -> list[ox.Triple]:
    try:
        return [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
    except SyntaxError as error:
        raise BadGateway(f"the SPARQL endpoint sent an incomplete or invalid graph: {error}") from None

