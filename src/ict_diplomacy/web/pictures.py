"""Pictures of the graph and the query editor: `/timeline`, `/map`, `/charts/isdb-t`, `/query`.

Everything drawn comes from the graph through the same engine as `/sparql` (SPARQL written in
timeline.py and world_map.py, or the stored query isdb-t-timeline), never from a hand-kept copy;
the answers are kept per release, since a release never changes."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..project import BASE, Project
from ..sparql import queries
from ..sparql.engine import json_rows
from . import assets, chart, editor, facets, timeline, world_map
from .activities import JAPAN, labels
from .html import page
from .i18n import messages, pick_language
from .http import query_params


def routes(site, project: Project | None = None) -> list[BaseRoute]:
    """/timeline, /map, /charts/isdb-t, /query, and the vendored and own static files."""
    project = project or Project.find()
    catalogue = queries.load(project)
    kept: dict[str, object] = {}  # per-release answers, filled on first use

    async def once(key: str, compute):
        if key not in kept:
            kept[key] = await compute()
        return kept[key]

    async def timeline_page(request: Request) -> Response:
        lang = pick_language(request)
        data = await once("timeline", lambda: timeline.load_timeline(site, catalogue))
        chosen = timeline.chosen_filters(request, data)
        return page("timeline.html", request, lang, view=timeline.timeline_view(data, chosen, lang))

    async def activities_page(request: Request) -> Response:
        lang = pick_language(request)
        data = await once("timeline", lambda: timeline.load_timeline(site, catalogue))
        chosen = facets.chosen_facets(request, data)
        asked = query_params(request).get("page", "")
        number = int(asked) if asked.isdigit() else 1
        return page("activities.html", request, lang, view=facets.activities_view(data, chosen, lang, number),
                    description=messages(lang)["activities_intro"])

    async def map_page(request: Request) -> Response:
        lang = pick_language(request)
        counts = await once("counts", lambda: world_map.country_counts(site, catalogue))
        names = await once("country-names", lambda: labels(site, {c["iri"] for c in counts} | {JAPAN}))
        return page("map.html", request, lang, view=world_map.map_view(project, counts, names, lang))

    async def chart_page(request: Request) -> Response:
        lang = pick_language(request)
        rows = await once(f"isdb-t-{lang}", lambda: chart.adoptions(site, catalogue, lang))
        stated = await once("isdb-t-stated", lambda: chart.stated_count(site, chart.STANDARD))
        return page("chart.html", request, lang, view=chart.chart_view(rows, lang), stated=stated)

    async def editor_page(request: Request) -> Response:
        lang = pick_language(request)
        kinds = await once("id-kinds", lambda: json_rows(site.engine, editor.id_kinds_query()))
        prefixes = editor.prefix_block([row["kind"]["value"] for row in kinds if row.get("kind", {}).get("value")])
        config = {"endpoint": "/sparql", "query": editor.initial_query(request, catalogue, prefixes, lang),
                  "prefixes": prefixes, "examples": editor.examples(catalogue, lang), "lang": lang, "base": BASE}
        return page("editor.html", request, lang, config=config, config_json=editor.script_json(config),
                    installed=not assets.missing(project))

    return [Route("/timeline", timeline_page, methods=["GET", "HEAD"], name="timeline"),
            Route("/map", map_page, methods=["GET", "HEAD"], name="map"),
            Route("/activities", activities_page, methods=["GET", "HEAD"], name="activities"),
            Route("/charts/isdb-t", chart_page, methods=["GET", "HEAD"], name="chart-isdb-t"),
            Route("/query", editor_page, methods=["GET", "HEAD"], name="query-editor"),
            *assets.routes(project)]
