"""The Oxigraph store built from the published triples."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from ..errors import StoreUnavailable


def create(path: Path, triples: list[ox.Triple]) -> None:
    """Write a new on-disk store at `path` holding `triples` in the default graph."""
    store = ox.Store(str(path))
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)  # default graph
    store.flush()
    store.optimize()
    del store  # release the RocksDB lock before the directory is moved


def open_read_only(path: Path) -> ox.Store:
    """The store at `path`, read-only; StoreUnavailable naming the path if it is missing or damaged."""
    if not (path / "CURRENT").exists():
        raise StoreUnavailable(f"no Oxigraph store at {path}; run `ict-diplomacy build` first")
    try:
        store = ox.Store.read_only(str(path))
        len(store)  # touches the index files: a damaged table fails here, not in the first query
    except (OSError, RuntimeError, ValueError) as error:
        raise StoreUnavailable(f"the Oxigraph store at {path} is damaged ({str(error).splitlines()[0][:200]}); "
                               "run `ict-diplomacy build` to publish a fresh release") from None
    return store


def count(store: ox.Store) -> int:
    return len(store)
