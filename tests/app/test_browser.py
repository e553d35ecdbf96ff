"""End-to-end tests in headless Debian Chromium driven by Playwright.

The server is started by the ``app_server`` fixture on a free local port. Timings
(first page usable, slider -> charts updated) are printed, never asserted.
"""

from __future__ import annotations

import json
import re
import time

import pytest

pytestmark = pytest.mark.browser

CHART = "[data-testid='stVegaLiteChart']"
PAGES = {"overview": "", "forecast": "forecast_page", "capacity": "capacity",
         "compare": "compare", "sites": "sites", "your_data": "your_data", "export": "export"}
FIGURES: dict[str, float] = {}


def wait_idle(page, timeout=120_000):
    """Wait until Streamlit has finished the current run (no 'running' status widget)."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout)
    page.wait_for_timeout(200)


def open_page(page, url, name, min_charts=1):
    page.goto(f"{url}/{PAGES[name]}")
    page.wait_for_selector("[data-testid='stSidebar']", timeout=120_000)
    if min_charts:
        page.wait_for_function(
            f"() => document.querySelectorAll(\"{CHART} canvas, {CHART} svg\").length >= {min_charts}",
            timeout=600_000)  # the first visit fits the models: minutes on a busy machine
    wait_idle(page)


def nav(page, name, min_charts=1):
    """Move to page ``name`` through the sidebar's navigation, in the same session, as a
    planner does (where the sidebar is collapsed, as on a phone: opened, then closed). No
    reload: the app's code is not loaded and run again in the browser, which a
    ``page.goto`` costs (about 1.7 s of Chromium's CPU per page on 2 cores). Waits for the
    new page's title, ``min_charts`` charts and no spinner, then for the run to end."""
    title = page.evaluate("() => document.querySelector('h1')?.innerText || ''")
    link = page.locator(f"[data-testid='stSidebarNav'] a[href$='/{PAGES[name]}']")
    expand = page.locator("[data-testid='stExpandSidebarButton']")
    collapsed = expand.is_visible()  # a collapsed sidebar: its links are off-screen
    if collapsed:
        expand.click()
    link.click()
    if collapsed:  # and closed again, as a planner on a phone closes it to read the page
        page.locator("[data-testid='stSidebarCollapseButton']").click()
    page.wait_for_function(
        "([t, n]) => { const h = document.querySelector('h1');"
        f" return h && h.innerText !== t && document.querySelectorAll(\"{CHART} canvas, {CHART} svg\").length >= n"
        " && !document.querySelector(\"[data-testid='stSpinner']\"); }",
        arg=[title, min_charts], timeout=600_000)
    wait_idle(page)


def uploader(page, label):
    """The file input of the uploader labelled ``label``, once it is drawn. Streamlit
    loads its uploader component lazily, so "the first file input on the page" can be
    another uploader for a moment; the label names the one meant."""
    zone = page.locator("[data-testid='stFileUploader']").filter(has_text=label)
    zone.first.wait_for(timeout=120_000)
    inp = zone.first.locator("input[type='file']")
    inp.wait_for(state="attached", timeout=120_000)
    return inp


def chart_png(page, i=0) -> bytes:
    return page.locator(CHART).nth(i).screenshot()


MAIN_CAPTION = "[data-testid='stMain'] [data-testid='stCaptionContainer']"


def apply(page):
    """Press the sidebar's Apply button: the scenario levers wait for it."""
    page.locator("[data-testid='stSidebar']").get_by_role("button", name="Apply").click()


def runs(page) -> dict[str, int]:
    """Stages computed in this session, from the counter the app draws with ``?runs=1``
    at the foot of the sidebar after every run (``runs: fit=1, forecast=2, ...``)."""
    cap = page.locator("[data-testid='stSidebar'] [data-testid='stCaptionContainer']").filter(
        has_text="runs:").last
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", cap.inner_text())}


def wait_runs(page, stage, more_than, timeout=600_000):
    """Until the run counter shows ``stage`` computed more than ``more_than`` times."""
    page.wait_for_function(
        """([stage, n]) => {
             const c = [...document.querySelectorAll("[data-testid='stSidebar'] [data-testid='stCaptionContainer']")]
               .filter(e => e.innerText.includes('runs:'));
             const m = c.length && c[c.length - 1].innerText.match(new RegExp(stage + '=(\\\\d+)'));
             return m && Number(m[1]) > n; }""", arg=[stage, more_than], timeout=timeout)
    wait_idle(page)


def test_first_page_is_usable_and_shows_charts(app_server, page, shoot, capsys):
    url, server_s = app_server
    t0 = time.perf_counter()
    open_page(page, url, "overview", min_charts=2)
    FIGURES["first_page_usable_s"] = time.perf_counter() - t0
    FIGURES["server_start_s"] = server_s
    assert page.get_by_text("Afghan arrivals into Central Asia").first.is_visible()
    shoot(page, "overview.png")
    with capsys.disabled():
        print(f"\n[browser] server healthy after {server_s:.1f} s; first page usable "
              f"{FIGURES['first_page_usable_s']:.1f} s after load")


def test_slider_by_keyboard_changes_chart(app_server, page, shoot, capsys):
    url, _ = app_server
    open_page(page, url, "forecast", min_charts=2)
    before = chart_png(page, 1)  # first host fan chart
    caption_before = page.locator(MAIN_CAPTION).first.inner_text()
    slider = page.locator("[data-testid='stSlider']").filter(has_text="Fatalities multiplier")
    thumb = slider.get_by_role("slider")
    thumb.focus()
    for _ in range(4):  # 1.0 -> 3.0 in steps of 0.5
        thumb.press("ArrowRight")
    t0 = time.perf_counter()
    apply(page)
    page.wait_for_function(
        "([sel, b]) => { const c = document.querySelector(sel);"
        " return c && c.innerText !== b; }", arg=[MAIN_CAPTION, caption_before], timeout=60_000)
    wait_idle(page)
    after = chart_png(page, 1)
    FIGURES["slider_update_s"] = time.perf_counter() - t0
    shown = slider.locator("[data-testid='stSliderThumbValue']").inner_text()
    assert float(shown) == 3.0, shown
    # x3 for 6 months is the conflict-escalation preset: the caption takes its words
    cap = page.locator(MAIN_CAPTION).first.inner_text()
    assert "conflict 3" in cap or "fatalities x3" in cap, cap
    assert after != before, "the host fan chart did not change after the slider moved"
    # a second move: cached fit, only the prediction reruns
    thumb.press("ArrowRight")
    t0 = time.perf_counter()
    apply(page)
    page.wait_for_function(
        "(sel) => document.querySelector(sel).innerText.includes('x3.5')",
        arg=MAIN_CAPTION, timeout=60_000)
    wait_idle(page)
    FIGURES["slider_update_cached_fit_s"] = time.perf_counter() - t0
    shoot(page, "forecast.png")
    with capsys.disabled():
        print(f"\n[browser] Apply -> charts updated: first change {FIGURES['slider_update_s']:.2f} s "
              f"(4 key presses), next change {FIGURES['slider_update_cached_fit_s']:.2f} s")


def test_capacity_and_compare_pages(app_server, page, shoot, capsys):
    url, _ = app_server
    t0 = time.perf_counter()
    open_page(page, url, "capacity", min_charts=4)
    FIGURES["capacity_page_s"] = time.perf_counter() - t0
    assert page.get_by_text("Capacity advice at").first.is_visible()
    shoot(page, "capacity.png")
    nav(page, "compare", min_charts=1)
    shoot(page, "compare.png")
    nav(page, "sites", min_charts=2)
    assert page.get_by_text("Allocation at the end of the run").first.is_visible()
    shoot(page, "sites.png")
    with capsys.disabled():
        print(f"\n[browser] capacity page (fit + 200 Monte Carlo runs) ready in "
              f"{FIGURES['capacity_page_s']:.1f} s")
        print("[browser] figures: " + json.dumps({k: round(v, 2) for k, v in FIGURES.items()}))


def grid_rows(page, i=-1) -> list[str]:
    """Text of each row of the i-th st.dataframe (its accessible grid), header first."""
    grid = page.locator("[data-testid='stDataFrame']").nth(i)
    rows = grid.locator("[role='row']")
    return [rows.nth(k).inner_text() for k in range(rows.count())]


def test_facilities_follow_the_host_and_late_orders_come_first(app_server, page, shoot,
                                                               capsys):
    """Capacity: the facility set follows the sidebar host (KAZ -> TJK); late orders (as of
    the server's today) head the advice table and a warning above everything says so; the
    order-by date is in view at 1440 px."""
    url, _ = app_server
    page.set_viewport_size({"width": 1440, "height": 1700})
    page.goto(f"{url}/{PAGES['capacity']}")  # cold when run alone: fits + Monte Carlo
    page.wait_for_function(
        f"() => document.querySelectorAll(\"{CHART} canvas, {CHART} svg\").length >= 4",
        timeout=480_000)
    wait_idle(page)
    caption = page.get_by_text("Facility set in use:").first
    assert "Kazakhstan default set" in caption.inner_text()
    assert any("kaz-shelter-1" in r for r in grid_rows(page, 0))
    t0 = time.perf_counter()
    page.locator("[data-testid='stSelectbox']").filter(has_text="Host country").click()
    page.get_by_role("option", name="Tajikistan", exact=True).click()
    apply(page)  # the host sits in the sidebar's Apply form
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=\"stCaptionContainer\"]')]"
                           ".some(c => c.innerText.includes('Tajikistan default set'))",
                           timeout=180_000)
    # the run has ended when the advice says how many orders are late (it times out, and
    # fails, if none is: as of December 2026 the Tajik default set falls short in time)
    page.wait_for_selector("[data-testid='stAlert']:has-text('orders are late')", timeout=300_000)
    wait_idle(page)
    page.wait_for_function(
        "() => { const g = document.querySelectorAll(\"[data-testid='stDataFrame']\");"
        " return g.length && g[0].textContent.includes('tjk-shelter-1')"
        " && g[g.length - 1].textContent.includes('late: order now'); }", timeout=120_000)
    FIGURES["capacity_host_switch_s"] = time.perf_counter() - t0
    assert "11,843" in page.get_by_text("Facility set in use:").first.inner_text()
    facilities = grid_rows(page, 0)
    assert any("tjk-shelter-1" in r for r in facilities)
    assert not any("kaz-" in r for r in facilities)
    advice = grid_rows(page, -1)
    assert advice[0].startswith("Status") and "Order by" in advice[0]
    status = ["late" if r.startswith("late") else "other" for r in advice[1:]]
    assert status == sorted(status, key=lambda x: x != "late"), advice  # late rows first
    n_late = status.count("late")
    # as of December 2026 the Tajik default set falls short within its lead times
    assert n_late >= 1, advice
    alerts = page.locator("[data-testid='stAlert']")
    banner = alerts.first
    assert f"{n_late} of " in banner.inner_text() and "late" in banner.inner_text()
    heading = page.get_by_role("heading", name="Facilities in the host area")
    assert banner.bounding_box()["y"] < heading.bounding_box()["y"]  # above the tables
    # the grid is drawn on a canvas (its accessible table has no boxes): the order-by date
    # is the third column and the grid fits the 1440 px page without horizontal scroll
    grid = page.locator("[data-testid='stDataFrame']").last
    headers = [h.strip() for h in grid.locator("[role='columnheader']").all_text_contents()]
    headers = [h for h in headers if h]  # an unnamed index column, if drawn
    assert headers[0] == "Status" and "Order by" in headers[:3], headers
    box = grid.bounding_box()
    assert box["x"] + box["width"] <= 1440
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    shoot(page, "capacity_tjk.png")
    with capsys.disabled():
        print(f"\n[browser] host KAZ -> TJK on Capacity: facility set and advice updated in "
              f"{FIGURES['capacity_host_switch_s']:.1f} s; {n_late} late order(s) first")


def test_scenario_file_corrupt_refused_valid_loaded(app_server, page, tmp_path):
    url, _ = app_server
    open_page(page, url, "compare", min_charts=1)
    page.get_by_text("Load a scenario file").click()
    bad = tmp_path / "broken.json"
    bad.write_text('{"name": "x", "shocks": [{"kind": "volcano"}]}')
    uploader(page, "Scenario JSON").set_input_files(str(bad))
    err = page.locator("[data-testid='stAlertContentError']").first
    err.wait_for(timeout=60_000)
    assert "broken.json" in err.inner_text() and "volcano" in err.inner_text()
    good = tmp_path / "surge.json"
    good.write_text('{"name": "surge", "description": "conflict x5", '
                    '"shocks": [{"kind": "conflict", "start": 1, "duration": 12, "value": 5}]}')
    uploader(page, "Scenario JSON").set_input_files(str(good))
    page.get_by_text("Loaded 'surge'").first.wait_for(timeout=60_000)


def test_upload_refused_then_valid_series_used(app_server, page, shoot, tmp_path):
    """A malformed series (no 'y' column, a negative count) is refused with an error that
    names the file and the column; then a monthly arrivals series saved as Russian Excel
    saves it (';', decimal comma, dd.mm.yyyy, UTF-8 with BOM) is uploaded, chosen, and
    planned on: the Capacity page gives its advice for that series (issue 13, point 4)."""
    from forecast import datasets

    url, _ = app_server
    open_page(page, url, "your_data", min_charts=0)
    bad = tmp_path / "my_arrivals.csv"
    bad.write_text("series_id,ds,count\nmine,2024-01-01,5\nmine,2024-02-01,-3\n")
    uploader(page, "Monthly series CSV").set_input_files(str(bad))
    err = page.locator("[data-testid='stAlertContentError']").first
    err.wait_for(timeout=60_000)
    text = err.inner_text()
    assert "my_arrivals.csv" in text and "'y'" in text, text
    shoot(page, "your_data.png")
    mine = datasets.load_history(["unhcr_asylum_GBR"]).assign(series_id="my_area")
    mine["y"] = mine["y"] + 0.5  # a decimal comma in every value
    path = tmp_path / "my_area.csv"
    mine.to_csv(path, index=False, sep=";", decimal=",", date_format="%d.%m.%Y",
                encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") and b"," in path.read_bytes()
    page.get_by_text("arrivals into my host area").click()
    wait_idle(page)
    uploader(page, "Monthly series CSV").set_input_files(str(path))
    page.get_by_text("Loaded", exact=False).first.wait_for(timeout=60_000)
    # the new series is chosen in the sidebar; plan capacity on it in the same session
    from playwright.sync_api import expect

    series_box = page.get_by_role("combobox", name="Movement series the models learn from")
    expect(series_box).to_have_value("my_area", timeout=30_000)
    page.get_by_text("Series chosen in the sidebar: my_area").wait_for(timeout=60_000)
    wait_idle(page)
    page.locator("[data-testid='stSidebarNav']").get_by_text("Capacity").click()
    page.get_by_text("your series my_area").first.wait_for(timeout=120_000)
    page.get_by_text("Capacity advice at").first.wait_for(timeout=300_000)  # planned on it


RU_PAGES = {  # file -> its label in the Russian navigation, its title's start, its charts
    "overview": ("Обзор", "Прибытия афганцев", 2),
    "forecast": ("Сценарий и прогноз", "Сценарий и прогноз", 2),
    "capacity": ("Вместимость", "Вместимость", 4),
    "sites": ("Пункты и маршруты", "Пункты и маршруты", 2),
    "compare": ("Сравнение", "Сравнение", 1), "your_data": ("Ваши данные", "Ваши данные", 0),
    "export": ("Выгрузка", "Выгрузка", 1)}
# the visible elements checked on every page; code (in backticks) is left out, and so is the
# file uploader's drop zone ("Upload", "Drag and drop file here"): Streamlit draws those words
# itself and offers no way to translate them (a known limitation, reported)
VISIBLE = ", ".join(f"[data-testid='{t}']" for t in (
    "stHeading", "stMarkdownContainer", "stCaptionContainer", "stWidgetLabel", "stSidebarNav",
    "stExpander", "stAlertContainer", "stTooltipIcon")) + ", button, [role='option']"
ENGLISH_WORDS = {"the", "and", "of", "for", "with", "from", "month", "months", "persons",
                 "arrivals", "forecast", "scenario", "capacity", "shelter", "school", "clinic",
                 "risk", "share", "host", "series", "model", "median", "runs", "upload",
                 "download", "data", "page", "shortfall", "total", "sites", "routes", "compare",
                 "none", "yes", "facility", "facilities", "movement", "drivers", "sources",
                 "step", "days", "horizon", "seed", "paths", "borders", "drought", "conflict",
                 "food", "prices", "surge", "plan", "export", "overview", "your", "language",
                 "baseline", "advice", "browse", "files", "drag", "drop", "limit"}


def _visible_english(page) -> list[str]:
    import re

    texts = page.evaluate(
        """(sel) => Array.from(document.querySelectorAll(sel))
             .filter(e => !e.closest("[data-testid='stFileUploaderDropzone']"))
             .map(e => {
               const c = e.cloneNode(true);
               c.querySelectorAll("code, [data-testid='stIconMaterial'], "
                                  + "[data-testid='stFileUploaderDropzone']")
                 .forEach(x => x.remove());
               return c.innerText || ''; })""", VISIBLE)
    words = set()
    for text in texts:
        text = re.sub(r"\S*[/_]\S*", " ", text)  # file paths and codes (docs/model_card.md)
        words |= {w for w in re.findall(r"[A-Za-z]+", text) if w.lower() in ENGLISH_WORDS}
    return sorted(words)


def test_russian_in_the_sidebar_then_every_page_speaks_russian(app_server, page, shoot, capsys):
    """Switch to Russian in the sidebar; every page (reached through the navigation, in
    the same session) has no English word left in its visible texts and labels; a
    screenshot of every page in Russian goes to docs/screenshots/ru/ (with
    ``PLANNER_SCREENSHOTS=1``)."""
    from pathlib import Path

    shots = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "ru"
    url, _ = app_server
    t0 = time.perf_counter()
    open_page(page, url, "overview", min_charts=2)
    page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first.click()
    page.get_by_role("option", name="Русский").click()
    page.get_by_text("Прибытия афганцев в Центральную Азию").first.wait_for(timeout=60_000)
    wait_idle(page)
    from playwright.sync_api import expect

    left = {}
    for name, (nav, title, charts) in RU_PAGES.items():
        if name != "overview":
            page.locator("[data-testid='stSidebarNav']").get_by_text(nav, exact=True).click()
        # this page's own charts are drawn and nothing is still computing (no spinner)
        page.wait_for_function(
            "([n, title]) => (document.querySelector('h1')?.innerText || '').startsWith(title)"
            f" && document.querySelectorAll(\"{CHART} canvas, {CHART} svg\").length >= n"
            " && !document.querySelector(\"[data-testid='stSpinner']\")",
            arg=[charts, title], timeout=300_000)
        wait_idle(page)
        if name == "forecast":  # the first page with the scenario's widgets (not the Overview):
            # the menus kept their options across the switch (their labels change language)
            expect(page.get_by_role("combobox", name="Принимающая страна")).to_have_value(
                "Казахстан")
        words = _visible_english(page)
        if words:
            left[name] = words
        if shoot.on:
            page.wait_for_timeout(1500)  # let the last charts finish drawing for the shot
            shoot(page, f"{name}.png", folder=shots)
    FIGURES["russian_pages_s"] = time.perf_counter() - t0
    with capsys.disabled():
        print(f"\n[browser] Russian: 7 pages visited and checked in {FIGURES['russian_pages_s']:.1f} s")
    assert not left, left
def test_upload_names_never_become_paths_and_russian_excel_is_read(app_server, page, tmp_path):
    """An upload named '../../../../tmp/<random>/victim.csv', then one named with the victim's
    absolute path, are accepted from memory: the victim file is unchanged and no new file
    appears beside it or in the app's folder. A ';' / decimal-comma / dd.mm.yyyy file with a
    byte-order mark is accepted and plotted."""
    import uuid
    from pathlib import Path

    import pandas as pd
    from playwright.sync_api import expect

    root = Path("/tmp") / f"harden-{uuid.uuid4().hex[:12]}"
    root.mkdir()
    victim = root / "victim.csv"
    known = b"series_id,ds,y\nvictim,2020-01-01,1\n"
    victim.write_bytes(known)
    app_dir = Path(__file__).resolve().parents[2]
    before = {p.name for p in app_dir.iterdir()}, {p.name for p in (app_dir / "app_pages").iterdir()}

    def series(sid: str, sep=",", dec=".", fmt="%Y-%m-%d", bom=b"") -> bytes:
        rows = [sep.join(("series_id", "ds", "y"))] + [
            sep.join((sid, m.strftime(fmt), f"{100 + i}{dec}5"))
            for i, m in enumerate(pd.date_range("2019-01-01", periods=36, freq="MS"))]
        return bom + ("\n".join(rows) + "\n").encode()

    url, _ = app_server
    open_page(page, url, "your_data", min_charts=0)
    upload = uploader(page, "Monthly series CSV")
    try:
        for sid, name in (("crafted_rel", f"../../../../tmp/{root.name}/victim.csv"),
                          ("crafted_abs", str(victim))):
            upload.set_input_files(files=[{"name": name, "mimeType": "text/csv",
                                           "buffer": series(sid)}])
            page.get_by_text(f"series {sid};", exact=False).first.wait_for(timeout=120_000)
            wait_idle(page)
            assert victim.read_bytes() == known
            assert sorted(p.name for p in root.iterdir()) == ["victim.csv"]
        after = {p.name for p in app_dir.iterdir()}, {p.name for p in (app_dir / "app_pages").iterdir()}
        assert after == before
        upload.set_input_files(files=[{"name": "excel_ru.csv", "mimeType": "text/csv",
                                       "buffer": series("excel_ru", ";", ",", "%d.%m.%Y",
                                                        b"\xef\xbb\xbf")}])
        page.get_by_text("Read as a Russian Excel file", exact=False).first.wait_for(
            timeout=120_000)
        wait_idle(page)
        assert page.get_by_text("series excel_ru;", exact=False).first.is_visible()
        expect(page.locator(f"{CHART} canvas, {CHART} svg").first).to_be_visible(timeout=60_000)
        assert not page.locator("[data-testid='stException']").count()
    finally:
        victim.unlink(missing_ok=True)
        for p in root.iterdir():
            p.unlink()
        root.rmdir()
def test_slider_moved_then_applied_runs_once_and_fit_shows_progress(app_server, page, capsys):
    """Moving a slider 6 steps runs nothing; Apply runs the prediction once. A series not
    fitted yet shows what is being fitted while it runs, and a cached one shows nothing.
    (x4: a scenario no other test of this server runs, so it is not in the cache.)"""
    url, _ = app_server
    page.goto(f"{url}/forecast_page?runs=1")
    page.locator("[data-testid='stSidebar'] [data-testid='stCaptionContainer']").filter(
        has_text="runs:").wait_for(timeout=600_000)  # drawn when the first run has ended
    wait_idle(page, timeout=600_000)
    start = runs(page)
    caption = page.locator(MAIN_CAPTION).first.inner_text()
    thumb = page.locator("[data-testid='stSlider']").filter(
        has_text="Fatalities multiplier").get_by_role("slider")
    thumb.focus()
    for _ in range(6):  # 1.0 -> 4.0
        thumb.press("ArrowRight")
    page.wait_for_timeout(1500)
    assert runs(page) == start, "a slider move inside the form started a run before Apply"
    assert page.locator(MAIN_CAPTION).first.inner_text() == caption
    t0 = time.perf_counter()
    apply(page)
    wait_runs(page, "forecast", start.get("forecast", 0))
    applied_s = time.perf_counter() - t0
    after = runs(page)
    assert after["forecast"] == start["forecast"] + 1, (start, after)
    assert after["host_paths"] == start["host_paths"] + 1, (start, after)
    assert after["fit"] == start["fit"], (start, after)  # the fit is cached per series
    assert "fatalities x4" in page.locator(MAIN_CAPTION).first.inner_text().lower()
    # a series no other test fits: its first fit says what it is doing while it runs
    page.get_by_role("combobox", name="Movement series the models learn from").click()
    page.get_by_role("option", name="Frontex detections of Afghans: Eastern land borders").click()
    t0 = time.perf_counter()
    apply(page)
    status = page.locator("[data-testid='stExpander']").filter(
        has_text=re.compile(r"Fitting \d+ models on \d+ months of"))
    # its words are read in the page the moment it shows (a short fit removes it again
    # before a second look could find it)
    shown = page.wait_for_function(
        "() => [...document.querySelectorAll(\"[data-testid='stExpander']\")]"
        ".map(e => e.innerText).find(t => /Fitting \\d+ models on \\d+ months of/.test(t))",
        timeout=300_000)
    words = next(ln for ln in shown.json_value().splitlines() if "Fitting" in ln)
    wait_runs(page, "fit", after["fit"])
    fit_s = time.perf_counter() - t0
    assert "months of Frontex detections of Afghans: Eastern land borders" in words, words
    assert not status.count(), "the progress box stayed after the fit"
    # back to a fitted series: served from the cache, no progress box
    page.get_by_role("combobox", name="Movement series the models learn from").click()
    page.get_by_role("option", name="Frontex detections of Afghans: all routes").click()
    counts = runs(page)
    apply(page)
    page.get_by_role("heading", name="Frontex detections of Afghans: all routes:").first.wait_for(
        timeout=60_000)
    wait_idle(page)
    assert runs(page) == counts  # fit, prediction and host arrivals all cached
    assert not page.locator("[data-testid='stExpander']").filter(has_text="Fitting").count()
    with capsys.disabled():
        print(f"\n[browser] 6 slider steps + Apply -> 1 prediction, charts updated in "
              f"{applied_s:.2f} s; first fit of a new series with progress ({words!r}) "
              f"{fit_s:.1f} s")
