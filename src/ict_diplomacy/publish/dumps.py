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
    ntriples = directory / NTRIPLES_GZ
    with gzip.GzipFile(ntriples, "wb", mtime=0) as out:
        ox.serialize(ordered, out, format=ox.RdfFormat.N_TRIPLES)
    jsonld = directory / JSONLD
    ox.serialize(ordered, str(jsonld), format=ox.RdfFormat.JSON_LD)
    return [turtle, ntriples, jsonld]


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
