"""A saved plan survives a server restart (issue 14, point 8): saved on the Compare page of
one server, listed and loaded into the sidebar by a new server process that reads the
same store and knows nothing else of the first.

The plan is saved on the session's shared server (warm: its imports and caches are
ready), and the new process is started on its store; the shared server keeps running,
as a second office's server would beside it. The plan is deleted from the shared store
at the end, so the other tests of that server see an empty store."""

from __future__ import annotations

import time

import pytest

from tests.app.test_browser import wait_idle

pytestmark = pytest.mark.browser

NAME = "restart test"


def _open_compare(new_context, url):
    """The Compare page, once its store section is drawn: the page may go on computing its
    comparison, and the planner's next action interrupts that run, as a click does in
    Streamlit (the run restarts with the new input)."""
    ctx = new_context(viewport={"width": 1400, "height": 1700})
    page = ctx.new_page()
    page.goto(f"{url}/compare")
    page.wait_for_selector("[data-testid='stSidebar']", timeout=120_000)
    page.get_by_text("Saved plans (").first.wait_for(timeout=120_000)
    return ctx, page


def _horizon(page):
    return page.locator("[data-testid='stSidebar'] [data-testid='stSlider']").filter(
        has_text="Horizon (months)")


def test_saved_plan_survives_a_server_restart(app_server, app_store, start_server, new_context,
                                              capsys):
    from playwright.sync_api import expect

    from planner.store import Store

    assert Store(app_store).names() == [], "the shared store must start empty"
    t0 = time.perf_counter()
    url, _ = app_server
    try:
        ctx, page = _open_compare(new_context, url)
        try:
            page.get_by_role("slider", name="Horizon (months)").focus(timeout=120_000)
            page.keyboard.press("Home")  # 24 -> 6 months: a setting the saved plan must keep
            expect(_horizon(page).locator("[data-testid='stSliderThumbValue']")).to_have_text(
                "6", timeout=30_000)
            page.locator("[data-testid='stSidebar']").get_by_role("button", name="Apply").click()
            wait_idle(page, timeout=600_000)  # the 6-month comparison: its results are what the save keeps
            page.get_by_text("Saved plans (0)").click()
            box = page.get_by_label("Save the current sidebar plan as")
            box.fill(NAME)
            box.press("Enter")
            page.get_by_role("button", name="Save plan").click(timeout=120_000)
            page.get_by_text(f"Saved '{NAME}'").wait_for(timeout=180_000)
        finally:
            ctx.close()
        saved_s = time.perf_counter() - t0
        assert (app_store / "planner.sqlite").is_file()

        # a new process: nothing but the file remembers
        with start_server({"PLANNER_STORE_DIR": str(app_store)}) as (url, _):
            t1 = time.perf_counter()
            ctx, page = _open_compare(new_context, url)
            try:
                page.get_by_text("Saved plans (1)").wait_for(timeout=60_000)
                expect(page.get_by_role("combobox", name="Saved plan")).to_have_value(
                    NAME, timeout=30_000)
                expect(_horizon(page).locator("[data-testid='stSliderThumbValue']")).to_have_text(
                    "24", timeout=120_000)  # a cold server draws its sidebar slowly
                page.get_by_role("button", name="Load into the sidebar").click(timeout=120_000)
                page.get_by_text(f"Loaded '{NAME}' into the sidebar").wait_for(timeout=60_000)
                expect(_horizon(page).locator("[data-testid='stSliderThumbValue']")).to_have_text(
                    "6", timeout=30_000)
            finally:
                ctx.close()
    finally:
        if NAME in Store(app_store).names():  # the shared server's other tests: an empty store
            Store(app_store).delete(NAME)
    with capsys.disabled():
        print(f"\n[browser] plan saved on the shared server in {saved_s:.1f} s; a new server "
              f"started, plan listed and loaded in {time.perf_counter() - t1:.1f} s (cold: "
              f"imports and the fitted models read from disk)")
