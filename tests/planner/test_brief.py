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
        qty = _plain(f"{t.number(r['added_quantity'])} {brief.unit_name(r['quantity_unit'], t)}")
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
