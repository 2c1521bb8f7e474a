"""The embedded engine in process: worker answers in every format and store mode, the row cap,
the engine interface other parts use (`query`, `triples`), and building before serving."""

from __future__ import annotations

import asyncio
import csv
import io
import json

import pyoxigraph as ox
import pytest

from ict_diplomacy.publish.release import read_manifest

from ict_diplomacy.web import server
from ict_diplomacy.errors import MalformedQuery, NotAcceptable, Refused
from ict_diplomacy.settings import Settings
from ict_diplomacy.web.site import open_site
from ict_diplomacy.sparql.answer import answer, open_store

ALL = "SELECT * WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module", params=["memory", "disk"])
def worker_store(request, release) -> ox.Store:
    return open_store(release.resolve(), request.param)


def ask(store, query: str, accept: str = "application/sparql-results+json", max_rows: int = 100,
        max_bytes: int = 1 << 20) -> dict:
    reply = answer(store, {"op": "serialize", "query": query, "accept": accept, "max_rows": max_rows,
                           "max_bytes": max_bytes})
    assert reply[0] == "ok", reply
    return reply[1]


def test_both_store_modes_hold_the_release(worker_store, release):
    assert len(worker_store) == read_manifest(release)["triples"]


@pytest.mark.parametrize("accept,parse", [
    ("application/sparql-results+json", lambda b: json.loads(b)["results"]["bindings"]),
    ("text/csv", lambda b: list(csv.DictReader(io.StringIO(b.decode())))),
    ("text/tab-separated-values", lambda b: b.decode().splitlines()[1:]),
    ("application/sparql-results+xml", lambda b: list(ox.parse_query_results(b, ox.QueryResultsFormat.XML))),
])
def test_row_cap_in_every_result_format(worker_store, accept, parse):
    capped = ask(worker_store, ALL, accept, max_rows=7)
    assert capped["truncated"] and capped["rows"] == 7 and len(parse(capped["body"])) == 7
    exact = ask(worker_store, ALL + " LIMIT 7", accept, max_rows=7)
    assert not exact["truncated"] and exact["rows"] == 7


def test_row_cap_on_graphs(worker_store):
    capped = ask(worker_store, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples", max_rows=5)
    assert capped["truncated"] and capped["body"].startswith(b"# truncated")
    assert len(list(ox.parse(capped["body"], format=ox.RdfFormat.N_TRIPLES))) == 5


def test_select_with_no_variables_and_ask(worker_store):
    assert ask(worker_store, "SELECT * WHERE {}")["rows"] == 1
    assert json.loads(ask(worker_store, "ASK {}")["body"])["boolean"] is True


def test_worker_errors_come_back_as_descriptions(worker_store):
    syntax = answer(worker_store, {"op": "serialize", "query": "SELECT * {", "accept": "*/*", "max_rows": 1, "max_bytes": 1000})
    assert syntax[:2] == ("error", "MalformedQuery") and syntax[3]["line"] == 1
    refused = answer(worker_store, {"op": "serialize", "query": "ASK {}", "accept": "text/turtle", "max_rows": 1, "max_bytes": 1000})
    assert refused[1] == "NotAcceptable" and "application/sparql-results+json" in refused[3]["available"]


def test_engine_interface(release):
    async def scenario():
        site = await open_site(Settings(workers=1, max_rows=50), release)
        try:
            triples = await site.engine.triples("DESCRIBE <https://w3id.org/ict-diplomacy/id/country/BR>")
            assert triples and all(isinstance(t, ox.Triple) for t in triples)
            result = await site.engine.query("SELECT ?s ?o WHERE { ?s ?p ?o }", accept="text/csv",
                                             bindings={"s": ox.NamedNode("https://w3id.org/ict-diplomacy/id/country/BR")})
            assert result.media_type == "text/csv" and 0 < result.rows <= 50
            for bad, error in (("SELECT * {", MalformedQuery), ("SELECT * { SERVICE <http://127.0.0.1:1/> {} }", Refused)):
                with pytest.raises(error):
                    await site.engine.query(bad)
            with pytest.raises(NotAcceptable):
                await site.engine.query("ASK {}", accept="image/png")
            assert site.etag == f'"{site.manifest["release"]}"'
        finally:
            await site.engine.close()
    asyncio.run(scenario())


def test_serve_builds_a_missing_or_stale_release_first(make_project):
    project = make_project()
    release = server.ensure_release(project, None, Settings())
    first = read_manifest(release)["release"]
    assert server.ensure_release(project, None, Settings()) == release
    assert read_manifest(release)["release"] == first  # up to date: not rebuilt
    (project.data_dir / "minimal.ttl").write_text((project.data_dir / "minimal.ttl").read_text() + "\n# changed\n")
    server.ensure_release(project, None, Settings())
    assert read_manifest(release)["release"] != first


def test_an_answer_past_max_answer_bytes_is_stopped_in_the_worker(worker_store):
    """Every triple as TSV is far more than 2 kB: stopped while it is written, not sent."""
    reply = answer(worker_store, {"op": "serialize", "query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o }",
                                  "accept": "text/tab-separated-values", "max_rows": 100_000, "max_bytes": 2000})
    assert reply[0] == "error" and reply[1] == "ResultTooLarge" and "max_answer_bytes" in reply[2]
    assert ask(worker_store, "ASK {}", max_bytes=2000)["rows"] == 1
