"""Build time per step (parse, validate, load, dump, catalog) and peak memory, per scale."""

from __future__ import annotations

import shutil

from framework import HERE, Context, Table, growth, probe, section

STEPS = ("parse", "validate", "load", "dump", "catalog")


@section("build", order=10)
def build_steps(ctx: Context) -> list[Table]:
    results = {}
    for label, root in ctx.projects.items():
        out = ctx.work / f"release-{label}" / "dist"
        shutil.rmtree(out.parent, ignore_errors=True)
        results[label] = probe([str(HERE / "probes.py"), "build", str(root), str(out)], ctx.timeout_s)
        if "error" not in results[label]:
            ctx.releases[label] = out
            ctx.triples[label] = results[label]["triples"]
    tables = [_times(ctx, results)]
    return tables + ([_growth(ctx, results)] if len(ctx.releases) > 1 else [])


def _times(ctx: Context, results: dict) -> Table:
    table = Table("Build: seconds and peak RSS (MB) of each step",
                  ["step", *[f"{label} s" for label in results], *[f"{label} MB" for label in results]],
                  notes=["one fresh process per scale running `build.build` (validation: the SPARQL engine); a step's MB is the peak resident set "
                         "size reached during that step (VmHWM reset before it), including what earlier steps still hold"])
    for step in (*STEPS, "total"):
        seconds = [_value(r, step, "s") for r in results.values()]
        memory = [_value(r, step, "peak_mb") for r in results.values()]
        table.rows.append([step, *seconds, *memory])
    errors = [f"{label}: {r['error']}" for label, r in results.items() if "error" in r]
    table.notes += errors
    return table


def _value(result: dict, step: str, key: str):
    if "error" in result:
        return None
    if step == "total":
        return result["total_s"] if key == "s" else max(s.get("peak_mb", 0) for s in result["steps"].values())
    return result["steps"].get(step, {}).get(key)


def _growth(ctx: Context, results: dict) -> Table:
    labels = [l for l in results if "error" not in results[l]]
    pairs = list(zip(labels, labels[1:]))
    table = Table("Build: growth of each step's time (ratio per 10× triples; 10 = linear)",
                  ["step", *[f"{a}→{b} ratio" for a, b in pairs], *[f"{a}→{b} exponent" for a, b in pairs]],
                  notes=["exponent = log(t₂/t₁)/log(n₂/n₁) with n the measured triples; ≤ 1 is no worse than linear; "
                         "steps under ~0.2 s are dominated by fixed costs"])
    for step in (*STEPS, "total"):
        ratios, exponents = [], []
        for a, b in pairs:
            r, e = growth(_value(results[a], step, "s"), _value(results[b], step, "s"), ctx.triples[a], ctx.triples[b])
            ratios.append(r)
            exponents.append(e)
        table.rows.append([step, *ratios, *exponents])
    return table
