"""The benchmark framework: a registry of sections, the shared context, tables, probes.

A section is a function `(ctx) -> list[Table]` registered with `@section("name", order)` in any
`benchmarks/bench_*.py` module; run.py imports those modules, runs the sections in order and
prints every table. To add one (say the endpoint), write `bench_endpoint.py` with one decorated
function; nothing else changes."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SECTIONS: list[tuple[int, str, Callable]] = []


def section(name: str, order: int = 50):
    def register(function: Callable) -> Callable:
        SECTIONS.append((order, name, function))
        return function
    return register


@dataclass
class Context:
    scales: dict[str, int]                      # label -> target triples, e.g. {"10k": 10_000}
    work: Path                                  # where projects and releases are written
    projects: dict[str, Path] = field(default_factory=dict)   # label -> generated project dir
    releases: dict[str, Path] = field(default_factory=dict)   # label -> built release link
    triples: dict[str, int] = field(default_factory=dict)     # label -> measured triple count
    quick: bool = False
    timeout_s: float = 900.0
    python: str = sys.executable
    rudof_python: str | None = None             # an interpreter with pyrudof installed


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        cells = [[_cell(c) for c in row] for row in self.rows]
        lines = [f"### {self.title}", "", "| " + " | ".join(self.columns) + " |",
                 "|" + "|".join("---" for _ in self.columns) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in cells]
        return "\n".join(lines + [""] + [f"- {n}" for n in self.notes] + [""])


def _cell(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"
    return str(value)


def probe(args: list[str], timeout_s: float, python: str | None = None) -> dict:
    """Run a probe script in a fresh interpreter; its last stdout line is a JSON object."""
    command = [python or sys.executable, *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                               start_new_session=True)  # its own process group: workers are stopped too
    try:
        stdout, stderr = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return {"error": f"> {timeout_s:.0f} s (stopped)"}
    lines = stdout.strip().splitlines()
    if process.returncode != 0 or not lines:
        return {"error": (stderr.strip().splitlines() or ["failed"])[-1][:120]}
    return json.loads(lines[-1])


def growth(t_small: float | None, t_big: float | None, n_small: int, n_big: int) -> tuple[float | None, float | None]:
    """(cost ratio per 10× triples, exponent): linear growth is (10, 1.0)."""
    if not t_small or not t_big or n_big <= n_small:
        return None, None
    exponent = math.log(t_big / t_small) / math.log(n_big / n_small)
    return 10 ** exponent, exponent
