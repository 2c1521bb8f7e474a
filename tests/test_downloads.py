"""Downloads: the listing matches the manifest, files carry their checksum, nothing else is served."""

from __future__ import annotations

import hashlib
import json

import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

from ict_diplomacy.project import BASE
from tests.test_deref import app_for, error_of


@pytest.fixture(scope="module")
def manifest(release):
    return json.loads((release / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def client(release):
    with TestClient(app_for(release), headers={"Accept-Encoding": "identity"}) as client:  # bytes as served
        yield client


def test_listing_matches_the_manifest(client, manifest):
    body = client.get("/dumps/", headers={"Accept": "application/json"}).json()
    assert body["release"] == manifest["release"] and body["triples"] == manifest["triples"]
    listed = {f["name"]: f for f in body["files"]}
    for entry in manifest["files"]:
        assert listed[entry["name"]]["sha256"] == entry["sha256"]
        assert listed[entry["name"]]["bytes"] == entry["bytes"]
        assert listed[entry["name"]]["media_type"] == entry["media_type"]
    assert "manifest.json" in listed


def test_listing_in_html(client, manifest):
    page = client.get("/dumps/", headers={"Accept": "text/html"})
    assert page.status_code == 200 and '<html lang="en">' in page.text
    for entry in manifest["files"]:
        assert entry["sha256"] in page.text and f'href="/dumps/{entry["name"]}"' in page.text
    assert '<html lang="ja">' in client.get("/dumps/?lang=ja").text
    assert client.get("/dumps", follow_redirects=False).headers["location"] == "/dumps/"


def test_files_are_served_with_their_checksum(client, manifest):
    for entry in manifest["files"]:
        response = client.get(f"/dumps/{entry['name']}")
        assert response.status_code == 200
        assert hashlib.sha256(response.content).hexdigest() == entry["sha256"]
        assert response.headers["etag"] == f'"{entry["sha256"]}"'
        assert "max-age" in response.headers["cache-control"]
        permanent = client.get(f"/dumps/{manifest['release']}/{entry['name']}")
        assert permanent.status_code == 200 and permanent.content == response.content
        assert "immutable" in permanent.headers["cache-control"]
    gz = client.get("/dumps/ict-diplomacy.nt.gz")
    assert gz.headers["content-type"] == "application/gzip"


def test_if_none_match_gives_304(client, manifest):
    entry = manifest["files"][0]
    response = client.get(f"/dumps/{entry['name']}", headers={"If-None-Match": f'"{entry["sha256"]}"'})
    assert response.status_code == 304 and response.content == b""


@pytest.mark.parametrize("path", [
    "/dumps/../pyproject.toml",
    "/dumps/%2e%2e/pyproject.toml",
    "/dumps/..%2fpyproject.toml",
    "/dumps/%2e%2e%2fpyproject.toml",
    "/dumps/..%5cpyproject.toml",
    "/dumps/%2e%2e%2f%2e%2e%2fpyproject.toml",
    "/dumps/manifest.json/../../pyproject.toml",
    "/dumps/store",
    "/dumps/store/CURRENT",
    "/dumps/%00manifest.json",
    "/dumps/x/ict-diplomacy.ttl",
])
def test_traversal_and_unlisted_names_are_404(client, path):
    response = client.get(path)
    assert response.status_code == 404, path
    assert b"[build-system]" not in response.content


def test_raw_traversal_paths_are_404(release):
    """The same attacks with the path sent as is (an HTTP client would normalise `..`)."""
    from starlette.applications import Starlette

    app: Starlette = app_for(release)
    for raw in (b"/dumps/../pyproject.toml", b"/dumps/../../pyproject.toml", b"/dumps/..", b"/dumps/%2e%2e/manifest.json"):
        status = _asgi_get(app, raw)
        assert status == 404, raw


def _asgi_get(app, raw_path: bytes) -> int:
    from urllib.parse import unquote

    import anyio

    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": unquote(raw_path.decode()), "raw_path": raw_path, "root_path": "",
             "query_string": b"", "headers": [(b"host", b"testserver")], "server": ("testserver", 80),
             "client": ("127.0.0.1", 1234), "state": {}}
    anyio.run(app, scope, receive, send)
    return next(m["status"] for m in sent if m["type"] == "http.response.start")


def test_catalog_and_void(client, release):
    for url, name in (("/catalog", "catalog"), ("/.well-known/void", "void")):
        turtle = client.get(url, headers={"Accept": "text/turtle"})
        jsonld = client.get(url, headers={"Accept": "application/ld+json"})
        if not (release / f"{name}.ttl").exists():
            assert turtle.status_code == 404
            assert f"{name}.ttl" in error_of(turtle)["message"]
            continue
        assert turtle.status_code == 200 and turtle.headers["content-type"].startswith("text/turtle")
        assert turtle.content == (release / f"{name}.ttl").read_bytes()
        assert "Accept" in turtle.headers["vary"] and turtle.headers["content-location"] == f"{url}.ttl"
        assert list(ox.parse(turtle.content, format=ox.RdfFormat.TURTLE))
        assert jsonld.status_code == 200 and jsonld.headers["content-type"].startswith("application/ld+json")
        assert client.get(f"{url}.jsonld").content == jsonld.content
        assert client.get(f"{url}?format=ttl", headers={"Accept": "application/ld+json"}).content == turtle.content
        again = client.get(url, headers={"Accept": "text/turtle", "If-None-Match": turtle.headers["etag"]})
        assert again.status_code == 304


def test_no_release_means_a_clear_404(tmp_path):
    with TestClient(app_for(tmp_path / "nothing-built")) as client:
        listing = client.get("/dumps/")
        assert listing.status_code == 404 and "no local release" in error_of(listing)["message"]
        assert client.get("/catalog").status_code == 404
        assert client.get("/dumps/ict-diplomacy.ttl").status_code == 404


def test_every_iri_of_the_dataset_description_resolves(client, release):
    """The IRIs the catalog and VoID mint (dataset, distributions, partitions, linksets, service,
    dumps) answer on this server; the site's root page belongs to the web UI."""
    if not (release / "catalog.ttl").exists():
        pytest.skip("this release has no catalog yet")
    iris = set()
    for name in ("catalog.ttl", "void.ttl"):
        for quad in ox.parse(path=str(release / name), format=ox.RdfFormat.TURTLE):
            iris.update(t.value.split("#")[0] for t in (quad.subject, quad.object) if isinstance(t, ox.NamedNode))
    local = sorted(i for i in iris if i.startswith(BASE) and i != BASE)
    assert any(i.endswith("/dataset") for i in local)
    for iri in local:  # the "what changed" pages of the versions are pages for people
        accept = "text/html" if iri.startswith(BASE + "changes/") else "text/turtle"
        response = client.get("/" + iri[len(BASE):], headers={"Accept": accept})
        assert response.status_code == 200, iri
    page = client.get("/dataset", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "dataset" in page.text
    distribution = client.get("/dataset/distribution/ict-diplomacy.ttl", headers={"Accept": "application/n-triples"})
    assert BASE + "dataset/distribution/ict-diplomacy.ttl>" in distribution.text
    assert client.get("/dataset/no-such-part").status_code == 404
