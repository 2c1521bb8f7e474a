"""SHACL validation as SPARQL run in Oxigraph.

Each constraint of the shapes graph becomes one SELECT query whose solutions are exactly the
validation results pyshacl would report for it (one per focus node for the counting constraints,
one per value node for the value constraints, one per solution for SHACL-SPARQL constraints). The
queries run over the whole data graph at once, instead of once per focus node, which makes
validation of a million triples take seconds. Only the part of SHACL the project's shapes use is
translated; anything else raises `Unsupported`, so a new kind of constraint cannot be skipped
silently (tests/test_validate_sparql.py compares the reports with pyshacl's)."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Iterator

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, SH, XSD

INSTANCE_OF = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>*"
TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
# datatypes whose ill-formed literals fail sh:datatype (those rdflib, hence pyshacl, checks;
# it does not check xsd:gYear or xsd:gYearMonth)
CASTABLE = {XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.boolean, XSD.date, XSD.dateTime}
COMPARISONS = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}
NODE_KINDS = {SH.IRI: "isIRI({v})", SH.BlankNode: "isBlank({v})", SH.Literal: "isLiteral({v})",
              SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))", SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
              SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))"}
META = {SH.path, SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group, SH.deactivated,
        SH.flags, SH.qualifiedValueShapesDisjoint}
# constraint parameters handled elsewhere or carrying no constraint of their own
NON_VALUE = {SH.path, SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group, SH.deactivated,
             SH.minCount, SH.maxCount, SH.uniqueLang, SH.hasValue, SH.qualifiedValueShape,
             SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint, SH.property,
             SH.sparql, SH.flags, RDF.type, *TARGETS}


def _is_shacl(term) -> bool:
    return str(term).startswith(str(SH))


class Unsupported(ValueError):
    """The shapes use a part of SHACL this translation does not cover."""


@dataclass(frozen=True)
class Check:
    """One query; each solution is one validation result of `shape` (a node or property shape)."""

    query: str
    shape: rdflib.term.Node
    path: rdflib.term.Node | None
    severity: rdflib.URIRef
    messages: tuple[rdflib.Literal, ...]
    substitute: bool = False  # SHACL-SPARQL: fill {?var} in the messages from the solution


@dataclass
class Result:
    severity: rdflib.URIRef
    focus: str
    path: rdflib.term.Node | None
    messages: dict[str, str]
    shape: rdflib.term.Node


def sparql_term(term: rdflib.term.Node) -> str:
    if isinstance(term, rdflib.URIRef):
        return f"<{term}>"
    if isinstance(term, rdflib.Literal):
        return term.n3()
    raise Unsupported(f"blank node {term} used as a constraint value")


class Translator:
    """Turns a shapes graph into Checks."""

    def __init__(self, shapes: rdflib.Graph):
        self.g = shapes
        self._names = itertools.count()

    def var(self, stem: str = "x") -> str:
        return f"?_{stem}{next(self._names)}"

    # ------------------------------------------------------------ entry point

    def checks(self) -> Iterator[Check]:
        node_shapes = sorted({s for t in TARGETS for s in self.g.subjects(t, None)}, key=str)
        for shape in node_shapes:
            if self._deactivated(shape):
                continue
            target = self.target(shape)
            yield from self.node_checks(shape, target)
            for prop in self.g.objects(shape, SH.property):
                if not self._deactivated(prop):
                    yield from self.property_checks(prop, target)

    def _deactivated(self, shape) -> bool:
        return bool(self.g.value(shape, SH.deactivated, default=rdflib.Literal(False)).toPython())

    def _check(self, query: str, shape, path=None, substitute=False) -> Check:
        severity = self.g.value(shape, SH.severity) or SH.Violation
        messages = tuple(sorted(self.g.objects(shape, SH.message)))
        return Check(query, shape, path, severity, messages, substitute)

    def target(self, shape) -> str:
        branches = []
        for cls in self.g.objects(shape, SH.targetClass):
            branches.append(f"{{ ?this {INSTANCE_OF} {sparql_term(cls)} }}")
        for prop in self.g.objects(shape, SH.targetSubjectsOf):
            branches.append(f"{{ ?this {sparql_term(prop)} [] }}")
        for prop in self.g.objects(shape, SH.targetObjectsOf):
            branches.append(f"{{ [] {sparql_term(prop)} ?this }}")
        for node in self.g.objects(shape, SH.targetNode):
            branches.append(f"{{ VALUES ?this {{ {sparql_term(node)} }} }}")
        return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(branches) + " } }"

    # ------------------------------------------------------------ paths

    def path(self, node) -> str:
        if isinstance(node, rdflib.URIRef):
            return f"<{node}>"
        if (alternatives := self.g.value(node, SH.alternativePath)) is not None:
            return "(" + "|".join(self.path(p) for p in rdflib.collection.Collection(self.g, alternatives)) + ")"
        if (inverse := self.g.value(node, SH.inversePath)) is not None:
            return f"^({self.path(inverse)})"
        if self.g.value(node, RDF.first) is not None:
            return "(" + "/".join(self.path(p) for p in rdflib.collection.Collection(self.g, node)) + ")"
        for kind, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
            if (inner := self.g.value(node, kind)) is not None:
                return f"({self.path(inner)}){suffix}"
        raise Unsupported(f"path {node}")

    # ------------------------------------------------------------ conditions on one node

    def conforms(self, shape, v: str) -> str:
        """A SPARQL expression true when the node in variable `v` conforms to `shape`."""
        parts = [self.condition(shape, p, o, v) for p, o in sorted(self.g.predicate_objects(shape))
                 if _is_shacl(p) and p not in META]
        return "(" + " && ".join(parts) + ")" if parts else "true"

    def condition(self, shape, param, value, v: str) -> str:
        """The expression for one constraint parameter of `shape` on the node in `v`."""
        if param == SH.datatype:
            ok = f"isLiteral({v}) && sameTerm(DATATYPE({v}), <{value}>)"
            if value in CASTABLE:
                ok += f" && sameTerm(<{value}>({v}), <{value}>({v}))"
            return f"({ok})"
        if param == SH["class"]:
            return f"EXISTS {{ {v} {INSTANCE_OF} <{value}> }}"
        if param == SH.nodeKind:
            return NODE_KINDS[value].format(v=v)
        if param == SH.pattern:
            flags = self.g.value(shape, SH.flags)
            extra = f", {rdflib.Literal(str(flags)).n3()}" if flags else ""
            return f"(!isBlank({v}) && REGEX(STR({v}), {rdflib.Literal(str(value)).n3()}{extra}))"
        if param == SH.languageIn:
            tags = rdflib.collection.Collection(self.g, value)
            return "(" + " || ".join(f"langMatches(LANG({v}), {rdflib.Literal(str(t)).n3()})" for t in tags) + ")"
        if param == SH["in"]:
            members = rdflib.collection.Collection(self.g, value)
            return "(" + " || ".join(f"sameTerm({v}, {sparql_term(m)})" for m in members) + ")"
        if param == SH.hasValue:
            return f"sameTerm({v}, {sparql_term(value)})"
        if param in COMPARISONS:
            return f"({v} {COMPARISONS[param]} {sparql_term(value)})"
        if param in (SH["or"], SH["and"]):
            joined = " || " if param == SH["or"] else " && "
            members = rdflib.collection.Collection(self.g, value)
            return "(" + joined.join(f"COALESCE({self.shape_condition(m, v)}, false)" for m in members) + ")"
        if param == SH["not"]:
            return f"!COALESCE({self.shape_condition(value, v)}, false)"
        if param == SH.node:
            return self.conforms(value, v)
        raise Unsupported(f"constraint {param} on {shape}")

    def shape_condition(self, shape, v: str) -> str:
        """Conformance to a member of sh:or/sh:and/sh:not: a node shape or a property shape."""
        path = self.g.value(shape, SH.path)
        if path is None:
            return self.conforms(shape, v)
        parts = []
        for param, value in self.g.predicate_objects(shape):
            if not _is_shacl(param) or param in (SH.path, SH.message, SH.severity, SH.name, SH.description):
                continue
            if param == SH.minCount and int(value) == 1:
                parts.append(f"EXISTS {{ {v} {self.path(path)} [] }}")
            elif param == SH.hasValue:
                parts.append(f"EXISTS {{ {v} {self.path(path)} {sparql_term(value)} }}")
            else:
                raise Unsupported(f"{param} in a property shape used inside sh:or/sh:and/sh:not")
        return "(" + " && ".join(parts or ["true"]) + ")"

    # ------------------------------------------------------------ node shapes

    def node_checks(self, shape, target: str) -> Iterator[Check]:
        for param, value in sorted(self.g.predicate_objects(shape)):
            if param == SH.sparql:
                yield self.sparql_check(shape, value, target)
            elif param in (SH.minCount, SH.maxCount, SH.uniqueLang, SH.qualifiedValueShape, SH.hasValue):
                raise Unsupported(f"{param} on node shape {shape}")
            elif _is_shacl(param) and param not in NON_VALUE:
                cond = self.condition(shape, param, value, "?this")
                yield self._check(f"SELECT DISTINCT ?this WHERE {{ {target} FILTER(!COALESCE({cond}, false)) }}", shape)

    def sparql_check(self, shape, constraint, target: str) -> Check:
        select = str(self.g.value(constraint, SH.select))
        prefixes = "".join(f"PREFIX {self.g.value(d, SH.prefix)}: <{self.g.value(d, SH.namespace)}>\n"
                           for decl in self.g.objects(constraint, SH.prefixes)
                           for d in self.g.objects(decl, SH.declare))
        text = select.replace("$this", "?this")
        where = re.search(r"\bWHERE\s*\{", text, re.I)
        if where is None:
            raise Unsupported(f"SHACL-SPARQL query without WHERE in {shape}")
        text = text[:where.end()] + f" {target} " + text[where.end():]
        text = re.sub(r"^\s*SELECT\s+(?!DISTINCT)", "SELECT DISTINCT ", text, count=1, flags=re.I)
        severity = self.g.value(shape, SH.severity) or SH.Violation
        messages = tuple(sorted(self.g.objects(constraint, SH.message)))
        return Check(prefixes + text, shape, None, severity, messages, substitute=True)

    # ------------------------------------------------------------ property shapes

    def property_checks(self, prop, target: str) -> Iterator[Check]:
        path_node = self.g.value(prop, SH.path)
        path = self.path(path_node)
        result_path = path_node if isinstance(path_node, rdflib.URIRef) else None
        check = lambda query: self._check(query, prop, result_path)
        for param, value in sorted(self.g.predicate_objects(prop)):
            if param == SH.minCount:
                yield check(self.count_query(target, path, "<", int(value)))
            elif param == SH.maxCount:
                yield check(self.count_query(target, path, ">", int(value)))
            elif param == SH.qualifiedValueShape:
                yield from (check(q) for q in self.qualified_queries(prop, value, target, path))
            elif param == SH.uniqueLang and value.toPython() is True:
                yield check(f"SELECT DISTINCT ?this ?lang WHERE {{ {target} ?this {path} ?v "
                            "FILTER(isLiteral(?v) && LANG(?v) != \"\") BIND(LCASE(LANG(?v)) AS ?lang) } "
                            "GROUP BY ?this ?lang HAVING (COUNT(DISTINCT ?v) > 1)")
            elif param == SH.hasValue:
                yield check(f"SELECT DISTINCT ?this WHERE {{ {target} FILTER NOT EXISTS {{ ?this {path} {sparql_term(value)} }} }}")
            elif param == SH.sparql:
                raise Unsupported(f"sh:sparql on property shape {prop}")
            elif _is_shacl(param) and param not in NON_VALUE:
                cond = self.condition(prop, param, value, "?v")
                yield check(f"SELECT DISTINCT ?this ?v WHERE {{ {target} ?this {path} ?v FILTER(!COALESCE({cond}, false)) }}")

    def count_query(self, target: str, path: str, op: str, n: int, cond: str = "") -> str:
        value_filter = f" FILTER(COALESCE({cond}, false))" if cond else ""
        if op == "<" and n == 1:
            return f"SELECT DISTINCT ?this WHERE {{ {target} FILTER NOT EXISTS {{ ?this {path} ?v{value_filter} }} }}"
        values = f"OPTIONAL {{ ?this {path} ?v{value_filter} }}" if op == "<" else f"?this {path} ?v{value_filter}"
        return f"SELECT ?this WHERE {{ {target} {values} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?v) {op} {n})"

    def qualified_queries(self, prop, qualified, target: str, path: str) -> Iterator[str]:
        if self.g.value(prop, SH.qualifiedValueShapesDisjoint, default=rdflib.Literal(False)).toPython():
            raise Unsupported(f"sh:qualifiedValueShapesDisjoint on {prop}")
        cond = self.conforms(qualified, "?v")
        if (low := self.g.value(prop, SH.qualifiedMinCount)) is not None:
            yield self.count_query(target, path, "<", int(low), cond)
        if (high := self.g.value(prop, SH.qualifiedMaxCount)) is not None:
            yield self.count_query(target, path, ">", int(high), cond)


# ---------------------------------------------------------------- running the checks

def _language(message: rdflib.Literal) -> str:
    if message.language:
        return message.language
    return "ja" if any("\u3040" <= ch <= "\u9fff" for ch in str(message)) else "en"


def _fill(message: str, solution: ox.QuerySolution, variables: list[str]) -> str:
    for name in variables:
        term = solution[name]
        if term is not None:
            message = re.sub("{[?$]" + name + "}", term.value.replace("\\", "\\\\"), message)
    return message


def run_check(store: ox.Store, check: Check) -> Iterator[Result]:
    solutions = store.query(check.query)
    variables = [v.value for v in solutions.variables]
    for solution in solutions:
        if check.substitute:
            messages = {_language(m): _fill(str(m), solution, variables) for m in check.messages}
        else:
            messages = {_language(m): str(m) for m in check.messages}
        yield Result(check.severity, solution["this"].value, check.path, messages, check.shape)


def validate(store: ox.Store, shapes: rdflib.Graph) -> list[Result]:
    """Every validation result of the data in `store` against `shapes`."""
    return [result for check in Translator(shapes).checks() for result in run_check(store, check)]
