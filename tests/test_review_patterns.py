"""The patterns of issue 15, each as a query over the built data that must find no remaining
instance, and the shapes that keep them from coming back. Where a check names resources, the
expected triple is quoted from the source (or from MIC's published page, for the slips)."""

import re

import pytest

from ict_diplomacy.publish import validate

from .conftest import one, select, short

HEAD = """@base <https://w3id.org/ict-diplomacy/id/> .
@prefix ictd: <https://w3id.org/ict-diplomacy/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def none_left(store, query: str) -> None:
    rows = select(store, query)
    assert not rows, rows


# ---------------------------------------------------------------- relations left in prose

# (the source's words, the triple that must say it)
RELATIONS = [
    ("国際連合（UN）の専門機関の一つ", "organization:itu ictd:specializedAgencyOf organization:un"),
    ("本対話を…「日米経済対話」の枠組みの中で…位置づけ", "dialogue:jp-us-ied ictd:subSeriesOf dialogue:jp-us-economic-dialogue"),
    ("インターネットエコノミーに関する日米政策協力対話の枠組みの中で、…JUSDEP作業部会", "dialogue:jusdep ictd:subSeriesOf dialogue:jp-us-ied"),
    ("本有志国会合は、この「大阪トラック」の取組の一つ", "series:wto-e-commerce-plurilateral-meetings ictd:subSeriesOf project:osaka-track"),
    ("ワークショップ等の提案については、…日ASEAN情報通信技術（ICT）基金等を活用し実施",
     "event:japan-asean-smart-city-workshop-2019 ictd:fundedThrough project:japan-asean-ict-fund"),
    ("APTへの拠出金を通じて、…5件の訪日研修", "project:apt-training-in-japan-fy2019 ictd:fundedThrough project:mic-apt-contribution"),
    ("アラブ・アフリカ地域等より提案", "document:pp-18-proposal-itu-role-in-cyberspace ictd:proposer region:arab-states , region:africa"),
    ("我が国は、ASEANの対話国の一つとして", "country:JP ictd:dialoguePartnerOf organization:asean"),
    ("CDEPは、…プライバシー、AI（人工知能）といったデジタル経済分野の先導的な議論", "organization:oecd-cdep ictd:topic topic:privacy , topic:ai"),
    ("総務省とスマートアフリカ加盟国などが…開催", "event:japan-africa-ict-high-level-round-table-2019 ictd:organizer organization:mic , ?members . "
                                        "?members ictd:membersOf organization:smart-africa"),
    ("2019年1月には、ダボスにおいて非公式閣僚会合を開催", "event:wto-informal-ministerial-davos-2019 ictd:inSeries series:wto-e-commerce-plurilateral-meetings"),
]


@pytest.mark.parametrize("quote, pattern", RELATIONS, ids=[p.split()[0] for _, p in RELATIONS])
def test_relations_stated_by_the_source_are_triples(store, quote, pattern):
    assert select(store, f"SELECT * WHERE {{ {pattern} }}"), f"「{quote}」 is not in the graph"


# 「…を目的としている」 and 「…の議論の場」: every purpose and scope the source gives, in both languages.
PURPOSES = ["organization:itu", "organization:apt", "organization:oecd", "organization:asean", "organization:apec",
            "organization:jict", "organization:itu-r", "organization:wgec", "organization:igf",
            "organization:un-hlp-digital-cooperation", "series:ra", "series:wrc", "dialogue:jp-us-ied",
            "series:japan-asean-information-security-workshop"]
SCOPES = ["organization:oecd-cdep", "organization:itu-t-tsag", "organization:un-ga-first-committee",
          "organization:un-ga-second-committee"]


@pytest.mark.parametrize("resource, prop", [(r, "ictd:purpose") for r in PURPOSES] + [(r, "ictd:scope") for r in SCOPES])
def test_purposes_and_scopes_are_given_in_both_languages(store, resource, prop):
    rows = select(store, f"SELECT ?text WHERE {{ {resource} {prop} ?text }}")
    assert len(rows) == 2, (resource, rows)


def test_prose_that_states_a_relation_has_its_triple(store):
    # Descriptions that say "within the framework of" name a series the thing is part of.
    none_left(store, """SELECT ?s WHERE { ?s dct:description ?d FILTER(lang(?d) = "en" && CONTAINS(?d, "within the framework of"))
        FILTER NOT EXISTS { ?s ictd:subSeriesOf|ictd:inSeries|ictd:partOf ?larger } }""")
    # "supported by MIC's contribution" and the like: the contribution is the source of the money.
    none_left(store, """SELECT ?s WHERE { ?s dct:description ?d FILTER(lang(?d) = "en" && REGEX(?d, "(supported|paid|funded) (by|through|from) [^;.]*contribution"))
        FILTER NOT EXISTS { ?s ictd:fundedThrough ?fund } }""")
    # "held by A with B and others", "a meeting with A, B and others": the list of agents is marked as not exhaustive.
    none_left(store, """SELECT ?s WHERE { ?s dct:description ?d FILTER(lang(?d) = "en" && REGEX(?d, "\\\\b(by|with)\\\\b[^;.]*\\\\band others\\\\b"))
        FILTER NOT EXISTS { ?s ictd:nonExhaustive ?p } }""")


def test_every_government_is_related_to_its_country(store):
    none_left(store, """SELECT ?g WHERE { ?g a ictd:GovernmentAgency ; rdfs:label ?l FILTER(lang(?l) = "en" && STRSTARTS(?l, "Government of"))
        FILTER NOT EXISTS { ?g ictd:governmentOf ?c . ?c a ictd:Country } }""")
    row = one(store, "SELECT ?c WHERE { organization:government-of-japan ictd:governmentOf ?c }")
    assert short(row["c"]) == "JP"


# ---------------------------------------------------------------- date extents

FISCAL_SPAN = re.compile(r"\b[Ff]rom FY(\d{4})(?: to FY(\d{4}))?")


def test_fiscal_year_spans_in_descriptions_match_start_and_end_periods(store):
    # 「2018年度から」: a start and no end; 「2014年度から2018年度にかけて」: a start and an end.
    rows = select(store, """SELECT ?s ?d ?from ?to WHERE { ?s dct:description ?d FILTER(lang(?d) = "en" && REGEX(?d, "[Ff]rom FY[0-9]{4}"))
        OPTIONAL { ?s ictd:startPeriod ?from } OPTIONAL { ?s ictd:endPeriod ?to } }""")
    assert len(rows) >= 3
    for row in rows:
        start, end = FISCAL_SPAN.search(row["d"]).groups()
        assert row["from"] and short(row["from"]) == f"fy{start}", row
        assert (short(row["to"]) if row["to"] else None) == (f"fy{end}" if end else None), row


def test_a_span_is_never_a_list_of_fiscal_years(store):
    none_left(store, """SELECT ?s WHERE { ?s ictd:period ?a , ?b FILTER(?a != ?b && STRSTARTS(STR(?a), STR(period:fy)) && STRSTARTS(STR(?b), STR(period:fy))) }""")
    none_left(store, "SELECT ?s WHERE { ?s ictd:startPeriod|ictd:endPeriod ?p ; ictd:period ?p }")


def test_open_ended_demonstration_in_india(store):
    # 「2018年度からインドで高度道路交通システムの導入の実証を行うなど、着実に取組を進めている」
    row = one(store, """SELECT ?from ?status WHERE { ?d ictd:targetCountry country:IN ; ictd:topic topic:intelligent-transport-systems ;
        ictd:startPeriod ?from ; ictd:status ?status FILTER NOT EXISTS { ?d ictd:endPeriod|ictd:endDate|ictd:period ?end } }""")
    assert (short(row["from"]), short(row["status"])) == ("fy2018", "InProgress")


def test_counts_so_far_are_as_of_counts_not_end_dates(store):
    # 「これまで…8回開催している」「これまで4回の…作業部会を開催し」「直近7年で計約270人」
    rows = select(store, """SELECT ?s ?subject WHERE { ?s a ictd:Statistic ; ictd:sourceExpression ?e ; ictd:statisticSubject ?subject
        FILTER(CONTAINS(?e, "これまで") || CONTAINS(?e, "直近")) }""")
    assert len(rows) >= 3
    none_left(store, """SELECT ?s WHERE { ?s a ictd:Statistic ; ictd:sourceExpression ?e FILTER(CONTAINS(?e, "これまで") || CONTAINS(?e, "直近"))
        FILTER NOT EXISTS { ?s ictd:asOf ?when } }""")
    # The series counted keeps going: no end date of its own.
    none_left(store, """SELECT ?series WHERE { ?s ictd:sourceExpression ?e ; ictd:statisticSubject ?series FILTER(CONTAINS(?e, "これまで"))
        ?series a ?kind ; ictd:endDate ?end . ?kind rdfs:subClassOf* ictd:EventSeries }""")


def test_a_span_shared_by_two_events_is_bounds_not_their_own_dates(store):
    # 「2019年（令和元年）10月から11月にかけて、…RA-19及び…WRC-19が、…開催された」
    rows = select(store, """SELECT ?alt WHERE { ?e skos:altLabel ?alt ; ictd:notBefore "2019-10"^^xsd:gYearMonth ;
        ictd:notAfter "2019-11"^^xsd:gYearMonth VALUES ?alt { "RA-19"@en "WRC-19"@en } }""")
    assert {r["alt"] for r in rows} == {"RA-19", "WRC-19"}
    none_left(store, "SELECT ?e WHERE { ?e ictd:notBefore|ictd:notAfter ?b ; ictd:startDate|ictd:endDate|ictd:date ?own }")


def test_approximate_dates_are_marked(store):
    # 「日本で地上デジタル放送が開始された2003年12月頃から取り組んでいる」: every 頃 the data repeats is marked.
    none_left(store, """SELECT ?s WHERE { ?s dct:description ?d FILTER(lang(?d) = "ja" && REGEX(?d, "[0-9]月頃|[0-9]年頃"))
        FILTER NOT EXISTS { ?s ictd:approximateDate ?p } }""")
    row = one(store, "SELECT ?start ?p WHERE { ?s ictd:topic topic:digital-terrestrial-broadcasting ; ictd:startDate ?start ; ictd:approximateDate ?p }")
    assert (row["start"], short(row["p"])) == ("2003-12", "startDate")


# ---------------------------------------------------------------- types and roles

def test_appointees_are_people_or_countries(store):
    none_left(store, "SELECT ?a ?who WHERE { ?a ictd:appointee ?who FILTER NOT EXISTS { ?who a ictd:Person } FILTER NOT EXISTS { ?who a ictd:Country } }")
    # 「CDEP議長を総務省職員から輩出（2020年（令和2年）1月～）」
    row = one(store, "SELECT ?from WHERE { ?a ictd:post post:oecd-cdep-chair ; ictd:appointeeFrom ?from FILTER NOT EXISTS { ?a ictd:appointee ?who } }")
    assert short(row["from"]) == "mic"


def test_sessions_of_dialogue_series_are_dialogue_sessions(store):
    none_left(store, "SELECT ?s WHERE { ?s ictd:inSeries ?d . ?d a ictd:DialogueSeries FILTER NOT EXISTS { ?s a ictd:DialogueSession } }")


def test_no_two_resources_share_a_label(store):
    none_left(store, """SELECT ?l (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s rdfs:label ?l FILTER(STRSTARTS(STR(?s), "https://w3id.org/ict-diplomacy/id/")) }
        GROUP BY ?l HAVING (COUNT(DISTINCT ?s) > 1)""")


# ---------------------------------------------------------------- duplicates and retired identifiers

def test_retired_identifiers_are_not_used_and_point_at_living_resources(store):
    retired = select(store, "SELECT ?r ?by WHERE { ?r a ictd:RetiredResource OPTIONAL { ?r dct:isReplacedBy ?by } }")
    assert {short(r["r"]) for r in retired} >= {"myanmar-mobile-network-operation", "asean-dialogue-partner"}
    none_left(store, "SELECT ?s ?p ?r WHERE { ?r a ictd:RetiredResource . ?s ?p ?r FILTER(?p != dct:isReplacedBy) }")
    none_left(store, "SELECT ?r WHERE { ?r a ictd:RetiredResource ; ?p ?o FILTER(?p NOT IN (rdf:type, dct:isReplacedBy, ictd:retirementReason)) }")
    none_left(store, """SELECT ?r ?by WHERE { ?r dct:isReplacedBy ?by FILTER NOT EXISTS { ?by rdfs:label ?l } }""")


def test_myanmar_mobile_business_is_one_resource(store):
    # 「日本企業が携帯電話通信事業に参入し、2019年9月時点で2,400万の契約者数を抱える同国最大のMNOを運営」 is the
    # 「MPT（国営電気通信事業体）とKDDI・住友商事の共同事業」 of 1(1)ウ(ア)B.
    row = one(store, """SELECT ?n WHERE { ?s ictd:statisticSubject ?op ; ictd:unit ictd:Subscriptions ; ictd:value ?n .
        ?op ictd:participant organization:kddi , organization:sumitomo-corporation , organization:mpt }""")
    assert int(float(row["n"])) == 24_000_000
    row = one(store, "SELECT ?by WHERE { project:myanmar-mobile-network-operation dct:isReplacedBy ?by }")
    assert short(row["by"]) == "mpt-kddi-sumitomo-joint-operation"


# ---------------------------------------------------------------- our text against the publication

def test_the_us_co_chair_follows_the_published_page(store):
    # Our text: 「米商務省国際通信情報政策担当幹部を共同議長とし」; MIC's HTML edition: 「米国務省…」.
    row = one(store, """SELECT ?ours ?published ?page ?adopted WHERE { ?n a ictd:PublicationVariance ; ictd:concerns dialogue:jp-us-ied ;
        ictd:sourceExpression ?ours ; ictd:publishedExpression ?published ; ictd:publishedAt ?page ; ictd:adoptedReading ?adopted }""")
    assert "米商務省" in row["ours"] and "米国務省" in row["published"] and row["adopted"] == "米国務省"
    assert row["page"].startswith("https://www.soumu.go.jp/johotsusintokei/whitepaper/ja/r02/")
    # The co-chairs are posts (ictd:chairPost), in the bureau and in the Department of State.
    rows = select(store, "SELECT ?org WHERE { dialogue:jp-us-ied ictd:chairPost/ictd:postIn ?org }")
    assert {short(r["org"]) for r in rows} == {"mic-global-strategy-bureau", "us-dos"}


def test_every_variance_is_seen_on_mic_pages_and_adopts_one_reading(store):
    none_left(store, """SELECT ?n WHERE { ?n a ictd:PublicationVariance ; ictd:publishedAt ?page FILTER(!STRSTARTS(STR(?page), "https://www.soumu.go.jp/")) }""")
    none_left(store, """SELECT ?n WHERE { ?n a ?k ; ictd:adoptedReading ?a VALUES ?k { ictd:SourceDiscrepancy ictd:PublicationVariance }
        FILTER NOT EXISTS { ?n ictd:reading ?a } }""")


# ---------------------------------------------------------------- the shapes keep the patterns out

CASES = {
    "organization as appointee": ("<post/p> a ictd:Post ; rdfs:label \"役職\"@ja , \"Post\"@en ; ictd:postIn <organization/mic> ; dct:source <source/1-1-a> .\n"
                                  "<appointment/a> a ictd:Appointment ; rdfs:label \"選出\"@ja , \"Appointment\"@en ; dct:description \"d\"@en ; "
                                  "ictd:post <post/p> ; ictd:appointee <organization/mic> ; dct:source <source/1-1-a> .",
                                  "appointment/a", "person or a country"),
    "own dates beside bounds": ("<event/b> a ictd:Meeting ; rdfs:label \"会合\"@ja , \"Meeting\"@en ; dct:description \"d\"@en ; "
                                "ictd:notBefore \"2019-10\"^^xsd:gYearMonth ; ictd:endDate \"2019-11\"^^xsd:gYearMonth ; dct:source <source/1-1-a> .",
                                "event/b", "replace its own dates"),
    "empty non-exhaustive list": ("<event/n> a ictd:Meeting ; rdfs:label \"会合\"@ja , \"Meeting\"@en ; dct:description \"d\"@en ; "
                                  "ictd:nonExhaustive ictd:organizer ; dct:source <source/1-1-a> .",
                                  "event/n", "has none"),
    "approximate date without the date": ("<event/c> a ictd:Meeting ; rdfs:label \"会合\"@ja , \"Meeting\"@en ; dct:description \"d\"@en ; "
                                          "ictd:date \"2019\"^^xsd:gYear ; ictd:approximateDate ictd:startDate ; dct:source <source/1-1-a> .",
                                          "event/c", "has no value here"),
    "span and fiscal year together": ("<period/fy2018> a ictd:Period ; rdfs:label \"2018年度\"@ja , \"FY2018\"@en ; ictd:startDate \"2018-04-01\"^^xsd:date .\n"
                                      "<project/s> a ictd:Project ; rdfs:label \"事業\"@ja , \"Project\"@en ; dct:description \"d\"@en ; "
                                      "ictd:startPeriod <period/fy2018> ; ictd:period <period/fy2018> ; dct:source <source/1-1-a> .",
                                      "project/s", "only for what falls within"),
    "adopted reading not among the readings": ("<note/d> a ictd:SourceDiscrepancy ; rdfs:label \"不整合\"@ja , \"Discrepancy\"@en ; dct:description \"d\"@en ; "
                                               "ictd:concerns <country/JP> ; ictd:sourceExpression \"x\"@ja ; ictd:reading \"a\" , \"b\" ; "
                                               "ictd:adoptedReading \"c\" ; dct:source <source/1-1-a> .",
                                               "note/d", "not one of the readings"),
    "variance without its page": ("<note/v> a ictd:PublicationVariance ; rdfs:label \"相違\"@ja , \"Variance\"@en ; dct:description \"d\"@en ; "
                                  "ictd:concerns <country/JP> ; ictd:sourceExpression \"x\"@ja ; ictd:publishedExpression \"y\"@ja ; "
                                  "ictd:reading \"x\" , \"y\" ; ictd:adoptedReading \"y\" ; dct:source <source/1-1-a> .",
                                  "note/v", "ictd:publishedAt"),
    "retired identifier with a label": ("<project/old> a ictd:RetiredResource ; rdfs:label \"旧\"@ja ; "
                                        "ictd:retirementReason \"理由\"@ja , \"reason\"@en ; dct:isReplacedBy <organization/mic> .",
                                        "project/old", "has no labels"),
    "retired identifier still used": ("<project/gone> a ictd:RetiredResource ; ictd:retirementReason \"理由\"@ja , \"reason\"@en .\n"
                                      "<organization/mic> ictd:memberOf <project/gone> .",
                                      "project/gone", "still referred to"),
    "dialogue session typed workshop": ("<dialogue/w> a ictd:DialogueSeries ; rdfs:label \"対話\"@ja , \"Dialogue\"@en ; dct:description \"d\"@en ; "
                                        "ictd:partner <country/JP> ; dct:source <source/1-1-a> .\n"
                                        "<dialogue/w/1> a ictd:Workshop ; rdfs:label \"第1回\"@ja , \"1st\"@en ; dct:description \"d\"@en ; "
                                        "ictd:inSeries <dialogue/w> ; ictd:organizer <country/JP> ; ictd:date \"2020\"^^xsd:gYear ; dct:source <source/1-1-a> .",
                                        "dialogue/w/1", "typed ictd:DialogueSession"),
}


@pytest.mark.parametrize("kind", CASES)
def test_shapes_report_each_pattern(make_project, kind):
    turtle, focus, message = CASES[kind]
    report = validate.validate(make_project(case=HEAD + turtle))
    hits = [f for f in report.violations if f.focus.endswith(focus) and message in f.text("en")]
    assert hits, f"no violation on {focus} saying {message!r}:\n{report.to_table()}"
    assert all(f.message.get("ja") for f in hits)


def test_a_retired_identifier_alone_is_valid(make_project):
    report = validate.validate(make_project(case=HEAD + "<project/old> a ictd:RetiredResource ; "
                                            "ictd:retirementReason \"理由\"@ja , \"reason\"@en ; dct:isReplacedBy <organization/mic> ."))
    assert report.conforms, report.to_table()
