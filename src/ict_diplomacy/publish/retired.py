"""Identifiers that are no longer resources: recorded in data/retired.ttl (an ictd:RetiredResource,
with dct:isReplacedBy for a merge) or derived from the archive (an identifier with triples in a
published version and none now). The build writes them to `retired.json` in the release, and the
server answers 301 to what replaced one, or 410 Gone.

retired.json maps each IRI to `{"replaced_by": IRI or null, "reason": {"ja", "en"} (empty when
derived), "recorded": true|false, "last_version": the latest published version that had it}`."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox

from .diff import REASON, REPLACED_BY, Described, vanished

RETIRED_FILE = "retired.json"


def retirements(content: list[ox.Triple], archived: dict[str, list[ox.Triple]]) -> dict[str, dict]:
    """`archived`: version → graph, oldest first; `content`: the graph being published."""
    now = Described(content)
    last_seen: dict[str, str] = {}
    for version, graph in archived.items():
        before = Described(graph)
        for iri in before.about:
            if not before.retired(iri):
                last_seen[iri] = version
        for iri in vanished(graph, content):
            last_seen.setdefault(iri, version)
    found: dict[str, dict] = {}
    for version, graph in archived.items():
        for iri in vanished(graph, content):
            found[iri] = {"replaced_by": None, "reason": {}, "recorded": False, "last_version": last_seen.get(iri)}
    for iri in now.about:
        if now.retired(iri):
            replaced = now.values(iri, REPLACED_BY)
            reason = {v.language: v.value for v in now.values(iri, REASON) if isinstance(v, ox.Literal) and v.language}
            found[iri] = {"replaced_by": replaced[0].value if replaced else None, "reason": dict(sorted(reason.items())),
                          "recorded": True, "last_version": last_seen.get(iri)}
    return dict(sorted(found.items()))


def write(directory: Path, table: dict[str, dict]) -> Path:
    path = directory / RETIRED_FILE
    path.write_text(json.dumps(table, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def read(release: Path | None) -> dict[str, dict]:
    """The retired identifiers of a release ({} when it has none or predates them)."""
    path = release / RETIRED_FILE if release else None
    if path is None or not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))
