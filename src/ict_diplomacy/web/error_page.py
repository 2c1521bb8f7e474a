"""Errors as pages for people: a browser (a request that names text/html before JSON and plain
text) gets an HTML page in its language with the same status, code and message as the one JSON
error shape of app.py, what it means, and a way back. Everything else keeps the JSON shape."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..formats import parse_accept
from .html import page
from .i18n import pick_language

PAGE_TYPES = ("text/html", "application/xhtml+xml")
OTHER_TYPES = ("application/json", "text/plain", "text/*", "*/*")


def wants_html(request: Request) -> bool:
    """True when the first range of Accept that names a page or another form of the error is a page."""
    for media, q in parse_accept(request.headers.get("accept")):
        if q > 0 and media in PAGE_TYPES:
            return True
        if q > 0 and (media in OTHER_TYPES or media.endswith("json")):
            return False
    return False


def back_link(request: Request) -> str | None:
    """The page the visitor came from, when it is a page of this site."""
    referrer, origin = request.headers.get("referer", ""), str(request.base_url)
    return referrer if referrer.startswith(origin) and referrer != str(request.url) else None


def error_page(request: Request, status: int, code: str, message: str, detail: dict | None,
               headers: dict | None) -> Response:
    lang = pick_language(request)
    headers = {**(headers or {}), "Cache-Control": "no-store"}  # the way back depends on the Referer
    return page("error.html", request, lang, status=status, headers=headers, error_status=status, code=code,
                message=message, detail=detail or {}, back=back_link(request),
                retry_after=headers.get("Retry-After"))
