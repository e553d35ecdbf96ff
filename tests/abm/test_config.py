import dataclasses
import json

import pytest

from abm.config import ABMConfig, load_standards
from abm.errors import ConfigError


def test_every_default_is_in_the_cited_standards_table():
    table = load_standards().set_index("key")
    cfg = ABMConfig()
    skip = {"step_days", "exit_shares", "stay_cv", "demographics_scope"}
    for f in dataclasses.fields(cfg):
        if f.name in skip:
            continue
        assert f.name in table.index, f"{f.name} missing from data/abm_standards.csv"
        value = getattr(cfg, f.name)
        if isinstance(value, str):
            assert table.loc[f.name, "value"] == value
        else:
            assert float(table.loc[f.name, "value"]) == pytest.approx(float(value), rel=1e-6)
    for route, share in zip(("integration", "onward", "return"), cfg.exit_shares, strict=True):
        assert float(table.loc[f"exit_share_{route}", "value"]) == pytest.approx(share)


def test_standards_table_marks_source_or_assumption():
    table = load_standards()
    assert set(table["status"]) <= {"cited", "assumption"}
    cited = table[table["status"] == "cited"]
    assert (cited["source"].str.len() > 10).all()


@pytest.mark.parametrize("changes, word", [
    ({"step_days": 3}, "step_days"),
    ({"m2_per_person": 0}, "m2_per_person"),
    ({"pregnant_share_of_population": 1.5}, "pregnant_share_of_population"),
    ({"exit_shares": (0.5, 0.5, 0.5)}, "sum to 1"),
    ({"exit_shares": (1.0, 0.0)}, "exit_shares"),
    ({"stay_distribution": "weibull"}, "stay_distribution"),
    ({"household_size_mean": 0.5}, "household_size_mean"),
    ({"clinic_days_per_week": 8}, "clinic_days_per_week"),
    ({"visits_per_person_year": float("nan")}, "visits_per_person_year"),
])
def test_bad_config_values_raise_config_error(changes, word):
    with pytest.raises(ConfigError, match=word):
        ABMConfig().with_(**changes)


def test_with_rejects_unknown_fields():
    with pytest.raises(ConfigError, match="unknown config field"):
        ABMConfig().with_(beds=3)


def test_json_round_trip_and_errors(tmp_path):
    cfg = ABMConfig(step_days=7, mean_stay_days=120.0)
    path = tmp_path / "cfg.json"
    path.write_text(json.dumps(cfg.to_dict()))
    assert ABMConfig.from_json(path) == cfg
    path.write_text("{not json")
    with pytest.raises(ConfigError, match="not valid JSON"):
        ABMConfig.from_json(path)
    path.write_text(json.dumps({"stepdays": 7}))
    with pytest.raises(ConfigError, match="unknown config field.*stepdays"):
        ABMConfig.from_json(path)
    path.write_text(json.dumps({"step_days": 2}))
    with pytest.raises(ConfigError, match=r"cfg.json: step_days"):
        ABMConfig.from_json(path)
    with pytest.raises(ConfigError, match="not found"):
        ABMConfig.from_json(tmp_path / "missing.json")
