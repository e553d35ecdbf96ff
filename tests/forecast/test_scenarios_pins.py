"""Scenarios pinned on a hand-made driver frame whose future paths are known by hand.

The frame: 132 months (2005-01 .. 2015-12). ``temp_c`` = month + 100 x (year - 2005),
so the January mean over the last ten years (2006 .. 2015) is 1 + 100 x 5.5 = 551;
``fatalities`` ends 10, 20, 60 (mean of the last three 30, last 60); every climate
anomaly ends non-zero; ``wheat_price_index`` ends at 130; ``other`` ends at 5.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from forecast.errors import ScenarioError
from forecast.scenarios import BASELINES, HOSTS, PRESETS, SHOCK_KINDS, Scenario, Shock, get_scenario

ANOMALIES = {"spi3": -0.7, "spi12": 0.4, "precip_anom_mm": 12.0, "nino34_anom_c": 0.9}


@pytest.fixture(scope="module")
def obs() -> pd.DataFrame:
    ds = pd.date_range("2005-01-01", "2015-12-01", freq="MS", name="ds")
    n = len(ds)
    frame = pd.DataFrame(index=ds)
    frame["fatalities"] = np.r_[np.full(n - 3, 1000.0), [10.0, 20.0, 60.0]]
    frame["temp_c"] = ds.month + 100.0 * (ds.year - 2005)
    for c, last in ANOMALIES.items():
        frame[c] = np.r_[np.full(n - 1, -3.0), [last]]
    frame["wheat_price_index"] = np.r_[np.full(n - 1, 90.0), [130.0]]
    frame["other"] = np.r_[np.zeros(n - 1), [5.0]]
    return frame


def test_persist_holds_every_anomaly_at_its_last_value(obs):
    fut = Scenario().future_drivers(obs, 12)
    assert list(fut.index) == list(pd.date_range("2016-01-01", periods=12, freq="MS"))
    assert fut.index.name == "ds" and list(fut.columns) == list(obs.columns)
    for c, last in ANOMALIES.items():
        assert (fut[c] == last).all(), c  # not zeroed under "persist"
    assert (fut["fatalities"] == 30.0).all()  # mean of the last three months
    assert (fut["wheat_price_index"] == 130.0).all() and (fut["other"] == 5.0).all()
    # temp_c: calendar-month mean of the last ten years: month m -> m + 550
    assert list(fut["temp_c"]) == [m + 550.0 for m in range(1, 13)]


def test_climatology_returns_only_the_anomalies_to_zero(obs):
    fut = Scenario(baseline="climatology").future_drivers(obs, 3)
    for c in ANOMALIES:
        assert (fut[c] == 0.0).all(), c
    assert (fut["fatalities"] == 30.0).all() and (fut["wheat_price_index"] == 130.0).all()
    assert (fut["other"] == 5.0).all()
    assert list(fut["temp_c"]) == [551.0, 552.0, 553.0]


def test_shock_windows_by_hand(obs):
    s = Scenario(shocks=(Shock("conflict", 2, 3, 2.0), Shock("drought", 1, 2, -1.5),
                         Shock("food_price", 5, 5, 1.5)))
    fut = s.future_drivers(obs, 6)
    assert list(fut["fatalities"]) == [30.0, 60.0, 60.0, 60.0, 30.0, 30.0]
    assert list(fut["spi3"]) == [-1.5, -1.5, -0.7, -0.7, -0.7, -0.7]
    assert list(fut["spi12"]) == [-1.5, -1.5, 0.4, 0.4, 0.4, 0.4]
    assert (fut["precip_anom_mm"] == 12.0).all()  # drought sets SPI only
    assert list(fut["wheat_price_index"]) == [130.0] * 4 + [195.0, 195.0]


def test_a_shock_whose_role_has_no_driver_is_an_error_not_silence(obs):
    few = obs[["temp_c", "other"]]
    s = Scenario(shocks=(Shock("conflict", 1, 2, 3.0), Shock("drought", 1, 2, -2.0),
                         Shock("food_price", 1, 2, 2.0)))
    with pytest.raises(ScenarioError, match=r"shocks\[0\] \(conflict\) moves no driver"):
        s.future_drivers(few, 2)
    fut = Scenario().future_drivers(few, 2)  # no shock: nothing to move, no error
    assert list(fut.columns) == ["temp_c", "other"] and (fut["other"] == 5.0).all()
    dry = Scenario(shocks=(Shock("drought", 1, 2, -2.0),))
    assert list(dry.future_drivers(obs[["spi12"]], 2)["spi12"]) == [-2.0, -2.0]
    # a shock starting after the horizon moves nothing inside it
    late = Scenario(shocks=(Shock("conflict", 5, 2, 3.0),))
    assert late.future_drivers(few, 2).equals(Scenario().future_drivers(few, 2))
    # ... and does not stop the shocks after it from acting
    both = Scenario(shocks=(Shock("conflict", 5, 2, 3.0), Shock("conflict", 2, 1, 2.0)))
    assert list(both.future_drivers(obs, 2)["fatalities"]) == [30.0, 60.0]


def test_horizon_must_be_positive(obs):
    assert len(Scenario().future_drivers(obs, 1)) == 1
    with pytest.raises(ScenarioError, match="horizon must be >= 1 month, got 0"):
        Scenario().future_drivers(obs, 0)


def test_presets_are_the_constructors_defaults():
    assert set(PRESETS) == {"baseline", "conflict_escalation", "drought", "food_price_shock",
                            "border_restriction", "compound", "surge_afg_tjk_2021", "surge_p90"}
    made = {k: v for k, v in PRESETS.items() if k not in ("compound", "surge_afg_tjk_2021",
                                                           "surge_p90")}
    assert made == {"baseline": Scenario.baseline_persist(),
                    "conflict_escalation": Scenario.conflict_escalation(),
                    "drought": Scenario.drought(), "food_price_shock": Scenario.food_price_shock(),
                    "border_restriction": Scenario.border_restriction()}
    assert set(PRESETS["compound"].shocks) == {Shock("conflict", 1, 6, 3.0),
                                               Shock("drought", 1, 6, -1.5)}
    assert PRESETS["surge_afg_tjk_2021"].analogue == "Afghanistan->Tajikistan 2021"
    assert PRESETS["surge_p90"].analogue == "p90 of neighbour surges"


def test_preset_defaults_and_wording():
    # the constructors are called here (PRESETS is built once, at import)
    base = Scenario.baseline_persist()
    assert base.name == "baseline" and base.baseline == "persist" and base.shocks == ()
    assert base.border_openness == 1.0 and base.host_openness == () == base.host_shares
    assert base.description == "Drivers persist at their latest observed levels."
    c = Scenario.conflict_escalation()
    assert c.shocks == (Shock("conflict", 1, 6, 3.0),)
    assert c.description == "Conflict fatalities x3 from month 1 for 6 months."
    d = Scenario.drought()
    assert d.shocks == (Shock("drought", 1, 6, -1.5),)  # severely dry (McKee et al. 1993)
    assert d.description == "SPI -1.5 from month 1 for 6 months."
    f = Scenario.food_price_shock()
    assert f.shocks == (Shock("food_price", 1, 6, 1.5),)
    assert f.description == "Wheat prices x1.5 from month 1 for 6 months."
    b = Scenario.border_restriction()
    assert b.border_openness == 0.5 and b.shocks == ()
    assert b.description == "Borders 50% open: arrivals into every host x0.5."
    assert c.name == "conflict_escalation" and d.name == "drought"
    assert f.name == "food_price_shock" and b.name == "border_restriction"
    assert all(s.baseline == "persist" for s in (base, c, d, f, b))


def test_preset_arguments_reach_the_shock():
    assert Scenario.conflict_escalation(2.5, 4, 9).shocks == (Shock("conflict", 4, 9, 2.5),)
    assert Scenario.drought(-2.0, 2, 3).shocks == (Shock("drought", 2, 3, -2.0),)
    assert Scenario.food_price_shock(2.0, 3, 4).shocks == (Shock("food_price", 3, 4, 2.0),)
    assert Scenario.border_restriction(0.25).border_openness == 0.25
    assert Scenario.border_restriction(0.25).description.startswith("Borders 25% open")


def test_shock_and_scenario_defaults():
    assert Shock("conflict") == Shock("conflict", start=1, duration=6, value=1.0)
    s = Scenario()
    assert (s.name, s.description, s.baseline, s.shocks, s.border_openness, s.host_openness,
            s.host_shares) == ("baseline", "", "persist", (), 1.0, (), ())
    assert BASELINES == ("persist", "climatology")
    assert set(SHOCK_KINDS) == {"conflict", "drought", "food_price"}


def test_with_host_shares_replaces_the_shares():
    s = Scenario().with_host_shares({"TJK": 0.1, "KAZ": 0.25})
    assert s.host_shares == (("KAZ", 0.25), ("TJK", 0.1))
    assert Scenario().host_shares == ()
    assert json.loads(s.to_json())["host_shares"] == {"KAZ": 0.25, "TJK": 0.1}
    assert s.with_host_shares({}).host_shares == ()


def test_with_analogue_names_the_surge_and_keeps_the_rest():
    base = Scenario.border_restriction(0.4)
    s = base.with_analogue("Afghanistan->Tajikistan 2021")
    assert s.analogue == "Afghanistan->Tajikistan 2021" and base.analogue == ""
    assert s.border_openness == 0.4 and s.name == "border_restriction"


def test_with_name_shock_and_openness():
    s = Scenario(name="a", description="first")
    assert s.with_name("b").description == "first" and s.with_name("b").name == "b"
    assert s.with_name("b", "second").description == "second"
    assert s.with_name("b", "").description == ""
    t = s.with_shock(Shock("conflict")).with_shock(Shock("drought"))
    assert [x.kind for x in t.shocks] == ["conflict", "drought"]
    o = s.with_openness(border=0.4, hosts={"UZB": 2})
    assert o.border_openness == 0.4 and o.host_openness == (("UZB", 2.0),)
    kept = o.with_openness()
    assert kept.border_openness == 0.4 and kept.host_openness == (("UZB", 2.0),)
    assert o.with_openness(border=0).border_openness == 0.0
    assert o.with_openness(hosts={}).host_openness == ()
    assert o.host_factor("UZB") == pytest.approx(0.8) and o.host_factor("KAZ") == 0.4
    assert Scenario().host_factor("PAK") == 1.0


@pytest.mark.parametrize("kw, message", [
    (dict(kind="flood"), "shock.kind: unknown shock kind 'flood'; choose from conflict, "
                         "drought, food_price"),
    (dict(kind="conflict", start=0), "shock.start: must be an integer >= 1, got 0"),
    (dict(kind="conflict", start=True), "shock.start: must be an integer >= 1, got True"),
    (dict(kind="conflict", duration=1.5), "shock.duration: must be an integer >= 1, got 1.5"),
    (dict(kind="conflict", value=math.nan), "shock.value: must be a finite number, got nan"),
    (dict(kind="conflict", value=math.inf), "shock.value: must be a finite number"),
    (dict(kind="conflict", value=True), "shock.value: must be a finite number, got True"),
    (dict(kind="conflict", value="3"), "shock.value: must be a finite number, got '3'"),
    (dict(kind="conflict", value=-0.5), "shock.value: a conflict multiplier must be >= 0, "
                                        "got -0.5"),
    (dict(kind="food_price", value=0.0), "shock.value: a price multiplier must be > 0, got 0.0"),
    (dict(kind="drought", value=-4.5), "shock.value: SPI must lie in [-4, 4], got -4.5"),
    (dict(kind="drought", value=4.01), "shock.value: SPI must lie in [-4, 4], got 4.01"),
])
def test_bad_shocks_are_named(kw, message):
    with pytest.raises(ScenarioError) as err:
        Shock(**kw)
    assert str(err.value).startswith(message)


@pytest.mark.parametrize("kw", [dict(kind="conflict", value=0.0), dict(kind="conflict", value=2),
                                dict(kind="food_price", value=0.01),
                                dict(kind="drought", value=-4.0), dict(kind="drought", value=4),
                                dict(kind="conflict", start=1, duration=1)])
def test_boundary_shocks_are_accepted(kw):
    assert Shock(**kw).kind == kw["kind"]


@pytest.mark.parametrize("kw, message", [
    (dict(name=""), "field 'name': must be a non-empty string, got ''"),
    (dict(name="  "), "field 'name': must be a non-empty string"),
    (dict(name=5), "field 'name': must be a non-empty string, got 5"),
    (dict(description=None), "field 'description': must be a string, got None"),
    (dict(baseline="trend"), "field 'baseline': 'trend' is not one of ('persist', 'climatology')"),
    (dict(shocks=("conflict",)), "field 'shocks[0]': expected a Shock, got 'conflict'"),
    (dict(border_openness=True), "field 'border_openness': must be a number in [0, 10], got True"),
    (dict(border_openness="1"), "field 'border_openness': must be a number in [0, 10]"),
    (dict(border_openness=-0.01), "field 'border_openness': must be a number in [0, 10]"),
    (dict(border_openness=10.5), "field 'border_openness': must be a number in [0, 10]"),
    (dict(host_openness={"FRA": 1.0}), "field 'host_openness': unknown host 'FRA'; hosts are "
                                       "KAZ, KGZ, TJK, TKM, UZB, IRN, PAK"),
    (dict(host_shares={"TJK": -0.1}), "field 'host_shares.TJK': must be a number >= 0, got -0.1"),
    (dict(host_shares={"TJK": math.nan}), "field 'host_shares.TJK': must be a number >= 0"),
    (dict(host_openness={"TJK": math.inf}), "field 'host_openness.TJK': must be a number >= 0"),
    (dict(host_shares={"TJK": True}), "host 'TJK': value must be a number, got True"),
    (dict(host_shares={"TJK": "0.1"}), "host 'TJK': value must be a number, got '0.1'"),
])
def test_bad_scenarios_are_named(kw, message):
    with pytest.raises(ScenarioError) as err:
        Scenario(**kw)
    assert str(err.value).startswith(message)


def test_boundary_scenarios_are_accepted():
    assert Scenario(border_openness=0).border_openness == 0
    assert Scenario(border_openness=10).border_openness == 10
    s = Scenario(host_shares={"PAK": 0, "IRN": 1}, host_openness={h: 1.0 for h in HOSTS})
    assert s.host_shares == (("IRN", 1.0), ("PAK", 0.0))
    assert len(s.host_openness) == len(HOSTS)
    assert Scenario(shocks=[Shock("conflict")]).shocks == (Shock("conflict"),)


def test_to_dict_and_json_layout():
    s = Scenario("x", "d", "climatology", (Shock("drought", 2, 3, -2.0),), 0.5,
                 {"TJK": 0.5}, {"KAZ": 0.1})
    assert s.to_dict() == {
        "name": "x", "description": "d", "baseline": "climatology",
        "shocks": [{"kind": "drought", "start": 2, "duration": 3, "value": -2.0}],
        "border_openness": 0.5, "host_openness": {"TJK": 0.5}, "host_shares": {"KAZ": 0.1},
        "analogue": ""}
    text = s.to_json()
    assert text.startswith('{\n  "name": "x",\n  "description"')  # indented, field order kept
    assert Scenario.from_json(text) == s


@pytest.mark.parametrize("data, message", [
    ([1], "src: a scenario must be a JSON object, got list"),
    ({"name": "x", "colour": 1}, "src: unknown field(s) ['colour']; allowed: ['analogue', 'baseline', "),
    ({"name": 3}, "src: field 'name' must be a string, got 3"),
    ({"name": "x", "shocks": {"kind": "conflict"}}, "src: field 'shocks' must be a list"),
    ({"name": "x", "shocks": ["conflict"]}, "src: field 'shocks[0]' must be an object, got "
                                             "'conflict'"),
    ({"name": "x", "shocks": [{"start": 2}]}, "src: field 'shocks[0]': needs 'kind' and only "
                                               "['duration', 'kind', 'start', 'value']; got "
                                               "['start']"),
    ({"name": "x", "shocks": [{"kind": "conflict", "when": 2}]}, "src: field 'shocks[0]': "
                                                                   "needs 'kind'"),
    ({"name": "x", "shocks": [{"kind": "conflict"}, {"kind": "conflict", "start": 0}]},
     "src: field 'shocks[1]'.start: must be an integer >= 1, got 0"),
    ({"name": "x", "host_openness": [["TJK", 1]]}, "src: field 'host_openness' must be an "
                                                   "object {iso3: number}"),
    ({"name": "x", "host_shares": 0.2}, "src: field 'host_shares' must be an object"),
    ({"name": ""}, "src: field 'name': must be a non-empty string"),
])
def test_from_dict_errors_name_the_source_and_field(data, message):
    with pytest.raises(ScenarioError) as err:
        Scenario.from_dict(data, source="src")
    assert str(err.value).startswith(message)


def test_from_dict_defaults_and_sources():
    assert Scenario.from_dict({}) == Scenario()
    assert Scenario.from_dict({"name": "y", "shocks": [{"kind": "drought"}]}).shocks == (
        Shock("drought"),)
    with pytest.raises(ScenarioError, match=r"^scenario: a scenario must be a JSON object"):
        Scenario.from_dict("x")
    with pytest.raises(ScenarioError, match=r"^scenario: not valid JSON \(line 2, column 1\)"):
        Scenario.from_json('{"name": "x",\n}')
    with pytest.raises(ScenarioError, match=r"^here: not valid JSON"):
        Scenario.from_json("{", source="here")
    with pytest.raises(ScenarioError, match=r"^here: field 'name' must be a string"):
        Scenario.from_json('{"name": 1}', source="here")


def test_files_read_write_and_lookup(tmp_path):
    s = Scenario.drought(-2.0)
    p = s.write(tmp_path / "d.json")
    assert p == tmp_path / "d.json"
    text = p.read_text(encoding="utf-8")
    assert text == s.to_json() + "\n"
    assert Scenario.read(str(p)) == s
    with pytest.raises(FileExistsError, match="exists; pass overwrite=True"):
        s.write(p)
    assert Scenario.conflict_escalation().write(p, overwrite=True) == p
    missing = tmp_path / "none.json"
    with pytest.raises(ScenarioError, match=r"^scenario file .*none.json: not found$"):
        Scenario.read(missing)
    with pytest.raises(ScenarioError, match="not found"):
        get_scenario(missing)  # a .json name that is no file: an error, not a preset
    plain = tmp_path / "custom"
    plain.write_text(Scenario(name="c").to_json(), encoding="utf-8")
    assert get_scenario(plain).name == "c"  # an existing file without .json
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": 1}', encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"^scenario file .*bad.json: field 'name'"):
        get_scenario(bad)
    with pytest.raises(ScenarioError) as err:
        get_scenario("nope")
    assert str(err.value) == ("unknown scenario 'nope': not a preset (baseline, "
                              "conflict_escalation, drought, food_price_shock, "
                              "border_restriction, compound, surge_afg_tjk_2021, surge_p90) nor "
                              "a .json file")
    assert get_scenario("drought") is PRESETS["drought"]


# ----------------------------------------------------------------------------- bounds
def test_a_shock_beyond_its_plausibility_bound_names_the_bound():
    with pytest.raises(ScenarioError) as err:
        Shock("conflict", value=100.5)
    assert str(err.value).startswith("shock.value: it must be in [0, 100] multiplier on "
                                     "fatalities, got 100.5 (plausibility bound "
                                     "'shock.conflict': ")
    assert Shock("conflict", value=100).value == 100  # the edge itself is allowed
    with pytest.raises(ScenarioError) as err:
        Shock("food_price", value=20.5)
    assert str(err.value).startswith("shock.value: it must be in (0, 20] multiplier on "
                                     "wheat_price_index, got 20.5")
    # a refusal by the shock's own rule names the bound as well
    with pytest.raises(ScenarioError) as err:
        Shock("conflict", value=-1)
    assert str(err.value).startswith("shock.value: a conflict multiplier must be >= 0, got -1 "
                                     "(it must be in [0, 100] multiplier on fatalities "
                                     "(plausibility bound 'shock.conflict': ")


def test_at_most_a_hundred_shocks_in_a_scenario():
    hundred = [{"kind": "conflict"}] * 100
    assert len(Scenario.from_dict({"shocks": hundred}).shocks) == 100
    assert len(Scenario(shocks=(Shock("conflict"),) * 100).shocks) == 100
    want = ("field 'shocks': the number of shocks must be a whole number in [0, 100] shocks in "
            "one scenario, got 101 (plausibility bound 'shocks': ")
    with pytest.raises(ScenarioError) as err:
        Scenario(shocks=(Shock("conflict"),) * 101)
    assert str(err.value).startswith(want)
    with pytest.raises(ScenarioError) as err:
        Scenario.from_dict({"shocks": [*hundred, {"kind": "conflict"}]}, source="x.json")
    assert str(err.value).startswith("x.json: " + want)


def test_host_shares_summing_to_more_than_the_whole_outflow_are_refused():
    assert sum(v for _, v in Scenario(host_shares={"TJK": 0.5, "UZB": 0.5}).host_shares) == 1.0
    with pytest.raises(ScenarioError) as err:
        Scenario(host_shares={"TJK": 0.6, "UZB": 0.6})
    assert str(err.value) == ("field 'host_shares': the shares sum to 1.2, more than the whole "
                              "outflow (plausibility bound 'host_share': they sum to at most 1)")


def test_a_shock_without_a_driver_names_the_columns_its_role_moves(obs):
    few = obs[["temp_c", "other"]]
    for kind, value, cols in (("conflict", 2.0, "['fatalities']"),
                              ("drought", -1.0, "['spi3', 'spi12']"),
                              ("food_price", 2.0, "['wheat_price_index']")):
        with pytest.raises(ScenarioError) as err:
            Scenario(shocks=(Shock(kind, 1, 2, value),)).future_drivers(few, 2)
        assert f"({kind}) moves no driver: the drivers have none of {cols}; map your driver " \
               f"column to the role '{kind}'" in str(err.value)


# ----------------------------------------------------------------------------- annual lever
def test_conflict_by_year_is_the_mean_monthly_factor_of_each_year():
    s = Scenario(shocks=(Shock("conflict", 11, 4, 2.0), Shock("conflict", 12, 1, 3.0),
                         Shock("drought", 1, 24, -2.0), Shock("food_price", 1, 24, 5.0)))
    # months 11..14 x 2 and month 12 x 3 more: year 1 = (10 x 1 + 2 + 6) / 12, year 2 =
    # (2 + 2 + 10 x 1) / 12; drought and price shocks are no conflict lever
    assert s.conflict_by_year(2) == pytest.approx((18 / 12, 14 / 12))
    assert Scenario().conflict_by_year(3) == (1.0, 1.0, 1.0)
    half = Scenario(shocks=(Shock("conflict", 1, 6, 0.5),))
    assert half.conflict_by_year(1) == pytest.approx((0.75,))  # 6 months x 0.5, 6 x 1


# ----------------------------------------------------------------------------- files
def test_read_json_raises_the_callers_error_type(tmp_path):
    from forecast.scenarios import read_json

    class PlanLikeError(ScenarioError):
        pass

    bad = tmp_path / "plan.json"
    bad.write_text('{"a": 1,\n}', encoding="utf-8")
    with pytest.raises(PlanLikeError, match=r"^plan.json: not valid JSON \(line 2, column 1\)"):
        read_json(bad, "plan.json", PlanLikeError)
    bom = tmp_path / "bom.json"
    bom.write_bytes(b'\xef\xbb\xbf{"a": "\xc3\xa9"}')  # a byte-order mark and UTF-8 text
    assert read_json(bom, "bom.json") == {"a": "\u00e9"}


@pytest.mark.parametrize("kw, message", [
    (dict(start=0), "shock.start: must be an integer >= 1, got 0 (it must be a whole number in "
                    "[1, 120] forecast month (1 = first) (plausibility bound 'shock.start': "),
    (dict(start=121), "shock.start: it must be a whole number in [1, 120] forecast month "
                      "(1 = first), got 121 (plausibility bound 'shock.start': "),
    (dict(duration=121), "shock.duration: it must be a whole number in [1, 120] months, got 121 "
                         "(plausibility bound 'shock.duration': "),
])
def test_shock_windows_beyond_the_horizons_ceiling_name_the_bound(kw, message):
    assert Shock("conflict", **{k: 120 for k in kw}).start >= 1  # 120 months: the edge
    with pytest.raises(ScenarioError) as err:
        Shock("conflict", **kw)
    assert str(err.value).startswith(message)


@pytest.mark.parametrize("kw, message", [
    (dict(border_openness=11), "field 'border_openness': must be a number in [0, 10], got 11 "
                               "(it must be in [0, 10] multiplier on arrivals into a host "
                               "(plausibility bound 'openness': "),
    (dict(host_shares={"TJK": -0.1}), "field 'host_shares.TJK': must be a number >= 0, got -0.1 "
                                      "(it must be in [0, 1] share of the outflow reaching a "
                                      "host (plausibility bound 'host_share': "),
    (dict(host_shares={"TJK": 1.5}), "field 'host_shares.TJK': it must be in [0, 1] share of "
                                     "the outflow reaching a host, got 1.5 (plausibility bound "
                                     "'host_share': "),
    (dict(host_openness={"TJK": 10.5}), "field 'host_openness.TJK': it must be in [0, 10] "
                                        "multiplier on arrivals into a host, got 10.5 "
                                        "(plausibility bound 'openness': "),
    (dict(analogue=5), "field 'analogue': must be a surge analogue name (text), got 5"),
    (dict(analogue="x" * 201), "field 'analogue': must be a surge analogue name (text), got 'xx"),
])
def test_scenario_values_beyond_their_bounds_name_the_bound(kw, message):
    with pytest.raises(ScenarioError) as err:
        Scenario(**kw)
    assert str(err.value).startswith(message)


def test_scenario_values_at_their_bounds_are_accepted():
    assert Scenario(host_openness={"TJK": 10}).host_factor("TJK") == 10
    assert Scenario(host_shares={"TJK": 1}).host_shares == (("TJK", 1.0),)
    assert Scenario(analogue="x" * 200).analogue == "x" * 200  # a name of 200 characters
