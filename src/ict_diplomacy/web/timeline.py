"""The timeline (`/timeline`): meetings, dialogues, agreements and adoptions with a date, in date
order and grouped by year, filtered by country, organization and topic with a plain GET form."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request

from ..errors import BadRequest
from ..project import ICTD, ID_BASE
from ..sparql.engine import json_rows
from .activities import JAPAN, PROLOGUE, involvement, labels, link, of_kind, pick
from .i18n import format_date
from .http import query_params

FACETS = ("country", "organization", "topic")

TIMELINE_KINDS = ("Event", "Agreement", "StandardAdoption")
# What the browse of activities lists (the timeline's kinds are among them): activities, documents
# and series, which is everything a country's profile (activities.involvement) can name.
ACTIVITY_KINDS = ("Activity", "Document", "EventSeries", *TIMELINE_KINDS)
PLANNED = ICTD + "Planned"


def activities_query() -> str:
    """Every activity: its types, the kinds it is of, its date (ictd:date), its start, its status."""
    return PROLOGUE + f"""SELECT DISTINCT ?r ?type ?kind ?date ?start ?status WHERE {{
  {of_kind('?r', ACTIVITY_KINDS)}
  OPTIONAL {{ ?r ictd:date ?date }} OPTIONAL {{ ?r ictd:startDate ?start }} OPTIONAL {{ ?r ictd:status ?status }}
}}"""


def facets_queries() -> list[tuple[str, str]]:
    """(facet, query) pairs giving each activity's organizations and topics. Three queries, not one
    UNION: at 1M triples Oxigraph took over 190 s on the UNION and 7 s on the three."""
    organization = "?v a ?ot . ?ot rdfs:subClassOf* ictd:Organization ."
    # the kinds stay in a subquery: written beside the patterns, next to a UNION, Virtuoso 7 lost every row
    activity = f"{{ SELECT DISTINCT ?r WHERE {{ {of_kind('?r', ACTIVITY_KINDS)} }} }}"
    branches = [("organization", f"?r ?q ?v . {organization}"),
                ("organization", f"?r ictd:inSeries ?series . ?series ?q ?v . {organization}"),
                ("topic", "?r (ictd:inSeries?)/ictd:topic ?v .")]
    return [(facet, PROLOGUE + f"SELECT DISTINCT ?r ?v WHERE {{\n  {activity}\n  {pattern}\n}}")
            for facet, pattern in branches]


@dataclass
class Entry:
    iri: str
    date: str = ""                 # ictd:date, else ictd:startDate, as the source states it
    datatype: str = ""
    on_timeline: bool = False      # of a timeline kind and dated
    planned: bool = False          # ictd:status ictd:Planned: not held yet when the source was written
    types: set[str] = field(default_factory=set)
    facets: dict[str, set[str]] = field(default_factory=lambda: {f: set() for f in FACETS})


@dataclass
class Timeline:
    entries: dict[str, Entry]      # every activity; the timeline shows those `on_timeline`
    names: dict[str, dict[str, str]]

    def dated(self) -> list[Entry]:
        return [e for e in self.entries.values() if e.on_timeline]


async def load_timeline(site, catalogue) -> Timeline:
    """Every activity with its facets: countries from activities.involvement, organizations and
    topics from facets_queries, labels of everything shown."""
    entries: dict[str, Entry] = {}
    for row in await json_rows(site.engine, activities_query()):
        entry = entries.setdefault(row["r"]["value"], Entry(row["r"]["value"]))
        entry.types.add(row["type"]["value"])
        dated = row.get("date") or row.get("start")
        if dated and not entry.date:
            entry.date, entry.datatype = dated["value"], dated.get("datatype", "")
        entry.on_timeline |= bool(entry.date) and row["kind"]["value"][len(ICTD):] in TIMELINE_KINDS
        entry.planned |= row.get("status", {}).get("value") == PLANNED
    for facet, query in facets_queries():
        for row in await json_rows(site.engine, query):
            entry = entries.get(row["r"]["value"])
            if entry is not None and row["v"]["value"] != JAPAN:
                entry.facets[facet].add(row["v"]["value"])
    for iri, countries in (await involvement(site, catalogue)).items():
        if iri in entries:
            entries[iri].facets["country"] |= countries
    iris = set(entries) | {t for e in entries.values() for t in e.types} | {PLANNED}
    iris |= {v for e in entries.values() for values in e.facets.values() for v in values}
    return Timeline(entries, await labels(site, iris))


def specific_type(types: set[str]) -> str:
    """The most specific of an entry's types: ours, and not one of the broad kinds."""
    broad = {ICTD + kind for kind in (*TIMELINE_KINDS, "Activity", "Document")}
    ours = sorted(t for t in types if t.startswith(ICTD))
    return next((t for t in ours if t not in broad), ours[0] if ours else min(types))


def chosen_values(request: Request, facets: tuple[str, ...], entries: list[Entry], values_of, what: str) -> dict[str, str]:
    """The value of each facet asked for, as `values_of(entry, facet)` writes it; one that no
    entry has is a 400 naming the parameter."""
    chosen = {}
    for facet in facets:
        raw = (query_params(request).get(facet) or "").strip().removeprefix(ID_BASE)
        if not raw:
            continue
        if not any(raw in values_of(e, facet) for e in entries):
            raise BadRequest(f"{facet}={raw!r} names no {facet} of the {what}", detail={"parameter": facet})
        chosen[facet] = raw
    return chosen


def chosen_filters(request: Request, timeline: Timeline) -> dict[str, str]:
    """The timeline's filters asked for, as full IRIs."""
    def values_of(entry: Entry, facet: str) -> set[str]:
        return {v.removeprefix(ID_BASE) for v in entry.facets[facet]}
    chosen = chosen_values(request, FACETS, timeline.dated(), values_of, "timeline")
    return {facet: ID_BASE + value for facet, value in chosen.items()}


def facet_options(timeline: Timeline, facet: str, lang: str) -> list[dict]:
    values = {v for e in timeline.dated() for v in e.facets[facet]}
    options = [{"value": v.removeprefix(ID_BASE), "iri": v,
                "label": pick(timeline.names, v, lang)} for v in values]
    return sorted(options, key=lambda o: o["label"].casefold())


def timeline_view(timeline: Timeline, chosen: dict[str, str], lang: str) -> dict:
    """Entries matching every chosen filter, in date order, grouped by year."""
    kept = [e for e in timeline.dated() if all(iri in e.facets[f] for f, iri in chosen.items())]
    kept.sort(key=lambda e: (e.date, pick(timeline.names, e.iri, lang)))
    years: list[dict] = []
    for entry in kept:
        if not years or years[-1]["year"] != entry.date[:4]:
            years.append({"year": entry.date[:4], "entries": []})
        kind = specific_type(entry.types)
        years[-1]["entries"].append({
            "href": link(entry.iri, lang), "label": pick(timeline.names, entry.iri, lang),
            "date": format_date(entry.date, entry.datatype, lang) or entry.date, "datetime": entry.date,
            "type": pick(timeline.names, kind, lang), "kind": kind.rsplit("#", 1)[-1],
            "planned": pick(timeline.names, PLANNED, lang) if entry.planned else None})
    return {"years": years, "count": len(kept),
            "facets": [{"name": f, "options": facet_options(timeline, f, lang),
                        "selected": chosen.get(f, "").removeprefix(ID_BASE)} for f in FACETS]}

