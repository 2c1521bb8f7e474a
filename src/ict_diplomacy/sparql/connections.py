"""Connections a query worker answers itself, so a query does not cross a second process.

Once the server process has answered a query to /sparql on a keep-alive connection, it hands the
socket to a worker (`Connections.take`; with `companion`, remote mode, also an upstream connection
the worker may not open), which answers the next requests it can (the web layer's `respond`) on
it (the worker's loop: worker_loop.py); other requests, with the bytes read of them, and idle
connections go back to the server process, which carries on as if it had read them (`Owner.adopt`). The server keeps a
duplicate of each socket and watches the workers' slots in shared memory (slots.py). Past the
deadline the client gets its 503 and the worker is killed (its other connections come back, their
requests unread). A query a worker has upstream (remote mode) gets its client the 503 past the
deadline and keeps its entry until the upstream lets go (`linger_s`, then the worker is killed). A query still in its check before forwarding past
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
import socket
import struct
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from ..errors import HttpError, QueryTimeout, Unavailable, WorkerEnded
from .slots import CHECKING, IDLE, PIPE

log = logging.getLogger("ict_diplomacy.workers")

REBALANCE_AFTER_S = 0.05   # a query this old sends the requests waiting behind it to other workers
WATCH_S = 0.02         # how often the server process looks at the slots
READ_BYTES = 1 << 16   # at most a control message's data
ID = struct.Struct("!Q")   # a connection's id in the control messages


def control_pair() -> tuple[socket.socket, socket.socket]:
    return socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)


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
                socket.send_fds(worker.control, [b"T" + ID.pack(ident) + note], [sock.fileno(), *([extra.fileno()] if extra else [])])
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
        held = self.held.pop(ID.unpack_from(message, 1)[0], None)
        rest = fds[0] if fds else None
        if held is None or message[:1] == b"C":
            if held is not None:
                held.sock.close()
            if rest is not None:
                os.close(rest)
            return None
        held.owner.adopt(held.sock, message[1 + ID.size:], rest)
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

