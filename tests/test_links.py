"""Links out: every link backed by its evidence table (Wikidata, corporate numbers, EU corporate bodies, M49,
GeoNames, EuroVoc), ISO codes from pycountry, the NTA check digit."""

import pycountry
import pytest
import rdflib
from rdflib.namespace import OWL, RDF, SKOS

from ict_diplomacy.publish import links
from ict_diplomacy.project import ICTD, ID_BASE

WIKIDATA = "http://www.wikidata.org/entity/"
SCHEMA = rdflib.Namespace("https://schema.org/")


def data_graph(project):
    graph = rdflib.Graph()
    for path in project.data_files():
        graph.parse(path)
    return graph


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


# ---------------------------------------------------------------- evidence tables of every target

def rows_of(project, target):
    return links.evidence_rows(project.data_dir / "links" / target.table, target.column)


def test_generated_link_files_are_up_to_date(project):
    for path, text in links.generated_links(project).items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} is stale: run `ict-diplomacy links`"


@pytest.mark.parametrize("target", links.TARGETS, ids=lambda t: t.key)
def test_every_link_to_a_target_has_its_evidence_row_and_every_row_is_used(project, target):
    graph = data_graph(project)
    used = {(str(s), str(o)) for s, o in graph.subject_objects()
            if isinstance(o, rdflib.URIRef) and str(o).startswith(target.uri_space)}
    recorded = {(link.subject, link.object) for link in links.all_links(project)[target.key]}
    assert recorded, f"{target.key} has links"
    assert used == recorded


@pytest.mark.parametrize("target", links.TARGETS, ids=lambda t: t.key)
def test_one_row_per_resource_one_resource_per_value_and_open_rows_say_why(project, target):
    rows = rows_of(project, target)
    iris = [r.iri for r in rows]
    values = [r.value for r in rows if r.value]
    assert len(set(iris)) == len(iris)
    assert len(set(values)) == len(values)
    assert all(r.note for r in rows if not r.value), "an open row gives its reason"
    assert all(r.where for r in rows if r.value), "a value says where it was seen"


# ---------------------------------------------------------------- corporate numbers (法人番号)

def test_check_digit_follows_the_nta_rule():
    # MIC's number, named in the issue: the weights 1, 2, 1, 2 … from the last digit give 7, and 9 - 7 = 2
    assert links.corporate_check_digit("000012020001") == 2
    assert links.is_corporate_number("2000012020001")
    assert not links.is_corporate_number("3000012020001")   # wrong check digit
    assert not links.is_corporate_number("200001202000")    # 12 digits
    assert not links.is_corporate_number("200001202000A")


def test_every_corporate_number_passes_and_any_mistyped_digit_fails(project):
    numbers = [r.value for r in rows_of(project, links.TARGETS_BY_KEY["gbizinfo"]) if r.value]
    assert len(numbers) >= 19
    for number in numbers:
        assert links.is_corporate_number(number), number
        for i in range(1, 13):   # one of the twelve digits read one too high or low is always caught
            digit = int(number[i])  # (0 and 9 are the only pair the rule cannot tell apart: 9 ≡ 0 mod 9)
            wrong = number[:i] + str(digit + 1 if digit < 9 else digit - 1) + number[i + 1:]
            assert not links.is_corporate_number(wrong), wrong


def test_every_japanese_organization_has_a_corporate_number_row(project):
    graph = data_graph(project)
    japanese = {str(s) for s in graph.subjects(rdflib.URIRef(ICTD + "country"), rdflib.URIRef(ID_BASE + "country/JP"))
                if (s, RDF.type, rdflib.URIRef(ICTD + "City")) not in graph}
    rows = {r.iri: r for r in rows_of(project, links.TARGETS_BY_KEY["gbizinfo"])}
    assert japanese - set(rows) == set(), "Japanese organizations with neither a number nor an open row"
    assert set(rows) - japanese == set(), "corporate numbers only for Japanese organizations"
    assert rows[ID_BASE + "organization/mic"].value == "2000012020001"


def test_gbizinfo_link_and_literal_carry_the_same_number(project):
    graph = data_graph(project)
    number = rdflib.URIRef(ICTD + "corporateNumber")
    for s, value in graph.subject_objects(number):
        assert rdflib.URIRef("http://hojin-info.go.jp/data/basic/" + str(value)) in set(graph.objects(s, SCHEMA.sameAs))


def test_a_bad_evidence_row_is_refused_with_file_and_line(tmp_path):
    table = tmp_path / "corporate-number-evidence.tsv"
    table.write_text("iri\tnumber\tname_seen\twhere_seen\tnote\n"
                     f"{ID_BASE}organization/mic\t2000012020001\t総務省\tx\t\n"
                     f"{ID_BASE}organization/mofa\t8000012040001\t外務省\tx\t\n", encoding="utf-8")
    target = links.TARGETS_BY_KEY["gbizinfo"]
    classes = {ID_BASE + "organization/mic": set(), ID_BASE + "organization/mofa": set()}
    with pytest.raises(links.EvidenceError) as error:
        links.target_links(target, links.evidence_rows(table, "number"), classes, table)
    assert error.value.line == 3 and f"{table}:3:" in str(error.value)


def test_m49_codes_only_on_exact_matches(project):
    graph = data_graph(project)
    code = rdflib.URIRef(ICTD + "m49Code")
    assert str(graph.value(rdflib.URIRef(ID_BASE + "region/africa"), code)) == "002"
    latin = rdflib.URIRef(ID_BASE + "region/latin-america")
    assert graph.value(latin, code) is None
    assert rdflib.URIRef("http://stats-class.fao.uniroma2.it/geo/m49/419") in set(graph.objects(latin, SKOS.closeMatch))
