"""Remote mode inside a query worker: the plain queries of a connection the worker holds
(connections.py) are checked as the preflight checks them, on no data with a small stack and no
network of its own, then sent by the worker over a connection to the upstream that the server
process opened for it (`Link`; a worker cannot open one). So a query crosses one process, as it
does on the embedded store.

The upstream's refusals and failures are worded here as the server process words them (502,
503). A query the check refuses, and one whose link the upstream had closed, go back to the
server process (None), which checks or forwards it itself (queries are read-only: sending one
twice is safe). A query that kills the worker is the one the preflight refuses (preflight.py).
Once an answer was cut at the row cap the link is closed, and the connection's next query goes
back to the server process.

A worker has several queries upstream at once, each on the link of its own client connection:
it sends one (`forward`) and goes on with its other connections, and reads the answer whenever
the link has data (`Forward.advance`, called by worker_loop.py). Each query upstream holds one of
the worker's UPSTREAM_ROOM entries in the memory it shares with the server process (slots.py).

The deadline is the server process's watch over those entries (connections.py), and so is the
check's own time limit (preflight.CHECK_TIMEOUT_S; past it the worker is killed). Past the deadline
the client gets its 503 at once; the query keeps its entry, as the server process's path keeps a
slot, until the upstream lets go of it (its answer ends; at most ABANDONED_LIMIT_S, then the worker
is killed), and while it does the worker forwards nothing new (`Shared.has_room`). So abandoned
queries never pile up on the upstream: there are at most UPSTREAM_ROOM of them per worker."""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from typing import Any

from ..errors import BadGateway, HttpError
from ..formats import choose
from ..settings import Settings
from .answer import JSON, answer
from .http_client import READ_BYTES, Client, ConnectionClosed, Reading, Request, request_bytes
from .remote import (ABANDONED_LIMIT_S, JSON_SEPARATOR, UPSTREAMS, Upstream, checked, dataset_params, kind_of,
                     result_of, upstream_request)
from .worker_loop import MORE
from .slots import CHECKING, RUNNING

BACKSTOP_S = 5.0   # past the deadline and the wait for the upstream, when the server process's watch has stopped the worker


@dataclass
class Link:
    """A connection to the upstream, the worker's for as long as it holds one client connection."""

    sock: socket.socket | None
    upstream: Upstream
    client: Client
    shared: Any   # slots.Shared: the server process sees what the query is doing

    @classmethod
    def made(cls, sock: socket.socket, note: bytes, settings: Settings, shared) -> "Link":
        """Blocking, with the kernel's own send and receive timeouts (Python's would poll before each call)."""
        sock.setblocking(True)
        backstop = settings.query_timeout + ABANDONED_LIMIT_S + BACKSTOP_S
        timeval = struct.pack("ll", int(backstop), int(backstop % 1 * 1_000_000))
        for option in (socket.SO_RCVTIMEO, socket.SO_SNDTIMEO):
            sock.setsockopt(socket.SOL_SOCKET, option, timeval)
        return cls(sock, UPSTREAMS[note.decode("ascii")], Client(settings.sparql_endpoint), shared)

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def forward(store, link: Link, text: str, accept: str, settings: Settings) -> "Forward | None":
    """`text` sent to the upstream over the link, its answer to be read as it arrives (`Forward`);
    None when the server process should forward it instead: the check refused it, the link is
    gone, or the worker has no room upstream (slots.Shared.has_room)."""
    if link.sock is None or not link.shared.has_room(settings.query_timeout) or not _passes_check(store, link, text):
        return None
    try:
        kind = kind_of(text)
        fmt = choose(accept, kind)
    except HttpError:
        return None  # the server process words it
    request = upstream_request(settings, link.upstream, text, kind, settings.query_timeout,
                               dataset_params(settings, None), fmt.results == JSON)
    try:
        link.sock.sendall(request_bytes(link.client, request))
    except OSError:
        link.close()
        return None
    return Forward(link, request, kind, fmt, settings, Reading(request, link.client.url))


@dataclass
class Forward:
    """A query upstream: the worker reads its answer whenever the link has data (connections.py),
    and goes on with other connections meanwhile."""

    link: Link
    request: Request
    kind: str
    fmt: Any
    settings: Settings
    reading: Reading

    @property
    def sock(self) -> socket.socket:
        return self.link.sock

    def advance(self) -> tuple | None | object:
        """What the link has, read: MORE until the answer is whole, then the answer in the shape of
        the workers' `answer` (("ok", payload) or the error the upstream's answer means), or None
        when the server process should send the query again (the link had closed before it)."""
        try:
            data = self.link.sock.recv(READ_BYTES)
        except (BlockingIOError, InterruptedError):
            return MORE
        except OSError:
            self.link.close()
            return None
        self.reading.feed(data) if data else self.reading.closed()
        if self.reading.outcome is None:
            return MORE
        if not self.reading.reusable:
            self.link.close()
        return self._answer(self.reading.outcome)

    def _answer(self, reply) -> tuple | None:
        endpoint = self.settings.sparql_endpoint
        try:
            if isinstance(reply, ConnectionClosed) and not reply.after_data:
                return None  # the upstream had closed the link before this query: sent again from the server process
            if isinstance(reply, ConnectionClosed):
                raise BadGateway(f"the SPARQL endpoint {endpoint} closed the connection before its answer was complete")
            if isinstance(reply, Exception):
                raise reply
            reply.as_sent = self.request.separator == JSON_SEPARATOR
            result = result_of(checked(reply, endpoint, self.settings.query_timeout), self.kind, self.fmt,
                               self.settings.max_rows)
        except HttpError as error:
            return ("error", type(error).__name__, error.message, error.detail, error.headers)
        return "ok", {"body": result.body, "media_type": result.media_type, "rows": result.rows,
                      "truncated": result.truncated}


def _passes_check(store, link: Link, text: str) -> bool:
    """The preflight's check, under its own time limit (the server process's watch, preflight.py)."""
    link.shared.doing(CHECKING)
    try:
        return answer(store, {"op": "check", "query": text})[0] == "ok"
    finally:
        link.shared.doing(RUNNING)
