"""rdflib-endpoint over a release's N-Triples dump, for the endpoint benchmark (not part of the
project): `python benchmarks/rdflib_server.py DUMP.nt.gz PORT` serves SPARQL at
http://127.0.0.1:PORT/ (GET ?query=, POST form or application/sparql-query)."""

from __future__ import annotations

import gzip
import sys

import rdflib
import uvicorn
from rdflib_endpoint import SparqlEndpoint


def main(dump: str, port: int) -> None:
    graph = rdflib.Graph()
    graph.parse(data=gzip.decompress(open(dump, "rb").read()).decode("utf-8"), format="nt")
    app = SparqlEndpoint(graph=graph, path="/", cors_enabled=False)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
