"""pyrudof's SHACL validation of a project directory, in its own interpreter (pyrudof is not a
dependency of the project: `python3 -m venv V && V/bin/pip install pyrudof`).

    V/bin/python benchmarks/probe_rudof.py ROOT     # prints one JSON object

Imports nothing from ict_diplomacy, so it runs in a venv that holds only pyrudof."""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path

SEVERITIES = {"violation": "Violation", "warning": "Warning", "info": "Info"}


def _peak_mb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return 0


def _severity(value) -> str:
    text = str(value).rsplit("#", 1)[-1].lower()
    return next((name for key, name in SEVERITIES.items() if key in text), str(value))


def _local(path: str) -> str:
    """As probes.local; a complex path (alternatives) counts as none, as pyshacl reports it."""
    if "|" in path or path.startswith("("):
        return ""
    return path.strip("<>").rsplit("#", 1)[-1].rsplit("/", 1)[-1].rsplit(":", 1)[-1]


def main(root: str) -> int:
    import pyrudof
    base = Path(root)
    started = time.perf_counter()
    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    files = sorted((base / "ontology").glob("*.ttl")) + sorted((base / "data").rglob("*.ttl"))
    for path in files:
        rudof.read_data(str(path), merge=True)
    rudof.read_shacl(str(sorted((base / "shapes").glob("*.ttl"))[0]))
    report = rudof.validate_shacl()
    keys = []
    for entry in (report.violations() if callable(report.violations) else report.violations):
        path = entry.path
        path = str(path() if callable(path) else path or "")
        keys.append([_severity(entry.severity() if callable(entry.severity) else entry.severity),
                     str(entry.focus_node() if callable(entry.focus_node) else entry.focus_node).strip("<>"),
                     _local(path)])
    digest = hashlib.sha256("\n".join(sorted(json.dumps(k) for k in keys)).encode()).hexdigest()[:12]
    print(json.dumps({"engine": "pyrudof", "s": round(time.perf_counter() - started, 3), "findings": len(keys),
                      "digest": "", "core_digest": digest, "peak_mb": _peak_mb(), "sample": keys[:3]}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
