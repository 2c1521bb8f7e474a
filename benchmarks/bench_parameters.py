"""Stored queries with a parameter that varies per request (issue 13, item 1): each stored query
with an IRI parameter of a class, its value taken in turn from every instance of that class in
the data (other parameters at their defaults). Ours answers `/api/queries/{name}?{param}={value}`
(the stored-query API, its class check of the value included); Oxigraph's server gets the same
query with the same value bound, as text. Used by bench_distinct.py, which runs the cells."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import quote, urlencode

from framework import ROOT

MAX_VALUES = 200  # a cycle this long: at 8 clients no two requests in flight share a value


def streams(release: Path) -> dict[str, tuple[str, list[tuple[str, str]], list[tuple[str, str]]]]:
    """{query name: (parameter, our requests, Oxigraph's requests)}, requests as (path, Accept)."""
    from bench_endpoint import GRAPH_ACCEPT, SELECT_ACCEPT
    from ict_diplomacy.project import Project
    from ict_diplomacy.sparql import queries
    chosen = {name: query for name, query in queries.load(Project(ROOT)).items()
              if not query.federated and _varied(query) is not None}
    texts = asyncio.run(_bound_texts(release, chosen))
    found = {}
    for name, query in chosen.items():
        param, accept = _varied(query), SELECT_ACCEPT if query.kind in ("select", "ask") else GRAPH_ACCEPT
        values = texts[name]
        ours = [(f"/api/queries/{name}?" + urlencode({param: value}), accept) for value in values]
        theirs = [("/query?query=" + quote(text), accept) for text in values.values()]
        found[name] = (param, ours, theirs)
    return found


def _varied(query) -> str | None:
    """The first IRI parameter with a class: the one whose value varies."""
    return next((name for name, p in query.params.items() if p.type == "iri" and p.cls and not p.enum), None)


async def _bound_texts(release: Path, chosen: dict) -> dict[str, dict[str, str]]:
    """{query name: {value: the query text with that value (and the defaults) bound}}."""
    from ict_diplomacy.publish.release import Release
    from ict_diplomacy.settings import Settings
    from ict_diplomacy.sparql import queries
    from ict_diplomacy.sparql.connect import opened
    from ict_diplomacy.sparql.engine import json_rows
    from ict_diplomacy.sparql.text import with_values
    texts = {}
    async with opened(Settings(workers=1, answer_cache_mb=0), Release.open(release)) as engine:
        for name, query in chosen.items():
            param = query.params[_varied(query)]
            rows = await json_rows(engine, "SELECT DISTINCT ?x WHERE { ?x a/<http://www.w3.org/2000/01/rdf-schema#"
                                           f"subClassOf>* <{param.cls}> }} ORDER BY ?x LIMIT {MAX_VALUES}")
            texts[name] = {}
            for value in (row["x"]["value"] for row in rows):
                bindings = await queries.bind(query, {param.name: value}, engine)
                texts[name][value] = with_values(query.text, bindings)
    return texts
