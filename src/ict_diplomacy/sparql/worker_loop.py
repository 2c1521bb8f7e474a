"""The worker's side of connections.py: the loop of a query worker over the connections it holds.

Control messages first, then the server's pipe, then the connections; a connection's request is
answered by the web layer's `respond`, or handed back with the bytes read of it. A query `respond`
sent upstream (remote mode) is `Pending`: the worker goes on with its other connections and
finishes it when the upstream's answer arrives, its entry in the shared memory (slots.py) held
until then, so the server's watch sees it and cannot take the connection back meanwhile."""

from __future__ import annotations

import contextlib
import logging
import os
import select
import selectors
import socket
import time
from dataclasses import dataclass
from typing import Any, Callable

from .answer import answer
from .connections import ID, READ_BYTES
from .slots import PIPE, Shared

log = logging.getLogger("ict_diplomacy.workers")

KEEP_ALIVE_S = 5.0     # as uvicorn's timeout_keep_alive: an idle connection goes back (and then closes)
SEND_WAIT_S = 0.05     # how long a worker waits for a slow reader before handing the rest back
MORE = object()        # what `respond` says of a request that has not all arrived (a POST's body, say)
MORE_WAIT_S = 0.05     # how long a worker waits for the rest of a request before handing it back
_UP = "upstream"       # a selector key's tag for a pending query's socket


@dataclass
class Pending:
    """What `respond` gives for a request whose answer comes later: the socket to wait on, what to
    call when it has data (the response, None to hand the request back, or MORE: not yet), and the
    request's bytes, handed back with it."""

    sock: socket.socket
    advance: Callable[[], Any]
    data: bytes


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
                _give_back(ident, owned, selector, control, b"B" + ID.pack(ident))


def _control(control: socket.socket, selector, owned: dict, respond, shared: Shared) -> bool:
    try:
        message, fds, _, _ = socket.recv_fds(control, 256, 2)
    except (BlockingIOError, InterruptedError):
        return True
    if not message:
        return False  # the server process closed its end
    if message[:1] == b"T" and fds:
        ident, sock = ID.unpack_from(message, 1)[0], socket.socket(fileno=fds[0])
        companion = respond.companion(socket.socket(fileno=fds[1]), message[1 + ID.size:], shared) if len(fds) > 1 else None
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
    sock, prefix = owned[ident].sock, ID.pack(ident)
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


