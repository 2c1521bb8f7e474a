"""Facts of subsection 1(2) (cyberspace rules, cyber dialogues, trade, standardization), asked of the
built store. Expected values are typed from the source text."""

from decimal import Decimal

from .conftest import one, select, short


# ---------------------------------------------------------------- 1(2) introduction

def test_mics_groundwork_names_four_means_and_others(store):
    # 「サイバー空間の国際的ルール作りの推進、サイバーセキュリティに係る国際連携の推進、EPAやFTAの枠組みでのICT分野における
    #  貿易自由化の推進、国際標準化への戦略的な対応等を通じ、…環境整備を行っている」
    rows = select(store, """SELECT ?topic WHERE {
        ?i a ictd:Initiative ; ictd:organizer organization:mic ; dct:source source:1-2 ;
           ictd:nonExhaustive ictd:topic ; ictd:topic ?topic ; ictd:purpose ?p FILTER(lang(?p) = "ja") }""")
    assert {"cyberspace-rules", "cybersecurity", "trade-liberalization", "standardization"} <= {short(r["topic"]) for r in rows}


# ---------------------------------------------------------------- 1(2)ア(ア) international rules for cyberspace

def test_debate_on_cyberspace_rules_runs_from_2011_with_no_end(store):
    # 「2011年（平成23年）以降、インターネットに関わる様々な国際会合が開催され、サイバー空間の国際ルールの在り方に関する議論が活発に行われている」
    row = one(store, """SELECT ?start ?status WHERE {
        ?d ictd:topic topic:cyberspace-rules ; dct:source source:1-2-a-1 ; ictd:startDate ?start ; ictd:status ?status
        FILTER NOT EXISTS { ?d ictd:endDate ?end } }""")
    assert (row["start"], short(row["status"])) == ("2011", "InProgress")


def test_countries_that_did_not_sign_the_2012_itr_revision(store):
    # 「投票を経て国際電気通信規則（ITR）の改正が採択された（我が国を含む、欧米諸国等55か国が署名せず）」
    row = one(store, """SELECT ?n ?date WHERE {
        ?wcit skos:altLabel "WCIT-12"@en ; ictd:outcome ?revision .
        ?revision ictd:revises ?itr ; ictd:date ?date .
        ?s a ictd:Statistic ; ictd:statisticSubject ?revision ; ictd:unit ictd:Countries ; ictd:value ?n }""")
    assert (Decimal(row["n"]), row["date"]) == (55, "2012")


def test_pp18_compromise_is_a_review_of_the_itr(store):
    # 「規制強化につながることを懸念した先進諸国が強く反対したため、妥協する形でITRに関するレビューが実施されている」
    rows = select(store, """SELECT ?status WHERE {
        ?r a ictd:Initiative ; ictd:atEvent ?pp ; ictd:status ?status ; ictd:topic topic:cyberspace-rules .
        ?pp skos:altLabel "PP-18"@en }""")
    assert [short(r["status"]) for r in rows] == ["InProgress"]


def test_pp18_cyberspace_proposal_came_from_arab_and_african_regions_and_others(store):
    # 「サイバー空間におけるITUまたは政府の役割強化を含む国際ルールづくりがアラブ・アフリカ地域等より提案されたが合意に至らず」
    rows = select(store, """SELECT ?who WHERE {
        ?p ictd:atEvent ?pp ; ictd:proposer ?who ; ictd:nonExhaustive ictd:proposer . ?pp skos:altLabel "PP-18"@en }""")
    assert {short(r["who"]) for r in rows} == {"arab-states", "africa"}


def test_mics_two_principles_for_cyberspace_rules(store):
    # 「①…情報の自由な流通に最大限配慮すること、②…あらゆる関係者の参画（マルチステークホルダーの枠組）が不可欠であること、の2点を重視」
    rows = select(store, """SELECT ?topic WHERE {
        ?d ictd:issuer organization:mic ; dct:source source:1-2-a-1 ; ictd:topic ?topic }""")
    assert {"free-flow-of-information", "multistakeholder-approach"} <= {short(r["topic"]) for r in rows}


def test_misprint_in_academia_is_recorded_and_not_copied(store):
    # 「民間企業や学术界、市民社会などあらゆる関係者の参画」: 术 is the simplified form of 術
    row = one(store, """SELECT ?adopted ?ja WHERE {
        ?n a ictd:SourceDiscrepancy ; ictd:concerns ?d ; ictd:adoptedReading ?adopted ; dct:source source:1-2-a-1 .
        ?d ictd:issuer organization:mic ; dct:description ?ja FILTER(lang(?ja) = "ja") }""")
    assert row["adopted"] == "学術界"
    assert "学術界" in row["ja"] and "学术界" not in row["ja"]


# ---------------------------------------------------------------- 1(2)ア(イ) bilateral cyber dialogues

def test_bilateral_cyber_dialogues_2019_2020(store):
    # 「2019年（令和元年）10月に開催された第7回「日米サイバー対話」…日EU間で2019年（令和元年）6月に第4回「日EUサイバー対話」、日仏間で同年7月に第5回「日仏サイバー協議」、日露間で同年11月に第3回「日露サイバー協議」、日ウクライナ間で2020年（令和2年）1月に第2回「日ウクライナサイバー協議」、日英間で同年1月に第5回「日英サイバー協議」」
    rows = select(store, """SELECT ?partner ?n ?date WHERE {
        ?s a ictd:DialogueSession ; ictd:topic topic:cybersecurity ; ictd:partner ?partner ;
           ictd:ordinal ?n ; ictd:date ?date ; dct:source source:1-2-a-2 }""")
    assert {(short(r["partner"]), int(r["n"]), r["date"]) for r in rows} == {
        ("US", 7, "2019-10"), ("eu", 4, "2019-06"), ("FR", 5, "2019-07"),
        ("RU", 3, "2019-11"), ("UA", 2, "2020-01"), ("GB", 5, "2020-01")}


def test_bilateral_cyber_dialogues_are_one_whole_of_government_effort_among_others(store):
    # 「サイバーセキュリティに関する二国間の議論については、政府横断的な取組が行われており、…が開催される等、各国との連携強化を進めている」
    rows = select(store, """SELECT ?series ?partner WHERE {
        ?effort ictd:organizer organization:government-of-japan ; ictd:nonExhaustive ictd:partner ;
                ictd:topic topic:cybersecurity ; dct:source source:1-2-a-2 .
        ?series a ictd:DialogueSeries ; ictd:subSeriesOf ?effort ; ictd:partner ?partner .
        ?effort ictd:partner ?partner }""")
    assert {short(r["partner"]) for r in rows} == {"US", "eu", "FR", "RU", "UA", "GB"}
    assert len({r["series"] for r in rows}) == 6


def test_one_israel_cybersecurity_memorandum_cited_by_both_subsections(store):
    # 1(1)イ(イ)「2018年に締結した協力覚書に基づくイスラエルとの連携強化」
    # 1(2)ア(イ)「総務省とイスラエル・国家サイバー総局との間で2018年（平成30年）11月に署名したサイバーセキュリティ分野における協力に関する覚書」
    rows = select(store, """SELECT DISTINCT ?m ?date WHERE {
        ?m a ictd:MemorandumOfCooperation ; ictd:party ?p ; ictd:date ?date .
        { ?p ictd:country country:IL } UNION { FILTER(?p = country:IL) } }""")
    assert len(rows) == 1, rows
    assert rows[0]["date"] == "2018-11"
    sources = {short(r["s"]) for r in select(store, f"SELECT ?s WHERE {{ <{rows[0]['m']}> dct:source ?s }}")}
    assert {"1-1-i-2", "1-2-a-2"} <= sources
    # the cooperation under it exists once too
    coop = select(store, f"SELECT ?c WHERE {{ ?c ictd:basedOn <{rows[0]['m']}> }}")
    assert len(coop) == 1


# ---------------------------------------------------------------- 1(2)イ trade liberalization

def test_epas_and_ftas_complement_the_wto_system(store):
    # 「世界貿易機関（WTO…）を中心とする多角的自由貿易体制を補完し、2国間の経済連携を推進するとの観点から、我が国は…EPA…やFTA…の締結に積極的に取り組んでいる」
    row = one(store, """SELECT ?purpose WHERE {
        ?i a ictd:Initiative ; ictd:participant country:JP ; ictd:topic topic:trade-liberalization ; dct:source source:1-2-i ;
           ictd:purpose ?purpose FILTER(lang(?purpose) = "ja") }""")
    assert "多角的自由貿易体制を補完" in row["purpose"] and "2国間の経済連携" in row["purpose"]


def test_tpp11_and_japan_eu_epa_entry_into_force(store):
    # 「2018年（平成30年）12月には、…（TPP11…）、2019年（平成31年）2月には、日EU・EPA協定が発効した」
    rows = select(store, """SELECT ?alt ?date WHERE {
        ?a a ictd:TradeAgreement ; ictd:entryIntoForce ?date ; ictd:status ictd:InForce ; skos:altLabel ?alt .
        FILTER(?alt IN ("TPP11"@en, "Japan-EU EPA"@en)) }""")
    assert {(r["alt"], r["date"]) for r in rows} == {("TPP11", "2018-12"), ("Japan-EU EPA", "2019-02")}


def test_partners_of_japans_concluded_epas(store):
    # 「シンガポール、メキシコ、マレーシア、チリ、タイ、インドネシア、ブルネイ、ASEAN全体、フィリピン、スイス、ベトナム、インド、ペルー、オーストラリア及びモンゴルとの間でEPAを締結している」
    rows = select(store, """SELECT ?partner WHERE {
        ?a a ictd:TradeAgreement ; ictd:status ictd:Concluded ; ictd:party country:JP , ?partner .
        FILTER(?partner != country:JP) }""")
    partners = [short(r["partner"]) for r in rows]
    assert sorted(partners) == sorted(["SG", "MX", "MY", "CL", "TH", "ID", "BN", "asean", "PH", "CH", "VN", "IN", "PE", "AU", "MN"])


def test_wide_area_agreements_under_negotiation(store):
    # 「現在も日中韓FTA及びRCEP（東アジア地域包括的経済連携）といった広域経済連携交渉を行っている」
    rows = select(store, """SELECT ?label WHERE {
        ?a a ictd:TradeAgreement ; ictd:status ictd:UnderNegotiation ; rdfs:label ?label FILTER(lang(?label) = "ja") }""")
    assert {r["label"] for r in rows} == {"日中韓自由貿易協定", "東アジア地域包括的経済連携"}


# ---------------------------------------------------------------- 1(2)ウ strategic standardization

def test_standardization_strategy_rests_on_the_technology_strategy_committee(store):
    # 「情報通信審議会技術戦略委員会の答申等を踏まえた戦略を推進している」
    row = one(store, """SELECT ?committee WHERE {
        ?i ictd:organizer organization:mic ; ictd:topic topic:standardization ; ictd:basedOn ?report ;
           dct:source source:1-2-u .
        ?report ictd:issuer ?c . ?c ictd:parentOrganization organization:ict-council ; rdfs:label ?committee
        FILTER(lang(?committee) = "ja") }""")
    assert row["committee"] == "情報通信審議会技術戦略委員会"


def test_de_jure_and_forum_standards_as_the_footnotes_define_them(store):
    # *4「デジュール標準：国際電気通信連合（ITU…）等の公的な国際標準化機関によって策定された標準」
    # *5「フォーラム標準：複数の企業や大学等が集まり、これらの関係者間の合意により策定された標準」
    rows = select(store, """SELECT ?label ?definition WHERE {
        ?s ictd:organizer organization:mic ; dct:source source:1-2-u ; ictd:nonExhaustive ictd:basedOn ; ictd:topic ?t .
        ?t skos:broader topic:standardization ; rdfs:label ?label ; skos:definition ?definition
        FILTER(lang(?label) = "ja" && lang(?definition) = "ja") }""")
    got = {r["label"]: r["definition"] for r in rows}
    assert set(got) == {"デジュール標準", "フォーラム標準"}
    assert "公的な国際標準化機関" in got["デジュール標準"] and "合意により策定" in got["フォーラム標準"]


def test_japan_eu_joint_research_and_wireless_factories(store):
    # 「国際標準の獲得を目指した日EU共同研究や、社会実装への期待が大きい分野（ワイヤレス工場等）に係る研究開発や実証実験」
    rows = select(store, """SELECT ?kind WHERE {
        ?p a ?kind ; dct:source source:1-2-u ; ictd:topic topic:standardization .
        VALUES ?kind { ictd:Project ictd:Demonstration } }""")
    assert sorted(short(r["kind"]) for r in rows) == ["Demonstration", "Project"]


# ---------------------------------------------------------------- all of 1(2): bilingual descriptions

def test_every_description_in_1_2_is_in_japanese_too(store):
    # issue 14: a Japanese description for every resource that has an English one; resources that
    # part 2 also describes (PP-18) are left to the review of part 2
    rows = select(store, """SELECT ?r WHERE {
        ?r dct:source ?s ; dct:description ?en FILTER(lang(?en) = "en")
        FILTER(STRSTARTS(STR(?s), STR(source:1-2)))
        FILTER NOT EXISTS { ?r dct:source ?later FILTER(STRSTARTS(STR(?later), CONCAT(STR(source:), "2"))) }
        FILTER NOT EXISTS { ?r dct:description ?ja FILTER(lang(?ja) = "ja") } }""")
    assert rows == []
