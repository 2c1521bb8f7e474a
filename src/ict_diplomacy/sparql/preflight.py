"""Remote mode's check before forwarding: a query that would overflow a recursive parser's stack
upstream (Oxigraph's server dies on 2,500 nested groups; a chain of `!` or `+` is just as deep)
is tried first in a sacrificial worker with a small stack, no data and no network. If that worker
dies, the query is refused here and never reaches the upstream engine. The worker's connections
are supervised and all refused (egress.py): a query that tries one names a SERVICE the text guard
did not see, and is refused too, since the upstream would make that call from its own network.
A SERVICE whose IRI is computed from the data cannot be seen on no data: the upstream engine must
be run without a network of its own (README, Security).

On a kept connection these workers check the query the same way and then forward it themselves
(forwarding.py); a client whose query kills one there gets the same refusal, and so does one whose
check takes longer than CHECK_TIMEOUT_S (the server process's watch over the worker's slot, connections.py).

The worker's stack (1 MB) is smaller than the upstream's: measured here, it overflows at 500
nested groups where `oxigraph serve` still answers 2,000, so the check errs on the safe side."""

from __future__ import annotations

from ..errors import BadRequest, HttpError, MalformedQuery, QueryTimeout, Refused, WorkerEnded
from ..settings import Settings
from .sandbox import Confinement
from .workers import WorkerEngine

CHECK_STACK = 1 << 20
CHECK_TIMEOUT_S = 2.0
TOO_DEEP = ("the query is nested or chained too deeply for the SPARQL engine behind this server (it would "
            "crash a recursive parser); simplify it")


class Preflight:
    def __init__(self, workers: WorkerEngine):
        self.workers = workers

    @classmethod
    async def start(cls, settings: Settings, respond=None) -> "Preflight":
        """With `respond` (web/direct.py), the workers also forward the queries of connections of
        their own, checked the same way (forwarding.py); their deadline is then the setting's."""
        chosen = settings.replace(sparql_endpoint="", max_rows=1, answer_cache_mb=0)
        confinement = Confinement(memory_mb=settings.worker_memory, stack=CHECK_STACK, reach=())
        workers = await WorkerEngine.start(chosen, None, confinement=confinement, respond=respond)
        if workers.connections is not None:
            workers.connections.ended = lambda worker: BadRequest(TOO_DEEP)
            workers.connections.check_limit = (CHECK_TIMEOUT_S, unchecked)
        return cls(workers)

    async def check(self, sparql: str) -> None:
        """Raise BadRequest when the query kills a worker with a small stack, QueryTimeout when it
        cannot even be planned and run on no data within CHECK_TIMEOUT_S (a sign of the same
        pathology: the planner's work grows with the depth); any other outcome passes."""
        try:
            await self.workers.check(sparql, CHECK_TIMEOUT_S)
        except WorkerEnded:
            raise BadRequest(TOO_DEEP) from None
        except QueryTimeout:
            raise unchecked() from None
        except (MalformedQuery, Refused):
            raise  # with its line and column, or the address it tried, before anything is forwarded
        except HttpError:
            pass

    async def close(self) -> None:
        await self.workers.close()


def unchecked() -> QueryTimeout:
    return QueryTimeout(f"the query could not be checked within {CHECK_TIMEOUT_S:g} s on no data, so it is not "
                        "sent to the SPARQL engine behind this server; simplify it", detail={"timeout_s": CHECK_TIMEOUT_S})
