"""The world map (`/map`): every country coloured by its number of activities with Japan, drawn on
the server as SVG from the Natural Earth TopoJSON of the npm package world-atlas (vendored by
assets.py), decoded here and drawn in the Natural Earth projection: no script, no tile server."""

from __future__ import annotations

import math

from ..project import Project
from ..sparql.engine import json_rows
from . import assets
from .activities import JAPAN, PROLOGUE, involvement, link, pick
from .i18n import messages

PALETTE = ("#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")  # sequential blues, light to dark

THRESHOLDS = (1, 2, 4, 8, 16)  # lower bound of each colour class

NO_DATA, OTHER, JAPAN_FILL, SEA = "#f4f4f4", "#e0e0e0", "#d94801", "#eef4f8"

MAP_WIDTH = 960

TABLE_ROWS = 15  # the table of countries is set in columns of this many rows


def countries_query() -> str:
    """Every country but Japan, with its ISO numeric code."""
    return PROLOGUE + f"""SELECT ?country ?numeric WHERE {{
  ?country a ictd:Country . OPTIONAL {{ ?country ictd:isoNumeric ?numeric }}
  FILTER(?country != <{JAPAN}>)
}}"""


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
    ui = messages(lang)
    bounds = list(THRESHOLDS) + [None]
    classes = []
    for colour, low, high in zip(PALETTE, bounds, bounds[1:]):
        text = f"{low}" if high == low + 1 else f"{low}–{high - 1}" if high else f"{low}+"
        classes.append({"fill": colour, "label": text})
    return [{"fill": NO_DATA, "label": "0"}, *classes, {"fill": JAPAN_FILL, "label": ui["japan"]},
            {"fill": OTHER, "label": ui["not_ours"]}]


def activities_text(count: int, lang: str) -> str:
    ui = messages(lang)
    return ui["activity_one"] if count == 1 else ui["activities"].format(n=count)


async def country_counts(site, catalogue) -> list[dict]:
    """Each country with the number of activities, documents and series that involve it
    (activities.involvement: the items of the country's profile)."""
    involved = await involvement(site, catalogue)
    rows = await json_rows(site.engine, countries_query())
    return [{"iri": r["country"]["value"], "numeric": r.get("numeric", {}).get("value"),
             "count": sum(r["country"]["value"] in countries for countries in involved.values())} for r in rows]


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
            entry.update(href=link(JAPAN, lang), fill=JAPAN_FILL, title=messages(lang)["japan"], count="")
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

