"""The upload page's checks (everything later pages need, either CSV dialect), stale
drivers shown as warnings, and an uploaded arrivals series kept consistent on the
forecast page (issue 11 items 3-4, issue 14 item 9)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app_pages import services
from forecast import datasets
from forecast.errors import ForecastError

APP = str(Path(__file__).resolve().parents[2] / "app.py")
MONTHS = pd.date_range("2019-01-01", periods=36, freq="MS")


def _csv(rows, sep=",", fmt="%Y-%m-%d", dec=".") -> bytes:
    head = sep.join(("series_id", "ds", "y"))
    return (head + "\n" + "".join(sep.join(("mine", f"{m:{fmt}}", f"{y}".replace(".", dec)))
                                  + "\n" for m, y in rows)).encode()


@pytest.fixture(scope="module")
def drivers():
    return datasets.load_drivers()


def test_an_upload_is_checked_for_what_later_pages_need(drivers):
    ok, warnings = services.read_history_upload(_csv([(m, 10.5) for m in MONTHS]), "ok.csv",
                                                drivers)
    assert len(ok) == 36 and warnings == []
    bad = {"one.csv": _csv([(MONTHS[0], 1)]),
           "short.csv": _csv([(m, 1) for m in MONTHS[:20]]),
           "gap.csv": _csv([(m, 1) for m in MONTHS[:10]] + [(m, 1) for m in MONTHS[12:]]),
           "huge.csv": _csv([(m, 1e12) for m in MONTHS]),
           "quarterly.csv": _csv([(m, 1) for m in MONTHS[::3]])}
    for name, data in bad.items():
        with pytest.raises(ForecastError) as info:
            services.read_history_upload(data, name, drivers)
        assert str(info.value).startswith(name) and "\n" not in str(info.value)
    with pytest.raises(ForecastError, match="only_ds.csv: no driver column"):
        services.read_drivers_upload(b"ds\n2020-01-01\n2020-02-01\n", "only_ds.csv",
                                     datasets.load_history(), "frontex_afg_total")


def test_russian_excel_upload_reads_like_a_tidy_one(drivers):
    tidy, _ = services.read_history_upload(_csv([(m, 10.5) for m in MONTHS]), "a.csv", drivers)
    ru, _ = services.read_history_upload(b"\xef\xbb\xbf" + _csv(
        [(m, 10.5) for m in MONTHS], ";", "%d.%m.%Y", ","), "b.csv", drivers)
    pd.testing.assert_frame_equal(tidy, ru)


def test_stale_drivers_upload_is_accepted_with_a_warning():
    old = pd.date_range("1995-01-01", "2000-12-01", freq="MS")
    data = ("ds,spi3\n" + "".join(f"{m:%Y-%m-%d},0.5\n" for m in old)).encode()
    hist = datasets.load_history()
    df, warnings = services.read_drivers_upload(data, "old.csv", hist, "unhcr_asylum_GBR")
    assert len(df) == len(old)
    assert len(warnings) == 1 and "spi3 2000-12" in warnings[0]


@pytest.mark.slow
def test_uploaded_arrivals_are_charted_as_arrivals_with_their_own_skill_and_stale_warning():
    """Fits every model on the user's series (slow on a busy machine)."""
    from app_pages.controls import PENDING_SERIES

    at = AppTest.from_file(APP, default_timeout=600)
    at.run()
    mine = datasets.load_history(["unhcr_asylum_GBR"]).assign(series_id="my_area")
    old = datasets.load_drivers()
    old = old[old["ds"] <= "2014-12-01"].reset_index(drop=True)  # ends 3.7 years early
    at.session_state["user_data"] = {"history": mine, "drivers": old, "facilities": None,
                                     "kind": "arrivals", "seen": {}}
    at.session_state[PENDING_SERIES] = "my_area"
    at.session_state["user_kind"] = "arrivals"  # the page's radio holds the kind
    at.switch_page("app_pages/your_data.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    words = " ".join(m.value for m in at.markdown)
    assert "Monthly series: yours" in words and "arrivals into your host area" in words
    assert "Drivers: yours" in words and not at.json
    at.switch_page("app_pages/forecast_page.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("stale drivers" in w.value and "2014-12" in w.value for w in at.warning)
    spec = at.get("vega_lite_chart")[0].proto.spec
    assert "Arrivals forecast" in spec and "Movement forecast" not in spec
    assert any("no backtest has been run for my_area" in i.value for i in at.info)
    at.button(key="quick_backtest").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    from app_pages import labels

    skill = at.dataframe[-1].value
    assert set(skill.index) == {labels.model_title(m) for m in ("naive", "snaive", "drift")}
