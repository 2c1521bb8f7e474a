"""The faceted browse of activities (`/activities`): every activity (meetings, dialogues,
agreements, projects, loans, adoptions …, timeline.load_timeline) narrowed by kind, country,
organization, topic and year with a plain GET form that works without script. Beside each value
is the number of activities it would leave, given the other choices (the usual facet counts);
the activities are listed by date, `PAGE_SIZE` to a page."""

from __future__ import annotations

from starlette.requests import Request

from ..project import ID_BASE
from .activities import link, pick
from .i18n import format_date, messages
from .timeline import FACETS, Entry, Timeline, chosen_values, specific_type

FACET_NAMES = ("kind", *FACETS, "year")
PAGE_SIZE = 50
UNDATED = "undated"


def values_of(entry: Entry, facet: str) -> set[str]:
    """The values an activity has for a facet, as the form writes them."""
    if facet == "kind":
        return {specific_type(entry.types).rsplit("#", 1)[-1]}
    if facet == "year":
        return {entry.date[:4] if entry.date else UNDATED}
    return {v.removeprefix(ID_BASE) for v in entry.facets[facet]}


def chosen_facets(request: Request, timeline: Timeline) -> dict[str, str]:
    """The values asked for; one that no activity has is a 400 naming the parameter."""
    return chosen_values(request, FACET_NAMES, list(timeline.entries.values()), values_of, "activities")


def matches(entry: Entry, chosen: dict[str, str], leave_out: str | None = None) -> bool:
    return all(value in values_of(entry, facet) for facet, value in chosen.items() if facet != leave_out)


def option_label(timeline: Timeline, facet: str, value: str, lang: str) -> str:
    if facet == "year":
        return messages(lang)["undated"] if value == UNDATED else (value + "年" if lang == "ja" else value)
    if facet == "kind":
        return pick(timeline.names, "https://w3id.org/ict-diplomacy/ontology#" + value, lang)
    return pick(timeline.names, ID_BASE + value, lang)


def facet_view(timeline: Timeline, facet: str, chosen: dict[str, str], lang: str) -> dict:
    """One facet: its values with the count each would give, the chosen one marked."""
    counts: dict[str, int] = {}
    for entry in timeline.entries.values():
        if matches(entry, chosen, leave_out=facet):
            for value in values_of(entry, facet):
                counts[value] = counts.get(value, 0) + 1
    options = [{"value": v, "label": option_label(timeline, facet, v, lang), "count": n} for v, n in counts.items()]
    if facet == "year":
        options.sort(key=lambda o: (o["value"] == UNDATED, o["value"]))
    else:
        options.sort(key=lambda o: (-o["count"], o["label"].casefold()))
    return {"name": facet, "options": options, "selected": chosen.get(facet, "")}


def activities_view(timeline: Timeline, chosen: dict[str, str], lang: str, number: int) -> dict:
    kept = [e for e in timeline.entries.values() if matches(e, chosen)]
    kept.sort(key=lambda e: (not e.date, e.date, pick(timeline.names, e.iri, lang).casefold()))
    pages = max(1, -(-len(kept) // PAGE_SIZE))
    number = min(max(1, number), pages)
    rows = []
    for entry in kept[(number - 1) * PAGE_SIZE:number * PAGE_SIZE]:
        kind = specific_type(entry.types)
        rows.append({"href": link(entry.iri, lang), "label": pick(timeline.names, entry.iri, lang),
                     "type": pick(timeline.names, kind, lang), "datetime": entry.date,
                     "date": format_date(entry.date, entry.datatype, lang) or entry.date,
                     "planned": entry.planned})
    return {"facets": [facet_view(timeline, f, chosen, lang) for f in FACET_NAMES], "rows": rows,
            "count": len(kept), "number": number, "pages": pages, "first": (number - 1) * PAGE_SIZE + 1,
            "chosen": chosen}
