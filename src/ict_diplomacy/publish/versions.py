"""Versions of the publication, and the archive that keeps every published one.

The version of the data is set in one place: the ontology's `owl:versionInfo` in
ontology/ict-diplomacy.ttl (semantic: MAJOR.MINOR.PATCH). The build stamps the ontology with the
matching `owl:versionIRI` (…/ontology/{version}) and `owl:priorVersion` (the previous published
version), so those are never written by hand. The Python package's version in pyproject.toml is
the software's, and moves on its own.

The archive, `releases/{version}/` in the repository, holds each published version for good:
`ict-diplomacy.nt.gz` (the canonical graph, gzipped N-Triples, same bytes for the same graph),
`added.nt` and `removed.nt` (the diff to the version before), `SHA256SUMS`, and `manifest.json`
(version, publication date, previous version, counts, size and SHA-256 of every file). A version
once archived never changes: the build refuses to publish other content under it."""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from ..errors import BuildError
from ..project import BASE, ONTOLOGY_IRI, PREFIXES, Project
from . import dumps
from .diff import ADDED, REMOVED, Diff, diff, write_diff
from .dumps import read_ntriples, write_ntriples
from .release import check_files, describe_files

DUMP = dumps.NTRIPLES_GZ
MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")
OWL = PREFIXES["owl"]
VERSION_INFO, VERSION_IRI, PRIOR_VERSION = OWL + "versionInfo", OWL + "versionIRI", OWL + "priorVersion"
STAMPED = (VERSION_IRI, PRIOR_VERSION)


def parse(version: str) -> tuple[int, int, int]:
    match = SEMVER.fullmatch(version)
    if not match:
        raise BuildError(f"version {version!r} is not semantic (MAJOR.MINOR.PATCH, e.g. 0.2.0)")
    return int(match[1]), int(match[2]), int(match[3])


def version_iri(version: str) -> str:
    return f"{ONTOLOGY_IRI}/{version}"


def dataset_iri(version: str) -> str:
    return f"{BASE}dataset/{version}"


def version_of(triples: list[ox.Triple]) -> str:
    """The owl:versionInfo of the ontology: the version of everything published."""
    found = {t.object.value for t in triples if t.subject.value == ONTOLOGY_IRI and t.predicate.value == VERSION_INFO}
    if len(found) != 1:
        raise BuildError(f"the ontology <{ONTOLOGY_IRI}> needs exactly one owl:versionInfo (the version of the "
                         f"publication), it has {len(found)}: {sorted(found)}")
    version = found.pop()
    parse(version)
    return version


def stamp(triples: list[ox.Triple], version: str, previous: str | None) -> list[ox.Triple]:
    """The published triples with the ontology's owl:versionIRI and owl:priorVersion added."""
    written = [t for t in triples if t.subject.value == ONTOLOGY_IRI and t.predicate.value in STAMPED]
    if written:
        raise BuildError(f"ontology/ict-diplomacy.ttl sets {', '.join(sorted({t.predicate.value for t in written}))}: "
                         "the build writes them from owl:versionInfo and the archive; remove them there")
    ontology = ox.NamedNode(ONTOLOGY_IRI)
    added = [ox.Triple(ontology, ox.NamedNode(VERSION_IRI), ox.NamedNode(version_iri(version)))]
    if previous:
        added.append(ox.Triple(ontology, ox.NamedNode(PRIOR_VERSION), ox.NamedNode(version_iri(previous))))
    return triples + added


@dataclass(frozen=True)
class Published:
    """One archived version."""

    path: Path
    manifest: dict

    @property
    def version(self) -> str:
        return self.manifest["version"]

    @property
    def issued(self) -> str:
        return self.manifest["issued"]

    @property
    def previous(self) -> str | None:
        return self.manifest.get("previous")

    def graph(self) -> list[ox.Triple]:
        return read_ntriples(self.path / DUMP)

    def diff(self) -> Diff:
        if not self.previous:
            return Diff([], [])
        return Diff(read_ntriples(self.path / ADDED), read_ntriples(self.path / REMOVED))

    def problems(self) -> list[str]:
        return check_files(self.path, self.manifest.get("files", []))


class Archive:
    """releases/ of a project: every published version, oldest first."""

    def __init__(self, root: Path):
        self.root = root

    @classmethod
    def of(cls, project: Project) -> "Archive":
        return cls(project.archive_dir)

    def versions(self) -> list[Published]:
        if not self.root.is_dir():
            return []
        found = [_read(path) for path in self.root.iterdir() if path.is_dir() and not path.name.startswith(".")]
        return sorted(found, key=lambda p: parse(p.version))

    def get(self, version: str) -> Published | None:
        return next((p for p in self.versions() if p.version == version), None)

    def before(self, version: str) -> Published | None:
        """The latest published version lower than `version`."""
        lower = [p for p in self.versions() if parse(p.version) < parse(version)]
        return lower[-1] if lower else None

    def check_next(self, version: str) -> None:
        """Refuse a new version that is not above every published one."""
        newer = [p.version for p in self.versions() if parse(p.version) > parse(version)]
        if newer and not self.get(version):
            raise BuildError(f"version {version} is lower than the published {newer[-1]}; "
                             "raise owl:versionInfo in ontology/ict-diplomacy.ttl above it")

    def add(self, version: str, content: list[ox.Triple], issued: date) -> Published:
        """Archive `content` as `version` (atomically: written beside, then renamed)."""
        previous = self.before(version)
        staging = self.root / f".staging-{version}-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        try:
            files = [write_ntriples(staging / DUMP, content)]
            changes = diff(previous.graph(), content) if previous else None
            if changes is not None:
                files += write_diff(staging, changes)
            entries = describe_files(files)
            (staging / CHECKSUMS).write_text("".join(f"{e['sha256']}  {e['name']}\n" for e in entries), encoding="utf-8")
            manifest = {"version": version, "issued": issued.isoformat(), "previous": previous.version if previous else None,
                        "dataset": dataset_iri(version), "ontology_version_iri": version_iri(version),
                        "triples": len(content), "added": len(changes.added) if changes else None,
                        "removed": len(changes.removed) if changes else None,
                        "files": entries + describe_files([staging / CHECKSUMS])}
            (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            staging.rename(self.root / version)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return _read(self.root / version)


def _read(path: Path) -> Published:
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        parse(manifest["version"])
        manifest["issued"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BuildError(f"{path} is not a published version ({MANIFEST} missing or unreadable: {error})") from None
    if manifest["version"] != path.name:
        raise BuildError(f"{path / MANIFEST} says version {manifest['version']}, but the folder is {path.name}")
    return Published(path, manifest)


def load(spec: str, archive: Archive) -> list[ox.Triple]:
    """A graph named on the command line: a published version ("0.1.0"), a release or archive
    directory (its N-Triples dump), or a file (.nt, .nt.gz, .ttl)."""
    published = archive.get(spec) if SEMVER.fullmatch(spec) else None
    if published:
        return published.graph()
    path = Path(spec)
    if path.is_dir():
        path = path / DUMP
    if not path.is_file():
        known = ", ".join(p.version for p in archive.versions()) or "none"
        raise BuildError(f"{spec} is neither a published version (published: {known}) nor a release, "
                         "a directory with ict-diplomacy.nt.gz, or an RDF file")
    if path.suffix == ".ttl":
        return [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]
    try:
        return read_ntriples(path)
    except ValueError as error:
        raise BuildError(str(error)) from None
