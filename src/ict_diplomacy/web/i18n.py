"""Language of the human pages: which one a request gets, the words of the interface, and
dates and money written for people.

One table holds every interface text in both languages (`MESSAGES` in messages.py, data rather
than code); templates read it as `t.key`. The language of a page is `?lang=` first, then the `lang` cookie
that the language switch sets (`/lang/{ja|en}`), then `Accept-Language`, then English. Dates are
written as precisely as the data states them (2019年12月 / December 2019); yen amounts in 億円 or
billion yen, the exact number kept beside them."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from ..formats import parse_accept
from ..project import ICTD, PREFIXES
from .messages import MESSAGES
from .http import query_params

LANGUAGES = ("ja", "en")
DEFAULT_LANGUAGE = "en"
COOKIE = "lang"
XSD = PREFIXES["xsd"]


MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")

# How the source's qualifiers of a number are written around it.
QUALIFIERS = {
    ICTD + "Approximately": {"ja": "約{}", "en": "about {}"},
    ICTD + "AtLeast": {"ja": "{}以上", "en": "at least {}"},
}

# Japanese and English units of large yen amounts, largest first.
YEN_UNITS = {
    "ja": ((10 ** 12, "兆円"), (10 ** 8, "億円"), (10 ** 4, "万円"), (1, "円")),
    "en": ((10 ** 12, " trillion yen"), (10 ** 9, " billion yen"), (10 ** 6, " million yen"), (1, " yen")),
}


def messages(lang: str) -> dict[str, str]:
    """The interface texts in one language, by key."""
    index = LANGUAGES.index(lang)
    return {key: texts[index] for key, texts in MESSAGES.items()}


def column_label(column: str, lang: str) -> str:
    """The header of a stored query's column (`countryLabel` is headed as `country`); the raw
    name when the table has none."""
    texts = MESSAGES.get("column_" + column.removesuffix("Label")) if column != "Label" else None
    return texts[LANGUAGES.index(lang)] if texts else column


# The source numbers its parts 1, (1), ア, (ア), A …: in English the katakana become letters in
# their order (ア イ ウ … → a b c …), so "1(1)ウ(イ) Latin America" reads "1(1)c(b) Latin America".
KATAKANA_ORDER = "アイウエオカキクケコサシスセソタチツテトナニヌネノ"
_NOTATION = re.compile(r"^[0-9A-Z()（）" + KATAKANA_ORDER + r"]+(?=\s|$)")


def notation_for(text: str, lang: str) -> str:
    """A section notation (or a label starting with one) as it is written in `lang`."""
    if lang != "en":
        return text
    found = _NOTATION.match(text)
    if not found or not any(c in KATAKANA_ORDER for c in found.group(0)):
        return text
    latin = "".join(chr(ord("a") + KATAKANA_ORDER.index(c)) if c in KATAKANA_ORDER else c for c in found.group(0))
    return latin + text[found.end():]


def sentence_case(text: str) -> str:
    """`country` → `Country` for a heading or a list (labels in the data are lower case)."""
    return text[:1].upper() + text[1:]


def other_language(lang: str) -> str:
    return "ja" if lang == "en" else "en"


def pick_language(request) -> str:
    """ja or en: `?lang=`, then the `lang` cookie, then Accept-Language, then English."""
    asked = (query_params(request).get("lang") or "").lower()
    if asked in LANGUAGES:
        return asked
    remembered = (request.cookies.get(COOKIE) or "").lower()
    if remembered in LANGUAGES:
        return remembered
    for tag, q in parse_accept(request.headers.get("accept-language") or "en"):
        primary = tag.split("-")[0]
        if q > 0 and primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


# ---------------------------------------------------------------- dates

def format_date(value: str, datatype: str | None, lang: str) -> str | None:
    """A date written for people at the precision of its datatype; None when it is not one."""
    try:
        if datatype == XSD + "date":
            year, month, day = (int(p) for p in value[:10].split("-"))
            return f"{year}年{month}月{day}日" if lang == "ja" else f"{day} {MONTHS_EN[month - 1]} {year}"
        if datatype == XSD + "gYearMonth":
            year, month = (int(p) for p in value[:7].split("-"))
            return f"{year}年{month}月" if lang == "ja" else f"{MONTHS_EN[month - 1]} {year}"
        if datatype == XSD + "gYear":
            return f"{int(value[:4])}年" if lang == "ja" else str(int(value[:4]))
    except (ValueError, IndexError):
        return None
    return None


# ---------------------------------------------------------------- numbers and money

def _decimal(value: str) -> Decimal | None:
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError):
        return None


def _plain(number: Decimal) -> str:
    """A decimal without exponent or trailing zeros, with thousands separators."""
    text = f"{number.normalize():f}"
    whole, _, fraction = text.partition(".")
    grouped = f"{int(whole):,}" if whole.lstrip("-").isdigit() else whole
    return grouped + (f".{fraction}" if fraction else "")


def format_number(value: str) -> str:
    number = _decimal(value)
    return value if number is None else _plain(number)


def qualify(text: str, qualifier: str | None, lang: str) -> str:
    pattern = QUALIFIERS.get(qualifier or "", {}).get(lang, "{}")
    return pattern.format(text)


def format_yen(value: str, lang: str, qualifier: str | None = None) -> dict:
    """`{"text": "約792億円", "exact": "79,200,000,000円"}` (or in English); the text uses the
    largest unit the amount reaches, the exact number stays beside it."""
    number = _decimal(value)
    if number is None:
        return {"text": value, "exact": value}
    for size, unit in YEN_UNITS[lang]:
        if abs(number) >= size:
            break
    text = qualify(_plain(number / size) + unit, qualifier, lang)
    exact = f"{_plain(number)}円" if lang == "ja" else f"¥{_plain(number)}"
    return {"text": text, "exact": exact}
