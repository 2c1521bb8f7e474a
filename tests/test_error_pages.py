"""Errors as pages for people (issue 14): a browser gets an HTML page in its language with the
same status, code and message as the JSON error shape, and a way back; programs keep the JSON.
404 and 400 in process, 429 and 503 on the real tight server, 502 from remote mode with an
endpoint that is not there."""

from __future__ import annotations

import concurrent.futures
import contextlib
import html
import re
import socket
import time

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from ict_diplomacy.settings import Settings
from ict_diplomacy.sparql.connect import open_engine
from ict_diplomacy.web.app import create_app
from ict_diplomacy.web.site import site_of
from tests.test_deref import app_for
from tests.test_first_visit import BROWSER_ACCEPT
from tests.test_server import CHEAP, RUNAWAY

ENGLISH = {"Accept": BROWSER_ACCEPT, "Accept-Language": "en-US,en;q=0.9"}
JAPANESE = {"Accept": BROWSER_ACCEPT, "Accept-Language": "ja-JP,ja;q=0.9"}


@pytest.fixture(scope="module")
def client(release):
    with TestClient(app_for(release)) as client:
        yield client


def page_error(response) -> dict:
    """The status, code and message an error page shows (and its language)."""
    assert response.headers["content-type"].startswith("text/html"), response.headers["content-type"]
    body = response.text
    marker = re.search(r'<div class="error-page" data-status="(\d+)" data-code="([^"]+)">', body)
    message = re.search(r'<dd lang="en">(.*?)</dd>', body, re.DOTALL)
    return {"status": int(marker.group(1)), "code": marker.group(2), "message": html.unescape(message.group(1)),
            "lang": re.search(r'<html lang="(\w+)">', body).group(1), "home": 'href="/?lang=' in body}


def json_error(response) -> dict:
    return response.json()["error"]


@pytest.mark.parametrize("url,status,code", [
    ("/id/country/ZZ", 404, "not-found"),
    ("/no/such/page", 404, "not-found"),
    ("/timeline?country=country/XX", 400, "bad-request"),
    ("/activities?year=1800", 400, "bad-request"),
])
def test_browsers_get_a_page_with_the_code_and_message_of_the_json_shape(client, url, status, code):
    for headers, lang in ((ENGLISH, "en"), (JAPANESE, "ja")):
        shown = client.get(url, headers=headers)
        assert shown.status_code == status
        seen = page_error(shown)
        machine = client.get(url, headers={"Accept": "application/json"})
        assert machine.status_code == status and machine.headers["content-type"].startswith("application/json")
        assert (seen["status"], seen["code"], seen["message"]) == (status, code, json_error(machine)["message"])
        assert seen["lang"] == lang and seen["home"]
    japanese = client.get(url, headers=JAPANESE).text
    assert "トップページへ" in japanese and "Go to the home page" not in japanese


def test_the_way_back_is_the_page_the_visitor_came_from(client):
    came_from = "http://testserver/timeline?lang=en"
    shown = client.get("/timeline?country=country/XX", headers={**ENGLISH, "Referer": came_from})
    assert f'href="{came_from}" rel="prev"' in shown.text
    elsewhere = client.get("/timeline?country=country/XX", headers={**ENGLISH, "Referer": "https://evil.example/"})
    assert "evil.example" not in elsewhere.text


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "text/plain", "text/turtle", "application/ld+json"])
def test_programs_keep_the_json_or_plain_shape(client, accept):
    response = client.get("/id/country/ZZ", headers={"Accept": accept} if accept else {})
    assert response.status_code == 404
    assert not response.headers["content-type"].startswith("text/html")


def _query(server, text, headers):
    return httpx.get(server.sparql, params={"query": text}, headers=headers, timeout=30)


def test_busy_and_timed_out_queries_get_pages_too(tight_server):
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        running = pool.submit(_query, tight_server, RUNAWAY, JAPANESE)
        time.sleep(0.3)
        waiting = pool.submit(_query, tight_server, RUNAWAY, {"Accept": "application/sparql-results+json"})
        time.sleep(0.3)
        refused = _query(tight_server, CHEAP, JAPANESE)
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "3"
        shown = page_error(refused)
        assert shown["code"] == "too-many-requests" and shown["lang"] == "ja" and "3秒後" in refused.text
        timed_out = running.result(timeout=20)
        assert timed_out.status_code == 503 and page_error(timed_out)["code"] == "query-timeout"
        assert waiting.result(timeout=20).json()["error"]["status"] == 503  # a SPARQL client: JSON
    deadline = time.monotonic() + 15
    while _query(tight_server, CHEAP, {}).status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.2)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def unreachable():
    """The app in remote mode, its SPARQL endpoint a port nothing listens on."""
    settings = Settings(sparql_endpoint=f"http://127.0.0.1:{_closed_port()}/query", query_timeout=2)
    site = site_of(settings, None, None)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        site.engine = await open_engine(settings, None)
        try:
            yield
        finally:
            await site.engine.close()

    app = Starlette(routes=[Mount("/", app=create_app(site))], lifespan=lifespan)
    with TestClient(app) as client:
        yield client


def test_an_upstream_failure_is_a_502_page(unreachable):
    shown = unreachable.get("/id/country/BR", headers=ENGLISH)
    assert shown.status_code == 502
    seen = page_error(shown)
    machine = unreachable.get("/id/country/BR", headers={"Accept": "application/json"})
    assert machine.status_code == 502 and seen["code"] == json_error(machine)["code"]
    assert "did not answer properly" in shown.text
