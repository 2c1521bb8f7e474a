"""The SPARQL 1.1 Protocol endpoint at /sparql: read-only, with the limits of the settings.

GET ?query=, POST form (query=), POST application/sparql-query. Results as SPARQL JSON, XML, CSV,
TSV; graphs as Turtle, N-Triples, JSON-LD, RDF/XML, chosen by Accept or ?format=. A bare GET
answers the SPARQL 1.1 Service Description, listing every limit. Updates are refused (405), and so
is SERVICE unless its endpoint is in the `service_allow` list (403): SERVICE would make the
server fetch any URL it is given, loopback addresses included."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .errors import BadRequest, MalformedQuery, PayloadTooLarge, ReadOnly, Refused, UnsupportedMediaType
from .project import BASE
from .site import FORMAT_NAMES, FORMATS, Settings, Site, choose_format

# ---------------------------------------------------------------- reading the query text safely

# Tokens that may hide a keyword: comments, strings (long and short), IRIs, and backslash escapes
# outside strings (a prefixed name may contain `\#`, which is not a comment). Scanned left to
# right, as a SPARQL lexer does, and blanked with spaces of the same length.
_HIDING = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""' r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"' r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>' r"|#[^\n\r]*" r"|\\.", re.S)
_NAME_CHAR = r"[\w\-\u00B7\u00C0-\uFFFF]"
_SERVICE = re.compile(rf"(?<![?$:])(?<!{_NAME_CHAR})SERVICE(?!{_NAME_CHAR}|:)", re.I)
_SILENT = re.compile(r"SILENT(?![\w-])", re.I)
_PROLOGUE = re.compile(r"\s*(?:(?:BASE|PREFIX\s*[^\s:]*:)(?![\w-])\s*)*", re.I)  # on masked text: IRIs are blank
# Oxigraph parses and evaluates a query recursively: about 850 nested EXISTS groups or 900
# nested function calls overflow a worker's 8 MB stack and kill it (SIGSEGV), and would take an
# Oxigraph server down in remote mode. Real queries nest a few levels; 256 leaves a 3x margin.
MAX_NESTING = 256
_NOT_BRACKET = re.compile(r"[^{}()\[\]]+")
_UPDATE = re.compile(r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)(?![\w-])", re.I)


def mask(text: str) -> str:
    """`text` with comments, strings, IRIs and escapes blanked (same length and offsets)."""
    return _HIDING.sub(lambda m: " " * len(m.group(0)), text)


def service_targets(text: str) -> list[str]:
    """The endpoint of every SERVICE in the query: an absolute IRI, or the source text of what
    stands there instead (a variable, a prefixed name), which is never on an allow-list."""
    masked = mask(text)
    targets = []
    for match in _SERVICE.finditer(masked):
        start = _skip_blanks(text, masked, match.end())
        if _SILENT.match(masked, start):
            start = _skip_blanks(text, masked, start + len("SILENT"))
        end = text.find(">", start)
        if text.startswith("<", start) and end > 0:
            targets.append(text[start + 1:end])
        else:
            targets.append(re.match(r"\S*", text[start:]).group(0) or "(nothing)")
    return targets


def _skip_blanks(text: str, masked: str, position: int) -> int:
    """The next position holding a token: past spaces and comments, not into a blanked IRI."""
    while position < len(masked) and masked[position].isspace() and text[position] != "<":
        position += 1
    return position


def is_update(text: str) -> bool:
    """Whether the text is a SPARQL Update request (its first operation after the prologue)."""
    masked = mask(text)
    return bool(_UPDATE.match(masked, _PROLOGUE.match(masked).end()))


def nesting_depth(text: str) -> int:
    """How deep the groups, parentheses and brackets of the query nest (strings, IRIs and
    comments aside)."""
    depth = deepest = 0
    for char in _NOT_BRACKET.sub("", mask(text)):
        if char in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "})]":
            depth -= 1
    return deepest


def guard(text: str, settings: Settings) -> None:
    """Refuse what a read-only public endpoint must not run: updates, SERVICE calls to
    endpoints that are not allowed, and queries nested deeper than MAX_NESTING. Both engines
    call it before running anything."""
    if (depth := nesting_depth(text)) > MAX_NESTING:
        raise BadRequest(f"the query nests {depth} levels deep (groups, parentheses, brackets); "
                         f"the limit is {MAX_NESTING}", detail={"depth": depth, "limit": MAX_NESTING})
    if is_update(text):
        raise ReadOnly("this SPARQL endpoint is read-only: updates (INSERT, DELETE, LOAD, CLEAR, …) are not accepted")
    refused = [t for t in service_targets(text) if t not in settings.service_allow]
    if refused:
        allowed = ", ".join(settings.service_allow) or "none"
        raise Refused(f"SERVICE (federated query) to {', '.join(refused)} is refused: this endpoint "
                      f"calls only the endpoints of its service_allow setting ({allowed})",
                      detail={"refused": refused, "allowed": list(settings.service_allow)})


# ---------------------------------------------------------------- the protocol

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
FORMAT_ACCEPT = {"json": "application/json", "xml": "application/xml"}


def routes(site: Site) -> list[Route]:
    async def endpoint(request: Request) -> Response:
        return await answer(site, request)
    return [Route("/sparql", endpoint, methods=["GET", "HEAD", "POST"])]


async def answer(site: Site, request: Request) -> Response:
    params = await protocol_params(request, site.settings.max_request_bytes)
    if "update" in params:
        raise ReadOnly("this SPARQL endpoint is read-only: the update operation is not accepted")
    queries = params.get("query", [])
    if not queries:
        return service_description(site, request)
    if len(queries) > 1:
        raise BadRequest("give exactly one query (the request has several `query` parameters)")
    if params.get("default-graph-uri") or params.get("named-graph-uri"):
        raise BadRequest("default-graph-uri and named-graph-uri are not supported: the whole dataset "
                         "is the default graph and there are no named graphs; leave them out")
    text = queries[0]
    if not text.strip():
        raise MalformedQuery("the query is empty")
    result = await site.engine.query(text, accept=requested_format(request, params),
                                     timeout=_timeout(params))
    request.state.rows = result.rows
    headers = {"Vary": "Accept", "X-SPARQL-Rows": str(result.rows),
               "Cache-Control": "no-cache"}
    if result.truncated:
        headers["X-SPARQL-Truncated"] = "true"
    return Response(result.body, media_type=_with_charset(result.media_type), headers=headers)


async def protocol_params(request: Request, max_bytes: int) -> dict[str, list[str]]:
    """The protocol's parameters from the URL and the body (form, query or update)."""
    if len(request.url.query) > max_bytes:
        raise PayloadTooLarge(f"the query string is longer than {max_bytes} bytes (max_request_bytes)")
    params: dict[str, list[str]] = {}
    for name, value in parse_qsl(request.url.query, keep_blank_values=True):
        params.setdefault(name, []).append(value)
    if request.method != "POST":
        return params
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == UPDATE_BODY:
        raise ReadOnly("this SPARQL endpoint is read-only: application/sparql-update is not accepted")
    body = (await read_body(request, max_bytes)).decode("utf-8", errors="replace")
    if content_type == FORM:
        for name, value in parse_qsl(body, keep_blank_values=True):
            params.setdefault(name, []).append(value)
    elif content_type == QUERY_BODY:
        params.setdefault("query", []).append(body)
    else:
        raise UnsupportedMediaType(
            f"POST a query as {QUERY_BODY} or as a {FORM} form; got {content_type or 'no Content-Type'}")
    return params


async def read_body(request: Request, max_bytes: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise PayloadTooLarge(f"the request body is {declared} bytes; the limit is {max_bytes} (max_request_bytes)")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise PayloadTooLarge(f"the request body is larger than {max_bytes} bytes (max_request_bytes)")
        chunks.append(chunk)
    return b"".join(chunks)


def requested_format(request: Request, params: dict[str, list[str]]) -> str:
    """An Accept value: ?format= (or ?output=) when given, else the request's Accept header."""
    wanted = (params.get("format") or params.get("output") or [""])[0].strip().lower()
    if not wanted:
        return request.headers.get("accept", "*/*")
    if wanted in FORMAT_ACCEPT:
        return FORMAT_ACCEPT[wanted]
    if wanted in FORMAT_NAMES:
        return FORMAT_NAMES[wanted].media_type
    if "/" in wanted:
        return wanted
    raise BadRequest(f"unknown format {wanted!r}",
                     detail={"formats": sorted(set(FORMAT_NAMES) | set(FORMAT_ACCEPT))})


def _timeout(params: dict[str, list[str]]) -> float | None:
    raw = (params.get("timeout") or [""])[0]
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise BadRequest(f"timeout must be a number of seconds, got {raw!r}") from None


def _with_charset(media_type: str) -> str:
    textual = media_type.startswith("text/") or media_type.endswith(("json", "xml", "triples"))
    return f"{media_type}; charset=utf-8" if textual else media_type


# ---------------------------------------------------------------- service description

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
VOID = "http://rdfs.org/ns/void#"
VOID_DATASET = ox.NamedNode(VOID + "Dataset")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
LIMITS = "https://w3id.org/ict-diplomacy/service#"
W3C_FORMAT_NAMES = {"json": "SPARQL_Results_JSON", "xml": "SPARQL_Results_XML", "csv": "SPARQL_Results_CSV",
                    "tsv": "SPARQL_Results_TSV", "ttl": "Turtle", "nt": "N-Triples", "jsonld": "JSON-LD",
                    "rdfxml": "RDF_XML"}


def service_description(site: Site, request: Request) -> Response:
    """The SPARQL 1.1 Service Description of this endpoint, in the RDF format Accept prefers."""
    endpoint = ox.NamedNode(str(request.url.replace(query="", fragment="")))
    triples = description_triples(site, endpoint)
    accept = requested_format(request, {})
    try:
        fmt = choose_format(accept, "construct")
    except Exception:  # noqa: BLE001 - browsers and SPARQL clients asking for results get Turtle
        fmt = FORMATS[4]
    rdf_format = ox.RdfFormat.from_media_type(fmt.media_type)
    prefixes = {"sd": SD, "void": VOID, "formats": FORMATS_NS, "limit": LIMITS,
                "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}
    triples.sort(key=lambda t: (isinstance(t.subject, ox.BlankNode), str(t.subject)))
    body = ox.serialize(triples, format=rdf_format,
                        prefixes=None if rdf_format == ox.RdfFormat.N_TRIPLES else prefixes)
    request.state.rows = len(triples)
    return Response(body, media_type=_with_charset(fmt.media_type), headers={"Vary": "Accept"})


def description_triples(site: Site, endpoint: ox.NamedNode) -> list[ox.Triple]:
    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(SD + name)
    triples = [ox.Triple(endpoint, RDF_TYPE, sd("Service")),
               ox.Triple(endpoint, sd("endpoint"), endpoint),
               ox.Triple(endpoint, sd("supportedLanguage"), sd("SPARQL11Query"))]
    triples += [ox.Triple(endpoint, sd("resultFormat"), ox.NamedNode(FORMATS_NS + W3C_FORMAT_NAMES[f.name]))
                for f in FORMATS]
    if site.settings.service_allow:
        triples.append(ox.Triple(endpoint, sd("feature"), sd("BasicFederatedQuery")))
    triples += _limit_triples(site.settings, endpoint)
    triples += _dataset_triples(site, endpoint, sd)
    return triples


def _limit_triples(settings: Settings, endpoint: ox.NamedNode) -> list[ox.Triple]:
    triples = []
    values = settings.as_dict()
    for row in Settings.table():
        prop = ox.NamedNode(LIMITS + row["name"])
        triples.append(ox.Triple(prop, RDFS_COMMENT, ox.Literal(row["help"], language="en")))
        value = values[row["name"]]
        for item in (value if isinstance(value, list) else [value]):
            if row["name"] == "sparql_endpoint" and not item:
                continue
            triples.append(ox.Triple(endpoint, prop, _literal(item)))
    return triples


def _literal(value) -> ox.Literal:
    if isinstance(value, bool):
        return ox.Literal(str(value).lower(), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
    if isinstance(value, (int, float)):
        kind = "integer" if isinstance(value, int) else "decimal"
        return ox.Literal(str(value), datatype=ox.NamedNode(f"http://www.w3.org/2001/XMLSchema#{kind}"))
    return ox.Literal(str(value))


def _dataset_triples(site: Site, endpoint: ox.NamedNode, sd) -> list[ox.Triple]:
    """The default dataset, described with the release's VoID statistics when it has void.ttl."""
    void_triples = _void(site)
    ours = sorted((t.subject for t in void_triples if t.predicate == RDF_TYPE and t.object == VOID_DATASET
                   and t.subject.value.startswith(BASE)), key=lambda s: len(s.value))
    dataset = ours[0] if ours else ox.BlankNode("dataset")
    graph = ox.BlankNode("defaultGraph")
    triples = [ox.Triple(endpoint, sd("defaultDataset"), dataset),
               ox.Triple(dataset, RDF_TYPE, sd("Dataset")),
               ox.Triple(dataset, sd("defaultGraph"), graph),
               ox.Triple(graph, RDF_TYPE, sd("Graph"))]
    if "triples" in site.manifest:
        triples.append(ox.Triple(graph, ox.NamedNode(VOID + "triples"), _literal(int(site.manifest["triples"]))))
    return triples + void_triples


def _void(site: Site) -> list[ox.Triple]:
    path = site.release / "void.ttl" if site.release else None
    if path is None or not path.exists():
        return []
    return [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]
