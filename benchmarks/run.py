"""Run every benchmark section on this machine and print tables of ratios measured in one run.

    python benchmarks/run.py                 # 10k, 100k and 1M triples
    python benchmarks/run.py --quick         # 10k only, under a minute
    python benchmarks/run.py --results benchmarks/RESULTS.md --rudof-python /tmp/rudof-venv/bin/python

Sections live in benchmarks/bench_*.py (see framework.py); `--only build,validate` picks some."""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import shlex
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from framework import SECTIONS, Context, Table  # noqa: E402
import synthetic  # noqa: E402

SCALES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000}


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                     if line.startswith("MemTotal"))
    return (f"{os.cpu_count()} CPUs ({cpu}), {memory_kb / 1024 / 1024:.1f} GiB RAM, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}")


def load_sections(only: set[str] | None) -> list[tuple[str, object]]:
    for path in sorted(HERE.glob("bench_*.py")):
        importlib.import_module(path.stem)
    return [(name, fn) for _, name, fn in sorted(SECTIONS, key=lambda s: (s[0], s[1])) if not only or name in only]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k triples only; skips the slowest alternatives")
    parser.add_argument("--scales", default=None, help="comma-separated among 10k,100k,1M (default: all)")
    parser.add_argument("--only", default=None, help="comma-separated section names")
    parser.add_argument("--work", type=Path, default=Path("/tmp/ictd-bench"), help="scratch directory")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds before a probe is stopped")
    parser.add_argument("--rudof-python", default=None, help="interpreter of a venv holding pyrudof")
    parser.add_argument("--results", type=Path, default=None, help="also write the tables to this Markdown file")
    return parser.parse_args(argv)


def prepare(args: argparse.Namespace) -> Context:
    labels = ["10k"] if args.quick else (args.scales.split(",") if args.scales else list(SCALES))
    ctx = Context(scales={l: SCALES[l] for l in labels}, work=args.work, quick=args.quick,
                  timeout_s=args.timeout, rudof_python=args.rudof_python)
    args.work.mkdir(parents=True, exist_ok=True)
    for label, target in ctx.scales.items():
        ctx.projects[label] = synthetic.generate(target, args.work / f"project-{label}")
    return ctx


def generator_table(ctx: Context) -> Table:
    """How close the synthetic data is to the real graph (class and property shares)."""
    from ict_diplomacy.publish import sources
    from ict_diplomacy.project import Project
    real = synthetic.profile(sources.load(Project(synthetic.ROOT)).published)
    table = Table("Synthetic data: size and distance from the real graph's distributions",
                  ["scale", "triples", "data files", "Δ class shares (pp)", "Δ property shares (pp)"],
                  notes=["Δ = largest difference, in percentage points, between the real and synthetic share of any "
                         "of the 15 most frequent classes / properties of the instance data (measured with SPARQL); "
                         "it grows with scale because countries, topics, places and source sections are shared, "
                         "not copied, so their share falls"])
    for label, root in ctx.projects.items():
        published = sources.load(Project(root)).published
        ctx.triples.setdefault(label, len(published))
        prof = synthetic.profile(published)
        table.rows.append([label, len(published), len(Project(root).data_files()),
                           synthetic.max_share_difference(real["classes"], prof["classes"]),
                           synthetic.max_share_difference(real["properties"], prof["properties"])])
    return table


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    ctx = prepare(args)
    tables = [generator_table(ctx)]
    print(tables[0].markdown(), flush=True)
    for name, run in load_sections(set(args.only.split(",")) if args.only else None):
        for table in run(ctx):
            tables.append(table)
            print(table.markdown(), flush=True)
    header = [f"Machine: {machine()}", f"Date: {datetime.now(timezone.utc).isoformat(timespec='seconds')}",
              f"Command: `python benchmarks/run.py {shlex.join(argv if argv is not None else sys.argv[1:])}`",
              f"Wall time: {time.perf_counter() - started:.0f} s"]
    print("\n".join(header))
    if args.results:
        args.results.write_text("# Benchmark results\n\n" + "\n\n".join(header) + "\n\n"
                                + "\n".join(t.markdown() for t in tables), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
