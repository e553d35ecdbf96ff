"""Flee format: reading the tiny fixture, malformed files, validation data, Flee-style output."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from abm.errors import ConfigError, InputError
from abm.network import ard_daily, read_flee_scenario, simulate, write_flee_output
from abm.network.flee_io import (
    comparison_frame,
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
        ("location", "T", "B", 0, 3),
        ("remove_forced_redirection", "H", "B", 8, None),
    ]


def test_conflicts_fill_gaps_and_skip_unknown_columns(tiny):
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
    sc, v = tiny
    r = simulate(sc, seed=0)
    assert np.array_equal(r.occupancy.sum(axis=1) + r.in_transit + r.waiting, np.rint(v.total).astype(int))


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
    # T-B closed days 0-3 and H redirects to B: B can only fill via H; C is 450 km from A (day 2+)
    t_to_b_closed = [c for c in sc.closures if c.kind == "location"][0]
    assert t_to_b_closed.active(3) and not t_to_b_closed.active(4)
    assert (r.occupancy[:2, sc.network.index("C")] <= 20).all()  # only its day-0 population yet


def _copy(tmp_path):
    d = tmp_path / "input"
    shutil.copytree(FIXTURES / "input", d)
    return d


@pytest.mark.parametrize(
    ("fname", "content", "match"),
    [
        ("locations.csv", "#name,r,c,lat,lon,type,cd,pop\nA,R,X,0,0,volcano,,\n", "unknown values"),
        ("locations.csv", "#name,r,c,lat,lon,type,cd,pop\nA,R,X,north,0,town,,\n", "'lat' is not numeric"),
        ("locations.csv", "#name,r,c,lat,lon,type,cd,pop\nA,R,X\n", "at least 6 columns"),
        ("locations.csv", "#name,r,c,lat,lon,type,cd,pop\nA,R,X,0,0,town,,\nA,R,X,0,0,camp,,\n", "duplicate"),
        ("locations.csv", "#name,r,c,lat,lon,type,cd,pop\n", "no location rows"),
        ("routes.csv", "#n1,n2,d,f\nA,T,far,\n", "distance"),
        ("routes.csv", "#n1,n2,d,f\nA,T,-5,\n", "distance"),
        ("routes.csv", "#n1,n2,d,f\nA,Nowhere,5,\n", "unknown sites"),
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
    with pytest.raises(InputError, match="row 3 date"):
        read_date_series(p)
    p.write_text("2020-01-01,lots\n")
    with pytest.raises(InputError, match="not a number"):
        read_date_series(p)


def test_validation_camp_not_in_network(tmp_path):
    v = tmp_path / "validation"
    shutil.copytree(FIXTURES / "validation", v)
    (v / "data_layout.csv").write_text("total,total.csv\nQ,b.csv\n")
    with pytest.raises(InputError, match="not in locations.csv"):
        read_flee_scenario(FIXTURES / "input", v)


def test_single_readers_direct():
    assert read_period(FIXTURES / "input" / "conflict_period.csv") == (pd.Timestamp("2020-01-01"), 20)
    assert len(read_closures(FIXTURES / "input" / "closures.csv")) == 2
    assert len(read_locations(FIXTURES / "input" / "locations.csv")) == 6
    assert len(read_routes(FIXTURES / "input" / "routes.csv")) == 6


def test_flee_output_columns_and_total_error(tiny, tmp_path):
    sc, v = tiny
    r = simulate(sc, seed=0)
    out = write_flee_output(r, v, tmp_path / "out.csv")
    f = pd.read_csv(out)
    for camp in ("B", "C"):
        assert {f"{camp} sim", f"{camp} data", f"{camp} error"} <= set(f.columns)
    names = sc.network.names
    sim = r.occupancy[:, [names.index("B"), names.index("C")]]
    expected = ard_daily(sim, v.camps.to_numpy())
    np.testing.assert_allclose(f["Total error"].to_numpy(), expected, equal_nan=True)
    assert f["B sim"].tolist() == sim[:, 0].tolist()
    assert (tmp_path / "out.csv.json").is_file()
    with pytest.raises(InputError, match="exists"):
        write_flee_output(r, v, tmp_path / "out.csv")
    write_flee_output(r, v, tmp_path / "out.csv", overwrite=True)


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


def test_correction_before_start_is_ignored(tmp_path):
    from abm.network.flee_io import read_validation

    v_early = read_validation(FIXTURES / "validation", pd.Timestamp("2020-01-12"), 5,
                              {"B": pd.Timestamp("2020-01-11")})
    assert v_early.raw["B"].tolist() == [0, 400, 300, 500]
    v = read_validation(FIXTURES / "validation", pd.Timestamp("2020-01-01"), 5, {"B": pd.Timestamp("2020-01-11")})
    assert v.raw["B"].tolist() == [0, 300, 300, 500]
