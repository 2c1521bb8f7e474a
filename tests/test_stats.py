"""`ict-diplomacy stats`: every figure checked against the data with an independent SPARQL count."""

import json

import pytest
import rdflib

from ict_diplomacy import cli

from ict_diplomacy.publish import stats
from ict_diplomacy.project import ICTD

from .test_validate import HEAD

PREFIXES = """PREFIX ictd: <https://w3id.org/ict-diplomacy/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


@pytest.fixture(scope="module")
def data(project) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in project.data_files():
        graph.parse(path)
    return graph


@pytest.fixture(scope="module")
def report(project) -> stats.Report:
    return stats.project_report(project)


def count(graph: rdflib.Graph, where: str) -> int:
    return int(next(iter(graph.query(PREFIXES + f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}")))[0])


def row(report: stats.Report, cls: str) -> stats.ClassRow:
    return next(r for r in report.classes if r.cls == cls)


def test_countries_counted_and_all_linked_to_wikidata(report, data):
    countries = row(report, ICTD + "Country")
    assert countries.instances == count(data, "?x a ictd:Country")
    assert countries.instances > 0
    assert countries.wikidata == countries.instances
    assert countries.wikidata == count(data, """?x a ictd:Country ; owl:sameAs ?q .
        FILTER STRSTARTS(STR(?q), "http://www.wikidata.org/entity/")""")


def test_every_class_row_matches_sparql(report, data):
    assert report.resources == count(data, "?x a ?c . FILTER isIRI(?x)")
    for r in report.classes:
        typed = f"?x a <{r.cls}> . FILTER isIRI(?x)"
        assert r.instances == count(data, typed), r.cls
        assert r.ja_label == count(data, typed + ' ?x rdfs:label ?l . FILTER (lang(?l) = "ja")'), r.cls
        assert r.en_label == count(data, typed + ' ?x rdfs:label ?l . FILTER (lang(?l) = "en")'), r.cls
        sourced = count(data, typed + " { ?x dct:source ?s } UNION { ?x prov:wasDerivedFrom ?s }"
                        " UNION { ?x a ictd:SourceDocument } UNION { ?x a ictd:SourceSection }")
        assert r.provenance == sourced, r.cls
        linked = count(data, typed + """ ?x owl:sameAs|skos:exactMatch ?q .
            FILTER STRSTARTS(STR(?q), "http://www.wikidata.org/entity/")""")
        assert r.wikidata == linked, r.cls


def test_dates_by_precision_match_sparql(report, data):
    not_a_period = "?x ?p ?d . FILTER NOT EXISTS { ?x a ictd:Period } FILTER (datatype(?d) IN (TYPES))"
    triples = lambda types: int(next(iter(data.query(
        PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { " + not_a_period.replace("TYPES", types) + " }")))[0])
    assert report.dates["day"] == triples("xsd:date, xsd:dateTime")
    assert report.dates["month"] == triples("xsd:gYearMonth")
    assert report.dates["year"] == triples("xsd:gYear")
    fiscal = int(next(iter(data.query(PREFIXES + """SELECT (COUNT(*) AS ?n) WHERE {
        ?x ?p ?period . ?period a ictd:Period ; ictd:startDate ?s ; ictd:endDate ?e .
        FILTER (SUBSTR(STR(?s), 5) = "-04-01" && SUBSTR(STR(?e), 5) = "-03-31") }""")))[0])
    periods = int(next(iter(data.query(PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { ?x ?p ?y . ?y a ictd:Period }")))[0])
    assert report.dates["fiscal_year"] == fiscal
    assert report.dates["period"] == periods - fiscal
    assert sum(sum(c.values()) for c in report.dates_by_property.values()) == sum(report.dates.values())


def test_missing_lists_exactly_the_gaps(report, data):
    listed = {m["resource"]: set(m["missing"]) for m in report.missing}
    for r in report.classes:
        for check in ("ja_label", "en_label", "provenance"):
            gaps = r.instances - getattr(r, check)
            members = {str(x) for x in data.subjects(rdflib.RDF.type, rdflib.URIRef(r.cls)) if isinstance(x, rdflib.URIRef)}
            assert len([m for m in members if check in listed.get(m, ())]) == gaps, (r.cls, check)
        if not r.wikidata_expected:
            assert r.wikidata == 0


def test_json_has_the_documented_keys(report):
    data = json.loads(report.to_json())
    assert set(data) == {"resources", "classes", "dates", "dates_by_property", "missing"}
    assert set(data["classes"][0]) == {"class", "iri", "instances", "ja_label", "en_label", "provenance",
                                       "wikidata", "wikidata_expected", "share"}
    assert set(data["classes"][0]["share"]) == set(stats.CHECKS)
    assert tuple(data["dates"]) == stats.PRECISIONS
    for gap in data["missing"]:
        assert set(gap) == {"resource", "label", "classes", "missing"} and set(gap["missing"]) <= set(stats.CHECKS)


def test_rules_on_a_small_project(make_project):
    project = make_project(extra=HEAD + """
<organization/unlabelled> a ictd:GovernmentAgency ; rdfs:label "名前だけ"@ja .
<event/x> a ictd:Meeting ; rdfs:label "会合"@ja , "meeting"@en ; dct:source <source/1-1-a> ;
    ictd:date "2019-12-04"^^xsd:date ; ictd:period <period/fy2019> , <period/sp> .
<period/fy2019> a ictd:Period ; rdfs:label "2019年度"@ja , "FY2019"@en ;
    ictd:startDate "2019-04-01"^^xsd:date ; ictd:endDate "2020-03-31"^^xsd:date .
<period/sp> a ictd:Period ; rdfs:label "研究会期"@ja , "study period"@en ;
    ictd:startDate "2019"^^xsd:gYear ; ictd:endDate "2022"^^xsd:gYear .
""")
    rep = stats.project_report(project)
    gaps = {m["resource"].rsplit("/id/", 1)[1]: m["missing"] for m in rep.missing}
    # agencies are linked to Wikidata in this project (MIC is), so the unlinked one misses it too;
    # nobody links meetings, so the meeting is not reported for Wikidata
    assert gaps["organization/unlabelled"] == ["en_label", "provenance", "wikidata"]
    assert "event/x" not in gaps
    assert gaps["period/fy2019"] == ["provenance"]
    assert rep.dates == {"day": 1, "month": 0, "year": 0, "fiscal_year": 1, "period": 1}


def test_cli_prints_table_and_json(project, capsys):
    assert cli.main(["--root", str(project.root), "stats"]) == 0
    table = capsys.readouterr().out
    assert "ictd:Country" in table and "dates by precision" in table
    assert cli.main(["--root", str(project.root), "stats", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["resources"] > 0
