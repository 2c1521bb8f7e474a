"""The answer cache: a repeated query of the release gets the same bytes without a worker;
errors, timeouts and SERVICE queries are never kept; another release (ETag) never hits."""

from __future__ import annotations

import asyncio

import httpx
import pyoxigraph as ox
import pytest

from ict_diplomacy.errors import QueryTimeout
from ict_diplomacy.settings import Settings
from ict_diplomacy.sparql.cache import AnswerCache, CachingEngine
from ict_diplomacy.sparql.engine import QueryResult
from ict_diplomacy.web.site import open_site

BR = ox.NamedNode("https://w3id.org/ict-diplomacy/id/country/BR")


class Counting:
    """A fake engine counting its calls; `fail` makes the next call raise it."""

    def __init__(self):
        self.calls, self.fail = 0, None

    async def query(self, sparql, *, accept="application/sparql-results+json", bindings=None, timeout=None, client=""):
        self.calls += 1
        if self.fail:
            error, self.fail = self.fail, None
            raise error
        return QueryResult(f"{self.calls}:{sparql}:{accept}".encode(), "text/csv", self.calls, True, "select")

    async def triples(self, text, *, bindings=None, timeout=None, client=""):
        self.calls += 1
        return [ox.Triple(BR, BR, ox.Literal(str(self.calls)))]

    async def close(self):
        pass


def run(coroutine):
    return asyncio.run(coroutine)


def test_a_hit_is_the_same_answer_without_the_engine():
    inner = Counting()
    engine = CachingEngine(inner, 1 << 20, '"r1"')
    first = run(engine.query("SELECT * {}", accept="text/csv", bindings={"s": BR}))
    again = run(engine.query("SELECT * {}", accept="text/csv", bindings={"s": BR}, timeout=0.5))
    assert again == first and again.body == first.body and again.truncated and inner.calls == 1
    assert engine.cache.hits == 1


@pytest.mark.parametrize("change", [{"accept": "text/tab-separated-values"},
                                    {"bindings": {"s": ox.NamedNode("https://example.org/x")}},
                                    {"sparql": "SELECT * { ?s ?p ?o }"}])
def test_another_format_parameter_or_text_is_another_answer(change):
    inner = Counting()
    engine = CachingEngine(inner, 1 << 20, '"r1"')
    base = {"sparql": "SELECT * {}", "accept": "text/csv", "bindings": {"s": BR}}
    run(engine.query(**base))
    run(engine.query(**(base | change)))
    assert inner.calls == 2


def test_a_new_release_does_not_hit_the_old_answers():
    inner = Counting()
    engine = CachingEngine(inner, 1 << 20, '"r1"')
    run(engine.query("ASK {}"))
    engine.etag = '"r2"'
    assert run(engine.query("ASK {}")).body.startswith(b"2:") and inner.calls == 2


def test_a_timeout_is_never_kept_nor_hidden():
    inner = Counting()
    engine = CachingEngine(inner, 1 << 20, '"r1"')
    inner.fail = QueryTimeout("ran past the limit")
    with pytest.raises(QueryTimeout):
        run(engine.query("SELECT * {}"))
    assert run(engine.query("SELECT * {}")).rows == 2 and inner.calls == 2  # ran again, then kept
    assert len(engine.cache) == 1


def test_service_queries_are_not_kept():
    inner = Counting()
    engine = CachingEngine(inner, 1 << 20, '"r1"')
    for _ in range(2):
        run(engine.query("SELECT * { SERVICE <https://query.wikidata.org/sparql> {} }"))
    assert inner.calls == 2 and len(engine.cache) == 0


def test_triples_are_kept_and_handed_out_as_copies():
    inner = Counting()
    engine = CachingEngine(inner, 1 << 20, '"r1"')
    first = run(engine.triples("DESCRIBE <x:y>"))
    first.clear()
    assert run(engine.triples("DESCRIBE <x:y>"))[0].object == ox.Literal("1") and inner.calls == 1


def test_the_cache_is_bounded_in_bytes_least_recently_used_out():
    cache = AnswerCache(100)
    cache.put("a", "A", 40)
    cache.put("b", "B", 40)
    assert cache.get("a") == "A"          # a is now the most recent
    cache.put("c", "C", 40)               # 120 > 100: b goes
    assert cache.get("b") is None and cache.get("a") == "A" and cache.get("c") == "C"
    cache.put("huge", "H", 101)           # larger than the whole cache: not kept
    assert cache.get("huge") is None and cache.size == 80


def test_the_setting_turns_it_on_and_off(release):
    async def engines():
        found = []
        for mb in (1, 0):
            site = await open_site(Settings(workers=1, answer_cache_mb=mb), release)
            found.append(type(site.engine).__name__)
            await site.engine.close()
        return found
    assert run(engines()) == ["CachingEngine", "WorkerEngine"]
    with pytest.raises(ValueError):
        Settings(answer_cache_mb=-1)


def test_a_cached_answer_has_the_same_bytes_and_headers(ictd_server):
    """A result cut by the row cap, asked twice: the second (a hit) is the first, flags included."""
    params = {"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o", "format": "csv"}
    first, again = (httpx.get(ictd_server.sparql, params=params, timeout=30) for _ in range(2))
    assert first.status_code == again.status_code == 200
    assert first.content == again.content and first.headers["x-sparql-truncated"] == "true"
    assert {k: v for k, v in first.headers.items() if k != "date"} == \
           {k: v for k, v in again.headers.items() if k != "date"}


@pytest.mark.parametrize("expression", ["RAND()", "STRUUID()", "UUID()", "BNODE()", "NOW()", "  rand ( )"])
def test_answers_that_change_at_each_evaluation_are_never_kept(ictd_server, expression):
    """Asked twice, a query with a random value or the time gets two evaluations, not one cached
    answer (the server's cache is on by default)."""
    params = {"query": f"SELECT ?v WHERE {{ BIND({expression} AS ?v) }}", "format": "json"}
    first, again = (httpx.get(ictd_server.sparql, params=params, timeout=30) for _ in range(2))
    assert first.status_code == again.status_code == 200
    if expression != "NOW()":  # two evaluations within one clock tick may agree
        assert first.json()["results"] != again.json()["results"]
    engine = CachingEngine(Counting(), 1 << 20, '"r1"')
    for _ in range(2):
        run(engine.query(params["query"]))
    assert engine.engine.calls == 2 and len(engine.cache) == 0
