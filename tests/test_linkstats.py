"""The link-quality report: counted from the data and the evidence tables, printed by
`ict-diplomacy stats --links`, written into the release and shown at /links in ja and en."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

from ict_diplomacy import cli
from ict_diplomacy.project import ICTD, ID_BASE
from ict_diplomacy.publish import linkstats, links
from tests.test_deref import app_for

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SAME_AS = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")


@pytest.fixture(scope="module")
def report(project):
    return linkstats.project_report(project)


def typed(name: str, cls: str) -> ox.Triple:
    return ox.Triple(ox.NamedNode(ID_BASE + name), RDF_TYPE, ox.NamedNode(ICTD + cls))


def test_linked_open_and_not_searched_are_told_apart():
    triples = [typed("organization/a", "Company"), typed("organization/b", "Company"), typed("organization/c", "Company"),
               typed("statistic/s", "Statistic"),
               ox.Triple(ox.NamedNode(ID_BASE + "organization/a"), SAME_AS, ox.NamedNode("http://www.wikidata.org/entity/Q1"))]
    rep = linkstats.report(triples, {"wikidata": {ID_BASE + "organization/b": "not in the trusted lists"}})
    company = next(c for c in rep.classes if c.cls == ICTD + "Company")
    assert (company.targets["wikidata"].linked, company.targets["wikidata"].open, company.targets["wikidata"].not_searched) == (1, 1, 1)
    assert "gbizinfo" not in company.targets
    assert all(c.cls != ICTD + "Statistic" for c in rep.classes), "a class nobody links is not a gap"
    assert rep.open == [{"resource": ID_BASE + "organization/b", "label": "", "classes": ["ictd:Company"],
                         "target": "wikidata", "reason": "not in the trusted lists"}]


def test_report_of_the_data_counts_every_evidence_row(project, report):
    targets = {t.key: t for t in report.targets}
    rows = links.evidence_rows(project.data_dir / "links" / "corporate-number-evidence.tsv", "number")
    assert targets["gbizinfo"].resources == sum(1 for r in rows if r.value) >= 19
    assert targets["gbizinfo"].open == sum(1 for r in rows if not r.value)
    assert targets["gbizinfo"].predicates == {"https://schema.org/sameAs": targets["gbizinfo"].resources}
    company = next(c for c in report.classes if c.cls == ICTD + "Company")
    assert company.targets["gbizinfo"].linked == 8   # the Japanese companies; Russian Post and MPT are not
    nisc = next(o for o in report.open if o["target"] == "gbizinfo" and o["resource"].endswith("/nisc"))
    assert "内閣官房" in nisc["reason"] and nisc["label"] == "National center of Incident readiness and Strategy for Cybersecurity"


def test_stats_links_prints_the_report_as_json_and_as_a_table(project, report, capsys):
    assert cli.main(["--root", str(project.root), "stats", "--links", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == report.to_dict()
    assert cli.main(["--root", str(project.root), "stats", "--links"]) == 0
    table = capsys.readouterr().out
    assert "gbizinfo" in table and "schema:sameAs 19" in table and f"{len(report.open)} open items" in table


def test_the_release_holds_the_report(release, report):
    assert json.loads((release / linkstats.LINKS_JSON).read_text(encoding="utf-8")) == report.to_dict()
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    entry = next(f for f in manifest["files"] if f["name"] == linkstats.LINKS_JSON)
    assert entry["media_type"] == "application/json"


@pytest.fixture(scope="module")
def client(release):
    with TestClient(app_for(release)) as client:
        yield client


def test_links_page_in_english_and_japanese(client, report):
    en = client.get("/links?lang=en")
    assert en.status_code == 200 and '<html lang="en">' in en.text
    assert "Links to other datasets" in en.text and "gBizINFO (corporate number)" in en.text
    assert f"{sum(t.resources for t in report.targets)} links, {len(report.open)} open" in en.text
    assert 'href="/id/organization/nisc?lang=en"' in en.text and "Company" in en.text
    ja = client.get("/links?lang=ja")
    assert '<html lang="ja">' in ja.text and "他のデータセットへのリンク" in ja.text
    assert "企業" in ja.text and "内閣サイバーセキュリティセンター" in ja.text   # class and resource names in Japanese
    assert 'href="/links?lang=en"' in client.get("/?lang=en").text, "the navigation leads to it"


def test_links_page_as_json_is_the_release_file(client, release):
    response = client.get("/links", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.json() == json.loads((release / linkstats.LINKS_JSON).read_text(encoding="utf-8"))
