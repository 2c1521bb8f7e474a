"""Graph-wide checks: every resource is traceable to the source and labelled in both languages, and
every subsection of the source that states facts is cited."""

from .conftest import select

ID = "https://w3id.org/ict-diplomacy/id/"

# Subsections that are pure headings: their text goes straight to the next level.
HEADINGS = {"1", "1-1-i", "1-1-u", "1-2-a", "2-1", "2-1-ka", "2-2", "2-2-i"}


def test_every_resource_has_provenance_and_both_labels(store):
    rows = select(store, f"""SELECT ?r ?why WHERE {{
        ?r a ?class . FILTER(STRSTARTS(STR(?r), "{ID}") && !STRSTARTS(STR(?r), "{ID}source/"))
        {{ FILTER NOT EXISTS {{ ?r dct:source ?s . ?s a ictd:SourceSection }} BIND("no dct:source" AS ?why) }}
        UNION {{ FILTER NOT EXISTS {{ ?r rdfs:label ?l FILTER(lang(?l) = "ja") }} BIND("no ja label" AS ?why) }}
        UNION {{ FILTER NOT EXISTS {{ ?r rdfs:label ?l FILTER(lang(?l) = "en") }} BIND("no en label" AS ?why) }}
    }}""")
    assert rows == []


def test_every_non_heading_subsection_is_cited(store):
    rows = select(store, """SELECT ?s WHERE { ?s a ictd:SourceSection ; dct:isPartOf+ source:ch6-sec8 .
        FILTER NOT EXISTS { ?r dct:source ?s } }""")
    uncited = {r["s"].rsplit("/", 1)[-1] for r in rows}
    assert uncited <= HEADINGS, uncited - HEADINGS


def test_every_event_document_and_project_has_an_english_description(store):
    # the ontology is in the store, so subclasses are reached through rdfs:subClassOf*
    checked = select(store, """SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {
        ?r a/rdfs:subClassOf* ?c . VALUES ?c { ictd:Activity ictd:EventSeries ictd:Document } }""")
    assert int(checked[0]["n"]) > 250
    rows = select(store, """SELECT ?r WHERE {
        ?r a/rdfs:subClassOf* ?c . VALUES ?c { ictd:Activity ictd:EventSeries ictd:Document }
        FILTER NOT EXISTS { ?r dct:description ?d FILTER(lang(?d) = "en") } }""")
    assert rows == []


def test_every_statistic_and_amount_is_exact_and_labelled(store):
    rows = select(store, """SELECT ?r WHERE {
        { ?r a ictd:MonetaryAmount ; schema:value ?v } UNION { ?r a ictd:Statistic ; ictd:value ?v }
        FILTER(datatype(?v) != xsd:decimal || NOT EXISTS { ?r rdfs:label ?l FILTER(lang(?l) = "en") }) }""")
    assert rows == []


def test_merged_duplicates_are_gone(store):
    gone = ["series/japan-asean-cybersecurity-workshops", "document/japan-israel-cybersecurity-moc-2018",
            "project/japan-israel-cybersecurity-cooperation", "project/ajccbc-cybersecurity-capacity-building"]
    for slug in gone:
        assert select(store, f"SELECT ?p WHERE {{ <{ID}{slug}> ?p ?o }}") == [], slug
