"""Command line: a thin layer over the library.

Exit codes: 0 success; 1 the sources are invalid (a syntax error or a shape violation);
2 any other error (a missing store, a failed build)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__, build, links, validate
from .errors import IctdError, SourceSyntaxError, ValidationFailed
from .project import Project


def _validate(args, project: Project) -> int:
    report = validate.validate(project)
    if not args.hints:
        report.findings = [f for f in report.findings if f.severity != "Info"]
    print(report.to_json() if args.format == "json" else report.to_table(args.lang, project.root))
    return 0 if report.conforms else 1


def _build(args, project: Project) -> int:
    progress = (lambda _: None) if args.quiet else None
    manifest = build.build(project, args.out, **({"progress": progress} if progress else {}))
    print(f"release {manifest['release']}: {manifest['triples']} triples, "
          + ", ".join(f"{f['name']} ({f['bytes']} bytes)" for f in manifest["files"]))
    return 0


def _links(args, project: Project) -> int:
    path = links.write_iso(project)
    print(f"wrote {path}")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="ict-diplomacy", description=__doc__.splitlines()[0])
    top.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    top.add_argument("--root", type=Path, help="project directory holding ontology/, data/, shapes/ (default: found from here)")
    commands = top.add_subparsers(dest="command", required=True)

    v = commands.add_parser("validate", help="check every source file against the shapes and reference rules")
    v.add_argument("--format", choices=("table", "json"), default="table")
    v.add_argument("--lang", choices=("en", "ja"), default="en", help="language of the messages")
    v.add_argument("--hints", action="store_true", help="also list sh:Info hints (gaps the source may not fill)")
    v.set_defaults(run=_validate)

    b = commands.add_parser("build", help="validate, load the Oxigraph store and write the dumps, atomically")
    b.add_argument("--out", type=Path, help="release link to publish (default: ./dist)")
    b.add_argument("--quiet", action="store_true", help="no progress lines")
    b.set_defaults(run=_build)

    l = commands.add_parser("links", help="regenerate data/links/iso-3166.ttl from pycountry")
    l.set_defaults(run=_links)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    project = Project.find(args.root)
    try:
        return args.run(args, project)
    except ValidationFailed as failure:
        print(failure.report.to_table(getattr(args, "lang", "en"), project.root), file=sys.stderr)
        return 1
    except SourceSyntaxError as error:
        print(f"ict-diplomacy: {error}", file=sys.stderr)
        return 1
    except (IctdError, FileNotFoundError) as error:
        print(f"ict-diplomacy: {error}", file=sys.stderr)
        return 2
