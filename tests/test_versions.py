"""Versions over time (issue 16): a synthetic history of three versions built from the minimal
fixture — A published, B published with a known change, C not yet published with a merge and a
removal — and the real archive (0.1.0, then the version in the sources)."""

from __future__ import annotations

import json
import random
import re
import shutil
from datetime import date
from pathlib import Path

import httpx
import pyoxigraph as ox
import pyshacl
import pytest
import rdflib

from ict_diplomacy import cli
from ict_diplomacy.errors import BuildError
from ict_diplomacy.project import ICTD, ID_BASE, ONTOLOGY_IRI, Project
from ict_diplomacy.publish import build, catalog, changelog, dumps, history, retired, versions
from ict_diplomacy.publish.diff import diff

from .conftest import FIXTURES, ROOT
from .servers import ictd_command, running

QUIET = {"progress": lambda _: None}
OWL, RDFS, DCT = "http://www.w3.org/2002/07/owl#", "http://www.w3.org/2000/01/rdf-schema#", "http://purl.org/dc/terms/"
HEAD = """@base <https://w3id.org/ict-diplomacy/id/> .
@prefix ictd: <https://w3id.org/ict-diplomacy/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> .
"""
CITIES = HEAD + """
<place/tokyo> a ictd:City ; rdfs:label "東京"@ja , "Tokyo"@en ; ictd:country <country/JP> ; dct:source <source/1-1-a> .
<place/tokyo-metropolis> a ictd:City ; rdfs:label "東京都"@ja , "Tokyo Metropolis"@en ; ictd:country <country/JP> ;
    dct:source <source/1-1-a> .
<place/osaka> a ictd:City ; rdfs:label "大阪"@ja , "Osaka"@en ; ictd:country <country/JP> ; dct:source <source/1-1-a> .
"""
MERGED = HEAD + """
<place/tokyo> a ictd:City ; rdfs:label "東京"@ja , "Tokyo"@en ; ictd:country <country/JP> ; dct:source <source/1-1-a> .
<place/tokyo-metropolis> a ictd:RetiredResource ; dct:isReplacedBy <place/tokyo> ;
    ictd:retirementReason "試験: 東京と同じ都市。"@ja , "Test: the same city as Tokyo."@en .
"""
OLD_NAME, NEW_NAME = '"Ministry of Internal Affairs and Communications"@en', '"Ministry of Internal Affairs and Communications (MIC)"@en'


def node(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def city_triples(slug: str, ja: str, en: str) -> set[ox.Triple]:
    city = node(ID_BASE + "place/" + slug)
    return {ox.Triple(city, node(f"{versions.PREFIXES['rdf']}type"), node(ICTD + "City")),
            ox.Triple(city, node(RDFS + "label"), ox.Literal(ja, language="ja")),
            ox.Triple(city, node(RDFS + "label"), ox.Literal(en, language="en")),
            ox.Triple(city, node(ICTD + "country"), node(ID_BASE + "country/JP")),
            ox.Triple(city, node(DCT + "source"), node(ID_BASE + "source/1-1-a"))}


def set_version(project: Project, version: str) -> None:
    path = project.ontology_dir / "ict-diplomacy.ttl"
    path.write_text(re.sub(r'owl:versionInfo "[^"]+"', f'owl:versionInfo "{version}"', path.read_text()))


def new_project(root: Path) -> Project:
    for name in ("ontology", "shapes"):
        shutil.copytree(ROOT / name, root / name)
    (root / "data").mkdir()
    shutil.copy(FIXTURES / "minimal.ttl", root / "data" / "minimal.ttl")
    (root / "CHANGELOG.md").write_text("# Changelog\n\n## [Unreleased]\n\n- Hand-written notes on A.\n")
    return Project(root)


@pytest.fixture(scope="module")
def timeline(tmp_path_factory):
    """A (1.0.0, published), B (1.1.0: three cities and a renamed ministry, published), C (1.2.0:
    one city merged into another, one removed, not published); the release of C is served."""
    project = new_project(tmp_path_factory.mktemp("versions") / "project")
    set_version(project, "1.0.0")
    build.build(project, project.dist, publish_on=date(2026, 1, 10), **QUIET)
    set_version(project, "1.1.0")
    (project.data_dir / "cities.ttl").write_text(CITIES)
    minimal = project.data_dir / "minimal.ttl"
    minimal.write_text(minimal.read_text().replace(OLD_NAME, NEW_NAME))
    notes = project.root / "CHANGELOG.md"
    notes.write_text(notes.read_text().replace("## [Unreleased]\n", "## [Unreleased]\n\n- Hand-written notes on B.\n"))
    build.build(project, project.dist, publish_on=date(2026, 2, 20), **QUIET)
    set_version(project, "1.2.0")
    (project.data_dir / "cities.ttl").write_text(MERGED)
    build.build(project, project.dist, **QUIET)
    return project


def test_a_known_change_gives_exactly_that_diff(timeline):
    published = versions.Archive.of(timeline).get("1.1.0")
    ontology, mic = node(ONTOLOGY_IRI), node(ID_BASE + "organization/mic")
    label = node(RDFS + "label")
    added = (city_triples("tokyo", "東京", "Tokyo") | city_triples("tokyo-metropolis", "東京都", "Tokyo Metropolis")
             | city_triples("osaka", "大阪", "Osaka")
             | {ox.Triple(mic, label, ox.Literal(NEW_NAME.split('"')[1], language="en")),
                ox.Triple(ontology, node(OWL + "versionInfo"), ox.Literal("1.1.0")),
                ox.Triple(ontology, node(OWL + "versionIRI"), node(ONTOLOGY_IRI + "/1.1.0")),
                ox.Triple(ontology, node(OWL + "priorVersion"), node(ONTOLOGY_IRI + "/1.0.0"))})
    removed = {ox.Triple(mic, label, ox.Literal(OLD_NAME.split('"')[1], language="en")),
               ox.Triple(ontology, node(OWL + "versionInfo"), ox.Literal("1.0.0")),
               ox.Triple(ontology, node(OWL + "versionIRI"), node(ONTOLOGY_IRI + "/1.0.0"))}
    changes = published.diff()
    assert set(changes.added) == added and len(changes.added) == len(added)
    assert set(changes.removed) == removed and len(changes.removed) == len(removed)
    document = history.read_changes(timeline.dist, "1.1.0")
    by_side = {side: {r["iri"] for r in items} for side, items in document["changes"].items()}
    assert by_side == {"added": {ID_BASE + "place/" + s for s in ("tokyo", "tokyo-metropolis", "osaka")},
                       "removed": set(), "changed": {ONTOLOGY_IRI, ID_BASE + "organization/mic"}}
    city = document["kinds"][ICTD + "City"]
    assert city == {"ja": "都市", "en": "city"}


def test_a_merge_and_a_removal_are_retirements(timeline):
    document = history.read_changes(timeline.dist, "1.2.0")
    assert not document["archived"] and document["previous"] == "1.1.0"
    removed = {r["iri"]: r.get("replaced_by") for r in document["changes"]["removed"]}
    assert removed == {ID_BASE + "place/tokyo-metropolis": ID_BASE + "place/tokyo", ID_BASE + "place/osaka": None}
    table = retired.read(timeline.dist)
    assert table[ID_BASE + "place/tokyo-metropolis"]["replaced_by"] == ID_BASE + "place/tokyo"
    assert table[ID_BASE + "place/tokyo-metropolis"]["recorded"] is True
    assert table[ID_BASE + "place/osaka"] == {"replaced_by": None, "reason": {}, "recorded": False, "last_version": "1.1.0"}


def test_an_unchanged_rebuild_gives_an_empty_diff(timeline, tmp_path):
    out = tmp_path / "again"
    build.build(timeline, out, **QUIET)
    assert not diff(dumps.read_ntriples(timeline.dist / dumps.NTRIPLES_GZ), dumps.read_ntriples(out / dumps.NTRIPLES_GZ))
    graph = versions.Archive.of(timeline).get("1.0.0").graph()
    relabel = {}
    shuffled = [ox.Triple(*(relabel.setdefault(term, ox.BlankNode(f"x{random.Random(len(relabel)).random():.9f}"))
                            if isinstance(term, ox.BlankNode) else term for term in t)) for t in reversed(graph)]
    assert any(isinstance(t.subject, ox.BlankNode) for t in shuffled)
    assert not diff(graph, shuffled)  # fresh blank node labels, another order: the same graph


def test_other_content_under_a_published_version_is_refused(timeline, tmp_path):
    project = new_project(tmp_path / "p")
    shutil.copytree(timeline.archive_dir, project.archive_dir)
    set_version(project, "1.1.0")  # published with the cities, which this copy lacks
    with pytest.raises(BuildError, match=r"1.1.0 is already published .* \(1 triples added, 16 removed"):
        build.build(project, project.dist, **QUIET)
    set_version(project, "0.9.0")
    with pytest.raises(BuildError, match="lower than the published 1.1.0"):
        build.build(project, project.dist, **QUIET)
    assert not project.dist.exists()


def test_the_build_writes_the_version_triples_not_the_sources(make_project):
    project = make_project()
    path = project.ontology_dir / "ict-diplomacy.ttl"
    path.write_text(path.read_text().replace("    owl:versionInfo", "    owl:versionIRI <https://w3id.org/ict-diplomacy/ontology/9> ;\n    owl:versionInfo", 1))
    with pytest.raises(BuildError, match="the build writes them"):
        build.build(project, project.dist, **QUIET)


def test_the_changelog_has_a_section_per_version_from_its_diff(timeline):
    text = (timeline.root / "CHANGELOG.md").read_text()
    found = changelog.sections(text)
    assert list(found) == ["Unreleased", "1.1.0", "1.0.0"]
    assert found["Unreleased"] == (None, "")
    date_b, body_b = found["1.1.0"]
    assert date_b == "2026-02-20"
    assert body_b.startswith("Data: ") and "+19 −3) since 1.0.0; resources: 3 added, 0 removed, 2 changed" in body_b
    assert body_b.endswith("- Hand-written notes on B.")
    assert found["1.0.0"][1].endswith("(first publication).\n\n- Hand-written notes on A.")
    assert changelog.check(timeline.root / "CHANGELOG.md", history.read_index(timeline.dist)) == []


def test_the_real_changelog_agrees_with_the_archive(release):
    assert changelog.check(ROOT / "CHANGELOG.md", history.read_index(release)) == []


def test_the_real_archive_holds_0_1_0_intact(project, release):
    archive = versions.Archive.of(project)
    first = archive.get("0.1.0")
    assert first is not None and first.problems() == []
    assert first.issued == "2026-11-26" and first.previous is None
    graph = first.graph()
    assert len(graph) == first.manifest["triples"]
    assert versions.version_of(graph) == "0.1.0"
    manifest = json.loads((release / build.MANIFEST).read_text())
    assert manifest["previous_version"] == "0.1.0" or manifest["version"] == "0.1.0"


def test_the_version_chain_is_dcat_ap_valid(project, timeline):
    data = rdflib.Graph().parse(timeline.dist / "catalog.ttl")
    shapes = rdflib.Graph()
    for path in catalog.dcat_ap_shape_files(project):
        shapes.parse(path, format="json-ld")
    conforms, _, report = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True)
    assert conforms, report
    dcat, adms = rdflib.Namespace("http://www.w3.org/ns/dcat#"), rdflib.Namespace("http://www.w3.org/ns/adms#")
    dataset = rdflib.URIRef(catalog.DATASET)
    versions_of = {str(v): v for v in data.objects(dataset, dcat.hasVersion)}
    assert set(versions_of) == {f"{catalog.DATASET}/{v}" for v in ("1.0.0", "1.1.0", "1.2.0")}
    assert data.value(dataset, dcat.hasCurrentVersion) == rdflib.URIRef(f"{catalog.DATASET}/1.1.0")
    b = versions_of[f"{catalog.DATASET}/1.1.0"]
    assert data.value(b, dcat.previousVersion) == rdflib.URIRef(f"{catalog.DATASET}/1.0.0")
    assert str(data.value(b, dcat.version)) == "1.1.0"
    assert {n.language for n in data.objects(b, adms.versionNotes)} == {"ja", "en"}
    url = data.value(data.value(b, dcat.distribution), dcat.downloadURL)
    assert str(url) == "https://w3id.org/ict-diplomacy/dumps/1.1.0/ict-diplomacy.nt.gz"
    prior = rdflib.Graph().parse(timeline.dist / dumps.TURTLE).value(rdflib.URIRef(ONTOLOGY_IRI), rdflib.OWL.priorVersion)
    assert prior == rdflib.URIRef(ONTOLOGY_IRI + "/1.1.0")


def test_the_diff_command(timeline, capsys):
    root = ["--root", str(timeline.root)]
    assert cli.main([*root, "diff", "1.0.0", "1.1.0"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1.0.0 → 1.1.0: +19 −3 triples; 3 added, 0 removed, 2 changed resources")
    assert f"city                 <{ID_BASE}place/osaka> Osaka" in out
    assert cli.main([*root, "diff", "1.1.0", str(timeline.dist), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert {r["iri"] for r in document["changes"]["removed"]} == {ID_BASE + "place/osaka", ID_BASE + "place/tokyo-metropolis"}
    assert cli.main([*root, "diff", "1.1.0", "1.1.0"]) == 0
    assert "+0 −0 triples" in capsys.readouterr().out
    assert cli.main([*root, "diff", "1.1.0", "7.7.7"]) == 2
    assert "published: 1.0.0, 1.1.0" in capsys.readouterr().err


def test_publish_is_one_command_and_a_second_run_changes_nothing(timeline, tmp_path, capsys):
    project = new_project(tmp_path / "p")
    set_version(project, "3.0.0")
    command = ["--root", str(project.root), "build", "--quiet", "--publish", "--date", "2027-03-04"]
    assert cli.main(command) == 0
    assert "published 3.0.0 on 2027-03-04" in capsys.readouterr().out
    archived = sorted(p.name for p in (project.archive_dir / "3.0.0").iterdir())
    assert archived == ["SHA256SUMS", "ict-diplomacy.nt.gz", "manifest.json"]
    before = {p: p.read_bytes() for p in project.archive_dir.rglob("*") if p.is_file()}
    notes = (project.root / "CHANGELOG.md").read_text()
    assert cli.main(command[:-2] + ["--date", "2027-05-06"]) == 0  # already archived: the same files
    assert {p: p.read_bytes() for p in project.archive_dir.rglob("*") if p.is_file()} == before
    assert (project.root / "CHANGELOG.md").read_text() == notes


# ---------------------------------------------------------------- over HTTP, on a real server


@pytest.fixture(scope="module")
def served(timeline, tmp_path_factory):
    with running(ictd_command(timeline.dist, "--workers", "1"), "/sparql",
                 tmp_path_factory.mktemp("logs") / "versions.log") as server:
        yield server


def get(server, path: str, **headers) -> httpx.Response:
    return httpx.get(server.base + path, headers=headers, timeout=30, follow_redirects=False)


def test_old_versions_stay_served_at_permanent_urls(timeline, served):
    archive = versions.Archive.of(timeline)
    for version in ("1.0.0", "1.1.0"):
        published = archive.get(version)
        for entry in published.manifest["files"]:
            response = get(served, f"/dumps/{version}/{entry['name']}", **{"Accept-Encoding": "identity"})
            assert response.status_code == 200, entry["name"]
            assert response.content == (published.path / entry["name"]).read_bytes()
            assert response.headers["ETag"] == f'"{entry["sha256"]}"'  # the file as it is; gzip on request is weak
            assert "immutable" in response.headers["Cache-Control"]
        assert get(served, f"/dumps/{version}/manifest.json").json() == published.manifest
    assert sorted(e["name"] for e in archive.get("1.1.0").manifest["files"]) == [
        "SHA256SUMS", "added.nt", "ict-diplomacy.nt.gz", "removed.nt"]
    listing = get(served, "/dumps/", Accept="application/json").json()
    assert [(v["version"], v["archived"], v["current"]) for v in listing["versions"]] == [
        ("1.2.0", False, True), ("1.1.0", True, False), ("1.0.0", True, False)]
    assert listing["version"] == "1.2.0" and listing["version_status"] == "unreleased"
    assert get(served, "/dumps/9.9.9/ict-diplomacy.nt.gz").status_code == 404
    assert get(served, "/dumps/1.1.0").headers["Location"] == "/dumps/#v1.1.0"
    html = get(served, "/dumps/?lang=en", Accept="text/html").text
    assert 'id="v1.0.0"' in html and 'href="/dumps/1.0.0/ict-diplomacy.nt.gz"' in html and 'href="/changes/1.1.0?lang=en"' in html


def test_what_changed_in_both_languages(served):
    ja = get(served, "/changes/1.1.0?lang=ja", Accept="text/html")
    en = get(served, "/changes/1.1.0?lang=en", Accept="text/html")
    assert ja.status_code == en.status_code == 200
    assert "1.1.0の変更点" in ja.text and "都市" in ja.text and '<a href="/id/place/osaka?lang=ja">大阪</a>' in ja.text
    assert "What changed in 1.1.0" in en.text and "city" in en.text and '<a href="/id/place/osaka?lang=en">Osaka</a>' in en.text
    assert 'href="/dumps/1.1.0/added.nt"' in en.text and "organization/mic" not in en.text.split("Resources added")[1].split("Resources changed")[0]
    merged = get(served, "/changes/1.2.0?lang=en", Accept="text/html").text
    assert 'merged into <a href="/id/place/tokyo?lang=en">' in merged
    document = get(served, "/changes/1.2.0?format=json").json()
    assert document["previous"] == "1.1.0" and document["archived"] is False
    assert get(served, "/changes/1.0.0?lang=en", Accept="text/html").text.count("no earlier version") == 1
    assert get(served, "/changes/0.0.1").status_code == 404


def test_retired_identifiers_answer_301_or_410(served):
    moved = get(served, "/id/place/tokyo-metropolis", Accept="text/turtle")
    assert moved.status_code == 301 and moved.headers["Location"] == "/id/place/tokyo"
    assert get(served, "/id/place/tokyo-metropolis.ttl").headers["Location"] == "/id/place/tokyo.ttl"
    page = get(served, "/id/place/tokyo-metropolis?lang=ja", Accept="text/html")
    assert page.status_code == 301 and "試験: 東京と同じ都市。" in page.text and 'href="/id/place/tokyo?lang=ja"' in page.text
    gone = get(served, "/id/place/osaka", Accept="application/json")
    assert gone.status_code == 410
    error = gone.json()["error"]
    assert error["code"] == "gone" and error["detail"]["last_version"] == "1.1.0"
    assert error["detail"]["last_dump"] == "/dumps/1.1.0/ict-diplomacy.nt.gz"
    page = get(served, "/id/place/osaka?lang=en", Accept="text/html")
    assert page.status_code == 410 and "This identifier was retired" in page.text
    assert get(served, "/id/place/tokyo", Accept="text/turtle").status_code == 200


def test_each_version_dereferences_from_the_catalog(served):
    response = get(served, "/dataset/1.1.0", Accept="text/turtle")
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    assert (rdflib.URIRef(f"{catalog.DATASET}/1.1.0"), rdflib.URIRef("http://www.w3.org/ns/dcat#previousVersion"),
            rdflib.URIRef(f"{catalog.DATASET}/1.0.0")) in graph
