"""Remote mode on the engines publishers run: Oxigraph's server and OpenLink Virtuoso 7 (Debian's),
both on loopback and started for this session (tests/servers.py, tests/virtuoso.py). Every stored
query (its defaults, in Japanese, with its example's parameters; the federated ones against the
Wikidata stand-in), every page and every API route answer exactly as on the embedded store:
terms compared whole (datatypes and language tags included), only the order of the items a
GROUP_CONCAT lists left free. Where an engine cannot be made to agree, the stored query says so
in its `#+ differs:` metadata, and running it there is refused rather than answered wrongly."""

from __future__ import annotations

import contextlib
import csv
import difflib
import io
import re

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import to_isomorphic
from starlette.testclient import TestClient

from ict_diplomacy.errors import UpstreamUnsupported
from ict_diplomacy.publish.release import Release
from ict_diplomacy.settings import Settings
from ict_diplomacy.sparql import queries
from ict_diplomacy.sparql.connect import open_engine as start_engine
from ict_diplomacy.web.app import create_app
from ict_diplomacy.web.site import site_of
from tests.virtuoso import GRAPH

ENGINES = ("oxigraph", "virtuoso")
SEPARATORS = (", ", " | ")   # of the stored queries' GROUP_CONCATs
REMOTE_SETTINGS = ("#sparql_endpoint", "#default_graph_uri")


@pytest.fixture(scope="session")
def upstream(request, oxigraph_server):
    """upstream(name) -> the settings that point remote mode at that engine."""
    def settings_for(name: str) -> dict:
        if name == "oxigraph":
            return {"sparql_endpoint": oxigraph_server.base + "/query"}
        virtuoso = request.getfixturevalue("virtuoso_server")
        return {"sparql_endpoint": virtuoso.sparql, "default_graph_uri": GRAPH}
    return settings_for


@pytest.fixture(scope="module", params=ENGINES)
def remote(request, open_engine, upstream):
    return request.param, open_engine(**upstream(request.param))


# ---------------------------------------------------------------- answers compared whole

def _cell(term) -> str:
    text = str(term)
    for separator in SEPARATORS:
        if separator in term.value:
            return text.replace(term.value, separator.join(sorted(term.value.split(separator))))
    return text


def whole(result: queries.Result):
    """A result as a value two engines must share: rows as sorted (column, term) pairs (a
    multiset: duplicates count), the boolean, or the set of triples."""
    if result.query.kind == "select":
        return sorted(tuple(sorted((c, _cell(t)) for c, t in row.items() if t is not None)) for row in result.rows)
    if result.query.kind == "ask":
        return result.boolean
    return sorted(set(map(str, result.triples)))


def example_params(query: queries.StoredQuery) -> dict[str, str]:
    params = dict(re.findall(r"--param (\w+)=(\S+)", query.example))
    if "lang" in query.params and "--lang ja" in query.example:
        params["lang"] = "ja"
    return params


def variants(query: queries.StoredQuery) -> list[dict[str, str]]:
    found = [{}, {"lang": "ja"} if "lang" in query.params else None, example_params(query) or None]
    return [v for i, v in enumerate(found) if v is not None and v not in found[:i]]


def test_every_stored_query_answers_as_on_the_embedded_store(catalogue, embedded, remote, call):
    name, engine = remote
    compared = 0
    for query in catalogue.values():
        if query.federated:
            continue
        for params in variants(query):
            ours = call(queries.run, query, params, embedded)
            theirs = call(queries.run, query, params, engine)
            if name in query.differs:
                assert_known_difference(query, ours, theirs)
            else:
                assert whole(theirs) == whole(ours), (name, query.name, params)
            compared += 1
    assert compared > len(catalogue)


def assert_known_difference(query: queries.StoredQuery, ours: queries.Result, theirs: queries.Result) -> None:
    """What a query's `differs` says, checked: Virtuoso's DESCRIBE holds ours and the statements
    pointing at the resource besides."""
    assert query.kind == "describe", query.name
    resource = ours.bindings["resource"]
    extra = set(theirs.triples) - set(ours.triples)
    assert set(ours.triples) <= set(theirs.triples)
    assert all(t.object == resource for t in extra)


def test_parameters_outside_the_defaults(catalogue, embedded, remote, call):
    name, engine = remote
    for query_name, params in [("country-profile", {"country": "id:country/PE", "lang": "ja"}),
                               ("happened-in-month", {"month": "2019-10"}),
                               ("agreements", {"type": "ictd:MemorandumOfCooperation", "year": "2018"}),
                               ("events-by-topic", {"topic": "id:topic/cybersecurity"}),
                               ("funding", {"instrument": "ictd:Loan", "lang": "ja"}),
                               ("dialogues-with-partner", {"partner": "id:country/VN"}),
                               ("describe", {"resource": "id:event/wrc-19"})]:
        query = catalogue[query_name]
        ours, theirs = call(queries.run, query, params, embedded), call(queries.run, query, params, engine)
        if name in query.differs:
            assert_known_difference(query, ours, theirs)
        else:
            assert whole(theirs) == whole(ours), (name, query_name, params)


# ---------------------------------------------------------------- federated queries

def test_federated_queries_against_the_stand_ins(catalogue, open_engine, upstream, remote, call, stand_ins):
    name, _ = remote
    local = open_engine(service_allow=list(stand_ins.values()))
    forwarded = open_engine(service_allow=list(stand_ins.values()), **upstream(name))
    for query in catalogue.values():
        if query.federated:
            for params in variants(query):
                ours = whole(call(queries.run, query, params, local, stand_ins=stand_ins))
                assert ours, query.name
                if name in query.differs:  # the known difference: refused, not answered wrongly
                    with pytest.raises(UpstreamUnsupported, match="SERVICE cannot be forwarded"):
                        call(queries.run, query, params, forwarded, stand_ins=stand_ins)
                    continue
                theirs = whole(call(queries.run, query, params, forwarded, stand_ins=stand_ins))
                assert theirs == ours, (name, query.name, params)


def test_known_differences_name_an_engine_and_say_why(catalogue):
    differing = {name: query for name, query in catalogue.items() if query.differs}
    assert {name for name, query in catalogue.items() if query.federated} | {"describe"} == set(differing)
    assert all(set(query.differs) == {"virtuoso"} for query in differing.values())
    assert all("GRAPH" in q.differs["virtuoso"] for q in differing.values() if q.federated)


# ---------------------------------------------------------------- pages and API routes

@contextlib.contextmanager
def client_on(release, **settings):
    """The real app on the test release, its engine chosen by the settings (remote or embedded)."""
    found = Release.find(release)
    site = site_of(Settings().replace(workers=1, answer_cache_mb=0, **settings), None, found)
    app = create_app(site)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        site.engine = await start_engine(site.settings, found)
        try:
            yield
        finally:
            await site.engine.close()
    app.router.lifespan_context = lifespan
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="module")
def sites(release, upstream):
    with contextlib.ExitStack() as stack:
        yield {name: stack.enter_context(client_on(release, **({} if name == "embedded" else upstream(name))))
               for name in ("embedded", *ENGINES)}


def site_paths(catalogue, store) -> list[str]:
    from tests.test_deref import path_of, resources
    paths = ["/", "/search?q=ITU", "/search?q=電気通信", "/timeline", "/timeline?country=country/PE&topic=topic/5g",
             "/map", "/charts/isdb-t", "/queries", "/query", "/ontology", "/ontology.ttl", "/sparql", "/dumps/",
             "/api/queries", "/api/openapi.json", "/api/search?q=ITU", "/api/search?q=総務&lang=ja",
             "/.well-known/void"]
    for name in catalogue:
        paths += [f"/queries/{name}", f"/api/queries/{name}"]
        paths += [f"/api/queries/{name}?format={f}" for f in ("csv", "tsv", "xml", "ttl")]
    every = resources(store)
    paths += [path_of(iri) + extension for iri in every[::12] for extension in ("", ".ttl", ".nt")]
    return [p + ("&" if "?" in p else "?") + f"lang={lang}" for p in paths for lang in ("en", "ja")]


def test_every_page_and_api_route_answers_as_on_the_embedded_store(sites, catalogue, store):
    paths, answered = site_paths(catalogue, store), 0
    for path in paths:
        ours = sites["embedded"].get(path, headers={"Accept": "text/html,*/*;q=0.8"})
        assert ours.status_code < 500, (path, ours.text[:300])
        answered += ours.status_code == 200
        for name in ENGINES:
            theirs = sites[name].get(path, headers={"Accept": "text/html,*/*;q=0.8"})
            if name in differs_at(path, catalogue):  # what the query's `differs` says (checked above)
                assert theirs.status_code == ours.status_code, (name, path)
                continue
            assert comparable(theirs) == comparable(ours), (name, path, difference(ours, theirs))
    assert answered > 600


def difference(ours, theirs) -> str:
    lines = difflib.unified_diff(ours.text.splitlines(), theirs.text.splitlines(), lineterm="", n=0)
    return "\n".join(line[:300] for line in list(lines)[:20])


def differs_at(path: str, catalogue) -> dict[str, str]:
    """The `differs` of the stored query a page or API route answers with (none for other paths)."""
    found = re.match(r"/(?:api/)?queries/([\w-]+)", path)
    return catalogue[found[1]].differs if found and found[1] in catalogue else {}


def comparable(response):
    """What two engines must agree on in an answer: status, and the body up to what SPARQL leaves
    open (row order among equals, blank node labels, the order of a GROUP_CONCAT's items)."""
    media = response.headers.get("content-type", "").split(";")[0]
    body = response.content
    if response.status_code != 200 or media in ("application/json", "text/css", "image/svg+xml"):
        return response.status_code, body
    if media in RESULTS:
        results = ox.parse_query_results(body, RESULTS[media])
        if isinstance(results, ox.QueryBoolean):
            return 200, bool(results)
        names = [v.value for v in results.variables]
        rows = sorted(tuple((n, _cell(row[n])) for n in names if row[n] is not None) for row in results)
        return 200, names, rows, b'"truncated":true' in body[:40]
    if media == "text/csv":
        rows = csv.reader(io.StringIO(body.decode()))
        return 200, sorted(tuple(map(_sorted_items, row)) for row in rows)
    rdf = ox.RdfFormat.from_media_type(media) if media not in ("text/html", "text/plain") else None
    if rdf:
        triples = [q.triple for q in ox.parse(body, format=rdf)
                   if not q.predicate.value.endswith(REMOTE_SETTINGS)]  # the service description's own settings
        graph = rdflib.Graph()
        graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
        return 200, to_isomorphic(graph)
    text = re.sub(r'<tr id="limit-(?:sparql_endpoint|default_graph_uri|upstream_engine)">.*?</tr>', "", body.decode())
    return 200, _sorted_lists(text)  # (the /sparql page lists the settings, which differ)


RESULTS = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
           "application/sparql-results+xml": ox.QueryResultsFormat.XML,
           "text/tab-separated-values": ox.QueryResultsFormat.TSV}


def _sorted_items(text: str) -> str:
    for separator in SEPARATORS:
        if separator in text:
            return separator.join(sorted(text.split(separator)))
    return text


def _sorted_lists(html: str) -> str:
    """Each text between two tags with its ", "- or " | "-separated items sorted."""
    return re.sub(r">([^<]*)<", lambda m: ">" + _sorted_items(m[1]) + "<", html)
