"""Findable (issue 14): robots.txt, the sitemap of every page, canonical and hreflang links, meta
descriptions, schema.org JSON-LD; browse by kind and facets; search that tolerates missing hyphens
and matches descriptions; CSV for Excel; gzip and static cache lifetimes. In process, over the real data.

No package on PyPI or npm checks Google's rich-result rules offline for the types used here
(@adobe/structured-data-validator covers Organization and Person, needing only a name, and needs
the schema.org vocabulary fetched from the web; structured-data-testing-tool has no Dataset or
Event preset), so the required properties of Google's documentation are tested here: a Dataset
needs `name` and a `description` of 50 to 5000 characters, its distributions are DataDownloads
with `contentUrl` and `encodingFormat`; Organization and Person need a `name`; an Event needs
`name` and `startDate` (and `location`, which we give when the data has one)."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from starlette.testclient import TestClient

from ict_diplomacy.project import ID_BASE
from tests.conftest import select
from tests.test_deref import app_for
from tests.test_first_visit import BROWSER_ACCEPT

ORIGIN = "https://w3id.org/ict-diplomacy"  # no public_url set: the dataset's own base, never the Host header
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
PAGES = ("/", "/id/", "/id/country/", "/activities", "/search?q=ITU", "/queries", "/queries/isdb-t-timeline",
         "/timeline", "/map", "/charts/isdb-t", "/ontology", "/dumps/", "/sparql", "/query", "/id/country/BR",
         "/id/event/g20-ibaraki-tsukuba-2019")


@pytest.fixture(scope="module")
def client(release):
    with TestClient(app_for(release)) as client:
        yield client


def get(client, url: str, **headers):
    response = client.get(url, headers={"Accept": BROWSER_ACCEPT, **headers})
    assert response.status_code == 200, (url, response.status_code, response.text[:300])
    return response


def jsonld_of(page: str) -> list[dict]:
    return [json.loads(block) for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)]


# ---------------------------------------------------------------- robots, sitemap, canonical


def test_robots_points_at_the_sitemap_and_keeps_crawlers_off_queries(client):
    robots = get(client, "/robots.txt").text
    assert f"Sitemap: {ORIGIN}/sitemap.xml" in robots
    assert "Disallow: /sparql?" in robots and "Disallow: /api/" in robots and "Allow: /" in robots


def test_sitemap_lists_every_page_in_both_languages(client, store, release):
    tree = ET.fromstring(get(client, "/sitemap.xml").content)
    urls = [u.find(SITEMAP + "loc").text for u in tree.findall(SITEMAP + "url")]
    paths = {urlsplit(u.removeprefix(ORIGIN)).path for u in urls}
    subjects = select(store, f"""SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID_BASE}")) }}""")
    assert len(subjects) > 500
    for row in subjects:
        assert "/" + row["s"][len("https://w3id.org/ict-diplomacy/"):] in paths, row["s"]
    changes = [f"/changes/{entry['version']}" for entry in json.loads((release / "versions" / "index.json").read_text())]
    assert changes, "the release names its versions"
    for page in ("/", "/id/", "/id/country/", "/activities", "/timeline", "/map", "/charts/isdb-t", "/queries/country-profile", *changes):
        assert f"{ORIGIN}{page}?lang=ja" in urls and f"{ORIGIN}{page}?lang=en" in urls
    first = tree.find(SITEMAP + "url")
    langs = {link.get("hreflang") for link in first.findall(XHTML + "link")}
    assert langs == {"ja", "en", "x-default"}


@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_canonical_hreflang_and_a_meta_description(client, url):
    for lang in ("ja", "en"):
        page = get(client, url + ("&" if "?" in url else "?") + f"lang={lang}").text
        canonical = re.findall(r'<link rel="canonical" href="([^"]+)">', page)
        assert len(canonical) == 1 and canonical[0].endswith(f"lang={lang}") and canonical[0].startswith(ORIGIN + "/")
        alternates = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', page))
        assert set(alternates) == {"ja", "en", "x-default"}
        assert alternates[lang] == canonical[0] and "lang=" not in alternates["x-default"]
        description = html.unescape(re.search(r'<meta name="description" content="([^"]+)">', page).group(1))
        assert 20 <= len(description) <= 160


def test_absolute_urls_come_from_public_url_never_from_the_host_header(release):
    with TestClient(app_for(release, public_url="https://data.example.org/ictd/")) as client:
        page = client.get("/id/country/BR?lang=en", headers={"Accept": BROWSER_ACCEPT, "Host": "evil.example"}).text
        assert '<link rel="canonical" href="https://data.example.org/ictd/id/country/BR?lang=en">' in page
        assert "evil.example" not in page
        assert "Sitemap: https://data.example.org/ictd/sitemap.xml" in client.get("/robots.txt", headers={"Host": "evil.example"}).text


def test_pages_describe_themselves_in_their_own_language(client):
    english = get(client, "/id/adoption/isdb-t-pe?lang=en").text
    meta = re.search(r'<meta name="description" content="([^"]+)">', english).group(1)
    assert "Peru" in meta
    japanese = get(client, "/?lang=ja").text
    assert re.search(r'<meta name="description" content="[^"]*情報通信白書', japanese)


# ---------------------------------------------------------------- schema.org, checked against Google's rules


def _dataset_follows_google_rules(dataset: dict) -> None:
    assert dataset["@type"] == "Dataset" and dataset["name"]
    assert 50 <= len(dataset["description"]) <= 5000
    assert dataset["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert dataset["creator"]["name"] and dataset["version"]
    downloads = dataset["distribution"]
    assert len(downloads) >= 3
    for download in downloads:
        assert download["@type"] == "DataDownload" and download["encodingFormat"]
        assert download["contentUrl"].startswith(ORIGIN + "/dumps/")
    assert re.fullmatch(r"\d{4}/\d{4}", dataset["temporalCoverage"])


@pytest.mark.parametrize("url", ["/", "/dumps/"])
def test_landing_and_download_pages_embed_the_dataset(client, url):
    for lang in ("ja", "en"):
        found = [d for d in jsonld_of(get(client, f"{url}?lang={lang}").text) if d.get("@type") == "Dataset"]
        assert len(found) == 1
        _dataset_follows_google_rules(found[0])
        if lang == "ja":
            assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", found[0]["description"])
    for download in found[0]["distribution"]:
        assert client.get(download["contentUrl"].removeprefix(ORIGIN)).status_code == 200


@pytest.mark.parametrize("url,kind", [("/id/country/BR", "Country"), ("/id/organization/itu", "Organization"),
                                      ("/id/event/g20-ibaraki-tsukuba-2019", "Event"), ("/id/person/", None)])
def test_resource_pages_embed_their_schema_org_type(client, store, url, kind):
    if kind is None:  # any person of the data
        url = "/" + select(store, "SELECT ?p WHERE { ?p a ictd:Person } LIMIT 1")[0]["p"][len("https://w3id.org/ict-diplomacy/"):]
        kind = "Person"
    described = jsonld_of(get(client, url + "?lang=en").text)
    assert len(described) == 1
    thing = described[0]
    types = thing["@type"] if isinstance(thing["@type"], list) else [thing["@type"]]
    assert kind in types and thing["name"] and thing["@id"].startswith(ID_BASE)
    if kind == "Event":
        assert thing["startDate"] == "2019-06-08" and thing["endDate"] == "2019-06-09"
        if "location" in thing:
            assert thing["location"]["@type"] == "Place" and thing["location"]["name"]
    if kind == "Country":
        assert "http://www.wikidata.org/entity/Q155" in thing["sameAs"]


def test_jsonld_cannot_end_its_script_early(client):
    for url in ("/", "/id/country/BR"):
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', get(client, url).text, re.DOTALL):
            assert "<" not in block


# ---------------------------------------------------------------- how to cite


@pytest.mark.parametrize("url", ["/", "/dumps/"])
def test_how_to_cite_names_dataset_version_date_and_url(client, release, url):
    manifest = json.loads((release / "manifest.json").read_text())
    for lang, heading in (("en", "How to cite"), ("ja", "引用の仕方")):
        page = get(client, f"{url}?lang={lang}").text
        cite = page[page.index('id="cite"'):]
        cite = cite[:cite.index("</section>")]
        assert heading in cite and "https://w3id.org/ict-diplomacy/dataset" in cite
        assert manifest["built"][:10] in cite and manifest["ontology_version"] in cite


# ---------------------------------------------------------------- browse by kind


def test_kinds_are_listed_with_their_counts(client, store):
    page = get(client, "/id/?lang=en").text
    countries = len(select(store, f"""SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{ID_BASE}country/")) }}"""))
    assert re.search(rf'<a href="/id/country/\?lang=en">country</a></th><td class="number"><data value="{countries}">', page)
    for kind in ("organization", "event", "dialogue", "document", "project"):
        assert f'href="/id/{kind}/?lang=en"' in page
    assert client.get("/id/country", follow_redirects=False).headers["location"] == "/id/country/"
    assert get(client, "/id/topic?lang=en").text.count('class="listing" href="/id/topic/?lang=en"') == 1


def test_a_kind_is_sortable_and_paginated(client, store):
    organizations = len(select(store, f"""SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{ID_BASE}organization/")) }}"""))
    assert organizations > 50
    first = get(client, "/id/organization/?lang=en").text
    assert f"{organizations} resources" in first and 'rel="next"' in first
    seen, number = [], 1
    while True:
        body = get(client, f"/id/organization/?lang=en&page={number}").text
        seen += re.findall(r'<tr><td><a href="(/id/organization/[^"?]+)', body)
        if 'rel="next"' not in body:
            break
        number += 1
    assert len(seen) == len(set(seen)) == organizations
    by_mentions = get(client, "/id/country/?lang=en&sort=mentions&order=desc").text
    counts = [int(n) for n in re.findall(r'<td class="number">(\d+)</td></tr>', by_mentions)]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]
    names = re.findall(r'<tr><td><a href="/id/country/[^"]+">([^<]+)</a>', get(client, "/id/country/?lang=en&sort=name").text)
    assert names == sorted(names, key=str.casefold)


def test_a_kind_downloads_as_csv_for_excel(client, store):
    plain = client.get("/id/country/?format=csv")
    excel = client.get("/id/country/?format=csv&bom=1")
    assert plain.headers["content-type"].startswith("text/csv") and "attachment" in excel.headers["content-disposition"]
    assert not plain.content.startswith(b"\xef\xbb\xbf") and excel.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(excel.content.decode("utf-8-sig"))))
    brazil = next(r for r in rows if r["iri"] == ID_BASE + "country/BR")
    assert brazil["label_ja"] == "ブラジル" and brazil["label_en"] == "Brazil"
    assert len(rows) == len(select(store, "SELECT ?c WHERE { ?c a ictd:Country }"))


def test_stored_query_results_download_as_csv_for_excel(client):
    page = get(client, "/queries/isdb-t-timeline?lang=ja").text
    assert 'format=csv&amp;bom=1">CSV（Excel用' in page
    excel = client.get("/api/queries/isdb-t-timeline?lang=ja&format=csv&bom=1")
    assert excel.status_code == 200 and excel.content.startswith(b"\xef\xbb\xbf")
    assert "ペルー" in excel.content.decode("utf-8-sig")
    assert not client.get("/api/queries/isdb-t-timeline?lang=ja&format=csv").content.startswith(b"\xef\xbb\xbf")


# ---------------------------------------------------------------- facets


def test_activities_narrow_by_every_facet_with_counts(client):
    page = get(client, "/activities?lang=en").text
    for facet in ("kind", "country", "organization", "topic", "year"):
        assert f'<select id="facet-{facet}" name="{facet}">' in page
    assert "<script" not in page.replace('<script type="application/ld+json">', "")
    option = re.search(r'<option value="country/BR">Brazil \((\d+)\)</option>', page)
    brazil = get(client, "/activities?lang=en&country=country/BR").text
    shown = int(re.search(r'<p class="count" role="status">(\d+) entries', brazil).group(1))
    assert shown == int(option.group(1)) > 3
    year = re.search(r'<option value="2019">2019 \((\d+)\)</option>', brazil).group(1)
    both = get(client, "/activities?lang=en&country=country/BR&year=2019").text
    assert int(re.search(r'<p class="count" role="status">(\d+) entries', both).group(1)) == int(year)
    assert '<option value="country/BR" selected>' in both


# ---------------------------------------------------------------- search


def test_search_tolerates_missing_hyphens_and_spaces(client):
    for q in ("wrc19", "WRC 19", "wrc-19"):
        found = client.get("/api/search", params={"q": q}).json()
        assert found["results"][0]["iri"] == ID_BASE + "event/wrc-19", q


def test_search_matches_descriptions_after_names(client):
    found = client.get("/api/search", params={"q": "postponement", "limit": 200}).json()
    assert found["total"] >= 1 and all(r["match"] == "description" for r in found["results"])
    assert ID_BASE + "event/wtsa-20" in {r["iri"] for r in found["results"]}
    ranked = client.get("/api/search", params={"q": "ITU", "limit": 200}).json()["results"]
    matches = [r["match"] for r in ranked]
    assert matches.index("description") > matches.index("exact")
    assert matches == sorted(matches, key=["exact", "prefix", "word", "substring", "description"].index)


# ---------------------------------------------------------------- transfer


def test_static_files_are_cached_for_a_year_when_versioned(client):
    page = get(client, "/").text
    css = re.search(r'href="(/static/site.css\?v=[0-9a-f]{12})"', page).group(1)
    assert "immutable" in client.get(css).headers["cache-control"] and "31536000" in client.get(css).headers["cache-control"]
    assert "immutable" not in client.get("/static/site.css").headers["cache-control"]


def test_json_and_dumps_are_compressed_on_request_and_query_answers_never(client):
    gz = {"Accept-Encoding": "gzip"}
    assert client.get("/api/search?q=Japan", headers=gz).headers.get("content-encoding") == "gzip"
    dump = client.get("/dumps/ict-diplomacy.ttl", headers=gz)
    assert dump.headers.get("content-encoding") == "gzip" and dump.headers["etag"].startswith('W/"')
    assert "content-encoding" not in client.get("/dumps/ict-diplomacy.nt.gz", headers=gz).headers  # gzip already
    query = {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 200"}
    plain = client.get("/sparql", params=query, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and "Accept-Encoding" not in plain.headers.get("vary", "")
    assert "content-encoding" not in client.get("/sparql", params=query, headers=gz).headers  # held, not compressed
    assert "content-encoding" not in client.get("/api/queries/isdb-t-timeline", headers=gz).headers
    etag = dump.headers["etag"]
    assert client.get("/dumps/ict-diplomacy.ttl", headers={**gz, "If-None-Match": etag}).status_code == 304
