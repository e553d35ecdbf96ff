"""The workbook: sheets, units in the headers, whole persons, figures equal the frames."""

from __future__ import annotations

import dataclasses
import io

import openpyxl

from planner import brief, workbook


def test_workbook_sheets_units_and_figures(plan_result):
    wb = openpyxl.load_workbook(io.BytesIO(workbook.workbook_bytes(plan_result, "en")))
    assert wb.sheetnames == ["KAZ Kazakhstan", "TJK Tajikistan", "Host area", "Advice",
                             "Provenance"]
    for title, host in (("TJK Tajikistan", "TJK"), ("KAZ Kazakhstan", "KAZ")):
        ws = wb[title]
        header = [c.value for c in ws[1]]
        assert header[0] == "Month" and all("(persons per month)" in h for h in header[1:])
        rows = list(ws.iter_rows(min_row=2, values_only=True))
        want = brief.monthly_range(plan_result.hosts[plan_result.hosts["series_id"] == host],
                                   "value")
        assert len(rows) == len(want)
        for got, w in zip(rows, want.itertuples(), strict=True):
            assert all(isinstance(v, int) for v in got[1:])
            assert got[1:] == (w.p10, w.median, w.p90)
    area = list(wb["Host area"].iter_rows(min_row=2, values_only=True))
    assert [r[2] for r in area] == brief.monthly_range(plan_result.arrivals)["median"].tolist()
    adv = list(wb["Advice"].iter_rows(values_only=True))
    assert adv[0][2] == "In place (unit)"
    assert [r[6] for r in adv[1:]] == [round(v) for v in plan_result.advice["added_quantity"]]


def test_workbook_in_russian_and_formula_text_neutralised(plan_result):
    spec = plan_result.spec
    bad = dataclasses.replace(spec, scenario=spec.scenario.with_name("=HYPERLINK(\"x\")"))
    wb = openpyxl.load_workbook(io.BytesIO(workbook.workbook_bytes(
        dataclasses.replace(plan_result, spec=bad), "ru")))
    assert "Рекомендации" in wb.sheetnames and "Происхождение" in wb.sheetnames
    assert wb["TJK Таджикистан"]["B1"].value == "P10 (чел. в месяц)"
    prov = {r[0]: r[1] for r in wb["Происхождение"].iter_rows(min_row=2, values_only=True)}
    assert prov["Сценарий"] == "'=HYPERLINK(\"x\")"
    for ws in wb:
        for row in ws.iter_rows(values_only=True):
            assert not any(isinstance(v, str) and v.startswith("=") for v in row)
