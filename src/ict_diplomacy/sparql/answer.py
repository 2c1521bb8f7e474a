"""Inside a query worker process: the release opened as a store, and one request answered:
the query run, its answer capped at `max_rows` and `max_answer_bytes` and serialized in the
requested format, or the error described for the server process to rebuild (`rebuild_error`).

The row cap without iterating rows in Python: the worker serializes SELECT results to TSV (one
line per solution, in Rust) through a writer that stops the query once it has `max_rows + 1`
lines, which also stops the evaluation of a runaway result early; the kept lines are parsed back
and serialized in the requested format, again in Rust."""

from __future__ import annotations

import gzip
import itertools
import re
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .. import errors
from ..errors import HttpError
from ..formats import NTRIPLES, TURTLE, Format, choose
from ..publish.dumps import DUMP_PREFIXES, NTRIPLES_GZ
from ..publish.release import STORE_DIR
from ..publish.store import open_read_only
from .engine import ABSENT_GRAPH, QUERY_BASE, Dataset
from .text import may_call_out

TSV, JSON = ox.QueryResultsFormat.TSV, ox.QueryResultsFormat.JSON
JSON_SEPARATOR = b'},{"'   # between two solutions of pyoxigraph's compact SPARQL JSON
CHECKED_SOLUTIONS = 2     # what the check pulls from a query on no data (one more than a row cap of 1)
_POSITION = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.S)


def open_store(release: Path | None, mode: str) -> ox.Store:
    """The release's data: loaded into memory from the N-Triples dump, or the store read-only;
    an empty store without a release (the preflight check of remote mode)."""
    if release is None:
        return ox.Store()
    dump = release / NTRIPLES_GZ
    if mode == "memory" and dump.exists():
        store = ox.Store()
        store.bulk_load(gzip.decompress(dump.read_bytes()), format=ox.RdfFormat.N_TRIPLES)
        return store
    return open_read_only(release / STORE_DIR)


def answer(store: ox.Store, request: dict) -> tuple:
    """("ok", payload) or ("error", class name, message, detail, headers) for one request."""
    try:
        result = store.query(request["query"], base_iri=QUERY_BASE, **dataset_options(request.get("dataset")))
        if request["op"] == "check":  # preflight.py's: planned and run (on no data), nothing written
            if not isinstance(result, ox.QueryBoolean):
                for _ in zip(range(CHECKED_SOLUTIONS), result):
                    pass
            return ("ok", {})
        if request["op"] == "triples":
            payload = _graph_ntriples(result, request["max_rows"])
        else:
            payload = _serialize(result, request["accept"], request["max_rows"], request["max_bytes"],
                                 None if may_call_out(request["query"]) else lambda: _rerun(store, request))
        size = len(payload.get("body") or payload.get("ntriples") or b"")
        if size > request["max_bytes"]:
            raise errors.ResultTooLarge(f"the answer is {size} bytes; the limit is {request['max_bytes']} "
                                        "(max_answer_bytes): ask for fewer rows or columns")
        return ("ok", payload)
    except SyntaxError as error:
        return ("error", "MalformedQuery", *_syntax_message(str(error)), {})
    except HttpError as error:
        return ("error", type(error).__name__, error.message, error.detail, error.headers)
    except MemoryError as error:  # e.g. a value longer than pyoxigraph's 16 MB result buffer
        return ("error", "ResultTooLarge", f"the answer is too large to send: {error}", {}, {})
    except (RuntimeError, ValueError, TypeError) as error:  # evaluation refused the query or its bindings
        return ("error", "BadRequest", f"the query could not be evaluated: {error}", {}, {})
    except Exception as error:  # noqa: BLE001 - a worker answers every request and lives on
        return ("error", "HttpError", f"the query failed: {type(error).__name__}: {error}", {}, {})


def _rerun(store: ox.Store, request: dict) -> Any:
    """The query evaluated again (not for SERVICE queries: a second evaluation would call out again)."""
    return store.query(request["query"], base_iri=QUERY_BASE, **dataset_options(request.get("dataset")))


def dataset_options(dataset: Dataset | None) -> dict:
    """Store.query options for a named dataset: the data (the store's default graph) or nothing
    as the default graph, and no named graphs (any graph other than the data is empty)."""
    if dataset is None:
        return {}
    default = ox.DefaultGraph() if dataset.data_is_default else ox.NamedNode(ABSENT_GRAPH)
    return {"default_graph": [default], "named_graphs": []}


def _syntax_message(text: str) -> tuple[str, dict]:
    match = _POSITION.match(text)
    if not match:
        return f"SPARQL syntax error: {text}", {}
    line, column, problem = int(match[1]), int(match[2]), match[3]
    return (f"SPARQL syntax error at line {line}, column {column}: {problem}",
            {"line": line, "column": column, "problem": problem})


def _serialize(result: Any, accept: str, max_rows: int, max_bytes: int, rerun=None) -> dict:
    if isinstance(result, ox.QueryBoolean):
        fmt = choose(accept, "ask")
        return _payload(result.serialize(format=fmt.results), fmt, 1, False, "ask")
    if isinstance(result, ox.QuerySolutions):
        fmt = choose(accept, "select")
        if fmt.results == JSON and rerun is not None and max_rows > 0:
            if (direct := _select_json(result, fmt, max_rows, max_bytes)) is not None:
                return direct
            result = rerun()  # at the row cap or the byte limit: the general path decides
        return _select(result, fmt, max_rows, max_bytes)
    return _construct(result, choose(accept, "construct"), max_rows)


class _RowCap(Exception):
    """Raised by the writer to stop a serialization once it has enough rows."""


class _CappedLines:
    """A binary writer keeping whole lines until it has `limit` of them, then stopping the writer."""

    def __init__(self, limit: int, max_bytes: int):
        self.limit, self.max_bytes, self.chunks, self.lines, self.size = limit, max_bytes, [], 0, 0

    def write(self, data) -> int:
        data = bytes(data)
        self.chunks.append(data)
        self.lines += data.count(b"\n")
        self.size += len(data)
        if self.size > self.max_bytes:
            raise errors.ResultTooLarge(f"the answer is larger than {self.max_bytes} bytes (max_answer_bytes): "
                                        "ask for fewer rows or columns")
        if self.lines >= self.limit:
            raise _RowCap()
        return len(data)

    def flush(self) -> None:
        pass

    def text(self) -> bytes:
        data = b"".join(self.chunks)
        if self.lines < self.limit:
            return data
        end = -1
        for _ in range(self.limit):
            end = data.index(b"\n", end + 1)
        return data[:end + 1]


def _select(solutions: ox.QuerySolutions, fmt: Format, max_rows: int, max_bytes: int) -> dict:
    header = 1  # TSV always starts with the line of variables (empty when there are none)
    writer = _CappedLines(header + max_rows + 1, max_bytes)
    try:
        solutions.serialize(writer, format=TSV)
    except (_RowCap, OSError) as error:
        if not writer.lines >= writer.limit:
            raise RuntimeError(str(error)) from None
    truncated = writer.lines >= writer.limit
    writer.limit = header + max_rows if truncated else writer.limit
    tsv = writer.text()
    rows = tsv.count(b"\n") - header
    target = fmt.results
    body = tsv if target == TSV else ox.parse_query_results(tsv, TSV).serialize(format=target)
    if truncated and target == JSON:
        body = b'{"truncated":true,' + body[1:]
    return _payload(body, fmt, rows, truncated, "select")


class _CountingJson:
    """A binary writer for SPARQL JSON counting the separators between solutions (`},{"`, one
    straddling two writes included), stopping at `limit` of them or past `max_bytes`."""

    def __init__(self, limit: int, max_bytes: int):
        self.limit, self.max_bytes, self.chunks, self.seen, self.size, self.tail = limit, max_bytes, [], 0, 0, b""

    def write(self, data) -> int:
        data = bytes(data)
        self.chunks.append(data)
        window = self.tail + data
        self.seen += window.count(JSON_SEPARATOR)
        self.tail = window[-(len(JSON_SEPARATOR) - 1):]
        self.size += len(data)
        if self.seen >= self.limit or self.size > self.max_bytes:
            raise _RowCap()
        return len(data)

    def flush(self) -> None:
        pass


def _select_json(solutions: ox.QuerySolutions, fmt: Format, max_rows: int, max_bytes: int) -> dict | None:
    """SPARQL JSON written in one pass when the answer is complete under the row cap and the byte
    limit; None otherwise (the caller runs the general path). An empty solution (`{}`) would hide
    a separator, so any `{}` in the text, even inside a string, also means None."""
    writer = _CountingJson(max_rows, max_bytes)
    try:
        solutions.serialize(writer, format=JSON)
    except (_RowCap, OSError):
        return None
    body = b"".join(writer.chunks)
    if b"{}" in body:
        return None
    rows = 0 if body.endswith(b'"bindings":[]}}') else writer.seen + 1
    return _payload(body, fmt, rows, False, "select")


def _construct(triples: ox.QueryTriples, fmt: Format, max_rows: int) -> dict:
    kept = list(itertools.islice(triples, max_rows + 1))
    truncated = len(kept) > max_rows
    kept = kept[:max_rows]
    return _payload(graph_body(kept, fmt, truncated, max_rows), fmt, len(kept), truncated, "construct")


def graph_body(triples: list[ox.Triple], fmt: Format, truncated: bool, max_rows: int) -> bytes:
    """Triples in `fmt`; Turtle and N-Triples say in a comment when the row cap cut them."""
    prefixes = None if fmt is NTRIPLES else DUMP_PREFIXES
    body = ox.serialize(triples, format=fmt.rdf, prefixes=prefixes)
    if truncated and fmt in (TURTLE, NTRIPLES):
        body = f"# truncated: only the first {max_rows} triples (max_rows)\n".encode() + body
    return body


def _graph_ntriples(result: Any, max_rows: int) -> dict:
    if not isinstance(result, ox.QueryTriples):
        raise errors.BadRequest("expected a CONSTRUCT or DESCRIBE query")
    kept = list(itertools.islice(result, max_rows + 1))
    return {"ntriples": ox.serialize(kept[:max_rows], format=ox.RdfFormat.N_TRIPLES),
            "truncated": len(kept) > max_rows}


def _payload(body: bytes, fmt: Format, rows: int, truncated: bool, kind: str) -> dict:
    return {"body": body, "media_type": fmt.media_type, "rows": rows, "truncated": truncated, "kind": kind}


def rebuild_error(name: str, message: str, detail: dict, headers: dict | None = None) -> HttpError:
    """The HttpError a worker described, rebuilt in the server process."""
    cls = getattr(errors, name, HttpError)
    if not (isinstance(cls, type) and issubclass(cls, HttpError)):
        cls = HttpError
    error = cls.__new__(cls)
    HttpError.__init__(error, message, detail=detail, headers=headers)
    return error
