"""The stored queries (queries/*.rq) with their default parameters on each scale's built store."""

from __future__ import annotations

import statistics
import time

from framework import ROOT, Context, Table, section

REPEATS = 5


@section("queries", order=30)
def stored_queries(ctx: Context) -> list[Table]:
    try:
        import pyoxigraph as ox
        from ict_diplomacy import queries
        from ict_diplomacy.backends import EmbeddedBackend
        from ict_diplomacy.project import Project
        catalogue = queries.load(Project(ROOT))
    except Exception as error:  # the module or the queries are not there (yet)
        return [Table("Stored queries", ["skipped"], [[f"{type(error).__name__}: {error}"]])]
    labels = [l for l in ctx.scales if l in ctx.releases]
    table = Table(f"Stored queries: median ms of {REPEATS} runs with default parameters (rows at the largest scale)",
                  ["query", *[f"{l} ms" for l in labels], "rows", f"{labels[0]}→{labels[-1]} time ratio" if labels else ""],
                  notes=["embedded backend (pyoxigraph, on-disk store opened read-only); triples: "
                         + ", ".join(f"{l} = {ctx.triples[l]}" for l in labels)])
    stores = {l: EmbeddedBackend(ox.Store.read_only(str(ctx.releases[l] / "store"))) for l in labels}
    for name, query in catalogue.items():
        if query.federated:
            continue
        times, rows = [], None
        for label in labels:
            try:
                samples, rows = _time(query, stores[label], queries)
                times.append(statistics.median(samples) * 1000)
            except Exception as error:
                times.append(None)
                table.notes.append(f"{name} at {label}: {type(error).__name__}: {error}"[:160])
        ratio = times[-1] / times[0] if times and times[0] and times[-1] else None
        table.rows.append([name, *times, rows, ratio])
    return [table]


def _time(query, backend, queries) -> tuple[list[float], int]:
    samples, rows = [], 0
    for _ in range(REPEATS):
        started = time.perf_counter()
        result = queries.run(query, {}, backend)
        samples.append(time.perf_counter() - started)
        rows = len(result.rows) or len(result.triples) or int(bool(result.boolean))
    return samples, rows
