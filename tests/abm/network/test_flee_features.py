"""Each Flee 3.1 input feature: read as Flee reads it, or refused in one line naming file, line and feature."""

from __future__ import annotations

import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abm.errors import InputError
from abm.network import read_flee_scenario, simulate
from abm.network.flee_io import add_tables, flee_interpolate, flee_site_type

from .conftest import FEATURES, FIXTURES

VAL = FEATURES / "validation"


@pytest.fixture
def inp(tmp_path):
    """A copy of the tiny scenario without registration corrections (they name camp B)."""
    d = tmp_path / "input"
    shutil.copytree(FIXTURES / "input", d)
    (d / "registration_corrections.csv").unlink()
    return d


def _write(d, name, text):
    (d / name).write_text(text)
    return d


# --- 1. two or more files for one camp: summed as DataTable.AddCSVTables


def test_camp_with_two_files_is_their_sum(inp):
    _, v = read_flee_scenario(inp, VAL)
    # b1 (0, 100 on day 5, 200 on day 10) + b2 (10, 50 on day 10): table 10, 110, 250
    assert v.raw["B"].tolist() == [10, 110, 250]
    assert v.camps["B"][[0, 3, 5, 7, 10, 15]].tolist() == [10, 70, 110, 166, 250, 250]


def test_add_tables_keeps_flees_quirks():
    # rows of the second table after the first's last day are dropped; the first's last row repeats
    assert add_tables([[0, 1], [5, 2]], [[0, 10], [3, 20], [9, 30]]) == [[0, 11], [3, 22], [5, 22]]
    # first-table rows after the second table's last day are dropped
    assert add_tables([[0, 1], [5, 2], [9, 3]], [[0, 10]]) == [[0, 11]]


def test_interpolation_truncates_to_whole_persons_as_flee():
    assert flee_interpolate([[0, 0], [3, 10]], 5).tolist() == [0, 3, 6, 10, 10]
    assert flee_interpolate([[2, 7], [4, 9]], 3).tolist() == [7, 7, 7]  # flat before the first report


# --- 2. comment lines; errors name file lines, not data rows


def test_comment_lines_are_skipped(inp):
    _, v = read_flee_scenario(inp, VAL)
    assert v.raw["C"].tolist() == [20, 200]  # '#2020-01-03,9999' and the trailing comment skipped


def test_bad_date_error_names_the_file_line(inp, tmp_path):
    val = tmp_path / "val"
    shutil.copytree(VAL, val)
    _write(val, "c.csv", "DateTime,Persons\n2020-01-01,20\n#2013-12-04,1\n\n2020-13-11,200\n")
    with pytest.raises(InputError, match=r"c\.csv, line 5: date: '2020-13-11' is not YYYY-MM-DD"):
        read_flee_scenario(inp, val)


# --- 3. a data_layout camp not in locations.csv: not scored (as Flee), counted by entries="camps"


def test_layout_camp_not_in_locations_is_ignored_for_scoring(inp):
    sc, v = read_flee_scenario(inp, VAL)
    assert list(v.camps.columns) == ["B", "C"] and list(v.others.columns) == ["Ghost"]
    scc, _ = read_flee_scenario(inp, VAL, entries="camps")
    # SumFromCamps: B + C + Ghost = 10 + 20 + 5 on day 0; day 10: 250 + 200 + 55
    assert scc.registered_total[10] == sc.initial.sum() + (505 - 35)


# --- 4. closure kinds with Flee 3.1's semantics


def test_location_closure_ignores_its_second_name(inp):
    _write(inp, "closures.csv", "#closure_type,name1,name2,closure_start,closure_end\nlocation,A,Ethiopia,0,5\n")
    sc, _ = read_flee_scenario(inp, VAL)
    r = simulate(sc, seed=0)
    a = sc.network.index("A")
    # day 0 holds only the camps' day-0 counts (insert_day0); A is sealed on days 0-4
    # (after it reopens, only the few who turn back from T and arrive with no distance left stay a night)
    assert r.occupancy[1:5, a].min() >= 100 and r.occupancy[5:, a].max() <= 5


@pytest.mark.parametrize("kind", ["link", "camp", "idpcamp", "country", "remove_forced_redirection"])
def test_every_flee_closure_kind_is_read(inp, kind):
    names = {"link": "T,B", "camp": "B,", "idpcamp": "C,", "country": "Homeland,Nextdoor",
             "remove_forced_redirection": "H,B"}[kind]
    _write(inp, "closures.csv", f"#closure_type,name1,name2,closure_start,closure_end\n{kind},{names},2,6\n")
    sc, v = read_flee_scenario(inp, VAL)
    assert sc.closures[0].kind == kind and sc.closures[0].active(5) and not sc.closures[0].active(6)
    r = simulate(sc, seed=0)
    assert (r.occupancy.sum(axis=1) + r.in_transit + r.waiting)[-1] == sc.registered_total[-1]


@pytest.mark.parametrize(
    ("row", "match"),
    [
        ("link,T,Atlantis,0,1", "line 2: closure link: names unknown site 'Atlantis'"),
        ("country,Homeland,Mars,0,1", "line 2: closure country: names unknown country 'Mars'"),
        ("flood,A,T,0,1", "line 2: closure kind: 'flood' unknown"),
        ("camp,B,,soon,1", "line 2: closure days"),
    ],
)
def test_bad_closures_are_refused_with_their_line(inp, row, match):
    _write(inp, "closures.csv", f"#closure_type,name1,name2,closure_start,closure_end\n{row}\n")
    with pytest.raises(InputError, match=match):
        read_flee_scenario(inp, VAL)


# --- 5. closure end day: reopened on it (see also test_engine)


def test_closure_reopens_on_its_end_day(inp):
    _write(inp, "closures.csv", "#c\nlink,A,T,0,3\n")
    sc, _ = read_flee_scenario(inp, VAL)
    assert [sc.closures[0].active(d) for d in range(5)] == [True, True, True, False, False]


# --- other inputs Flee 3.1 reads


def test_sim_period_and_conflict_period(inp):
    (inp / "conflict_period.csv").rename(inp / "sim_period.csv")
    sc, _ = read_flee_scenario(inp, VAL)
    assert sc.days == 20
    _write(inp, "conflict_period.csv", "StartDate,2020-01-01\nLength,20\n")
    assert read_flee_scenario(inp, VAL)[0].days == 20  # both present and agreeing
    _write(inp, "conflict_period.csv", "StartDate,2020-01-01\nLength,30\n")
    with pytest.raises(InputError, match="the two period files disagree"):
        read_flee_scenario(inp, VAL)
    _write(inp, "sim_period.csv", "StartDate,2020-01-01\nLength,ten\n")
    (inp / "conflict_period.csv").unlink()
    with pytest.raises(InputError, match=r"sim_period\.csv, line 2: Length"):
        read_flee_scenario(inp, VAL)


def test_registration_corrections_as_flee(inp):
    _write(inp, "registration_corrections.csv", '"C","2020-01-11","normalize"\n')
    _, v = read_flee_scenario(inp, VAL)
    assert v.raw["C"].tolist() == [200, 200]  # the report before is scaled by 200 / 20
    _write(inp, "registration_corrections.csv", "C,2020-01-11\nNowhere,2020-01-11\n")
    with pytest.raises(InputError, match=r"registration_corrections\.csv, line 2: registration correction: camp 'Nowhere'"):
        read_flee_scenario(inp, VAL)
    _write(inp, "registration_corrections.csv", "C,2020-01-05\n")
    with pytest.raises(InputError, match="line 1: registration correction: camp 'C' has no report on that date"):
        read_flee_scenario(inp, VAL)


def test_location_types_read_by_substring_as_flee():
    assert [flee_site_type(t) for t in ("conflict_zone", "camp", "idpcamp", "forwarding_hub", "marker",
                                        "town", "default", "flood_zone")] == [
        "conflict_zone", "camp", "idpcamp", "forwarding_hub", "marker", "town", "town", None]


def test_forwarding_hub_moves_everyone_on(inp):
    # Flee: a forwarding hub's move chance is 1; only people arriving with no distance left stay the night
    from abm.network import MoveRules

    sc, _ = read_flee_scenario(inp, VAL)
    h = sc.network.index("H")
    hub = simulate(sc, MoveRules(forced_redirection=False), seed=0).occupancy[:, h]
    town_like = simulate(sc, MoveRules(forced_redirection=False, hub_movechance=0.3), seed=0).occupancy[:, h]
    assert hub.max() <= 5 and town_like.sum() > 5 * max(hub.sum(), 1)


@pytest.mark.parametrize(
    ("fname", "text", "match"),
    [
        ("locations.csv", "#name,r,c,lat,lon,type,cd,pop\nA,R,Homeland,0,0,conflict_zone,0,10\n"
         "F,R,Homeland,0,0,flood_zone,,\n", r"locations\.csv, line 3: location_type: 'flood_zone'"),
        ("locations.csv", "#name,r,c,lat,lon,type,cd,pop,conflict_intensity\nA,R,X,0,0,town,,,\n",
         r"line 1: column 'conflict_intensity'"),
        ("routes.csv", "#name1,name2,distance,forced_redirection,max_move_speed\nA,T,5,,100\n",
         r"routes\.csv, line 1: column 'max_move_speed'"),
        ("conflicts.csv", "#Day,A,Z\n0,1,0\n2,1,0\n", r"conflicts\.csv, line 3: conflict day: Day 2"),
        ("conflicts.csv", "#Day,A,Z\n0,1,0\ninf,1,0\n", r"conflicts\.csv, line 3: conflict day: Day 'inf' is not a whole day"),
        ("conflicts.csv", "#Day,A,Z\n0,1,0\n1.5,1,0\n", r"conflicts\.csv, line 3: conflict day: Day '1.5' is not a whole day"),
        ("conflicts.csv", "#Day,A,Z\n0,1,0\n1,1,0\n", r"conflict days: 2 day rows for a 20-day period"),
        ("conflicts.csv", "#Day,A,Z\n0,1,-1\n", r"line 2: conflict intensity: must be finite and >= 0"),
        ("routes.csv", "#n1,n2,d,f\nA,T,inf,\n", r"routes\.csv, line 2: distance"),
        ("locations.csv", "#name,r,c,lat,lon,type,cd,pop\nA,R,X,0,0,camp,,nan\n", r"line 2: population: 'nan'"),
        ("conflict_period.csv", "StartDate,2020-01-01\nLength,99999999\n", r"line 2: Length: must be 1 to"),
    ],
)
def test_unsupported_or_inconsistent_inputs_refused_in_one_line(inp, fname, text, match):
    _write(inp, fname, text)
    with pytest.raises(InputError, match=match) as info:
        read_flee_scenario(inp, VAL)
    assert "\n" not in str(info.value)


def test_conflict_zone_dated_zero_is_in_conflict_whatever_conflicts_csv_says(inp):
    # Flee 3.1: a conflict_zone with conflict_date 0 starts in conflict; conflicts.csv only adds
    _write(inp, "conflicts.csv", "#Day,A,Z\n" + "".join(f"{d},0,1\n" for d in range(20)))
    sc, _ = read_flee_scenario(inp, VAL)
    from abm.network.engine import conflict_state

    intensity, _ = conflict_state(sc)
    assert (intensity[:, sc.network.index("A")] > 0).all()


def test_data_layout_problems_named(inp, tmp_path):
    val = tmp_path / "val"
    shutil.copytree(VAL, val)
    _write(val, "data_layout.csv", "B,b1.csv\nC,c.csv\n")
    with pytest.raises(InputError, match="no 'total,<file>' row"):
        read_flee_scenario(inp, val)
    _write(val, "data_layout.csv", "total,total.csv\nB,b1.csv\nB,b2.csv\nC,c.csv\n")
    with pytest.raises(InputError, match=r"data_layout\.csv, line 3: data_layout: 'B' listed twice"):
        read_flee_scenario(inp, val)
    _write(val, "data_layout.csv", "total,total.csv\nB,../b1.csv\nC,c.csv\n")
    with pytest.raises(InputError, match="must be inside the validation directory"):
        read_flee_scenario(inp, val)


def test_validation_dates_must_not_go_back_and_counts_be_counts(inp, tmp_path):
    val = tmp_path / "val"
    shutil.copytree(VAL, val)
    _write(val, "c.csv", "2020-01-05,20\n2020-01-01,10\n")
    with pytest.raises(InputError, match=r"c\.csv, line 2: date: 2020-01-01 is before"):
        read_flee_scenario(inp, val)
    _write(val, "c.csv", "2020-01-01,20\n2020-01-05,nan\n")
    with pytest.raises(InputError, match=r"c\.csv, line 2: count: 'nan' is not a count"):
        read_flee_scenario(inp, val)
    _write(val, "data_layout.csv", 'total,total.csv\nB,b1.csv\nC,"c\n.csv"\n')
    with pytest.raises(InputError, match="must be inside the validation directory") as info:
        read_flee_scenario(inp, val)
    assert "\n" not in str(info.value)


_TOKENS = ["", "#", "x", "-1", "0", "1.5", "nan", "inf", "2020-02-30", "2020-01-01", '"', "B", "A", "camp",
           "link", "location", "town", "Homeland", "total", "b1.csv", "../x", "9" * 12]


@settings(max_examples=35, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_a_corrupted_folder_gives_one_line_input_errors_never_a_traceback(tmp_path_factory, data):
    d = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(FIXTURES / "input", d / "input")
    shutil.copytree(VAL, d / "val")
    files = sorted((d / "input").glob("*.csv")) + sorted((d / "val").glob("*.csv"))
    for _ in range(data.draw(st.integers(1, 3))):
        f = data.draw(st.sampled_from(files))
        lines = f.read_text().split("\n")
        i = data.draw(st.integers(0, len(lines) - 1))
        cells = lines[i].split(",")
        j = data.draw(st.integers(0, len(cells) - 1))
        cells[j] = data.draw(st.sampled_from(_TOKENS))
        lines[i] = ",".join(cells)
        if data.draw(st.booleans()):
            del lines[data.draw(st.integers(0, len(lines) - 1))]
        f.write_text("\n".join(lines))
    try:
        read_flee_scenario(d / "input", d / "val")
    except InputError as err:
        assert "\n" not in str(err)
