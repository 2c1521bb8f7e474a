"""Browse by kind: `/id/` lists the kinds of identifiers (`/id/{kind}/…`) with their counts, and
`/id/{kind}/` every resource of one kind — its name in the page's language and the other, its type,
its date and how often other resources mention it — sortable (`?sort=name|type|date|mentions`,
`&order=asc|desc`), `PAGE_SIZE` to a page, and as a table to download (`?format=csv`, with
`&bom=1` for Excel, which reads CSV without a byte-order mark as Shift-JIS in Japan).
`/id/{kind}` redirects there unless a resource has that very IRI (`/id/topic` is the scheme of
topics; its page links the list).

Everything comes from the store through site.engine, once per release and kind."""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..errors import NotFound
from ..project import ICTD, ID_BASE, PREFIXES
from ..sparql.engine import json_rows
from .html import page
from .i18n import format_date, messages, notation_for, other_language, pick_language, sentence_case
from .views import href
from .http import query_params

PAGE_SIZE = 50
SORTS = ("name", "type", "date", "mentions")
BOM = "\ufeff"
KINDS_QUERY = f"""SELECT ?kind (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID_BASE}"))
  BIND(STRBEFORE(STRAFTER(STR(?s), "{ID_BASE}"), "/") AS ?kind) FILTER(?kind != "")
}} GROUP BY ?kind ORDER BY ?kind"""


def members_query(kind: str) -> str:
    """Every resource whose IRI starts with id/{kind}/: labels, ictd types, date, mentions."""
    return f"""PREFIX rdfs: <{PREFIXES['rdfs']}>
PREFIX ictd: <{ICTD}>
SELECT ?s ?label ?type ?date ?mentions WHERE {{
  {{ SELECT ?s (COUNT(DISTINCT ?in) AS ?mentions) WHERE {{
      {{ SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID_BASE}{kind}/")) }} }}
      OPTIONAL {{ ?in ?q ?s FILTER(isIRI(?in) && ?in != ?s) }}
  }} GROUP BY ?s }}
  OPTIONAL {{ ?s rdfs:label ?label }}
  OPTIONAL {{ ?s a ?type FILTER(STRSTARTS(STR(?type), STR(ictd:))) }}
  OPTIONAL {{ ?s ictd:date|ictd:startDate ?date }}
}}"""


@dataclass
class Member:
    iri: str
    mentions: int = 0
    labels: dict[str, str] = field(default_factory=dict)
    types: set[str] = field(default_factory=set)
    date: str = ""
    datatype: str = ""

    def name(self, lang: str) -> tuple[str, str | None]:
        for tag in (lang, other_language(lang)):
            if self.labels.get(tag):
                return self.labels[tag], tag
        return self.iri.rsplit("/", 1)[-1], None


class Kinds:
    """The kinds of the release and their members, computed on first use and kept per release."""

    def __init__(self, site, type_labels):
        self.site, self.type_labels = site, type_labels   # type_labels(): {class: {lang: label}}
        self._kinds: dict[str, int] | None = None
        self._members: dict[str, list[Member]] = {}
        self._for: str | None = None
        self._lock = asyncio.Lock()

    async def _fresh(self) -> None:
        if self._for != self.site.etag:
            self._kinds, self._members, self._for = None, {}, self.site.etag

    async def counts(self) -> dict[str, int]:
        async with self._lock:
            await self._fresh()
            if self._kinds is None:
                rows = await json_rows(self.site.engine, KINDS_QUERY)
                self._kinds = {r["kind"]["value"]: int(r["n"]["value"]) for r in rows}
        return self._kinds

    async def members(self, kind: str) -> list[Member]:
        if kind not in await self.counts():
            raise NotFound(f"no kind of resource {kind!r}; /id/ lists the kinds there are")
        async with self._lock:
            if kind not in self._members:
                self._members[kind] = _members(await json_rows(self.site.engine, members_query(kind)))
        return self._members[kind]


def _members(rows: list[dict]) -> list[Member]:
    found: dict[str, Member] = {}
    for row in rows:
        member = found.setdefault(row["s"]["value"], Member(row["s"]["value"], int(row["mentions"]["value"])))
        if "label" in row and row["label"].get("xml:lang"):
            tag = row["label"]["xml:lang"]
            member.labels.setdefault(tag, notation_for(row["label"]["value"], tag))
        if "type" in row:
            member.types.add(row["type"]["value"])
        if "date" in row and not member.date:
            member.date, member.datatype = row["date"]["value"], row["date"].get("datatype", "")
    return list(found.values())


def type_name(member: Member, labels: dict, lang: str) -> str:
    names = sorted(labels.get(t, {}).get(lang) or t.rsplit("#", 1)[-1] for t in member.types)
    return ", ".join(names)


def sorted_members(members: list[Member], labels: dict, lang: str, sort: str, descending: bool) -> list[Member]:
    def key(m: Member):
        name = m.name(lang)[0].casefold()
        return {"name": (name,), "type": (type_name(m, labels, lang), name),
                "date": (not m.date, m.date, name), "mentions": (m.mentions, name)}[sort]
    ordered = sorted(members, key=key, reverse=descending)
    if sort == "date" and descending:  # undated last either way
        ordered = [m for m in ordered if m.date] + [m for m in ordered if not m.date]
    return ordered


def rows_of(members: list[Member], labels: dict, lang: str) -> list[dict]:
    rows = []
    for m in members:
        name, tag = m.name(lang)
        other = m.labels.get(other_language(lang))
        rows.append({"href": href(m.iri), "iri": m.iri, "label": name, "lang": tag,
                     "other": other if other != name else None, "type": type_name(m, labels, lang),
                     "date": format_date(m.date, m.datatype, lang) or m.date, "datetime": m.date,
                     "mentions": m.mentions})
    return rows


def table_csv(members: list[Member], labels: dict, bom: bool) -> str:
    """The kind as a table: IRI, names in Japanese and English, type, date, mentions."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["iri", "label_ja", "label_en", "type", "date", "mentions"])
    for m in sorted(members, key=lambda m: m.iri):
        writer.writerow([m.iri, m.labels.get("ja", ""), m.labels.get("en", ""), type_name(m, labels, "en"),
                         m.date, m.mentions])
    return (BOM if bom else "") + out.getvalue()


def _choice(request: Request, name: str, allowed: tuple[str, ...], default: str) -> str:
    value = query_params(request).get(name, default)
    return value if value in allowed else default


def routes(site, kinds: Kinds) -> list[BaseRoute]:
    async def index(request: Request) -> Response:
        lang = pick_language(request)
        counts = await kinds.counts()
        listed = [{"kind": k, "href": f"/id/{k}/", "count": n} for k, n in sorted(counts.items())]
        return page("kinds.html", request, lang, kinds=listed, total=sum(counts.values()),
                    description=messages(lang)["kinds_intro"])

    async def listing(request: Request) -> Response:
        kind = request.path_params["kind"]
        members, labels = await kinds.members(kind), await kinds.type_labels()
        if (params := query_params(request)).get("format") == "csv":
            bom = params.get("bom") in ("1", "true", "yes")
            return Response(table_csv(members, labels, bom), media_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": f'attachment; filename="ict-diplomacy-{kind}.csv"'})
        lang = pick_language(request)
        sort = _choice(request, "sort", SORTS, "name")
        order = _choice(request, "order", ("asc", "desc"), "desc" if sort == "mentions" else "asc")
        ordered = sorted_members(members, labels, lang, sort, order == "desc")
        pages = max(1, -(-len(ordered) // PAGE_SIZE))
        try:
            number = min(pages, max(1, int(query_params(request).get("page", "1"))))
        except ValueError:
            number = 1
        shown = ordered[(number - 1) * PAGE_SIZE:number * PAGE_SIZE]
        title = messages(lang)["kind_title"].format(kind=kind)
        return page("kind.html", request, lang, kind=kind, title=sentence_case(title), rows=rows_of(shown, labels, lang),
                    total=len(members), sort=sort, order=order, number=number, pages=pages,
                    first=(number - 1) * PAGE_SIZE + 1, sorts=SORTS,
                    description=f"{title} — {messages(lang)['kinds_intro']}",
                    alternates=[("csv", "text/csv", f"/id/{kind}/?format=csv")])

    return [Route("/id/", index, methods=["GET", "HEAD"], name="kinds"),
            Route("/id/{kind:str}/", listing, methods=["GET", "HEAD"], name="kind")]
