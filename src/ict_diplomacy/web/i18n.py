"""Language of the human pages: which one a request gets, the words of the interface, and
dates and money written for people.

One table holds every interface text in both languages (`MESSAGES`, data rather than code);
templates read it as `t.key`. The language of a page is `?lang=` first, then the `lang` cookie
that the language switch sets (`/lang/{ja|en}`), then `Accept-Language`, then English. Dates are
written as precisely as the data states them (2019年12月 / December 2019); yen amounts in 億円 or
billion yen, the exact number kept beside them."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from ..project import ICTD, PREFIXES
from ..formats import parse_accept

LANGUAGES = ("ja", "en")
DEFAULT_LANGUAGE = "en"
COOKIE = "lang"
XSD = PREFIXES["xsd"]

MESSAGES: dict[str, tuple[str, str]] = {  # key: (ja, en)
    "site": ("ICT外交 Linked Data", "ICT Diplomacy Linked Data"),
    "skip": ("本文へ移動", "Skip to content"),
    "home": ("トップ", "Home"),
    "search": ("検索", "Search"),
    "search_label": ("名前で資源を検索", "Find a resource by name"),
    "search_placeholder": ("例: WRC-19、APT、電気通信", "e.g. WRC-19, APT, ITU"),
    "editor": ("クエリエディタ", "Query editor"),
    "queries": ("保存クエリ", "Stored queries"),
    "timeline": ("年表", "Timeline"),
    "map": ("世界地図", "World map"),
    "ontology": ("オントロジー", "Ontology"),
    "dumps": ("ダウンロード", "Downloads"),
    "links": ("リンク", "Links"),
    "sparql": ("SPARQLエンドポイント", "SPARQL endpoint"),
    "api": ("クエリAPI", "Query API"),
    "switch": ("English", "日本語"),
    "switch_label": ("Switch to English", "日本語に切り替える"),
    "formats": ("他の形式", "Other formats"),
    "site_nav": ("サイト内の案内", "Site"),
    "licence_note": ("データとオントロジーのライセンス", "Data and ontology licence"),
    "about": ("概要", "About"),
    # landing page
    "intro": ("総務省『令和2年版 情報通信白書』第6章第8節「ICT国際戦略の推進」に書かれたすべての事実を、日本語と英語のラベル付きの Linked Data として公開しています。",
              "Every fact of section 8 of chapter 6 (“Promotion of ICT international strategy”) of MIC's White Paper on Information and Communications in Japan, 2020, published as linked data with Japanese and English labels."),
    "source": ("出典", "Source"),
    "official_page": ("総務省の公式ページ", "official page at MIC"),
    "licence": ("ライセンス", "Licence"),
    "size": ("規模", "Size"),
    "triples": ("トリプル", "triples"),
    "entities": ("資源", "resources"),
    "classes_used": ("主な種類", "Main kinds of resources"),
    "explore": ("探す", "Explore"),
    "editor_text": ("SPARQLを書いて実行する", "write and run SPARQL"),
    "queries_text": ("よくある質問への用意されたクエリ", "ready-made queries for common questions"),
    "dumps_text": ("データ全体のファイル（Turtle、N-Triples、JSON-LD）", "the whole graph as files (Turtle, N-Triples, JSON-LD)"),
    "ontology_text": ("クラスとプロパティの説明", "the classes and properties"),
    "timeline_text": ("会合・合意・採用を時間順に", "meetings, agreements and adoptions over time"),
    "map_text": ("国ごとの活動数", "activities by country"),
    "examples": ("例", "Examples"),
    # resource pages
    "type": ("種類", "Type"),
    "properties": ("詳細", "Details"),
    "property": ("プロパティ", "Property"),
    "value": ("値", "Value"),
    "incoming": ("言及元", "Mentioned in"),
    "sources": ("出典", "Sources"),
    "within": ("所収", "in"),
    "original": ("原文（総務省）", "original text (MIC)"),
    "links_out": ("外部リンク", "Links to other datasets"),
    "amount": ("金額", "Amount"),
    "exact": ("正確な値", "exact value"),
    "other_name": ("英語名", "Japanese name"),
    "iri": ("IRI", "IRI"),
    # search
    "results_for": ("「{q}」の検索結果", "Results for “{q}”"),
    "no_results": ("見つかりませんでした。", "Nothing found."),
    "result_count": ("{n}件", "{n} found"),
    "matched": ("一致した名前", "matched name"),
    "empty_query": ("名前の一部を入力してください。", "Type part of a name."),
    # stored queries
    "queries_intro": ("よくある質問に答えるSPARQLクエリです。パラメータを選んで実行し、結果を表やファイルで受け取れます。",
                      "SPARQL queries that answer common questions. Choose the parameters, run them, and get the results as a table or a file."),
    "parameters": ("パラメータ", "Parameters"),
    "run": ("実行", "Run"),
    "results": ("結果", "Results"),
    "open_editor": ("エディタで開く", "Open in the query editor"),
    "download": ("ダウンロード", "Download"),
    "rows": ("{n}行", "{n} rows"),
    "truncated": ("結果は上限で打ち切られています。", "The result was cut at the row limit."),
    "federated": ("このクエリは他のデータセット（Wikidata、gBizINFO など）のエンドポイントに問い合わせます（SERVICE）。このサーバーでは許可されていません。",
                  "This query calls another dataset's endpoint (Wikidata, gBizINFO …) with SERVICE, which this server does not allow."),
    "needs_value": ("値を選んで実行してください。", "Choose the values and run the query."),
    "query_error": ("クエリを実行できませんでした", "The query could not run"),
    "yes": ("はい", "yes"),
    "no": ("いいえ", "no"),
    "graph_result": ("グラフ（RDF）を返すクエリです。ダウンロードから取得してください。",
                     "This query returns a graph (RDF); get it from the download links."),
    "query_text": ("SPARQL", "SPARQL"),
    # ontology
    "classes": ("クラス", "Classes"),
    "object_properties": ("オブジェクトプロパティ", "Object properties"),
    "datatype_properties": ("データ型プロパティ", "Datatype properties"),
    "annotation_properties": ("注釈プロパティ", "Annotation properties"),
    "other": ("その他の語彙", "Other terms"),
    "version": ("版", "Version"),
    "term": ("語彙", "Terms"),
    "label": ("ラベル", "Label"),
    "definition": ("定義", "Definition"),
    "parents": ("上位", "Broader"),
    "domain": ("定義域", "Domain"),
    "range": ("値域", "Range"),
    "one_of": ("次のいずれか", "one of"),
    "union": ("次のいずれかに当たるもの", "Any of"),
    "shapes": ("検証規則（SHACL）", "Validation rules (SHACL)"),
    "example": ("例", "Example"),
    "alignments": ("外部語彙との対応", "Alignments"),
    "imi": ("IMIコア語彙との対応", "IMI core vocabulary"),
    "severity_warning": ("推奨", "recommended"),
    "contents": ("目次", "Contents"),
    "instances": ("実例", "Instances"),
    # pictures and the query editor
  # key: (ja, en)
    "timeline_intro": ("会合・対話・合意・ISDB-T方式の採用を日付順に並べています。国・組織・テーマで絞り込めます。",
                       "Meetings, dialogues, agreements and adoptions of ISDB-T, in date order. Filter them by country, organization or topic."),
    "country": ("国", "Country"), "organization": ("組織", "Organization"), "topic": ("テーマ", "Topic"),
    "any": ("すべて", "All"), "filter": ("絞り込む", "Filter"), "clear_filters": ("条件を外す", "Clear filters"),
    "entries": ("{n}件", "{n} entries"), "none": ("該当する項目はありません。", "Nothing matches these filters."),
    "map_intro": ("日本との活動（会合、対話、合意、協力案件、採用など）の数で国を色分けしています。国をクリックするとその国のページに移ります。",
                  "Countries coloured by the number of activities with Japan (meetings, dialogues, agreements, projects, adoptions …). Click a country to open its page."),
    "map_title": ("日本との活動の数（国別）", "Number of activities with Japan, by country"),
    "activities": ("{n}件の活動", "{n} activities"), "activity_one": ("1件の活動", "1 activity"),
    "legend": ("凡例", "Legend"), "japan": ("日本", "Japan"), "not_ours": ("データにない国", "not in the data"),
    "count": ("活動の数", "Activities"), "table": ("国別の一覧", "All countries"),
    "off_map": ("地図の縮尺では小さすぎるため点で示した国: {names}", "Shown as a dot, too small at this scale: {names}"),
    "no_map": ("地図データがありません。`npm ci --prefix web` を実行してください。",
               "The map data is not installed: run `npm ci --prefix web`."),
    "map_source": ("地図: Natural Earth（npmパッケージ world-atlas）", "Map: Natural Earth (npm package world-atlas)"),
    "chart": ("ISDB-T 採用国の推移", "Adoptions of ISDB-T over time"),
    "chart_intro": ("日本方式の地上デジタルテレビ放送（ISDB-T）を採用した国の累計。出典に書かれた採用だけを示します。",
                    "Cumulative number of countries that adopted ISDB-T, Japan's digital terrestrial television standard, as named in the source."),
    "cumulative": ("累計採用国数", "Cumulative adoptions"), "year": ("年", "Year"),
    "date": ("時期", "Date"), "adoptions_table": ("採用の一覧", "The adoptions"),
    "chart_desc": ("{n}か国: {list}", "{n} countries: {list}"),
    "editor_intro": ("SPARQLを書いてこのサイトのエンドポイント（/sparql）で実行します。よく使う接頭辞は入力済みです。下の保存クエリを例として開けます。",
                     "Write SPARQL and run it on this site's endpoint (/sparql). The usual prefixes are filled in; open a stored query below as an example."),
    "editor_examples": ("例（保存クエリ）", "Examples (stored queries)"),
    "no_editor": ("エディタのファイルがありません（`npm ci --prefix web`）。下のフォームで実行できます。",
                  "The editor's files are not installed (`npm ci --prefix web`); the form below still runs queries."),
    "query": ("クエリ", "Query"),
    # ------------------------------------------------ issue 14: the human side (browse, search, errors, findability)
    "browse": ("種類別一覧", "Browse"), "activities_nav": ("活動を絞り込む", "Activities"),
    "chart_nav": ("ISDB-T採用国", "ISDB-T chart"),
    "browse_text": ("国・組織・会合など種類ごとのすべての資源", "every country, organization, meeting … by kind"),
    "activities_text": ("種類・国・組織・テーマ・年で活動を絞り込む", "narrow the activities by kind, country, organization, topic, year"),
    "chart_text": ("ISDB-Tを採用した国の推移", "the countries that adopted ISDB-T, over time"),
    "sparql_text": ("エンドポイントの説明・制限・例", "the endpoint, its limits and examples"),
    "lang_name_ja": ("日本語", "Japanese"), "lang_name_en": ("英語", "English"),
    # search
    "result_total": ("{n}件（{first}〜{last}件目）", "{n} found (showing {first}–{last})"),
    "previous": ("前へ", "Previous"), "next": ("次へ", "Next"), "pages": ("ページ", "Pages"),
    "page_n": ("{n}ページ目", "page {n}"),
    "in_description": ("説明文に一致", "matched in the description"),
    # resource pages: incoming links read "<property> of: <subject>"
    "incoming_as": ("{p}として", "{p} of"), "relation": ("関係", "Relation"), "resource": ("資源", "Resource"),
    "planned": ("予定", "planned"),
    # the /sparql page
    "sparql_intro": ("このサイトのSPARQL 1.1エンドポイントです。読み取り専用で、GET（?query=）、フォームのPOST、application/sparql-queryのPOSTを受け付けます。結果はAcceptヘッダーか?format=で選べます（SPARQL JSON、XML、CSV、TSV、グラフはTurtle、N-Triples、JSON-LD、RDF/XML）。",
                     "This site's SPARQL 1.1 endpoint. It is read-only and takes GET (?query=), a POSTed form, or a POSTed application/sparql-query. Choose the result format with Accept or ?format= (SPARQL JSON, XML, CSV, TSV; graphs as Turtle, N-Triples, JSON-LD, RDF/XML)."),
    "sparql_limits": ("制限", "Limits"), "sparql_setting": ("設定", "Setting"), "sparql_limit_value": ("値", "Value"),
    "sparql_meaning": ("意味", "What it limits"),
    "sparql_examples": ("クエリの例", "Example queries"), "sparql_try": ("試す", "Try it"),
    "sparql_request": ("リクエストの例", "A request to copy"),
    "sparql_description": ("サービス記述（SPARQL 1.1 Service Description, Turtle）", "Service description (SPARQL 1.1 Service Description, Turtle)"),
    "sparql_editor": ("クエリエディタで書いて実行する", "Write and run a query in the editor"),
    "sparql_errors": ("エラーはJSONで返ります（{\"error\": {\"status\", \"code\", \"message\", \"detail\"}}）。", "Errors come as JSON ({\"error\": {\"status\", \"code\", \"message\", \"detail\"}})."),
    "no_limit": ("なし", "none"),
    # error pages, by status (the code and message stay those of the JSON error shape)
    "error_title": ("エラー {status}", "Error {status}"),
    "error_400": ("リクエストの内容を処理できませんでした。", "The request could not be understood."),
    "error_403": ("このサーバーでは許可されていない操作です。", "This server does not allow that."),
    "error_404": ("お探しのページは見つかりませんでした。", "There is no page here."),
    "error_405": ("この方法ではアクセスできません。", "That method is not allowed here."),
    "error_406": ("求められた形式では返せません。", "The page is not available in the format asked for."),
    "error_413": ("リクエストが大きすぎます。", "The request is too large."),
    "error_415": ("送られた形式を受け付けません。", "The request's format is not accepted."),
    "error_429": ("混み合っています。しばらく待ってからやり直してください。", "The server is busy. Wait a moment and try again."),
    "error_500": ("サーバーで問題が起きました。", "Something went wrong on the server."),
    "error_502": ("データを保持するSPARQLサーバーから正しい応答がありませんでした。", "The SPARQL server that holds the data did not answer properly."),
    "error_503": ("いまは応答できません。時間を置いてやり直してください。", "The server cannot answer now. Try again later."),
    "error_code": ("コード", "Code"), "error_message": ("詳細", "Message"),
    "retry_after": ("{n}秒後にやり直してください。", "Try again in {n} seconds."),
    "go_back": ("前のページに戻る", "Go back to the previous page"), "go_home": ("トップページへ", "Go to the home page"),
    # browse by kind and facets
    "kinds_title": ("種類別の一覧", "Resources by kind"),
    "kinds_intro": ("識別子の種類（/id/{種類}/…）ごとに、すべての資源を一覧できます。", "Every resource, listed by the kind in its identifier (/id/{kind}/…)."),
    "kind_title": ("種類別一覧: {kind}", "Resources of kind: {kind}"), "kind": ("種類", "Kind"), "resources_n": ("{n}件", "{n} resources"),
    "name": ("名前", "Name"), "other_language_name": ("他言語の名前", "Name in the other language"),
    "mentions": ("言及数", "Mentions"), "sort_by": ("並べ替え: {key}", "Sort by {key}"),
    "ascending": ("昇順", "ascending"), "descending": ("降順", "descending"),
    "table_download": ("この表をダウンロード", "Download this table"),
    "csv_excel": ("CSV（Excel用、BOM付きUTF-8）", "CSV for Excel (UTF-8 with BOM)"),
    "activities_title": ("活動を絞り込む", "Browse activities"),
    "activities_intro": ("会合・対話・合意・協力案件・採用などの活動を、種類・国・組織・テーマ・年で絞り込めます。括弧内は件数です。",
                         "Meetings, dialogues, agreements, projects, adoptions and other activities, narrowed by kind, country, organization, topic and year. The numbers are counts."),
    "facet_kind": ("種類", "Kind"), "facet_year": ("年", "Year"), "undated": ("日付なし", "undated"),
    "apply": ("絞り込む", "Apply"),
    # how to cite
    "cite": ("引用の仕方", "How to cite"),
    "cite_text": ("{title}（版 {version}、{date}）。{url}", "{title} (version {version}, {date}). {url}"),
    "cite_dataset": ("データセット", "Dataset"), "cite_version": ("版", "Version"), "cite_date": ("日付", "Date"),
    "cite_url": ("URL", "URL"),
    "chart_note": ("出典は日本を含む{stated}か国がISDB-Tを採用したと述べていますが、国名を挙げているのはここに示す{named}か国だけです。",
                   "The source says {stated} countries, Japan included, have adopted ISDB-T; it names only the {named} shown here."),
    # the settings on the /sparql page (their full help, in English, is in settings.py and the service description)
    "limit_query_timeout": ("1件のクエリの実行時間の上限（秒）。超えると停止し503を返す", "seconds a query may run; past it the query is stopped (503)"),
    "limit_max_rows": ("返す行（またはトリプル）の上限。超えた結果は打ち切り、その旨を示す", "most rows (or triples) returned; a longer result is cut and says so"),
    "limit_workers": ("クエリを実行するワーカープロセスの数", "worker processes running queries"),
    "limit_worker_memory": ("ワーカー1つが使えるメモリ（MB、0は無制限）", "megabytes of memory a worker may use (0: no limit)"),
    "limit_max_concurrent": ("同時に実行するクエリの数", "queries running at once"),
    "limit_queue": ("待機できるリクエストの数。超えると429を返す", "requests that may wait; past it the answer is 429"),
    "limit_retry_after": ("混雑時にRetry-Afterで伝える待ち時間（秒）", "seconds told in Retry-After when busy"),
    "limit_max_request_bytes": ("リクエスト本文またはクエリ文字列の上限（バイト）。超えると413", "largest request body or query string, in bytes (413 past it)"),
    "limit_service_allow": ("SERVICEで呼び出せるエンドポイント", "endpoints a query may call with SERVICE"),
    "limit_cors": ("他サイトのページからの問い合わせを許可する（CORS）", "pages on other sites may query (CORS)"),
    "limit_sparql_endpoint": ("転送先のSPARQLエンドポイント（リモートモード）", "the SPARQL endpoint queries are forwarded to (remote mode)"),
    "limit_answer_cache_mb": ("完全な応答を保持するキャッシュの大きさ（MB）", "megabytes of complete answers kept"),
    "limit_store_mode": ("ワーカーがデータを保持する方法", "how each worker holds the data"),
    # column headers of the stored queries' tables (a column `xLabel` is headed as `x`)
    "column_date": ("日付", "Date"), "column_country": ("国", "Country"), "column_type": ("種類", "Type"),
    "column_body": ("機関", "Body"), "column_organization": ("組織", "Organization"), "column_event": ("会合", "Event"),
    "column_section": ("出典の節", "Source section"), "column_project": ("案件", "Project"), "column_instrument": ("手段", "Instrument"),
    "column_expression": ("出典の表現", "Wording in the source"), "column_document": ("文書", "Document"), "column_value": ("値", "Value"),
    "column_session": ("回", "Session"), "column_post": ("役職", "Post"), "column_parent": ("上位", "Parent"),
    "column_label": ("名前", "Name"), "column_capital": ("首都", "Capital"), "column_wikidata": ("Wikidata", "Wikidata"),
    "column_what": ("内容", "What"), "column_visit": ("訪問", "Visit"), "column_topic": ("テーマ", "Topic"),
    "column_resources": ("資源数", "Resources"), "column_resource": ("資源", "Resource"), "column_qualifier": ("修飾", "Qualifier"),
    "column_population": ("人口", "Population"), "column_person": ("人物", "Person"), "column_ordinal": ("回次", "Ordinal"),
    "column_notation": ("節番号", "Notation"), "column_measure": ("指標", "Measure"), "column_kind": ("種別", "Kind"),
    "column_headquarters": ("本部", "Headquarters"), "column_funder": ("資金提供者", "Funder"), "column_dialogue": ("対話", "Dialogue"),
    "column_class": ("クラス", "Class"), "column_activity": ("活動・文書", "Activity or document"), "column_year": ("年", "Year"),
    "column_when": ("時期", "When"), "column_visitors": ("訪問者", "Visitors"), "column_uses": ("用途", "Uses"),
    "column_unit": ("単位", "Unit"), "column_total": ("合計", "Total"), "column_topics": ("テーマ", "Topics"),
    "column_subject": ("対象", "Subject"), "column_statistic": ("統計", "Statistic"), "column_role": ("関わり方", "Role"),
    "column_readings": ("読み", "Readings"), "column_projects": ("案件数", "Projects"), "column_places": ("場所", "Places"),
    "column_place": ("場所", "Place"), "column_parties": ("当事者", "Parties"), "column_page": ("ページ", "Page"),
    "column_ourHeadquarters": ("本部（このデータ）", "Headquarters (this dataset)"), "column_order": ("順", "Order"), "column_numeric": ("数字コード", "Numeric code"),
    "column_note": ("注記", "Note"), "column_holder": ("就任者", "Holder"), "column_exactMatch": ("一致する概念", "Exact match"),
    "column_euAuthority": ("EU典拠", "EU authority"), "column_description": ("説明", "Description"), "column_countries": ("国", "Countries"),
    "column_concerns": ("関係するもの", "Concerns"), "column_broader": ("上位概念", "Broader"), "column_appointment": ("選出", "Appointment"),
    "column_appointee": ("選出された者", "Appointee"), "column_alpha3": ("alpha-3", "Alpha-3"), "column_alpha2": ("alpha-2", "Alpha-2"),
    "column_agreements": ("合意数", "Agreements"), "column_affiliation": ("所属", "Affiliation"), "column_adoption": ("採用", "Adoption"),
    "column_adopted": ("採用", "Adopted"), "column_acronym": ("略称", "Acronym"),
    "column_end": ("終了", "End"), "column_issuer": ("策定者", "Issuer"), "column_month": ("年月", "Month"),
    "column_partner": ("相手方", "Partner"), "column_series": ("シリーズ", "Series"), "column_standard": ("標準", "Standard"),
    "column_start": ("開始", "Start"), "column_status": ("状況", "Status"), "column_text": ("文字列", "Text"),
    "column_published": ("公表", "Published"), "column_publishedAt": ("公表の場", "Published at"),
    # ---- releases: the versions on /dumps/, the "what changed" pages, retired identifiers (branch releases)
    "versions": ("版の一覧", "Versions"),
    "versions_intro": ("公開したすべての版は、固定URL（/dumps/版/…）で取得できます。ファイルは変わらず、チェックサムで確認できます。",
                       "Every published version stays downloadable at a permanent URL (/dumps/VERSION/…): its files never change, and their checksums are listed."),
    "issued": ("公開日", "Published"),
    "unreleased": ("未公開（作業中の版）", "not yet published (work in progress)"),
    "served_here": ("このサーバーが提供している版", "the version served here"),
    "what_changed": ("変更点", "What changed"),
    "changes_title": ("{v}の変更点", "What changed in {v}"),
    "changes_intro": ("{prev}から{v}への変更です。追加・削除・変更された資源を種類ごとに示します。",
                      "The changes from {prev} to {v}: resources added, removed and changed, grouped by kind."),
    "changes_first": ("最初の公開版のため、比べる前の版はありません。", "The first publication: there is no earlier version to compare with."),
    "previous_version": ("前の版", "Previous version"),
    "side_added": ("追加された資源", "Resources added"),
    "side_removed": ("削除・統合された資源", "Resources removed or merged"),
    "side_changed": ("変更された資源", "Resources changed"),
    "side_none": ("ありません。", "None."),
    "triples_diff": ("トリプル: {added}件追加、{removed}件削除", "Triples: {added} added, {removed} removed"),
    "diff_files": ("差分ファイル（N-Triples）", "The diff as N-Triples"),
    "added_file": ("追加されたトリプル", "triples added"),
    "removed_file": ("削除されたトリプル", "triples removed"),
    "changed_counts": ("+{added} −{removed}", "+{added} −{removed}"),
    "merged_into": ("統合先", "merged into"),
    "retired_gone": ("この識別子は廃止されました", "This identifier was retired"),
    "retired_moved": ("この識別子は統合されました", "This identifier was merged"),
    "retired_reason": ("理由", "Why"),
    "retired_now": ("現在の識別子", "Now"),
    "retired_last": ("最後に含まれていた版", "Last published in"),
    "retired_derived": ("この識別子は現在のデータにありません。", "This identifier is no longer in the data."),
    # ---- end of releases
}

MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")

# How the source's qualifiers of a number are written around it.
QUALIFIERS = {
    ICTD + "Approximately": {"ja": "約{}", "en": "about {}"},
    ICTD + "AtLeast": {"ja": "{}以上", "en": "at least {}"},
}

# Japanese and English units of large yen amounts, largest first.
YEN_UNITS = {
    "ja": ((10 ** 12, "兆円"), (10 ** 8, "億円"), (10 ** 4, "万円"), (1, "円")),
    "en": ((10 ** 12, " trillion yen"), (10 ** 9, " billion yen"), (10 ** 6, " million yen"), (1, " yen")),
}


def messages(lang: str) -> dict[str, str]:
    """The interface texts in one language, by key."""
    index = LANGUAGES.index(lang)
    return {key: texts[index] for key, texts in MESSAGES.items()}


def column_label(column: str, lang: str) -> str:
    """The header of a stored query's column (`countryLabel` is headed as `country`); the raw
    name when the table has none."""
    texts = MESSAGES.get("column_" + column.removesuffix("Label")) if column != "Label" else None
    return texts[LANGUAGES.index(lang)] if texts else column


# The source numbers its parts 1, (1), ア, (ア), A …: in English the katakana become letters in
# their order (ア イ ウ … → a b c …), so "1(1)ウ(イ) Latin America" reads "1(1)c(b) Latin America".
KATAKANA_ORDER = "アイウエオカキクケコサシスセソタチツテトナニヌネノ"
_NOTATION = re.compile(r"^[0-9A-Z()（）" + KATAKANA_ORDER + r"]+(?=\s|$)")


def notation_for(text: str, lang: str) -> str:
    """A section notation (or a label starting with one) as it is written in `lang`."""
    if lang != "en":
        return text
    found = _NOTATION.match(text)
    if not found or not any(c in KATAKANA_ORDER for c in found.group(0)):
        return text
    latin = "".join(chr(ord("a") + KATAKANA_ORDER.index(c)) if c in KATAKANA_ORDER else c for c in found.group(0))
    return latin + text[found.end():]


def sentence_case(text: str) -> str:
    """`country` → `Country` for a heading or a list (labels in the data are lower case)."""
    return text[:1].upper() + text[1:]


def other_language(lang: str) -> str:
    return "ja" if lang == "en" else "en"


def pick_language(request) -> str:
    """ja or en: `?lang=`, then the `lang` cookie, then Accept-Language, then English."""
    asked = (request.query_params.get("lang") or "").lower()
    if asked in LANGUAGES:
        return asked
    remembered = (request.cookies.get(COOKIE) or "").lower()
    if remembered in LANGUAGES:
        return remembered
    for tag, q in parse_accept(request.headers.get("accept-language") or "en"):
        primary = tag.split("-")[0]
        if q > 0 and primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


# ---------------------------------------------------------------- dates

def format_date(value: str, datatype: str | None, lang: str) -> str | None:
    """A date written for people at the precision of its datatype; None when it is not one."""
    try:
        if datatype == XSD + "date":
            year, month, day = (int(p) for p in value[:10].split("-"))
            return f"{year}年{month}月{day}日" if lang == "ja" else f"{day} {MONTHS_EN[month - 1]} {year}"
        if datatype == XSD + "gYearMonth":
            year, month = (int(p) for p in value[:7].split("-"))
            return f"{year}年{month}月" if lang == "ja" else f"{MONTHS_EN[month - 1]} {year}"
        if datatype == XSD + "gYear":
            return f"{int(value[:4])}年" if lang == "ja" else str(int(value[:4]))
    except (ValueError, IndexError):
        return None
    return None


# ---------------------------------------------------------------- numbers and money

def _decimal(value: str) -> Decimal | None:
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError):
        return None


def _plain(number: Decimal) -> str:
    """A decimal without exponent or trailing zeros, with thousands separators."""
    text = f"{number.normalize():f}"
    whole, _, fraction = text.partition(".")
    grouped = f"{int(whole):,}" if whole.lstrip("-").isdigit() else whole
    return grouped + (f".{fraction}" if fraction else "")


def format_number(value: str) -> str:
    number = _decimal(value)
    return value if number is None else _plain(number)


def qualify(text: str, qualifier: str | None, lang: str) -> str:
    pattern = QUALIFIERS.get(qualifier or "", {}).get(lang, "{}")
    return pattern.format(text)


def format_yen(value: str, lang: str, qualifier: str | None = None) -> dict:
    """`{"text": "約792億円", "exact": "79,200,000,000円"}` (or in English); the text uses the
    largest unit the amount reaches, the exact number stays beside it."""
    number = _decimal(value)
    if number is None:
        return {"text": value, "exact": value}
    for size, unit in YEN_UNITS[lang]:
        if abs(number) >= size:
            break
    text = qualify(_plain(number / size) + unit, qualifier, lang)
    exact = f"{_plain(number)}円" if lang == "ja" else f"¥{_plain(number)}"
    return {"text": text, "exact": exact}
