"""A bounded soak of the real server: 8 client threads for ICTD_SOAK_SECONDS (60 by default) of
mixed requests — stored queries, SELECT and CONSTRUCT, dereferencing as HTML and Turtle, queries
stopped by their deadline, refused ones (SERVICE, updates), malformed and oversized ones.

Only documented statuses appear, no request hangs, the server's memory stays flat, and no worker
process or file descriptor leaks. Memory and processes are read from /proc (Linux).

Memory margin: RSS is compared after a warm-up that sends every kind of request, so the caches
(templates, the search index, term labels) are already full. What remains is the allocator: a
2,000-row answer or a page held by a few requests at once raises the high-water mark of pymalloc
arenas and glibc heaps that Python keeps rather than gives back, by some megabytes on a ~80 MB
process. A leak of one response per request would add hundreds of megabytes in 60 s; 30% is well
above the first and far below the second."""

from __future__ import annotations

import collections
import os
import random
import threading
import time
from pathlib import Path

import httpx
import pytest

from .servers import MAIN_OPTIONS, children, ictd_command, running

SOAK_S = float(os.environ.get("ICTD_SOAK_SECONDS", "60"))
CLIENTS = 8
MAX_REQUESTS_PER_CLIENT = 100_000
CLIENT_TIMEOUT_S = 15.0
MEMORY_GROWTH = 1.30
SERVER_CHILDREN = 2 + 1  # the default two query workers and multiprocessing's resource tracker
DOCUMENTED = {200, 304, 400, 403, 404, 405, 406, 413, 429, 503}
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
PREFIXES = ("PREFIX ictd: <https://w3id.org/ict-diplomacy/ontology#>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n")
COUNTRY_LABELS = "{ ?c a ictd:Country ; rdfs:label ?l }"

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")


# ---------------------------------------------------------------- the server's processes, from /proc

def rss_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def snapshot(pid: int) -> dict:
    kids = children(pid)
    return {"server_kb": rss_kb(pid), "children": len(kids), "total_kb": rss_kb(pid) + sum(map(rss_kb, kids)),
            "fds": open_fds(pid)}


# ---------------------------------------------------------------- the mix of requests

def request_mix(resources: list[str], stored: list[str]) -> list[tuple[str, dict]]:
    """(kind, httpx request arguments) for every kind of request the soak sends."""
    sparql = {"method": "GET", "url": "/sparql"}
    mix = [
        ("select", {**sparql, "params": {"query": PREFIXES + "SELECT ?c ?l WHERE " + COUNTRY_LABELS}}),
        ("select-capped", {**sparql, "params": {"query": "SELECT * WHERE { ?s ?p ?o }", "format": "csv"}}),
        ("construct", {**sparql, "params": {"query": PREFIXES + "CONSTRUCT { ?c rdfs:label ?l } WHERE " + COUNTRY_LABELS,
                                            "format": "ttl"}}),
        ("post-query", {"method": "POST", "url": "/sparql", "content": b"ASK { ?s ?p ?o }",
                        "headers": {"Content-Type": "application/sparql-query"}}),
        ("timeout", {**sparql, "params": {"query": RUNAWAY, "timeout": "0.3"}}),
        ("service", {**sparql, "params": {"query": "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"}}),
        ("update", {"method": "POST", "url": "/sparql", "data": {"update": "CLEAR ALL"}}),
        ("malformed", {**sparql, "params": {"query": "SELECT * WHERE { ?s ?p "}}),
        ("too-deep", {**sparql, "params": {"query": "ASK " + "{" * 300 + "}" * 300}}),
        ("oversized", {"method": "POST", "url": "/sparql", "content": b"#" + b"x" * 30000 + b"\nASK {}",
                       "headers": {"Content-Type": "application/sparql-query"}}),
        ("not-acceptable", {**sparql, "params": {"query": "ASK {}"}, "headers": {"Accept": "image/png"}}),
        ("missing", {"method": "GET", "url": "/id/country/XX-none"}),
    ]
    for path in resources:
        mix.append(("deref-html", {"method": "GET", "url": path, "headers": {"Accept": "text/html"}}))
        mix.append(("deref-turtle", {"method": "GET", "url": path, "headers": {"Accept": "text/turtle"}}))
    for name in stored:
        mix.append(("stored", {"method": "GET", "url": f"/api/queries/{name}"}))
    return mix


def sample_resources(client: httpx.Client) -> list[str]:
    query = ("SELECT DISTINCT ?s WHERE { ?s a ?t FILTER(STRSTARTS(STR(?s), 'https://w3id.org/ict-diplomacy/id/')) } "
             "ORDER BY ?s LIMIT 12")
    rows = client.get("/sparql", params={"query": query, "format": "json"}).json()["results"]["bindings"]
    return [row["s"]["value"].removeprefix("https://w3id.org/ict-diplomacy") for row in rows]


def stored_queries(client: httpx.Client) -> list[str]:
    return [q["name"] for q in client.get("/api/queries").json()["queries"] if not q["federated"]]


# ---------------------------------------------------------------- the clients

class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses: collections.Counter = collections.Counter()
        self.failures: list[str] = []

    def add(self, kind: str, status: int | None, problem: str = "") -> None:
        with self.lock:
            self.statuses[status] += 1
            if problem and len(self.failures) < 20:
                self.failures.append(f"{kind}: {problem}")


def client_loop(base: str, mix: list, seed: int, until: float, tally: Tally) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=base, timeout=CLIENT_TIMEOUT_S) as client:
        for _ in range(MAX_REQUESTS_PER_CLIENT):
            if time.monotonic() >= until:
                return
            kind, args = rng.choice(mix)
            send(client, kind, args, tally)


def send(client: httpx.Client, kind: str, args: dict, tally: Tally) -> None:
    try:
        response = client.request(**args)
    except httpx.HTTPError as error:
        tally.add(kind, None, f"{type(error).__name__}: {error}")
        return
    problem = "" if response.status_code in DOCUMENTED else response.text[:300]
    tally.add(kind, response.status_code, problem)


def soak(base: str, mix: list, seconds: float) -> Tally:
    tally = Tally()
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=client_loop, args=(base, mix, seed, until, tally), daemon=True)
               for seed in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + CLIENT_TIMEOUT_S + 5)
    assert not any(t.is_alive() for t in threads), "a client thread is still waiting: a request hangs"
    return tally


def settled(pid: int, expected_children: int, within_s: float = 15.0) -> dict:
    """A snapshot once the replaced workers are back (bounded wait)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        now = snapshot(pid)
        if now["children"] == expected_children:
            return now
        time.sleep(0.2)
    return snapshot(pid)


# ---------------------------------------------------------------- the test

@pytest.fixture(scope="module")
def soak_server(release, tmp_path_factory):
    """A server of its own, so that what other tests did does not count in its memory."""
    log = tmp_path_factory.mktemp("logs") / "soak.log"
    with running(ictd_command(release, *MAIN_OPTIONS), "/sparql", log) as server:
        yield server


def test_soak_mixed_load_keeps_statuses_memory_and_workers(soak_server):
    pid = soak_server.process.pid
    with httpx.Client(base_url=soak_server.base, timeout=CLIENT_TIMEOUT_S) as client:
        mix = request_mix(sample_resources(client), stored_queries(client))
        warm = Tally()
        for _ in range(2):
            for kind, args in mix:
                send(client, kind, args, warm)
    assert not warm.failures, warm.failures
    before = settled(pid, SERVER_CHILDREN)
    tally = soak(soak_server.base, mix, SOAK_S)
    after = settled(pid, SERVER_CHILDREN)
    report = f"before {before}, after {after}, {sum(tally.statuses.values())} requests, statuses {dict(tally.statuses)}"
    print(report)
    assert not tally.failures, "\n".join(tally.failures) + "\n" + report
    assert set(tally.statuses) <= DOCUMENTED, report
    assert {200, 400, 403, 405, 503} <= set(tally.statuses), report  # every kind of answer was exercised
    assert before["children"] == after["children"] == SERVER_CHILDREN, report  # no worker leaked or went missing
    assert after["fds"] <= before["fds"] + 8, report                     # no pipe or socket leaked
    assert after["server_kb"] < before["server_kb"] * MEMORY_GROWTH, report
    assert after["total_kb"] < before["total_kb"] * MEMORY_GROWTH, report
    assert soak_server.process.poll() is None
