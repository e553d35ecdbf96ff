"""A small plan result for the brief, workbook and export tests, in seconds.

The host-arrivals paths are a committed extract of a real ``run_plan`` output
(``tests/data/plan/host_paths_compound.csv``: compound preset, 12 months, 40 paths, seed 0,
hosts TJK and KAZ); the capacity and advice stages then run for real on them.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "plan"


def small_plan_result(multiplier: float = 20.0, n_runs: int = 20):
    from forecast import export
    from forecast.scenarios import PRESETS
    from forecast.vocabulary import QUANTILES
    from planner import pipeline
    from planner.pipeline import CapacitySettings, ForecastSettings, PlanResult, PlanSpec

    hp = export.read_csv(DATA / "host_paths_compound.csv")
    hp.attrs.update({k: v for k, v in export.read_provenance(
        DATA / "host_paths_compound.csv").items() if k in ("data_end_year", "notes")})
    hp.attrs["analogue"] = ""
    spec = PlanSpec(PRESETS["compound"], ForecastSettings(host="TJK", horizon=12, n_paths=40),
                    CapacitySettings(area_share=0.5, multiplier=multiplier, n_runs=n_runs))
    data = dataclasses.replace(pipeline.bundled_data(), history=None, drivers=None)
    arr = pipeline.arrivals(None, hp, spec, data)
    mc = pipeline.capacity(arr, spec, data)
    adv, sched = pipeline.advice(mc, spec, data)
    tjk = hp[hp["series_id"] == "TJK"]
    fc = (tjk.groupby(["series_id", "ds", "model", "scenario"])["value"]
          .quantile(list(QUANTILES)).rename("value").reset_index()
          .rename(columns={"level_4": "quantile"}))
    return PlanResult(spec, fc[["series_id", "ds", "model", "scenario", "quantile", "value"]],
                      tjk.reset_index(drop=True), hp, arr, mc, adv, sched)


@pytest.fixture(scope="session")
def plan_result():
    return small_plan_result()
