"""`planner brief` and the ZIP bundle, on the small plan result (no model fit)."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from planner import bundle, cli, pipeline


def test_brief_command_writes_and_refuses_to_overwrite(plan_result, tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "run_plan", lambda spec, data=None, **kw: plan_result)
    plan = plan_result.spec.write(tmp_path / "plan.json")
    out = tmp_path / "out"
    r = CliRunner().invoke(cli.app, ["brief", str(plan), "--out", str(out), "--lang", "ru"])
    assert r.exit_code == 0, r.output
    assert "Справка" in PdfReader(out / "brief.pdf").pages[0].extract_text()
    r = CliRunner().invoke(cli.app, ["brief", str(plan), "--out", str(out)])
    assert r.exit_code == 2 and "exists; pass --force" in r.output
    assert len(r.output.strip().splitlines()) == 1
    r = CliRunner().invoke(cli.app, ["brief", str(plan), "--out", str(out), "--format", "html"])
    assert r.exit_code == 0 and (out / "brief.html").read_text().startswith("<!DOCTYPE html>")


def test_zip_holds_every_result_named_by_host_and_scenario(plan_result):
    docs = {"pdf": b"%PDF-1.4", "html": "<html></html>", "xlsx": b"PK"}
    data = bundle.zip_bytes(plan_result.spec, bundle.summary_frames(plan_result), docs,
                            {"package": "x"}, "excel-ru", "ru")
    z = zipfile.ZipFile(io.BytesIO(data))
    names = set(z.namelist())
    want = bundle.file_names(plan_result.spec, "ru")
    for key in ("forecast", "paths", "hosts", "arrivals", "capacity", "p_shortfall", "advice",
                "schedule"):
        assert want[key] in names and want[key] + ".json" in names
    for key in ("pdf", "html", "xlsx", "plan", "scenario"):
        assert want[key] in names
    assert want["capacity"] == "capacity_quantiles_TJK_compound.csv"
    q = pd.read_csv(z.open(want["capacity"]), sep=";", decimal=",", encoding="utf-8-sig")
    counts = q[q["metric"] != "occupancy"]["value"]
    assert (counts == counts.round()).all()
    adv = pd.read_csv(z.open(want["advice"]), sep=";", decimal=",", encoding="utf-8-sig")
    assert adv["added_capacity"].tolist() == plan_result.advice["added_capacity"].round().tolist()


@pytest.mark.slow  # the provenance reads every bundled dataset once (list_datasets)
def test_plan_command_writes_workbook_brief_and_excel_ru_csvs(plan_result, tmp_path,
                                                              monkeypatch):
    import openpyxl

    from forecast.csv_dialect import BOM

    monkeypatch.setattr(pipeline, "run_plan", lambda spec, data=None, **kw: plan_result)
    plan = plan_result.spec.write(tmp_path / "plan.json")
    out = tmp_path / "out"
    r = CliRunner().invoke(cli.app, ["plan", str(plan), "--out", str(out), "--dialect",
                                     "excel-ru"])
    assert r.exit_code == 0, r.output
    assert (out / "advice.csv").read_bytes().startswith(BOM)
    adv = pd.read_csv(out / "advice.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert adv["added_capacity"].tolist() == plan_result.advice["added_capacity"].round().tolist()
    assert "Advice" in openpyxl.load_workbook(out / "workbook.xlsx").sheetnames
    assert PdfReader(out / "brief.pdf").pages
    r = CliRunner().invoke(cli.app, ["plan", str(plan), "--out", str(out)])
    assert r.exit_code == 2 and "exists; pass --force" in r.output


def test_plan_command_rounds_the_summary_files_and_keeps_the_paths_exact(plan_result, tmp_path,
                                                                        monkeypatch):
    """Read back: persons are whole numbers and shares have three decimals in the summary
    files, as the app's Export page writes them; the sample paths are the exact values."""
    from forecast import export
    from planner import brief, workbook

    monkeypatch.setattr(pipeline, "run_plan", lambda spec, data=None, **kw: plan_result)
    monkeypatch.setattr(export, "provenance", lambda *a, **k: {"package": "x"})  # reads data
    monkeypatch.setattr(brief, "brief_pdf", lambda *a, **k: b"%PDF")  # tested above
    monkeypatch.setattr(workbook, "workbook_bytes", lambda *a, **k: b"PK")
    monkeypatch.setattr(brief, "warm_up_in_background", lambda: None)
    plan = plan_result.spec.write(tmp_path / "plan.json")
    out = tmp_path / "out"
    r = CliRunner().invoke(cli.app, ["plan", str(plan), "--out", str(out)])
    assert r.exit_code == 0, r.output

    def whole(s):
        return bool(s.notna().all() and (s == s.round()).all())

    def three_decimals(s):
        return bool(((s * 1000).round(6) == (s * 1000).round()).all())

    fc = pd.read_csv(out / "forecast.csv")
    assert whole(fc["value"]) and not whole(plan_result.forecast["value"])
    q = pd.read_csv(out / "capacity_quantiles.csv")
    counts = q["metric"] != "occupancy"
    assert whole(q.loc[counts, "value"]) and three_decimals(q.loc[~counts, "value"])
    assert not whole(plan_result.capacity.quantiles["value"])
    adv = pd.read_csv(out / "advice.csv")
    for c in ("existing_capacity", "added_capacity", "required_capacity", "added_quantity"):
        assert whole(adv[c]), c
    assert not whole(plan_result.advice["added_capacity"])  # the fixture has a fraction
    assert three_decimals(adv["p_shortfall_now"]) and three_decimals(adv["risk"])
    assert whole(pd.read_csv(out / "schedule.csv")["added_capacity"])
    assert three_decimals(pd.read_csv(out / "p_shortfall.csv")["p_shortfall"])
    paths = export.read_csv(out / "paths.csv")
    assert paths["value"].tolist() == plan_result.paths["value"].tolist()
    arr = pd.read_csv(out / "arrivals.csv")
    assert arr["arrivals"].tolist() == plan_result.arrivals["arrivals"].tolist()
