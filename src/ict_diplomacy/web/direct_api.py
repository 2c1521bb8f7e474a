"""What a query worker answers of the stored-query API on a connection of its own (direct.py): a
GET of /api/queries/{name}, run by the very route the server process runs (api.routes) over a
site whose engine is the worker's own store, so the answer (200, or 304 to a matching ETag) has the
bytes the server process would send. The route's awaits never wait on anything here (the engine
answers in place), so its coroutine runs to its end in one step.

Anything else is None and goes back to the server process: an error of any kind (it words them),
a federated query (the SERVICE lane is the server's), remote mode (the worker has no data)."""

from __future__ import annotations

from starlette.requests import Request

from ..publish.release import Release
from ..settings import Settings
from ..sparql import queries
from ..sparql.answer import rebuild_error
from ..sparql.engine import RESULTS_JSON, Bindings, Dataset, QueryResult
from ..sparql.text import guard, with_values
from . import api
from .site import site_of

PREFIX = "/api/queries/"


class _StoreEngine:
    """The engine interface over the worker's store: `answered(store, text, accept)` is the
    worker's own `answer`, through its share of the answer cache (direct.Respond)."""

    connections = None

    def __init__(self, settings: Settings, answered):
        self.settings, self.answered, self.store = settings, answered, None

    async def query(self, sparql: str, *, accept: str = RESULTS_JSON, bindings: Bindings | None = None,
                    timeout: float | None = None, client: str = "", dataset: Dataset | None = None) -> QueryResult:
        text = with_values(sparql, bindings)
        guard(text, self.settings)
        reply = self.answered(self.store, text, accept)
        if reply[0] != "ok":
            raise rebuild_error(*reply[1:])
        return QueryResult(**reply[1])

    async def close(self) -> None:
        return None


class StoredQueries:
    """The API route of the server process, over the worker's store."""

    def __init__(self, settings: Settings, release: Release, catalogue: queries.Catalogue, answered):
        self.engine, self.catalogue = _StoreEngine(settings, answered), catalogue
        site = site_of(settings, self.engine, release)
        self.run = next(r.endpoint for r in api.routes(site, self.catalogue) if getattr(r, "name", "") == "api-query")

    def respond(self, store, scope: dict):
        """(Starlette's response, the rows it counted) to a GET of the API, or None."""
        name = scope["path"].removeprefix(PREFIX)
        if "/" in name or name not in self.catalogue or self.catalogue[name].federated:
            return None
        self.engine.store, scope["path_params"] = store, {"name": name}
        request = Request(scope)
        running = self.run(request)
        try:
            running.send(None)
        except StopIteration as done:
            return done.value, getattr(request.state, "rows", None)
        except Exception:  # noqa: BLE001 - every error is the server process's to word
            return None
        running.close()  # it waited on something after all: the server process runs it
        return None
