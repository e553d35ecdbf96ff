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


# ---------------------------------------------------------------- the app catalogue
import ast  # noqa: E402
from pathlib import Path  # noqa: E402

from planner import catalogue  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def template():
    """The app catalogue's template, extracted once for this module."""
    return catalogue.template()


def test_every_app_message_has_a_russian_translation(template):
    """Every ``_()``/``N_()`` message of app.py and app_pages/ (Babel's extractor) and
    every vocabulary title the app translates has a non-empty, non-fuzzy Russian msgstr."""
    from babel.messages.pofile import read_po

    with i18n.catalogue_path("ru", "app").open("rb") as fh:
        ru = read_po(fh, locale="ru", domain="app")
    assert len(template) > 300  # the extractor saw the pages
    missing = [m.id for m in template if m.id and (
        ru.get(m.id) is None or not ru.get(m.id).string or ru.get(m.id).fuzzy)]
    assert not missing, f"{len(missing)} app message(s) without a Russian translation " \
                        f"(run `python -m planner.catalogue`, then translate): {missing[:5]}"


def test_translations_keep_every_placeholder(template):
    import re

    ru = i18n.translator("ru")
    for m in template:
        if m.id and "{" in m.id:
            fields = sorted(re.findall(r"\{(\w*)\}", m.id))
            assert sorted(re.findall(r"\{(\w*)\}", ru.gettext(m.id))) == fields, m.id


def test_the_committed_catalogue_is_the_merged_one(template):
    """app.po is what ``python -m planner.catalogue`` writes (sorted by file, references
    current): a page edit without a catalogue update fails here."""
    import re

    _, text = catalogue.merged("ru", template)
    committed = i18n.catalogue_path("ru", "app").read_text(encoding="utf-8")
    # Babel 2.14 (the lowest pin) numbers a call spread over lines by another line than 2.19
    # does; the files, messages, translations and their order must match either way
    # (`python -m planner.catalogue --check` compares the lines too, with the dev Babel)
    def unnumbered(t):
        return re.sub(r"^(#: .*)$", lambda m: re.sub(r":\d+", "", m.group(1)), t, flags=re.M)

    assert unnumbered(committed) == unnumbered(text)
    from importlib.metadata import version

    if tuple(int(x) for x in version("babel").split(".")[:2]) >= (2, 19):  # as written
        assert committed == text


USER_FACING = {"title", "header", "subheader", "markdown", "caption", "info", "warning",
               "error", "success", "write", "text", "button", "download_button", "selectbox",
               "multiselect", "slider", "select_slider", "radio", "checkbox", "toggle",
               "number_input", "text_input", "text_area", "file_uploader", "expander",
               "spinner", "toast", "date_input", "metric", "tabs", "link_button", "page_link"}
LOGGERS = {"LOG", "log", "logger", "logging"}
"""Receivers whose ``.warning(...)`` etc. write the server's log, not the page."""
MARKUP = set("-*#>|:`_ ~.,;()[]/\n") | set("0123456789")


def _bare_literals(path: Path) -> list[str]:
    """User-facing st.* calls in ``path`` whose label or text is a plain string constant."""
    bad = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in USER_FACING):
            continue
        if isinstance(node.func.value, ast.Name) and node.func.value.id in LOGGERS:
            continue  # a log line for the operator's console, not the page
        args = [*node.args[:1], *[k.value for k in node.keywords
                                  if k.arg in ("label", "body", "help", "caption", "text",
                                               "placeholder")]]
        for a in args:
            parts = ([a] if isinstance(a, ast.Constant) else
                     [v for v in a.values if isinstance(v, ast.Constant)]
                     if isinstance(a, ast.JoinedStr) else [])
            for c in parts:
                if (isinstance(c.value, str) and c.value.strip()
                        and any(ch.isalpha() and ch.isascii() for ch in c.value)
                        and not c.value.startswith(":material/")):
                    bad.append(f"{path.name}:{node.lineno}: st.{node.func.attr}({c.value!r})")
    return bad


@pytest.mark.parametrize("path", [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py"))],
                         ids=lambda p: p.name)
def test_no_page_passes_a_bare_string_to_a_user_facing_call(path):
    assert not _bare_literals(path), "wrap in _() from app_pages.text"


def test_the_bare_string_check_can_fail(tmp_path):
    page = tmp_path / "page.py"
    page.write_text('import streamlit as st\nst.title("Hello")\nst.caption(f"n = {n}")\n'
                    'st.markdown(_("ok"))\nst.markdown("---")\nst.button(label="Go")\n'
                    'LOG.warning("preload failed")\n')
    assert [b.split(": ", 1)[1] for b in _bare_literals(page)] == [
        "st.title('Hello')", "st.caption('n = ')", "st.button('Go')"]


def test_vega_locale_groups_with_a_space_and_names_months_in_russian():
    loc = i18n.vega_locale("ru")
    assert loc["number"]["thousands"] == "\u00a0" and loc["number"]["decimal"] == ","
    assert loc["time"]["months"][0] == "январь" and len(loc["time"]["shortMonths"]) == 12
    assert i18n.vega_locale("en")["time"]["months"][0] == "January"


def test_country_names_come_from_cldr():
    assert i18n.country_name("TJK", "ru") == "Таджикистан"
    assert i18n.country_name("TJK", "en") == "Tajikistan"
    assert i18n.country_name("KGZ", "ru") == "Кыргызстан"  # the official name, not CLDR's
    assert i18n.country_name("XXX", "ru") == "XXX"
