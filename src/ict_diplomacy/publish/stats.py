"""Coverage and quality report over the data (`ict-diplomacy stats`).

Counted from the parsed data files (not the ontology), so it needs no build:

- instances per class (every asserted rdf:type of a named resource counts);
- per class, how many instances have a Japanese label, an English label (rdfs:label @ja / @en),
  provenance (dct:source or prov:wasDerivedFrom) and a Wikidata link (owl:sameAs or
  skos:exactMatch to a Wikidata entity);
- dates by precision: day (xsd:date, xsd:dateTime), month (xsd:gYearMonth), year (xsd:gYear),
  and references to named periods (ictd:Period), split into Japanese fiscal years (a period from
  1 April to 31 March of the next year) and other periods. The start and end dates that define a
  period are not counted as dates of their own;
- the resources that miss any of these, with what they miss;
- the review of the source (data/review.tsv, one row per subsection): sentences read, facts
  counted, facts found missing or wrong and how many of those were fixed, totals and per
  subsection, with the share of facts represented ((counted - missing) / counted) and represented
  and correct ((counted - missing - wrong) / counted) as the reviewers found them.

Retired identifiers (ictd:RetiredResource, data/retired.ttl) are not resources: they are counted
apart and never reported as missing labels or provenance.

Which gaps count: every resource needs both labels and provenance, except the source document and
its sections (they are the provenance). A Wikidata link is expected only in classes where at least
one instance already has one — a class nobody links (events, amounts) is not reported as missing.
"""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

from . import sources
from .dumps import DUMP_PREFIXES
from ..errors import ReviewTableError
from ..project import ICTD, PREFIXES, Project

WIKIDATA = "http://www.wikidata.org/entity/"
RDF_TYPE = PREFIXES["rdf"] + "type"
LABEL = PREFIXES["rdfs"] + "label"
PROVENANCE = {PREFIXES["dct"] + "source", PREFIXES["prov"] + "wasDerivedFrom"}
LINKS = {PREFIXES["owl"] + "sameAs", PREFIXES["skos"] + "exactMatch"}
SOURCE_CLASSES = {ICTD + "SourceDocument", ICTD + "SourceSection"}
PERIOD = ICTD + "Period"
XSD = PREFIXES["xsd"]
PRECISION = {XSD + "date": "day", XSD + "dateTime": "day", XSD + "gYearMonth": "month", XSD + "gYear": "year"}
PRECISIONS = ("day", "month", "year", "fiscal_year", "period")
CHECKS = ("ja_label", "en_label", "provenance", "wikidata")
CHECK_NAMES = {"ja_label": "ja label", "en_label": "en label", "provenance": "provenance", "wikidata": "Wikidata"}
RETIRED = ICTD + "RetiredResource"
NOTATION = ICTD + "notation"
REVIEW_TABLE = "review.tsv"
REVIEW_COLUMNS = ("subsection", "sentences", "facts_counted", "missing_found", "wrong_found", "fixed", "notes")
REVIEW_COUNTS = REVIEW_COLUMNS[1:-1]


@dataclass
class Resource:
    iri: str
    classes: set[str] = field(default_factory=set)
    languages: set[str] = field(default_factory=set)
    label: str = ""
    sourced: bool = False
    wikidata: bool = False

    def has(self, check: str) -> bool:
        return {"ja_label": "ja" in self.languages, "en_label": "en" in self.languages,
                "provenance": self.sourced or bool(self.classes & SOURCE_CLASSES),
                "wikidata": self.wikidata}[check]


@dataclass
class ClassRow:
    cls: str
    instances: int
    ja_label: int
    en_label: int
    provenance: int
    wikidata: int
    wikidata_expected: bool

    def share(self, check: str) -> float:
        return round(getattr(self, check) / self.instances, 4) if self.instances else 0.0


@dataclass
class ReviewRow:
    subsection: str
    counts: dict[str, int] | None  # None until the subsection is reviewed
    notes: str = ""


@dataclass
class Review:
    rows: list[ReviewRow]

    @property
    def reviewed(self) -> list[ReviewRow]:
        return [r for r in self.rows if r.counts is not None]

    def totals(self) -> dict[str, int]:
        return {c: sum(r.counts[c] for r in self.reviewed) for c in REVIEW_COUNTS}

    def shares(self) -> dict[str, float | None]:
        """Facts represented, and represented and correct, as the reviewers found them (before fixing)."""
        t = self.totals()
        facts = t["facts_counted"]
        if not facts:
            return {"represented": None, "correct": None}
        return {"represented": round((facts - t["missing_found"]) / facts, 4),
                "correct": round((facts - t["missing_found"] - t["wrong_found"]) / facts, 4)}

    def to_dict(self) -> dict:
        t = self.totals()
        return {"subsections": len(self.rows), "reviewed": len(self.reviewed), "totals": t,
                "open": t["missing_found"] + t["wrong_found"] - t["fixed"], "share": self.shares(),
                "rows": [{"subsection": r.subsection, **(r.counts or dict.fromkeys(REVIEW_COUNTS)), "notes": r.notes}
                         for r in self.rows]}


@dataclass
class Report:
    resources: int
    classes: list[ClassRow]
    dates: dict[str, int]
    dates_by_property: dict[str, dict[str, int]]
    missing: list[dict]
    retired: int = 0
    review: Review = field(default_factory=lambda: Review([]))

    def to_dict(self) -> dict:
        return {
            "resources": self.resources,
            "classes": [{"class": short(r.cls), "iri": r.cls, **{k: v for k, v in asdict(r).items() if k != "cls"},
                         "share": {c: r.share(c) for c in CHECKS}} for r in self.classes],
            "dates": self.dates,
            "dates_by_property": self.dates_by_property,
            "missing": self.missing,
            "retired": self.retired,
            "review": self.review.to_dict(),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def to_table(self) -> str:
        return "\n".join([_class_table(self), "", _dates_table(self), "", _missing_table(self), "", _review_table(self)])


# ---------------------------------------------------------------- counting

def collect(triples: list[ox.Triple]) -> dict[str, Resource]:
    """Every typed named resource of the data, with what the checks need to know about it."""
    resources: dict[str, Resource] = {}
    for t in triples:
        if isinstance(t.subject, ox.NamedNode) and t.predicate.value == RDF_TYPE:
            resources.setdefault(t.subject.value, Resource(t.subject.value)).classes.add(t.object.value)
    for t in triples:
        found = resources.get(t.subject.value) if isinstance(t.subject, ox.NamedNode) else None
        if found is None:
            continue
        p = t.predicate.value
        if p == LABEL and isinstance(t.object, ox.Literal) and t.object.language:
            found.languages.add(t.object.language)
            if t.object.language == "en" or not found.label:
                found.label = t.object.value
        elif p in PROVENANCE:
            found.sourced = True
        elif p in LINKS and t.object.value.startswith(WIKIDATA):
            found.wikidata = True
    return resources


def without_retired(resources: dict[str, Resource]) -> tuple[dict[str, Resource], int]:
    """The resources, and how many retired identifiers were set apart."""
    kept = {iri: r for iri, r in resources.items() if RETIRED not in r.classes}
    return kept, len(resources) - len(kept)


# ---------------------------------------------------------------- the review table

def read_review(path: Path, notations: set[str]) -> Review:
    """data/review.tsv: one row per subsection notation of data/source.ttl, counts empty until reviewed."""
    if not path.exists():
        return Review([])
    with path.open(encoding="utf-8", newline="") as handle:
        lines = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    if not lines or tuple(lines[0]) != REVIEW_COLUMNS:
        raise ReviewTableError(f"{path}:1: the header must be {chr(9).join(REVIEW_COLUMNS)!r}")
    rows = [_review_row(path, number, cells, notations) for number, cells in enumerate(lines[1:], start=2) if any(cells)]
    seen = Counter(r.subsection for r in rows)
    if twice := sorted(s for s, n in seen.items() if n > 1):
        raise ReviewTableError(f"{path}: subsections listed more than once: {', '.join(twice)}")
    return Review(rows)


def _review_row(path: Path, number: int, cells: list[str], notations: set[str]) -> ReviewRow:
    where = f"{path}:{number}"
    if len(cells) != len(REVIEW_COLUMNS):
        raise ReviewTableError(f"{where}: {len(cells)} cells, expected {len(REVIEW_COLUMNS)} (tab-separated)")
    subsection, *numbers, notes = (c.strip() for c in cells)
    if subsection not in notations:
        raise ReviewTableError(f"{where}: {subsection!r} is not the notation of a subsection in data/source.ttl")
    if not any(numbers):
        return ReviewRow(subsection, None, notes)
    if not all(n.isdigit() for n in numbers):
        raise ReviewTableError(f"{where}: {', '.join(REVIEW_COUNTS)} must all be whole numbers once a subsection is reviewed")
    counts = dict(zip(REVIEW_COUNTS, map(int, numbers)))
    found = counts["missing_found"] + counts["wrong_found"]
    if found > counts["facts_counted"] or counts["fixed"] > found:
        raise ReviewTableError(f"{where}: missing + wrong must not exceed the facts counted, nor fixed exceed missing + wrong")
    return ReviewRow(subsection, counts, notes)


def section_notations(triples: list[ox.Triple]) -> set[str]:
    return {t.object.value for t in triples if t.predicate.value == NOTATION}


def class_rows(resources: dict[str, Resource]) -> list[ClassRow]:
    members: dict[str, list[Resource]] = defaultdict(list)
    for r in resources.values():
        for c in r.classes:
            members[c].append(r)
    rows = []
    for cls, rs in members.items():
        counts = {c: sum(r.has(c) for r in rs) for c in CHECKS}
        rows.append(ClassRow(cls, len(rs), **counts, wikidata_expected=counts["wikidata"] > 0))
    return sorted(rows, key=lambda r: (-r.instances, short(r.cls)))


def missing(resources: dict[str, Resource], rows: list[ClassRow]) -> list[dict]:
    linked_classes = {r.cls for r in rows if r.wikidata_expected}
    found = []
    for r in sorted(resources.values(), key=lambda r: r.iri):
        checks = [c for c in CHECKS if c != "wikidata" or r.classes & linked_classes]
        gaps = [c for c in checks if not r.has(c)]
        if gaps:
            found.append({"resource": r.iri, "label": r.label,
                          "classes": sorted(short(c) for c in r.classes), "missing": gaps})
    return found


def dates(triples: list[ox.Triple], resources: dict[str, Resource]) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """Date statements by precision, overall and per property."""
    periods = _period_kinds(triples, resources)
    by_property: dict[str, Counter] = defaultdict(Counter)
    for t in triples:
        subject = resources.get(t.subject.value) if isinstance(t.subject, ox.NamedNode) else None
        if subject is not None and PERIOD in subject.classes:
            continue  # a period's own bounds define it; references to it are counted instead
        if isinstance(t.object, ox.Literal) and t.object.datatype.value in PRECISION:
            by_property[short(t.predicate.value)][PRECISION[t.object.datatype.value]] += 1
        elif isinstance(t.object, ox.NamedNode) and t.object.value in periods:
            by_property[short(t.predicate.value)][periods[t.object.value]] += 1
    overall = Counter()
    for counts in by_property.values():
        overall.update(counts)
    return ({p: overall.get(p, 0) for p in PRECISIONS},
            {prop: {p: c[p] for p in PRECISIONS if c[p]} for prop, c in sorted(by_property.items())})


def _period_kinds(triples: list[ox.Triple], resources: dict[str, Resource]) -> dict[str, str]:
    """ictd:Period IRI -> "fiscal_year" (1 April to 31 March of the next year) or "period"."""
    bounds: dict[str, dict[str, str]] = defaultdict(dict)
    for t in triples:
        if t.subject.value in resources and t.predicate.value in (ICTD + "startDate", ICTD + "endDate"):
            bounds[t.subject.value][t.predicate.value[len(ICTD):]] = t.object.value
    kinds = {}
    for iri, r in resources.items():
        if PERIOD in r.classes:
            start, end = bounds[iri].get("startDate", ""), bounds[iri].get("endDate", "")
            fiscal = (len(start) == len(end) == 10 and start[4:] == "-04-01" and end[4:] == "-03-31"
                      and int(end[:4]) == int(start[:4]) + 1)
            kinds[iri] = "fiscal_year" if fiscal else "period"
    return kinds


def report(triples: list[ox.Triple], review: Review | None = None) -> Report:
    resources, retired = without_retired(collect(triples))
    rows = class_rows(resources)
    overall, by_property = dates(triples, resources)
    return Report(len(resources), rows, overall, by_property, missing(resources, rows), retired, review or Review([]))


def project_report(project: Project) -> Report:
    """The report over the project's data files (the ontology is not counted) and its review table."""
    parsed = sources.load(project)
    triples = list(dict.fromkeys(t for ts in parsed.data.values() for t in ts))
    return report(triples, read_review(project.data_dir / REVIEW_TABLE, section_notations(triples)))


# ---------------------------------------------------------------- printing

def short(iri: str) -> str:
    for prefix, ns in sorted(DUMP_PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _grid(rows: list[tuple], right: set[int] = frozenset()) -> str:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    cell = lambda v, i: str(v).rjust(widths[i]) if i in right else str(v).ljust(widths[i])
    lines = ["  ".join(cell(v, i) for i, v in enumerate(r)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _ratio(count: int, total: int) -> str:
    return f"{count}/{total} {100 * count / total:3.0f}%" if total else "-"


def _class_table(rep: Report) -> str:
    rows = [("class", "instances", "ja label", "en label", "provenance", "Wikidata")]
    for r in rep.classes:
        wikidata = _ratio(r.wikidata, r.instances) if r.wikidata_expected else "-"
        rows.append((short(r.cls), r.instances, _ratio(r.ja_label, r.instances), _ratio(r.en_label, r.instances),
                     _ratio(r.provenance, r.instances), wikidata))
    return f"{rep.resources} resources in {len(rep.classes)} classes\n\n" + _grid(rows, right={1, 2, 3, 4, 5})


def _dates_table(rep: Report) -> str:
    rows = [("dates by precision", *PRECISIONS, "total")]
    rows.append(("all", *(rep.dates[p] for p in PRECISIONS), sum(rep.dates.values())))
    for prop, counts in rep.dates_by_property.items():
        rows.append((prop, *(counts.get(p, 0) for p in PRECISIONS), sum(counts.values())))
    return _grid(rows, right=set(range(1, len(PRECISIONS) + 2)))


def _missing_table(rep: Report) -> str:
    if not rep.missing:
        return "no resource misses a label, provenance or an expected Wikidata link"
    rows = [("resource", "label", "missing")]
    rows += [(short(m["resource"]), _clip(m["label"], 60), ", ".join(CHECK_NAMES[c] for c in m["missing"]))
             for m in rep.missing]
    return f"{len(rep.missing)} resources with gaps\n\n" + _grid(rows)


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{100 * share:.1f}%"


def _review_table(rep: Report) -> str:
    review = rep.review
    if not review.rows:
        return f"no review table (data/{REVIEW_TABLE})"
    t, shares = review.totals(), review.shares()
    head = (f"review: {len(review.reviewed)} of {len(review.rows)} subsections reviewed; {t['sentences']} sentences, "
            f"{t['facts_counted']} facts counted, {t['missing_found']} missing and {t['wrong_found']} wrong found, "
            f"{t['fixed']} fixed; represented {_percent(shares['represented'])}, represented and correct "
            f"{_percent(shares['correct'])}")
    if not review.reviewed:
        return head
    rows = [("subsection", *REVIEW_COUNTS, "notes")]
    rows += [(r.subsection, *(r.counts[c] for c in REVIEW_COUNTS), _clip(r.notes, 60)) for r in review.reviewed]
    rows.append(("total", *(t[c] for c in REVIEW_COUNTS), ""))
    waiting = [r.subsection for r in review.rows if r.counts is None]
    tail = f"\n\nnot reviewed yet: {', '.join(waiting)}" if waiting else ""
    return head + "\n\n" + _grid(rows, right=set(range(1, len(REVIEW_COUNTS) + 1))) + tail


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"
