"""The build step that writes the stored pages (page_store.py): the app is started on the
finished release and asked for every representation of every resource under `/id/` and
`/ontology/`, as a client would ask; each 200 answer is kept with its headers in pages.sqlite."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

import httpx

from ..project import BASE
from ..settings import Settings
from ..sparql.engine import json_rows
from .app import create_app
from .page_store import FILE, KEPT_HEADERS, PREFIXES, SCHEMA, code_stamp, serving, variants
from .site import Site, open_site

RENDERING_AT_ONCE = 8  # requests in flight: the workers run description queries while the loop renders


def write(release_dir: Path) -> str:
    """Render every resource of the release at `release_dir` into its pages.sqlite."""
    return asyncio.run(_write(release_dir, Settings(answer_cache_mb=0, worker_connections=False)))


DERIVE = {"pages": write}  # the build step (publish.build's `derive`)


async def _write(release_dir: Path, settings: Settings) -> str:
    target, partial = release_dir / FILE, release_dir / f".{FILE}.{os.getpid()}"
    partial.unlink(missing_ok=True)
    site = await open_site(settings, release_dir)
    db = sqlite3.connect(partial)
    try:
        db.executescript(SCHEMA)
        iris = await _resources(site)
        transport = httpx.ASGITransport(app=create_app(site))
        async with httpx.AsyncClient(transport=transport, base_url="http://pages.invalid") as client:
            at_once = asyncio.Semaphore(RENDERING_AT_ONCE)

            async def render(iri: str) -> list[tuple]:
                async with at_once:
                    return [row for key, query, headers in variants()
                            if (row := await _rendered(client, iri, key, query, headers)) is not None]
            for rows in await asyncio.gather(*(render(iri) for iri in iris)):
                db.executemany("INSERT INTO pages VALUES (?, ?, ?, ?, ?)", rows)
        db.executemany("INSERT INTO meta VALUES (?, ?)",
                       [("release", site.etag), ("code", code_stamp()), ("serving", serving(settings))])
        db.commit()
    finally:
        db.close()
        await site.close()
    os.replace(partial, target)
    return f"{len(iris)} resources"


async def _resources(site: Site) -> list[str]:
    """Every IRI under the prefixes that the data names, as subject or object."""
    starts = " || ".join(f'STRSTARTS(STR(?r), "{BASE}{prefix}/")' for prefix in PREFIXES)
    rows = await json_rows(site.engine, f"SELECT DISTINCT ?r WHERE {{ {{ ?r ?p ?o }} UNION {{ ?s ?p ?r }} "
                                        f"FILTER(isIRI(?r) && ({starts})) }}")
    return sorted(row["r"]["value"] for row in rows)


async def _rendered(client: httpx.AsyncClient, iri: str, key: str, query: str, headers: dict) -> tuple | None:
    path = "/" + quote(iri[len(BASE):], safe="/:@!$&'()*+,;=-._~%")
    answer = await client.get(path + (f"?{query}" if query else ""), headers={**headers, "accept-encoding": "identity"})
    if answer.status_code != 200:  # a retired identifier (301, 410): answered live
        return None
    kept = {name: value for name, value in answer.headers.items() if name in KEPT_HEADERS}  # in the app's order
    return iri, key, answer.headers["content-type"], json.dumps(kept), answer.content
