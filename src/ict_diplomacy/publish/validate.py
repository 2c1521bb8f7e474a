"""Validate the sources: SHACL shapes plus the checks SHACL cannot express well
(dangling references, undeclared ontology terms, resources defined in two files)."""

from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import rdflib
from rdflib.namespace import RDF, RDFS, SH

from . import literals, shacl_sparql
from . import sources as src
from ..project import ICTD, ID_BASE, Project

SHAPES = "https://w3id.org/ict-diplomacy/shapes#"
SEVERITY = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass
class Finding:
    severity: str
    focus: str
    path: str
    message: dict[str, str]
    file: str = ""
    check: str = ""
    label: str = ""
    line: int = 0

    def text(self, lang: str) -> str:
        return self.message.get(lang) or next(iter(self.message.values()), "")


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    triples: int = 0
    files: int = 0

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Violation"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Warning"]

    @property
    def conforms(self) -> bool:
        return not self.violations

    def summary(self) -> str:
        return (f"{len(self.violations)} violation(s), {len(self.warnings)} warning(s) "
                f"in {self.files} files, {self.triples} triples")

    def to_json(self) -> str:
        return json.dumps({"conforms": self.conforms, "summary": self.summary(),
                           "findings": [asdict(f) for f in self.findings]}, ensure_ascii=False, indent=2)

    def to_table(self, lang: str = "en", root: Path | None = None) -> str:
        rows = [("severity", "focus", "path", "message", "file")]
        for f in sorted(self.findings, key=lambda f: (f.severity != "Violation", f.file, f.focus)):
            focus = f"{f.label} <{f.focus}>" if f.label else f"<{f.focus}>"
            where = _relative(f.file, root) + (f":{f.line}" if f.line else "")
            rows.append((f.severity, focus, f.path, f.text(lang), where))
        widths = [min(max(len(r[i]) for r in rows), cap) for i, cap in enumerate((9, 70, 30, 200, 50))]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines + ["", self.summary()])


def _relative(file: str, root: Path | None) -> str:
    if file and root:
        try:
            return str(Path(file).relative_to(root))
        except ValueError:
            pass
    return file


def validate(project: Project, sources: src.Sources | None = None, engine: str = "sparql") -> Report:
    """Parse (unless given parsed sources) and check everything; never raises on bad data.
    `engine` runs the shapes: "sparql" (translated to SPARQL, run in Oxigraph) or "pyshacl";
    both give the same findings (tests/test_validate_sparql.py)."""
    sources = sources or src.load(project)
    published = sources.published
    shapes = src.graph_of([t for ts in sources.shapes.values() for t in ts])
    defined_in = sources.defined_in()
    store = in_memory_store(published)
    findings = ENGINES[engine](store, published, shapes)
    findings += reference_findings(sources, published, defined_in, store)
    findings += literal_findings(sources)
    labels = _labels(published, {f.focus for f in findings})
    _locate(findings, sources, shapes, defined_in)
    for f in findings:
        f.label = labels.get(f.focus, "")
    return Report(findings, triples=len(published), files=sources.file_count())


def _locate(findings: list[Finding], sources: src.Sources, shapes: rdflib.Graph,
            defined_in: dict[str, list[Path]]) -> None:
    """Point each finding at the file and line stating the faulty property (the finding's path, or
    for a SPARQL constraint the property its shape targets the subjects of); failing that, at the
    file defining the resource."""
    stated = src.statement_files(sources, {f.focus for f in findings})
    for f in findings:
        predicates = _predicates(f, shapes)
        file = next((stated[(f.focus, p)] for p in predicates if (f.focus, p) in stated), None)
        if not f.file:
            files = defined_in.get(f.focus, [])
            f.file = str(file or (files[0] if files else ""))
        if f.file and not f.line:
            shown = next((p for p in predicates if stated.get((f.focus, p)) == Path(f.file)), "")
            f.line = src.line_of(Path(f.file), f.focus, shown)


def _predicates(f: Finding, shapes: rdflib.Graph) -> list[str]:
    if f.path:
        return [_expand(f.path)]
    if f.check.startswith("shape:"):
        shape = rdflib.URIRef(SHAPES + f.check.removeprefix("shape:"))
        return [str(p) for p in shapes.objects(shape, SH.targetSubjectsOf)]
    return []


def in_memory_store(triples: list[ox.Triple]) -> ox.Store:
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return store


def sparql_findings(store: ox.Store, published: list[ox.Triple], shapes: rdflib.Graph) -> list[Finding]:
    return [Finding(severity=SEVERITY.get(r.severity, "Violation"), focus=r.focus,
                    path=_short(r.path) if isinstance(r.path, rdflib.URIRef) else "",
                    message=r.messages, check=_shape_name(shapes, r.shape))
            for r in shacl_sparql.validate(store, shapes)]


def pyshacl_findings(store: ox.Store, published: list[ox.Triple], shapes: rdflib.Graph) -> list[Finding]:
    return shacl_findings(src.graph_of(published), shapes)


ENGINES = {"sparql": sparql_findings, "pyshacl": pyshacl_findings}


def shacl_findings(data: rdflib.Graph, shapes: rdflib.Graph) -> list[Finding]:
    _, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                     allow_warnings=True, advanced=True)
    findings = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        messages = {m.language or _script_language(str(m)): str(m) for m in results.objects(result, SH.resultMessage)}
        path = results.value(result, SH.resultPath)
        findings.append(Finding(
            severity=SEVERITY.get(results.value(result, SH.resultSeverity), "Violation"),
            focus=str(results.value(result, SH.focusNode)),
            path=_short(path) if isinstance(path, rdflib.URIRef) else "",
            message=messages,
            check=_shape_name(shapes, results.value(result, SH.sourceShape)),
        ))
    return findings


# Candidates for reference_findings, found in the store: a superset of what the per-file scan
# reports (it also sees the ontology's triples), so a clean graph skips that scan.
SUSPECT_REFERENCES = f"""SELECT DISTINCT ?iri WHERE {{
  {{ ?iri ?p ?o }} UNION {{ ?s ?iri ?o }} UNION {{ ?s ?p ?iri }}
  FILTER(isIRI(?iri) && (STRSTARTS(STR(?iri), "{ICTD}") || STRSTARTS(STR(?iri), "{ID_BASE}")))
}}"""


def reference_findings(sources: src.Sources, published: list[ox.Triple],
                       defined_in: dict[str, list[Path]], store: ox.Store | None = None) -> list[Finding]:
    """Dangling references to our own IRIs, undeclared ictd: terms, double definitions."""
    ontology_terms = {t.subject.value for ts in sources.ontology.values() for t in ts
                      if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(ICTD)}
    typed = {t.subject.value for t in published if t.predicate == src.RDF_TYPE}
    findings: list[Finding] = []
    if store is None or _suspects(store, typed, ontology_terms):
        findings += _scan_references(sources, typed, ontology_terms)
    findings += _defined_twice(defined_in)
    return findings


def _suspects(store: ox.Store, typed: set[str], ontology_terms: set[str]) -> bool:
    for row in store.query(SUSPECT_REFERENCES):
        iri = row["iri"].value
        if (iri.startswith(ID_BASE) and iri not in typed) or (iri.startswith(ICTD) and iri not in ontology_terms):
            return True
    return False


def _scan_references(sources: src.Sources, typed: set[str], ontology_terms: set[str]) -> list[Finding]:
    findings: list[Finding] = []
    reported: set[tuple[str, str]] = set()
    for path, triples in sources.data.items():
        for t in triples:
            for term in (t.subject, t.predicate, t.object):
                if not isinstance(term, ox.NamedNode):
                    continue
                iri = term.value
                if iri.startswith(ID_BASE) and iri not in typed and ("dangling", iri) not in reported:
                    reported.add(("dangling", iri))
                    findings.append(_finding(
                        "dangling", iri, path, t,
                        ja=f"<{iri}> を参照していますが、どのファイルにも型付きで定義されていません。IRI の綴りを直すか、定義を追加してください。",
                        en=f"<{iri}> is referred to but no file defines it (gives it an rdf:type); fix the IRI or add the definition."))
                elif iri.startswith(ICTD) and iri not in ontology_terms and ("term", iri) not in reported:
                    reported.add(("term", iri))
                    findings.append(_finding(
                        "undeclared-term", iri, path, t,
                        ja=f"ictd:{iri[len(ICTD):]} はオントロジーで宣言されていません。用語を確認するか、ontology/ に宣言を追加してください。",
                        en=f"ictd:{iri[len(ICTD):]} is not declared in the ontology; use a declared term or declare it in ontology/."))
    return findings


def literal_findings(sources: src.Sources) -> list[Finding]:
    """Typed literals whose text is no value of their datatype, with the file and line."""
    findings = []
    for path, t in literals.invalid_literals({**sources.ontology, **sources.data}):
        line = literals.line_of(path, t.object)
        datatype = _short(rdflib.URIRef(t.object.datatype.value))
        text = t.object.value
        finding = _finding(
            "lexical-form", t.subject.value if isinstance(t.subject, ox.NamedNode) else "", path, t,
            ja=f"「{text}」は {datatype} の値として書けません（例: 2019-12、2019、2019-12-31）。型に合う形に直してください。",
            en=f"{text!r} is not a valid {datatype} (write e.g. 2019-12, 2019 or 2019-12-31 as the datatype asks).")
        finding.line = line or 0
        findings.append(finding)
    return findings


def _defined_twice(defined_in: dict[str, list[Path]]) -> list[Finding]:
    findings = []
    for iri, files in defined_in.items():
        if len(files) > 1:
            names = ", ".join(str(f) for f in files)
            findings.append(Finding(
                "Violation", iri, "rdfs:label", check="defined-twice", file=str(files[0]),
                message={"ja": f"<{iri}> が複数のファイルで定義されています（{names}）。型とラベルは1つのファイルにまとめてください。",
                         "en": f"<{iri}> is defined (typed or labelled) in several files ({names}); keep its type and labels in one file."}))
    return findings


def _finding(check: str, iri: str, path: Path, triple: ox.Triple, *, ja: str, en: str) -> Finding:
    focus = triple.subject.value if isinstance(triple.subject, ox.NamedNode) else iri
    return Finding("Violation", focus, _short(rdflib.URIRef(triple.predicate.value)),
                   {"ja": ja, "en": en}, file=str(path), check=check)


def _shape_name(shapes: rdflib.Graph, shape) -> str:
    """The named node shape a result comes from (property shapes are blank nodes inside one)."""
    if isinstance(shape, rdflib.BNode):
        shape = shapes.value(None, SH.property, shape) or shape
    return _short(shape) if isinstance(shape, rdflib.URIRef) else ""


def _script_language(text: str) -> str:
    """pyshacl drops the language tag of SPARQL-constraint messages when it fills in {?var}s;
    the script tells the two languages of our messages apart."""
    return "ja" if any("\u3040" <= ch <= "\u9fff" for ch in text) else "en"


def _labels(published: list[ox.Triple], wanted: set[str], lang: str = "en") -> dict[str, str]:
    """The label of each wanted IRI: in `lang` if it has one, else any."""
    labels: dict[str, str] = {}
    for t in published:
        if t.predicate == src.RDFS_LABEL and isinstance(t.subject, ox.NamedNode) and t.subject.value in wanted:
            if t.subject.value not in labels or getattr(t.object, "language", None) == lang:
                labels[t.subject.value] = t.object.value
    return labels


def _short(term: rdflib.URIRef) -> str:
    return _short_iri(str(term))


@functools.lru_cache(maxsize=4096)
def _short_iri(iri: str) -> str:
    for prefix, ns in (("ictd", ICTD), ("shape", SHAPES), ("rdfs", str(RDFS)), ("rdf", str(RDF))):
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return _NAMESPACES.normalizeUri(rdflib.URIRef(iri))


_NAMESPACES = rdflib.Graph().namespace_manager  # building one costs ~0.5 ms: once, not per finding


def _expand(short: str) -> str:
    """The IRI of a name _short_iri gave."""
    if short.startswith("<") and short.endswith(">"):
        return short[1:-1]
    for prefix, ns in (("ictd", ICTD), ("shape", SHAPES), ("rdfs", str(RDFS)), ("rdf", str(RDF))):
        if short.startswith(prefix + ":"):
            return ns + short[len(prefix) + 1:]
    try:
        return str(_NAMESPACES.expand_curie(short))
    except ValueError:
        return short
