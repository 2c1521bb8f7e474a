"""The limits of the public endpoint, each with its documented status and message, on a real
server process; and the settings table against the README."""

from __future__ import annotations

import concurrent.futures
import csv
import io
import time
from pathlib import Path

import httpx
import pytest

from ict_diplomacy.settings import Settings

from tests.servers import ictd_command, running

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 7k³ rows: never ends
CHEAP = "ASK { ?s ?p ?o }"
README = Path(__file__).resolve().parents[1] / "README.md"


def query(server, text: str, accept: str = "application/sparql-results+json", **params) -> httpx.Response:
    return httpx.get(server.sparql, params={"query": text, **params}, headers={"Accept": accept}, timeout=30)


def error_of(response: httpx.Response) -> dict:
    document = response.json()
    assert set(document) == {"error"} and set(document["error"]) == {"status", "code", "message", "detail"}
    assert document["error"]["status"] == response.status_code
    return document["error"]


def test_deadline_stops_the_query_and_the_server_keeps_answering(ictd_server):
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        started = time.monotonic()
        runaway = pool.submit(query, ictd_server, RUNAWAY)
        time.sleep(0.2)
        cheap_started = time.monotonic()
        assert query(ictd_server, CHEAP).json()["boolean"] is True
        assert time.monotonic() - cheap_started < 1.0  # answered while the runaway runs
        response = runaway.result(timeout=20)
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    error = error_of(response)
    assert error["code"] == "query-timeout" and "2 s" in error["message"]
    assert 1.9 < elapsed < 6
    assert _eventually(lambda: query(ictd_server, CHEAP).status_code == 200)


def test_a_request_may_lower_the_deadline(ictd_server):
    started = time.monotonic()
    response = query(ictd_server, RUNAWAY, timeout="0.5")
    assert response.status_code == 503 and time.monotonic() - started < 1.9
    assert _eventually(lambda: query(ictd_server, CHEAP).status_code == 200)


def test_too_many_concurrent_requests_get_429(tight_server):
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        running = pool.submit(query, tight_server, RUNAWAY)
        time.sleep(0.3)
        waiting = pool.submit(query, tight_server, RUNAWAY)
        time.sleep(0.3)
        refused = query(tight_server, CHEAP)
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "3"
        assert error_of(refused)["code"] == "too-many-requests"
        assert running.result(timeout=20).status_code == 503
        assert waiting.result(timeout=20).status_code == 503
    assert _eventually(lambda: query(tight_server, CHEAP).status_code == 200)


def _eventually(check, within_s: float = 15.0) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_row_cap_is_flagged_in_headers_and_body(ictd_server):
    response = query(ictd_server, "SELECT * WHERE { ?s ?p ?o }")
    assert response.status_code == 200 and response.headers["X-SPARQL-Truncated"] == "true"
    document = response.json()
    assert document["truncated"] is True and len(document["results"]["bindings"]) == 2000
    as_csv = query(ictd_server, "SELECT * WHERE { ?s ?p ?o }", "text/csv")
    assert as_csv.headers["X-SPARQL-Truncated"] == "true"
    assert len(list(csv.reader(io.StringIO(as_csv.text)))) == 2001
    graph = query(ictd_server, "CONSTRUCT WHERE { ?s ?p ?o }", "text/turtle")
    assert graph.headers["X-SPARQL-Truncated"] == "true" and graph.text.startswith("# truncated")
    small = query(ictd_server, "SELECT * WHERE { ?s ?p ?o } LIMIT 2000")
    assert "X-SPARQL-Truncated" not in small.headers and "truncated" not in small.json()


@pytest.mark.parametrize("send", [
    lambda url: httpx.post(url, content=b"update=x", headers={"Content-Type": "application/sparql-update"}),
    lambda url: httpx.post(url, data={"update": "INSERT DATA { <a:b> <a:c> <a:d> }"}),
    lambda url: httpx.get(url, params={"update": "CLEAR ALL"}),
    lambda url: httpx.get(url, params={"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}),
    lambda url: httpx.post(url, data={"query": "LOAD <http://127.0.0.1:1/x.ttl>"}),
], ids=["sparql-update body", "update form", "update param", "insert as query", "load as query"])
def test_updates_are_refused_as_read_only(ictd_server, send):
    response = send(ictd_server.sparql)
    assert response.status_code == 405
    error = error_of(response)
    assert error["code"] == "read-only" and "read-only" in error["message"]


def test_service_is_refused(ictd_server):
    response = query(ictd_server, "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }")
    assert response.status_code == 403
    error = error_of(response)
    assert error["code"] == "refused" and "service_allow" in error["message"]
    assert error["detail"]["refused"] == ["http://127.0.0.1:1/sparql"]


def test_oversized_requests_get_413(ictd_server):
    padding = "#" + "x" * 30000 + "\n"
    body = httpx.post(ictd_server.sparql, content=(padding + CHEAP).encode(),
                      headers={"Content-Type": "application/sparql-query"})
    assert body.status_code == 413 and error_of(body)["code"] == "payload-too-large"
    url = query(ictd_server, padding + CHEAP)
    assert url.status_code == 413
    assert query(ictd_server, CHEAP).status_code == 200


def test_malformed_query_names_the_position(ictd_server):
    response = query(ictd_server, "SELECT * WHERE {\n  ?s ?p }")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "malformed-query"
    assert error["detail"]["line"] == 2 and error["detail"]["column"] > 1
    plain = query(ictd_server, "SELECT * WHERE {\n  ?s ?p }", "text/plain")
    assert plain.headers["content-type"].startswith("text/plain")
    assert plain.text.startswith("400 malformed-query: SPARQL syntax error at line 2")


def test_unknown_path_has_the_same_error_shape(ictd_server):
    response = httpx.get(ictd_server.base + "/no/such/thing.xyz", headers={"Accept": "application/json"})
    assert response.status_code in (404, 406)
    error_of(response)


def test_one_log_line_per_request(ictd_server):
    query(ictd_server, "SELECT * WHERE { ?s ?p ?o } LIMIT 3")
    assert _eventually(lambda: "GET /sparql 200" in ictd_server.log_text() and "rows=3" in ictd_server.log_text(), 5)


def test_readme_shows_the_settings_table():
    """The README's table of limits is the settings table (regenerate with Settings.markdown())."""
    assert Settings.markdown() in README.read_text(encoding="utf-8")


# ---------------------------------------------------------------- the lean route of stored queries

BR_PROFILE = "/api/queries/country-profile?country=https://w3id.org/ict-diplomacy/id/country/BR"
STORED_QUERY_CALLS = [BR_PROFILE, BR_PROFILE + "&format=csv&bom=1", BR_PROFILE + "&format=nope",
                      "/api/queries/country-profile?country=https://example.org/not-a-country",
                      "/api/queries/country-profile?country=a&country=b", "/api/queries/no-such-query"]


def _without_cors(response: httpx.Response) -> tuple:
    headers = {k: v for k, v in response.headers.items() if not k.startswith("access-control-") and k != "date"}
    vary = [v for v in headers.pop("vary", "").split(", ") if v and v != "Origin"]  # CORS adds it to a request with one
    if vary:
        headers["vary"] = ", ".join(vary)
    return response.status_code, headers, response.content


@pytest.mark.parametrize("path", STORED_QUERY_CALLS)
def test_a_stored_query_without_origin_is_answered_as_through_the_app(ictd_server, path):
    """Without Origin the lean route answers; with one, the whole Starlette app with CORS does:
    the same status, headers (CORS aside) and bytes, errors included."""
    lean = httpx.get(ictd_server.base + path, timeout=30)
    through_app = httpx.get(ictd_server.base + path, headers={"Origin": "https://example.org"}, timeout=30)
    assert through_app.headers["access-control-allow-origin"] == "*"
    assert _without_cors(lean) == _without_cors(through_app)
    if lean.status_code == 200:
        again = httpx.get(ictd_server.base + path, headers={"If-None-Match": lean.headers["etag"]}, timeout=30)
        assert again.status_code == 304 and again.headers["etag"] == lean.headers["etag"]


def test_a_stopped_server_leaves_nothing_to_clean_up(release, tmp_path):
    """SIGTERM (what systemd and `docker stop` send) ends the server as a clean exit, status 0: the
    workers' semaphores are removed by the server itself, not reported as leaked by the resource tracker."""
    log = tmp_path / "stopped.log"
    with running(ictd_command(release), "/sparql", log) as server:
        assert httpx.get(server.sparql, params={"query": "ASK {}"}, timeout=10).status_code == 200
        server.process.terminate()
        status = server.process.wait(15)
    assert "leaked" not in log.read_text(), log.read_text()[-1000:]
    assert status == 0
