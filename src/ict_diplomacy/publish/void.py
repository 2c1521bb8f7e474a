"""The release's VoID description (`void.ttl`, `void.jsonld`): statistics counted straight from the
published triples (so `void:triples` equals the store's size), class and property partitions,
example resources, and one `void:Linkset` per link target and predicate."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyoxigraph as ox

from ..project import BASE, ID_BASE
from .description import (DATASET, DUMPS, LICENCE, LINK_PREDICATES, LINK_TARGETS_BY_KEY, NS, SPARQL, TEXT, Graph,
                          Index, LinkTarget, dump_format, iri, link_target, short, text, texts, typed, write)

VOID_PREFIXES = {p: NS[p] for p in (
    "void", "dct", "foaf", "xsd", "rdf", "rdfs", "owl", "skos", "schema", "formats", "ictd")}
VOID_FILES = ("void.ttl", "void.jsonld")


@dataclass
class Statistics:
    triples: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    property_triples: Counter
    class_entities: Counter
    vocabularies: list[str]
    links: Counter  # (predicate IRI, LinkTarget.key) -> triples

    @property
    def linksets(self) -> list[tuple[str, LinkTarget, int]]:
        return [(p, LINK_TARGETS_BY_KEY[k], n) for (p, k), n in sorted(self.links.items())]


def statistics(triples: list[ox.Triple]) -> Statistics:
    """VoID statistics counted straight from the triples (one pass, no store needed)."""
    rdf_type = iri("rdf:type")
    subjects, objects, typed_subjects = set(), set(), defaultdict(set)
    properties: Counter = Counter()
    links: Counter = Counter()
    for t in triples:
        subjects.add(t.subject)
        objects.add(t.object)
        properties[t.predicate.value] += 1
        if t.predicate == rdf_type:
            typed_subjects[t.object.value].add(t.subject)
        elif t.predicate.value in LINK_PREDICATES and isinstance(t.object, ox.NamedNode):
            target = link_target(t.object.value)
            if target:
                links[(t.predicate.value, target.key)] += 1
    entities = {s for s in subjects if isinstance(s, ox.NamedNode) and s.value.startswith(ID_BASE)}
    vocabularies = sorted({_namespace(i) for i in (*properties, *typed_subjects)} - {"", ID_BASE})
    return Statistics(len(triples), len(entities), len(subjects), len(objects), properties,
                      Counter({c: len(s) for c, s in typed_subjects.items()}), vocabularies, links)


def _namespace(value: str) -> str:
    cut = max(value.rfind("#"), value.rfind("/"))
    return value[:cut + 1] if cut > len("https://") else ""


def example_resources(index: Index) -> list[ox.NamedNode]:
    """The ontology's own examples (skos:example) that the data really holds."""
    examples = {v.value for ts in index.by_subject.values() for t in ts for v in [t.object]
                if t.predicate == iri("skos:example") and v.value.startswith(ID_BASE)}
    return [ox.NamedNode(e) for e in sorted(examples) if ox.NamedNode(e) in index.by_subject]


def void_graph(index: Index, stats: Statistics, files: list[dict], built: datetime) -> Graph:
    g, d = Graph(), DATASET
    g.add(d, "rdf:type", "void:Dataset")
    g.add(d, "dct:title", *texts(TEXT["dataset_title"]))
    g.add(d, "dct:description", *texts(TEXT["dataset_description"]))
    g.add(d, "dct:license", LICENCE).add(d, "foaf:homepage", BASE)
    g.add(d, "dct:modified", typed(built.isoformat(timespec="seconds"), "xsd:dateTime"))
    for name, number in (("triples", stats.triples), ("entities", stats.entities),
                         ("distinctSubjects", stats.distinct_subjects), ("distinctObjects", stats.distinct_objects),
                         ("properties", len(stats.property_triples)), ("classes", len(stats.class_entities))):
        g.add(d, f"void:{name}", typed(number, "xsd:integer"))
    g.add(d, "void:uriSpace", ox.Literal(ID_BASE))
    g.add(d, "void:vocabulary", *stats.vocabularies)
    g.add(d, "void:exampleResource", *example_resources(index))
    g.add(d, "void:sparqlEndpoint", SPARQL)
    g.add(d, "void:dataDump", *(DUMPS + f["name"] for f in files))
    g.add(d, "void:feature", *sorted({f"formats:{fmt.void_feature}" for f in files if (fmt := dump_format(f["name"]))}))
    _partitions(g, stats)
    _linksets(g, stats)
    return g


def partition_iri(kind: str, term: str) -> str:
    """A readable, stable IRI for a class or property partition (dataset/partition/class/ictd:Country)."""
    name = short(term)
    return f"{DATASET}/partition/{kind}/{name if name != term else hashlib.sha1(term.encode()).hexdigest()[:16]}"


def _partitions(g: Graph, stats: Statistics) -> None:
    for cls, count in sorted(stats.class_entities.items()):
        node = partition_iri("class", cls)
        g.add(DATASET, "void:classPartition", node)
        g.add(node, "void:class", cls).add(node, "void:entities", typed(count, "xsd:integer"))
    for prop, count in sorted(stats.property_triples.items()):
        node = partition_iri("property", prop)
        g.add(DATASET, "void:propertyPartition", node)
        g.add(node, "void:property", prop).add(node, "void:triples", typed(count, "xsd:integer"))


def linkset_iri(predicate: str, target: LinkTarget) -> str:
    """dataset/linkset/wikidata-sameAs, …/gbizinfo-schema-sameAs: owl:sameAs keeps its old name."""
    name = short(predicate).replace(":", "-") if not predicate.startswith((NS["owl"], NS["skos"])) \
        else predicate.rsplit("#", 1)[-1]
    return f"{DATASET}/linkset/{target.key}-{name}"


def _linksets(g: Graph, stats: Statistics) -> None:
    for predicate, target, count in stats.linksets:
        linkset = linkset_iri(predicate, target)
        g.add(DATASET, "void:subset", linkset)
        g.add(linkset, "rdf:type", "void:Linkset")
        g.add(linkset, "dct:title", text(f"Links to {target.title} ({short(predicate)})", "en"))
        g.add(linkset, "void:subjectsTarget", DATASET).add(linkset, "void:objectsTarget", target.iri)
        g.add(linkset, "void:linkPredicate", predicate)
        g.add(linkset, "void:triples", typed(count, "xsd:integer"))
        g.add(target.iri, "rdf:type", "void:Dataset").add(target.iri, "dct:title", text(target.title, "en"))
        g.add(target.iri, "void:uriSpace", ox.Literal(target.uri_space))
        if target.endpoint:
            g.add(target.iri, "void:sparqlEndpoint", target.endpoint)


def write_void(directory: Path, triples: list[ox.Triple], files: list[dict], built: datetime) -> list[Path]:
    graph = void_graph(Index.of(triples), statistics(triples), files, built)
    return write(directory, VOID_FILES, graph.triples, VOID_PREFIXES)
