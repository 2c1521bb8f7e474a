"""The explicit state the web app is built from: settings, the engine, the release it serves."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..publish.release import Release
from ..settings import Settings
from ..sparql.connect import open_engine
from ..sparql.engine import Engine


@dataclass
class Site:
    settings: Settings
    engine: Engine
    release: Path | None          # the local release dir (dumps, manifest, catalog files); None if unavailable
    manifest: dict
    etag: str                     # strong ETag of the release, e.g. '"<release id>"'
    opened: Release | None = None  # the release as opened (pinned by a server until close())

    async def close(self) -> None:
        """Stop the engine and unpin the release."""
        await self.engine.close()
        if self.opened is not None and self.opened.pin is not None:
            self.opened.pin.release()


def site_of(settings: Settings, engine: Engine, release: Release | None) -> Site:
    if release is None:
        return Site(settings, engine, None, {}, '"no-release"')
    return Site(settings, engine, release.path, release.manifest, release.etag, release)


async def open_site(settings: Settings, release: Path | None) -> Site:
    """The site over the release at `release` (a link), pinned (see publish/release.py), with the
    engine the settings ask for."""
    found = Release.find(release, pinned=True)
    return site_of(settings, await open_engine(settings, found), found)
