"""The SPARQL translation of the shapes (the default engine) reports exactly what pyshacl reports:
same focus nodes, paths, severities, messages and shapes, as many times, on the real data and on
every violation fixture."""

from collections import Counter

import pytest
import rdflib

from ict_diplomacy.publish import shacl_sparql, validate

from .test_validate import HEAD, VIOLATIONS


def findings(project, engine):
    report = validate.validate(project, engine=engine)
    return Counter((f.severity, f.focus, f.path, tuple(sorted(f.message.items())), f.check, f.file, f.label)
                   for f in report.findings)


def assert_same(project):
    ours, theirs = findings(project, "sparql"), findings(project, "pyshacl")
    assert ours == theirs, f"only sparql: {ours - theirs}\nonly pyshacl: {theirs - ours}"
    return ours


def test_real_data_gives_the_same_report(project):
    report = assert_same(project)
    assert any(severity == "Warning" for severity, *_ in report)


# Beyond the shared fixtures: the constraint kinds those do not reach.
EXTRA = {
    "two english labels": "<event/twice> a ictd:Meeting ; rdfs:label \"二\"@ja , \"Two\"@en , \"Deux\"@EN ; "
                          "dct:description \"d\"@en ; dct:source <source/1-1-a> .",
    "french label": "<event/fr> a ictd:Meeting ; rdfs:label \"仏\"@ja , \"French\"@fr ; dct:description \"d\"@en ; "
                    "dct:source <source/1-1-a> .",
    "label not a string": "<event/iri-label> a ictd:Meeting ; rdfs:label <topic/x> , \"x\"@ja , \"x\"@en ; "
                          "dct:description \"d\"@en ; dct:source <source/1-1-a> .",
    "wrong currency and two values": "<amount/usd> a ictd:MonetaryAmount ; rdfs:label \"ドル\"@ja , \"Dollars\"@en ; "
                                     "schema:value 1.0 , 2.0 ; schema:currency \"USD\" ; ictd:sourceExpression \"x\"@ja ; "
                                     "dct:source <source/1-1-a> .",
    "ill-typed integer ordinal": "<dialogue/d> a ictd:DialogueSeries ; rdfs:label \"対話\"@ja , \"D\"@en ; dct:description \"d\"@en ; "
                                 "ictd:partner <country/JP> ; dct:source <source/1-1-a> .\n"
                                 "<dialogue/d/1> a ictd:DialogueSession ; rdfs:label \"1\"@ja , \"1\"@en ; dct:description \"d\"@en ; "
                                 "ictd:inSeries <dialogue/d> ; ictd:ordinal \"one\"^^xsd:integer , 0 ; dct:source <source/1-1-a> .",
    "date typed as string and two dates": "<event/dates> a ictd:Meeting ; rdfs:label \"日\"@ja , \"D\"@en ; dct:description \"d\"@en ; "
                                          "ictd:date \"2019\" , \"2019-13\"^^xsd:gYearMonth ; dct:source <source/1-1-a> .",
    "source is not a section": "<event/src> a ictd:Meeting ; rdfs:label \"源\"@ja , \"S\"@en ; dct:description \"d\"@en ; "
                               "dct:source <country/JP> , \"1-1-a\" .",
    "planned event without a date": "<event/planned> a ictd:Meeting ; rdfs:label \"予定\"@ja , \"P\"@en ; dct:description \"d\"@en ; "
                                    "ictd:status ictd:Planned ; dct:source <source/1-1-a> .\n"
                                    "<event/undated> a ictd:Meeting ; rdfs:label \"未定\"@ja , \"U\"@en ; dct:description \"d\"@en ; "
                                    "dct:source <source/1-1-a> .",
}


@pytest.mark.parametrize("case", [*VIOLATIONS, *EXTRA])
def test_each_fixture_gives_the_same_report(make_project, case):
    turtle = VIOLATIONS[case][0] if case in VIOLATIONS else EXTRA[case]
    assert sum(assert_same(make_project(case=HEAD + turtle)).values()) > 0


def test_series_ordinals_and_intervals_fill_the_message_variables(make_project):
    series = ("<dialogue/d> a ictd:DialogueSeries ; rdfs:label \"対話\"@ja , \"Dialogue\"@en ; dct:description \"d\"@en ; "
              "ictd:partner <country/JP> ; dct:source <source/1-1-a> .\n")
    session = ("<dialogue/d/{n}> a ictd:DialogueSession ; rdfs:label \"第{n}回\"@ja , \"Session {n}\"@en ; dct:description \"d\"@en ; "
               "ictd:inSeries <dialogue/d> ; ictd:ordinal 3 ; ictd:startDate \"2019-11\"^^xsd:gYearMonth ; "
               "ictd:endDate \"2019-10-31\"^^xsd:date ; dct:source <source/1-1-a> .\n")
    report = assert_same(make_project(case=HEAD + series + session.format(n=3) + session.format(n=4)))
    texts = " ".join(dict(message)["en"] for _, _, _, message, *_ in report)
    assert "ordinal 3 (https://w3id.org/ict-diplomacy/id/dialogue/d/4)" in texts
    assert "The end (2019-10-31) is before the start (2019-11)" in texts


def test_an_unsupported_constraint_is_refused_not_skipped():
    shapes = rdflib.Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <http://e/S> a sh:NodeShape ; sh:targetClass <http://e/C> ;
            sh:property [ sh:path <http://e/p> ; sh:equals <http://e/q> ] .""", format="turtle")
    with pytest.raises(shacl_sparql.Unsupported, match="equals"):
        list(shacl_sparql.Translator(shapes).checks())
