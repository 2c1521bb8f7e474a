"""The explicit state the web app is built from: settings, the engine, the release it serves."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from starlette.responses import Response

from .. import formats
from ..publish.release import Release
from ..settings import Settings
from ..sparql.connect import open_engine
from ..sparql.engine import Engine, QueryResult
from ..sparql.queries import Instances
from .http import AnswerBuffer, HeldResponse
from .page_store import PageStore


@dataclass
class Site:
    settings: Settings
    engine: Engine
    release: Path | None          # the local release dir (dumps, manifest, catalog files); None if unavailable
    manifest: dict
    etag: str                     # strong ETag of the release, e.g. '"<release id>"'
    opened: Release | None = None  # the release as opened (pinned by a server until close())
    answers: AnswerBuffer | None = None  # the bytes of answers held for clients (answer_buffer_mb)
    pages: PageStore | None = None  # the release's resource pages, rendered at build time (page_store.py)
    known: Instances | None = None  # the instances of the stored queries' parameter classes (see `instances`)

    async def close(self) -> None:
        """Stop the engine and unpin the release."""
        await self.engine.close()
        if self.pages is not None:
            self.pages.db.close()
        if self.opened is not None and self.opened.pin is not None:
            self.opened.pin.release()

    def answer(self, result: QueryResult, headers: dict[str, str]) -> Response:
        """A query's answer, counted in the answer buffer while the client reads it."""
        fmt = formats.by_media_type(result.media_type)
        return HeldResponse(result.body, self.answer_buffer(), self.read_s,
                            media_type=fmt.content_type if fmt else result.media_type, headers=headers)

    def instances(self) -> Instances | None:
        """The parameter classes' instances, read once from a release (never in remote mode, where
        the data may change): a stored query's parameter is then checked without a query."""
        if self.release is None or self.settings.sparql_endpoint:
            return None
        if self.known is None or self.known.engine is not self.engine:
            self.known = Instances(self.engine)
        return self.known

    def answer_buffer(self) -> AnswerBuffer:
        if self.answers is None:
            self.answers = AnswerBuffer(self.settings.answer_buffer_mb << 20)
        return self.answers

    @property
    def read_s(self) -> float:
        """How long a client may take to read an answer."""
        return 2 * self.settings.query_timeout


def site_of(settings: Settings, engine: Engine, release: Release | None) -> Site:
    if release is None:
        return Site(settings, engine, None, {}, '"no-release"')
    return Site(settings, engine, release.path, release.manifest, release.etag, release)


async def open_site(settings: Settings, release: Path | None, respond=None) -> Site:
    """The site over the release at `release` (a link), pinned (see publish/release.py), with the
    engine the settings ask for (its workers answering connections of their own with `respond`: direct.py)."""
    found = Release.find(release, pinned=True)
    site = site_of(settings, await open_engine(settings, found, respond), found)
    site.pages = PageStore.open(site.release, settings, site.etag)
    return site
