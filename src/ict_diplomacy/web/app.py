"""The web app: built by `create_app(site)` from explicit state (server.py runs it).

Routes come from each part's `routes(site)`, in the order of PARTS: the SPARQL endpoint first,
the dereferencing of resource IRIs last because it answers the widest paths. Every error becomes one JSON shape here, and nowhere else:
`{"error": {"status", "code", "message", "detail"}}` (plain text for clients asking for it).
A handler reports the rows it returned with `request.state.rows = n` for the request log."""

from __future__ import annotations

import logging
import time

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from ..errors import BackendError, HttpError, IctdError, OutputFormatError, ParameterError, QueryDefinitionError, QueryNotFound
from .compress import Compression, asks_for_gzip
from .http import error_content
from .error_page import error_page, wants_html
from .page_store import PATHS, stored_page
from .protocol import HAND_OVER
from . import api, deref, downloads, endpoint, pages, pictures, versions
from .site import Site

log = logging.getLogger("ict_diplomacy.web")

# pictures before pages: pages mounts all of /static, pictures serves /static/vendor/… and /static/ictd/…
PARTS = (endpoint, api, downloads, versions, pictures, pages, deref)
STORED_QUERIES = "/api/queries/"
EXPOSED_HEADERS = ["X-SPARQL-Truncated", "X-SPARQL-Rows", "Retry-After", "ETag", "Link",
                   "Content-Location", "Vary"]
LIBRARY_ERRORS = {ParameterError: (400, "bad-parameter"), QueryNotFound: (404, "not-found"),
                  QueryDefinitionError: (400, "bad-query"), OutputFormatError: (406, "not-acceptable"),
                  BackendError: (502, "backend-error")}


def create_app(site: Site) -> Starlette:
    routes = [route for part in PARTS for route in part.routes(site)]
    middleware = [Middleware(RequestLog), Middleware(Compression)]
    if site.settings.cors:
        middleware.append(Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD", "POST"],
                                     allow_headers=["*"], expose_headers=EXPOSED_HEADERS, max_age=86400))
    app = Starlette(routes=routes, middleware=middleware,
                    exception_handlers={HTTPException: _starlette_error, **ERROR_HANDLERS})
    app.state.site = site
    return app


class LeanSparql:
    """ASGI: a query to /sparql (GET with ?query=, or POST) or a GET of a stored query
    (`/api/queries/{name}`) without an Origin header goes straight to its handler, with the same
    request log and the same error shape; so does a GET or HEAD of a resource the release has a
    stored page for (page_store.py), when it asks for no compression. Everything else goes to the
    Starlette app. For these requests Starlette's router, CORS (it adds headers only when there is
    an Origin), compression (it skips query answers) and error middleware add nothing but time."""

    def __init__(self, app: Starlette, site: Site):
        self.app, self.site = app, site
        self.lean = RequestLog(self._handled(lambda request: endpoint.answer(site, request), hand_over=True))
        stored_query = next(route.endpoint for route in app.routes if getattr(route, "name", "") == "api-query")
        self.lean_api = RequestLog(self._handled(stored_query, hand_over=not site.settings.sparql_endpoint))

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"] == "/sparql" and _lean(scope):
            return await self.lean(scope, receive, send)
        if scope["type"] == "http" and (name := _lean_stored_query(scope)):
            scope["path_params"] = {"name": name}
            return await self.lean_api(scope, receive, send)
        if self.site.pages is not None and scope["type"] == "http" and _lean_page(scope):
            if (stored := stored_page(self.site.pages, Request(scope, receive))) is not None:
                scope[HAND_OVER] = True  # the next request may go to a worker, which has the pages too
                return await RequestLog(stored)(scope, receive, send)
        return await self.app(scope, receive, send)

    def _handled(self, handler, hand_over: bool):
        """ASGI around `handler(request) -> Response`, its errors in the app's one shape."""
        async def answer(scope, receive, send):
            scope["app"], started = self.app, []
            request = Request(scope, receive)

            async def sending(message):
                started.append(True)
                await send(message)
            try:
                response = await handler(request)
                if hand_over and getattr(request.state, "rows", None) is not None:  # a query answered: the next may go to a worker
                    scope[HAND_OVER] = True
                await response(scope, receive, sending)
            except Exception as error:
                if started:
                    raise
                handler_of = next(h for kind, h in ERROR_HANDLERS.items() if isinstance(error, kind))
                await (await handler_of(request, error))(scope, receive, send)
        return answer


def _lean_stored_query(scope) -> str | None:
    """The name in a GET of /api/queries/{name} without an Origin, else None."""
    name = scope["path"].removeprefix(STORED_QUERIES)
    if scope["method"] != "GET" or name == scope["path"] or not name or "/" in name or _has_origin(scope):
        return None
    return name


def _lean_page(scope) -> bool:
    return (scope["method"] in ("GET", "HEAD") and scope["path"].startswith(PATHS)
            and not asks_for_gzip(scope) and not _has_origin(scope))


def _lean(scope) -> bool:
    if scope["method"] == "GET" and b"query=" not in scope["query_string"]:
        return False
    return scope["method"] in ("GET", "POST") and not _has_origin(scope)


def _has_origin(scope) -> bool:
    return any(name == b"origin" for name, _ in scope["headers"])


# ---------------------------------------------------------------- errors, in one shape


def error_response(request: Request, status: int, code: str, message: str, detail: dict | None = None,
                   headers: dict | None = None) -> Response:
    """The one error shape: JSON, or plain text when the client prefers text/plain, or the same
    status, code and message as a page in the visitor's language for browsers (error_page.py)."""
    if wants_html(request):
        return error_page(request, status, code, message, detail, headers)
    body, media_type = error_content(request.headers.get("accept"), status, code, message, detail)
    return Response(body, status_code=status, media_type=media_type, headers=headers)


async def _library_error(request: Request, error: IctdError) -> Response:
    if isinstance(error, HttpError):
        return error_response(request, error.status, error.code, error.message, error.detail, error.headers)
    for kind, (status, code) in LIBRARY_ERRORS.items():
        if isinstance(error, kind):
            return error_response(request, status, code, str(error))
    return error_response(request, 500, "internal-error", str(error))


async def _starlette_error(request: Request, error: HTTPException) -> Response:
    code = {404: "not-found", 405: "method-not-allowed"}.get(error.status_code, "http-error")
    return error_response(request, error.status_code, code, str(error.detail), headers=error.headers)


async def _client_gone(request: Request, error: ClientDisconnect) -> Response:
    """The client left before its request was read: one line in the log, nothing to answer."""
    log.info("%s %s client disconnected before the request was read", request.method, request.url.path)
    return Response(status_code=400)


async def _unexpected_error(request: Request, error: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(request, 500, "internal-error", f"the server failed: {type(error).__name__}")


# the handlers of the errors our code raises, most specific first (Exception, the last, catches the rest)
ERROR_HANDLERS = {IctdError: _library_error, ClientDisconnect: _client_gone, Exception: _unexpected_error}


# ---------------------------------------------------------------- one log line per request


class RequestLog:
    """ASGI middleware logging method, path, status, milliseconds and rows of each request."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started, status = time.perf_counter(), [0]

        async def send_and_note(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)
        try:
            await self.app(scope, receive, send_and_note)
        finally:
            rows = scope.get("state", {}).get("rows")
            log.info("%s %s %d %.1f ms rows=%s", scope["method"], scope["path"], status[0] or 500,
                     (time.perf_counter() - started) * 1000, "-" if rows is None else rows)
