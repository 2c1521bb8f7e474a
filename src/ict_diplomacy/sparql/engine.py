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
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Protocol

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
    """Runs SPARQL with the limits of the settings; never blocks the event loop. `connections`:
    the workers' own connections (connections.py), or None for an engine without them."""

    connections: object | None

    async def query(self, sparql: str, *, accept: str = RESULTS_JSON, bindings: Bindings | None = None,
                    timeout: float | None = None, client: str = "", dataset: Dataset | None = None) -> QueryResult:
        """The whole answer serialized in the best format `accept` allows for the query's kind
        (`accept` is an Accept header or one media type), over the data or the `dataset` a
        request names (it overrides the query's FROM clauses); `client` (an address) is who asks,
        for fair queueing. Raises the HttpErrors of errors.py:
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
    rows = [{c: row[c] for c in columns} for row in solutions]
    del solutions  # pyoxigraph's solutions must be dropped on the thread that made them
    return Table(columns, rows)


async def json_rows(engine: Engine, sparql: str, bindings: Bindings | None = None) -> list[dict[str, dict]]:
    """The solutions of a SELECT as SPARQL JSON bindings (what pages put into templates)."""
    result = await engine.query(sparql, accept=RESULTS_JSON, bindings=bindings)
    return json.loads(result.body)["results"]["bindings"]


async def ask(engine: Engine, sparql: str, bindings: Bindings | None = None, **options) -> bool:
    result = await engine.query(sparql, accept=RESULTS_JSON, bindings=bindings, **options)
    return bool(ox.parse_query_results(result.body, format=ox.QueryResultsFormat.JSON))


# ---------------------------------------------------------------- limits shared by the engines


class Gate:
    """At most `max_concurrent` queries at once, at most `queue` waiting (past that 429), and the
    waiting served fairly: a free slot goes to the waiting client (address) that runs the fewest
    queries, the earliest of them first, so one client cannot keep the others out. `on_wait`, when
    set, is told that a client had to wait (the workers use it to make room)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.limit = max(1, settings.max_concurrent)
        self.running: Counter[str] = Counter()
        self._waiting: list[tuple[str, asyncio.Future]] = []
        self.on_wait: Callable[[str], None] | None = None

    def deadline(self, requested: float | None) -> float:
        """The time limit of one query: the setting, or less if the request asks for less."""
        limit = self.settings.query_timeout
        return min(requested, limit) if requested and requested > 0 else limit

    @contextlib.asynccontextmanager
    async def slot(self, wait_limit: float, client: str = ""):
        await self.take(wait_limit, client)
        try:
            yield
        finally:
            self.give_back(client)

    async def take(self, wait_limit: float, client: str = "") -> None:
        """A running slot, waited for at most `wait_limit` s; remote mode holds it past the
        deadline while the upstream still computes an abandoned query (give_back when it stops)."""
        if sum(self.running.values()) < self.limit and not self._waiting:
            self.running[client] += 1
        else:
            await self._wait(wait_limit, client)

    def give_back(self, client: str = "") -> None:
        self._release(client)

    async def _wait(self, wait_limit: float, client: str) -> None:
        if len(self._waiting) >= self.settings.queue:
            raise TooManyRequests(
                f"too many queries: {sum(self.running.values())} running and {len(self._waiting)} waiting; "
                f"retry in {self.settings.retry_after} s", retry_after=self.settings.retry_after)
        entry = (client, asyncio.get_running_loop().create_future())
        self._waiting.append(entry)
        if self.on_wait:
            self.on_wait(client)
        try:
            await asyncio.wait_for(asyncio.shield(entry[1]), wait_limit)
        except BaseException as error:  # timed out, or the request was cancelled (its client left)
            if entry in self._waiting:
                self._waiting.remove(entry)
            elif entry[1].done():  # granted just as the wait ended: hand the slot on
                self._release(client)
            if isinstance(error, TimeoutError):
                raise Unavailable(f"no query slot became free within {wait_limit:g} s; try again shortly",
                                  headers={"Retry-After": str(self.settings.retry_after)}) from None
            raise

    def _release(self, client: str) -> None:
        self.running[client] -= 1
        if self.running[client] <= 0:
            del self.running[client]
        self._wake()

    def _wake(self) -> None:
        while self._waiting and sum(self.running.values()) < self.limit:
            entry = min(self._waiting, key=lambda e: self.running[e[0]])  # min keeps the earliest of equals
            self._waiting.remove(entry)
            self.running[entry[0]] += 1
            entry[1].set_result(None)
