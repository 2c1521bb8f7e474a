"""The ontology documentation at /ontology: classes and properties in the page's language, with
domains and ranges (owl:unionOf written as lists), the SHACL shapes that check each term and
their messages, examples, and the alignments to external vocabularies (the IMI one apart).

The ontology comes from the store (through site.engine, like every page); the shapes are not
published in the store, so they are read once from the project's shapes/ files when present."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pyoxigraph as ox

from .i18n import LANGUAGES
from ..project import ICTD, ONTOLOGY_IRI, PREFIXES, Project
from .views import DCT, RDF_TYPE, Graph, compact, href, in_language

log = logging.getLogger("ict_diplomacy.ontology_doc")

OWL, RDFS, SKOS = PREFIXES["owl"], PREFIXES["rdfs"], PREFIXES["skos"]
SH = "http://www.w3.org/ns/shacl#"
IMI = "http://imi.go.jp/ns/core/rdf#"
SECTIONS = (
    ("classes", OWL + "Class"),
    ("object_properties", OWL + "ObjectProperty"),
    ("datatype_properties", OWL + "DatatypeProperty"),
    ("annotation_properties", OWL + "AnnotationProperty"),
)
ALIGNMENTS = (RDFS + "subClassOf", RDFS + "subPropertyOf", OWL + "equivalentClass", OWL + "equivalentProperty",
              SKOS + "exactMatch", SKOS + "closeMatch")


# ---------------------------------------------------------------- shapes

@dataclass
class ShapeRule:
    """One constraint of a shape as documentation: what it constrains and what it says."""

    shape: str
    title: dict[str, str]
    path: str | None
    messages: dict[str, str]
    warning: bool = False


@dataclass
class ShapeIndex:
    """Rules by the term they check: target classes, and properties of sh:targetSubjectsOf."""

    by_term: dict[str, list[ShapeRule]] = field(default_factory=dict)

    def rules(self, iri: str) -> list[ShapeRule]:
        return self.by_term.get(iri, [])


def load_shapes(project: Project | None = None) -> ShapeIndex:
    """Read the project's shape files (empty when there are none, e.g. an installed wheel)."""
    project = project or Project.find()
    triples: list[ox.Triple] = []
    try:
        for path in project.shape_files():
            triples += [q.triple if isinstance(q, ox.Quad) else q for q in ox.parse(path=str(path))]
    except (OSError, SyntaxError) as error:
        log.warning("shapes not documented: %s", error)
        return ShapeIndex()
    return index_shapes(Graph(triples))


def index_shapes(graph: Graph) -> ShapeIndex:
    index = ShapeIndex()
    shapes = {t.subject for t in graph.triples if t.predicate.value in (SH + "targetClass", SH + "targetSubjectsOf")}
    for shape in shapes:
        targets = [o.value for p in ("targetClass", "targetSubjectsOf") for o in graph.objects(shape.value, SH + p)]
        rules = _rules_of(graph, shape)
        for target in targets:
            index.by_term.setdefault(target, []).extend(rules)
    return index


def _texts(graph: Graph, node, predicate: str) -> dict[str, str]:
    return {o.language: o.value for o in graph.objects(node.value, predicate)
            if isinstance(o, ox.Literal) and o.language in LANGUAGES}


def _rules_of(graph: Graph, shape) -> list[ShapeRule]:
    title = _texts(graph, shape, RDFS + "label")
    name = shape.value.rsplit("#", 1)[-1]
    rules = []
    for node in [*graph.objects(shape.value, SH + "property"), *graph.objects(shape.value, SH + "sparql"), shape]:
        messages = _texts(graph, node, SH + "message")
        if not messages:
            continue
        paths = [compact(p.value) for p in graph.objects(node.value, SH + "path") if isinstance(p, ox.NamedNode)]
        warning = any(o.value == SH + "Warning" for o in graph.objects(node.value, SH + "severity"))
        rules.append(ShapeRule(name, title, paths[0] if paths else None, messages, warning))
    return rules


# ---------------------------------------------------------------- the page

def _rdf_list(graph: Graph, node) -> list:
    items, seen = [], set()
    while isinstance(node, ox.BlankNode) and node not in seen:
        seen.add(node)
        items += graph.objects(node.value, PREFIXES["rdf"] + "first")
        rest = graph.objects(node.value, PREFIXES["rdf"] + "rest")
        node = rest[0] if rest else None
    return items


def class_expression(graph: Graph, term, lang: str) -> list[dict]:
    """A class, or the members of an owl:unionOf, as links."""
    if isinstance(term, ox.NamedNode):
        return [graph.link(term.value, lang)]
    union = graph.objects(term.value, OWL + "unionOf")
    return [graph.link(m.value, lang) for m in _rdf_list(graph, union[0]) if isinstance(m, ox.NamedNode)] if union else []


def _relation(graph: Graph, iri: str, predicate: str, lang: str) -> list[list[dict]]:
    return [found for o in graph.objects(iri, predicate) if (found := class_expression(graph, o, lang))]


def _alignments(graph: Graph, iri: str, lang: str) -> tuple[list[dict], list[dict]]:
    """Links to terms outside our namespace: (other vocabularies, IMI)."""
    external, imi = [], []
    for predicate in ALIGNMENTS:
        for o in graph.objects(iri, predicate):
            for target in class_expression(graph, o, lang):
                if target["iri"].startswith(ICTD):
                    continue
                label = "ic:" + target["iri"][len(IMI):] if target["iri"].startswith(IMI) else compact(target["iri"])
                entry = {"relation": compact(predicate), "href": target["iri"], "label": label}
                (imi if target["iri"].startswith(IMI) else external).append(entry)
    return external, imi


def term_view(graph: Graph, iri: str, lang: str, shapes: ShapeIndex) -> dict:
    def named(predicate: str) -> list[dict]:
        return [graph.link(o.value, lang) for o in graph.objects(iri, predicate)
                if isinstance(o, ox.NamedNode) and o.value.startswith(ICTD)]
    definitions = [graph.value(o, lang) for o in graph.objects(iri, SKOS + "definition")]
    definitions = definitions or [graph.value(o, lang) for o in graph.objects(iri, RDFS + "comment")]
    external, imi = _alignments(graph, iri, lang)
    return {"iri": iri, "name": iri[len(ICTD):], "title": graph.link(iri, lang),
            "labels": {tag: graph.labels.get(iri, {}).get(tag) for tag in LANGUAGES},
            "definitions": in_language(definitions, lang),
            "types": [graph.link(o.value, lang) for o in graph.objects(iri, RDF_TYPE) if isinstance(o, ox.NamedNode)],
            "parents": named(RDFS + "subClassOf") + named(RDFS + "subPropertyOf"),
            "domain": _relation(graph, iri, RDFS + "domain", lang),
            "range": _relation(graph, iri, RDFS + "range", lang),
            "union": _relation(graph, iri, OWL + "equivalentClass", lang),
            "examples": [{"href": href(o.value), "label": o.value} for o in graph.objects(iri, SKOS + "example")],
            "alignments": external, "imi": imi,
            "shapes": [{"shape": r.shape, "title": r.title.get(lang), "path": r.path, "warning": r.warning,
                        "message": r.messages.get(lang) or next(iter(r.messages.values()))} for r in shapes.rules(iri)]}


def ontology_view(graph: Graph, lang: str, shapes: ShapeIndex | None = None) -> dict:
    """Header, then the terms of each kind, in alphabetical order of their names."""
    shapes = shapes or ShapeIndex()
    terms: dict[str, list[dict]] = {name: [] for name, _ in SECTIONS}
    terms["other"] = []
    kinds = {cls: name for name, cls in SECTIONS}
    subjects = sorted({t.subject.value for t in graph.triples
                       if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(ICTD)})
    for iri in subjects:
        types = [o.value for o in graph.objects(iri, RDF_TYPE)]
        section = next((kinds[t] for t in types if t in kinds), "other")
        terms[section].append(term_view(graph, iri, lang, shapes))

    def text(predicate: str) -> dict | None:
        values = in_language([graph.value(o, lang) for o in graph.objects(ONTOLOGY_IRI, predicate)], lang)
        return values[0] if values else None
    return {"iri": ONTOLOGY_IRI, "title": text(DCT + "title"), "description": text(DCT + "description"),
            "version": text(OWL + "versionInfo"),
            "license": [graph.value(o, lang) for o in graph.objects(ONTOLOGY_IRI, DCT + "license")],
            "sections": [(name, terms[name]) for name in (*(n for n, _ in SECTIONS), "other") if terms[name]]}
