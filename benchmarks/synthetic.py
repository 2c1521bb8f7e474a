"""Synthetic, shape-valid projects in our ontology, grown from the real graph.

The real data is the template. Each *copy* k repeats every resource of the growing kinds
(events, dialogues and their sessions, series, documents, projects, amounts, statistics,
organizations, posts, people, appointments, notes) under new IRIs (`dialogue/jp-us-ied-x3`,
`dialogue/jp-us-ied-x3/25`), with the same properties, datatypes, dates and links. Links between
copied resources stay inside the copy; links to the fixed kinds (countries, regions, places,
topics, standards, periods, source sections, adoptions) point at the real resources, which are
shared. Class counts and property usage of the copies are those of the real graph by
construction; `profile` measures both with SPARQL so the benchmark can show it.

Usage: python benchmarks/synthetic.py --triples 100000 --out /tmp/ictd-100k
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox

from ict_diplomacy.publish import sources
from ict_diplomacy.publish.dumps import DUMP_PREFIXES
from ict_diplomacy.project import ID_BASE, Project

ROOT = Path(__file__).resolve().parents[1]
SCALED = ("amount", "appointment", "dialogue", "document", "event", "note", "organization",
          "person", "post", "project", "series", "statistic")
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def kind_of(term) -> str:
    if isinstance(term, ox.NamedNode) and term.value.startswith(ID_BASE):
        return term.value[len(ID_BASE):].split("/", 1)[0]
    return ""


def rename(term, k: int):
    """The copy-k twin of a resource of a growing kind; every other term unchanged."""
    if kind_of(term) not in SCALED:
        return term
    kind, slug, *rest = term.value[len(ID_BASE):].split("/")
    return ox.NamedNode(ID_BASE + "/".join([kind, f"{slug}-x{k}", *rest]))


def copy_triple(t: ox.Triple, k: int) -> ox.Triple:
    obj = t.object
    if isinstance(obj, ox.Literal) and t.predicate.value == RDFS_LABEL:
        obj = ox.Literal(f"{obj.value} #{k}", language=obj.language)
    return ox.Triple(rename(t.subject, k), t.predicate, rename(obj, k))


def template(project: Project) -> dict[Path, list[ox.Triple]]:
    """Per data file (relative path), the triples about resources of the growing kinds."""
    parts = {}
    for path in project.data_files():
        kept = [t for t in sources.parse_file(path) if kind_of(t.subject) in SCALED]
        if kept:
            parts[path.relative_to(project.data_dir)] = kept
    return parts


def plan(project: Project, target: int) -> tuple[dict[Path, list[ox.Triple]], int, int]:
    """The template, the real graph's size, and how many copies reach about `target` triples."""
    parts = template(project)
    base = len(sources.load(project).published)
    per_copy = len({t for ts in parts.values() for t in ts})
    return parts, base, max(1, round((target - base) / per_copy))


def generate(target: int, out: Path, source: Project | None = None) -> Path:
    """Write a project directory (ontology/, shapes/, data/) of about `target` triples."""
    project = source or Project(ROOT)
    parts, _, copies = plan(project, target)
    if out.exists():
        shutil.rmtree(out)
    for name in ("ontology", "shapes"):
        shutil.copytree(project.root / name, out / name)
    shutil.copytree(project.data_dir, out / "data", ignore=shutil.ignore_patterns("*.tsv"))
    for k in range(1, copies + 1):
        for rel, triples in parts.items():
            path = out / "data" / "synthetic" / f"{k:04d}" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            ox.serialize([copy_triple(t, k) for t in triples], str(path),
                         format=ox.RdfFormat.TURTLE, prefixes=DUMP_PREFIXES)
    return out


PROFILE_CLASSES = """SELECT ?c (COUNT(?s) AS ?n) WHERE {
  ?s a ?c FILTER(STRSTARTS(STR(?s), "https://w3id.org/ict-diplomacy/id/")) } GROUP BY ?c"""
PROFILE_PROPERTIES = """SELECT ?p (COUNT(*) AS ?n) WHERE {
  ?s ?p ?o FILTER(STRSTARTS(STR(?s), "https://w3id.org/ict-diplomacy/id/")) } GROUP BY ?p"""


def profile(triples) -> dict[str, Counter]:
    """Class counts and property usage of the instance data, measured with SPARQL."""
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    result = {}
    for name, query, var in (("classes", PROFILE_CLASSES, "c"), ("properties", PROFILE_PROPERTIES, "p")):
        result[name] = Counter({row[var].value: int(row["n"].value) for row in store.query(query)})
    return result


def max_share_difference(real: Counter, synthetic: Counter, top: int = 15) -> float:
    """Largest difference, in percentage points, between the shares of the `top` real keys."""
    total_r, total_s = sum(real.values()), sum(synthetic.values())
    return max(abs(100 * real[key] / total_r - 100 * synthetic[key] / total_s)
               for key, _ in real.most_common(top))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, required=True, help="about how many triples to publish")
    parser.add_argument("--out", type=Path, required=True, help="project directory to (re)create")
    args = parser.parse_args(argv)
    out = generate(args.triples, args.out)
    published = sources.load(Project(out)).published
    print(f"{out}: {len(published)} triples in {len(Project(out).data_files())} data files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
