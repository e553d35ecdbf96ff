"""Scenarios: presets, JSON round-trip, file validation, future driver paths."""

from __future__ import annotations

import json

import forecast_synth as synth
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast import drivers as drv
from forecast.errors import ScenarioError
from forecast.scenarios import HOSTS, PRESETS, Scenario, Shock, get_scenario


@pytest.fixture(scope="module")
def obs():
    return drv.observed(synth.drivers(), pd.Timestamp("2015-12-01"))


@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_round_trip(name, tmp_path):
    s = PRESETS[name]
    assert Scenario.from_json(s.to_json()) == s
    assert hash(Scenario.from_json(s.to_json())) == hash(s)
    p = s.write(tmp_path / f"{name}.json")
    assert Scenario.read(p) == s
    assert get_scenario(str(p)) == s
    assert get_scenario(name) is s


shocks = st.builds(Shock, kind=st.sampled_from(["conflict", "food_price"]),
                   start=st.integers(1, 24), duration=st.integers(1, 24),
                   value=st.floats(0.1, 10))


@settings(max_examples=50, deadline=None)
@given(name=st.text(min_size=1, max_size=20).filter(str.strip),
       shock_list=st.lists(shocks, max_size=3), openness=st.floats(0, 2),
       shares=st.dictionaries(st.sampled_from(HOSTS), st.floats(0, 0.3), max_size=3))
def test_custom_scenarios_round_trip(name, shock_list, openness, shares):
    s = Scenario(name=name, shocks=tuple(shock_list), border_openness=openness)
    s = s.with_host_shares(shares)
    assert Scenario.from_json(s.to_json()) == s


def test_write_refuses_to_overwrite(tmp_path):
    p = Scenario.drought().write(tmp_path / "d.json")
    with pytest.raises(FileExistsError, match="overwrite"):
        Scenario.conflict_escalation().write(p)
    Scenario.conflict_escalation().write(p, overwrite=True)
    assert Scenario.read(p).name == "conflict_escalation"


@pytest.mark.parametrize("content, message", [
    ('{"name": "x", "shocks": [{"kind": "flood"}]}', r"shocks\[0\]'.kind: unknown shock kind"),
    ('{"name": "x", "shocks": [{"kind": "conflict", "duration": 0}]}',
     r"shocks\[0\]'.duration: must be an integer >= 1"),
    ('{"name": "x", "shocks": [{"kind": "drought", "value": -9}]}', r"SPI must lie"),
    ('{"name": "x", "colour": "red"}', r"unknown field\(s\) \['colour'\]"),
    ('{"name": "x", "host_shares": {"FRA": 0.2}}', r"host_shares': unknown host 'FRA'"),
    ('{"name": "x", "border_openness": "wide"}', r"border_openness"),
    ('{"name": "x", "baseline": "trend"}', r"field 'baseline'"),
    ('{"name": "x",, }', r"not valid JSON \(line 1"),
    ('[1, 2]', r"must be a JSON object"),
])
def test_bad_scenario_files_name_file_and_field(tmp_path, content, message):
    p = tmp_path / "bad.json"
    p.write_text(content)
    with pytest.raises(ScenarioError, match=message) as err:
        Scenario.read(p)
    assert str(p) in str(err.value)


def test_unknown_scenario_name():
    with pytest.raises(ScenarioError, match="unknown scenario 'nope'"):
        get_scenario("nope")


def test_baseline_persists(obs):
    fut = Scenario.baseline_persist().future_drivers(obs, 12)
    assert list(fut.index) == list(pd.date_range("2016-01-01", periods=12, freq="MS"))
    assert (fut["wheat_price_index"] == obs["wheat_price_index"].iloc[-1]).all()
    assert np.allclose(fut["fatalities"], obs["fatalities"].iloc[-3:].mean())
    jan = obs.loc[obs.index.month == 1, "temp_c"].iloc[-10:].mean()
    assert fut.loc["2016-01-01", "temp_c"] == pytest.approx(jan)
    clim = Scenario(baseline="climatology").future_drivers(obs, 12)
    assert (clim[["spi3", "spi12", "nino34_anom_c"]] == 0).all().all()


def test_shocks_act_only_in_their_window(obs):
    base = Scenario.baseline_persist().future_drivers(obs, 12)
    s = Scenario.conflict_escalation(k=4, start=3, months=2).with_shock(
        Shock("drought", 2, 3, -2.0)).with_shock(Shock("food_price", 1, 1, 1.5))
    fut = s.future_drivers(obs, 12)
    ratio = fut["fatalities"] / base["fatalities"]
    assert list(ratio.round(6)) == [1, 1, 4, 4, 1, 1, 1, 1, 1, 1, 1, 1]
    assert list(fut["spi3"].iloc[1:4]) == [-2.0] * 3
    assert fut["spi3"].iloc[0] == base["spi3"].iloc[0]
    assert fut["wheat_price_index"].iloc[0] == pytest.approx(1.5 * base["wheat_price_index"]
                                                             .iloc[0])
    assert fut["wheat_price_index"].iloc[1] == base["wheat_price_index"].iloc[1]


def test_policy_levers():
    s = Scenario.border_restriction(0.5).with_openness(hosts={"TJK": 0.2})
    assert s.host_factor("TJK") == pytest.approx(0.1)
    assert s.host_factor("KAZ") == pytest.approx(0.5)
    d = json.loads(s.to_json())
    assert d["host_openness"] == {"TJK": 0.2}


def test_constructor_accepts_dicts_and_lists():
    s = Scenario(name="x", shocks=[Shock("conflict")], host_shares={"TJK": 0.1, "KAZ": 0.2})
    assert s.host_shares == (("KAZ", 0.2), ("TJK", 0.1))
    assert isinstance(s.shocks, tuple)
    assert hash(s) == hash(Scenario.from_json(s.to_json()))
    with pytest.raises(ScenarioError, match="description"):
        Scenario(name="x", description=5)


def test_scenario_file_with_a_byte_order_mark_is_valid(tmp_path):
    p = tmp_path / "bom.json"
    p.write_bytes(b"\xef\xbb\xbf" + Scenario.drought().to_json().encode())
    assert Scenario.read(p) == Scenario.drought()


def test_deeply_nested_or_non_utf8_scenario_is_one_clear_error(tmp_path):
    from forecast.errors import ScenarioError

    with pytest.raises(ScenarioError, match="nested too deeply"):
        Scenario.from_json("[" * 100_000 + "]" * 100_000, source="x.json")
    p = tmp_path / "latin.json"
    p.write_bytes('{"name": "caf\xe9"}'.encode("latin-1"))
    with pytest.raises(ScenarioError, match="not UTF-8"):
        Scenario.read(p)
