"""What changed between two versions of the graph: triples added and removed, and resources
added, removed and changed, grouped by kind.

Both graphs are compared in canonical form (`dumps.canonical`: blank nodes relabelled from their
content), so the same graph parsed twice, or rebuilt with fresh blank node ids, gives an empty
diff. A triple about a blank node counts for the named resource the node hangs from (an OWL
union belongs to the property whose domain it is), so resource changes are about IRIs only."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..project import ICTD, ID_BASE, PREFIXES
from . import dumps
from .dumps import read_ntriples, write_ntriples  # noqa: F401 - read and written like the dumps

RDF_TYPE = PREFIXES["rdf"] + "type"
RDFS_LABEL = PREFIXES["rdfs"] + "label"
RETIRED = ICTD + "RetiredResource"
REPLACED_BY = PREFIXES["dct"] + "isReplacedBy"
REASON = ICTD + "retirementReason"
ADDED, REMOVED = "added.nt", "removed.nt"


@dataclass(frozen=True)
class Diff:
    """Triples of the new graph that the old one lacks, and the other way round, both canonical."""

    added: list[ox.Triple]
    removed: list[ox.Triple]

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)


def diff(old: list[ox.Triple], new: list[ox.Triple]) -> Diff:
    before, after = set(dumps.canonical(old)), set(dumps.canonical(new))
    return Diff(sorted(after - before, key=str), sorted(before - after, key=str))


# ---------------------------------------------------------------- files

def write_diff(directory: Path, changes: Diff) -> list[Path]:
    return [write_ntriples(directory / ADDED, changes.added), write_ntriples(directory / REMOVED, changes.removed)]


# ---------------------------------------------------------------- resources

class Described:
    """One graph by named resource: its triples (blank-node triples under the resource they hang
    from), types, labels and, for a retired identifier, what replaced it."""

    def __init__(self, triples: list[ox.Triple]):
        self.owner = _owners(triples)
        self.about: dict[str, set[ox.Triple]] = defaultdict(set)
        for t in triples:
            if (who := self.owner_of(t.subject)) is not None:
                self.about[who].add(t)

    def owner_of(self, subject) -> str | None:
        return subject.value if isinstance(subject, ox.NamedNode) else self.owner.get(subject)

    def values(self, iri: str, predicate: str) -> list:
        return [t.object for t in self.about.get(iri, ()) if t.subject.value == iri and t.predicate.value == predicate]

    def labels(self, iri: str) -> dict[str, str]:
        found = {v.language: v.value for v in self.values(iri, RDFS_LABEL) if isinstance(v, ox.Literal) and v.language}
        return dict(sorted(found.items()))

    def types(self, iri: str) -> list[str]:
        return sorted(v.value for v in self.values(iri, RDF_TYPE))

    def retired(self, iri: str) -> bool:
        return RETIRED in self.types(iri)


def _owners(triples: list[ox.Triple]) -> dict[ox.BlankNode, str]:
    """Each blank node → the named subject it hangs from (following chains of blank nodes)."""
    parent = {t.object: t.subject for t in triples if isinstance(t.object, ox.BlankNode)}
    owners = {}
    for node in parent:
        seen, here = set(), node
        while isinstance(here, ox.BlankNode) and here in parent and here not in seen:
            seen.add(here)
            here = parent[here]
        if isinstance(here, ox.NamedNode):
            owners[node] = here.value
    return owners


@dataclass
class Resource:
    """One resource in a list of changes: what it is called and what kind it is, in ja and en."""

    iri: str
    kind: str
    labels: dict[str, str]
    added: int = 0
    removed: int = 0
    properties: list[str] = field(default_factory=list)
    replaced_by: str | None = None

    def as_json(self) -> dict:
        out = {"iri": self.iri, "kind": self.kind, "labels": self.labels}
        if self.added or self.removed:
            out.update(added=self.added, removed=self.removed, properties=self.properties)
        if self.replaced_by:
            out["replaced_by"] = self.replaced_by
        return out


def kind_of(graph: Described, iri: str, counts: dict[str, int]) -> str:
    """The resource's kind: its most specific type (the one with the fewest instances), ours first."""
    types = graph.types(iri)
    ours = [t for t in types if t.startswith(ICTD) and t != RETIRED] or [t for t in types if t != RETIRED]
    return min(ours, key=lambda t: (counts.get(t, 0), t)) if ours else ""


def _type_counts(graph: Described) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for iri in graph.about:
        for t in graph.types(iri):
            counts[t] += 1
    return counts


def resource_changes(old: list[ox.Triple], new: list[ox.Triple], changes: Diff) -> dict[str, list[Resource]]:
    """Resources added, removed (retired ones with what replaced them) and changed, by IRI."""
    before, after = Described(dumps.canonical(old)), Described(dumps.canonical(new))
    counts_before, counts_after = _type_counts(before), _type_counts(after)
    touched: dict[str, dict[str, list[ox.Triple]]] = defaultdict(lambda: {"added": [], "removed": []})
    for side, graph, triples in (("added", after, changes.added), ("removed", before, changes.removed)):
        for t in triples:
            if (who := graph.owner_of(t.subject)) is not None:
                touched[who][side].append(t)
    out: dict[str, list[Resource]] = {"added": [], "removed": [], "changed": []}
    for iri in sorted(touched):
        was = iri in before.about and not before.retired(iri)
        now = iri in after.about and not after.retired(iri)
        if not (was or now):  # only a retirement record changed
            continue
        graph, counts = (after, counts_after) if now else (before, counts_before)
        entry = Resource(iri, kind_of(graph, iri, counts), graph.labels(iri))
        if now and was:
            entry.added, entry.removed = len(touched[iri]["added"]), len(touched[iri]["removed"])
            entry.properties = sorted({t.predicate.value for ts in touched[iri].values() for t in ts})
        if was and not now:
            replaced = after.values(iri, REPLACED_BY)
            entry.replaced_by = replaced[0].value if replaced else None
        out["changed" if now and was else "added" if now else "removed"].append(entry)
    return out


def class_labels(triples: list[ox.Triple], kinds: set[str]) -> dict[str, dict[str, str]]:
    """The ja and en labels of the classes that name kinds, from the graph that has them."""
    graph = Described([t for t in triples if t.subject.value in kinds])
    return {kind: graph.labels(kind) for kind in sorted(kinds)}


def vanished(old: list[ox.Triple], new: list[ox.Triple]) -> set[str]:
    """Our identifiers (under id/) that had triples in `old` and have none at all in `new`."""
    def mentioned(triples):
        return {term.value for t in triples for term in (t.subject, t.object)
                if isinstance(term, ox.NamedNode) and term.value.startswith(ID_BASE)}
    return mentioned(old) - mentioned(new)
