"""The bundled default facility sets: one per Central Asian host, every number traced to
the host's UNHCR caseload x a stated standard (the rule of ``facility_sets`` in data/build.py)."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import abm
from abm.schema import DEFAULT_FACILITIES_FILE

REPO = Path(__file__).resolve().parents[2]
HOSTS_CSV = REPO / "forecast" / "data" / "hosts_afghan_annual.csv"
STANDARDS_CSV = REPO / "abm" / "data" / "abm_standards.csv"


def _load_build():
    spec = importlib.util.spec_from_file_location("planner_data_build_fac", REPO / "data" / "build.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


build = _load_build()


def test_every_central_asian_host_has_a_set_and_no_other():
    from forecast.vocabulary import CENTRAL_ASIA  # the host list's one home

    assert abm.default_facility_hosts() == CENTRAL_ASIA
    for host in CENTRAL_ASIA:
        fs = abm.default_facility_set(host)
        assert set(fs.facilities["facility_type"]) == {"shelter", "school", "clinic"}
        assert fs.facilities["facility_id"].str.startswith(host.lower() + "-").all()
        assert "illustrative" in fs.label and f"{fs.caseload:,}" in fs.label
        assert str(fs.year) in fs.label and "UNHCR" in fs.label
        assert fs.facilities["source"].str.contains(f"{fs.caseload:,}", regex=False).all()
        assert fs.facilities["name"].str.endswith("(illustrative)").all()
    with pytest.raises(abm.InputError, match="no default facility set for host 'IRN'"):
        abm.default_facility_set("IRN")


def test_every_number_is_the_unhcr_caseload_times_a_standard():
    """Recomputed here from the bundled UNHCR table and the standards table."""
    hosts = pd.read_csv(HOSTS_CSV)
    std = pd.read_csv(STANDARDS_CSV).set_index("key")["value"]
    m2, per_class = float(std["m2_per_person"]), float(std["pupils_per_class"]) * float(std["school_shifts"])
    for host in abm.default_facility_hosts():
        g = hosts[hosts["host_iso3"] == host]
        latest = g.loc[g["year"].idxmax()]
        caseload = int(np.nansum([latest["refugees"], latest["asylum_seekers"], latest["oip"]]))
        fs = abm.default_facility_set(host)
        assert (fs.caseload, fs.year) == (caseload, int(latest["year"]))
        f = fs.facilities
        shelter = f[f["facility_type"] == "shelter"]
        sites = [min(5000, caseload - 5000 * k) for k in range(math.ceil(caseload / 5000))]
        assert list(shelter["quantity"]) == [math.ceil(n * m2) for n in sites]
        assert (shelter["quantity_unit"] == "m2").all()
        school = f[f["facility_type"] == "school"]
        assert list(school["quantity"]) == [math.ceil(n * 240 / 1000 / per_class) for n in sites]
        clinic = f[f["facility_type"] == "clinic"]
        assert len(clinic) == math.ceil(caseload / 10000)
        assert (clinic["quantity"] == 3).all() and (clinic["quantity_unit"] == "clinicians").all()


def test_tajikistan_set_from_the_2025_figures():
    """A pinned reading of the source: 8,615 refugees + 3,228 asylum-seekers (UNHCR, 2025)."""
    hosts = pd.read_csv(HOSTS_CSV)
    row = hosts[(hosts["host_iso3"] == "TJK") & (hosts["year"] == 2025)].iloc[0]
    assert (row["refugees"], row["asylum_seekers"]) == (8615, 3228) and pd.isna(row["oip"])
    fs = abm.default_facility_set("TJK")
    assert fs.caseload == 11843 and "not reported" in fs.label
    f = fs.facilities
    assert f.loc[f["facility_type"] == "shelter", "quantity"].sum() == 17500 + 17500 + 6451


def test_build_rule_reproduces_the_shipped_file(tmp_path):
    name = DEFAULT_FACILITIES_FILE
    df = build.facility_sets(pd.read_csv(HOSTS_CSV), pd.read_csv(STANDARDS_CSV))
    _, formats, sort = build.OUTPUTS[name]
    build.write_csv(df, tmp_path / name, formats, sort)
    assert (tmp_path / name).read_bytes() == build.target(REPO, name).read_bytes()
    assert build.PACKAGE_OF[name] == "abm"


def test_a_part_not_reported_is_named_never_counted_as_zero():
    hosts = pd.DataFrame({"year": [2024, 2025, 2025], "host_iso3": ["KGZ", "KGZ", "KAZ"],
                          "refugees": [10, 7, np.nan], "asylum_seekers": [5, np.nan, np.nan],
                          "oip": [np.nan, np.nan, np.nan]})
    persons, year, words = build.host_caseload(hosts, "KGZ")
    assert (persons, year) == (7, 2025)
    assert "asylum-seekers, others in need of international protection not reported" in words
    with pytest.raises(ValueError, match="no Afghan population figure for KAZ"):
        build.host_caseload(hosts, "KAZ")


def test_planner_takes_the_hosts_set_by_default():
    from planner import pipeline
    from planner.pipeline import ForecastSettings, PlanData, PlanSpec

    data = PlanData(pd.DataFrame(), None, pd.DataFrame())
    for host in ("KAZ", "TJK"):
        fac = pipeline.facilities(PlanSpec(forecast=ForecastSettings(host=host)), data)
        assert fac["facility_id"].str.startswith(host.lower()).all()
    with pytest.raises(pipeline.PlanError, match="no bundled facility set for 'IRN'"):
        pipeline.facilities(PlanSpec(forecast=ForecastSettings(host="IRN")), data)
