"""The message catalogues and the locale formats (planner.i18n)."""

import datetime as dt

import pytest

from planner import i18n


def test_russian_formats_group_with_a_space_and_write_dates_day_first():
    ru = i18n.translator("ru")
    assert ru.number(1876) == "1\u00a0876"
    assert ru.number(1876.25, digits=1) == "1\u00a0876,2"
    assert ru.date(dt.date(2026, 5, 1)) == "01.05.2026"


def test_english_formats_and_na_stays_blank():
    en = i18n.translator("en")
    assert en.number(1876) == "1,876"
    assert en.date(dt.date(2026, 5, 1)) == "2026-05-01"
    assert en.number(float("nan")) == "" and en.percent(None) == ""
    assert en.percent(0.1) == "10%"


def test_a_catalogued_message_is_translated_and_an_unknown_one_falls_back():
    ru = i18n.translator("ru")
    assert ru.gettext("Language") == "Язык"
    assert ru.gettext("no such message, surely") == "no such message, surely"


def test_an_unknown_language_is_refused_by_name():
    with pytest.raises(i18n.LanguageError, match="'xx'"):
        i18n.translator("xx")


@pytest.mark.parametrize("domain", i18n.DOMAINS)
def test_every_domain_has_a_russian_catalogue(domain):
    assert i18n.catalogue_path("ru", domain).is_file()
