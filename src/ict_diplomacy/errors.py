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


class OutputFormatError(IctdError):
    """The requested output format does not fit the query's result."""
