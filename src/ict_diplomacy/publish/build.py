"""The one build: parse → validate → version → Oxigraph store → dumps → diff → versions →
catalog → manifest, published atomically.

A release is written into a fresh directory beside the output; only when everything is written
does the output symlink swap to it (one rename). A failed or interrupted build leaves the previous
release, store and dumps untouched. The version step reads the archive (releases/, see
versions.py): it refuses other content under a version already published, and computes the diff
to the version before. Old releases are pruned, except those a running server has pinned."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from .. import __version__

from . import catalog, changelog, dumps, history, linkstats, retired, sources, store, versions
from ..errors import BuildError, ValidationFailed
from ..project import Project
from .diff import diff, write_diff
from .release import LOCK, describe_files, lock_for_removal
from .validate import validate
from .versions import Archive

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


def build(project: Project, out: Path | None = None, progress: Progress = _stderr,
          publish_on: date | None = None, derive: dict[str, Callable[[Path], object]] | None = None) -> dict:
    """Build and publish a release; returns its manifest. With `publish_on`, first archive the
    version in owl:versionInfo into releases/ with that date (and record it in CHANGELOG.md).
    `derive`: steps run on the finished release before it is published (name → function of its
    directory), for files the server derives from it (the web layer's stored pages).
    Raises ValidationFailed or BuildError."""
    out = Path(out or project.dist).absolute()
    if out.exists() and not out.is_symlink():
        raise BuildError(f"{out} exists and is not a release link made by a build; move it away first")
    step = Step(progress, {})
    parsed = step.run("parse", lambda: sources.load(project),
                      lambda s: f"{s.file_count()} files, {len(s.published)} triples")
    report = step.run("validate", lambda: validate(project, parsed), lambda r: r.summary())
    if not report.conforms:
        raise ValidationFailed(report)
    plan = step.run("version", lambda: _plan(project, parsed.published, publish_on), _describe_plan)
    started = datetime.now(timezone.utc)
    release_id = started.strftime("%Y%m%dT%H%M%S%fZ")
    releases = releases_dir(out)
    releases.mkdir(parents=True, exist_ok=True)
    staging = releases / f".staging-{release_id}-{os.getpid()}"
    try:
        staging.mkdir()
        (staging / LOCK).touch()
        manifest = _write_release(project, staging, parsed, plan, step, started, release_id)
        for name, work in (derive or {}).items():
            step.run(name, lambda: work(staging), lambda r: str(r or ""))
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


@dataclass
class Plan:
    """What a build publishes: the version, its content, and the versions before it."""

    version: str
    content: list[ox.Triple]                  # the published triples, stamped and canonical
    archived: dict[str, list[ox.Triple]]      # every archived version's graph, oldest first
    versions: list[history.Version]
    newly_archived: bool = False

    @property
    def current(self) -> history.Version:
        return self.versions[-1]


def _plan(project: Project, triples: list[ox.Triple], publish_on: date | None) -> Plan:
    """Read the version and the archive; refuse other content under a published version."""
    archive = Archive.of(project)
    version = versions.version_of(triples)
    archive.check_next(version)
    for published in archive.versions():
        if problems := published.problems():
            raise BuildError(f"the archive is damaged: releases/{published.version}: {'; '.join(problems)}")
    previous = archive.before(version)
    content = dumps.canonical(versions.stamp(triples, version, previous.version if previous else None))
    graphs = {p.version: p.graph() for p in archive.versions()}
    if version in graphs:
        if changed := diff(graphs[version], content):
            raise BuildError(f"version {version} is already published (releases/{version}) with other content "
                             f"({len(changed.added)} triples added, {len(changed.removed)} removed since): "
                             "raise owl:versionInfo in ontology/ict-diplomacy.ttl to publish a new version")
    newly_archived = version not in graphs and publish_on is not None
    if newly_archived:
        graphs[version] = archive.add(version, content, publish_on).graph()
    changes = diff(graphs[previous.version], content) if previous and version not in graphs else None
    found = history.collect(archive, version, content, changes, graphs)
    plan = Plan(version, content, {v: g for v, g in graphs.items() if v != version}, found, newly_archived)
    if plan.newly_archived:
        changelog.record(project.root / changelog.CHANGELOG, plan.current.summary())
    return plan


def _describe_plan(plan: Plan) -> str:
    current = plan.current
    state = "archived now" if plan.newly_archived else "published" if current.archived else "not yet published"
    since = f", +{len(current.changes.added)} −{len(current.changes.removed)} triples since {current.previous}" \
        if current.previous else ""
    return f"{plan.version} ({state}{since})"


def _write_release(project: Project, staging: Path, parsed: sources.Sources, plan: Plan, step: Step,
                   started: datetime, release_id: str) -> dict:
    triples, current = plan.content, plan.current
    step.run("load", lambda: store.create(staging / STORE_DIR, triples), lambda _: f"{len(triples)} triples")
    dumped = step.run("dump", lambda: dumps.write_all(staging, triples), lambda fs: ", ".join(f.name for f in fs))
    changes = write_diff(staging, current.changes) if current.previous else []
    support = history.write(staging, Archive.of(project), plan.versions)
    retirements = retired.retirements(triples, plan.archived)
    support.append(retired.write(staging, retirements))
    if unrecorded := sorted(iri for iri, entry in retirements.items() if not entry["recorded"]):
        step.progress(f"retired: {len(unrecorded)} identifiers of earlier versions are gone without a record in "
                      f"data/retired.ttl (they answer 410; add a record with a reason, or dct:isReplacedBy): "
                      + ", ".join(unrecorded[:5]) + (" …" if len(unrecorded) > 5 else ""))
    summaries = [v.summary() for v in plan.versions]
    report = step.run("links", lambda: linkstats.write(project, staging, parsed), lambda p: p.name)
    described = step.run("catalog", lambda: catalog.write_all(staging, triples, dumped, started, summaries))
    return _write_manifest(project, staging, dumped + changes + described + [report], support, plan, started,
                           release_id, step.timings)


def _write_manifest(project: Project, directory: Path, files: list[Path], support: list[Path], plan: Plan,
                    started: datetime, release_id: str, timings: dict[str, float]) -> dict:
    current = plan.current
    manifest = {
        "dataset": "https://w3id.org/ict-diplomacy/",
        "release": release_id,
        "built": started.isoformat(timespec="seconds"),
        "builder": f"ict-diplomacy {__version__}",
        "version": plan.version,
        "version_status": "published" if current.archived else "unreleased",
        "issued": current.issued,
        "previous_version": current.previous,
        "ontology_version": plan.version,
        "triples": len(plan.content),
        "sources_sha256": sources_fingerprint(project),
        "files": [dumps.describe_file(f) for f in files],  # dumps, diff, catalog.*, void.* and links.json
        "support_files": describe_files(support, directory),  # versions/ and retired.json: read by the server
        "versions": [{"version": v.version, "issued": v.issued, "archived": v.archived} for v in plan.versions],
        "timings_s": timings,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


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
    """Remove all but the newest KEEP_RELEASES releases, except any a running server has pinned
    (a release is moved aside while its lock is held exclusively, so no server can pin it then)."""
    finished = sorted(p for p in releases.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in finished[:-KEEP_RELEASES]:
        if old == keep or (fd := lock_for_removal(old)) is None:
            continue
        try:
            doomed = releases / f".removing-{old.name}-{os.getpid()}"
            old.rename(doomed)
        except OSError:
            continue
        finally:
            os.close(fd)
        shutil.rmtree(doomed, ignore_errors=True)
    for stale in [*releases.glob(".staging-*"), *releases.glob(".removing-*")]:  # left by a killed build
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
