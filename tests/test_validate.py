"""Validation: syntax errors, each kind of shape, reference checks, and the real data."""

import json

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from ict_diplomacy import cli

from ict_diplomacy.publish import validate
from ict_diplomacy.project import ICTD

HEAD = """@base <https://w3id.org/ict-diplomacy/id/> .
@prefix ictd: <https://w3id.org/ict-diplomacy/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix schema: <https://schema.org/> .
"""


def test_minimal_fixture_is_clean(make_project):
    report = validate.validate(make_project())
    assert report.conforms, report.to_table()
    assert not report.warnings


def test_syntax_error_names_file_and_line(make_project, capsys):
    project = make_project(broken=HEAD + "<event/x> a ictd:Meeting ;\n    rdfs:label \"x\"@en\n<event/y> a ictd:Meeting .\n")
    assert cli.main(["--root", str(project.root), "validate"]) == 1
    err = capsys.readouterr().err
    assert "broken.ttl:10" in err and "syntax error" in err


# One resource per kind of shape; each must be reported on its focus node with its message.
VIOLATIONS = {
    "labels": ("<event/no-ja> a ictd:Meeting ; rdfs:label \"Only English\"@en ; "
               "dct:description \"d\"@en ; dct:source <source/1-1-a> .",
               "event/no-ja", "one rdfs:label in Japanese"),
    "date type": ("<event/bad-date> a ictd:Meeting ; rdfs:label \"日付\"@ja , \"Date\"@en ; dct:description \"d\"@en ; "
                  "ictd:date \"June 2019\" ; dct:source <source/1-1-a> .",
                  "event/bad-date", "xsd:gYearMonth"),
    "amount currency": ("<amount/no-currency> a ictd:MonetaryAmount ; rdfs:label \"約20億円\"@ja , \"about 2 billion yen\"@en ; "
                        "schema:value 2000000000.0 ; ictd:sourceExpression \"約20億円\"@ja ; dct:source <source/1-1-a> .",
                        "amount/no-currency", "currency"),
    "amount value": ("<amount/no-value> a ictd:MonetaryAmount ; rdfs:label \"額\"@ja , \"Amount\"@en ; "
                     "schema:currency \"JPY\" ; ictd:sourceExpression \"額\"@ja ; dct:source <source/1-1-a> .",
                     "amount/no-value", "schema:value"),
    "country wikidata": ("<country/BR> a ictd:Country ; rdfs:label \"ブラジル\"@ja , \"Brazil\"@en ; dct:source <source/1-1-a> .",
                         "country/BR", "Every country needs a Wikidata link"),
    "wikidata form": ("<country/PE> a ictd:Country ; rdfs:label \"ペルー\"@ja , \"Peru\"@en ; "
                      "owl:sameAs <https://www.wikidata.org/wiki/Q419> ; dct:source <source/1-1-a> .",
                      "country/PE", "http://www.wikidata.org/entity/Q<digits>"),
    "provenance": ("<event/unsourced> a ictd:Meeting ; rdfs:label \"出典なし\"@ja , \"Unsourced\"@en ; dct:description \"d\"@en .",
                   "event/unsourced", "dct:source"),
    "description": ("<project/undescribed> a ictd:Project ; rdfs:label \"説明なし\"@ja , \"Undescribed\"@en ; dct:source <source/1-1-a> .",
                    "project/undescribed", "English description"),
    "interval": ("<project/backwards> a ictd:Project ; rdfs:label \"逆\"@ja , \"Backwards\"@en ; dct:description \"d\"@en ; "
                 "ictd:startDate \"2019-11\"^^xsd:gYearMonth ; ictd:endDate \"2019-10-31\"^^xsd:date ; dct:source <source/1-1-a> .",
                 "project/backwards", "is before the start"),
    "dangling": ("<event/dangling> a ictd:Meeting ; rdfs:label \"参照\"@ja , \"Reference\"@en ; dct:description \"d\"@en ; "
                 "ictd:participant <organization/nowhere> ; dct:source <source/1-1-a> .",
                 "event/dangling", "organization/nowhere> is referred to but no file defines it"),
    "undeclared term": ("<event/term> a ictd:Meeting ; rdfs:label \"用語\"@ja , \"Term\"@en ; dct:description \"d\"@en ; "
                        "ictd:venue <country/JP> ; dct:source <source/1-1-a> .",
                        "event/term", "ictd:venue is not declared"),
}


@pytest.mark.parametrize("kind", VIOLATIONS)
def test_each_kind_of_violation_is_reported(make_project, kind):
    turtle, focus, message = VIOLATIONS[kind]
    report = validate.validate(make_project(case=HEAD + turtle))
    hits = [f for f in report.violations if f.focus.endswith(focus) and message in f.text("en")]
    assert hits, f"no violation on {focus} saying {message!r}:\n{report.to_table()}"
    assert all(f.message.get("ja") for f in hits), "every message comes in Japanese too"
    assert hits[0].file.endswith("case.ttl")


def test_duplicate_ordinal_in_a_series(make_project):
    series = ("<dialogue/d> a ictd:DialogueSeries ; rdfs:label \"対話\"@ja , \"Dialogue\"@en ; dct:description \"d\"@en ; "
              "ictd:partner <country/JP> ; dct:source <source/1-1-a> .\n")
    session = ("<dialogue/d/{n}> a ictd:DialogueSession ; rdfs:label \"第{n}回\"@ja , \"Session {n}\"@en ; dct:description \"d\"@en ; "
               "ictd:inSeries <dialogue/d> ; ictd:ordinal 3 ; ictd:date \"2019\"^^xsd:gYear ; "
               "ictd:participant <country/JP> ; dct:source <source/1-1-a> .\n")
    report = validate.validate(make_project(case=HEAD + series + session.format(n=3) + session.format(n=4)))
    hits = [f for f in report.violations if "ordinals must be unique" in f.text("en")]
    assert {f.focus.rsplit("/", 1)[-1] for f in hits} == {"3", "4"}


def test_organization_without_wikidata_is_a_warning_not_a_violation(make_project):
    org = ("<organization/acme> a ictd:Company ; rdfs:label \"アクメ\"@ja , \"Acme\"@en ; "
           "ictd:country <country/JP> ; dct:source <source/1-1-a> .")
    report = validate.validate(make_project(case=HEAD + org))
    assert report.conforms
    assert [f.focus for f in report.warnings] == ["https://w3id.org/ict-diplomacy/id/organization/acme"]


def test_conflicting_definitions_in_two_files(make_project):
    again = HEAD + "<country/JP> rdfs:label \"ニッポン\"@ja ."
    report = validate.validate(make_project(again=again))
    assert any(f.check == "defined-twice" and "again.ttl" in f.text("en") for f in report.violations)


def test_json_format_and_exit_codes(make_project, capsys):
    clean = make_project()
    assert cli.main(["--root", str(clean.root), "validate", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["conforms"] is True


def test_real_data_validates_clean(project):
    report = validate.validate(project)
    assert report.conforms, report.to_table()


def test_every_ontology_term_is_labelled_and_defined_in_both_languages(project):
    graph = rdflib.Graph()
    for path in project.ontology_files():
        graph.parse(path)
    terms = {s for s in graph.subjects(RDF.type, None) if isinstance(s, rdflib.URIRef) and str(s).startswith(ICTD)}
    assert len(terms) > 80
    for term in terms:
        for prop in (RDFS.label, SKOS.definition):
            langs = {o.language for o in graph.objects(term, prop)}
            assert {"ja", "en"} <= langs, f"{term} lacks {prop} in {({'ja', 'en'} - langs)}"


def test_every_class_has_a_shape(project):
    onto, shapes = rdflib.Graph(), rdflib.Graph()
    for path in project.ontology_files():
        onto.parse(path)
    for path in project.shape_files():
        shapes.parse(path)
    targeted = set(shapes.objects(None, rdflib.URIRef("http://www.w3.org/ns/shacl#targetClass")))
    union_helpers = {c for c in onto.subjects(OWL.equivalentClass, None)}
    classes = {c for c in onto.subjects(RDF.type, OWL.Class) if isinstance(c, rdflib.URIRef)} - union_helpers
    missing = {c for c in classes
               if not any(a in targeted for a in onto.transitive_objects(c, RDFS.subClassOf))
               and not all(any(a in targeted for a in onto.transitive_objects(sub, RDFS.subClassOf))
                           for sub in onto.subjects(RDFS.subClassOf, c))}
    assert not missing, f"classes without a shape: {sorted(missing)}"


def test_a_mistyped_corporate_number_is_refused_with_its_file_and_line(make_project):
    links = HEAD + ("\n<organization/mic> ictd:corporateNumber \"3000012020001\" ;\n"
                    "    schema:sameAs <http://hojin-info.go.jp/data/basic/3000012020001> .\n")
    report = validate.validate(make_project(corporate=links))
    hits = [f for f in report.violations if "check digit" in f.text("en")]
    assert len(hits) == 1, report.to_table()
    assert "2" in hits[0].text("en") and "検査用数字" in hits[0].text("ja")   # the digit the other twelve give
    assert hits[0].file.endswith("corporate.ttl") and hits[0].line == 9
    assert "corporate.ttl:9" in report.to_table()


def test_a_correct_corporate_number_validates_clean(make_project):
    links = HEAD + ("<organization/mic> ictd:corporateNumber \"2000012020001\" ;\n"
                    "    schema:sameAs <http://hojin-info.go.jp/data/basic/2000012020001> .\n")
    assert validate.validate(make_project(corporate=links)).conforms


def test_gbizinfo_link_without_its_number_or_with_another_number_is_refused(make_project):
    links = HEAD + ("<organization/mic> schema:sameAs <http://hojin-info.go.jp/data/basic/2000012020001> .\n"
                    "<country/JP> ictd:corporateNumber \"2000012020001\" ;\n"
                    "    schema:sameAs <http://hojin-info.go.jp/data/basic/9000012040001> .\n")
    messages = [f.text("en") for f in validate.validate(make_project(corporate=links)).violations]
    assert any("needs the corporate number beside it" in m for m in messages)
    assert any("does not match corporate number 2000012020001" in m for m in messages)
