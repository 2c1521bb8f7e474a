"""A private OpenLink Virtuoso 7 (Debian's `virtuoso-opensource`) for the remote-mode tests: its
own ini, database files in a temporary folder, SQL and HTTP ports on 127.0.0.1, the release's
N-Triples dump loaded into the graph GRAPH, and a shutdown at the end of the session. Each wait
is bounded; without `virtuoso-t` the tests that need it skip.

Imported by conftest.py, so every test module shares the one instance (it starts in ~10 s)."""

from __future__ import annotations

import contextlib
import gzip
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from ict_diplomacy.project import BASE
from ict_diplomacy.publish.dumps import NTRIPLES_GZ

from .servers import ictd_command, MAIN_OPTIONS, free_port, running

VIRTUOSO, ISQL = shutil.which("virtuoso-t"), shutil.which("isql-vt")
GRAPH = BASE                      # the graph the dumps are loaded into, as the README says
READY_WITHIN_S = 90.0
SQL_WITHIN_S = 180.0
INI = """[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = ., {load}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {db}/vsp
ServerThreads = 10
MaxClientConnections = 10
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
"""


@dataclass
class Virtuoso:
    folder: Path
    sql_port: int
    http_port: int
    process: subprocess.Popen

    @property
    def sparql(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def load_dir(self) -> Path:
        return self.folder / "load"

    def sql(self, statements: str, timeout: float = SQL_WITHIN_S) -> str:
        """Run SQL through isql-vt as dba; a failure names the statements and the output."""
        done = subprocess.run([ISQL, f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statements}"],
                              capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql failed on {statements!r}:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def load(self, path: Path, graph: str) -> None:
        """Load one RDF file (N-Triples or Turtle, by extension) into `graph` with the bulk loader."""
        target = self.load_dir / path.name
        shutil.copyfile(path, target)
        self.sql(f"ld_dir('{self.load_dir}', '{path.name}', '{graph}'); rdf_loader_run(); checkpoint;")
        target.unlink()

    def restart(self) -> None:
        """Stop and start again: Virtuoso 7.2 answers some property paths wrongly on the instance
        that bulk-loaded the data until it is restarted (openlink/virtuoso-opensource#929)."""
        self.stop()
        self.process = _start(self.folder)
        _wait_ready(self)

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.sql("shutdown;", timeout=30)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)

    def clear(self, graph: str) -> None:
        self.sql(f"SPARQL CLEAR GRAPH <{graph}>; DELETE FROM DB.DBA.load_list; checkpoint;")


def write_ini(folder: Path, sql_port: int, http_port: int, buffers: int = 10000) -> Path:
    (folder / "db" / "vsp").mkdir(parents=True, exist_ok=True)
    (folder / "load").mkdir(exist_ok=True)
    ini = folder / "virtuoso.ini"
    ini.write_text(INI.format(db=folder / "db", load=folder / "load", sql_port=sql_port, http_port=http_port,
                              buffers=buffers, dirty=buffers * 3 // 4))
    return ini


@contextlib.contextmanager
def virtuoso(folder: Path, buffers: int = 10000):
    """A Virtuoso instance in `folder` for the length of a `with` block."""
    sql_port, http_port = free_port(), free_port()
    write_ini(folder, sql_port, http_port, buffers)
    instance = Virtuoso(folder, sql_port, http_port, _start(folder))
    try:
        _wait_ready(instance)
        yield instance
    finally:
        instance.stop()


def _start(folder: Path) -> subprocess.Popen:
    with (folder / "virtuoso.out").open("ab") as out:
        return subprocess.Popen([VIRTUOSO, "-f", "-c", str(folder / "virtuoso.ini")], cwd=folder, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def _wait_ready(instance: Virtuoso) -> None:
    deadline = time.monotonic() + READY_WITHIN_S
    while time.monotonic() < deadline:
        if instance.process.poll() is not None:
            raise RuntimeError(f"virtuoso-t exited with {instance.process.returncode}:\n"
                               + (instance.folder / "virtuoso.out").read_text(errors="replace")[-2000:])
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(instance.sparql, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        time.sleep(0.25)
    raise RuntimeError(f"virtuoso not ready within {READY_WITHIN_S} s")


@pytest.fixture(scope="session")
def virtuoso_server(release, tmp_path_factory):
    """Virtuoso with the test release's N-Triples dump in GRAPH."""
    if not (VIRTUOSO and ISQL):
        pytest.skip("virtuoso-t / isql-vt are not installed (apt-get install virtuoso-opensource)")
    with virtuoso(tmp_path_factory.mktemp("virtuoso")) as instance:
        dump = instance.folder / "ict-diplomacy.nt"
        dump.write_bytes(gzip.decompress((release / NTRIPLES_GZ).read_bytes()))
        instance.load(dump, GRAPH)
        instance.restart()
        yield instance


@pytest.fixture(scope="session")
def virtuoso_remote_server(release, virtuoso_server, tmp_path_factory):
    """Our server in remote mode in front of Virtuoso, the data as its default graph."""
    options = (*MAIN_OPTIONS, "--sparql-endpoint", virtuoso_server.sparql, "--default-graph-uri", GRAPH)
    with running(ictd_command(release, *options), "/sparql",
                 tmp_path_factory.mktemp("logs") / "virtuoso-remote.log") as server:
        yield server
