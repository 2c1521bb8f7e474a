"""Faults: a build killed at any step, a damaged or missing store, bad source files. Each leaves
the previous publication intact, says what is wrong and where, and the next build recovers."""

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ict_diplomacy.publish import build, dumps, store

from ict_diplomacy import cli
from ict_diplomacy.project import Project
from ict_diplomacy.publish.release import STORE_DIR, read_manifest

from .conftest import ROOT
from .test_validate import HEAD

QUIET = {"progress": lambda _: None}
STEPS = ("parse", "validate", "load", "dump", "catalog", "pages")


def snapshot(out: Path) -> tuple[Path, dict]:
    """Where the release link points and the bytes of every file of that release (store included)."""
    target = out.resolve()
    return target, {p.relative_to(target): p.read_bytes() for p in sorted(target.rglob("*"))
                    if p.is_file() and p.name != "LOCK"}


def leftovers(out: Path) -> list[str]:
    """Anything an interrupted build may leave: staging directories and temporary links."""
    return sorted(p.name for p in [*build.releases_dir(out).glob(".staging-*"), *out.parent.glob(f".{out.name}.link-*")])


def assert_consistent(out: Path) -> None:
    """The published release is complete: every file the manifest lists, with its checksum."""
    manifest = read_manifest(out)
    for entry in manifest["files"]:
        assert dumps.describe_file(out / entry["name"])["sha256"] == entry["sha256"]
    assert len(store.open_read_only(out / STORE_DIR)) == manifest["triples"]


@pytest.fixture(scope="module")
def real_copy(tmp_path_factory) -> Project:
    """The real ontology, shapes and data: big enough that every build step takes a moment."""
    root = tmp_path_factory.mktemp("faults") / "project"
    for name in ("ontology", "shapes", "data"):
        shutil.copytree(ROOT / name, root / name)
    return Project(root)


def start_build(project: Project, out: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "ict_diplomacy", "--root", str(project.root), "build", "--out", str(out)]
    return subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)


def kill_during(project: Project, out: Path, step: str, delay: float) -> int:
    """Start a build, wait until it announces `step`, wait `delay` more, SIGKILL it."""
    process = start_build(project, out)
    for line in process.stderr:
        if line.startswith(f"{step} "):
            break
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    process.stderr.close()
    return process.returncode


def test_a_build_killed_at_any_step_leaves_the_last_release_intact(real_copy, tmp_path):
    out = tmp_path / "dist"
    build.build(real_copy, out, **QUIET)
    before = snapshot(out)
    rng = random.Random(7)
    killed = 0
    for step in STEPS:
        code = kill_during(real_copy, out, step, rng.uniform(0.0, 0.05))
        killed += code == -signal.SIGKILL
        assert code in (0, -signal.SIGKILL)
        if out.resolve() == before[0]:
            assert snapshot(out) == before, f"killed during {step}: the published release changed"
        else:  # the kill came after the link swap (or never): then the new release is complete
            assert_consistent(out)
            before = snapshot(out)
    assert killed >= 3, "the kills should land inside the build"
    assert leftovers(out), "a killed build leaves its staging directory behind"
    build.build(real_copy, out, **QUIET)  # the next build succeeds and cleans up
    assert_consistent(out)
    assert leftovers(out) == []
    assert before[0] != out.resolve()


def test_a_stale_staging_directory_of_a_live_build_is_left_alone(real_copy, tmp_path):
    out = tmp_path / "dist"
    build.build(real_copy, out, **QUIET)
    live = build.releases_dir(out) / f".staging-20990101T000000000000Z-{os.getpid()}"
    live.mkdir()
    build.build(real_copy, out, **QUIET)
    assert live.exists()


# ---------------------------------------------------------------- damaged or missing store

def damage_tables(path: Path) -> None:
    for table in path.glob("*.sst"):
        table.write_bytes(b"not a table")


@pytest.mark.parametrize("damage", ["missing", "current", "tables"])
def test_a_damaged_store_is_named_and_a_rebuild_repairs_it(make_project, tmp_path, capsys, damage):
    project = make_project()
    out = tmp_path / "dist"
    build.build(project, out, **QUIET)
    path = out / STORE_DIR
    if damage == "missing":
        shutil.rmtree(path)
    elif damage == "current":
        (path / "CURRENT").write_text("garbage\n")
    else:
        damage_tables(path)
    with pytest.raises(store.StoreUnavailable, match=str(path)) as raised:
        store.open_read_only(path)
    assert isinstance(raised.value, FileNotFoundError)  # "missing release: build first" applies too
    assert "ict-diplomacy build" in str(raised.value)
    assert cli.main(["--root", str(project.root), "build", "--out", str(out)]) == 0
    assert_consistent(out)


def test_the_cli_names_a_damaged_store_every_time_until_a_rebuild(make_project, capsys):
    project = make_project()
    shutil.copytree(ROOT / "queries", project.queries_dir)
    build.build(project, project.dist, **QUIET)
    (project.dist / STORE_DIR / "CURRENT").write_text("garbage\n")
    query = ["--root", str(project.root), "query", "topics"]
    for _ in range(2):  # the same clear answer each time, not a traceback
        assert cli.main(query) == 2
        err = capsys.readouterr().err
        assert str(project.dist / STORE_DIR) in err and "damaged" in err and "Traceback" not in err
    assert cli.main(["--root", str(project.root), "build", "--quiet"]) == 0
    assert cli.main(query) == 0


# ---------------------------------------------------------------- bad source files

BAD = {
    "syntax error": ("<event/x> a ictd:Meeting ;\n    rdfs:label \"x\"@en\n<event/y> a ictd:Meeting .\n",
                     ["bad.ttl:10", "syntax error"]),
    "wrong datatype": ("<amount/words> a ictd:MonetaryAmount ; rdfs:label \"額\"@ja , \"Amount\"@en ; "
                       "schema:value \"twelve billion\" ; schema:currency \"JPY\" ; ictd:sourceExpression \"額\"@ja ; "
                       "dct:source <source/1-1-a> .",
                       ["amount/words", "schema:value", "xsd:decimal", "bad.ttl"]),
    "ill-typed literal": ("<amount/ill> a ictd:MonetaryAmount ; rdfs:label \"額\"@ja , \"Amount\"@en ; "
                          "schema:value \"12x\"^^xsd:decimal ; schema:currency \"JPY\" ; ictd:sourceExpression \"額\"@ja ; "
                          "dct:source <source/1-1-a> .",
                          ["amount/ill", "schema:value", "bad.ttl"]),
    "month in words": ("<event/mw> a ictd:Meeting ; rdfs:label \"会\"@ja , \"Meeting\"@en ; dct:description \"d\"@en ;\n"
                       "    ictd:date \"March 2019\"^^xsd:gYearMonth ; dct:source <source/1-1-a> .",
                       ["bad.ttl:9", "'March 2019' is not a valid xsd:gYearMonth", "event/mw"]),
    "thirteenth month": ("<event/m13> a ictd:Meeting ; rdfs:label \"会\"@ja , \"Meeting\"@en ; dct:description \"d\"@en ;\n"
                         "    ictd:date \"2018-13\"^^xsd:gYearMonth ; dct:source <source/1-1-a> .",
                         ["bad.ttl:9", "'2018-13' is not a valid xsd:gYearMonth"]),
    "no such day": ("<event/d30> a ictd:Meeting ; rdfs:label \"会\"@ja , \"Meeting\"@en ; dct:description \"d\"@en ;\n"
                    "    ictd:date \"2019-02-30\"^^xsd:date ; dct:source <source/1-1-a> .",
                    ["bad.ttl:9", "'2019-02-30' is not a valid xsd:date"]),
    "dangling reference": ("<event/meet> a ictd:Meeting ; rdfs:label \"会\"@ja , \"Meeting\"@en ; dct:description \"d\"@en ; "
                           "ictd:participant <organization/nowhere> ; dct:source <source/1-1-a> .",
                           ["organization/nowhere", "no file defines it", "bad.ttl"]),
    "conflicting labels": ("<country/JP> rdfs:label \"ニッポン\"@ja , \"Nippon\"@en .",
                           ["country/JP", "several files", "bad.ttl", "minimal.ttl"]),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_data_is_named_and_nothing_is_published(make_project, tmp_path, capsys, case):
    project = make_project()
    out = tmp_path / "dist"
    build.build(project, out, **QUIET)
    before = snapshot(out)
    turtle, expected = BAD[case]
    (project.data_dir / "bad.ttl").write_text(HEAD + turtle, encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["--root", str(project.root), "build", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    for text in expected:
        assert text in err, f"{case}: {text!r} not in:\n{err}"
    assert snapshot(out) == before
    assert leftovers(out) == []
    assert len([p for p in build.releases_dir(out).iterdir()]) == 1


def test_serve_rebuilds_a_damaged_release_instead_of_failing_at_every_start(make_project, tmp_path):
    from ict_diplomacy.settings import Settings
    from ict_diplomacy.web import server

    project = make_project()
    build.build(project, project.dist, progress=lambda _: None)
    first = project.dist.resolve()
    (first / STORE_DIR / "CURRENT").write_text("garbage\n")
    assert "damaged" in server._unusable(project, project.dist)
    server.ensure_release(project, None, Settings())
    assert project.dist.resolve() != first
    assert server._unusable(project, project.dist) == ""
