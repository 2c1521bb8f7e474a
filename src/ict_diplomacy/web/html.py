"""The pages' templates: one autoescaped Jinja2 environment over web/templates/, `render` and `page`.

Every page gets the frame of base.html from the request (`frame`): its path, the same URL without
`lang` (for the language switch), its canonical URL in the page's language and the `hreflang`
alternates in both languages. Links to other pages keep the page's language: templates write
`href|localize`, forms carry a hidden `lang` field."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from ..project import BASE
from .assets import static_url
from .i18n import LANGUAGES, messages, other_language

HTML_HEADERS = {"Vary": "Accept-Language, Cookie"}
DESCRIPTION_LIMIT = 160  # characters of a meta description; search engines cut longer ones


def with_lang(url: str, lang: str | None) -> str:
    """`url` with `lang=` set to `lang` (None: removed), before any `#fragment`."""
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    if lang:
        kept.append(("lang", lang))
    query = "?" + urlencode(kept) if kept else ""
    return parts.path + query + (f"#{parts.fragment}" if parts.fragment else "")


@jinja2.pass_context
def localize(context, href: str | None) -> str | None:
    """A link to a page of this site in the page's language; other links as they are."""
    if not href or not href.startswith("/") or href.startswith("//"):
        return href
    return with_lang(href, context.get("lang"))


def shorten(text: str | None, limit: int = DESCRIPTION_LIMIT) -> str:
    """Text cut at a word (or, in Japanese, at any character) to at most `limit` characters."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[limit // 2:] else cut) + "…"


@lru_cache(maxsize=1)
def templates() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("ict_diplomacy.web", "templates"),
                             autoescape=jinja2.select_autoescape(("html", "xml", "j2")),
                             trim_blocks=True, lstrip_blocks=True)
    env.globals["other_language"] = other_language
    env.globals["messages"] = messages
    env.globals["static_url"] = static_url
    env.filters["localize"] = localize
    env.filters["shorten"] = shorten
    return env


def public_origin(request: Request) -> str:
    """Where clients reach this server: the `public_url` setting, else the dataset's own base
    (https://w3id.org/ict-diplomacy), never the request's Host header (which anyone can set)."""
    site = getattr(request.app.state, "site", None)
    return ((site.settings.public_url if site else "") or BASE).rstrip("/")


def frame(request: Request, lang: str) -> dict:
    """What base.html needs from the request: path, `here` (without lang), canonical and alternates."""
    here = with_lang(request.url.path + ("?" + request.url.query if request.url.query else ""), None)
    origin = public_origin(request)
    return {"path": request.url.path, "here": here, "canonical": origin + with_lang(here, lang),
            "languages": [(code, origin + with_lang(here, code)) for code in LANGUAGES],
            "x_default": origin + here, "origin": origin}


def render(name: str, request: Request | None = None, **context) -> str:
    """A page; its language's interface texts are there as `t` (see i18n.MESSAGES), and the
    frame of the request (see `frame`) when one is given."""
    lang = context.setdefault("lang", "en")
    context.setdefault("t", messages(lang))
    if request is not None:
        context = {**frame(request, lang), **context}
    return templates().get_template(name).render(**context)


def page(name: str, request: Request, lang: str, status: int = 200, headers: dict | None = None,
         **context) -> HTMLResponse:
    """A rendered page as the response, varying by language."""
    return HTMLResponse(render(name, request, lang=lang, **context), status_code=status,
                        headers={**HTML_HEADERS, **(headers or {})})
