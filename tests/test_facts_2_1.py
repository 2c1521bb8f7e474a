"""Facts of subsection 2(1) (multilateral frameworks: G7/G20, APEC, APT, ASEAN, ITU, UN, WTO, OECD,
ICANN), asked of the built store. Expected values are typed from the source text."""

from decimal import Decimal

from .conftest import one, select, short


# ---------------------------------------------------------------- 2 introduction (review of 2(1)ア–エ)

def test_mic_consults_in_multilateral_frameworks_and_others(store):
    # 「総務省では、G7/G20、APEC、APT、ASEAN、ITU、国際連合、WTO、OECDといった多国間の枠組みで政策協議を行い」
    rows = select(store, """SELECT ?partner WHERE {
        ?i ictd:organizer organization:mic ; dct:source source:2 ; ictd:nonExhaustive ictd:partner ; ictd:partner ?partner }""")
    assert {short(r["partner"]) for r in rows} == {"g7", "g20", "apec", "apt", "asean", "itu", "un", "wto", "oecd"}


# ---------------------------------------------------------------- 2(1)ア G7/G20

def test_cochairs_of_the_g20_ibaraki_tsukuba_ministerial(store):
    # 「2019年（令和元年）6月8日及び9日…茨城県つくば市において「G20茨城つくば貿易・デジタル経済大臣会合」を開催した。石田総務大臣、河野外務大臣、世耕経産大臣が共同議長を務め」
    rows = select(store, """SELECT ?chair ?start ?end ?city WHERE {
        ?m a ictd:MinisterialMeeting ; ictd:participant organization:g20 ; ictd:location ?place ;
           ictd:startDate ?start ; ictd:endDate ?end ; ictd:chair ?p .
        ?place ictd:country country:JP ; rdfs:label ?city FILTER(lang(?city) = "en")
        ?p a ictd:Person ; rdfs:label ?chair FILTER(lang(?chair) = "en") }""")
    assert {r["chair"] for r in rows} == {"Ishida Masatoshi", "Kono Taro", "Seko Hiroshige"}
    assert {(r["start"], r["end"], r["city"]) for r in rows} == {("2019-06-08", "2019-06-09", "Tsukuba")}


def test_takamatsu_meeting_first_g7_ict_ministerial_in_21_years(store):
    # 「我が国が議長国を務めた2016年（平成28年）4月のG7香川・高松情報通信大臣会合…G7の枠組みで21年ぶりに開催された」
    row = one(store, """SELECT ?date ?years WHERE {
        ?m a ictd:MinisterialMeeting ; ictd:chair country:JP ; ictd:participant organization:g7 ; ictd:date ?date .
        ?s ictd:statisticSubject ?m ; ictd:unit ictd:Years ; ictd:value ?years }""")
    assert (row["date"], Decimal(row["years"])) == ("2016-04", 21)


def test_first_g20_digital_economy_ministerial(store):
    # 「2017年（平成29年）4月には、G20の枠組みで初となるデジタル経済大臣会合（ドイツ）が開催され」
    row = one(store, """SELECT ?date ?country WHERE {
        ?m a ictd:MinisterialMeeting ; ictd:participant organization:g20 ; ictd:ordinal 1 ; ictd:date ?date ; ictd:location ?country }""")
    assert (row["date"], short(row["country"])) == ("2017-04", "DE")


def test_g20_ai_principles_rest_on_the_oecd_recommendation(store):
    # 2(1)ク「この理事会勧告の内容は、2019年（令和元年）6月に開催されたG20茨城つくば貿易・デジタル経済大臣会合及びG20大阪サミットにおいて「G20AI原則」として採択された」
    row = one(store, """SELECT ?osaka WHERE {
        ?p ictd:issuer organization:g20 ; ictd:topic topic:ai ; ictd:basedOn ?rec ; ictd:atEvent ?summit .
        ?rec ictd:issuer organization:oecd-council .
        ?summit a ictd:SummitMeeting ; ictd:date ?osaka }""")
    assert row["osaka"] == "2019-06"


def test_g20_includes_china_russia_india_and_others(store):
    # 「存在感を増している中国、ロシア、インド等を含むG20の枠組み」
    rows = select(store, "SELECT ?c WHERE { ?c a ictd:Country ; ictd:memberOf organization:g20 }")
    assert {"CN", "RU", "IN"} <= {short(r["c"]) for r in rows}


def test_osaka_track_purpose_from_2_1_a(store):
    # 「信頼性のある自由なデータ流通を促進し、デジタル経済、特にデータ流通や電子商取引に関する国際的なルール作りを進めていくプロセスである「大阪トラック」」
    row = one(store, """SELECT ?purpose ?summit WHERE { ?t rdfs:label "大阪トラック"@ja ; ictd:purpose ?purpose ; ictd:atEvent ?summit
        FILTER(lang(?purpose) = "ja") }""")
    assert "データ流通や電子商取引" in row["purpose"] and short(row["summit"]) == "g20-osaka-summit-2019"


def test_g7_g20_outcomes_carried_to_other_fora(store):
    # 「G7/G20における成果をOECD、APEC、ASEAN、IGF等の他の国際フォーラムにおいても積極的に発信していく」
    rows = select(store, """SELECT ?forum WHERE { ?i dct:source source:2-1-a ; ictd:participant country:JP ;
        ictd:nonExhaustive ictd:partner ; ictd:partner ?forum ; ictd:topic topic:multistakeholder-approach }""")
    assert {short(r["forum"]) for r in rows} == {"oecd", "apec", "asean", "igf"}


def test_only_the_html_edition_wording_differs_on_g20_discussions(store):
    # 本文「継続的に行われるようになってきている」、総務省HTML版「継続的に行われるようになっている」
    row = one(store, """SELECT ?page WHERE { ?n a ictd:PublicationVariance ; dct:source source:2-1-a ; ictd:publishedAt ?page }""")
    assert row["page"].endswith("/whitepaper/ja/r02/html/nd268210.html")


# ---------------------------------------------------------------- 2(1)イ APEC

def test_telmin10_approved_the_tel_strategic_action_plan(store):
    # 「2015年（平成27年）3月にマレーシア（クアラルンプール）で開催された第10回 TELMIN（TELMIN10）において承認された「TEL 戦略的行動計画 2016-2020」」
    row = one(store, """SELECT ?date ?city ?from ?to WHERE {
        ?m ictd:ordinal 10 ; ictd:date ?date ; ictd:location ?place ; ictd:outcome ?plan .
        ?place ictd:country country:MY ; rdfs:label ?city FILTER(lang(?city) = "en")
        ?plan ictd:issuer organization:apec-tel ; ictd:startDate ?from ; ictd:endDate ?to }""")
    assert (row["date"], row["city"], row["from"], row["to"]) == ("2015-03", "Kuala Lumpur", "2016", "2020")


def test_tel_meets_twice_a_year(store):
    # 「年2回開催されるTEL会合」
    row = one(store, """SELECT ?f WHERE { ?s a ictd:EventSeries ; ictd:organizer organization:apec-tel ; ictd:frequency ?f
        FILTER(lang(?f) = "ja") }""")
    assert row["f"] == "年2回"


def test_apec_purpose_and_tel_scope(store):
    # 「アジア・太平洋地域の持続可能な発展を目的とし」「電気通信分野に関する議論は、…TEL…及び…TELMIN…を中心に行われている」
    row = one(store, """SELECT ?purpose ?scope WHERE { organization:apec ictd:purpose ?purpose .
        organization:apec-tel ictd:scope ?scope FILTER(lang(?purpose) = "ja" && lang(?scope) = "ja") }""")
    assert "持続可能な発展" in row["purpose"] and "電気通信分野" in row["scope"]


# ---------------------------------------------------------------- 2(1)ウ APT

def test_apt_founding_and_its_japanese_secretary_general(store):
    # 「1979年（昭和54年）に設立された…現在、我が国の近藤勝則氏（総務省出身）が事務局長を務めている」
    row = one(store, """SELECT ?founded ?name WHERE {
        organization:apt ictd:foundingDate ?founded .
        ?p ictd:holdsPost ?post ; ictd:affiliation organization:mic ; rdfs:label ?name FILTER(lang(?name) = "ja")
        ?post ictd:postIn organization:apt }""")
    assert (row["founded"], row["name"]) == ("1979", "近藤勝則")


def test_apt_programmes_supported_in_fy2019(store):
    # 「2019年度（令和元年度）は、5件の訪日研修（23か国・地域から50名以上が参加）、2件の国際共同研究及び3件のパイロットプロジェクトの実施を支援した」
    rows = select(store, """SELECT ?unit ?value ?q WHERE {
        ?s a ictd:Statistic ; ictd:period period:fy2019 ; dct:source source:2-1-u ; ictd:unit ?unit ; ictd:value ?value .
        OPTIONAL { ?s ictd:qualifier ?q } }""")
    got = sorted((short(r["unit"]), Decimal(r["value"]), short(r["q"]) if r["q"] else None) for r in rows)
    assert got == sorted([("Items", 5, None), ("Persons", 50, "AtLeast"), ("Countries", 23, None),
                          ("Items", 2, None), ("Items", 3, None)])


def test_apt_purpose_scope_and_training_paid_through_the_contribution(store):
    # 「同地域における電気通信や情報基盤の均衡した発展を目的として、研修やセミナーを通じた人材育成、標準化や無線通信等の地域的政策調整等を行っている」
    # 「総務省は、APTへの拠出金を通じて…研修生の受け入れ…などの活動を支援している。2019年度（令和元年度）は、5件の訪日研修…」
    row = one(store, "SELECT ?p WHERE { organization:apt ictd:purpose ?p FILTER(lang(?p) = \"ja\") }")
    assert "均衡した発展" in row["p"]
    topics = {short(r["t"]) for r in select(store, "SELECT ?t WHERE { organization:apt ictd:topic ?t }")}
    assert {"capacity-building", "standardization", "radio-systems"} <= topics
    row = one(store, """SELECT ?funder WHERE { ?t a ictd:Training ; ictd:period period:fy2019 ; ictd:fundedThrough ?c .
        ?c ictd:funder ?funder ; ictd:partner organization:apt }""")
    assert short(row["funder"]) == "mic"


def test_kondo_was_deputy_secretary_general_when_the_source_was_written(store):
    # 本文「現在、我が国の近藤勝則氏（総務省出身）が事務局長を務めている」; MIC's own pages (2019-12, 2020-02-17, 2023-03-08)
    # show he was Deputy Secretary General until he took office as Secretary General in February 2021
    row = one(store, """SELECT ?post ?adopted WHERE {
        ?p rdfs:label "近藤勝則"@ja ; ictd:holdsPost ?postIri . ?postIri ictd:postIn organization:apt ; rdfs:label ?post FILTER(lang(?post) = "ja")
        ?n ictd:concerns ?p ; ictd:adoptedReading ?adopted ; ictd:reading "事務局長"@ja }""")
    assert (row["post"], row["adopted"]) == ("APT事務局次長", "事務局次長")


# ---------------------------------------------------------------- 2(1)エ ASEAN

def test_asean_has_ten_members_and_japan_is_a_dialogue_partner(store):
    # 「東南アジア10カ国からなる地域協力機構」「我が国は、ASEANの対話国の一つとして」
    row = one(store, """SELECT ?n WHERE { ?s ictd:statisticSubject organization:asean ; ictd:unit ictd:Countries ; ictd:value ?n }""")
    assert Decimal(row["n"]) == 10
    # A dialogue partner is related to ASEAN, not holding a post in it (issue 15).
    row = one(store, """SELECT ?org WHERE { country:JP ictd:dialoguePartnerOf ?o . ?o rdfs:label ?org FILTER(lang(?org) = "en") }""")
    assert row["org"] == "Association of Southeast Asian Nations"


def test_ajccbc_founded_in_bangkok_after_the_12th_ministers_meeting(store):
    # 「2017年（平成29年）12月にカンボジアで開催された第12回日ASEAN情報通信大臣会合において…合意し、…2018年（平成30年）9月に日ASEANサイバーセキュリティ能力構築センター（AJCCBC…）をタイ・バンコクに設立した」
    row = one(store, """SELECT ?founded ?city WHERE {
        ?c skos:altLabel "AJCCBC"@en ; ictd:foundingDate ?founded ; ictd:foundingLocation ?place .
        ?place ictd:country country:TH ; rdfs:label ?city FILTER(lang(?city) = "en") }""")
    assert (row["founded"], row["city"]) == ("2018-09", "Bangkok")
    row = one(store, """SELECT ?date WHERE { ?m a ictd:MinisterialMeeting ; ictd:ordinal 12 ; ictd:location country:KH ;
        ictd:participant organization:asean ; ictd:date ?date }""")
    assert row["date"] == "2017-12"


def test_japan_asean_cyber_workshops_are_one_series(store):
    # 1(1)イ(イ)「サイバーセキュリティをテーマとした米国やASEANとの継続的なワークショップ開催」
    # 2(1)エ「ASEAN各国のISP事業者を対象として…日ASEAN情報セキュリティワークショップを定期的開催」
    rows = select(store, """SELECT ?s WHERE { ?s a ictd:EventSeries ; ictd:partner organization:asean ; ictd:topic topic:cybersecurity }""")
    assert len(rows) == 1, rows
    sources = {short(r["src"]) for r in select(store, f"SELECT ?src WHERE {{ <{rows[0]['s']}> dct:source ?src }}")}
    assert {"1-1-i-2", "2-1-e"} <= sources


def test_smart_city_workshop_july_2019(store):
    # 「2019年（令和元年）7月には、スマートシティをテーマとするワークショップを開催し」
    row = one(store, """SELECT ?date WHERE { ?w a ictd:Workshop ; ictd:topic topic:smart-city ; dct:source source:2-1-e ; ictd:date ?date }""")
    assert row["date"] == "2019-07"


def test_asean_purposes_and_japan_as_dialogue_partner(store):
    # 「経済成長、社会・文化的発展の促進、政治・経済的安定の確保、域内諸問題に関する協力を主な目的としている」「我が国は、ASEANの対話国の一つとして」
    row = one(store, "SELECT ?p WHERE { organization:asean ictd:purpose ?p FILTER(lang(?p) = \"ja\") }")
    assert all(word in row["p"] for word in ("経済成長", "社会・文化的発展", "政治・経済的安定", "域内諸問題"))
    rows = select(store, "SELECT ?o WHERE { country:JP ictd:dialoguePartnerOf ?o }")
    assert [short(r["o"]) for r in rows] == ["asean"]


def test_smart_city_workshop_paid_through_the_japan_asean_ict_fund(store):
    # 「双方の合意が得られたワークショップ等の提案については、我が国拠出金により設立された日ASEAN情報通信技術（ICT）基金等を活用し実施されている。
    #  2019年（令和元年）7月には、スマートシティをテーマとするワークショップを開催し」
    row = one(store, """SELECT ?funder ?partner WHERE { ?w a ictd:Workshop ; ictd:topic topic:smart-city ; dct:source source:2-1-e ;
        ictd:partner ?partner ; ictd:fundedThrough ?fund . ?fund ictd:funder ?funder }""")
    assert (short(row["funder"]), short(row["partner"])) == ("JP", "asean")


def test_thailand_project_and_the_isp_workshops(store):
    # 「ASEANのサイバーセキュリティ分野の人材育成の強化に向けたプロジェクトをタイで実施することに合意し」
    row = one(store, """SELECT ?where WHERE { ?p ictd:atEvent ?m ; ictd:location ?where . ?m ictd:ordinal 12 ; ictd:participant organization:asean }""")
    assert short(row["where"]) == "TH"
    # 「事業者間の情報共有の促進及び連携体制の構築・強化を目的とした日ASEAN情報セキュリティワークショップを定期的開催」
    row = one(store, """SELECT ?p WHERE { ?s a ictd:EventSeries ; ictd:partner organization:asean ; ictd:topic topic:cybersecurity ;
        ictd:purpose ?p FILTER(lang(?p) = "ja") }""")
    assert "情報共有" in row["p"]


def test_every_description_in_2_1_a_to_e_is_in_japanese_too(store):
    # issue 14: a Japanese description for every resource that has an English one (2, 2(1)ア–エ)
    rows = select(store, """SELECT ?r WHERE {
        ?r dct:source ?s ; dct:description ?en FILTER(lang(?en) = "en")
        VALUES ?s { source:2 source:2-1 source:2-1-a source:2-1-i source:2-1-u source:2-1-e }
        FILTER NOT EXISTS { ?r dct:source ?other FILTER(?other NOT IN (source:2, source:2-1, source:2-1-a, source:2-1-i,
            source:2-1-u, source:2-1-e, source:1-1-i-2)) }
        FILTER NOT EXISTS { ?r dct:description ?ja FILTER(lang(?ja) = "ja") } }""")
    assert rows == []


# ---------------------------------------------------------------- 2(1)オ ITU

def test_itu_members_headquarters_and_origin(store):
    # 「本部：スイス（ジュネーブ）。193か国が加盟）は、1865年パリで創設の万国電信連合と1906年ベルリンで創設の国際無線電信連合が、1932年マドリッドにおいて統合の後に発足した」
    row = one(store, """SELECT ?n ?hq ?founded ?where WHERE {
        ?s ictd:statisticSubject organization:itu ; ictd:unit ictd:Countries ; ictd:value ?n .
        organization:itu ictd:headquarters/rdfs:label ?hq ; ictd:foundingDate ?founded ; ictd:foundingLocation/rdfs:label ?where .
        FILTER(lang(?hq) = "en" && lang(?where) = "en") }""")
    assert (Decimal(row["n"]), row["hq"], row["founded"], row["where"]) == (193, "Geneva", "1932", "Madrid")
    rows = select(store, """SELECT ?year ?city WHERE { organization:itu ictd:precededBy ?p .
        ?p ictd:foundingDate ?year ; ictd:foundingLocation/rdfs:label ?city FILTER(lang(?city) = "en") } ORDER BY ?year""")
    assert [(r["year"], r["city"]) for r in rows] == [("1865", "Paris"), ("1906", "Berlin")]


def test_pp18_elections(store):
    # 「我が国が1959年（昭和34年）以降12回連続で理事国に選出された他、橋本明氏（NTTドコモ標準化カウンセラー）が無線通信規則委員会（RRB）委員に選出された」「11の新決議等を含む文書が採択された」
    row = one(store, """SELECT ?times ?since WHERE {
        ?a ictd:appointee country:JP ; ictd:post/ictd:postIn organization:itu-council ; ictd:appointmentKind ictd:Reelection .
        ?s ictd:statisticSubject ?a ; ictd:unit ictd:Times ; ictd:value ?times ; ictd:startDate ?since }""")
    assert (Decimal(row["times"]), row["since"]) == (12, "1959")
    row = one(store, """SELECT ?name WHERE {
        ?a ictd:post/ictd:postIn organization:itu-rrb ; ictd:appointee ?p .
        ?p ictd:affiliation organization:ntt-docomo ; rdfs:label ?name FILTER(lang(?name) = "ja") }""")
    assert row["name"] == "橋本明"
    row = one(store, """SELECT ?n WHERE { ?e skos:altLabel "PP-18"@en . ?s ictd:statisticSubject ?e ; ictd:value ?n }""")
    assert Decimal(row["n"]) == 11


def test_itu_is_a_un_specialized_agency_with_a_stated_purpose(store):
    # 「国際連合（UN）の専門機関の一つで、電気通信の改善と合理的利用のため国際協力を増進し、…技術的手段の発達と能率的運用を促進することを目的としている」
    row = one(store, """SELECT ?un ?purpose WHERE { organization:itu ictd:specializedAgencyOf ?un ; ictd:purpose ?purpose
        FILTER(lang(?purpose) = "ja") }""")
    assert short(row["un"]) == "un"
    assert row["purpose"].startswith("電気通信の改善と合理的利用のため国際協力を増進し")
    # 「ITUは、①…②…③…の3部門から成り、周波数の分配、電気通信技術の標準化及び開発途上国における電気通信分野の開発支援等の活動を行っている」
    row = one(store, """SELECT ?n ?scope WHERE { ?s ictd:statisticSubject organization:itu ; ictd:unit ictd:Organizations ; ictd:value ?n .
        organization:itu ictd:scope ?scope FILTER(lang(?scope) = "ja") }""")
    assert Decimal(row["n"]) == 3 and "周波数の分配" in row["scope"] and row["scope"].endswith("等。")


def test_japan_supplies_itu_study_group_office_holders(store):
    # 「我が国は、各部門における研究委員会（SG: Study Group）の議長・副議長及び研究課題の責任者を多数輩出し、勧告を提案するなど、積極的に貢献を行っている」
    rows = select(store, """SELECT ?sector WHERE { ?p a ictd:Initiative ; ictd:participant country:JP ; ictd:partner ?sector ;
        ictd:topic topic:standardization ; dct:source source:2-1-o . ?sector ictd:parentOrganization organization:itu }""")
    assert {short(r["sector"]) for r in rows} == {"itu-r", "itu-t", "itu-d"}


def test_hashimoto_is_ntt_docomo_standardization_counsellor_and_japan_a_council_member(store):
    # 「橋本明氏（NTTドコモ標準化カウンセラー）が無線通信規則委員会（RRB）委員に選出された」「我が国が…理事国に選出された」
    rows = select(store, """SELECT ?post WHERE { person:hashimoto-akira ictd:holdsPost ?p . ?p rdfs:label ?post FILTER(lang(?post) = "ja") }""")
    assert {r["post"] for r in rows} == {"NTTドコモ標準化カウンセラー", "無線通信規則委員会（RRB）委員"}
    row = one(store, """SELECT ?body WHERE { country:JP ictd:holdsPost ?p . ?p ictd:postIn ?body . ?body ictd:parentOrganization organization:itu }""")
    assert short(row["body"]) == "itu-council"


def test_where_and_when_were_ra_19_and_wrc_19(store):
    # 「2019年（令和元年）10月から11月にかけて、2019年無線通信総会（RA-19）及び2019年世界無線通信会議（WRC-19）が、エジプト（シャルム・エル・シェイク）において開催された」
    # The span is given for the two together, so it bounds each of them (notBefore/notAfter) and is neither one's own start and end.
    rows = select(store, """SELECT ?alt ?early ?late ?city ?country WHERE {
        VALUES ?alt { "RA-19"@en "WRC-19"@en }
        ?e skos:altLabel ?alt ; ictd:notBefore ?early ; ictd:notAfter ?late ; ictd:location ?place .
        ?place ictd:country ?country ; rdfs:label ?city FILTER(lang(?city) = "en")
        FILTER NOT EXISTS { ?e ictd:startDate|ictd:endDate|ictd:date ?own } }""")
    assert {(r["alt"], r["early"], r["late"], r["city"], short(r["country"])) for r in rows} == {
        ("RA-19", "2019-10", "2019-11", "Sharm El Sheikh", "EG"), ("WRC-19", "2019-10", "2019-11", "Sharm El Sheikh", "EG")}


def test_itu_r_purpose_and_its_two_largest_meetings(store):
    # 「ITU-Rでは、あらゆる無線通信業務による無線周波数の合理的・効率的・経済的かつ公正な利用を確保するため、…」
    row = one(store, """SELECT ?p WHERE { organization:itu-r ictd:purpose ?p FILTER(lang(?p) = "ja") }""")
    assert "合理的・効率的・経済的かつ公正な利用" in row["p"]
    # 「…勧告案の承認、次期研究期間における課題や体制等の審議等を目的とする無線通信総会（RA…）及び国際的な周波数分配等を規定する無線通信規則の改正を目的とする世界無線通信会議（WRC…）は、3～4年に一度開催される」
    rows = select(store, """SELECT ?alt ?p ?f WHERE { ?s a ictd:EventSeries ; ictd:organizer organization:itu-r ; skos:altLabel ?alt ;
        ictd:purpose ?p ; ictd:frequency ?f FILTER(lang(?p) = "ja" && lang(?f) = "ja") }""")
    got = {r["alt"]: (r["p"], r["f"]) for r in rows}
    assert set(got) == {"RA", "WRC"} and {f for _, f in got.values()} == {"3～4年に一度"}
    assert got["RA"][0].startswith("各研究委員会（SG）から提出される勧告案の承認") and "無線通信規則の改正" in got["WRC"][0]


def test_wrc_19_agreed_the_wrc_23_agenda(store):
    # 「2023年（令和5年）に開催が予定されているWRC-23の議題についても審議が行われ、IMT用周波数の更なる拡大等を議題とすることが合意された」
    row = one(store, """SELECT ?agenda WHERE { ?wrc19 skos:altLabel "WRC-19"@en ; ictd:outcome ?agenda .
        ?wrc23 skos:altLabel "WRC-23"@en ; ictd:basedOn ?agenda . ?agenda ictd:atEvent ?wrc19 ; ictd:topic topic:mobile-communications }""")
    assert short(row["agenda"]) == "wrc-23-agenda"


def test_japanese_appointed_to_itu_r_study_group_posts_at_ra_19(store):
    # 「SG6（放送業務）の議長に西田 幸博氏（NHK）、SG4（衛星業務）の副議長に河野 宇博氏（スカパーJSAT）、SG5（地上業務）の副議長に新 博行氏（NTTドコモ）がそれぞれ任命された」
    rows = select(store, """SELECT ?name ?sg ?post ?org WHERE {
        ?a a ictd:Appointment ; ictd:atEvent ?ra ; ictd:appointee ?p ; ictd:post ?postIri .
        ?ra skos:altLabel "RA-19"@en .
        ?postIri ictd:postIn ?sgIri ; rdfs:label ?post FILTER(lang(?post) = "en")
        ?sgIri ictd:parentOrganization organization:itu-r ; skos:altLabel ?sg .
        ?p rdfs:label ?name FILTER(lang(?name) = "ja") ?p ictd:affiliation ?org }""")
    got = {(r["name"], r["sg"], r["post"].split(" of ")[0], short(r["org"])) for r in rows}
    assert got == {("西田幸博", "SG6", "Chair", "nhk"), ("河野宇博", "SG4", "Vice-Chair", "sky-perfect-jsat"),
                   ("新博行", "SG5", "Vice-Chair", "ntt-docomo")}


def test_ra_19_approvals(store):
    # 「2件の新規勧告及び3件の改定勧告の承認、2件の新規決議及び23件の改訂決議等の承認」
    rows = select(store, """SELECT ?label ?n WHERE { ?e skos:altLabel "RA-19"@en . ?s ictd:statisticSubject ?e ; ictd:value ?n ;
        rdfs:label ?label FILTER(lang(?label) = "ja") }""")
    assert sorted(int(Decimal(r["n"])) for r in rows) == [2, 2, 3, 23]


def test_wrc_23_is_planned_for_2023(store):
    # 「2023年（令和5年）に開催が予定されているWRC-23の議題についても審議が行われ、IMT用周波数の更なる拡大等を議題とすることが合意された」
    row = one(store, """SELECT ?date ?status WHERE { ?e skos:altLabel "WRC-23"@en ; ictd:date ?date ; ictd:status ?status }""")
    assert (row["date"], short(row["status"])) == ("2023", "Planned")


def test_wtsa_planned_for_november_2020(store):
    # 「世界電気通信標準化総会（WTSA…）が、2020年（令和2年）11月に開催される予定である」
    row = one(store, """SELECT ?date WHERE { ?e ictd:inSeries ?s ; ictd:status ictd:Planned ; ictd:date ?date .
        ?s skos:altLabel "WTSA"@en }""")
    assert row["date"] == "2020-11"


def test_itu_t_and_tsag_scope(store):
    # 「ITU-Tでは、通信ネットワークの技術、運用方法に関する国際標準や、その策定に必要な技術的な検討が行われている」
    # 「ITU-Tの各研究委員会（SG）の標準化活動等に対し助言を行う役割等を担っている電気通信標準化アドバイザーグループ（TSAG…）」
    rows = select(store, """SELECT ?org ?scope WHERE { VALUES ?org { organization:itu-t organization:itu-t-tsag }
        ?org ictd:scope ?scope FILTER(lang(?scope) = "ja") }""")
    got = {short(r["org"]): r["scope"] for r in rows}
    assert got["itu-t"].startswith("通信ネットワークの技術、運用方法に関する国際標準") and "助言" in got["itu-t-tsag"]


def test_sg_structure_review_proposed_at_tsag_and_discussed_in_august_and_september(store):
    # 「2020年（令和2年）2月に開催された…TSAG…会合では、…現在のSG構成を見直すことがITU-T事務局局長から提言され、議論が行われた。SG構成の見直しについては、2020年（令和2年）8月の中間会合と同年9月の会合で継続して議論される予定である」
    row = one(store, """SELECT ?proposed WHERE { ?d ictd:atEvent ?tsag ; ictd:date ?proposed . ?tsag ictd:organizer organization:itu-t-tsag }""")
    assert row["proposed"] == "2020-02"
    rows = select(store, """SELECT ?date WHERE { ?d ictd:atEvent/ictd:organizer organization:itu-t-tsag .
        ?m ictd:basedOn ?d ; ictd:status ictd:Planned ; ictd:date ?date } ORDER BY ?date""")
    assert [r["date"] for r in rows] == ["2020-08", "2020-09"]


def test_japans_iot_security_contribution_is_deliberated_in_sg17(store):
    # 「SG17においては、…「IoTセキュリティガイドライン」に基づくIoTのセキュリティ管理策をまとめた寄書を我が国から入力しており、勧告化に向けた審議が行われている」
    row = one(store, """SELECT ?status WHERE { ?w ictd:organizer organization:itu-t-sg17 ; ictd:basedOn ?c ; ictd:status ?status .
        ?c ictd:issuer country:JP ; ictd:basedOn/ictd:date "2016-07"^^xsd:gYearMonth }""")
    assert short(row["status"]) == "InProgress"


def test_qkd_recommendation_led_by_nict_nec_toshiba(store):
    # 「SG13において国立研究開発法人 情報通信研究機構（NICT）、日本電気 株式会社（NEC）、及び株式会社 東芝が、量子通信関連の勧告化…を主導し、ITU-T標準として初めて承認」
    rows = select(store, """SELECT ?org WHERE { ?r a ictd:Recommendation ; ictd:topic topic:quantum-communication ;
        ictd:issuer organization:itu-t-sg13 ; ictd:contributor ?org ; ictd:date "2019"^^xsd:gYear }""")
    assert {short(r["org"]) for r in rows} == {"nict", "nec", "toshiba"}
    # 「第13研究委員会（SG13）及び第17研究委員会（SG17）において、量子鍵配送（QKD…）に関する研究が進められている」
    rows = select(store, """SELECT ?sg WHERE { ?sg ictd:parentOrganization organization:itu-t ; ictd:topic topic:quantum-communication ;
        skos:altLabel ?alt FILTER(STRSTARTS(?alt, "SG")) }""")
    assert {short(r["sg"]) for r in rows} == {"itu-t-sg13", "itu-t-sg17"}


def test_focus_groups_set_up_in_fy2019(store):
    # 「2019年度（令和元年度）においてはFG AI4EE…、FG QIT4N…やFG AI4AD…が新たに設置される」
    rows = select(store, """SELECT ?alt WHERE { ?fg ictd:parentOrganization organization:itu-t ; ictd:period period:fy2019 ; skos:altLabel ?alt }""")
    assert {r["alt"] for r in rows} == {"FG AI4EE", "FG QIT4N", "FG AI4AD"}


def test_iot_security_guidelines_of_july_2016(store):
    # 「IoT推進コンソーシアム・総務省・経済産業省が2016年（平成28年）7月に策定した「IoTセキュリティガイドライン」」
    rows = select(store, """SELECT ?issuer ?date WHERE { ?g a ictd:Guideline ; ictd:topic topic:iot ; ictd:issuer ?issuer ; ictd:date ?date }""")
    assert {short(r["issuer"]) for r in rows} == {"iot-acceleration-consortium", "mic", "meti"}
    assert {r["date"] for r in rows} == {"2016-07"}


def test_wtdc_17_and_wtdc_21(store):
    # 「WTDC-17（2017年（平成29年）10月開催、於：アルゼンチン（ブエノスアイレス））」「次回のWTDC-21は2021年（令和3年）11月8日から19日にかけてエチオピア（アディスアベバ）で開催予定」
    row = one(store, """SELECT ?date ?city WHERE { ?e skos:altLabel "WTDC-17"@en ; ictd:date ?date ; ictd:location/rdfs:label ?city FILTER(lang(?city) = "en") }""")
    assert (row["date"], row["city"]) == ("2017-10", "Buenos Aires")
    row = one(store, """SELECT ?start ?end ?country WHERE { ?e skos:altLabel "WTDC-21"@en ; ictd:startDate ?start ; ictd:endDate ?end ;
        ictd:status ictd:Planned ; ictd:location/ictd:country ?country }""")
    assert (row["start"], row["end"], short(row["country"])) == ("2021-11-08", "2021-11-19", "ET")


def test_itu_d_study_questions_and_japanese_office_holders(store):
    # 「ルーラル通信…防災ICT等14の研究課題」「SGの研究課題の役職者に7名を就任させて」
    rows = select(store, """SELECT ?unit ?n WHERE { ?s a ictd:Statistic ; dct:source source:2-1-o-3 ; ictd:unit ?unit ; ictd:value ?n }""")
    assert {(short(r["unit"]), int(Decimal(r["n"]))) for r in rows} == {("Items", 14), ("Persons", 7)}


def test_itu_d_scope_and_japans_part_in_its_study_groups(store):
    # 「ITU-Dでは、途上国における情報通信分野の開発支援を行っている」
    row = one(store, """SELECT ?scope WHERE { organization:itu-d ictd:scope ?scope FILTER(lang(?scope) = "ja") }""")
    assert row["scope"] == "途上国における情報通信分野の開発支援。"
    # 「我が国としても、SGの研究課題の役職者に7名を就任させて研究活動をリードするとともに、積極的な寄書の提出によるベストプラクティスの共有を通じてSGの活動に大きく貢献している」
    row = one(store, """SELECT ?from ?to WHERE { ?c a ictd:Initiative ; ictd:participant country:JP ; ictd:partner organization:itu-d ;
        ictd:period ?p . ?p ictd:startDate ?from ; ictd:endDate ?to }""")
    assert (row["from"], row["to"]) == ("2018", "2021")


def test_itu_d_lists_that_end_in_nado_stay_open(store):
    # 「ルーラル通信、障害者のアクセス、スマート社会、eヘルス、サイバーセキュリティ、防災ICT等14の研究課題」「我が国主導でのeヘルス、防災ICT等に関するワークショップ」
    rows = select(store, """SELECT ?x WHERE { ?x dct:source source:2-1-o-3 ; ictd:topic topic:e-health ; ictd:nonExhaustive ictd:topic }""")
    assert {short(r["x"]) for r in rows} == {"itu-d-study-group-meetings", "japan-itu-d-workshops-and-exhibitions"}


# ---------------------------------------------------------------- 2(1)カ United Nations

def test_gge_sessions(store):
    # 「第5会期については、その最終会合が2017年（平成29年）6月に開催されたが…報告書を採択することなく終了した。第6期は、2019年（令和元年）12月から開催され」
    rows = select(store, """SELECT ?n ?when WHERE { ?s ictd:inSeries ?series ; ictd:ordinal ?n ; (ictd:startDate|ictd:endDate) ?when .
        ?series ictd:participant organization:un-gge } ORDER BY ?n""")
    assert [(int(r["n"]), r["when"]) for r in rows] == [(5, "2017-06"), (6, "2019-12")]


def test_first_committee_scope_and_the_gge_session_count(store):
    # 「軍縮と国際安全保障を扱っている国連総会第一委員会においては、2004年（平成16年）以降、…政府専門家会合（GGE…）を5会期にわたって開催し、国家のICT利用に関する規範やサイバー空間におけるルールづくり等について議論を行ってきた」
    row = one(store, """SELECT ?scope ?gge WHERE { organization:un-ga-first-committee ictd:scope ?scope .
        organization:un-gge ictd:parentOrganization organization:un-ga-first-committee ; ictd:scope ?gge
        FILTER(lang(?scope) = "ja" && lang(?gge) = "ja") }""")
    assert row["scope"] == "軍縮と国際安全保障。" and row["gge"].startswith("国家のICT利用に関する規範")
    # 「…5会期にわたって開催し…」 and 「第6期は、2019年（令和元年）12月から開催され」: the five are counted up to the fifth session, and the gap is recorded.
    row = one(store, """SELECT ?n ?from ?to WHERE { ?s ictd:statisticSubject ?series ; ictd:value ?n ; ictd:startDate ?from ; ictd:endDate ?to .
        ?series ictd:participant organization:un-gge . ?note a ictd:SourceDiscrepancy ; ictd:concerns ?s }""")
    assert (Decimal(row["n"]), row["from"], row["to"]) == (5, "2004", "2017-06")


def test_japan_in_wgec_sessions(store):
    # 「我が国もメンバー国として、WGECの第1会期（2013年（平成25年）5月～2014年（平成26年）4月）及び第2会期（2016年（平成28年）9月～2018年（平成30年）1月）の議論への貢献を果たしてきた」
    rows = select(store, """SELECT ?n ?start ?end WHERE { country:JP ictd:memberOf ?wg .
        ?s ictd:participant ?wg , country:JP ; ictd:ordinal ?n ; ictd:startDate ?start ; ictd:endDate ?end } ORDER BY ?n""")
    assert [(int(r["n"]), r["start"], r["end"]) for r in rows] == [(1, "2013-05", "2014-04"), (2, "2016-09", "2018-01")]


def test_wsis_follow_up_at_cstd_and_the_wgec_mandate(store):
    # 「WSIS…のフォローアップとして、経済社会理事会（ECOSOC…）に設置されている「開発のための科学技術委員会」（CSTD…）を中心に議論されている」
    row = one(store, """SELECT ?p WHERE { ?p ictd:organizer organization:cstd ; ictd:nonExhaustive ictd:organizer ; a ictd:Initiative .
        organization:cstd ictd:parentOrganization organization:ecosoc }""")
    assert short(row["p"]) == "wsis-follow-up"
    # 「…各政府が同等の立場でそれぞれの役割・責任を果たすために何をすべきかを議論するため、国連総会決議に基づき、CSTDの下に「協力強化に関するワーキンググループ（WGEC…）」が設置されている」
    row = one(store, """SELECT ?purpose WHERE { organization:wgec ictd:parentOrganization organization:cstd ; ictd:purpose ?purpose ;
        ictd:basedOn/ictd:issuer organization:un-general-assembly FILTER(lang(?purpose) = "ja") }""")
    assert "各政府が同等の立場で" in row["purpose"]
    # 「経済と金融を扱っている国連総会第二委員会においては、開発とICTについての議論が行われている」
    row = one(store, """SELECT ?scope WHERE { organization:un-ga-second-committee ictd:scope ?scope FILTER(lang(?scope) = "ja") }""")
    assert row["scope"].startswith("経済と金融。") and "開発とICT" in row["scope"]


def test_wsis_geneva_and_tunis(store):
    # 「世界情報社会サミット（WSIS…、2003年（平成15年）にジュネーブ、2005年（平成17年）にチュニスで開催。）」
    rows = select(store, """SELECT ?date ?city WHERE { ?e ictd:inSeries ?s ; ictd:date ?date ; ictd:location/rdfs:label ?city .
        ?s skos:altLabel "WSIS"@en FILTER(lang(?city) = "en") } ORDER BY ?date""")
    assert [(r["date"], r["city"]) for r in rows] == [("2003", "Geneva"), ("2005", "Tunis")]


def test_igf_14_place_and_date(store):
    # 「2019年（令和元年）11月には、ドイツ（ベルリン）において、「一つの世界・一つのネット・一つのビジョン」をメインテーマに第14回会合が開催された」
    row = one(store, """SELECT ?date ?city WHERE { ?e ictd:inSeries ?s ; ictd:ordinal 14 ; ictd:date ?date ; ictd:location ?place .
        ?s ictd:participant organization:igf . ?place ictd:country country:DE ; rdfs:label ?city FILTER(lang(?city) = "en") }""")
    assert (row["date"], row["city"]) == ("2019-11", "Berlin")
    # 「2006年（平成18年）以降毎年開催」「2025年（令和7年）までの開催が決定されている」
    row = one(store, """SELECT ?start ?end WHERE { ?s ictd:participant organization:igf ; a ictd:EventSeries ; ictd:startDate ?start ; ictd:endDate ?end }""")
    assert (row["start"], row["end"]) == ("2006", "2025")


def test_igf_purpose_and_japans_session_at_igf_14(store):
    # 「インターネット・ガバナンス・フォーラム（IGF…）は、インターネットに関する様々な公共政策課題について対話を行うための国際的なフォーラムであり」
    row = one(store, """SELECT ?p WHERE { organization:igf ictd:purpose ?p FILTER(lang(?p) = "ja") }""")
    assert row["p"] == "インターネットに関する様々な公共政策課題について対話を行うこと。"
    # 「我が国としても、開催国ドイツとの協力の下で各ステークホルダーのハイレベルによるセッションに登壇し、G20議長国として、信頼性のある自由なデータ流通やAI原則の合意等、…G20の結果を報告する」
    row = one(store, """SELECT ?n WHERE { ?session ictd:partOf ?igf ; ictd:participant country:JP ; ictd:partner country:DE ;
        ictd:topic topic:data-free-flow-with-trust , topic:ai . ?igf ictd:ordinal ?n ; ictd:inSeries/ictd:participant organization:igf }""")
    assert int(row["n"]) == 14


def test_high_level_panel_report_and_roadmap(store):
    # 「国連事務総長は2018年（平成30年）7月に「デジタル協力に関するハイレベル・パネル」を発足」「2019年（令和元年）6月にパネルから国連事務総長に提出」「5つの勧告」「2020年（令和2年）6月には…「デジタル協力に関するロードマップ」が公表」
    row = one(store, """SELECT ?founded ?report ?n WHERE {
        ?panel ictd:foundingDate ?founded . ?r a ictd:Report ; ictd:issuer ?panel ; ictd:date ?report .
        ?s ictd:statisticSubject ?r ; ictd:value ?n . ?panel dct:source source:2-1-ka-4 }""")
    assert (row["founded"], row["report"], Decimal(row["n"])) == ("2018-07", "2019-06", 5)
    row = one(store, """SELECT ?date WHERE { ?r a ictd:Report ; ictd:basedOn ?report ; ictd:date ?date ; dct:source source:2-1-ka-4 }""")
    assert row["date"] == "2020-06"


def test_panel_purpose_and_the_japanese_government_at_the_round_tables(store):
    # 「デジタル技術による社会変革に対応するため、国連事務総長は2018年（平成30年）7月に「デジタル協力に関するハイレベル・パネル」を発足させた」
    row = one(store, """SELECT ?p WHERE { organization:un-hlp-digital-cooperation ictd:purpose ?p FILTER(lang(?p) = "ja") }""")
    assert row["p"] == "デジタル技術による社会変革に対応すること。"
    # 「国連主導により、本報告書のフォローアップに関する議論を行うマルチステークホルダー方のラウンドテーブルが勧告ごとに開催され、日本政府も議論に参加した」
    row = one(store, """SELECT ?gov WHERE { ?rt a ictd:EventSeries ; ictd:organizer organization:un ; ictd:basedOn/ictd:issuer organization:un-hlp-digital-cooperation ;
        ictd:participant ?gov . ?gov ictd:governmentOf country:JP }""")
    assert short(row["gov"]) == "government-of-japan"


# ---------------------------------------------------------------- 2(1)キ WTO

def test_wto_e_commerce_joint_statement_by_76_members(store):
    # 「2019年（平成31年）1月には、ダボスにおいて非公式閣僚会合を開催し、…有志国（76ヶ国）による共同声明を発出した」
    row = one(store, """SELECT ?n ?date ?city WHERE {
        ?js a ictd:JointStatement ; ictd:topic topic:e-commerce ; ictd:date ?date ; ictd:atEvent/ictd:location/rdfs:label ?city .
        ?s ictd:statisticSubject ?js ; ictd:unit ictd:Countries ; ictd:value ?n FILTER(lang(?city) = "en") }""")
    assert (Decimal(row["n"]), row["date"], row["city"]) == (76, "2019-01", "Davos")


def test_wto_mc11_plurilateral_meetings_and_tisa(store):
    # 「2017年（平成29年）12月に開催されたWTO第11回閣僚会合（於アルゼンチン）」「2018年（平成30年）3月より、我が国は共同議長国として有志国会合を開催」「2013年（平成25年）6月より、…TiSA…交渉が中断されている」
    row = one(store, """SELECT ?date WHERE { ?m ictd:ordinal 11 ; ictd:location country:AR ; ictd:organizer organization:wto ; ictd:date ?date }""")
    assert row["date"] == "2017-12"
    row = one(store, """SELECT ?start WHERE { ?s a ictd:EventSeries ; ictd:chair country:JP ; ictd:topic topic:e-commerce ; ictd:startDate ?start }""")
    assert row["start"] == "2018-03"
    row = one(store, """SELECT ?start WHERE { ?t skos:altLabel "TiSA"@en ; ictd:status ictd:Suspended ; ictd:startDate ?start }""")
    assert row["start"] == "2013-06"


def test_wto_e_commerce_meetings_are_a_strand_of_the_osaka_track(store):
    # 「同年（令和元年）6月には、G20大阪サミットの機会に…「大阪トラック」が立ち上げられた。本有志国会合は、この「大阪トラック」の取組の一つとして位置付けられている」
    row = one(store, """SELECT ?launched ?davos WHERE { ?s a ictd:EventSeries ; ictd:chair country:JP ; ictd:subSeriesOf ?track .
        ?track ictd:startDate ?launched ; ictd:atEvent/ictd:participant organization:g20 .
        ?m ictd:inSeries ?s ; ictd:location/rdfs:label "Davos"@en ; ictd:date ?davos }""")
    assert (row["launched"], row["davos"]) == ("2019-06", "2019-01")
    # 「我が国は、WTO加盟国の中で最も電気通信分野の自由化が進展している国の一つであり」
    assert one(store, "SELECT ?wto WHERE { country:JP ictd:memberOf ?wto . ?wto skos:altLabel \"WTO\"@en }")["wto"].endswith("/wto")


# ---------------------------------------------------------------- 2(1)ク OECD

def test_oecd_ai_recommendation_adopted_in_may_2019(store):
    # 「2019年（令和元年）5月の閣僚理事会において、…「AIに関する理事会勧告」を採択・公表した」
    row = one(store, """SELECT ?date ?meeting WHERE { ?r a ictd:Recommendation ; ictd:issuer organization:oecd-council ; ictd:topic topic:ai ;
        ictd:date ?date ; ictd:atEvent/ictd:date ?meeting }""")
    assert (row["date"], row["meeting"]) == ("2019-05", "2019-05")


def test_oecd_cdep_chair_from_mic_and_ai_observatory(store):
    # 「CDEP議長を総務省職員から輩出（2020年（令和2年）1月～）」「2020年（令和2年）2月には、…プラットフォーム「AI政策に関するオブザーバトリー（OECD.AI）」を立ち上げた」
    row = one(store, """SELECT ?start WHERE { ?a a ictd:Appointment ; ictd:post/ictd:postIn organization:oecd-cdep ; ictd:appointeeFrom organization:mic ; ictd:startDate ?start }""")
    assert row["start"] == "2020-01"
    row = one(store, """SELECT ?start WHERE { ?p skos:altLabel "OECD.AI"@en ; ictd:startDate ?start }""")
    assert row["start"] == "2020-02"


def test_going_digital_and_cancun(store):
    # 「2016年（平成28年）6月のデジタル経済に関する閣僚級会合（於：メキシコ（カンクン））」「2017年（平成29年）1月から「デジタル化に関する水平的事業（Going Digitalプロジェクト）」」「2019年（平成31年）3月に統合報告書…7つの項目」
    row = one(store, """SELECT ?cancun ?start ?report ?n WHERE {
        ?p skos:altLabel "Going Digital"@en ; ictd:startDate ?start ; ictd:basedOn/ictd:date ?cancun ; ictd:outcome ?r .
        ?r a ictd:Report ; ictd:date ?report . ?s ictd:statisticSubject ?r ; ictd:value ?n }""")
    assert (row["cancun"], row["start"], row["report"], Decimal(row["n"])) == ("2016-06", "2017-01", "2019-03", 7)


def test_oecd_purpose_and_cdep_scope(store):
    # 「…政治問題及び軍事問題を除き、経済及び社会のあらゆる分野にわたって広範囲に意見及び情報を交換し、各国の政策の調和を図ることを目的とする国際機関であり、デジタル経済政策委員会（CDEP…）が情報通信分野の政策課題等の議論の場となっている」
    # 「CDEPは、電気通信政策、情報セキュリティ、プライバシー、AI（人工知能）といったデジタル経済分野の先導的な議論を行っている」
    row = one(store, """SELECT ?purpose ?scope WHERE { organization:oecd ictd:purpose ?purpose . organization:oecd-cdep ictd:scope ?scope
        FILTER(lang(?purpose) = "ja" && lang(?scope) = "ja") }""")
    assert row["purpose"].startswith("政治問題及び軍事問題を除き") and row["scope"].startswith("情報通信分野の政策課題等の議論の場")
    rows = select(store, "SELECT ?t WHERE { organization:oecd-cdep ictd:topic ?t }")
    assert {short(r["t"]) for r in rows} == {"digital-economy", "cybersecurity", "privacy", "ai"}


def test_mic_supports_the_oecd_secretariat(store):
    # 「総務省は、OECD事務局への人材派遣や財政支援を通じた支援に加え」
    row = one(store, """SELECT ?sec WHERE { ?p ictd:funder organization:mic ; ictd:partner ?sec . ?sec ictd:parentOrganization organization:oecd }""")
    assert short(row["sec"]) == "oecd-secretariat"


def test_oecd_ai_work_answers_the_call_made_at_takamatsu(store):
    # 「OECDは、2016年（平成28年）からAIに関する取組を進めている。これは、同年4月のG7香川・高松情報通信大臣会合において、AIの研究開発等に関するガイドラインの策定等に向けた国際的な議論の必要性が提起されたことを受けたもの」
    row = one(store, """SELECT ?start ?call WHERE { ?w ictd:organizer organization:oecd ; ictd:topic topic:ai ; ictd:startDate ?start ;
        ictd:basedOn ?doc . ?doc ictd:atEvent ?g7 ; ictd:date ?call . ?g7 ictd:participant organization:g7 }""")
    assert (row["start"], row["call"]) == ("2016", "2016-04")


# ---------------------------------------------------------------- 2(1)ケ ICANN

def test_icann_board_member_and_his_reelection(store):
    # 「2016年（平成28年）11月より、我が国の前村昌紀氏（…JPNIC）がICANN理事を務めており、2019年（平成31年）3月に再選された（同年11月から3年間の任期更新）」
    rows = select(store, """SELECT ?name ?kind ?date ?start WHERE {
        ?a a ictd:Appointment ; ictd:post/ictd:postIn organization:icann-board ; ictd:appointee ?p ; ictd:startDate ?start .
        OPTIONAL { ?a ictd:appointmentKind ?kind } OPTIONAL { ?a ictd:date ?date }
        ?p ictd:affiliation organization:jpnic ; rdfs:label ?name FILTER(lang(?name) = "ja") } ORDER BY ?start""")
    assert [(r["name"], short(r["kind"]) if r["kind"] else None, r["date"], r["start"]) for r in rows] == [
        ("前村昌紀", None, None, "2016-11"), ("前村昌紀", "Reelection", "2019-03", "2019-11")]
    row = one(store, """SELECT ?years WHERE { ?s ictd:statisticSubject ?a ; ictd:unit ictd:Years ; ictd:value ?years .
        ?a ictd:appointmentKind ictd:Reelection ; ictd:post/ictd:postIn organization:icann-board }""")
    assert Decimal(row["years"]) == 3


def test_icann64_in_kobe_first_in_japan_in_19_years(store):
    # 「2019年（平成31年）3月には、ICANN第64回会合が19年ぶりに日本（神戸）で開催され」
    row = one(store, """SELECT ?date ?city ?gap WHERE { ?m ictd:organizer organization:icann ; ictd:ordinal 64 ; ictd:date ?date ;
        ictd:location ?place . ?place ictd:country country:JP ; rdfs:label ?city FILTER(lang(?city) = "en")
        ?s ictd:statisticSubject ?m ; ictd:value ?gap }""")
    assert (row["date"], row["city"], Decimal(row["gap"])) == ("2019-03", "Kobe", 19)


def test_mic_member_of_gac_and_iana_transition(store):
    # 「総務省は、ICANNの政府諮問委員会…の正式なメンバー」「同年10月、米国政府はIANAをICANNに移管した」
    row = one(store, """SELECT ?gac WHERE { organization:mic ictd:memberOf ?g . ?g ictd:parentOrganization organization:icann ;
        skos:altLabel ?gac }""")
    assert row["gac"] == "GAC"
    # 「2014年（平成26年）3月に、米国政府が、…（IANA…）を民間部門に移管する意向を表明した」: the government (米国政府), not the country, takes part
    row = one(store, """SELECT ?start ?end WHERE { ?p ictd:participant organization:icann , ?gov ; ictd:startDate ?start ; ictd:endDate ?end .
        ?gov ictd:governmentOf country:US }""")
    assert (row["start"], row["end"]) == ("2014-03", "2016-10")


def test_icann_scope_and_its_contract_with_the_us_government(store):
    # 「…インターネット資源の国際的な管理・調整は、1998年（平成10年）に非営利法人として発足したICANN…が行っており、…IPアドレスの割当てやドメイン名の調整のほか、ルートサーバー・システムの運用・展開の調整…」
    row = one(store, """SELECT ?scope WHERE { organization:icann ictd:scope ?scope FILTER(lang(?scope) = "ja") }""")
    assert row["scope"].startswith("インターネット資源（IPアドレスやドメイン名）の国際的な管理・調整") and "ルートサーバー・システム" in row["scope"]
    # 「ICANNは発足時から米国政府との契約に基づいてインターネット資源の管理を行ってきた」
    row = one(store, """SELECT ?since WHERE { ?c a ictd:Agreement ; ictd:party organization:icann , ?gov ; ictd:startDate ?since .
        ?gov ictd:governmentOf country:US }""")
    assert row["since"] == "1998"
