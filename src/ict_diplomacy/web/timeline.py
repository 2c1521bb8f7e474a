"""The timeline (`/timeline`): meetings, dialogues, agreements and adoptions with a date, in date
order and grouped by year, filtered by country, organization and topic with a plain GET form."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request

from ..errors import BadRequest
from ..project import ICTD, ID_BASE
from ..sparql.engine import json_rows
from .activities import JAPAN, PROLOGUE, involves_country, labels, link, of_kind, pick
from .i18n import format_date

FACETS = ("country", "organization", "topic")

TIMELINE_KINDS = ("Event", "Agreement", "StandardAdoption")


def timeline_query() -> str:
    return PROLOGUE + f"SELECT DISTINCT ?r ?date ?type WHERE {{ {of_kind('?r', TIMELINE_KINDS)} ?r ictd:date ?date . }}"


def facets_query() -> str:
    organization = "?v a ?ot . ?ot rdfs:subClassOf* ictd:Organization ."
    # the kinds in a subquery: next to the UNION, Virtuoso 7 loses every row
    return PROLOGUE + f"""SELECT DISTINCT ?r ?facet ?v WHERE {{
  {{ SELECT DISTINCT ?r WHERE {{ {of_kind('?r', TIMELINE_KINDS)} ?r ictd:date ?date . }} }}
  {{ {involves_country('?r', '?v')} BIND("country" AS ?facet) }}
  UNION {{ ?r ?q ?v . {organization} BIND("organization" AS ?facet) }}
  UNION {{ ?r ictd:inSeries ?series . ?series ?q ?v . {organization} BIND("organization" AS ?facet) }}
  UNION {{ ?r (ictd:inSeries?)/ictd:topic ?v . BIND("topic" AS ?facet) }}
}}"""


@dataclass
class Entry:
    iri: str
    date: str
    datatype: str
    types: set[str] = field(default_factory=set)
    facets: dict[str, set[str]] = field(default_factory=lambda: {f: set() for f in FACETS})


@dataclass
class Timeline:
    entries: dict[str, Entry]
    names: dict[str, dict[str, str]]


async def load_timeline(site) -> Timeline:
    entries: dict[str, Entry] = {}
    for row in await json_rows(site.engine, timeline_query()):
        date = row["date"]
        entry = entries.setdefault(row["r"]["value"], Entry(row["r"]["value"], date["value"], date.get("datatype", "")))
        entry.types.add(row["type"]["value"])
    for row in await json_rows(site.engine, facets_query()):
        entry = entries.get(row["r"]["value"])
        if entry is not None and row["v"]["value"] != JAPAN:
            entry.facets[row["facet"]["value"]].add(row["v"]["value"])
    iris = set(entries) | {t for e in entries.values() for t in e.types}
    iris |= {v for e in entries.values() for values in e.facets.values() for v in values}
    return Timeline(entries, await labels(site, iris))


def specific_type(types: set[str]) -> str:
    """The most specific of an entry's types: ours, and not one of the broad kinds."""
    broad = {ICTD + kind for kind in (*TIMELINE_KINDS, "Activity", "Document")}
    ours = sorted(t for t in types if t.startswith(ICTD))
    return next((t for t in ours if t not in broad), ours[0] if ours else min(types))


def chosen_filters(request: Request, timeline: Timeline) -> dict[str, str]:
    """The filters asked for, as full IRIs; a value that names nothing of its kind is a 400."""
    chosen = {}
    for facet in FACETS:
        raw = (request.query_params.get(facet) or "").strip()
        if not raw:
            continue
        iri = raw if raw.startswith("http") else ID_BASE + raw
        if not any(iri in e.facets[facet] for e in timeline.entries.values()):
            raise BadRequest(f"{facet}={raw!r} names no {facet} of the timeline", detail={"parameter": facet})
        chosen[facet] = iri
    return chosen


def facet_options(timeline: Timeline, facet: str, lang: str) -> list[dict]:
    values = {v for e in timeline.entries.values() for v in e.facets[facet]}
    options = [{"value": v.removeprefix(ID_BASE), "iri": v,
                "label": pick(timeline.names, v, lang)} for v in values]
    return sorted(options, key=lambda o: o["label"].casefold())


def timeline_view(timeline: Timeline, chosen: dict[str, str], lang: str) -> dict:
    """Entries matching every chosen filter, in date order, grouped by year."""
    kept = [e for e in timeline.entries.values() if all(iri in e.facets[f] for f, iri in chosen.items())]
    kept.sort(key=lambda e: (e.date, pick(timeline.names, e.iri, lang)))
    years: list[dict] = []
    for entry in kept:
        if not years or years[-1]["year"] != entry.date[:4]:
            years.append({"year": entry.date[:4], "entries": []})
        kind = specific_type(entry.types)
        years[-1]["entries"].append({
            "href": link(entry.iri, lang), "label": pick(timeline.names, entry.iri, lang),
            "date": format_date(entry.date, entry.datatype, lang) or entry.date, "datetime": entry.date,
            "type": pick(timeline.names, kind, lang), "kind": kind.rsplit("#", 1)[-1]})
    return {"years": years, "count": len(kept),
            "facets": [{"name": f, "options": facet_options(timeline, f, lang),
                        "selected": chosen.get(f, "").removeprefix(ID_BASE)} for f in FACETS]}

