"""Links out: Wikidata QIDs backed by the evidence table, ISO codes from pycountry."""

import csv

import pycountry
import rdflib
from rdflib.namespace import OWL, RDF, SKOS

from ict_diplomacy.publish import links
from ict_diplomacy.project import ICTD, ID_BASE

WIKIDATA = "http://www.wikidata.org/entity/"


def data_graph(project):
    graph = rdflib.Graph()
    for path in project.data_files():
        graph.parse(path)
    return graph


def evidence(project):
    with (project.data_dir / "links" / "wikidata-evidence.tsv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_every_wikidata_link_has_evidence_and_every_evidence_row_is_used(project):
    graph = data_graph(project)
    used = {(str(s), str(o)[len(WIKIDATA):]) for p in (OWL.sameAs, SKOS.exactMatch)
            for s, o in graph.subject_objects(p) if str(o).startswith(WIKIDATA)}
    rows = evidence(project)
    recorded = {(r["iri"], r["qid"]) for r in rows if r["qid"]}
    assert used, "the data links to Wikidata"
    assert used - recorded == set(), "QIDs in the data without evidence"
    assert recorded - used == set(), "evidence rows for QIDs the data does not use"
    assert all(r["label_seen"] and r["where_seen"] for r in rows if r["qid"])


def test_one_qid_per_resource_and_no_qid_shared_by_two_resources(project):
    rows = [r for r in evidence(project) if r["qid"]]
    iris = [r["iri"] for r in rows]
    qids = [r["qid"] for r in rows]
    assert len(set(iris)) == len(iris)
    assert len(set(qids)) == len(qids)


def test_every_country_links_to_wikidata(project):
    graph = data_graph(project)
    countries = set(graph.subjects(RDF.type, rdflib.URIRef(ICTD + "Country")))
    assert len(countries) >= 40
    for country in countries:
        assert any(str(o).startswith(WIKIDATA) for o in graph.objects(country, OWL.sameAs)), country


def test_iso_codes_match_pycountry(project):
    graph = data_graph(project)
    countries = set(graph.subjects(RDF.type, rdflib.URIRef(ICTD + "Country")))
    for country in countries:
        code = str(country).removeprefix(ID_BASE + "country/")
        reference = pycountry.countries.get(alpha_2=code)
        assert reference is not None, code
        value = lambda name: {str(o) for o in graph.objects(country, rdflib.URIRef(ICTD + name))}
        assert value("isoAlpha2") == {reference.alpha_2}
        assert value("isoAlpha3") == {reference.alpha_3}
        assert value("isoNumeric") == {reference.numeric}
        assert rdflib.URIRef(links.EU_COUNTRY + reference.alpha_3) in set(graph.objects(country, SKOS.exactMatch))


def test_iso_file_is_up_to_date(project):
    committed = (project.data_dir / links.ISO_FILE).read_text(encoding="utf-8")
    assert committed == links.iso_turtle(links.country_codes(project)), "run `ict-diplomacy links`"


def test_every_eurovoc_match_has_evidence_and_every_row_is_used(project):
    graph = data_graph(project)
    used = {(str(s), str(o)) for s, o in graph.subject_objects(SKOS.exactMatch)
            if str(o).startswith("http://eurovoc.europa.eu/")}
    with (project.data_dir / "links" / "eurovoc-evidence.tsv").open(encoding="utf-8") as handle:
        recorded = {(r["iri"], r["eurovoc"]) for r in csv.DictReader(handle, delimiter="\t")}
    assert used and used == recorded
