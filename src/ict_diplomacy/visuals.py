"""Pictures of the graph and the query editor: `/timeline`, `/map`, `/charts/isdb-t`, `/query`.

Everything drawn comes from the graph through the same engine as `/sparql` (SPARQL written here,
or the stored query isdb-t-timeline), never from a hand-kept copy; the answers are kept per
release, since a release never changes. The map and the chart are SVG written on the server, so
they need no script and no internet: the map's shapes are the TopoJSON of the npm package
world-atlas (vendored by assets.py), decoded here and drawn in the Natural Earth projection.
The editor is YASGUI (also vendored) pointed at our `/sparql`, with the stored queries as
examples and our prefixes written in."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from . import assets, queries
from .backends import with_values
from .deref import href, render
from .errors import BadRequest
from .i18n import format_date, pick_language
from .project import ICTD, ID_BASE, PREFIXES, Project

XSD = PREFIXES["xsd"]
JAPAN = ID_BASE + "country/JP"
FACETS = ("country", "organization", "topic")
# Properties through which an activity involves a country: directly, through a place or an
# organization of that country (ictd:country), or through the series it belongs to.
COUNTRY_PROPERTIES = ("partner", "targetCountry", "location", "participant", "party", "adoptingCountry",
                      "signatory", "organizer", "funder", "chair", "issuer")
TIMELINE_KINDS = ("Event", "Agreement", "StandardAdoption")
MAP_KINDS = ("Activity", "Agreement")
PALETTE = ("#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")  # sequential blues, light to dark
THRESHOLDS = (1, 2, 4, 8, 16)  # lower bound of each colour class
NO_DATA, OTHER, JAPAN_FILL, SEA = "#f4f4f4", "#e0e0e0", "#d94801", "#eef4f8"
MAP_WIDTH = 960
TABLE_ROWS = 15  # the table of countries is set in columns of this many rows
EDITOR_PREFIXES = ("ictd", "rdf", "rdfs", "owl", "xsd", "skos", "dct", "schema")

UI: dict[str, tuple[str, str]] = {  # key: (ja, en)
    "timeline": ("年表", "Timeline"),
    "timeline_intro": ("会合・対話・合意・ISDB-T方式の採用を日付順に並べています。国・組織・テーマで絞り込めます。",
                       "Meetings, dialogues, agreements and adoptions of ISDB-T, in date order. Filter them by country, organization or topic."),
    "country": ("国", "Country"), "organization": ("組織", "Organization"), "topic": ("テーマ", "Topic"),
    "any": ("すべて", "All"), "filter": ("絞り込む", "Filter"), "clear_filters": ("条件を外す", "Clear filters"),
    "entries": ("{n}件", "{n} entries"), "none": ("該当する項目はありません。", "Nothing matches these filters."),
    "map": ("世界地図", "World map"),
    "map_intro": ("日本との活動（会合、対話、合意、協力案件、採用など）の数で国を色分けしています。国をクリックするとその国のページに移ります。",
                  "Countries coloured by the number of activities with Japan (meetings, dialogues, agreements, projects, adoptions …). Click a country to open its page."),
    "map_title": ("日本との活動の数（国別）", "Number of activities with Japan, by country"),
    "activities": ("{n}件の活動", "{n} activities"), "activity_one": ("1件の活動", "1 activity"),
    "legend": ("凡例", "Legend"), "japan": ("日本", "Japan"), "not_ours": ("データにない国", "not in the data"),
    "count": ("活動の数", "Activities"), "table": ("国別の一覧", "All countries"),
    "off_map": ("地図の縮尺では小さすぎるため点で示した国: {names}", "Shown as a dot, too small at this scale: {names}"),
    "no_map": ("地図データがありません。`npm ci --prefix web` を実行してください。",
               "The map data is not installed: run `npm ci --prefix web`."),
    "map_source": ("地図: Natural Earth（npmパッケージ world-atlas）", "Map: Natural Earth (npm package world-atlas)"),
    "chart": ("ISDB-T 採用国の推移", "Adoptions of ISDB-T over time"),
    "chart_intro": ("日本方式の地上デジタルテレビ放送（ISDB-T）を採用した国の累計。出典に書かれた採用だけを示します。",
                    "Cumulative number of countries that adopted ISDB-T, Japan's digital terrestrial television standard, as named in the source."),
    "cumulative": ("累計採用国数", "Cumulative adoptions"), "year": ("年", "Year"),
    "date": ("時期", "Date"), "adoptions_table": ("採用の一覧", "The adoptions"),
    "chart_desc": ("{n}か国: {list}", "{n} countries: {list}"),
    "editor": ("クエリエディタ", "Query editor"),
    "editor_intro": ("SPARQLを書いてこのサイトのエンドポイント（/sparql）で実行します。よく使う接頭辞は入力済みです。下の保存クエリを例として開けます。",
                     "Write SPARQL and run it on this site's endpoint (/sparql). The usual prefixes are filled in; open a stored query below as an example."),
    "examples": ("例（保存クエリ）", "Examples (stored queries)"), "run": ("実行", "Run"),
    "no_editor": ("エディタのファイルがありません（`npm ci --prefix web`）。下のフォームで実行できます。",
                  "The editor's files are not installed (`npm ci --prefix web`); the form below still runs queries."),
    "query": ("クエリ", "Query"),
}


def texts(lang: str) -> dict[str, str]:
    index = 0 if lang == "ja" else 1
    return {key: pair[index] for key, pair in UI.items()}


# ---------------------------------------------------------------- SPARQL through the engine

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


def _of_kind(activity: str, kinds: tuple[str, ...]) -> str:
    return f"{_values('kind', kinds)} {activity} a ?type . ?type rdfs:subClassOf* ?kind ."


def timeline_query() -> str:
    return PROLOGUE + f"SELECT DISTINCT ?r ?date ?type WHERE {{ {_of_kind('?r', TIMELINE_KINDS)} ?r ictd:date ?date . }}"


def facets_query() -> str:
    organization = "?v a ?ot . ?ot rdfs:subClassOf* ictd:Organization ."
    return PROLOGUE + f"""SELECT DISTINCT ?r ?facet ?v WHERE {{
  {_of_kind('?r', TIMELINE_KINDS)} ?r ictd:date ?date .
  {{ {involves_country('?r', '?v')} BIND("country" AS ?facet) }}
  UNION {{ ?r ?q ?v . {organization} BIND("organization" AS ?facet) }}
  UNION {{ ?r ictd:inSeries ?series . ?series ?q ?v . {organization} BIND("organization" AS ?facet) }}
  UNION {{ ?r (ictd:inSeries?)/ictd:topic ?v . BIND("topic" AS ?facet) }}
}}"""


def counts_query() -> str:
    """Activities with Japan per country: distinct activities involving each other country."""
    return PROLOGUE + f"""SELECT ?country ?numeric (COUNT(DISTINCT ?r) AS ?n) WHERE {{
  ?country a ictd:Country . OPTIONAL {{ ?country ictd:isoNumeric ?numeric }}
  OPTIONAL {{ {_of_kind('?r', MAP_KINDS)} {involves_country('?r', '?country')} }}
  FILTER(?country != <{JAPAN}>)
}} GROUP BY ?country ?numeric"""


def labels_query(iris: set[str]) -> str:
    values = " ".join(f"<{iri}>" for iri in sorted(iris))
    return PROLOGUE + f"SELECT ?x ?l WHERE {{ VALUES ?x {{ {values} }} ?x rdfs:label ?l }}"


def id_kinds_query() -> str:
    return (f'SELECT DISTINCT ?kind WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID_BASE}")) '
            f'BIND(STRBEFORE(STRAFTER(STR(?s), "{ID_BASE}"), "/") AS ?kind) }} ORDER BY ?kind')


async def select(site, text: str, substitutions: dict | None = None) -> list[dict[str, dict]]:
    """The rows of a SELECT run by the site's engine, as SPARQL JSON bindings."""
    result = await site.engine.query(text, accept="application/sparql-results+json", substitutions=substitutions)
    return json.loads(result.body)["results"]["bindings"]


async def labels(site, iris: set[str]) -> dict[str, dict[str, str]]:
    """{iri: {lang: label}} for the IRIs that have labels."""
    found: dict[str, dict[str, str]] = {}
    if iris:
        for row in await select(site, labels_query(iris)):
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


# ---------------------------------------------------------------- timeline

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
    for row in await select(site, timeline_query()):
        date = row["date"]
        entry = entries.setdefault(row["r"]["value"], Entry(row["r"]["value"], date["value"], date.get("datatype", "")))
        entry.types.add(row["type"]["value"])
    for row in await select(site, facets_query()):
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


# ---------------------------------------------------------------- the world map

def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """TopoJSON arcs as lists of (longitude, latitude): undo the delta encoding and quantization."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs: list, indexes: list[int]) -> list[tuple[float, float]]:
    """One ring from arc indexes (a negative index ~i is arc i reversed); shared ends appear once.
    Longitudes are unwrapped: a ring crossing the antimeridian (Russia, Fiji) goes on past ±180
    instead of jumping across the whole map."""
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    for i in range(1, len(points)):
        lon, lat = points[i]
        previous = points[i - 1][0]
        while lon - previous > 180:
            lon -= 360
        while previous - lon > 180:
            lon += 360
        points[i] = (lon, lat)
    return points


def polygons(geometry: dict) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    return geometry["arcs"] if geometry["type"] == "MultiPolygon" else []


def natural_earth(lon: float, lat: float) -> tuple[float, float]:
    """The Natural Earth projection (Šavrič, Jenny, Patterson & Jenny 2011), on the unit sphere."""
    lam, phi = math.radians(lon), math.radians(lat)
    p2 = phi * phi
    p4 = p2 * p2
    x = lam * (0.870700 - 0.131979 * p2 + p4 * (-0.013791 + p4 * (0.003971 * p2 - 0.001529 * p4)))
    y = phi * (1.007226 + p2 * (0.015085 + p4 * (-0.044475 + 0.028874 * p2 - 0.005916 * p4)))
    return x, y


X_MAX = natural_earth(180, 0)[0]
Y_TOP, Y_BOTTOM = natural_earth(0, 85.5)[1], natural_earth(0, -58.5)[1]  # past Greenland's north and Cape Horn
SCALE = MAP_WIDTH / (2 * X_MAX)
MAP_HEIGHT = round((Y_TOP - Y_BOTTOM) * SCALE)
SKIPPED = {"010"}  # Antarctica: no activity, and it would take a third of the picture


def to_screen(lon: float, lat: float) -> tuple[float, float]:
    x, y = natural_earth(lon, lat)
    return round((x + X_MAX) * SCALE, 1), round((Y_TOP - y) * SCALE, 1)


def path_data(arcs: list, geometry: dict) -> str:
    parts = []
    for polygon in polygons(geometry):
        for indexes in polygon:
            points, last = [], None
            for lon, lat in ring(arcs, indexes):
                point = to_screen(lon, lat)
                if point != last:
                    points.append(f"{point[0]:g},{point[1]:g}")
                    last = point
            if len(points) > 2:
                parts.append("M" + "L".join(points) + "Z")
    return "".join(parts)


def centre(arcs: list, geometry: dict) -> tuple[float, float]:
    points = [to_screen(*p) for polygon in polygons(geometry) for indexes in polygon for p in ring(arcs, indexes)]
    return (round(sum(p[0] for p in points) / len(points), 1), round(sum(p[1] for p in points) / len(points), 1))


def shapes(project: Project, name: str) -> dict[str, dict] | None:
    """{ISO numeric or "": {"name", "d", "centre"}} of a world-atlas file; None when not installed."""
    path = assets.vendor_file(project, f"world-atlas/{name}")
    if path is None:
        return None
    return _shapes(path)


_SHAPES: dict = {}


def _shapes(path) -> dict[str, dict]:
    if path not in _SHAPES:
        topology = assets.read_json(path)
        arcs = decode_arcs(topology)
        found = {}
        for number, geometry in enumerate(topology["objects"]["countries"]["geometries"]):
            key = geometry.get("id") or f"_{number}"
            if key not in SKIPPED:
                found[key] = {"name": geometry.get("properties", {}).get("name", ""), "geometry": geometry,
                              "d": None, "arcs": arcs}
        _SHAPES[path] = found
    return _SHAPES[path]


def fill(count: int) -> str:
    if count < THRESHOLDS[0]:
        return NO_DATA
    return PALETTE[max(i for i, bound in enumerate(THRESHOLDS) if count >= bound)]


def legend(lang: str) -> list[dict]:
    ui = texts(lang)
    bounds = list(THRESHOLDS) + [None]
    classes = []
    for colour, low, high in zip(PALETTE, bounds, bounds[1:]):
        text = f"{low}" if high == low + 1 else f"{low}–{high - 1}" if high else f"{low}+"
        classes.append({"fill": colour, "label": text})
    return [{"fill": NO_DATA, "label": "0"}, *classes, {"fill": JAPAN_FILL, "label": ui["japan"]},
            {"fill": OTHER, "label": ui["not_ours"]}]


def activities_text(count: int, lang: str) -> str:
    ui = texts(lang)
    return ui["activity_one"] if count == 1 else ui["activities"].format(n=count)


async def country_counts(site) -> list[dict]:
    rows = await select(site, counts_query())
    return [{"iri": r["country"]["value"], "numeric": r.get("numeric", {}).get("value"),
             "count": int(r["n"]["value"])} for r in rows]


def map_view(project: Project, counts: list[dict], names: dict, lang: str) -> dict:
    """The map's countries (ours linked and coloured by count), dots for ours too small to draw,
    the legend and the table of every country."""
    ours = {c["numeric"]: c for c in counts if c["numeric"]}
    japan_numeric = "392"
    world = shapes(project, "countries-110m.json")
    countries, dots = [], []
    for key, shape in (world or {}).items():
        entry = {"d": shape["d"] or path_data(shape["arcs"], shape["geometry"]), "iso": key}
        shape["d"] = entry["d"]
        country = ours.get(key)
        if key == japan_numeric:
            entry.update(href=link(JAPAN, lang), fill=JAPAN_FILL, title=texts(lang)["japan"], count="")
        elif country:
            label = pick(names, country["iri"], lang)
            entry.update(href=link(country["iri"], lang), fill=fill(country["count"]), count=country["count"],
                         title=f"{label}: {activities_text(country['count'], lang)}")
        else:
            entry.update(href=None, fill=OTHER, title=shape["name"] if lang == "en" else "", count="")
        countries.append(entry)
    for key in sorted(set(ours) - set(world or {}) if world else ()):
        dot = _dot(project, key, ours[key], names, lang)
        if dot:
            dots.append(dot)
    table = sorted(({"href": link(c["iri"], lang), "label": pick(names, c["iri"], lang), "count": c["count"]}
                    for c in counts), key=lambda c: (-c["count"], c["label"].casefold()))
    columns = [table[i:i + TABLE_ROWS] for i in range(0, len(table), TABLE_ROWS)]
    return {"countries": countries, "dots": dots, "legend": legend(lang), "columns": columns,
            "width": MAP_WIDTH, "height": MAP_HEIGHT, "installed": world is not None}


def _dot(project: Project, key: str, country: dict, names: dict, lang: str) -> dict | None:
    """A country of ours missing from the 110m map (too small) as a dot at its 50m shape's centre."""
    detailed = shapes(project, "countries-50m.json") or {}
    shape = detailed.get(key)
    if shape is None:
        return None
    x, y = centre(shape["arcs"], shape["geometry"])
    label = pick(names, country["iri"], lang)
    return {"x": x, "y": y, "href": link(country["iri"], lang), "fill": fill(country["count"]),
            "count": country["count"], "iso": key, "label": label,
            "title": f"{label}: {activities_text(country['count'], lang)}"}


# ---------------------------------------------------------------- the ISDB-T chart

CHART = {"width": 760, "height": 380, "left": 56, "right": 24, "top": 24, "bottom": 48}
LABEL_GAP = 9  # px between a point and its label, which sits left of it and just above its level


def text_width(text: str) -> float:
    """A generous estimate of the width of 13px text: CJK characters are about square."""
    return sum(13.5 if ord(char) >= 0x2E80 else 7.6 for char in text)


def year_span(years: list[float], texts: list[str]) -> tuple[int, int]:
    """First and last year of the x axis: wide enough on the left for every label, drawn left of
    its point (where the step line never runs, so no label crosses it)."""
    c = CHART
    plot_w = c["width"] - c["left"] - c["right"]
    end = math.floor(max(years, default=2020)) + 1
    for pad in range(1, 30):
        start = math.floor(min(years, default=2005)) - pad
        if all(c["left"] + (year - start) / (end - start) * plot_w - LABEL_GAP - text_width(text) >= c["left"] + 6
               for year, text in zip(years, texts)):
            break
    return start, end


def decimal_year(value: str) -> float:
    """2009-04 → 2009.29; a bare year sits in its middle."""
    year = int(value[:4])
    if len(value) >= 7 and value[4] == "-":
        return year + (int(value[5:7]) - 0.5) / 12
    return year + 0.5


async def adoptions(site, catalogue: queries.Catalogue, lang: str) -> list[dict]:
    """The rows of the stored query isdb-t-timeline with its default standard, in date order."""
    query = catalogue.get_query("isdb-t-timeline")
    bindings = {name: param.term(lang if name == "lang" else param.default)
                for name, param in query.params.items() if param.default is not None}
    rows = await select(site, query.text, substitutions=bindings)
    return [{"date": r["date"]["value"], "datatype": r["date"].get("datatype", ""), "country": r["country"]["value"],
             "label": r.get("countryLabel", {}).get("value") or r["country"]["value"].rsplit("/", 1)[-1],
             "adoption": r["adoption"]["value"]} for r in rows if "date" in r]


def chart_view(rows: list[dict], lang: str) -> dict:
    c = CHART
    years = [decimal_year(r["date"]) for r in rows]
    dates = [format_date(r["date"], r["datatype"], lang) or r["date"] for r in rows]
    texts_ = [f"{r['label']} ({date})" for r, date in zip(rows, dates)]
    start, end = year_span(years, texts_)
    plot_w, plot_h = c["width"] - c["left"] - c["right"], c["height"] - c["top"] - c["bottom"]
    top = max(len(rows), 1)

    def x(year: float) -> float:
        return round(c["left"] + (year - start) / (end - start) * plot_w, 1)

    def y(count: float) -> float:
        return round(c["top"] + plot_h - count / top * plot_h, 1)

    points, steps = [], [f"M{x(start)},{y(0)}"]
    for number, (row, year, date, text) in enumerate(zip(rows, years, dates, texts_), start=1):
        steps.append(f"L{x(year)},{y(number - 1)}L{x(year)},{y(number)}")
        points.append({**row, "x": x(year), "y": y(number), "n": number, "when": date,
                       "href": link(row["country"], lang), "text": text, "label_x": round(x(year) - LABEL_GAP, 1)})
    steps.append(f"L{x(end)},{y(len(rows))}")
    step = 1 if end - start <= 10 else 2
    ticks = [{"x": x(year), "label": str(year)} for year in range(start, end + 1, step)]
    levels = [{"y": y(n), "label": str(n)} for n in range(top + 1)]
    return {**c, "points": points, "path": "".join(steps), "xticks": ticks, "yticks": levels,
            "plot_right": c["width"] - c["right"], "plot_bottom": c["top"] + plot_h}


# ---------------------------------------------------------------- the query editor

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
    if request.query_params.get("query"):
        return request.query_params["query"]
    name = request.query_params.get("name")
    if name and name in catalogue:
        return example_text(catalogue[name], lang)
    return prefixes + STARTER[lang]


def script_json(value) -> str:
    """JSON safe inside a <script> element (no `</` can end it early)."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/").replace("<!--", "<\\!--")


# ---------------------------------------------------------------- routes

def page(name: str, request: Request, lang: str, **context) -> HTMLResponse:
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    here = request.url.path + ("?" + urlencode(kept) if kept else "")
    html = render(name, lang=lang, path=request.url.path, here=here, ui=texts(lang), **context)
    return HTMLResponse(html, headers={"Vary": "Accept-Language, Cookie"})


def routes(site, project: Project | None = None) -> list[BaseRoute]:
    """/timeline, /map, /charts/isdb-t, /query, and the vendored and own static files."""
    project = project or Project.find()
    catalogue = queries.load(project)
    kept: dict[str, object] = {}  # per-release answers, filled on first use

    async def once(key: str, compute):
        if key not in kept:
            kept[key] = await compute()
        return kept[key]

    async def timeline(request: Request) -> Response:
        lang = pick_language(request)
        data = await once("timeline", lambda: load_timeline(site))
        chosen = chosen_filters(request, data)
        return page("timeline.html", request, lang, view=timeline_view(data, chosen, lang))

    async def world_map(request: Request) -> Response:
        lang = pick_language(request)
        counts = await once("counts", lambda: country_counts(site))
        names = await once("country-names", lambda: labels(site, {c["iri"] for c in counts} | {JAPAN}))
        return page("map.html", request, lang, view=map_view(project, counts, names, lang))

    async def chart(request: Request) -> Response:
        lang = pick_language(request)
        rows = await once(f"isdb-t-{lang}", lambda: adoptions(site, catalogue, lang))
        return page("chart.html", request, lang, view=chart_view(rows, lang))

    async def editor(request: Request) -> Response:
        lang = pick_language(request)
        kinds = await once("id-kinds", lambda: select(site, id_kinds_query()))
        prefixes = prefix_block([row["kind"]["value"] for row in kinds if row.get("kind", {}).get("value")])
        config = {"endpoint": "/sparql", "query": initial_query(request, catalogue, prefixes, lang),
                  "prefixes": prefixes, "examples": examples(catalogue, lang), "lang": lang}
        return page("editor.html", request, lang, config=config, config_json=script_json(config),
                    installed=not assets.missing(project))

    return [Route("/timeline", timeline, methods=["GET", "HEAD"], name="timeline"),
            Route("/map", world_map, methods=["GET", "HEAD"], name="map"),
            Route("/charts/isdb-t", chart, methods=["GET", "HEAD"], name="chart-isdb-t"),
            Route("/query", editor, methods=["GET", "HEAD"], name="query-editor"),
            *assets.routes(project)]
