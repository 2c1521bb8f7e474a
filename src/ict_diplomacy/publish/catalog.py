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

from datetime import datetime
from pathlib import Path

import pyoxigraph as ox

from ..project import BASE, ICTD, ID_BASE, Project
from . import dumps
from .description import (CATALOG, DATASET, DUMPS, LICENCE, NS, SERVICE, SPARQL, TEXT, VOID_DOCUMENT, Graph, Index,
                          dump_format, ontology_version, publisher, text, texts, typed, write)
from .void import write_void
from .changelog import notes
from .versions import dataset_iri

CATALOG_PREFIXES = {p: NS[p] for p in (
    "dcat", "adms", "dct", "foaf", "vcard", "spdx", "xsd", "rdf", "rdfs", "owl", "skos", "prov",
    "filetype", "lang", "theme", "eucountry")}
CATALOG_FILES = ("catalog.ttl", "catalog.jsonld")

DCAT_AP_SHAPES = "dcat-ap"  # folder under shapes/: vendored, for the catalog only, never for our data

THEMES = {"TECH": "Science and technology", "INTR": "International issues", "GOVE": "Government and public sector"}
LANGUAGES = {"JPN": "Japanese", "ENG": "English"}
KEYWORDS = {"en": ("ICT", "international strategy", "diplomacy", "Japan", "white paper", "linked data"),
            "ja": ("ICT", "国際戦略", "外交", "日本", "情報通信白書", "リンクトデータ")}


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


# ---------------------------------------------------------------- DCAT

def catalog_graph(index: Index, files: list[dict], built: datetime, versions: list[dict] = ()) -> Graph:
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
    first = next((v for v in versions if v["archived"]), None)
    _dataset(g, index, agent, when, typed(first["issued"], "xsd:date") if first else when)
    for entry in files:
        _distribution(g, entry, when)
    _sparql(g, agent, when)
    _version_chain(g, versions, agent)
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


def _dataset(g: Graph, index: Index, agent: ox.NamedNode, when: ox.Literal, issued: ox.Literal) -> None:
    d = DATASET
    g.add(d, "rdf:type", "dcat:Dataset")
    g.add(d, "dct:title", *texts(TEXT["dataset_title"]))
    g.add(d, "dct:description", *texts(TEXT["dataset_description"]))
    g.add(d, "dct:identifier", typed(DATASET, "xsd:anyURI"))
    g.add(d, "dct:publisher", agent).add(d, "dct:creator", agent)
    g.add(d, "dcat:contactPoint", CATALOG + "#contact")
    g.add(d, "dct:license", LICENCE).add(d, "dct:issued", issued).add(d, "dct:modified", when)
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


def _distribution(g: Graph, entry: dict, when: ox.Literal, dataset: str = DATASET, dist: str | None = None) -> None:
    name, fmt = entry["name"], dump_format(entry["name"])
    dist, url = dist or _distribution_iri(name), entry.get("url", DUMPS + name)
    compression = "application/gzip" if name.endswith(".gz") else None
    g.add(dataset, "dcat:distribution", dist).add(dist, "rdf:type", "dcat:Distribution")
    label = (fmt.label + (", gzip" if compression else "")) if fmt else name
    g.add(dist, "dct:title", text(f"Dump: {label}", "en"), text(f"ダンプ: {label}", "ja"))
    g.add(dist, "dcat:accessURL", url).add(dist, "dcat:downloadURL", url)
    g.add(url, "rdf:type", "rdfs:Resource")
    media = fmt.media_type if fmt else entry["media_type"]
    g.add(dist, "dcat:mediaType", f"iana:{media}").add(f"iana:{media}", "rdf:type", "dct:MediaType")
    if fmt:
        g.add(dist, "dct:format", f"filetype:{fmt.eu_file_type}")
        g.add(f"filetype:{fmt.eu_file_type}", "rdf:type", "dct:MediaTypeOrExtent")
        g.add(dist, "dct:conformsTo", fmt.spec).add(fmt.spec, "rdf:type", "dct:Standard")
    if fmt and compression:
        g.add(dist, "dcat:compressFormat", f"iana:{compression}")
        g.add(f"iana:{compression}", "rdf:type", "dct:MediaType")
    g.add(dist, "dcat:byteSize", typed(entry["bytes"], "xsd:nonNegativeInteger"))
    checksum = dist + "#sha256"
    g.add(dist, "spdx:checksum", checksum)
    g.add(checksum, "rdf:type", "spdx:Checksum").add(checksum, "spdx:algorithm", "spdx:checksumAlgorithm_sha256")
    g.add(checksum, "spdx:checksumValue", typed(entry["sha256"], "xsd:hexBinary"))
    g.add(dist, "dct:license", LICENCE).add(dist, "dct:issued", when).add(dist, "dct:modified", when)


# ---------------------------------------------------------------- the version chain

def _version_chain(g: Graph, versions: list[dict], agent: ox.NamedNode) -> None:
    """One dcat:Dataset per version (…/dataset/{version}), each with its date, notes, the version
    before it and, once archived, its permanent dump; the dataset has them all and its current one."""
    archived = [v for v in versions if v["archived"]]
    if archived:
        g.add(DATASET, "dcat:hasCurrentVersion", dataset_iri(archived[-1]["version"]))
    for entry in versions:
        _version(g, entry, agent)


def _version(g: Graph, entry: dict, agent: ox.NamedNode) -> None:
    version, d = entry["version"], dataset_iri(entry["version"])
    g.add(DATASET, "dcat:hasVersion", d).add(d, "dct:isVersionOf", DATASET)
    g.add(d, "rdf:type", "dcat:Dataset").add(d, "dcat:version", ox.Literal(version))
    g.add(d, "dct:title", *texts({lang: f"{title} {version}" for lang, title in TEXT["dataset_title"].items()}))
    g.add(d, "dct:description", *texts(TEXT["dataset_description"]))
    g.add(d, "adms:versionNotes", *texts(notes(entry)))
    g.add(d, "dct:publisher", agent).add(d, "dct:license", LICENCE)
    g.add(d, "rdfs:seeAlso", entry["changes_page"]).add(entry["changes_page"], "rdf:type", "foaf:Document")
    if entry["previous"]:
        g.add(d, "dcat:previousVersion", dataset_iri(entry["previous"]))
    if entry["issued"]:
        g.add(d, "dct:issued", typed(entry["issued"], "xsd:date"))
    for file in entry["files"] if entry["archived"] else ():
        if file["name"].endswith(".nt.gz"):
            _distribution(g, {**file, "url": f"{DUMPS}{version}/{file['name']}"},
                          typed(entry["issued"], "xsd:date"), d, f"{d}/distribution/{file['name']}")


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


# ---------------------------------------------------------------- files

def write_all(directory: Path, triples: list[ox.Triple], dump_files: list[Path], built: datetime,
              versions: list[dict] = ()) -> list[Path]:
    """Write catalog.{ttl,jsonld} and void.{ttl,jsonld} describing `dump_files` and the version
    chain of `versions` (summaries, oldest first); return their paths."""
    files = [dumps.describe_file(f) for f in dump_files]
    catalog = catalog_graph(Index.of(triples), files, built, versions)
    return write(directory, CATALOG_FILES, catalog.triples, CATALOG_PREFIXES) + write_void(directory, triples, files, built)


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
