"""What a planner waits for in the browser: the app's latency, step by step.

Starts the app as ``./dev.sh run`` does (``python -m app_pages.serve``; ``--plain``:
``streamlit run app.py``) on a free local port, drives headless Debian
Chromium (Playwright, ``/usr/bin/chromium``) and prints (never asserts) seconds for:

1. first chart on Overview (a new session, right after the server is healthy);
2. first visit to Scenario & forecast (every model fitted; progress shown);
3. one scenario slider step + Apply, until every chart is updated; then four more
   steps (their median: a planner tries several values in a row);
4. first visit to Capacity (Monte Carlo runs);
5. planning multiplier 1 -> 100 by keyboard + Apply, until every chart is updated;
6. first chart on Overview again, in a second new session (the server warm, the
   browser's cache empty: a second planner's first visit).

``--floor`` also measures the first chart of a one-chart Streamlit app (the same
Streamlit, Altair and Chromium, nothing of ours) in a new server and session, twice:
the floor under any Streamlit page's first chart on this machine.

A step that starts with a click is timed in the page's own clock, from the click's
event to the frame that shows the step done. A step ends when the app has finished its run: the run counter at the foot of the
sidebar (``?runs=1``, drawn after every chart) shows the stage that step computes,
no run is in progress, and the charts are drawn. The machine's 1-minute load
average is printed with each step (the larger of its values at the start and the
end of the step): this machine is shared, so a step is called "busy" when that
load is above the cores, "quiet" otherwise.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/app_latency.py [--repeats 1]
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHART = "[data-testid='stVegaLiteChart']"
LATER_STEPS = 4
"""Slider steps measured after the first (a planner tries several values in a row)."""
RUNS = "[data-testid='stSidebar'] [data-testid='stCaptionContainer']"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _load() -> float:
    return os.getloadavg()[0]


def _cores() -> int:
    return len(os.sched_getaffinity(0))


FLOOR_APP = """import altair as alt, pandas as pd, streamlit as st
st.altair_chart(alt.Chart(pd.DataFrame({"x": [1, 2], "y": [3, 4]})).mark_line().encode(x="x", y="y"))
"""


def start_server(app: Path | None = None, plain: bool = False, profile: Path | None = None
                 ) -> tuple[subprocess.Popen, str, float]:
    """The planner as ``./dev.sh run`` serves it (``python -m app_pages.serve``), or with
    ``plain`` (or another ``app``) by ``python -m streamlit run``; ``profile``: a folder for
    one cProfile file per script run (``PLANNER_PROFILE_DIR``, app_pages/guard.py)."""
    port = _port()
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
           **({"PLANNER_PROFILE_DIR": str(profile)} if profile else {})}
    t0 = time.perf_counter()
    how = (["-m", "streamlit", "run", str(app or ROOT / "app.py")] if plain or app
           else ["-m", "app_pages.serve"])
    proc = subprocess.Popen(
        [sys.executable, *how, "--server.port",
         str(port), "--server.headless", "true", "--server.address", "127.0.0.1",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(1200):
        if proc.poll() is not None:
            raise SystemExit(f"streamlit exited early ({proc.returncode})")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return proc, url, time.perf_counter() - t0
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("streamlit did not answer /_stcore/health within 120 s")


def runs(page) -> dict[str, int]:
    """The stage run counts at the foot of the sidebar (``runs: fit=1, ...``)."""
    loc = page.locator(RUNS).filter(has_text="runs:")
    if not loc.count():
        return {}
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", loc.last.inner_text())}


def wait_done(page, stage: str, before: int, min_charts: int, timeout=600_000) -> None:
    """Until the run counter shows ``stage`` computed once more than ``before``, no run
    is in progress and at least ``min_charts`` charts are drawn (checked on every
    animation frame; the page's clock at that frame is kept in ``window.__doneAt``)."""
    page.wait_for_function(
        """([sel, stage, before, chart, n]) => {
             const c = [...document.querySelectorAll(sel)].filter(e => e.innerText.includes('runs:'));
             if (!c.length) return false;
             const m = c[c.length - 1].innerText.match(new RegExp(stage + '=(\\\\d+)'));
             if (!m || Number(m[1]) <= before) return false;
             if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
             if (document.querySelectorAll(chart + ' canvas, ' + chart + ' svg').length < n) return false;
             window.__doneAt = performance.now();
             return true;
           }""", arg=[RUNS, stage, before, CHART, min_charts], timeout=timeout)


def click_until_done(page, button, stage: str, before: int, min_charts: int) -> float:
    """Click ``button``, wait as :func:`wait_done`; seconds from the click's event in the
    page to the frame that showed the run done, in the page's own clock (Playwright's
    checks before it clicks, 0.1-0.4 s here, are not the planner's wait)."""
    page.evaluate("() => document.addEventListener('click', () => "
                  "{ window.__clickAt = performance.now(); }, {capture: true, once: true})")
    button.click()
    wait_done(page, stage, before, min_charts)
    return page.evaluate("() => (window.__doneAt - window.__clickAt) / 1000")


def measure(browser, url: str) -> list[tuple[str, float, float, str]]:
    rows = []
    ctx = browser.new_context(viewport={"width": 1400, "height": 1200})
    page = ctx.new_page()

    load = _load()
    t0 = time.perf_counter()
    page.goto(f"{url}/?runs=1")
    page.wait_for_selector(f"{CHART} canvas, {CHART} svg", timeout=600_000)
    rows.append(("first chart on Overview", time.perf_counter() - t0, max(load, _load()), ""))
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                           timeout=600_000)

    load = _load()
    t0 = time.perf_counter()
    page.goto(f"{url}/forecast_page?runs=1")
    # the words the planner reads while the models are fitted; fits read from the disk
    # cache (planner.cache: a restarted server) show none, and the page is simply drawn
    status = page.locator("[data-testid='stExpander'], [data-testid='stStatus']").filter(
        has_text="Fitting").first
    seen = "(no progress: fits read from the disk cache)"
    for _ in range(6000):
        if status.count():
            seen = status.inner_text(timeout=5_000).splitlines()[0][:60]
            break
        if runs(page).get("host_paths", 0) > 0:
            break
        page.wait_for_timeout(100)
    wait_done(page, "host_paths", 0, 2)
    rows.append(("Scenario & forecast, first visit (fits)", time.perf_counter() - t0,
                 max(load, _load()),
                 f"progress: {seen!r}"))

    before = runs(page).get("forecast", 0)
    thumb = page.locator("[data-testid='stSlider']").filter(
        has_text="Fatalities multiplier").get_by_role("slider")
    thumb.focus()
    thumb.press("ArrowRight")
    load = _load()
    apply = page.get_by_role("button", name="Apply").first
    first = click_until_done(page, apply, "forecast", before, 2)
    rows.append(("one slider step + Apply -> all charts updated", first,
                 max(load, _load()), f"runs {runs(page)}"))
    later, load = [], _load()
    for _ in range(LATER_STEPS):  # the same again: the page and the browser now warm
        before = runs(page).get("forecast", 0)
        thumb.focus()
        thumb.press("ArrowRight")
        later.append(click_until_done(page, apply, "forecast", before, 2))
    rows.append((f"the next {LATER_STEPS} slider steps + Apply (median)", statistics.median(later),
                 max(load, _load()), "each: " + " ".join(f"{x:.2f}" for x in later)))

    load = _load()
    t0 = time.perf_counter()
    page.goto(f"{url}/capacity?runs=1")
    wait_done(page, "capacity", 0, 4)
    rows.append(("Capacity, first visit (200 Monte Carlo runs)", time.perf_counter() - t0,
                 max(load, _load()), ""))

    before = runs(page).get("capacity", 0)
    thumb = page.locator("[data-testid='stSlider']").filter(
        has_text="Planning multiplier").get_by_role("slider")
    thumb.focus()
    t_keys = time.perf_counter()
    for _ in range(99):  # 1 -> 100
        thumb.press("ArrowRight")
    keys_s = time.perf_counter() - t_keys
    load = _load()
    step_s = click_until_done(page, page.locator("[data-testid='stMain']").get_by_role(
        "button", name="Apply"), "capacity", before, 4)
    shown = page.locator("[data-testid='stSlider']").filter(
        has_text="Planning multiplier").locator("[data-testid='stSliderThumbValue']").inner_text()
    counts = runs(page)
    rows.append(("planning multiplier 1 -> 100 by keyboard + Apply", step_s,
                 max(load, _load()), f"multiplier {shown}; 99 key presses {keys_s:.1f} s (no run); "
                       f"capacity runs {counts.get('capacity', 0) - before}"))
    ctx.close()
    s, load = first_chart(browser, f"{url}/?runs=1")
    rows.append(("first chart on Overview, a second new session", s, load, "server warm"))
    return rows


def first_chart(browser, url: str) -> tuple[float, float]:
    """Seconds from opening ``url`` in a new browser context to its first drawn chart."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1200})
    page = ctx.new_page()
    load = _load()
    t0 = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(f"{CHART} canvas, {CHART} svg", timeout=600_000)
    s = time.perf_counter() - t0
    ctx.close()
    return s, max(load, _load())


def floor(browser) -> list[tuple[str, float, float, str]]:
    """The first chart of a one-chart Streamlit app: a new server, then two sessions."""
    import tempfile

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        app = Path(tmp) / "one_chart.py"
        app.write_text(FLOOR_APP, encoding="utf-8")
        proc, url, _ = start_server(app)
        try:
            for label in ("first session", "second session"):
                s, load = first_chart(browser, url)
                rows.append((f"floor: one-chart Streamlit app, {label}", s, load,
                             "nothing of ours"))
        finally:
            proc.terminate()
            proc.wait(10)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--floor", action="store_true",
                    help="also measure a one-chart Streamlit app (the floor on this machine)")
    ap.add_argument("--plain", action="store_true",
                    help="serve with `streamlit run app.py` instead of the app's launcher "
                         "(python -m app_pages.serve, which imports the first page's "
                         "libraries while the server starts)")
    ap.add_argument("--profile", type=Path, metavar="DIR",
                    help="write one cProfile file per script run of the app into DIR (named "
                         "by start time, seconds and page), to see the script's share")
    args = ap.parse_args()
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    cores = _cores()
    print(f"machine: {cores} cores; load average at start {os.getloadavg()}")
    proc, url, server_s = start_server(plain=args.plain, profile=args.profile)
    print("server: " + ("streamlit run app.py" if args.plain else "python -m app_pages.serve"))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=["--no-sandbox", "--disable-gpu"])
            rows = measure(browser, url)
            if args.floor:
                rows += floor(browser)
            browser.close()
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    print(f"server healthy after {server_s:.1f} s")
    print("| step | seconds | 1-min load | machine | note |\n|---|---|---|---|---|")
    for step, s, load, note in rows:
        state = "busy" if load > cores else "quiet"
        print(f"| {step} | {s:.2f} | {load:.1f} | {state} | {note} |")
    print(f"load average at end {os.getloadavg()}")


if __name__ == "__main__":
    main()
