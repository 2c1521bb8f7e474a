"""uvicorn's HTTP protocol with the limits the endpoint documents: a request line longer than
max_request_bytes gets 413 (not the parser's plain 400), and a request head that has not arrived
within HEAD_TIMEOUT_S closes the connection (408), so a client sending headers a byte at a time
cannot hold a connection for ever. The writes of one turn of the event loop (a response's head
and its body) leave in one system call (`Coalescing`), not one each."""

from __future__ import annotations

import asyncio

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

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
            return self._flush()
        if not self._pending:
            asyncio.get_running_loop().call_soon(self._flush)
        self._pending.append(data)
        self._size += len(data)
        return None

    def _flush(self) -> None:
        if self._pending:
            data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
            self._pending.clear()
            self._size = 0
            if not self._transport.is_closing():
                self._transport.write(data)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def __getattr__(self, name: str):
        return getattr(self._transport, name)


def bounded_protocol(max_url_bytes: int, head_timeout_s: float = HEAD_TIMEOUT_S) -> type[HttpToolsProtocol]:
    """The protocol class for uvicorn's `http=` option, with these limits."""

    class Bounded(HttpToolsProtocol):
        _head_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport) -> None:
            super().connection_made(Coalescing(transport))

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._arm()

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
            body = ('{"error": {"status": %d, "code": "%s", "message": "%s", "detail": {}}}'
                    % (status, {413: "payload-too-large", 408: "request-timeout"}.get(status, "bad-request"), message))
            reason = {400: "Bad Request", 408: "Request Timeout", 413: "Content Too Large"}[status]
            self.transport.write(f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
                                 f"content-length: {len(body)}\r\nconnection: close\r\n\r\n{body}".encode())
            self.transport.close()

    return Bounded
