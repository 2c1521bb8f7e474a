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


def site_of(settings: Settings, engine: Engine, release: Release | None) -> Site:
    if release is None:
        return Site(settings, engine, None, {}, '"no-release"')
    return Site(settings, engine, release.path, release.manifest, release.etag)


async def open_site(settings: Settings, release: Path | None) -> Site:
    """The site over the release at `release` (a link), with the engine the settings ask for."""
    found = Release.find(release)
    return site_of(settings, await open_engine(settings, found), found)
