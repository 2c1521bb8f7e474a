"""The one build: parse → validate → Oxigraph store → dumps → manifest, published atomically.

A release is written into a fresh directory beside the output; only when everything is written
does the output symlink swap to it (one rename). A failed or interrupted build leaves the previous
release, store and dumps untouched."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from .. import __version__

from . import catalog, dumps, linkstats, sources, store
from ..errors import BuildError, ValidationFailed
from ..project import ONTOLOGY_IRI, Project
from .validate import validate

KEEP_RELEASES = 2
STORE_DIR = "store"
MANIFEST = "manifest.json"

Progress = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Step:
    progress: Progress
    timings: dict[str, float]

    def run(self, name: str, work: Callable, describe: Callable[[object], str] = lambda _: ""):
        started = time.perf_counter()
        self.progress(f"{name} …")
        result = work()
        self.timings[name] = round(time.perf_counter() - started, 3)
        detail = describe(result)
        self.progress(f"{name}: {detail + ', ' if detail else ''}{self.timings[name]:.2f} s")
        return result


def releases_dir(out: Path) -> Path:
    return out.parent / f".{out.name}-releases"


def sources_fingerprint(project: Project) -> str:
    """A hash of every source file, to tell whether a release is older than its sources."""
    digest = hashlib.sha256()
    for path in project.source_files():
        digest.update(str(path.relative_to(project.root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def build(project: Project, out: Path | None = None, progress: Progress = _stderr) -> dict:
    """Build and publish a release; returns its manifest. Raises ValidationFailed or BuildError."""
    out = Path(out or project.dist).absolute()
    if out.exists() and not out.is_symlink():
        raise BuildError(f"{out} exists and is not a release link made by a build; move it away first")
    step = Step(progress, {})
    parsed = step.run("parse", lambda: sources.load(project),
                      lambda s: f"{s.file_count()} files, {len(s.published)} triples")
    report = step.run("validate", lambda: validate(project, parsed), lambda r: r.summary())
    if not report.conforms:
        raise ValidationFailed(report)
    triples = parsed.published
    started = datetime.now(timezone.utc)
    release_id = started.strftime("%Y%m%dT%H%M%S%fZ")
    releases = releases_dir(out)
    releases.mkdir(parents=True, exist_ok=True)
    staging = releases / f".staging-{release_id}-{os.getpid()}"
    try:
        staging.mkdir()
        step.run("load", lambda: store.create(staging / STORE_DIR, triples), lambda _: f"{len(triples)} triples")
        files = step.run("dump", lambda: dumps.write_all(staging, triples),
                         lambda fs: ", ".join(f.name for f in fs))
        report = step.run("links", lambda: linkstats.write(project, staging, parsed), lambda p: p.name)
        manifest = step.run("catalog", lambda: _write_manifest(
            project, staging, files + catalog.write_all(staging, triples, files, started) + [report],
            triples, started, release_id, step.timings))
        final = releases / release_id
        staging.rename(final)
    except BaseException as error:  # interrupted or failed: nothing of this build stays
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(error, (KeyboardInterrupt, SystemExit, BuildError)):
            raise
        raise BuildError(f"build failed while writing the release: {error}") from error
    _publish(out, final)
    _prune(releases, keep=final)
    progress(f"published {out} -> {final.name}")
    return manifest


def _write_manifest(project: Project, directory: Path, files: list[Path], triples: list[ox.Triple],
                    started: datetime, release_id: str, timings: dict[str, float]) -> dict:
    manifest = {
        "dataset": "https://w3id.org/ict-diplomacy/",
        "release": release_id,
        "built": started.isoformat(timespec="seconds"),
        "builder": f"ict-diplomacy {__version__}",
        "ontology_version": _ontology_version(triples),
        "triples": len(triples),
        "sources_sha256": sources_fingerprint(project),
        "files": [dumps.describe_file(f) for f in files],  # dumps, catalog.*, void.* and links.json
        "timings_s": timings,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def _ontology_version(triples: list[ox.Triple]) -> str:
    for t in triples:
        if t.subject.value == ONTOLOGY_IRI and t.predicate.value.endswith("#versionInfo"):
            return t.object.value
    return ""


def _publish(out: Path, release: Path) -> None:
    """Point `out` at `release` with one atomic rename of a symlink."""
    for stale in out.parent.glob(f".{out.name}.link-*"):  # left by a build killed while swapping
        if not _pid_alive(stale.name.rsplit("-", 1)[-1]):
            stale.unlink(missing_ok=True)
    link = out.parent / f".{out.name}.link-{os.getpid()}"
    link.unlink(missing_ok=True)
    link.symlink_to(os.path.relpath(release, out.parent))
    os.replace(link, out)


def _prune(releases: Path, keep: Path) -> None:
    finished = sorted(p for p in releases.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in finished[:-KEEP_RELEASES]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
    for stale in releases.glob(".staging-*"):  # left by a build that was killed
        if not _pid_alive(stale.name.rsplit("-", 1)[-1]):
            shutil.rmtree(stale, ignore_errors=True)


def _pid_alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def read_manifest(out: Path) -> dict:
    path = out / MANIFEST
    if not path.exists():
        raise FileNotFoundError(f"no release at {out}; run `ict-diplomacy build` first")
    return json.loads(path.read_text(encoding="utf-8"))
