"""The ``abm`` command line: outputs with provenance, one-line errors, non-zero exits."""

import json

import pandas as pd
from typer.testing import CliRunner

from abm.cli import app

runner = CliRunner()


def test_run_writes_csv_and_provenance(tmp_path, data_dir):
    out = tmp_path / "out"
    args = ["run", str(data_dir / "arrivals_paths.csv"), "-f", str(data_dir / "facilities_small.csv"),
            "-n", "5", "--seed", "3", "--step-days", "7", "-o", str(out)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    summary = pd.read_csv(out / "summary.csv")
    assert set(summary["facility_type"]) == {"shelter", "school", "clinic"}
    prov = json.loads((out / "summary.csv.json").read_text())
    assert prov["seed"] == 3 and prov["n_runs"] == 5 and prov["config"]["step_days"] == 7
    assert len(prov["inputs"]["arrivals"]["sha256"]) == 64
    assert len(prov["inputs"]["afghan_demographics.csv"]["sha256"]) == 64
    q = pd.read_csv(out / "quantiles.csv")
    assert q["ds"].str.match(r"^\d{4}-\d{2}-\d{2}$").all()
    # never overwrite without --force
    again = runner.invoke(app, args)
    assert again.exit_code == 2 and "file exists" in again.output
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0


def test_advise_and_export(tmp_path, data_dir):
    out = tmp_path / "adv"
    res = runner.invoke(app, ["advise", str(data_dir / "arrivals_paths.csv"), "-f",
                              str(data_dir / "facilities_small.csv"), "-n", "8", "--risk", "0.2",
                              "--lead-time", "shelter=45", "--step-days", "7", "-o", str(out)])
    assert res.exit_code == 0, res.output
    adv = pd.read_csv(out / "advice.csv")
    assert adv.set_index("facility_type").loc["shelter", "lead_time_days"] == 45
    res = runner.invoke(app, ["export", str(tmp_path / "presets")])
    assert res.exit_code == 0, res.output
    fac = pd.read_csv(tmp_path / "presets" / "facilities.csv")
    assert fac["source"].notna().all()
    assert (tmp_path / "presets" / "plans.csv.json").exists()


def test_bad_inputs_give_one_line_errors(tmp_path, data_dir):
    bad = tmp_path / "bad.csv"
    bad.write_text("ds,arrivals\n2025-01-01,-5\n")
    res = runner.invoke(app, ["run", str(bad), "-o", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "abm: error:" in res.output and "bad.csv" in res.output and "'arrivals'" in res.output
    fac = tmp_path / "fac.csv"
    fac.write_text("facility_id,facility_type,quantity,quantity_unit\na,hotel,3,persons\n")
    res = runner.invoke(app, ["run", str(data_dir / "arrivals_paths.csv"), "-f", str(fac),
                              "-o", str(tmp_path / "o")])
    assert res.exit_code == 2 and "facility_type" in res.output
    cfg = tmp_path / "cfg.json"
    cfg.write_text('{"step_days": 5}')
    res = runner.invoke(app, ["run", str(data_dir / "arrivals_paths.csv"), "-c", str(cfg),
                              "-o", str(tmp_path / "o")])
    assert res.exit_code == 2 and "step_days" in res.output
    res = runner.invoke(app, ["advise", str(data_dir / "arrivals_paths.csv"), "--lead-time", "x",
                              "-o", str(tmp_path / "o")])
    assert res.exit_code == 2 and "--lead-time" in res.output
    assert not (tmp_path / "o").exists()


def test_sweep_command(tmp_path, data_dir):
    plan = tmp_path / "plan.csv"
    plan.write_text("facility_type,quantity,quantity_unit,ordered,lead_time_days\n"
                    "shelter,300,persons,2025-02-01,10\n")
    out = tmp_path / "sw"
    args = ["sweep", "-s", f"a={data_dir / 'arrivals_paths.csv'}", "-p", f"more={plan}",
            "-f", str(data_dir / "facilities_small.csv"), "--seeds", "1,2", "-n", "3",
            "--step-days", "7", "-o", str(out)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    summary = pd.read_csv(out / "sweep_summary.csv")
    assert set(summary["seed"]) == {1, 2} and set(summary["plan"]) == {"more"}
    assert len(summary) == 2 * 3 * 3  # seeds x runs x facility types
    bad = runner.invoke(app, ["sweep", "-s", "noequals", "-o", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "--scenario" in bad.output
    bad = runner.invoke(app, [*args[:-2], "--seeds", "a,b", "-o", str(tmp_path / "y")])
    assert bad.exit_code == 2 and "--seeds" in bad.output
