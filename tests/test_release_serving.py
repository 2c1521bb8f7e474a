"""Regressions of issue 11 (item 7): the release a server serves. Builds while it runs never
remove it, killed workers are replaced from it, and a damaged release is refused (or rebuilt)
at start with one clear message, never a traceback."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import time

import httpx
import pytest

from ict_diplomacy.publish import build, dumps
from ict_diplomacy.publish.release import MANIFEST, verify

from .servers import free_port, ictd_command, running, wait_for_workers

QUIET = {"progress": lambda _: None}
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CHEAP = "ASK { ?s ?p ?o }"


def flip_byte(path, at: int | None = None) -> None:
    data = bytearray(path.read_bytes())
    at = len(data) // 2 if at is None else at
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def ask(server) -> httpx.Response:
    return httpx.get(server.sparql, params={"query": CHEAP}, headers={"Accept": "application/sparql-results+json"},
                     timeout=30)


def test_builds_while_serving_keep_the_served_release_and_workers_come_back(make_project, tmp_path):
    project = make_project()
    out = tmp_path / "dist"
    build.build(project, out, **QUIET)
    served = out.resolve()
    command = ictd_command(out, "--workers", "1", "--timeout", "1", "--answer-cache-mb", "0")
    with running(command, "/sparql", tmp_path / "server.log") as server:
        for _ in range(build.KEEP_RELEASES + 1):  # enough builds to prune it, were it not pinned
            build.build(project, out, **QUIET)
        assert out.resolve() != served and served.is_dir()
        for _ in range(2):  # two runaway queries: two workers killed and replaced
            runaway = httpx.get(server.sparql, params={"query": RUNAWAY}, timeout=30)
            assert runaway.status_code == 503
            assert wait_for_workers(server, 1)
            assert ask(server).status_code == 200, server.log_text()[-2000:]
        manifest = json.loads((served / MANIFEST).read_text())
        for name in (dumps.TURTLE, dumps.NTRIPLES_GZ, MANIFEST):
            response = httpx.get(f"{server.base}/dumps/{name}", timeout=30)
            assert response.status_code == 200, name
            assert response.content == (served / name).read_bytes()
        assert manifest["release"] in server.log_text()
        assert "until it restarts" in server.log_text()
    build.build(project, out, **QUIET)  # the server has stopped: its release may go now
    assert not served.exists()


def serve_once(*arguments: str, timeout: float = 90) -> subprocess.CompletedProcess:
    """`ict-diplomacy serve` expected to refuse and exit: its exit code and output."""
    command = [sys.executable, "-m", "ict_diplomacy", *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def damage(release, name: str) -> None:
    path = release / name
    if name == MANIFEST:
        path.write_text(path.read_text()[:-20])
    elif name == "void.ttl":
        path.write_text(path.read_text().replace("@prefix", "@prefiy", 1))  # same size, no Turtle
    else:
        flip_byte(path)


@pytest.mark.parametrize("name, problem", [
    (dumps.NTRIPLES_GZ, "ict-diplomacy.nt.gz does not match its SHA-256"),
    (dumps.TURTLE, "ict-diplomacy.ttl does not match its SHA-256"),
    (MANIFEST, "manifest.json is not valid JSON"),
    ("void.ttl", "void.ttl does not match its SHA-256"),
])
def test_a_damaged_release_is_refused_with_one_clear_message(make_project, tmp_path, name, problem):
    project = make_project()
    out = tmp_path / "dist"
    build.build(project, out, **QUIET)
    damage(out.resolve(), name)
    assert any(problem in p for p in verify(out))
    done = serve_once("--root", str(project.root), "serve", "--release", str(out), "--port", str(free_port()))
    assert done.returncode == 2, done.stderr
    assert problem in done.stderr and "Traceback" not in done.stderr + done.stdout
    assert "ict-diplomacy build" in done.stderr  # what to do about it


def test_a_damaged_project_release_is_rebuilt_before_serving(make_project, tmp_path):
    project = make_project()
    build.build(project, project.dist, **QUIET)
    damaged = project.dist.resolve()
    flip_byte(damaged / dumps.NTRIPLES_GZ)
    with running([sys.executable, "-m", "ict_diplomacy", "--root", str(project.root), "serve", "--port", "{port}"],
                 "/sparql", tmp_path / "server.log") as server:
        assert project.dist.resolve() != damaged
        assert "does not match its SHA-256" in server.log_text()
        served = httpx.get(f"{server.base}/dumps/{dumps.NTRIPLES_GZ}", timeout=30)
        assert served.status_code == 200
        assert gzip.decompress(served.content) == gzip.decompress((project.dist / dumps.NTRIPLES_GZ).read_bytes())
        assert ask(server).status_code == 200


def test_a_file_damaged_while_serving_is_not_sent_under_its_old_etag(make_project, tmp_path):
    project = make_project()
    out = tmp_path / "dist"
    build.build(project, out, **QUIET)
    with running(ictd_command(out, "--workers", "1"), "/sparql", tmp_path / "server.log") as server:
        url = f"{server.base}/dumps/{dumps.TURTLE}"
        etag = httpx.get(url, timeout=30).headers["ETag"]
        time.sleep(0.01)
        flip_byte(out / dumps.TURTLE)
        response = httpx.get(url, timeout=30)
        assert response.status_code == 503 and response.headers.get("ETag") != etag
        assert "SHA-256" in response.json()["error"]["message"]
