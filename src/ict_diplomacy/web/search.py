"""Finding resources by name: `/search?q=` (HTML, works without JavaScript) and `/api/search?q=` (JSON).

The index holds every label, alternative label (acronyms such as "WRC-19", "APT") and notation of
the resources under `id/`, and their descriptions, read from the store once per release through
`site.engine` (so remote mode works) on the first search. Matching is on NFKC-folded, case-folded
text, so full-width and half-width forms match, and again with hyphens, spaces and punctuation left
out, so `wrc19` finds WRC-19. Ranking: exact match of a name first, then a name starting with the
query, then a word of a name starting with it, then the query anywhere in a name, then in a
description; ties go to the more important kinds (countries, organizations, events before
statistics and source sections), then to the shorter name. Every hit is kept: pages show them
`PAGE_SIZE` at a time with the true total."""

from __future__ import annotations

import asyncio
import re
import unicodedata
from dataclasses import dataclass, field

from .i18n import notation_for, other_language
from ..project import ICTD, ID_BASE, PREFIXES
from ..sparql.engine import json_rows
from .views import href

MAX_QUERY = 200
DEFAULT_LIMIT = 50
PAGE_SIZE = 20
# Kinds of resources people look for first; anything else ranks after them.
LOW_PRIORITY = {ICTD + name for name in ("Statistic", "MonetaryAmount", "SourceSection", "SourceDocument",
                                         "Period", "Unit", "NumericQualifier", "Status", "AppointmentKind",
                                         "SourceDiscrepancy")}
HIGH_PRIORITY = {ICTD + name for name in ("Country", "InternationalOrganization", "Conference", "EventSeries",
                                          "DialogueSeries", "Standard", "Topic")}
NAMES_QUERY = f"""PREFIX rdfs: <{PREFIXES['rdfs']}>
PREFIX skos: <{PREFIXES['skos']}>
PREFIX ictd: <{ICTD}>
SELECT ?s ?name ?kind WHERE {{
  {{ ?s rdfs:label ?name BIND("label" AS ?kind) }}
  UNION {{ ?s skos:altLabel ?name BIND("alt" AS ?kind) }}
  UNION {{ ?s skos:notation ?name BIND("alt" AS ?kind) }}
  UNION {{ ?s ictd:notation ?name BIND("alt" AS ?kind) }}
  UNION {{ ?s <{PREFIXES['dct']}description> ?name BIND("description" AS ?kind) }}
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID_BASE}"))
}}"""
CLASS_LABELS_QUERY = f"""SELECT ?c ?label WHERE {{ ?c a <{PREFIXES['owl']}Class> ; <{PREFIXES['rdfs']}label> ?label }}"""
TYPES_QUERY = f"""SELECT ?s ?type WHERE {{ ?s a ?type FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID_BASE}")) }}"""
MATCH_NAMES = ("exact", "prefix", "word", "substring", "description")
DESCRIPTION = MATCH_NAMES.index("description")
_WORD_START = re.compile(r"[\s\-‐(（/・,]")
_NOT_LETTERS = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Text as it is compared: NFKC (full-width Ａ and half-width ｶ become A and カ), case-folded."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


def squash(folded: str) -> str:
    """Folded text without hyphens, spaces and punctuation: `wrc-19` and `wrc 19` are `wrc19`."""
    return _NOT_LETTERS.sub("", folded)


@dataclass
class Entry:
    iri: str
    labels: dict[str, str] = field(default_factory=dict)   # language → label
    names: list[str] = field(default_factory=list)         # every name, as written
    folded: list[str] = field(default_factory=list)
    squashed: list[str] = field(default_factory=list)
    descriptions: list[str] = field(default_factory=list)  # folded
    types: list[str] = field(default_factory=list)

    @property
    def priority(self) -> int:
        if any(t in HIGH_PRIORITY for t in self.types):
            return 0
        return 2 if self.types and all(t in LOW_PRIORITY for t in self.types) else 1


@dataclass(frozen=True)
class Hit:
    entry: Entry
    match: int       # index in MATCH_NAMES
    name: str        # the name that matched best

    def key(self) -> tuple:
        return (self.match, self.entry.priority, len(self.name), self.name, self.entry.iri)


class SearchIndex:
    """Names of every resource, searched in memory."""

    def __init__(self, entries: dict[str, Entry]):
        self.entries = entries

    @classmethod
    def from_rows(cls, names: list[dict], types: list[dict]) -> SearchIndex:
        entries: dict[str, Entry] = {}
        for row in names:
            entry = entries.setdefault(row["s"]["value"], Entry(row["s"]["value"]))
            name, tag, kind = row["name"]["value"], row["name"].get("xml:lang", ""), row["kind"]["value"]
            if kind == "description":
                entry.descriptions.append(fold(name))
                continue
            if kind == "label" and tag:
                entry.labels.setdefault(tag, notation_for(name, tag))
            if name not in entry.names:
                entry.names.append(notation_for(name, tag))
                entry.folded.append(fold(name))
                entry.squashed.append(squash(fold(name)))
        for row in types:
            if row["s"]["value"] in entries:
                entries[row["s"]["value"]].types.append(row["type"]["value"])
        return cls(entries)

    def search(self, query: str) -> list[Hit]:
        """Every resource that matches, best first."""
        wanted = fold(query)[:MAX_QUERY]
        if not wanted:
            return []
        hits = [hit for entry in self.entries.values() if entry.names and (hit := _best_match(entry, wanted))]
        return sorted(hits, key=Hit.key)


def _match(name: str, wanted: str) -> int | None:
    if name == wanted:
        return 0
    if name.startswith(wanted):
        return 1
    position = name.find(wanted)
    if position < 0:
        return None
    return 2 if _WORD_START.match(name[position - 1]) else 3


def _squashed_match(name: str, wanted: str) -> int | None:
    if not wanted:
        return None
    return 0 if name == wanted else 1 if name.startswith(wanted) else 3 if wanted in name else None


def _best_match(entry: Entry, wanted: str) -> Hit | None:
    found = [(rank, entry.names[i]) for i, name in enumerate(entry.folded)
             if (rank := _match(name, wanted)) is not None]
    compact = squash(wanted)
    found += [(rank, entry.names[i]) for i, name in enumerate(entry.squashed)
              if (rank := _squashed_match(name, compact)) is not None]
    if not found and any(wanted in text for text in entry.descriptions):
        found = [(DESCRIPTION, min(entry.names, key=lambda n: (len(n), n)))]  # not the engine's first row
    if not found:
        return None
    rank, name = min(found, key=lambda f: (f[0], len(f[1]), f[1]))  # ties alike whatever the engine's row order
    return Hit(entry, rank, name)


# ---------------------------------------------------------------- the index of a site

class SiteSearch:
    """The index of the served release, built on first use and rebuilt when the release changes."""

    def __init__(self, site):
        self.site = site
        self._index: SearchIndex | None = None
        self.type_labels: dict[str, dict[str, str]] = {}
        self._built_for: str | None = None
        self._lock = asyncio.Lock()

    async def index(self) -> SearchIndex:
        async with self._lock:
            if self._index is None or self._built_for != self.site.etag:
                names, types = await self._select(NAMES_QUERY), await self._select(TYPES_QUERY)
                self.type_labels = {}
                for row in await self._select(CLASS_LABELS_QUERY):
                    self.type_labels.setdefault(row["c"]["value"], {})[row["label"].get("xml:lang", "")] = row["label"]["value"]
                self._index, self._built_for = SearchIndex.from_rows(names, types), self.site.etag
        return self._index

    async def _select(self, query: str) -> list[dict]:
        return await json_rows(self.site.engine, query)


def hit_json(hit: Hit, lang: str, type_labels: dict[str, dict[str, str]]) -> dict:
    """One result: IRI, local link, label in `lang`, the name that matched, the kind and its label."""
    entry = hit.entry
    label = entry.labels.get(lang) or entry.labels.get(other_language(lang)) or hit.name
    label_lang = lang if entry.labels.get(lang) else (other_language(lang) if entry.labels.get(other_language(lang)) else None)
    kind = next((t for t in entry.types if t.startswith(ICTD)), entry.types[0] if entry.types else None)
    kind_label = (type_labels.get(kind, {}).get(lang) if kind else None) or (kind.rsplit("#", 1)[-1] if kind else None)
    return {"iri": entry.iri, "href": href(entry.iri), "label": label, "lang": label_lang,
            "matched": hit.name, "match": MATCH_NAMES[hit.match], "type": kind, "type_label": kind_label}
