"""The SPARQL 1.1 Service Description a bare `GET /sparql` answers: the endpoint, its result
formats, every limit of the settings (value and help text), and the default dataset described
with the release's VoID statistics."""

from __future__ import annotations

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response

from .. import formats
from ..project import BASE
from ..settings import Settings
from .site import Site
from .sparql_page import sparql_page
from .http import query_params

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
VOID = "http://rdfs.org/ns/void#"
VOID_DATASET = ox.NamedNode(VOID + "Dataset")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
LIMITS = "https://w3id.org/ict-diplomacy/service#"
SPARQL_FORMATS = formats.offers(formats.SELECT) + formats.offers(formats.GRAPH)
DESCRIPTION_FORMATS = formats.offers(formats.GRAPH)


def service_description(site: Site, request: Request) -> Response:
    """The SPARQL 1.1 Service Description of this endpoint, in the RDF format Accept (or
    ?format=) prefers; a browser, naming text/html above every RDF format, gets the page."""
    asked = query_params(request).get("format")
    fmt = formats.named(asked, DESCRIPTION_FORMATS) if asked else formats.negotiate(
        request.headers.get("accept", "*/*"), [*DESCRIPTION_FORMATS, formats.HTML])
    if fmt is formats.HTML:
        return sparql_page(site, request)
    fmt = fmt or formats.TURTLE  # SPARQL clients that ask for results get Turtle
    endpoint = ox.NamedNode((site.settings.public_url or BASE).rstrip("/") + "/sparql")  # never the Host header
    triples = description_triples(site, endpoint)
    prefixes = {"sd": SD, "void": VOID, "formats": FORMATS_NS, "limit": LIMITS,
                "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}
    triples.sort(key=lambda t: (isinstance(t.subject, ox.BlankNode), str(t.subject)))
    body = ox.serialize(triples, format=fmt.rdf, prefixes=None if fmt is formats.NTRIPLES else prefixes)
    request.state.rows = len(triples)
    return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})


def description_triples(site: Site, endpoint: ox.NamedNode) -> list[ox.Triple]:
    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(SD + name)
    triples = [ox.Triple(endpoint, RDF_TYPE, sd("Service")),
               ox.Triple(endpoint, sd("endpoint"), endpoint),
               ox.Triple(endpoint, sd("supportedLanguage"), sd("SPARQL11Query"))]
    triples += [ox.Triple(endpoint, sd("resultFormat"), ox.NamedNode(FORMATS_NS + f.void_feature))
                for f in SPARQL_FORMATS]
    if site.settings.service_allow:
        triples.append(ox.Triple(endpoint, sd("feature"), sd("BasicFederatedQuery")))
    triples += _limit_triples(site.settings, endpoint)
    triples += _dataset_triples(site, endpoint, sd)
    return triples


def _limit_triples(settings: Settings, endpoint: ox.NamedNode) -> list[ox.Triple]:
    triples = []
    values = settings.as_dict()
    for row in Settings.table():
        prop = ox.NamedNode(LIMITS + row["name"])
        triples.append(ox.Triple(prop, RDFS_COMMENT, ox.Literal(row["help"], language="en")))
        value = values[row["name"]]
        for item in (value if isinstance(value, list) else [value]):
            if item == "":  # a setting left empty (no remote endpoint, no default graph, no public URL)
                continue
            triples.append(ox.Triple(endpoint, prop, _literal(item)))
    return triples


def _literal(value) -> ox.Literal:
    if isinstance(value, bool):
        return ox.Literal(str(value).lower(), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
    if isinstance(value, (int, float)):
        kind = "integer" if isinstance(value, int) else "decimal"
        return ox.Literal(str(value), datatype=ox.NamedNode(f"http://www.w3.org/2001/XMLSchema#{kind}"))
    return ox.Literal(str(value))


def _dataset_triples(site: Site, endpoint: ox.NamedNode, sd) -> list[ox.Triple]:
    """The default dataset, described with the release's VoID statistics when it has void.ttl."""
    void_triples = _void(site)
    ours = sorted((t.subject for t in void_triples if t.predicate == RDF_TYPE and t.object == VOID_DATASET
                   and t.subject.value.startswith(BASE)), key=lambda s: len(s.value))
    dataset = ours[0] if ours else ox.BlankNode("dataset")
    graph = ox.BlankNode("defaultGraph")
    triples = [ox.Triple(endpoint, sd("defaultDataset"), dataset),
               ox.Triple(dataset, RDF_TYPE, sd("Dataset")),
               ox.Triple(dataset, sd("defaultGraph"), graph),
               ox.Triple(graph, RDF_TYPE, sd("Graph"))]
    if "triples" in site.manifest:
        triples.append(ox.Triple(graph, ox.NamedNode(VOID + "triples"), _literal(int(site.manifest["triples"]))))
    return triples + void_triples


def _void(site: Site) -> list[ox.Triple]:
    path = site.release / "void.ttl" if site.release else None
    if path is None or not path.exists():
        return []
    return [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]
