"""Multi-seed runs, the Central Asian example, arrivals adapter, shared Flee scenarios."""

from __future__ import annotations

from collections import deque

import numpy as np
import pandas as pd
import pytest

from abm.errors import InputError
from abm.network import Closure, great_circle_km, read_flee_scenario, simulate
from abm.network.runs import (
    SHARED_SCENARIOS,
    allocation_summary,
    central_asia_dir,
    central_asia_scenario,
    daily_entries_from_arrivals,
    load_shared,
    run_network_seeds,
    shared_scenario_paths,
    summarise,
)

from .conftest import FIXTURES, needs_shared


def test_great_circle_known_distance():
    # one degree of latitude along a meridian: pi * R / 180
    assert great_circle_km(0, 0, 1, 0) == pytest.approx(np.pi * 6371.0088 / 180, rel=1e-9)
    assert great_circle_km(10, 20, 10, 20) == 0.0


def test_central_asia_routes_are_great_circle_km():
    sc, _ = read_flee_scenario(central_asia_dir(), None)
    s = sc.network.sites.set_index("name")
    for _, r in sc.network.routes.iterrows():
        a, b = s.loc[r["name1"]], s.loc[r["name2"]]
        km = great_circle_km(a["lat"], a["lon"], b["lat"], b["lon"])
        assert abs(r["distance_km"] - km) <= 1.0, (r["name1"], r["name2"])


def test_central_asia_is_labelled_illustrative_and_connected():
    text = (central_asia_dir() / "SOURCE.md").read_text()
    assert "ILLUSTRATIVE" in text
    sc, _ = read_flee_scenario(central_asia_dir(), None)
    names = sc.network.names
    adj = {n: set() for n in names}
    for _, r in sc.network.routes.iterrows():
        adj[r["name1"]].add(r["name2"])
        adj[r["name2"]].add(r["name1"])
    seen, todo = {"Kabul"}, deque(["Kabul"])
    while todo:
        for m in adj[todo.popleft()] - seen:
            seen.add(m)
            todo.append(m)
    assert seen == set(names)
    countries = set(sc.network.sites["country"])
    assert {"Uzbekistan", "Tajikistan", "Turkmenistan", "Kazakhstan"} <= countries


def test_central_asia_run_conserves_and_respects_border_closure():
    sc = central_asia_scenario()
    r = simulate(sc, seed=0)
    assert np.array_equal(r.occupancy.sum(axis=1) + r.in_transit + r.waiting,
                          np.rint(sc.registered_total).astype(int))
    tm = (sc.network.sites["country"] == "Turkmenistan").to_numpy()
    closure = sc.closures[0]
    assert closure.kind == "country" and closure.end is not None
    # the border closure alone is bypassed through Uzbekistan (Qarshi-Turkmenabat) ...
    assert r.occupancy[: closure.end, tm].sum() > 0
    # ... closing that road too keeps Turkmenistan empty until the border reopens (on day `end`)
    sealed = sc.with_closures(Closure("link", "Qarshi", "Turkmenabat", 0, None))
    r2 = simulate(sealed, seed=0)
    assert r2.occupancy[: closure.end, tm].sum() == 0
    assert r2.occupancy[-1, tm].sum() > 0
    summ = allocation_summary(r)
    assert list(summ.columns) == ["site", "site_type", "country", "persons_end", "peak", "capacity",
                                  "first_full_day"]
    assert summ.loc[summ["site_type"] != "camp", "capacity"].isna().all()


def test_arrivals_frame_spread_over_days():
    arr = pd.DataFrame({"ds": ["2026-01-01", "2026-02-01"], "arrivals": [310.0, 280.0]})
    cum = daily_entries_from_arrivals(arr, pd.Timestamp("2026-01-01"), 59)
    assert cum[0] == pytest.approx(10.0)
    assert cum[30] == pytest.approx(310.0)
    assert cum[58] == pytest.approx(590.0)
    months = pd.DataFrame({"ds": pd.date_range("2026-01-01", periods=6, freq="MS"),
                           "arrivals": [3100.0, 2800.0, 3100.0, 3000.0, 3100.0, 3000.0]})  # 100 a day
    sc = central_asia_scenario(months)
    assert sc.registered_total[-1] == pytest.approx(100.0 * sc.days)


def test_arrivals_frame_errors():
    start = pd.Timestamp("2026-01-01")
    with pytest.raises(InputError, match="'arrivals' NA"):
        daily_entries_from_arrivals(pd.DataFrame({"ds": ["2026-01-01"], "arrivals": [np.nan]}), start, 10)
    with pytest.raises(InputError, match="not covered"):
        daily_entries_from_arrivals(pd.DataFrame({"ds": ["2026-01-01"], "arrivals": [5.0]}), start, 40)
    with pytest.raises(InputError, match="column 'arrivals'"):
        daily_entries_from_arrivals(pd.DataFrame({"ds": ["2026-01-01"]}), start, 10)
    paths = pd.DataFrame({"ds": ["2026-01-01"] * 2, "path": [0, 1], "arrivals": [31.0, 62.0]})
    assert daily_entries_from_arrivals(paths, start, 31, path=1)[-1] == pytest.approx(62.0)


def test_run_seeds_and_summary():
    sc, v = read_flee_scenario(FIXTURES / "input", FIXTURES / "validation")
    runs = run_network_seeds(sc, v, [0, 1, 2])
    assert runs["seed"].tolist() == [0, 1, 2]
    assert (runs["ard"] >= 0).all()
    assert (runs["ard_rescaled"] >= 0).all()
    s = summarise(runs)
    assert s.loc[0, "seeds"] == 3
    assert s.loc[0, "ard_mean"] == pytest.approx(runs["ard"].mean())
    assert s.loc[0, "ard_rescaled_mean"] == pytest.approx(runs["ard_rescaled"].mean())
    again = run_network_seeds(sc, v, [0, 1, 2])
    assert again["ard"].tolist() == runs["ard"].tolist()


def test_unknown_or_absent_shared_scenario(tmp_path):
    with pytest.raises(InputError, match="unknown shared scenario"):
        shared_scenario_paths("atlantis")
    with pytest.raises(InputError, match="not found"):
        shared_scenario_paths("burundi", tmp_path)


def test_flee_dir_comes_from_option_or_environment(tmp_path, monkeypatch):
    from abm.network.runs import FLEE_DIR_ENV, RAW_DIR_ENV, flee_dir

    monkeypatch.delenv(FLEE_DIR_ENV, raising=False)
    monkeypatch.delenv(RAW_DIR_ENV, raising=False)
    with pytest.raises(InputError, match="pass --flee-dir DIR or set PLANNER_FLEE_DIR") as info:
        flee_dir()
    assert "\n" not in str(info.value)
    assert flee_dir(tmp_path) == tmp_path
    (tmp_path / "flee").mkdir()
    monkeypatch.setenv(RAW_DIR_ENV, str(tmp_path))
    assert flee_dir() == tmp_path / "flee"
    monkeypatch.setenv(FLEE_DIR_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(InputError, match="not a folder"):
        flee_dir()


@needs_shared
def test_every_shared_scenario_folder_is_known():
    # each flee_conflict_input/<x> pairs with a flee_conflict_validation/<x><year>, and each
    # FabFlee folder with its source_data; all are in SHARED_SCENARIOS, so all are read and scored
    from abm.network.runs import flee_dir

    base = flee_dir()
    listed = set(SHARED_SCENARIOS.values())
    for d in sorted((base / "flee_conflict_input").iterdir()):
        vals = [v for v in (base / "flee_conflict_validation").iterdir() if v.name.startswith(d.name)]
        assert len(vals) == 1
        assert (f"flee_conflict_input/{d.name}", f"flee_conflict_validation/{vals[0].name}") in listed
    for d in sorted(base.glob("fabflee_*")):
        assert (f"{d.name}/input_csv", f"{d.name}/source_data") in listed


@needs_shared
@pytest.mark.parametrize("name", sorted(SHARED_SCENARIOS))
def test_shared_scenarios_read_and_score(name):
    from abm.network.runs import score

    sc, v = load_shared(name)
    s = score(simulate(sc, seed=0), v)
    assert 0 < s.ard_total and 0 < s.ard and np.isfinite(s.mase)
    assert sc.days > 100
    assert set(v.camps.columns) <= set(sc.network.names)
    assert len(sc.registered_total) == sc.days and sc.registered_total[-1] > 10_000
    assert v.camps.shape == (sc.days, len(v.camps.columns)) and v.camps.notna().all().all()


@needs_shared
def test_burundi_conserves_people_and_beats_flee_bar():
    sc, v = load_shared("burundi")
    runs = run_network_seeds(sc, v, [0])
    r = simulate(sc, seed=0)
    assert np.array_equal(r.occupancy.sum(axis=1) + r.in_transit + r.waiting,
                          np.maximum.accumulate(np.rint(sc.registered_total)).astype(int))
    assert runs.loc[0, "ard"] < 0.6  # Flee 3.1 measured 0.569 on this scenario


@needs_shared
def test_ethiopia_total_is_mostly_not_camp_refugees():
    # docs/network.md "Ethiopia": refugees.csv counts IDPs too; the camps hold 63,121 + 5 x 100 placeholders
    sc_t, v = load_shared("ethiopia")
    sc_c, _ = load_shared("ethiopia", entries="camps")
    assert sc_t.registered_total[-1] == 1_368_060
    assert sc_c.registered_total[-1] == pytest.approx(63_621)
    assert v.camps.iloc[-1][["Hamdayet", "Lugdi", "Abderafi", "Wad_Al_Mahi"]].sum() == pytest.approx(63_121)
    assert (v.camps.iloc[-1][["Sehra", "Tsorona", "Galafi", "Gondar", "Bahir_Dar"]] == 100).all()


def test_site_arrivals_frame_monthly_rises(fork):
    from abm.network.runs import site_arrivals_frame

    from .conftest import make_scenario

    sc = make_scenario(fork, 40, 10.0 * np.arange(1, 41))
    r = simulate(sc, seed=0)
    f = site_arrivals_frame(r, ["B", "C"])
    assert list(f.columns) == ["site", "ds", "arrivals"]
    assert f["ds"].dt.day.eq(1).all() and len(f) == 4
    # camps only fill here (camp movechance 0.001 rarely empties them): rises sum to the end stock
    for site in ("B", "C"):
        assert f.loc[f["site"] == site, "arrivals"].sum() >= r.occupancy[-1, sc.network.index(site)]
    with pytest.raises(InputError, match="no site"):
        site_arrivals_frame(r, ["Q"])
