"""Downloads: the files of the release (`/dumps/`) and the dataset description (`/catalog`,
`/.well-known/void`).

Only files named in the release's manifest (plus the manifest and the catalog files the build
writes) are ever served: a name is looked up in that table, never joined to a path as given.
Every file has its SHA-256 as ETag. `/dumps/{name}` always serves the current release, so it is
cached briefly and revalidated; `/dumps/{release}/{name}` names one release and never changes, so
it is cached for a year as immutable."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ..errors import NotFound
from ..formats import HTML, JSON, JSONLD, TURTLE
from ..project import BASE
from ..publish.dumps import describe_file
from .deref import alternates_of, render_resource, representation, split_extension
from . import seo
from .html import render
from .http import not_modified, pick_format
from .i18n import pick_language
from .views import Graph

MANIFEST = "manifest.json"
CATALOG_FILES = {"catalog": ("catalog.ttl", "catalog.jsonld"), "void": ("void.ttl", "void.jsonld")}
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, max-age=300, must-revalidate"


@dataclass(frozen=True)
class Download:
    """One servable file of the release."""

    name: str
    path: Path
    bytes: int
    sha256: str
    media_type: str

    @property
    def compressed(self) -> bool:
        return self.name.endswith(".gz")

    @property
    def content_type(self) -> str:
        """What is sent: a gzipped dump is sent as the gzip file it is (the listing says what is
        inside), so its bytes and checksum are exactly those of the manifest."""
        if self.compressed:
            return "application/gzip"
        return self.media_type + ("; charset=utf-8" if self.media_type.startswith("text/") else "")

    def as_json(self, release: str) -> dict:
        out = {"name": self.name, "url": f"/dumps/{self.name}", "permanent_url": f"/dumps/{release}/{self.name}",
               "bytes": self.bytes, "sha256": self.sha256, "media_type": self.media_type}
        if self.compressed:
            out["compress_format"] = "application/gzip"
        return out


def inventory(release: Path | None, manifest: dict) -> dict[str, Download]:
    """The files that may be served, by name: those of the manifest (with its checksums), then the
    manifest itself and any catalog files the release holds (checksummed here, once)."""
    if release is None:
        return {}
    files: dict[str, Download] = {}
    for entry in manifest.get("files", []):
        name = entry.get("name", "")
        path = release / name
        if "/" in name or "\\" in name or name.startswith(".") or not path.is_file():
            continue
        files[name] = Download(name, path, int(entry["bytes"]), entry["sha256"],
                               entry.get("media_type", "application/octet-stream"))
    extras = [MANIFEST, *(n for names in CATALOG_FILES.values() for n in names)]
    for name in extras:
        path = release / name
        if name not in files and path.is_file():
            entry = describe_file(path)
            files[name] = Download(name, path, entry["bytes"], entry["sha256"], entry["media_type"])
    return files


def human_size(size: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return str(size)


def _file_response(request: Request, download: Download, cache: str, extra: dict | None = None) -> Response:
    headers = {"ETag": f'"{download.sha256}"', "Cache-Control": cache, **(extra or {})}
    if not_modified(request, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    return FileResponse(download.path, media_type=download.content_type, headers=headers,
                        filename=download.name if download.compressed else None)


def description_triples(files: dict[str, Download]) -> list[ox.Triple]:
    """The triples of the release's DCAT catalog and VoID description (small files)."""
    found: set[ox.Triple] = set()
    for name in ("catalog.ttl", "void.ttl"):
        if name in files:
            found.update(q.triple for q in ox.parse(path=str(files[name].path), format=ox.RdfFormat.TURTLE))
    return sorted(found, key=str)


def describe_in(triples: list[ox.Triple], iri: str) -> list[ox.Triple]:
    """What the dataset description says about `iri`: its triples, those of its `#` parts, and
    the triples pointing at it."""
    return [t for t in triples if t.subject.value == iri or t.subject.value.startswith(iri + "#")
            or (isinstance(t.object, ox.NamedNode) and t.object.value == iri)]


def routes(site) -> list[BaseRoute]:
    """`/dumps/` (listing), `/dumps/{name}`, `/dumps/{release}/{name}`, `/catalog`, `/.well-known/void`,
    and the IRIs the dataset description mints (`/dataset…`, `/service/…`)."""
    files = inventory(site.release, site.manifest)
    described = description_triples(files)
    release_id = site.manifest.get("release", "")

    def lookup(name: str) -> Download:
        download = files.get(name)
        if download is None:
            raise NotFound(f"no file {name!r} in this release; /dumps/ lists the files there are")
        return download

    async def listing(request: Request) -> Response:
        if site.release is None:
            raise NotFound("this server has no local release to download (remote mode or nothing built yet)")
        fmt, _ = pick_format(request, [HTML, JSON])
        listed = [f.as_json(release_id) for f in files.values()]
        body = {"release": release_id, "built": site.manifest.get("built"), "triples": site.manifest.get("triples"),
                "ontology_version": site.manifest.get("ontology_version"), "files": listed,
                "catalog": "/catalog", "void": "/.well-known/void"}
        headers = {"Vary": "Accept, Accept-Language", "Cache-Control": REVALIDATE}
        if fmt is JSON:
            return JSONResponse(body, headers=headers)
        lang = pick_language(request)
        html = render("dumps.html", request, lang=lang, listing=body, human_size=human_size,
                      alternates=[("json", "application/json", "/dumps/?format=json")],
                      jsonld=seo.dataset_jsonld(site, request, lang), cite=seo.citation(site, request, lang))
        return HTMLResponse(html, headers=headers)

    async def current(request: Request) -> Response:
        download = lookup(request.path_params["name"])
        link = f'</dumps/{release_id}/{download.name}>; rel="canonical"'
        return _file_response(request, download, REVALIDATE, {"Link": link})

    async def permanent(request: Request) -> Response:
        if request.path_params["release"] != release_id:
            raise NotFound(f"release {request.path_params['release']!r} is not served here; "
                           f"the current release is {release_id!r}")
        return _file_response(request, lookup(request.path_params["name"]), IMMUTABLE)

    def description(kind: str, url: str):
        turtle, jsonld = CATALOG_FILES[kind]

        async def endpoint(request: Request) -> Response:
            fmt, _ = pick_format(request, [TURTLE, JSONLD], request.path_params.get("ext"))
            name = turtle if fmt is TURTLE else jsonld
            if name not in files:
                raise NotFound(f"this release has no {name}: the {kind} description is written by "
                               "`ict-diplomacy build` (rebuild with a version that writes it)")
            extra = {"Vary": "Accept", "Content-Location": f"{url}.{fmt.extension}",
                     "Link": ", ".join(f'<{url}.{f.extension}>; rel="alternate"; type="{f.media_type}"' for f in (TURTLE, JSONLD))}
            return _file_response(request, files[name], REVALIDATE, extra)
        return endpoint

    async def to_listing(request: Request) -> Response:
        return RedirectResponse("/dumps/", status_code=308)

    def dataset_resource(prefix: str):
        async def endpoint(request: Request) -> Response:
            return await _described(request, prefix + request.path_params.get("rest", ""))
        return endpoint

    async def _described(request: Request, path: str) -> Response:
        stem, extension = split_extension(path)
        if describe_in(described, BASE + path[1:]):  # the IRI itself may end in .ttl (a distribution)
            stem, extension = path, None
        iri = BASE + stem[1:]

        async def fetch():
            return describe_in(described, iri)

        async def page(graph: Graph, lang: str) -> str:
            return render_resource(request, graph, iri, lang, alternates_of(stem))

        return await representation(request, site, iri, stem, extension, fetch, page)

    catalog, void = description("catalog", "/catalog"), description("void", "/.well-known/void")
    return [
        Route("/dumps", to_listing, methods=["GET", "HEAD"], name="dumps-redirect"),
        Route("/dumps/", listing, methods=["GET", "HEAD"], name="dumps"),
        Route("/dumps/{name}", current, methods=["GET", "HEAD"], name="dump"),
        Route("/dumps/{release}/{name}", permanent, methods=["GET", "HEAD"], name="dump-permanent"),
        Route("/catalog", catalog, methods=["GET", "HEAD"], name="catalog"),
        Route("/catalog.{ext}", catalog, methods=["GET", "HEAD"], name="catalog-file"),
        Route("/.well-known/void", void, methods=["GET", "HEAD"], name="void"),
        Route("/.well-known/void.{ext}", void, methods=["GET", "HEAD"], name="void-file"),
        Route("/dataset", dataset_resource("/dataset"), methods=["GET", "HEAD"], name="dataset"),
        Route("/dataset{rest:path}", dataset_resource("/dataset"), methods=["GET", "HEAD"], name="dataset-part"),
        Route("/service/{rest:path}", dataset_resource("/service/"), methods=["GET", "HEAD"], name="service"),
    ]


