"""The page a browser gets for a bare `GET /sparql` (Accept: text/html): what the endpoint is, its
limits (the settings, with the values this server runs with), example queries from the stored
queries, a request to copy, and links to the query editor and the service description.

Only a request that names text/html above every RDF format gets it (service_description.py
decides): curl, SPARQL clients and `Accept: */*` keep getting the service description."""

from __future__ import annotations

from functools import lru_cache

from starlette.requests import Request
from starlette.responses import Response

from ..errors import QueryDefinitionError
from ..project import Project
from ..settings import Settings
from ..sparql import queries
from .html import page, public_origin
from .i18n import messages, pick_language

EXAMPLES = ("isdb-t-timeline", "country-profile", "dialogues-with-partner", "international-organizations",
            "class-counts")
CURL = """curl -G {endpoint} -H 'Accept: text/csv' \\
     --data-urlencode 'query=SELECT ?class (COUNT(*) AS ?n) WHERE {{ ?s a ?class }} GROUP BY ?class ORDER BY DESC(?n)'"""


@lru_cache(maxsize=1)
def catalogue() -> queries.Catalogue | None:
    """The stored queries of the project (None when there are none to read)."""
    try:
        return queries.load(Project.find())
    except (OSError, QueryDefinitionError):
        return None


def limits(settings: Settings, lang: str) -> list[dict]:
    """Every setting: name, what it limits in `lang`, and the value this server runs with."""
    ui, values = messages(lang), settings.as_dict()
    rows = []
    for row in Settings.table():
        value = values[row["name"]]
        shown = ", ".join(value) if isinstance(value, list) else str(value).lower() if isinstance(value, bool) else str(value)
        rows.append({"name": row["name"], "option": "--" + row["name"].replace("_", "-"),
                     "meaning": ui.get("limit_" + row["name"], row["help"]), "value": shown or ui["no_limit"]})
    return rows


def examples(lang: str) -> list[dict]:
    found = catalogue() or {}
    return [{"name": name, "title": found[name].label(lang), "description": found[name].description.get(lang, "")}
            for name in EXAMPLES if name in found]


def sparql_page(site, request: Request) -> Response:
    lang = pick_language(request)
    endpoint = public_origin(request) + "/sparql"
    return page("sparql.html", request, lang, endpoint=endpoint, limits=limits(site.settings, lang),
                examples=examples(lang), curl=CURL.format(endpoint=endpoint),
                description=messages(lang)["sparql_intro"], headers={"Vary": "Accept, Accept-Language, Cookie"},
                alternates=[("ttl", "text/turtle", "/sparql?format=ttl")])
