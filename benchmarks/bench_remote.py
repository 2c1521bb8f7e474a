"""Remote mode: its throughput against the Oxigraph server it forwards to, on distinct queries,
and the scale run on Virtuoso.

1. Distinct queries (issue 13's remote target): the five queries of the issue (a triple-pattern
   lookup, DESCRIBE of a country, 200 English labels, a GROUP BY over all types, a join over
   participants), each request text made unique by a trailing comment, so no cache anywhere can
   answer; wrk with 8 connections against `oxigraph serve-read-only` directly, against our
   `serve --sparql-endpoint` in front of that same server, and against our embedded `serve`
   (answer cache off), measured side by side, query by query, in one run.
2. The scale run (issue 12): the 1M-triple synthetic release loaded into a private Virtuoso 7
   (tests/virtuoso.py), our server in remote mode in front (`--default-graph-uri`), and our
   embedded server on the same release: every non-federated stored query through the API and
   the pages people open, first (cold) and warm, timed side by side."""

from __future__ import annotations

import contextlib
import gzip
import json
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

import loadgen
from framework import ROOT, Context, Table, section

sys.path.insert(0, str(ROOT))

CLIENTS = 8
SECONDS = 3.0
ID = "https://w3id.org/ict-diplomacy/id/"
PROLOGUE = ("PREFIX ictd: <https://w3id.org/ict-diplomacy/ontology#>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n")
DISTINCT = {   # name -> (query, Accept)
    "lookup": (f"SELECT ?p ?o WHERE {{ <{ID}country/BR> ?p ?o }}", "application/sparql-results+json"),
    "describe": (f"DESCRIBE <{ID}country/BR>", "text/turtle"),
    "200 labels": (PROLOGUE + 'SELECT ?s ?l WHERE { ?s rdfs:label ?l FILTER(lang(?l) = "en") } LIMIT 200',
                   "application/sparql-results+json"),
    "group by types": ("SELECT ?type (COUNT(*) AS ?n) WHERE { ?s a ?type } GROUP BY ?type",
                       "application/sparql-results+json"),
    "join": (PROLOGUE + "SELECT ?event ?country WHERE { ?event ictd:participant ?country . ?country a ictd:Country }",
             "application/sparql-results+json"),
}
# Each request appends "\n#<n>" (a comment) to the query: no two request texts alike.
DISTINCT_SCRIPT = r"""
local requests, n = {}, 0
function init(args)
  for line in io.lines(args[1]) do
    local path, accept = line:match("^([^\t]*)\t(.*)$")
    requests[#requests + 1] = {path, accept}
  end
end
function request()
  n = n + 1
  local r = requests[n % #requests + 1]
  return wrk.format("GET", r[1] .. "%0A%23" .. n .. "-" .. math.random(1000000), {["Accept"] = r[2]})
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests":%d,"duration_us":%d,"status_errors":%d,"socket_errors":%d,' ..
    '"p50_us":%d,"p99_us":%d}\n', summary.requests, summary.duration, e.status,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99)))
end
"""
SCALE = "1M"
PAGES = ("/", "/search?q=ITU", "/timeline", "/map", "/queries", "/queries/isdb-t-timeline", "/id/country/BR",
         "/id/event/wrc-19", "/ontology", "/charts/isdb-t")


@section("remote", order=65)
def remote(ctx: Context) -> list[Table]:
    if not loadgen.wrk_available():
        return [Table("Remote mode", ["skipped"], [["wrk is not installed (apt-get install -y wrk)"]])]
    from bench_endpoint import real_release
    tables = [distinct_table(measure_distinct(real_release(ctx), ctx.work))]
    if SCALE in ctx.scales and not ctx.quick:
        tables += scale_tables(ctx)
    return tables


# ---------------------------------------------------------------- 1. distinct queries


def load_distinct(server: loadgen.Server, path: str, accept: str) -> loadgen.Run:
    """wrk with 8 connections, every request text unique (DISTINCT_SCRIPT)."""
    original = loadgen.WRK_SCRIPT
    loadgen.WRK_SCRIPT = DISTINCT_SCRIPT
    try:
        return loadgen.load(server, [(path, accept)], CLIENTS, SECONDS)
    finally:
        loadgen.WRK_SCRIPT = original


@contextlib.contextmanager
def distinct_servers(release: Path, work: Path, upstream_cpu: int | None = None, workers: int | None = None):
    """With `upstream_cpu`, Oxigraph runs on that core alone and everything else (our servers, wrk)
    on the others, as if the upstream had a machine of its own."""
    logs = work / "remote-logs"
    logs.mkdir(parents=True, exist_ok=True)
    ours = [sys.executable, "-m", "ict_diplomacy", "serve", "--host", "127.0.0.1", "--port", "{port}",
            "--release", str(release), "--answer-cache-mb", "0", *(["--workers", str(workers)] if workers else [])]
    oxigraph = [str(Path(sys.executable).parent / "oxigraph"), "serve-read-only", "--location", str(release / "store"),
                "--bind", "127.0.0.1:{port}"]
    if upstream_cpu is not None:
        os.sched_setaffinity(0, os.sched_getaffinity(0) - {upstream_cpu})  # inherited by our servers and wrk
        oxigraph = ["taskset", "-c", str(upstream_cpu), *oxigraph]
    with contextlib.ExitStack() as stack:
        run = lambda name, cmd, ready: stack.enter_context(loadgen.running(name, cmd, ready, logs / f"{name}.log"))  # noqa: E731
        ox = run("oxigraph", oxigraph, "/")
        yield {"oxigraph": ox, "remote": run("remote", [*ours, "--sparql-endpoint", ox.base + "/query"], "/sparql"),
               "embedded": run("embedded", ours, "/sparql")}


def measure_distinct(release: Path, work: Path, **placing) -> dict:
    runs = {}
    with distinct_servers(release, work, **placing) as servers:
        for name, (query, accept) in DISTINCT.items():
            for target, server in servers.items():
                path = ("/query" if target == "oxigraph" else "/sparql") + "?query=" + quote(query)
                answer = httpx.get(server.base + path, headers={"Accept": accept}, timeout=60)
                runs[name, target] = (load_distinct(server, path, accept) if answer.status_code == 200
                                      else f"HTTP {answer.status_code}")
                server.settle()
    return runs


def _geomean(values: list[float]) -> float | None:
    values = [v for v in values if v]
    return math.exp(statistics.fmean(math.log(v) for v in values)) if values else None


def distinct_table(runs: dict) -> Table:
    table = Table(f"Remote mode on distinct queries, {CLIENTS} clients (req/s, p99 ms)",
                  ["query", "oxigraph req/s", "remote req/s", "embedded req/s", "oxigraph p99", "remote p99",
                   "remote/oxigraph", "remote CPU ms/req", "oxigraph CPU ms/req"],
                  notes=["every request text unique (a trailing comment), so no answer cache can help; wrk -t1 "
                         f"-c{CLIENTS}, {SECONDS:g} s per cell, the three servers of one query one after the other",
                         "oxigraph: `oxigraph serve-read-only` on the release store; remote: our `serve "
                         "--sparql-endpoint` in front of that same server (default settings); embedded: our `serve` "
                         "with --answer-cache-mb 0; CPU per request from /proc (remote: our process only)",
                         "target (issue 13): remote ≥ 0.6× oxigraph, geometric mean over the five queries"])
    ratios = []
    for name in DISTINCT:
        cells = {t: runs.get((name, t)) for t in ("oxigraph", "remote", "embedded")}
        ok = {t: r for t, r in cells.items() if isinstance(r, loadgen.Run) and r.requests}
        ratio = ok["remote"].rps / ok["oxigraph"].rps if {"remote", "oxigraph"} <= set(ok) else None
        ratios.append(ratio)
        table.rows.append([name, *[ok[t].rps if t in ok else cells[t] for t in ("oxigraph", "remote", "embedded")],
                           *[ok[t].p99_ms if t in ok else None for t in ("oxigraph", "remote")], ratio,
                           *[1000 * ok[t].server_cpu_s / ok[t].requests if t in ok else None
                             for t in ("remote", "oxigraph")]])
    mean = _geomean(ratios)
    table.rows.append(["geometric mean", None, None, None, None, None, mean, None, None])
    table.notes.append(f"met: {'yes' if mean and mean >= 0.6 else 'no'} ({mean or 0:.2f}×)")
    return table


# ---------------------------------------------------------------- 2. the scale run on Virtuoso


def scale_release(ctx: Context) -> Path:
    from ict_diplomacy.project import Project
    from ict_diplomacy.publish import build
    if SCALE in ctx.releases:
        return ctx.releases[SCALE].resolve()
    out = ctx.work / f"release-{SCALE}"
    if not (out / "manifest.json").exists():
        build.build(Project(ctx.projects[SCALE]), out, progress=lambda *a, **k: None)
    return out.resolve()


def scale_tables(ctx: Context) -> list[Table]:
    from tests import virtuoso as V
    if not (V.VIRTUOSO and V.ISQL):
        return [Table("Scale run on Virtuoso", ["skipped"], [["virtuoso-t is not installed"]])]
    release = scale_release(ctx)
    triples = json.loads((release / "manifest.json").read_text())["triples"]
    folder = Path(tempfile.mkdtemp(prefix="ictd-virtuoso-", dir=ctx.work))
    with V.virtuoso(folder, buffers=200_000) as instance:
        dump = folder / "data.nt"
        dump.write_bytes(gzip.decompress((release / "ict-diplomacy.nt.gz").read_bytes()))
        started = time.perf_counter()
        instance.load(dump, V.GRAPH)
        loaded_s = time.perf_counter() - started
        instance.restart()
        with scale_servers(release, instance, ctx.work) as servers:
            timings = time_everything(servers)
    return [scale_table(timings, triples, loaded_s)]


@contextlib.contextmanager
def scale_servers(release: Path, instance, work: Path):
    from tests.virtuoso import GRAPH
    logs = work / "remote-logs"
    logs.mkdir(parents=True, exist_ok=True)
    ours = [sys.executable, "-m", "ict_diplomacy", "serve", "--host", "127.0.0.1", "--port", "{port}",
            "--release", str(release), "--answer-cache-mb", "0", "--timeout", "60"]
    remote = [*ours, "--sparql-endpoint", instance.sparql, "--default-graph-uri", GRAPH]
    ready_s, loadgen.READY_WITHIN_S = loadgen.READY_WITHIN_S, 600.0   # workers load the whole dump first
    try:
        with contextlib.ExitStack() as stack:
            run = lambda name, cmd: stack.enter_context(  # noqa: E731
                loadgen.running(name, cmd, "/sparql", logs / f"{name}-{SCALE}.log"))
            yield {"embedded": run("embedded", ours), "virtuoso": run("virtuoso", remote)}
    finally:
        loadgen.READY_WITHIN_S = ready_s


def _timed(client: httpx.Client, url: str) -> tuple[int, float, int | None]:
    """Status, milliseconds, and the rows of a SPARQL JSON answer (None for a page)."""
    started = time.perf_counter()
    answer = client.get(url, headers={"Accept": "text/html,*/*;q=0.8"})
    elapsed = (time.perf_counter() - started) * 1000
    rows = None
    if answer.status_code == 200 and answer.headers.get("content-type", "").startswith("application/sparql-results"):
        rows = len(answer.json().get("results", {}).get("bindings", []))
    return answer.status_code, elapsed, rows


def time_everything(servers: dict) -> dict:
    """{(path, server): (status, cold ms, warm ms, rows)} for every stored query's API route and the pages."""
    from ict_diplomacy.project import Project
    from ict_diplomacy.sparql import queries
    catalogue = queries.load(Project(ROOT))
    paths = [f"/api/queries/{name}?format=json" for name, q in catalogue.items() if not q.federated] + list(PAGES)
    timings = {}
    with httpx.Client(timeout=120) as client:
        for path in paths:
            for name, server in servers.items():
                status, cold, rows = _timed(client, server.base + path)
                warm = statistics.median(_timed(client, server.base + path)[1] for _ in range(3))
                timings[path, name] = (status, cold, warm, rows)
    return timings


def scale_table(timings: dict, triples: int, loaded_s: float) -> Table:
    table = Table(f"Scale run: the {SCALE} synthetic release ({triples} triples) on Virtuoso 7 behind remote mode, "
                  "beside the embedded store (ms)",
                  ["path", "embedded status", "embedded cold", "embedded warm", "virtuoso status", "virtuoso cold",
                   "virtuoso warm", "warm virtuoso/embedded", "rows (embedded / virtuoso)"],
                  notes=[f"Virtuoso 7.2 (Debian), NumberOfBuffers 200000, the N-Triples dump bulk-loaded in "
                         f"{loaded_s:.0f} s (ld_dir, rdf_loader_run, checkpoint) and the server restarted; our servers "
                         "with --answer-cache-mb 0 --timeout 60, one client; cold: the first request (pages build "
                         "their indexes then), warm: the median of three more",
                         "stored queries through /api/queries/{name} with their default parameters; federated "
                         "ones left out (they would leave the loopback)"])
    for path in dict.fromkeys(p for p, _ in timings):
        e, v = timings[path, "embedded"], timings[path, "virtuoso"]
        rows = None if e[3] is None and v[3] is None else f"{e[3]} / {v[3]}"
        table.rows.append([path, e[0], e[1], e[2], v[0], v[1], v[2], v[2] / e[2] if e[2] else None, rows])
    answered = sum(1 for (p, s), t in timings.items() if s == "virtuoso" and t[0] == 200)
    same = sum(1 for p, s in timings if s == "virtuoso" and timings[p, s][3] is not None
               and timings[p, s][3] == timings[p, "embedded"][3])
    counted = sum(1 for p, s in timings if s == "virtuoso" and timings[p, s][3] is not None)
    table.notes.append(f"answered 200 on Virtuoso: {answered} of {len(timings) // 2}; the same number of rows as "
                       f"the embedded store: {same} of {counted} stored queries (rows capped at --max-rows)")
    return table


def main(argv: list[str] | None = None) -> int:
    """The scale run alone, without the rest of run.py: builds the synthetic project and release
    in --work (reused when already there) and prints the table as Markdown. With --distinct, the
    distinct-query comparison alone instead (--upstream-cpu, --workers: where Oxigraph runs, how
    many workers our servers start)."""
    import argparse
    import synthetic
    from run import SCALES
    global SCALE
    parser = argparse.ArgumentParser(description="the scale run on Virtuoso (issue 12), or the distinct-query comparison, alone")
    parser.add_argument("--scale", default=SCALE, choices=list(SCALES))
    parser.add_argument("--work", type=Path, default=Path("/tmp/ictd-bench"))
    parser.add_argument("--distinct", action="store_true", help="the distinct-query comparison instead")
    parser.add_argument("--upstream-cpu", type=int, help="with --distinct: the one core Oxigraph runs on")
    parser.add_argument("--workers", type=int, help="with --distinct: our servers' --workers")
    args = parser.parse_args(argv)
    SCALE = args.scale
    ctx = Context(scales={SCALE: SCALES[SCALE]}, work=args.work.resolve())
    ctx.work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    if args.distinct:
        from bench_endpoint import real_release
        release, ticks = real_release(ctx), loadgen.cpu_ticks()
        runs = measure_distinct(release, ctx.work, upstream_cpu=args.upstream_cpu, workers=args.workers)
        stolen = loadgen.steal_since(ticks)
        table = distinct_table(runs)
        table.notes.append(f"CPU time the host took from this machine during the run (steal): {stolen or 0:.1%}")
        if args.upstream_cpu is not None:
            table.notes.append(f"Oxigraph alone on core {args.upstream_cpu}; our servers and wrk on the other cores")
        return _report([table], argv, started)
    project = ctx.work / f"project-{SCALE}"
    ctx.projects[SCALE] = project if (project / "data").exists() else synthetic.generate(SCALES[SCALE], project)
    return _report(scale_tables(ctx), argv, started)


def _report(tables: list[Table], argv: list[str] | None, started: float) -> int:
    from run import machine
    print("\n".join(t.markdown() for t in tables))
    print(f"Machine: {machine()}\nDate: {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}\n"
          f"Command: `python benchmarks/bench_remote.py {' '.join(sys.argv[1:] if argv is None else argv)}`\n"
          f"Wall time: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
