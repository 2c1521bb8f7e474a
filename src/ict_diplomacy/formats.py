"""Every serialization the project reads or writes, in one table, and the one content negotiator.

A `Format` is a media type with the names people and programs use for it: the `?format=` value,
the file extension, the other media types that ask for it (`application/json` for SPARQL JSON or
JSON-LD), and, for the dumps, how the EU and VoID name it. Which formats an answer may take is its
*offers*, a list in order of preference; `negotiate` picks one for an Accept header and `named`
for a `?format=` value or an extension. The SPARQL endpoint, dereferencing, the API, downloads and
the catalog of dumps all take their formats from here."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pyoxigraph as ox

from .errors import NotAcceptable

SELECT, ASK, GRAPH, PAGE, DOCUMENT = "select", "ask", "construct", "page", "document"
RESULT_KINDS = (SELECT, ASK)


@dataclass(frozen=True)
class Format:
    name: str                          # `?format=` value (and the API's format name)
    label: str                         # for people
    media_type: str
    kinds: tuple[str, ...]             # what it can carry: select/ask results, a graph, a page, a document
    extension: str                     # file extension of a representation (`/id/country/BR.ttl`)
    aliases: tuple[str, ...] = ()      # other media types that ask for it
    names: tuple[str, ...] = ()        # other `?format=` spellings
    eu_file_type: str = ""             # EU file-type authority code, for dumps in the catalog
    spec: str = ""                     # the specification, for dumps in the catalog
    void_feature: str = ""             # http://www.w3.org/ns/formats/ name, for VoID and the service description

    @property
    def content_type(self) -> str:
        """The Content-Type header: text-like formats say they are UTF-8."""
        textual = self.media_type.startswith("text/") or self.media_type.endswith(("json", "xml", "triples"))
        return f"{self.media_type}; charset=utf-8" if textual else self.media_type

    @property
    def rdf(self) -> ox.RdfFormat | None:
        return ox.RdfFormat.from_media_type(self.media_type) if GRAPH in self.kinds else None

    @property
    def results(self) -> ox.QueryResultsFormat | None:
        return ox.QueryResultsFormat.from_media_type(self.media_type) if SELECT in self.kinds else None

    def answers_to(self, name: str) -> bool:
        return name in (self.name, self.extension, self.media_type, *self.names)


RESULTS = (SELECT, ASK)
JSON_RESULTS = Format("json", "SPARQL JSON", "application/sparql-results+json", RESULTS, "srj", ("application/json",),
                      void_feature="SPARQL_Results_JSON")
XML_RESULTS = Format("xml", "SPARQL XML", "application/sparql-results+xml", RESULTS, "srx", ("application/xml", "text/xml"),
                     void_feature="SPARQL_Results_XML")
CSV = Format("csv", "CSV", "text/csv", RESULTS, "csv", void_feature="SPARQL_Results_CSV")
TSV = Format("tsv", "TSV", "text/tab-separated-values", RESULTS, "tsv", void_feature="SPARQL_Results_TSV")
TURTLE = Format("ttl", "Turtle", "text/turtle", (GRAPH,), "ttl", ("application/x-turtle",), ("turtle",),
                "RDF_TURTLE", "https://www.w3.org/TR/turtle/", "Turtle")
NTRIPLES = Format("nt", "N-Triples", "application/n-triples", (GRAPH,), "nt", ("text/plain",), ("ntriples", "n-triples"),
                  "RDF_N_TRIPLES", "https://www.w3.org/TR/n-triples/", "N-Triples")
JSONLD = Format("jsonld", "JSON-LD", "application/ld+json", (GRAPH,), "jsonld", ("application/json",), ("json-ld", "json"),
                "JSON_LD", "https://www.w3.org/TR/json-ld11/", "JSON-LD")
RDFXML = Format("rdfxml", "RDF/XML", "application/rdf+xml", (GRAPH,), "rdf", ("application/xml", "text/xml"), ("rdf", "xml"),
                "RDF_XML", "https://www.w3.org/TR/rdf-syntax-grammar/", "RDF_XML")
HTML = Format("html", "HTML", "text/html", (PAGE,), "html", ("application/xhtml+xml",), ("htm",))
JSON = Format("json", "JSON", "application/json", (DOCUMENT,), "json")

FORMATS: tuple[Format, ...] = (JSON_RESULTS, XML_RESULTS, CSV, TSV, TURTLE, NTRIPLES, JSONLD, RDFXML, HTML, JSON)


def offers(kind: str) -> list[Format]:
    """The formats an answer of `kind` can take, in order of preference (the first for `*/*`)."""
    return [f for f in FORMATS if kind in f.kinds]


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """(range, q) pairs of an Accept (or Accept-Language) header, best first, stable for equal q;
    parameters other than q are ignored, and q is clamped to [0, 1]."""
    ranges = []
    for position, part in enumerate((header or "").split(",")):
        value, *params = [p.strip() for p in part.split(";")]
        if not value:
            continue
        q = 1.0
        for param in params:
            name, _, number = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(number)))
                except ValueError:
                    q = 0.0
        ranges.append((value.lower(), q, position))
    ranges.sort(key=lambda r: (-r[1], r[2]))
    return [(value, q) for value, q, _ in ranges]


def _quality(ranges: list[tuple[str, float]], media_type: str, wildcards: bool = True) -> tuple[float, int]:
    """The q of the most specific range that matches a media type, and that specificity (-1: none);
    without `wildcards`, only the exact range counts (an alias such as application/x-turtle is
    asked for by name, never by `application/*`)."""
    kind = media_type.split("/")[0]
    best = (0.0, -1)
    for media, q in ranges:
        specificity = 2 if media == media_type else -1
        if wildcards and specificity < 0:
            specificity = 1 if media == f"{kind}/*" else 0 if media == "*/*" else -1
        if specificity > best[1]:
            best = (q, specificity)
    return best


def negotiate(accept: str | None, choices: list[Format]) -> Format | None:
    """The choice the client prefers (RFC 9110: the most specific matching range gives each media
    type its q); ties go to the earlier choice; no Accept means the first; None if nothing fits."""
    return _negotiated(accept, tuple(choices))


@functools.lru_cache(maxsize=1024)   # clients send the same few Accept headers again and again
def _negotiated(accept: str | None, choices: tuple[Format, ...]) -> Format | None:
    ranges = parse_accept(accept)
    if not ranges:
        return choices[0] if choices else None
    best, best_q = None, 0.0
    for choice in choices:
        found = [_quality(ranges, choice.media_type)] + [_quality(ranges, alias, False) for alias in choice.aliases]
        q, _ = max(found, key=lambda f: (f[1], f[0]))
        if q > best_q:
            best, best_q = choice, q
    return best


def choose(accept: str | None, kind: str) -> Format:
    """The format of an answer of `kind` that the Accept header likes best; NotAcceptable, naming
    the media types there are, when none fits."""
    chosen = _chosen(accept, kind)
    if chosen is None:
        raise NotAcceptable(f"no format of a {kind.upper()} result matches Accept: {shorten(accept)}",
                            available=[f.media_type for f in offers(kind)])
    return chosen


@functools.lru_cache(maxsize=1024)   # keyed on two strings: no Format is hashed on the way (see _negotiated)
def _chosen(accept: str | None, kind: str) -> Format | None:
    return negotiate(accept, offers(kind))


def named(name: str, choices: list[Format]) -> Format | None:
    """The choice a `?format=` value, an extension or a media type names (case-insensitive)."""
    asked = name.strip().lower()
    return next((f for f in choices if f.answers_to(asked)), None)


def by_media_type(media_type: str) -> Format | None:
    return next((f for f in FORMATS if f.media_type == media_type), None)


def of_file(name: str) -> Format | None:
    """The format of a file from its extension; a gzipped file has the format of what it holds."""
    extension = name.removesuffix(".gz").rpartition(".")[2]
    return next((f for f in FORMATS if f.extension == extension), None)


def shorten(text: str | None, limit: int = 200) -> str:
    """A header echoed in a message, cut to `limit` characters (a 64 kB Accept is not sent back)."""
    text = text or ""
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"
