"""The Oxigraph store built from the published triples."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox


def create(path: Path, triples: list[ox.Triple]) -> None:
    """Write a new on-disk store at `path` holding `triples` in the default graph."""
    store = ox.Store(str(path))
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    store.flush()
    store.optimize()
    del store  # release the RocksDB lock before the directory is moved


def open_read_only(path: Path) -> ox.Store:
    if not (path / "CURRENT").exists():
        raise FileNotFoundError(f"no Oxigraph store at {path}; run `ict-diplomacy build` first")
    return ox.Store.read_only(str(path))


def count(store: ox.Store) -> int:
    return len(store)
