"""The dumps load the same in every loader: each of the release's Turtle, N-Triples and JSON-LD
files is read by Oxigraph, rdflib, Virtuoso 7 (its bulk loader, into a graph of its own) and
Apache Jena's `riot` (Debian's libapache-jena-java), and every one gives the graph of the
N-Triples dump, blank nodes aside (compared as isomorphic graphs). The Turtle dump writes no
local-name escapes: Virtuoso's loader keeps their backslash in the IRI."""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import to_isomorphic

from ict_diplomacy.publish.dumps import DUMP_PREFIXES, JSONLD, NTRIPLES_GZ, TURTLE, turtle_without_escapes

JENA_JARS = Path("/usr/share/java")
JENA_LIBRARIES = ("commons-cli", "commons-codec", "commons-compress", "commons-csv", "commons-io", "commons-lang3",
                  "dexx.collection", "gson", "guava", "httpclient", "httpclient-cache", "httpcore", "jackson-core", "jackson-databind",
                  "jackson-annotations", "jsonld-java", "slf4j-api", "slf4j-nop", "protobuf", "thrift",
                  "titanium-json-ld", "jakarta.json-api")
RIOT_WITHIN_S = 120.0
PREFIXED_NAME_WITH_ESCAPE = re.compile(rb'(?<![\w:"])[A-Za-z][\w.-]*:\S*\\')


def isomorphic_to(reference: rdflib.Graph, ntriples: bytes) -> bool:
    graph = rdflib.Graph()
    graph.parse(data=ntriples.decode("utf-8"), format="nt")
    return to_isomorphic(graph) == to_isomorphic(reference)


def as_ntriples(data: bytes, rdf: ox.RdfFormat) -> bytes:
    return ox.serialize([q.triple for q in ox.parse(data, format=rdf)], format=ox.RdfFormat.N_TRIPLES)


@pytest.fixture(scope="module")
def ntriples(release) -> bytes:
    return gzip.decompress((release / NTRIPLES_GZ).read_bytes())


@pytest.fixture(scope="module")
def reference(ntriples) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(data=ntriples.decode("utf-8"), format="nt")
    assert len(graph) > 5000
    return graph


@pytest.fixture(scope="module")
def dumps(release, ntriples, tmp_path_factory) -> dict[str, Path]:
    """The three dumps as files a loader reads (the N-Triples one unzipped)."""
    folder = tmp_path_factory.mktemp("dumps")
    (folder / "ict-diplomacy.nt").write_bytes(ntriples)
    for name in (TURTLE, JSONLD):
        shutil.copyfile(release / name, folder / name)
    return {"ttl": folder / TURTLE, "nt": folder / "ict-diplomacy.nt", "jsonld": folder / JSONLD}


def test_the_turtle_dump_writes_no_local_name_escapes(release):
    turtle = (release / TURTLE).read_bytes()
    outside_strings = re.sub(rb'"[^"\\]*(?:\\.[^"\\]*)*"', b'""', turtle)
    assert not PREFIXED_NAME_WITH_ESCAPE.search(outside_strings)
    assert b"<https://w3id.org/ict-diplomacy/id/dialogue/jp-eu-ict-policy-dialogue/25>" in turtle
    assert turtle_without_escapes(turtle, DUMP_PREFIXES) == turtle


def test_escaped_names_become_full_iris_and_strings_stay_as_they_are():
    turtle = b'x:a\\/1 x:b "x:c\\/2 \\"x:d\\/3\\"" , x:e\\.f .\nx:g x:h x:i .\n'
    assert turtle_without_escapes(turtle, {"x": "http://x/"}) == (
        b'<http://x/a/1> x:b "x:c\\/2 \\"x:d\\/3\\"" , <http://x/e.f> .\nx:g x:h x:i .\n')


@pytest.mark.parametrize("kind", ["ttl", "nt", "jsonld"])
def test_oxigraph_loads_each_dump_as_the_same_graph(dumps, reference, kind):
    store = ox.Store()
    store.bulk_load(path=str(dumps[kind]))
    assert isomorphic_to(reference, ox.serialize([q.triple for q in store], format=ox.RdfFormat.N_TRIPLES))


@pytest.mark.parametrize("kind, rdflib_format", [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")])
def test_rdflib_loads_each_dump_as_the_same_graph(dumps, reference, kind, rdflib_format):
    graph = rdflib.Graph()
    graph.parse(dumps[kind], format=rdflib_format)
    assert to_isomorphic(graph) == to_isomorphic(reference)


@pytest.mark.parametrize("kind", ["ttl", "nt"])  # Virtuoso 7's bulk loader reads no JSON-LD
def test_virtuoso_loads_each_dump_as_the_same_graph(virtuoso_server, dumps, reference, kind):
    graph = f"urn:x-ictd:dump-test:{kind}"
    virtuoso_server.load(dumps[kind], graph)
    try:
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        answer = httpx.post(virtuoso_server.sparql, data={"query": query},
                            headers={"Accept": "application/n-triples"}, timeout=60)
        assert answer.status_code == 200, answer.text[:500]
        assert isomorphic_to(reference, as_ntriples(answer.content, ox.RdfFormat.N_TRIPLES))
    finally:
        virtuoso_server.clear(graph)


# ---------------------------------------------------------------- Apache Jena's riot


@pytest.fixture(scope="module")
def riot(tmp_path_factory):
    """A riot command line from Debian's jars. Debian's libapache-jena-java 4.5 moves Jena's
    shaded Xerces to `xerces.*` but leaves its message files under `org/apache/jena/ext/xerces`,
    and riot stops at start-up without them: they are copied where the classes look."""
    java, cmds = shutil.which("java"), JENA_JARS / "jena-cmds.jar"
    if not (java and cmds.exists()):
        pytest.skip("java or Debian's libapache-jena-java is not installed")
    resources = tmp_path_factory.mktemp("jena-resources")
    with zipfile.ZipFile(JENA_JARS / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith("org/apache/jena/ext/xerces/") and not name.endswith((".class", "/")):
                target = resources / "xerces" / name.removeprefix("org/apache/jena/ext/xerces/")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    jars = sorted(JENA_JARS.glob("jena-*.jar")) + [JENA_JARS / f"{name}.jar" for name in JENA_LIBRARIES]
    classpath = ":".join([str(resources), *(str(j) for j in jars if j.exists())])
    return [java, "-cp", classpath, "riotcmd.riot", "--output=nt"]


@pytest.mark.parametrize("kind", ["ttl", "nt", "jsonld"])
def test_jena_riot_reads_each_dump_as_the_same_graph(riot, dumps, reference, kind):
    # JSON-LD through Jena's JSON-LD 1.0 reader: its 1.1 reader (Titanium) needs a JSON-P
    # implementation that Debian does not package; the dump is expanded JSON-LD, read alike by both
    syntax = ["--syntax=JSONLD10"] if kind == "jsonld" else []
    done = subprocess.run([*riot, *syntax, str(dumps[kind])], capture_output=True, timeout=RIOT_WITHIN_S)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    assert isomorphic_to(reference, done.stdout)
