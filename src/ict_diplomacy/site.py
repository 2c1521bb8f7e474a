"""What every part of the server shares: the settings table, the query engine interface, the site.

`Settings` is the one table of limits and options: each field carries its default and its help
text, and that table feeds the command-line options, the service description and the README.
`Engine` hides where SPARQL runs (worker processes over the release store, or a remote endpoint);
`Site` is the explicit state the web app is built from (see serve.create_app)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox

from .errors import NotAcceptable, TooManyRequests, Unavailable

log = logging.getLogger("ict_diplomacy.site")

WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"


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
    max_request_bytes: int = setting(65536, "largest request body or query string accepted, in bytes; larger gets 413")
    service_allow: list = setting([], "endpoints a query may call with SERVICE (repeat the option for several, e.g. https://query.wikidata.org/sparql); none by default, so SERVICE is refused with 403")
    cors: bool = setting(True, "send Access-Control-Allow-Origin: * on reads so browser pages elsewhere can query")
    sparql_endpoint: str = setting("", "remote mode: run every query on this SPARQL 1.1 endpoint instead of the embedded store; /sparql forwards there with the same limits")
    answer_cache_mb: int = setting(64, "megabytes of complete answers kept in the server process, least recently used dropped first, keyed by query text, parameters, format and release ETag: a repeated query of the (immutable) release is answered without a worker; errors and SERVICE queries are never kept; embedded store only, not remote mode (0: no cache)")
    store_mode: str = setting("memory", "how each worker holds the data: 'memory' (loads the release's N-Triples dump; faster) or 'disk' (opens the release store read-only)")

    def __post_init__(self) -> None:
        if self.store_mode not in ("memory", "disk"):
            raise ValueError(f"store_mode must be 'memory' or 'disk', not {self.store_mode!r}")
        for name in ("query_timeout", "max_rows", "workers", "max_concurrent", "max_request_bytes"):
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


# ---------------------------------------------------------------- results and formats


@dataclass(frozen=True)
class QueryResult:
    body: bytes            # the complete serialized answer (never partial)
    media_type: str
    rows: int | None       # solutions / triples returned
    truncated: bool        # the row cap cut the result
    kind: str = ""         # select | ask | construct (DESCRIBE answers as construct)


@dataclass(frozen=True)
class Format:
    """One serialization an answer can take: its media type, short name, and which kinds use it."""

    media_type: str
    name: str
    kinds: tuple[str, ...]
    aliases: tuple[str, ...] = ()


RESULT_KINDS = ("select", "ask")
GRAPH_KINDS = ("construct",)
FORMATS: tuple[Format, ...] = (
    Format("application/sparql-results+json", "json", RESULT_KINDS, ("application/json",)),
    Format("application/sparql-results+xml", "xml", RESULT_KINDS, ("application/xml", "text/xml")),
    Format("text/csv", "csv", RESULT_KINDS),
    Format("text/tab-separated-values", "tsv", RESULT_KINDS),
    Format("text/turtle", "ttl", GRAPH_KINDS, ("application/x-turtle",)),
    Format("application/n-triples", "nt", GRAPH_KINDS, ("text/plain",)),
    Format("application/ld+json", "jsonld", GRAPH_KINDS, ("application/json",)),
    Format("application/rdf+xml", "rdfxml", GRAPH_KINDS, ("application/xml", "text/xml")),
)
FORMAT_NAMES = {f.name: f for f in FORMATS} | {"turtle": FORMATS[4], "ntriples": FORMATS[5],
                                                "json-ld": FORMATS[6], "rdf": FORMATS[7]}


def media_types(kind: str) -> list[str]:
    return [f.media_type for f in FORMATS if kind in f.kinds]


def parse_accept(accept: str | None) -> list[tuple[str, float]]:
    """Media ranges of an Accept header with their q, best first (stable for equal q)."""
    ranges = []
    for position, part in enumerate((accept or "*/*").split(",")):
        pieces = [p.strip() for p in part.split(";")]
        if not pieces[0]:
            continue
        q = 1.0
        for parameter in pieces[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((pieces[0].lower(), q, position))
    ranges.sort(key=lambda r: (-r[1], r[2]))
    return [(media, q) for media, q, _ in ranges if q > 0]


def choose_format(accept: str | None, kind: str) -> Format:
    """The format for a result of `kind` that the Accept header likes best; the first
    listed format of that kind for */*; NotAcceptable naming the choices otherwise."""
    candidates = [f for f in FORMATS if kind in f.kinds]
    for media, _ in parse_accept(accept):
        for f in candidates:
            if media in ("*/*", f.media_type, *f.aliases) or (media.endswith("/*") and f.media_type.startswith(media[:-1])):
                return f
    raise NotAcceptable(f"no format of a {kind.upper()} result matches Accept: {shorten(accept)}",
                        available=[f.media_type for f in candidates])


def shorten(text: str | None, limit: int = 200) -> str:
    """A header echoed in a message, cut to `limit` characters (a 64 kB Accept is not sent back)."""
    text = text or ""
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"


# ---------------------------------------------------------------- limits shared by the engines


class Gate:
    """At most `max_concurrent` queries at once, at most `queue` waiting; past that 429."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._running = asyncio.Semaphore(max(1, settings.max_concurrent))
        self._waiting = 0

    def deadline(self, requested: float | None) -> float:
        """The time limit of one query: the setting, or less if the request asks for less."""
        limit = self.settings.query_timeout
        return min(requested, limit) if requested and requested > 0 else limit

    @contextlib.asynccontextmanager
    async def slot(self, wait_limit: float):
        if self._running.locked():
            if self._waiting >= self.settings.queue:
                raise TooManyRequests(
                    f"too many queries: {self.settings.max_concurrent} running and {self._waiting} waiting; "
                    f"retry in {self.settings.retry_after} s", retry_after=self.settings.retry_after)
            self._waiting += 1
            try:
                await asyncio.wait_for(self._running.acquire(), wait_limit)
            except TimeoutError:
                raise Unavailable(f"no query slot became free within {wait_limit:g} s; try again shortly",
                                  headers={"Retry-After": str(self.settings.retry_after)}) from None
            finally:
                self._waiting -= 1
        else:
            await self._running.acquire()
        try:
            yield
        finally:
            self._running.release()


# ---------------------------------------------------------------- engine and site


class Engine(Protocol):
    """Runs SPARQL with the limits of the settings; never blocks the event loop."""

    async def query(self, sparql: str, *, accept: str = "application/sparql-results+json",
                    substitutions: dict[str, Any] | None = None,
                    timeout: float | None = None) -> QueryResult:
        """The whole answer serialized in the best format `accept` allows for the query's kind
        (`accept` is an Accept header or one media type). Raises the HttpErrors of errors.py:
        BadRequest (syntax, with line/column in detail), Refused (SERVICE), ReadOnly (updates),
        NotAcceptable, QueryTimeout, TooManyRequests, Unavailable."""
        ...

    async def triples(self, construct_or_describe: str, *, timeout: float | None = None) -> list[ox.Triple]:
        """The triples of a CONSTRUCT or DESCRIBE, at most max_rows of them."""
        ...

    async def close(self) -> None: ...


@dataclass
class Site:
    settings: Settings
    engine: Engine
    release: Path | None          # the local release dir (dumps, manifest, catalog files); None if unavailable
    manifest: dict
    etag: str                     # strong ETag of the release, e.g. '"<release id>"'


def read_release(release: Path | None) -> tuple[Path | None, dict, str]:
    """The resolved release directory, its manifest and its ETag (empty manifest if none)."""
    if release is None or not (release / "manifest.json").exists():
        return None, {}, '"no-release"'
    resolved = release.resolve()
    manifest = json.loads((resolved / "manifest.json").read_text(encoding="utf-8"))
    return resolved, manifest, f'"{manifest.get("release", resolved.name)}"'


async def open_site(settings: Settings, release: Path | None) -> Site:
    """Start the engine the settings ask for (remote endpoint, or workers over the release)."""
    resolved, manifest, etag = read_release(release)
    if settings.sparql_endpoint:
        from .remote import RemoteEngine
        engine: Engine = RemoteEngine(settings)
    else:
        if resolved is None:
            raise FileNotFoundError(f"no release at {release}; run `ict-diplomacy build` first")
        from .workers import WorkerEngine
        engine = await WorkerEngine.start(settings, resolved)
        if settings.answer_cache_mb:  # not in remote mode: the remote data may change under the same ETag
            from .cache import CachingEngine
            engine = CachingEngine(engine, settings.answer_cache_mb << 20, etag)
    return Site(settings=settings, engine=engine, release=resolved, manifest=manifest, etag=etag)
