"""The one reader of SPARQL text: masking, the policy guard, parameter binding, variables.

`mask` blanks what may hide a keyword or a brace (comments, strings, IRIs, escapes) and keeps
every offset, so the rest can be searched for real syntax. On it stand: `guard` (updates,
SERVICE to endpoints not allowed, nesting depth: a clear refusal before anything runs; the
engines' own limits are what make the endpoint safe), `where_brace` and `with_values` (a VALUES
block of RDF terms opening the outermost WHERE group, how parameters reach a remote endpoint),
and `variables_used` (stored-query checks)."""

from __future__ import annotations

import functools
import re

from ..errors import BadRequest, QueryDefinitionError, ReadOnly, Refused
from ..settings import Settings

# Scanned left to right, as a SPARQL lexer does: long strings, short strings (which end at a line
# break, \n or \r), IRIs (no control characters or spaces inside), comments (to the end of the
# line), and backslash escapes outside strings (a prefixed name may hold `\#`, not a comment).
_HIDING = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""' r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"' r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>' r"|#[^\n\r]*" r"|\\.", re.S)
_NAME_CHAR = r"[\w\-\u00B7\u00C0-\uFFFF]"
_SERVICE = re.compile(rf"(?<![?$:])(?<!{_NAME_CHAR})SERVICE(?!{_NAME_CHAR}|:)", re.I)
_SERVICE_WORD = re.compile("SERVICE", re.I)   # the same letters as _SERVICE under re.I (ſ and ı too)
_SILENT = re.compile(r"SILENT(?![\w-])", re.I)
_PROLOGUE = re.compile(r"\s*(?:(?:BASE|PREFIX\s*[^\s:]*:)(?![\w-])\s*)*", re.I)  # on masked text: IRIs are blank
_FORM = re.compile(r"(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w-])", re.I)
_UPDATE = re.compile(r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)(?![\w-])", re.I)
_NOT_BRACKET = re.compile(r"[^{}()\[\]]+")
_BRACE = re.compile(r"[{}]")
_WHERE = re.compile(r"\bWHERE\s*\{|\bASK\s*\{", re.I)
_VARIABLE = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")
# Oxigraph parses and evaluates a query recursively: about 850 nested EXISTS groups or 900
# nested function calls overflow a worker's 8 MB stack and kill it (SIGSEGV), and would take an
# Oxigraph server down in remote mode. Real queries nest a few levels; 256 leaves a 3x margin.
MAX_NESTING = 256


@functools.lru_cache(maxsize=4)   # a request's text is read several times (the guard, its form); small: 64 kB texts
def mask(text: str) -> str:
    """`text` with comments, strings, IRIs and escapes blanked (same length and offsets)."""
    return _HIDING.sub(lambda m: " " * len(m.group(0)), text)


# ---------------------------------------------------------------- the policy of a public endpoint


def service_targets(text: str) -> list[str]:
    """The endpoint of every SERVICE in the query: an absolute IRI, or the source text of what
    stands there instead (a variable, a prefixed name), which is never on an allow-list."""
    masked = mask(text)
    targets = []
    if not _SERVICE_WORD.search(masked):  # a quarter of the time _SERVICE's look-arounds take to find nothing
        return targets
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


def may_call_out(text: str) -> bool:
    """True when the text mentions `service` anywhere, in any case (in a string or an IRI too):
    the over-cautious reading that tells a worker not to evaluate such a query twice."""
    return "service" in text.lower()


def is_update(text: str) -> bool:
    """Whether the text is a SPARQL Update request (its first operation after the prologue)."""
    masked = mask(text)
    return bool(_UPDATE.match(masked, _PROLOGUE.match(masked).end()))


def query_form(text: str) -> str | None:
    """The kind of answer a query asks for, as formats.py names it: "select", "ask" or
    "construct" (DESCRIBE too), from its first keyword after the prologue; None if it has none."""
    masked = mask(text)
    found = _FORM.match(masked, _PROLOGUE.match(masked).end())
    if not found:
        return None
    form = found.group(1).lower()
    return "construct" if form == "describe" else form


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
    """Refuse, with a message that says why, what a read-only public endpoint does not run:
    updates, SERVICE calls to endpoints that are not allowed, and queries nested deeper than
    MAX_NESTING. Every engine calls it before running anything."""
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


# ---------------------------------------------------------------- parameters


@functools.lru_cache(maxsize=256)   # asked of the catalogue's few texts, once per request that binds one
def where_brace(text: str) -> int:
    """Offset just after the `{` that opens the outermost WHERE group."""
    masked = mask(text)
    depth = 0
    for brace in _BRACE.finditer(masked):
        position = brace.start()
        if brace.group() == "{":
            match = _WHERE.match(masked, _keyword_start(masked, position))
            if depth == 0 and match and match.end() == position + 1:
                return position + 1
            depth += 1
        else:
            depth -= 1
    raise QueryDefinitionError("the query has no outermost `WHERE {` to bind parameters in")


def _keyword_start(masked: str, brace: int) -> int:
    """Where the word before the brace at `brace` starts (skipping blanks)."""
    end = brace
    while end > 0 and masked[end - 1].isspace():
        end -= 1
    start = end
    while start > 0 and masked[start - 1].isalpha():
        start -= 1
    return start


def with_values(text: str, bindings: dict | None) -> str:
    """The query with a one-row VALUES block of the given RDF terms opening its WHERE group; each
    term is written by pyoxigraph, which escapes whatever could end it."""
    if not bindings:
        return text
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(str(term) for term in bindings.values())
    at = where_brace(text)
    return f"{text[:at]}\n  VALUES ({names}) {{ ({terms}) }}\n{text[at:]}"


_DATASET_CLAUSE = re.compile(r"(?<![\w:$?])FROM(?:\s+NAMED)?(?![\w-])", re.I)   # on masked text
_PREFIXED_NAME = re.compile(r"[^\s{]*")


def without_dataset_clauses(text: str) -> str:
    """The query without its FROM and FROM NAMED clauses (outside any group, where SPARQL puts
    them): what a request's protocol dataset replaces."""
    masked, kept, depth, last = mask(text), [], 0, 0
    for match in _DATASET_CLAUSE.finditer(masked):
        depth += masked.count("{", last, match.start()) - masked.count("}", last, match.start())
        if depth != 0 or match.start() < last:
            continue
        at = _skip_blanks(text, masked, match.end())
        end = text.index(">", at) + 1 if text.startswith("<", at) else _PREFIXED_NAME.match(masked, at).end()
        kept.append(text[last:match.start()])
        last = end
    return "".join(kept) + text[last:]


def variables_used(text: str) -> set[str]:
    return set(_VARIABLE.findall(mask(text)))
