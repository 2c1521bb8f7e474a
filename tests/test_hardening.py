"""Hostile input against the real server: path traversal, huge Accept headers, odd IRIs, deeply
nested queries, huge literals, and requests at uvicorn's header and request-line limits. Each
gets a documented status quickly; none gets a 500, hangs, or takes the server down."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from ict_diplomacy.errors import BadRequest, Refused
from ict_diplomacy.settings import Settings
from ict_diplomacy.sparql.text import MAX_NESTING, guard, nesting_depth, service_targets

from .servers import wait_for_workers

CHEAP = "ASK { ?s ?p ?o }"
QUICK_S = 3.0          # what "answered quickly" means for input that needs no query
DEADLINE_S = 2.0       # the test server's --timeout
SECRETS = ("[build-system]", "root:x:0:0", "def create_app", "import ")


def raw_request(server, data: bytes, timeout: float = 5.0) -> bytes:
    """Send bytes as they are (no client normalizes `..` or encodes anything) and return the
    status line, or b"" when the server closes the connection without answering."""
    host, port = server.base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(data)
        answer = b""
        while b"\r\n" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n", 1)[0]


def raw_get(server, target: bytes, headers: bytes = b"") -> tuple[int, bytes]:
    """GET `target` (raw bytes) and return the status and the body."""
    host, port = server.base.removeprefix("http://").split(":")
    request = b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + headers + b"\r\n"
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    response = b"".join(chunks)
    head, _, body = response.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


def still_up(server, workers: int = 2) -> None:
    """The server runs, answers a cheap query, and has its whole pool of workers again."""
    assert server.process.poll() is None, server.log_text()[-3000:]
    answer = httpx.get(server.sparql, params={"query": CHEAP}, headers={"Accept": "application/json"}, timeout=10)
    assert answer.status_code == 200 and answer.json()["boolean"] is True
    assert wait_for_workers(server, workers), "a killed worker was not replaced"


# ---------------------------------------------------------------- path traversal

TRAVERSALS = [
    b"/dumps/../pyproject.toml", b"/dumps/../../pyproject.toml", b"/dumps/..%2F..%2Fpyproject.toml",
    b"/dumps/%2e%2e/%2e%2e/pyproject.toml", b"/dumps/%252e%252e%252fpyproject.toml", b"/dumps/..\\..\\pyproject.toml",
    b"/dumps/..%5C..%5Cpyproject.toml", b"/dumps/manifest.json%00.txt", b"/dumps/%00", b"/dumps/../../../../etc/passwd",
    b"/dumps/..%2F..%2F..%2F..%2Fetc%2Fpasswd", b"/dumps/x/..%2F..%2Fpyproject.toml", b"/dumps/%2e%2e/manifest.json",
    b"/static/../pyproject.toml", b"/static/../../../pyproject.toml", b"/static/..%2F..%2F..%2Fpyproject.toml",
    b"/static/%2e%2e/%2e%2e/%2e%2e/pyproject.toml", b"/static/%252e%252e/serve.py", b"/static/..%5Cserve.py",
    b"/static/..\\serve.py", b"/static/%00", b"/static/site.css%00.py", b"/static/....//....//serve.py",
    b"/static/%c0%ae%c0%ae/serve.py", b"/static/../../../../../../etc/passwd", b"/api/docs/static/../../serve.py",
    b"/api/docs/static/..%2F..%2F..%2Fserve.py",
    b"/id/../../pyproject.toml", b"/id/..%2F..%2Fpyproject.toml", b"/id/%2e%2e/%2e%2e/pyproject.toml",
    b"/id/%252e%252e%252fpyproject.toml", b"/id/..\\..\\pyproject.toml", b"/id/country/..%00", b"/id/%00",
    b"/ontology/../../pyproject.toml", b"/dataset/../../pyproject.toml", b"/service/..%2F..%2Fpyproject.toml",
]


@pytest.mark.parametrize("target", TRAVERSALS, ids=[t.decode("latin-1") for t in TRAVERSALS])
def test_path_traversal_never_reaches_a_file(ictd_server, target):
    started = time.monotonic()
    status, body = raw_get(ictd_server, target)
    assert status in (400, 404, 406), (status, body[:300])
    assert time.monotonic() - started < QUICK_S
    assert not any(secret.encode() in body for secret in SECRETS), body[:300]


def test_the_listed_files_are_still_served(ictd_server):
    assert raw_get(ictd_server, b"/dumps/manifest.json")[0] == 200
    assert httpx.get(ictd_server.base + "/dumps/", headers={"Accept": "application/json"}).status_code == 200


# ---------------------------------------------------------------- huge Accept headers

ACCEPTS = {
    "64 kB media type": "text/" + "a" * 65536,
    "4,000 media ranges": ",".join(f"application/x-{i};q=0.{i % 9 + 1}" for i in range(4000)),
    "10,000 empty q": ";q=x," * 10000,
    "deep parameters": "text/turtle" + ";a=b" * 8000,
    "wildcards": ", ".join(["*/*;q=0.001"] * 5000),
}
ACCEPT_PATHS = ["/sparql?query=ASK%7B%7D", "/sparql?query=CONSTRUCT%7B%3Fs%3Fp%3Fo%7DWHERE%7B%3Fs%3Fp%3Fo%7DLIMIT%201",
                "/id/country/BR", "/dumps/", "/catalog", "/api/queries/class-counts", "/", "/sparql", "/ontology"]


@pytest.mark.parametrize("accept", ACCEPTS.values(), ids=ACCEPTS.keys())
def test_huge_accept_headers_are_answered_quickly(ictd_server, accept):
    with httpx.Client(base_url=ictd_server.base, timeout=10) as client:
        for path in ACCEPT_PATHS:
            started = time.monotonic()
            response = client.get(path, headers={"Accept": accept, "Accept-Language": accept})
            assert response.status_code in (200, 400, 406), (path, response.status_code, response.text[:300])
            assert response.status_code != 406 or len(response.content) < 4000  # the header is not echoed whole
            assert time.monotonic() - started < QUICK_S, path
    still_up(ictd_server)


# ---------------------------------------------------------------- IRIs with odd characters

ODD_PATHS = [
    "/id/country/B%20R", "/id/country/%2F", "/id/country/BR%2F..%2F..", "/id/country/%E2%9C%93",
    "/id/country/%F0%9F%87%AF%F0%9F%87%B5", "/id/country/%FF%FE", "/id/country/%3Cscript%3E", "/id/country/a%3Eb",
    "/id/country/a%22b", "/id/country/a%7Bb%7D", "/id/country/a%5Cb", "/id/country/a%60b%5E%7C", "/id/country/%25zz",
    "/id/country/BR%3E%20%3Fp%20%3Fo%20%7D%20%23", "/id/country/a%23b%23c", "/id/country/BR.ttl%00",
    "/id/country/%E3%83%96%E3%83%A9%E3%82%B8%E3%83%AB", "/ontology/%00", "/id/" + "a" * 20000,
    "/id/country/" + "%E2%9C%93" * 2000, "/id/%0B%0C", "/dataset%3E", "/service/%3Cx%3E",
]


@pytest.mark.parametrize("path", ODD_PATHS, ids=[p[:60] for p in ODD_PATHS])
def test_odd_iris_are_not_found_not_malformed(ictd_server, path):
    """Regression: a path with `>`, a space or `"` used to reach the DESCRIBE query as text, so
    `/id/country/B%20R` answered 400 malformed-query and `…/BR%3E%20…` could add SPARQL to it."""
    started = time.monotonic()
    response = httpx.get(ictd_server.base + path, headers={"Accept": "text/turtle"}, timeout=10)
    assert response.status_code == 404, (response.status_code, response.text[:300])
    assert response.json()["error"]["code"] == "not-found"
    assert time.monotonic() - started < QUICK_S


def test_a_path_names_the_iri_href_writes(ictd_server):
    """Characters an IRI cannot hold are percent-encoded, as `href` encodes them in links."""
    from ict_diplomacy.web.deref import resource_iri
    from ict_diplomacy.web.views import href
    assert resource_iri("id", "country/B R") == "https://w3id.org/ict-diplomacy/id/country/B%20R"
    assert href(resource_iri("id", "country/B R")) == "/id/country/B%20R"
    assert resource_iri("id", "country/ブラジル").endswith("/country/ブラジル")
    assert httpx.get(ictd_server.base + "/id/country/BR", headers={"Accept": "text/turtle"}).status_code == 200


# ---------------------------------------------------------------- deep nesting and huge literals

def nested(kind: str, depth: int) -> str:
    return {
        "groups": "SELECT * WHERE " + "{" * depth + " ?s ?p ?o " + "}" * depth + " LIMIT 1",
        "optionals": "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o " * depth + "}" * depth + " } LIMIT 1",
        "parentheses": "ASK { FILTER(" + "(" * depth + "true" + ")" * depth + ") }",
        "exists": "ASK { " + "FILTER EXISTS { " * depth + "?s ?p ?o" + " }" * depth + " }",
        "calls": "SELECT (" + "CONCAT(" * depth + '"a"' + ',"b")' * depth + " AS ?x) WHERE {}",
        "brackets": "SELECT * WHERE { ?s ?p " + "[ <urn:p> " * depth + "1 " + "]" * depth + " } LIMIT 1",
    }[kind]


def post(server, text: str, accept: str = "application/sparql-results+json", **params) -> httpx.Response:
    return httpx.post(server.sparql, content=text.encode(), params=params, timeout=DEADLINE_S + 8,
                      headers={"Content-Type": "application/sparql-query", "Accept": accept})


@pytest.mark.parametrize("kind", ["groups", "optionals", "parentheses", "exists", "calls", "brackets"])
def test_hundreds_of_levels_are_answered(ictd_server, kind):
    response = post(ictd_server, nested(kind, 200))
    assert response.status_code in (200, 503), response.text[:300]
    still_up(ictd_server)


# Depths past the limit that fit the test server's 20 kB body; all but the last two overflowed
# a worker's stack before the limit (3,000 groups, 6,000 parentheses, 1,000 EXISTS or calls).
TOO_DEEP = {"groups": 3000, "parentheses": 6000, "exists": 1000, "calls": 1000, "optionals": 900, "brackets": 1500}


@pytest.mark.parametrize("kind", TOO_DEEP)
def test_deeper_nesting_is_refused_before_it_kills_a_worker(ictd_server, kind):
    """Regression: 1,000 nested calls or 3,000 nested groups overflowed the stack of the worker
    running them (503 unavailable, and a worker to replace); now 400 before any worker runs it."""
    started = time.monotonic()
    response = post(ictd_server, nested(kind, TOO_DEEP[kind]))
    assert response.status_code == 400, response.text[:300]
    error = response.json()["error"]
    assert error["code"] == "bad-request" and error["detail"]["limit"] == MAX_NESTING
    assert time.monotonic() - started < QUICK_S


def test_remote_mode_refuses_what_would_crash_the_oxigraph_server(remote_server, oxigraph_server):
    """1,000 nested EXISTS take `oxigraph serve` down (stack overflow); the guard stops them."""
    response = post(remote_server, nested("exists", 1000))
    assert response.status_code == 400
    assert oxigraph_server.process.poll() is None
    still_up(remote_server)  # remote mode runs only the workers of its preflight check


def test_nesting_depth_ignores_strings_iris_and_comments():
    assert nesting_depth('SELECT * { ?s ?p "{{{((([" . ?s <urn:x(> ?o } # (((((') == 1
    assert nesting_depth("ASK " + "{" * 10 + "}" * 10) == 10
    guard("ASK " + "{" * MAX_NESTING + "}" * MAX_NESTING, Settings())
    with pytest.raises(BadRequest):
        guard("ASK " + "{" * (MAX_NESTING + 1) + "}" * (MAX_NESTING + 1), Settings())


def test_an_unterminated_service_iri_is_refused_not_a_crash(ictd_server):
    """Regression: `SERVICE <abc` (no `>`) raised ValueError in the guard: 500."""
    assert service_targets("SELECT * { SERVICE <abc") == ["<abc"]
    with pytest.raises(Refused):
        guard("SELECT * { SERVICE <abc", Settings())
    response = httpx.get(ictd_server.sparql, params={"query": "SELECT * { SERVICE <abc"})
    assert response.status_code == 403


def doubling(levels: int, project: str = "(STRLEN(?x{n}) AS ?len)", widen: int = 1) -> str:
    """A literal of 16 × 2^levels characters built by a chain of CONCATs (SPARQL has no REPEAT);
    `widen` > 1 concatenates that many copies of it once more."""
    binds = "".join(f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1}) " for i in range(levels))
    if widen > 1:
        binds += f"BIND(CONCAT({', '.join([f'?x{levels}'] * widen)}) AS ?x{levels + 1}) "
        levels += 1
    return f'SELECT {project.format(n=levels)} WHERE {{ BIND("0123456789abcdef" AS ?x0) {binds}}}'


def test_a_long_literal_measured_in_the_store(ictd_server):
    response = post(ictd_server, doubling(16))
    assert response.status_code == 200
    assert response.json()["results"]["bindings"][0]["len"]["value"] == str(16 << 16)


@pytest.mark.parametrize("accept", ["text/csv", "application/sparql-results+json", "text/tab-separated-values"])
def test_a_huge_literal_in_the_answer_gets_a_documented_status(ictd_server, accept):
    """A 16 MB value is past pyoxigraph's result buffer (it raised MemoryError: once a 500):
    503 result-too-large, or 503 query-timeout when the deadline comes first."""
    started = time.monotonic()
    response = post(ictd_server, doubling(20, "?x{n}"), accept)
    assert response.status_code in (200, 503), response.text[:300]
    assert time.monotonic() - started < DEADLINE_S + 3
    still_up(ictd_server)


def test_worker_memory_is_a_setting():
    assert Settings().worker_memory == 2048 and Settings(worker_memory=0).worker_memory == 0  # 0: no limit
    with pytest.raises(ValueError):
        Settings(worker_memory=-1)


def test_a_query_past_the_worker_memory_ends_only_its_worker(ictd_server):
    """64 copies of a 64 MB string want 4 GB: past the 2 GB worker_memory the allocation fails,
    the worker ends (not the machine's memory), the request gets 503 and the worker is replaced."""
    started = time.monotonic()
    response = post(ictd_server, doubling(22, widen=64))
    assert response.status_code == 503, response.text[:300]
    assert response.json()["error"]["code"] in ("unavailable", "query-timeout")
    assert time.monotonic() - started < DEADLINE_S + 3
    still_up(ictd_server)


# ---------------------------------------------------------------- uvicorn's limits

RAW = {
    "1 MB request line": b"GET /sparql?query=" + b"A" * 1_000_000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    "100 kB path": b"GET /id/" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    "1 MB header": b"GET /sparql HTTP/1.1\r\nHost: x\r\nX-A: " + b"a" * 1_000_000 + b"\r\nConnection: close\r\n\r\n",
    "10,000 headers": b"GET /sparql HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: a\r\n" % i for i in range(10000))
                      + b"Connection: close\r\n\r\n",
    "garbage": b"\x00\x01\x02 garbage\r\n\r\n",
    "unknown method": b"BREW /sparql HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    "NUL in path": b"GET /id/a\x00b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    "non-UTF-8 path": b"GET /id/\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    "non-UTF-8 query": b"GET /sparql?query=%FF%FE HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    "non-UTF-8 parameter": b"GET /api/queries/country-profile?country=%FF HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    "non-UTF-8 headers": b"GET / HTTP/1.1\r\nHost: x\r\nAccept: \xff\r\nAccept-Language: \xfe\r\nCookie: lang=\xff\r\n"
                         b"Connection: close\r\n\r\n",
    "bad Content-Length": b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\nConnection: close\r\n\r\n",
    "huge Content-Length": b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                           b"Content-Length: 99999999999\r\nConnection: close\r\n\r\nASK{}",
    "bad chunk": b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                 b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nASK{}\r\n0\r\n\r\n",
}


@pytest.mark.parametrize("data", RAW.values(), ids=RAW.keys())
def test_requests_at_the_http_limits_do_not_crash_the_server(ictd_server, data):
    started = time.monotonic()
    status_line = raw_request(ictd_server, data)
    assert status_line == b"" or not status_line.split(b" ")[1].startswith(b"5"), status_line
    assert time.monotonic() - started < QUICK_S
    still_up(ictd_server)


def test_a_stalled_body_does_not_hold_up_other_requests(ictd_server):
    """A client that declares a body and never sends it keeps only its own connection waiting."""
    host, port = ictd_server.base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as stalled:
        stalled.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                        b"Content-Length: 1000\r\n\r\nASK")
        started = time.monotonic()
        still_up(ictd_server)
        assert time.monotonic() - started < QUICK_S


# ---------------------------------------------------------------- HTTP limits (issue 11)

def test_an_over_long_query_string_gets_413_in_the_error_shape(ictd_server):
    """Past the parser's own limit uvicorn said a plain `400 Invalid HTTP request`."""
    reply = raw_request(ictd_server, b"GET /sparql?query=ASK%7B%7D" + b"%20" * 40_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 413")


def test_a_request_head_sent_a_byte_at_a_time_is_cut_off(ictd_server):
    port = int(ictd_server.base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        reply = b""
        while time.monotonic() - started < 15:
            try:
                sock.sendall(b"X")
            except OSError:
                break
            sock.settimeout(1)
            try:
                reply += sock.recv(4096)
            except TimeoutError:
                continue
            if not reply or reply.endswith(b"}"):
                break
    assert b" 408 " in reply and time.monotonic() - started < 14


def test_a_client_leaving_mid_body_is_one_log_line(ictd_server):
    port = int(ictd_server.base.rsplit(":", 1)[1])
    before = ictd_server.log_text()
    for _ in range(3):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                         b"Content-Length: 1000\r\n\r\nASK {")
            time.sleep(0.2)
    time.sleep(0.5)
    added = ictd_server.log_text()[len(before):]
    assert "Traceback" not in added and added.count("disconnected") == 3


def test_the_service_description_does_not_reflect_the_host_header(ictd_server):
    text = httpx.get(ictd_server.sparql, headers={"Host": "evil.example", "Accept": "text/turtle"}, timeout=10).text
    assert "evil.example" not in text and "https://w3id.org/ict-diplomacy/sparql" in text
