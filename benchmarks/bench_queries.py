"""The stored queries (queries/*.rq) with their default parameters on each scale's built store,
through the engine the server uses (one worker process over the on-disk store)."""

from __future__ import annotations

import asyncio
import statistics
import time

from framework import ROOT, Context, Table, section

REPEATS = 5


@section("queries", order=30)
def stored_queries(ctx: Context) -> list[Table]:
    try:
        from ict_diplomacy.project import Project
        from ict_diplomacy.sparql import queries
        catalogue = queries.load(Project(ROOT))
    except Exception as error:  # the module or the queries are not there (yet)
        return [Table("Stored queries", ["skipped"], [[f"{type(error).__name__}: {error}"]])]
    labels = [l for l in ctx.scales if l in ctx.releases]
    table = Table(f"Stored queries: median ms of {REPEATS} runs with default parameters (rows at the largest scale)",
                  ["query", *[f"{l} ms" for l in labels], "rows", f"{labels[0]}→{labels[-1]} time ratio" if labels else ""],
                  notes=["the embedded engine (one worker process, on-disk store opened read-only); triples: "
                         + ", ".join(f"{l} = {ctx.triples[l]}" for l in labels)])
    measured = {label: asyncio.run(_scale(ctx.releases[label], catalogue, table)) for label in labels}
    for name, query in catalogue.items():
        if query.federated:
            continue
        times = [measured[label].get(name, (None, None))[0] for label in labels]
        rows = measured[labels[-1]].get(name, (None, None))[1] if labels else None
        ratio = times[-1] / times[0] if times and times[0] and times[-1] else None
        table.rows.append([name, *times, rows, ratio])
    return [table]


async def _scale(release, catalogue, table: Table) -> dict[str, tuple[float, int]]:
    """Median milliseconds and rows of every non-federated query on one release."""
    from ict_diplomacy.publish.release import Release
    from ict_diplomacy.settings import Settings
    from ict_diplomacy.sparql import queries
    from ict_diplomacy.sparql.connect import opened
    found = {}
    settings = Settings(workers=1, answer_cache_mb=0, store_mode="disk", query_timeout=600, max_rows=10_000_000)
    async with opened(settings, Release.open(release)) as engine:
        for name, query in catalogue.items():
            if query.federated:
                continue
            try:
                samples, rows = [], 0
                for _ in range(REPEATS):
                    started = time.perf_counter()
                    result = await queries.run(query, {}, engine)
                    samples.append(time.perf_counter() - started)
                    rows = len(result.rows) or len(result.triples) or int(bool(result.boolean))
                found[name] = (statistics.median(samples) * 1000, rows)
            except Exception as error:
                table.notes.append(f"{name} at {release.name}: {type(error).__name__}: {error}"[:160])
    return found
