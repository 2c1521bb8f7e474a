"""One exception hierarchy for the library; the CLI maps it to exit codes, the server to HTTP."""

from __future__ import annotations

from pathlib import Path


class IctdError(Exception):
    """Base of every error this library raises on purpose."""


class SourceSyntaxError(IctdError):
    """A source file does not parse."""

    def __init__(self, path: Path, line: int | None, column: int | None, message: str):
        self.path, self.line, self.column = path, line, column
        where = f"{path}:{line}:{column}" if line else str(path)
        super().__init__(f"{where}: syntax error: {message}")


class ValidationFailed(IctdError):
    """The sources do not conform; carries the report."""

    def __init__(self, report):
        self.report = report
        super().__init__(f"validation failed: {report.summary()}")


class BuildError(IctdError):
    """The build could not complete; nothing was published."""


class QueryDefinitionError(IctdError):
    """A stored query (or its header) is malformed: syntax, metadata or parameters."""


class QueryNotFound(IctdError):
    """No stored query has that name."""


class ParameterError(IctdError):
    """A parameter value is refused: unknown name, wrong type, outside its class or enum."""

    def __init__(self, name: str, message: str):
        self.name = name
        super().__init__(f"parameter {name!r}: {message}")


class BackendError(IctdError):
    """The SPARQL backend (embedded store or remote endpoint) failed to answer."""


class StoreUnavailable(BackendError, FileNotFoundError):
    """The published store is missing or damaged. Also a FileNotFoundError, so whatever treats a
    missing release as "build first" does the same for a damaged one instead of failing again."""


class DamagedRelease(IctdError, FileNotFoundError):
    """A release whose manifest does not read, or whose files do not match it (size, SHA-256).
    Also a FileNotFoundError, like StoreUnavailable: what rebuilds a missing release rebuilds it."""


class OutputFormatError(IctdError):
    """The requested output format does not fit the query's result."""


# ---------------------------------------------------------------- errors with an HTTP meaning
# The server maps every HttpError to one JSON shape in one place; library errors above map to
# 400 (bad input) or 500 there too.


class HttpError(IctdError):
    status = 500
    code = "internal-error"

    def __init__(self, message: str, *, headers: dict[str, str] | None = None, detail: dict | None = None):
        self.message, self.headers, self.detail = message, headers or {}, detail or {}
        super().__init__(message)


class BadRequest(HttpError):
    status, code = 400, "bad-request"


class Refused(HttpError):
    """A well-formed request for something this endpoint does not do (updates, SERVICE)."""
    status, code = 403, "refused"


class NotFound(HttpError):
    status, code = 404, "not-found"


class MethodNotAllowed(HttpError):
    status, code = 405, "method-not-allowed"


class NotAcceptable(HttpError):
    """No representation matches the Accept header; `available` lists the media types there are."""
    status, code = 406, "not-acceptable"

    def __init__(self, message: str, available: list[str]):
        super().__init__(message, detail={"available": available})


class Gone(HttpError):
    """An identifier retired from the data with nothing to replace it (its record says why)."""
    status, code = 410, "gone"


class RequestTimeout(HttpError):
    """The request (its head or body) did not arrive in time."""
    status, code = 408, "request-timeout"


class PayloadTooLarge(HttpError):
    status, code = 413, "payload-too-large"


class TooManyRequests(HttpError):
    status, code = 429, "too-many-requests"

    def __init__(self, message: str, retry_after: int):
        super().__init__(message, headers={"Retry-After": str(retry_after)})


class QueryTimeout(HttpError):
    status, code = 503, "query-timeout"


class Unavailable(HttpError):
    status, code = 503, "unavailable"


class WorkerEnded(Unavailable):
    """The worker running the query died (out of memory, or a crash in the engine); it is replaced."""


class ResultTooLarge(HttpError):
    """The answer holds a value too large to serialize (pyoxigraph buffers at most 16 MB)."""
    status, code = 503, "result-too-large"


class ReadOnly(MethodNotAllowed):
    """An update (SPARQL Update, `update=`, INSERT/DELETE/LOAD …) sent to a read-only endpoint."""
    code = "read-only"


class MalformedQuery(BadRequest):
    """The SPARQL text does not parse; `detail` has the line and column."""
    code = "malformed-query"


class UnsupportedMediaType(HttpError):
    status, code = 415, "unsupported-media-type"


class BadGateway(HttpError):
    """The remote SPARQL endpoint failed or sent an answer that does not parse."""
    status, code = 502, "bad-gateway"


class UpstreamUnsupported(BadGateway):
    """The remote SPARQL endpoint is known to answer this kind of query wrongly: refused rather
    than answered wrongly."""
    code = "upstream-unsupported"


class ReviewTableError(IctdError):
    """data/review.tsv is malformed: its header, a subsection notation or a count."""
