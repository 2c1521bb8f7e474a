"""Stored pages (web/page_store.py): every resource's representations rendered at build time and
answered from pages.sqlite, by the server process and by workers on connections of their own.

The reference is the live answer: a second server on a copy of the same release without its
pages.sqlite renders every page for each request, as every server did before."""

from __future__ import annotations

import http.client
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from ict_diplomacy import cli
from ict_diplomacy.project import BASE
from ict_diplomacy.publish import build, retired
from ict_diplomacy.web import page_store, prerender
from tests.conftest import ROOT, select
from tests.servers import MAIN_OPTIONS, ictd_command, running
from tests.test_worker_connections import connect, handed_over, holder, same_answer

# Resources the source names (section 8): Brazil (ISDB-T, the submarine cable to Angola), Myanmar
# (the mobile network of a Japanese company), JICT (support of three submarine cable projects).
BRAZIL, MYANMAR = "/id/country/BR", "/id/country/MM"
ASKED = [  # (path, request headers): each representation a client can ask for at a resource's URL
    (BRAZIL, {"Accept": "text/turtle"}),
    (BRAZIL, {"Accept": "application/ld+json"}),
    (BRAZIL, {"Accept": "application/n-triples"}),
    (BRAZIL, {"Accept": "application/rdf+xml"}),
    (BRAZIL + ".ttl", {}),
    (BRAZIL + "?format=jsonld", {}),
    (BRAZIL, {"Accept": "text/html", "Accept-Language": "ja"}),
    (BRAZIL, {"Accept": "text/html", "Accept-Language": "en"}),
    (BRAZIL + "?lang=ja", {"Accept": "text/html"}),
    (BRAZIL, {"Accept": "text/html", "Cookie": "lang=ja"}),
    (MYANMAR, {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8", "Accept-Language": "ja,en;q=0.5"}),
]


def copy_release(release: Path, to: Path) -> Path:
    """A copy of the release's directory (the manifest's files, the store, pages.sqlite)."""
    shutil.copytree(release.resolve(), to, ignore=shutil.ignore_patterns(".lock"))
    return to


@pytest.fixture(scope="module")
def stored(release, tmp_path_factory):
    logs = tmp_path_factory.mktemp("logs")
    with running(ictd_command(release, *MAIN_OPTIONS), "/sparql", logs / "stored.log") as server:
        yield server


@pytest.fixture(scope="module")
def live(release, tmp_path_factory):
    copy = copy_release(release, tmp_path_factory.mktemp("live") / "release")
    (copy / page_store.FILE).unlink()
    with running(ictd_command(copy, *MAIN_OPTIONS), "/sparql", tmp_path_factory.mktemp("logs") / "live.log") as server:
        yield server


def get(server, path: str, headers: dict, conn: http.client.HTTPConnection | None = None) -> tuple[int, dict, bytes]:
    own = conn or connect(server)
    try:
        own.request("GET", path, headers=headers)
        response = own.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        if conn is None:
            own.close()


def tampered(release: Path, to: Path, sql: str) -> Path:
    copy = copy_release(release, to)
    with sqlite3.connect(copy / page_store.FILE) as db:
        db.execute(sql)
    return copy


# ---------------------------------------------------------------- the build


def test_the_build_stores_every_representation_of_every_resource(release, store):
    with sqlite3.connect(release / page_store.FILE) as db:
        iris = {iri for (iri,) in db.execute("SELECT DISTINCT iri FROM pages")}
        variants = {v for (v,) in db.execute("SELECT DISTINCT variant FROM pages")}
        per_iri = set(db.execute("SELECT COUNT(*) FROM pages GROUP BY iri"))
    named = {row["r"] for row in select(store, f"""SELECT DISTINCT ?r WHERE {{ {{ ?r ?p ?o }} UNION {{ ?s ?p ?r }}
        FILTER(isIRI(?r) && (STRSTARTS(STR(?r), "{BASE}id/") || STRSTARTS(STR(?r), "{BASE}ontology/"))) }}""")}
    gone = set(retired.read(release.resolve()))  # retired identifiers the data still names answer 301 or 410
    assert iris == named - gone and f"{BASE}id/country/BR" in iris and gone & named
    assert variants == {"html-ja", "html-en", "ttl", "jsonld", "nt", "rdf"}
    assert per_iri == {(6,)}


def test_a_build_that_fails_while_storing_pages_publishes_nothing(make_project, tmp_path):
    project, out = make_project(), tmp_path / "dist"
    build.build(project, out, progress=lambda _: None, derive=prerender.DERIVE)
    before = out.resolve()

    def failing(directory: Path) -> str:
        prerender.write(directory)
        raise OSError("disk full")
    with pytest.raises(build.BuildError, match="disk full"):
        build.build(project, out, progress=lambda _: None, derive={"pages": failing})
    assert out.resolve() == before and (before / page_store.FILE).exists()
    assert not list(build.releases_dir(out).glob(".staging-*"))


def test_the_cli_builds_with_pages_unless_asked_not_to(make_project, tmp_path):
    project = make_project()
    for options, stored in (([], True), (["--no-pages"], False)):
        out = tmp_path / ("with" if stored else "without") / "dist"
        assert cli.main(["--root", str(project.root), "build", "--quiet", "--out", str(out), *options]) == 0
        assert (out / page_store.FILE).exists() is stored
        assert page_store.stale(out) == ""  # nothing to rebuild for: a release without pages renders them live


def test_pages_rendered_before_npm_ci_are_this_codes_after_it():
    """A fresh clone builds before the front-end packages are installed, then serves with them:
    the stamp is the package's files alone (no stored page links a vendored file)."""
    modules, away = ROOT / "web" / "node_modules", ROOT / "web" / "node_modules.away"
    with_them = page_store.code_stamp.__wrapped__()
    modules.rename(away)
    try:
        assert page_store.code_stamp.__wrapped__() == with_them
    finally:
        away.rename(modules)


# ---------------------------------------------------------------- serving


@pytest.mark.parametrize("path,headers", ASKED)
def test_a_stored_page_is_the_live_answer(stored, live, path, headers):
    same_answer(get(stored, path, headers), get(live, path, headers))


def test_revalidation_and_head_answer_as_the_live_pages_do(stored, live):
    etag = get(stored, BRAZIL, {"Accept": "text/turtle"})[1]["etag"]
    asked = {"Accept": "text/turtle", "If-None-Match": etag}
    not_modified = get(stored, BRAZIL, asked)
    assert not_modified[0] == 304
    same_answer(not_modified, get(live, BRAZIL, asked))
    heads = []
    for server in (stored, live):
        conn = connect(server)
        conn.request("HEAD", BRAZIL, headers={"Accept": "text/html"})
        response = conn.getresponse()
        heads.append((response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()))
        conn.close()
    same_answer(*heads)


def test_the_pages_are_answered_from_the_store_and_other_urls_live(release, tmp_path):
    """A stored page changed by hand is what the server sends: the answer comes from the store.
    HTML at another URL than the resource's own (an extension, another query) is rendered."""
    copy = tampered(release, tmp_path / "release", "UPDATE pages SET body = CAST('stored' AS BLOB) "
                    f"WHERE iri = '{BASE}id/country/BR'")
    with running(ictd_command(copy, *MAIN_OPTIONS), "/sparql", tmp_path / "server.log") as server:
        assert get(server, BRAZIL, {"Accept": "text/turtle"})[2] == b"stored"
        assert get(server, BRAZIL, {"Accept": "text/html", "Accept-Language": "ja"})[2] == b"stored"
        for path in (BRAZIL + ".html", BRAZIL + "?lang=ja&utm_source=x"):
            status, _, body = get(server, path, {"Accept": "text/html"})
            assert status == 200 and body != b"stored" and "ブラジル".encode() in body


@pytest.mark.parametrize("sql,why", [
    ("UPDATE meta SET value = 'other' WHERE key = 'code'", "written by other code"),
    ("UPDATE meta SET value = '\"20000101T000000000000Z\"' WHERE key = 'release'", "written for another release"),
])
def test_a_store_written_by_other_code_or_for_another_release_is_not_used(release, tmp_path, sql, why):
    copy = tampered(release, tmp_path / "release", sql)
    with sqlite3.connect(copy / page_store.FILE) as db:
        db.execute(f"UPDATE pages SET body = CAST('stored' AS BLOB) WHERE iri = '{BASE}id/country/BR'")
    with running(ictd_command(copy, *MAIN_OPTIONS), "/sparql", tmp_path / "server.log") as server:
        status, _, body = get(server, BRAZIL, {"Accept": "text/turtle"})
        assert status == 200 and body != b"stored" and b"country/BR" in body
        assert why in server.log_text()
    assert page_store.stale(copy) == ("its pages were rendered by other code" if "code" in sql else "")


def test_a_kept_connection_gets_its_next_pages_from_a_worker(stored, live):
    conn = connect(stored)
    first = get(stored, BRAZIL, {"Accept": "text/turtle"}, conn)
    assert first[0] == 200
    worker = handed_over(stored, conn)
    for path, headers in ASKED:
        same_answer(get(stored, path, headers, conn), get(live, path, headers))
    assert holder(stored, conn) == worker
    assert re.search(rf"GET {BRAZIL} 200 [\d.]+ ms rows=- \(worker {worker}\)", stored.log_text())
    conn.close()
