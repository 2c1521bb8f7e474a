"""The embedded engine: SPARQL runs in worker processes that can be killed.

pyoxigraph's `Store.query` cannot be cancelled from inside the process and holds its thread (and
the event loop, if called there) until it ends. So queries never run in the server process: each
of `workers` processes holds the data and answers one query at a time over a pipe. A query past
its deadline gets its worker killed and replaced, and the request gets 503 query-timeout; the
worker serializes the whole answer before replying, so nothing partial is ever sent. Each worker
may allocate at most `worker_memory` MB: a query past it ends its worker (503, and a replacement),
never the machine's memory.

Store mode, measured on the 7,253-triple release on this 2-core machine (per query, one process): a
label lookup 0.048 ms on disk (`Store.read_only`) vs 0.039 ms in memory, a 3-pattern join 26.5 ms vs
7.2 ms, a GROUP BY over all triples 3.6 ms vs 2.4 ms, all triples as JSON 53 ms vs 20 ms. Loading
the N-Triples dump takes 137 ms per worker (opening the store 66 ms), so memory is the default
(`store_mode`). The worker's side of a request (the store, the row cap, the serialization, errors
described and rebuilt) is answer.py."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import pickle
import socket
import struct
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pyoxigraph as ox

from ..errors import HttpError, QueryTimeout, Refused, Unavailable
from ..settings import Settings
from . import connections, sandbox, slots, worker_loop
from .answer import answer, open_store, rebuild_error
from .egress import Supervisor
from .engine import Bindings, Dataset, Gate, QueryResult
from .sandbox import Confinement, SandboxError
from .text import guard, with_values

log = logging.getLogger("ict_diplomacy.workers")

START_TIMEOUT_S = 60.0
READ_CHUNK = 1 << 20
_SIZE, _LONG_SIZE = struct.Struct("!i"), struct.Struct("!Q")  # multiprocessing.Connection's message header
PREEMPT_AFTER_S = 0.25  # a query this old may be stopped for another client's; younger ones finish
TAKE_POLL_S = 0.005     # how often a request looks again for a worker while every one runs an old query


# ---------------------------------------------------------------- inside a worker process


def worker_main(conn, release: str, mode: str, confinement: Confinement, own: tuple | None = None) -> None:
    """Confine this process, open the data, then answer requests from the pipe (and, with `own`:
    the control socket, the `respond` and the `Shared` of slots.py, on connections of its
    own) on a thread with a deep stack until the server closes it."""
    try:
        if confinement.reach is not None:  # first, before any data or query is read
            _hand_over(conn, sandbox.supervise_network())
        else:
            sandbox.deny_network()
        sandbox.limit_memory(confinement.memory_mb, confinement.stack)
        store = open_store(Path(release) if release else None, mode)
    except (OSError, ValueError, SyntaxError, RuntimeError) as error:  # StoreUnavailable, SandboxError too
        conn.send(("failed", str(error)))
        return
    conn.send(("ready", len(store)))
    if own:
        control, respond, shared = own
        serving = lambda: worker_loop.serve(conn, control, store, respond, shared, release)  # noqa: E731
    else:
        serving = lambda: _serve(conn, store)  # noqa: E731
    sandbox.run_on_deep_stack(serving, confinement.stack)


def _hand_over(conn, listener: int) -> None:
    """Let the server process take the filter's listener (egress.Supervisor), then drop ours."""
    conn.send(("supervise", listener))
    if conn.recv() != "supervised":
        raise sandbox.SandboxError("the server did not take over the network listener")
    os.close(listener)


def _serve(conn, store: ox.Store) -> None:
    with contextlib.suppress(EOFError, OSError):  # the server process closed the pipe
        while True:
            conn.send(answer(store, conn.recv()))


# ---------------------------------------------------------------- in the server process


class WorkerDied(Exception):
    """The worker process ended (killed, crashed) before it answered."""


@dataclass(eq=False)
class Worker:
    process: multiprocessing.process.BaseProcess
    conn: Any
    preempted: bool = False
    supervisor: Supervisor | None = None
    control: socket.socket | None = None   # connections of its own (connections.py): the control socket
    shared: slots.Shared | None = None  # and what it shares with the server process
    retired: bool = False
    _reply: asyncio.Future | None = None
    _data: bytearray | None = None   # the reply's header while it arrives
    _body: bytearray | None = None   # then its body, `_filled` bytes of it so far
    _filled: int = 0

    @classmethod
    def spawn(cls, release: Path, mode: str, confinement: Confinement, respond: Callable | None = None) -> "Worker":
        """Start a worker and wait until its data is loaded (blocking: run in a thread); with
        `respond`, one that answers connections of its own too."""
        context = multiprocessing.get_context("spawn")
        parent_end, child_end = context.Pipe()
        control = theirs = shared = None
        if respond is not None:
            (control, theirs), shared = connections.control_pair(), slots.Shared(context)
        own = (theirs, respond, shared) if respond is not None else None
        process = context.Process(target=worker_main, name="ict-diplomacy-worker", daemon=True,
                                  args=(child_end, str(release) if release else "", mode, confinement, own))
        process.start()
        child_end.close()
        if theirs is not None:
            theirs.close()
            control.setblocking(False)
        worker = cls(process, parent_end, control=control, shared=shared)
        status, detail = worker._status()
        if status == "supervise":
            try:
                worker.supervisor = Supervisor.take_over(process.pid, detail, confinement.reach)
            except (OSError, SandboxError) as error:
                worker.kill()
                raise Unavailable(f"the network supervision of a query worker could not start: {error}") from None
            parent_end.send("supervised")
            status, detail = worker._status()
        if status != "ready":
            worker.kill()
            raise Unavailable(f"a query worker could not open the release {release}: {detail}")
        return worker

    def _status(self) -> tuple:
        if not self.conn.poll(START_TIMEOUT_S):
            self.kill()
            raise Unavailable(f"a query worker did not start within {START_TIMEOUT_S:.0f} s")
        return self.conn.recv()

    def roundtrip(self, request: dict) -> tuple:
        """One request and its reply, blocking (the tests; the server uses `ask`)."""
        try:
            self.conn.send(request)
            return self.conn.recv()
        except (EOFError, OSError) as error:
            raise WorkerDied(str(error)) from None

    async def ask(self, request: dict) -> tuple:
        """One request and its reply, the reply read by the event loop as the pipe becomes readable
        (no thread per round trip; a large reply arrives in pieces without blocking the loop)."""
        try:
            self.conn.send(request)  # small, and the idle worker is reading
        except OSError as error:
            raise WorkerDied(str(error)) from None
        loop = asyncio.get_running_loop()
        self._reply, self._data = loop.create_future(), bytearray()
        loop.add_reader(self.conn.fileno(), self._readable)
        try:
            return pickle.loads(await self._reply)
        finally:
            self._stop_reading()

    def _readable(self) -> None:
        """Called by the loop when the pipe has data: read what is there (never blocks); the body
        goes straight into a buffer of the announced size, so a reply is held once, not regrown."""
        fd, data = self.conn.fileno(), self._data
        try:
            if self._body is None:
                chunk = os.read(fd, READ_CHUNK)
                read = len(chunk)
                data += chunk
            else:
                read = os.readv(fd, [memoryview(self._body)[self._filled:]])
                self._filled += read
        except OSError:
            read = 0
        if not read:
            return self._stop_reading(WorkerDied("the worker's pipe closed"))
        if self._body is None and not self._start_body(data):
            return None
        if self._filled >= len(self._body) and not self._reply.done():
            self._reply.set_result(self._body)
        return None

    def _start_body(self, data: bytearray) -> bool:
        """Once the header (multiprocessing.Connection's: a size, -1 then a long size) is in."""
        if len(data) < 4:
            return False
        size, start = _SIZE.unpack_from(data)[0], 4
        if size == -1:
            if len(data) < 12:
                return False
            size, start = _LONG_SIZE.unpack_from(data, 4)[0], 12
        self._body = bytearray(size)
        part = data[start:start + size]
        self._body[:len(part)] = part
        self._filled = len(part)
        data.clear()
        return True

    def _stop_reading(self, error: BaseException | None = None) -> None:
        if self._reply is None:
            return
        reply, self._reply, self._data, self._body = self._reply, None, None, None
        with contextlib.suppress(ValueError, OSError):
            asyncio.get_running_loop().remove_reader(self.conn.fileno())
        if error is not None and not reply.done():
            reply.set_exception(error)

    def take_refusals(self) -> list[str]:
        """The destinations its supervisor refused since the last call (none without one); a
        worker answers one request at a time, so they are that request's."""
        if not self.supervisor:
            return []
        refused, self.supervisor.refused = self.supervisor.refused, []
        return refused

    def kill(self) -> None:
        if self._reply is not None:  # a request waits on this worker: it sees the worker die
            self._stop_reading(WorkerDied("the worker was stopped"))
        if self.supervisor:
            self.supervisor.stop()
        self.process.kill()
        self.process.join(5)
        self.conn.close()
        if self.control is not None:
            self.control.close()


class WorkerEngine:
    """Engine over `settings.workers` processes; see the module docstring."""

    def __init__(self, settings: Settings, release: Path | None, reach: tuple[str, ...] | None = None,
                 confinement: Confinement | None = None, respond: Callable | None = None):
        self.settings, self.release = settings, release
        self.confinement = confinement or Confinement.of(settings, reach)
        self.respond = respond if reach is None else None  # the SERVICE lane never holds connections
        self.connections = connections.Connections(settings.query_timeout, self._retire) if self.respond else None
        self._idle: asyncio.Queue[Worker] = asyncio.Queue()
        self._all: set[Worker] = set()
        self._gate = Gate(settings)
        self._gate.on_wait = self._make_room
        self._busy: dict[Worker, tuple[str, float]] = {}  # worker -> (client, time.monotonic() at its query's start)
        self._threads = ThreadPoolExecutor(max_workers=settings.workers * 2 + 2, thread_name_prefix="ictd-pipe")
        self._replacing: set[asyncio.Task] = set()

    @classmethod
    async def start(cls, settings: Settings, release: Path | None, reach: tuple[str, ...] | None = None,
                    confinement: Confinement | None = None, respond: Callable | None = None) -> "WorkerEngine":
        engine = cls(settings, release, reach, confinement, respond)
        started = await asyncio.gather(*(engine._spawn() for _ in range(max(1, settings.workers))))
        for worker in started:
            engine._idle.put_nowait(worker)
        log.info("%d query workers ready (%s store, %s, %s)", len(started), settings.store_mode,
                 release.name if release else "no data", engine.confinement.describe())
        return engine

    async def _spawn(self) -> Worker:
        loop = asyncio.get_running_loop()
        worker = await loop.run_in_executor(self._threads, Worker.spawn, self.release, self.settings.store_mode,
                                            self.confinement, self.respond)
        self._all.add(worker)
        if self.connections is not None:
            self.connections.attach(worker)
        return worker

    async def query(self, sparql: str, *, accept: str = "application/sparql-results+json",
                    bindings: Bindings | None = None, timeout: float | None = None, client: str = "",
                    dataset: Dataset | None = None) -> QueryResult:
        reply = await self._run({"op": "serialize", "query": with_values(sparql, bindings), "accept": accept,
                                 "dataset": dataset}, timeout, client)
        return QueryResult(**reply)

    async def check(self, sparql: str, timeout: float) -> None:  # planned and run, nothing written (preflight.py)
        await self._run({"op": "check", "query": sparql}, timeout)

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
            worker = await self._take(ends - clock(), client)
            self._busy[worker] = (client, time.monotonic())
            try:
                reply = await self._ask(worker, request, ends - clock(), limit)
            finally:
                self._busy.pop(worker, None)
        if reply[0] == "ok":
            return reply[1]
        raise rebuild_error(*reply[1:])

    async def _take(self, remaining: float, client: str = "") -> Worker:
        """An idle worker, preferring one not busy with a request on its own connections, else one
        whose such query is young (it ends soon); when every one runs an older query, room is made
        as for a waiting client (`_make_room`) and the queue is looked at again. Retired workers,
        killed while idle, are dropped from the queue here."""
        loop = asyncio.get_running_loop()
        ends, room_made = loop.time() + remaining, False
        while True:
            if self._idle.empty():
                try:
                    self._idle.put_nowait(await asyncio.wait_for(self._idle.get(), max(ends - loop.time(), 0.001)))
                except TimeoutError:
                    raise self._no_worker() from None
            idle = [w for w in (self._idle.get_nowait() for _ in range(self._idle.qsize())) if not w.retired]
            chosen = connections.least_busy(idle, PREEMPT_AFTER_S)
            for worker in idle:
                if worker is not chosen:
                    self._idle.put_nowait(worker)
            if chosen is not None:
                return chosen
            if not room_made:
                room_made = True
                self._make_room(client)
            if loop.time() >= ends:
                raise self._no_worker()
            await asyncio.sleep(TAKE_POLL_S)

    def _no_worker(self) -> Unavailable:
        return Unavailable("no query worker became free in time; try again shortly",
                           headers={"Retry-After": str(self.settings.retry_after)})

    async def _ask(self, worker: Worker, request: dict, remaining: float, limit: float) -> tuple:
        if remaining <= 0:
            self._idle.put_nowait(worker)
            raise QueryTimeout(f"the query waited past its {limit:g} s limit before a worker was free",
                               detail={"timeout_s": limit})
        try:
            async with asyncio.timeout(remaining):
                reply = await worker.ask(request)
        except TimeoutError:
            self._retire(worker)
            raise QueryTimeout(f"the query ran past the {limit:g} s limit (waiting included) and was stopped",
                               detail={"timeout_s": limit}) from None
        except WorkerDied:
            self._retire(worker)
            if worker.preempted:
                raise self._preempted() from None
            raise connections.ended(worker) from None
        except BaseException:
            self._retire(worker)  # cancelled mid-query: the worker may still be busy
            raise
        self._idle.put_nowait(worker)
        if refused := worker.take_refusals():
            raise Refused(f"the query tried to connect to {', '.join(sorted(set(refused)))}, which is not an allow-listed "
                          "SERVICE endpoint (service_allow): refused", detail={"refused": sorted(set(refused))})
        return reply

    def _make_room(self, waiting: str) -> None:
        """A client waits while every slot is busy: if one other client holds more than its share
        (the waiting client counts), stop that client's longest query that has run PREEMPT_AFTER_S."""
        now = time.monotonic()
        busy = {**self._busy, **(self.connections.running() if self.connections else {})}
        held = Counter(client for client, _ in busy.values())
        share = len(busy) / len(set(held) | {waiting})
        candidates = [(started, worker) for worker, (client, started) in busy.items()
                      if client != waiting and held[client] > share and now - started >= PREEMPT_AFTER_S]
        if candidates:
            _, worker = min(candidates, key=lambda c: c[0])
            worker.preempted = True
            self._retire(worker, self._preempted())  # a request waiting on it sees it die, says why; it is replaced

    def _preempted(self) -> Unavailable:
        return Unavailable("the query was stopped to let another client's query run (one client may not "
                           "hold every worker while others wait); retry it",
                           headers={"Retry-After": str(self.settings.retry_after)})

    def _retire(self, worker: Worker, error: HttpError | None = None) -> None:
        """Kill a worker (once) and start a replacement in the background; the connections it
        held come back, the one whose query it ran gets `error`."""
        if worker.retired:
            return
        worker.retired = True
        if self.connections is not None:
            self.connections.detach(worker)
        worker.kill()
        if self.connections is not None:
            self.connections.worker_gone(worker, error or self.connections.ended(worker))
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
        if self.connections is not None:
            self.connections.close()
        for task in list(self._replacing):
            task.cancel()
        for worker in list(self._all):
            worker.kill()
        self._all.clear()
        self._threads.shutdown(wait=False, cancel_futures=True)
