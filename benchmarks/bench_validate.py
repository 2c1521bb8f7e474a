"""Validation engines side by side: the SPARQL translation (default), pyshacl, pyshacl on two
processes (focus nodes split by source file), pyrudof (own venv, if given)."""

from __future__ import annotations

from framework import HERE, Context, Table, probe, section

ENGINES = ("sparql", "pyshacl", "pyshacl-2proc")


@section("validate", order=20)
def validation(ctx: Context) -> list[Table]:
    engines = [e for e in ENGINES if not (ctx.quick and e == "pyshacl-2proc")]
    results: dict[str, dict[str, dict]] = {}
    for label, root in ctx.projects.items():
        row = results[label] = {}
        for engine in engines:
            if _hopeless(results, engine, label):
                row[engine] = {"error": "skipped (timed out at a smaller scale)"}
                continue
            row[engine] = probe([str(HERE / "probes.py"), "validate", engine, str(root)], ctx.timeout_s)
        if ctx.rudof_python:
            row["pyrudof"] = probe([str(HERE / "probe_rudof.py"), str(root)], ctx.timeout_s, ctx.rudof_python)
    return [_table(ctx, results)]


def _hopeless(results: dict, engine: str, label: str) -> bool:
    return any(str(r.get(engine, {}).get("error", "")).startswith(">") for l, r in results.items() if l != label)


def _table(ctx: Context, results: dict) -> Table:
    table = Table("Validation: seconds, peak RSS, and whether the report equals pyshacl's",
                  ["scale", "engine", "s", "× sparql time", "peak MB", "findings", "same report as pyshacl",
                   "same (severity, focus, path) as sparql"],
                  notes=["each engine in a fresh process, parse included; 'same report' compares severity, focus, "
                         "path, messages and shape of every finding (pyrudof: severity, focus and path only, "
                         "since its messages are its own)",
                         "pyshacl-2proc: two worker processes, each validating the focus nodes of every other "
                         "source file against the whole graph; its MB is the larger of parent and workers"])
    for label, row in results.items():
        reference = row.get("pyshacl", {})
        base = row.get("sparql", {}).get("s")
        for engine, r in row.items():
            if "error" in r:
                table.rows.append([label, engine, r["error"], None, None, None, None, None])
                continue
            same = None
            if "error" not in reference and reference:
                key = "core_digest" if engine == "pyrudof" else "digest"
                same = "yes" if r[key] == reference[key] else "NO"
            core = row.get("sparql", {}).get("core_digest")
            same_core = ("yes" if r["core_digest"] == core else "NO") if core else None
            table.rows.append([label, engine, r["s"], r["s"] / base if base else None, r["peak_mb"], r["findings"],
                               same, same_core])
    return table
