"""Write the published triples as dumps that are byte-identical for identical input."""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
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
    # str(t) is "s p o" in N-Triples syntax; no term contains a character below the space that
    # separates them, so this orders exactly like (str(s), str(p), str(o)), in a third of the time
    return sorted(plain, key=str)


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


def write_all(directory: Path, triples: list[ox.Triple]) -> list[Path]:
    ordered = canonical(triples)
    turtle = directory / TURTLE
    ox.serialize(ordered, str(turtle), format=ox.RdfFormat.TURTLE, prefixes=DUMP_PREFIXES)
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
