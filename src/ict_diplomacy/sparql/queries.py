"""The catalogue of stored SPARQL queries (`queries/*.rq`): load, validate, bind, run.

Each file is plain SPARQL; its metadata sits in header lines starting with `#+ `, which together
form a YAML mapping:

    #+ title: {ja: ..., en: ...}
    #+ description: {ja: ..., en: ...}
    #+ tags: [isdb-t, timeline]
    #+ params:
    #+   country: {type: iri, class: ictd:Country, default: "https://w3id.org/ict-diplomacy/id/country/BR"}
    #+   lang: {type: literal, enum: [ja, en], default: en}
    #+ example: ict-diplomacy query country-profile --param country=https://w3id.org/ict-diplomacy/id/country/PE
    #+ result: {kind: select, columns: [date, activity, activityLabel]}
    #+ differs: {virtuoso: "why this engine cannot give the same answer (remote mode refuses it there)"}

A parameter is the SPARQL variable of the same name. Values are checked here and bound as RDF
terms by the engine (see engine.py), never pasted into the text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import yaml

from ..errors import ParameterError, QueryDefinitionError, QueryNotFound
from ..project import ID_BASE, PREFIXES, Project
from ..publish.description import LINK_TARGETS, LINK_TARGETS_BY_KEY
from ..settings import UPSTREAM_ENGINES
from . import engine as engines
from .engine import Bindings, Engine, Term
from .text import mask, variables_used, where_brace

# The SPARQL endpoints of the datasets we link to (publish.description.LINK_TARGETS): a stored query
# that calls one with SERVICE is federated; a stand-in may take its place (a setting, never a parameter).
ENDPOINTS = {t.key: t.endpoint for t in LINK_TARGETS if t.endpoint}
WIKIDATA_ENDPOINT = ENDPOINTS["wikidata"]
KINDS = ("select", "ask", "construct", "describe")
LANGUAGES = ("ja", "en")
MAX_LITERAL = 1000
XSD = PREFIXES["xsd"]
_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_SELECT_STAR = re.compile(r"\bSELECT\s+(DISTINCT\s+|REDUCED\s+)?\*", re.IGNORECASE)
_LEXICAL = {
    XSD + "integer": re.compile(r"^[+-]?\d{1,18}$"),
    XSD + "decimal": re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$"),
    XSD + "gYear": re.compile(r"^\d{4}$"),
    XSD + "gYearMonth": re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"),
    XSD + "date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    XSD + "string": re.compile(r"^.*$", re.DOTALL),
}


def expand(name: str) -> str:
    """A full IRI from `prefix:local` (project prefixes, `id:` for resources) or a full IRI."""
    prefix, _, local = name.partition(":")
    if prefix == "id":
        return ID_BASE + local
    if prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return name


def compact(iri: str) -> str:
    """The shortest prefixed form of an IRI, for tables."""
    if iri.startswith(ID_BASE):
        return iri[len(ID_BASE):]
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


# ---------------------------------------------------------------- parameters

@dataclass(frozen=True)
class Param:
    """A declared parameter: an IRI (of a class, or one of an enum) or a typed literal."""

    name: str
    type: str
    cls: str | None = None
    datatype: str = XSD + "string"
    enum: tuple[str, ...] = ()
    default: str | None = None
    example: str | None = None
    description: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_spec(cls, name: str, spec: dict) -> Param:
        if not isinstance(spec, dict) or spec.get("type") not in ("iri", "literal"):
            raise QueryDefinitionError(f"parameter {name!r}: type must be iri or literal")
        iri = spec["type"] == "iri"
        enum = tuple(expand(str(v)) if iri else str(v) for v in spec.get("enum") or ())
        param = cls(name=name, type=spec["type"], cls=expand(spec["class"]) if spec.get("class") else None,
                    datatype=expand(spec.get("datatype", "xsd:string")), enum=enum,
                    default=None if spec.get("default") is None else str(spec["default"]),
                    example=None if spec.get("example") is None else str(spec["example"]),
                    description=spec.get("description") or {})
        if not iri and param.datatype not in _LEXICAL:
            raise QueryDefinitionError(f"parameter {name!r}: unsupported datatype {param.datatype}")
        for value in filter(None, (param.default, param.example, *param.enum)):
            param.term(value)  # a default or example that does not parse is a definition error
        return param

    def term(self, raw: str) -> Term:
        """The RDF term for a raw value; ParameterError (naming the parameter) when it does not fit."""
        if not isinstance(raw, str):
            raise ParameterError(self.name, f"expected a string, got {type(raw).__name__}")
        if self.type == "iri":
            return self._iri(raw)
        if len(raw) > MAX_LITERAL:
            raise ParameterError(self.name, f"value longer than {MAX_LITERAL} characters")
        if self.enum and raw not in self.enum:
            raise ParameterError(self.name, f"{raw!r} is not one of {', '.join(self.enum)}")
        if not _LEXICAL[self.datatype].fullmatch(raw) or not self._valid_date(raw):
            raise ParameterError(self.name, f"{raw!r} is not a valid {compact(self.datatype)}")
        if self.datatype == XSD + "string":
            return ox.Literal(raw)
        return ox.Literal(raw, datatype=ox.NamedNode(self.datatype))

    def _iri(self, raw: str) -> ox.NamedNode:
        iri = expand(raw)
        if not re.match(r"^https?://", iri):
            raise ParameterError(self.name, f"{raw[:80]!r} is not an http(s) IRI")
        try:
            node = ox.NamedNode(iri)
        except ValueError as error:
            raise ParameterError(self.name, f"{raw[:80]!r} is not a valid IRI: {error}") from None
        if self.enum and iri not in self.enum:
            raise ParameterError(self.name, f"{compact(iri)} is not one of {', '.join(map(compact, self.enum))}")
        return node

    def _valid_date(self, raw: str) -> bool:
        if self.datatype != XSD + "date":
            return True
        try:
            date.fromisoformat(raw)
            return True
        except ValueError:
            return False


# ---------------------------------------------------------------- stored queries

@dataclass(frozen=True)
class StoredQuery:
    name: str
    path: Path
    text: str
    title: dict[str, str]
    description: dict[str, str]
    tags: tuple[str, ...]
    params: dict[str, Param]
    example: str
    kind: str
    columns: tuple[str, ...]
    differs: dict[str, str] = field(default_factory=dict)   # engine -> why it cannot answer the same

    @property
    def services(self) -> tuple[str, ...]:
        """The keys of the link targets whose endpoint the query calls with SERVICE."""
        return tuple(key for key, endpoint in ENDPOINTS.items() if f"<{endpoint}>" in self.text)

    @property
    def federated(self) -> bool:
        return bool(self.services)

    @property
    def service_names(self) -> str:
        """The datasets it calls, as people name them: "Wikidata", "gBizINFO"."""
        return ", ".join(LINK_TARGETS_BY_KEY[key].name_en.split(" (")[0] for key in self.services)

    def sparql(self, wikidata_endpoint: str | None = None, stand_ins: dict[str, str] | None = None) -> str:
        """The query text, with each SERVICE endpoint pointed at its stand-in when one is given
        (`stand_ins`: target key -> URL; `wikidata_endpoint` is Wikidata's) — a setting of the
        operator, checked as an IRI, never a user's parameter."""
        stand_ins = {**(stand_ins or {}), **({"wikidata": wikidata_endpoint} if wikidata_endpoint else {})}
        text = self.text
        for key in self.services:
            if stand_ins.get(key) and stand_ins[key] != ENDPOINTS[key]:
                text = text.replace(f"<{ENDPOINTS[key]}>", str(_endpoint_iri(key, stand_ins[key])))
        return text

    def label(self, lang: str = "en") -> str:
        return self.title.get(lang) or self.title["en"]


def read_header(text: str) -> dict:
    lines = [line[3:] if line.startswith("#+ ") else line[2:] for line in text.splitlines()
             if line.startswith("#+")]
    try:
        header = yaml.safe_load("\n".join(lines)) or {}
    except yaml.YAMLError as error:
        raise QueryDefinitionError(f"header is not valid YAML: {error}") from None
    if not isinstance(header, dict):
        raise QueryDefinitionError("header must be a YAML mapping")
    return header


def _both_languages(header: dict, key: str) -> dict[str, str]:
    value = header.get(key)
    if not isinstance(value, dict) or not all(isinstance(value.get(l), str) and value[l].strip() for l in LANGUAGES):
        raise QueryDefinitionError(f"{key} must give non-empty text in both ja and en")
    return {l: value[l].strip() for l in LANGUAGES}


def _differs(header: dict) -> dict[str, str]:
    differs = header.get("differs") or {}
    engines = set(UPSTREAM_ENGINES) - {"auto"}
    if not isinstance(differs, dict) or not all(e in engines and isinstance(w, str) and w.strip()
                                                for e, w in differs.items()):
        raise QueryDefinitionError(f"differs must map engines ({', '.join(sorted(engines))}) to the reason")
    return {engine: why.strip() for engine, why in differs.items()}


def parse_query(path: Path) -> StoredQuery:
    """Read and validate one stored query; QueryDefinitionError names the file."""
    try:
        return _parse(path, path.read_text(encoding="utf-8"))
    except QueryDefinitionError as error:
        raise QueryDefinitionError(f"{path}: {error}") from None


def _parse(path: Path, text: str) -> StoredQuery:
    name = path.stem
    if not _NAME.match(name):
        raise QueryDefinitionError("file name must be lowercase words joined by '-'")
    header = read_header(text)
    result = header.get("result") or {}
    if result.get("kind") not in KINDS:
        raise QueryDefinitionError(f"result.kind must be one of {', '.join(KINDS)}")
    params = {n: Param.from_spec(n, s) for n, s in (header.get("params") or {}).items()}
    tags = header.get("tags")
    if not isinstance(tags, list) or not tags:
        raise QueryDefinitionError("tags must be a non-empty list")
    example = str(header.get("example") or "")
    if not example.startswith(f"ict-diplomacy query {name}"):
        raise QueryDefinitionError(f"example must start with 'ict-diplomacy query {name}'")
    query = StoredQuery(name=name, path=path, text=text, title=_both_languages(header, "title"),
                        description=_both_languages(header, "description"), tags=tuple(map(str, tags)),
                        params=params, example=example, kind=result["kind"],
                        columns=tuple(map(str, result.get("columns") or ())), differs=_differs(header))
    check_query(query)
    return query


def check_query(query: StoredQuery) -> None:
    """Syntax (by pyoxigraph), the form against result.kind, declared parameters against the
    variables used, and the SELECT projection against the declared columns."""
    try:
        parsed = ox.Store().query(query.text)  # empty store: SELECT and CONSTRUCT stay lazy
    except SyntaxError as error:
        raise QueryDefinitionError(f"SPARQL syntax error: {error}") from None
    form = {ox.QuerySolutions: "select", ox.QueryBoolean: "ask", ox.QueryTriples: "graph"}[type(parsed)]
    if form != {"construct": "graph", "describe": "graph"}.get(query.kind, query.kind):
        raise QueryDefinitionError(f"result.kind is {query.kind} but the query is a {form} query")
    if query.federated and query.kind != "select":
        raise QueryDefinitionError("federated queries must be SELECT queries")
    missing = set(query.params) - variables_used(query.text)
    if missing:
        raise QueryDefinitionError(f"declared parameters not used as variables: {', '.join(sorted(missing))}")
    where_brace(query.text)  # a WHERE group to bind parameters in on a remote endpoint
    if query.kind == "select":
        _check_projection(query, [v.value for v in parsed.variables])


def _check_projection(query: StoredQuery, projected: list[str]) -> None:
    if _SELECT_STAR.search(mask(query.text)):
        raise QueryDefinitionError("SELECT * is not allowed: name the columns")
    if not query.columns:
        raise QueryDefinitionError("result.columns must list the columns of a SELECT")
    unprojected = set(query.params) - set(projected)
    if unprojected:
        raise QueryDefinitionError(f"parameters must be projected for binding: {', '.join(sorted(unprojected))}")
    if set(projected) != set(query.columns) | set(query.params):
        raise QueryDefinitionError(f"result.columns {list(query.columns)} do not match the projection {projected}")


class Catalogue(dict[str, StoredQuery]):
    """Every stored query of a project, by name, validated when loaded."""

    def get_query(self, name: str) -> StoredQuery:
        if name not in self:
            raise QueryNotFound(f"no stored query {name!r}; `ict-diplomacy query --list` shows them")
        return self[name]


def load(source: Project | Path | str) -> Catalogue:
    directory = source.queries_dir if isinstance(source, Project) else Path(source)
    return Catalogue({path.stem: parse_query(path) for path in sorted(directory.glob("*.rq"))})


# ---------------------------------------------------------------- binding and running

CLASS_CHECK = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
               "ASK WHERE { ?value a/rdfs:subClassOf* ?class }")
KNOWN_CHECK = "ASK WHERE { ?value ?property ?object }"
INSTANCES = "SELECT DISTINCT ?value WHERE { ?value a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?class }"


async def bind(query: StoredQuery, raw: dict[str, str], engine: Engine, instances: Instances | None = None) -> Bindings:
    """Terms for every parameter: given values or defaults, each checked (an IRI of a class in
    `instances` when given, else by a query); unknown names refused."""
    for name in raw:
        if name not in query.params:
            known = ", ".join(query.params) or "none"
            raise ParameterError(name, f"unknown parameter of {query.name} (known: {known})")
    bindings: Bindings = {}
    for name, param in query.params.items():
        value = raw.get(name, param.default)
        if value is None:
            raise ParameterError(name, "required and has no default")
        term = param.term(value)
        if param.type == "iri" and not param.enum:
            await _check_instance(param, term, engine, instances)
        bindings[name] = term
    return bindings


class Instances:
    """The instances of each parameter class, read once (one query a class) from an engine whose
    data never changes (a release; not remote mode): checking a value is then a set lookup."""

    def __init__(self, engine: Engine):
        self.engine, self._of = engine, {}

    async def holds(self, cls: str, term: ox.NamedNode) -> bool | None:
        """Whether `term` is an instance of `cls`; None for a class larger than the row cap."""
        if cls not in self._of:
            result = await self.engine.query(INSTANCES, bindings={"class": ox.NamedNode(cls)})
            rows = ox.parse_query_results(result.body, format=ox.QueryResultsFormat.JSON)
            self._of[cls] = None if result.truncated else frozenset(row["value"].value for row in rows)
        return None if self._of[cls] is None else term.value in self._of[cls]


async def _check_instance(param: Param, term: ox.NamedNode, engine: Engine, instances: Instances | None) -> None:
    if param.cls:
        held = await instances.holds(param.cls, term) if instances is not None else None
        if held is None:
            held = await engines.ask(engine, CLASS_CHECK, {"value": term, "class": ox.NamedNode(param.cls)})
        if not held:
            raise ParameterError(param.name, f"{compact(term.value)} is not a {compact(param.cls)} in the data")
    elif not await engines.ask(engine, KNOWN_CHECK, {"value": term}):
        raise ParameterError(param.name, f"{compact(term.value)} is not a resource of the data")


OPTIONS = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
           "SELECT ?value ?label ?class ?lang WHERE { ?value a/rdfs:subClassOf* ?class "
           "OPTIONAL { ?value rdfs:label ?label FILTER(lang(?label) = ?lang) } } ORDER BY STR(?label) ?value")


async def options(param: Param, engine: Engine, lang: str = "en") -> list[tuple[str, str]]:
    """The allowed values of a closed parameter as (value, label) pairs: its enum, or every
    instance of its class in the data (for forms and API documentation)."""
    if param.enum:
        return [(value, compact(value)) for value in param.enum]
    if param.type != "iri" or not param.cls:
        return []
    table = await engines.select(engine, OPTIONS, {"class": ox.NamedNode(param.cls), "lang": ox.Literal(lang)})
    labels: dict[str, str] = {}
    for row in table.rows:
        labels.setdefault(row["value"].value, row["label"].value if row["label"] else compact(row["value"].value))
    return sorted(labels.items(), key=lambda pair: pair[1])


@dataclass
class Result:
    """The answer of a stored query: rows (SELECT), a boolean (ASK) or triples (CONSTRUCT, DESCRIBE)."""

    query: StoredQuery
    bindings: Bindings
    columns: list[str] = field(default_factory=list)
    rows: list[dict[str, Term | None]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)


def _endpoint_iri(key: str, url: str) -> ox.NamedNode:
    name = key.replace("-", "_") + "_endpoint"
    try:
        endpoint = ox.NamedNode(url)
    except ValueError as error:
        raise ParameterError(name, f"not a valid IRI: {error}") from None
    if not re.match(r"^https?://", endpoint.value):
        raise ParameterError(name, "must be an http(s) IRI")
    return endpoint


async def run(query: StoredQuery, params: dict[str, str] | None, engine: Engine, *,
              lang: str | None = None, wikidata_endpoint: str | None = None,
              stand_ins: dict[str, str] | None = None) -> Result:
    """Run a stored query with raw parameter values (strings) on an engine; `lang` fills the
    `lang` parameter when the query has one and it was not given."""
    params = dict(params or {})
    if lang and "lang" in query.params:
        params.setdefault("lang", lang)
    bindings = await bind(query, params, engine)
    text = query.sparql(wikidata_endpoint, stand_ins)
    if query.kind == "select":
        table = await engines.select(engine, text, bindings)
        rows = [{c: row.get(c) for c in query.columns} for row in table.rows]
        return Result(query, bindings, columns=list(query.columns), rows=rows)
    if query.kind == "ask":
        return Result(query, bindings, boolean=await engines.ask(engine, text, bindings))
    return Result(query, bindings, triples=await engine.triples(text, bindings=bindings))


def parse_assignments(pairs: list[str] | None) -> dict[str, str]:
    """`k=v` strings (from --param) as a mapping; the value may itself contain '='."""
    params: dict[str, str] = {}
    for pair in pairs or ():
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ParameterError(pair[:40], "expected NAME=VALUE")
        params[name.strip()] = value
    return params
