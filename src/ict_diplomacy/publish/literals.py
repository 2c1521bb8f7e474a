"""Typed literals whose text is not a value of their datatype (`"March 2019"^^xsd:gYearMonth`,
`"2018-13"^^xsd:gYearMonth`, `"2019-02-30"^^xsd:date`): a violation naming the file and line.

RDF parsers keep such a literal as it is written, and SHACL's `sh:datatype` only compares the
datatype IRI, so without this check a date people cannot read would be published. The patterns
are the lexical spaces of XML Schema 1.1 Part 2, with the calendar checked for days."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
_ZONE = r"(Z|[+-](0\d|1[0-3]):[0-5]\d|[+-]14:00)?"
_YEAR = r"-?([1-9]\d{3,}|0\d{3})"
_TIME = r"(([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?|24:00:00(\.0+)?)"
LEXICAL = {name: re.compile(pattern) for name, pattern in {
    "date": rf"{_YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]){_ZONE}",
    "dateTime": rf"{_YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T{_TIME}{_ZONE}",
    "gYear": rf"{_YEAR}{_ZONE}",
    "gYearMonth": rf"{_YEAR}-(0[1-9]|1[0-2]){_ZONE}",
    "decimal": r"[+-]?(\d+(\.\d*)?|\.\d+)",
    "integer": r"[+-]?\d+",
    "nonNegativeInteger": r"\+?\d+|-0+",
    "positiveInteger": r"\+?0*[1-9]\d*",
    "boolean": r"true|false|1|0",
    "double": r"[+-]?((\d+(\.\d*)?|\.\d+)([Ee][+-]?\d+)?|INF)|-INF|NaN",
    "float": r"[+-]?((\d+(\.\d*)?|\.\d+)([Ee][+-]?\d+)?|INF)|-INF|NaN",
}.items()}


def valid(literal: ox.Literal) -> bool:
    """Whether the literal's text is in the lexical space of its datatype (unknown datatypes pass)."""
    name = literal.datatype.value.removeprefix(XSD)
    pattern = LEXICAL.get(name) if literal.datatype.value.startswith(XSD) else None
    if pattern is None:
        return True
    text = literal.value
    if not pattern.fullmatch(text):
        return False
    return _real_day(text) if name in ("date", "dateTime") else True


def _real_day(text: str) -> bool:
    """A day that the calendar has (no 30 February); years beyond 9999 are not checked."""
    match = re.match(r"(-?\d+)-(\d\d)-(\d\d)", text)
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    if not 1 <= year <= 9999:
        return True
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def line_of(path: Path, literal: ox.Literal) -> int | None:
    """The first line of the file that writes the literal's text in quotes."""
    needle = ox.Literal(literal.value).__str__()  # the text as Turtle quotes and escapes it
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    return None


def invalid_literals(data: dict[Path, list[ox.Triple]]) -> list[tuple[Path, ox.Triple]]:
    """(file, triple) for every triple whose object is a typed literal outside its lexical space."""
    return [(path, t) for path, triples in data.items() for t in triples
            if isinstance(t.object, ox.Literal) and not t.object.language and not valid(t.object)]
