"""The dataset description written by the build: DCAT catalog and VoID, checked against the files,
the store, the data and the vendored DCAT-AP 3 shapes."""

import hashlib
import json
import re

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS, VOID

from ict_diplomacy.project import ICTD
from ict_diplomacy.publish import build, catalog, description, dumps, linkstats, void

from .conftest import select

SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")  # DCAT 3 terms (rdflib's DCAT is closed)
WIKIDATA = "http://www.wikidata.org/entity/"
EU_COUNTRY = "http://publications.europa.eu/resource/authority/country/"
DESCRIPTIONS = catalog.CATALOG_FILES + void.VOID_FILES


def graph(path) -> rdflib.Graph:
    return rdflib.Graph().parse(path, format="json-ld" if path.suffix == ".jsonld" else "turtle")


@pytest.fixture(scope="session")
def catalog_graph(release) -> rdflib.Graph:
    return graph(release / "catalog.ttl")


@pytest.fixture(scope="session")
def void_graph(release) -> rdflib.Graph:
    return graph(release / "void.ttl")


def dcat_ap_shapes(project) -> rdflib.Graph:
    shapes = rdflib.Graph()
    for path in catalog.dcat_ap_shape_files(project):
        shapes.parse(path, format="json-ld")
    return shapes


def test_build_writes_the_four_files_and_the_manifest_lists_everything(release):
    manifest = json.loads((release / build.MANIFEST).read_text())
    listed = {f["name"]: f for f in manifest["files"]}
    assert set(DESCRIPTIONS) | {dumps.TURTLE, dumps.NTRIPLES_GZ, dumps.JSONLD, "added.nt", "removed.nt",
                                linkstats.LINKS_JSON} == set(listed)
    for name in DESCRIPTIONS:
        data = (release / name).read_bytes()
        assert listed[name]["bytes"] == len(data)
        assert listed[name]["sha256"] == hashlib.sha256(data).hexdigest()
    assert listed["catalog.ttl"]["media_type"] == "text/turtle"
    assert listed["void.jsonld"]["media_type"] == "application/ld+json"


@pytest.mark.parametrize("stem", ["catalog", "void"])
def test_turtle_and_json_ld_parse_and_say_the_same(release, stem):
    turtle, jsonld = graph(release / f"{stem}.ttl"), graph(release / f"{stem}.jsonld")
    assert len(turtle) > 50
    assert isomorphic(turtle, jsonld)


def test_every_dump_distribution_matches_its_file(release, catalog_graph):
    rows = catalog_graph.query("""
        SELECT ?url ?size ?hash WHERE {
          <https://w3id.org/ict-diplomacy/dataset> dcat:distribution ?d .
          ?d a dcat:Distribution ; dcat:downloadURL ?url ; dcat:accessURL ?url ; dcat:byteSize ?size ;
             spdx:checksum [ spdx:algorithm spdx:checksumAlgorithm_sha256 ; spdx:checksumValue ?hash ] ;
             dct:license <https://creativecommons.org/licenses/by/4.0/> ; dcat:mediaType ?media .
          FILTER (STRSTARTS(STR(?media), "https://www.iana.org/assignments/media-types/"))
        }""", initNs={"dcat": DCAT, "spdx": SPDX, "dct": DCTERMS})
    seen = set()
    for url, size, digest in rows:
        assert str(url).startswith("https://w3id.org/ict-diplomacy/dumps/")
        path = release / str(url).rsplit("/", 1)[1]
        data = path.read_bytes()
        assert int(size) == len(data), path.name
        assert str(digest) == hashlib.sha256(data).hexdigest(), path.name
        seen.add(path.name)
    assert seen == {dumps.TURTLE, dumps.NTRIPLES_GZ, dumps.JSONLD}


def test_sparql_service_and_dataset_facts(catalog_graph, store):
    dataset = rdflib.URIRef(catalog.DATASET)
    service = catalog_graph.value(None, DCAT.servesDataset, dataset)
    assert catalog_graph.value(service, DCAT.endpointURL) == rdflib.URIRef("https://w3id.org/ict-diplomacy/sparql")
    version = select(store, "SELECT ?v WHERE { <https://w3id.org/ict-diplomacy/ontology> owl:versionInfo ?v }")
    assert str(catalog_graph.value(dataset, DCAT.version)) == version[0]["v"]
    assert {t.language for t in catalog_graph.objects(dataset, DCTERMS.title)} == {"ja", "en"}
    source = catalog_graph.value(dataset, DCTERMS.source)
    page = select(store, f"SELECT ?p WHERE {{ <{source}> foaf:page ?p }}")[0]["p"]
    assert catalog_graph.value(source, DCAT.landingPage) == rdflib.URIRef(page)
    countries = select(store, f"""SELECT (COUNT(DISTINCT ?eu) AS ?n) WHERE {{
        ?c a ictd:Country ; skos:exactMatch ?eu . FILTER STRSTARTS(STR(?eu), "{EU_COUNTRY}") }}""")
    assert len(set(catalog_graph.objects(dataset, DCTERMS.spatial))) == int(countries[0]["n"])


def test_void_statistics_equal_the_store(void_graph, store):
    dataset = rdflib.URIRef(catalog.DATASET)
    assert int(void_graph.value(dataset, VOID.triples)) == len(store)
    properties = list(void_graph.objects(dataset, VOID.propertyPartition))
    assert sum(int(void_graph.value(p, VOID.triples)) for p in properties) == len(store)
    assert int(void_graph.value(dataset, VOID.properties)) == len(properties)
    countries = select(store, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a ictd:Country }")[0]["n"]
    partition = void_graph.value(None, VOID["class"], rdflib.URIRef(ICTD + "Country"))
    assert int(void_graph.value(partition, VOID.entities)) == int(countries)
    subjects = select(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]
    assert int(void_graph.value(dataset, VOID.distinctSubjects)) == int(subjects)
    for example in void_graph.objects(dataset, VOID.exampleResource):
        assert select(store, f"SELECT ?p WHERE {{ <{example}> ?p ?o }} LIMIT 1"), example


def _linkset_count(void_graph, predicate, uri_space) -> int:
    for linkset in void_graph.subjects(RDF.type, VOID.Linkset):
        target = void_graph.value(linkset, VOID.objectsTarget)
        if (void_graph.value(linkset, VOID.linkPredicate) == predicate
                and str(void_graph.value(target, VOID.uriSpace)) == uri_space):
            assert void_graph.value(linkset, VOID.subjectsTarget) == rdflib.URIRef(catalog.DATASET)
            assert (rdflib.URIRef(catalog.DATASET), VOID.subset, linkset) in void_graph
            return int(void_graph.value(linkset, VOID.triples))
    raise AssertionError(f"no linkset with {predicate} to {uri_space}")


SCHEMA_SAME_AS = rdflib.URIRef("https://schema.org/sameAs")
GBIZINFO = "http://hojin-info.go.jp/data/basic/"
M49 = "http://stats-class.fao.uniroma2.it/geo/m49/"


@pytest.mark.parametrize("predicate, uri_space", [
    (OWL.sameAs, WIKIDATA), (SKOS.exactMatch, EU_COUNTRY), (SCHEMA_SAME_AS, GBIZINFO), (SKOS.exactMatch, M49),
    (SKOS.closeMatch, M49), (SKOS.exactMatch, "https://sws.geonames.org/"),
    (SKOS.exactMatch, "http://publications.europa.eu/resource/authority/corporate-body/"),
    (SKOS.exactMatch, "http://eurovoc.europa.eu/")])
def test_linkset_counts_equal_the_links_in_the_data(void_graph, store, predicate, uri_space):
    links = select(store, f"""SELECT (COUNT(*) AS ?n) WHERE {{
        ?s <{predicate}> ?o . FILTER STRSTARTS(STR(?o), "{uri_space}") }}""")
    assert int(links[0]["n"]) > 0
    assert _linkset_count(void_graph, predicate, uri_space) == int(links[0]["n"])


@pytest.mark.parametrize("name", catalog.CATALOG_FILES)
def test_catalog_conforms_to_the_vendored_dcat_ap_shapes(project, release, name):
    conforms, _, report = pyshacl.validate(graph(release / name), shacl_graph=dcat_ap_shapes(project),
                                           inference="none", advanced=True)
    assert conforms, report


def test_the_shapes_catch_a_broken_catalog(project, catalog_graph):
    broken = rdflib.Graph()
    for triple in catalog_graph:
        broken.add(triple)
    broken.remove((rdflib.URIRef(catalog.DATASET), DCTERMS.description, None))
    broken.add((rdflib.URIRef(catalog.DATASET), DCAT.byteSize, rdflib.Literal("many")))
    conforms, _, report = pyshacl.validate(broken, shacl_graph=dcat_ap_shapes(project), inference="none")
    assert not conforms
    assert "description" in report


def test_vendored_shapes_are_kept_out_of_data_validation(project):
    folder = project.shapes_dir / catalog.DCAT_AP_SHAPES
    assert (folder / "LICENSE").exists() and (folder / "README.md").exists()
    assert catalog.dcat_ap_shape_files(project)
    assert not [p for p in project.shape_files() if folder in p.parents]
    (folder / "probe.ttl").write_text("")  # a Turtle file there would still be left out
    try:
        assert folder / "probe.ttl" not in project.shape_files()
    finally:
        (folder / "probe.ttl").unlink()


DATES = re.compile(rb'"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\+00:00|Z)"')  # Z: the canonical form the dumps write


def test_descriptions_are_deterministic_apart_from_dates(make_project, tmp_path):
    project = make_project()
    first = build.build(project, tmp_path / "a", progress=lambda _: None)
    second = build.build(project, tmp_path / "b", progress=lambda _: None)
    assert first["release"] != second["release"]
    for name in DESCRIPTIONS:
        a, b = ((tmp_path / d / name).read_bytes() for d in "ab")
        assert DATES.sub(b"DATE", a) == DATES.sub(b"DATE", b), name
    conforms, report = catalog.check_dcat_ap(project, tmp_path / "a" / "catalog.ttl")
    assert conforms, report


def test_statistics_count_straight_from_triples():
    n = lambda v: ox.NamedNode("https://w3id.org/ict-diplomacy/id/" + v)
    rdf_type, same = ox.NamedNode(str(RDF.type)), ox.NamedNode(str(OWL.sameAs))
    country = ox.NamedNode(ICTD + "Country")
    triples = [ox.Triple(n("country/JP"), rdf_type, country), ox.Triple(n("country/FR"), rdf_type, country),
               ox.Triple(n("country/JP"), same, ox.NamedNode(WIKIDATA + "Q17")),
               ox.Triple(n("country/FR"), same, ox.NamedNode("http://example.org/fr"))]
    stats = void.statistics(triples)
    assert (stats.triples, stats.entities, stats.distinct_subjects) == (4, 2, 2)
    assert stats.class_entities == {country.value: 2}
    assert [(p, t.key, c) for p, t, c in stats.linksets] == [(str(OWL.sameAs), "wikidata", 1)]


def test_one_linkset_per_target_and_property_and_the_endpoints_of_the_targets(void_graph, store):
    found = {(str(void_graph.value(ls, VOID.linkPredicate)), str(void_graph.value(void_graph.value(ls, VOID.objectsTarget), VOID.uriSpace)))
             for ls in void_graph.subjects(RDF.type, VOID.Linkset)}
    in_data = {(row["p"], t.uri_space) for t in description.LINK_TARGETS
               for row in select(store, f"""SELECT DISTINCT ?p WHERE {{ ?s ?p ?o .
                   FILTER (STRSTARTS(STR(?o), "{t.uri_space}") && ?p IN ({", ".join(f"<{p}>" for p in description.LINK_PREDICATES)})) }}""")}
    assert found == in_data and len({space for _, space in found}) == len(description.LINK_TARGETS)
    gbizinfo = rdflib.URIRef(description.LINK_TARGETS_BY_KEY["gbizinfo"].iri)
    assert str(void_graph.value(gbizinfo, VOID.sparqlEndpoint)) == "https://api.info.gbiz.go.jp/sparql"
