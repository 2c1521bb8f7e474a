"""Stored queries through the remote engine against real `oxigraph serve-read-only` processes: one
serving the built store, and one per link target with an endpoint, loaded with a fixture shaped like
that endpoint's data (tests/fixtures/wikidata.ttl for Wikidata, gbizinfo.trig for gBizINFO,
eu-corporate-body.ttl for the EU Publications Office). All bind 127.0.0.1 only and live for this
test session. The same engine interface runs them on the
embedded store and on the endpoint: the answers must be the same."""

import httpx

import pyoxigraph as ox
import pytest

from ict_diplomacy import cli
from ict_diplomacy.sparql import queries
from ict_diplomacy.sparql.render import cell

from .servers import STAND_IN_FIXTURES
from .test_queries import HOSTILE, ID, non_federated, normalized

@pytest.fixture(scope="session")
def endpoint(oxigraph_server):
    return oxigraph_server.base + "/query"


@pytest.fixture(scope="module")
def remote(open_engine, endpoint):
    return open_engine(sparql_endpoint=endpoint)


@pytest.fixture(scope="module")
def federating(open_engine, stand_ins):
    """The embedded engine allowed to call the stand-ins."""
    return open_engine(service_allow=list(stand_ins.values()))


@pytest.fixture(scope="module")
def remote_federating(open_engine, endpoint, stand_ins):
    return open_engine(sparql_endpoint=endpoint, service_allow=list(stand_ins.values()))


def same(query, local, remote):
    if query.kind == "select":
        assert local.columns == remote.columns, query.name
        assert normalized(local) == normalized(remote), query.name
    elif query.kind == "ask":
        assert local.boolean is remote.boolean, query.name
    else:
        assert set(local.triples) == set(remote.triples), query.name


def test_remote_endpoint_gives_the_embedded_answers(catalogue, embedded, remote, call):
    for name in non_federated(catalogue):
        query = catalogue[name]
        for params in ({}, {"lang": "ja"} if "lang" in query.params else {}):
            same(query, call(queries.run, query, params, embedded), call(queries.run, query, params, remote))


def test_remote_answers_with_parameters(catalogue, embedded, remote, call):
    for name, params in [("country-profile", {"country": ID + "country/PE"}),
                         ("happened-in-month", {"month": "2019-10"}),
                         ("agreements", {"type": "ictd:MemorandumOfCooperation", "year": "2018"}),
                         ("country-adopted-standard", {"country": ID + "country/VN"}),
                         ("describe", {"resource": ID + "event/wrc-19"})]:
        query = catalogue[name]
        same(query, call(queries.run, query, params, embedded), call(queries.run, query, params, remote))


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_text_over_http_is_bound_as_one_literal(catalogue, remote, call, value):
    result = call(queries.run, catalogue["label-search"], {"text": value}, remote)
    assert result.columns == ["resource", "label", "typeLabel"] and result.rows == []


def test_remote_refuses_an_iri_outside_the_class(catalogue, remote, call):
    with pytest.raises(queries.ParameterError, match="'country'"):
        call(queries.run, catalogue["country-profile"], {"country": ID + "organization/itu"}, remote)


# ---------------------------------------------------------------- federated queries, Wikidata stood in for

def _cells(result, *columns):
    return {tuple(cell(row[c]) for c in columns) for row in result.rows}


def test_population_of_partner_countries(catalogue, federating, call, wikidata):
    result = call(queries.run, catalogue["wikidata-partner-population"], {}, federating, wikidata_endpoint=wikidata)
    assert _cells(result, "country", "population") == {
        ("country/BR", "203080756"), ("country/US", "331449281"), ("country/PE", "29381884")}  # not Austria


def test_capitals_of_partner_countries_in_japanese(catalogue, federating, call, wikidata):
    result = call(queries.run, catalogue["wikidata-partner-capitals"], {}, federating, lang="ja", wikidata_endpoint=wikidata)
    assert _cells(result, "countryLabel", "capitalLabel") == {
        ("ブラジル", "ブラジリア"), ("ペルー", "リマ"), ("米国", "ワシントンD.C.")}


def test_headquarters_of_international_organizations(catalogue, federating, call, wikidata):
    result = call(queries.run, catalogue["wikidata-organization-headquarters"], {}, federating, wikidata_endpoint=wikidata)
    assert _cells(result, "organization", "headquartersLabel", "ourHeadquarters") == {
        ("organization/itu", "Geneva", "place/geneva")}  # the company's headquarters stays out


def test_isdb_t_adopters_with_population_and_capital(catalogue, federating, call, wikidata):
    result = call(queries.run, catalogue["wikidata-isdb-t-adopters"], {}, federating, wikidata_endpoint=wikidata)
    assert [tuple(cell(row[c]) for c in ("date", "country", "population", "capital")) for row in result.rows] == [
        ("2006-06", "country/BR", "203080756", "wd:Q2844"), ("2009-04", "country/PE", "29381884", "wd:Q2868")]


def test_group_members_from_wikidata(catalogue, federating, call, stand_ins):
    result = call(queries.run, catalogue["wikidata-group-members"], {}, federating, stand_ins=stand_ins)
    assert _cells(result, "group", "country") == {
        ("organization/g7", "country/JP"), ("organization/g7", "country/US"), ("organization/g20", "country/JP"),
        ("organization/g20", "country/US"), ("organization/g20", "country/BR"), ("organization/apec", "country/JP"),
        ("organization/apec", "country/US"), ("organization/apec", "country/PE")}  # not NATO


def test_government_organs_from_gbizinfo(catalogue, federating, call, stand_ins):
    result = call(queries.run, catalogue["gbizinfo-government-organs"], {}, federating, stand_ins=stand_ins)
    assert _cells(result, "organization", "corporateNumber", "registeredName", "organizationLabel") == {
        ("organization/mic", "2000012020001", "総務省", "総務省"),
        ("organization/mofa", "9000012040001", "外務省", "外務省"),
        ("organization/meti", "4000012090001", "経済産業省", "経済産業省")}  # not NEC (a company), not 内閣官房 (unlinked)
    mic = next(row for row in result.rows if cell(row["organization"]) == "organization/mic")
    assert cell(mic["address"]).startswith("東京都千代田区霞が関")


def test_authority_names_from_the_eu_publications_office(catalogue, federating, call, stand_ins):
    result = call(queries.run, catalogue["eu-corporate-bodies"], {}, federating, stand_ins=stand_ins)
    assert _cells(result, "organization", "authorityLabel") == {
        ("organization/european-commission", "European Commission"),
        ("organization/dg-connect", "Directorate-General for Communications Networks, Content and Technology")}


def test_every_link_target_with_an_endpoint_has_a_federated_query(catalogue):
    called = {key for query in catalogue.values() for key in query.services}
    assert called == set(queries.ENDPOINTS) == set(STAND_IN_FIXTURES)


def test_federated_queries_through_the_remote_endpoint(catalogue, federating, remote_federating, call, stand_ins):
    for name, query in catalogue.items():
        if query.federated:
            local = call(queries.run, query, {}, federating, stand_ins=stand_ins)
            assert local.rows, name
            same(query, local, call(queries.run, query, {}, remote_federating, stand_ins=stand_ins))


def test_cli_on_a_remote_endpoint(endpoint, stand_ins, capsys):
    assert cli.main(["query", "isdb-t-timeline", "--sparql-endpoint", endpoint, "--format", "json"]) == 0
    assert '"2006-06"' in capsys.readouterr().out
    assert cli.main(["query", "wikidata-partner-capitals", "--sparql-endpoint", endpoint,
                     "--wikidata-endpoint", stand_ins["wikidata"], "--lang", "ja"]) == 0
    assert "ブラジリア" in capsys.readouterr().out
    assert cli.main(["query", "gbizinfo-government-organs", "--sparql-endpoint", endpoint,
                     "--gbizinfo-endpoint", stand_ins["gbizinfo"], "--format", "tsv"]) == 0
    assert "2000012020001" in capsys.readouterr().out


# ---------------------------------------------------------------- one engine: the command and the server agree

def api_rows(server, query) -> list[dict]:
    """A stored query's rows from a running server's API (SPARQL JSON, declared columns only)."""
    response = httpx.get(f"{server.base}/api/queries/{query.name}", params={"format": "json"}, timeout=30)
    assert response.status_code == 200, (query.name, response.text[:300])
    bindings = response.json()["results"]["bindings"]
    return [{c: _term(b[c]) if c in b else None for c in query.columns} for b in bindings]


def _term(value: dict):
    if value["type"] == "uri":
        return ox.NamedNode(value["value"])
    if "xml:lang" in value:
        return ox.Literal(value["value"], language=value["xml:lang"])
    return ox.Literal(value["value"], datatype=ox.NamedNode(value.get("datatype", "http://www.w3.org/2001/XMLSchema#string")))


@pytest.mark.parametrize("server_name", ["ictd_server", "remote_server"])
def test_the_server_answers_every_stored_query_as_the_engine_does(catalogue, embedded, call, request, server_name):
    """The API of the server (embedded workers, or remote mode in front of Oxigraph's server) and
    the engine the `query` command runs give the same rows for every stored SELECT."""
    server = request.getfixturevalue(server_name)
    for name in non_federated(catalogue):
        query = catalogue[name]
        if query.kind == "select":
            ours = call(queries.run, query, {}, embedded)
            served = queries.Result(query, {}, columns=list(query.columns), rows=api_rows(server, query))
            assert normalized(served) == normalized(ours), name


@pytest.mark.parametrize("name", ["isdb-t-timeline", "happened-in-month", "country-codes"])
def test_the_command_answers_alike_on_the_built_store_and_an_endpoint(cli_root, endpoint, capsys, name):
    assert cli.main(["--root", str(cli_root), "query", name, "--format", "tsv"]) == 0
    local = sorted(capsys.readouterr().out.splitlines())
    assert cli.main(["--root", str(cli_root), "query", name, "--format", "tsv", "--sparql-endpoint", endpoint]) == 0
    assert sorted(capsys.readouterr().out.splitlines()) == local and len(local) > 1
