"""What the pictures of the graph share: which countries each activity involves (from the stored
query country-profile), the labels of what they show, and links that keep the page's language."""

from __future__ import annotations

from collections.abc import Iterable

from ..project import ID_BASE, PREFIXES
from ..sparql import queries
from ..sparql.engine import json_rows
from .views import href

JAPAN = ID_BASE + "country/JP"

PROLOGUE = "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in ("ictd", "rdf", "rdfs", "xsd"))
# The one definition of what involves a country: the stored query country-profile (directly, through
# a city or an organization of the country, or through the series an item belongs to).
INVOLVEMENT_QUERY = "country-profile"


def _values(name: str, locals_: tuple[str, ...]) -> str:
    return f"VALUES ?{name} {{ {' '.join('ictd:' + local for local in locals_)} }}"


async def involvement(site, catalogue: queries.Catalogue) -> dict[str, set[str]]:
    """{activity: the countries it involves}, Japan left out: the rows of country-profile for
    every country at once (its `country` parameter left unbound)."""
    query = catalogue.get_query(INVOLVEMENT_QUERY)
    bindings = {"lang": query.params["lang"].term("en")} if "lang" in query.params else {}
    found: dict[str, set[str]] = {}
    for row in await json_rows(site.engine, query.text, bindings):
        if row["country"]["value"] != JAPAN:
            found.setdefault(row["activity"]["value"], set()).add(row["country"]["value"])
    return found


def of_kind(activity: str, kinds: tuple[str, ...]) -> str:
    return f"{_values('kind', kinds)} {activity} a ?type . ?type rdfs:subClassOf* ?kind ."


LABELS_PER_QUERY = 500


def labels_query(iris: Iterable[str]) -> str:
    values = " ".join(f"<{iri}>" for iri in sorted(iris))
    return PROLOGUE + f"SELECT ?x ?l WHERE {{ VALUES ?x {{ {values} }} ?x rdfs:label ?l }}"


async def labels(site, iris: set[str]) -> dict[str, dict[str, str]]:
    """{iri: {lang: label}} for the IRIs that have labels, asked LABELS_PER_QUERY at a time: Virtuoso 7
    refuses a longer VALUES block, and the labels of more would pass --max-rows."""
    found: dict[str, dict[str, str]] = {}
    ordered = sorted(iris)
    for start in range(0, len(ordered), LABELS_PER_QUERY):
        for row in await json_rows(site.engine, labels_query(ordered[start:start + LABELS_PER_QUERY])):
            found.setdefault(row["x"]["value"], {}).setdefault(row["l"].get("xml:lang", ""), row["l"]["value"])
    return found


def pick(names: dict[str, dict[str, str]], iri: str, lang: str) -> str:
    """The label in `lang`, else the other language, else the end of the IRI."""
    found = names.get(iri, {})
    for tag in (lang, "en", "ja", ""):
        if found.get(tag):
            return found[tag]
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def link(iri: str, lang: str) -> str:
    return f"{href(iri)}?lang={lang}"

