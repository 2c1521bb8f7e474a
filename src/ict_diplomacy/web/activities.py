"""What the pictures of the graph share: the SPARQL of activities that involve a country, the
labels of what they show, links that keep the page's language, and the page wrapper."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse

from ..project import ID_BASE, PREFIXES
from ..sparql.engine import json_rows
from .html import render
from .views import href

JAPAN = ID_BASE + "country/JP"

# Properties through which an activity involves a country: directly, through a place or an
# organization of that country (ictd:country), or through the series it belongs to.
COUNTRY_PROPERTIES = ("partner", "targetCountry", "location", "participant", "party", "adoptingCountry",
                      "signatory", "organizer", "funder", "chair", "issuer")

PROLOGUE = "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in ("ictd", "rdf", "rdfs", "xsd"))


def _values(name: str, locals_: tuple[str, ...]) -> str:
    return f"VALUES ?{name} {{ {' '.join('ictd:' + local for local in locals_)} }}"


def involves_country(activity: str, country: str) -> str:
    """A SPARQL group: `activity` involves `country` through one of COUNTRY_PROPERTIES."""
    p = _values("p", COUNTRY_PROPERTIES)
    return (f"{{ {p} {activity} ?p {country} . }}\n"
            f"  UNION {{ {p} {activity} ?p ?via . ?via ictd:country {country} . }}\n"
            f"  UNION {{ {p} {activity} ictd:inSeries ?series . ?series ?p {country} . }}\n"
            f"  {country} a ictd:Country .")


def of_kind(activity: str, kinds: tuple[str, ...]) -> str:
    return f"{_values('kind', kinds)} {activity} a ?type . ?type rdfs:subClassOf* ?kind ."


def labels_query(iris: set[str]) -> str:
    values = " ".join(f"<{iri}>" for iri in sorted(iris))
    return PROLOGUE + f"SELECT ?x ?l WHERE {{ VALUES ?x {{ {values} }} ?x rdfs:label ?l }}"


async def labels(site, iris: set[str]) -> dict[str, dict[str, str]]:
    """{iri: {lang: label}} for the IRIs that have labels."""
    found: dict[str, dict[str, str]] = {}
    if iris:
        for row in await json_rows(site.engine, labels_query(iris)):
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


def page(name: str, request: Request, lang: str, **context) -> HTMLResponse:
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    here = request.url.path + ("?" + urlencode(kept) if kept else "")
    html = render(name, lang=lang, path=request.url.path, here=here, **context)
    return HTMLResponse(html, headers={"Vary": "Accept-Language, Cookie"})

