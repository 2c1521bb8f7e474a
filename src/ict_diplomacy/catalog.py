"""The release's dataset description: a DCAT 3 catalog and a VoID description, written by the
build's "catalog" step from the published triples and the dump files it has just written.

What describes what (no file can carry its own checksum, so the roles are split cleanly):

- ``catalog.ttl`` / ``catalog.jsonld`` (DCAT 3, DCAT-AP 3): the catalog, the dataset, one
  distribution per dump file (download URL, media type, byte size, SHA-256), one distribution for
  the SPARQL endpoint, and the SPARQL data service;
- ``void.ttl`` / ``void.jsonld`` (VoID): statistics, class and property partitions, linksets;
- ``manifest.json`` lists every file of the release, these four included, with size and SHA-256.

Both descriptions are the same bytes for the same input except for the build time
(``dct:issued`` / ``dct:modified``). Statistics are counted directly from the triples loaded
into the store, so ``void:triples`` equals the store's size.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox

from . import dumps
from .project import BASE, ICTD, ID_BASE, PREFIXES, Project

CATALOG = BASE + "catalog"
DATASET = BASE + "dataset"
SERVICE = BASE + "service/sparql"
SPARQL = BASE + "sparql"
DUMPS = BASE + "dumps/"
VOID_DOCUMENT = BASE + ".well-known/void"
LICENCE = "https://creativecommons.org/licenses/by/4.0/"

NS = {
    **PREFIXES,
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "spdx": "http://spdx.org/rdf/terms#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "iana": "https://www.iana.org/assignments/media-types/",
    "filetype": "http://publications.europa.eu/resource/authority/file-type/",
    "lang": "http://publications.europa.eu/resource/authority/language/",
    "theme": "http://publications.europa.eu/resource/authority/data-theme/",
    "eucountry": "http://publications.europa.eu/resource/authority/country/",
    "formats": "http://www.w3.org/ns/formats/",
}
CATALOG_PREFIXES = {p: NS[p] for p in (
    "dcat", "dct", "foaf", "vcard", "spdx", "xsd", "rdf", "rdfs", "owl", "skos", "prov",
    "filetype", "lang", "theme", "eucountry")}
VOID_PREFIXES = {p: NS[p] for p in (
    "void", "dct", "foaf", "xsd", "rdf", "rdfs", "owl", "skos", "formats", "ictd")}

CATALOG_FILES = ("catalog.ttl", "catalog.jsonld")
VOID_FILES = ("void.ttl", "void.jsonld")
SUFFIX_MEDIA_TYPES = {".ttl": "text/turtle", ".jsonld": "application/ld+json"}

DCAT_AP_SHAPES = "dcat-ap"  # folder under shapes/: vendored, for the catalog only, never for our data


@dataclass(frozen=True)
class Format:
    """How a dump file is described: IANA media type, EU file type, spec, VoID feature."""

    media_type: str
    file_type: str
    standard: str
    feature: str
    label: str
    compression: str | None = None


FORMATS = {
    dumps.TURTLE: Format("text/turtle", "RDF_TURTLE", "https://www.w3.org/TR/turtle/", "Turtle", "Turtle"),
    dumps.NTRIPLES_GZ: Format("application/n-triples", "RDF_N_TRIPLES", "https://www.w3.org/TR/n-triples/",
                              "N-Triples", "N-Triples, gzip", compression="application/gzip"),
    dumps.JSONLD: Format("application/ld+json", "JSON_LD", "https://www.w3.org/TR/json-ld11/", "JSON-LD", "JSON-LD"),
}


@dataclass(frozen=True)
class LinkTarget:
    """A dataset we link to: where its IRIs live and how VoID names it."""

    key: str
    iri: str
    uri_space: str
    title: str


LINK_TARGETS = (
    LinkTarget("wikidata", "http://www.wikidata.org/entity/Q2013", "http://www.wikidata.org/entity/", "Wikidata"),
    LinkTarget("eu-country", "http://publications.europa.eu/resource/authority/country", NS["eucountry"],
               "EU Vocabularies: Countries and territories"),
    LinkTarget("eurovoc", "http://eurovoc.europa.eu/100141", "http://eurovoc.europa.eu/", "EuroVoc"),
)
LINK_PREDICATES = (NS["owl"] + "sameAs", NS["skos"] + "exactMatch")

THEMES = {"TECH": "Science and technology", "INTR": "International issues", "GOVE": "Government and public sector"}
LANGUAGES = {"JPN": "Japanese", "ENG": "English"}
KEYWORDS = {"en": ("ICT", "international strategy", "diplomacy", "Japan", "white paper", "linked data"),
            "ja": ("ICT", "国際戦略", "外交", "日本", "情報通信白書", "リンクトデータ")}
TEXT = {
    "catalog_title": {"ja": "ICT外交 リンクトデータ カタログ", "en": "ICT diplomacy linked data catalog"},
    "catalog_description": {
        "ja": "日本のICT国際戦略（総務省『令和2年版情報通信白書』第6章第8節）の知識グラフのデータカタログ。",
        "en": "Catalog of the knowledge graph of Japan's ICT international strategy (MIC White Paper on "
              "Information and Communications in Japan, 2020, chapter 6, section 8)."},
    "dataset_title": {"ja": "ICT外交 知識グラフ", "en": "ICT diplomacy knowledge graph"},
    "dataset_description": {
        "ja": "総務省『令和2年版情報通信白書』第6章第8節「ICT国際戦略の推進」のすべての事実（国、国際機関、会合と対話、"
              "合意文書、円借款と事業、ISDB-Tの採用、国際機関の役職への選出、金額と統計）をRDFで表したもの。"
              "各事実は出典の節に遡ることができ、日本語と英語のラベルを持ち、Wikidataにリンクしている。",
        "en": "Every fact of section 8 of chapter 6 (\"Promotion of ICT international strategy\") of MIC's White "
              "Paper on Information and Communications in Japan, 2020, as RDF: countries, international "
              "organizations, meetings and dialogues, agreements, ODA loans and projects, adoptions of ISDB-T, "
              "elections to international posts, money and statistics. Each fact is traceable to the subsection "
              "it came from, labelled in Japanese and English, and linked to Wikidata."},
    "service_title": {"ja": "ICT外交 SPARQLエンドポイント", "en": "ICT diplomacy SPARQL endpoint"},
    "service_description": {
        "ja": "知識グラフを問い合わせる読み取り専用のSPARQL 1.1エンドポイント。",
        "en": "Read-only SPARQL 1.1 endpoint over the knowledge graph."},
}


# ---------------------------------------------------------------- terms and triples

def iri(name: str) -> ox.NamedNode:
    """A named node from a full IRI or a prefixed name of NS ("dcat:Dataset")."""
    prefix, _, local = name.partition(":")
    if prefix in NS and not local.startswith("//"):
        return ox.NamedNode(NS[prefix] + local)
    return ox.NamedNode(name)


def text(value: str, lang: str) -> ox.Literal:
    return ox.Literal(value, language=lang)


def typed(value: object, datatype: str) -> ox.Literal:
    return ox.Literal(str(value), datatype=iri(datatype))


def texts(values: dict[str, str]) -> list[ox.Literal]:
    return [text(v, lang) for lang, v in sorted(values.items())]


Term = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass
class Graph:
    """Triples being written; strings stand for IRIs or prefixed names."""

    triples: list[ox.Triple] = field(default_factory=list)

    def add(self, subject: str | Term, predicate: str, *objects: str | Term) -> "Graph":
        s, p = _term(subject), iri(predicate)
        self.triples.extend(ox.Triple(s, p, _term(o)) for o in objects)
        return self


def _term(value: str | Term) -> Term:
    return iri(value) if isinstance(value, str) else value


# ---------------------------------------------------------------- what the data says

@dataclass
class Index:
    """The published triples by subject, for the few facts the description reads from the data."""

    by_subject: dict[ox.NamedNode | ox.BlankNode, list[ox.Triple]]

    @classmethod
    def of(cls, triples: Iterable[ox.Triple]) -> "Index":
        by_subject: dict = defaultdict(list)
        for t in triples:
            by_subject[t.subject].append(t)
        return cls(dict(by_subject))

    def values(self, subject, predicate: str) -> list[Term]:
        p = iri(predicate)
        return [t.object for t in self.by_subject.get(subject, ()) if t.predicate == p]

    def value(self, subject, predicate: str) -> Term | None:
        found = self.values(subject, predicate)
        return found[0] if found else None

    def instances(self, cls: str) -> list[ox.NamedNode]:
        c, rdf_type = iri(cls), iri("rdf:type")
        return sorted((s for s, ts in self.by_subject.items() if isinstance(s, ox.NamedNode)
                       and any(t.predicate == rdf_type and t.object == c for t in ts)), key=str)

    def labels(self, subject) -> dict[str, str]:
        return {v.language: v.value for v in self.values(subject, "rdfs:label")
                if isinstance(v, ox.Literal) and v.language}


def ontology_version(index: Index) -> str:
    version = index.value(ox.NamedNode(BASE + "ontology"), "owl:versionInfo")
    return version.value if version else ""


def publisher(index: Index) -> ox.NamedNode | None:
    """Whoever the ontology names as its publisher publishes the dataset too."""
    found = index.value(ox.NamedNode(BASE + "ontology"), "dct:publisher")
    return found if isinstance(found, ox.NamedNode) else None


def temporal_coverage(index: Index) -> tuple[ox.Literal, ox.Literal] | None:
    """The earliest and latest date the data states for what happened (ictd:date, start and
    end dates, entry into force); founding dates describe history, not coverage, and are left out."""
    dated = [v for ts in index.by_subject.values() for t in ts for v in [t.object]
             if t.predicate.value in {ICTD + p for p in ("date", "startDate", "endDate", "entryIntoForce")}
             and isinstance(v, ox.Literal)]
    if not dated:
        return None
    first = min(dated, key=lambda v: _date_key(v.value, "00"))
    last = max(dated, key=lambda v: _date_key(v.value, "99"))
    return first, last


def _date_key(value: str, pad: str) -> str:
    parts = value[:10].split("-")
    return "-".join(parts + [pad] * (3 - len(parts)))


# ---------------------------------------------------------------- statistics (VoID)

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
        by_key = {t.key: t for t in LINK_TARGETS}
        return [(p, by_key[k], n) for (p, k), n in sorted(self.links.items())]


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
            target = _link_target(t.object.value)
            if target:
                links[(t.predicate.value, target.key)] += 1
    entities = {s for s in subjects if isinstance(s, ox.NamedNode) and s.value.startswith(ID_BASE)}
    vocabularies = sorted({_namespace(i) for i in (*properties, *typed_subjects)} - {"", ID_BASE})
    return Statistics(len(triples), len(entities), len(subjects), len(objects), properties,
                      Counter({c: len(s) for c, s in typed_subjects.items()}), vocabularies, links)


def _link_target(value: str) -> LinkTarget | None:
    return next((t for t in LINK_TARGETS if value.startswith(t.uri_space)), None)


def _namespace(value: str) -> str:
    cut = max(value.rfind("#"), value.rfind("/"))
    return value[:cut + 1] if cut > len("https://") else ""


def example_resources(index: Index) -> list[ox.NamedNode]:
    """The ontology's own examples (skos:example) that the data really holds."""
    examples = {v.value for ts in index.by_subject.values() for t in ts for v in [t.object]
                if t.predicate == iri("skos:example") and v.value.startswith(ID_BASE)}
    return [ox.NamedNode(e) for e in sorted(examples) if ox.NamedNode(e) in index.by_subject]


# ---------------------------------------------------------------- DCAT

def catalog_graph(index: Index, files: list[dict], built: datetime) -> Graph:
    g = Graph()
    when = typed(built.isoformat(timespec="seconds"), "xsd:dateTime")
    agent = _agents(g, index)
    g.add(CATALOG, "rdf:type", "dcat:Catalog")
    g.add(CATALOG, "dct:title", *texts(TEXT["catalog_title"]))
    g.add(CATALOG, "dct:description", *texts(TEXT["catalog_description"]))
    g.add(CATALOG, "dct:publisher", agent).add(CATALOG, "dct:creator", agent)
    g.add(CATALOG, "dct:license", LICENCE).add(CATALOG, "foaf:homepage", BASE)
    g.add(CATALOG, "dct:issued", when).add(CATALOG, "dct:modified", when)
    g.add(CATALOG, "dct:language", *(f"lang:{code}" for code in LANGUAGES))
    g.add(CATALOG, "dcat:themeTaxonomy", NS["theme"][:-1])
    g.add(CATALOG, "dcat:dataset", DATASET).add(CATALOG, "dcat:service", SERVICE)
    _dataset(g, index, agent, when)
    for entry in files:
        _distribution(g, entry, when)
    _sparql(g, agent, when)
    _context(g)
    return g


def _agents(g: Graph, index: Index) -> ox.NamedNode:
    agent = publisher(index) or ox.NamedNode(ID_BASE + "team")
    g.add(agent, "rdf:type", "foaf:Agent", "foaf:Organization")
    g.add(agent, "foaf:name", *texts(index.labels(agent) or {"en": "The ict-diplomacy project"}))
    contact = CATALOG + "#contact"
    g.add(contact, "rdf:type", "vcard:Organization", "vcard:Kind")
    g.add(contact, "vcard:fn", *texts(index.labels(agent) or {"en": "The ict-diplomacy project"}))
    g.add(contact, "vcard:hasURL", BASE)
    return agent


def _dataset(g: Graph, index: Index, agent: ox.NamedNode, when: ox.Literal) -> None:
    d = DATASET
    g.add(d, "rdf:type", "dcat:Dataset")
    g.add(d, "dct:title", *texts(TEXT["dataset_title"]))
    g.add(d, "dct:description", *texts(TEXT["dataset_description"]))
    g.add(d, "dct:identifier", typed(DATASET, "xsd:anyURI"))
    g.add(d, "dct:publisher", agent).add(d, "dct:creator", agent)
    g.add(d, "dcat:contactPoint", CATALOG + "#contact")
    g.add(d, "dct:license", LICENCE).add(d, "dct:issued", when).add(d, "dct:modified", when)
    version = ontology_version(index)
    if version:
        g.add(d, "dcat:version", ox.Literal(version)).add(d, "owl:versionInfo", ox.Literal(version))
    g.add(d, "dct:language", *(f"lang:{code}" for code in LANGUAGES))
    g.add(d, "dcat:theme", *(f"theme:{code}" for code in THEMES))
    g.add(d, "dcat:keyword", *_keywords(index))
    g.add(d, "dcat:landingPage", BASE).add(d, "rdfs:seeAlso", VOID_DOCUMENT)
    _spatial(g, index)
    _temporal(g, index)
    _sources(g, index)


def _keywords(index: Index) -> list[ox.Literal]:
    words = {(w, lang) for lang, ws in KEYWORDS.items() for w in ws}
    for topic in index.instances("ictd:Topic"):
        words |= {(label, lang) for lang, label in index.labels(topic).items() if lang in KEYWORDS}
    return [text(w, lang) for w, lang in sorted(words, key=lambda x: (x[1], x[0]))]


def _spatial(g: Graph, index: Index) -> None:
    """The countries the data names, as EU authority IRIs (what DCAT-AP harvesters understand)."""
    for country in index.instances("ictd:Country"):
        for match in index.values(country, "skos:exactMatch"):
            if match.value.startswith(NS["eucountry"]):
                g.add(DATASET, "dct:spatial", match)
                g.add(match, "rdf:type", "dct:Location")
                g.add(match, "skos:prefLabel", *texts(index.labels(country)))


def _temporal(g: Graph, index: Index) -> None:
    coverage = temporal_coverage(index)
    if coverage:
        period = CATALOG + "#temporal-coverage"
        g.add(DATASET, "dct:temporal", period)
        g.add(period, "rdf:type", "dct:PeriodOfTime")
        g.add(period, "dcat:startDate", coverage[0]).add(period, "dcat:endDate", coverage[1])


def _sources(g: Graph, index: Index) -> None:
    """The white paper: dct:source needs a dcat:Dataset in DCAT-AP, so it is described as one
    (a document published by MIC), with its official HTML page as landing page."""
    for source in index.instances("ictd:SourceDocument"):
        g.add(DATASET, "dct:source", source).add(DATASET, "prov:wasDerivedFrom", source)
        labels = index.labels(source)
        g.add(source, "rdf:type", "dcat:Dataset", "foaf:Document")
        g.add(source, "dct:title", *texts(labels))
        who = index.value(source, "dct:publisher")
        who_labels = index.labels(who) if who else {}
        g.add(source, "dct:description", *texts({lang: " / ".join(filter(None, (label, who_labels.get(lang))))
                                                 for lang, label in labels.items()}))
        for value in index.values(source, "dct:issued"):
            g.add(source, "dct:issued", value)
        if isinstance(who, ox.NamedNode):
            g.add(source, "dct:publisher", who)
            g.add(who, "rdf:type", "foaf:Agent").add(who, "foaf:name", *texts(who_labels))
        for page in index.values(source, "foaf:page"):
            g.add(source, "dcat:landingPage", page).add(source, "foaf:page", page)
            g.add(page, "rdf:type", "foaf:Document")
        for licence in index.values(source, "dct:license"):
            g.add(source, "dct:license", licence)


def _distribution_iri(name: str) -> str:
    return f"{DATASET}/distribution/{name}"


def _distribution(g: Graph, entry: dict, when: ox.Literal) -> None:
    name, fmt = entry["name"], FORMATS.get(entry["name"])
    dist, url = _distribution_iri(name), DUMPS + name
    g.add(DATASET, "dcat:distribution", dist).add(dist, "rdf:type", "dcat:Distribution")
    label = fmt.label if fmt else name
    g.add(dist, "dct:title", text(f"Dump: {label}", "en"), text(f"ダンプ: {label}", "ja"))
    g.add(dist, "dcat:accessURL", url).add(dist, "dcat:downloadURL", url)
    g.add(url, "rdf:type", "rdfs:Resource")
    media = fmt.media_type if fmt else entry["media_type"]
    g.add(dist, "dcat:mediaType", f"iana:{media}").add(f"iana:{media}", "rdf:type", "dct:MediaType")
    if fmt:
        g.add(dist, "dct:format", f"filetype:{fmt.file_type}")
        g.add(f"filetype:{fmt.file_type}", "rdf:type", "dct:MediaTypeOrExtent")
        g.add(dist, "dct:conformsTo", fmt.standard).add(fmt.standard, "rdf:type", "dct:Standard")
    if fmt and fmt.compression:
        g.add(dist, "dcat:compressFormat", f"iana:{fmt.compression}")
        g.add(f"iana:{fmt.compression}", "rdf:type", "dct:MediaType")
    g.add(dist, "dcat:byteSize", typed(entry["bytes"], "xsd:nonNegativeInteger"))
    checksum = dist + "#sha256"
    g.add(dist, "spdx:checksum", checksum)
    g.add(checksum, "rdf:type", "spdx:Checksum").add(checksum, "spdx:algorithm", "spdx:checksumAlgorithm_sha256")
    g.add(checksum, "spdx:checksumValue", typed(entry["sha256"], "xsd:hexBinary"))
    g.add(dist, "dct:license", LICENCE).add(dist, "dct:issued", when).add(dist, "dct:modified", when)


def _sparql(g: Graph, agent: ox.NamedNode, when: ox.Literal) -> None:
    g.add(SERVICE, "rdf:type", "dcat:DataService")
    g.add(SERVICE, "dct:title", *texts(TEXT["service_title"]))
    g.add(SERVICE, "dct:description", *texts(TEXT["service_description"]))
    g.add(SERVICE, "dcat:endpointURL", SPARQL).add(SERVICE, "dcat:endpointDescription", SPARQL)
    g.add(SPARQL, "rdf:type", "rdfs:Resource")
    g.add(SERVICE, "dcat:servesDataset", DATASET).add(SERVICE, "dct:publisher", agent)
    g.add(SERVICE, "dcat:contactPoint", CATALOG + "#contact").add(SERVICE, "dct:license", LICENCE)
    protocol = "https://www.w3.org/TR/sparql11-protocol/"
    g.add(SERVICE, "dct:conformsTo", protocol).add(protocol, "rdf:type", "dct:Standard")
    dist = _distribution_iri("sparql")
    g.add(DATASET, "dcat:distribution", dist).add(dist, "rdf:type", "dcat:Distribution")
    g.add(dist, "dct:title", *texts(TEXT["service_title"]))
    g.add(dist, "dcat:accessURL", SPARQL).add(dist, "dcat:accessService", SERVICE)
    g.add(dist, "dct:license", LICENCE).add(dist, "dct:issued", when).add(dist, "dct:modified", when)


def _context(g: Graph) -> None:
    """Types and labels of the shared resources the description points at (licence, languages,
    themes, landing page), which DCAT-AP checks by class."""
    g.add(LICENCE, "rdf:type", "dct:LicenseDocument")
    g.add("spdx:checksumAlgorithm_sha256", "rdf:type", "spdx:ChecksumAlgorithm")
    g.add(LICENCE, "skos:exactMatch", "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0")
    g.add(BASE, "rdf:type", "foaf:Document")
    for code, name in LANGUAGES.items():
        g.add(f"lang:{code}", "rdf:type", "dct:LinguisticSystem").add(f"lang:{code}", "rdfs:label", text(name, "en"))
    scheme = NS["theme"][:-1]
    g.add(scheme, "rdf:type", "skos:ConceptScheme").add(scheme, "dct:title", text("Data theme", "en"))
    for code, name in THEMES.items():
        g.add(f"theme:{code}", "rdf:type", "skos:Concept").add(f"theme:{code}", "skos:inScheme", scheme)
        g.add(f"theme:{code}", "skos:prefLabel", text(name, "en"))


# ---------------------------------------------------------------- VoID

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
    g.add(d, "void:feature", *sorted({f"formats:{FORMATS[f['name']].feature}" for f in files if f["name"] in FORMATS}))
    _partitions(g, stats)
    _linksets(g, stats)
    return g


def partition_iri(kind: str, term: str) -> str:
    """A readable, stable IRI for a class or property partition (dataset/partition/class/ictd:Country)."""
    short = _short(term)
    return f"{DATASET}/partition/{kind}/{short if short != term else hashlib.sha1(term.encode()).hexdigest()[:16]}"


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
    return f"{DATASET}/linkset/{target.key}-{predicate.rsplit('#', 1)[-1]}"


def _linksets(g: Graph, stats: Statistics) -> None:
    for predicate, target, count in stats.linksets:
        linkset = linkset_iri(predicate, target)
        g.add(DATASET, "void:subset", linkset)
        g.add(linkset, "rdf:type", "void:Linkset")
        g.add(linkset, "dct:title", text(f"Links to {target.title} ({_short(predicate)})", "en"))
        g.add(linkset, "void:subjectsTarget", DATASET).add(linkset, "void:objectsTarget", target.iri)
        g.add(linkset, "void:linkPredicate", predicate)
        g.add(linkset, "void:triples", typed(count, "xsd:integer"))
        g.add(target.iri, "rdf:type", "void:Dataset").add(target.iri, "dct:title", text(target.title, "en"))
        g.add(target.iri, "void:uriSpace", ox.Literal(target.uri_space))


def _short(value: str) -> str:
    for prefix, ns in NS.items():
        if value.startswith(ns):
            return f"{prefix}:{value[len(ns):]}"
    return value


# ---------------------------------------------------------------- files

def write_all(directory: Path, triples: list[ox.Triple], dump_files: list[Path], built: datetime) -> list[Path]:
    """Write catalog.{ttl,jsonld} and void.{ttl,jsonld} describing `dump_files`; return their paths."""
    index = Index.of(triples)
    files = [dumps.describe_file(f) for f in dump_files]
    catalog = catalog_graph(index, files, built)
    void = void_graph(index, statistics(triples), files, built)
    return (_write(directory, CATALOG_FILES, catalog.triples, CATALOG_PREFIXES)
            + _write(directory, VOID_FILES, void.triples, VOID_PREFIXES))


def _write(directory: Path, names: tuple[str, str], triples: list[ox.Triple], prefixes: dict[str, str]) -> list[Path]:
    ordered = sorted(dumps.canonical(list(dict.fromkeys(triples))), key=_rank)
    turtle, jsonld = (directory / n for n in names)
    ox.serialize(ordered, str(turtle), format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    ox.serialize(ordered, str(jsonld), format=ox.RdfFormat.JSON_LD)
    return [turtle, jsonld]


def _rank(t: ox.Triple) -> int:
    """Readers meet the catalog first, then the dataset and its parts, then everything else
    (a stable sort: the order inside each rank stays the canonical one)."""
    s = str(t.subject.value) if isinstance(t.subject, ox.NamedNode) else ""
    return next((i for i, start in enumerate((CATALOG, DATASET, DATASET + "/", SERVICE)) if s == start
                 or (start.endswith("/") and s.startswith(start))), 4)


def describe_file(path: Path) -> dict:
    """dumps.describe_file, with the media type of the description files too (for the manifest)."""
    entry = dumps.describe_file(path)
    if entry["media_type"] == "application/octet-stream":
        entry["media_type"] = SUFFIX_MEDIA_TYPES.get(path.suffix, entry["media_type"])
    return entry


# ---------------------------------------------------------------- DCAT-AP check

def dcat_ap_shape_files(project: Project) -> list[Path]:
    folder = project.shapes_dir / DCAT_AP_SHAPES
    return sorted(p for p in folder.iterdir() if p.suffix in {".ttl", ".jsonld"})


def check_dcat_ap(project: Project, catalog_file: Path) -> tuple[bool, str]:
    """Validate a catalog file against the vendored DCAT-AP shapes: (conforms, report text)."""
    import pyshacl
    import rdflib

    shapes = rdflib.Graph()
    for path in dcat_ap_shape_files(project):
        shapes.parse(path, format="json-ld" if path.suffix == ".jsonld" else "turtle")
    data = rdflib.Graph().parse(catalog_file)
    conforms, _, report = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True)
    return bool(conforms), report
