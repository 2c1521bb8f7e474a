"""The pages' templates: one autoescaped Jinja2 environment over web/templates/, and `render`."""

from __future__ import annotations

from functools import lru_cache

import jinja2

from .i18n import messages, other_language


@lru_cache(maxsize=1)
def templates() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("ict_diplomacy.web", "templates"),
                             autoescape=jinja2.select_autoescape(("html", "xml", "j2")),
                             trim_blocks=True, lstrip_blocks=True)
    env.globals["other_language"] = other_language
    env.globals["messages"] = messages
    return env


def render(name: str, **context) -> str:
    """A page; its language's interface texts are there as `t` (see i18n.MESSAGES)."""
    context.setdefault("t", messages(context.get("lang", "en")))
    return templates().get_template(name).render(**context)
