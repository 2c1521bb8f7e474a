"""Front-end files from the npm registry, vendored at setup so the pages work with no internet.

`web/package.json` and `web/package-lock.json` pin them (YASGUI for the query editor, world-atlas
for the map); `ensure_assets(project)` runs `npm ci --prefix web` when `web/node_modules` is
missing (called by `ict-diplomacy serve` and by .ci/run). The server hands out only the files of
a fixed allow-list, under `/static/vendor/{name}`, and our own files under `/static/{name}` (and the
older `/static/ictd/{name}`); any other name is a 404, so no path from a request ever reaches the
file system. Pages link them with `static_url(name)`, which adds `?v=` and a hash of the file: a
request carrying the current hash is cached for a year as immutable, any other for an hour."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

from ..errors import NotFound
from ..project import Project
from .http import query_params

log = logging.getLogger("ict_diplomacy.assets")

# name under /static/vendor/ → path under web/node_modules/
VENDOR = {
    "yasgui/yasgui.min.js": "@zazuko/yasgui/build/yasgui.min.js",
    "yasgui/yasgui.min.css": "@zazuko/yasgui/build/yasgui.min.css",
    "world-atlas/countries-110m.json": "world-atlas/countries-110m.json",
    "world-atlas/countries-50m.json": "world-atlas/countries-50m.json",
}
# name under /static/ictd/ → file in this package's static/
OWN = {"query.js": "query.js", "visuals.css": "visuals.css", "favicon.svg": "favicon.svg", "site.css": "site.css"}
MEDIA = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".json": "application/json",
         ".svg": "image/svg+xml"}
NPM_TIMEOUT_S = 600
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=3600"


def web_dir(project: Project) -> Path:
    return project.root / "web"


def node_modules(project: Project) -> Path:
    return web_dir(project) / "node_modules"


def missing(project: Project) -> list[str]:
    """The allow-listed vendor files that are not installed."""
    return [name for name, path in VENDOR.items() if not (node_modules(project) / path).is_file()]


def ensure_assets(project: Project) -> bool:
    """Install the pinned front-end packages with `npm ci --prefix web` when any allow-listed file
    is missing. True when every file is there afterwards; a failure is logged, not raised: the
    server still starts, and the pages that need the files say what to run."""
    if not missing(project):
        return True
    lock = web_dir(project) / "package-lock.json"
    npm = shutil.which("npm")
    if not lock.exists() or npm is None:
        log.warning("front-end packages missing (%s) and %s; the query editor and map need them",
                    ", ".join(missing(project)), "no web/package-lock.json" if npm else "npm is not installed")
        return False
    log.warning("installing the front-end packages: npm ci --prefix %s", web_dir(project))
    command = [npm, "ci", "--prefix", str(web_dir(project)), "--no-audit", "--no-fund"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=NPM_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        log.warning("npm ci failed: %s", error)
        return False
    if done.returncode != 0:
        log.warning("npm ci failed (exit %d): %s", done.returncode, done.stderr.strip()[-2000:])
    return not missing(project)


def vendor_file(project: Project, name: str) -> Path | None:
    """The installed file of an allow-listed name; None when the name is not listed or not installed."""
    relative = VENDOR.get(name)
    if relative is None:
        return None
    path = node_modules(project) / relative
    return path if path.is_file() else None


def own_file(name: str) -> Path | None:
    relative = OWN.get(name)
    path = Path(__file__).parent / "static" / relative if relative else None
    return path if path is not None and path.is_file() else None


@lru_cache(maxsize=4)
def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=32)
def _version(path: Path, modified: float) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def version(path: Path) -> str:
    """A short hash of the file's bytes (recomputed when the file changes)."""
    return _version(path, path.stat().st_mtime)


def static_url(name: str) -> str:
    """The URL of one of our static files, or `vendor/…` of a vendored one, with its version."""
    if name.startswith("vendor/"):
        path = vendor_file(Project.find(), name.removeprefix("vendor/"))
    else:
        path = own_file(name)
    url = f"/static/{name}"
    return f"{url}?v={version(path)}" if path is not None else url


def _file_response(request: Request, path: Path | None, name: str) -> Response:
    if path is None:
        raise NotFound(f"no static file {name!r} (vendored files need `npm ci --prefix web`)")
    cache = IMMUTABLE if query_params(request).get("v") == version(path) else SHORT
    return FileResponse(path, media_type=MEDIA.get(path.suffix, "application/octet-stream"),
                        headers={"Cache-Control": cache})


def routes(project: Project) -> list[BaseRoute]:
    """`/static/vendor/{name}`, `/static/{name}` and `/static/ictd/{name}`, allow-listed names only."""

    async def vendor(request: Request) -> Response:
        name = request.path_params["name"]
        return _file_response(request, vendor_file(project, name), name)

    async def own(request: Request) -> Response:
        name = request.path_params["name"]
        return _file_response(request, own_file(name), name)

    async def favicon(request: Request) -> Response:
        return _file_response(request, own_file("favicon.svg"), "favicon.svg")

    return [Route("/static/vendor/{name:path}", vendor, methods=["GET", "HEAD"], name="static-vendor"),
            Route("/static/ictd/{name:path}", own, methods=["GET", "HEAD"], name="static-ictd"),
            Route("/static/{name:path}", own, methods=["GET", "HEAD"], name="static-own"),
            Route("/favicon.ico", favicon, methods=["GET", "HEAD"], name="favicon")]
