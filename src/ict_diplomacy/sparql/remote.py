"""The remote engine: the same interface and limits as the workers, over any SPARQL 1.1 endpoint.

Queries are forwarded (not redirected), so the read-only rule, the SERVICE policy, the deadline,
the row cap, the answer size and the concurrency cap hold in remote mode too. Each engine is
asked for what it writes right (`UPSTREAMS`): solutions as SPARQL JSON (TSV where the engine's
TSV is the standard one, read line by line and cut at the row cap), graphs as N-Triples (cut at
the row cap too), and nothing else; the answer is checked whole (an answer cut off upstream fails
to parse and becomes 502, never a partial 200) and written in the format the client chose.

The deadline reaches the upstream: engines with a per-request timeout get it with the query
(Virtuoso `timeout` in ms, Fuseki and QLever in seconds, GraphDB in whole seconds), and at the
deadline the connection is closed if the upstream is still sending. A query past its deadline
keeps its slot of `max_concurrent` until the upstream lets go of it (its answer ends, or its
connection; at most ABANDONED_LIMIT_S), so abandoned queries never pile up upstream: the client
has its 503 at the deadline, and the endpoint never runs more than `max_concurrent` of ours from
the server process, plus one a worker from kept connections (forwarding.py: the same rule).
Oxigraph's server has no per-request timeout: run it with `--timeout-s` no longer than ours.

What the upstream refuses or fails at is the upstream's failure: 502 bad-gateway, its status and
message in `detail`; its own timeouts (and Virtuoso's "anytime" partial answers) are 503
query-timeout. Virtuoso 7 answers an ASK with one `__ASK_RETVAL` column: read back as the
boolean it is. An `X-SPARQL-MaxRows` header (Virtuoso's own row cap) flags the answer truncated.
Virtuoso 7 also turns the default graph into a GRAPH clause inside each SERVICE call (which then
matches nothing): with `default_graph_uri` set, SERVICE queries are refused there (502
upstream-unsupported), never answered empty."""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass

import pyoxigraph as ox
from yarl import URL

from ..errors import BadGateway, BadRequest, MalformedQuery, QueryTimeout, UpstreamUnsupported
from ..formats import ASK, GRAPH, SELECT, choose
from ..settings import Settings
from .engine import ABSENT_GRAPH, QUERY_BASE, RESULTS_JSON, Bindings, Dataset, Gate, QueryResult
from .http_client import Client, Reply, Request
from .text import guard, query_form, service_targets, with_values, without_dataset_clauses
from .slots import UPSTREAM_ROOM
from .answer import JSON, TSV, graph_body

log = logging.getLogger("ict_diplomacy.remote")

HELD_LINKS = UPSTREAM_ROOM   # kept connections a worker forwards itself, each with its own link (an engine may give each a thread)
ABANDONED_LIMIT_S = 60.0          # the longest a slot waits for an upstream to let go of an abandoned query
IN_THREAD_BYTES = 256 << 10       # answers larger than this are converted off the event loop
PROBE = "ASK {}"
JSON_SEPARATOR = b'},{"'   # between two solutions of a compact SPARQL JSON (Oxigraph's)
TSV_TYPE, JSON_TYPE, NTRIPLES_TYPE = "text/tab-separated-values", "application/sparql-results+json", "application/n-triples"


@dataclass(frozen=True)
class Upstream:
    """What remote mode knows about an engine: how its own per-request timeout is written (""
    when it has none), the parameter capping the rows of a SELECT upstream, whether its TSV is the
    standard one (SPARQL JSON otherwise)."""

    name: str
    deadline: str = ""       # "ms", "s", "whole-s" or "duration" (QLever's `9500ms`)
    row_cap: str = ""
    tsv: bool = False
    compact_json: bool = False       # its SPARQL JSON has one `},{"` between solutions, and nowhere else
    service_in_graph: bool = False   # sends the default-graph-uri into SERVICE calls as a GRAPH

    def timeout_value(self, seconds: float) -> str:
        milliseconds = max(1, int(seconds * 1000))
        return {"ms": str(milliseconds), "s": f"{milliseconds / 1000:.3f}", "duration": f"{milliseconds}ms",
                "whole-s": str(max(1, math.ceil(seconds)))}[self.deadline]


UPSTREAMS = {u.name: u for u in (
    Upstream("virtuoso", deadline="ms", row_cap="maxrows", service_in_graph=True),   # its TSV drops tags and datatypes
    Upstream("oxigraph", tsv=True, compact_json=True),        # no per-request timeout (--timeout-s)
    Upstream("fuseki", deadline="s", tsv=True),
    Upstream("graphdb", deadline="whole-s", tsv=True),        # RDF4J protocol
    Upstream("qlever", deadline="duration"),
    Upstream("other"),
)}


def recognize(url: str, headers: dict[str, str]) -> Upstream:
    """The engine behind an endpoint, from the headers of an answer (and the URL for RDF4J)."""
    server = headers.get("server", "").lower()
    if server.startswith("virtuoso"):
        return UPSTREAMS["virtuoso"]
    if server.startswith("oxigraph"):
        return UPSTREAMS["oxigraph"]
    if "fuseki-request-id" in headers or "fuseki" in server:
        return UPSTREAMS["fuseki"]
    if "/repositories/" in url:
        return UPSTREAMS["graphdb"]
    return UPSTREAMS["other"]


class RemoteEngine:
    def __init__(self, settings: Settings, preflight=None):
        self.settings, self.endpoint = settings, settings.sparql_endpoint
        self.preflight = preflight  # preflight.Preflight: queries that would crash the upstream stop here
        self._gate = Gate(settings)
        self._client = Client(self.endpoint)
        self.connections = preflight.workers.connections if preflight else None   # forwarding.py
        if self.connections is not None:
            self.connections.companion, self.connections.linger_s = self._link, ABANDONED_LIMIT_S
        self._upstream = UPSTREAMS.get(settings.upstream_engine)   # None: recognized on first use
        self._recognizing = asyncio.Lock()
        self._lingering: set[asyncio.Task] = set()

    async def query(self, sparql: str, *, accept: str = RESULTS_JSON, bindings: Bindings | None = None,
                    timeout: float | None = None, dataset: Dataset | None = None, client: str = "") -> QueryResult:
        text = with_values(sparql, bindings)
        kind = kind_of(text)
        fmt = choose(accept, kind)  # 406 before anything is forwarded
        reply = await self._forward(text, kind, timeout, dataset, client, fmt.results == JSON)
        if len(reply.body) > IN_THREAD_BYTES:
            return await asyncio.to_thread(result_of, reply, kind, fmt, self.settings.max_rows)
        return result_of(reply, kind, fmt, self.settings.max_rows)

    async def triples(self, construct_or_describe: str, *, bindings: Bindings | None = None,
                      timeout: float | None = None, client: str = "") -> list[ox.Triple]:
        text = with_values(construct_or_describe, bindings)
        if kind_of(text) != GRAPH:
            raise BadRequest("expected a CONSTRUCT or DESCRIBE query")
        reply = await self._forward(text, GRAPH, timeout, client=client)
        return _graph(reply, self.settings.max_rows)[0]

    async def close(self) -> None:
        for task in list(self._lingering):
            task.cancel()
        await self._client.close()
        if self.preflight:
            await self.preflight.close()

    def _link(self) -> tuple | None:
        """What a preflight worker taking a connection needs to forward its queries itself: a
        connection to the upstream (opened here, since workers may not) and the upstream's name;
        None until the upstream is known, over TLS, and past HELD_LINKS a worker."""
        if self._upstream is None or len(self.connections.held) >= HELD_LINKS * self.settings.workers \
                or (sock := self._client.connecting()) is None:
            return None
        return sock, self._upstream.name.encode("ascii")

    # ---------------------------------------------------------------- forwarding

    async def _forward(self, text: str, kind: str, timeout: float | None, dataset: Dataset | None = None,
                       client: str = "", wants_json: bool = False) -> Reply:
        guard(text, self.settings)
        limit = self._gate.deadline(timeout)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        if self.preflight:
            await self.preflight.check(text)
        await self._gate.take(max(0.0, deadline - loop.time()), client)
        call = None
        try:
            async with asyncio.timeout_at(deadline):
                upstream = await self._engine()
                self._refuse_what_it_answers_wrongly(text, upstream)
                sent = text if dataset is None else without_dataset_clauses(text)  # the protocol's dataset replaces them
                request = upstream_request(self.settings, upstream, sent, kind, deadline - loop.time(),
                                           dataset_params(self.settings, dataset), wants_json)
                call = self._client.call(request)
                reply = await call.reply()
            reply.as_sent = request.separator == JSON_SEPARATOR
        except TimeoutError:
            self._linger(call, client)
            raise QueryTimeout(f"the query ran past the {limit:g} s limit and was stopped",
                               detail={"timeout_s": limit}) from None
        except asyncio.CancelledError:  # the client went away: the same as a deadline
            self._linger(call, client)
            raise
        except BaseException:
            self._gate.give_back(client)
            raise
        self._gate.give_back(client)
        return checked(reply, self.endpoint, limit)

    def _refuse_what_it_answers_wrongly(self, text: str, upstream: Upstream) -> None:
        if upstream.service_in_graph and self.settings.default_graph_uri and service_targets(text):
            raise UpstreamUnsupported(
                f"SERVICE cannot be forwarded to {self.endpoint}: {upstream.name} sends the default graph "
                f"({self.settings.default_graph_uri}) into the remote call as a GRAPH, which answers nothing; "
                "run federated queries on the embedded store", detail={"upstream": upstream.name})

    async def _engine(self) -> Upstream:
        """The upstream's profile: the setting, or recognized once from the answer to a probe."""
        if self._upstream is None:
            async with self._recognizing:
                if self._upstream is None:
                    request = Request(form_body([("query", PROBE)]), JSON_TYPE, 1 << 20)
                    reply = await self._client.call(request).reply()
                    self._upstream = recognize(self.endpoint, reply.headers)
                    log.info("remote mode: %s is %s", self.endpoint, self._upstream.name)
                    if not self._upstream.deadline:
                        log.warning("remote mode: %s has no per-request timeout; give it its own time limit "
                                    "(oxigraph serve --timeout-s)", self.endpoint)
        return self._upstream

    def _linger(self, call, client: str) -> None:
        """Past the deadline: stop reading, and give the slot back once the upstream is done."""
        if call is None:
            self._gate.give_back(client)
            return
        call.abandon()
        task = asyncio.get_running_loop().create_task(self._give_back_when_done(call, client))
        self._lingering.add(task)
        task.add_done_callback(self._lingering.discard)

    async def _give_back_when_done(self, call, client: str) -> None:
        try:
            await asyncio.wait_for(call.finished(), ABANDONED_LIMIT_S)
        except TimeoutError:
            log.warning("remote mode: %s still computes a query %g s past its deadline; its connection is "
                        "closed and its slot given back", self.endpoint, ABANDONED_LIMIT_S)
            call.close()
        finally:
            self._gate.give_back(client)


def upstream_request(settings: Settings, upstream: Upstream, text: str, kind: str, remaining: float,
                     dataset: list[tuple[str, str]], wants_json: bool = False) -> Request:
    """The request that asks `upstream` for the query's answer in what it writes right, bounded
    by the settings (`dataset`: its dataset_params)."""
    fields = [("query", f"BASE <{QUERY_BASE}>\n{text}"), *dataset]
    if upstream.deadline:
        fields.append(("timeout", upstream.timeout_value(remaining)))
    max_rows, body, limit = settings.max_rows, form_body(fields), settings.max_answer_bytes
    if kind == GRAPH:
        return Request(body, NTRIPLES_TYPE, limit, max_rows + 1)
    if kind == SELECT and wants_json and upstream.compact_json:  # passed on as written: max_rows separators
        return Request(body, JSON_TYPE, limit, max_rows, JSON_SEPARATOR)   # mean one row more than kept
    if kind == SELECT and upstream.tsv:  # the line of variables, then one more row than kept
        return Request(body, TSV_TYPE, limit, max_rows + 2)
    if kind == SELECT and upstream.row_cap:
        body += b"&" + form_body([(upstream.row_cap, str(max_rows + 1))])
    return Request(body, JSON_TYPE, limit)


def form_body(fields: list[tuple[str, str]]) -> bytes:
    """The fields as an application/x-www-form-urlencoded body, by yarl's encoder in C (urllib's
    urlencode takes four times as long on a query's text)."""
    return URL.build(query=fields).raw_query_string.encode("ascii")


def dataset_params(settings: Settings, dataset: Dataset | None) -> list[tuple[str, str]]:
    """The dataset parameters that give the upstream our dataset: the data is its default graph,
    or the `default_graph_uri` setting names it; any other graph is an absent one."""
    data = settings.default_graph_uri
    if dataset is None or dataset.data_is_default:  # without the setting: the upstream's own default graph
        return [("default-graph-uri", data), ("named-graph-uri", ABSENT_GRAPH)] if data else []
    return [("default-graph-uri", ABSENT_GRAPH), ("named-graph-uri", ABSENT_GRAPH)]



def kind_of(text: str) -> str:
    kind = query_form(text)
    if kind is None:
        raise MalformedQuery("the query has no SELECT, ASK, CONSTRUCT or DESCRIBE form")
    return kind


# ---------------------------------------------------------------- answers


def checked(reply: Reply, endpoint: str, limit: float) -> Reply:
    """The reply, or the error the upstream's answer means."""
    if reply.status >= 400:
        message = reply.body.decode("utf-8", errors="replace").strip()[:2000]
        detail = {"upstream_status": reply.status, "upstream_message": message}
        if reply.status in (408, 503, 504) or any(w in message.lower() for w in ("timeout", "timed out")):
            raise QueryTimeout(f"the SPARQL endpoint stopped the query at its own time limit: {message[:300]}",
                               detail={**detail, "timeout_s": limit})
        raise BadGateway(f"the SPARQL endpoint {endpoint} answered {reply.status}: {message[:300]}", detail=detail)
    if reply.status == 206 or "x-sql-state" in reply.headers:  # Virtuoso's "anytime" partial answer
        raise QueryTimeout(f"the query ran past the {limit:g} s limit and was stopped (the SPARQL endpoint "
                           "sent an incomplete answer)",
                           detail={"timeout_s": limit, "upstream_message": reply.headers.get("x-sql-message", "")})
    return reply


def result_of(reply: Reply, kind: str, fmt, max_rows: int) -> QueryResult:
    """The answer in the format the client chose."""
    if reply.as_sent and (passed := _json_as_sent(reply, max_rows)):
        return passed
    try:
        if kind == GRAPH:
            triples, truncated = _graph(reply, max_rows)
            return QueryResult(graph_body(triples, fmt, truncated, max_rows), fmt.media_type, len(triples),
                               truncated, kind)
        if kind == ASK:
            boolean = ox.parse_query_results(b'{"head":{},"boolean":%s}' % (b"true" if _boolean(reply) else b"false"),
                                             JSON)
            return QueryResult(boolean.serialize(format=fmt.results), fmt.media_type, 1, False, kind)
        tsv, truncated = _solutions(reply, max_rows)
        target = fmt.results
        body = tsv if target == TSV else ox.parse_query_results(tsv, TSV).serialize(format=target)
    except (SyntaxError, ValueError) as error:
        if any(word in reply.body[-300:].lower() for word in (b"cancelled", b"timeout", b"timed out")):
            raise QueryTimeout("the SPARQL endpoint stopped the query at its own time limit, part way through "
                               "its answer", detail={"upstream_message": reply.body[-300:].decode(errors="replace")}) from None
        raise BadGateway(f"the SPARQL endpoint sent an incomplete or invalid answer: {error}") from None
    if truncated and target == JSON:
        body = b'{"truncated":true,' + body[1:]
    return QueryResult(body, fmt.media_type, tsv.count(b"\n") - 1, truncated, kind)


def _json_as_sent(reply: Reply, max_rows: int) -> QueryResult | None:
    """A compact SPARQL JSON answer passed on as the upstream wrote it, closed after the last kept
    solution when reading stopped at the row cap; None when it is not a whole one (then it is
    parsed, and refused if it does not parse)."""
    body = reply.body + b"]}}" if reply.cut else reply.body
    if not (body.startswith(b'{"head":') and body.endswith(b"]}}")):
        return None
    rows = 0 if b'"bindings":[]' in body else body.count(JSON_SEPARATOR) + 1
    if rows > max_rows:
        return None
    if reply.cut:
        body = b'{"truncated":true,' + body[1:]
    return QueryResult(body, JSON_TYPE, rows, reply.cut, SELECT)


def _solutions(reply: Reply, max_rows: int) -> tuple[bytes, bool]:
    """The solutions as TSV (the line of variables and at most max_rows rows), and whether more
    were found."""
    if reply.media_type == TSV_TYPE:
        tsv = reply.body
    elif reply.media_type in (JSON_TYPE, "application/json"):
        results = ox.parse_query_results(reply.body, JSON)
        if not isinstance(results, ox.QuerySolutions):
            raise ValueError("a SELECT query was answered with a boolean")
        tsv = results.serialize(format=TSV)
    else:
        raise ValueError(f"solutions were sent as {reply.media_type or 'no media type'}, which was not asked for")
    rows = tsv.count(b"\n") - 1
    truncated = reply.cut or rows > max_rows or _capped_upstream(reply, rows)
    if rows > max_rows:
        tsv = tsv[:_line_end(tsv, max_rows + 1)]
    return tsv, truncated


def _boolean(reply: Reply) -> bool:
    results = ox.parse_query_results(reply.body, JSON)
    if isinstance(results, ox.QueryBoolean):
        return bool(results)
    names = [v.value for v in results.variables]
    if names != ["__ASK_RETVAL"]:  # Virtuoso 7 answers ASK as a SELECT of this one column
        raise ValueError(f"an ASK query was answered with solutions of {names}")
    return any(row[0] is not None and row[0].value in ("1", "true") for row in results)


def _graph(reply: Reply, max_rows: int) -> tuple[list[ox.Triple], bool]:
    try:
        rdf = ox.RdfFormat.from_media_type(reply.media_type or NTRIPLES_TYPE)
    except ValueError:
        rdf = None
    if rdf is None and reply.media_type == "text/plain":
        rdf = ox.RdfFormat.N_TRIPLES
    if rdf is None:
        raise BadGateway(f"the SPARQL endpoint sent a graph as {reply.media_type}, which was not asked for")
    try:
        triples = [quad.triple for quad in ox.parse(reply.body, format=rdf)]
    except SyntaxError as error:
        raise BadGateway(f"the SPARQL endpoint sent an incomplete or invalid graph: {error}") from None
    truncated = reply.cut or len(triples) > max_rows or _capped_upstream(reply, len(triples))
    return triples[:max_rows], truncated


def _capped_upstream(reply: Reply, rows: int) -> bool:
    cap = reply.headers.get("x-sparql-maxrows", "")
    return cap.isdigit() and rows >= int(cap)


def _line_end(data: bytes, lines: int) -> int:
    end = -1
    for _ in range(lines):
        end = data.index(b"\n", end + 1)
    return end + 1
