"""语言 — Chinese and English (N4): the message catalogs, the locale of the current request, translation by msgid.

Chinese is the source language: every msgid is the Chinese text as written in a template or in Python, and a
Chinese page is the msgid itself. English comes from the gettext catalog `ggzy/locale/en/LC_MESSAGES/messages.po`,
extracted and compiled with Babel (`make messages`, `make compile-messages`). Business code marks the texts that a
person reads with `N_()` (it returns the Chinese unchanged, so ids, events and comparisons are never translated);
the edges translate them when they render, in the locale of the request, by looking the Chinese up.
"""

from __future__ import annotations

import gettext as _gettext
import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages import mofile, pofile
from babel.support import NullTranslations, Translations

log = logging.getLogger("ggzy.i18n")

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
DOMAIN = "messages"
DEFAULT = "zh"
LOCALES: tuple[str, ...] = ("zh", "en")
HTML_LANG = {"zh": "zh-CN", "en": "en"}
# The switch names each language in that language (WCAG 3.1.2: the link's own lang says how to read it).
NAMES = {"zh": "中文", "en": "English"}

_current: ContextVar[str] = ContextVar("ggzy_locale", default=DEFAULT)


def N_(message: str) -> str:  # noqa: N802 — gettext's own name for "mark, translate later"
    """Mark a Chinese text for the catalog; it is translated where it is shown."""
    return message


def normalise(value: str | None) -> str | None:
    """'en', 'en-GB', 'EN_us' → 'en'; 'zh-CN', 'zh-Hans' → 'zh'; anything else → None."""
    if not value:
        return None
    head = value.strip().replace("_", "-").split("-", 1)[0].lower()
    return head if head in LOCALES else None


def negotiate(accept_language: str | None) -> str:
    """The best of our locales for an Accept-Language header (RFC 9110 §12.5.4); Chinese when none is acceptable."""
    best, best_q = DEFAULT, -1.0
    for i, item in enumerate((accept_language or "").split(",")):
        tag, _, params = item.strip().partition(";")
        q = 1.0
        for p in params.split(";"):
            name, _, val = p.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(val)
                except ValueError:
                    q = 0.0
        loc = DEFAULT if tag.strip() == "*" else normalise(tag)
        if loc is not None and q > 0 and q - i * 1e-6 > best_q:  # equal weights: the earlier tag wins
            best, best_q = loc, q - i * 1e-6
    return best


def _load(locale: str) -> NullTranslations:
    folder = LOCALE_DIR / locale / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as f:
            return Translations(f, domain=DOMAIN)
    if po.exists():  # a fresh clone run without `make`: compile in memory (the test suite checks the catalog itself)
        log.info("%s is missing or older than its .po; compiling it in memory (make compile-messages)", mo)
        with po.open("rb") as f:
            catalog = pofile.read_po(f, locale=locale)
        buf = io.BytesIO()
        mofile.write_mo(buf, catalog, use_fuzzy=False)
        buf.seek(0)
        return Translations(buf, domain=DOMAIN)
    log.warning("no catalog for %s under %s", locale, LOCALE_DIR)
    return NullTranslations()


@cache
def translations(locale: str) -> NullTranslations | _gettext.NullTranslations:
    """The catalog of a locale; Chinese is the source, so it translates nothing."""
    if locale == DEFAULT or locale not in LOCALES:
        return NullTranslations()
    return _load(locale)


def current() -> str:
    return _current.get()


@contextmanager
def use(locale: str | None) -> Iterator[str]:
    """Render or answer in `locale` (Chinese if unknown) for the duration of the block."""
    loc = normalise(locale) or DEFAULT
    token = _current.set(loc)
    try:
        yield loc
    finally:
        _current.reset(token)


def gettext(message: str, locale: str | None = None) -> str:
    """The text in the given (or the current) locale; a text the catalog does not hold stays Chinese."""
    if not message:
        return message
    return str(translations(locale or _current.get()).gettext(message))


def ngettext(singular: str, plural: str, n: int, locale: str | None = None) -> str:
    return str(translations(locale or _current.get()).ngettext(singular, plural, n))


def pgettext(context: str, message: str, locale: str | None = None) -> str:
    return str(translations(locale or _current.get()).pgettext(context, message))


def npgettext(context: str, singular: str, plural: str, n: int, locale: str | None = None) -> str:
    return str(translations(locale or _current.get()).npgettext(context, singular, plural, n))
