"""Running the web app: the release to serve (built first when needed), uvicorn, shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from pathlib import Path

from ..project import Project
from ..publish import build, store
from ..publish.release import STORE_DIR, read_manifest
from ..settings import Settings
from .app import create_app
from .protocol import bounded_protocol
from .site import Site, open_site

log = logging.getLogger("ict_diplomacy.web")


def ensure_release(project: Project, release: Path | None, settings: Settings) -> Path | None:
    """The release to serve. An explicit one is served as it is; the project's own `dist` is
    built first when it is missing or older than the sources (not in remote mode)."""
    if release is not None:
        return release
    if env := os.environ.get("ICT_DIPLOMACY_DIST"):
        return Path(env)
    dist = project.dist
    if settings.sparql_endpoint:
        return dist if dist.exists() else None
    if problem := _unusable(project, dist):
        log.warning("building %s first: %s", dist, problem)
        build.build(project, dist)  # a failure here ends the command with its error, once
    return dist


def _unusable(project: Project, dist: Path) -> str:
    """Why the release cannot be served as it is (missing, stale or damaged), or ''."""
    try:
        manifest = read_manifest(dist)
        store.open_read_only(dist / STORE_DIR)
    except FileNotFoundError as error:  # StoreUnavailable is one too
        return str(error)
    if manifest.get("sources_sha256") != build.sources_fingerprint(project):
        return "it is older than the sources"
    damaged = [f["name"] for f in manifest["files"]
               if not (dist / f["name"]).is_file() or (dist / f["name"]).stat().st_size != f["bytes"]]
    return f"files missing or cut short: {', '.join(damaged)}" if damaged else ""


async def serve_site(settings: Settings, release: Path | None, host: str, port: int) -> None:
    import uvicorn
    site = await open_site(settings, release)
    try:
        app = create_app(site)
        app.router.lifespan_context = _closing(site)
        config = uvicorn.Config(app, host=host, port=port, http=bounded_protocol(settings.max_request_bytes + 2048),
                                loop="none", access_log=False, log_level="warning", lifespan="on")
        server = uvicorn.Server(config)
        log.info("serving %s on http://%s:%d/sparql (%s)", release or settings.sparql_endpoint, host, port,
                 f"remote {settings.sparql_endpoint}" if settings.sparql_endpoint else f"{settings.workers} workers")
        await server.serve()
    finally:
        await site.engine.close()


def _closing(site: Site):
    """A lifespan that stops the workers when uvicorn shuts down (before it re-raises the signal
    that stopped it, which would end the process before a `finally` could)."""
    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        await site.engine.close()
    return lifespan


def run(settings: Settings, release: Path | None, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve until interrupted, on uvloop."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        import uvloop
        uvloop.run(serve_site(settings, release, host, port))
    except ImportError:
        asyncio.run(serve_site(settings, release, host, port))
