"""Running the web app: the release to serve (built first when needed), uvicorn, shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading
from pathlib import Path

from ..project import Project
from ..publish import build, store
from ..errors import DamagedRelease
from ..publish.release import MANIFEST, STORE_DIR, read_manifest, verify
from ..settings import Settings
from . import page_store, prerender
from .app import LeanSparql, create_app
from .direct import Respond
from .protocol import bounded_protocol
from .site import Site, open_site

log = logging.getLogger("ict_diplomacy.web")
RELEASE_CHECK_S = 5.0  # how often a running server looks whether a newer release was published


def ensure_release(project: Project, release: Path | None, settings: Settings) -> Path | None:
    """The release to serve, checked against its manifest (sizes and SHA-256 of every file). An
    explicit one is served as it is, or refused with DamagedRelease; the project's own `dist` is
    built first when it is missing, damaged or older than the sources (not in remote mode)."""
    explicit = release or (Path(env) if (env := os.environ.get("ICT_DIPLOMACY_DIST")) else None)
    if explicit is not None:
        _refuse_if_damaged(explicit, settings)
        return explicit
    dist = project.dist
    if settings.sparql_endpoint:
        if dist.exists():
            _refuse_if_damaged(dist, settings)
        return dist if dist.exists() else None
    if problem := _unusable(project, dist):
        log.warning("building %s first: %s", dist, problem)
        build.build(project, dist, derive=prerender.DERIVE)  # a failure here ends the command with its error, once
        _refuse_if_damaged(dist, settings)
    return dist


def _refuse_if_damaged(release: Path, settings: Settings) -> None:
    if not (release / MANIFEST).exists() and settings.sparql_endpoint:
        return  # remote mode without a local release: nothing to download, nothing to check
    if problems := verify(release):
        raise DamagedRelease(f"the release at {release} cannot be served: {'; '.join(problems)}. "
                             "Rebuild it with `ict-diplomacy build` (or restore its files)")


def _unusable(project: Project, dist: Path) -> str:
    """Why the release cannot be served as it is (missing, stale or damaged), or ''."""
    if problems := verify(dist):
        return "; ".join(problems)
    try:
        store.open_read_only(dist / STORE_DIR)
    except FileNotFoundError as error:  # StoreUnavailable is one too
        return str(error)
    if read_manifest(dist).get("sources_sha256") != build.sources_fingerprint(project):
        return "it is older than the sources"
    return page_store.stale(dist)


async def serve_site(settings: Settings, release: Path | None, host: str, port: int) -> None:
    import uvicorn
    site = await open_site(settings, release, Respond(settings) if settings.worker_connections else None)
    try:
        app = create_app(site)
        app.router.lifespan_context = _closing(site)
        protocol = bounded_protocol(settings.max_request_bytes + 2048, connections=getattr(site.engine, "connections", None),
                                    answers=site.answer_buffer(), read_s=site.read_s)
        config = uvicorn.Config(LeanSparql(app, site), host=host, port=port, http=protocol, loop="none",
                                access_log=False, log_level="warning", lifespan="on", server_header=False)
        server = uvicorn.Server(config)
        log.info("serving %s on http://%s:%d/sparql (%s)", release or settings.sparql_endpoint, host, port,
                 f"remote {settings.sparql_endpoint}" if settings.sparql_endpoint else f"{settings.workers} workers")
        watching = _announce_release(site, release)
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _exit_normally)
        try:
            await server.serve()
        finally:
            if watching:
                watching.cancel()
    finally:
        await site.close()


def _exit_normally(signum, frame) -> None:
    """SIGTERM as uvicorn raises it again once it has shut down: a clean exit (status 0, as a
    graceful stop is for systemd and Docker), so the interpreter's exit handlers run,
    multiprocessing's among them, which remove the semaphores of the workers' shared slots. Ended
    by the signal itself, the process left them to the resource tracker, which warned of "leaked
    semaphore objects" at every stop."""
    raise SystemExit(0)


def _closing(site: Site):
    """A lifespan that stops the workers when uvicorn shuts down (before it re-raises the signal
    that stopped it, which would end the process before a `finally` could)."""
    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        await site.close()
    return lifespan


def _announce_release(site: Site, link: Path | None) -> asyncio.Task | None:
    """Say which release this server serves and that it keeps it until it restarts (the release
    is pinned, so builds leave it in place); then watch the link and say when a newer release is
    published there."""
    if site.release is None:
        return None
    log.info("release %s (version %s, %s) from %s is pinned: builds leave it in place, and this server "
             "keeps serving it until it restarts", site.manifest.get("release"), site.manifest.get("version", "?"),
             site.manifest.get("version_status", "unversioned"), site.release)
    if link is None or not link.is_symlink():
        return None
    return asyncio.create_task(_watch_link(link, site.release))


async def _watch_link(link: Path, served: Path, every_s: float = RELEASE_CHECK_S) -> None:
    announced = served
    while True:
        await asyncio.sleep(every_s)
        with contextlib.suppress(OSError):
            now = link.resolve()
            if now != announced and now.is_dir():
                announced = now
                log.warning("%s now points at release %s; this server keeps serving %s until it restarts",
                            link, now.name, served.name)


def run(settings: Settings, release: Path | None, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve until interrupted, on uvloop."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        import uvloop
        uvloop.run(serve_site(settings, release, host, port))
    except ImportError:
        asyncio.run(serve_site(settings, release, host, port))
