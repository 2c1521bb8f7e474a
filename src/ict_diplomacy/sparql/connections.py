"""Connections a query worker answers itself, so a query does not cross a second process.

Once the server process has answered a query to /sparql on a keep-alive connection, it hands the
socket to a worker (`Connections.take`; with `companion`, remote mode, also an upstream connection
the worker may not open), which answers the next requests it can (the web layer's `respond`) on
it; other requests, with the bytes read of them, and connections idle for KEEP_ALIVE_S go back to
the server process, which carries on as if it had read them (`Owner.adopt`). The server keeps a
duplicate of each socket and watches the workers' slots in shared memory (slots.py). Past the
deadline the client gets its 503 and the worker is killed (its other connections come back, their
requests unread). A query `respond` sent upstream (remote mode) is `Pending`: the worker goes on
with its other connections and finishes that one when the upstream's answer arrives; past the
deadline its client gets the 503 and the query keeps its entry until the upstream lets go
(`linger_s`, then the worker is killed). A query still in its check before forwarding past
`check_limit` ends its worker too.
Requests waiting behind a query busy for REBALANCE_AFTER_S are taken back and served by others.

Control messages (a SOCK_SEQPACKET pair per worker; sockets ride as SCM_RIGHTS):
  to the worker: b"T" id [note] (+ the socket [+ its companion's]): take it
  to the server: b"C" id: closed; b"B" id data: back, with the bytes read of its next request;
                 b"P" id (+ a memfd): back, with an answer's unsent rest in the memfd"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import select
import selectors
import socket
import struct
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from ..errors import HttpError, QueryTimeout, Unavailable, WorkerEnded
from .answer import answer
from .slots import CHECKING, IDLE, PIPE, Shared

log = logging.getLogger("ict_diplomacy.workers")

KEEP_ALIVE_S = 5.0     # as uvicorn's timeout_keep_alive: an idle connection goes back (and then closes)
REBALANCE_AFTER_S = 0.05   # a query this old sends the requests waiting behind it to other workers
WATCH_S = 0.02         # how often the server process looks at the slots
SEND_WAIT_S = 0.05     # how long a worker waits for a slow reader before handing the rest back
READ_BYTES = 1 << 16
MORE = object()        # what `respond` says of a request that has not all arrived (a POST's body, say)
MORE_WAIT_S = 0.05     # how long a worker waits for the rest of a request before handing it back
_ID = struct.Struct("!Q")
_UP = "upstream"       # a selector key's tag for a pending query's socket


@dataclass
class Pending:
    """What `respond` gives for a request whose answer comes later: the socket to wait on, what to
    call when it has data (the response, None to hand the request back, or MORE: not yet), and the
    request's bytes, handed back with it."""

    sock: socket.socket
    advance: Callable[[], Any]
    data: bytes


def control_pair() -> tuple[socket.socket, socket.socket]:
    return socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)


# ---------------------------------------------------------------- inside a worker process


@dataclass
class _Owned:
    sock: socket.socket
    last: float
    companion: Any = None   # what `respond.companion` made of the companion socket sent along
    pending: Pending | None = None   # its query, while upstream


def serve(conn, control: socket.socket, store: Any, respond, shared: Shared, release: str | None = None) -> None:
    """The worker's loop: control messages first, then the server's pipe, then the connections.
    `respond.start(release)` is called once (with the release directory the worker serves);
    `respond(store, data, companion)` gives the HTTP response to the bytes read from a connection,
    None to hand them back, or MORE when they are not a whole request yet."""
    respond.start(release)
    selector, owned = selectors.DefaultSelector(), {}
    selector.register(control, selectors.EVENT_READ, "control")
    selector.register(conn.fileno(), selectors.EVENT_READ, "pipe")
    swept = time.monotonic()
    while True:
        events = sorted(selector.select(1.0), key=lambda e: e[0].data != "control")
        for key, _ in events:
            if key.data == "control":
                if not _control(control, selector, owned, respond, shared):
                    return
            elif key.data == "pipe":
                if not _pipe(conn, store, shared):
                    return
            elif isinstance(key.data, tuple) and key.data[1] in owned:
                _upstream(key.data[1], owned, selector, control, shared)
            elif key.data in owned:
                _request(key.data, owned, selector, control, store, respond, shared)
        if (now := time.monotonic()) - swept > 1.0:
            swept = now
            for ident in [i for i, o in owned.items() if now - o.last > KEEP_ALIVE_S and o.pending is None]:
                _give_back(ident, owned, selector, control, b"B" + _ID.pack(ident))


def _control(control: socket.socket, selector, owned: dict, respond, shared: Shared) -> bool:
    try:
        message, fds, _, _ = socket.recv_fds(control, 256, 2)
    except (BlockingIOError, InterruptedError):
        return True
    if not message:
        return False  # the server process closed its end
    if message[:1] == b"T" and fds:
        ident, sock = _ID.unpack_from(message, 1)[0], socket.socket(fileno=fds[0])
        companion = respond.companion(socket.socket(fileno=fds[1]), message[1 + _ID.size:], shared) if len(fds) > 1 else None
        owned[ident] = _Owned(sock, time.monotonic(), companion)
        selector.register(sock, selectors.EVENT_READ, ident)
    return True


def _pipe(conn, store, shared: Shared) -> bool:
    try:
        request = conn.recv()
    except (EOFError, OSError):
        return False
    shared.busy(PIPE)  # so the server sees this worker busy, and serves the requests waiting here elsewhere
    try:
        conn.send(answer(store, request))
    finally:
        shared.done()
    return True


def _request(ident: int, owned: dict, selector, control: socket.socket, store, respond, shared: Shared) -> None:
    """Read the connection, answer or hand back; claimed throughout, so the server cannot take it meanwhile."""
    if not shared.claim(ident):  # the server took it back while this worker was busy
        return _give_back(ident, owned, selector, control, None)
    try:
        _answer(ident, owned, selector, control, store, respond, shared)
    finally:
        shared.done()
    return None


def _answer(ident: int, owned: dict, selector, control: socket.socket, store, respond, shared: Shared) -> None:
    sock, companion = owned[ident].sock, owned[ident].companion
    data = _read(sock)
    if data is None:
        return None
    response = _respond(respond, store, data, companion)
    while response is MORE and len(data) < READ_BYTES and select.select([sock], [], [], MORE_WAIT_S)[0]:
        data += _read(sock, READ_BYTES - len(data)) or b""  # at most READ_BYTES in all: one control message
        response = _respond(respond, store, data, companion)
    if isinstance(response, Pending):
        shared.went_upstream(ident)   # before the slot is let go: the server cannot take it back meanwhile
        owned[ident].pending = response
        selector.unregister(sock)     # its next request waits until this answer is sent
        selector.register(response.sock, selectors.EVENT_READ, (_UP, ident))
        return None
    return _deliver(ident, owned, selector, control, response, data)


def _upstream(ident: int, owned: dict, selector, control: socket.socket, shared: Shared) -> None:
    """The socket of a pending query has data: its answer, once whole, goes to the client."""
    owner = owned[ident]
    shared.busy(float(ident))
    try:
        response = _call(owner.pending.advance)
        if response is MORE:
            return None
        pending, owner.pending = owner.pending, None
        selector.unregister(pending.sock)
        shared.came_back(ident)
        selector.register(owner.sock, selectors.EVENT_READ, ident)
        return _deliver(ident, owned, selector, control, response, pending.data)
    finally:
        shared.done()


def _deliver(ident: int, owned: dict, selector, control: socket.socket, response, data: bytes) -> None:
    """Send `response` to the connection, or hand the request (`data`) back."""
    sock, prefix = owned[ident].sock, _ID.pack(ident)
    if response is None or response is MORE:
        return _give_back(ident, owned, selector, control, b"B" + prefix + data if data else b"C" + prefix)
    rest = _send(sock, response)
    owned[ident].last = time.monotonic()
    if rest is None:
        return _give_back(ident, owned, selector, control, b"C" + prefix)
    if rest:
        memfd = os.memfd_create("ictd-rest")
        try:
            os.write(memfd, rest)
            _give_back(ident, owned, selector, control, b"P" + prefix, memfd)
        finally:
            os.close(memfd)
    return None


def _respond(respond, store, data: bytes, companion):
    return _call(respond, store, data, companion) if data else None


def _call(function, *args):
    try:
        return function(*args)
    except Exception:  # noqa: BLE001 - a fault here must not end the worker: the server process answers instead
        log.exception("a worker could not answer a request on its own connection; handed back")
        return None


def _read(sock: socket.socket, size: int = READ_BYTES) -> bytes | None:
    """What the connection has (b"": closed), or None when nothing is there after all."""
    try:
        return sock.recv(size)
    except (BlockingIOError, InterruptedError):
        return None
    except OSError:
        return b""


def _send(sock: socket.socket, data: bytes) -> bytes | None:
    """Write what the client takes within SEND_WAIT_S; the unsent rest (b"" when all went), or
    None when the client has gone."""
    view, waited = memoryview(data), 0.0
    while view:
        try:
            view = view[sock.send(view):]
        except (BlockingIOError, InterruptedError):
            if waited >= SEND_WAIT_S:
                return bytes(view)
            started = time.monotonic()
            select.select([], [sock], [], SEND_WAIT_S - waited)
            waited += time.monotonic() - started
        except OSError:
            return None
    return b""


def _give_back(ident: int, owned: dict, selector, control: socket.socket, message: bytes | None, fd: int | None = None) -> None:
    """Let go of a connection (the server process holds its own duplicate), telling it `message`."""
    owner = owned.pop(ident)
    selector.unregister(owner.sock)
    for held in (owner.sock, owner.companion):
        if held is not None:
            held.close()
    if message is not None:
        with contextlib.suppress(OSError):
            socket.send_fds(control, [message], [fd] if fd is not None else [])


# ---------------------------------------------------------------- in the server process


class Owner(Protocol):
    """Who takes a connection back: the web layer's HTTP protocol."""

    def adopt(self, sock: socket.socket, data: bytes, rest: int | None) -> None:
        """Carry on with it: `data` the bytes read of its next request, `rest` a memfd (closed here) of an unsent answer."""

    def fail(self, sock: socket.socket, error: HttpError) -> None:
        """Answer the request the worker could not finish with `error`, then close."""


@dataclass(eq=False)
class _Held:
    sock: socket.socket   # the server process's duplicate
    client: str
    owner: Owner
    worker: Any


@dataclass(eq=False)
class Connections:
    """The server process's side: which worker holds which connection, and the watch on them."""

    query_timeout: float
    retire: Callable[[Any, HttpError], None]   # kill a worker (its query's client told why), start a replacement
    companion: Callable[[], tuple[socket.socket, bytes] | None] | None = None   # (socket, note) sent along; None: no hand-over
    ended: Callable[[Any], HttpError] = field(default=lambda worker: ended(worker))   # what a crashed query's client is told
    linger_s: float = 0.0   # past the deadline, how long a worker whose query is upstream may wait for the upstream to let go
    check_limit: tuple[float, Callable[[], HttpError]] | None = None   # how long a query may take to be checked, and what its client is told past it
    held: dict[int, _Held] = field(default_factory=dict)
    workers: list = field(default_factory=list)
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _watch: asyncio.Task | None = None

    def attach(self, worker) -> None:
        """Listen to a new worker's control socket (and start the watch with the first)."""
        self.workers.append(worker)
        asyncio.get_running_loop().add_reader(worker.control.fileno(), self._message, worker)
        if self._watch is None:
            self._watch = asyncio.create_task(self._watching())

    def take(self, sock: socket.socket, client: str, owner: Owner) -> bool:
        """Hand `sock` (the server keeps it as its duplicate) to an idle worker holding fewest, else
        to the one holding fewest; False if none can."""
        live = [w for w in self.workers if not w.retired]
        if not live:
            return False
        worker = min(live, key=lambda w: (w.shared.slot[0] != IDLE, sum(h.worker is w for h in self.held.values())))
        companion = self.companion() if self.companion is not None else (None, b"")
        if companion is None:
            return False
        (extra, note), ident = companion, next(self._ids)
        with contextlib.closing(extra) if extra is not None else contextlib.nullcontext():  # the worker has its own
            try:
                socket.send_fds(worker.control, [b"T" + _ID.pack(ident) + note], [sock.fileno(), *([extra.fileno()] if extra else [])])
            except OSError:
                return False
        self.held[ident] = _Held(sock, client, owner, worker)
        return True

    def running(self) -> dict[Any, tuple[str, float]]:
        """Worker → (client, when its query started), for the queries workers run on their own connections."""
        busy = {}
        for worker in self.workers:
            slot = worker.shared.slot
            if (held := self.held.get(int(slot[0]))) is not None and held.worker is worker:
                busy[worker] = (held.client, slot[1])
        return busy

    def _message(self, worker) -> None:
        try:
            message, fds, _, _ = socket.recv_fds(worker.control, READ_BYTES + 16, 1)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            message, fds = b"", []
        if not message:  # the worker ended (killed, or crashed mid-query)
            worker.process.join(1)
            return self.retire(worker, self.ended(worker))
        held = self.held.pop(_ID.unpack_from(message, 1)[0], None)
        rest = fds[0] if fds else None
        if held is None or message[:1] == b"C":
            if held is not None:
                held.sock.close()
            if rest is not None:
                os.close(rest)
            return None
        held.owner.adopt(held.sock, message[1 + _ID.size:], rest)
        return None

    def detach(self, worker) -> None:
        """Stop listening to a worker about to be killed (before its control socket closes)."""
        if worker in self.workers:
            self.workers.remove(worker)
            with contextlib.suppress(ValueError, OSError):
                asyncio.get_running_loop().remove_reader(worker.control.fileno())

    def worker_gone(self, worker, error: HttpError) -> None:
        """The worker was killed: its query's connection gets `error`, those with a query upstream
        a 503 to retry, the others come back."""
        running, upstream = int(worker.shared.slot[0]), {i for i, _ in worker.shared.queries_upstream()}
        for ident, held in [(i, h) for i, h in self.held.items() if h.worker is worker]:
            del self.held[ident]
            if ident == running:
                held.owner.fail(held.sock, error)
            elif ident in upstream:
                held.owner.fail(held.sock, Unavailable(
                    "the query worker forwarding this query was stopped for another query it held; retry it",
                    headers={"Retry-After": "1"}))
            else:
                held.owner.adopt(held.sock, b"", None)

    async def _watching(self) -> None:
        while True:
            await asyncio.sleep(WATCH_S)
            try:
                self._look()
            except Exception:  # noqa: BLE001 - the watch must outlive any one look
                log.exception("the watch over the workers' connections failed once")

    def _look(self) -> None:
        now = time.monotonic()
        for worker in list(self.workers):
            if self._late_upstream(worker, now):
                continue
            ident, started, doing = worker.shared.slot[:]
            if ident == IDLE or now - started <= REBALANCE_AFTER_S:
                continue
            if doing == CHECKING and self.check_limit and now - started > self.check_limit[0]:
                self.retire(worker, self.check_limit[1]())
                continue
            if ident != PIPE and now - started > self.query_timeout:  # the pipe's deadline is the engine's
                self.retire(worker, self._late())
                continue
            self._take_waiting_back(worker)

    def _late_upstream(self, worker, now: float) -> bool:
        """A query upstream past the deadline: its client has the 503, and the query keeps its entry
        (the upstream still holds it) for linger_s more; past that the worker is killed (True)."""
        for ident, since in worker.shared.queries_upstream():
            if now - since > self.query_timeout + self.linger_s:
                self.retire(worker, self._late())
                return True
            if now - since > self.query_timeout:
                self._abandon(ident)
        return False

    def _abandon(self, ident: int) -> None:
        """The 503 for a query past its deadline that the upstream still holds."""
        if (held := self.held.pop(ident, None)) is not None:
            held.owner.fail(held.sock, self._late())

    def _late(self) -> QueryTimeout:
        return QueryTimeout(f"the query ran past the {self.query_timeout:g} s limit and was stopped",
                            detail={"timeout_s": self.query_timeout})

    def _take_waiting_back(self, worker) -> None:
        """The connections of a busy worker with a request waiting: the server process serves them."""
        others = {h.sock: i for i, h in self.held.items() if h.worker is worker}
        if not others:
            return
        readable, _, _ = select.select(list(others), [], [], 0)
        for sock in readable:
            ident = others[sock]
            if worker.shared.take_back(ident):
                (held := self.held.pop(ident)).owner.adopt(held.sock, b"", None)

    def close(self) -> None:
        for worker in list(self.workers):
            self.detach(worker)
        if self._watch is not None:
            self._watch.cancel()
        for held in self.held.values():
            held.sock.close()
        self.held.clear()


def least_busy(idle: list, young_s: float):
    """Of idle workers, one running no query of its own connections, else the one whose such
    query started last if it is younger than `young_s` (it ends soon), else None."""
    if not idle:
        return None
    since = {w: (w.shared.slot[1] if w.shared is not None and w.shared.slot[0] != IDLE else None) for w in idle}
    if free := [w for w in idle if since[w] is None]:
        return free[0]
    youngest = max(idle, key=lambda w: since[w])
    return youngest if time.monotonic() - since[youngest] < young_s else None


def ended(worker) -> WorkerEnded:
    return WorkerEnded(f"the query worker ended before answering (exit code {worker.process.exitcode}: the query needed "
                       "more memory than worker_memory allows, or crashed the engine); it has been replaced")

