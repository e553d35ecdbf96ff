"""The app on a phone (375 x 812): no page scrolls sideways, axis and legend text reads
(WCAG contrast measured from the rendered SVG), keyboard focus is visible, and planners
get no Deploy button nor Clear cache. Reuses the session's server and browser."""

from __future__ import annotations

import json

import pytest

from tests.app.test_browser import CHART, nav, wait_idle

pytestmark = pytest.mark.browser

PAGES = {"overview": ("", 2), "forecast": ("forecast_page", 2), "capacity": ("capacity", 4),
         "compare": ("compare", 1), "sites": ("sites", 2), "your_data": ("your_data", 0),
         "export": ("export", 1)}

# Text a planner reads on a chart: Vega's SVG groups by role.
TEXT = ", ".join(f"{CHART} .role-{r} text" for r in ("axis-label", "axis-title", "legend-label",
                                                     "legend-title", "title-text"))
MEASURE = """(sel) => {
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255;
      return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
    .reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (el) => { for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length >= 3 && (c.length < 4 || c[3] > 0)) return c; } return [255, 255, 255]; };
  const out = [];
  for (const t of document.querySelectorAll(sel)) {
    if (!t.textContent.trim()) continue;
    const st = getComputedStyle(t);
    let fg = rgb(st.fill), bg = background(t);
    let a = parseFloat(st.fillOpacity || "1");
    for (let e = t; e && e.tagName !== "svg"; e = e.parentElement) a *= parseFloat(getComputedStyle(e).opacity || "1");
    if (a < 0.01 || st.visibility === "hidden") continue;  // hidden (e.g. an overlapping label)
    fg = fg.slice(0, 3).map((v, i) => a * v + (1 - a) * bg[i]);  // opacity over the background
    const [hi, lo] = [lum(fg), lum(bg.slice(0, 3))].sort((x, y) => y - x);
    out.push({text: t.textContent.slice(0, 40), ratio: (hi + 0.05) / (lo + 0.05)});
  }
  return out;
}"""
OVERFLOW = """() => {
  const w = window.innerWidth, out = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > w + 1) out.push(`document ${doc.scrollWidth}px`);
  for (const sel of ["[data-testid='stMain']", "[data-testid='stAppViewContainer']",
                     "[data-testid='stMainBlockContainer']"]) {
    const el = document.querySelector(sel);
    if (el && el.scrollWidth > el.clientWidth + 1) out.push(`${sel} ${el.scrollWidth}>${el.clientWidth}`);
  }
  document.querySelectorAll("[data-testid='stVegaLiteChart'] svg").forEach((s, i) => {
    const r = s.getBoundingClientRect();
    if (r.right > w + 1) out.push(`chart ${i} ends at ${Math.round(r.right)}px`); });
  return out;
}"""


def open_page(page, url, path, min_charts):
    page.goto(f"{url}/{path}")
    page.wait_for_selector("[data-testid='stApp']", timeout=120_000)
    if min_charts:
        page.wait_for_function(
            f"() => document.querySelectorAll(\"{CHART} svg\").length >= {min_charts}",
            timeout=480_000)
    wait_idle(page, timeout=480_000)


def test_phone_layout_contrast_focus_and_viewer_toolbar(app_server, new_context, shoot,
                                                        screenshot_dir, capsys):
    url, _ = app_server
    ctx = new_context(viewport={"width": 375, "height": 812}, device_scale_factor=1,
                      is_mobile=True, has_touch=True)
    page = ctx.new_page()
    try:
        worst: dict[str, float] = {}

        def check(name: str, n: int) -> None:
            """No sideways scroll; axis and legend text of at least 4.5:1 where charts are."""
            over = page.evaluate(OVERFLOW)
            if over:
                page.screenshot(path=screenshot_dir / f"FAILED_phone_{name}.png", full_page=True)
            assert not over, f"{name} overflows a 375 px screen: {over}"
            if n:
                texts = page.evaluate(MEASURE, TEXT)
                assert texts, f"no axis or legend text found on {name}"
                low = min(texts, key=lambda t: t["ratio"])
                worst[name] = round(low["ratio"], 2)
                assert low["ratio"] >= 4.5, f"{name}: '{low['text']}' has contrast {low['ratio']:.2f}:1"
            shoot(page, f"phone_{name.replace(': ', '_')}.png")

        (first, (path, n)), *others = PAGES.items()
        open_page(page, url, path, n)
        check(first, n)
        page.get_by_role("tab", name="Drivers").click()  # five panels, in a lazy tab of their own
        page.wait_for_function(f"() => document.querySelectorAll(\"{CHART} svg\").length >= 5",
                               timeout=120_000)
        wait_idle(page, timeout=480_000)
        check(f"{first}: drivers", 5)
        for name, (_path, n) in others:  # the other pages through the navigation
            nav(page, name, n)
            check(name, n)

        # the toolbar in viewer mode: no Deploy button, and no Clear cache in the menu
        assert page.locator("[data-testid='stAppDeployButton']").count() == 0
        assert page.get_by_role("button", name="Deploy").count() == 0
        menu = page.locator("[data-testid='stMainMenu']")
        if menu.count():
            menu.first.click()
            page.wait_for_timeout(500)
            assert page.get_by_text("Clear cache").count() == 0
            page.keyboard.press("Escape")

        # keyboard focus is visible: tab through the page until a control shows an outline
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        seen = []
        for _ in range(25):
            page.keyboard.press("Tab")
            f = page.evaluate("""() => { const e = document.activeElement; const s = getComputedStyle(e);
                return {tag: e.tagName, role: e.getAttribute('role'), style: s.outlineStyle,
                        width: parseFloat(s.outlineWidth) || 0}; }""")
            seen.append(f)
            if f["tag"] != "BODY" and f["style"] not in ("none", "") and f["width"] >= 2:
                break
        else:
            pytest.fail(f"no focused control showed an outline of 2 px or more: {seen[-5:]}")
        with capsys.disabled():
            print(f"\n[browser] 375 px: no horizontal overflow on {len(PAGES)} pages and the Overview's drivers tab; lowest text "
                  f"contrast per page: {json.dumps(worst)}")
    finally:
        ctx.close()
