"""A saved plan survives a server restart (issue 14, point 8): saved on the Compare page of
one server, listed and loaded into the sidebar on a new server that reads the same store."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.browser

NAME = "restart test"


def _wait_idle(page, timeout=600_000):
    """Until Streamlit has finished the current run."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout)
    page.wait_for_timeout(200)


def _open_compare(new_context, url):
    """The Compare page of a cold server, once its store section is drawn: the page goes on
    computing its default comparison, and the planner's next action interrupts that run,
    as a click does in Streamlit (the run restarts with the new input)."""
    ctx = new_context(viewport={"width": 1400, "height": 1700})
    page = ctx.new_page()
    page.goto(f"{url}/compare")
    page.wait_for_selector("[data-testid='stSidebar']", timeout=120_000)
    page.get_by_text("Saved plans (").first.wait_for(timeout=120_000)
    return ctx, page


def _horizon(page):
    return page.locator("[data-testid='stSidebar'] [data-testid='stSlider']").filter(
        has_text="Horizon (months)")


def test_saved_plan_survives_a_server_restart(start_server, new_context, tmp_path, capsys):
    from playwright.sync_api import expect

    env = {"PLANNER_STORE_DIR": str(tmp_path / "office store")}
    t0 = time.perf_counter()
    with start_server(env) as (url, _):
        ctx, page = _open_compare(new_context, url)
        try:
            page.get_by_role("slider", name="Horizon (months)").focus(timeout=120_000)
            page.keyboard.press("Home")  # 24 -> 6 months: a setting the saved plan must keep
            expect(_horizon(page).locator("[data-testid='stSliderThumbValue']")).to_have_text(
                "6", timeout=30_000)
            page.locator("[data-testid='stSidebar']").get_by_role("button", name="Apply").click()
            _wait_idle(page)  # the 6-month comparison: its results are what the save keeps
            page.get_by_text("Saved plans (0)").click()
            box = page.get_by_label("Save the current sidebar plan as")
            box.fill(NAME)
            box.press("Enter")
            page.get_by_role("button", name="Save plan").click(timeout=120_000)
            page.get_by_text(f"Saved '{NAME}'").wait_for(timeout=180_000)
        finally:
            ctx.close()
    saved_s = time.perf_counter() - t0
    assert (tmp_path / "office store" / "planner.sqlite").is_file()

    with start_server(env) as (url, _):  # a new process: nothing but the file remembers
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
    with capsys.disabled():
        print(f"\n[browser] plan saved on server 1 in {saved_s:.1f} s; server 2 started, plan "
              f"listed and loaded in {time.perf_counter() - t1:.1f} s (cold servers: imports and "
              f"the fitted models read from disk)")
