"""Remote mode on connections a worker holds (sparql/forwarding.py): the preflight's workers check a
kept connection's queries on no data and forward them over an upstream connection the server
process opened for them. Against a real `oxigraph serve-read-only` (and Virtuoso), through a relay
that counts the requests reaching the upstream and can cut its connections."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import time

import pytest

from ict_diplomacy.sparql.preflight import TOO_DEEP, unchecked
from ict_diplomacy.sparql.remote import HELD_LINKS

from tests.servers import MAIN_OPTIONS, OXIGRAPH, children, ictd_command, running, wait_for_workers
from tests.test_confinement import LIMIT, shapes
from tests.test_remote_upstream import RUNAWAY, cpu_seconds, wait_idle  # a runaway Oxigraph stops at its --timeout-s
from tests.test_server import _eventually
from tests.test_worker_connections import CHEAP, LABELS, ask, connect, fresh, handed_over, holder, same_answer

BR = "https://w3id.org/ict-diplomacy/id/country/BR"
EVERYTHING = "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(!isBlank(?s) && !isBlank(?o)) }"  # past --max-rows 2000


SLOW = "slow-relay"   # a query whose text holds this reaches the upstream SLOW_S late (Relay)
SLOW_S = 1.0


class Relay:
    """A TCP relay to the upstream: counts the requests it carries, holds back those naming SLOW
    for SLOW_S, and can cut every connection."""

    def __init__(self, upstream_port: int):
        self.upstream_port, self.requests, self._open = upstream_port, 0, []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/query"
        threading.Thread(target=self._accepting, daemon=True).start()

    def _accepting(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            self._open += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, counted: bool) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(1 << 16):
                self.requests += counted and data.count(b"POST /query HTTP/1.1")
                if counted and SLOW.encode() in data:
                    time.sleep(SLOW_S)
                target.sendall(data)
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        for sock in self._open:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._open.clear()


@pytest.fixture(scope="module")
def upstream(release, tmp_path_factory):
    command = [str(OXIGRAPH), "serve-read-only", "--location", str(release / "store"), "--bind", "127.0.0.1:{port}",
               "--timeout-s", "4"]
    with running(command, "/", tmp_path_factory.mktemp("logs") / "oxigraph.log") as server:
        yield server


@pytest.fixture(scope="module")
def relay(upstream):
    relay = Relay(int(upstream.base.rsplit(":", 1)[1]))
    yield relay
    relay.listener.close()


@pytest.fixture(scope="module")
def server(release, relay, tmp_path_factory):
    options = (*MAIN_OPTIONS, "--sparql-endpoint", relay.url)
    with running(ictd_command(release, *options), "/sparql", tmp_path_factory.mktemp("logs") / "remote.log") as started:
        yield started


def forwarded_by_worker(server, conn, text: str, accept: str = "application/sparql-results+json") -> tuple:
    """Ask on a kept connection and check that its worker answered (it logs the request and keeps the connection)."""
    worker = handed_over(server, conn)
    logged = server.log_text().count(f"(worker {worker})")
    answer = ask(conn, text, accept)
    assert holder(server, conn) == worker
    assert _eventually(lambda: server.log_text().count(f"(worker {worker})") == logged + 1)
    return answer


def post(conn: http.client.HTTPConnection, text: str) -> tuple[int, dict, bytes]:
    conn.request("POST", "/sparql", body=text.encode(),
                 headers={"Content-Type": "application/sparql-query", "Accept": "application/json"})
    response = conn.getresponse()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()


@pytest.mark.parametrize("text,accept", [
    (LABELS, "application/sparql-results+json"), (LABELS, "text/csv"), (LABELS, "application/sparql-results+xml"),
    (CHEAP, "application/sparql-results+json"), (f"DESCRIBE <{BR}>", "text/turtle"),
    (f"CONSTRUCT {{ <{BR}> ?p ?o }} WHERE {{ <{BR}> ?p ?o }}", "application/n-triples"),
])
def test_a_worker_forwards_a_kept_connection_as_the_server_process_would(server, relay, text, accept):
    conn = connect(server)
    first = ask(conn, text, accept)
    before = relay.requests
    again = forwarded_by_worker(server, conn, text, accept)
    assert relay.requests == before + 1  # it went upstream once, from the worker
    same_answer(again, first)
    same_answer(again, fresh(server, text, accept))
    assert again[0] == 200 and int(again[1]["x-sparql-rows"]) > 0


def test_an_answer_cut_at_the_row_cap_closes_the_link_and_the_next_query_goes_back(server):
    conn = connect(server)
    assert ask(conn, CHEAP)[0] == 200
    cut = forwarded_by_worker(server, conn, EVERYTHING)
    assert cut[1]["x-sparql-truncated"] == "true" and cut[1]["x-sparql-rows"] == "2000"
    same_answer(cut, fresh(server, EVERYTHING))
    after = ask(conn, LABELS)  # no link left: the server process forwards it, and hands the connection over again
    same_answer(after, fresh(server, LABELS))
    same_answer(forwarded_by_worker(server, conn, LABELS), after)


def test_an_answer_past_the_byte_limit_is_refused_by_the_worker_as_by_the_server(release, relay, tmp_path):
    options = (*MAIN_OPTIONS, "--max-answer-bytes", "20000", "--sparql-endpoint", relay.url)
    with running(ictd_command(release, *options), "/sparql", tmp_path / "small.log") as small:
        conn = connect(small)
        assert ask(conn, CHEAP)[0] == 200
        refused = forwarded_by_worker(small, conn, EVERYTHING)
        assert refused[0] == 503 and b'"result-too-large"' in refused[2]
        same_answer(refused, fresh(small, EVERYTHING))


def test_a_cut_upstream_connection_sends_the_query_back_to_the_server(server, relay):
    conn = connect(server)
    assert ask(conn, CHEAP)[0] == 200
    handed_over(server, conn)
    relay.cut()
    time.sleep(0.2)
    same_answer(ask(conn, LABELS), fresh(server, LABELS))


@pytest.mark.parametrize("name", sorted(shapes(LIMIT)))
def test_no_query_on_a_kept_connection_crashes_the_upstream(server, upstream, relay, name):
    """Each shape as deep as the request limit allows, after a cheap query on the same connection:
    the answer is the one a new connection gets, and the upstream stays up."""
    text = shapes(LIMIT)[name]
    conn = connect(server)
    assert ask(conn, CHEAP)[0] == 200
    handed_over(server, conn)
    kept_answer = post(conn, text)
    assert upstream.process.poll() is None, f"{name} took the upstream server down"
    assert wait_for_workers(server)
    other = connect(server)
    new_answer = post(other, text)
    assert kept_answer[0] == new_answer[0], (name, kept_answer[2][:300], new_answer[2][:300])
    if kept_answer[0] == 400 and TOO_DEEP.encode() in new_answer[2]:
        assert TOO_DEEP.encode() in kept_answer[2]


def test_a_query_that_kills_the_checking_worker_never_reaches_the_upstream(server, upstream, relay):
    negations = shapes(LIMIT)["negations"]
    conn = connect(server)
    assert ask(conn, CHEAP)[0] == 200
    handed_over(server, conn)
    before = relay.requests
    status, _, body = post(conn, negations)
    assert status == 400 and TOO_DEEP.encode() in body
    assert relay.requests == before and upstream.process.poll() is None
    assert wait_for_workers(server)


def test_the_deadline_holds_on_a_forwarded_kept_connection(server):
    conn, other = connect(server), connect(server)
    for c in (conn, other):
        assert ask(c, CHEAP)[0] == 200
        handed_over(server, c)
    started = time.monotonic()
    status, headers, body = ask(conn, RUNAWAY)
    assert status == 503 and b'"query-timeout"' in body and headers["connection"] == "close"
    assert 1.9 < time.monotonic() - started < 6
    assert ask(other, CHEAP)[0] == 200
    assert wait_for_workers(server)


# Evaluable on no data, and long there (10^8 solutions counted): the check is what stops it.
VALUES_100 = " ".join(str(i) for i in range(100))
UNCHECKABLE = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"VALUES ?{v} {{ {VALUES_100} }}" for v in "abcd") + " }"


def test_a_query_the_check_cannot_finish_in_time_is_refused_on_a_kept_connection_as_on_a_new_one(release, relay,
                                                                                                   tmp_path):
    """The preflight refuses a query it cannot check within CHECK_TIMEOUT_S; so does a worker's
    check on a kept connection, before our deadline (5 s here) and before the upstream sees it.
    Before, the kept connection's check ran on to the deadline and its client got query-timeout."""
    options = (*MAIN_OPTIONS, "--timeout", "5", "--sparql-endpoint", relay.url)
    with running(ictd_command(release, *options), "/sparql", tmp_path / "patient.log") as patient:
        conn = connect(patient)
        assert ask(conn, CHEAP)[0] == 200
        handed_over(patient, conn)
        before = relay.requests
        kept = ask(conn, UNCHECKABLE)
        assert wait_for_workers(patient)
        new = ask(connect(patient), UNCHECKABLE)
        assert kept[0] == new[0] == 503, (kept[2][:300], new[2][:300])
        assert json.loads(kept[2])["error"]["message"] == json.loads(new[2])["error"]["message"] == unchecked().message
        assert relay.requests == before


def test_virtuoso_behind_a_kept_connection(virtuoso_remote_server):
    server = virtuoso_remote_server
    for text, accept in [(LABELS, "application/sparql-results+json"), (f"DESCRIBE <{BR}>", "text/turtle"),
                         (CHEAP, "application/sparql-results+json")]:
        conn = connect(server)
        first = ask(conn, text, accept)
        assert first[0] == 200, first[2][:300]
        same_answer(forwarded_by_worker(server, conn, text, accept), first)


def test_kept_connections_past_the_cap_on_upstream_links_stay_with_the_server(release, relay, tmp_path):
    """An engine may give each open connection a thread: at most HELD_LINKS per worker are opened."""
    options = (*MAIN_OPTIONS, "--workers", "1", "--sparql-endpoint", relay.url)
    with running(ictd_command(release, *options), "/sparql", tmp_path / "capped.log") as capped:
        conns = [connect(capped) for _ in range(HELD_LINKS + 2)]
        for conn in conns:
            assert ask(conn, CHEAP)[0] == 200
        assert _eventually(lambda: sum(holder(capped, c) is not None for c in conns) == HELD_LINKS)
        time.sleep(0.3)
        assert sum(holder(capped, c) is not None for c in conns) == HELD_LINKS
        expected = fresh(capped, LABELS)
        for conn in conns:
            same_answer(ask(conn, LABELS), expected)


def test_past_its_deadline_a_forwarded_query_holds_back_its_worker_until_the_upstream_lets_go(release, relay, upstream,
                                                                                              tmp_path):
    """As on the server process's path, where the slot is held: while an abandoned query is
    upstream its worker forwards no other (the next goes back to the server process) until the
    upstream stops it, here at Oxigraph's --timeout-s 4; its client has the 503 at our 1 s
    deadline. Before, the worker was killed at the deadline and a replacement could forward the
    next runaway while the upstream still computed this one."""
    options = ("--timeout", "1", "--sparql-endpoint", relay.url)
    with running(ictd_command(release, *options), "/sparql", tmp_path / "lone.log") as lone:
        kept_by = {}
        while len(kept_by) < 2 or len(set(kept_by.values())) == len(kept_by):  # two on one worker
            each = connect(lone)
            assert ask(each, CHEAP)[0] == 200
            kept_by[each] = handed_over(lone, each)
        *_, conn, waiting = [c for c in kept_by if kept_by[c] == kept_by[list(kept_by)[-1]]]
        worker = kept_by[conn]
        wait_idle(upstream.process.pid)
        before, started = cpu_seconds(upstream.process.pid), time.monotonic()
        status, headers, body = ask(conn, RUNAWAY)
        assert status == 503 and b'"query-timeout"' in body and headers["connection"] == "close"
        assert time.monotonic() - started < 2.5
        started, logged = time.monotonic(), lone.log_text().count(f"(worker {worker})")
        assert ask(waiting, LABELS)[0] == 200  # handed back by the held worker, and served by the server process
        assert time.monotonic() - started < 1.0
        assert lone.log_text().count(f"(worker {worker})") == logged
        assert worker in children(lone.process.pid)  # alive, waiting for the upstream
        wait_idle(upstream.process.pid)
        assert cpu_seconds(upstream.process.pid) - before < 1.6 * 4  # one query, stopped at the upstream's limit
        other = next_kept_by(lone, worker)  # free again: an idle worker holding fewest takes the next one
        assert forwarded_by_worker(lone, other, LABELS)[0] == 200


def next_kept_by(server, worker: int, within_s: float = 5.0) -> http.client.HTTPConnection:
    """A new kept connection handed to `worker`; the upstream's reply may reach it a moment after the
    upstream goes idle, and until then a busy worker is passed over for an idle one."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        conn = connect(server)
        assert ask(conn, CHEAP)[0] == 200
        if handed_over(server, conn) == worker:
            return conn
        time.sleep(0.1)
    raise AssertionError(f"worker {worker} took no new connection")


def two_on_one_worker(server) -> tuple[http.client.HTTPConnection, http.client.HTTPConnection, int]:
    kept_by: dict = {}
    while True:
        conn = connect(server)
        assert ask(conn, CHEAP)[0] == 200
        worker = handed_over(server, conn)
        if (other := next((c for c, w in kept_by.items() if w == worker), None)) is not None:
            return other, conn, worker
        kept_by[conn] = worker


def asking_in_background(conn, text: str) -> dict:
    answer: dict = {}
    thread = threading.Thread(target=lambda: answer.update(reply=ask(conn, text)), daemon=True)
    thread.start()
    answer["thread"] = thread
    return answer


def test_a_worker_forwards_its_other_connections_while_one_query_waits_upstream(server, relay):
    """A query upstream does not hold its worker: the worker's next connection is forwarded by it at
    once, not after the first answer. Before, the worker waited for each answer in turn, and the
    second request was taken back from it and forwarded by the server process."""
    slow_conn, conn, worker = two_on_one_worker(server)
    slow = asking_in_background(slow_conn, LABELS + f"\n# {SLOW}")
    time.sleep(0.2)  # the slow query is upstream (held back in the relay)
    started, before = time.monotonic(), relay.requests
    same_answer(forwarded_by_worker(server, conn, LABELS), fresh(server, LABELS))
    assert time.monotonic() - started < SLOW_S / 2 and slow["thread"].is_alive()
    slow["thread"].join(10)
    assert slow["reply"][0] == 200 and holder(server, slow_conn) == worker
    assert slow["reply"][2] == fresh(server, LABELS)[2]
    assert relay.requests >= before + 1


def test_a_query_upstream_gets_a_503_to_retry_when_its_worker_is_killed_for_another(server, relay, upstream):
    """Killing a worker (here: another of its connections sends a query that overflows the check's
    stack) ends the queries it has upstream too: their clients are told to retry, not left waiting."""
    slow_conn, conn, _ = two_on_one_worker(server)
    slow = asking_in_background(slow_conn, LABELS + f"\n# {SLOW}")
    time.sleep(0.2)
    status, _, body = post(conn, shapes(LIMIT)["negations"])
    assert status == 400 and TOO_DEEP.encode() in body
    slow["thread"].join(10)
    status, headers, body = slow["reply"]
    assert status == 503 and json.loads(body)["error"]["code"] == "unavailable" and headers["retry-after"] == "1"
    assert upstream.process.poll() is None and wait_for_workers(server)
