"""The one engine interface: every SPARQL query of the project runs through an `Engine`.

The server, the pages, the search index, the stored-query API, the `query` command and the
benchmarks all hold an Engine and never a store or an HTTP client. `connect.open_engine` makes the
one the settings ask for: worker processes over the release (workers.py), or a remote SPARQL
endpoint (remote.py), with the answer cache (cache.py) in front of the workers. Parameters travel as RDF
terms (`bindings`), never as text, and every engine binds them the same way: a VALUES block of
pyoxigraph-written terms opening the outermost WHERE group (text.with_values), so a stored query
answers the same on the embedded store and on any endpoint.

`select` and `ask` read an answer back as RDF terms, for callers that compute with the rows."""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from typing import Protocol

import pyoxigraph as ox

from ..errors import TooManyRequests, Unavailable
from ..project import DATA_GRAPH
from ..publish.description import SPARQL
from ..settings import Settings

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Bindings = dict[str, Term]
RESULTS_JSON = "application/sparql-results+json"


@dataclass(frozen=True)
class QueryResult:
    body: bytes            # the complete serialized answer (never partial)
    media_type: str
    rows: int | None       # solutions / triples returned
    truncated: bool        # the row cap cut the result
    kind: str = ""         # select | ask | construct (DESCRIBE answers as construct)


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset a request names (the SPARQL Protocol's default-graph-uri and
    named-graph-uri): the default graph is the merge of `default`, the named graphs are `named`.
    The data is one graph, DATA_GRAPH, and the default graph when no dataset is named; any other
    graph is not there, so it is empty, and the data is no named graph."""

    default: tuple[str, ...] = ()
    named: tuple[str, ...] = ()

    @property
    def data_is_default(self) -> bool:
        return DATA_GRAPH in self.default


ABSENT_GRAPH = "urn:x-ictd:absent-graph"   # a graph name no store holds: named to ask for nothing
QUERY_BASE = SPARQL   # every engine resolves a query's relative IRIs against the endpoint's public IRI


class Engine(Protocol):
    """Runs SPARQL with the limits of the settings; never blocks the event loop."""

    async def query(self, sparql: str, *, accept: str = RESULTS_JSON, bindings: Bindings | None = None,
                    timeout: float | None = None, dataset: Dataset | None = None) -> QueryResult:
        """The whole answer serialized in the best format `accept` allows for the query's kind
        (`accept` is an Accept header or one media type), over the data or the `dataset` a
        request names (it overrides the query's FROM clauses). Raises the HttpErrors of errors.py:
        MalformedQuery (with line/column in detail), Refused (SERVICE), ReadOnly (updates),
        NotAcceptable, QueryTimeout, TooManyRequests, Unavailable, BadGateway."""
        ...

    async def triples(self, construct_or_describe: str, *, bindings: Bindings | None = None,
                      timeout: float | None = None) -> list[ox.Triple]:
        """The triples of a CONSTRUCT or DESCRIBE, at most max_rows of them."""
        ...

    async def close(self) -> None: ...


# ---------------------------------------------------------------- answers as terms


@dataclass
class Table:
    """Rows of a SELECT: each row maps a column to an RDF term, or None where unbound."""

    columns: list[str]
    rows: list[dict[str, Term | None]] = field(default_factory=list)


async def select(engine: Engine, sparql: str, bindings: Bindings | None = None, **options) -> Table:
    result = await engine.query(sparql, accept=RESULTS_JSON, bindings=bindings, **options)
    solutions = ox.parse_query_results(result.body, format=ox.QueryResultsFormat.JSON)
    columns = [v.value for v in solutions.variables]
    return Table(columns, [{c: row[c] for c in columns} for row in solutions])


async def json_rows(engine: Engine, sparql: str, bindings: Bindings | None = None) -> list[dict[str, dict]]:
    """The solutions of a SELECT as SPARQL JSON bindings (what pages put into templates)."""
    result = await engine.query(sparql, accept=RESULTS_JSON, bindings=bindings)
    return json.loads(result.body)["results"]["bindings"]


async def ask(engine: Engine, sparql: str, bindings: Bindings | None = None, **options) -> bool:
    result = await engine.query(sparql, accept=RESULTS_JSON, bindings=bindings, **options)
    return bool(ox.parse_query_results(result.body, format=ox.QueryResultsFormat.JSON))


# ---------------------------------------------------------------- limits shared by the engines


class Gate:
    """At most `max_concurrent` queries at once, at most `queue` waiting; past that 429."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._running = asyncio.Semaphore(max(1, settings.max_concurrent))
        self._waiting = 0

    def deadline(self, requested: float | None) -> float:
        """The time limit of one query: the setting, or less if the request asks for less."""
        limit = self.settings.query_timeout
        return min(requested, limit) if requested and requested > 0 else limit

    @contextlib.asynccontextmanager
    async def slot(self, wait_limit: float):
        await self.take(wait_limit)
        try:
            yield
        finally:
            self.give_back()

    async def take(self, wait_limit: float) -> None:
        """Wait (at most `wait_limit` s, in a queue of at most `queue`) for a running slot; remote
        mode holds it past the deadline while the upstream still computes an abandoned query."""
        if self._running.locked():
            if self._waiting >= self.settings.queue:
                raise TooManyRequests(
                    f"too many queries: {self.settings.max_concurrent} running and {self._waiting} waiting; "
                    f"retry in {self.settings.retry_after} s", retry_after=self.settings.retry_after)
            self._waiting += 1
            try:
                await asyncio.wait_for(self._running.acquire(), wait_limit)
            except TimeoutError:
                raise Unavailable(f"no query slot became free within {wait_limit:g} s; try again shortly",
                                  headers={"Retry-After": str(self.settings.retry_after)}) from None
            finally:
                self._waiting -= 1
        else:
            await self._running.acquire()

    def give_back(self) -> None:
        self._running.release()
