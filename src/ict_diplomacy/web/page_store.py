"""Pages written once per release: every representation of every resource under `/id/` and
`/ontology/`, rendered at build time by the app itself (prerender.py) and answered from one
SQLite file in the release (`pages.sqlite`). A release never changes, so dereferencing a
resource can cost a lookup instead of a description query, a sort and a page render.

A stored page is byte for byte what the app answers to `GET {path}` with the Accept header of its
format (HTML: with `?lang=ja` or `?lang=en`), headers included. It is used only where the live
answer would be the same: HTML only at the resource's own path (no extension, no query but
`lang`), only by the code that wrote it (`code_stamp`: a hash of this package's files), and only
under the settings that shape its pages (`public_url`, `cors`). Anything else is rendered live."""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from functools import lru_cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from ..errors import HttpError, NotFound
from ..formats import HTML
from ..project import BASE
from ..settings import Settings
from .deref import FORMATS, resource_iri, split_extension
from .http import not_modified, pick_format, query_params
from .i18n import LANGUAGES, pick_language

log = logging.getLogger("ict_diplomacy.web")

FILE = "pages.sqlite"
PREFIXES = ("id", "ontology")  # the resources under /id/… and /ontology/… (deref.routes)
PATHS = tuple(f"/{prefix}/" for prefix in PREFIXES)
MMAP_BYTES = 1 << 32
OTHER_CODE = "written by other code"
KEPT_HEADERS = ("vary", "etag", "content-location", "link")  # and the media type; the length is counted again
SCHEMA = """PRAGMA page_size = 65536;  -- a page's body in one or two database pages: a lookup took 14 us with 4 kB pages, 6 with 64
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE pages (iri TEXT, variant TEXT, media_type TEXT, headers TEXT, body BLOB, PRIMARY KEY (iri, variant))
    WITHOUT ROWID;"""


@lru_cache(maxsize=1)
def code_stamp() -> str:
    """What the stored pages depend on besides the release and the settings: this package's code,
    templates, texts and own static files (the pages link those by a hash of their content; the
    vendored files of web/node_modules appear only on the query editor's page, never stored)."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    for path in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def serving(settings: Settings) -> str:
    """The settings that shape a page: the origin of its canonical links (html.public_origin) and
    CORS (its middleware adds to `Vary`)."""
    return json.dumps({"origin": (settings.public_url or BASE).rstrip("/"), "cors": settings.cors})


def variants() -> list[tuple[str, str, dict[str, str]]]:
    """(variant key, query string, request headers) of each representation stored per resource."""
    found = [(f"html-{lang}", f"lang={lang}", {"accept": HTML.media_type}) for lang in LANGUAGES]
    return found + [(f.extension, "", {"accept": f.media_type}) for f in FORMATS if f is not HTML]


def stale(release: Path) -> str:
    """Why the release's stored pages are not this code's, or '' (also when it has none: built
    with `--no-pages`)."""
    if not (release / FILE).exists():
        return ""
    store = PageStore(release / FILE)
    try:
        why = store.unusable()
    finally:
        store.db.close()
    if why == OTHER_CODE:  # without a release or settings, the only other answers are None and "unreadable: …"
        return "its pages were rendered by other code"
    return f"its {FILE} is {why}" if why else ""


class PageStore:
    """The stored pages of one release, read-only."""

    def __init__(self, path: Path):
        self.db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        self.db.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")  # pages are read from the mapped file, not copied in

    @classmethod
    def open(cls, release: Path | None, settings: Settings, etag: str, warn: bool = True) -> "PageStore | None":
        """The release's page store when this code wrote it for this release, else None (logged
        with `warn`)."""
        if release is None or settings.sparql_endpoint:
            return None
        if not (release / FILE).exists():
            if warn:
                log.info("%s has no %s (built with --no-pages): resource pages are rendered for each request",
                         release, FILE)
            return None
        store = cls(release / FILE)
        if (why := store.unusable(settings, etag)) is not None:
            if warn:
                log.warning("%s is not used (%s): resource pages are rendered for each request", release / FILE, why)
            store.db.close()
            return None
        return store

    def meta(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT key, value FROM meta"))

    def unusable(self, settings: Settings | None = None, etag: str | None = None) -> str | None:
        """Why this store cannot serve, or None; the release and the settings checked when given."""
        try:
            meta = self.meta()
        except sqlite3.DatabaseError as error:
            return f"unreadable: {error}"
        if etag is not None and meta.get("release") != etag:
            return "written for another release"
        if meta.get("code") != code_stamp():
            return OTHER_CODE
        if settings is not None and meta.get("serving") != serving(settings):
            return f"written for the settings {meta.get('serving')}, not {serving(settings)}"
        return None

    def response(self, request: Request, iri: str, extension: str | None) -> Response | None:
        """The stored answer to `request` for `iri`, or None where the live one could differ."""
        try:
            fmt, _ = pick_format(request, list(FORMATS), extension)
        except HttpError:
            return None
        if fmt is HTML:
            if extension or any(name != "lang" for name in query_params(request)):
                return None
            key = f"html-{pick_language(request)}"
        else:
            key = fmt.extension
        row = self.db.execute("SELECT media_type, headers, body FROM pages WHERE iri = ? AND variant = ?",
                              (iri, key)).fetchone()
        if row is None:
            return None
        media_type, headers, body = row[0], json.loads(row[1]), row[2]
        if not_modified(request, headers["etag"]):
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=media_type, headers=headers)


def stored_page(pages: PageStore | None, request: Request) -> Response | None:
    """The stored answer to a GET or HEAD of a resource path (see `PageStore.response`)."""
    prefix, slash, rest = request.scope["path"][1:].partition("/")
    if pages is None or not slash or prefix not in PREFIXES:
        return None
    stem, extension = split_extension(rest)
    try:
        iri = resource_iri(prefix, stem)
    except NotFound:
        return None
    return pages.response(request, iri, extension)
