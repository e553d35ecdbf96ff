"""AppTest checks of every page: set widgets, rerun, the charts' data change, no exception."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages import services
from app_pages.labels import COLUMNS

APP = str(Path(__file__).resolve().parents[2] / "app.py")
MEDIAN = COLUMNS["median"]  # tables show words (English by default), the data keep their codes


def advice(at: AppTest):
    """The capacity advice frame behind the Capacity page's table (codes, numbers)."""
    return at.session_state["last_capacity"]["advice"].set_index("facility_type")


def chart_data(at: AppTest) -> list[tuple[str, ...]]:
    """The data of every chart on the page: per chart, a SHA-256 of each dataset's Arrow
    bytes with its name (names alone may stay the same when the data change)."""
    import hashlib

    return [tuple(sorted(f"{d.name}:{hashlib.sha256(d.data.data).hexdigest()[:16]}"
                         for d in el.proto.datasets)) for el in at.get("vega_lite_chart")]


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture()
def app(monkeypatch, tmp_path) -> AppTest:
    monkeypatch.setenv("PLANNER_STORE_DIR", str(tmp_path / "plan_store"))  # never the user's
    at = AppTest.from_file(APP, default_timeout=300)
    return ok(at.run())


def totals(at: AppTest):
    """The forecast page's table of total arrivals per host, with a ``median`` column
    (persons; found by its header in words, :data:`MEDIAN`)."""
    df = next(d.value for d in at.dataframe if MEDIAN in d.value.columns)
    return df.rename(columns={MEDIAN: "median"})


def press(at: AppTest, key: str = "apply_scenario") -> AppTest:
    """Press a form's Apply button (sidebar: ``apply_scenario``; Capacity page:
    ``apply_capacity``): the levers inside a form wait for it; the next run applies them."""
    at.button(key=key).click()
    return at


def goto(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"app_pages/{page}.py")
    return ok(at.run())


def _overview_tab(at: AppTest, kind: str) -> AppTest:
    """Open the Overview's tab ``kind`` (movement, drivers, sources), as a click does."""
    labels = [tab.label for tab in at.tabs]
    at.session_state[services.OVERVIEW_TAB] = labels[list(("movement", "drivers", "sources")).index(kind)]
    return ok(at.run())


def test_overview_shows_history_drivers_and_sources(app):
    before = chart_data(app)
    assert [tab.label for tab in app.tabs] == ["Movement and refugees", "Drivers", "Sources"]
    assert len(before) == 2  # movement and Central Asian stocks; the closed tabs not drawn
    assert not app.dataframe and "overview_from_year" not in [w.key for w in app.slider]
    app.multiselect(key="overview_series").set_value(["unhcr_asylum_GBR"])
    after = chart_data(ok(app.run()))
    assert after[0] != before[0]  # movement chart follows the series choice

    at = _overview_tab(app, "drivers")
    drivers = chart_data(at)
    assert len(drivers) == 5 and not at.multiselect  # five driver panels, nothing else
    at.slider(key="overview_from_year").set_value(2015)
    assert chart_data(ok(at.run())) != drivers  # the panels follow the year slider

    at = _overview_tab(at, "sources")
    assert not chart_data(at) and "UNHCR" in at.dataframe[0].value.to_string()
    # a tab closed and opened again keeps what the planner chose in it
    assert _overview_tab(at, "movement").multiselect(key="overview_series").value == [
        "unhcr_asylum_GBR"]
    assert _overview_tab(at, "drivers").slider(key="overview_from_year").value == 2015


def test_overview_tab_survives_a_change_of_language(app):
    at = _overview_tab(app, "drivers")
    at.session_state["lang"] = "ru"
    at = ok(at.run())
    assert [tab.label for tab in at.tabs] == ["Перемещения и беженцы", "Факторы", "Источники"]
    assert at.session_state[services.OVERVIEW_TAB] == "Факторы"
    assert len(chart_data(at)) == 5


def test_forecast_page_reacts_to_scenario_sliders(app):
    at = goto(app, "forecast_page")
    before = chart_data(at)
    assert len(before) >= 2
    at.sidebar.slider(key="conflict_k").set_value(5.0)
    assert chart_data(ok(at.run())) == before  # moved, not applied: nothing reruns
    at.sidebar.slider(key="conflict_k").set_value(5.0)  # AppTest drops a staged value on a run
    after = chart_data(ok(press(at).run()))
    assert after != before
    assert "fatalities x5" in at.caption[0].value  # the applied scenario, in words


def test_forecast_page_border_openness_scales_host_arrivals(app):
    at = goto(app, "forecast_page")
    full = totals(at)
    at.sidebar.slider(key="border_openness_pct").set_value(50)
    half = totals(ok(press(at).run()))
    assert (half["median"] <= full["median"] + 1e-9).all()
    assert half["median"].sum() < full["median"].sum()


def test_preset_sets_sliders(app):
    at = goto(app, "forecast_page")
    at.sidebar.selectbox(key="preset").set_value("drought")
    ok(at.run())
    assert at.sidebar.slider(key="drought_spi").value == pytest.approx(-1.5)
    assert at.sidebar.slider(key="conflict_k").value == pytest.approx(1.0)


def test_the_overview_draws_no_levers_and_keeps_the_applied_scenario(app):
    assert not app.sidebar.slider and not app.sidebar.button  # the history needs no scenario
    assert [w.key for w in app.sidebar.selectbox] == ["lang"]
    assert "Scenario & forecast" in app.sidebar.caption[0].value
    at = goto(app, "forecast_page")
    at.sidebar.selectbox(key="preset").set_value("conflict_escalation")  # applies at once
    ok(at.run())
    at.sidebar.slider(key="horizon").set_value(12)
    at.sidebar.selectbox(key="host").set_value("TJK")
    at = ok(press(at).run())
    applied = {k: at.session_state[k] for k in ("conflict_k", "horizon", "host", "preset")}
    words = at.sidebar.caption[-1].value
    at = goto(at, "overview")
    assert not at.sidebar.slider
    assert at.sidebar.caption[-1].value == words  # the applied scenario, in words
    for page in ("capacity", "forecast_page"):  # back on a page with levers: all kept
        at = goto(at, page)
        assert {k: at.session_state[k] for k in applied} == applied, page
        assert at.sidebar.slider(key="horizon").value == 12
        assert at.sidebar.selectbox(key="host").value == "TJK"
        assert at.sidebar.slider(key="conflict_k").value == applied["conflict_k"] != 1.0
        at = goto(at, "overview")


def test_capacity_page_runs_and_reacts(app):
    app.session_state["horizon"] = 12
    at = goto(app, "capacity")
    editor = next(d.value for d in at.dataframe if "opens" in d.value.columns)
    assert (editor["opens"] == "").all()  # no opening date: an empty cell, not "None"
    at.slider(key="cap_runs").set_value(40)
    before = chart_data(ok(press(at, "apply_capacity").run()))
    assert len(before) == 4  # shelter, school, clinic, P(shortfall)
    small = at.dataframe[-1].value.set_index("Facility")
    at.slider(key="cap_scale").set_value(400)
    after = chart_data(ok(press(at, "apply_capacity").run()))
    assert after[0] != before[0] and after[3] != before[3]
    big = at.dataframe[-1].value.set_index("Facility")
    assert set(big.index) == {"Shelter", "School seats", "Clinic consultations"}
    # a 400x surge needs at least as much added capacity of every kind, and more of some
    big, small = big["Capacity to add"], small["Capacity to add"].reindex(big.index)
    assert (big >= small).all()
    assert (big > small).any()


def test_capacity_page_rejects_bad_facilities(app):
    at = goto(app, "capacity")
    at.session_state["user_data"]["facilities"] = None
    ok(at.run())
    # an absurd facility edit is refused with a message, not a crash

    from app_pages import services

    bad = services.default_facilities().copy()
    bad.loc[0, "quantity"] = -5
    at.session_state["user_data"]["facilities"] = bad
    ok(at.run())
    assert at.error and "quantity" in at.error[0].value


def _persons(cell: str) -> float:
    return float("".join(c for c in str(cell) if c.isdigit()) or "nan")


def test_compare_page_two_scenarios_and_saved_plans(app):
    from planner.pipeline import CapacitySettings

    app.session_state["capacity_settings"] = CapacitySettings(n_runs=20)  # a light plan
    app.session_state["n_paths"] = 50
    at = goto(app, "compare")
    before = chart_data(at)
    n_hosts = len(at.multiselect(key="compare_hosts").value) if any(
        m.key == "compare_hosts" for m in at.multiselect) else 1
    # one panel per scenario and host
    assert len(before) == len(at.multiselect(key="compare_choice").value) * n_hosts
    at.multiselect(key="compare_choice").set_value(["baseline", "border_restriction"])
    after = chart_data(ok(at.run()))
    assert after != before and len(after) == 2 * n_hosts
    totals, advice = at.dataframe[0].value, at.dataframe[1].value
    base, restr = (_persons(v) for v in totals["Median total"])
    assert restr < base
    assert list(advice.columns)[-2:] == ["Baseline", "Border restriction"]  # side by side
    # save the sidebar plan, see it listed and chosen, rename it, delete it
    at.text_input(key="store_save_name").input("office plan")
    ok(at.run())
    at.button(key="store_save").click()
    ok(at.run())
    assert "Saved 'office plan'" in at.success[0].value
    assert at.selectbox(key="store_pick").value == "office plan"
    at.multiselect(key="compare_choice").set_value(["baseline", "_stored:office plan"])
    ok(at.run())
    assert list(at.dataframe[2].value.columns)[-1] == "office plan"
    at.text_input(key="store_new_name").input("office plan v2")
    ok(at.run())
    at.button(key="store_rename").click()
    ok(at.run())
    assert at.selectbox(key="store_pick").value == "office plan v2"
    at.button(key="store_save").click()  # the old name is free again
    ok(at.run())
    assert sorted(at.selectbox(key="store_pick").options) == ["office plan", "office plan v2"]
    at.button(key="store_save").click()  # the same name again: refused in one line
    ok(at.run())
    assert "exists" in at.error[0].value and "\n" not in at.error[0].value
    assert at.selectbox(key="store_pick").value == "office plan v2"
    at.checkbox(key="store_confirm_delete").check()
    ok(at.run())
    at.button(key="store_delete").click()
    ok(at.run())
    assert at.selectbox(key="store_pick").options == ["office plan"]


def test_your_data_page_renders(app):
    at = goto(app, "your_data")
    assert at.title[0].value == "Your data"
    assert len(at.get("file_uploader")) == 3  # series, drivers, facilities


def test_export_page_offers_downloads(app):
    at = goto(app, "export")
    keys = {b.key for b in at.get("download_button")}
    assert {"dl_forecast", "dl_paths", "dl_scenario", "dl_zip", "dl_png"} <= keys
    before = chart_data(at)
    at.sidebar.slider(key="food_k").set_value(2.0)
    assert chart_data(ok(press(at).run())) != before


def test_host_without_estimated_share_is_explained_then_usable(app):
    at = goto(app, "capacity")
    at.sidebar.selectbox(key="host").set_value("TKM")
    at = ok(press(at).run())
    if at.warning:  # no UNHCR share for Turkmenistan: the page says what to do
        assert "share" in at.warning[0].value
        at.sidebar.number_input(key="host_share_pct").set_value(1.0)
        ok(press(at).run())
    assert not [w for w in at.warning if "share" in w.value]
    assert len(chart_data(at)) == 4


def test_sites_page_allocates_and_reacts_to_closure(app):
    at = goto(app, "sites")
    before = chart_data(at)
    assert len(before) == 2  # map, reception-site occupancy
    table = at.dataframe[0].value
    country, persons = COLUMNS["country"], COLUMNS["persons_end"]
    tkm_before = table.loc[table[country] == "Turkmenistan", persons].sum()
    at.checkbox(key="net_close_tkm").check()  # inside the form: applied with its button
    after = chart_data(ok(press(at, "apply_sites").run()))
    assert after != before
    table = at.dataframe[0].value
    tkm_after = table.loc[table[country] == "Turkmenistan", persons].sum()
    assert tkm_after < tkm_before  # a closed border sends nobody to Turkmenistan


def test_forecast_page_shows_backtest_skill_of_every_model(app):
    at = goto(app, "forecast_page")
    skill = at.dataframe[-1].value
    from forecast.models import MODEL_TITLES

    assert {MODEL_TITLES[m] for m in ("ensemble", "snaive", "naive", "sarimax", "prophet", "ets",
                                      "drift")} <= set(skill.index)
    assert skill[COLUMNS["crps"]].is_monotonic_increasing


def test_share_years_changes_host_arrivals(app):
    app.session_state["host_method"] = "share"
    at = goto(app, "forecast_page")
    before = totals(at)
    at.sidebar.select_slider(key="share_years").set_value(3)
    after = totals(ok(press(at).run()))
    assert not after["median"].equals(before["median"])


def test_user_arrivals_series_is_used_by_forecast_and_capacity(app):
    from forecast import datasets

    mine = datasets.load_history(["unhcr_asylum_GBR"]).assign(series_id="my_area")
    app.session_state["user_data"] = {"history": mine, "drivers": None, "facilities": None,
                                      "kind": "arrivals"}
    at = goto(ok(app.run()), "forecast_page")
    assert "my_area" in at.sidebar.selectbox(key="series_id").options
    at.sidebar.selectbox(key="series_id").set_value("my_area")
    at = ok(press(at).run())
    assert at.subheader[0].value.startswith("my_area")
    at = goto(at, "capacity")
    assert "your series my_area" in at.caption[0].value
    assert len(chart_data(at)) == 4


def test_a_surge_analogue_raises_host_arrivals_and_the_capacity_advice(app):
    """The pooled host model is the default; a real surge analogue visibly raises the
    Tajik arrivals on the forecast page and the shelter advice on the Capacity page."""
    app.session_state["host"] = "TJK"
    app.session_state["horizon"] = 12
    at = goto(app, "forecast_page")
    base = totals(at)["median"]
    tjk = [i for i in base.index if "Tajik" in str(i)][0]
    # of the order of UNHCR's recent Tajik arrivals (5,307 in 2024, 1,876 in 2025), not tens
    assert 300 < base[tjk] < 20_000
    at.sidebar.selectbox(key="analogue").set_value("Afghanistan->Tajikistan 2021")
    surge = totals(ok(press(at).run()))["median"]
    assert surge[tjk] > 2.5 * base[tjk]
    at = goto(at, "capacity")
    at.slider(key="cap_runs").set_value(40)
    adv_surge = advice(ok(press(at, "apply_capacity").run()))
    at.sidebar.selectbox(key="analogue").set_value("")
    adv_base = advice(ok(press(at).run()))
    assert adv_surge.loc["shelter", "required_capacity"] > adv_base.loc["shelter", "required_capacity"]


# English words that must not be left on a page in Russian (proper names, codes in
# backticks and column codes of the upload formats are allowed)
ENGLISH = {"the", "and", "of", "for", "with", "from", "into", "per", "month", "months", "year",
           "persons", "arrivals", "arrival", "forecast", "scenario", "scenarios", "capacity",
           "shelter", "school", "clinic", "risk", "share", "host", "hosts", "series", "model",
           "median", "runs", "run", "upload", "download", "data", "page", "shortfall", "total",
           "sites", "site", "routes", "compare", "none", "yes", "facility", "facilities",
           "movement", "drivers", "sources", "step", "days", "horizon", "seed", "paths",
           "borders", "border", "drought", "conflict", "food", "prices", "surge", "plan",
           "export", "overview", "your", "language", "baseline", "advice", "open", "country",
           "unit", "name", "save", "loaded", "refused", "random", "advanced", "sample"}
PAGES = ("overview", "forecast_page", "capacity", "sites", "compare", "export", "your_data")


def _page_words(at: AppTest) -> list[tuple[str, str]]:
    """Visible words of a page: texts, widget labels, help and options, table headers."""
    import re

    out = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                 "error", "success"):
        out += [(kind, e.value) for e in getattr(at, kind)]
    for kind in ("selectbox", "multiselect", "slider", "select_slider", "radio", "checkbox",
                 "button", "number_input", "text_input"):
        for w in at.get(kind):
            out.append((kind, w.label))
            out += [(kind, str(h)) for h in [getattr(w, "help", None)] if h]
            out += [(kind, str(o)) for o in (getattr(w, "options", None) or [])
                    if w.label != "Язык"]
    out += [("tab", tab.label) for tab in at.tabs]
    for d in at.dataframe:
        if d.editing_mode == "read_only":  # editors keep their codes (headers in column_config)
            frame = d.value
            out += [("table", str(c)) for c in [*frame.columns, frame.index.name] if c]
    found = []
    for kind, text in out:
        text = re.sub(r"`[^`]*`|:material/\w+:|docs/\S+", " ", str(text))
        found += [(kind, w) for w in re.findall(r"[A-Za-z]+", text) if w.lower() in ENGLISH]
    return found


@pytest.mark.slow
def test_every_page_in_russian_has_no_english_left(app):
    """With the language set to Russian, no page shows an English word of the stop list in
    its titles, texts, widget labels, help, options or table headers."""
    from planner.pipeline import CapacitySettings

    app.session_state["lang"] = "ru"
    app.session_state["horizon"] = 12
    app.session_state["n_paths"] = 50
    # words, not figures: a light plan, and Compare with two scenarios (still every element)
    app.session_state["capacity_settings"] = CapacitySettings(n_runs=20)
    app.session_state["compare_choice"] = ["baseline", "_current"]
    at = ok(app.run())
    left, invalid = {}, {}
    for page in PAGES:
        if page != "overview":
            at = goto(at, page)
        assert at.title, page
        words = _page_words(at)
        if page == "overview":  # lazy tabs: only the open one is drawn, so open each
            for label in [tab.label for tab in at.tabs][1:]:
                at.session_state[services.OVERVIEW_TAB] = label
                words += _page_words(ok(at.run()))
                invalid[f"overview: {label}"] = _invalid_chart_specs(at)
        if words:
            left[page] = words[:10]
        invalid[page] = _invalid_chart_specs(at)
    assert not left, left
    # the app draws charts without Altair's per-run validation (text.draw): every chart
    # drawn, Russian locale included, is checked against the Vega-Lite schema here
    assert sum(n for n, _bad in invalid.values()) >= 10, invalid
    assert not [b for _n, b in invalid.values() if b], invalid


def _invalid_chart_specs(at: AppTest) -> tuple[int, list[str]]:
    """(charts on the page, the schema errors of those whose spec is not valid Vega-Lite)."""
    import json

    from altair.utils.schemapi import validate_jsonschema
    from altair.vegalite.v6.schema import core

    schema = core.load_schema()
    specs = [json.loads(el.proto.spec) for el in at.get("vega_lite_chart")]
    bad = []
    for spec in specs:
        # the theme's legend layout is Vega config passed through Vega-Lite (charts.theme);
        # Altair never validated the theme either: it is merged after validation
        spec.get("config", {}).get("legend", {}).pop("layout", None)
        try:
            validate_jsonschema(spec, schema, rootschema=schema)
        except Exception as e:  # noqa: BLE001 - collected and reported
            bad.append(str(e).splitlines()[0][:200])
    return len(specs), bad



def test_a_loaded_plan_sets_the_capacity_sliders_and_survives_leaving_the_page(app):
    """Capacity settings applied, saved in the store, then changed: loading the plan puts
    its settings back on the Capacity page's sliders (not the defaults), and they stay
    after another page was open (Streamlit drops the widgets' own state there)."""
    from planner.pipeline import CapacitySettings

    app.session_state["horizon"] = 6
    app.session_state["n_paths"] = 50
    app.session_state["compare_choice"] = ["_current"]  # Compare computes the sidebar plan only
    at = goto(app, "capacity")
    at.slider(key="cap_runs").set_value(40)
    at.slider(key="cap_risk").set_value(25)
    at.slider(key="cap_scale").set_value(3)
    ok(press(at, "apply_capacity").run())
    assert at.session_state["capacity_settings"] == CapacitySettings(
        n_runs=40, risk=0.25, multiplier=3.0)
    at = goto(at, "compare")
    at.text_input(key="store_save_name").input("three times")
    ok(at.run())
    at.button(key="store_save").click()
    ok(at.run())
    at = goto(at, "capacity")  # the sliders show what was applied, after another page
    assert (at.slider(key="cap_runs").value, at.slider(key="cap_risk").value) == (40, 25)
    at.slider(key="cap_runs").set_value(100)
    at.slider(key="cap_scale").set_value(1)
    ok(press(at, "apply_capacity").run())
    at = goto(at, "compare")
    at.selectbox(key="store_pick").set_value("three times")
    at.button(key="store_load").click()
    ok(at.run())
    at = goto(at, "capacity")
    got = {k: at.slider(key=k).value for k in ("cap_runs", "cap_risk", "cap_scale")}
    assert got == {"cap_runs": 40, "cap_risk": 25, "cap_scale": 3}
    assert at.session_state["capacity_settings"].n_runs == 40


def test_capacity_widget_values_round_trip_on_the_slider_grid():
    from app_pages.controls import capacity_from_widgets, capacity_widget_values
    from planner.pipeline import CapacitySettings

    for cap in (CapacitySettings(), CapacitySettings(0.35, 12.0, 60, 0.05, 180.0, 1)):
        assert capacity_from_widgets(capacity_widget_values(cap)) == cap
    off = capacity_widget_values(CapacitySettings(area_share=2.0, multiplier=0.2, n_runs=7,
                                                  mean_stay_days=2000.4))
    assert (off["cap_area_share"], off["cap_scale"], off["cap_runs"], off["cap_stay"]) == \
        (100, 1, 20, 1095)  # clamped to each slider's range


def _reported_work(wait_s: float, close: bool) -> None:
    """An app script: one stage reported by the app's progress display, ``wait_s`` long."""
    import time

    from app_pages.services import StatusDisplay
    from planner.pipeline import StageProgress

    display = StatusDisplay()
    display(StageProgress("capacity", 0, 2))
    time.sleep(wait_s)
    display(StageProgress("capacity", 1, 2))
    if close:
        display.close()


@pytest.mark.parametrize("delay_s, wait_s, close, boxes", [
    (60.0, 0.0, True, 0), (60.0, 0.0, False, 0), (0.05, 1.0, False, 1), (0.05, 1.0, True, 0)])
def test_the_progress_box_shows_only_work_that_lasts(monkeypatch, delay_s, wait_s, close, boxes):
    """Work done within StatusDisplay.SHOW_AFTER_S draws no box; longer work shows its
    words and how far it is; closing removes the box. The delay is set per case, far
    from the work's length, so a busy machine cannot change the outcome."""
    from app_pages.services import StatusDisplay

    monkeypatch.setattr(StatusDisplay, "SHOW_AFTER_S", delay_s)
    at = ok(AppTest.from_function(_reported_work, args=(wait_s, close), default_timeout=30).run())
    shown = [e for e in at.status if "simulations" in e.label]
    assert len(shown) == boxes, [e.label for e in at.status]
    if boxes:
        assert "Running 2 capacity simulations" in shown[0].label


def test_warm_up_imports_the_later_pages_modules_once_on_a_thread(monkeypatch):
    import sys
    import time

    from app_pages import services

    monkeypatch.setattr(services, "_warm_started", False)
    monkeypatch.setattr(services, "WARM_MODULES", ("wave",))  # a stdlib module, fast
    monkeypatch.delitem(sys.modules, "wave", raising=False)
    assert services.warm_up() is True
    assert services.warm_up() is False  # once per process
    for _ in range(200):
        if "wave" in sys.modules:
            break
        time.sleep(0.01)
    assert "wave" in sys.modules
    assert set(services.WARM_MODULES) <= set(sys.modules)


def test_warm_up_freezes_the_imports_once_they_are_done(monkeypatch):
    import sys
    import time

    from app_pages import services

    calls = []
    monkeypatch.setattr(services, "_warm_started", False)
    monkeypatch.setattr(services, "WARM_MODULES", ("wave",))
    monkeypatch.delitem(sys.modules, "wave", raising=False)
    monkeypatch.setattr(services, "freeze_imports", lambda: calls.append("wave" in sys.modules))
    assert services.warm_up() is True
    for _ in range(200):
        if calls:
            break
        time.sleep(0.01)
    assert calls == [True]  # once, after the module was imported


def test_freeze_imports_takes_the_objects_alive_now_out_of_full_collections():
    import gc
    import threading

    from app_pages import services

    for t in threading.enumerate():  # an earlier AppTest's warm-up freezes on its own thread
        if t.name == services.WARM_THREAD:
            t.join()
    kept = [[i] for i in range(1000)]  # tracked containers alive now
    try:
        frozen = services.freeze_imports()
        assert frozen == gc.get_freeze_count() >= len(kept)
        tracked = {id(o) for o in gc.get_objects()}
        assert not any(id(k) in tracked for k in kept)  # a full collection skips them
        later = [[0]]
        assert id(later[0]) in {id(o) for o in gc.get_objects()}  # new objects still scanned
    finally:
        gc.unfreeze()


def test_streamlit_runs_no_full_collection_after_every_script_run():
    import tomllib

    from streamlit import config

    root = Path(__file__).resolve().parents[2]
    options = tomllib.loads((root / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert options["runner"]["postScriptGC"] is False
    assert "runner.postScriptGC" in config._config_options_template  # a real option


def test_the_warm_up_names_the_modules_the_pages_import():
    import importlib.util

    from app_pages import services

    assert {"forecast.api", "abm", "planner.brief"} <= set(services.WARM_MODULES)
    assert all(importlib.util.find_spec(m) is not None for m in services.WARM_MODULES)


def _work_in_a_callback() -> None:
    import time

    import streamlit as st

    from app_pages.services import StatusDisplay
    from planner.pipeline import StageProgress

    def work() -> None:  # as _reported_work, in a callback (AppTest runs this source only)
        display = StatusDisplay()
        display(StageProgress("capacity", 0, 2))
        time.sleep(1.0)
        display(StageProgress("capacity", 1, 2))
        display.close()

    st.button("go", key="go", on_click=work)


def test_a_progress_box_in_a_widget_callback_does_not_deadlock():
    """Work reported inside a callback (Streamlit holds the session state's lock there,
    e.g. Compare's Save computing a plan) and lasting past the delay: the box's timer
    must not wait on that lock while holding the display's (it did: the run hung)."""
    import threading

    at = ok(AppTest.from_function(_work_in_a_callback, default_timeout=20).run())
    at.button(key="go").click()
    done = threading.Event()

    def rerun() -> None:
        try:
            at.run()
        finally:
            done.set()

    threading.Thread(target=rerun, daemon=True).start()  # a hang fails the test, not the run
    assert done.wait(60), "the run hung: the box's timer and the callback wait on each other"
    ok(at)
    assert not [e for e in at.status if "simulations" in e.label]  # closed: removed
