"""What a query worker answers on a connection of its own (sparql/connections.py): a query to
/sparql that needs nothing but the store (in remote mode: nothing but the check on no data and the
upstream, sparql/forwarding.py), a GET of a resource the release has a stored page for
(page_store.py), and a stored query through the API (direct_api.py), answered with the bytes the
server process would send.

Anything else gets None, and the request goes back to the server process untouched: another path,
HEAD, HTTP/1.0 or `Connection: close`, an Origin (CORS), a browser (an HTML error page may be due),
a dataset, a `timeout`, a SERVICE, a request in pieces or two in one read, and every refusal before
the query runs, which the server process then meets and words as always. So this module speaks
the plain path of endpoint.py, through the same parameter readers, and writes the same headers;
an error of the evaluation itself is answered here, in the one error shape (error_content)."""

from __future__ import annotations

import logging
import os
import sys
import time
from email.utils import formatdate
from http import HTTPStatus
from pathlib import Path
from urllib.parse import unquote

import httptools
from starlette.requests import Request

from .. import formats
from ..publish.release import Release
from ..settings import Settings
from ..sparql.answer import answer, rebuild_error
from ..sparql.cache import AnswerCache, cacheable
from ..sparql.worker_loop import MORE, Pending
from ..sparql.forwarding import Link, forward
from ..sparql.text import guard, may_call_out
from .endpoint import FORM, QUERY_BODY, add_body_params, body_kind, requested_format, url_params
from .compress import asks_for_gzip
from .direct_api import PREFIX, StoredQueries
from .http import error_content
from .page_store import PATHS, PageStore, stored_page
from .sparql_page import catalogue

log = logging.getLogger("ict_diplomacy.web")
LOG_FORMAT = "%(asctime)s %(levelname)s %(message)s"
_NOT_HERE = (b"origin", b"expect", b"upgrade", b"transfer-encoding")
_KEPT_PARAMS = {"query", "format", "output"}


class _Request:
    """One HTTP request as httptools reads it (the parser's callbacks)."""

    def __init__(self):
        self.url, self.headers, self.body, self.begun, self.complete = b"", {}, b"", 0, 0

    def on_message_begin(self) -> None:
        self.begun += 1

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.lower()] = value

    def on_body(self, body: bytes) -> None:
        self.body += body

    def on_message_complete(self) -> None:
        self.complete += 1


class Respond:
    """Called in the worker with the store and the bytes read from a connection: the whole HTTP
    response, None to hand the request back, or MORE for the start of one. Picklable: it travels
    to the worker at spawn."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.cache: AnswerCache | None = None
        self.pages: PageStore | None = None
        self.api: StoredQueries | None = None
        # read here, in the server process, and sent to the workers: one started later answers as the server does
        self.catalogue = None if settings.sparql_endpoint else catalogue()
        self._second, self._pid, self._plain_log = (0, "", ""), 0, False

    def __call__(self, store, data: bytes, link: Link | None = None) -> bytes | Pending | None:
        started = time.perf_counter()
        request = _parse(data)
        if request is None or request is MORE:
            return request
        if self.pages is not None and (page := self._page(request, started)) is not None:
            return page
        if self.api is not None and (stored := self._stored_query(store, request, started)) is not None:
            return stored
        if (found := self._query(request)) is None:
            return None
        text, accept, method, accept_header = found
        if not self.settings.sparql_endpoint:
            return self._replied(self._answered(store, text, accept), method, accept_header, started)
        if link is None or (upstream := forward(store, link, text, accept, self.settings)) is None:
            return None
        return Pending(upstream.sock, lambda: self._replied(upstream.advance(), method, accept_header, started), data)

    def _replied(self, reply: tuple | None, method: str, accept_header: str, started: float):
        """The HTTP response to a query's reply (None and MORE pass through), logged."""
        if reply is None or reply is MORE:
            return reply
        if reply[0] == "ok" and self._too_large(reply[1]["body"]):
            return None
        if reply[0] == "ok":
            status, rows, response = 200, reply[1]["rows"], self._answer(reply[1])
        else:  # the evaluation's error, worded as the server process would (evaluating again would cost as much)
            error = rebuild_error(*reply[1:])
            status, rows, response = error.status, None, self._error(error, accept_header)
        self._log(f"{method} /sparql {status} {(time.perf_counter() - started) * 1000:.1f} ms "
                  f"rows={'-' if rows is None else rows} (worker {self._pid})")
        return response

    def start(self, release: str | None = None) -> None:
        """In the worker, once: its log lines look like the server's, its share of the answer cache,
        the stored pages of the release it serves and the stored-query API over its store."""
        if not logging.getLogger().handlers:
            logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
            self._plain_log = True
        logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False  # LOG_FORMAT shows none
        self._pid = os.getpid()
        if self.settings.answer_cache_mb and not self.settings.sparql_endpoint:  # remote data may change
            self.cache = AnswerCache((self.settings.answer_cache_mb << 20) // max(1, self.settings.workers))
        if not release:
            return
        opened = Release.open(Path(release))
        self.pages = PageStore.open(opened.path, self.settings, opened.etag, warn=False)
        if self.catalogue is not None:
            try:
                self.api = StoredQueries(self.settings, opened, self.catalogue, self._answered)
            except Exception as error:  # noqa: BLE001 - the server process answers the API then
                log.warning("a query worker leaves the stored-query API to the server process: %s", error)

    def _answered(self, store, text: str, accept: str) -> tuple:
        key = (text, accept)
        reply = self.cache.get(key) if self.cache is not None else None
        if reply is None:
            reply = answer(store, {"op": "serialize", "query": text, "accept": accept, "dataset": None,
                                   "max_rows": self.settings.max_rows, "max_bytes": self.settings.max_answer_bytes})
            if reply[0] == "ok" and self.cache is not None and cacheable(text):
                self.cache.put(key, reply, len(reply[1]["body"]) + len(text))
        return reply

    def companion(self, sock, note: bytes, shared) -> Link:
        """In remote mode: the connection to the upstream sent along with a client's (connections.py)."""
        return Link.made(sock, note, self.settings, shared)

    def _page(self, request, started: float) -> bytes | None:
        """The stored page a plain GET asks for, or None."""
        scope = _get_scope(request, PATHS)
        if scope is None or asks_for_gzip(scope) or (response := stored_page(self.pages, Request(scope))) is None:
            return None
        return self._starlette(scope, response, None, started)

    def _stored_query(self, store, request, started: float) -> bytes | None:
        """A stored query's answer through the API (direct_api.py), or None."""
        scope = _get_scope(request, (PREFIX,))
        if scope is None or (found := self.api.respond(store, scope)) is None:
            return None
        response, rows = found
        return None if self._too_large(response.body) else self._starlette(scope, response, rows, started)

    def _too_large(self, body: bytes) -> bool:
        """More than the server holds for slow readers: its 503 is the server process's to send."""
        return len(body) > self.settings.answer_buffer_mb << 20

    def _starlette(self, scope: dict, response, rows: int | None, started: float) -> bytes:
        """A Starlette response as HTTP bytes, logged."""
        self._log(f"GET {scope['path']} {response.status_code} {(time.perf_counter() - started) * 1000:.1f} ms "
                  f"rows={'-' if rows is None else rows} (worker {self._pid})")
        headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in response.raw_headers]
        return self._http(response.status_code, headers, response.body)

    def _query(self, request) -> tuple[str, str, str, str] | None:
        """(query text, Accept value, method, Accept header) of a plain query, or None."""
        parser, parsed = request
        method = parser.get_method()
        path, _, query_string = parsed.url.partition(b"?")
        accept = parsed.headers.get(b"accept", b"*/*").decode("latin-1")
        if path != b"/sparql" or method not in (b"GET", b"POST") or "html" in accept:
            return None
        try:
            params = url_params(query_string.decode("latin-1"), self.settings.max_request_bytes)
            if method == b"POST":
                kind = body_kind(parsed.headers.get(b"content-type", b"").decode("latin-1"))
                if len(parsed.body) > self.settings.max_request_bytes or kind not in (FORM, QUERY_BODY):
                    return None
                add_body_params(params, kind, parsed.body)
            queries = params.get("query", [])
            if set(params) - _KEPT_PARAMS or len(queries) != 1 or not queries[0].strip() or may_call_out(queries[0]):
                return None
            guard(queries[0], self.settings)
            return queries[0], requested_format(accept, params), method.decode(), accept
        except Exception:  # noqa: BLE001 - every refusal is the server process's to word
            return None

    def _answer(self, payload: dict) -> bytes:
        fmt = formats.by_media_type(payload["media_type"])
        headers = {"vary": "Accept", "x-sparql-rows": str(payload["rows"]), "cache-control": "no-cache"}
        if payload["truncated"]:
            headers["x-sparql-truncated"] = "true"
        return self._response(200, headers, payload["body"], fmt.content_type if fmt else payload["media_type"])

    def _error(self, error, accept: str) -> bytes:
        body, media_type = error_content(accept, error.status, error.code, error.message, error.detail)
        return self._response(error.status, {k.lower(): v for k, v in (error.headers or {}).items()}, body, media_type)

    def _response(self, status: int, headers: dict[str, str], body: bytes, media_type: str) -> bytes:
        return self._http(status, [*headers.items(), ("content-length", str(len(body))), ("content-type", media_type)],
                          body)

    def _http(self, status: int, headers: list[tuple[str, str]], body: bytes) -> bytes:
        head = f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\ndate: {self._clock(int(time.time()))[0]}\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers)
        return (head + "\r\n").encode("latin-1") + body

    def _log(self, message: str) -> None:
        """A request's line, as the worker's logging writes it with LOG_FORMAT (start), in a sixth of
        its time: its record, caller lookup and formatter cost as much as a lookup query."""
        if not self._plain_log:
            log.info(message)
            return
        now = time.time()
        sys.stderr.write(f"{self._clock(int(now))[1]},{int(now % 1 * 1000):03d} INFO {message}\n")

    def _clock(self, second: int) -> tuple[str, str]:
        """The HTTP date and the log's time of a second, computed once a second."""
        if self._second[0] != second:
            self._second = (second, formatdate(second, usegmt=True), time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second)))
        return self._second[1:]


def _get_scope(request, paths: tuple[str, ...]) -> dict | None:
    """The ASGI scope of a GET of a path starting with one of `paths`, or None."""
    parser, parsed = request
    path, _, query_string = parsed.url.partition(b"?")
    if parser.get_method() != b"GET" or not path.isascii() or not path.decode("ascii").startswith(paths):
        return None
    return {"type": "http", "method": "GET", "path": unquote(path.decode("ascii")), "query_string": query_string,
            "headers": list(parsed.headers.items())}


def _parse(data: bytes):
    """(parser, request) when `data` is exactly one complete keep-alive HTTP/1.1 request with
    none of the headers this path leaves to the server process; MORE when it is the start of one;
    else None."""
    parsed = _Request()
    parser = httptools.HttpRequestParser(parsed)
    try:
        parser.feed_data(data)
    except httptools.HttpParserError:
        return None
    if parsed.begun == 1 and not parsed.complete:
        return MORE
    if parsed.begun != 1 or parsed.complete != 1 or parser.get_http_version() != "1.1" or not parser.should_keep_alive():
        return None
    if any(name in parsed.headers for name in _NOT_HERE):
        return None
    return parser, parsed
