"""A published release: the directory a build writes, read back by everything that serves it.

A release holds the dumps, the catalog files, the Oxigraph store (`store/`) and `manifest.json`
(triple count, size and SHA-256 of every file, build time, ontology version). It is immutable:
its id is its ETag."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

STORE_DIR = "store"
MANIFEST = "manifest.json"


def read_manifest(release: Path) -> dict:
    """The manifest of the release at `release` (a release link or directory)."""
    path = release / MANIFEST
    if not path.exists():
        raise FileNotFoundError(f"no release at {release}; run `ict-diplomacy build` first")
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Release:
    path: Path          # the release directory itself (a link resolved once)
    manifest: dict

    @classmethod
    def open(cls, link: Path) -> "Release":
        """The release a link (or directory) points at now; FileNotFoundError if there is none."""
        manifest = read_manifest(link)
        return cls(link.resolve(), manifest)

    @classmethod
    def find(cls, link: Path | None) -> "Release | None":
        """Like `open`, but None when there is no release there."""
        if link is None or not (link / MANIFEST).exists():
            return None
        return cls.open(link)

    @property
    def id(self) -> str:
        return self.manifest.get("release", self.path.name)

    @property
    def etag(self) -> str:
        """A strong ETag for everything this release serves."""
        return f'"{self.id}"'

    @property
    def store_dir(self) -> Path:
        return self.path / STORE_DIR

    def file(self, name: str) -> Path:
        return self.path / name
