"""The versions a release carries: every archived version (copied into `versions/{version}/`)
and the one being built, each with what changed since the version before (`changes.json`), and
the DCAT version chain the catalog publishes for them.

`versions/index.json` lists them oldest first; `versions/{version}/changes.json` holds the
resources added, removed and changed, grouped by kind, with their labels in ja and en, for the
"what changed" page. Both are derived from the archive on every build, so they follow the code."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..project import BASE
from .diff import Diff, class_labels, diff, resource_changes
from .versions import DUMP, Archive, Published, dataset_iri, version_iri

VERSIONS_DIR = "versions"
INDEX = "index.json"
CHANGES = "changes.json"
CHANGES_PAGE = BASE + "changes/"


@dataclass
class Version:
    """One version as the release describes it."""

    version: str
    issued: str | None          # publication date; None while not archived
    previous: str | None
    triples: int
    changes: Diff
    archived: bool
    files: list[dict] = field(default_factory=list)   # the archived files, from the archive's manifest
    resources: dict[str, list] = field(default_factory=dict)
    kinds: dict[str, dict[str, str]] = field(default_factory=dict)

    def summary(self) -> dict:
        counts = {side: len(items) for side, items in self.resources.items()}
        return {"version": self.version, "issued": self.issued, "previous": self.previous, "archived": self.archived,
                "triples": self.triples, "added_triples": len(self.changes.added),
                "removed_triples": len(self.changes.removed), "resources": counts,
                "dataset": dataset_iri(self.version), "ontology_version_iri": version_iri(self.version),
                "changes_page": CHANGES_PAGE + self.version, "files": self.files}

    def document(self) -> dict:
        """changes.json: the summary, the resources by side, and the labels of their kinds."""
        return {**self.summary(), "kinds": self.kinds,
                "changes": {side: [r.as_json() for r in items] for side, items in self.resources.items()}}


def _version(graph: list[ox.Triple], before: list[ox.Triple] | None, changes: Diff, **fields) -> Version:
    entry = Version(triples=len(graph), changes=changes, **fields)
    entry.resources = resource_changes(before or [], graph, changes) if before is not None else {
        "added": [], "removed": [], "changed": []}
    kinds = {r.kind for items in entry.resources.values() for r in items if r.kind}
    labels = class_labels(graph, kinds)
    for kind, found in class_labels(before or [], kinds).items():
        labels[kind] = labels.get(kind) or found
    entry.kinds = labels
    return entry


def collect(archive: Archive, version: str, content: list[ox.Triple], changes: Diff | None,
            graphs: dict[str, list[ox.Triple]]) -> list[Version]:
    """Every archived version up to `version`, then `version` itself when it is not archived yet
    (with `changes`, its diff to the latest archived one). `graphs`: the archived graphs by version."""
    out, previous_graph = [], None
    for published in archive.versions():
        graph = content if published.version == version else graphs[published.version]
        out.append(_version(graph, previous_graph, published.diff(), version=published.version,
                            issued=published.issued, previous=published.previous, archived=True,
                            files=published.manifest["files"]))
        previous_graph = graph
        if published.version == version:
            return out
    before = archive.before(version)
    out.append(_version(content, previous_graph if before else None, changes or Diff([], []), version=version,
                        issued=None, previous=before.version if before else None, archived=False))
    return out


def compare(old_name: str, old: list[ox.Triple], new_name: str, new: list[ox.Triple]) -> Version:
    """Any two graphs compared as two versions (the `diff` command)."""
    return _version(new, old, diff(old, new), version=new_name, issued=None, previous=old_name, archived=False)


def text(entry: Version) -> str:
    """The changes as the command prints them: the counts, then each resource by side and kind."""
    summary = entry.summary()
    lines = [f"{entry.previous} → {entry.version}: +{summary['added_triples']} −{summary['removed_triples']} triples; "
             + ", ".join(f"{n} {side}" for side, n in summary["resources"].items()) + " resources"]
    for side, items in entry.resources.items():
        if items:
            lines.append(f"{side} ({len(items)}):")
        for r in sorted(items, key=lambda r: (r.kind, r.iri)):
            kind = entry.kinds.get(r.kind, {}).get("en") or r.kind.rsplit("#", 1)[-1] or "-"
            counts = f" (+{r.added} −{r.removed})" if side == "changed" else ""
            moved = f" → {r.replaced_by}" if r.replaced_by else ""
            lines.append(f"  {kind:<20} <{r.iri}> {r.labels.get('en', '')}{counts}{moved}")
    return "\n".join(lines)


def write(directory: Path, archive: Archive, versions: list[Version]) -> list[Path]:
    """versions/ of a release: the archived files of each version, its changes.json, the index;
    returns every file written (for the manifest)."""
    root = directory / VERSIONS_DIR
    root.mkdir()
    written = []
    for entry in versions:
        folder = root / entry.version
        if entry.archived:
            shutil.copytree(_published(archive, entry.version).path, folder)
            written += sorted(p for p in folder.iterdir() if p.is_file())
        else:
            folder.mkdir()
        (folder / CHANGES).write_text(json.dumps(entry.document(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        written.append(folder / CHANGES)
    (root / INDEX).write_text(json.dumps([v.summary() for v in versions], ensure_ascii=False, indent=1) + "\n",
                              encoding="utf-8")
    return written + [root / INDEX]


def _published(archive: Archive, version: str) -> Published:
    found = archive.get(version)
    assert found is not None
    return found


def read_index(release: Path) -> list[dict]:
    """versions/index.json of a release ([] for a release built before versions existed)."""
    path = release / VERSIONS_DIR / INDEX
    if not path.is_file():
        return []
    return json.loads(path.read_text(encoding="utf-8"))


def read_changes(release: Path, version: str) -> dict | None:
    path = release / VERSIONS_DIR / version / CHANGES
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def archived_dump(release: Path, version: str) -> Path:
    return release / VERSIONS_DIR / version / DUMP
