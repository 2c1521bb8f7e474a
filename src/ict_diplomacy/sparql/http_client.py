"""The HTTP/1.1 client of remote mode: pooled keep-alive connections to one endpoint, one write
per request, and answers read with httptools (llhttp, in C) under the limits of the settings.

A request is written in one piece on a connection with TCP_NODELAY, so a small query costs one
round trip and no Nagle delay (httpx took 3 ms for an `ASK {}` that this client sends in 0.15 ms
to the same Oxigraph server). While an answer is read it is bounded: past `max_bytes` the
connection is closed and the answer refused (ResultTooLarge); with `cut_after`, reading stops
after that many separators (the line ends of TSV or N-Triples, the `},{"` between the solutions
of a compact SPARQL JSON) and the connection is closed, which also stops an upstream that
evaluates lazily. `Call.abandon()` is what the engine calls
when the deadline has passed: a connection still receiving data is closed at once (the upstream
stops at its next write); one whose upstream is still computing (nothing sent yet) stays open,
so the engine can count the query as running upstream until `finished`. A pooled connection the
server closed meanwhile is replaced and the request sent again (queries are read-only).

The reading of an answer (`Reading`) does no I/O itself: the pooled connections feed it on the
event loop, and a query worker feeds it from its link to the upstream (forwarding.py)."""

from __future__ import annotations

import asyncio
import errno
import socket
import ssl
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httptools

from ..errors import BadGateway, ResultTooLarge

READ_BYTES = 1 << 16


@dataclass
class Reply:
    status: int
    headers: dict[str, str]      # names in lower case
    body: bytes
    cut: bool = False            # reading stopped at cut_after separators (kept up to the last one's first byte)
    as_sent: bool = False        # the client's format, asked for and passed on as the upstream wrote it

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


@dataclass(frozen=True)
class Request:
    body: bytes                  # an application/x-www-form-urlencoded form
    accept: str
    max_bytes: int
    cut_after: int | None = None
    separator: bytes = b"\n"


class ConnectionClosed(ConnectionError):
    def __init__(self, after_data: bool):
        self.after_data = after_data
        super().__init__("the connection closed before the answer was complete")


class Reading:
    """One answer as it arrives, under its request's limits: httptools' callbacks and no I/O.
    `outcome` is None until the answer is whole or cut (a Reply) or refused (the error)."""

    def __init__(self, request: Request, url: str):
        self.request, self.url = request, url
        self.parser = httptools.HttpResponseParser(self)
        self.headers: dict[str, str] = {}
        self.outcome: Reply | Exception | None = None
        self.received = self.keep = self._framed = False
        self._chunks: list[bytes] = []
        self._size = self._seen = self._counted = 0
        self._tail = b""

    def feed(self, data: bytes) -> None:
        self.received = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as error:
            self._end(BadGateway(f"the SPARQL endpoint {self.url} sent no valid HTTP answer: {error}"))
        if self.outcome is None and self._cut_reached():
            self._complete()

    def closed(self) -> None:
        """The connection ended: an answer without a length ends with it, any other is incomplete."""
        if self.headers and not self._framed:
            self._complete()
        self._end(ConnectionClosed(self.received))

    # ---- httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_headers_complete(self) -> None:
        self._framed = "content-length" in self.headers or "chunked" in self.headers.get("transfer-encoding", "")

    def on_body(self, body: bytes) -> None:
        if self.outcome is not None:
            return
        self._size += len(body)
        limit = self.request.max_bytes
        if self._size > limit and self._cut_reached():  # the answer had its end before this chunk
            return self._complete()
        if self._size > limit:
            return self._end(ResultTooLarge(f"the answer of the SPARQL endpoint is larger than {limit} bytes "
                                            "(max_answer_bytes)", detail={"max_answer_bytes": limit}))
        self._chunks.append(body)
        return None

    def on_message_complete(self) -> None:
        self.keep = self.parser.should_keep_alive()
        self._complete()

    def _cut_reached(self) -> bool:
        """Whether the body so far holds the separators the request stops after. Counted once a read
        (feed) or at the end, not per chunk: Oxigraph writes a chunk per solution or two."""
        request = self.request
        if request.cut_after is None or self.parser.get_status_code() >= 400:
            return False
        window = self._tail + b"".join(self._chunks[self._counted:])  # a separator may straddle two chunks
        self._counted = len(self._chunks)
        self._seen += window.count(request.separator)
        self._tail = window[max(0, len(window) - len(request.separator) + 1):]
        return self._seen >= request.cut_after

    def _complete(self) -> None:
        if self.outcome is None:
            cut = self._cut_reached()
            body = b"".join(self._chunks)
            if cut:
                body = body[:_cut_at(body, self.request.separator, self.request.cut_after)]
            self.outcome = Reply(self.parser.get_status_code(), self.headers, body, cut)

    def _end(self, error: Exception) -> None:
        if self.outcome is None:
            self.outcome = error

    @property
    def reusable(self) -> bool:
        """Whether the connection may carry another request after this whole answer."""
        return isinstance(self.outcome, Reply) and not self.outcome.cut and self.keep


def request_bytes(client: "Client", request: Request) -> bytes:
    head = (f"POST {client.target} HTTP/1.1\r\nHost: {client.host_header}\r\n"
            f"Accept: {request.accept}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(request.body)}\r\nUser-Agent: ict-diplomacy\r\n\r\n")
    return head.encode("latin-1") + request.body


class Connection(asyncio.Protocol):
    """One connection to the endpoint; one request and its answer at a time."""

    def __init__(self, client: "Client"):
        self.client = client
        self.transport: asyncio.Transport | None = None
        self.reused = False
        self._reset()

    def _reset(self) -> None:
        loop = asyncio.get_running_loop()
        self.reply: asyncio.Future[Reply] = loop.create_future()
        self.finished: asyncio.Future[None] = loop.create_future()   # the answer or the connection ended
        self.reading: Reading | None = None
        self._abandoned = False

    @property
    def usable(self) -> bool:
        return self.transport is not None and not self.transport.is_closing()

    # ---- asyncio.Protocol
    def connection_made(self, transport) -> None:
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        if self.reading is None or self.reply.done() or self._abandoned:
            self.close()
            return
        self.reading.feed(data)
        self._settle()

    def connection_lost(self, exc) -> None:
        self.transport = None
        if self.reading is not None and not self.reply.done():
            self.reading.closed()
            self._settle()
        self._fail(ConnectionClosed(self.reading is not None and self.reading.received))

    # ---- the caller's side
    def send(self, request: Request) -> None:
        self.reading = Reading(request, self.client.url)
        self.transport.write(request_bytes(self.client, request))

    def abandon(self) -> None:
        self._abandoned = True
        if (self.reading is not None and self.reading.received) or self.reply.done():
            self.close()

    def close(self) -> None:
        if self.transport is not None:
            self.transport.abort()
            self.transport = None
        self._fail(ConnectionClosed(True))

    # ---- outcome
    def _settle(self) -> None:
        outcome = self.reading.outcome
        if outcome is None or self.reply.done():
            return
        if isinstance(outcome, Exception):
            self._fail(outcome)
            self.close()
            return
        self.reply.set_result(outcome)
        if not self.reading.reusable or self._abandoned or self.transport is None:
            self.close()
            return
        self.finished.set_result(None)
        self._reset()
        self.reused = True
        self.client.idle.append(self)

    def _fail(self, error: Exception) -> None:
        if not self.reply.done():
            self.reply.set_exception(error)
            self.reply.exception()  # marked as retrieved: an abandoned reply is never awaited
        if not self.finished.done():
            self.finished.set_result(None)


def _cut_at(data: bytes, separator: bytes, count: int) -> int:
    """Just after the first byte of the `count`th separator."""
    end = -1
    for _ in range(count):
        end = data.index(separator, end + 1)
    return end + 1


class Call:
    """One request to the endpoint: its reply, and the connection it runs on until it ends."""

    def __init__(self, client: "Client", request: Request):
        self.client, self.request = client, request
        self.connection: Connection | None = None
        self._finished: asyncio.Future | None = None
        self._abandoned = False

    async def reply(self) -> Reply:
        for _ in range(2):
            self.connection = await self.client.connection()
            if self._abandoned:  # the deadline passed while connecting
                self.connection.close()
                raise ConnectionClosed(False)
            self.connection.send(self.request)
            replied, self._finished = self.connection.reply, self.connection.finished
            try:
                return await asyncio.shield(replied)
            except ConnectionClosed as closed:
                if closed.after_data or not self.connection.reused:
                    raise BadGateway(f"the SPARQL endpoint {self.client.url} closed the connection "
                                     "before its answer was complete") from None
        raise BadGateway(f"the SPARQL endpoint {self.client.url} keeps closing its connections")

    def abandon(self) -> None:
        self._abandoned = True
        if self.connection is not None:
            self.connection.abandon()

    async def finished(self) -> None:
        """Until the upstream is done with the request: its answer ended, or the connection."""
        if self._finished is not None:
            await asyncio.shield(self._finished)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


@dataclass
class Client:
    """Connections to one endpoint URL, kept open between requests."""

    url: str
    idle: list[Connection] = field(default_factory=list)
    peer: tuple | None = None    # (address family, address) of the last connection opened

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"the SPARQL endpoint must be an http:// or https:// URL, not {self.url!r}")
        self.tls = ssl.create_default_context() if parts.scheme == "https" else None
        self.host, self.host_header = parts.hostname, parts.netloc
        self.port = parts.port or (443 if self.tls else 80)
        self.target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    def call(self, request: Request) -> Call:
        return Call(self, request)

    async def connection(self) -> Connection:
        while self.idle:
            connection = self.idle.pop()
            if connection.usable:
                return connection
        loop = asyncio.get_running_loop()
        try:
            transport, connection = await loop.create_connection(lambda: Connection(self), self.host, self.port, ssl=self.tls)
        except OSError as error:
            raise BadGateway(f"the SPARQL endpoint {self.url} cannot be reached: {error}") from None
        self.peer = (transport.get_extra_info("socket").family, transport.get_extra_info("peername"))
        return connection

    def connecting(self) -> socket.socket | None:
        """A new connection to the address the last pooled one reached, its connect under way
        (for a query worker, which may not open one; None before any, or over TLS)."""
        if self.peer is None or self.tls:
            return None
        sock = socket.socket(self.peer[0], socket.SOCK_STREAM)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        if sock.connect_ex(self.peer[1]) not in (0, errno.EINPROGRESS):
            sock.close()
            return None
        return sock

    async def close(self) -> None:
        for connection in self.idle:
            connection.close()
        self.idle.clear()
