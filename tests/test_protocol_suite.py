"""The query side of the W3C SPARQL 1.1 Protocol test suite (w3c/rdf-tests,
sparql/sparql11/protocol/manifest.ttl), each case written here as a test against our real server,
embedded and in remote mode in front of Oxigraph's server and of Virtuoso. The suite's dataset
cases load its own small graphs, which a read-only endpoint cannot; they are written against our
data instead: the data is the graph DATA_GRAPH and, when no dataset is named, the default graph;
a graph that is not there is empty. Update cases are the suite's update side: every update is
refused here (test_sparql_protocol.py)."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx
import pyoxigraph as ox
import pytest

from ict_diplomacy.project import DATA_GRAPH, ID_BASE

SERVERS = ("ictd_server", "remote_server", "virtuoso_remote_server")
ELSEWHERE = "http://kasei.us/2009/09/sparql/data/data0.rdf"   # a graph the suite names, not here
BRAZIL = f"<{ID_BASE}country/BR>"
BOOLEAN = ("application/sparql-results+json", "application/sparql-results+xml")
TABULAR = (*BOOLEAN, "text/csv", "text/tab-separated-values")
RDF = ("text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json")
FORM, QUERY = "application/x-www-form-urlencoded", "application/sparql-query"


@pytest.fixture(scope="module", params=SERVERS)
def sparql(request) -> str:
    return request.getfixturevalue(request.param).sparql


def send(method: str, url: str, params: list | None = None, body: bytes | str | None = None,
         content_type: str | None = None) -> httpx.Response:
    headers = {"Content-Type": content_type} if content_type else {}
    target = url + ("?" + urlencode(params) if params else "")
    return httpx.request(method, target, content=body, headers=headers, timeout=30)


def boolean(response: httpx.Response) -> bool:
    assert 200 <= response.status_code < 400, response.text[:500]
    media = response.headers["content-type"].split(";")[0]
    assert media in BOOLEAN, media
    return bool(ox.parse_query_results(response.content, ox.QueryResultsFormat.from_media_type(media)))


def media_of(response: httpx.Response) -> str:
    assert 200 <= response.status_code < 400, response.text[:500]
    return response.headers["content-type"].split(";")[0]


# ---------------------------------------------------------------- queries, and their answers' media types

def test_query_post_form(sparql):
    assert boolean(send("POST", sparql, [("default-graph-uri", ELSEWHERE)], "query=ASK%20%7B%7D", FORM)) is True


def test_query_get(sparql):
    assert boolean(send("GET", sparql, [("query", "ASK {}"), ("default-graph-uri", ELSEWHERE)])) is True


def test_query_post_direct(sparql):
    assert boolean(send("POST", sparql, body="ASK {}", content_type=QUERY)) is True


@pytest.mark.parametrize("text, media", [("SELECT (1 AS ?value) {}", TABULAR), ("ASK {}", BOOLEAN),
                                         ("DESCRIBE <http://example.org/>", RDF),
                                         ("CONSTRUCT { <s> <p> 1 } WHERE {}", RDF)])
def test_query_content_types(sparql, text, media):
    response = send("POST", sparql, [("default-graph-uri", ELSEWHERE)], text, QUERY)
    assert media_of(response) in media


def test_relative_iris_resolve_against_the_endpoint_alike_everywhere(sparql):
    response = send("POST", sparql, [("format", "nt")], "CONSTRUCT { <s> <p> 1 } WHERE {}", QUERY)
    assert media_of(response) == "application/n-triples"
    [triple] = [quad.triple for quad in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)]
    assert (triple.subject.value, triple.predicate.value) == (DATA_GRAPH + "s", DATA_GRAPH + "p")


# ---------------------------------------------------------------- the dataset a request names

IS_THERE = f"ASK {{ {BRAZIL} a ?type }}"
ANY_NAMED = "ASK { GRAPH ?g { ?s ?p ?o } }"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_query_dataset_default_graphs(sparql, method):
    def ask(*graphs: str) -> bool:
        params = [("default-graph-uri", g) for g in graphs]
        if method == "GET":
            return boolean(send("GET", sparql, [("query", IS_THERE), *params]))
        return boolean(send("POST", sparql, params, IS_THERE, QUERY))
    assert ask(DATA_GRAPH) is True
    assert ask(DATA_GRAPH, ELSEWHERE) is True      # the merge with an empty graph
    assert ask(ELSEWHERE) is False                 # a graph that is not there is empty


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_query_dataset_named_graphs(sparql, method):
    params = [("named-graph-uri", DATA_GRAPH), ("named-graph-uri", ELSEWHERE)]
    for text in (ANY_NAMED, IS_THERE):  # no named graph holds anything; the default graph is empty
        if method == "GET":
            assert boolean(send("GET", sparql, [("query", text), *params])) is False
        else:
            assert boolean(send("POST", sparql, params, text, QUERY)) is False


def test_query_dataset_full(sparql):
    params = [("default-graph-uri", DATA_GRAPH), ("named-graph-uri", ELSEWHERE)]
    assert boolean(send("POST", sparql, params, IS_THERE, QUERY)) is True
    assert boolean(send("POST", sparql, params, ANY_NAMED, QUERY)) is False


def test_query_multiple_dataset_uses_the_protocol_dataset(sparql):
    text = f"ASK FROM <{ELSEWHERE}> {{ {BRAZIL} a ?type }}"
    assert boolean(send("POST", sparql, [("default-graph-uri", DATA_GRAPH)], text, QUERY)) is True


def test_a_dataset_graph_must_be_an_iri(sparql):
    assert send("GET", sparql, [("query", "ASK {}"), ("default-graph-uri", "not an IRI")]).status_code == 400


# ---------------------------------------------------------------- refused requests (4xx)

def test_bad_query_method(sparql):
    assert 400 <= send("PUT", sparql, [("query", "ASK {}"), ("default-graph-uri", ELSEWHERE)],
                       content_type=FORM).status_code < 500


def test_bad_multiple_queries(sparql):
    assert 400 <= send("GET", sparql, [("query", "ASK {}"), ("query", "SELECT * {}")]).status_code < 500


@pytest.mark.parametrize("body, content_type", [("ASK {}", "text/plain"), ("query=ASK%20%7B%7D", None),
                                                ("ASK {}", None)])
def test_bad_query_media_types(sparql, body, content_type):
    assert 400 <= send("POST", sparql, body=body, content_type=content_type).status_code < 500


def test_bad_query_non_utf8(sparql):
    body = "ASK {}".encode("utf-16")
    assert 400 <= send("POST", sparql, body=body, content_type=f"{QUERY}; charset=UTF-16").status_code < 500


def test_bad_query_syntax(sparql):
    response = send("GET", sparql, [("query", "ASK {")])  # in remote mode too: parsed before forwarding
    assert response.status_code == 400 and response.json()["error"]["code"] == "malformed-query"
