"""The decision brief: its PDF and HTML carry the plan result's figures, in en and ru."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from planner import brief
from planner.i18n import translator


def _plain(text: str) -> str:
    """Spaces of every kind as one plain space (pypdf and Babel differ on no-break ones)."""
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def _pdf_text(data: bytes) -> str:
    return _plain("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def _late_day(result) -> dt.date:
    """A day after the first order-by date of the advice (so something is late)."""
    import pandas as pd

    return (pd.to_datetime(result.advice["order_by"]).min() + pd.Timedelta(days=1)).date()


@pytest.fixture(scope="module")
def pdfs(plan_result):
    today = _late_day(plan_result)
    return today, {lang: brief.brief_pdf(plan_result, lang, today=today) for lang in ("en", "ru")}


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_pdf_arrivals_and_orders_equal_the_plan_result(plan_result, pdfs, lang):
    today, docs = pdfs
    text = _pdf_text(docs[lang])
    t = translator(lang, "brief")
    rng = brief.arrivals_range(plan_result.arrivals)
    totals = plan_result.arrivals.groupby("path")["arrivals"].sum()
    assert rng.median == round(totals.median())
    for v in (rng.median, rng.low, rng.high):
        assert _plain(t.number(v)) in text
    adv = plan_result.advice
    assert (adv["added_capacity"] > 0).any(), "the fixture must need an order"
    for _i, r in adv[adv["added_capacity"] > 0].iterrows():
        qty = _plain(brief.quantity(r["added_quantity"], r["quantity_unit"], t))
        assert qty in text
        assert _plain(t.number(r["added_capacity"])) in text
    if lang == "ru":  # Russian formats: grouping by a space, dates day first
        assert re.search(r"\d \d{3}", text) and re.search(r"\d{2}\.\d{2}\.\d{4}", text)
        assert "Справка для решения" in text and "Что заказать" in text


def test_late_orders_come_first_and_only_when_late(plan_result, pdfs):
    today, docs = pdfs
    text = _pdf_text(docs["en"])
    assert "LATE ALREADY" in text
    assert text.index("LATE ALREADY") < text.index("Scenario")
    early = brief.summarise(plan_result, today=dt.date(2000, 1, 1))
    assert early.late.empty == (~plan_result.advice["late"]).all()
    title, secs = brief.sections(early, translator("en", "brief"), charts=False)
    assert any(s.alert for s in secs) == bool(plan_result.advice["late"].any())


def test_html_says_what_the_pdf_says_and_escapes_text(plan_result):
    spec = plan_result.spec
    odd = dataclasses.replace(spec, scenario=spec.scenario.with_name("<b>x</b>"))
    res = dataclasses.replace(plan_result, spec=odd)
    page = brief.brief_html(res, "ru", today=dt.date(2000, 1, 1))
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    assert page.count('src="data:image/png;base64,') == 2
    rng = brief.arrivals_range(res.arrivals)
    assert translator("ru", "brief").number(rng.median) in page


def test_missing_font_names_the_debian_package(plan_result, monkeypatch, tmp_path):
    monkeypatch.setattr(brief, "FONT_DIR", tmp_path)
    with pytest.raises(brief.BriefError, match="fonts-dejavu-core"):
        brief.check_fonts()


def test_every_brief_message_has_a_russian_translation():
    from pathlib import Path

    from babel.messages.extract import extract_from_file

    from planner.i18n import translations

    ru = translations("ru", "brief")
    root = Path(brief.__file__).parent
    missing = []
    for f in ("brief.py", "brief_charts.py", "workbook.py"):
        for _line, msg, _c, _ctx in extract_from_file("python", str(root / f)):
            if isinstance(msg, tuple):
                ok = ru.ngettext(msg[0], msg[1], 5) != msg[1]
            else:
                ok = ru.gettext(msg) != msg or msg in ("m²",)
            if not ok:
                missing.append(msg)
    assert missing == []


def test_nothing_to_order_is_never_late(plan_result):
    import pandas as pd

    adv = plan_result.advice.assign(added_capacity=0.0, order_by=pd.NaT, needed_by=pd.NaT,
                                    late=False)
    assert not brief.late_orders(adv, dt.date(2100, 1, 1)).any()
    res = dataclasses.replace(plan_result, advice=adv)
    text = _pdf_text(brief.brief_pdf(res, "en", today=dt.date(2100, 1, 1)))
    assert "LATE ALREADY" not in text and "nothing to order" in text


# ---------------------------------------------------------------- no English in Russian
LATIN_ALLOWED = ("Natural Earth", "Our World in Data", "Country Borders", "country-borders",
                 "GeoDataSource", "Copernicus", "Frontex", "PaCE", "GitHub", "Harris et al.",
                 "refugees", "Candidate", "poldat", "ucdpbrds", "gdidata", "Prophet")
"""Source titles and names kept as their publishers write them (a publisher's name, a
dataset's, an R package's or a model library's title, a citation). Codes pass on their own: words without a
lower-case Latin letter (ISO3, UNHCR's and licences' ids: TJK, UCDP, CC BY-SA, ERA5, SPI) and
words holding a digit, ``_``, ``.``, ``/`` or ``@`` (versions, commits, file names)."""


def _english_words(text: str) -> list[str]:
    for phrase in LATIN_ALLOWED:
        text = text.replace(phrase, " ")
    words = re.findall(r"(?<![\w./@-])[A-Za-z][\w./@'-]*", text)
    return [w.rstrip(".") for w in words
            if re.search(r"[a-z]", w) and not re.search(r"[\d_./@]", w.rstrip("."))]


def test_the_english_word_check_can_fail():
    assert _english_words("Сценарий «compound»; CC BY 4.0; data/dyads.py; TJK; 0c16a6d; "
                          "bb775af; Natural Earth 1:110m; licence: CC BY-SA") == [
        "compound", "licence"]


def test_the_russian_brief_has_no_english_beyond_codes_and_source_titles(plan_result, pdfs):
    from forecast.scenarios import PRESET_TITLES

    text = _pdf_text(pdfs[1]["ru"])
    assert _english_words(text) == []
    title = translator("ru", "app").gettext(PRESET_TITLES["compound"])
    assert plan_result.spec.scenario.name == "compound" and _plain(title) in text
    assert "лицензия: CC BY 4.0" in text
    spec = plan_result.spec  # the other host method rests on other datasets
    share = dataclasses.replace(spec, forecast=dataclasses.replace(spec.forecast,
                                                                   host_method="share"))
    b = brief.summarise(dataclasses.replace(plan_result, spec=share), dt.date(2000, 1, 1))
    _title, secs = brief.sections(b, translator("ru", "brief"), charts=False)
    assert _english_words(" ".join(p for s in secs for p in (s.title, *s.paragraphs))) == []


def test_quantities_decline_for_their_number():
    en, ru = translator("en", "brief"), translator("ru", "brief")
    assert [brief.quantity(n, "classrooms", ru) for n in (1, 2, 5, 21, 142)] == [
        "1 класс", "2 класса", "5 классов", "21 класс", "142 класса"]
    assert brief.quantity(1, "seats", en) == "1 seat"
    assert _plain(brief.quantity(1876, "seats", ru)) == "1 876 мест"
    assert brief.quantity(3, "persons", ru) == "3 чел." and brief.quantity(None, "seats", ru) == ""


def test_scenario_and_surge_names_in_words():
    from forecast.host_model import SURGE_P90

    en, ru = translator("en", "brief"), translator("ru", "brief")
    assert brief.scenario_title("compound", en) == "Compound: conflict x3 + drought"
    assert brief.scenario_title("custom", ru) == "задан планировщиком"
    assert brief.scenario_title("<my plan>", ru) == "<my plan>"
    assert brief.surge_name("Afghanistan->Tajikistan 2021", ru) == "Афганистан → Таджикистан, 2021"
    assert "процентиль" in brief.surge_name(SURGE_P90, ru)


def test_every_registry_text_the_brief_prints_has_a_russian_entry():
    """Publishers, licences and vintages of the datasets are message ids of brief.po: a
    registry change without a catalogue update fails here (the brief would fall back to
    English)."""
    from babel.messages.pofile import read_po

    with open(brief.__file__.replace("brief.py", "locale/ru/LC_MESSAGES/brief.po"), "rb") as fh:
        cat = read_po(fh, locale="ru", domain="brief")
    texts = brief.registry_texts()
    assert len(texts) > 10
    missing = [x for x in texts if cat.get(x) is None or not cat.get(x).string
               or cat.get(x).fuzzy]
    assert missing == []


def test_the_russian_workbook_has_no_english_beyond_codes_and_source_titles(plan_result):
    import openpyxl

    from planner import workbook

    wb = openpyxl.load_workbook(io.BytesIO(workbook.workbook_bytes(plan_result, "ru")))
    prov = {r[0]: r[1] for r in wb["Происхождение"].iter_rows(min_row=2, values_only=True)}
    assert prov["Сценарий"] == brief.scenario_title("compound", translator("ru", "brief"))
    assert prov["Код сценария (в файле плана)"] == "compound"  # codes stay, labelled as codes
    alias = plan_result.spec.forecast.model
    assert prov["Модель перемещений"].endswith(f" ({alias})")  # its title, then its code
    english = []
    for ws in wb:
        for row in ws.iter_rows(values_only=True):
            if str(row[0]).startswith(("Код сценария", "Файл плана")):
                continue  # the scenario id and the plan file (JSON) are codes
            english += [w for v in row if isinstance(v, str)
                        for w in _english_words(v.replace(f"({alias})", ""))]
    assert english == []


def test_charts_drawn_on_the_chart_thread_reach_the_brief_and_errors_surface():
    from planner import brief_charts

    assert brief.warm_up_in_background().result(timeout=60) is None

    def broken():
        raise ValueError("no chart")

    s = brief.Section("x", image=brief_charts.submit(broken))
    with pytest.raises(ValueError, match="no chart"):
        _ = s.png
    assert brief.Section("x", image=b"\x89PNG").png == b"\x89PNG"
