"""The stored-query API: catalogue, runs with typed parameters, formats, OpenAPI 3.1, docs."""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox
import pytest
from openapi_spec_validator import validate
from starlette.testclient import TestClient

from ict_diplomacy.web import api

from ict_diplomacy.sparql import queries
from ict_diplomacy.project import ID_BASE
from tests.test_deref import app_for, error_of

CONSTRUCT = """#+ title: {ja: 国の地域, en: Region of a country}
#+ description: {ja: 国とその地域を返す。, en: A country and the region it is in.}
#+ tags: [test]
#+ params:
#+   country: {type: iri, class: ictd:Country, default: "https://w3id.org/ict-diplomacy/id/country/BR"}
#+ example: ict-diplomacy query country-region --param country=id:country/PE
#+ result: {kind: construct}
PREFIX ictd: <https://w3id.org/ict-diplomacy/ontology#>
CONSTRUCT { ?country ictd:inRegion ?region } WHERE { ?country ictd:inRegion ?region }
"""


@pytest.fixture(scope="module")
def catalogue(project):
    return queries.load(project)


@pytest.fixture(scope="module")
def client(release):
    with TestClient(app_for(release)) as client:
        yield client


@pytest.fixture(scope="module")
def graph_client(release, tmp_path_factory):
    directory = tmp_path_factory.mktemp("queries")
    (directory / "country-region.rq").write_text(CONSTRUCT, encoding="utf-8")
    graph_catalogue = queries.load(directory)
    with TestClient(app_for(release, lambda site: api.routes(site, graph_catalogue))) as client:
        yield client


def test_catalogue_lists_every_stored_query(client, catalogue):
    body = client.get("/api/queries").json()
    listed = {q["name"]: q for q in body["queries"]}
    assert set(listed) == set(catalogue) and len(listed) >= 10
    profile = listed["country-profile"]
    assert profile["title"]["ja"] and profile["title"]["en"]
    params = {p["name"]: p for p in profile["parameters"]}
    assert params["country"]["type"] == "iri" and params["country"]["default"].startswith(ID_BASE)
    assert params["lang"]["enum"] == ["ja", "en"]
    assert profile["formats"]["csv"] == "text/csv"


def test_openapi_is_valid_and_lists_every_query(client, catalogue):
    document = client.get("/api/openapi.json").json()
    validate(document)  # raises on an invalid OpenAPI 3.1 document
    assert document["openapi"].startswith("3.1")
    for name, query in catalogue.items():
        operation = document["paths"][f"/api/queries/{name}"]["get"]
        parameters = {p["name"]: p for p in operation["parameters"]}
        extra = {"format", "bom"} if query.kind == "select" else {"format"}
        assert set(query.params) | extra == set(parameters), name
        for pname, param in query.params.items():
            schema = parameters[pname]["schema"]
            assert parameters[pname]["required"] is (param.default is None)
            if param.enum:
                assert schema["enum"], (name, pname)
            if param.default is not None:
                assert "default" in schema, (name, pname)
    lang = {p["name"]: p for p in document["paths"]["/api/queries/country-profile"]["get"]["parameters"]}["lang"]
    assert lang["schema"] == {"type": "string", "enum": ["ja", "en"], "default": "en"}


def test_runs_a_query_with_a_parameter(client):
    response = client.get("/api/queries/country-profile", params={"country": ID_BASE + "country/PE", "lang": "ja"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert response.headers[api.TRUNCATED] == "false"
    rows = response.json()["results"]["bindings"]
    assert rows and any(r.get("activity", {}).get("value") == ID_BASE + "adoption/isdb-t-pe" for r in rows)
    assert all(r["activityLabel"].get("xml:lang") == "ja" for r in rows if "activityLabel" in r)
    short = client.get("/api/queries/country-profile?country=id:country/PE&lang=ja")  # prefixed IRI
    assert short.status_code == 200 and short.json()["results"]["bindings"] == rows


def test_defaults_are_honoured(client):
    default = client.get("/api/queries/country-profile").json()["results"]["bindings"]
    explicit = client.get("/api/queries/country-profile", params={"country": ID_BASE + "country/BR", "lang": "en"}).json()
    assert default == explicit["results"]["bindings"] and default


@pytest.mark.parametrize("fmt, accept, media_type", [
    ("csv", None, "text/csv"), ("tsv", None, "text/tab-separated-values"),
    (None, "text/csv", "text/csv"), (None, "application/sparql-results+xml", "application/sparql-results+xml"),
])
def test_formats(client, fmt, accept, media_type):
    params = {"format": fmt} if fmt else {}
    headers = {"Accept": accept} if accept else {}
    response = client.get("/api/queries/isdb-t-timeline", params=params, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    if media_type == "text/csv":
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert any(r["country"] == ID_BASE + "country/BR" for r in rows)
    assert "Accept" in response.headers["vary"]


@pytest.mark.parametrize("params, name", [
    ({"country": ID_BASE + "country/XX"}, "country"),
    ({"country": "not an iri"}, "country"),
    ({"lang": "fr"}, "lang"),
    ({"bogus": "1"}, "bogus"),
])
def test_bad_parameter_is_a_400_naming_it(client, params, name):
    response = client.get("/api/queries/country-profile", params=params)
    assert response.status_code == 400
    body = error_of(response)
    assert body["detail"]["parameter"] == name and repr(name) in body["message"]


def test_repeated_parameter_is_refused(client):
    response = client.get("/api/queries/country-profile?lang=ja&lang=en")
    assert response.status_code == 400 and error_of(response)["detail"]["parameter"] == "lang"


def test_unknown_query_and_wrong_format(client):
    missing = client.get("/api/queries/no-such-query")
    assert missing.status_code == 404 and "no-such-query" in error_of(missing)["message"]
    wrong = client.get("/api/queries/isdb-t-timeline?format=ttl")
    assert wrong.status_code == 406 and "text/csv" in error_of(wrong)["detail"]["available"]


def test_etag_and_304(client):
    first = client.get("/api/queries/isdb-t-timeline?format=csv")
    again = client.get("/api/queries/isdb-t-timeline?format=csv", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    other = client.get("/api/queries/isdb-t-timeline?format=tsv")
    assert other.headers["etag"] != first.headers["etag"]


def test_graph_query_gives_rdf(graph_client):
    response = graph_client.get("/api/queries/country-region?country=id:country/PE&format=ttl")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    triples = [q.triple for q in ox.parse(response.content, format=ox.RdfFormat.TURTLE)]
    assert [t.subject.value for t in triples] == [ID_BASE + "country/PE"]
    jsonld = graph_client.get("/api/queries/country-region", headers={"Accept": "application/ld+json"})
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    assert ID_BASE + "country/BR" in jsonld.text
    assert graph_client.get("/api/queries/country-region?format=csv").status_code == 406
    assert graph_client.get("/api/openapi.json").json()["paths"]["/api/queries/country-region"]


def test_interactive_docs_are_served_locally(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert "/api/docs/static/swagger-ui-bundle.js" in page.text and "https://" not in page.text
    bundle = client.get("/api/docs/static/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and b"SwaggerUIBundle" in bundle.content[:2000]
    assert "/api/openapi.json" in client.get("/api/docs/init.js").text


def test_a_stored_query_goes_around_the_starlette_app_only_without_origin(release):
    """The lean route (web/app.py LeanSparql) runs the same handler as the app's route, and
    only when no Origin asks for CORS; the route's own `handle` counts what went through the app."""
    from ict_diplomacy.web.app import LeanSparql
    outer = app_for(release)
    app = outer.routes[0].app  # app_for mounts the app at /, under a lifespan that starts the engine
    outer.routes[0].app = LeanSparql(app, outer.state.site)
    route = next(r for r in app.routes if getattr(r, "name", "") == "api-query")
    through_app, handle = [], route.handle

    async def counted(scope, receive, send):
        through_app.append(scope["path"])
        await handle(scope, receive, send)
    route.handle = counted
    path = f"/api/queries/country-profile?country={ID_BASE}country/BR"
    with TestClient(outer) as client:
        lean = client.get(path)
        assert lean.status_code == 200 and through_app == []
        with_origin = client.get(path, headers={"Origin": "https://example.org"})
        assert through_app == ["/api/queries/country-profile"]
        assert with_origin.content == lean.content and with_origin.headers["etag"] == lean.headers["etag"]
        missing = client.get("/api/queries/no-such-query")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not-found" and len(through_app) == 1
