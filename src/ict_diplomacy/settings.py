"""The one table of limits and options of the server and the engines.

Each field of `Settings` carries its default and its help text; that table makes the command-line
options of `ict-diplomacy serve`, the limits in the service description and the README's table
(a test keeps the two the same). Read once, when the server or the CLI starts, and passed down."""

from __future__ import annotations

import argparse
import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any


UPSTREAM_ENGINES = ("auto", "virtuoso", "oxigraph", "fuseki", "graphdb", "qlever", "other")


def setting(default: Any, help: str, *, cli: str | None = None) -> Any:
    """A field of Settings: its default and its help (and a short option alias), in one place."""
    factory = (lambda: list(default)) if isinstance(default, (list, tuple)) else None
    meta = {"help": help, "cli": cli}
    if factory:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Settings:
    """Every limit and option of the server. Change one with `ict-diplomacy serve --NAME VALUE`
    (underscores become dashes), e.g. `--query-timeout 5`."""

    query_timeout: float = setting(10.0, cli="--timeout", help="seconds a query may run; past it the worker running it is killed and replaced, and the request gets 503 query-timeout (a request may ask for less with ?timeout=, never more)")
    max_rows: int = setting(10000, "most solutions (SELECT) or triples (CONSTRUCT/DESCRIBE) returned; a longer result is cut and flagged: header X-SPARQL-Truncated: true, and \"truncated\": true in SPARQL JSON")
    workers: int = setting(2, "worker processes running queries on the embedded store (one per core)")
    worker_memory: int = setting(2048, "megabytes of memory each query worker may allocate; a query that needs more ends its worker, which is replaced, and gets 503 (0: no limit)")
    max_concurrent: int = setting(2, "queries running at once; more wait in the queue")
    queue: int = setting(16, "requests that may wait for a free worker; past it the server answers 429 with Retry-After")
    retry_after: int = setting(2, "seconds told to clients in Retry-After when the queue is full")
    max_answer_bytes: int = setting(33554432, "largest answer in bytes, as serialized (in remote mode: as read from the endpoint); a larger one is stopped while it is produced or read and gets 503 result-too-large (ask for fewer rows or columns)")
    answer_buffer_mb: int = setting(256, "megabytes of answers the server may hold at once for clients still reading them; past it a new answer waits, then gets 503, so slow readers cannot grow the server's memory")
    max_request_bytes: int = setting(65536, "largest request body or query string accepted, in bytes; larger gets 413")
    service_allow: list = setting([], "endpoints a query may call with SERVICE (repeat the option for several, e.g. https://query.wikidata.org/sparql); none by default, so SERVICE is refused with 403")
    cors: bool = setting(True, "send Access-Control-Allow-Origin: * on reads so browser pages elsewhere can query")
    public_url: str = setting("", "the public base URL of this server, as clients reach it (e.g. https://data.example.org/ict-diplomacy); names the endpoint in the service description instead of the request's Host header; none: the dataset's own base https://w3id.org/ict-diplomacy/")
    sparql_endpoint: str = setting("", "remote mode: run every query on this SPARQL 1.1 endpoint instead of the embedded store; /sparql forwards there with the same limits")
    default_graph_uri: str = setting("", "remote mode: sent with every query as the SPARQL Protocol's default-graph-uri, so the graph holding this data is the default graph; needed on Virtuoso (whose default graph is the union of all its graphs, its own system graphs included) and wherever the data was loaded into a named graph; none: the endpoint's own default graph")
    upstream_engine: str = setting("auto", "remote mode: the engine behind --sparql-endpoint: virtuoso, oxigraph, fuseki, graphdb, qlever or other; it decides how the deadline and the row cap reach the endpoint and which answer formats are asked for; auto knows Virtuoso, Oxigraph and Fuseki by their response headers and GraphDB (RDF4J) by a /repositories/ path, and treats anything else as other (SPARQL JSON and N-Triples, the connection closed at the deadline)")
    answer_cache_mb: int = setting(64, "megabytes of complete answers kept in the server process, least recently used dropped first, keyed by query text, parameters, format and release ETag: a repeated query of the (immutable) release is answered without a worker; errors and SERVICE queries are never kept; embedded store only, not remote mode (0: no cache)")
    worker_connections: bool = setting(True, "after answering a query to /sparql or a stored query of the API on a keep-alive connection, hand the connection to a query worker, which answers the next plain queries, stored queries and stored pages on it itself (no second process in their way) and gives back every other request; deadlines and the kill still apply, and such queries run at most one per worker (not counted in max_concurrent); in remote mode the workers of the check forward them themselves")
    store_mode: str = setting("memory", "how each worker holds the data: 'memory' (loads the release's N-Triples dump; faster) or 'disk' (opens the release store read-only)")

    def __post_init__(self) -> None:
        if self.store_mode not in ("memory", "disk"):
            raise ValueError(f"store_mode must be 'memory' or 'disk', not {self.store_mode!r}")
        if self.upstream_engine not in UPSTREAM_ENGINES:
            raise ValueError(f"upstream_engine must be one of {', '.join(UPSTREAM_ENGINES)}, not {self.upstream_engine!r}")
        for name in ("query_timeout", "max_rows", "workers", "max_concurrent", "max_request_bytes",
                     "max_answer_bytes", "answer_buffer_mb"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, not {getattr(self, name)!r}")
        if self.answer_cache_mb < 0:
            raise ValueError(f"answer_cache_mb must be 0 (no cache) or more, not {self.answer_cache_mb!r}")
        if self.worker_memory < 0:
            raise ValueError(f"worker_memory must be 0 (no limit) or more, not {self.worker_memory!r}")

    @classmethod
    def table(cls) -> list[dict]:
        """Name, default and help of every setting, for docs, the CLI and the service description."""
        return [{"name": f.name, "default": _default_of(f), "help": f.metadata["help"],
                 "type": _type_name(f)} for f in dataclasses.fields(cls)]

    @classmethod
    def markdown(cls) -> str:
        """The table as Markdown, as the README shows it (a test keeps the two the same)."""
        lines = ["| option | default | what it limits |", "|---|---|---|"]
        for f in dataclasses.fields(cls):
            option = "--" + f.name.replace("_", "-")
            names = f"`{option}` / `--no-{option[2:]}`" if _type_name(f) == "boolean" else f"`{option}`"
            if f.metadata["cli"]:
                names += f" or `{f.metadata['cli']}`"
            default = _default_of(f)
            shown = "none" if default in ([], "") else json.dumps(default).strip('"')
            lines.append(f"| {names} | {shown} | {f.metadata['help'].replace('|', '/')} |")
        return "\n".join(lines) + "\n"

    def replace(self, **changes: Any) -> "Settings":
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def add_setting_options(parser) -> None:
    """One command-line option per setting (`--max-rows`, …), its help and default from the table."""
    for f in dataclasses.fields(Settings):
        names = [f"--{f.name.replace('_', '-')}"] + ([f.metadata["cli"]] if f.metadata["cli"] else [])
        default, kind = _default_of(f), _type_name(f)
        help_text = f"{f.metadata['help']} (default: {default!r})"
        if kind == "boolean":
            parser.add_argument(*names, dest=f.name, action=argparse.BooleanOptionalAction, default=None, help=help_text)
        elif kind == "list":
            parser.add_argument(*names, dest=f.name, action="append", default=None, metavar="URL", help=help_text)
        else:
            parser.add_argument(*names, dest=f.name, default=None, help=help_text,
                                type={"number": float, "integer": int, "string": str}[kind])


def settings_from_options(options) -> Settings:
    """Settings with every option the command line gave (others keep their defaults)."""
    given = {f.name: getattr(options, f.name) for f in dataclasses.fields(Settings)
             if getattr(options, f.name, None) is not None}
    return Settings(**given)


def _default_of(f: dataclasses.Field) -> Any:
    return f.default_factory() if f.default is dataclasses.MISSING else f.default


def _type_name(f: dataclasses.Field) -> str:
    return {"float": "number", "int": "integer", "bool": "boolean", "list": "list", "str": "string"}[
        f.type if isinstance(f.type, str) else f.type.__name__]
