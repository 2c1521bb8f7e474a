"""Which engine runs the queries: `open_engine` reads the settings and starts it."""

from __future__ import annotations

import contextlib

from ..publish.release import Release
from ..settings import Settings
from .cache import CachingEngine
from .engine import Engine
from .remote import RemoteEngine
from .workers import WorkerEngine


async def open_engine(settings: Settings, release: Release | None) -> Engine:
    """The engine the settings ask for: a remote endpoint, or workers over the release (with the
    answer cache unless it is switched off; never in remote mode, where the data may change
    under the same release)."""
    if settings.sparql_endpoint:
        return RemoteEngine(settings)
    if release is None:
        raise FileNotFoundError("no release to query; run `ict-diplomacy build` first")
    engine: Engine = await WorkerEngine.start(settings, release.path)
    if settings.answer_cache_mb:
        engine = CachingEngine(engine, settings.answer_cache_mb << 20, release.etag)
    return engine


@contextlib.asynccontextmanager
async def opened(settings: Settings, release: Release | None):
    """An engine for the length of a `with` block (a command, a test, a benchmark)."""
    engine = await open_engine(settings, release)
    try:
        yield engine
    finally:
        await engine.close()
