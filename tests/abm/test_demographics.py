"""Household draws follow the cited demographics and rates."""

import numpy as np
import pandas as pd
import pytest

from abm import ABMConfig, InputError
from abm.demographics import (
    CATEGORIES,
    category_shares,
    draw_households,
    draw_stays,
    member_shares,
    read_demographics,
)


def test_shares_from_the_bundled_unhcr_table():
    demo = read_demographics()
    shares = category_shares(demo, "central_asia")
    rows = demo[demo["scope"] == "central_asia"]
    assert shares.sum() == pytest.approx(1)
    i = CATEGORIES.index(("18-59", "female"))
    hit = rows[(rows["age_band"] == "18-59") & (rows["sex"] == "female")]
    assert shares[i] == pytest.approx(hit["persons"].iloc[0] / rows["persons"].sum())


def test_bad_demographics_tables(tmp_path):
    demo = read_demographics()
    with pytest.raises(InputError, match="no rows for scope 'mars'"):
        category_shares(demo, "mars")
    broken = demo.copy()
    broken.loc[(broken["scope"] == "central_asia") & (broken["age_band"] == "0-4")
               & (broken["sex"] == "male"), "persons"] = np.nan
    with pytest.raises(InputError, match="non-NA 'persons'.*0-4"):
        category_shares(broken, "central_asia")
    p = tmp_path / "d.csv"
    p.write_text("scope,age_band,persons\nx,0-4,3\n")
    with pytest.raises(InputError, match=r"d.csv: missing column\(s\) sex"):
        read_demographics(p)


def test_composition_sizes_and_rates_match_inputs():
    cfg = ABMConfig()
    shares = category_shares(read_demographics(), "all_hosts")
    rng = np.random.default_rng(0)
    persons = np.array([100_000, 100_000])
    hh = draw_households(persons, np.array([31, 28]), shares, cfg, rng)
    assert hh.size.sum() == 200_000
    assert hh.size.mean() == pytest.approx(cfg.household_size_mean, rel=0.02)
    band = {b: sum(shares[i] for i, c in enumerate(CATEGORIES) if c[0] == b)
            for b in ("5-11", "12-17")}
    school = band["12-17"] + band["5-11"] * cfg.school_age_share_5_11
    assert hh.school_age.sum() / 200_000 == pytest.approx(school, rel=0.03)
    assert hh.pregnant.sum() / 200_000 == pytest.approx(cfg.pregnant_share_of_population,
                                                       rel=0.05)
    assert hh.size[hh.arrival_day < 31].sum() == 100_000  # each month's persons in its days
    assert hh.arrival_day.max() < 59


def test_every_household_has_an_adult_head():
    shares = category_shares(read_demographics(), "PAK")
    head, rest = member_shares(shares, 8.9)
    adult = np.array([c[0] in ("18-59", "60+") for c in CATEGORIES])
    assert head[~adult].sum() == 0 and head.sum() == pytest.approx(1)
    w = 1 / 8.9
    assert w * head + (1 - w) * rest == pytest.approx(shares, abs=1e-9)


@pytest.mark.parametrize("dist", ["exponential", "gamma", "lognormal", "fixed"])
def test_stay_distributions_have_the_configured_mean(dist):
    cfg = ABMConfig(mean_stay_days=100.0, stay_distribution=dist, stay_cv=0.5)
    stays = draw_stays(50_000, cfg, np.random.default_rng(1))
    assert stays.min() >= 1
    assert stays.mean() == pytest.approx(100.5, rel=0.02)


def test_household_draws_are_deterministic():
    cfg, shares = ABMConfig(), category_shares(read_demographics(), "IRN")
    a = draw_households(np.array([500]), np.array([30]), shares, cfg, np.random.default_rng(7))
    b = draw_households(np.array([500]), np.array([30]), shares, cfg, np.random.default_rng(7))
    for field in ("arrival_day", "exit_day", "size", "school_age", "pregnant", "chronic", "route"):
        assert np.array_equal(getattr(a, field), getattr(b, field))
    assert pd.Series(a.size).sum() == 500


def test_bundled_table_shares_sum_to_one_per_scope():
    """Moved from the forecast dataset tests: the table is abm's package data."""
    import numpy as np

    from abm.demographics import read_demographics

    d = read_demographics()
    assert {"all_hosts", "central_asia", "IRN", "PAK"} <= set(d["scope"])
    assert set(d["age_band"]) == {"0-4", "5-11", "12-17", "18-59", "60+"}
    assert np.allclose(d.groupby("scope")["share"].sum(), 1.0, atol=1e-4)
    total = d[d["scope"] == "all_hosts"]["persons"].sum()
    parts = d[d["scope"].isin(["IRN", "PAK"])]["persons"].sum()
    assert 0 < parts < total
