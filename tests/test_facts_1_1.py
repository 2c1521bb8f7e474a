"""Facts of subsection 1(1), asked of the built store. Expected values are typed from the source text."""

from decimal import Decimal

from .conftest import one, select


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


# ---------------------------------------------------------------- 1(1)ウ country projects, asked by meaning

def test_when_peru_adopted_isdb_t(store):
    # 「ペルーでは2009年（平成21年）4月に日本方式の地上デジタルテレビ放送が採用され」
    row = one(store, """SELECT ?date WHERE {
        ?a a ictd:StandardAdoption ; ictd:adoptingCountry country:PE ; ictd:standard standard:isdb-t ; ictd:date ?date }""")
    assert row["date"] == "2009-04"


def test_countries_using_isdb_t_including_japan(store):
    # 「中南米を中心として、日本を含む20か国が同方式を採用する」
    row = one(store, """SELECT ?value WHERE {
        ?s a ictd:Statistic ; ictd:statisticSubject standard:isdb-t ; ictd:unit ictd:Countries ; ictd:value ?value }""")
    assert Decimal(row["value"]) == 20


def test_asean_economic_community_founded_end_of_2015(store):
    # 「「ASEAN 経済共同体（AEC）」が2015年（平成27年）末に設立され」
    row = one(store, """SELECT ?date WHERE {
        ?aec ictd:parentOrganization organization:asean ; skos:altLabel "AEC"@en ; ictd:foundingDate ?date }""")
    assert row["date"] == "2015"


def test_philippines_ict_cooperation_committee_held_in_2019(store):
    # 「2019年（令和元年）6月には第4回総務省－情報通信技術省ICT協力委員会をフィリピンにおいて開催」
    row = one(store, """SELECT ?n ?date WHERE {
        ?s a ictd:DialogueSession ; ictd:location country:PH ; ictd:ordinal ?n ; ictd:date ?date ;
           ictd:participant ?dict . ?dict ictd:country country:PH }""")
    assert (int(row["n"]), row["date"]) == (4, "2019-06")


def test_philippines_package_proposed_in_january_2018(store):
    # 「2018年（平成30年）1月に総務大臣がフィリピンを訪問し…「日フィリピンICT総合協力パッケージ」を提案」
    row = one(store, """SELECT ?date WHERE {
        ?p a ictd:Initiative ; ictd:targetCountry country:PH ; ictd:atEvent ?visit .
        ?visit a ictd:Visit ; ictd:location country:PH ; ictd:date ?date }""")
    assert row["date"] == "2018-01"


def test_myanmar_joint_mobile_business_partners(store):
    # 「MPT（国営電気通信事業体）とKDDI・住友商事の共同事業」
    rows = select(store, """SELECT ?name WHERE {
        ?p a ictd:Project ; ictd:targetCountry country:MM ; ictd:topic topic:mobile-communications ;
           ictd:participant ?org . ?org rdfs:label ?name FILTER(lang(?name) = "en") }""")
    assert {r["name"] for r in rows} == {"Myanma Posts and Telecommunications", "KDDI Corporation", "Sumitomo Corporation"}


def test_vietnam_memorandum_revised_by_takaichi_in_january_2020(store):
    # 「2020年（令和2年）1月に高市総務大臣がベトナムを訪問し…「情報通信分野における協力覚書」等を改定する署名を行い、5G、サイバーセキュリティ及びスマートシティを…新たに位置づけた」
    rows = select(store, """SELECT ?date ?signer ?topic WHERE {
        ?rev a ictd:MemorandumOfCooperation ; ictd:revises ?original ; ictd:party organization:vn-mic ;
             ictd:date ?date ; ictd:signatory ?p ; ictd:topic ?topic .
        ?p a ictd:Person ; rdfs:label ?signer FILTER(lang(?signer) = "en") }""")
    assert {r["date"] for r in rows} == {"2020-01"}
    assert {r["signer"] for r in rows} == {"Takaichi Sanae"}
    assert {r["topic"].rsplit("/", 1)[-1] for r in rows} == {"5g", "cybersecurity", "smart-city"}


def test_thailand_memorandum_2017_and_senior_vice_minister_visit_2019(store):
    # 「2017年（平成29年）6月に来日したデジタル経済社会大臣（当時）と高市総務大臣が「情報通信デジタル技術分野の協力に関する覚書」に署名」
    row = one(store, """SELECT ?date WHERE {
        ?m a ictd:MemorandumOfCooperation ; ictd:party ?th ; ictd:date ?date . ?th ictd:country country:TH }""")
    assert row["date"] == "2017-06"
    # 「2019年（令和元年）12月には、寺田総務副大臣がタイを訪問し」
    row = one(store, """SELECT ?date ?name WHERE {
        ?v a ictd:Visit ; ictd:location country:TH ; ictd:visitor ?p ; ictd:date ?date .
        ?p ictd:holdsPost post:senior-vice-minister-mic ; rdfs:label ?name FILTER(lang(?name) = "en") }""")
    assert (row["date"], row["name"]) == ("2019-12", "Terada Minoru")


def test_brazil_first_joint_working_group_after_2018_memorandum(store):
    # 「2018年（平成30年）8月には総務省及びブラジル科学技術革新通信省との間で…協力覚書を取り交わし、本覚書に基づき、2019年（令和元年）9月に第1回共同作業部会を開催」
    row = one(store, """SELECT ?moc ?session WHERE {
        ?series a ictd:DialogueSeries ; ictd:basedOn ?m ; ictd:partner organization:br-mctic .
        ?m ictd:date ?moc .
        ?s ictd:inSeries ?series ; ictd:ordinal 1 ; ictd:date ?session }""")
    assert (row["moc"], row["session"]) == ("2018-08", "2019-09")


def test_peru_forum_and_minister_invitation(store):
    # 「2017年（平成29年）2月には外務省と連携し、運輸通信大臣一行を日本へ招へい」「2018年（平成30年）3月には…「ICTとブロードバンドに関する国家政策提言に向けた貢献」国際フォーラムを開催」
    rows = select(store, """SELECT ?kind ?date WHERE {
        ?e a ?kind ; ictd:partner organization:pe-mtc ; ictd:date ?date .
        VALUES ?kind { ictd:Visit ictd:Workshop } } ORDER BY ?date""")
    assert [(r["kind"].rsplit("#", 1)[-1], r["date"]) for r in rows] == [("Visit", "2017-02"), ("Workshop", "2018-03")]


def test_colombia_vive_digital_and_2014_joint_statement(store):
    # 「2014年（平成26年）7月の安倍総理大臣のコロンビア訪問時に発出された共同声明」「情報技術・通信省を中心に…「Vive Digital」政策を推進」
    row = one(store, """SELECT ?date WHERE { ?d a ictd:JointStatement ; ictd:party country:CO ; ictd:date ?date }""")
    assert row["date"] == "2014-07"
    row = one(store, """SELECT ?label WHERE { ?s a ictd:Strategy ; ictd:issuer organization:co-mintic ; rdfs:label ?label
        FILTER(lang(?label) = "en") }""")
    assert row["label"] == "Vive Digital"


def test_chile_memorandum_2010_and_joint_statement_2015(store):
    # 「翌2010年（平成22年）には…地上デジタルテレビ放送の実施のための協力に関する覚書」「2015年（平成27年）には…総務省と同国運輸通信省との共同声明が署名」
    rows = select(store, """SELECT ?kind ?date WHERE {
        ?d a ?kind ; ictd:party ?p ; ictd:date ?date . FILTER(?p IN (country:CL, organization:cl-mtt))
        VALUES ?kind { ictd:MemorandumOfCooperation ictd:JointStatement } } ORDER BY ?date""")
    assert [(r["kind"].rsplit("#", 1)[-1], r["date"]) for r in rows] == [
        ("MemorandumOfCooperation", "2010"), ("JointStatement", "2015")]


def test_japan_africa_round_table_at_ticad7(store):
    # 「2019年（令和元年）8月、神奈川県横浜市において、総務省とスマートアフリカ加盟国などが、…TICAD7（第7回アフリカ開発会議）公式サイドイベントとして「日・アフリカICTハイレベルラウンドテーブル」を開催」
    # The organizers are MIC and Smart Africa's member states, and others (issue 15), not Smart Africa itself.
    row = one(store, """SELECT ?date ?city ?statement WHERE {
        ?rt ictd:atEvent ?ticad ; ictd:date ?date ; ictd:location ?place ; ictd:outcome ?js ;
            ictd:organizer organization:mic , ?members ; ictd:nonExhaustive ictd:organizer .
        ?members ictd:membersOf organization:smart-africa .
        ?ticad skos:altLabel "TICAD7"@en .
        ?place rdfs:label ?city FILTER(lang(?city) = "en")
        ?js a ictd:JointStatement ; rdfs:label ?statement FILTER(lang(?statement) = "ja") }""")
    assert (row["date"], row["city"]) == ("2019-08", "Yokohama")
    assert row["statement"] == "日・アフリカICTハイレベルラウンドテーブル共同声明"


def test_angola_first_joint_working_group(store):
    # 「2020年2月に、第1回日アンゴラ地デジ/ICT共同作業部会を開催」
    row = one(store, """SELECT ?date WHERE { ?s a ictd:DialogueSession ; ictd:partner country:AO ; ictd:ordinal 1 ; ictd:date ?date }""")
    assert row["date"] == "2020-02"


def test_botswana_working_group_held_eight_times(store):
    # 「日ボツワナ地デジ共同作業部会を2013年7月から2018年11月まで8回開催」
    row = one(store, """SELECT ?n ?from ?to WHERE {
        ?wg a ictd:DialogueSeries ; ictd:partner country:BW .
        ?s a ictd:Statistic ; ictd:statisticSubject ?wg ; ictd:unit ictd:Times ; ictd:value ?n ;
           ictd:startDate ?from ; ictd:endDate ?to }""")
    assert (Decimal(row["n"]), row["from"], row["to"]) == (8, "2013-07", "2018-11")


def test_rwanda_memorandum_and_minister_visits(store):
    # 「2018年5月にルワンダで開催されたトランスフォーム・アフリカ・サミット2018の際、…ICT分野の協力に関する覚書に署名」
    row = one(store, """SELECT ?date ?where WHERE {
        ?m a ictd:MemorandumOfCooperation ; ictd:party organization:rw-mitec ; ictd:date ?date ; ictd:atEvent ?summit .
        ?summit ictd:location ?where }""")
    assert (row["date"], row["where"].rsplit("/", 1)[-1]) == ("2018-05", "RW")
    # 「2019年1月及び2019年8月には、インガビレICT・イノベーション大臣が訪日した機会を捉え、石田総務大臣（当時）との面談を実施」
    rows = select(store, """SELECT ?date WHERE {
        ?m a ictd:MinisterialMeeting ; ictd:participant person:ishida-masatoshi , ?rw ; ictd:date ?date .
        ?rw ictd:holdsPost/ictd:postIn organization:rw-mitec } ORDER BY ?date""")
    assert [r["date"] for r in rows] == ["2019-01", "2019-08"]


# ---------------------------------------------------------------- review of issue 15: 1(1) and 1(1)ア

def test_mic_overseas_expansion_purpose_fields_and_strategy(store):
    # 「我が国のICT産業の国際競争力強化及びICTを活用した世界の課題解決の推進を目的に」
    # 「ICT、郵便のみならず、消防、統計、行政相談制度、地方自治等といった幅広い分野で海外展開を推進」
    # 「2018年（平成30年）2月には…「総務省海外展開戦略」を策定し、イ以降のとおり、海外展開に取り組んできた」
    row = one(store, """SELECT ?purpose ?strategy WHERE {
        ?p a ictd:Initiative ; ictd:organizer organization:mic ; ictd:topic topic:local-government , topic:fire-services ;
           ictd:nonExhaustive ictd:topic ; ictd:purpose ?purpose ; ictd:basedOn ?s .
        ?s ictd:date "2018-02"^^xsd:gYearMonth ; rdfs:label ?strategy FILTER(lang(?strategy) = "ja")
        FILTER(lang(?purpose) = "ja") }""")
    assert row["strategy"] == "総務省海外展開戦略"
    assert "国際競争力強化" in row["purpose"] and "世界の課題解決" in row["purpose"]


def test_jict_partner_of_mic_is_one_of_several(store):
    # 「必要に応じて、株式会社海外通信・放送・郵便事業支援機構（JICT）や関係機関とも連携し」
    row = one(store, """SELECT ?p WHERE { ?p ictd:participant organization:jict ; ictd:nonExhaustive ictd:participant ;
        ictd:organizer organization:mic }""")
    assert row["p"].endswith("project/mic-ict-overseas-expansion")


def test_purposes_of_the_strategy_the_action_plan_and_jict(store):
    # 「これらの取組を総合的・戦略的に推進し、更なる海外展開の強化を図るため、「総務省海外展開戦略」を策定」
    # 「政策資源を総動員し、より実質的に海外展開を進めるため、…「総務省海外展開行動計画2020」を…策定」
    # 脚注*2「…もって我が国経済の持続的な成長に寄与することを目的としている」
    rows = select(store, """SELECT ?label ?purpose WHERE {
        VALUES ?r { document:mic-overseas-expansion-strategy document:mic-overseas-expansion-action-plan-2020 organization:jict }
        ?r rdfs:label ?label ; ictd:purpose ?purpose FILTER(lang(?label) = "ja" && lang(?purpose) = "ja") }""")
    purposes = {r["label"]: r["purpose"] for r in rows}
    assert "総合的・戦略的に推進" in purposes["総務省海外展開戦略"]
    assert "政策資源を総動員" in purposes["総務省海外展開行動計画2020"]
    assert "我が国経済の持続的な成長に寄与" in purposes["株式会社海外通信・放送・郵便事業支援機構"]


# ---------------------------------------------------------------- review of issue 15: 1(1)イ

def test_isdb_t_promoted_since_around_december_2003(store):
    # 「日本で地上デジタル放送が開始された2003年12月頃から取り組んでいる地上デジタル放送日本方式の展開」
    rows = select(store, """SELECT ?r ?date WHERE {
        ?r ictd:topic topic:digital-terrestrial-broadcasting ; dct:source source:1-1-i-1 ;
           ictd:approximateDate ?p ; ?p ?date . FILTER(?p IN (ictd:date, ictd:startDate)) }""")
    assert {(r["r"].rsplit("/", 1)[-1], r["date"]) for r in rows} == {
        ("isdb-t-overseas-promotion", "2003-12"), ("japan-dtt-launch-2003", "2003-12")}


def test_isdb_t_twenty_countries_counted_as_of_the_source(store):
    # 「中南米を中心として、日本を含む20か国が同方式を採用するなどの成果となっている」 (the 2020 white paper)
    row = one(store, """SELECT ?n ?asof WHERE {
        ?s ictd:statisticSubject standard:isdb-t ; ictd:unit ictd:Countries ; ictd:value ?n ; ictd:asOf ?asof }""")
    assert (Decimal(row["n"]), row["asof"]) == (20, "2020")


def test_myanmar_largest_mno_is_the_mpt_kddi_sumitomo_business(store):
    # 1(1)イ(ア)「日本企業が携帯電話通信事業に参入し、2019年9月時点で2,400万の契約者数を抱える同国最大のMNOを運営」
    # 1(1)ウ(ア)B「MPT（国営電気通信事業体）とKDDI・住友商事の共同事業」: one business, one IRI
    row = one(store, """SELECT ?business ?retired WHERE {
        ?s ictd:unit ictd:Subscriptions ; ictd:statisticSubject ?business .
        ?business ictd:participant organization:kddi , organization:sumitomo-corporation , organization:mpt ;
                  dct:source source:1-1-i-1 , source:1-1-u-1-b .
        ?retired a ictd:RetiredResource ; dct:isReplacedBy ?business }""")
    assert row["retired"].endswith("project/myanmar-mobile-network-operation")
    assert select(store, """SELECT ?p WHERE { <https://w3id.org/ict-diplomacy/id/project/myanmar-mobile-network-operation> ?p ?o
        FILTER(?p != rdf:type && ?p != dct:isReplacedBy && ?p != ictd:retirementReason) }""") == []


def test_no_two_resources_of_1_1_share_a_label(store):
    # the JBIC loan and its amount once shared "JBIC loan for the Angola–Brazil submarine cable"
    rows = select(store, """SELECT ?label WHERE {
        ?a rdfs:label ?label ; dct:source/dct:isPartOf* source:1-1 .
        ?b rdfs:label ?label . FILTER(?a != ?b) }""")
    assert rows == []


def test_india_its_demonstration_runs_from_fy2018(store):
    # 「2018年度からインドで高度道路交通システムの導入の実証を行うなど、着実に取組を進めている」: from FY2018, no end
    row = one(store, """SELECT ?start ?status WHERE {
        ?d a ictd:Demonstration ; ictd:targetCountry country:IN ; ictd:topic topic:intelligent-transport-systems ;
           ictd:startPeriod ?start ; ictd:status ?status .
        FILTER NOT EXISTS { ?d ictd:endPeriod|ictd:endDate|ictd:period ?any } }""")
    assert row["start"].endswith("period/fy2018") and row["status"].endswith("#InProgress")


def test_broadcast_content_support_from_fy2014_to_fy2019(store):
    # 「アジアを中心に2014年度から2019年度まで継続的な取組みを行ってきた結果、放送コンテンツの海外輸出額が6年で3倍以上に拡大した」
    row = one(store, """SELECT ?from ?to ?gfrom ?gto WHERE {
        ?p ictd:topic topic:broadcast-content ; ictd:location region:asia ; ictd:startPeriod ?from ; ictd:endPeriod ?to .
        ?g ictd:unit ictd:Ratio ; ictd:statisticSubject topic:broadcast-content ; ictd:startPeriod ?gfrom ; ictd:endPeriod ?gto }""")
    assert [row[k].rsplit("/", 1)[-1] for k in ("from", "to", "gfrom", "gto")] == ["fy2014", "fy2019", "fy2013", "fy2018"]


def test_vietnam_online_survey_system_is_for_the_2021_economic_census(store):
    # 「ベトナムにおいて2021年の経済センサスに活用するため日本発のオンライン調査システムが導入され、運用準備段階にある」
    row = one(store, """SELECT ?purpose WHERE {
        ?p ictd:targetCountry country:VN ; ictd:topic topic:official-statistics ; ictd:status ictd:InProgress ;
           ictd:purpose ?purpose FILTER(lang(?purpose) = "ja") }""")
    assert "2021年の経済センサス" in row["purpose"]


# ---------------------------------------------------------------- review of issue 15: 1(1)ウ(ア) Asia

def test_aec_aims_at_growth_through_liberalisation(store):
    # 「域内の貿易自由化や市場統合などを通じ成長加速を目指す「ASEAN 経済共同体（AEC）」」
    row = one(store, """SELECT ?purpose WHERE { ?aec skos:altLabel "AEC"@en ; ictd:purpose ?purpose FILTER(lang(?purpose) = "ja") }""")
    assert "貿易自由化" in row["purpose"] and "市場統合" in row["purpose"]


def test_philippines_package_proposed_by_mic_for_fields_and_others(store):
    # 「総務大臣が…「日フィリピンICT総合協力パッケージ」を提案し、ICT利活用（防災、交通、サイバーセキュリティ等）の基盤となる…」
    row = one(store, """SELECT ?p WHERE { ?p ictd:proposer organization:mic ; ictd:targetCountry country:PH ;
        ictd:topic topic:disaster-management , topic:intelligent-transport-systems , topic:cybersecurity ;
        ictd:nonExhaustive ictd:topic }""")
    assert row["p"].endswith("project/japan-philippines-ict-cooperation-package")


def test_myanmar_yen_loan_from_the_government_of_japan(store):
    # 「日本政府は急速に拡大する通信需要に応えるため、円借款「通信網改善事業」（供与限度額105億円）により通信インフラの整備を支援」
    row = one(store, """SELECT ?label ?purpose WHERE {
        ?loan a ictd:Loan ; ictd:funder organization:government-of-japan ; ictd:targetCountry country:MM ;
              ictd:topic topic:telecommunications-infrastructure ; ictd:purpose ?purpose ; rdfs:label ?label .
        organization:government-of-japan ictd:country country:JP
        FILTER(lang(?label) = "ja" && lang(?purpose) = "ja") }""")
    assert row["label"] == "通信網改善事業" and "通信需要" in row["purpose"]


def test_vietnam_revision_covers_the_memorandum_and_others(store):
    # 「「情報通信分野における協力覚書」等を改定する署名を行い」
    row = one(store, """SELECT ?original WHERE { ?rev ictd:revises ?o ; ictd:nonExhaustive ictd:revises ; ictd:date "2020-01"^^xsd:gYearMonth .
        ?o rdfs:label ?original FILTER(lang(?original) = "ja") }""")
    assert row["original"].startswith("情報通信分野における協力覚書")


def test_thailand_2017_agreement_fields_include_meteorology(store):
    # 「サイバーセキュリティ、気象分野等における情報通信デジタル技術の促進、郵便分野等の協力を推進していくこと等について合意した」
    rows = select(store, """SELECT ?topic WHERE {
        ?m a ictd:MinisterialMeeting ; ictd:date "2017-06"^^xsd:gYearMonth ; ictd:participant person:takaichi-sanae ;
           ictd:nonExhaustive ictd:topic ; ictd:topic ?topic }""")
    assert {r["topic"].rsplit("/", 1)[-1] for r in rows} == {"cybersecurity", "meteorology", "postal-services"}


# ---------------------------------------------------------------- review of issue 15: 1(1)ウ(イ) Latin America

def test_latin_american_application_fields(store):
    # 「遠隔教育、遠隔医療、農業、防災、防犯、スマートシティなどの各分野でのアプリケーション」
    rows = select(store, """SELECT ?topic WHERE {
        ?p ictd:location region:latin-america ; ictd:organizer organization:mic ; ictd:nonExhaustive ictd:topic ;
           ictd:topic ?topic ; dct:source source:1-1-u-2 }""")
    assert {"remote-education", "e-health", "agriculture", "disaster-management", "crime-prevention", "smart-city"} <= {
        r["topic"].rsplit("/", 1)[-1] for r in rows}


def test_peru_logistics_in_the_joint_statement_and_the_joint_projects(store):
    # 「光ファイバなどインフラ整備、物流や医療などの分野でのICT協力の一層の進展への期待が表明された」
    # 「これまで遠隔教育、遠隔医療、防災、物流等の分野で共同プロジェクトが進められており」
    rows = select(store, """SELECT ?kind WHERE {
        ?r a ?kind ; ictd:topic topic:logistics ; ictd:nonExhaustive ictd:topic ; dct:source source:1-1-u-2-b }""")
    assert {r["kind"].rsplit("#", 1)[-1] for r in rows} == {"JointStatement", "Project"}


def test_peru_minister_invited_to_put_the_memorandum_into_practice(store):
    # 「本覚書を具体的に進めるため、2017年（平成29年）2月には外務省と連携し、運輸通信大臣一行を日本へ招へいし」
    row = one(store, """SELECT ?purpose WHERE {
        ?v a ictd:Visit ; ictd:organizer organization:mofa ; ictd:basedOn ?moc ; ictd:purpose ?purpose .
        ?moc ictd:party organization:pe-mtc FILTER(lang(?purpose) = "ja") }""")
    assert "覚書を具体的に進める" in row["purpose"]


def test_colombia_vive_digital_and_the_ftth_field_trial(store):
    # 「デジタル網の整備・利活用を進める「Vive Digital」政策」「日本の技術FTTH技術の高さを実証するフィールドトライアル」
    row = one(store, """SELECT ?aim ?reading WHERE {
        document:co-vive-digital ictd:purpose ?aim FILTER(lang(?aim) = "ja")
        ?note a ictd:SourceDiscrepancy ; ictd:concerns project:co-ftth-field-trial ; ictd:adoptedReading ?reading }""")
    assert row["aim"] == "デジタル網の整備・利活用を進めること"
    assert row["reading"] == "日本のFTTH技術の高さ"


def test_chile_2015_joint_statement_fields_and_others(store):
    # 「光ファイバ（陸上、海底）、通信システム、サイバーセキュリティ等のICT全般の分野で協力を拡大していく」
    rows = select(store, """SELECT ?topic WHERE { ?js a ictd:JointStatement ; ictd:party organization:cl-mtt ;
        ictd:date "2015"^^xsd:gYear ; ictd:nonExhaustive ictd:topic ; ictd:topic ?topic }""")
    assert {"optical-fibre", "submarine-cables", "cybersecurity"} <= {r["topic"].rsplit("/", 1)[-1] for r in rows}


# ---------------------------------------------------------------- review of issue 15: 1(1)ウ(ウ) Africa

def test_round_table_organised_by_mic_and_smart_africa_member_states_and_others(store):
    # 「総務省とスマートアフリカ加盟国などが、ICT分野における日アフリカ間の協力強化のための取組を議論するため、
    #   TICAD7（第7回アフリカ開発会議）公式サイドイベントとして「日・アフリカICTハイレベルラウンドテーブル」を開催した」
    rows = select(store, """SELECT ?org ?purpose ?n WHERE {
        ?rt ictd:atEvent ?ticad ; ictd:organizer ?org ; ictd:nonExhaustive ictd:organizer ; ictd:purpose ?purpose .
        ?ticad ictd:inSeries/skos:altLabel "TICAD"@en ; ictd:ordinal ?n
        FILTER(lang(?purpose) = "ja") }""")
    assert {r["org"].split("/id/")[1] for r in rows} == {"organization/mic", "group/smart-africa-member-states"}
    assert {int(r["n"]) for r in rows} == {7}
    assert all("協力強化" in r["purpose"] for r in rows)
    row = one(store, "SELECT ?o WHERE { <https://w3id.org/ict-diplomacy/id/group/smart-africa-member-states> a ictd:AgentGroup ; ictd:membersOf ?o }")
    assert row["o"].endswith("organization/smart-africa")


def test_mic_africa_support_aims(store):
    # 「アフリカにおけるICTによるSDGsへの貢献を推進し、日本のICT企業の活動を支援するため」
    row = one(store, """SELECT ?purpose WHERE { ?p ictd:location region:africa ; ictd:organizer organization:mic ;
        ictd:purpose ?purpose FILTER(lang(?purpose) = "ja") }""")
    assert "SDGsへの貢献" in row["purpose"] and "日本のICT企業" in row["purpose"]


def test_botswana_working_group_is_counted_so_far_not_ended(store):
    # 「これまで日ボツワナ地デジ共同作業部会を2013年7月から2018年11月まで8回開催している」: a count as of the text
    row = one(store, """SELECT ?asof WHERE {
        ?wg a ictd:DialogueSeries ; ictd:partner country:BW ; ictd:startDate "2013-07"^^xsd:gYearMonth .
        ?s ictd:statisticSubject ?wg ; ictd:value 8.0 ; ictd:asOf ?asof .
        FILTER NOT EXISTS { ?wg ictd:endDate ?end } }""")
    assert row["asof"] == "2020"


def test_rwanda_cooperation_fields(store):
    # 「ICT分野の協力に関する覚書に署名し、スマートシティ、通信インフラ等の分野で協力を推進している」
    rows = select(store, """SELECT ?topic WHERE { ?m a ictd:MemorandumOfCooperation ; ictd:party organization:rw-mitec ;
        ictd:nonExhaustive ictd:topic ; ictd:topic ?topic }""")
    assert {r["topic"].rsplit("/", 1)[-1] for r in rows} == {"smart-city", "telecommunications-infrastructure"}


def test_bilateral_talks_of_two_ministers_are_ministerial_meetings(store):
    # 「総務大臣との会談」「高市総務大臣が…情報通信大臣とともに」「デジタル経済社会大臣（当時）と高市総務大臣が」
    # 「インガビレICT・イノベーション大臣が訪日した機会を捉え、石田総務大臣（当時）との面談」; 寺田総務副大臣 is not a minister
    rows = select(store, """SELECT ?m ?kind WHERE {
        ?m a ?kind ; ictd:partOf ?visit ; dct:source ?s . ?s dct:isPartOf+ source:1-1-u .
        ?kind rdfs:subClassOf* ictd:Meeting FILTER(?kind != ictd:SummitMeeting) }""")
    kinds = {r["m"].rsplit("/", 1)[-1]: r["kind"].rsplit("#", 1)[-1] for r in rows}
    assert kinds.pop("terada-th-mdes-minister-talks-2019") == "Meeting"
    assert set(kinds.values()) == {"MinisterialMeeting"} and len(kinds) == 5
