"""HTTP for every route: its query string (the one reader), the representation a request asks for
(`?format=`, an extension, or Accept, through the one negotiator of formats.py), conditional
requests (ETag, 304), and answers held for slow readers within a bounded buffer."""

from __future__ import annotations

import asyncio
import contextlib
import json

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from yarl import URL

from ..errors import NotAcceptable, ResultTooLarge, Unavailable
from ..formats import Format, named, negotiate, parse_accept, shorten

_QUERY_PARAMS = "ictd.query_params"   # the scope's key for them, read once per request


def fields(encoded: str) -> list[tuple[str, str]]:
    """The fields of a query string or form body, decoded as urllib's parse_qsl decodes them (blank
    values kept), by yarl's decoder in C: ten times faster on a query's text, and far more on hostile
    ones (64 kB of `%`: 49 ms of the event loop in urllib, 0.3 ms here)."""
    return list(URL.build(query_string=encoded, encoded=True).query.items())


def query_params(request: Request) -> QueryParams:
    """The request's query-string parameters, read once by `fields`. Every route reads them here:
    Starlette's own `request.query_params` decodes with urllib (tests/test_architecture.py)."""
    found = request.scope.get(_QUERY_PARAMS)
    if found is None:
        found = request.scope[_QUERY_PARAMS] = QueryParams(fields(request.scope["query_string"].decode("latin-1")))
    return found


def error_content(accept: str | None, status: int, code: str, message: str, detail: dict | None = None) -> tuple[bytes, str]:
    """The body and media type of the error shape for a client that is not a browser."""
    preferred = next((m for m, q in parse_accept(accept) if q > 0 and m in ("text/plain", "application/json", "text/*")),
                     "application/json")
    if preferred != "application/json":
        text = f"{status} {code}: {message}\n" + "".join(f"{k}: {v}\n" for k, v in (detail or {}).items())
        return text.encode(), "text/plain; charset=utf-8"
    shape = {"error": {"status": status, "code": code, "message": message, "detail": detail or {}}}
    return json.dumps(shape, ensure_ascii=False).encode(), "application/json"


def not_acceptable(offers: list[Format], asked: str) -> NotAcceptable:
    listed = ", ".join(f"{f.media_type} (?format={f.extension})" for f in offers)
    return NotAcceptable(f"no representation matches {asked}; available: {listed}",
                         [f.media_type for f in offers])


def pick_format(request: Request, offers: list[Format], extension: str | None = None) -> tuple[Format, bool]:
    """The representation to send and whether it was negotiated (False: named by the URL)."""
    asked = extension or query_params(request).get("format")
    if asked:
        chosen = named(asked, offers)
        if chosen is None:
            raise not_acceptable(offers, f"format {asked!r}")
        return chosen, False
    chosen = negotiate(request.headers.get("accept"), offers)
    if chosen is None:
        raise not_acceptable(offers, f"Accept: {shorten(request.headers.get('accept'))}")
    return chosen, True


def variant_etag(release_etag: str, *parts: str) -> str:
    """A strong ETag for one representation of one release."""
    inner = release_etag.strip().removeprefix("W/").strip('"')
    return '"' + "-".join((inner, *parts)) + '"'


def not_modified(request: Request, etag: str) -> bool:
    """True when If-None-Match lists this ETag (weak comparison) or `*`."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag.removeprefix("W/") in tags


# ---------------------------------------------------------------- answers held for slow readers

CHUNK = 64 << 10
ROOM_WAIT_S = 0.5  # how long a finished answer may wait for room in the buffer (it is held meanwhile)


class AnswerBuffer:
    """At most `limit` bytes of answers held at once for clients still reading them. Past it a new
    answer waits a moment for room, then is dropped with 503 (one larger than the whole buffer at
    once), so clients that do not read cannot grow the server's memory: it holds the buffer, plus
    the answers being computed (max_concurrent of them)."""

    def __init__(self, limit: int):
        self.limit, self.held, self.waiting = limit, 0, 0
        self._freed = asyncio.Condition()

    @contextlib.asynccontextmanager
    async def hold(self, size: int, wait_s: float):
        if size > self.limit:
            raise ResultTooLarge(f"the answer is {size} bytes, more than the server holds for all clients "
                                 f"at once ({self.limit} bytes, answer_buffer_mb)")
        if self.waiting or self.held + size > self.limit:  # else room now: no lock, no timer
            await self._wait_for_room(size, wait_s)
        self.held += size
        try:
            yield
        finally:
            self.held -= size
            if self.waiting:
                async with self._freed:
                    self._freed.notify_all()

    async def _wait_for_room(self, size: int, wait_s: float) -> None:
        self.waiting += 1
        try:
            async with self._freed:
                async with asyncio.timeout(wait_s):
                    await self._freed.wait_for(lambda: self.held + size <= self.limit)
        except TimeoutError:
            raise Unavailable(f"the server holds {self.held} bytes of answers that clients have not read yet "
                              "(answer_buffer_mb); try again shortly", headers={"Retry-After": "2"}) from None
        finally:
            self.waiting -= 1


class HeldResponse(Response):
    """A response sent in chunks with the event loop's flow control, its bytes counted in the
    answer buffer until the client has taken them; a client that takes longer than `read_s`
    to read the answer loses the connection instead of holding the memory."""

    def __init__(self, body: bytes, buffer: AnswerBuffer, read_s: float, **options):
        super().__init__(body, **options)
        self.buffer, self.read_s = buffer, read_s

    async def __call__(self, scope, receive, send) -> None:
        async with self.buffer.hold(len(self.body), ROOM_WAIT_S):
            await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
            view = memoryview(self.body)
            async with asyncio.timeout(self.read_s):
                for start in range(0, max(len(view), 1), CHUNK):
                    chunk = bytes(view[start:start + CHUNK])
                    await send({"type": "http.response.body", "body": chunk, "more_body": start + CHUNK < len(view)})
