"""HTTP for every route: the representation a request asks for (`?format=`, an extension, or
Accept, through the one negotiator of formats.py), and conditional requests (ETag, 304)."""

from __future__ import annotations

from starlette.requests import Request

from ..errors import NotAcceptable
from ..formats import Format, named, negotiate, shorten


def not_acceptable(offers: list[Format], asked: str) -> NotAcceptable:
    listed = ", ".join(f"{f.media_type} (?format={f.extension})" for f in offers)
    return NotAcceptable(f"no representation matches {asked}; available: {listed}",
                         [f.media_type for f in offers])


def pick_format(request: Request, offers: list[Format], extension: str | None = None) -> tuple[Format, bool]:
    """The representation to send and whether it was negotiated (False: named by the URL)."""
    asked = extension or request.query_params.get("format")
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
