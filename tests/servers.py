"""Real servers for the HTTP tests: `ict-diplomacy serve` and `oxigraph serve-read-only`, each a
subprocess bound to 127.0.0.1 on a free port, waited for with a bounded wait, and stopped after.

Imported by conftest.py so every test module shares the session-scoped servers."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from ict_diplomacy.publish import build

READY_WITHIN_S = 60.0
OXIGRAPH = Path(sys.executable).parent / "oxigraph"
MAIN_OPTIONS = ("--timeout", "2", "--max-rows", "2000", "--max-request-bytes", "20000")
TIGHT_OPTIONS = ("--timeout", "1.5", "--max-concurrent", "1", "--queue", "1", "--workers", "1", "--retry-after", "3")


@dataclass
class Server:
    base: str
    process: subprocess.Popen
    log: Path

    @property
    def sparql(self) -> str:
        return self.base + "/sparql"

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + READY_WITHIN_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code < 500:
                return
        time.sleep(0.1)
    raise RuntimeError(f"server not ready within {READY_WITHIN_S} s:\n{log.read_text()}")


@contextlib.contextmanager
def running(command: list[str], ready_path: str, log: Path):
    port = free_port()
    command = [part.replace("{port}", str(port)) for part in command]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base + ready_path, process, log)
        yield Server(base, process, log)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`, from /proc (a server's query workers and the
    multiprocessing resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError, ValueError, IndexError):
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def wait_for_workers(server: Server, count: int = 2, within_s: float = 15.0) -> bool:
    """Wait (bounded) until `count` workers and the tracker run again (no process at all for
    0, remote mode), after a test that had workers killed: the next may count on the whole pool."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if len(children(server.process.pid)) == (count + 1 if count else 0):
            return True
        time.sleep(0.1)
    return False


def ictd_command(release: Path, *options: str) -> list[str]:
    return [sys.executable, "-m", "ict_diplomacy", "serve", "--host", "127.0.0.1", "--port", "{port}",
            "--release", str(release), *options]


@pytest.fixture(scope="session")
def ictd_server(release, tmp_path_factory):
    """Our server on the test release: short deadline, small row cap and body limit."""
    with running(ictd_command(release, *MAIN_OPTIONS), "/sparql", tmp_path_factory.mktemp("logs") / "main.log") as server:
        yield server


@pytest.fixture(scope="session")
def tight_server(release, tmp_path_factory):
    """Our server with one worker, one running query and one waiting: for 429."""
    with running(ictd_command(release, *TIGHT_OPTIONS), "/sparql", tmp_path_factory.mktemp("logs") / "tight.log") as server:
        yield server


@pytest.fixture(scope="session")
def oxigraph_server(release, stand_ins, tmp_path_factory):
    """The reference: Oxigraph's own server, read-only on the same store, confined as the README
    advises: it may connect only to the stand-ins the federated queries call."""
    reach = [option for url in stand_ins.values() for option in ("--reach", url)]
    command = [sys.executable, "-m", "ict_diplomacy", "confine", *reach, "--",
               str(OXIGRAPH), "serve-read-only", "--location", str(release / build.STORE_DIR),
               "--bind", "127.0.0.1:{port}", "--timeout-s", "10"]
    with running(command, "/", tmp_path_factory.mktemp("logs") / "oxigraph.log") as server:
        yield server


@pytest.fixture(scope="session")
def remote_server(release, oxigraph_server, tmp_path_factory):
    """Our server in remote mode, forwarding to the Oxigraph server."""
    options = (*MAIN_OPTIONS, "--sparql-endpoint", oxigraph_server.base + "/query")
    with running(ictd_command(release, *options), "/sparql", tmp_path_factory.mktemp("logs") / "remote.log") as server:
        yield server


FIXTURES = Path(__file__).parent / "fixtures"
STAND_IN_FIXTURES = {"wikidata": "wikidata.ttl", "gbizinfo": "gbizinfo.trig", "eu-corporate-body": "eu-corporate-body.ttl"}


def serve_fixture(tmp_path_factory, name: str):
    """An `oxigraph serve-read-only` on 127.0.0.1 holding one fixture file; yields its query URL."""
    import pyoxigraph as ox
    location = tmp_path_factory.mktemp(name) / "store"
    standin = ox.Store(str(location))
    path = FIXTURES / STAND_IN_FIXTURES[name]
    standin.load(path=str(path), format=ox.RdfFormat.TRIG if path.suffix == ".trig" else ox.RdfFormat.TURTLE)
    standin.flush()
    del standin  # release the lock before the server opens it
    command = [str(OXIGRAPH), "serve-read-only", "--location", str(location), "--bind", "127.0.0.1:{port}"]
    with running(command, "/", tmp_path_factory.mktemp("logs") / f"{name}.log") as server:
        yield server.base + "/query"


@pytest.fixture(scope="session")
def wikidata(tmp_path_factory):
    """A local server holding the Wikidata-shaped fixture triples."""
    yield from serve_fixture(tmp_path_factory, "wikidata")


@pytest.fixture(scope="session")
def stand_ins(wikidata, tmp_path_factory):
    """A local stand-in for every link target with an endpoint: target key -> query URL."""
    servers = {key: serve_fixture(tmp_path_factory, key) for key in STAND_IN_FIXTURES if key != "wikidata"}
    urls = {"wikidata": wikidata, **{key: next(server) for key, server in servers.items()}}
    yield urls
    for server in servers.values():
        server.close()
