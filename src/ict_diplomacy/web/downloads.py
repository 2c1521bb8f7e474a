"""Downloads: the files of the release (`/dumps/`) and the dataset description (`/catalog`,
`/.well-known/void`).

Only files named in the release's manifest (plus the manifest and the catalog files the build
writes) are ever served: a name is looked up in that table, never joined to a path as given.
Every file has its SHA-256 as ETag, and is sent only while it still has it: a file whose size,
time or inode changed since it was last checked is hashed again, and refused (503) if damaged.
`/dumps/{name}` always serves the current release, so it is cached briefly and revalidated;
`/dumps/{version}/{name}` is a file of an archived version (its dump, diff, checksums and
manifest) and `/dumps/{release}/{name}` one of this release: neither ever changes, so they are
cached for a year as immutable. `/dumps/` lists the files and every version."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ..errors import NotFound, Unavailable
from ..formats import HTML, JSON, JSONLD, TURTLE
from ..project import BASE
from .deref import alternates_of, render_resource, representation, split_extension
from . import seo
from ..publish import history
from ..publish.dumps import describe_file, sha256_of
from ..publish.release import read_manifest
from . import versions
from .html import render
from .http import not_modified, pick_format
from .i18n import pick_language
from .views import Graph

log = logging.getLogger("ict_diplomacy.web")
MANIFEST = "manifest.json"
CATALOG_FILES = {"catalog": ("catalog.ttl", "catalog.jsonld"), "void": ("void.ttl", "void.jsonld")}
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, max-age=300, must-revalidate"


@dataclass
class Download:
    """One servable file of the release."""

    name: str
    path: Path
    bytes: int
    sha256: str
    media_type: str
    seen: tuple = field(default=(), compare=False)   # (size, mtime, inode) when its SHA-256 last held

    @classmethod
    def checked(cls, name: str, path: Path, size: int, sha256: str, media_type: str) -> "Download":
        """A file the server checked at start (publish.release.verify) or has just hashed."""
        return cls(name, path, size, sha256, media_type, _signature(path))

    def confirm(self) -> None:
        """Unavailable unless the file still has the SHA-256 it is served under."""
        try:
            now = _signature(self.path)
        except OSError:
            now = None
        if now == self.seen:
            return
        if now is None or now[0] != self.bytes or sha256_of(self.path) != self.sha256:
            log.error("%s no longer matches its SHA-256 in the manifest; not serving it", self.path)
            raise Unavailable(f"{self.name} of this release no longer matches its SHA-256 in the manifest "
                              "(damaged or replaced since the server started); it is not served")
        self.seen = now

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
        files[name] = Download.checked(name, path, int(entry["bytes"]), entry["sha256"],
                                       entry.get("media_type", "application/octet-stream"))
    extras = [MANIFEST, *(n for names in CATALOG_FILES.values() for n in names)]
    for name in extras:
        path = release / name
        if name not in files and path.is_file():
            entry = describe_file(path)
            files[name] = Download.checked(name, path, entry["bytes"], entry["sha256"], entry["media_type"])
    return files


def _signature(path: Path) -> tuple:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns, stat.st_ino


def archived_files(release: Path | None, index: list[dict]) -> dict[str, dict[str, Download]]:
    """version → name → file, for every archived version the release carries: the files its
    manifest lists, and the manifest (names from the manifests, never from a request)."""
    found: dict[str, dict[str, Download]] = {}
    for entry in index if release else []:
        if not entry.get("archived"):
            continue
        folder = release / history.VERSIONS_DIR / entry["version"]
        items = read_manifest(folder)["files"] + [describe_file(folder / MANIFEST)]
        found[entry["version"]] = {
            item["name"]: Download.checked(item["name"], folder / item["name"], int(item["bytes"]), item["sha256"],
                                           item.get("media_type", "application/octet-stream"))
            for item in items if "/" not in item["name"] and (folder / item["name"]).is_file()}
    return found


def human_size(size: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return str(size)


def _file_response(request: Request, download: Download, cache: str, extra: dict | None = None) -> Response:
    headers = {"ETag": f'"{download.sha256}"', "Cache-Control": cache, **(extra or {})}
    download.confirm()
    if not_modified(request, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    return FileResponse(download.path, media_type=download.content_type, headers=headers,
                        filename=download.name if download.compressed else None)


def description_triples(files: dict[str, Download]) -> list[ox.Triple]:
    """The triples of the release's DCAT catalog and VoID description (small files); a file that
    does not parse (the start-up check makes that unlikely) is left out and logged."""
    found: set[ox.Triple] = set()
    for name in ("catalog.ttl", "void.ttl"):
        if name in files:
            try:
                found.update(q.triple for q in ox.parse(path=str(files[name].path), format=ox.RdfFormat.TURTLE))
            except (OSError, SyntaxError, ValueError) as error:
                log.error("%s does not parse, its dataset description is not served: %s", name, error)
    return sorted(found, key=str)


def _listing(manifest: dict, files: dict[str, Download], index: list[dict]) -> dict:
    """/dumps/: this release's files, then every version (newest first)."""
    release_id = manifest.get("release", "")
    return {"release": release_id, "built": manifest.get("built"), "triples": manifest.get("triples"),
            "version": manifest.get("version", manifest.get("ontology_version")),
            "version_status": manifest.get("version_status"), "issued": manifest.get("issued"),
            "ontology_version": manifest.get("ontology_version"), "files": [f.as_json(release_id) for f in files.values()],
            "versions": versions.listing(index, manifest.get("version", "")),
            "catalog": "/catalog", "void": "/.well-known/void"}


def _canonical(download: Download, release_id: str, archived: dict[str, Download]) -> str:
    """The permanent URL of a current file: its archived version's when that holds the same bytes."""
    same = archived.get(download.name)
    if same is not None and same.sha256 == download.sha256:
        version = same.path.parent.name
        return f"/dumps/{version}/{download.name}"
    return f"/dumps/{release_id}/{download.name}"


def describe_in(triples: list[ox.Triple], iri: str) -> list[ox.Triple]:
    """What the dataset description says about `iri`: its triples, those of its `#` parts, and
    the triples pointing at it."""
    return [t for t in triples if t.subject.value == iri or t.subject.value.startswith(iri + "#")
            or (isinstance(t.object, ox.NamedNode) and t.object.value == iri)]


def routes(site) -> list[BaseRoute]:
    """`/dumps/` (listing), `/dumps/{name}`, `/dumps/{release}/{name}`, `/catalog`, `/.well-known/void`,
    and the IRIs the dataset description mints (`/dataset…`, `/service/…`)."""
    files = inventory(site.release, site.manifest)
    release_id = site.manifest.get("release", "")
    index = history.read_index(site.release) if site.release else []
    archived = archived_files(site.release, index)

    def lookup(name: str, among: dict[str, Download] = files) -> Download:
        download = among.get(name)
        if download is None:
            raise NotFound(f"no file {name!r} here; /dumps/ lists the files and versions there are")
        return download

    async def listing(request: Request) -> Response:
        if site.release is None:
            raise NotFound("this server has no local release to download (remote mode or nothing built yet)")
        fmt, _ = pick_format(request, [HTML, JSON])
        body = _listing(site.manifest, files, index)
        headers = {"Vary": "Accept, Accept-Language", "Cache-Control": REVALIDATE}
        if fmt is JSON:
            return JSONResponse(body, headers=headers)
        lang = pick_language(request)
        html = render("dumps.html", request, lang=lang, listing=body, human_size=human_size,
                      alternates=[("json", "application/json", "/dumps/?format=json")],
                      jsonld=seo.dataset_jsonld(site, request, lang), cite=seo.citation(site, request, lang))
        return HTMLResponse(html, headers=headers)

    async def current(request: Request) -> Response:
        name = request.path_params["name"]
        if name in archived:  # /dumps/0.1.0 (a version, not a file)
            return RedirectResponse(f"/dumps/#v{name}", status_code=308)
        download = lookup(name)
        link = f'<{_canonical(download, release_id, archived.get(site.manifest.get("version", ""), {}))}>; rel="canonical"'
        return _file_response(request, download, REVALIDATE, {"Link": link})

    async def permanent(request: Request) -> Response:
        release, name = request.path_params["release"], request.path_params["name"]
        if release in archived:
            return _file_response(request, lookup(name, archived[release]), IMMUTABLE)
        if release != release_id:
            raise NotFound(f"{release!r} is neither a published version ({', '.join(archived) or 'none'}) "
                           f"nor this release ({release_id!r}); /dumps/ lists them")
        return _file_response(request, lookup(name), IMMUTABLE)

    async def to_listing(request: Request) -> Response:
        return RedirectResponse("/dumps/", status_code=308)

    return [
        Route("/dumps", to_listing, methods=["GET", "HEAD"], name="dumps-redirect"),
        Route("/dumps/", listing, methods=["GET", "HEAD"], name="dumps"),
        Route("/dumps/{name}", current, methods=["GET", "HEAD"], name="dump"),
        Route("/dumps/{release}/{name}", permanent, methods=["GET", "HEAD"], name="dump-permanent"),
        *_description_routes(site, files),
    ]


def _description_routes(site, files: dict[str, Download]) -> list[BaseRoute]:
    """`/catalog`, `/.well-known/void` (Turtle or JSON-LD) and the IRIs the dataset description
    mints (`/dataset…`, `/service/…`), described from the release's catalog and VoID files."""
    described = description_triples(files)

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
        Route("/catalog", catalog, methods=["GET", "HEAD"], name="catalog"),
        Route("/catalog.{ext}", catalog, methods=["GET", "HEAD"], name="catalog-file"),
        Route("/.well-known/void", void, methods=["GET", "HEAD"], name="void"),
        Route("/.well-known/void.{ext}", void, methods=["GET", "HEAD"], name="void-file"),
        Route("/dataset", dataset_resource("/dataset"), methods=["GET", "HEAD"], name="dataset"),
        Route("/dataset{rest:path}", dataset_resource("/dataset"), methods=["GET", "HEAD"], name="dataset-part"),
        Route("/service/{rest:path}", dataset_resource("/service/"), methods=["GET", "HEAD"], name="service"),
    ]
