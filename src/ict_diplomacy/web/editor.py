"""The query editor (`/query`): YASGUI (vendored) on this server's `/sparql`, with our prefixes
written in and the stored queries as examples; without script, a plain form posts to `/sparql`."""

from __future__ import annotations

import json

from starlette.requests import Request

from ..project import ID_BASE, PREFIXES
from ..sparql import queries
from ..sparql.text import with_values
from .http import query_params

EDITOR_PREFIXES = ("ictd", "rdf", "rdfs", "owl", "xsd", "skos", "dct", "schema")


def id_kinds_query() -> str:
    return (f'SELECT DISTINCT ?kind WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID_BASE}")) '
            f'BIND(STRBEFORE(STRAFTER(STR(?s), "{ID_BASE}"), "/") AS ?kind) }} ORDER BY ?kind')



STARTER = {lang: f"""SELECT ?date ?country ?name WHERE {{
  ?adoption a ictd:StandardAdoption ;
            ictd:adoptingCountry ?country ;
            ictd:date ?date .
  ?country rdfs:label ?name FILTER(lang(?name) = "{lang}")
}}
ORDER BY ?date
""" for lang in ("ja", "en")}


def prefix_block(kinds: list[str]) -> str:
    lines = [f"PREFIX {p}: <{PREFIXES[p]}>" for p in EDITOR_PREFIXES]
    lines += [f"PREFIX {k}: <{ID_BASE}{k}/>" for k in kinds if k not in PREFIXES and k.replace("-", "").isalnum()]
    return "\n".join(lines) + "\n\n"


def example_text(query: queries.StoredQuery, lang: str) -> str:
    """A stored query with its defaults (and the page's language) bound in a VALUES block, so it
    runs as it is in the editor; its `#+` header becomes two comment lines in that language."""
    bindings = {}
    for name, param in query.params.items():
        value = lang if name == "lang" and (not param.enum or lang in param.enum) else param.default
        if value is not None:
            bindings[name] = param.term(value)
    body = "\n".join(line for line in query.text.splitlines() if not line.startswith("#+")).strip("\n")
    header = f"# {query.label(lang)}\n# {query.description.get(lang, '')}\n"
    return header + with_values(body, bindings) + "\n"


def examples(catalogue: queries.Catalogue, lang: str) -> list[dict]:
    return [{"name": q.name, "title": q.label(lang), "description": q.description.get(lang, ""),
             "text": example_text(q, lang)} for q in catalogue.values() if not q.federated]


def initial_query(request: Request, catalogue: queries.Catalogue, prefixes: str, lang: str) -> str:
    """`?query=` as given, else the stored query `?name=`, else the prefixes and a first query."""
    params = query_params(request)
    if params.get("query"):
        return params["query"]
    name = params.get("name")
    if name and name in catalogue:
        return example_text(catalogue[name], lang)
    return prefixes + STARTER[lang]


def script_json(value) -> str:
    """JSON safe inside a <script> element (no `</` can end it early)."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/").replace("<!--", "<\\!--")

