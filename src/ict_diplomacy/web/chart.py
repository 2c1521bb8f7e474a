"""The chart of ISDB-T adoptions (`/charts/isdb-t`): the cumulative adoptions by year from the
stored query isdb-t-timeline, drawn on the server as SVG, with the same rows as a table."""

from __future__ import annotations

import math

import pyoxigraph as ox

from ..project import ID_BASE, ICTD
from ..sparql import queries
from ..sparql.engine import json_rows
from .activities import link
from .i18n import format_date

STANDARD = ID_BASE + "standard/isdb-t"
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


STATED_QUERY = f"""PREFIX ictd: <{ICTD}>
SELECT ?value WHERE {{ ?statistic a ictd:Statistic ; ictd:statisticSubject ?standard ; ictd:unit ictd:Countries ;
  ictd:value ?value }}"""


async def stated_count(site, standard: str) -> int | None:
    """How many countries the source says use the standard (a statistic of the data), if it says."""
    rows = await json_rows(site.engine, STATED_QUERY, {"standard": ox.NamedNode(standard)})
    return int(float(rows[0]["value"]["value"])) if rows else None


async def adoptions(site, catalogue: queries.Catalogue, lang: str) -> list[dict]:
    """The rows of the stored query isdb-t-timeline with its default standard, in date order."""
    query = catalogue.get_query("isdb-t-timeline")
    bindings = {name: param.term(lang if name == "lang" else param.default)
                for name, param in query.params.items() if param.default is not None}
    rows = await json_rows(site.engine, query.text, bindings)
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

