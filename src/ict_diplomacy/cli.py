"""Command line: a thin layer over the library.

Exit codes: 0 success; 1 the sources are invalid (a syntax error or a shape violation);
2 any other error (a missing store, a failed build)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import date
from pathlib import Path

from . import __version__
from .errors import IctdError, SourceSyntaxError, ValidationFailed
from .project import Project
from .publish import build, diff, links, linkstats, stats, validate
from .publish.description import LINK_TARGETS
from .settings import Settings, add_setting_options, settings_from_options

COMMAND_TIMEOUT_S = 600.0     # a person at a terminal waits longer than a public endpoint's client
COMMAND_MAX_ROWS = 10_000_000


def _validate(args, project: Project) -> int:
    report = validate.validate(project)
    if not args.hints:
        report.findings = [f for f in report.findings if f.severity != "Info"]
    print(report.to_json() if args.format == "json" else report.to_table(args.lang, project.root))
    return 0 if report.conforms else 1


def _build(args, project: Project) -> int:
    progress = (lambda _: None) if args.quiet else None
    publish_on = (args.date or date.today()) if args.publish else None
    from .web.prerender import DERIVE
    manifest = build.build(project, args.out, publish_on=publish_on, derive=None if args.no_pages else DERIVE,
                           **({"progress": progress} if progress else {}))
    print(f"release {manifest['release']}: version {manifest['version']} ({manifest['version_status']}), "
          f"{manifest['triples']} triples, " + ", ".join(f"{f['name']} ({f['bytes']} bytes)" for f in manifest["files"]))
    if args.publish:
        print(f"published {manifest['version']} on {manifest['issued']}: commit releases/{manifest['version']}/ "
              "and CHANGELOG.md, then raise owl:versionInfo in ontology/ict-diplomacy.ttl to the next version "
              "before changing the data again (a build refuses other content under a published version)")
    return 0


def _diff(args, project: Project) -> int:
    from .publish import history, versions
    archive = versions.Archive.of(project)
    entry = history.compare(args.old, versions.load(args.old, archive), args.new, versions.load(args.new, archive))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        written = diff.write_diff(args.out, entry.changes)
        print(f"wrote {', '.join(str(p) for p in written)}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(entry.document(), ensure_ascii=False, indent=1))
    else:
        print(history.text(entry))
    return 0


def _serve(args, project: Project) -> int:
    from .web import assets, server  # the web stack loads only for this command
    settings = settings_from_options(args)
    release = server.ensure_release(project, args.release, settings)
    assets.ensure_assets(project)  # npm ci --prefix web when the editor's and map's files are missing
    server.run(settings, release, args.host, args.port)
    return 0


def _stats(args, project: Project) -> int:
    report = linkstats.project_report(project) if args.links else stats.project_report(project)
    print(report.to_json() if args.format == "json" else report.to_table())
    return 0


def _query(args, project: Project) -> int:
    from .sparql import queries, render  # loaded only for this command
    catalogue = queries.load(project)
    if args.list or not args.name:
        print(render.render_list(catalogue, args.lang or "en"))
        return 0
    query = catalogue.get_query(args.name)
    params = queries.parse_assignments(args.param)
    print(render.render(asyncio.run(_run_stored(project, query, params, args)), args.format))
    return 0


async def _run_stored(project: Project, query, params: dict[str, str], args):
    """One stored query through the engine the server uses: one worker over ./dist (or the
    endpoint given), with the limits of a command rather than of a public server."""
    from .publish import store
    from .publish.release import STORE_DIR, Release
    from .sparql import queries
    from .sparql.connect import opened
    stand_ins = {key: url for key in queries.ENDPOINTS if (url := getattr(args, _stand_in_option(key)))}
    if not args.sparql_endpoint:  # name a missing or damaged store as the user knows it, before a worker starts
        store.open_read_only(project.dist / STORE_DIR)
    settings = Settings(workers=1, max_concurrent=1, answer_cache_mb=0, store_mode="disk",
                        query_timeout=COMMAND_TIMEOUT_S, max_rows=COMMAND_MAX_ROWS,
                        sparql_endpoint=args.sparql_endpoint or "",
                        service_allow=[stand_ins.get(key) or queries.ENDPOINTS[key] for key in query.services])
    async with opened(settings, Release.find(project.dist, pinned=not args.sparql_endpoint)) as engine:
        return await queries.run(query, params, engine, lang=args.lang, stand_ins=stand_ins)


def _stand_in_option(key: str) -> str:
    return key.replace("-", "_") + "_endpoint"


def _links(args, project: Project) -> int:
    try:
        paths = links.write_all(project)
    except links.EvidenceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for path in paths:
        print(f"wrote {path}")
    return 0


def _add_setting_options(command: argparse.ArgumentParser) -> None:
    add_setting_options(command.add_argument_group("limits and options (the settings table)"))


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
    b.add_argument("--publish", action="store_true", help="first archive the version in owl:versionInfo into "
                   "releases/ (refused if it is published with other content) and record it in CHANGELOG.md")
    b.add_argument("--date", type=date.fromisoformat, help="publication date for --publish (YYYY-MM-DD; default today)")
    b.add_argument("--no-pages", action="store_true", help="do not render the resource pages into pages.sqlite "
                   "(~12 ms and ~55 kB per resource on 2 cores); the server then renders each page when asked")
    b.set_defaults(run=_build)

    d = commands.add_parser("diff", help="what changed between two versions: triples and resources added, removed, changed")
    d.add_argument("old", help="a published version (0.1.0), a release directory (dist) or an RDF file")
    d.add_argument("new", help="the same, for the newer graph")
    d.add_argument("--format", choices=("text", "json"), default="text")
    d.add_argument("--out", type=Path, help="also write added.nt and removed.nt into this directory")
    d.set_defaults(run=_diff)

    s = commands.add_parser("serve", help="build if needed, then serve the SPARQL endpoint, resource pages, API and dumps")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    s.add_argument("--release", type=Path, help="serve this release directory as it is, without building "
                   "(default: $ICT_DIPLOMACY_DIST, else ./dist, built first when missing or older than the sources)")
    _add_setting_options(s)
    s.set_defaults(run=_serve)

    s = commands.add_parser("stats", help="coverage and quality report: classes, labels, provenance, Wikidata, dates")
    s.add_argument("--format", choices=("table", "json"), default="table")
    s.add_argument("--links", action="store_true",
                   help="the link-quality report instead: linked, open with a reason and not searched, per class and target")
    s.set_defaults(run=_stats)

    q = commands.add_parser("query", help="run a stored SPARQL query (queries/*.rq) on the built store or an endpoint")
    q.add_argument("name", nargs="?", help="the stored query to run (see --list)")
    q.add_argument("--list", action="store_true", help="list the stored queries and their parameters")
    q.add_argument("--param", action="append", metavar="NAME=VALUE", help="a parameter value; repeat for several")
    q.add_argument("--format", choices=("table", "json", "csv", "tsv", "turtle"), default="table")
    q.add_argument("--lang", choices=("ja", "en"), help="language of labels (the query's lang parameter)")
    q.add_argument("--sparql-endpoint", metavar="URL", help="run on this SPARQL 1.1 endpoint instead of ./dist/store")
    for target in LINK_TARGETS:  # --wikidata-endpoint, --gbizinfo-endpoint, …: stand-ins for the targets' endpoints
        if target.endpoint:
            q.add_argument(f"--{target.key}-endpoint", dest=_stand_in_option(target.key), metavar="URL",
                           help=f"endpoint standing in for {target.name_en} ({target.endpoint}) in federated queries")
    q.set_defaults(run=_query)

    l = commands.add_parser("links", help="regenerate the generated files of data/links/: ISO codes from pycountry, and the links of the evidence tables")
    l.set_defaults(run=_links)

    c = commands.add_parser("confine", help="run a command (the SPARQL engine behind remote mode) that may not connect anywhere but to --reach endpoints")
    c.add_argument("--reach", action="append", default=[], metavar="URL", help="an endpoint it may connect to (repeat for several); none by default")
    c.add_argument("command", nargs=argparse.REMAINDER, help="-- and the command with its arguments")
    c.set_defaults(run=_confine)
    return top


def _confine(args, project: Project) -> int:
    import logging

    from .sparql.egress import run_confined
    logging.basicConfig(level=logging.WARNING, format="ict-diplomacy confine: %(message)s")
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        raise IctdError("confine: name the command to run after --")
    return run_confined(command, tuple(args.reach))


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
