"""What the catalog (DCAT) and the VoID description share: the IRIs they mint, the namespaces,
the texts that describe the dataset, the link targets, a small kit for writing triples, and an
index of the published triples for the few facts both read from the data."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox

from ..formats import Format, of_file
from ..project import BASE, PREFIXES
from . import dumps

CATALOG = BASE + "catalog"
DATASET = BASE + "dataset"
SERVICE = BASE + "service/sparql"
SPARQL = BASE + "sparql"
DUMPS = BASE + "dumps/"
VOID_DOCUMENT = BASE + ".well-known/void"
LICENCE = "https://creativecommons.org/licenses/by/4.0/"

NS = {
    **PREFIXES,
    "dcat": "http://www.w3.org/ns/dcat#",
    "adms": "http://www.w3.org/ns/adms#",
    "void": "http://rdfs.org/ns/void#",
    "spdx": "http://spdx.org/rdf/terms#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "iana": "https://www.iana.org/assignments/media-types/",
    "filetype": "http://publications.europa.eu/resource/authority/file-type/",
    "lang": "http://publications.europa.eu/resource/authority/language/",
    "theme": "http://publications.europa.eu/resource/authority/data-theme/",
    "eucountry": "http://publications.europa.eu/resource/authority/country/",
    "formats": "http://www.w3.org/ns/formats/",
}


@dataclass(frozen=True)
class LinkTarget:
    """A dataset we link to: where its IRIs live, how VoID names it, what pages call it, and its
    own SPARQL endpoint where it has one (the federated stored queries and VoID use it)."""

    key: str
    iri: str
    uri_space: str
    title: str
    name_ja: str
    name_en: str
    endpoint: str = ""

    @property
    def names(self) -> dict[str, str]:
        return {"ja": self.name_ja, "en": self.name_en}


# The one list of the datasets we link to; data/links/ holds the evidence behind each link.
LINK_TARGETS = (
    LinkTarget("wikidata", "http://www.wikidata.org/entity/Q2013", "http://www.wikidata.org/entity/", "Wikidata",
               "Wikidata", "Wikidata", "https://query.wikidata.org/sparql"),
    LinkTarget("eu-country", "http://publications.europa.eu/resource/authority/country", NS["eucountry"],
               "EU Vocabularies: Countries and territories", "EU 国・地域典拠", "EU country authority"),
    LinkTarget("eu-corporate-body", "http://publications.europa.eu/resource/authority/corporate-body",
               "http://publications.europa.eu/resource/authority/corporate-body/", "EU Vocabularies: Corporate bodies",
               "EU 機関典拠", "EU corporate-body authority", "https://publications.europa.eu/webapi/rdf/sparql"),
    LinkTarget("eurovoc", "http://eurovoc.europa.eu/100141", "http://eurovoc.europa.eu/", "EuroVoc", "EuroVoc", "EuroVoc"),
    LinkTarget("gbizinfo", "https://info.gbiz.go.jp/", "http://hojin-info.go.jp/data/basic/",
               "gBizINFO: corporate information of the Government of Japan", "gBizINFO（法人番号）",
               "gBizINFO (corporate number)", "https://api.info.gbiz.go.jp/sparql"),
    LinkTarget("m49", "http://stats-class.fao.uniroma2.it/geo/M49", "http://stats-class.fao.uniroma2.it/geo/m49/",
               "UN M49 standard areas (FAO Caliper edition)", "国連 M49 地域", "UN M49 area"),
    LinkTarget("geonames", "https://www.geonames.org/", "https://sws.geonames.org/", "GeoNames", "GeoNames", "GeoNames"),
)
LINK_TARGETS_BY_KEY = {t.key: t for t in LINK_TARGETS}
LINK_PREDICATES = (NS["owl"] + "sameAs", NS["skos"] + "exactMatch", NS["skos"] + "closeMatch", NS["schema"] + "sameAs")


def link_target(iri: str) -> LinkTarget | None:
    """The dataset an IRI belongs to, if we link to it."""
    return next((t for t in LINK_TARGETS if iri.startswith(t.uri_space)), None)


TEXT = {
    "catalog_title": {"ja": "ICT外交 リンクトデータ カタログ", "en": "ICT diplomacy linked data catalog"},
    "catalog_description": {
        "ja": "日本のICT国際戦略（総務省『令和2年版情報通信白書』第6章第8節）の知識グラフのデータカタログ。",
        "en": "Catalog of the knowledge graph of Japan's ICT international strategy (MIC White Paper on "
              "Information and Communications in Japan, 2020, chapter 6, section 8)."},
    "dataset_title": {"ja": "ICT外交 知識グラフ", "en": "ICT diplomacy knowledge graph"},
    "dataset_description": {
        "ja": "総務省『令和2年版情報通信白書』第6章第8節「ICT国際戦略の推進」のすべての事実（国、国際機関、会合と対話、"
              "合意文書、円借款と事業、ISDB-Tの採用、国際機関の役職への選出、金額と統計）をRDFで表したもの。"
              "各事実は出典の節に遡ることができ、日本語と英語のラベルを持ち、Wikidataにリンクしている。",
        "en": "Every fact of section 8 of chapter 6 (\"Promotion of ICT international strategy\") of MIC's White "
              "Paper on Information and Communications in Japan, 2020, as RDF: countries, international "
              "organizations, meetings and dialogues, agreements, ODA loans and projects, adoptions of ISDB-T, "
              "elections to international posts, money and statistics. Each fact is traceable to the subsection "
              "it came from, labelled in Japanese and English, and linked to Wikidata."},
    "service_title": {"ja": "ICT外交 SPARQLエンドポイント", "en": "ICT diplomacy SPARQL endpoint"},
    "service_description": {
        "ja": "知識グラフを問い合わせる読み取り専用のSPARQL 1.1エンドポイント。",
        "en": "Read-only SPARQL 1.1 endpoint over the knowledge graph."},
}


# ---------------------------------------------------------------- terms and triples

def iri(name: str) -> ox.NamedNode:
    """A named node from a full IRI or a prefixed name of NS ("dcat:Dataset")."""
    prefix, _, local = name.partition(":")
    if prefix in NS and not local.startswith("//"):
        return ox.NamedNode(NS[prefix] + local)
    return ox.NamedNode(name)


def text(value: str, lang: str) -> ox.Literal:
    return ox.Literal(value, language=lang)


def typed(value: object, datatype: str) -> ox.Literal:
    return ox.Literal(str(value), datatype=iri(datatype))


def texts(values: dict[str, str]) -> list[ox.Literal]:
    return [text(v, lang) for lang, v in sorted(values.items())]


Term = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass
class Graph:
    """Triples being written; strings stand for IRIs or prefixed names."""

    triples: list[ox.Triple] = field(default_factory=list)

    def add(self, subject: str | Term, predicate: str, *objects: str | Term) -> "Graph":
        s, p = _term(subject), iri(predicate)
        self.triples.extend(ox.Triple(s, p, _term(o)) for o in objects)
        return self


def _term(value: str | Term) -> Term:
    return iri(value) if isinstance(value, str) else value


def short(value: str) -> str:
    for prefix, ns in NS.items():
        if value.startswith(ns):
            return f"{prefix}:{value[len(ns):]}"
    return value


# ---------------------------------------------------------------- what the data says

@dataclass
class Index:
    """The published triples by subject, for the few facts the description reads from the data."""

    by_subject: dict[ox.NamedNode | ox.BlankNode, list[ox.Triple]]

    @classmethod
    def of(cls, triples: Iterable[ox.Triple]) -> "Index":
        by_subject: dict = defaultdict(list)
        for t in triples:
            by_subject[t.subject].append(t)
        return cls(dict(by_subject))

    def values(self, subject, predicate: str) -> list[Term]:
        p = iri(predicate)
        return [t.object for t in self.by_subject.get(subject, ()) if t.predicate == p]

    def value(self, subject, predicate: str) -> Term | None:
        found = self.values(subject, predicate)
        return found[0] if found else None

    def instances(self, cls: str) -> list[ox.NamedNode]:
        c, rdf_type = iri(cls), iri("rdf:type")
        return sorted((s for s, ts in self.by_subject.items() if isinstance(s, ox.NamedNode)
                       and any(t.predicate == rdf_type and t.object == c for t in ts)), key=str)

    def labels(self, subject) -> dict[str, str]:
        return {v.language: v.value for v in self.values(subject, "rdfs:label")
                if isinstance(v, ox.Literal) and v.language}


def ontology_version(index: Index) -> str:
    version = index.value(ox.NamedNode(BASE + "ontology"), "owl:versionInfo")
    return version.value if version else ""


def publisher(index: Index) -> ox.NamedNode | None:
    """Whoever the ontology names as its publisher publishes the dataset too."""
    found = index.value(ox.NamedNode(BASE + "ontology"), "dct:publisher")
    return found if isinstance(found, ox.NamedNode) else None


def dump_format(name: str) -> Format | None:
    """The format of a dump file (one the EU file-type authority names)."""
    fmt = of_file(name)
    return fmt if fmt and fmt.eu_file_type else None


# ---------------------------------------------------------------- files

def write(directory: Path, names: tuple[str, str], triples: list[ox.Triple], prefixes: dict[str, str]) -> list[Path]:
    ordered = sorted(dumps.canonical(list(dict.fromkeys(triples))), key=rank)
    turtle, jsonld = (directory / n for n in names)
    ox.serialize(ordered, str(turtle), format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    ox.serialize(ordered, str(jsonld), format=ox.RdfFormat.JSON_LD)
    return [turtle, jsonld]


def rank(t: ox.Triple) -> int:
    """Readers meet the catalog first, then the dataset and its parts, then everything else
    (a stable sort: the order inside each rank stays the canonical one)."""
    s = str(t.subject.value) if isinstance(t.subject, ox.NamedNode) else ""
    return next((i for i, start in enumerate((CATALOG, DATASET, DATASET + "/", SERVICE)) if s == start
                 or (start.endswith("/") and s.startswith(start))), 4)
