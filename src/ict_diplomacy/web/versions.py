"""Versions for people and programs: the list of versions (shown by /dumps/, whose module serves
their archived files under `/dumps/{version}/…`) and the "what changed" page of each version
(`/changes/{version}`: resources added, removed and changed, grouped by kind, in ja and en;
`?format=json` gives the release's changes.json as it is).

Everything comes from the release (`versions/index.json`, `versions/{version}/changes.json`),
written by the build from the archive: nothing here reads the data."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ..errors import NotFound
from ..formats import HTML, JSON
from ..project import ICTD, ONTOLOGY_IRI
from ..publish import history
from ..publish.release import MANIFEST
from .html import page
from .http import not_modified, pick_format, variant_etag
from .i18n import messages, other_language, pick_language
from .views import compact, href

SIDES = ("added", "removed", "changed")
OWL = "http://www.w3.org/2002/07/owl#"
OWL_KINDS = {OWL + "Class": "classes", OWL + "ObjectProperty": "object_properties",  # their names in MESSAGES
             OWL + "DatatypeProperty": "datatype_properties", OWL + "AnnotationProperty": "annotation_properties",
             OWL + "Ontology": "ontology"}
REVALIDATE = "public, max-age=300, must-revalidate"


def listing(index: list[dict], current: str) -> list[dict]:
    """The versions as /dumps/ lists them, newest first."""
    out = []
    for entry in reversed(index):
        version = entry["version"]
        base = f"/dumps/{version}/" if entry["archived"] else "/dumps/"
        files = [{"name": f["name"], "url": base + f["name"], "bytes": f["bytes"], "sha256": f["sha256"]}
                 for f in entry.get("files", [])]
        out.append({**{k: entry[k] for k in ("version", "issued", "previous", "archived", "triples",
                                              "added_triples", "removed_triples", "resources")},
                    "current": version == current, "changes": f"/changes/{version}", "files": files,
                    "manifest": f"{base}{MANIFEST}" if entry["archived"] else None})
    return out


# ---------------------------------------------------------------- the "what changed" page


def _label(labels: dict[str, str], lang: str, fallback: str) -> tuple[str, str | None]:
    """The name in the page's language, and the name in the other one when it differs."""
    name = labels.get(lang) or labels.get(other_language(lang)) or fallback
    other = labels.get(other_language(lang))
    return name, other if other and other != name else None


def _link(iri: str) -> str:
    if iri.startswith(ICTD):  # an ontology term: its entry on the ontology page
        return "/ontology#" + iri[len(ICTD):]
    return href(ONTOLOGY_IRI) if iri == ONTOLOGY_IRI else href(iri)


def changes_view(document: dict, lang: str) -> list[dict]:
    """The three lists of the page, each grouped by kind (groups and items sorted by name)."""
    kinds = {**document.get("kinds", {}), **{iri: {lang: messages(lang)[key]} for iri, key in OWL_KINDS.items()}}
    sections = []
    for side in SIDES:
        groups: dict[str, list[dict]] = {}
        for item in document["changes"].get(side, []):
            kind, _ = _label(kinds.get(item["kind"], {}), lang, compact(item["kind"]) if item["kind"] else "—")
            name, other = _label(item["labels"], lang, compact(item["iri"]))
            groups.setdefault(kind, []).append({
                "href": _link(item["iri"]), "name": name, "other": other, "iri": item["iri"],
                "added": item.get("added"), "removed": item.get("removed"),
                "properties": [compact(p) for p in item.get("properties", [])],
                "replaced_by": item.get("replaced_by") and {"href": _link(item["replaced_by"]),
                                                             "name": compact(item["replaced_by"])}})
        sections.append({"side": side, "count": sum(len(v) for v in groups.values()),
                         "groups": [{"kind": k, "members": sorted(v, key=lambda i: i["name"])}
                                    for k, v in sorted(groups.items())]})
    return sections


def routes(site) -> list[BaseRoute]:
    """`/changes/` (to the list of versions) and `/changes/{version}`."""
    index = history.read_index(site.release) if site.release else []
    documents = {entry["version"]: history.read_changes(site.release, entry["version"]) for entry in index}
    current = site.manifest.get("version", "")

    async def to_listing(request: Request) -> Response:
        return RedirectResponse("/dumps/#versions", status_code=308)

    async def changes(request: Request) -> Response:
        version = request.path_params["version"]
        document = documents.get(version)
        if document is None:
            raise NotFound(f"no version {version!r} here; /dumps/ lists the versions ({', '.join(documents) or 'none'})")
        fmt, _ = pick_format(request, [HTML, JSON])
        lang = pick_language(request)
        etag = variant_etag(site.etag, "changes", version, fmt.extension, lang)
        headers = {"Vary": "Accept, Accept-Language, Cookie", "ETag": etag, "Cache-Control": REVALIDATE}
        if not_modified(request, etag):
            return Response(status_code=304, headers=headers)
        if fmt is JSON:
            return JSONResponse(document, headers=headers)
        diff_base = f"/dumps/{version}/" if document["archived"] else "/dumps/" if version == current else None
        return page("changes.html", request, lang, headers=headers, doc=document,
                    sections=changes_view(document, lang), diff_base=diff_base,
                    alternates=[("json", "application/json", f"/changes/{version}?format=json")])

    return [
        Route("/changes", to_listing, methods=["GET", "HEAD"], name="changes-list-redirect"),
        Route("/changes/", to_listing, methods=["GET", "HEAD"], name="changes-list"),
        Route("/changes/{version}", changes, methods=["GET", "HEAD"], name="changes"),
    ]
