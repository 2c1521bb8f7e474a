"""Complete answers of the immutable release, kept in the server process.

`CachingEngine` wraps an Engine: a query whose text, parameters, requested format and release
ETag were answered before gets the same answer again (the same bytes, row count and truncation
flag) without a query slot or a worker. Only complete successful answers are stored, so an error
or a timeout is never hidden by a cached 200, and a query that calls another endpoint (SERVICE)
or asks for the time, a random number or a fresh identifier is never stored: its answer can change
without a new release. The cache is bounded in bytes and
drops the least recently used answers first; the row cap is a setting of the process, so a cached
answer was cut exactly as a fresh one would be."""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Any, Hashable

import pyoxigraph as ox

from .engine import Bindings, Dataset, QueryResult

# Conservative, on the raw text (a mention in a string or comment counts too): a call to another
# endpoint, or a function whose value changes from one evaluation to the next.
_NOT_THE_RELEASE_ALONE = re.compile(r"service|\b(?:now|rand|uuid|struuid|bnode)\s*\(", re.I)
TRIPLE_OVERHEAD = 64                          # bytes counted per cached triple beyond its text


class AnswerCache:
    """A least-recently-used map bounded by the total size of its values, in bytes."""

    def __init__(self, max_bytes: int):
        self.max_bytes, self.size = max_bytes, 0
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> Any | None:
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry[0]

    def put(self, key: Hashable, value: Any, size: int) -> None:
        if size > self.max_bytes:
            return
        if (old := self._entries.pop(key, None)) is not None:
            self.size -= old[1]
        self._entries[key] = (value, size)
        self.size += size
        while self.size > self.max_bytes:
            _, (_, dropped) = self._entries.popitem(last=False)
            self.size -= dropped

    def __len__(self) -> int:
        return len(self._entries)


class CachingEngine:
    """The Engine interface over another engine, with an AnswerCache in front (see the module)."""

    def __init__(self, engine, max_bytes: int, etag: str):
        self.engine, self.etag = engine, etag   # a new release (another ETag) never hits old answers
        self.connections = getattr(engine, "connections", None)
        self.cache = AnswerCache(max_bytes)

    async def query(self, sparql: str, *, accept: str = "application/sparql-results+json",
                    bindings: Bindings | None = None, timeout: float | None = None, client: str = "",
                    dataset: Dataset | None = None) -> QueryResult:
        key = ("query", self.etag, sparql, accept, _frozen(bindings), dataset)
        if (hit := self.cache.get(key)) is not None:
            return hit
        named = {"dataset": dataset} if dataset else {}  # engines without datasets are asked as before
        result = await self.engine.query(sparql, accept=accept, bindings=bindings, timeout=timeout, client=client,
                                         **named)
        if cacheable(sparql):
            self.cache.put(key, result, len(result.body) + len(sparql))
        return result

    async def triples(self, construct_or_describe: str, *, bindings: Bindings | None = None,
                      timeout: float | None = None, client: str = "") -> list[ox.Triple]:
        key = ("triples", self.etag, construct_or_describe, _frozen(bindings))
        if (hit := self.cache.get(key)) is not None:
            return list(hit)
        triples = await self.engine.triples(construct_or_describe, bindings=bindings, timeout=timeout, client=client)
        if cacheable(construct_or_describe):
            size = sum(len(str(t)) + TRIPLE_OVERHEAD for t in triples) + len(construct_or_describe)
            self.cache.put(key, tuple(triples), size)
        return triples

    async def close(self) -> None:
        await self.engine.close()


def cacheable(sparql: str) -> bool:
    """Whether the answer depends on the release alone: no SERVICE to another endpoint, and no
    NOW(), RAND(), UUID(), STRUUID() or BNODE(), whose values change at every evaluation."""
    return not _NOT_THE_RELEASE_ALONE.search(sparql)


def _frozen(bindings: Bindings | None) -> tuple:
    return tuple(sorted((name, str(term)) for name, term in (bindings or {}).items()))
