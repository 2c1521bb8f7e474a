"""Parse the project's Turtle files, naming the file, line and column of any syntax error."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox
import rdflib

from ..errors import SourceSyntaxError
from ..project import Project

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def parse_file(path: Path) -> list[ox.Triple]:
    try:
        return list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    except SyntaxError as error:
        _, line, column, *_ = (error.args[1] if len(error.args) > 1 else (None, None, None))
        message = error.args[0] if error.args else str(error)
        raise SourceSyntaxError(path, line, column, message) from None
    except (OSError, ValueError) as error:
        raise SourceSyntaxError(path, None, None, str(error)) from None


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal):
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def graph_of(triples: list[ox.Triple]) -> rdflib.Graph:
    graph = rdflib.Graph()
    for t in triples:
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return graph


@dataclass
class Sources:
    """Parsed sources, kept per file so reports can say where a resource is defined."""

    ontology: dict[Path, list[ox.Triple]] = field(default_factory=dict)
    data: dict[Path, list[ox.Triple]] = field(default_factory=dict)
    shapes: dict[Path, list[ox.Triple]] = field(default_factory=dict)

    @cached_property
    def published(self) -> list[ox.Triple]:
        """What goes into the store and the dumps: the ontology and the data, deduplicated.
        Computed once (a build reads it four times; at 1M triples each costs a second)."""
        seen: dict[ox.Triple, None] = {}
        for triples in (*self.ontology.values(), *self.data.values()):
            seen.update(dict.fromkeys(triples))
        return list(seen)

    def file_count(self) -> int:
        return len(self.ontology) + len(self.data) + len(self.shapes)

    def defined_in(self) -> dict[str, list[Path]]:
        """IRI -> the files that type or label it (more than one file is a curation error)."""
        where: dict[str, list[Path]] = defaultdict(list)
        for path, triples in (*self.ontology.items(), *self.data.items()):
            for t in triples:
                if t.predicate in (RDF_TYPE, RDFS_LABEL) and isinstance(t.subject, ox.NamedNode):
                    files = where[t.subject.value]
                    if path not in files:
                        files.append(path)
        return where


def load(project: Project) -> Sources:
    """Parse every ontology, data and shape file; the first syntax error stops the load."""
    return Sources(
        ontology={p: parse_file(p) for p in project.ontology_files()},
        data={p: parse_file(p) for p in project.data_files()},
        shapes={p: parse_file(p) for p in project.shape_files()},
    )


def statement_files(sources: Sources, subjects: set[str]) -> dict[tuple[str, str], Path]:
    """(subject, predicate) -> the first data file stating it, for the given subjects only."""
    found: dict[tuple[str, str], Path] = {}
    for path, triples in sources.data.items():
        for t in triples:
            if isinstance(t.subject, ox.NamedNode) and t.subject.value in subjects:
                found.setdefault((t.subject.value, t.predicate.value), path)
    return found


def line_of(path: Path, subject: str, predicate: str = "") -> int:
    """The line of `path` where `subject` states `predicate` (or where its block starts), 0 if not
    found. Relies on the layout docs/authoring.md asks for: each subject opens a block at column 0
    with its relative IRI, and its predicates follow, prefixed, before the next block."""
    names = {f"<{subject}>", "<" + subject.removeprefix(_ID_BASE) + ">"}
    local = ":" + predicate.rsplit("#", 1)[-1].rsplit("/", 1)[-1] if predicate else ""
    start = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line[:1] == "<":
            if start and not any(line.startswith(n) for n in names):
                break  # the next block: the predicate was not in this one
            if any(line.startswith(n + " ") or line == n for n in names):
                start = number
        if start and local and (local + " " in line or f"<{predicate}>" in line):
            return number
    return start


_ID_BASE = "https://w3id.org/ict-diplomacy/id/"
