"""The answer of a stored query as the `query` command prints it: an aligned table (East Asian
wide characters counted twice), SPARQL JSON (or JSON-LD for graphs), CSV, TSV or Turtle."""

from __future__ import annotations

import csv
import io
import json
import unicodedata

import pyoxigraph as ox

from ..errors import OutputFormatError
from ..project import PREFIXES
from .engine import Term
from .queries import XSD, Catalogue, Result, compact


def cell(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def render_table(result: Result) -> str:
    if result.boolean is not None:
        return "yes" if result.boolean else "no"
    if result.query.kind != "select":
        header, lines = ["subject", "predicate", "object"], [[cell(t.subject), cell(t.predicate), cell(t.object)]
                                                             for t in result.triples]
    else:
        header, lines = result.columns, [[cell(row[c]) for c in result.columns] for row in result.rows]
    lines = [[" ".join(v.split()) for v in line] for line in lines]
    widths = [max([_width(h)] + [_width(line[i]) for line in lines]) for i, h in enumerate(header)]
    out = ["  ".join(_pad(h, w) for h, w in zip(header, widths)).rstrip(),
           "  ".join("-" * w for w in widths)]
    out += ["  ".join(_pad(v, w) for v, w in zip(line, widths)).rstrip() for line in lines]
    count = len(lines)
    out.append(f"({count} {'row' if count == 1 else 'rows'})")
    return "\n".join(out)


def _json_term(term: Term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    value = {"type": "literal", "value": term.value}
    if term.language:
        value["xml:lang"] = term.language
    elif term.datatype.value != XSD + "string":
        value["datatype"] = term.datatype.value
    return value


def render_json(result: Result) -> str:
    """SPARQL 1.1 JSON results for SELECT and ASK, JSON-LD for graphs."""
    if result.boolean is not None:
        return json.dumps({"head": {}, "boolean": result.boolean})
    if result.query.kind != "select":
        return ox.serialize(result.triples, format=ox.RdfFormat.JSON_LD, prefixes=PREFIXES).decode()
    bindings = [{c: _json_term(t) for c, t in row.items() if t is not None} for row in result.rows]
    return json.dumps({"head": {"vars": result.columns}, "results": {"bindings": bindings}},
                      ensure_ascii=False, indent=1)


def _separated(result: Result, tsv: bool) -> str:
    if result.query.kind != "select":
        raise OutputFormatError(f"{'tsv' if tsv else 'csv'} is for SELECT queries; use turtle or json")
    buffer = io.StringIO()
    if tsv:  # SPARQL 1.1 TSV: terms in N-Triples syntax
        buffer.write("\t".join(f"?{c}" for c in result.columns) + "\n")
        for row in result.rows:
            buffer.write("\t".join("" if row[c] is None else str(row[c]) for c in result.columns) + "\n")
    else:
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(result.columns)
        writer.writerows([[("" if row[c] is None else row[c].value) for c in result.columns] for row in result.rows])
    return buffer.getvalue().rstrip("\n")


def render_turtle(result: Result) -> str:
    if result.query.kind == "select" or result.boolean is not None:
        raise OutputFormatError("turtle is for CONSTRUCT and DESCRIBE queries; use table, json, csv or tsv")
    return ox.serialize(sorted(result.triples, key=str), format=ox.RdfFormat.TURTLE, prefixes=PREFIXES).decode()


FORMATS = {
    "table": render_table,
    "json": render_json,
    "csv": lambda result: _separated(result, tsv=False),
    "tsv": lambda result: _separated(result, tsv=True),
    "turtle": render_turtle,
}


def render(result: Result, output_format: str = "table") -> str:
    if output_format not in FORMATS:
        raise OutputFormatError(f"unknown format {output_format!r}; one of {', '.join(FORMATS)}")
    return FORMATS[output_format](result)


def render_list(catalogue: Catalogue, lang: str = "en") -> str:
    """The catalogue as a table: name, tags, parameters and title."""
    lines = []
    for name, query in catalogue.items():
        params = " ".join(f"{p}=" for p in query.params)
        fed = f" [{query.service_names}]" if query.federated else ""
        lines.append([name, query.kind, params, query.label(lang) + fed])
    widths = [max(_width(line[i]) for line in lines) for i in range(3)] if lines else [0, 0, 0]
    out = ["  ".join(_pad(v, w) for v, w in zip(line[:3], widths)) + "  " + line[3] for line in lines]
    return "\n".join(out + [f"({len(lines)} queries)"])
