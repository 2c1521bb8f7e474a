"""Dereferencing: every IRI of the data answers in HTML and RDF, with content negotiation."""

from __future__ import annotations

import contextlib
import re

import pyoxigraph as ox
import pytest
import rdflib
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from ict_diplomacy.project import BASE, ID_BASE, ONTOLOGY_IRI
from ict_diplomacy.publish.release import Release
from ict_diplomacy.settings import Settings
from ict_diplomacy.web import deref
from ict_diplomacy.web.site import site_of
from tests.conftest import select

# ---------------------------------------------------------------- the app under test (shared)


async def start_engine(settings: Settings, release):
    from ict_diplomacy.sparql.workers import WorkerEngine
    return await WorkerEngine.start(settings, release)


def app_for(release, extra_routes=None, **settings) -> Starlette:
    """The real app (app.create_app) over the worker engine on `release`, with `extra_routes(site)`
    put first; the engine starts and stops with the lifespan (inside `with TestClient(app)`)."""
    from ict_diplomacy.web.app import create_app

    found = Release.find(release)
    resolved = found.path if found else None
    site = site_of(Settings().replace(workers=1, **settings), None, found)
    inner = create_app(site)
    if extra_routes:
        inner.router.routes[:0] = extra_routes(site)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        site.engine = await start_engine(site.settings, resolved) if resolved else None
        try:
            yield
        finally:
            if site.engine:
                await site.engine.close()

    app = Starlette(routes=[Mount("/", app=inner)], lifespan=lifespan)
    app.state.site = site
    return app


def error_of(response) -> dict:
    """The one error shape of the server: {"error": {"status", "code", "message", "detail"}}."""
    error = response.json()["error"]
    assert error["status"] == response.status_code
    return error


@pytest.fixture(scope="module")
def client(release):
    with TestClient(app_for(release), headers={"Accept-Encoding": "identity"}) as client:  # bytes as served
        yield client


def resources(store: ox.Store) -> list[str]:
    """Every resource of the data, retired identifiers left out (they answer 301 or 410)."""
    rows = store.query(f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{BASE}")'
                       f' && !STRSTARTS(STR(?s), "{ONTOLOGY_IRI}#") && ?s != <{ONTOLOGY_IRI}>)'
                       f' FILTER NOT EXISTS {{ ?s a <{ONTOLOGY_IRI}#RetiredResource> }} }}')
    return sorted(row["s"].value for row in rows)


def test_every_retired_identifier_of_the_data_answers_as_its_record_says(client, store):
    rows = store.query(f"""SELECT ?s ?by WHERE {{ ?s a <{ONTOLOGY_IRI}#RetiredResource>
        OPTIONAL {{ ?s <http://purl.org/dc/terms/isReplacedBy> ?by }} }}""")
    records = {row["s"].value: row["by"].value if row["by"] else None for row in rows}
    assert records
    for iri, replacement in records.items():
        response = client.get(path_of(iri), headers={"Accept": "text/turtle"}, follow_redirects=False)
        if replacement:
            assert response.status_code == 301 and response.headers["location"] == path_of(replacement), iri
        else:
            assert response.status_code == 410 and response.json()["error"]["code"] == "gone", iri


def path_of(iri: str) -> str:
    return "/" + iri[len(BASE):]


def triples_of(turtle: bytes) -> set[ox.Triple]:
    return {quad.triple for quad in ox.parse(turtle, format=ox.RdfFormat.TURTLE)}


def subject_triples(store: ox.Store, iri: str) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(ox.NamedNode(iri), None, None)}


# ---------------------------------------------------------------- every resource


def test_every_resource_dereferences_in_turtle_and_html(client, store):
    iris = resources(store)
    assert len(iris) > 600
    for iri in iris:
        turtle = client.get(path_of(iri), headers={"Accept": "text/turtle"})
        assert turtle.status_code == 200, iri
        served = triples_of(turtle.content)
        missing = subject_triples(store, iri) - served
        assert not missing, f"{iri}: {len(missing)} triples missing, e.g. {next(iter(missing))}"
        page = client.get(path_of(iri), headers={"Accept": "text/html"})
        assert page.status_code == 200, iri
        assert page.headers["content-type"].startswith("text/html")
        assert iri in page.text


def test_description_has_labels_incoming_links_and_sources(client):
    served = triples_of(client.get("/id/country/BR.ttl").content)
    graph = {(t.subject.value, t.predicate.value, t.object.value) for t in served}
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    assert (ID_BASE + "region/latin-america", label, "Latin America") in graph or any(
        s == ID_BASE + "region/latin-america" and p == label for s, p, _ in graph)
    assert any(o == ID_BASE + "country/BR" and s.startswith(ID_BASE + "adoption/") for s, _, o in graph)
    sources = [o for s, p, o in graph if s == ID_BASE + "country/BR" and p.endswith("/source")]
    assert sources and all(any(s == src and p == label for s, p, _ in graph) for src in sources)
    assert any(s == ID_BASE + "source/white-paper-2020" for s, _, _ in graph), "the white paper is part of the sources"


def test_html_uses_labels_and_languages(client):
    english = client.get("/id/country/BR", headers={"Accept": "text/html"})
    assert '<html lang="en">' in english.text and ">Brazil<" in english.text
    assert 'href="/id/region/latin-america?lang=en"' in english.text
    japanese = client.get("/id/country/BR?lang=ja", headers={"Accept": "text/html"})
    assert '<html lang="ja">' in japanese.text and "ブラジル" in japanese.text
    by_header = client.get("/id/country/BR", headers={"Accept": "text/html", "Accept-Language": "ja,en;q=0.5"})
    assert '<html lang="ja">' in by_header.text
    assert english.headers["etag"] != japanese.headers["etag"]
    assert [s for s in re.findall(r"<script\b[^>]*>", english.text) if "application/ld+json" not in s] == []  # data only


# ---------------------------------------------------------------- negotiation and headers


@pytest.mark.parametrize("accept, media_type", [
    ("text/turtle", "text/turtle"),
    ("application/ld+json", "application/ld+json"),
    ("application/n-triples", "application/n-triples"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
    ("text/turtle;q=0.5, application/ld+json", "application/ld+json"),
    ("application/rdf+xml;q=0.9, text/turtle", "text/turtle"),
    ("*/*", "text/html"),
    ("text/*", "text/html"),
])
def test_accept_header_picks_the_format(client, accept, media_type):
    response = client.get("/id/country/PE", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type


@pytest.mark.parametrize("key, media_type, parse", [
    ("ttl", "text/turtle", "turtle"), ("jsonld", "application/ld+json", "json-ld"),
    ("nt", "application/n-triples", "nt"), ("rdf", "application/rdf+xml", "xml"),
])
def test_format_parameter_and_extension(client, store, key, media_type, parse):
    expected = {(str(t.subject.value), str(t.predicate.value)) for t in subject_triples(store, ID_BASE + "country/PE")}
    for url in (f"/id/country/PE?format={key}", f"/id/country/PE.{key}"):
        response = client.get(url, headers={"Accept": "text/html"})  # the URL wins over Accept
        assert response.status_code == 200, url
        assert response.headers["content-type"].split(";")[0] == media_type
        assert response.headers["content-location"] == f"/id/country/PE.{key}"
        graph = rdflib.Graph().parse(data=response.content, format=parse)
        got = {(str(s), str(p)) for s, p, _ in graph}
        assert expected <= got, url


def test_headers_vary_etag_location_and_links(client):
    response = client.get("/id/organization/itu", headers={"Accept": "text/turtle"})
    assert "Accept" in response.headers["vary"]
    assert response.headers["etag"].startswith('"') and response.headers["etag"].endswith('"')
    assert response.headers["content-location"] == "/id/organization/itu.ttl"
    links = response.headers["link"]
    for fmt in deref.FORMATS:
        assert f'</id/organization/itu.{fmt.extension}>; rel="alternate"; type="{fmt.media_type}"' in links
    other = client.get("/id/organization/itu", headers={"Accept": "application/ld+json"})
    assert other.headers["etag"] != response.headers["etag"]


def test_if_none_match_gives_304(client):
    first = client.get("/id/country/BR", headers={"Accept": "text/turtle"})
    again = client.get("/id/country/BR", headers={"Accept": "text/turtle", "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    listed = client.get("/id/country/BR", headers={"Accept": "text/turtle", "If-None-Match": f'"x", W/{first.headers["etag"]}'})
    assert listed.status_code == 304
    changed = client.get("/id/country/BR", headers={"Accept": "application/n-triples", "If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200


def test_head_answers_headers(client):
    response = client.head("/id/country/BR.ttl")
    assert response.status_code == 200 and response.headers["etag"]


# ---------------------------------------------------------------- errors


def test_unknown_resource_is_404(client):
    response = client.get("/id/country/XX", headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    body = error_of(response)
    assert body["code"] == "not-found" and ID_BASE + "country/XX" in body["message"]
    assert client.get("/id/nothing/here.ttl").status_code == 404


def test_unacceptable_lists_what_is_available(client):
    response = client.get("/id/country/BR", headers={"Accept": "image/png"})
    assert response.status_code == 406
    body = error_of(response)
    assert set(body["detail"]["available"]) == {f.media_type for f in deref.FORMATS}
    assert "text/turtle" in body["message"]
    bad = client.get("/id/country/BR?format=pdf")
    assert bad.status_code == 406 and "?format=ttl" in error_of(bad)["message"]


# ---------------------------------------------------------------- the ontology


def test_ontology_rdf(client, store):
    for response in (client.get("/ontology", headers={"Accept": "text/turtle"}), client.get("/ontology.ttl")):
        assert response.status_code == 200
        served = triples_of(response.content)
        assert subject_triples(store, ONTOLOGY_IRI) <= served
        assert subject_triples(store, ONTOLOGY_IRI + "#Country") <= served


def test_ontology_html_lists_terms_with_both_labels(client):
    response = client.get("/ontology", headers={"Accept": "text/html"})
    assert response.status_code == 200
    html = response.text
    assert 'id="Country"' in html and '<dd lang="ja">国</dd>' in html
    assert 'id="adoptingCountry"' in html
    assert "ICT Diplomacy Ontology" in html
    japanese = client.get("/ontology?lang=ja", headers={"Accept": "text/html"})
    assert "ICT外交オントロジー" in japanese.text and "クラス" in japanese.text


def test_term_links_point_into_the_ontology_page(client):
    html = client.get("/id/country/BR", headers={"Accept": "text/html"}).text
    assert 'href="/ontology?lang=en#Country"' in html




def test_the_blank_node_closure_follows_every_link_that_chains_blank_nodes_in_the_data(store):
    """Pages follow only deref's list of links from one blank node to the next (a walk along any
    link runs out of Virtuoso's memory at 1M triples): data chaining blank nodes by another
    property would lose triples from its pages, so this fails first."""
    used = {f"<{row['p']}>" for row in select(store, "SELECT DISTINCT ?p { ?a ?p ?b FILTER(isBlank(?a) && isBlank(?b)) }")}
    assert used and used <= set(deref._BLANK_LINKS.split("|"))
