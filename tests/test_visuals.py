"""The pictures and the query editor, in process: timeline filters, the map's countries and colours,
the ISDB-T chart, the editor's configuration, and the allow-list of vendored files."""

from __future__ import annotations

import json
import re

import pytest
from starlette.testclient import TestClient

from ict_diplomacy.web import assets, world_map
from ict_diplomacy.project import ID_BASE, Project
from tests.conftest import select
from tests.test_deref import app_for

ISDB_T_ORDER = ["BR", "PE", "CL", "BW", "SV", "AO"]  # the six adoptions the source names, in date order


@pytest.fixture(scope="module")
def client(release):
    with TestClient(app_for(release)) as client:
        yield client


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def installed() -> bool:
    return not assets.missing(Project.find())


# ---------------------------------------------------------------- timeline


def test_timeline_filtered_by_peru_shows_its_isdb_t_adoption_of_april_2009(client):
    html = page(client, "/timeline?country=country/PE&lang=en")
    entry = re.search(r'<time datetime="([^"]+)">([^<]+)</time>\s*<span class="type">[^<]*</span>\s*'
                      r'<a href="/id/adoption/isdb-t-pe\?lang=en">', html)
    assert entry and entry.groups() == ("2009-04", "April 2009")
    assert "/id/adoption/isdb-t-br" not in html  # Brazil's adoption is not Peru's
    assert '<option value="country/PE" selected>' in html


def test_timeline_is_in_date_order_and_links_every_entry(client):
    html = page(client, "/timeline?lang=en")
    dates = re.findall(r'<time datetime="([^"]+)">', html)
    assert len(dates) > 50 and dates == sorted(dates)
    links = re.findall(r'<li class="kind-\w+(?: planned)?"><time[^>]*>[^<]*</time>\s*<span class="type">[^<]*</span>\s*'
                       r'(?:<span class="status">[^<]*</span>\s*)?<a href="(/id/[^"?]+)', html)
    assert len(links) == len(dates)


def test_timeline_filters_by_topic_and_by_organization_together(client):
    html = page(client, "/timeline?topic=topic/digital-terrestrial-broadcasting&lang=en")
    adoptions = re.findall(r'href="/id/adoption/isdb-t-(\w+)\?', html)
    assert [code.upper() for code in adoptions] == ISDB_T_ORDER

    def entries(query: str) -> set[str]:
        return set(re.findall(r'<span class="type">[^<]*</span>\s*<a href="([^"]+)"', page(client, f"/timeline?{query}&lang=en")))
    g7, ai = entries("organization=organization/g7"), entries("topic=topic/ai")
    both = entries("organization=organization/g7&topic=topic/ai")
    assert both and both == g7 & ai


def test_timeline_in_japanese_writes_dates_for_people(client):
    html = page(client, "/timeline?country=country/PE&lang=ja")
    assert '<html lang="ja">' in html
    assert re.search(r'<time datetime="2009-04">2009年4月</time>', html)
    assert "ペルー" in html and "年表" in html


def test_timeline_refuses_a_filter_that_names_nothing(client):
    response = client.get("/timeline?country=country/XX")
    assert response.status_code == 400
    assert response.json()["error"]["detail"] == {"parameter": "country"}


# ---------------------------------------------------------------- world map


@pytest.mark.skipif(not installed(), reason="world-atlas is not installed (npm ci --prefix web)")
def test_map_has_a_linked_path_for_every_country_of_ours_in_world_atlas(client, store):
    html = page(client, "/map?lang=en")
    world = world_map.shapes(Project.find(), "countries-110m.json")
    ours = select(store, "SELECT ?c ?n WHERE { ?c a ictd:Country ; ictd:isoNumeric ?n }")
    assert len(ours) > 30
    for row in ours:
        code = row["c"][len(ID_BASE + "country/"):]
        if row["n"] in world:
            linked = re.findall(rf'<a href="/id/country/{code}\?lang=en"[^>]*><path d="M[^"]+" fill="#[0-9a-f]+" '
                                rf'data-iso="{row["n"]}"', html)
            assert len(linked) == 1, code
        else:  # too small for the 110m map (Singapore): a dot from the 50m map
            assert re.search(rf'<a href="/id/country/{code}\?lang=en"[^>]*><circle class="dot"', html), code


@pytest.mark.skipif(not installed(), reason="world-atlas is not installed (npm ci --prefix web)")
def test_map_fill_follows_the_count_of_activities(client, store):
    html = page(client, "/map?lang=en")
    shown = {iso: (fill, int(count)) for fill, iso, count in
             re.findall(r'fill="(#[0-9a-f]+)" data-iso="(\d+)" data-count="(\d+)"', html)}
    assert len(shown) > 30
    for fill, count in shown.values():
        assert fill == world_map.fill(count)
    darkness = world_map.PALETTE.index
    ranked = sorted((count, darkness(fill)) for fill, count in shown.values() if count)
    assert [d for _, d in ranked] == sorted(d for _, d in ranked)  # more activities, never lighter
    direct = select(store, """SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {
        VALUES ?p { ictd:adoptingCountry ictd:partner ictd:party ictd:targetCountry }
        ?r ?p <https://w3id.org/ict-diplomacy/id/country/PE> }""")[0]["n"]
    assert shown["604"][1] >= int(direct) >= 3  # Peru: at least its direct activities
    assert 'data-iso="392"' in html and world_map.JAPAN_FILL in html  # Japan drawn apart
    assert "<title>Peru: " in html and "Legend" in html


def test_map_table_lists_every_country_but_japan(client, store):
    html = page(client, "/map?lang=ja")
    countries = select(store, "SELECT ?c WHERE { ?c a ictd:Country }")
    rows = re.findall(r'<tr><td><a href="(/id/country/\w+)\?lang=ja">', html)
    assert sorted(rows) == sorted("/" + c["c"][len("https://w3id.org/ict-diplomacy/"):] for c in countries
                                  if not c["c"].endswith("/JP"))


def test_topojson_arcs_decode_and_rings_close():
    topology = {"transform": {"scale": [0.5, 0.25], "translate": [-10, 20]},
                "arcs": [[[0, 0], [4, 0], [0, 4]], [[4, 4], [-4, -4]]]}
    arcs = world_map.decode_arcs(topology)
    assert arcs == [[(-10, 20), (-8, 20), (-8, 21)], [(-8, 21), (-10, 20)]]
    assert world_map.ring(arcs, [0, 1]) == [(-10, 20), (-8, 20), (-8, 21), (-10, 20)]
    assert world_map.ring(arcs, [~1, ~0]) == [(-10, 20), (-8, 21), (-8, 20), (-10, 20)]
    across = {"transform": {"scale": [1, 1], "translate": [0, 0]}, "arcs": [[[170, 60], [19, 0], [-359, 0]]]}
    assert [lon for lon, _ in world_map.ring(world_map.decode_arcs(across), [0])] == [170, 189, 190]


def test_natural_earth_projection_is_symmetric():
    assert world_map.natural_earth(0, 0) == (0, 0)
    x, y = world_map.natural_earth(120, 45)
    assert (-x, -y) == pytest.approx(world_map.natural_earth(-120, -45))
    assert world_map.natural_earth(180, 0)[0] == pytest.approx(0.8707 * 3.14159265, rel=1e-4)


# ---------------------------------------------------------------- ISDB-T chart


@pytest.mark.parametrize("lang,peru,date", [("en", "Peru", "April 2009"), ("ja", "ペルー", "2009年4月")])
def test_chart_lists_the_six_isdb_t_adoptions_in_date_order(client, lang, peru, date):
    html = page(client, f"/charts/isdb-t?lang={lang}")
    table = html[html.index('<table class="adoptions">'):]
    codes = re.findall(rf'<a href="/id/country/(\w+)\?lang={lang}">', table)
    assert codes == ISDB_T_ORDER
    assert re.search(rf'<td>2</td><td><time datetime="2009-04">{date}</time></td><td><a [^>]*>{peru}</a>', table)
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert svg.count('<circle class="point"') == 6
    heights = [float(y) for y in re.findall(r'<circle class="point" cx="[\d.]+" cy="([\d.]+)"', svg)]
    assert heights == sorted(heights, reverse=True)  # cumulative: each adoption higher up
    assert f"{peru} ({date})" in svg


# ---------------------------------------------------------------- query editor and static files


def editor_config(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="editor-config">(.*?)</script>', html, re.DOTALL)
    return json.loads(found.group(1))


def test_editor_points_at_our_endpoint_with_prefixes_and_examples(client):
    html = page(client, "/query?lang=en")
    config = editor_config(html)
    assert config["endpoint"] == "/sparql"
    for prefix in ("ictd", "rdfs", "dct", "schema", "owl", "skos", "xsd", "country", "organization", "event"):
        assert f"PREFIX {prefix}: <" in config["query"], prefix
    names = {e["name"] for e in config["examples"]}
    assert "isdb-t-timeline" in names and not any(n.startswith("wikidata-") for n in names)
    example = next(e for e in config["examples"] if e["name"] == "isdb-t-timeline")
    assert 'VALUES (?standard ?lang) { (<https://w3id.org/ict-diplomacy/id/standard/isdb-t> "en") }' in example["text"]
    assert "#+" not in example["text"] and example["text"].startswith("# Timeline of the adoption of ISDB-T")
    assert 'action="/sparql"' in html and '<textarea id="plain-query" name="query"' in html


def test_editor_opens_the_query_of_the_address(client):
    text = 'SELECT * WHERE { ?s ?p "</script>" }'
    html = client.get("/query", params={"query": text}).text
    assert editor_config(html)["query"] == text  # no "</script>" can end the configuration early
    assert "&lt;/script&gt;" in html  # and the plain form shows it escaped
    named = editor_config(page(client, "/query?name=country-profile&lang=ja"))["query"]
    assert named.startswith("# ") and "#+" not in named
    assert re.search(r'VALUES \(\?country \?lang\) \{ \(<[^>]+/country/\w+> "ja"\) \}', named)


def test_the_query_given_runs_on_the_endpoint(client):
    config = editor_config(page(client, "/query?lang=en"))
    response = client.post("/sparql", data={"query": config["query"]},
                           headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    rows = response.json()["results"]["bindings"]
    assert [r["name"]["value"] for r in rows] == ["Brazil", "Peru", "Chile", "Botswana", "El Salvador", "Angola"]


@pytest.mark.parametrize("path", ["/static/vendor/../../pyproject.toml", "/static/vendor/%2e%2e/web/package.json",
                                  "/static/vendor/@zazuko/yasgui/package.json", "/static/vendor/yasgui/",
                                  "/static/ictd/../pictures.py", "/static/ictd/nothing.js"])
def test_only_allow_listed_static_files_are_served(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.skipif(not installed(), reason="front-end packages not installed (npm ci --prefix web)")
def test_vendored_and_own_files_are_served(client):
    for path, media in (("/static/vendor/yasgui/yasgui.min.js", "text/javascript"),
                        ("/static/vendor/yasgui/yasgui.min.css", "text/css"),
                        ("/static/ictd/query.js", "text/javascript"), ("/static/ictd/visuals.css", "text/css"),
                        ("/favicon.ico", "image/svg+xml")):
        response = client.get(path)
        assert response.status_code == 200 and response.headers["content-type"].startswith(media), path


def test_the_lockfile_pins_what_the_server_serves():
    lock = json.loads((Project.find().root / "web" / "package-lock.json").read_text(encoding="utf-8"))
    packages = lock["packages"]
    for package in ("@zazuko/yasgui", "world-atlas"):
        assert packages[f"node_modules/{package}"]["version"], package
        assert any(relative.startswith(package + "/") for relative in assets.VENDOR.values())
