"""gzip for clients that ask for it (Accept-Encoding): pages, JSON, RDF and the uncompressed dumps;
never what is compressed already (the .nt.gz dump), and never the answers of queries (`/sparql`,
`/api/queries/…`): those go out as the engine made them, counted in the answer buffer while the
client reads them (http.HeldResponse), and compressing them would cost the server process the
CPU that the workers are there to keep off it. A request that does not ask passes straight through.

A compressed answer is a different set of bytes, so its strong ETag becomes weak (W/"…"), as
nginx does; If-None-Match compares weakly (http.not_modified), so revalidation still works."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MINIMUM_BYTES = 500
LEVEL = 6  # zlib's default: nearly the size of 9 at a fraction of the time
QUERY_ANSWERS = ("/sparql", "/api/queries/")


def asks_for_gzip(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"accept-encoding":
            return any(part.split(b";")[0].strip() in (b"gzip", b"*") and not part.replace(b" ", b"").endswith(b"q=0")
                       for part in value.lower().split(b","))
    return False


class Compression:
    """ASGI middleware: Starlette's GZipMiddleware, only for requests that ask, with weak ETags."""

    def __init__(self, app: ASGIApp):
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=MINIMUM_BYTES, compresslevel=LEVEL)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(QUERY_ANSWERS) or not asks_for_gzip(scope):
            return await self.app(scope, receive, send)

        async def weaken_etag(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=message["headers"])
                etag = headers.get("etag")
                if headers.get("content-encoding") == "gzip" and etag and not etag.startswith("W/"):
                    headers["ETag"] = "W/" + etag
            await send(message)
        await self.gzip(scope, receive, weaken_etag)
