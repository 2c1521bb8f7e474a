"""Query strings are read by one reader (web/http.fields, yarl's decoder in C) on every route.
Starlette's `request.query_params` decodes with urllib, which holds the server process's event loop
12–50 ms for a query string at the request limit (64 kB of escapes, of `%`, or of `a=1&`): any page
with a parameter was a way to stall every other request."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote

import pytest
import starlette.datastructures
from hypothesis import given
from starlette.testclient import TestClient

from ict_diplomacy.web.http import fields

from tests.test_deref import app_for
from tests.test_sparql_protocol import ENCODED_PIECES, EXAMPLES

BR = "https://w3id.org/ict-diplomacy/id/country/BR"
# Each reads a parameter in another module: the page search, the search API, the language choice,
# a stored page's format, a kind's listing (sort, order, page, CSV with BOM), the activities'
# facets and paging, a stored query's page and API (parameter, format, BOM), the editor, the
# service description, an asset's version.
WITH_PARAMETERS = [
    "/search?q=ITU&page=1", "/api/search?q=ITU&limit=3&offset=1", "/?lang=ja", "/id/country/BR?format=ttl",
    "/id/country/?sort=name&order=desc&page=1", "/id/country/?format=csv&bom=1",
    "/activities?page=1&country=country/BR", f"/queries/country-profile?country={quote(BR)}&lang=en",
    f"/api/queries/country-profile?country={quote(BR)}&format=csv&bom=1", "/query?name=country-profile",
    "/query?query=" + quote("SELECT * WHERE { ?s ?p ?o } LIMIT 1"), "/sparql?format=ttl", "/static/site.css?v=1",
]


@EXAMPLES
@given(ENCODED_PIECES)
def test_the_reader_gives_the_fields_urllib_gives_in_their_order(encoded):
    assert fields(encoded) == parse_qsl(encoded, keep_blank_values=True)


@pytest.fixture(scope="module")
def client(release):
    with TestClient(app_for(release)) as client:
        yield client


@pytest.mark.parametrize("path", WITH_PARAMETERS)
def test_no_route_reads_its_query_string_with_urllib(client, path, monkeypatch):
    """With Starlette's urllib reader made to fail, every route still answers: none uses it."""
    expected = client.get(path)
    assert expected.status_code == 200, (path, expected.text[:300])

    def refused(*args, **kwargs):
        raise AssertionError(f"{path}: the query string went through urllib's parse_qsl")
    monkeypatch.setattr(starlette.datastructures, "parse_qsl", refused)
    answered = client.get(path)
    assert answered.status_code == 200 and answered.content == expected.content, (path, answered.text[:300])
