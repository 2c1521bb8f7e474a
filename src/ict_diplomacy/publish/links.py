"""Links generated from reference data rather than typed by hand.

- ISO 3166 codes and the EU country authority IRIs of every country in the data (from pycountry);
- the links backed by an evidence table in data/links/ (`*-evidence.tsv`, one row per resource:
  the value, where it was seen, a note; a row without a value is an open item and its note says
  why): corporate numbers and gBizINFO, the EU corporate-body authority, UN M49, GeoNames, and
  the Wikidata QIDs that no entity file states yet (the EuroVoc table backs links that
  data/entities/topics.ttl states by hand). Each target writes one Turtle file, so an
  identifier is typed once, in its evidence row, and never again.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pycountry
import pyoxigraph as ox

from ..project import ICTD, ID_BASE, PREFIXES, Project
from .description import LINK_TARGETS_BY_KEY, LinkTarget
from .sources import RDF_TYPE, parse_file

LINKS_DIR = Path("links")
ISO_FILE = LINKS_DIR / "iso-3166.ttl"
EU_COUNTRY = "http://publications.europa.eu/resource/authority/country/"
COUNTRY = ox.NamedNode(ICTD + "Country")
OWL_SAME_AS = PREFIXES["owl"] + "sameAs"
SKOS = PREFIXES["skos"]
SCHEMA_SAME_AS = PREFIXES["schema"] + "sameAs"
CONCEPT_CLASSES = {ICTD + "Topic", ICTD + "Standard"}  # linked with skos:exactMatch, never owl:sameAs
MATCHES = {"exact": SKOS + "exactMatch", "close": SKOS + "closeMatch"}


# ---------------------------------------------------------------- corporate numbers (法人番号)

def corporate_check_digit(body: str) -> int:
    """The NTA's check digit of a 12-digit base number: 9 - (sum of digit x weight mod 9), the
    weights 1 and 2 alternating from the lowest digit (1 for the last digit, 2 for the one before)."""
    if len(body) != 12 or not body.isdigit():
        raise ValueError(f"{body!r} is not a 12-digit base number")
    total = sum(int(d) * (1 if i % 2 == 0 else 2) for i, d in enumerate(reversed(body)))
    return 9 - total % 9


def is_corporate_number(value: str) -> bool:
    """13 digits whose first digit is the check digit of the other twelve."""
    return len(value) == 13 and value.isdigit() and int(value[0]) == corporate_check_digit(value[1:])


# ---------------------------------------------------------------- targets of the evidence tables

def _digits(n: int) -> Callable[[str], bool]:
    return lambda v: len(v) == n and v.isdigit()


def _qid(value: str) -> bool:
    return value[:1] == "Q" and value[1:].isdigit() and value[1:2] != "0"


def _code(value: str) -> bool:
    return bool(value) and all(c.isalnum() or c in "_-" for c in value) and value.upper() == value


@dataclass(frozen=True)
class Target:
    """The evidence table of one link target (description.LINK_TARGETS names the dataset itself):
    how a value becomes an IRI, the property that links it, the file the links are written to."""

    key: str                 # a description.LINK_TARGETS key
    table: str               # file in data/links/
    column: str              # the value column of the table
    iri_template: str        # "{}" is the value
    predicate: str           # the exact link
    output: str              # generated Turtle file in data/links/; "" when entity files state every link
    valid: Callable[[str], bool]
    literal: str = ""        # property also stating the value as a literal, if any
    hand_written: bool = False  # entity files state some links by hand: only the rest are generated

    @property
    def dataset(self) -> LinkTarget:
        return LINK_TARGETS_BY_KEY[self.key]

    @property
    def title(self) -> str:
        return self.dataset.title

    @property
    def uri_space(self) -> str:
        return self.dataset.uri_space

    def iri(self, value: str) -> str:
        return self.iri_template.format(value)


def _eurovoc(value: str) -> bool:
    space = LINK_TARGETS_BY_KEY["eurovoc"].uri_space
    return value.startswith(space) and len(value) > len(space)


TARGETS = (
    Target("gbizinfo", "corporate-number-evidence.tsv", "number", "http://hojin-info.go.jp/data/basic/{}",
           SCHEMA_SAME_AS, "corporate-numbers.ttl", is_corporate_number, literal=ICTD + "corporateNumber"),
    Target("eu-corporate-body", "eu-corporate-body-evidence.tsv", "code",
           "http://publications.europa.eu/resource/authority/corporate-body/{}", SKOS + "exactMatch",
           "eu-corporate-bodies.ttl", _code),
    Target("m49", "m49-evidence.tsv", "code", "http://stats-class.fao.uniroma2.it/geo/m49/{}", SKOS + "exactMatch",
           "m49.ttl", _digits(3), literal=ICTD + "m49Code"),
    Target("geonames", "geonames-evidence.tsv", "geonameid", "https://sws.geonames.org/{}/", SKOS + "exactMatch",
           "geonames.ttl", lambda v: v.isdigit() and v[:1] != "0"),
    Target("wikidata", "wikidata-evidence.tsv", "qid", "http://www.wikidata.org/entity/{}", OWL_SAME_AS,
           "wikidata.ttl", _qid, hand_written=True),
    Target("eurovoc", "eurovoc-evidence.tsv", "eurovoc", "{}", SKOS + "exactMatch", "", _eurovoc, hand_written=True),
)
TARGETS_BY_KEY = {t.key: t for t in TARGETS}


class EvidenceError(ValueError):
    """A row of an evidence table that cannot become a link; names the file and line."""

    def __init__(self, path: Path, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line = path, line


@dataclass(frozen=True)
class Row:
    iri: str
    value: str      # empty for an open item
    match: str      # "exact" or "close"
    note: str
    where: str      # where the value was seen
    line: int


def evidence_rows(path: Path, column: str) -> list[Row]:
    """The rows of an evidence table (none if the table does not exist yet)."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        return [Row(r["iri"], (r[column] or "").strip(), (r.get("match") or "exact").strip(), r.get("note") or "",
                    r.get("where_seen") or "", n) for n, r in enumerate(reader, start=2)]


@dataclass(frozen=True)
class Link:
    subject: str
    predicate: str
    value: str
    target: Target

    @property
    def object(self) -> str:
        return self.target.iri(self.value)


def target_links(target: Target, rows: list[Row], classes: dict[str, set[str]], path: Path) -> list[Link]:
    """The links the table's rows with a value make; a bad row raises EvidenceError."""
    links = []
    for row in rows:
        if not row.value:
            continue
        if not target.valid(row.value):
            raise EvidenceError(path, row.line, f"{row.value!r} is not a valid {target.column} for {target.title}")
        if row.iri not in classes:
            raise EvidenceError(path, row.line, f"<{row.iri}> is not defined in data/")
        if row.match not in MATCHES:
            raise EvidenceError(path, row.line, f"match must be one of {', '.join(MATCHES)}, not {row.match!r}")
        links.append(Link(row.iri, predicate_for(target, row, classes[row.iri]), row.value, target))
    return links


def predicate_for(target: Target, row: Row, classes: set[str]) -> str:
    if target.key == "wikidata" and classes & CONCEPT_CLASSES:
        return SKOS + "exactMatch"
    return target.predicate if row.match == "exact" else MATCHES[row.match]


# ---------------------------------------------------------------- reading the data

def _generated(project: Project) -> set[Path]:
    return {project.data_dir / ISO_FILE} | {project.data_dir / LINKS_DIR / t.output for t in TARGETS if t.output}


def hand_written_triples(project: Project) -> list[ox.Triple]:
    """Every triple of the data files that are not generated here."""
    skip = _generated(project)
    return [t for path in project.data_files() if path not in skip for t in parse_file(path)]


def classes_of(triples: list[ox.Triple]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for t in triples:
        if t.predicate == RDF_TYPE and isinstance(t.subject, ox.NamedNode):
            found.setdefault(t.subject.value, set()).add(t.object.value)
    return found


def all_links(project: Project, triples: list[ox.Triple] | None = None) -> dict[str, list[Link]]:
    """Target key -> the links its evidence table makes (Wikidata: all of them, hand-written ones included)."""
    triples = hand_written_triples(project) if triples is None else triples
    classes = classes_of(triples)
    result = {}
    for target in TARGETS:
        path = project.data_dir / LINKS_DIR / target.table
        result[target.key] = target_links(target, evidence_rows(path, target.column), classes, path)
    return result


def country_codes(project: Project) -> list[str]:
    """The alpha-2 codes of every ictd:Country defined in the data (the generated files aside)."""
    return sorted(s.removeprefix(ID_BASE + "country/") for s, cs in classes_of(hand_written_triples(project)).items()
                  if COUNTRY.value in cs)


# ---------------------------------------------------------------- writing Turtle

HEADER_PREFIXES = {"ictd": ICTD, "owl": PREFIXES["owl"], "schema": PREFIXES["schema"], "skos": SKOS}


def _header(source: str) -> list[str]:
    return [f"# Generated by `ict-diplomacy links` from {source}; do not edit by hand.",
            "@base <https://w3id.org/ict-diplomacy/id/> ."]


def _curie(iri: str) -> str:
    for prefix, ns in HEADER_PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return f"<{iri}>"


def links_turtle(target: Target, links: list[Link]) -> str:
    lines = _header(f"data/links/{target.table}")
    lines += [f"@prefix {p}: <{ns}> ." for p, ns in HEADER_PREFIXES.items()] + [""]
    for link in sorted(links, key=lambda link: link.subject):
        subject = "<" + link.subject.removeprefix(ID_BASE) + ">"
        statements = [f"{_curie(link.predicate)} <{link.object}>"]
        if target.literal and link.predicate == target.predicate:  # the code states an exact match only
            statements.insert(0, f'{_curie(target.literal)} "{link.value}"')
        lines.append(f"{subject} " + " ;\n    ".join(statements) + " .")
    return "\n".join(lines) + "\n"


def generated_links(project: Project) -> dict[Path, str]:
    """Each generated link file and its text (Wikidata: only links no hand-written file states)."""
    triples = hand_written_triples(project)
    stated = {(t.subject.value, t.predicate.value, t.object.value) for t in triples}
    files = {}
    for key, links in all_links(project, triples).items():
        target = TARGETS_BY_KEY[key]
        if not target.output:
            continue
        if target.hand_written:
            links = [link for link in links if (link.subject, link.predicate, link.object) not in stated]
        files[project.data_dir / LINKS_DIR / target.output] = links_turtle(target, links)
    return files


def iso_turtle(codes: list[str]) -> str:
    lines = [
        "# Generated by `ict-diplomacy links` from pycountry " + pycountry.__version__ + "; do not edit by hand.",
        "@base <https://w3id.org/ict-diplomacy/id/> .",
        "@prefix ictd: <https://w3id.org/ict-diplomacy/ontology#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "",
    ]
    for code in codes:
        country = pycountry.countries.get(alpha_2=code)
        if country is None:
            raise ValueError(f"<country/{code}>: {code!r} is not an ISO 3166-1 alpha-2 code")
        lines.append(
            f'<country/{code}> ictd:isoAlpha2 "{country.alpha_2}" ; ictd:isoAlpha3 "{country.alpha_3}" ; '
            f'ictd:isoNumeric "{country.numeric}" ;\n'
            f"    skos:exactMatch <{EU_COUNTRY}{country.alpha_3}> .")
    return "\n".join(lines) + "\n"


def write_iso(project: Project) -> Path:
    path = project.data_dir / ISO_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(iso_turtle(country_codes(project)), encoding="utf-8")
    return path


def write_all(project: Project) -> list[Path]:
    """Regenerate every generated link file; returns their paths."""
    paths = [write_iso(project)]
    for path, text in generated_links(project).items():
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
