"""Facts of subsection 1(1), asked of the built store. Expected values are typed from the source text."""

from decimal import Decimal

from .conftest import select


def one(store, query):
    rows = select(store, query)
    assert len(rows) == 1, rows
    return rows[0]


def test_oda_grant_for_indonesias_disaster_information_system(store):
    # 「インドネシアにおいて約20億円規模のODA（無償資金協力）による防災情報共有システムの導入が決定」
    row = one(store, """SELECT ?value ?qualifier WHERE {
        ?grant a ictd:Grant ; ictd:targetCountry country:ID ; ictd:topic topic:disaster-management ;
               ictd:amount ?amount .
        ?amount schema:value ?value ; schema:currency "JPY" ; ictd:qualifier ?qualifier }""")
    assert Decimal(row["value"]) == Decimal("2000000000")
    assert row["qualifier"].endswith("#Approximately")


def test_subscribers_of_the_myanmar_mno(store):
    # 「2019年9月時点で2,400万の契約者数を抱える同国最大のMNO」
    row = one(store, """SELECT ?value ?date WHERE {
        ?s a ictd:Statistic ; ictd:unit ictd:Subscriptions ; ictd:value ?value ; ictd:date ?date ;
           dct:source source:1-1-i-1 }""")
    assert Decimal(row["value"]) == 24_000_000
    assert row["date"] == "2019-09"


def test_jict_supported_submarine_cables(store):
    # 「JICTを通じて3件、総事業費合計約792億円の事業支援」
    row = one(store, """SELECT ?total ?count WHERE {
        ?p ictd:funder organization:jict ; ictd:topic topic:submarine-cables ;
           ictd:totalCost/schema:value ?total .
        ?n ictd:statisticSubject ?p ; ictd:unit ictd:Items ; ictd:value ?count }""")
    assert Decimal(row["total"]) == Decimal("79200000000")
    assert Decimal(row["count"]) == 3


def test_jbic_loan_for_the_angola_brazil_cable(store):
    # 「アンゴラ・ブラジル間の光海底ケーブルが株式会社国際協力銀行（JBIC）からの70億円の融資により敷設」
    row = one(store, """SELECT ?value WHERE {
        ?loan a ictd:Loan ; ictd:funder organization:jbic ;
              ictd:targetCountry country:AO , country:BR ; ictd:amount/schema:value ?value }""")
    assert Decimal(row["value"]) == Decimal("7000000000")


def test_broadcast_content_exports_by_fiscal_year(store):
    # 「2013年度 137.8億円 → 2018年度 519.4億円」
    rows = select(store, """SELECT ?fy ?value WHERE {
        ?s a ictd:Statistic ; ictd:unit ictd:Yen ; ictd:value ?value ; ictd:period ?fy ;
           dct:source source:1-1-i-3 } ORDER BY ?fy""")
    assert [(r["fy"].rsplit("/", 1)[-1], Decimal(r["value"])) for r in rows] == [
        ("fy2013", Decimal("13780000000")), ("fy2018", Decimal("51940000000"))]


def test_e_government_support_in_vietnam_and_denmark(store):
    # 「ベトナムにおいて電子政府システムの構築を5億円のODAの供与」「JICTによる電子政府事業の支援（デンマーク）（総事業費約1,360億円）」
    rows = select(store, """SELECT ?country ?value WHERE {
        ?p ictd:topic topic:e-government ; ictd:targetCountry ?country ;
           (ictd:amount|ictd:totalCost)/schema:value ?value } ORDER BY ?country""")
    found = {(r["country"].rsplit("/", 1)[-1], Decimal(r["value"])) for r in rows}
    assert {("VN", Decimal("500000000")), ("DK", Decimal("136000000000"))} <= found


def test_mic_strategy_documents_and_their_months(store):
    # 「2018年（平成30年）2月には…「総務省海外展開戦略」を策定」「「総務省海外展開行動計画2020」を2020年（令和2年）4月に策定」
    rows = select(store, """SELECT ?label ?date WHERE {
        ?d a ictd:Strategy ; ictd:issuer organization:mic ; ictd:date ?date ; rdfs:label ?label .
        FILTER(lang(?label) = "ja") } ORDER BY ?date""")
    assert [(r["label"], r["date"]) for r in rows] == [
        ("総務省海外展開戦略", "2018-02"), ("総務省海外展開行動計画2020", "2020-04")]


def test_fire_services_memorandum_with_vietnam(store):
    # 「2018年10月にベトナムとの消防分野における協力覚書に署名」
    row = one(store, """SELECT ?date WHERE {
        ?m a ictd:MemorandumOfCooperation ; ictd:topic topic:fire-services ; ictd:date ?date }""")
    assert row["date"] == "2018-10"


def test_jict_founding_date(store):
    # 「2015年（平成27年）11月25日に設立された官民ファンド」
    row = one(store, "SELECT ?d WHERE { organization:jict ictd:foundingDate ?d }")
    assert row["d"] == "2015-11-25"


def test_myanmar_telecom_network_yen_loan_ceiling(store):
    # 「円借款「通信網改善事業」（供与限度額105億円）」
    row = one(store, """SELECT ?value WHERE {
        ?loan a ictd:Loan ; ictd:targetCountry country:MM ; ictd:loanCeiling/schema:value ?value }""")
    assert Decimal(row["value"]) == Decimal("10500000000")


def test_isdb_t_adoptions_named_in_1_1(store):
    # ブラジル 2006年6月（海外で初）, ペルー 2009年4月, チリ 2009年9月, エルサルバドル 2017年, アンゴラ 2019年3月, ボツワナ 2013年2月
    rows = select(store, """SELECT ?country ?date WHERE {
        ?a a ictd:StandardAdoption ; ictd:standard standard:isdb-t ; ictd:adoptingCountry ?country ; ictd:date ?date }
        ORDER BY ?date""")
    assert [(r["country"].rsplit("/", 1)[-1], r["date"]) for r in rows] == [
        ("BR", "2006-06"), ("PE", "2009-04"), ("CL", "2009-09"), ("BW", "2013-02"), ("SV", "2017"), ("AO", "2019-03")]


def test_trainees_from_vietnam_in_administrative_counselling(store):
    # 「ベトナムから研修生を直近7年で計約270人受け入れる」
    row = one(store, """SELECT ?value ?q WHERE {
        ?s a ictd:Statistic ; ictd:unit ictd:Persons ; ictd:value ?value ; ictd:qualifier ?q ;
           ictd:statisticSubject/ictd:topic topic:administrative-counseling }""")
    assert Decimal(row["value"]) == 270 and row["q"].endswith("#Approximately")


def test_every_resource_of_1_1_carries_provenance_and_both_labels(store):
    rows = select(store, """SELECT ?r WHERE {
        ?r dct:source ?s . ?s dct:isPartOf* source:1-1 .
        FILTER NOT EXISTS { ?r rdfs:label ?ja FILTER(lang(?ja) = "ja") }
    }""")
    assert rows == []
