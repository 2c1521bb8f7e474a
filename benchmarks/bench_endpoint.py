"""The SPARQL endpoint under load: our server (embedded workers, and remote mode over Oxigraph),
`oxigraph serve-read-only` on the same store, and rdflib-endpoint on the same data; every
non-federated stored query with its default parameters, at 1, 8 and 32 concurrent clients; and
dereferencing (HTML, Turtle) of a sample of resources. See loadgen.py for the client (wrk)."""

from __future__ import annotations

import contextlib
import math
import statistics
import sys
from pathlib import Path
from urllib.parse import quote

import httpx

import loadgen
from framework import ROOT, Context, Table, section

CLIENTS = (1, 8, 32)
QUICK_CLIENTS = (1, 8)
QUICK_QUERIES = ("resource-with-labels", "country-profile", "class-counts", "funding-totals")
SECONDS, QUICK_SECONDS = 1.0, 1.0   # wrk counts whole seconds
DEREF_SAMPLE = 8
TARGET_CLIENTS = 8
OUR_OPTIONS = ("--queue", "64")    # 32 clients must wait, not get 429 (the default queue is 16)
SELECT_ACCEPT, GRAPH_ACCEPT = "application/sparql-results+json", "text/turtle"
OXIGRAPH = Path(sys.executable).parent / "oxigraph"


@section("endpoint", order=60)
def endpoint(ctx: Context) -> list[Table]:
    if not loadgen.wrk_available():
        return [Table("Endpoint", ["skipped"], [["wrk is not installed (apt-get install -y wrk)"]])]
    release = real_release(ctx)
    catalogue, texts = stored_queries(release, ctx.quick)
    clients = QUICK_CLIENTS if ctx.quick else CLIENTS
    seconds = QUICK_SECONDS if ctx.quick else SECONDS
    with servers(release, ctx.work) as targets:
        runs = measure_queries(targets, catalogue, texts, clients, seconds)
        deref = measure_deref(targets, release, clients, seconds)
    return [summary_table(runs, clients), *[query_table(runs, texts, c) for c in clients],
            deref_table(deref, clients), ratio_table(runs, texts), client_table(runs, deref)]


# ---------------------------------------------------------------- data, queries and servers


def real_release(ctx: Context) -> Path:
    """The real project's data, built into the scratch directory as `ict-diplomacy build` builds it
    (stored pages included; the same release for every server)."""
    from ict_diplomacy.publish import build
    from ict_diplomacy.project import Project
    from ict_diplomacy.web import page_store, prerender
    out = ctx.work / "release-real"
    if not (out / page_store.FILE).exists() or page_store.stale(out):
        build.build(Project(ROOT), out, progress=lambda *a, **k: None, derive=prerender.DERIVE)
    return out.resolve()


def stored_queries(release: Path, quick: bool) -> tuple[dict, dict[str, tuple[str, str]]]:
    """The catalogue and, per non-federated query, (text with default parameters bound, Accept)."""
    import asyncio
    from ict_diplomacy.project import Project
    from ict_diplomacy.publish.release import Release
    from ict_diplomacy.settings import Settings
    from ict_diplomacy.sparql import queries
    from ict_diplomacy.sparql.connect import opened
    from ict_diplomacy.sparql.text import with_values
    catalogue = queries.load(Project(ROOT))
    chosen = {name: query for name, query in catalogue.items()
              if not query.federated and (not quick or name in QUICK_QUERIES)}

    async def bind_all() -> dict:
        async with opened(Settings(workers=1, answer_cache_mb=0), Release.open(release)) as engine:
            return {name: await queries.bind(query, {}, engine) for name, query in chosen.items()}
    texts = {}
    for name, bindings in asyncio.run(bind_all()).items():
        query = chosen[name]
        accept = SELECT_ACCEPT if query.kind in ("select", "ask") else GRAPH_ACCEPT
        texts[name] = (with_values(query.text, bindings), accept)
    return catalogue, texts


@contextlib.contextmanager
def servers(release: Path, work: Path):
    logs = work / "endpoint-logs"
    logs.mkdir(parents=True, exist_ok=True)
    ours = [sys.executable, "-m", "ict_diplomacy", "serve", "--host", "127.0.0.1", "--port", "{port}",
            "--release", str(release), *OUR_OPTIONS]
    oxigraph = [str(OXIGRAPH), "serve-read-only", "--location", str(release / "store"),
                "--bind", "127.0.0.1:{port}"]
    rdflib = [sys.executable, str(Path(__file__).with_name("rdflib_server.py")),
              str(release / "ict-diplomacy.nt.gz"), "{port}"]
    with contextlib.ExitStack() as stack:
        run = lambda name, cmd, path: stack.enter_context(loadgen.running(name, cmd, path, logs / f"{name}.log"))
        ox = run("oxigraph", oxigraph, "/")
        targets = {"ours": run("ours", ours, "/sparql"), "oxigraph": ox,
                   "uncached": run("uncached", [*ours, "--answer-cache-mb", "0"], "/sparql")}
        targets["remote"] = run("remote", [*ours, "--sparql-endpoint", ox.base + "/query"], "/sparql")
        with contextlib.suppress(RuntimeError):  # rdflib-endpoint missing: its columns stay empty
            targets["rdflib"] = run("rdflib", rdflib, "/?query=ASK%7B%7D")
        yield targets


def sparql_path(target: str, text: str) -> str:
    return ("/query" if target == "oxigraph" else "/" if target == "rdflib" else "/sparql") + "?query=" + quote(text)


# ---------------------------------------------------------------- measuring

# column -> (server, how the request is made)
COLUMNS = {"ours": ("ours", "sparql"), "ours api": ("ours", "api"), "ours uncached": ("uncached", "sparql"),
           "remote": ("remote", "sparql"),
           "oxigraph": ("oxigraph", "sparql"), "rdflib": ("rdflib", "sparql")}


def measure_queries(targets: dict, catalogue: dict, texts: dict, clients: tuple, seconds: float) -> dict:
    """{(query, clients, column): Run or error text}; the columns of one query and client count
    are measured one after the other, so their ratios share the machine's state."""
    runs = {}
    for name, (text, accept) in texts.items():
        requests = {"sparql": lambda t: [(sparql_path(t, text), accept)],
                    "api": lambda t: [(f"/api/queries/{name}", accept)]}
        for count in clients:
            for column, (target, how) in COLUMNS.items():
                if target in targets:
                    runs[name, count, column] = _measure(targets[target], requests[how](target), count, seconds)
    return runs


def _measure(server: loadgen.Server, requests: list, clients: int, seconds: float):
    for path, accept in requests[:2]:  # warm up, and check that it answers
        status = httpx.get(server.base + path, headers={"Accept": accept}, timeout=60).status_code
        if status != 200:
            return f"HTTP {status}"
    run = loadgen.load(server, requests, clients, seconds)
    server.settle()
    return run


def deref_sample(release: Path, count: int = DEREF_SAMPLE) -> list[str]:
    """Paths of `count` resources spread over the sorted subjects under /id/."""
    from ict_diplomacy.project import BASE
    subjects = set()
    for line in __import__("gzip").decompress((release / "ict-diplomacy.nt.gz").read_bytes()).decode().splitlines():
        if line.startswith(f"<{BASE}id/"):
            subjects.add(line[1:line.index(">")])
    ordered = sorted(subjects)
    step = max(1, len(ordered) // count)
    return [iri[len(BASE) - 1:] for iri in ordered[::step][:count]]


def measure_deref(targets: dict, release: Path, clients: tuple, seconds: float) -> dict:
    from ict_diplomacy.project import BASE
    paths = deref_sample(release)
    describe = [(sparql_path("oxigraph", f"DESCRIBE <{BASE}{p[1:]}>"), GRAPH_ACCEPT) for p in paths]
    kinds = {"ours HTML": ("ours", [(p, "text/html") for p in paths]),
             "ours uncached HTML": ("uncached", [(p, "text/html") for p in paths]),
             "ours uncached Turtle": ("uncached", [(p, GRAPH_ACCEPT) for p in paths]),
             "ours Turtle": ("ours", [(p, GRAPH_ACCEPT) for p in paths]),
             "remote Turtle": ("remote", [(p, GRAPH_ACCEPT) for p in paths]),
             "oxigraph DESCRIBE Turtle": ("oxigraph", describe)}
    return {(kind, count): _measure(targets[target], requests, count, seconds)
            for count in clients for kind, (target, requests) in kinds.items()}


# ---------------------------------------------------------------- tables


def _ok(run) -> bool:
    return isinstance(run, loadgen.Run) and run.requests > 0


def _ratio(a, b, attribute: str) -> float | None:
    return getattr(a, attribute) / getattr(b, attribute) if _ok(a) and _ok(b) and getattr(b, attribute) else None


def geomean(values: list) -> float | None:
    values = [v for v in values if v]
    return math.exp(statistics.fmean(math.log(v) for v in values)) if values else None


def summary_table(runs: dict, clients: tuple) -> Table:
    table = Table("Endpoint: stored queries, geometric mean over the queries",
                  ["server", *[f"{c} clients {what}" for c in clients for what in ("req/s", "p50 ms", "p99 ms")],
                   "errors"],
                  notes=["each cell: one wrk run of "
                         f"{SECONDS:g} s ({QUICK_SECONDS:g} s with --quick) per query; "
                         "req/s and latencies are geometric means over the queries",
                         "ours: `ict-diplomacy serve` (2 worker processes, in-memory store, default limits but "
                         "--queue 64 so 32 clients wait instead of getting 429); each query is repeated, so after the first request "
                         "ours answers from its answer cache (--answer-cache-mb); ours uncached: the same server with "
                         "--answer-cache-mb 0, every request runs in a worker; ours api: the same server through "
                         "/api/queries/{name}; remote: `serve --sparql-endpoint` forwarding to the Oxigraph server; "
                         "oxigraph: `oxigraph serve-read-only` on the release store; rdflib: rdflib-endpoint "
                         "(uvicorn, one process) on the release's N-Triples dump",
                         "errors: non-2xx answers plus socket errors and timeouts, over all queries"])
    for column in COLUMNS:
        row, errors = [column], 0
        for count in clients:
            found = [r for (q, c, col), r in runs.items() if c == count and col == column and _ok(r)]
            errors += sum(r.errors for r in found)
            row += [geomean([r.rps for r in found]), geomean([r.p50_ms for r in found]),
                    geomean([r.p99_ms for r in found])]
        table.rows.append(row + [errors])
    return table


def query_table(runs: dict, texts: dict, count: int) -> Table:
    table = Table(f"Endpoint: each stored query at {count} clients (req/s, p99 ms)",
                  ["query", *COLUMNS, "ours p99", "oxigraph p99",
                   "ours/oxigraph", "p99 ours/oxigraph", "ours/rdflib"])
    for name in texts:
        cell = {col: runs.get((name, count, col)) for col in COLUMNS}
        shown = [_shown(cell[c]) for c in COLUMNS]
        ours, ox = cell["ours"], cell["oxigraph"]
        table.rows.append([name, *shown, ours.p99_ms if _ok(ours) else None, ox.p99_ms if _ok(ox) else None,
                           _ratio(ours, ox, "rps"), _ratio(ours, ox, "p99_ms"), _ratio(ours, cell["rdflib"], "rps")])
    return table


def _shown(run):
    """req/s, or why there is none (an HTTP error, or no answer within the run)."""
    if isinstance(run, loadgen.Run):
        return run.rps if run.requests else f"0 in {run.seconds:.0f} s"
    return run


def deref_table(deref: dict, clients: tuple) -> Table:
    table = Table(f"Dereferencing: {DEREF_SAMPLE} resources in turn (req/s, p50 and p99 ms)",
                  ["what", *[f"{c} clients {w}" for c in clients for w in ("req/s", "p50", "p99")]],
                  notes=["ours HTML/Turtle: GET /id/… with Accept text/html or text/turtle; oxigraph DESCRIBE: the "
                         "same resources as DESCRIBE queries on Oxigraph's server, for scale (it has no pages)"])
    for kind in dict.fromkeys(k for k, _ in deref):
        row = [kind]
        for count in clients:
            run = deref.get((kind, count))
            row += [run.rps, run.p50_ms, run.p99_ms] if _ok(run) else [_shown(run), None, None]
        table.rows.append(row)
    return table


def ratio_table(runs: dict, texts: dict) -> Table:
    """The issue's targets at 8 clients, as ratios measured in this run."""
    at = TARGET_CLIENTS
    def ratios(a: str, b: str, attribute: str) -> list:
        return [_ratio(runs.get((q, at, a)), runs.get((q, at, b)), attribute) for q in texts]
    table = Table(f"Endpoint targets at {at} clients (ratios measured in this run, geometric mean over the queries)",
                  ["ratio", "geomean", "worst query", "queries meeting", "target", "met"],
                  notes=["met: the geometric mean over the stored queries meets the target; 'worst query' and "
                         "'queries meeting' show the spread"])
    checks = [("ours/oxigraph throughput", "ours", "oxigraph", "rps", 0.8, True),
              ("ours api/oxigraph throughput", "ours api", "oxigraph", "rps", 0.8, True),
              ("remote/oxigraph throughput", "remote", "oxigraph", "rps", 0.8, True),
              ("ours uncached/oxigraph throughput", "ours uncached", "oxigraph", "rps", 0.8, True),
              ("ours/oxigraph p99", "ours", "oxigraph", "p99_ms", 1.5, False),
              ("ours uncached/oxigraph p99", "ours uncached", "oxigraph", "p99_ms", 1.5, False),
              ("ours api/oxigraph p99", "ours api", "oxigraph", "p99_ms", 1.5, False),
              ("ours/rdflib throughput", "ours", "rdflib", "rps", 10.0, True),
              ("ours uncached/rdflib throughput", "ours uncached", "rdflib", "rps", 10.0, True)]
    for label, a, b, attribute, target, higher in checks:
        found = [r for r in ratios(a, b, attribute) if r]
        if not found:
            table.rows.append([label, None, None, None, target, "–"])
            continue
        mean = geomean(found)
        meets = [r >= target if higher else r <= target for r in found]
        worst = min(found) if higher else max(found)
        table.rows.append([label, mean, worst, f"{sum(meets)}/{len(found)}",
                           f"{'≥' if higher else '≤'} {target:g}×",
                           "met" if (mean >= target if higher else mean <= target) else "not met"])
    return table


def client_table(runs: dict, deref: dict) -> Table:
    """How much of the 2 cores the client took, and the server's CPU per request."""
    table = Table("Load generator and server CPU", ["server", "client CPU (% of one core)",
                                                    "server CPU ms per request"],
                  notes=["client: wrk 4.x, one thread, a Lua script cycling through the requests (loadgen.py); "
                         "its CPU time from wait4, divided by the wall time of the run; the server's from /proc "
                         "(the server and its worker processes); medians over every run of that column"])
    for column in COLUMNS:
        found = [r for (q, c, col), r in runs.items() if col == column and _ok(r)]
        if found:
            table.rows.append([column, statistics.median(100 * r.client_cpu_s / r.seconds for r in found),
                               statistics.median(1000 * r.server_cpu_s / r.requests for r in found)])
    return table
