"""The stored-query catalogue: every query loads and is well declared, answers what the source
says (expected values typed from the source text), binds parameters safely, and renders."""

import json
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from ict_diplomacy import cli
from ict_diplomacy.errors import (
    IctdError,
    OutputFormatError,
    ParameterError,
    QueryDefinitionError,
    QueryNotFound,
)
from ict_diplomacy.sparql import queries, render
from ict_diplomacy.sparql.text import with_values

ID = "https://w3id.org/ict-diplomacy/id/"
ICTD = "https://w3id.org/ict-diplomacy/ontology#"


@pytest.fixture(scope="module")
def ask(catalogue, embedded, call):
    """ask(name, **params): the Result of a stored query on the embedded engine."""
    return lambda name, **params: call(queries.run, catalogue[name], params, embedded)


def plain(result):
    """Rows as dicts of plain strings; IRIs in the id/ space shortened to `kind/slug`."""
    def value(term):
        if term is None:
            return None
        return term.value[len(ID):] if isinstance(term, ox.NamedNode) and term.value.startswith(ID) else term.value
    return [{c: value(t) for c, t in row.items()} for row in result.rows]


def normalized(result):
    """Rows comparable across engines: GROUP_CONCAT lists sorted (their order is not defined)."""
    def norm(text):
        for separator in (", ", " | "):  # the separators of the stored queries' GROUP_CONCATs
            if text and separator in text:
                return separator.join(sorted(text.split(separator)))
        return text
    rows = [tuple(sorted((c, norm(v)) for c, v in row.items() if v is not None)) for row in plain(result)]
    return sorted(rows, key=repr)


def non_federated(catalogue):
    return [name for name, q in catalogue.items() if not q.federated]


# ---------------------------------------------------------------- the catalogue itself

def test_catalogue_covers_the_issue(catalogue):
    assert len(catalogue) >= 25
    assert sum(q.federated for q in catalogue.values()) >= 3
    kinds = {q.kind for q in catalogue.values()}
    assert {"select", "ask", "construct", "describe"} <= kinds


@pytest.mark.parametrize("path", sorted(Path(__file__).resolve().parents[1].glob("queries/*.rq")), ids=lambda p: p.stem)
def test_every_stored_query_parses_and_declares_what_it_uses(path):
    query = queries.parse_query(path)  # syntax, metadata in ja and en, params and projection checked
    used = queries.variables_used(query.text)
    assert set(query.params) <= used
    assert all(query.title[l] and query.description[l] for l in ("ja", "en"))
    ox.Store().query(query.text)  # pyoxigraph parses it (SELECT and CONSTRUCT stay unevaluated)
    if query.kind == "select":
        projected = {v.value for v in ox.Store().query(query.text).variables}
        assert projected == set(query.columns) | set(query.params)
    for key in query.services:  # a federated query says which dataset it calls (and, for Wikidata, which property)
        assert queries.LINK_TARGETS_BY_KEY[key].name_en.split()[0] in query.description["en"]
        assert key != "wikidata" or "P" in query.description["en"]
    assert query.example.startswith(f"ict-diplomacy query {query.name}")


def _write(tmp_path, name, text):
    path = tmp_path / f"{name}.rq"
    path.write_text(text, encoding="utf-8")
    return path


GOOD_HEADER = """#+ title: {ja: 試験, en: Test}
#+ description: {ja: 試験の問合せ, en: A test query}
#+ tags: [test]
#+ params:
#+   country: {type: iri, class: ictd:Country, default: "https://w3id.org/ict-diplomacy/id/country/BR"}
#+ example: ict-diplomacy query t
#+ result: {kind: select, columns: [x]}
"""


@pytest.mark.parametrize("body, message", [
    ("SELECT ?x ?country WHERE { ?x ?p ?country ", "syntax"),
    ("SELECT ?x WHERE { ?x ?p ?o }", "not used"),
    ("SELECT ?x WHERE { ?x ?p ?country }", "projected"),
    ("SELECT * WHERE { ?x ?p ?country }", "SELECT *"),
    ("ASK WHERE { ?x ?p ?country }", "kind"),
])
def test_malformed_queries_are_refused_at_load(tmp_path, body, message):
    with pytest.raises(QueryDefinitionError, match=message) as error:
        queries.parse_query(_write(tmp_path, "t", GOOD_HEADER + body))
    assert "t.rq" in str(error.value)


def test_metadata_must_be_in_both_languages(tmp_path):
    header = GOOD_HEADER.replace("{ja: 試験, en: Test}", "{en: Test}")
    with pytest.raises(QueryDefinitionError, match="title"):
        queries.parse_query(_write(tmp_path, "t", header + "SELECT ?x ?country WHERE { ?x ?p ?country }"))


def test_a_default_of_the_wrong_type_is_refused_at_load(tmp_path):
    header = GOOD_HEADER.replace('default: "https://w3id.org/ict-diplomacy/id/country/BR"', 'default: "not an IRI"')
    with pytest.raises(ParameterError, match="country"):
        queries.parse_query(_write(tmp_path, "t", header + "SELECT ?x ?country WHERE { ?x ?p ?country }"))


def test_unknown_query_name(catalogue):
    with pytest.raises(QueryNotFound):
        catalogue.get_query("no-such-query")


# ---------------------------------------------------------------- answers typed from the source

def test_isdb_t_timeline(ask):
    # ブラジル 2006年6月（海外で初）, ペルー 2009年4月, チリ 2009年9月, ボツワナ 2013年2月, エルサルバドル 2017年, アンゴラ 2019年3月
    rows = plain(ask("isdb-t-timeline", lang="ja"))
    assert [(r["country"], r["date"]) for r in rows] == [
        ("country/BR", "2006-06"), ("country/PE", "2009-04"), ("country/CL", "2009-09"),
        ("country/BW", "2013-02"), ("country/SV", "2017"), ("country/AO", "2019-03")]
    assert rows[0]["countryLabel"] == "ブラジル"


def test_country_profile_of_peru(ask):
    # 「ペルーでは2009年（平成21年）4月に日本方式の地上デジタルテレビ放送が採用」
    # 「2016年（平成28年）11月に安倍総理大臣がペルーを訪問した際に出された共同声明」
    rows = plain(ask("country-profile", country=ID + "country/PE"))
    found = {(r["date"], r["activity"], r["role"]) for r in rows}
    assert ("2009-04", "adoption/isdb-t-pe", "adopting country") in found
    assert any(d == "2016-11" and a.startswith("document/") and role == "party" for d, a, role in found)
    dated = [r["date"] for r in rows if r["date"]]
    assert dated == sorted(dated)


def test_dialogues_with_the_eu(ask):
    # 「2019年（令和元年）12月、東京で開催された日EU・ICT政策対話（第25回）」
    rows = plain(ask("dialogues-with-partner", partner=ID + "organization/eu"))
    assert {"dialogue": "dialogue/jp-eu-ict-policy-dialogue", "dialogueLabel": "Japan-EU ICT Policy Dialogue",
            "session": "dialogue/jp-eu-ict-policy-dialogue/25", "ordinal": "25", "date": "2019-12"} in rows


def test_sessions_of_the_japan_eu_dialogue(ask):
    # 「東京で開催された日EU・ICT政策対話（第25回）では…5G、サイバーセキュリティ、標準化・国際共同研究、規制改革、AI、トラストサービスについて議論」
    rows = plain(ask("dialogue-sessions", series=ID + "dialogue/jp-eu-ict-policy-dialogue", lang="ja"))
    session = next(r for r in rows if r["ordinal"] == "25")
    assert session["date"] == "2019-12" and session["placeLabel"] == "東京"
    assert {"5G", "サイバーセキュリティ"} <= set(session["topics"].split(", "))


def test_memoranda_of_2018(ask):
    # 「2018年10月にベトナムとの消防分野における協力覚書に署名」
    listed = plain(ask("agreements", type="ictd:MemorandumOfCooperation", year="2018"))
    assert any(r["date"] == "2018-10" and "Viet Nam" in (r["parties"] or "") for r in listed)
    counts = plain(ask("agreements-by-type-and-year"))
    row = next(r for r in counts if r["year"] == "2018" and r["type"] == ICTD + "MemorandumOfCooperation")
    assert int(row["agreements"]) == len(listed)


def test_joint_statement_with_peru(ask):
    # 「2016年（平成28年）11月に安倍総理大臣がペルーを訪問した際に出された共同声明」
    rows = plain(ask("agreements", type="ictd:JointStatement", year="2016"))
    assert any(r["date"] == "2016-11" and "Peru" in r["parties"] for r in rows)


def test_5g_events(ask):
    # 日EU・ICT政策対話（第25回）（2019年12月）では…5G…について議論
    rows = plain(ask("events-by-topic", topic=ID + "topic/5g"))
    assert ("2019-12", "dialogue/jp-eu-ict-policy-dialogue/25") in {(r["date"], r["event"]) for r in rows}


def test_events_and_happenings_of_december_2019(ask):
    # 「2019年（令和元年）12月、東京で開催された日EU・ICT政策対話（第25回）」
    # 「2019年（令和元年）12月には、寺田総務副大臣がタイを訪問し」
    events = plain(ask("events-by-period", start="2019-12", end="2019-12"))
    month = plain(ask("happened-in-month", month="2019-12"))
    for rows, key in ((events, "event"), (month, "what")):
        found = {r[key] for r in rows}
        assert {"dialogue/jp-eu-ict-policy-dialogue/25", "event/terada-thailand-visit-2019"} <= found
    assert all(r["date"].startswith("2019-12") for r in month)
    assert all(r["date"].startswith("2019-12") or r["date"] == "2019" for r in events)


def test_loans(ask):
    # 「JBIC）からの70億円の融資」「円借款「通信網改善事業」（供与限度額105億円）」
    rows = plain(ask("funding", instrument="ictd:Loan"))
    amounts = {r["project"]: (r["measure"], Decimal(r["value"])) for r in rows}
    assert amounts == {"project/angola-brazil-submarine-cable-loan": ("amount", Decimal(7000000000)),
                       "project/myanmar-telecom-network-loan": ("loan ceiling", Decimal(10500000000))}


def test_funding_for_indonesia(ask):
    # 「インドネシアにおいて約20億円規模のODA（無償資金協力）による防災情報共有システムの導入が決定」
    rows = plain(ask("funding-by-country", country=ID + "country/ID"))
    assert [(Decimal(r["value"]), r["expression"], r["instrumentLabel"]) for r in rows] == [
        (Decimal(2000000000), "約20億円規模", "grant")]


def test_investment_totals(ask):
    # 「総事業費合計約792億円の事業支援」「JICTによる電子政府事業の支援（デンマーク）（総事業費約1,360億円）」
    rows = plain(ask("funding-totals"))
    row = next(r for r in rows if r["instrument"] == ICTD + "Investment" and r["measure"] == "total cost")
    assert (int(row["projects"]), Decimal(row["total"])) == (2, Decimal(79200000000) + Decimal(136000000000))


def test_statistics_table(ask):
    # 「2019年9月時点で2,400万の契約者数」「ベトナムから研修生を直近7年で計約270人受け入れる」
    rows = {r["statistic"]: r for r in plain(ask("statistics"))}
    mno = rows["statistic/myanmar-mno-subscribers-2019-09"]
    assert (Decimal(mno["value"]), mno["when"], mno["unitLabel"]) == (24_000_000, "2019-09", "subscriptions")
    trainees = rows["statistic/vietnam-administrative-counseling-trainees"]
    assert (Decimal(trainees["value"]), trainees["qualifierLabel"]) == (270, "about")


def test_japanese_nationals_in_international_posts(ask):
    # 「我が国の近藤勝則氏（総務省出身）が事務局長」「我が国の前村昌紀氏（…JPNIC）がICANN理事」
    # 「SG6（放送業務）の議長に西田 幸博氏（NHK）、SG4（衛星業務）の副議長に河野 宇博氏（スカパーJSAT）、SG5（地上業務）の副議長に新 博行氏（NTTドコモ）」
    # 「橋本明氏（NTTドコモ標準化カウンセラー）が無線通信規則委員会（RRB）委員に選出」
    rows = plain(ask("nationals-in-international-posts", lang="ja"))
    assert {r["personLabel"] for r in rows} == {"近藤勝則", "前村昌紀", "西田幸博", "河野宇博", "新博行", "橋本明"}


def test_appointments(ask):
    # 「我が国が1959年（昭和34年）以降12回連続で理事国に選出」（PP-18）、「SG6（放送業務）の議長に西田 幸博氏」（RA-19）
    rows = {r["appointment"]: r for r in plain(ask("appointments"))}
    assert rows["appointment/japan-itu-council-pp-18"]["kindLabel"] == "re-election"
    assert rows["appointment/japan-itu-council-pp-18"]["date"] == "2018"
    assert rows["appointment/nishida-itu-r-sg6-chair-ra-19"]["appointeeLabel"] == "Nishida Yukihiro"


def test_international_organizations_and_bodies(ask):
    # 「① 無線通信部門（ITU-R」; APT「アジア・太平洋地域における情報通信分野の国際機関」
    rows = plain(ask("international-organizations"))
    itu_bodies = {r["body"] for r in rows if r["organization"] == "organization/itu"}
    assert {"organization/itu-r", "organization/itu-r-sg6", "organization/itu-rrb"} <= itu_bodies
    assert any(r["organization"] == "organization/apt" and r["acronym"] == "APT" for r in rows)


def test_bodies_of_the_itu_with_their_office_holders(ask):
    # 「SG6（放送業務）の議長に西田 幸博氏（NHK）」「橋本明氏…が無線通信規則委員会（RRB）委員に選出」
    rows = plain(ask("organization-bodies", organization=ID + "organization/itu"))
    holders = {(r["body"], r["holderLabel"]) for r in rows}
    assert {("organization/itu-r-sg6", "Nishida Yukihiro"), ("organization/itu-rrb", "Hashimoto Akira")} <= holders
    assert ("organization/itu-r-sg6", "ITU Radiocommunication Sector") in {(r["body"], r["parentLabel"]) for r in rows}


def test_sources_of_the_peruvian_adoption(ask):
    # 1(1)ウ(イ)B ペルー: 「ペルーでは2009年（平成21年）4月に日本方式の地上デジタルテレビ放送が採用」
    rows = plain(ask("sources-of", resource=ID + "adoption/isdb-t-pe"))
    assert [(r["section"], r["notation"], r["sectionLabel"]) for r in rows] == [
        ("source/1-1-u-2-b", "1(1)ウ(イ)B", "1(1)ウ(イ)B ペルー")]
    assert rows[0]["page"].startswith("https://www.soumu.go.jp/")


def test_country_codes_for_integrators(ask):
    # ブラジル, 日本 (named throughout the source); codes from ISO 3166-1, items from Wikidata
    rows = {r["country"]: r for r in plain(ask("country-codes"))}
    assert (rows["country/BR"]["wikidata"], rows["country/BR"]["alpha3"], rows["country/BR"]["numeric"]) == (
        "http://www.wikidata.org/entity/Q155", "BRA", "076")
    assert rows["country/JP"]["euAuthority"].endswith("/country/JPN")
    assert all(r["wikidata"] and r["alpha2"] for r in rows.values())


def test_one_resource_with_labels(ask):
    # 「2019年（令和元年）12月、東京で開催された日EU・ICT政策対話（第25回）」
    session = ox.NamedNode(ID + "dialogue/jp-eu-ict-policy-dialogue/25")
    result = ask("resource-with-labels", resource=session.value, lang="ja")
    triples = set(result.triples)
    gym = ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYearMonth")
    assert ox.Triple(session, ox.NamedNode(ICTD + "date"), ox.Literal("2019-12", datatype=gym)) in triples
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    assert ox.Triple(ox.NamedNode(ID + "place/tokyo"), label, ox.Literal("東京", language="ja")) in triples
    assert ox.Triple(ox.NamedNode(ID + "place/tokyo"), label, ox.Literal("Tokyo", language="en")) not in triples


def test_describe_of_the_peruvian_adoption(ask):
    # 「ペルーでは2009年（平成21年）4月に日本方式の地上デジタルテレビ放送が採用」
    result = ask("describe", resource=ID + "adoption/isdb-t-pe")
    dates = {t.object.value for t in result.triples if t.predicate.value == ICTD + "date"}
    assert dates == {"2009-04"}
    assert f"<{ID}adoption/isdb-t-pe>" in render.render(result, "turtle")


def test_topics(ask):
    # 「5G、サイバーセキュリティ、標準化・国際共同研究、規制改革、AI、トラストサービスについて議論」
    rows = {r["topic"]: r for r in plain(ask("topics"))}
    assert int(rows["topic/5g"]["uses"]) >= 1 and rows["topic/5g"]["topicLabel"] == "5G"


def test_search_by_name(ask):
    # 「① 無線通信部門（ITU-R：ITU Radiocommunication Sector）」
    rows = plain(ask("label-search", text="itu-r"))
    assert "organization/itu-r" in {r["resource"] for r in rows}


def test_table_of_contents(ask):
    # 「第8節 ICT 国際戦略の推進」, B ペルー
    rows = plain(ask("source-sections"))
    assert rows[0]["section"] == "source/ch6-sec8" and "ICT国際戦略の推進" in rows[0]["sectionLabel"]
    peru = next(r for r in rows if r["section"] == "source/1-1-u-2-b")
    assert int(peru["resources"]) >= 1


def test_source_discrepancies(ask):
    # 「日米戦略デジタル・エコノミーパートナーシップ（JUSDEP）作業部会を2019年（平成30年）3月に立ち上げた」: 2019 is not 平成30
    rows = plain(ask("source-discrepancies"))
    jusdep = next(r for r in rows if r["note"] == "note/jusdep-launch-year")
    assert "平成30年" in jusdep["expression"]
    # 「総務省国際戦略局長及び米商務省国際通信情報政策担当幹部を共同議長とし」; MIC's published page says 米国務省
    co_chair = [r for r in rows if r["note"] == "note/jp-us-ied-us-co-chair"]
    assert co_chair and all("米商務省" in r["expression"] and "米国務省" in r["published"] and r["adopted"] == "米国務省"
                            and r["publishedAt"].startswith("https://www.soumu.go.jp/") for r in co_chair)
    assert {r["kindLabel"] for r in co_chair} == {"variance from the publication"}


def test_mic_policy_documents(ask):
    # 「2018年（平成30年）2月には…「総務省海外展開戦略」を策定」「「総務省海外展開行動計画2020」を2020年（令和2年）4月に策定」
    rows = plain(ask("policy-documents", issuer=ID + "organization/mic", lang="ja"))
    assert ("2018-02", "総務省海外展開戦略") in {(r["date"], r["documentLabel"]) for r in rows}
    assert ("2020-04", "総務省海外展開行動計画2020") in {(r["date"], r["documentLabel"]) for r in rows}


def test_planned_activities(ask):
    # 「2023年（令和5年）に開催が予定されているWRC-23」
    rows = plain(ask("planned-activities", status="ictd:Planned"))
    assert ("2023", "event/wrc-23") in {(r["date"], r["resource"]) for r in rows}


def test_class_counts(ask):
    # six adoptions of ISDB-T are dated in 1(1): ブラジル, ペルー, チリ, ボツワナ, エルサルバドル, アンゴラ
    rows = {r["class"]: int(r["resources"]) for r in plain(ask("class-counts"))}
    assert rows[ICTD + "StandardAdoption"] == 6


def test_did_a_country_adopt_isdb_t(ask):
    # 「ペルーでは2009年（平成21年）4月に日本方式の地上デジタルテレビ放送が採用」; Viet Nam is not named as an adopter
    assert ask("country-adopted-standard", country=ID + "country/PE").boolean is True
    assert ask("country-adopted-standard", country=ID + "country/VN").boolean is False


def test_visits(ask):
    # 「2019年（令和元年）12月には、寺田総務副大臣がタイを訪問し」
    rows = {r["visit"]: r for r in plain(ask("visits"))}
    visit = rows["event/terada-thailand-visit-2019"]
    assert visit["date"] == "2019-12" and "Terada Minoru" in visit["visitors"] and "Thailand" in visit["places"]


def test_every_non_federated_query_has_an_answer_test(catalogue):
    tested = {"isdb-t-timeline", "country-profile", "dialogues-with-partner", "dialogue-sessions", "agreements",
              "agreements-by-type-and-year", "events-by-topic", "events-by-period", "happened-in-month", "funding",
              "funding-by-country", "funding-totals", "statistics", "nationals-in-international-posts",
              "appointments", "international-organizations", "organization-bodies", "sources-of", "country-codes",
              "resource-with-labels", "describe", "topics", "label-search", "source-sections",
              "source-discrepancies", "policy-documents", "planned-activities", "class-counts",
              "country-adopted-standard", "visits"}
    assert set(non_federated(catalogue)) <= tested


# ---------------------------------------------------------------- hostile parameter values

HOSTILE = ['x" } UNION { ?resource ?p ?o } #', "x' ) } UNION { ?s ?p ?o", "} UNION {", "# comment",
           "line\nbreak\r\n} ", '"""', "\\", "?text", "<http://example.org/>", "ISDB-T\" . } #"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_text_is_bound_as_one_literal(catalogue, embedded, call, value):
    result = call(queries.run, catalogue["label-search"], {"text": value}, embedded)
    assert result.columns == ["resource", "label", "typeLabel"]
    assert result.rows == []  # no name contains these; an injected UNION would have matched everything
    assert result.bindings["text"] == ox.Literal(value)


def test_a_10kb_string_is_refused(catalogue, embedded, call):
    with pytest.raises(ParameterError, match="'text'"):
        call(queries.run, catalogue["label-search"], {"text": "a" * 10_000}, embedded)


@pytest.mark.parametrize("name, params, culprit", [
    ("country-profile", {"country": ID + "country/BR> } UNION { ?s ?p ?o } #"}, "country"),
    ("country-profile", {"country": ID + "country/BR>\n"}, "country"),
    ("country-profile", {"country": ID + "organization/itu"}, "country"),  # an IRI outside the class
    ("country-profile", {"country": ID + "country/XX"}, "country"),  # not in the data at all
    ("country-profile", {"country": "javascript:alert(1)"}, "country"),
    ("country-profile", {"lang": 'en" } #'}, "lang"),
    ("country-profile", {"lang": "fr"}, "lang"),
    ("country-profile", {"nation": ID + "country/BR"}, "nation"),  # unknown parameter
    ("happened-in-month", {"month": '2019-12" } UNION { ?s ?p ?o } #'}, "month"),
    ("happened-in-month", {"month": "2019-13"}, "month"),
    ("events-by-period", {"start": "2019-1"}, "start"),
    ("agreements", {"year": "2019\n"}, "year"),
    ("agreements", {"type": "ictd:Loan"}, "type"),  # outside the enum
    ("sources-of", {"resource": "https://example.org/unknown"}, "resource"),
])
def test_refusals_name_the_parameter(catalogue, embedded, call, name, params, culprit):
    with pytest.raises(ParameterError) as error:
        call(queries.run, catalogue[name], params, embedded)
    assert f"'{culprit}'" in str(error.value)
    assert isinstance(error.value, IctdError)


def test_the_values_block_is_serialized_by_pyoxigraph():
    text = "SELECT ?a ?t WHERE { ?a ?p ?t }"
    bound = with_values(text, {"t": ox.Literal('a"b\n} UNION {'), "a": ox.NamedNode("http://e/x")})
    assert 'VALUES (?t ?a) { ("a\\"b\\n} UNION {" <http://e/x>) }' in bound
    ox.Store().query(bound)  # still one well-formed query


def test_the_where_group_is_found_past_a_construct_template_and_strings():
    text = 'CONSTRUCT { ?s <http://e/p> "WHERE {" } WHERE { ?s ?p ?o }'
    bound = with_values(text, {"s": ox.NamedNode("http://e/s")})
    assert bound.index("VALUES") > bound.index("} WHERE {")


def test_the_wikidata_endpoint_is_a_checked_setting(catalogue):
    query = catalogue["wikidata-partner-population"]
    assert "<http://127.0.0.1:9/sparql>" in query.sparql("http://127.0.0.1:9/sparql")
    assert "query.wikidata.org" not in query.sparql("http://127.0.0.1:9/sparql")
    with pytest.raises(ParameterError, match="wikidata_endpoint"):
        query.sparql("http://x/> } #")


# ---------------------------------------------------------------- rendering and the command line

def test_formats(ask):
    result = ask("isdb-t-timeline")
    table = render.render(result, "table")
    assert table.splitlines()[0].split() == ["date", "country", "countryLabel", "adoption"]
    assert "Brazil" in table and table.endswith("(6 rows)")
    assert json.loads(render.render(result, "json"))["head"]["vars"] == ["date", "country", "countryLabel", "adoption"]
    assert render.render(result, "csv").splitlines()[1].startswith("2006-06,https://w3id.org/ict-diplomacy/id/country/BR,Brazil")
    assert '"2006-06"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>' in render.render(result, "tsv")
    with pytest.raises(OutputFormatError):
        render.render(result, "turtle")


def test_cli_runs_a_stored_query_on_the_built_store(cli_root, capsys):
    assert cli.main(["--root", str(cli_root), "query", "isdb-t-timeline", "--lang", "ja"]) == 0
    out = capsys.readouterr().out
    assert "ブラジル" in out and "2006-06" in out
    assert cli.main(["--root", str(cli_root), "query", "country-profile", "--param", f"country={ID}country/PE",
                     "--format", "csv"]) == 0
    assert "adoption/isdb-t-pe" in capsys.readouterr().out


def test_cli_lists_the_catalogue(cli_root, capsys):
    assert cli.main(["--root", str(cli_root), "query", "--list"]) == 0
    out = capsys.readouterr().out
    assert "isdb-t-timeline" in out and "[Wikidata]" in out


def test_cli_refuses_bad_parameters_with_exit_2(cli_root, capsys):
    assert cli.main(["--root", str(cli_root), "query", "country-profile", "--param", "country=nope"]) == 2
    assert "'country'" in capsys.readouterr().err
    assert cli.main(["--root", str(cli_root), "query", "no-such-query"]) == 2


def test_options_of_closed_parameters(catalogue, embedded, call):
    countries = call(queries.options, catalogue["country-profile"].params["country"], embedded, "ja")
    assert (ID + "country/PE", "ペルー") in countries and len(countries) == len({c for c, _ in countries})
    assert ("ja", "ja") in call(queries.options, catalogue["country-profile"].params["lang"], embedded)


@pytest.mark.parametrize("max_rows", [10_000, 3])  # 3: Peru's class is larger than the cap, checked by a query
def test_values_checked_against_the_instances_read_once(catalogue, open_engine, call, max_rows):
    engine = open_engine(max_rows=max_rows)
    instances, query = queries.Instances(engine), catalogue["country-profile"]
    held = call(instances.holds, ICTD + "Country", ox.NamedNode(ID + "country/PE"))
    assert held is (True if max_rows > 3 else None)
    bound = call(queries.bind, query, {"country": ID + "country/PE"}, engine, instances)
    assert bound["country"] == ox.NamedNode(ID + "country/PE")
    for outside in (ID + "organization/itu", ID + "country/XX"):  # another class; not in the data
        with pytest.raises(ParameterError, match="'country'"):
            call(queries.bind, query, {"country": outside}, engine, instances)
