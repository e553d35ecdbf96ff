"""Translations of every user-facing string, and the locale's number and date formats.

Messages live in gettext catalogues, ``planner/locale/<lang>/LC_MESSAGES/<domain>.po``,
one domain per part of the tool that speaks to a user:

- ``app``: the Streamlit pages (``app_pages/``);
- ``brief``: the printable decision brief and the workbook (``planner``).

The ``.po`` files are the source of truth (edited by translators, checked by the tests);
they are read with Babel and compiled in memory, so no binary ``.mo`` file is committed.
English is the source language: a message without a translation falls back to itself,
and ``tests/planner/test_i18n.py`` fails when a message has no Russian translation.

Stable codes (CSV column names, JSON keys, ISO3 codes, preset ids) are never translated.
"""

from __future__ import annotations

import datetime as _dt
import gettext as _gettext
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

LANGUAGES: dict[str, str] = {"en": "English", "ru": "Русский"}
"""Language code -> its own name (as shown in the language menu)."""
DEFAULT_LANGUAGE = "en"
DOMAINS: tuple[str, ...] = ("app", "brief")
LOCALE_DIR = Path(__file__).parent / "locale"


class LanguageError(ValueError):
    """An unknown language code."""


def catalogue_path(lang: str, domain: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


def _check(lang: str) -> str:
    if lang not in LANGUAGES:
        raise LanguageError(f"unknown language {lang!r}: use one of {', '.join(LANGUAGES)}")
    return lang


@cache
def translations(lang: str, domain: str) -> _gettext.NullTranslations:
    """The compiled catalogue of ``domain`` in ``lang`` (``NullTranslations`` for English
    or a missing file). Fuzzy entries are left out, as ``msgfmt`` does."""
    path = catalogue_path(_check(lang), domain)
    if lang == DEFAULT_LANGUAGE or not path.is_file():
        return _gettext.NullTranslations()
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=domain)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return _gettext.GNUTranslations(buf)


def _na(x) -> bool:
    """NA of any kind (None, NaN, pandas NA, NaT): shown as an empty cell, never zero."""
    if x is None:
        return True
    try:
        return bool(x != x) or str(x) in ("<NA>", "NaT")
    except TypeError:  # pandas NA refuses bool()
        return True


@dataclass(frozen=True)
class Translator:
    """Messages and formats of one language and domain.

    ``t.gettext("Arrivals")``, ``t.ngettext("{n} month", "{n} months", n)``,
    ``t.number(1876)`` -> ``"1,876"`` (en) or ``"1 876"`` (ru, a no-break space),
    ``t.date(date(2026, 5, 1))`` -> ``"2026-05-01"`` (en) or ``"01.05.2026"`` (ru).
    """

    lang: str = DEFAULT_LANGUAGE
    domain: str = "app"

    def __post_init__(self) -> None:
        _check(self.lang)

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.lang)

    def gettext(self, message: str) -> str:
        return translations(self.lang, self.domain).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return translations(self.lang, self.domain).ngettext(singular, plural, n)

    def number(self, x: float, digits: int = 0) -> str:
        """``x`` rounded to ``digits`` decimals with the locale's grouping and decimal sign;
        NA (None or NaN) is an empty string, never zero."""
        if _na(x):
            return ""
        fmt = "#,##0" + ("." + "0" * digits if digits > 0 else "")
        return format_decimal(x, format=fmt, locale=self.locale)

    def percent(self, share: float, digits: int = 0) -> str:
        """A share (0.1) as the locale writes a percentage (``10%``, ``10 %``)."""
        if _na(share):
            return ""
        fmt = "#,##0" + ("." + "0" * digits if digits > 0 else "") + "%"
        return format_percent(share, format=fmt, locale=self.locale)

    def date(self, d: _dt.date) -> str:
        """A calendar date: ISO 8601 in English (the planning office's files use it),
        ``dd.mm.yyyy`` in Russian."""
        if _na(d):
            return ""
        if self.lang == DEFAULT_LANGUAGE:
            return d.strftime("%Y-%m-%d")
        return format_date(d, format="dd.MM.yyyy", locale=self.locale)

    def month(self, d: _dt.date) -> str:
        """A month (``2026-05`` in English, ``05.2026`` in Russian)."""
        if _na(d):
            return ""
        return d.strftime("%Y-%m") if self.lang == DEFAULT_LANGUAGE else d.strftime("%m.%Y")


def translator(lang: str = DEFAULT_LANGUAGE, domain: str = "app") -> Translator:
    return Translator(lang, domain)


OFFICIAL_NAMES: dict[tuple[str, str], str] = {("ru", "KGZ"): "Кыргызстан"}
"""Where CLDR's name differs from the country's own official short name in the language
(CLDR ru: "Киргизия"; the UN's Russian short name and the Kyrgyz Republic's: "Кыргызстан")."""


def country_name(iso3: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A country's name in ``lang`` from the CLDR territory names (Babel), looked up by
    its ISO 3166-1 alpha-3 code (pycountry); the code itself when it is not a country."""
    import pycountry

    c = pycountry.countries.get(alpha_3=str(iso3).upper())
    if c is None:
        return str(iso3)
    if (lang, c.alpha_3) in OFFICIAL_NAMES:
        return OFFICIAL_NAMES[(lang, c.alpha_3)]
    return Locale.parse(_check(lang)).territories.get(c.alpha_2, getattr(c, "common_name", c.name))


def vega_locale(lang: str = DEFAULT_LANGUAGE) -> dict:
    """The number and time locale of ``lang`` for Vega charts (``config.locale`` of a
    Vega-Lite spec; the format of d3-format and d3-time-format), from CLDR data (Babel):
    Russian groups thousands with a no-break space, writes a decimal comma and names the
    months in Russian on time axes."""
    loc = Locale.parse(_check(lang))
    sym = loc.number_symbols["latn"]

    def seq(d, order):
        return [d[k] for k in order]

    week = [6, 0, 1, 2, 3, 4, 5]  # d3 weeks start on Sunday; Babel numbers Monday 0
    months = range(1, 13)
    number = {"decimal": sym["decimal"], "thousands": sym["group"], "grouping": [3],
              "currency": ["", ""], "percent": sym["percentSign"], "minus": sym["minusSign"]}
    time = {
        "dateTime": "%x, %X",
        "date": "%d.%m.%Y" if lang != DEFAULT_LANGUAGE else "%Y-%m-%d",
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],  # the app shows no clock times
        "days": seq(loc.days["stand-alone"]["wide"], week),
        "shortDays": seq(loc.days["stand-alone"]["abbreviated"], week),
        "months": seq(loc.months["stand-alone"]["wide"], months),
        "shortMonths": seq(loc.months["stand-alone"]["abbreviated"], months),
    }
    return {"number": number, "time": time}
