"""Measurements that run in a fresh process each, so memory figures are not mixed up.

Memory is the process's peak resident set size (VmHWM from /proc, which counts what Oxigraph and
RocksDB allocate in Rust too, unlike tracemalloc). Before each build step the peak is reset
(`echo 5 > /proc/self/clear_refs`), so a step's figure is the highest RSS reached *during that
step*, including what earlier steps still hold (the parsed triples).

    python benchmarks/probes.py build ROOT OUT          # one build, per-step seconds and peak MB
    python benchmarks/probes.py validate ENGINE ROOT    # one validation: seconds, peak MB, digest

Each prints one JSON object on stdout."""

from __future__ import annotations

import hashlib
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ict_diplomacy.publish import build, sources, validate
from ict_diplomacy.project import Project


def _status(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


class StepMeter:
    """A build progress callback that times each step and records its peak RSS."""

    def __init__(self):
        self.steps: dict[str, dict] = {}
        self._started = 0.0

    def __call__(self, message: str) -> None:
        name = message.split(" ", 1)[0].rstrip(":")
        if message.endswith("…"):
            reset_peak()
            self._started = time.perf_counter()
            self.steps[name] = {"start_mb": round(_status("VmRSS"))}
        elif message.startswith(name + ":") and name in self.steps:
            self.steps[name].update(s=round(time.perf_counter() - self._started, 3),
                                    peak_mb=round(_status("VmHWM")))


def probe_build(root: str, out: str) -> dict:
    meter = StepMeter()
    started = time.perf_counter()
    manifest = build.build(Project(Path(root)), Path(out), progress=meter)
    return {"triples": manifest["triples"], "total_s": round(time.perf_counter() - started, 3),
            "steps": meter.steps, "peak_mb": round(_status("VmHWM"))}


def digest(findings: list[validate.Finding]) -> str:
    """Order-free fingerprint of a report: severity, focus, path, messages, shape of each finding."""
    keys = sorted(json.dumps([f.severity, f.focus, f.path, f.message, f.check], sort_keys=True, ensure_ascii=False)
                  for f in findings)
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()[:12]


def local(path: str) -> str:
    """The local name of a path, however it is written (ictd:party, <…#party>)."""
    return path.rsplit("#", 1)[-1].rsplit("/", 1)[-1].rsplit(":", 1)[-1]


def core_digest(keys) -> str:
    """Fingerprint of (severity, focus, path) only: what an engine with its own messages can match."""
    return hashlib.sha256("\n".join(sorted(json.dumps(list(k)) for k in keys)).encode()).hexdigest()[:12]


def _shacl_half(args: tuple[str, int]) -> list[validate.Finding]:
    """pyshacl on the whole graph, for the focus nodes of every other source file (a subject
    belongs to the first file that mentions it, so the halves do not overlap)."""
    import pyshacl
    root, part = args
    parsed = sources.load(Project(Path(root)))
    owner: dict[str, int] = {}
    for index, triples in enumerate([*parsed.ontology.values(), *parsed.data.values()]):
        for t in triples:
            owner.setdefault(t.subject.value, index)
    focus = sorted(iri for iri, index in owner.items() if index % 2 == part and iri.startswith("http"))
    shapes = sources.graph_of([t for ts in parsed.shapes.values() for t in ts])
    _, results, _ = pyshacl.validate(sources.graph_of(parsed.published), shacl_graph=shapes, inference="none",
                                     allow_warnings=True, advanced=True, focus_nodes=focus)
    return _findings_of(results, shapes)


def _findings_of(results, shapes) -> list[validate.Finding]:
    import rdflib
    from rdflib.namespace import RDF, SH
    out = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        path = results.value(result, SH.resultPath)
        out.append(validate.Finding(
            severity=validate.SEVERITY.get(results.value(result, SH.resultSeverity), "Violation"),
            focus=str(results.value(result, SH.focusNode)),
            path=validate._short(path) if isinstance(path, rdflib.URIRef) else "",
            message={m.language or validate._script_language(str(m)): str(m)
                     for m in results.objects(result, SH.resultMessage)},
            check=validate._shape_name(shapes, results.value(result, SH.sourceShape))))
    return out


def _pyshacl_parallel(root: str) -> list[validate.Finding]:
    with ProcessPoolExecutor(2) as pool:
        halves = list(pool.map(_shacl_half, [(root, 0), (root, 1)]))
    return [f for half in halves for f in half]


def probe_validate(engine: str, root: str) -> dict:
    started = time.perf_counter()
    if engine in ("sparql", "pyshacl"):
        findings = [f for f in validate.validate(Project(Path(root)), engine=engine).findings
                    if f.check not in ("dangling", "undeclared-term", "defined-twice")]
    elif engine == "pyshacl-2proc":
        findings = _pyshacl_parallel(root)
    else:
        raise SystemExit(f"unknown engine {engine}")
    children = 0.0
    if engine == "pyshacl-2proc":
        import resource
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"engine": engine, "s": round(time.perf_counter() - started, 3), "findings": len(findings),
            "digest": digest(findings), "core_digest": core_digest((f.severity, f.focus, local(f.path)) for f in findings),
            "peak_mb": round(max(_status("VmHWM"), children))}


def main(argv: list[str]) -> int:
    if argv[:1] == ["build"]:
        print(json.dumps(probe_build(*argv[1:3])))
    elif argv[:1] == ["validate"]:
        print(json.dumps(probe_validate(*argv[1:3])))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
