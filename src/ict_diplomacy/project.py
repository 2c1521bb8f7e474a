"""Where a project's sources live and what is published from them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

BASE = "https://w3id.org/ict-diplomacy/"
ID_BASE = BASE + "id/"
ONTOLOGY_IRI = BASE + "ontology"
ICTD = ONTOLOGY_IRI + "#"
DATA_GRAPH = BASE  # the name of the graph the data is: where dumps are loaded elsewhere, and in default-graph-uri

PREFIXES = {
    "ictd": ICTD,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "https://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "qb": "http://purl.org/linked-data/cube#",
    "time": "http://www.w3.org/2006/time#",
    "vann": "http://purl.org/vocab/vann/",
    "wd": "http://www.wikidata.org/entity/",
}


def _default_root() -> Path:
    """The directory holding ontology/, data/ and shapes/: $ICT_DIPLOMACY_ROOT, the working
    directory, or the source checkout this package was installed from (editable installs)."""
    if env := os.environ.get("ICT_DIPLOMACY_ROOT"):
        return Path(env)
    for candidate in (Path.cwd(), Path(__file__).resolve().parents[2]):
        if (candidate / "ontology").is_dir() and (candidate / "data").is_dir():
            return candidate
    return Path.cwd()


@dataclass(frozen=True)
class Project:
    root: Path

    @classmethod
    def find(cls, root: str | Path | None = None) -> "Project":
        return cls(Path(root) if root else _default_root())

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def dist(self) -> Path:
        """The published release: a symlink swapped atomically by each build."""
        return self.root / "dist"

    def ontology_files(self) -> list[Path]:
        return sorted(self.ontology_dir.glob("*.ttl"))

    def data_files(self) -> list[Path]:
        return sorted(self.data_dir.rglob("*.ttl"))

    def shape_files(self) -> list[Path]:
        """Our own shapes; the vendored DCAT-AP shapes in shapes/dcat-ap/ check the catalog, not the data."""
        vendored = self.shapes_dir / "dcat-ap"
        return sorted(p for p in self.shapes_dir.rglob("*.ttl") if vendored not in p.parents)

    @property
    def archive_dir(self) -> Path:
        """releases/: every published version, kept in the repository (publish/versions.py)."""
        return self.root / "releases"

    def archive_files(self) -> list[Path]:
        return sorted(p for p in self.archive_dir.rglob("*") if p.is_file() and not any(
            part.startswith(".") for part in p.relative_to(self.archive_dir).parts))

    def source_files(self) -> list[Path]:
        """Every file whose change makes a new build necessary (a newly published version too)."""
        return self.ontology_files() + self.data_files() + self.shape_files() + self.archive_files()
