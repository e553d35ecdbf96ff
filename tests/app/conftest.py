"""Fixtures for the app tests: a real Streamlit server and headless Debian Chromium."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "tests" / "app" / "screenshots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _need_browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("CI: /usr/bin/chromium is missing (.ci/run installs Debian's chromium)")
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api")


@contextlib.contextmanager
def streamlit_server(env: dict[str, str] | None = None):
    """Serve the app as ``./dev.sh run`` does (``python -m app_pages.serve``: Streamlit's
    ``run`` with the first page's imports started at once) on a free local port
    (``env``: extra environment); yield (url, seconds to healthy); stop it on exit."""
    port = _free_port()
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", **(env or {})}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "app_pages.serve",
         "--server.port", str(port), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            if proc.poll() is not None:
                out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                pytest.fail(f"streamlit exited early ({proc.returncode}):\n{out[-3000:]}")
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("streamlit did not answer /_stcore/health within 60 s")
        yield url, time.perf_counter() - t0
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def app_store(tmp_path_factory) -> Path:
    """The shared server's plan store (its ``PLANNER_STORE_DIR``), a fresh temporary folder."""
    return tmp_path_factory.mktemp("plan_store")


@pytest.fixture(scope="session")
def app_server(app_store):
    """The shared server (plans saved in :func:`app_store`); yield (url, seconds to
    healthy)."""
    _need_browser()
    with streamlit_server({"PLANNER_STORE_DIR": str(app_store)}) as server:
        yield server


@pytest.fixture(scope="session")
def start_server():
    """:func:`streamlit_server`, for a test that needs its own short-lived server (a
    restart); every other test shares ``app_server``."""
    _need_browser()
    return streamlit_server


@pytest.fixture(scope="session")
def browser():
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()


CONTEXT = {"reduced_motion": "reduce"}
"""Options of every test's browser context. ``prefers-reduced-motion: reduce`` stops
Streamlit's endless loading animations (skeleton pulse, spinners), which headless
Chromium composites in software: that cut the GPU process's CPU from 14.4 s to 2.8 s
over two Capacity tests on 2 cores (0.25 of Chromium's CPU), time the two test workers
share. The app is unchanged; the latency benchmark (``benchmarks/app_latency.py``) keeps
the default motion, as a planner's browser has it."""


@pytest.fixture(scope="session")
def new_context(browser):
    """``new_context(**options)``: a browser context with :data:`CONTEXT` and ``options``."""
    return lambda **options: browser.new_context(**{**CONTEXT, **options})


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


@pytest.fixture()
def page(new_context, request):
    ctx = new_context(viewport={"width": 1400, "height": 1700}, accept_downloads=True)
    pg = ctx.new_page()
    yield pg
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:  # keep what the browser showed, for the CI log reader
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=SCREENSHOTS / f"FAILED_{request.node.name}.png", full_page=True)
    ctx.close()


SHOTS_ENV = "PLANNER_SCREENSHOTS"
"""``PLANNER_SCREENSHOTS=1``: the browser tests also save full-page screenshots (to
``tests/app/screenshots/``, and the Russian walk-through to ``docs/screenshots/ru/``).
Off by default: a screenshot asserts nothing, costs a second or two of a busy machine,
and a test run must not rewrite committed files."""


def shots_on() -> bool:
    return os.environ.get(SHOTS_ENV, "").strip() == "1"


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def shoot(screenshot_dir):
    """``shoot(page, name, folder=None)``: a full-page screenshot named ``name`` in
    ``folder`` (default ``tests/app/screenshots/``), only with ``PLANNER_SCREENSHOTS=1``;
    returns whether it was taken; ``shoot.on`` says whether shots are taken."""
    def take(page, name: str, folder: Path | None = None) -> bool:
        if not shots_on():
            return False
        folder = folder or screenshot_dir
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=folder / name, full_page=True)
        return True

    take.on = shots_on()
    return take
