"""The build: atomic publication, byte-identical dumps, a store that round-trips the sources."""

import gzip
import json

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from ict_diplomacy.publish import build, dumps, sources

from ict_diplomacy import cli
from ict_diplomacy.errors import BuildError, ValidationFailed

from .test_validate import HEAD


def version_info(project) -> str:
    """owl:versionInfo of the ontology, read with rdflib from the source file."""
    graph = rdflib.Graph().parse(project.ontology_dir / "ict-diplomacy.ttl")
    return str(graph.value(rdflib.URIRef("https://w3id.org/ict-diplomacy/ontology"), rdflib.OWL.versionInfo))


def test_release_holds_store_dumps_and_manifest(project, release):
    manifest = json.loads((release / build.MANIFEST).read_text())
    names = {f["name"] for f in manifest["files"]}
    assert {dumps.TURTLE, dumps.NTRIPLES_GZ, dumps.JSONLD} <= names
    for entry in manifest["files"]:
        assert (release / entry["name"]).stat().st_size == entry["bytes"]
        assert dumps.describe_file(release / entry["name"])["sha256"] == entry["sha256"]
    assert manifest["ontology_version"] == manifest["version"] == version_info(project)
    store = ox.Store.read_only(str(release / build.STORE_DIR))
    assert len(store) == manifest["triples"]


def test_dump_round_trips_to_the_sources(project, release):
    """The dumps hold the sources, plus the two version triples the build stamps on the ontology:
    owl:versionIRI from owl:versionInfo, owl:priorVersion from the latest earlier version in releases/;
    typed literals in their canonical form (193.0 → 193)."""
    sources = rdflib.Graph()
    for path in project.ontology_files() + project.data_files():
        sources.parse(path)
    ontology = rdflib.URIRef("https://w3id.org/ict-diplomacy/ontology")
    sources.add((ontology, rdflib.OWL.versionIRI, rdflib.URIRef(f"{ontology}/{version_info(project)}")))
    number = lambda v: tuple(map(int, v.split(".")))  # noqa: E731
    earlier = sorted((p.name for p in (project.root / "releases").iterdir()
                      if number(p.name) < number(version_info(project))), key=number)
    sources.add((ontology, rdflib.OWL.priorVersion, rdflib.URIRef(f"{ontology}/{earlier[-1]}")))
    written = ox.parse(sources.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    canonical = dumps.canonical_literals([quad.triple for quad in written])
    published = rdflib.Graph().parse(data=ox.serialize(canonical, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")
    assert len(published) == len(sources) and "193" in canonical_values(canonical)
    dumped = rdflib.Graph().parse(release / dumps.TURTLE)
    assert isomorphic(published, dumped)
    with gzip.open(release / dumps.NTRIPLES_GZ) as nt:
        assert isomorphic(published, rdflib.Graph().parse(data=nt.read().decode(), format="nt"))
    assert isomorphic(published, rdflib.Graph().parse(release / dumps.JSONLD, format="json-ld"))


def test_two_builds_give_byte_identical_dumps(make_project, tmp_path):
    project = make_project()
    first = build.build(project, tmp_path / "a", progress=lambda _: None)
    second = build.build(project, tmp_path / "b", progress=lambda _: None)
    dumped = {dumps.TURTLE, dumps.NTRIPLES_GZ, dumps.JSONLD}  # the catalog files carry build dates
    by_name = lambda m: {f["name"]: f["sha256"] for f in m["files"] if f["name"] in dumped}
    assert by_name(first) == by_name(second)
    assert (tmp_path / "a" / dumps.TURTLE).read_bytes() == (tmp_path / "b" / dumps.TURTLE).read_bytes()


def test_real_dump_is_deterministic_with_blank_nodes(project):
    parsed = sources.load(project)
    once = dumps.canonical(parsed.published)
    again = dumps.canonical(sources.load(project).published)  # fresh blank node ids from a new parse
    assert [str(t) for t in once] == [str(t) for t in again]
    assert any(isinstance(t.subject, ox.BlankNode) for t in once)


def _snapshot(out):
    target = out.resolve()
    return target, {p.relative_to(target): p.read_bytes() for p in target.rglob("*") if p.is_file()}


def test_invalid_data_publishes_nothing(make_project, tmp_path):
    project = make_project()
    out = tmp_path / "dist"
    build.build(project, out, progress=lambda _: None)
    before = _snapshot(out)
    (project.data_dir / "bad.ttl").write_text(HEAD + "<country/BR> a ictd:Country ; rdfs:label \"Brazil\"@en .")
    with pytest.raises(ValidationFailed):
        build.build(project, out, progress=lambda _: None)
    assert _snapshot(out) == before


def test_failure_while_writing_leaves_previous_release(make_project, tmp_path, monkeypatch):
    project = make_project()
    out = tmp_path / "dist"
    build.build(project, out, progress=lambda _: None)
    before = _snapshot(out)

    def broken_dump(directory, triples):
        (directory / dumps.TURTLE).write_text("half a file")
        raise OSError("disk full")

    monkeypatch.setattr(dumps, "write_all", broken_dump)
    with pytest.raises(BuildError, match="disk full"):
        build.build(project, out, progress=lambda _: None)
    assert _snapshot(out) == before
    assert not list(build.releases_dir(out).glob(".staging-*"))


def test_build_refuses_to_replace_a_real_directory(make_project, tmp_path):
    (tmp_path / "dist").mkdir()
    with pytest.raises(BuildError, match="not a release link"):
        build.build(make_project(), tmp_path / "dist", progress=lambda _: None)


def test_cli_build_reports_progress_and_keeps_two_releases(make_project, tmp_path, capsys):
    project = make_project()
    out = tmp_path / "dist"
    for _ in range(3):
        assert cli.main(["--root", str(project.root), "build", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    for step in ("parse:", "validate:", "load:", "dump:", "catalog:"):
        assert step in err
    assert len([p for p in build.releases_dir(out).iterdir() if not p.name.startswith(".")]) == build.KEEP_RELEASES


def canonical_values(triples) -> list[str]:
    return [t.object.value for t in triples if isinstance(t.object, ox.Literal) and t.object.datatype.value.endswith("#decimal")]
