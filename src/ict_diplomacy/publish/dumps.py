"""Write the published triples as dumps that are byte-identical for identical input."""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.compare import to_canonical_graph

from ..formats import of_file
from ..project import ID_BASE, PREFIXES
from .sources import graph_of

KINDS = ("adoption", "amount", "appointment", "country", "dataset", "dialogue", "document", "event", "group",
         "note", "organization", "period", "person", "place", "post", "project", "region",
         "series", "source", "standard", "statistic", "topic")
DUMP_PREFIXES = {**PREFIXES, **{kind: f"{ID_BASE}{kind}/" for kind in KINDS}}

TURTLE = "ict-diplomacy.ttl"
NTRIPLES_GZ = "ict-diplomacy.nt.gz"
JSONLD = "ict-diplomacy.jsonld"


def canonical(triples: list[ox.Triple]) -> list[ox.Triple]:
    """Sorted triples with blank nodes relabelled from their content (RDF canonicalization),
    so the same graph always serializes to the same bytes."""
    triples = [t.triple if isinstance(t, ox.Quad) else t for t in triples]  # a parsed source yields quads
    plain = [t for t in triples if not _has_blank(t)]
    blank = [t for t in triples if _has_blank(t)]
    if blank:
        relabelled = to_canonical_graph(graph_of(blank))
        plain += [ox.Triple(_to_ox(s), _to_ox(p), _to_ox(o)) for s, p, o in relabelled]
    plain = canonical_literals(plain)
    # str(t) is "s p o" in N-Triples syntax; no term contains a character below the space that
    # separates them, so this orders exactly like (str(s), str(p), str(o)), in a third of the time
    return sorted(plain, key=str)


def canonical_literals(triples: list[ox.Triple]) -> list[ox.Triple]:
    """The triples with each typed literal in the lexical form Oxigraph and Virtuoso store it in
    (`193.0`^^xsd:decimal is `193`, `+05`^^xsd:integer is `5`), so every loader, keeping the
    form as written (rdflib, Jena) or storing the value (Oxigraph, Virtuoso), has the same graph.
    The forms are Oxigraph's own, read back from an in-memory store."""
    typed = list({t.object for t in triples if isinstance(t.object, ox.Literal) and t.object.datatype.value not in _TEXT})
    store, noted = ox.Store(), ox.NamedNode("urn:x-ictd:literal")
    store.extend([ox.Quad(ox.NamedNode(f"urn:x-ictd:literal:{i}"), noted, literal) for i, literal in enumerate(typed)])
    stored = {typed[int(q.subject.value.rsplit(":", 1)[1])]: q.object for q in store}
    changed = {literal: form for literal, form in stored.items() if form.value != literal.value}
    if not changed:
        return triples
    return [ox.Triple(t.subject, t.predicate, changed.get(t.object, t.object)) if t.object in changed else t
            for t in triples]


_TEXT = ("http://www.w3.org/2001/XMLSchema#string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")


def _has_blank(t: ox.Triple) -> bool:
    return isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)


def _to_ox(term):
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or rdflib.XSD.string)))


# pyoxigraph writes a prefixed name whose local part needs an escape with a backslash
# (`dialogue:jp-eu-ict-policy-dialogue\/25`), valid Turtle that some loaders keep as a literal
# backslash (Virtuoso 7 made 424 wrong IRIs of them); the dump writes such names as full IRIs.
# Its tokens are separated by spaces, and strings are the only other place a backslash can be.
_STRING = re.compile(rb'("[^"\\]*(?:\\.[^"\\]*)*")')
_ESCAPED_NAME = re.compile(rb"(?<!\S)([A-Za-z][\w.-]*):(\S*\\\S*)")
_ESCAPE = re.compile(rb"\\(.)")


def turtle_without_escapes(turtle: bytes, prefixes: dict[str, str]) -> bytes:
    """Turtle in which every prefixed name with a local-name escape is a full IRI."""
    namespaces = {prefix.encode(): namespace.encode() for prefix, namespace in prefixes.items()}

    def full(match: re.Match) -> bytes:
        namespace = namespaces.get(match[1])
        return match[0] if namespace is None else b"<" + namespace + _ESCAPE.sub(rb"\1", match[2]) + b">"

    def line_without_escapes(line: bytes) -> bytes:
        parts = _STRING.split(line)  # strings at the odd places
        return b"".join(part if i % 2 else _ESCAPED_NAME.sub(full, part) for i, part in enumerate(parts))

    kept, done = [], 0
    backslash = turtle.find(b"\\")
    while backslash >= 0:  # only the lines holding a backslash (few) are read with regular expressions
        start = turtle.rfind(b"\n", 0, backslash) + 1
        end = turtle.find(b"\n", backslash)
        end = len(turtle) if end < 0 else end
        kept += [turtle[done:start], line_without_escapes(turtle[start:end])]
        done, backslash = end, turtle.find(b"\\", end)
    return b"".join(kept + [turtle[done:]])


def write_all(directory: Path, triples: list[ox.Triple]) -> list[Path]:
    ordered = canonical(triples)
    turtle = directory / TURTLE
    text = ox.serialize(ordered, format=ox.RdfFormat.TURTLE, prefixes=DUMP_PREFIXES)
    turtle.write_bytes(turtle_without_escapes(text, DUMP_PREFIXES))
    ntriples = write_ntriples(directory / NTRIPLES_GZ, ordered)
    jsonld = directory / JSONLD
    ox.serialize(ordered, str(jsonld), format=ox.RdfFormat.JSON_LD)
    return [turtle, ntriples, jsonld]


def write_ntriples(path: Path, triples: list[ox.Triple]) -> Path:
    """Sorted N-Triples, plain (diffs) or gzipped with a fixed header (dumps), same bytes each time."""
    body = ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.N_TRIPLES)
    if path.name.endswith(".gz"):
        with gzip.GzipFile(path, "wb", mtime=0) as out:
            out.write(body)
    else:
        path.write_bytes(body)
    return path


def read_ntriples(path: Path) -> list[ox.Triple]:
    """The triples of an N-Triples file, gzipped or not (ValueError naming the file if it is damaged)."""
    try:
        data = path.read_bytes()
        if path.name.endswith(".gz"):
            data = gzip.decompress(data)
        return [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
    except (OSError, EOFError, SyntaxError, ValueError) as error:
        raise ValueError(f"{path} cannot be read as N-Triples: {error}") from None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def describe_file(path: Path) -> dict:
    """Name, size, SHA-256 and media type of a published file, as the manifest lists it."""
    fmt = of_file(path.name)
    return {"name": path.name, "bytes": path.stat().st_size, "sha256": sha256_of(path),
            "media_type": fmt.media_type if fmt else (mimetypes.guess_type(path.name)[0] or "application/octet-stream")}
