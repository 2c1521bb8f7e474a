"""The build step that writes the stored pages (page_store.py): the app is started on the
finished release and asked for every representation of every resource under `/id/` and
`/ontology/`, as a client would ask; each 200 answer is kept with its headers in pages.sqlite.
The resources are shared out among one rendering process per core (the page render is Python,
one core's work each), each with its own app and query worker, writing a part that is merged."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

import httpx

from ..errors import BuildError
from ..project import BASE
from ..publish.release import Release
from ..publish.store import open_read_only
from ..settings import Settings
from .app import create_app
from .page_store import FILE, KEPT_HEADERS, PREFIXES, SCHEMA, code_stamp, serving, variants
from .site import open_site

RENDERING_AT_ONCE = 4      # requests in flight per process: its worker queries while its loop renders
RESOURCES_PER_PROCESS = 50  # fewer resources than this in all: fewer processes (each costs a start)
SETTINGS = Settings(answer_cache_mb=0, worker_connections=False, workers=1)


def write(release_dir: Path) -> str:
    """Render every resource of the release at `release_dir` into its pages.sqlite."""
    release = Release.open(release_dir)
    iris = resources(release)
    count = max(1, min(os.cpu_count() or 1, len(iris) // RESOURCES_PER_PROCESS))
    parts = [release_dir / f".{FILE}.part{n}" for n in range(count)]
    target, partial = release_dir / FILE, release_dir / f".{FILE}.{os.getpid()}"
    try:
        _render_in_processes(release_dir, [iris[n::count] for n in range(count)], parts)
        _merge(partial, parts, release.etag)
        os.replace(partial, target)
    finally:
        for path in [*parts, partial]:
            path.unlink(missing_ok=True)
    return f"{len(iris)} resources, {count} processes"


DERIVE = {"pages": write}  # the build step (publish.build's `derive`)


def resources(release: Release) -> list[str]:
    """Every IRI under the prefixes that the data names, as subject or object."""
    starts = " || ".join(f'STRSTARTS(STR(?r), "{BASE}{prefix}/")' for prefix in PREFIXES)
    found = open_read_only(release.store_dir).query(
        f"SELECT DISTINCT ?r WHERE {{ {{ ?r ?p ?o }} UNION {{ ?s ?p ?r }} FILTER(isIRI(?r) && ({starts})) }}")
    return sorted(row["r"].value for row in found)


def _render_in_processes(release_dir: Path, shares: list[list[str]], parts: list[Path]) -> None:
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_render_part, args=(str(release_dir), share, str(part)), daemon=False)
                 for share, part in zip(shares, parts)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    if failed := [p.exitcode for p in processes if p.exitcode != 0]:
        raise BuildError(f"rendering the stored pages failed (exit codes {failed}; the reason is above)")


def _render_part(release_dir: str, iris: list[str], part: str) -> None:
    asyncio.run(_render(Path(release_dir), iris, Path(part)))


async def _render(release_dir: Path, iris: list[str], part: Path) -> None:
    site = await open_site(SETTINGS, release_dir)
    db = sqlite3.connect(part)
    try:
        db.executescript(SCHEMA)
        transport = httpx.ASGITransport(app=create_app(site))
        async with httpx.AsyncClient(transport=transport, base_url="http://pages.invalid") as client:
            at_once = asyncio.Semaphore(RENDERING_AT_ONCE)

            async def render(iri: str) -> list[tuple]:
                async with at_once:
                    return [row for key, query, headers in variants()
                            if (row := await _rendered(client, iri, key, query, headers)) is not None]
            for rows in await asyncio.gather(*(render(iri) for iri in iris)):
                db.executemany("INSERT INTO pages VALUES (?, ?, ?, ?, ?)", rows)
        db.commit()
    finally:
        db.close()
        await site.close()


async def _rendered(client: httpx.AsyncClient, iri: str, key: str, query: str, headers: dict) -> tuple | None:
    path = "/" + quote(iri[len(BASE):], safe="/:@!$&'()*+,;=-._~%")
    answer = await client.get(path + (f"?{query}" if query else ""), headers={**headers, "accept-encoding": "identity"})
    if answer.status_code != 200:  # a retired identifier (301, 410): answered live
        return None
    kept = {name: value for name, value in answer.headers.items() if name in KEPT_HEADERS}  # in the app's order
    return iri, key, answer.headers["content-type"], json.dumps(kept), answer.content


def _merge(partial: Path, parts: list[Path], etag: str) -> None:
    partial.unlink(missing_ok=True)
    db = sqlite3.connect(partial)
    try:
        db.executescript(SCHEMA)
        for part in parts:
            db.execute("ATTACH DATABASE ? AS part", (str(part),))
            db.execute("INSERT INTO pages SELECT * FROM part.pages")
            db.commit()
            db.execute("DETACH DATABASE part")
        db.executemany("INSERT INTO meta VALUES (?, ?)",
                       [("release", etag), ("code", code_stamp()), ("serving", serving(SETTINGS))])
        db.commit()
    finally:
        db.close()
