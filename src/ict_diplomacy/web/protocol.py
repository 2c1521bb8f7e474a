"""uvicorn's HTTP protocol with the limits the endpoint documents: a request line longer than
max_request_bytes gets 413 (not the parser's plain 400), and a request head that has not arrived
within HEAD_TIMEOUT_S closes the connection (408), so a client sending headers a byte at a time
cannot hold a connection for ever. The writes of one turn of the event loop (a response's head
and its body) leave in one system call (`Coalescing`), not one each.

With `connections` (sparql/connections.py), a keep-alive connection whose query to /sparql was
just answered is handed to a query worker, which answers the next ones itself; what it gives back
is carried on by a new protocol over the same socket (`Adopter`)."""

from __future__ import annotations

import asyncio
import contextlib
import http
import os
import socket

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ..errors import HttpError
from .http import CHUNK, ROOM_WAIT_S, AnswerBuffer, error_content

HEAD_TIMEOUT_S = 10.0
COALESCE_BYTES = 16 << 10


class UrlTooLong(Exception):
    pass


class Coalescing:
    """A transport whose small writes are joined until the end of the current turn of the event
    loop, then written at once; a write that would make more than COALESCE_BYTES waiting goes out
    at once with what waits, so large answers meet the transport's flow control as before (their
    chunks are not piled up in one turn). Everything else is the wrapped transport's."""

    def __init__(self, transport: asyncio.Transport):
        self._transport, self._pending, self._size = transport, [], 0

    def write(self, data: bytes) -> None:
        if self._size + len(data) > COALESCE_BYTES:
            self._pending.append(data)
            return self.flush()
        if not self._pending:
            asyncio.get_running_loop().call_soon(self.flush)
        self._pending.append(data)
        self._size += len(data)
        return None

    def flush(self) -> None:
        if self._pending:
            data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
            self._pending.clear()
            self._size = 0
            if not self._transport.is_closing():
                self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str):
        return getattr(self._transport, name)


HAND_OVER = "ictd.hand_over"  # set in a request's scope when its connection may go to a worker next


def error_bytes(status: int, code: str, message: str, detail: dict | None = None, headers: dict | None = None) -> bytes:
    """A whole HTTP response in the one error shape, closing the connection (for the cases no app answers)."""
    body, media_type = error_content("application/json", status, code, message, detail)
    extra = "".join(f"{name.lower()}: {value}\r\n" for name, value in (headers or {}).items())
    return (f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}\r\ncontent-type: {media_type}\r\n{extra}"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n").encode() + body


class Adopter:
    """Takes a connection back from a worker (connections.Owner): a new protocol carries it on."""

    def __init__(self, make_protocol):
        self.make_protocol = make_protocol

    def adopt(self, sock: socket.socket, data: bytes, rest: int | None) -> None:
        loop = asyncio.get_running_loop()
        protocol = self.make_protocol()
        protocol.carried = (data, rest)  # taken in connection_made, before the transport reads more
        started = loop.create_task(loop.connect_accepted_socket(lambda: protocol, sock))
        started.add_done_callback(lambda task: self._started(task, sock, protocol))

    @staticmethod
    def _started(task: asyncio.Task, sock: socket.socket, protocol) -> None:
        if task.cancelled() or task.exception() is not None:
            sock.close()
            if protocol.carried and protocol.carried[1] is not None:
                os.close(protocol.carried[1])

    def fail(self, sock: socket.socket, error: HttpError) -> None:
        with contextlib.suppress(OSError):
            sock.send(error_bytes(error.status, error.code, error.message, error.detail, error.headers))
            sock.shutdown(socket.SHUT_RDWR)  # for every holder: a worker still running the query writes nothing more
        sock.close()


def bounded_protocol(max_url_bytes: int, head_timeout_s: float = HEAD_TIMEOUT_S, connections=None,
                     answers: AnswerBuffer | None = None, read_s: float = 0.0) -> type[HttpToolsProtocol]:
    """The protocol class for uvicorn's `http=` option, with these limits; with `connections` (see
    the module), the answer buffer and the read deadline that an answer's rest taken back from a
    worker is sent under."""

    class Bounded(HttpToolsProtocol):
        _head_timer: asyncio.TimerHandle | None = None
        _in_message = False
        carried: tuple[bytes, int | None] | None = None   # taken back: its next request's bytes, a memfd of an unsent rest

        def connection_made(self, transport) -> None:
            super().connection_made(Coalescing(transport))
            if self.carried is not None:
                self._carry_on(*self.carried)

        def _carry_on(self, data: bytes, rest: int | None) -> None:
            self.carried = None
            if rest is None:
                return self._read_on(data)
            self.transport.pause_reading()  # nothing new is read before the answer has left
            sending = self.loop.create_task(self._send_rest(rest, data))
            self.tasks.add(sending)
            sending.add_done_callback(self.tasks.discard)
            return None

        def _read_on(self, data: bytes) -> None:
            if data:
                self.data_received(data)
            else:
                self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive, self.timeout_keep_alive_handler)

        async def _send_rest(self, rest: int, data: bytes) -> None:
            """An answer's rest, read from its memfd a chunk at a time as the client takes it, counted
            in the answer buffer and bounded in time as HeldResponse's answers are."""
            try:
                size = os.fstat(rest).st_size
                async with answers.hold(size, ROOM_WAIT_S), asyncio.timeout(read_s):
                    for start in range(0, size, CHUNK):
                        self.transport.write(os.pread(rest, CHUNK, start))
                        await self.flow.drain()
            except (HttpError, TimeoutError):  # no room, or a reader too slow: its head is sent, so the connection ends
                self.transport.close()
                return
            finally:
                os.close(rest)
            if not self.transport.is_closing():
                self.transport.resume_reading()
                self._read_on(data)

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._in_message = True
            self._arm()

        def on_message_complete(self) -> None:
            self._in_message = False
            super().on_message_complete()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if connections is not None and self.cycle is not None and self.cycle.scope.get(HAND_OVER) \
                    and self.cycle.keep_alive and not self.pipeline and not self._in_message:
                self._hand_over()

        def _hand_over(self) -> None:
            self.transport.pause_reading()
            self.transport.flush()
            if self.transport.is_closing() or self.transport.get_write_buffer_size():
                return self.transport.resume_reading()
            own = socket.socket(fileno=os.dup(self.transport.get_extra_info("socket").fileno()))
            client = self.client[0] if self.client else ""
            if not connections.take(own, client, Adopter(self._sibling)):
                own.close()
                return self.transport.resume_reading()
            self._unset_keepalive_if_required()
            self.transport.abort()  # closes this process's descriptor only: the worker and `own` hold the connection
            return None

        def _sibling(self) -> "Bounded":
            return type(self)(config=self.config, server_state=self.server_state, app_state=self.app_state)

        def on_url(self, url: bytes) -> None:
            super().on_url(url)
            if len(self.url) > max_url_bytes:
                raise UrlTooLong()

        def on_headers_complete(self) -> None:
            self._disarm()
            super().on_headers_complete()

        def data_received(self, data: bytes) -> None:
            self._unset_keepalive_if_required()
            try:
                self.parser.feed_data(data)
            except httptools.HttpParserCallbackError as error:
                too_long = isinstance(error.__context__, UrlTooLong)
                self._refuse(413 if too_long else 400, f"the request line is longer than {max_url_bytes} bytes "
                             "(max_request_bytes)" if too_long else "invalid HTTP request")
            except httptools.HttpParserError:
                self._refuse(400, "invalid HTTP request")
            except httptools.HttpParserUpgrade:
                self._unsupported_upgrade_warning()

        def connection_lost(self, exc) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._disarm()
            self._head_timer = asyncio.get_running_loop().call_later(
                head_timeout_s, self._refuse, 408, f"the request head did not arrive within {head_timeout_s:g} s")

        def _disarm(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _refuse(self, status: int, message: str) -> None:
            self._disarm()
            if self.transport.is_closing():
                return
            code = {413: "payload-too-large", 408: "request-timeout"}.get(status, "bad-request")
            self.transport.write(error_bytes(status, code, message))
            self.transport.close()

    return Bounded
