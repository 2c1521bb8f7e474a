"""The SPARQL 1.1 Protocol at /sparql, over real HTTP with real clients, compared with Oxigraph's
own server on the same store; and the checks that keep the endpoint read-only and local."""

from __future__ import annotations

import csv
import io
import json

from urllib.parse import parse_qsl

import httpx
import pytest
import rdflib
from hypothesis import given, settings, strategies as st
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TSV, XML, SPARQLWrapper

from ict_diplomacy.project import DATA_GRAPH
from ict_diplomacy.errors import ReadOnly, Refused
from ict_diplomacy.settings import Settings
from ict_diplomacy.sparql.remote import form_body
from ict_diplomacy.sparql.text import guard, is_update, service_targets
from ict_diplomacy.web.endpoint import url_params

from .conftest import PREFIXES

SELECTS = {
    "labels of countries": "SELECT ?c ?l WHERE { ?c a ictd:Country ; rdfs:label ?l } ORDER BY ?c ?l",
    "class counts": "SELECT ?t (COUNT(?s) AS ?n) WHERE { ?s a ?t } GROUP BY ?t ORDER BY DESC(?n) ?t",
    "optional and filter": """SELECT ?a ?date ?label WHERE { ?a a ictd:StandardAdoption .
        OPTIONAL { ?a ictd:date ?date } OPTIONAL { ?a rdfs:label ?label FILTER(lang(?label) = "ja") } }""",
    "no rows": "SELECT ?s WHERE { ?s a <http://example.org/Nothing> }",
}
GRAPHS = {
    "construct": "CONSTRUCT { ?c rdfs:label ?l } WHERE { ?c a ictd:Country ; rdfs:label ?l }",
    "describe": "DESCRIBE <https://w3id.org/ict-diplomacy/id/country/BR>",
}
RESULT_MEDIA = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv", "tsv": "text/tab-separated-values"}
GRAPH_MEDIA = {"ttl": ("text/turtle", "turtle"), "nt": ("application/n-triples", "nt"),
               "jsonld": ("application/ld+json", "json-ld"), "rdfxml": ("application/rdf+xml", "xml")}


def get(url: str, query: str, accept: str | None = None, **params) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    return httpx.get(url, params={"query": query, **params}, headers=headers, timeout=30)


def solutions(body: bytes) -> list[tuple]:
    """SPARQL JSON bindings as sorted tuples (blank node labels dropped), to compare servers."""
    document = json.loads(body)
    names = document["head"]["vars"]
    rows = []
    for binding in document["results"]["bindings"]:
        rows.append(tuple(_plain(binding.get(n)) for n in names))
    return sorted(rows, key=repr)


def _plain(term: dict | None):
    if term is None:
        return None
    if term["type"] == "bnode":
        return ("bnode",)
    return (term["type"], term["value"], term.get("xml:lang"), term.get("datatype"))


def graph(body: bytes, rdflib_format: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=body, format=rdflib_format)


# ---------------------------------------------------------------- same answers as Oxigraph


@pytest.mark.parametrize("name", SELECTS)
def test_select_answers_match_oxigraph(ictd_server, oxigraph_server, name):
    query = PREFIXES + SELECTS[name]
    ours = get(ictd_server.sparql, query, "application/sparql-results+json")
    reference = get(oxigraph_server.base + "/query", query, "application/sparql-results+json")
    assert ours.status_code == reference.status_code == 200
    assert solutions(ours.content) == solutions(reference.content)


@pytest.mark.parametrize("name", GRAPHS)
def test_graph_answers_match_oxigraph(ictd_server, oxigraph_server, name):
    query = PREFIXES + GRAPHS[name]
    ours = get(ictd_server.sparql, query, "text/turtle")
    reference = get(oxigraph_server.base + "/query", query, "text/turtle")
    assert ours.status_code == 200 and ours.headers["content-type"].startswith("text/turtle")
    assert len(graph(ours.content, "turtle")) > 0
    assert isomorphic(graph(ours.content, "turtle"), graph(reference.content, "turtle"))


def test_ask(ictd_server):
    yes = get(ictd_server.sparql, PREFIXES + "ASK { ?c a ictd:Country }")
    no = get(ictd_server.sparql, "ASK { <http://example.org/x> ?p ?o }", "application/sparql-results+xml")
    assert json.loads(yes.content)["boolean"] is True
    assert b"<boolean>false</boolean>" in no.content


def test_remote_mode_gives_the_same_answers(ictd_server, remote_server):
    for query in [*SELECTS.values(), "ASK { ?s ?p ?o }"]:
        ours, remote = (get(s.sparql, PREFIXES + query) for s in (ictd_server, remote_server))
        assert remote.status_code == ours.status_code == 200
        if b'"boolean"' in ours.content:
            assert json.loads(ours.content) == json.loads(remote.content)
        else:
            assert solutions(ours.content) == solutions(remote.content)
    for query in GRAPHS.values():
        ours, remote = (get(s.sparql, PREFIXES + query, "application/n-triples") for s in (ictd_server, remote_server))
        assert isomorphic(graph(ours.content, "nt"), graph(remote.content, "nt"))


def test_remote_mode_keeps_the_limits(remote_server):
    refused = get(remote_server.sparql, "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")
    assert refused.status_code == 403
    capped = get(remote_server.sparql, "SELECT * { ?s ?p ?o }")
    assert capped.headers["X-SPARQL-Truncated"] == "true" and len(solutions(capped.content)) == 2000
    malformed = get(remote_server.sparql, "SELECT * {")  # parsed before it is forwarded
    assert malformed.status_code == 400 and malformed.json()["error"]["detail"]["line"] == 1


# ---------------------------------------------------------------- formats and negotiation


@pytest.mark.parametrize("fmt", RESULT_MEDIA)
def test_every_result_format_parses(ictd_server, fmt):
    query = PREFIXES + SELECTS["labels of countries"]
    by_accept = get(ictd_server.sparql, query, RESULT_MEDIA[fmt])
    by_param = get(ictd_server.sparql, query, "text/html", format=fmt)
    for response in (by_accept, by_param):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].split(";")[0] == RESULT_MEDIA[fmt]
        assert "Accept" in response.headers["vary"]
    rows = _parse_results(fmt, by_accept.content)
    assert len(rows) == int(by_accept.headers["X-SPARQL-Rows"]) > 50


def _parse_results(fmt: str, body: bytes) -> list:
    if fmt == "json":
        return json.loads(body)["results"]["bindings"]
    if fmt == "xml":
        return list(rdflib.query.Result.parse(io.BytesIO(body), format="xml"))
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(body.decode())))
    return list(csv.reader(io.StringIO(body.decode()), delimiter="\t"))[1:]


@pytest.mark.parametrize("fmt", GRAPH_MEDIA)
def test_every_graph_format_parses(ictd_server, fmt):
    media, rdflib_format = GRAPH_MEDIA[fmt]
    query = PREFIXES + GRAPHS["construct"]
    for response in (get(ictd_server.sparql, query, media), get(ictd_server.sparql, query, format=fmt)):
        assert response.status_code == 200
        assert response.headers["content-type"].split(";")[0] == media
        assert len(graph(response.content, rdflib_format)) == int(response.headers["X-SPARQL-Rows"]) > 50


def test_negotiation_defaults_and_refusals(ictd_server):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    query = PREFIXES + SELECTS["no rows"]
    assert get(ictd_server.sparql, query, browser).headers["content-type"].startswith("application/sparql-results+xml")
    assert get(ictd_server.sparql, query, "*/*").headers["content-type"].startswith("application/sparql-results+json")
    assert get(ictd_server.sparql, PREFIXES + GRAPHS["construct"], "application/json").headers[
        "content-type"].startswith("application/ld+json")
    refused = get(ictd_server.sparql, query, "image/png")
    assert refused.status_code == 406
    assert "text/csv" in refused.json()["error"]["detail"]["available"]
    assert get(ictd_server.sparql, query, format="yaml").status_code == 400


def test_post_forms(ictd_server):
    query = PREFIXES + SELECTS["class counts"]
    expected = solutions(get(ictd_server.sparql, query).content)
    form = httpx.post(ictd_server.sparql, data={"query": query}, timeout=30)
    direct = httpx.post(ictd_server.sparql, content=query.encode(), timeout=30,
                        headers={"Content-Type": "application/sparql-query"})
    assert solutions(form.content) == solutions(direct.content) == expected
    odd = httpx.post(ictd_server.sparql, content=b"x", headers={"Content-Type": "text/plain"}, timeout=30)
    assert odd.status_code == 415


ODD_VALUE = "a+b & c=d %25 %zz #x 日本"
ENCODED_PIECES = st.lists(st.sampled_from(list("ab=&+%;#?/ Fz\u00e9\u3042\n")
                                          + ["%2", "%e3%81", "%E3%81%82", "%25", "%2B", "%zz", "%0A", "%26"]),
                          max_size=20).map("".join)
FIELD_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
EXAMPLES = settings(max_examples=2000, deadline=None, derandomize=True, database=None)


@EXAMPLES
@given(ENCODED_PIECES)
def test_query_strings_are_read_as_urllib_reads_them(encoded):
    """yarl's decoder stands in for parse_qsl: '+', stray '%', broken UTF-8 and blank values alike."""
    expected: dict[str, list[str]] = {}
    for name, value in parse_qsl(encoded, keep_blank_values=True):
        expected.setdefault(name, []).append(value)
    assert url_params(encoded, 1 << 20) == expected


@EXAMPLES
@given(st.lists(st.tuples(FIELD_TEXT, FIELD_TEXT), max_size=4))
def test_form_bodies_read_back_as_written(fields):
    body = form_body(fields)
    assert body.isascii() and parse_qsl(body.decode("ascii"), keep_blank_values=True) == fields


@pytest.mark.parametrize("server", ["ictd_server", "remote_server"])
def test_odd_characters_survive_every_path(server, request):
    """GET and POST form, the first request of a connection (the server process) and the next ones
    (the worker holding it; in remote mode forwarded upstream as a form of our own)."""
    url = request.getfixturevalue(server).sparql
    query = f'SELECT ?x WHERE {{ BIND("{ODD_VALUE}" AS ?x) }}'
    with httpx.Client(timeout=30) as client:
        answers = [client.get(url, params={"query": query}) for _ in range(3)]
        answers += [client.post(url, data={"query": query}) for _ in range(3)]
    assert [solutions(a.content) for a in answers] == [[(("literal", ODD_VALUE, None, None),)]] * 6

def test_sparqlwrapper_names_the_default_graph(ictd_server):
    """SPARQLWrapper's addDefaultGraph sends default-graph-uri: the data's graph gives the data,
    another graph (not there) nothing."""
    def countries(graph: str | None) -> list:
        client = SPARQLWrapper(ictd_server.sparql)
        client.setQuery(PREFIXES + "SELECT ?c WHERE { ?c a ictd:Country } ORDER BY ?c")
        client.setReturnFormat(JSON)
        if graph:
            client.addDefaultGraph(graph)
        return [row["c"]["value"] for row in client.query().convert()["results"]["bindings"]]
    everything = countries(None)
    assert len(everything) > 30 and countries(DATA_GRAPH) == everything and countries("http://example.org/g") == []


# ---------------------------------------------------------------- real clients


def test_sparqlwrapper_in_every_format(ictd_server):
    client = SPARQLWrapper(ictd_server.sparql)
    client.setQuery(PREFIXES + "SELECT ?c WHERE { ?c a ictd:Country } ORDER BY ?c")
    client.setReturnFormat(JSON)
    countries = [b["c"]["value"] for b in client.query().convert()["results"]["bindings"]]
    assert "https://w3id.org/ict-diplomacy/id/country/BR" in countries
    for fmt in (XML, CSV, TSV):
        client.setReturnFormat(fmt)
        assert client.query().convert()
    client.setMethod("POST")
    client.setReturnFormat(JSON)
    assert len(client.query().convert()["results"]["bindings"]) == len(countries)


def test_rdflib_sparqlstore(ictd_server):
    g = rdflib.Graph(store=SPARQLStore(ictd_server.sparql, returnFormat="json"))
    rows = list(g.query(PREFIXES + "SELECT ?l WHERE { <https://w3id.org/ict-diplomacy/id/country/BR> rdfs:label ?l }"))
    assert {str(r.l) for r in rows} >= {"Brazil"} or len(rows) >= 2
    assert g.query("ASK { ?s ?p ?o }").askAnswer


# ---------------------------------------------------------------- service description and CORS


def test_service_description_lists_limits(ictd_server):
    response = httpx.get(ictd_server.sparql, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    sd = graph(response.content, "turtle")
    service = rdflib.URIRef("https://w3id.org/ict-diplomacy/sparql")  # public_url, never the Host header
    SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (service, rdflib.RDF.type, SD.Service) in sd
    limit = rdflib.Namespace("https://w3id.org/ict-diplomacy/service#")
    assert sd.value(service, limit.query_timeout).toPython() == 2
    assert sd.value(service, limit.max_rows).toPython() == 2000
    for setting in Settings.table():
        assert sd.value(limit[setting["name"]], rdflib.RDFS.comment) is not None
    assert any(sd.triples((None, rdflib.URIRef("http://rdfs.org/ns/void#triples"), None)))
    as_jsonld = httpx.get(ictd_server.sparql, headers={"Accept": "application/ld+json"})
    assert isomorphic(graph(as_jsonld.content, "json-ld"), sd)


def test_cors_for_reads(ictd_server):
    response = httpx.get(ictd_server.sparql, params={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = httpx.options(ictd_server.sparql, headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200 and "POST" in preflight.headers["access-control-allow-methods"]


# ---------------------------------------------------------------- the guard, on tricky texts

ALLOW = Settings(service_allow=["https://query.wikidata.org/sparql"])


@pytest.mark.parametrize("text", [
    "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
    "select * { service silent <http://127.0.0.1:1/> { ?s ?p ?o } }",
    "SELECT * {?s ?p ?o .SERVICE<http://x/>{}}",
    "SELECT * { SeRvIcE ?endpoint { ?s ?p ?o } }",
    "PREFIX ex: <http://127.0.0.1/> SELECT * { SERVICE ex:sparql { ?s ?p ?o } }",
    "PREFIX ex: <http://e/> SELECT * { ?s ex:a\\# ?o . SERVICE <http://127.0.0.1/> {} }",  # \# is no comment
    "SELECT * { ?s <http://e/p#> ?o . SERVICE <http://127.0.0.1/> {} }",  # # inside an IRI is no comment
    "SELECT * { ?s ?p \"a\\\"b\" . SERVICE <http://127.0.0.1/> {} }",  # escaped quote
    "SELECT * { ?s ?p '''a'b''' . SERVICE <http://127.0.0.1/> {} }",
    "SELECT * { FILTER(?a<?b) SERVICE <http://127.0.0.1/> {} FILTER(?b>?a) }",
    "SELECT * { SERVICE <https://query.wikidata.org/sparql> {} SERVICE <http://127.0.0.1/> {} }",
    "BASE <https://query.wikidata.org/> SELECT * { SERVICE <sparql> {} }",  # relative: not the allowed text
    "SELECT * {\nSERVICE\n<http://127.0.0.1/>\n{}}",
])
def test_service_is_refused(text):
    with pytest.raises(Refused):
        guard(text, ALLOW)


@pytest.mark.parametrize("text", [
    "SELECT ?service WHERE { ?service a <http://e/Service> }",
    "PREFIX ex: <http://e/> SELECT * { ?s ex:service ?o ; ex:my-service ?x }",
    "SELECT * { ?s ?p \"SERVICE <http://127.0.0.1/> {}\" }",
    "SELECT * { ?s ?p ?o } # SERVICE <http://127.0.0.1/> {}",
    "SELECT * { ?s <http://e/SERVICE> ?o }",
    "PREFIX service: <http://e/> SELECT * { ?s service:x ?o }",
    "SELECT * { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }",
    "SELECT * { SERVICE # a comment\n SILENT # another\n <https://query.wikidata.org/sparql> {} }",
])
def test_harmless_texts_pass(text):
    guard(text, ALLOW)


def test_service_targets_are_read_exactly():
    assert service_targets("SELECT * { SERVICE SILENT <http://a/b> {} SERVICE ?x {} }") == ["http://a/b", "?x"]


@pytest.mark.parametrize("text", [
    "INSERT DATA { <a:b> <a:c> <a:d> }", "PREFIX ex: <http://e/> DELETE WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1/x.ttl>", "# comment\nclear all", "BASE <http://e/> DROP GRAPH <g>",
    "WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
])
def test_updates_are_recognised(text):
    assert is_update(text)
    with pytest.raises(ReadOnly):
        guard(text, Settings())


@pytest.mark.parametrize("text", ["SELECT ?insert WHERE { ?insert ?p ?o }", "PREFIX load: <http://e/> SELECT * {}",
                                  "# INSERT DATA\nASK {}"])
def test_queries_are_not_updates(text):
    assert not is_update(text)
