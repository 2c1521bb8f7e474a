"""Retired identifiers answer for good: 301 to what replaced a merged resource, 410 Gone for one
removed, each from the release's retired.json (publish/retired.py: the records of
data/retired.ttl, and identifiers that vanished since a published version). People get a page
in ja or en saying why; programs get the redirect, or the one error shape with the reason."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..errors import Gone
from ..formats import HTML, Format
from ..publish import retired
from .html import page
from .http import pick_format
from .i18n import pick_language
from .views import href

CACHE = "public, max-age=86400"


class Retirements:
    """The retired identifiers of the release a site serves."""

    def __init__(self, site):
        self.table = retired.read(site.release)

    def answer(self, request: Request, iri: str, extension: str | None, formats: list[Format]) -> Response | None:
        """The 301 or 410 for a retired `iri`, or None for any other."""
        entry = self.table.get(iri)
        if entry is None:
            return None
        fmt, _ = pick_format(request, formats, extension)
        now = href(entry["replaced_by"]) + (f".{extension}" if extension else "") if entry["replaced_by"] else None
        headers = {"Cache-Control": CACHE, "Vary": "Accept, Accept-Language, Cookie"}
        if fmt is HTML:
            lang = pick_language(request)
            return page("retired.html", request, lang, status=301 if now else 410, iri=iri, entry=entry, now=now,
                        headers={**headers, **({"Location": now} if now else {})})
        if now:
            return RedirectResponse(now, status_code=301, headers=headers)
        raise Gone(f"<{iri}> was retired: " + (entry["reason"].get("en") or "it is no longer in the data"),
                   detail={"reason": entry["reason"], "last_version": entry["last_version"],
                           "last_dump": f"/dumps/{entry['last_version']}/ict-diplomacy.nt.gz" if entry["last_version"] else None},
                   headers=headers)
