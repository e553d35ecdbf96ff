"""The planning pipeline: plan files, stages, and the command line."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from forecast.scenarios import PRESETS
from planner import cli
from planner.pipeline import CapacitySettings, ForecastSettings, PlanError, PlanSpec


def test_plan_file_round_trip_keeps_every_input(tmp_path):
    spec = PlanSpec(PRESETS["compound"], ForecastSettings(host="TJK", horizon=6, n_paths=30),
                    CapacitySettings(area_share=0.4, multiplier=3.0, n_runs=20, risk=0.05))
    p = spec.write(tmp_path / "plan.json")
    back = PlanSpec.read(p)
    assert back == spec
    data = json.loads(p.read_text())
    assert data["capacity"]["area_share"] == 0.4 and data["capacity"]["multiplier"] == 3.0
    assert data["scenario"]["name"] == "compound"
    with pytest.raises(FileExistsError):
        spec.write(p)


@pytest.mark.parametrize("patch, field", [
    ({"forecast": {"host": "FRA"}}, "forecast.host"),
    ({"forecast": {"horizon": 0}}, "forecast.horizon"),
    ({"capacity": {"area_share": 1.5}}, "capacity.area_share"),
    ({"capacity": {"multiplier": float("inf")}}, "capacity.multiplier"),
    ({"capacity": {"colour": 1}}, "colour"),
    ({"extra": 1}, "extra"),
])
def test_bad_plan_fields_are_named(tmp_path, patch, field):
    p = tmp_path / "bad.json"
    p.write_text(json.dumps(patch))
    with pytest.raises(PlanError, match=field.split(".")[-1]) as err:
        PlanSpec.read(p)
    assert str(p) in str(err.value)


def test_plan_file_with_a_byte_order_mark_is_read(tmp_path):
    p = tmp_path / "bom.json"
    p.write_bytes(b"\xef\xbb\xbf" + PlanSpec().to_json().encode())
    assert PlanSpec.read(p) == PlanSpec()


def test_cli_refuses_bad_plan_in_one_line(tmp_path):
    p = tmp_path / "x.json"
    p.write_text("{not json")
    r = CliRunner().invoke(cli.app, ["plan", str(p), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    assert "not valid JSON" in r.output and "Traceback" not in r.output


@pytest.mark.slow
def test_cli_plan_equals_the_apps_cached_call(tmp_path):
    """The command line reproduces the app's frames from the exported plan file."""
    from app_pages import services

    spec = PlanSpec(PRESETS["conflict_escalation"],
                    ForecastSettings(host="TJK", horizon=6, n_paths=40),
                    CapacitySettings(area_share=0.5, multiplier=2.0, n_runs=20))
    f = spec.write(tmp_path / "plan.json")
    out = tmp_path / "out"
    r = CliRunner().invoke(cli.app, ["plan", str(f), "--out", str(out)])
    assert r.exit_code == 0, r.output
    from planner import cache

    # both fits are kept in the run's cache folder (tests/conftest.py), where the app's
    # call below finds them: the same models, not a second fit
    kept = {p.name.split("-")[0] for p in cache.cache_dir().glob("*.pickle")}
    assert {"fit", "fit_hosts"} <= kept, kept
    app = services.plan_frames(spec, services.BUNDLED_TOKEN, services.bundled_plan_data())
    from forecast import export

    got = export.read_csv(out / "arrivals.csv")
    want = app["arrivals"].reset_index(drop=True)
    pd.testing.assert_frame_equal(got[want.columns], want, check_dtype=False)
    adv = pd.read_csv(out / "advice.csv")
    assert adv["added_capacity"].tolist() == app["advice"]["added_capacity"].tolist()
    assert (out / "plan.json").read_text() == f.read_text()


def test_stages_report_progress():
    """A model set reports each fit before it starts and once at the end; the capacity
    stage reports Monte Carlo runs done, from 0 to n_runs, in order."""
    from pathlib import Path

    import numpy as np

    from forecast.fitting import ModelSet
    from planner import pipeline

    z = pd.Series(np.log1p(np.arange(36.0)),
                  index=pd.date_range("2020-01-01", periods=36, freq="MS"))
    calls = []
    ModelSet(("naive", "drift")).fit(z, None, progress=lambda *a: calls.append(a))
    assert calls == [(0, 2, "naive", 36), (1, 2, "drift", 36), (2, 2, "", 36)]

    abm_data = Path(__file__).resolve().parents[1] / "abm" / "data"
    arr = pd.read_csv(abm_data / "arrivals_paths.csv")
    fac = pd.read_csv(abm_data / "facilities_small.csv")
    spec = PlanSpec(capacity=CapacitySettings(n_runs=8))
    seen = []
    pipeline.capacity(arr, spec, pipeline.PlanData(None, None, None, facilities=fac),
                      seen.append)
    assert {p.stage for p in seen} == {"capacity"} and {p.total for p in seen} == {8}
    done = [p.done for p in seen]
    assert done[0] == 0 and done[-1] == 8 and done == sorted(done) and len(done) > 2
    assert seen[0].fraction == 0.0 and seen[-1].fraction == 1.0
