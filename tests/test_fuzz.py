"""Fuzzing the real server: SPARQL-ish text at /sparql, odd parameter values at the stored-query
API, and schemathesis against our OpenAPI document. Every answer has a documented status
(never a 5xx other than 503 timeout/unavailable), none hangs (client timeouts), and the server
still answers a cheap ASK afterwards.

Bounded and deterministic: hypothesis runs derandomized with a fixed number of examples and no
example database; every fuzzed query asks for a short deadline (?timeout=0.5)."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from .servers import wait_for_workers

CHEAP = "ASK { ?s ?p ?o }"
DOCUMENTED = {200, 304, 400, 403, 404, 405, 406, 413, 415, 429, 503}
CLIENT_TIMEOUT_S = 10.0  # a hang is a request that outlives the server's 2 s deadline by far
FUZZ_DEADLINE = "0.5"
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))

# ---------------------------------------------------------------- SPARQL-ish text

KEYWORDS = ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "DISTINCT", "REDUCED", "FROM", "NAMED",
            "OPTIONAL", "UNION", "MINUS", "FILTER", "BIND", "AS", "VALUES", "GRAPH", "SERVICE", "SILENT",
            "EXISTS", "NOT", "IN", "GROUP", "BY", "HAVING", "ORDER", "ASC", "DESC", "LIMIT", "OFFSET",
            "PREFIX", "BASE", "UNDEF", "a", "true", "false", "COUNT", "SUM", "GROUP_CONCAT", "SEPARATOR",
            "CONCAT", "STRLEN", "SUBSTR", "REGEX", "REPLACE", "STR", "LANG", "IRI", "BNODE", "COALESCE",
            "IF", "SAMPLE", "INSERT", "DELETE", "DATA", "LOAD", "CLEAR", "DROP", "WITH", "USING"]
PUNCTUATION = ["{", "}", "(", ")", "[", "]", ".", ";", ",", "*", "=", "!=", "<", ">", "&&", "||", "!",
               "+", "-", "/", "|", "^", "^^", "?", "@en", "#", "\n", '"', "'", '"""', "\\", "<>"]
ODD_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


def names(min_size: int = 1, max_size: int = 12) -> st.SearchStrategy[str]:
    return st.text(st.characters(whitelist_categories=("Ll", "Lu", "Lo", "Nd"), max_codepoint=0x2FFFF),
                   min_size=min_size, max_size=max_size)


TOKENS = st.one_of(
    st.sampled_from(KEYWORDS), st.sampled_from(PUNCTUATION),
    names().map(lambda n: "?" + n),
    names().map(lambda n: f"<https://w3id.org/ict-diplomacy/id/{n}>"),
    st.sampled_from(["ictd:", "rdfs:", "ex:", ":"]).flatmap(lambda p: names().map(lambda n: p + n)),
    ODD_TEXT.map(lambda t: '"' + t.replace('"', '') + '"'),
    st.integers(-10**30, 10**30).map(str),
    st.integers(1, 5000).map(lambda n: "x" * n),                                  # very long names
    st.integers(1, 400).map(lambda n: "{" * n + " ?s ?p ?o " + "}" * n),          # nested braces
    st.integers(1, 400).map(lambda n: "(" * n + "1" + ")" * n),
    ODD_TEXT,
)
SPARQLISH = st.lists(TOKENS, max_size=30).map(" ".join)
PREFIXED = SPARQLISH.map(lambda body: "PREFIX ictd: <https://w3id.org/ict-diplomacy/ontology#>\n"
                                      "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nSELECT * WHERE { " + body + " }")


# A small SPARQL grammar, so that many fuzzed queries parse and reach the evaluator.
VARIABLES = st.sampled_from(["?s", "?o", "?x", "?label", "?date"])
IRIS = st.sampled_from(["rdfs:label", "ictd:date", "a", "ictd:Country", "<https://w3id.org/ict-diplomacy/id/country/BR>",
                        "ictd:adoptingCountry", "<urn:x>", "<https://例え.jp/パス?q=1#f>"])
LITERALS = st.one_of(ODD_TEXT.map(lambda t: '"' + t.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'),
                     st.sampled_from(['"2019"^^xsd:gYear', '"x"@ja', '"x"@en-Latn-JP', '"NaN"^^xsd:double', "1e308",
                                      "-0.0", '""', '"\\u0000"', "true"]),
                     st.integers(-10**40, 10**40).map(str))
FUNCTIONS = ["CONCAT", "STRLEN", "SUBSTR", "REGEX", "REPLACE", "IF", "COALESCE", "STR", "LCASE", "UCASE", "STRDT",
             "ENCODE_FOR_URI", "ABS", "ROUND", "LANG", "LANGMATCHES", "CONTAINS", "STRBEFORE", "IRI", "xsd:integer",
             "xsd:dateTime", "YEAR", "MD5", "SHA512", "sameTerm", "isIRI", "DATATYPE", "BNODE", "STRUUID"]
EXPRESSIONS = st.recursive(
    st.one_of(VARIABLES, LITERALS, IRIS),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["=", "!=", "<", ">=", "+", "-", "*", "/", "&&", "||"]), inner).map(" ".join),
        st.tuples(st.sampled_from(FUNCTIONS), st.lists(inner, min_size=1, max_size=3))
          .map(lambda f: f"{f[0]}({', '.join(f[1])})"),
        inner.map(lambda e: f"!({e})"), inner.map(lambda e: f"({e})")),
    max_leaves=10)
PATHS = st.one_of(IRIS, st.tuples(IRIS, st.sampled_from(["*", "+", "?", "|rdfs:label", "/rdfs:label", ""]))
                  .map(lambda p: f"({p[0]}{p[1]})" if p[0] != "a" else "rdf:type"), IRIS.map(lambda p: f"^{p}"))
TRIPLES = st.tuples(st.one_of(VARIABLES, IRIS), PATHS, st.one_of(VARIABLES, IRIS, LITERALS)).map(" ".join)


def fill(template: str):
    """A function putting generated parts in the `§` places of a SPARQL template (braces and all)."""
    def put(parts) -> str:
        pieces = template.split("§")
        parts = [parts] if isinstance(parts, str) else list(parts)
        return "".join(piece + part for piece, part in zip(pieces, [*parts, ""]))
    return put


GROUPS = st.recursive(TRIPLES, lambda inner: st.one_of(
    st.tuples(inner, inner).map(" . ".join), inner.map(fill("{ § }")), inner.map(fill("OPTIONAL { § }")),
    st.tuples(inner, inner).map(fill("{ § } UNION { § }")), inner.map(fill("MINUS { § }")),
    inner.map(fill("FILTER NOT EXISTS { § }")), EXPRESSIONS.map(fill("FILTER(§)")),
    EXPRESSIONS.map(fill("BIND(§ AS ?bound)")), st.tuples(VARIABLES, LITERALS).map(fill("VALUES § { § UNDEF }"))),
    max_leaves=6)
MODIFIERS = st.sampled_from(["", "LIMIT 5", "ORDER BY ?s LIMIT 20", "OFFSET 3 LIMIT 1", "LIMIT 0", "OFFSET 99999999999"])
PROLOGUE = ("PREFIX ictd: <https://w3id.org/ict-diplomacy/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\nPREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n")
GRAMMAR = st.one_of(
    st.tuples(GROUPS, MODIFIERS).map(fill("SELECT * WHERE { § } §")),
    st.tuples(EXPRESSIONS, GROUPS).map(fill("SELECT (§ AS ?e) (COUNT(*) AS ?n) WHERE { § } GROUP BY ?s")),
    GROUPS.map(fill("ASK { § }")),
    st.tuples(TRIPLES, GROUPS).map(fill("CONSTRUCT { § } WHERE { § } LIMIT 50")),
    GROUPS.map(fill("DESCRIBE ?s WHERE { § } LIMIT 3")),
).map(lambda q: PROLOGUE + q)


def assert_documented(response: httpx.Response) -> None:
    assert response.status_code in DOCUMENTED, (response.status_code, response.text[:500])


def assert_still_up(server, workers: int = 2) -> None:
    assert server.process.poll() is None, server.log_text()[-3000:]
    answer = httpx.get(server.sparql, params={"query": CHEAP}, headers={"Accept": "application/json"},
                       timeout=CLIENT_TIMEOUT_S)
    assert answer.status_code == 200 and answer.json()["boolean"] is True
    assert wait_for_workers(server, workers), "a worker stopped by a deadline was not replaced"


@pytest.fixture(scope="module")
def client(ictd_server):
    with httpx.Client(base_url=ictd_server.base, timeout=CLIENT_TIMEOUT_S) as session:
        yield session
    assert_still_up(ictd_server)


def test_fuzzed_queries_get_documented_statuses(client, ictd_server):
    @FUZZ
    @given(text=st.one_of(SPARQLISH, PREFIXED, GRAMMAR), method=st.sampled_from(["GET", "POST-form", "POST-body"]),
           accept=st.sampled_from(["*/*", "application/json", "text/csv", "text/turtle", "text/plain", "x/y"]))
    def run(text: str, method: str, accept: str) -> None:
        assert_documented(send_query(client, text, method, accept))
    run()
    assert_still_up(ictd_server)


def test_fuzzed_queries_in_remote_mode(remote_server, oxigraph_server):
    """The same through the remote engine: 502 is documented there (the endpoint failed)."""
    with httpx.Client(base_url=remote_server.base, timeout=CLIENT_TIMEOUT_S) as remote:
        @settings(FUZZ, max_examples=60)
        @given(text=st.one_of(SPARQLISH, GRAMMAR), method=st.sampled_from(["GET", "POST-body"]))
        def run(text: str, method: str) -> None:
            response = send_query(remote, text, method, "*/*")
            assert response.status_code in DOCUMENTED | {502}, (response.status_code, response.text[:500])
        run()
    assert oxigraph_server.process.poll() is None
    assert_still_up(remote_server)  # remote mode runs only the workers of its preflight check


def send_query(client: httpx.Client, text: str, method: str, accept: str) -> httpx.Response:
    params = {"timeout": FUZZ_DEADLINE}
    headers = {"Accept": accept}
    if method == "GET":
        return client.get("/sparql", params={**params, "query": text}, headers=headers)
    if method == "POST-form":
        return client.post("/sparql", params=params, data={"query": text}, headers=headers)
    return client.post("/sparql", params=params, content=text.encode("utf-8"),
                       headers={**headers, "Content-Type": "application/sparql-query"})


# ---------------------------------------------------------------- stored-query API parameters

PARAM_VALUES = st.one_of(
    ODD_TEXT,
    st.integers(1, 3000).map(lambda n: "あ" * n),                                           # very long
    names().map(lambda n: f"https://w3id.org/ict-diplomacy/id/country/{n}"),
    st.sampled_from(["https://w3id.org/ict-diplomacy/id/country/BR", "id:country/PE", "ictd:Country",
                     "http://127.0.0.1:1/", "file:///etc/passwd", "> } SERVICE <http://127.0.0.1:1/> {",
                     '" . ?s ?p ?o . "', "2019", "2019-13", "2019-02-30", "-0", "1e9999", "", "en", "ja",
                     "<https://w3id.org/ict-diplomacy/id/country/BR>", "https://w3id.org/ict-diplomacy/id/country/B R"]),
    st.integers(-10**20, 10**20).map(str),
)


@pytest.fixture(scope="module")
def catalogue(client) -> list[dict]:
    return client.get("/api/queries").json()["queries"]


def test_fuzzed_api_parameters_get_documented_statuses(client, catalogue, ictd_server):
    queries = st.sampled_from(catalogue)

    @FUZZ
    @given(query=queries, data=st.data())
    def run(query: dict, data) -> None:
        declared = [p["name"] for p in query["parameters"]] + ["format", "unknown", "timeout"]
        chosen = data.draw(st.dictionaries(st.sampled_from(declared) | names(), PARAM_VALUES, max_size=4))
        accept = data.draw(st.sampled_from(["*/*", "text/csv", "text/turtle", "application/json", "x/y"]))
        response = client.get(query["url"], params=chosen, headers={"Accept": accept})
        assert_documented(response)
    run()
    assert_still_up(ictd_server)


# ---------------------------------------------------------------- schemathesis on the OpenAPI document

def test_api_conforms_to_its_openapi_document(ictd_server):
    """Every operation, with valid and with invalid inputs: no server error, and only the
    statuses the document lists for it."""
    import schemathesis
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import status_code_conformance

    schema = schemathesis.openapi.from_url(ictd_server.base + "/api/openapi.json", timeout=CLIENT_TIMEOUT_S)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures += _check_operation(operation, mode, ictd_server.base,
                                         [not_a_server_error, status_code_conformance])
    assert not failures, "\n\n".join(failures)
    assert_still_up(ictd_server)


def test_conditional_requests_get_the_304_the_document_lists(client):
    document = client.get("/api/openapi.json").json()
    first = client.get("/api/queries/class-counts")
    again = client.get("/api/queries/class-counts", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and "304" in document["paths"]["/api/queries/class-counts"]["get"]["responses"]


def _check_operation(operation, mode, base: str, checks: list) -> list[str]:
    @settings(max_examples=8, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case) -> None:
        response = case.call(base_url=base, timeout=CLIENT_TIMEOUT_S)
        case.validate_response(response, checks=checks)
    try:
        run()
    except Unsatisfiable:  # nothing to make invalid: the operation has no parameters
        return []
    except Exception as error:  # noqa: BLE001 - collected: one report for every operation
        return [f"{operation.label} ({mode.value}): {error}"]
    return []
