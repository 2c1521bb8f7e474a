"""The link-quality page `/links`: which datasets the graph links to, with which property, how many
of our resources are linked and how many are still open (and why), per class and per target.

It shows the release's `links.json` (written by the build from the evidence tables of data/links/,
the same report as `ict-diplomacy stats --links`), with the names of resources and classes in the
page's language; `?format=json` or `Accept: application/json` gives the file itself."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..errors import NotFound
from ..formats import HTML, JSON
from ..publish.description import LINK_TARGETS_BY_KEY
from ..publish.linkstats import LINKS_JSON
from .http import pick_format
from .i18n import other_language, pick_language, sentence_case
from .search import SearchIndex
from .views import href


def read_report(site) -> dict:
    path = site.release / LINKS_JSON if site.release else None
    if path is None or not path.exists():
        raise NotFound("this release has no link report: it is written by `ict-diplomacy build` "
                       "(and `ict-diplomacy stats --links` prints it from the sources)")
    return json.loads(path.read_text(encoding="utf-8"))


def links_view(report: dict, index: SearchIndex, type_labels: dict, lang: str) -> dict:
    """The report with names in `lang`: targets, the class × target grid, the open items by target."""
    def name(iri: str) -> str:
        entry = index.entries.get(iri)
        labels = entry.labels if entry else {}
        return labels.get(lang) or labels.get(other_language(lang)) or iri.rsplit("/", 1)[-1]

    def class_name(iri: str) -> str:
        return sentence_case(type_labels.get(iri, {}).get(lang) or iri.rsplit("#", 1)[-1])

    targets = [{**t, "name": LINK_TARGETS_BY_KEY[t["key"]].names[lang] if t["key"] in LINK_TARGETS_BY_KEY
                else t["title"]} for t in report["targets"]]
    shown = [t for t in targets if any(t["key"] in c["targets"] for c in report["classes"])]
    classes = [{"name": class_name(c["iri"]), "instances": c["instances"],
                "cells": [c["targets"].get(t["key"]) for t in shown]} for c in report["classes"]]
    names = {t["key"]: t["name"] for t in targets}
    groups: dict[str, list[dict]] = {}
    for item in report["open"]:
        groups.setdefault(item["target"], []).append(
            {"href": href(item["resource"]), "label": name(item["resource"]), "reason": item["reason"]})
    open_items = [{"key": key, "name": names.get(key, key), "items": items} for key, items in groups.items()]
    return {"targets": targets, "shown": shown, "classes": classes, "open": open_items,
            "open_count": len(report["open"]), "linked_count": sum(t["resources"] for t in targets)}


def routes(site, page, search) -> list[BaseRoute]:
    async def links(request: Request) -> Response:
        fmt, _ = pick_format(request, [HTML, JSON])
        report = read_report(site)
        if fmt is JSON:
            return JSONResponse(report, headers={"Vary": "Accept"})
        lang = pick_language(request)
        index = await search.index()
        view = links_view(report, index, search.type_labels, lang)
        return page("links.html", request, lang, view=view,
                    alternates=[("json", "application/json", "/links?format=json")])

    return [Route("/links", links, methods=["GET", "HEAD"], name="links")]
