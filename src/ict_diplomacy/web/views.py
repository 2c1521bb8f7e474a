"""What a resource page shows, built from the triples of its description (see deref.describe_query).

`Graph` indexes the triples; `resource_view` turns them into plain dicts for resource.html:
the title and the name in the other language, types, the description in the page's language,
every other property with human labels and values written for people (dates, yen amounts with
the exact number kept), the links to other datasets in their own list, the incoming links and the
source subsections up to the white paper and its official page."""

from __future__ import annotations

from urllib.parse import quote

import pyoxigraph as ox

from ..publish.description import LINK_PREDICATES, link_target
from ..publish.dumps import DUMP_PREFIXES
from .i18n import (
    LANGUAGES,
    format_date,
    format_number,
    format_yen,
    notation_for,
    other_language,
    qualify,
)
from ..project import BASE, ICTD, PREFIXES

RDF_TYPE = PREFIXES["rdf"] + "type"
LABEL = PREFIXES["rdfs"] + "label"
DCT = PREFIXES["dct"]
SKOS = PREFIXES["skos"]
SCHEMA = PREFIXES["schema"]

# Labels of the borrowed terms that pages show (ours come from the ontology in the data).
KNOWN_LABELS = {
    RDF_TYPE: {"ja": "種類", "en": "type"},
    LABEL: {"ja": "ラベル", "en": "label"},
    PREFIXES["rdfs"] + "comment": {"ja": "注記", "en": "comment"},
    PREFIXES["rdfs"] + "seeAlso": {"ja": "参照", "en": "see also"},
    PREFIXES["owl"] + "sameAs": {"ja": "同一の資源", "en": "same as"},
    SKOS + "exactMatch": {"ja": "完全一致", "en": "exact match"},
    SKOS + "closeMatch": {"ja": "近い一致", "en": "close match"},
    SKOS + "altLabel": {"ja": "別名", "en": "alternative name"},
    SKOS + "definition": {"ja": "定義", "en": "definition"},
    SKOS + "notation": {"ja": "記号", "en": "notation"},
    SKOS + "inScheme": {"ja": "所属する体系", "en": "in scheme"},
    SKOS + "broader": {"ja": "上位概念", "en": "broader"},
    SKOS + "Concept": {"ja": "概念", "en": "concept"},
    SKOS + "ConceptScheme": {"ja": "概念体系", "en": "concept scheme"},
    PREFIXES["foaf"] + "page": {"ja": "ウェブページ", "en": "web page"},
    PREFIXES["foaf"] + "Organization": {"ja": "組織", "en": "organization"},
    DCT + "source": {"ja": "出典", "en": "source"},
    DCT + "isPartOf": {"ja": "所収", "en": "is part of"},
    DCT + "title": {"ja": "表題", "en": "title"},
    DCT + "description": {"ja": "説明", "en": "description"},
    DCT + "issued": {"ja": "発行", "en": "issued"},
    DCT + "publisher": {"ja": "発行者", "en": "publisher"},
    DCT + "license": {"ja": "ライセンス", "en": "licence"},
    DCT + "language": {"ja": "言語", "en": "language"},
    DCT + "rights": {"ja": "権利", "en": "rights"},
    SCHEMA + "value": {"ja": "金額", "en": "amount"},
    SCHEMA + "currency": {"ja": "通貨", "en": "currency"},
    SCHEMA + "bookEdition": {"ja": "版", "en": "edition"},
    PREFIXES["qb"] + "dataSet": {"ja": "データセット", "en": "data set"},
    PREFIXES["qb"] + "structure": {"ja": "構造", "en": "structure"},
    PREFIXES["qb"] + "DataSet": {"ja": "データセット", "en": "data set"},
}

OUTBOUND = set(LINK_PREDICATES)  # links to other datasets; description.LINK_TARGETS names where they lead
ISO_CODES = {ICTD + "isoAlpha2": "ISO 3166-1 alpha-2", ICTD + "isoAlpha3": "ISO 3166-1 alpha-3",
             ICTD + "isoNumeric": "ISO 3166-1 numeric"}
ISO_PAGE = "https://www.iso.org/obp/ui/#iso:code:3166:{}"
DESCRIPTIONS = (DCT + "description", SKOS + "definition", PREFIXES["rdfs"] + "comment")
SHOWN_ELSEWHERE = {LABEL, RDF_TYPE, DCT + "source", *DESCRIPTIONS, *ISO_CODES}
NOTATIONS = {ICTD + "notation", SKOS + "notation"}
# Properties shown first, in this order (the others follow by label): when before what.
FIRST_PROPERTIES = (ICTD + "date", ICTD + "startDate", ICTD + "endDate")
YEN_VALUES = ((SCHEMA + "value", SCHEMA + "currency", "JPY"), (ICTD + "value", ICTD + "unit", ICTD + "Yen"))


def local_path(iri: str) -> str | None:
    """`/id/country/BR` for `https://w3id.org/ict-diplomacy/id/country/BR`; None outside the base."""
    return "/" + iri[len(BASE):] if iri.startswith(BASE) else None


def href(iri: str) -> str:
    path = local_path(iri)
    return quote(path, safe="/#:@!$&'()*+,;=-._~%") if path is not None else iri


def compact(iri: str) -> str:
    for prefix, namespace in DUMP_PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def _order(t: ox.Triple) -> tuple[str, str, str]:
    return tuple("" if isinstance(term, ox.BlankNode) else str(term) for term in t)


class Graph:
    """A small index of triples for building pages: outgoing values, incoming links, labels."""

    def __init__(self, triples: list[ox.Triple]):
        # once each (a CONSTRUCT may repeat a triple), in one order whatever the engine's (blank
        # node labels aside, which differ from engine to engine and from parse to parse): the same page
        self.triples = sorted(dict.fromkeys(triples), key=_order)
        self.labels: dict[str, dict[str, str]] = {iri: dict(labels) for iri, labels in KNOWN_LABELS.items()}
        self._objects: dict[tuple[str, str], list] = {}
        for t in self.triples:
            self._objects.setdefault((t.subject.value, t.predicate.value), []).append(t.object)
        self.add_labels([t for t in self.triples if t.predicate.value == LABEL])

    def add_labels(self, triples: list[ox.Triple]) -> None:
        for t in triples:
            if isinstance(t.object, ox.Literal):
                tag = t.object.language or ""
                self.labels.setdefault(t.subject.value, {}).setdefault(tag, notation_for(t.object.value, tag))

    def objects(self, subject: str, predicate: str) -> list:
        return self._objects.get((subject, predicate), [])

    def label(self, iri: str, lang: str) -> tuple[str | None, str | None]:
        """The label of `iri` in `lang`, else in the other language, else untagged: (text, its language)."""
        labels = self.labels.get(iri, {})
        for tag in (lang, other_language(lang), ""):
            if labels.get(tag):
                return labels[tag], tag or None
        return None, None

    def link(self, iri: str, lang: str) -> dict:
        """A link to a resource with its label in `lang` (or the other language, or its IRI)."""
        text, tag = self.label(iri, lang)
        return {"href": href(iri), "iri": iri, "label": text or compact(iri), "lang": tag}

    def value(self, term, lang: str, subject: str | None = None, predicate: str | None = None) -> dict:
        """A value as the templates show it: a link, or a literal written for people."""
        if isinstance(term, ox.NamedNode):
            return self.link(term.value, lang)
        if isinstance(term, ox.BlankNode):
            return {"literal": "[" + ", ".join(self.link(t.predicate.value, lang)["label"] + " " + self.value(
                t.object, lang).get("label", t.object.value) for t in self.triples if t.subject == term) + "]"}
        return self._literal(term, lang, subject, predicate)

    def _literal(self, term: ox.Literal, lang: str, subject: str | None, predicate: str | None) -> dict:
        datatype = term.datatype.value if term.datatype and not term.language else None
        if subject and self.is_yen(subject, predicate):
            money = format_yen(term.value, lang, self.qualifier(subject))
            return {"literal": money["text"], "exact": money["exact"], "raw": term.value}
        date = format_date(term.value, datatype, lang)
        if date:
            return {"literal": date, "time": term.value}
        if datatype in (PREFIXES["xsd"] + "decimal", PREFIXES["xsd"] + "integer"):
            text = format_number(term.value)
            if predicate == ICTD + "value" and subject:
                text = qualify(text, self.qualifier(subject), lang)
            return {"literal": text, "raw": term.value}
        shown = None if datatype in (None, PREFIXES["xsd"] + "string") else compact(datatype)
        if predicate in NOTATIONS:
            return {"literal": notation_for(term.value, lang), "datatype": shown}
        return {"literal": term.value, "lang": term.language or None, "datatype": shown}

    def is_yen(self, subject: str, predicate: str | None) -> bool:
        return any(predicate == value and any(o.value == marker for o in self.objects(subject, unit))
                   for value, unit, marker in YEN_VALUES)

    def qualifier(self, subject: str) -> str | None:
        found = self.objects(subject, ICTD + "qualifier")
        return found[0].value if found else None


def in_language(values: list[dict], lang: str) -> list[dict]:
    """The values in `lang` when there are some, else all; untagged values always."""
    tagged = [v for v in values if v.get("lang") in LANGUAGES and v.get("literal") is not None]
    if any(v["lang"] == lang for v in tagged):
        return [v for v in values if v.get("lang") in (lang, None) or v.get("href")]
    return values


def ordered(values: list[dict], lang: str) -> list[dict]:
    return sorted(values, key=lambda v: (v.get("lang") not in (lang, None), v.get("label") or v.get("literal", "")))


def resource_view(graph: Graph, iri: str, lang: str) -> dict:
    """What the resource page shows: title, types, properties, outbound and incoming links, sources."""
    outgoing: dict[str, list] = {}
    incoming: dict[str, set] = {}
    for t in graph.triples:
        if t.subject.value == iri:
            outgoing.setdefault(t.predicate.value, []).append(t.object)
        elif isinstance(t.object, ox.NamedNode) and t.object.value == iri:
            incoming.setdefault(t.predicate.value, set()).add(t.subject.value)
    other_text, other_tag = graph.label(iri, other_language(lang))
    title = graph.link(iri, lang)
    return {
        "iri": iri, "title": title,
        "other_name": {"label": other_text, "lang": other_tag} if other_tag and other_tag != title["lang"] else None,
        "types": [graph.link(o.value, lang) for o in outgoing.get(RDF_TYPE, []) if isinstance(o, ox.NamedNode)],
        "description": _descriptions(graph, iri, outgoing, lang),
        "amount": _amount(graph, iri, lang),
        "properties": _properties(graph, iri, outgoing, lang),
        "outbound": _outbound(graph, outgoing, lang),
        "incoming": [{"predicate": graph.link(p, lang), "subjects": ordered([graph.link(s, lang) for s in subjects], lang)}
                     for p, subjects in sorted(incoming.items(), key=lambda i: graph.link(i[0], lang)["label"].lower())],
        "sources": [source_chain(graph, s.value, lang) for s in outgoing.get(DCT + "source", [])
                    if isinstance(s, ox.NamedNode)],
        "listing": kind_listing(graph, iri),
    }


def kind_listing(graph: Graph, iri: str) -> dict | None:
    """The list of the resource's kind (`/id/country/` for id/country/BR, and for id/topic, the
    scheme whose members are id/topic/…); None when there is no such list."""
    local = (local_path(iri) or "").removeprefix("/id/")
    if local == (local_path(iri) or "") or not local:
        return None
    kind = local.split("/")[0]
    if "/" in local or any(t.subject.value.startswith(iri + "/") for t in graph.triples):
        return {"kind": kind, "href": f"/id/{kind}/"}
    return None


def _descriptions(graph: Graph, iri: str, outgoing: dict, lang: str) -> list[dict]:
    for predicate in DESCRIPTIONS:
        values = [graph.value(o, lang) for o in outgoing.get(predicate, [])]
        if values:
            return in_language(values, lang)
    return []


def _amount(graph: Graph, iri: str, lang: str) -> dict | None:
    for value, _, _ in YEN_VALUES:
        if graph.is_yen(iri, value) and graph.objects(iri, value):
            return graph.value(graph.objects(iri, value)[0], lang, iri, value)
    return None


def _properties(graph: Graph, iri: str, outgoing: dict, lang: str) -> list[dict]:
    rows = []
    for predicate, objects in outgoing.items():
        if predicate in SHOWN_ELSEWHERE or graph.is_yen(iri, predicate):
            continue
        values = [graph.value(o, lang, iri, predicate) for o in objects
                  if not (predicate in OUTBOUND and _target(o) is not None)]
        if values:
            rows.append({"predicate": graph.link(predicate, lang), "values": ordered(in_language(values, lang), lang)})
    def order(row: dict) -> tuple:
        iri = row["predicate"]["iri"]
        first = FIRST_PROPERTIES.index(iri) if iri in FIRST_PROPERTIES else len(FIRST_PROPERTIES)
        return first, row["predicate"]["label"].lower()
    return sorted(rows, key=order)


def _target(term) -> dict | None:
    if not isinstance(term, ox.NamedNode):
        return None
    target = link_target(term.value)
    return target.names if target else None


def _outbound(graph: Graph, outgoing: dict, lang: str) -> list[dict]:
    links = []
    for predicate in sorted(OUTBOUND & set(outgoing)):
        for term in outgoing[predicate]:
            names = _target(term)
            if names:
                links.append({"dataset": names[lang], "href": term.value, "label": term.value.rstrip("/").rsplit("/", 1)[-1],
                              "relation": graph.link(predicate, lang)["label"]})
    for predicate, scheme in ISO_CODES.items():
        for term in outgoing.get(predicate, []):
            page = ISO_PAGE.format(term.value) if predicate == ICTD + "isoAlpha2" else None
            links.append({"dataset": scheme, "href": page, "label": term.value, "relation": None})
    return links


def source_chain(graph: Graph, section: str, lang: str) -> dict:
    """A source subsection, the sections it is part of up to the white paper, and its official page."""
    chain, seen, current = [], set(), section
    while current and current not in seen:
        seen.add(current)
        chain.append(graph.link(current, lang))
        parents = [o.value for o in graph.objects(current, DCT + "isPartOf") if isinstance(o, ox.NamedNode)]
        current = parents[0] if parents else None
    pages = [o.value for o in graph.objects(chain[-1]["iri"], PREFIXES["foaf"] + "page")]
    return {"section": chain[0], "within": chain[1:], "page": pages[0] if pages else None}
