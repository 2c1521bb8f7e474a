"""The human pages in a real browser: Playwright driving Debian's headless Chromium against the real
server (`ict-diplomacy serve` as a subprocess, tests/servers.py). Every page must load with no
console error and no uncaught script error. Screenshots go to test-artifacts/ to be looked at.

Needs /usr/bin/chromium (`apt-get install chromium fonts-noto-cjk`, as .ci/run does) and the
vendored front-end files (`npm ci --prefix web`, which `serve` runs when they are missing)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium "
                "(apt-get install -y chromium fonts-noto-cjk); no browser is downloaded", allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
        yield browser
        browser.close()


class Watched:
    """A page with everything that went wrong on it: console errors, script errors, failed requests."""

    def __init__(self, page: Page, base: str):
        self.page, self.base, self.problems = page, base, []
        page.on("console", lambda m: m.type == "error" and self.problems.append(
            f"console: {m.text} ({m.location.get('url') or page.url})"))
        page.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"))
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e} ({page.url})"))
        page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url} {r.failure}"))
        page.set_default_timeout(TIMEOUT_MS)

    def open(self, path: str, lang: str | None = None):
        separator = "&" if "?" in path else "?"
        response = self.page.goto(self.base + path + (f"{separator}lang={lang}" if lang else ""))
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"
        return response

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def web(browser, ictd_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    watched = Watched(context.new_page(), ictd_server.base)
    yield watched
    context.close()
    assert watched.problems == [], "\n".join(watched.problems)


# ---------------------------------------------------------------- landing, search, language


def test_landing_search_open_result_and_switch_language(web):
    web.open("/", "en")
    web.shot("landing-en")
    page = web.page
    page.locator("#landing-search").fill("WRC")
    page.locator("#landing-search").press("Enter")
    page.wait_for_url(re.compile(r"/search\?"))
    first = page.locator("ol.results li a").first
    expect(first).to_contain_text(re.compile("WRC|World Radiocommunication"))
    first.click()
    page.wait_for_url(re.compile(r"/id/"))
    english = page.title()
    assert re.search("WRC|World Radiocommunication", english), english
    page.locator("a.switch").click()
    page.wait_for_load_state()
    japanese = page.title()
    assert japanese != english
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", japanese), japanese
    assert page.locator("html").get_attribute("lang") == "ja"
    web.open("/", "ja")
    web.shot("landing-ja")


def test_country_page_in_both_languages(web):
    for lang, name in (("en", "Peru"), ("ja", "ペルー")):
        web.open("/id/country/PE", lang)
        expect(web.page.locator("h1")).to_contain_text(name)
        web.shot(f"country-{lang}")


# ---------------------------------------------------------------- stored queries and the editor


def test_stored_query_runs_from_its_form(web):
    web.open("/queries/country-profile", "en")
    page = web.page
    page.locator("form.params select[name=country]").select_option("https://w3id.org/ict-diplomacy/id/country/PE")
    page.locator("form.params button[type=submit]").click()
    page.wait_for_url(re.compile(r"country=https"))
    row = page.locator("table.results tbody tr", has_text="Adoption of ISDB-T by Peru")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("April 2009")


def test_editor_runs_a_query_and_shows_results(web):
    web.open("/query", "en")
    page = web.page
    expect(page.locator("#yasgui[data-ready=true]")).to_have_count(1)
    expect(page.locator("#plain-editor")).to_be_hidden()
    assert "PREFIX ictd:" in page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")
    page.locator(".yasqe_queryButton:visible").first.click()
    results = page.locator(".yasr table tbody")
    expect(results).to_contain_text("Peru")
    expect(results).to_contain_text("Angola")
    web.shot("editor-en")


def test_editor_opens_a_query_given_in_the_address(web):
    web.open("/query?query=" + "SELECT%20%28COUNT%28%2A%29%20AS%20%3Fn%29%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D")
    page = web.page
    expect(page.locator("#yasgui[data-ready=true]")).to_have_count(1)
    text = page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")
    assert text.startswith("SELECT (COUNT(*) AS ?n)")


# ---------------------------------------------------------------- pictures


def test_map_links_each_country_to_its_page(web):
    for lang in ("ja", "en"):
        web.open("/map", lang)
        web.shot(f"map-{lang}")
    page = web.page
    brazil = page.locator('svg.worldmap a[href^="/id/country/BR"] path')
    expect(brazil).to_have_count(1)
    brazil.click()
    page.wait_for_url(re.compile(r"/id/country/BR"))
    expect(page.locator("h1")).to_contain_text("Brazil")


def test_timeline_filters_without_script_and_in_both_languages(web):
    for lang in ("ja", "en"):
        web.open("/timeline", lang)
        web.shot(f"timeline-{lang}")
    page = web.page
    page.locator("#filter-country").select_option("country/PE")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url(re.compile(r"country=country%2FPE"))
    entry = page.locator("ol.timeline li", has_text="ISDB-T").filter(has_text="Peru")
    expect(entry.first).to_contain_text("April 2009")


def test_chart_of_isdb_t_adoptions(web):
    for lang in ("ja", "en"):
        web.open("/charts/isdb-t", lang)
        web.shot(f"chart-{lang}")
    expect(web.page.locator("figure.chart svg circle.point")).to_have_count(6)


# ---------------------------------------------------------------- issue 14: what a first visit showed

SCREENS = (("landing", "/"), ("country", "/id/country/BR"), ("map", "/map"), ("timeline", "/timeline"),
           ("stored-query", "/queries/country-profile?country=https://w3id.org/ict-diplomacy/id/country/PE"))
WIDTHS = (1280, 390)


@pytest.fixture
def sized(browser, ictd_server):
    """watched pages at a given width, closed (and checked for problems) at the end."""
    opened = []

    def make(width: int, locale: str = "en-US") -> Watched:
        context = browser.new_context(viewport={"width": width, "height": 900}, locale=locale)
        watched = Watched(context.new_page(), ictd_server.base)
        opened.append((context, watched))
        return watched
    yield make
    for context, watched in opened:
        context.close()
        assert watched.problems == [], "\n".join(watched.problems)


@pytest.mark.parametrize("width", WIDTHS)
def test_screenshots_in_both_languages_fit_the_width(sized, width):
    web = sized(width)
    for name, path in SCREENS:
        for lang in ("ja", "en"):
            web.open(path, lang)
            web.shot(f"{name}-{lang}-{width}")
            overflow = web.page.evaluate("document.documentElement.scrollWidth")
            assert overflow <= width, f"{path} ({lang}) is {overflow} px wide at {width} px"


@pytest.mark.parametrize("width", WIDTHS)
def test_header_search_placeholder_is_not_cut_off(sized, width):
    web = sized(width)
    for lang in ("ja", "en"):
        web.open("/", lang)
        room, needed = web.page.evaluate("""() => {
            const box = document.getElementById("site-search"), style = getComputedStyle(box);
            const context = document.createElement("canvas").getContext("2d");
            context.font = style.font;
            const room = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
            return [room, context.measureText(box.placeholder).width];
        }""")
        assert needed <= room, (lang, width, needed, room)


def test_sparql_link_opens_a_page_not_a_download(web):
    web.open("/", "en")
    web.page.locator("nav a", has_text="SPARQL endpoint").click()
    web.page.wait_for_url(re.compile(r"/sparql"))
    expect(web.page.locator("h1")).to_have_text("SPARQL endpoint")
    expect(web.page.locator("#limit-query_timeout")).to_have_count(1)


def test_the_chosen_language_survives_the_next_clicks(web):
    web.open("/", "ja")  # the browser's language is English
    page = web.page
    page.locator("nav a", has_text="保存クエリ").click()
    page.wait_for_url(re.compile(r"/queries\?lang=ja"))
    page.locator("ul.query-list a").first.click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ja"
    page.locator("#site-search").fill("ITU")
    page.locator("#site-search").press("Enter")
    page.wait_for_url(re.compile(r"/search\?"))
    assert page.locator("html").get_attribute("lang") == "ja" and "lang=ja" in page.url


def test_editor_result_links_open_this_servers_pages(web):
    web.open("/query?query=" + "SELECT%20%3Fc%20WHERE%20%7B%20%3Fc%20a%20%3Chttps%3A%2F%2Fw3id.org%2Fict-diplomacy%2Fontology%23Country%3E%20%7D%20LIMIT%205", "en")
    page = web.page
    expect(page.locator("#yasgui[data-ready=true]")).to_have_count(1)
    page.locator(".yasqe_queryButton:visible").first.click()
    links = page.locator(".yasr table tbody a")
    expect(links.first).to_be_visible()
    hrefs = links.evaluate_all("anchors => anchors.map(a => a.getAttribute('href'))")
    assert hrefs and all(h.startswith("/id/country/") and "lang=en" in h for h in hrefs), hrefs
    links.first.click()
    page.wait_for_url(re.compile(r"/id/country/"))
    expect(page.locator("h1")).to_be_visible()
