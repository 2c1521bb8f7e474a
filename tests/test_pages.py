"""The human pages: landing page, search, language switch, resource pages written for people,
stored-query pages, ontology documentation and the accessibility basics — in-process with the
real app (tests/test_deref.app_for) over the real built data."""

from __future__ import annotations

import html
import re
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from ict_diplomacy.web import i18n
from ict_diplomacy.project import ICTD, ID_BASE
from ict_diplomacy.web.search import SearchIndex, fold
from tests.conftest import select
from tests.test_deref import app_for

ROOT = Path(__file__).resolve().parents[1]
EVENT_SERIES = ICTD + "EventSeries"


@pytest.fixture(scope="module")
def app(release):
    return app_for(release)


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app) as client:
        yield client


def get(client, url: str, lang: str = "en", **headers) -> str:
    if lang:
        url += ("&" if "?" in url else "?") + f"lang={lang}"
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.text[:500])
    return response.text


def title_of(page: str) -> str:
    return html.unescape(re.search(r"<title>(.*?)</title>", page, re.DOTALL).group(1))


def scripts(page: str) -> list[str]:
    """The script elements that run (embedded JSON-LD data does not)."""
    return [s for s in re.findall(r"<script\b[^>]*>", page) if 'type="application/ld+json"' not in s]


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


# ---------------------------------------------------------------- landing page

def test_landing_page_says_what_source_licence_and_size(client, store):
    page = get(client, "/")
    size = re.search(r'<data class="size" value="(\d+)">([\d,]+)</data>', page)
    assert size and int(size.group(1)) == len(store) and size.group(2) == f"{len(store):,}"
    assert "White Paper on Information and Communications in Japan, 2020" in page
    assert 'href="https://www.soumu.go.jp/johotsusintokei/whitepaper/ja/r02/html/nd268110.html"' in page
    assert "CC BY 4.0" in page
    for target in ("/query", "/queries", "/dumps/", "/ontology", "/timeline", "/map", "/search"):
        assert f'href="{target}?lang=en"' in page or f'action="{target}"' in page, target
    japanese = get(client, "/", "ja")
    assert "令和2年版 情報通信白書" in japanese and "トリプル" in japanese and " triples" not in japanese


# ---------------------------------------------------------------- search

def results(client, q: str, lang: str = "en") -> list[dict]:
    response = client.get("/api/search", params={"q": q, "lang": lang})
    assert response.status_code == 200
    return response.json()["results"]


def test_search_ranks_exact_acronyms_first(client):
    events = [r for r in results(client, "WRC") if r["type"] != EVENT_SERIES]
    assert events[0]["iri"] == ID_BASE + "event/wrc-19"
    assert results(client, "WRC-19")[0]["iri"] == ID_BASE + "event/wrc-19"
    apt = results(client, "APT")
    assert apt[0]["iri"] == ID_BASE + "organization/apt" and apt[0]["label"] == "Asia-Pacific Telecommunity"
    assert apt[0]["match"] == "exact"


def test_search_finds_japanese_partial_matches_and_answers_in_the_language(client):
    found = results(client, "電気通信", "ja")
    itu = next(r for r in found if r["iri"] == ID_BASE + "organization/itu")
    assert itu["label"] == "国際電気通信連合" and itu["lang"] == "ja"
    assert results(client, "ｗｒｃ－１９")[0]["iri"] == ID_BASE + "event/wrc-19"  # full-width folds
    assert results(client, "") == [] and results(client, "zzzz-nothing") == []


def test_search_page_works_without_javascript(client):
    page = get(client, "/search?q=WRC")
    assert 'href="/id/event/wrc-19?lang=en"' in page and not scripts(page)
    assert '<label for="page-search">' in page and 'name="q" value="WRC"' in page
    assert "見つかりませんでした" in get(client, "/search?q=zzzz-nothing", "ja")


def test_search_index_ranking_unit():
    def name(s, text, lang="en", kind="label"):
        return {"s": {"value": s}, "name": {"value": text, "xml:lang": lang}, "kind": {"value": kind}}
    rows = [name("a", "Something about APT"), name("b", "APT", kind="alt"), name("b", "Asia-Pacific Telecommunity"),
            name("c", "APTitude"), name("d", "Adaptation")]
    index = SearchIndex.from_rows(rows, [])
    assert [h.entry.iri for h in index.search("apt")] == ["b", "c", "a", "d"]
    assert fold("ＡＰＴ") == "apt"


# ---------------------------------------------------------------- language

def test_language_switch_changes_title_and_text_and_is_remembered(client):
    fresh = client
    fresh.cookies.clear()
    try:
        english = fresh.get("/id/country/BR", headers={"Accept": "text/html", "Accept-Language": "en"})
        assert title_of(english.text).startswith("Brazil —") and ">Mentioned in<" in english.text
        switched = fresh.get("/lang/ja", params={"next": "/id/country/BR"}, follow_redirects=False)
        assert switched.status_code == 303 and switched.headers["location"] == "/id/country/BR?lang=ja"
        assert "lang=ja" in switched.headers["set-cookie"]
        japanese = fresh.get(switched.headers["location"], headers={"Accept": "text/html"})
        assert '<html lang="ja">' in japanese.text and title_of(japanese.text).startswith("ブラジル —")
        assert ">言及元<" in japanese.text and "Mentioned in" not in japanese.text
        remembered = fresh.get("/id/country/BR", headers={"Accept": "text/html", "Accept-Language": "en"})
        assert '<html lang="ja">' in remembered.text  # the cookie wins over Accept-Language
        assert '<html lang="ja">' in fresh.get("/queries").text
        back = fresh.get("/lang/en", params={"next": "https://evil.example/"}, follow_redirects=False)
        assert back.headers["location"] == "/?lang=en"  # never leaves the site
    finally:
        fresh.cookies.clear()


def test_default_language_comes_from_accept_language(client):
    page = client.get("/", headers={"Accept-Language": "ja-JP,ja;q=0.9,en;q=0.5"}).text
    assert '<html lang="ja">' in page and "検索" in page


def test_messages_table_has_both_languages():
    for key, (ja, en) in i18n.MESSAGES.items():
        assert ja and en, key


# ---------------------------------------------------------------- resource pages

def test_dates_are_written_for_people(client):
    english, japanese = get(client, "/id/adoption/isdb-t-pe"), get(client, "/id/adoption/isdb-t-pe", "ja")
    assert '<time datetime="2009-04">April 2009</time>' in english
    assert '<time datetime="2009-04">2009年4月</time>' in japanese
    session = "/id/dialogue/jp-us-ied/10"
    assert '<time datetime="2019-10-09">9 October 2019</time>' in get(client, session)
    assert '<time datetime="2019-10-09">2019年10月9日</time>' in get(client, session, "ja")
    itu = get(client, "/id/organization/itu")
    assert '<time datetime="1932">1932</time>' in itu
    unit = "/id/organization/itu-t-fg-ai4ee"  # a fiscal year is shown by its label
    assert '>FY2019</a>' in get(client, unit) and '>2019年度</a>' in get(client, unit, "ja")


def test_yen_amounts_are_readable_and_exact(client):
    url = "/id/amount/jict-submarine-cables-total"
    japanese, english = get(client, url, "ja"), get(client, url)
    assert "約792億円" in japanese and "79,200,000,000円" in japanese
    assert "about 79.2 billion yen" in english and "¥79,200,000,000" in english
    assert '<data value="79200000000"' in english


@pytest.mark.parametrize("value,qualifier,lang,text", [
    ("79200000000", ICTD + "Approximately", "ja", "約792億円"),
    ("79200000000", ICTD + "Approximately", "en", "about 79.2 billion yen"),
    ("30000000000000", None, "ja", "30兆円"),
    ("30000000000000", None, "en", "30 trillion yen"),
    ("136000000000", None, "ja", "1,360億円"),
    ("500000000", ICTD + "AtLeast", "ja", "5億円以上"),
    ("500000000", ICTD + "AtLeast", "en", "at least 500 million yen"),
    ("13780000000", None, "en", "13.78 billion yen"),
])
def test_format_yen(value, qualifier, lang, text):
    assert i18n.format_yen(value, lang, qualifier)["text"] == text


def test_yen_amounts_on_pages_match_the_data(client, store):
    rows = select(store, """SELECT ?a ?v WHERE { ?a schema:value ?v ; schema:currency "JPY" }""")
    assert len(rows) >= 7
    for row in rows:
        page = get(client, "/" + row["a"][len("https://w3id.org/ict-diplomacy/"):])
        assert f'<data value="{row["v"]}"' in page
        assert f"¥{Decimal(row['v']):,}" in page


def test_resource_page_sections(client):
    page = get(client, "/id/country/BR")
    assert "Japanese name: <span lang=\"ja\">ブラジル</span>" in page
    assert 'href="http://www.wikidata.org/entity/Q155"' in page and "Links to other datasets" in page
    assert "EU country authority" in page and "ISO 3166-1 alpha-2" in page
    assert 'href="https://www.soumu.go.jp/johotsusintokei/whitepaper/ja/r02/html/nd268110.html"' in page
    assert "http://www.w3.org/2002/07/owl#sameAs" not in text_of(page)  # labels, not raw IRIs
    for key in ("ttl", "jsonld", "nt", "rdf"):
        assert f'href="/id/country/BR.{key}"' in page
    assert not scripts(page)
    description = get(client, "/id/adoption/isdb-t-pe")
    assert "Peru adopted the Japanese digital terrestrial television standard" in description


def test_one_language_per_line_in_descriptions(client):
    page = get(client, "/id/project/jict-submarine-cable-support")
    assert "JICT supports three submarine optical cable" in page
    assert "JICTを通じた光海底ケーブル" not in page
    japanese = get(client, "/id/project/jict-submarine-cable-support", "ja")
    assert "JICTを通じた光海底ケーブル" in japanese and "JICT supports three" not in japanese


# ---------------------------------------------------------------- stored queries

def test_query_list_in_both_languages(client):
    assert "Timeline of the adoption of ISDB-T" in get(client, "/queries")
    japanese = get(client, "/queries", "ja")
    assert "ISDB-T（日本方式の地上デジタルテレビ放送）採用の年表" in japanese
    assert "Timeline of the adoption of ISDB-T" not in japanese


def test_stored_query_page_has_form_results_and_downloads(client):
    page = get(client, "/queries/isdb-t-timeline")
    assert '<select id="param-standard" name="standard">' in page
    assert f'<option value="{ID_BASE}standard/isdb-t" selected>' in page
    assert re.search(r'<tr><td><time datetime="2009-04">April 2009</time></td><td><a href="/id/country/PE\?lang=en"[^>]*>Peru</a>', page)
    assert 'href="/query?query=' in page
    csv = client.get("/api/queries/isdb-t-timeline?lang=en&format=csv")
    assert csv.status_code == 200 and "2009-04" in csv.text and "Peru" in csv.text
    for fmt in ("json", "csv", "tsv"):
        assert f'href="/api/queries/isdb-t-timeline?lang=en&amp;format={fmt}"' in page
    japanese = get(client, "/queries/isdb-t-timeline", "ja")
    assert re.search(r'<time datetime="2009-04">2009年4月</time></td><td><a href="/id/country/PE\?lang=ja"[^>]*>ペルー</a>', japanese)


def test_stored_query_page_with_parameters(client):
    page = get(client, "/queries/country-profile?country=" + ID_BASE + "country/PE")
    assert f'<option value="{ID_BASE}country/PE" selected>Peru</option>' in page
    assert "Adoption of ISDB-T by Peru" in page
    bad = client.get("/queries/happened-in-month?month=2019-13")
    assert bad.status_code == 400 and "month" in bad.text and 'role="alert"' in bad.text
    assert client.get("/queries/no-such-query").status_code == 404


# ---------------------------------------------------------------- ontology documentation

def test_ontology_page_lists_every_class_in_both_languages(client, store):
    classes = select(store, """SELECT ?c ?ja ?en WHERE { ?c a owl:Class ; rdfs:label ?ja , ?en
        FILTER(STRSTARTS(STR(?c), STR(ictd:)) && lang(?ja) = "ja" && lang(?en) = "en") }""")
    assert len(classes) > 40
    english, japanese = get(client, "/ontology"), get(client, "/ontology", "ja")
    for c in classes:
        name = c["c"][len(ICTD):]
        assert f'id="{name}"' in english and f'id="{name}"' in japanese
        assert html.escape(c["en"], quote=False) in english and html.escape(c["ja"], quote=False) in japanese


def test_ontology_page_shows_unions_shapes_examples_and_alignments(client):
    english, japanese = get(client, "/ontology"), get(client, "/ontology", "ja")
    place = english[english.index('id="Place"'):english.index('id="Post"')]
    assert "Any of" in place and 'href="/ontology?lang=en#Country"' in place and 'href="/ontology?lang=en#City"' in place
    assert "Every country needs a Wikidata link" in english and "国には Wikidata へのリンク" in japanese
    assert "国には Wikidata へのリンク" not in english
    assert 'href="/id/period/fy2019?lang=en"' in english  # skos:example
    assert "org:Organization" in english and "IMI core vocabulary" in english
    assert 'href="http://imi.go.jp/ns/core/rdf#組織型"' in english and ">ic:組織型<" in english
    country = english[english.index('id="Country"'):english.index('id="Dated"')]
    dated = english[english.index('id="Dated"'):english.index('id="Declaration"')]
    assert dated.count('href="/ontology?lang=en#Activity"') == 1  # a union lists each class once
    assert "rdfs:subClassOf" in country and "schema:Country" in country
    country_property = english[english.index('id="country"'):english.index('id="date"')]
    assert "one of:" in country_property and 'href="/ontology?lang=en#City"' in country_property


# ---------------------------------------------------------------- accessibility

PAGES = ("/", "/search?q=ITU", "/queries", "/queries/isdb-t-timeline", "/ontology", "/id/country/BR", "/dumps/")


@pytest.mark.parametrize("url", PAGES)
def test_pages_have_landmarks_skip_link_and_labels(client, url):
    for lang in ("en", "ja"):
        page = get(client, url, lang)
        assert f'<html lang="{lang}">' in page
        assert '<a class="skip" href="#main">' in page and '<main id="main"' in page
        assert "<header" in page and "<nav" in page and "<footer" in page
        assert '<label for="site-search">' in page and 'id="site-search"' in page
        assert re.search(r'href="/static/site.css\?v=[0-9a-f]+"', page)
        inputs = re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', page)
        assert all(f'for="{i}"' in page for i in inputs), url
        assert all('scope="' in th for th in re.findall(r"<th\b[^>]*>", page)), url


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_stylesheet_is_served_and_its_colours_contrast(client):
    response = client.get("/static/site.css")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/css")
    css = response.text
    pairs = re.findall(r"(#[0-9a-f]{6}) on (#[0-9a-f]{6})((?: and on #[0-9a-f]{6})*)", css)
    assert len(pairs) >= 5
    for foreground, background, more in pairs:
        for bg in [background, *re.findall(r"#[0-9a-f]{6}", more)]:
            assert contrast(foreground, bg) >= 4.5, (foreground, bg)
            assert foreground in css.split("*/", 1)[1] and bg in css.split("*/", 1)[1]
    assert ":focus-visible" in css


def test_templates_and_static_files_ship_in_wheels():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = config["tool"]["setuptools"]["package-data"]["ict_diplomacy.web"]
    assert "templates/*.html" in shipped and "static/*" in shipped
