"""The link-quality report (`ict-diplomacy stats --links`, `links.json` in a release, the /links page).

For every dataset we link to (description.LINK_TARGETS) and every class of our resources: how many
instances link to it, how many are open (their evidence row has no value, and its note says why),
and how many have neither a link nor a row ("not searched"). A class is reported for a target only
when at least one of its instances is linked or open there, so a class nobody would link (amounts,
statistics) does not show up as a gap. Counted from the data files and the evidence tables of
data/links/, so it needs no build; the build writes the same report into the release.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

from . import links, sources
from .description import LINK_PREDICATES, LINK_TARGETS, link_target
from .stats import LABEL, _grid, _ratio, short
from ..project import ID_BASE, Project

LINKS_JSON = "links.json"


@dataclass
class Cell:
    linked: int = 0
    open: int = 0
    not_searched: int = 0


@dataclass
class ClassRow:
    cls: str
    instances: int
    targets: dict[str, Cell] = field(default_factory=dict)


@dataclass
class TargetRow:
    key: str
    title: str
    names: dict[str, str]
    endpoint: str
    resources: int              # our resources linked to it
    open: int                   # evidence rows still without a value
    predicates: dict[str, int]  # link property -> triples


@dataclass
class LinkReport:
    targets: list[TargetRow]
    classes: list[ClassRow]
    open: list[dict]            # resource, label, classes, target, reason

    def to_dict(self) -> dict:
        return {"targets": [asdict(t) | {"predicates": {short(p): n for p, n in t.predicates.items()}}
                            for t in self.targets],
                "classes": [{"class": short(c.cls), "iri": c.cls, "instances": c.instances,
                             "targets": {k: asdict(v) for k, v in c.targets.items()}} for c in self.classes],
                "open": self.open}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def to_table(self) -> str:
        return "\n\n".join([_targets_table(self), _classes_table(self), _open_table(self)])


# ---------------------------------------------------------------- counting

def report(triples: list[ox.Triple], open_rows: dict[str, dict[str, str]]) -> LinkReport:
    """`open_rows`: target key -> {resource IRI: reason} for the evidence rows without a value."""
    classes = links.classes_of(triples)
    ours = {iri: cs for iri, cs in classes.items() if iri.startswith(ID_BASE)}
    linked, predicates = _linked(triples)
    labels = _labels(triples)
    rows = []
    members: dict[str, list[str]] = defaultdict(list)
    for iri, cs in ours.items():
        for cls in cs:
            members[cls].append(iri)
    for cls, iris in members.items():
        row = ClassRow(cls, len(iris))
        for target in LINK_TARGETS:
            cell = Cell(sum(i in linked[target.key] for i in iris),
                        sum(i in open_rows.get(target.key, {}) and i not in linked[target.key] for i in iris))
            if cell.linked or cell.open:
                cell.not_searched = len(iris) - cell.linked - cell.open
                row.targets[target.key] = cell
        if row.targets:
            rows.append(row)
    rows.sort(key=lambda r: (-r.instances, short(r.cls)))
    targets = [TargetRow(t.key, t.title, t.names, t.endpoint, len(linked[t.key]),
                         sum(i not in linked[t.key] for i in open_rows.get(t.key, {})), dict(sorted(predicates[t.key].items())))
               for t in LINK_TARGETS]
    open_items = [{"resource": iri, "label": labels.get(iri, ""), "classes": sorted(short(c) for c in ours.get(iri, ())),
                   "target": key, "reason": reason}
                  for key, found in open_rows.items() for iri, reason in sorted(found.items()) if iri not in linked[key]]
    return LinkReport(targets, rows, sorted(open_items, key=lambda o: (o["target"], o["resource"])))


def _linked(triples: list[ox.Triple]) -> tuple[dict[str, set[str]], dict[str, Counter]]:
    linked: dict[str, set[str]] = defaultdict(set)
    predicates: dict[str, Counter] = defaultdict(Counter)
    for t in triples:
        if t.predicate.value in LINK_PREDICATES and isinstance(t.object, ox.NamedNode):
            target = link_target(t.object.value)
            if target and isinstance(t.subject, ox.NamedNode):
                linked[target.key].add(t.subject.value)
                predicates[target.key][t.predicate.value] += 1
    return linked, predicates


def _labels(triples: list[ox.Triple]) -> dict[str, str]:
    found: dict[str, str] = {}
    for t in triples:
        if t.predicate.value == LABEL and isinstance(t.object, ox.Literal) and t.object.language in ("en", "ja"):
            if t.object.language == "en" or t.subject.value not in found:
                found[t.subject.value] = t.object.value
    return found


def open_rows(project: Project) -> dict[str, dict[str, str]]:
    """Target key -> {resource: reason} for every evidence row without a value."""
    found: dict[str, dict[str, str]] = {}
    for target in links.TARGETS:
        rows = links.evidence_rows(project.data_dir / links.LINKS_DIR / target.table, target.column)
        found[target.key] = {r.iri: r.note for r in rows if not r.value}
    return found


def project_report(project: Project, parsed: sources.Sources | None = None) -> LinkReport:
    """The report over the project's data files (the ontology is not counted)."""
    parsed = parsed or sources.load(project)
    triples = list(dict.fromkeys(t for ts in parsed.data.values() for t in ts))
    return report(triples, open_rows(project))


def write(project: Project, directory: Path, parsed: sources.Sources | None = None) -> Path:
    """Write links.json into a release directory; returns its path."""
    path = directory / LINKS_JSON
    path.write_text(project_report(project, parsed).to_json() + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------- printing

def _targets_table(rep: LinkReport) -> str:
    rows = [("target", "resources linked", "open", "link properties")]
    for t in rep.targets:
        rows.append((t.key, t.resources, t.open, ", ".join(f"{short(p)} {n}" for p, n in t.predicates.items()) or "-"))
    head = (f"{sum(t.resources for t in rep.targets)} links from our resources to {len(rep.targets)} datasets, "
            f"{len(rep.open)} open items")
    return head + "\n\n" + _grid(rows, right={1, 2})


def _classes_table(rep: LinkReport) -> str:
    keys = [t.key for t in rep.targets if any(t.key in c.targets for c in rep.classes)]
    rows = [("class", "instances", *keys)]
    for c in rep.classes:
        cells = []
        for key in keys:
            cell = c.targets.get(key)
            cells.append(f"{_ratio(cell.linked, c.instances)} +{cell.open} open" if cell else "-")
        rows.append((short(c.cls), c.instances, *cells))
    return "linked per class and target (+ open with a reason; the rest not searched)\n\n" + _grid(rows, right={1})


def _open_table(rep: LinkReport) -> str:
    if not rep.open:
        return "no open item"
    rows = [("target", "resource", "reason")]
    rows += [(o["target"], short(o["resource"]), _clip(o["reason"], 110)) for o in rep.open]
    return f"{len(rep.open)} open items\n\n" + _grid(rows)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"
