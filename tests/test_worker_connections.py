"""Connections a query worker answers itself (sparql/connections.py, web/direct.py), on a real
server: which process holds a connection is read from /proc, so each test knows the path it took.

Keep-alive clients are http.client connections: one TCP connection each, its local port known."""

from __future__ import annotations

import concurrent.futures
import contextlib
import http.client
import os
import re
import socket
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from tests.servers import MAIN_OPTIONS, children, ictd_command, running, wait_for_workers
from tests.test_hardening import doubling
from tests.test_server import _eventually

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CHEAP = "ASK { ?s ?p ?o }"
LABELS = "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?s ?label LIMIT 50"
EVERYTHING = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(!isBlank(?s) && !isBlank(?o)) }"  # blank nodes: new labels each time


@pytest.fixture(scope="module")
def server(release, tmp_path_factory):
    """A server of its own: which worker takes a connection depends on the connections it holds."""
    log = tmp_path_factory.mktemp("logs") / "connections.log"
    with running(ictd_command(release, *MAIN_OPTIONS), "/sparql", log) as started:
        yield started


def connect(server) -> http.client.HTTPConnection:
    host, port = server.base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=15)
    conn.connect()
    return conn


def ask(conn: http.client.HTTPConnection, text: str, accept: str = "application/sparql-results+json",
        headers: dict | None = None) -> tuple[int, dict, bytes]:
    conn.request("GET", "/sparql?query=" + quote(text), headers={"Accept": accept, **(headers or {})})
    response = conn.getresponse()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()


def fresh(server, text: str, accept: str = "application/sparql-results+json") -> tuple[int, dict, bytes]:
    """The answer through the server process: the first request of a new connection."""
    conn = connect(server)
    try:
        return ask(conn, text, accept)
    finally:
        conn.close()


def holder(server, conn: http.client.HTTPConnection) -> int | None:
    """The pid of the worker holding the server's end of `conn`, or None (the server process holds it)."""
    inode = _server_inode(server, conn.sock.getsockname()[1])
    for pid in children(server.process.pid):
        try:
            links = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
        except OSError:
            continue
        if f"socket:[{inode}]" in links:
            return pid
    return None


def _server_inode(server, client_port: int) -> str:
    port = int(server.base.rsplit(":", 1)[1])
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = (int(a.split(":")[1], 16) for a in fields[1:3])
        if local == port and remote == client_port:
            return fields[9]
    raise AssertionError(f"no server socket for client port {client_port}")


def handed_over(server, conn, within_s: float = 5.0) -> int:
    """Wait until a worker holds `conn` (it is handed over right after an answer); its pid."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if (pid := holder(server, conn)) is not None:
            return pid
        time.sleep(0.02)
    raise AssertionError("no worker took the connection")


def kept(server, count: int = 1) -> list[http.client.HTTPConnection]:
    """Connections that have had one query answered, each now held by a worker."""
    conns = []
    for _ in range(count):
        conn = connect(server)
        assert ask(conn, CHEAP)[0] == 200
        handed_over(server, conn)
        conns.append(conn)
    return conns


def _body(reader) -> bytes:
    """The body of the next response on a buffered reader (read by Content-Length)."""
    head = b"".join(iter(lambda: reader.readline(), b"\r\n"))
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:"))
    return reader.read(length)


def same_answer(one: tuple, other: tuple) -> None:
    assert one[0] == other[0]
    assert {k: v for k, v in one[1].items() if k != "date"} == {k: v for k, v in other[1].items() if k != "date"}
    assert one[2] == other[2]


@pytest.mark.parametrize("text,accept", [
    (LABELS, "application/sparql-results+json"), (LABELS, "text/csv"), (LABELS, "text/tab-separated-values"),
    (LABELS, "application/sparql-results+xml"), (CHEAP, "application/sparql-results+json"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(!isBlank(?s) && !isBlank(?o)) } LIMIT 20", "text/turtle"),
    (EVERYTHING, "application/n-triples"),  # past --max-rows 2000: cut and flagged
])
def test_a_worker_answers_a_kept_connection_as_the_server_process_would(server, text, accept):
    conn = connect(server)
    first = ask(conn, text, accept)
    worker = handed_over(server, conn)
    logged = server.log_text().count(f"(worker {worker})")
    again = ask(conn, text, accept)
    assert holder(server, conn) == worker  # answered by the worker, which keeps the connection
    assert _eventually(lambda: server.log_text().count(f"(worker {worker})") == logged + 1)  # and logs it
    same_answer(again, first)
    same_answer(again, fresh(server, text, accept))
    assert again[0] == 200 and int(again[1]["x-sparql-rows"]) > 0
    if text == EVERYTHING:
        assert again[1]["x-sparql-truncated"] == "true" and again[1]["x-sparql-rows"] == "2000"


BR = quote("https://w3id.org/ict-diplomacy/id/country/BR")


def get(conn: http.client.HTTPConnection, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()


def get_once(server, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """Through the server process, on a connection closed after (so no worker keeps holding it)."""
    with contextlib.closing(connect(server)) as conn:
        return get(conn, path, headers)


@pytest.mark.parametrize("path,accept", [
    (f"/api/queries/country-profile?country={BR}", "*/*"), (f"/api/queries/country-profile?country={BR}", "text/csv"),
    (f"/api/queries/country-profile?country={BR}&format=csv&bom=1", "*/*"), ("/api/queries/isdb-t-timeline", "*/*"),
    (f"/api/queries/describe?resource={BR}", "text/turtle"),
])
def test_a_worker_answers_the_stored_query_api_as_the_server_process_would(server, path, accept):
    """After a stored query's answer the connection goes to a worker too (direct_api.py), which
    answers the next ones with the same status, headers and bytes, and a 304 to their ETag."""
    with contextlib.closing(connect(server)) as conn:
        first = get(conn, path, {"Accept": accept})
        worker = handed_over(server, conn)
        logged = server.log_text().count(f"(worker {worker})")
        again = get(conn, path, {"Accept": accept})
        unchanged = get(conn, path, {"Accept": accept, "If-None-Match": first[1]["etag"]})
        assert holder(server, conn) == worker
    assert _eventually(lambda: server.log_text().count(f"(worker {worker})") == logged + 2)
    same_answer(again, first)
    assert first[0] == 200 and int(again[1]["x-sparql-rows"]) > 0
    assert unchanged[0] == 304 and unchanged[1]["etag"] == first[1]["etag"] and not unchanged[2]
    same_answer(unchanged, get_once(server, path, {"Accept": accept, "If-None-Match": first[1]["etag"]}))


def test_the_stored_query_apis_refusals_go_back_to_the_server_process(server):
    with contextlib.closing(connect(server)) as conn:
        assert get(conn, "/api/queries/isdb-t-timeline")[0] == 200
        worker = handed_over(server, conn)
        logged = server.log_text().count(f"(worker {worker})")
        for path, status in [("/api/queries/country-profile?country=nowhere", 400), ("/api/queries/no-such-query", 404),
                             ("/api/queries/isdb-t-timeline?format=ttl", 406)]:
            refused = get(conn, path)
            assert refused[0] == status and refused[1]["content-type"] == "application/json", (path, refused[2][:200])
            same_answer(refused, get_once(server, path))
    assert server.log_text().count(f"(worker {worker})") == logged


def test_a_worker_logs_a_request_as_the_server_process_does(server):
    """The worker writes its line itself, not through logging (direct.py): same time stamp, level
    and fields, in local time, as the server process's line for the same request."""
    conn = connect(server)
    ask(conn, LABELS)
    worker = handed_over(server, conn)
    ask(conn, LABELS)
    stamp = r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),\d{3} INFO GET /sparql 200 [\d.]+ ms rows=50"
    assert _eventually(lambda: re.search(rf"^{stamp} \(worker {worker}\)$", server.log_text(), re.M))
    by_worker = re.findall(rf"^{stamp} \(worker {worker}\)$", server.log_text(), re.M)[-1]
    by_server = re.findall(rf"^{stamp}$", server.log_text(), re.M)[-1]
    for logged in (by_worker, by_server):
        assert abs((datetime.now() - datetime.strptime(logged, "%Y-%m-%d %H:%M:%S")).total_seconds()) < 60

def test_an_evaluation_error_is_worded_by_the_worker_as_by_the_server(server):
    conn, = kept(server)
    bad = 'SELECT (xsd:integer("a") + ?undefinedFunction(1) AS ?x) WHERE {}'
    assert ask(conn, bad)[0] == fresh(server, bad)[0] == 400
    unknown = "SELECT * WHERE { ?s <http://example.org/p> ?o FILTER(<http://example.org/nope>(?o)) }"
    from_worker, from_server = ask(conn, unknown), fresh(server, unknown)
    same_answer(from_worker, from_server)


def test_every_other_request_on_a_kept_connection_goes_back_to_the_server(server):
    conn, = kept(server)
    conn.request("GET", "/", headers={"Accept": "text/html"})
    page = conn.getresponse()
    assert page.status == 200 and "<html" in page.read().decode().lower()
    status, headers, body = ask(conn, "SELEC oops")
    assert status == 400 and b"line 1" in body  # the server process's message, with the position
    status, headers, _ = ask(conn, CHEAP, headers={"Origin": "https://example.org"})
    assert status == 200 and headers["access-control-allow-origin"] == "*"  # CORS: only the server process adds it
    assert holder(server, conn) is None  # a worker would hand back every request with an Origin: not handed over
    assert ask(conn, CHEAP)[0] == 200
    worker = handed_over(server, conn)
    logged = server.log_text().count(f"(worker {worker})")
    conn.request("POST", "/sparql", body="query=" + quote(CHEAP),  # head and body in two writes, answered by the worker
                 headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
    posted = conn.getresponse()
    assert posted.status == 200 and b'"boolean":true' in posted.read()
    assert _eventually(lambda: server.log_text().count(f"(worker {worker})") == logged + 1)
    conn.request("HEAD", "/sparql?query=" + quote(CHEAP))
    head = conn.getresponse()
    head.read()
    assert head.status == 200


def test_two_requests_in_one_write_are_answered_in_order(server):
    conn, = kept(server)
    first, second = (f"GET /sparql?query={quote(q)} HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n\r\n".encode()
                     for q in (CHEAP, "ASK { ?s ?p \"no such literal\" }"))
    conn.sock.sendall(first + second)
    reader = conn.sock.makefile("rb")  # one buffer: both answers may arrive in one read
    answers = [_body(reader), _body(reader)]
    assert answers == [b'{"head":{},"boolean":true}', b'{"head":{},"boolean":false}']


def test_the_deadline_holds_on_a_kept_connection(server):
    conn, other = kept(server, 2)
    started = time.monotonic()
    status, headers, body = ask(conn, RUNAWAY)
    assert status == 503 and b'"query-timeout"' in body and headers["connection"] == "close"
    assert 1.9 < time.monotonic() - started < 6
    assert ask(other, CHEAP)[0] == 200  # the other connection outlives the killed worker
    assert wait_for_workers(server)


def test_requests_waiting_behind_a_long_query_are_served_by_another_worker(server):
    conns = kept(server, 4)
    holders = [holder(server, c) for c in conns]
    assert holders[0] in holders[1:], "no other connection shares the long query's worker"
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        runaway = pool.submit(ask, conns[0], RUNAWAY)
        time.sleep(0.3)

        def timed(conn):
            started = time.monotonic()
            return ask(conn, CHEAP)[0], time.monotonic() - started
        answered = list(pool.map(timed, conns[1:]))
        assert runaway.result(timeout=20)[0] == 503
    assert all(status == 200 and took < 1.0 for status, took in answered), answered
    assert wait_for_workers(server)


def test_a_worker_ending_mid_query_costs_only_that_request(server):
    conns = kept(server, 3)
    victim = holder(server, conns[0])
    conns[0].request("POST", "/sparql", body=doubling(22, widen=64),
                     headers={"Content-Type": "application/sparql-query", "Accept": "application/json"})
    response = conns[0].getresponse()
    body = response.read()
    assert response.status == 503 and (b'"unavailable"' in body or b'"query-timeout"' in body), body[:300]
    for conn in conns[1:]:
        assert ask(conn, CHEAP)[0] == 200
    assert victim not in children(server.process.pid)
    assert wait_for_workers(server)


def test_a_reader_too_slow_for_the_worker_still_gets_the_whole_answer(server):
    host, port = server.base.removeprefix("http://").split(":")
    large = doubling(18, project="?x{n}")  # one literal of 4 MB: more than the kernel buffers between us
    expected = fresh(server, large)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, int(port)))
    conn = http.client.HTTPConnection(host, int(port), timeout=15)
    conn.sock = sock
    assert ask(conn, CHEAP)[0] == 200
    handed_over(server, conn)
    conn.sock.sendall(f"GET /sparql?query={quote(large)} HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n\r\n".encode())
    time.sleep(0.5)  # read nothing: the worker gives up waiting and hands the rest to the server process
    assert holder(server, conn) is None
    response = http.client.HTTPResponse(conn.sock)
    response.begin()
    same_answer((response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()), expected)
    assert len(expected[2]) > 4 << 20
    assert ask(conn, CHEAP)[0] == 200


def test_another_client_is_served_while_one_holds_every_worker_on_its_own_connections(release, tmp_path):
    """Two runaways of 10 s from 127.0.0.1, each on a connection its worker answers itself: a query
    from 127.0.0.2 stops one of them (the fairness rule of the server's own queue) and is answered
    within seconds (stopped after 0.25 s, the worker replaced: about 1 s here, more under load);
    without the rule it would wait for a runaway's deadline."""
    with running(ictd_command(release, *MAIN_OPTIONS, "--timeout", "10"), "/sparql", tmp_path / "fair.log") as server:
        by_worker = {}
        for conn in kept(server, 6):
            by_worker.setdefault(holder(server, conn), conn)
        assert len(by_worker) == 2, "the connections did not spread over both workers"
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            runaways = [pool.submit(ask, conn, RUNAWAY) for conn in by_worker.values()]
            time.sleep(0.5)
            other = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=15)
            started = time.monotonic()
            answer = other.get(server.sparql, params={"query": CHEAP + f" # {time.time()}"},  # past the answer cache
                               headers={"Accept": "application/json"})
            took = time.monotonic() - started
            results = [runaway.result(timeout=30) for runaway in runaways]
        assert answer.status_code == 200 and took < 4.0, (answer.status_code, took)
        stopped = [body for status, _, body in results if b'"unavailable"' in body]
        assert len(stopped) == 1 and b"another client" in stopped[0]
        assert wait_for_workers(server)
