"""The one-pass SPARQL JSON path of a worker (answer._select_json) answers exactly as the general
path (the row cap through TSV, parsed back and written as JSON): the same bytes, row count and
truncation flag, for every shape of answer, at the row cap and around it."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from ict_diplomacy.formats import choose
from ict_diplomacy.sparql import answer as A

JSON = "application/sparql-results+json"
EX = "http://example.org/"
DATA = f"""
<{EX}a> <{EX}p> "plain" , "tagged"@en , "7"^^<http://www.w3.org/2001/XMLSchema#integer> , <{EX}b> .
<{EX}a> <{EX}q> "brace {{}} inside" , "separator }},{{\\"x\\" inside" , "}},{{ and {{ }}" , _:blank .
<{EX}b> <{EX}p> "2.5"^^<http://www.w3.org/2001/XMLSchema#decimal> , "line\\nbreak\\ttab" .
<{EX}c> <{EX}p> "日本語"@ja .
"""
QUERIES = [
    "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o",
    "SELECT ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o)) } ORDER BY ?o",
    "SELECT ?s WHERE { ?s ?p ?o FILTER(false) }",
    "SELECT * WHERE { }",
    "SELECT ?x WHERE { OPTIONAL { ?x <http://example.org/none> ?y } }",
    "SELECT ?s ?o WHERE { ?s ?p ?o OPTIONAL { ?o ?q ?z } } ORDER BY ?s ?o",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "SELECT ?s ?b WHERE { ?s <http://example.org/q> ?b FILTER(isBlank(?b)) }",
]


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    store.load(DATA.encode(), format=ox.RdfFormat.TURTLE)
    return store


def general(store: ox.Store, query: str, max_rows: int, max_bytes: int) -> dict:
    return A._select(store.query(query), choose(JSON, "select"), max_rows, max_bytes)


def served(store: ox.Store, query: str, max_rows: int, max_bytes: int) -> tuple:
    return A.answer(store, {"op": "serialize", "query": query, "accept": JSON, "max_rows": max_rows,
                            "max_bytes": max_bytes})


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("max_rows", [1, 2, 3, 5, 10, 10_000])
def test_the_one_pass_answer_is_the_general_one(store, query, max_rows):
    status, payload = served(store, query, max_rows, 1 << 20)
    assert status == "ok"
    assert payload == general(store, query, max_rows, 1 << 20)


def test_at_the_row_cap_exactly_and_one_past(store):
    query = QUERIES[0]
    total = len(list(store.query(query)))
    at_cap = served(store, query, total, 1 << 20)[1]
    past = served(store, query, total - 1, 1 << 20)[1]
    assert (at_cap["rows"], at_cap["truncated"]) == (total, False)
    assert (past["rows"], past["truncated"]) == (total - 1, True)
    assert past["body"].startswith(b'{"truncated":true,')
    assert past == general(store, query, total - 1, 1 << 20)


def test_which_path_answers(store):
    """The one pass answers a complete result; the row cap and an empty solution go the general way."""
    fmt, plain = choose(JSON, "select"), "SELECT ?s ?p WHERE { ?s ?p ?o } ORDER BY ?s ?p"
    assert A._select_json(store.query(plain), fmt, 10_000, 1 << 20) is not None
    assert A._select_json(store.query(plain), fmt, 2, 1 << 20) is None
    assert A._select_json(store.query("SELECT * WHERE { }"), fmt, 10_000, 1 << 20) is None
    assert A._select_json(store.query(QUERIES[0]), fmt, 10_000, 1 << 20) is None  # a "{}" in a literal
    assert A._select_json(store.query(plain), fmt, 10_000, 100) is None


def test_the_byte_limit_answers_as_before(store):
    status, *error = served(store, QUERIES[0], 10_000, 200)
    assert (status, error[0]) == ("error", "ResultTooLarge")


def test_turtle_pages_name_the_prefixes_their_iris_use():
    """deref._used_prefixes (bisection) names exactly the prefixes some IRI starts with."""
    from ict_diplomacy.publish.dumps import DUMP_PREFIXES
    from ict_diplomacy.web import deref
    namespaces = list(DUMP_PREFIXES.values())
    iris = [namespaces[0] + "x", namespaces[3], namespaces[-1] + "a/b", "http://example.org/none", namespaces[3][:-1]]
    triples = [ox.Triple(ox.NamedNode(s), ox.NamedNode(namespaces[5] + "p"), ox.NamedNode(o) if o else ox.Literal("v"))
               for s in iris for o in (None, iris[0])]
    used = {term.value for t in triples for term in t if isinstance(term, ox.NamedNode)}
    assert deref._used_prefixes(triples) == {p: ns for p, ns in DUMP_PREFIXES.items()
                                             if any(i.startswith(ns) for i in used)}
