"""Flee format: reading the tiny fixture, malformed files, validation data, Flee-style output."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from abm.errors import ConfigError, InputError
from abm.network import read_flee_scenario, simulate, write_flee_output
from abm.network.flee_io import (
    FLEE_OUT_TAIL,
    comparison_frame,
    flee_entries,
    read_closures,
    read_conflicts,
    read_date_series,
    read_locations,
    read_period,
    read_routes,
)

from .conftest import FIXTURES


@pytest.fixture
def tiny():
    return read_flee_scenario(FIXTURES / "input", FIXTURES / "validation", name="tiny")


def test_reads_sites_routes_period(tiny):
    sc, _ = tiny
    s = sc.network.sites
    assert s["name"].tolist() == ["A", "Z", "T", "H", "B", "C"]
    assert s["site_type"].tolist() == ["conflict_zone", "conflict_zone", "town", "forwarding_hub", "camp", "camp"]
    assert s["population"].isna().tolist() == [False, False, True, True, False, True]  # NA kept, not 0
    assert sc.network.routes["distance_km"].tolist() == [50, 30, 120, 60, 40, 450]
    assert sc.network.routes["forced_redirection"].tolist() == [0, 0, 0, 0, 2, 0]
    assert sc.start == pd.Timestamp("2020-01-01") and sc.days == 20


def test_reads_closures_with_open_end(tiny):
    sc, _ = tiny
    assert [(c.kind, c.name1, c.name2, c.start, c.end) for c in sc.closures] == [
        ("link", "T", "B", 0, 4),
        ("remove_forced_redirection", "H", "B", 8, 0),
    ]
    assert sc.closures[1].reopens is None and sc.closures[1].active(500)  # end 0 < start: open-ended


def test_conflicts_by_row_and_skip_unknown_columns(tiny):
    sc, _ = tiny
    a, z = sc.conflicts[:, 0], sc.conflicts[:, 1]
    assert a.tolist() == [1.0] * 20
    assert z.tolist() == [0.0] * 5 + [1.0] * 15
    _, unknown = read_conflicts(FIXTURES / "input" / "conflicts.csv", sc.network.names, 20)
    assert unknown == ["Unlisted"]


def test_validation_interpolation_and_registration_correction(tiny):
    _, v = tiny
    # total: 100 on day 0 rising linearly to 1100 on day 10, flat after
    assert v.total[[0, 5, 10, 19]].tolist() == [100, 600, 1100, 1100]
    # B's reports before 2020-01-11 are scaled by 300/400: 0, 300 | 300, 500
    assert v.raw["B"].tolist() == [0, 300, 300, 500]
    assert v.camps["B"][[5, 10, 15, 19]].tolist() == pytest.approx([300, 300, 400, 480])
    # C has a header row and quoted dates; flat after its last report
    assert v.camps["C"][[5, 10, 19]].tolist() == pytest.approx([110, 200, 200])
    assert list(v.camps.columns) == ["B", "C"]


def test_scenario_entries_follow_registered_total(tiny):
    # Flee 3.1 with insert_day0: day 0 holds the camps' day-0 counts (C: 20); later days add
    # the rise of refugees.csv over its day-0 value (100), never its day-0 value itself
    sc, v = tiny
    assert sc.registered_total[[0, 1, 5, 10, 19]].tolist() == [20, 120, 520, 1020, 1020]
    r = simulate(sc, seed=0)
    assert np.array_equal(r.occupancy.sum(axis=1) + r.in_transit + r.waiting,
                          np.rint(sc.registered_total).astype(int))
    sc0, _ = read_flee_scenario(FIXTURES / "input", FIXTURES / "validation", insert_day0=False)
    assert np.array_equal(sc0.registered_total, v.total)


def test_flee_entries_pay_back_a_fall_before_new_entries():
    # Flee's refugee debt: a fall of 30 is made up before anyone new enters
    s = np.array([100, 130, 100, 120, 150], dtype=float)
    assert flee_entries(s, None).tolist() == [100, 130, 130, 130, 150]
    assert flee_entries(s, 10).tolist() == [10, 40, 40, 40, 60]


def test_entries_from_camp_sum(tiny):
    # Flee's sum_from_camps: entries follow B + C (corrected, interpolated), not total.csv
    _, v = tiny
    sc, _ = read_flee_scenario(FIXTURES / "input", FIXTURES / "validation", entries="camps")
    # B: 0, 300 (day 5), 300 (day 10), 400 (day 15), 480 (day 19); C: 20, 110, 200, 200, 200
    assert sc.registered_total[[0, 5, 10, 15, 19]].tolist() == pytest.approx([20, 410, 500, 600, 680])
    assert sc.initial.sum() == 20  # insert_day0: C's 20 on day 0 are the day-0 entries
    r = simulate(sc, seed=0)
    assert np.array_equal(r.occupancy.sum(axis=1) + r.in_transit + r.waiting,
                          np.rint(sc.registered_total).astype(int))
    assert v.total[-1] == 1100 and r.occupancy[-1].sum() + r.in_transit[-1] + r.waiting[-1] == 680
    with pytest.raises(ConfigError, match="entries must be one of"):
        read_flee_scenario(FIXTURES / "input", FIXTURES / "validation", entries="idps")


def test_closure_in_fixture_respected(tiny):
    sc, _ = tiny
    r = simulate(sc, seed=1)
    # T-B closed days 0-3 (reopens on day 4) and H redirects to B; C is 450 km from A (day 2+)
    t_to_b_closed = [c for c in sc.closures if c.kind == "link"][0]
    assert t_to_b_closed.active(3) and not t_to_b_closed.active(4)
    assert (r.occupancy[:2, sc.network.index("C")] <= 20).all()  # only its day-0 population yet


def _copy(tmp_path):
    d = tmp_path / "input"
    shutil.copytree(FIXTURES / "input", d)
    return d


@pytest.mark.parametrize(
    ("fname", "content", "match"),
    [
        ("locations.csv", "#name,r,c,lat,lon,type,cd,pop\nA,R,X,0,0,volcano,,\n", "line 2: location_type"),
        ("locations.csv", "#name,r,c,lat,lon,type,cd,pop\nA,R,X,north,0,town,,\n", "line 2: latitude"),
        ("locations.csv", "#name,r,c,lat,lon,type,cd,pop\nA,R,X\n", "at least 6 columns"),
        ("locations.csv", "#name,r,c,lat,lon,type,cd,pop\nA,R,X,0,0,town,,\nA,R,X,0,0,camp,,\n", "duplicate"),
        ("locations.csv", "#name,r,c,lat,lon,type,cd,pop\n", "no location rows"),
        ("routes.csv", "#n1,n2,d,f\nA,T,far,\n", "distance"),
        ("routes.csv", "#n1,n2,d,f\nA,T,-5,\n", "distance"),
        ("routes.csv", "#n1,n2,d,f\nA,Nowhere,5,\n", "line 2: route: names unknown site"),
        ("routes.csv", "#n1,n2,d,f\nA,T,5,7\n", "forced_redirection"),
        ("conflict_period.csv", "Start,2020-01-01\n", "StartDate"),
        ("closures.csv", "#t,n1,n2,s,e\nlocation,A,T\n", "5 columns"),
        ("closures.csv", "#t,n1,n2,s,e\nflood,A,T,0,1\n", "closure kind"),
        ("conflicts.csv", "0, 1, 0\n", "header"),
        ("conflicts.csv", "#Day, A, Z\n0, x, 0\n", "not numeric"),
    ],
)
def test_malformed_files_give_clear_errors(tmp_path, fname, content, match):
    d = _copy(tmp_path)
    (d / fname).write_text(content)
    with pytest.raises(InputError, match=match) as info:
        read_flee_scenario(d, None)
    assert str(d) in str(info.value) or "closure" in str(info.value)


def test_missing_file_named(tmp_path):
    d = _copy(tmp_path)
    (d / "routes.csv").unlink()
    with pytest.raises(InputError, match="routes.csv: file not found"):
        read_flee_scenario(d, None)


def test_bad_validation_rows(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("Date,n\n2020-01-01,5\n2020-13-01,6\n")
    with pytest.raises(InputError, match="line 3: date"):
        read_date_series(p)
    p.write_text("2020-01-01,lots\n")
    with pytest.raises(InputError, match="not a number"):
        read_date_series(p)


def test_locations_camp_missing_from_layout_is_refused(tmp_path):
    # Flee 3.1 scores every camp of locations.csv and stops when one has no data_layout row
    v = tmp_path / "validation"
    shutil.copytree(FIXTURES / "validation", v)
    (v / "data_layout.csv").write_text("total,total.csv\nB,b.csv\nQ,b.csv\n")
    with pytest.raises(InputError, match="data_layout.csv: data_layout: camp 'C' of locations.csv has no row"):
        read_flee_scenario(FIXTURES / "input", v)


def test_single_readers_direct():
    assert read_period(FIXTURES / "input" / "conflict_period.csv") == (pd.Timestamp("2020-01-01"), 20)
    assert len(read_closures(FIXTURES / "input" / "closures.csv")) == 2
    assert len(read_locations(FIXTURES / "input" / "locations.csv")) == 6
    assert len(read_routes(FIXTURES / "input" / "routes.csv")) == 6


def test_flee_output_has_flees_columns_and_errors(tiny, tmp_path):
    sc, v = tiny
    r = simulate(sc, seed=0)
    out = write_flee_output(r, v, tmp_path / "out.csv")
    f = pd.read_csv(out)
    camp_cols = [f"{c} {k}" for c in ("B", "C") for k in ("sim", "data", "error")]
    assert list(f.columns) == ["Day", "Date", *camp_cols, *FLEE_OUT_TAIL]
    names = sc.network.names
    sim = r.occupancy[:, [names.index("B"), names.index("C")]]
    obs = v.camps.to_numpy()
    # Flee's rel_error per camp: |sim / data - 1|, 0 where data is 0
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(obs[:, 0] == 0, 0.0, np.abs(sim[:, 0] / obs[:, 0] - 1))
    np.testing.assert_allclose(f["B error"], np.round(rel, 4))
    # Flee's Total error divides by the cumulative refugees.csv count
    np.testing.assert_allclose(f["Total error"], np.abs(sim - obs).sum(axis=1) / v.total)
    assert f["raw UNHCR refugee count"].tolist() == v.total.astype(int).tolist()
    assert f["B sim"].tolist() == sim[:, 0].tolist()
    assert (tmp_path / "out.csv.json").is_file()
    with pytest.raises(InputError, match="exists"):
        write_flee_output(r, v, tmp_path / "out.csv")
    write_flee_output(r, v, tmp_path / "out.csv", overwrite=True)


def test_flee_plot_script_reads_our_out_csv(tiny, tmp_path):
    # what flee.postprocessing.plot_flee_output does with out.csv: index by Day, drop the
    # tail columns to find the camps, read '<camp> sim' / '<camp> data' and the UNHCR total
    sc, v = tiny
    write_flee_output(simulate(sc, seed=0), v, tmp_path / "out.csv")
    data = pd.read_csv(tmp_path / "out.csv", sep=",", encoding="latin1", index_col="Day")
    camps = [c.split()[0] for c in data.drop(list(FLEE_OUT_TAIL), axis=1).columns if c.endswith(" sim")]
    assert camps == ["B", "C"]
    un = data["refugees in camps (UNHCR)"].to_numpy()
    diff = sum(np.abs(data[f"{c} sim"] - data[f"{c} data"]) for c in camps) / np.maximum(un, 1)
    assert np.isfinite(diff.mean())


def test_comparison_frame_is_tidy(tiny):
    sc, v = tiny
    c = comparison_frame(simulate(sc, seed=0), v)
    assert list(c.columns) == ["day", "date", "camp", "simulated", "observed", "error"]
    assert len(c) == 20 * 2


def test_insert_day0_places_observed_camp_counts(tiny):
    sc, v = tiny
    c = sc.network.index("C")
    assert sc.initial.tolist() == [0, 0, 0, 0, 0, 20]
    r = simulate(sc, seed=0)
    assert r.occupancy[0, c] >= 20  # camp movechance 0.001: nearly all stay
    sc0, _ = read_flee_scenario(FIXTURES / "input", FIXTURES / "validation", insert_day0=False)
    assert sc0.initial is None


def test_correction_dated_before_the_start_still_applies(tmp_path):
    # Flee matches the correction date against the reports' day offsets, negative ones included
    from abm.network.flee_io import read_validation

    corr = FIXTURES / "input" / "registration_corrections.csv"
    v_early = read_validation(FIXTURES / "validation", pd.Timestamp("2020-01-12"), 5, corr)
    assert v_early.raw["B"].tolist() == [0, 300, 300, 500]
    v = read_validation(FIXTURES / "validation", pd.Timestamp("2020-01-01"), 5, corr)
    assert v.raw["B"].tolist() == [0, 300, 300, 500]
