"""The headline (issue 13): our server against Oxigraph's own on a stream of distinct queries.

The five queries of the issue (bench_remote.DISTINCT), each request text made unique by a trailing
comment with a counter (bench_remote.DISTINCT_SCRIPT), so no answer cache anywhere can help; wrk
with 8 connections; side by side in one run, query by query:

- `oxigraph serve-read-only` on the release store;
- our `serve` with default settings (its answer cache on: every request misses it);
- our `serve --sparql-endpoint` (remote mode) in front of that same Oxigraph server;
- dereferencing: Turtle and HTML of distinct resources (`/id/…`, DEREF_RESOURCES of them in turn,
  served with `--answer-cache-mb 0` so the cycle never hits the cache) against Oxigraph's
  DESCRIBE of the same resources;
- the stored queries with an IRI parameter, its value varying per request (bench_parameters.py):
  our stored-query API on the server without answer cache against Oxigraph on the bound texts;
- and, reported apart, the same five queries repeated (the cache's hit path).

Run alone: `python benchmarks/bench_distinct.py [--work DIR] [--release DIR] [--rounds N]`."""

from __future__ import annotations

import argparse
import contextlib
import math
import statistics
import sys
from pathlib import Path
from urllib.parse import quote

import httpx

import bench_parameters
import loadgen
from bench_remote import DISTINCT, SECONDS, load_distinct
from framework import ROOT, Context, Table, section

CLIENTS = 8
DEREF_RESOURCES = 400
OXIGRAPH = Path(sys.executable).parent / "oxigraph"
TARGETS = {"queries": 0.8, "p99": 1.5, "deref": 0.5, "remote": 0.6}


@section("distinct", order=58)
def distinct(ctx: Context) -> list[Table]:
    if not loadgen.wrk_available():
        return [Table("Distinct queries", ["skipped"], [["wrk is not installed (apt-get install -y wrk)"]])]
    from bench_endpoint import real_release
    return tables(measure(real_release(ctx), ctx.work))


@contextlib.contextmanager
def servers(release: Path, work: Path):
    logs = work / "distinct-logs"
    logs.mkdir(parents=True, exist_ok=True)
    ours = [sys.executable, "-m", "ict_diplomacy", "serve", "--host", "127.0.0.1", "--port", "{port}",
            "--release", str(release)]
    oxigraph = [str(OXIGRAPH), "serve-read-only", "--location", str(release / "store"), "--bind", "127.0.0.1:{port}"]
    with contextlib.ExitStack() as stack:
        run = lambda name, cmd, ready: stack.enter_context(loadgen.running(name, cmd, ready, logs / f"{name}.log"))  # noqa: E731
        ox = run("oxigraph", oxigraph, "/")
        yield {"oxigraph": ox, "ours": run("ours", ours, "/sparql"),
               "remote": run("remote", [*ours, "--sparql-endpoint", ox.base + "/query"], "/sparql"),
               "uncached": run("uncached", [*ours, "--answer-cache-mb", "0"], "/sparql")}


def _path(target: str, query: str) -> str:
    return ("/query" if target == "oxigraph" else "/sparql") + "?query=" + quote(query)


def _load(server, requests, distinct: bool):
    if distinct:
        return load_distinct(server, *requests[0])
    return loadgen.load(server, requests, CLIENTS, SECONDS)


def measure(release: Path, work: Path) -> dict:
    from bench_endpoint import deref_sample
    from ict_diplomacy.project import BASE
    runs: dict = {}
    paths = deref_sample(release, DEREF_RESOURCES)
    streams = bench_parameters.streams(release)
    ticks = loadgen.cpu_ticks()
    with servers(release, work) as targets:
        cells = []
        for name, (query, accept) in DISTINCT.items():
            cells += [((name, t), t, [(_path(t, query), accept)], True) for t in ("oxigraph", "ours", "remote")]
        cells += [(("deref Turtle", "ours"), "uncached", [(p, "text/turtle") for p in paths], False),
                  (("deref HTML", "ours"), "uncached", [(p, "text/html") for p in paths], False),
                  (("deref Turtle", "oxigraph"), "oxigraph",
                   [(_path("oxigraph", f"DESCRIBE <{BASE}{p[1:]}>"), "text/turtle") for p in paths], False)]
        for name, (_, ours, theirs) in streams.items():
            cells += [((name, "api"), "uncached", ours, False), ((name, "api oxigraph"), "oxigraph", theirs, False)]
        for name, (query, accept) in DISTINCT.items():
            cells += [((name, f"{t} cached"), t, [(_path(t, query), accept)], False) for t in ("oxigraph", "ours")]
        for key, target, requests, unique in cells:
            server = targets[target]
            first = httpx.get(server.base + requests[0][0], headers={"Accept": requests[0][1]}, timeout=60)
            runs[key] = _load(server, requests, unique) if first.status_code == 200 else f"HTTP {first.status_code}"
            server.settle()
    runs.update({("values", name): len(ours) for name, (_, ours, _) in streams.items()})
    runs["machine", "stolen"] = loadgen.steal_since(ticks)
    return runs


def geomean(values: list) -> float | None:
    values = [v for v in values if v]
    return math.exp(statistics.fmean(math.log(v) for v in values)) if values else None


def _ok(run) -> bool:
    return isinstance(run, loadgen.Run) and run.requests > 0


def _ratio(runs: dict, a: tuple, b: tuple, attribute: str = "rps") -> float | None:
    x, y = runs.get(a), runs.get(b)
    return getattr(x, attribute) / getattr(y, attribute) if _ok(x) and _ok(y) and getattr(y, attribute) else None


def tables(runs: dict) -> list[Table]:
    headline = Table(f"Distinct queries, {CLIENTS} clients: ours against Oxigraph's server (req/s, p99 ms)",
                     ["query", "oxigraph req/s", "ours req/s", "remote req/s", "oxigraph p99", "ours p99",
                      "remote p99", "ours/oxigraph", "ours/oxigraph p99", "remote/oxigraph",
                      "ours CPU ms/req", "oxigraph CPU ms/req"],
                     notes=["every request text unique (a trailing comment with a counter): no answer cache can help; "
                            f"wrk -t1 -c{CLIENTS}, {SECONDS:g} s per cell, the servers of one query one after the other",
                            "ours: `ict-diplomacy serve` with default settings; remote: `serve --sparql-endpoint` in "
                            "front of the same oxigraph server; CPU per request from /proc (workers included)"])
    for name in DISTINCT:
        cell = {t: runs.get((name, t)) for t in ("oxigraph", "ours", "remote")}
        headline.rows.append([name, *[r.rps if _ok(r) else r for r in cell.values()],
                              *[r.p99_ms if _ok(r) else None for r in cell.values()],
                              _ratio(runs, (name, "ours"), (name, "oxigraph")),
                              _ratio(runs, (name, "ours"), (name, "oxigraph"), "p99_ms"),
                              _ratio(runs, (name, "remote"), (name, "oxigraph")),
                              *[1000 * cell[t].server_cpu_s / cell[t].requests if _ok(cell[t]) else None
                                for t in ("ours", "oxigraph")]])
    deref = Table(f"Dereferencing {DEREF_RESOURCES} distinct resources in turn, {CLIENTS} clients (req/s, p99 ms)",
                  ["what", "ours req/s", "ours p99", "oxigraph DESCRIBE req/s", "oxigraph p99", "ours/oxigraph"],
                  notes=["ours: GET /id/… (Accept text/turtle or text/html) on `serve --answer-cache-mb 0`, so the "
                         "cycle of resources never hits the cache; oxigraph: DESCRIBE of the same resources, as Turtle"])
    for kind in ("deref Turtle", "deref HTML"):
        ours, ox = runs.get((kind, "ours")), runs.get(("deref Turtle", "oxigraph"))
        deref.rows.append([kind, ours.rps if _ok(ours) else ours, ours.p99_ms if _ok(ours) else None,
                           ox.rps if _ok(ox) else ox, ox.p99_ms if _ok(ox) else None,
                           _ratio(runs, (kind, "ours"), ("deref Turtle", "oxigraph"))])
    cached = Table(f"The same five queries repeated (the answer cache's hit path), {CLIENTS} clients",
                   ["query", "oxigraph req/s", "ours req/s", "ours/oxigraph", "ours/oxigraph p99"],
                   notes=["each query's text repeated: ours answers from its answer cache after the first request"])
    for name in DISTINCT:
        o, x = runs.get((name, "ours cached")), runs.get((name, "oxigraph cached"))
        cached.rows.append([name, x.rps if _ok(x) else x, o.rps if _ok(o) else o,
                            _ratio(runs, (name, "ours cached"), (name, "oxigraph cached")),
                            _ratio(runs, (name, "ours cached"), (name, "oxigraph cached"), "p99_ms")])
    varied = Table(f"Stored queries, one parameter varying per request, {CLIENTS} clients (req/s, p99 ms)",
                   ["query", "values", "oxigraph req/s", "ours req/s", "oxigraph p99", "ours p99", "ours/oxigraph"],
                   notes=["ours: /api/queries/{name}?{param}={value} on `serve --answer-cache-mb 0` (the class check "
                          "of the value included); oxigraph: the same query with the same value bound, as text; the "
                          f"values: every instance of the parameter's class (at most {bench_parameters.MAX_VALUES}), in turn"])
    for name in _varied_names(runs):
        o, x = runs.get((name, "api")), runs.get((name, "api oxigraph"))
        varied.rows.append([name, runs[("values", name)], x.rps if _ok(x) else x, o.rps if _ok(o) else o,
                            x.p99_ms if _ok(x) else None, o.p99_ms if _ok(o) else None,
                            _ratio(runs, (name, "api"), (name, "api oxigraph"))])
    return [target_table(runs), headline, deref, varied, cached]


def _varied_names(runs: dict) -> list[str]:
    return [key[1] for key in runs if key[0] == "values"]


def target_table(runs: dict) -> Table:
    names = list(DISTINCT)
    measured = {
        "queries": geomean([_ratio(runs, (n, "ours"), (n, "oxigraph")) for n in names]),
        "p99": geomean([_ratio(runs, (n, "ours"), (n, "oxigraph"), "p99_ms") for n in names]),
        "deref": geomean([_ratio(runs, (k, "ours"), ("deref Turtle", "oxigraph")) for k in ("deref Turtle", "deref HTML")]),
        "remote": geomean([_ratio(runs, (n, "remote"), (n, "oxigraph")) for n in names]),
        "varied": geomean([_ratio(runs, (n, "api"), (n, "api oxigraph")) for n in _varied_names(runs)]),
        "cached": geomean([_ratio(runs, (n, "ours cached"), (n, "oxigraph cached")) for n in names]),
    }
    labels = {"queries": "distinct queries: ours/oxigraph throughput", "p99": "distinct queries: ours/oxigraph p99",
              "deref": "dereferencing (Turtle, HTML): ours/oxigraph DESCRIBE throughput",
              "remote": "remote mode/oxigraph direct throughput",
              "varied": "stored queries, one parameter varying (API): ours/oxigraph",
              "cached": "repeated queries (cache hits): ours/oxigraph"}
    stolen = runs.get(("machine", "stolen"))
    table = Table("Issue 13 targets (geometric means, 8 clients, measured in this run)",
                  ["ratio", "measured", "target", "met"],
                  notes=[] if stolen is None else [f"CPU time the host took from this machine during the run (steal, "
                                                   f"/proc/stat): {stolen:.1%}; runs compare at like figures"])
    for key, label in labels.items():
        value, target = measured[key], TARGETS.get(key)
        met = None if target is None or value is None else (value <= target if key == "p99" else value >= target)
        table.rows.append([label, value, ("≤ " if key == "p99" else "≥ ") + f"{target:g}×" if target else "—",
                           "—" if met is None else ("met" if met else "not met")])
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/ictd-distinct"))
    parser.add_argument("--release", type=Path, default=None, help="a built release (default: the real data, built)")
    parser.add_argument("--rounds", type=int, default=1, help="repeat the whole run and print each")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.release is None:
        from bench_endpoint import real_release
        args.release = real_release(Context(scales={}, work=args.work))
    for _ in range(args.rounds):
        for table in tables(measure(args.release.resolve(), args.work)):
            print(table.markdown(), flush=True)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
