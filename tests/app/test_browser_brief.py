"""The brief and the workbook downloaded from the app carry the Capacity page's figures,
and clicking every download button 0.3 s apart loses none (issue 13, points 3-6); the
forecast quantiles CSV and the scenario JSON among them read back as written."""

from __future__ import annotations

import csv
import io
import json
import re
import time

import pytest

from tests.app.test_browser import PAGES, wait_idle

pytestmark = pytest.mark.browser


def test_brief_and_workbook_from_the_app_and_no_download_lost(app_server, page, shoot, tmp_path,
                                                                 capsys):
    import openpyxl
    from pypdf import PdfReader

    url, _ = app_server
    page.goto(f"{url}/{PAGES['capacity']}")  # cold: fits the host model (minutes on a busy machine)
    page.get_by_text("Capacity advice at").first.wait_for(timeout=600_000)
    wait_idle(page, timeout=600_000)
    slider = page.get_by_role("slider", name="Planning multiplier on arrivals (x)")
    slider.focus()
    page.keyboard.press("End")  # x500: a surge that needs orders of every kind
    page.get_by_role("slider", name="Monte Carlo runs").focus()
    page.keyboard.press("Home")  # 20 runs: the brief must match the page whatever the runs
    page.locator(".st-key-apply_capacity button").first.click()  # the settings wait for Apply
    page.get_by_text(re.compile(r"; add [\d,]+ ")).first.wait_for(timeout=600_000)
    wait_idle(page, timeout=600_000)
    figs = page.locator(".st-key-brief_figures").inner_text()
    m = re.search(r"over (\d+) months:\s*median ([\d,]+) persons \(80% range ([\d,]+) to "
                  r"([\d,]+) persons\)", figs)
    assert m, figs
    n_months, median, low, high = (int(g.replace(",", "")) for g in m.groups())
    sentences = " ".join(page.locator("[data-testid='stMarkdownContainer']").all_inner_texts())
    orders = [(int(a.replace(",", "")), int(q.replace(",", "")))
              for a, q in re.findall(r"; add ([\d,]+) [^(]+\(([\d,]+) [^)]+\)", sentences)]
    assert orders, "the multiplier must make the advice order something"

    with page.expect_download(timeout=120_000) as dl:
        page.get_by_role("button", name="Decision brief (PDF)").click()
    pdf = tmp_path / "brief.pdf"
    dl.value.save_as(pdf)
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(pdf).pages))
    assert f"Over {n_months} months: median {median:,} persons (80% range {low:,} to " \
           f"{high:,} persons)" in text, text[:1500]
    for added, qty in orders:
        assert f"{qty:,} " in text and f"{added:,} " in text

    page.get_by_role("link", name="Export").click()  # in-app navigation keeps the session
    page.get_by_role("button", name="Workbook (Excel)").wait_for(timeout=600_000)
    wait_idle(page, timeout=600_000)
    shoot(page, "export.png")
    buttons = page.locator("[data-testid='stDownloadButton'] button")
    labels = [b.inner_text() for b in buttons.all()]
    got = []
    page.on("download", lambda d: got.append(d))
    t0 = time.perf_counter()
    for i in range(len(labels)):
        buttons.nth(i).click()
        page.wait_for_timeout(300)
    for _i in range(600):
        if len(got) >= len(labels):
            break
        page.wait_for_timeout(100)
    paths = {d.suggested_filename: d.path() for d in got}  # path() waits for the file
    seconds = time.perf_counter() - t0
    assert len(got) == len(labels), (labels, [d.suggested_filename for d in got])
    assert all(d.failure() is None for d in got)
    names = set(paths)
    assert len(names) == len(labels)
    assert not [n for n in names if re.fullmatch(r"[0-9a-f-]{20,}(\.\w+)?", n)], names
    assert {"capacity_quantiles_KAZ_baseline.csv", "brief_KAZ_baseline_en.pdf",
            "workbook_KAZ_baseline_en.xlsx", "planner_KAZ_baseline.zip"} <= names, names
    forecast_csv = next(p for n, p in paths.items() if re.fullmatch(r"forecast_.+_baseline\.csv", n))
    with open(forecast_csv, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["series_id", "ds", "model", "scenario", "quantile", "value"]
    assert {r["model"] for r in rows} >= {"ensemble", "snaive"}
    assert all(float(r["value"]) >= 0 for r in rows)
    assert json.loads(paths["scenario_baseline.json"].read_text())["name"] == "baseline"
    wb = openpyxl.load_workbook(io.BytesIO(paths["workbook_KAZ_baseline_en.xlsx"].read_bytes()))
    assert {"KAZ Kazakhstan", "Host area", "Advice", "Provenance"} <= set(wb.sheetnames)
    area = wb["Host area"]
    assert area["C1"].value == "Median (persons per month)"
    assert all(isinstance(r[2], int) for r in area.iter_rows(min_row=2, values_only=True))
    added = {r[6] for r in wb["Advice"].iter_rows(min_row=2, values_only=True)}
    assert {q for _a, q in orders} <= added
    with capsys.disabled():
        print(f"\n[browser] {len(labels)} download buttons clicked 0.3 s apart: "
              f"{len(got)} files in {seconds:.1f} s")
