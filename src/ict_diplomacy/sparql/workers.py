"""The embedded engine: SPARQL runs in worker processes that can be killed.

pyoxigraph's `Store.query` cannot be cancelled from inside the process and holds its thread (and
the event loop, if called there) until it ends. So queries never run in the server process: each
of `workers` processes holds the data and answers one query at a time over a pipe. A query past
its deadline gets its worker killed and replaced, and the request gets 503 query-timeout; the
worker serializes the whole answer before replying, so nothing partial is ever sent. Each worker
may allocate at most `worker_memory` MB: a query past it ends its worker (503, and a replacement),
never the machine's memory.

Store mode, measured on the 7,253-triple release on this 2-core machine (per query, one process):
a label lookup 0.048 ms on disk (`Store.read_only`) vs 0.039 ms in memory, a 3-pattern join
26.5 ms vs 7.2 ms, a GROUP BY over all triples 3.6 ms vs 2.4 ms, all triples as JSON 53 ms vs
20 ms. Loading the N-Triples dump takes 137 ms per worker (opening the store 66 ms), so memory is
the default (`store_mode`).

The row cap without iterating rows in Python: the worker serializes SELECT results to TSV (one
line per solution, in Rust) through a writer that stops the query once it has `max_rows + 1`
lines, which also stops the evaluation of a runaway result early; the kept lines are parsed back
and serialized in the requested format, again in Rust."""

from __future__ import annotations

import asyncio
import gzip
import itertools
import logging
import multiprocessing
from collections import Counter
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .. import errors
from ..errors import HttpError, QueryTimeout, Unavailable, WorkerEnded
from ..formats import NTRIPLES, TURTLE, Format, choose
from ..publish.dumps import DUMP_PREFIXES, NTRIPLES_GZ
from ..publish.release import STORE_DIR
from ..publish.store import open_read_only
from ..settings import Settings
from .engine import ABSENT_GRAPH, QUERY_BASE, Bindings, Dataset, Gate, QueryResult
from . import sandbox
from .sandbox import Confinement
from .text import guard, with_values

log = logging.getLogger("ict_diplomacy.workers")

START_TIMEOUT_S = 60.0
PREEMPT_AFTER_S = 0.25  # a query this old may be stopped for another client's; younger ones finish
TSV, JSON = ox.QueryResultsFormat.TSV, ox.QueryResultsFormat.JSON
_POSITION = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.S)


# ---------------------------------------------------------------- inside a worker process


def open_store(release: Path | None, mode: str) -> ox.Store:
    """The release's data: loaded into memory from the N-Triples dump, or the store read-only;
    an empty store without a release (the preflight check of remote mode)."""
    if release is None:
        return ox.Store()
    dump = release / NTRIPLES_GZ
    if mode == "memory" and dump.exists():
        store = ox.Store()
        store.bulk_load(gzip.decompress(dump.read_bytes()), format=ox.RdfFormat.N_TRIPLES)
        return store
    return open_read_only(release / STORE_DIR)


def worker_main(conn, release: str, mode: str, confinement: Confinement) -> None:
    """Confine this process, open the data, then answer requests from the pipe on a thread with
    a deep stack until the server closes it."""
    try:
        if not confinement.network:
            sandbox.deny_network()  # first, before any data or query is read
        sandbox.limit_memory(confinement.memory_mb, confinement.stack)
        store = open_store(Path(release) if release else None, mode)
    except (OSError, ValueError, SyntaxError, RuntimeError) as error:  # StoreUnavailable, SandboxError too
        conn.send(("failed", str(error)))
        return
    conn.send(("ready", len(store)))
    sandbox.run_on_deep_stack(lambda: _serve(conn, store), confinement.stack)


def _serve(conn, store: ox.Store) -> None:
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(answer(store, request))


def answer(store: ox.Store, request: dict) -> tuple:
    """("ok", payload) or ("error", class name, message, detail, headers) for one request."""
    try:
        result = store.query(request["query"], base_iri=QUERY_BASE, **dataset_options(request.get("dataset")))
        if request["op"] == "triples":
            payload = _graph_ntriples(result, request["max_rows"])
        else:
            payload = _serialize(result, request["accept"], request["max_rows"], request["max_bytes"])
        size = len(payload.get("body") or payload.get("ntriples") or b"")
        if size > request["max_bytes"]:
            raise errors.ResultTooLarge(f"the answer is {size} bytes; the limit is {request['max_bytes']} "
                                        "(max_answer_bytes): ask for fewer rows or columns")
        return ("ok", payload)
    except SyntaxError as error:
        return ("error", "MalformedQuery", *_syntax_message(str(error)), {})
    except HttpError as error:
        return ("error", type(error).__name__, error.message, error.detail, error.headers)
    except MemoryError as error:  # e.g. a value longer than pyoxigraph's 16 MB result buffer
        return ("error", "ResultTooLarge", f"the answer is too large to send: {error}", {}, {})
    except (RuntimeError, ValueError, TypeError) as error:  # evaluation refused the query or its bindings
        return ("error", "BadRequest", f"the query could not be evaluated: {error}", {}, {})
    except Exception as error:  # noqa: BLE001 - a worker answers every request and lives on
        return ("error", "HttpError", f"the query failed: {type(error).__name__}: {error}", {}, {})


def dataset_options(dataset: Dataset | None) -> dict:
    """Store.query options for a named dataset: the data (the store's default graph) or nothing
    as the default graph, and no named graphs (any graph other than the data is empty)."""
    if dataset is None:
        return {}
    default = ox.DefaultGraph() if dataset.data_is_default else ox.NamedNode(ABSENT_GRAPH)
    return {"default_graph": [default], "named_graphs": []}


def _syntax_message(text: str) -> tuple[str, dict]:
    match = _POSITION.match(text)
    if not match:
        return f"SPARQL syntax error: {text}", {}
    line, column, problem = int(match[1]), int(match[2]), match[3]
    return (f"SPARQL syntax error at line {line}, column {column}: {problem}",
            {"line": line, "column": column, "problem": problem})


def _serialize(result: Any, accept: str, max_rows: int, max_bytes: int) -> dict:
    if isinstance(result, ox.QueryBoolean):
        fmt = choose(accept, "ask")
        return _payload(result.serialize(format=fmt.results), fmt, 1, False, "ask")
    if isinstance(result, ox.QuerySolutions):
        return _select(result, choose(accept, "select"), max_rows, max_bytes)
    return _construct(result, choose(accept, "construct"), max_rows)


class _RowCap(Exception):
    """Raised by the writer to stop a serialization once it has enough rows."""


class _CappedLines:
    """A binary writer keeping whole lines until it has `limit` of them, then stopping the writer."""

    def __init__(self, limit: int, max_bytes: int):
        self.limit, self.max_bytes, self.chunks, self.lines, self.size = limit, max_bytes, [], 0, 0

    def write(self, data) -> int:
        data = bytes(data)
        self.chunks.append(data)
        self.lines += data.count(b"\n")
        self.size += len(data)
        if self.size > self.max_bytes:
            raise errors.ResultTooLarge(f"the answer is larger than {self.max_bytes} bytes (max_answer_bytes): "
                                        "ask for fewer rows or columns")
        if self.lines >= self.limit:
            raise _RowCap()
        return len(data)

    def flush(self) -> None:
        pass

    def text(self) -> bytes:
        data = b"".join(self.chunks)
        if self.lines < self.limit:
            return data
        end = -1
        for _ in range(self.limit):
            end = data.index(b"\n", end + 1)
        return data[:end + 1]


def _select(solutions: ox.QuerySolutions, fmt: Format, max_rows: int, max_bytes: int) -> dict:
    header = 1  # TSV always starts with the line of variables (empty when there are none)
    writer = _CappedLines(header + max_rows + 1, max_bytes)
    try:
        solutions.serialize(writer, format=TSV)
    except (_RowCap, OSError) as error:
        if not writer.lines >= writer.limit:
            raise RuntimeError(str(error)) from None
    truncated = writer.lines >= writer.limit
    writer.limit = header + max_rows if truncated else writer.limit
    tsv = writer.text()
    rows = tsv.count(b"\n") - header
    target = fmt.results
    body = tsv if target == TSV else ox.parse_query_results(tsv, TSV).serialize(format=target)
    if truncated and target == JSON:
        body = b'{"truncated":true,' + body[1:]
    return _payload(body, fmt, rows, truncated, "select")


def _construct(triples: ox.QueryTriples, fmt: Format, max_rows: int) -> dict:
    kept = list(itertools.islice(triples, max_rows + 1))
    truncated = len(kept) > max_rows
    kept = kept[:max_rows]
    return _payload(graph_body(kept, fmt, truncated, max_rows), fmt, len(kept), truncated, "construct")


def graph_body(triples: list[ox.Triple], fmt: Format, truncated: bool, max_rows: int) -> bytes:
    """Triples in `fmt`; Turtle and N-Triples say in a comment when the row cap cut them."""
    prefixes = None if fmt is NTRIPLES else DUMP_PREFIXES
    body = ox.serialize(triples, format=fmt.rdf, prefixes=prefixes)
    if truncated and fmt in (TURTLE, NTRIPLES):
        body = f"# truncated: only the first {max_rows} triples (max_rows)\n".encode() + body
    return body


def _graph_ntriples(result: Any, max_rows: int) -> dict:
    if not isinstance(result, ox.QueryTriples):
        raise errors.BadRequest("expected a CONSTRUCT or DESCRIBE query")
    kept = list(itertools.islice(result, max_rows + 1))
    return {"ntriples": ox.serialize(kept[:max_rows], format=ox.RdfFormat.N_TRIPLES),
            "truncated": len(kept) > max_rows}


def _payload(body: bytes, fmt: Format, rows: int, truncated: bool, kind: str) -> dict:
    return {"body": body, "media_type": fmt.media_type, "rows": rows, "truncated": truncated, "kind": kind}


# ---------------------------------------------------------------- in the server process


class WorkerDied(Exception):
    """The worker process ended (killed, crashed) before it answered."""


@dataclass(eq=False)
class Worker:
    process: multiprocessing.process.BaseProcess
    conn: Any
    preempted: bool = False

    @classmethod
    def spawn(cls, release: Path, mode: str, confinement: Confinement) -> "Worker":
        """Start a worker and wait until its data is loaded (blocking: run in a thread)."""
        context = multiprocessing.get_context("spawn")
        parent_end, child_end = context.Pipe()
        process = context.Process(target=worker_main, args=(child_end, str(release) if release else "", mode, confinement),
                                  name="ict-diplomacy-worker", daemon=True)
        process.start()
        child_end.close()
        worker = cls(process, parent_end)
        if not parent_end.poll(START_TIMEOUT_S):
            worker.kill()
            raise Unavailable(f"a query worker did not start within {START_TIMEOUT_S:.0f} s")
        status, detail = parent_end.recv()
        if status != "ready":
            worker.kill()
            raise Unavailable(f"a query worker could not open the release {release}: {detail}")
        return worker

    def roundtrip(self, request: dict) -> tuple:
        try:
            self.conn.send(request)
            return self.conn.recv()
        except (EOFError, OSError) as error:
            raise WorkerDied(str(error)) from None

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class WorkerEngine:
    """Engine over `settings.workers` processes; see the module docstring."""

    def __init__(self, settings: Settings, release: Path | None, network: bool = False,
                 confinement: Confinement | None = None):
        self.settings, self.release = settings, release
        self.confinement = confinement or Confinement.of(settings, network)
        self._idle: asyncio.Queue[Worker] = asyncio.Queue()
        self._all: set[Worker] = set()
        self._gate = Gate(settings)
        self._gate.on_wait = self._make_room
        self._busy: dict[Worker, tuple[str, float]] = {}  # worker -> (client, when its query started)
        self._threads = ThreadPoolExecutor(max_workers=settings.workers * 2 + 2, thread_name_prefix="ictd-pipe")
        self._replacing: set[asyncio.Task] = set()

    @classmethod
    async def start(cls, settings: Settings, release: Path | None, network: bool = False,
                    confinement: Confinement | None = None) -> "WorkerEngine":
        engine = cls(settings, release, network, confinement)
        started = await asyncio.gather(*(engine._spawn() for _ in range(max(1, settings.workers))))
        for worker in started:
            engine._idle.put_nowait(worker)
        log.info("%d query workers ready (%s store, %s, %s)", len(started), settings.store_mode,
                 release.name if release else "no data", "network for allow-listed SERVICE" if network else "no network")
        return engine

    async def _spawn(self) -> Worker:
        loop = asyncio.get_running_loop()
        worker = await loop.run_in_executor(self._threads, Worker.spawn, self.release, self.settings.store_mode,
                                            self.confinement)
        self._all.add(worker)
        return worker

    async def query(self, sparql: str, *, accept: str = "application/sparql-results+json",
                    bindings: Bindings | None = None, timeout: float | None = None, client: str = "",
                    dataset: Dataset | None = None) -> QueryResult:
        reply = await self._run({"op": "serialize", "query": with_values(sparql, bindings), "accept": accept,
                                 "dataset": dataset}, timeout, client)
        return QueryResult(**reply)

    async def triples(self, construct_or_describe: str, *, bindings: Bindings | None = None,
                      timeout: float | None = None, client: str = "") -> list[ox.Triple]:
        reply = await self._run({"op": "triples", "query": with_values(construct_or_describe, bindings)}, timeout, client)
        return [quad.triple for quad in ox.parse(reply["ntriples"], format=ox.RdfFormat.N_TRIPLES)]

    async def _run(self, request: dict, timeout: float | None, client: str = "") -> dict:
        guard(request["query"], self.settings)
        clock = asyncio.get_running_loop().time
        limit = self._gate.deadline(timeout)
        ends = clock() + limit  # the deadline counts from arrival: waiting for a slot and a worker included
        request["max_rows"], request["max_bytes"] = self.settings.max_rows, self.settings.max_answer_bytes
        async with self._gate.slot(limit, client):
            worker = await self._take(ends - clock())
            self._busy[worker] = (client, clock())
            try:
                reply = await self._ask(worker, request, ends - clock(), limit)
            finally:
                self._busy.pop(worker, None)
        if reply[0] == "ok":
            return reply[1]
        raise rebuild_error(*reply[1:])

    async def _take(self, remaining: float) -> Worker:
        try:
            return await asyncio.wait_for(self._idle.get(), max(remaining, 0.001))
        except TimeoutError:
            raise Unavailable("no query worker became free in time; try again shortly",
                              headers={"Retry-After": str(self.settings.retry_after)}) from None

    async def _ask(self, worker: Worker, request: dict, remaining: float, limit: float) -> tuple:
        loop = asyncio.get_running_loop()
        if remaining <= 0:
            self._idle.put_nowait(worker)
            raise QueryTimeout(f"the query waited past its {limit:g} s limit before a worker was free",
                               detail={"timeout_s": limit})
        try:
            reply = await asyncio.wait_for(loop.run_in_executor(self._threads, worker.roundtrip, request), remaining)
        except TimeoutError:
            self._retire(worker)
            raise QueryTimeout(f"the query ran past the {limit:g} s limit (waiting included) and was stopped",
                               detail={"timeout_s": limit}) from None
        except WorkerDied:
            self._retire(worker)
            if worker.preempted:
                raise Unavailable("the query was stopped to let another client's query run (one client may not "
                                  "hold every worker while others wait); retry it",
                                  headers={"Retry-After": str(self.settings.retry_after)}) from None
            raise WorkerEnded(f"the query worker ended before answering (exit code {worker.process.exitcode}: "
                              "the query needed more memory than worker_memory allows, or crashed the engine); "
                              "it has been replaced") from None
        except BaseException:
            self._retire(worker)  # cancelled mid-query: the worker may still be busy
            raise
        self._idle.put_nowait(worker)
        return reply

    def _make_room(self, waiting: str) -> None:
        """A client waits while every slot is busy: if one other client holds more than its share
        (the waiting client counts), stop that client's longest query that has run PREEMPT_AFTER_S."""
        now = asyncio.get_running_loop().time()
        held = Counter(client for client, _ in self._busy.values())
        share = len(self._busy) / len(set(held) | {waiting})
        candidates = [(started, worker) for worker, (client, started) in self._busy.items()
                      if client != waiting and held[client] > share and now - started >= PREEMPT_AFTER_S]
        if candidates:
            _, worker = min(candidates, key=lambda c: c[0])
            worker.preempted = True
            worker.kill()  # its request sees the worker die, says why, and the worker is replaced

    def _retire(self, worker: Worker) -> None:
        """Kill a worker and start a replacement in the background."""
        worker.kill()
        self._all.discard(worker)
        task = asyncio.create_task(self._replace())
        self._replacing.add(task)
        task.add_done_callback(self._replacing.discard)

    async def _replace(self) -> None:
        try:
            self._idle.put_nowait(await self._spawn())
        except Exception as error:  # noqa: BLE001 - logged; the pool runs one worker short
            log.error("could not replace a query worker: %s", error)

    async def close(self) -> None:
        for task in list(self._replacing):
            task.cancel()
        for worker in list(self._all):
            worker.kill()
        self._all.clear()
        self._threads.shutdown(wait=False, cancel_futures=True)


def rebuild_error(name: str, message: str, detail: dict, headers: dict | None = None) -> HttpError:
    """The HttpError a worker described, rebuilt in the server process."""
    cls = getattr(errors, name, HttpError)
    if not (isinstance(cls, type) and issubclass(cls, HttpError)):
        cls = HttpError
    error = cls.__new__(cls)
    HttpError.__init__(error, message, detail=detail, headers=headers)
    return error
