"""Where SPARQL runs: the embedded Oxigraph store or any SPARQL 1.1 endpoint, behind one interface.

Both backends take a query text and its parameters as RDF terms, never as text. The embedded store
binds SELECT parameters with pyoxigraph `substitutions` (SEP-0007); ASK, CONSTRUCT and DESCRIBE,
which pyoxigraph cannot substitute into, and every query sent to a remote endpoint get the terms in
a `VALUES` block placed first in the outermost `WHERE` group, each term serialized by pyoxigraph
(which escapes quotes, newlines and every other character that could end a term)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

import pyoxigraph as ox
from SPARQLWrapper import JSON, POST, TURTLE, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from .errors import BackendError, QueryDefinitionError

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Bindings = dict[str, Term]

_MASKED = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""' r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"' r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\s]*>' r"|#[^\n]*", re.DOTALL)
_WHERE = re.compile(r"\bWHERE\s*\{|\bASK\s*\{", re.IGNORECASE)


def mask(text: str) -> str:
    """The query with strings, IRIs and comments blanked (same length), so keywords and braces
    found in the rest are real syntax."""
    return _MASKED.sub(lambda m: " " * len(m.group(0)), text)


def where_brace(text: str) -> int:
    """Offset just after the `{` that opens the outermost WHERE group."""
    masked = mask(text)
    depth = 0
    for position, char in enumerate(masked):
        if char == "{":
            match = _WHERE.match(masked, _keyword_start(masked, position))
            if depth == 0 and match and match.end() == position + 1:
                return position + 1
            depth += 1
        elif char == "}":
            depth -= 1
    raise QueryDefinitionError("the query has no outermost `WHERE {` to bind parameters in")


def _keyword_start(masked: str, brace: int) -> int:
    """Where the word before the brace at `brace` starts (skipping blanks)."""
    end = brace
    while end > 0 and masked[end - 1].isspace():
        end -= 1
    start = end
    while start > 0 and masked[start - 1].isalpha():
        start -= 1
    return start


def with_values(text: str, bindings: Bindings) -> str:
    """The query with a one-row VALUES block of the given terms opening its WHERE group."""
    if not bindings:
        return text
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(str(term) for term in bindings.values())
    at = where_brace(text)
    return f"{text[:at]}\n  VALUES ({names}) {{ ({terms}) }}\n{text[at:]}"


@dataclass
class Table:
    """Rows of a SELECT: each row maps a column to an RDF term, or None where unbound."""

    columns: list[str]
    rows: list[dict[str, Term | None]] = field(default_factory=list)


class Backend(Protocol):
    def select(self, query: str, bindings: Bindings) -> Table: ...
    def ask(self, query: str, bindings: Bindings) -> bool: ...
    def construct(self, query: str, bindings: Bindings) -> list[ox.Triple]: ...


class EmbeddedBackend:
    """An in-process pyoxigraph store (the built `dist/store`, opened read-only, or any Store)."""

    def __init__(self, store: ox.Store):
        self.store = store

    def select(self, query: str, bindings: Bindings) -> Table:
        substitutions = {ox.Variable(name): term for name, term in bindings.items()}
        solutions = self._run(query, substitutions=substitutions)
        columns = [v.value for v in solutions.variables]
        return Table(columns, [{c: row[c] for c in columns} for row in solutions])

    def ask(self, query: str, bindings: Bindings) -> bool:
        return bool(self._run(with_values(query, bindings)))

    def construct(self, query: str, bindings: Bindings) -> list[ox.Triple]:
        return list(self._run(with_values(query, bindings)))

    def _run(self, query: str, **options):
        try:
            return self.store.query(query, **options)
        except SyntaxError as error:
            raise QueryDefinitionError(f"SPARQL syntax error: {error}") from None
        except (OSError, RuntimeError) as error:
            raise BackendError(f"the embedded store failed: {error}") from None


class RemoteBackend:
    """A SPARQL 1.1 endpoint reached through SPARQLWrapper (POST, URL-encoded)."""

    def __init__(self, endpoint_url: str, timeout_s: float = 60.0):
        self.endpoint_url, self.timeout_s = endpoint_url, timeout_s

    def select(self, query: str, bindings: Bindings) -> Table:
        document = self._request(with_values(query, bindings), JSON).convert()
        columns = document["head"].get("vars", [])
        rows = [{c: _term(b[c]) if c in b else None for c in columns}
                for b in document["results"]["bindings"]]
        return Table(columns, rows)

    def ask(self, query: str, bindings: Bindings) -> bool:
        return bool(self._request(with_values(query, bindings), JSON).convert()["boolean"])

    def construct(self, query: str, bindings: Bindings) -> list[ox.Triple]:
        response = self._request(with_values(query, bindings), TURTLE)
        body = response.response.read()
        media = (response.info().get("content-type") or "text/turtle").split(";")[0].strip()
        rdf_format = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.TURTLE
        return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, format=rdf_format)]

    def _request(self, query: str, return_format: str):
        client = SPARQLWrapper(self.endpoint_url)
        client.setMethod(POST)
        client.setRequestMethod(URLENCODED)
        client.setReturnFormat(return_format)
        client.setTimeout(int(self.timeout_s))
        client.setQuery(query)
        try:
            return client.query()
        except (SPARQLWrapperException, OSError, ValueError) as error:
            raise BackendError(f"{self.endpoint_url}: {error}") from None


def _term(binding: dict) -> Term:
    """An RDF term from one value of the SPARQL 1.1 JSON results format."""
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(value)
    if "xml:lang" in binding:
        return ox.Literal(value, language=binding["xml:lang"])
    if "datatype" in binding:
        return ox.Literal(value, datatype=ox.NamedNode(binding["datatype"]))
    return ox.Literal(value)
