"""What a first visit showed (issue 14), one regression test per defect: in-process with the real
app over the real built data (tests/test_deref.app_for), as a browser asks (Accept: text/html,
Accept-Language: en, no cookie)."""

from __future__ import annotations

import gzip
import html
import re

import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

from ict_diplomacy.project import ID_BASE
from tests.conftest import select
from tests.test_deref import app_for

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
KATAKANA = re.compile(r"[\u30a0-\u30ff]")


@pytest.fixture(scope="module")
def client(release):
    with TestClient(app_for(release)) as client:
        yield client


def browse(client, url: str, language: str = "en", status: int = 200):
    """A GET as a browser sends it: the page's HTML (asserting the status)."""
    response = client.get(url, headers={"Accept": BROWSER_ACCEPT, "Accept-Language": language})
    assert response.status_code == status, (url, response.status_code, response.text[:300])
    return response


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def section(page: str, heading_id: str) -> str:
    start = page.index(f'id="{heading_id}"')
    end = page.find("</section>", start)
    return page[start:end]


# ---------------------------------------------------------------- the SPARQL endpoint in a browser


def test_sparql_link_shows_a_page_in_a_browser(client):
    response = browse(client, "/sparql")
    assert response.headers["content-type"].startswith("text/html")
    assert "attachment" not in response.headers.get("content-disposition", "")
    page = response.text
    for option in ("query_timeout", "max_rows", "queue", "max_request_bytes"):
        assert f'id="limit-{option}"' in page, option
    assert 'href="/query?lang=en"' in page and 'href="/sparql?format=ttl"' in page
    assert re.search(r'href="/queries/[a-z-]+\?lang=en"', page)
    assert "<pre" in page and "curl" in page  # an example request to copy


@pytest.mark.parametrize("accept,media", [
    (None, "text/turtle"), ("*/*", "text/turtle"), ("application/rdf+xml", "application/rdf+xml"),
    ("text/turtle", "text/turtle"), ("application/sparql-results+json,*/*;q=0.9", "text/turtle"),
])
def test_machines_keep_getting_the_service_description(client, accept, media):
    headers = {"User-Agent": "curl/8.5.0"} | ({"Accept": accept} if accept else {})
    response = client.get("/sparql", headers=headers)
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    if media == "text/turtle":
        triples = list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))
        assert any(t.object.value == "http://www.w3.org/ns/sparql-service-description#Service" for t in triples)


def test_a_browser_asking_a_query_still_gets_results(client):
    response = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": BROWSER_ACCEPT})
    assert response.headers["content-type"].startswith("application/sparql-results+xml")


# ---------------------------------------------------------------- the header search box


def test_header_search_box_is_empty_on_stored_query_pages(client):
    page = browse(client, "/queries/country-profile").text
    box = re.search(r'<input id="site-search"[^>]*>', page).group(0)
    assert 'value=""' in box, box


# ---------------------------------------------------------------- bilingual


def test_stored_query_tables_have_headers_and_values_in_the_page_language(client):
    url = f"/queries/country-profile?country={ID_BASE}country/PE"
    japanese = browse(client, url + "&lang=ja").text
    headers = re.findall(r'<th scope="col">([^<]*)</th>', section(japanese, "results"))
    assert headers == ["日付", "活動・文書", "種類", "関わり方"], headers
    row = re.search(r"<tr><td><time datetime=\"2009-04\">.*?</tr>", japanese).group(0)
    assert "採用国" in row and "adopting country" not in row
    english = browse(client, url + "&lang=en").text
    assert re.findall(r'<th scope="col">([^<]*)</th>', section(english, "results")) == [
        "Date", "Activity or document", "Type", "Role"]


def test_english_pages_show_no_katakana_in_source_notations(client):
    for url in ("/id/source/1-1-u-2", "/id/adoption/isdb-t-pe", "/search?q=Latin+America"):
        page = browse(client, url + ("&" if "?" in url else "?") + "lang=en").text
        body = text_of(page[page.index("<main"):page.index("</main>")])
        shown = [w for w in body.split() if KATAKANA.search(w)]
        # the Japanese name, marked lang="ja", is the only Japanese on the page
        japanese = set(text_of(" ".join(re.findall(r'lang="ja">([^<]*)<', page))).split())
        assert not [w for w in shown if w not in japanese], (url, shown)
    assert "1(1)c(b) Latin America" in browse(client, "/id/source/1-1-u-2?lang=en").text


def internal_links(page: str) -> list[str]:
    """Links to other pages of the site (not files, the API, the language switch or anchors)."""
    hrefs = [html.unescape(h) for h in re.findall(r'<a [^>]*href="([^"]+)"', page)]
    return [h for h in hrefs if h.startswith("/") and not h.startswith(("//", "/static/", "/lang/", "/api/", "/dumps/ict", "/dumps/manifest"))
            and not re.search(r"\.(html|ttl|jsonld|nt|rdf|csv|json|gz)(\?|$)", h) and "format=" not in h]


@pytest.mark.parametrize("url", ["/", "/id/country/BR", "/queries", "/queries/isdb-t-timeline", "/search?q=ITU",
                                 "/timeline", "/map", "/charts/isdb-t", "/ontology", "/query", "/sparql"])
def test_the_chosen_language_is_kept_on_every_link_and_form(client, url):
    page = browse(client, url + ("&" if "?" in url else "?") + "lang=ja", language="en").text
    links = internal_links(page)
    assert len(links) > 5
    lost = [h for h in links if "lang=ja" not in h]
    assert lost == [], lost
    for form in re.findall(r"<form\b.*?</form>", page, re.DOTALL):
        if 'method="get"' in form:
            assert '<input type="hidden" name="lang" value="ja">' in form, form[:200]


# ---------------------------------------------------------------- search


def test_search_page_tells_the_true_total_and_pages_through_it(client):
    total = client.get("/api/search", params={"q": "Japan"}).json()["total"]
    assert total > 50
    first = browse(client, "/search?q=Japan&lang=en").text
    assert f"{total} found" in text_of(first)
    assert 'rel="next"' in first and "page=2" in first
    seen = set()
    page = 1
    while True:
        body = browse(client, f"/search?q=Japan&lang=en&page={page}").text
        found = re.findall(r'<li><a href="(/id/[^"?]+)', body[body.index('<ol class="results"'):])
        assert found and not seen & set(found)
        seen |= set(found)
        if 'rel="next"' not in body:
            break
        page += 1
    assert len(seen) == total


# ---------------------------------------------------------------- resource pages


def test_mentioned_in_reads_the_right_way_round(client):
    page = browse(client, "/id/organization/itu?lang=en").text
    incoming = text_of(section(page, "incoming"))
    assert re.search(r"parent organization of ITU Council", incoming), incoming[:400]
    japanese = text_of(section(browse(client, "/id/organization/itu?lang=ja").text, "incoming"))
    assert re.search(r"上位組織\s*として\s*ITU理事会", japanese), japanese[:400]


def test_start_date_comes_before_end_date(client):
    page = text_of(browse(client, "/id/event/g20-ibaraki-tsukuba-2019?lang=en").text).lower()
    assert page.index("start date") < page.index("end date")


# ---------------------------------------------------------------- pictures


def test_chart_is_linked_and_says_how_many_countries_the_source_counts(client, store):
    assert 'href="/charts/isdb-t?lang=en"' in browse(client, "/?lang=en").text
    stated = select(store, """SELECT ?v WHERE { <https://w3id.org/ict-diplomacy/id/statistic/isdb-t-adopting-countries> ictd:value ?v }""")
    chart = browse(client, "/charts/isdb-t?lang=en").text
    named = len(re.findall(r'<circle class="point"', chart))
    note = text_of(re.search(r'<p class="note"[^>]*>.*?</p>', chart, re.DOTALL).group(0))
    assert str(int(float(stated[0]["v"]))) in note and str(named) in note, note
    assert "20" in text_of(re.search(r'<p class="note"[^>]*>.*?</p>', browse(client, "/charts/isdb-t?lang=ja").text, re.DOTALL).group(0))


def test_timeline_marks_planned_events(client):
    page = browse(client, "/timeline?lang=en").text
    wrc23 = re.search(r'<li class="[^"]*"[^>]*>(?:(?!</li>).)*/id/event/wrc-23(?:(?!</li>).)*</li>', page, re.DOTALL).group(0)
    assert "planned" in wrc23.split('"')[1] and "planned" in text_of(wrc23)
    wrc19 = re.search(r'<li class="[^"]*"[^>]*>(?:(?!</li>).)*/id/event/g20-ibaraki-tsukuba-2019\?(?:(?!</li>).)*</li>', page, re.DOTALL).group(0)
    assert "planned" not in wrc19  # a past meeting, dated by its start
    assert "予定" in re.search(r'<li class="[^"]*planned[^"]*".*?</li>', browse(client, "/timeline?lang=ja").text, re.DOTALL).group(0)


def test_every_country_counts_the_same_on_the_map_in_its_profile_and_in_the_browse(client, store):
    map_page = browse(client, "/map?lang=en").text
    on_map = {code: int(n) for code, n in re.findall(r'<a href="/id/country/(\w+)\?lang=en">[^<]+</a></td><td class="number">(\d+)</td>', map_page)}
    assert len(on_map) > 30
    browsed = browse(client, "/activities?lang=en").text
    in_browse = {code: int(n) for code, n in re.findall(r'<option value="country/(\w+)">[^<]+ \((\d+)\)</option>', browsed)}
    assert {c: n for c, n in on_map.items() if n} == in_browse
    for code in ("BR", "PE", "US", "AO"):
        profile = browse(client, f"/queries/country-profile?country={ID_BASE}country/{code}&lang=en").text
        assert on_map[code] == len(set(re.findall(r'<td><a href="(/id/[^"?]+)', section(profile, "results")))), code


def test_brazil_counts_the_same_on_the_map_and_in_its_profile(client):
    map_page = browse(client, "/map?lang=en").text
    on_map = int(re.search(r'<a href="/id/country/BR\?lang=en">Brazil</a></td><td class="number">(\d+)</td>', map_page).group(1))
    profile = browse(client, f"/queries/country-profile?country={ID_BASE}country/BR&lang=en").text
    activities = set(re.findall(r'<td><a href="(/id/[^"?]+)', section(profile, "results")))
    assert on_map == len(activities), (on_map, sorted(activities))


# ---------------------------------------------------------------- transfer


def test_html_is_compressed_when_the_client_asks(client):
    response = client.get("/id/country/BR", headers={"Accept": BROWSER_ACCEPT, "Accept-Encoding": "gzip"})
    assert response.headers.get("content-encoding") == "gzip"
    assert "Accept-Encoding" in response.headers["vary"]
    raw = client.get("/id/country/BR", headers={"Accept": BROWSER_ACCEPT, "Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers and raw.text == response.text
    assert len(gzip.compress(raw.content)) < len(raw.content) / 3


# ---------------------------------------------------------------- real clients on the real server


def test_sparql_clients_and_curl_are_unaffected_by_the_page(ictd_server):
    import httpx
    from SPARQLWrapper import JSON, SPARQLWrapper
    endpoint = SPARQLWrapper(ictd_server.sparql)
    endpoint.setQuery("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    endpoint.setReturnFormat(JSON)
    assert int(endpoint.query().convert()["results"]["bindings"][0]["n"]["value"]) > 5000
    curl = httpx.get(ictd_server.sparql, headers={"User-Agent": "curl/8.5.0", "Accept": "*/*", "Accept-Encoding": "identity"})
    assert curl.status_code == 200 and curl.headers["content-type"].startswith("text/turtle")
    assert "content-encoding" not in curl.headers
    browser = httpx.get(ictd_server.sparql, headers={"Accept": BROWSER_ACCEPT})
    assert browser.headers["content-type"].startswith("text/html") and "SPARQL" in browser.text
