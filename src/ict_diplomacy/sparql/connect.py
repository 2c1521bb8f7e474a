"""Which engine runs the queries: `open_engine` reads the settings and starts it."""

from __future__ import annotations

import contextlib

from ..publish.release import Release
from ..settings import Settings
from .cache import CachingEngine
from .engine import Engine
from .preflight import Preflight
from .remote import RemoteEngine
from .text import service_targets
from .workers import WorkerEngine


async def open_engine(settings: Settings, release: Release | None, respond=None) -> Engine:
    """The engine the settings ask for: a remote endpoint, or workers over the release (with the
    answer cache unless it is switched off; never in remote mode, where the data may change
    under the same release). With `respond` (web/direct.py), the workers also answer connections
    of their own (connections.py; the engine's `connections`); in remote mode, the preflight's
    workers do, forwarding their queries themselves (forwarding.py)."""
    if settings.sparql_endpoint:
        return RemoteEngine(settings, await Preflight.start(settings, respond))
    if release is None:
        raise FileNotFoundError("no release to query; run `ict-diplomacy build` first")
    engine: Engine = await WorkerEngine.start(settings, release.path, respond=respond)
    if settings.service_allow:  # SERVICE to an allowed endpoint: its own lane, the only one with network
        lane = await WorkerEngine.start(settings.replace(workers=1, max_concurrent=1), release.path,
                                        reach=tuple(settings.service_allow))
        engine = Lanes(engine, lane)
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


class Lanes:
    """Two engines behind one: queries that call SERVICE (which the guard has checked against the
    allow-list) go to `federated`, whose workers may connect to the allow-listed endpoints only; every other query goes to
    `local`, whose workers cannot."""

    def __init__(self, local: Engine, federated: Engine):
        self.local, self.federated = local, federated
        self.connections = getattr(local, "connections", None)

    def _lane(self, sparql: str) -> Engine:
        return self.federated if service_targets(sparql) else self.local

    async def query(self, sparql: str, **options):
        return await self._lane(sparql).query(sparql, **options)

    async def triples(self, sparql: str, **options):
        return await self._lane(sparql).triples(sparql, **options)

    async def close(self) -> None:
        await self.local.close()
        await self.federated.close()
