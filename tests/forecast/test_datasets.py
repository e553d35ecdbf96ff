"""Loaders of the bundled datasets: every dataset loads with its meta, user CSVs round-trip."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast import datasets, schema
from forecast.errors import SchemaError

FIX = Path(__file__).resolve().parents[1] / "data" / "datasets"
IDS = sorted(datasets.REGISTRY)


def write_like_build(df: pd.DataFrame, path: Path) -> None:
    """Write a typed frame back as a CSV of the same schema (ISO dates, NA empty)."""
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = out[c].dt.strftime("%Y-%m-%d")
    out.to_csv(path, index=False, lineterminator="\n")


def test_list_datasets_has_every_dataset_with_provenance():
    ls = datasets.list_datasets()
    assert list(ls.columns) == ["id", "title", "publisher", "licence", "vintage", "rows",
                                "start", "end", "file"]
    assert sorted(ls["id"]) == IDS
    assert len(IDS) >= 8
    for col in ("title", "publisher", "licence", "vintage", "file"):
        assert (ls[col].str.len() > 0).all(), col
    # rows are counted from the files, not hard-coded
    for _, r in ls.iterrows():
        n_lines = len(datasets.bundled_path(r["file"]).read_text().splitlines()) - 1
        assert r["rows"] == n_lines


@pytest.mark.parametrize("dataset_id", IDS)
def test_every_dataset_loads_with_meta(dataset_id):
    df, meta = datasets.load(dataset_id)
    assert isinstance(meta, datasets.DatasetMeta)
    assert meta.id == dataset_id and meta.licence and meta.publisher and meta.origin
    assert meta.url == meta.origin and meta.caveats
    assert list(df.columns) == [c[0] for c in meta.columns]
    assert all(unit is not None for unit in meta.units().values())
    assert len(df) > 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        meta.title = "x"  # type: ignore[misc]


@pytest.mark.parametrize("dataset_id", IDS)
def test_na_cells_in_file_stay_na(dataset_id):
    """Empty cells in the numeric columns of the file are NaN after loading, never 0."""
    df, meta = datasets.load(dataset_id)
    raw = pd.read_csv(datasets.bundled_path(meta.file), dtype=str, keep_default_na=False)
    spec = schema.spec_for(dataset_id)
    for c in spec.columns:
        if c.kind in ("count", "float", "int"):
            assert (raw[c.name] == "").tolist() == df[c.name].isna().tolist(), c.name


@pytest.mark.parametrize("dataset_id", IDS)
def test_user_csv_round_trip(dataset_id, tmp_path):
    df, _ = datasets.load(dataset_id)
    p = tmp_path / f"{dataset_id}.csv"
    write_like_build(df, p)
    back, meta = datasets.load(dataset_id, path=p)
    assert meta.id == dataset_id
    pd.testing.assert_frame_equal(back, df, check_dtype=False)


def test_load_returns_a_copy():
    df, _ = datasets.load("hosts_afghan_annual")
    df.loc[0, "refugees"] = -999.0
    again, _ = datasets.load("hosts_afghan_annual")
    assert again.loc[0, "refugees"] != -999.0


def test_unknown_dataset():
    with pytest.raises(SchemaError, match="unknown dataset"):
        datasets.load("nope")


def test_bundled_files_are_reached_through_the_package():
    p = datasets.bundled_path("movement_monthly.csv")
    assert p.is_file() and p.parent.name == "data" and p.parent.parent.name == "forecast"


# ------------------------------------------------------------------ history
def test_load_history_contract():
    h = datasets.load_history()
    assert list(h.columns) == ["series_id", "ds", "y"]
    assert str(h["ds"].dtype) == "datetime64[ns]" and h["y"].dtype == "float64"
    schema.validate_history(h)  # gap-free, unique, non-negative
    ids = set(h["series_id"])
    assert {"unhcr_asylum_DEU", "unhcr_asylum_GBR", "unhcr_asylum_FRA", "unhcr_asylum_CAN",
            "frontex_afg_total"} <= ids
    assert any(i.startswith("frontex_afg_") and i != "frontex_afg_total" for i in ids)
    assert h.equals(h.sort_values(["series_id", "ds"]).reset_index(drop=True))


def test_load_history_spans_match_sources():
    h = datasets.load_history()
    span = h.groupby("series_id")["ds"].agg(["min", "max"])
    assert span.loc["unhcr_asylum_DEU", "min"] == pd.Timestamp("1999-01-01")
    assert span.loc["unhcr_asylum_DEU", "max"].year == 2018
    assert span.loc["frontex_afg_total", "min"] == pd.Timestamp("2009-01-01")
    assert span.loc["frontex_afg_total", "max"] == pd.Timestamp("2025-04-01")


def test_frontex_total_is_sum_of_routes():
    h = datasets.load_history()
    fr = h[h["series_id"].str.startswith("frontex_afg_")]
    routes = fr[fr["series_id"] != "frontex_afg_total"].groupby("ds")["y"].sum(min_count=1)
    total = fr[fr["series_id"] == "frontex_afg_total"].set_index("ds")["y"]
    pd.testing.assert_series_equal(routes.reindex(total.index), total, check_names=False)
    # 2015-10 peak of the Eastern Mediterranean route (66,116 in SOURCES of the raw data)
    assert total[pd.Timestamp("2015-10-01")] > 60_000


def test_load_history_filter_and_unknown():
    h = datasets.load_history(["unhcr_asylum_DEU", "frontex_afg_total"])
    assert set(h["series_id"]) == {"unhcr_asylum_DEU", "frontex_afg_total"}
    assert set(datasets.load_history("unhcr_asylum_GBR")["series_id"]) == {"unhcr_asylum_GBR"}
    with pytest.raises(SchemaError, match="unknown series"):
        datasets.load_history(["unhcr_asylum_XXX"])


def test_load_history_user_file():
    h = datasets.load_history(path=FIX / "history_ok.csv")
    assert list(h.columns) == ["series_id", "ds", "y"] and len(h) == 6
    assert datasets.load_history("uzb_border", path=FIX / "history_ok.csv")["y"].tolist() == [13000, 5]


def test_movement_flags_are_consistent():
    df, _ = datasets.load("movement_monthly")
    flagged = df["flag"] != ""
    # a flag always explains an NA, and an NA always has a flag
    assert (df.loc[flagged, "y"].isna()).all()
    assert (df.loc[df["y"].isna(), "flag"] != "").all()


# ------------------------------------------------------------------ drivers
def test_load_drivers_contract():
    d = datasets.load_drivers()
    assert list(d.columns) == ["ds", *datasets.DRIVER_NAMES]
    assert list(datasets.DRIVER_NAMES) == ["fatalities", "spi3", "spi12", "precip_anom_mm",
                                           "temp_c", "nino34_anom_c", "wheat_price_index"]
    assert d["ds"].is_monotonic_increasing and d["ds"].is_unique
    months = d["ds"].dt.year * 12 + d["ds"].dt.month
    assert (months.diff().dropna() == 1).all()
    for c in datasets.DRIVER_NAMES:
        assert d[c].dtype == "float64" and d[c].notna().any(), c


def test_drivers_match_their_datasets():
    d = datasets.load_drivers().set_index("ds")
    conflict, _ = datasets.load("conflict_monthly")
    afg = conflict[conflict["iso3"] == "AFG"].set_index("ds")["fatalities"]
    pd.testing.assert_series_equal(d["fatalities"].reindex(afg.index), afg, check_names=False)
    # months before UCDP coverage are NA, not zero
    assert d.loc[: pd.Timestamp("1988-12-01"), "fatalities"].isna().all()
    food, _ = datasets.load("food_prices_monthly")
    f = food.set_index("ds")["wheat_price_index"]
    pd.testing.assert_series_equal(d["wheat_price_index"].reindex(f.index), f, check_names=False)


def test_load_drivers_user_file():
    d = datasets.load_drivers(path=FIX / "drivers_ok.csv")
    assert list(d.columns) == ["ds", "fatalities", "spi3", "wheat_price_index"]
    assert np.isnan(d.loc[2, "wheat_price_index"])


# ------------------------------------------------------------------ content checks
def test_hosts_keep_na_apart_from_zero():
    h = datasets.load_hosts()
    assert set(h["host_iso3"]) == {"KAZ", "KGZ", "TJK", "TKM", "UZB", "IRN", "PAK"}
    assert h["asylum_seekers"].isna().any() or h["new_refugees"].isna().any()
    assert (h["asylum_seekers"] == 0).any()
    tjk = h[(h["host_iso3"] == "TJK") & (h["year"] == 2022)]
    assert len(tjk) == 1 and tjk["refugees"].iloc[0] > 1000


def test_wheat_index_2019_mean_is_100():
    f, _ = datasets.load("food_prices_monthly")
    assert f.loc[f["ds"].dt.year == 2019, "wheat_price_index"].mean() == pytest.approx(100, abs=0.01)
    assert (f["markets"].dropna() >= 1).all()


def test_spi_is_standardised_on_the_baseline():
    c, _ = datasets.load("climate_monthly")
    base = c[c["ds"].dt.year.between(1991, 2020)]
    for col in ("spi3", "spi12"):
        assert base[col].mean() == pytest.approx(0, abs=0.1)
        assert base[col].std() == pytest.approx(1, abs=0.1)
        assert c[col].abs().max() <= 3.09
    # calendar-month anomalies average to ~0 over the baseline
    anom = base.groupby(base["ds"].dt.month)["precip_anom_mm"].mean()
    assert anom.abs().max() < 0.01
    # 2001 and 2021 were drought years in Afghanistan
    for year in (2001, 2021):
        assert c.loc[c["ds"].dt.year == year, "spi12"].mean() < -0.5


def test_conflict_preliminary_flag():
    c, _ = datasets.load("conflict_monthly")
    assert ((c["ds"] >= pd.Timestamp("2025-01-01")) == (c["preliminary"] == 1)).all()
    assert "AFG" in set(c["iso3"])


def test_battle_deaths_bounds():
    b, _ = datasets.load("battle_deaths_annual")
    ok = b.dropna(subset=["low", "best", "high"])
    assert (ok["low"] <= ok["best"]).all() and (ok["best"] <= ok["high"]).all()


def test_load_history_reads_a_movement_file_dropping_extra_columns():
    h = datasets.load_history(path=datasets.bundled_path("movement_monthly.csv"))
    pd.testing.assert_frame_equal(h, datasets.load_history())


def test_importing_datasets_stays_light():
    import subprocess
    import sys

    code = ("import sys, forecast.datasets; "
            "print(sorted(m for m in ('prophet', 'streamlit', 'abm', 'mesa') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_demographics_span_in_listing():
    ls = datasets.list_datasets().set_index("id")
    assert ls.loc["movement_monthly", "start"] == "1999-01"


def test_eu_applicants_sum_the_listed_sex_rows():
    e, _ = datasets.load("eu_asylum_annual")
    parts = e[["female", "male", "unknown"]].sum(axis=1, min_count=1)
    assert np.allclose(e["applicants"], parts)
    w = e.pivot(index="year", columns="geo", values="applicants")
    both = w[["EU27", "DEU"]].dropna()
    assert len(both) > 5 and (both["EU27"] >= both["DEU"]).all()


# ---------------------------------------------------------------- checked bundled files
@pytest.mark.parametrize("dataset_id", IDS)
def test_checked_reader_gives_the_fully_checked_frame(dataset_id):
    """The fast reader of checked bytes returns exactly what every check returns:
    columns, order, dtypes, NA and values."""
    path = datasets.bundled_path(datasets.REGISTRY[dataset_id].file)
    fast = schema.read_checked(path.read_bytes(), dataset_id)
    pd.testing.assert_frame_equal(fast, schema.read_table(path, dataset_id), check_exact=True)


def test_the_record_of_checks_holds_the_bundled_bytes():
    """checked.json names every bundled file with the SHA-256 of its bytes now, and the
    rows and span that the full read gives (rebuild the data and it is rewritten)."""
    import hashlib

    record = datasets.checked_manifest()
    assert sorted(record) == sorted(m.file for m in datasets.REGISTRY.values())
    for m in datasets.REGISTRY.values():
        data = datasets.bundled_path(m.file).read_bytes()
        assert record[m.file]["sha256"] == hashlib.sha256(data).hexdigest(), m.file
        df = schema.read_table(datasets.bundled_path(m.file), m.id)
        assert record[m.file]["rows"] == len(df)
        assert (record[m.file]["start"], record[m.file]["end"]) == datasets._span(m.id, df)


@pytest.fixture
def bundled_copy(tmp_path, monkeypatch):
    """The package data folder copied to ``tmp_path`` and read from there."""
    import shutil

    src = datasets.bundled_path(datasets.CHECKED_FILE).parent
    for f in src.iterdir():
        if f.is_file():
            shutil.copy(f, tmp_path / f.name)
    monkeypatch.setattr(datasets, "bundled_path", lambda file: tmp_path / file)
    datasets.checked_manifest.cache_clear()
    datasets._read_bundled.cache_clear()
    yield tmp_path
    datasets.checked_manifest.cache_clear()
    datasets._read_bundled.cache_clear()


def test_an_edited_bundled_file_gets_every_check(bundled_copy, monkeypatch):
    """Bytes that differ from the checked ones are checked in full: a negative count
    written into the hosts file is refused, naming the file and line."""
    path = bundled_copy / "hosts_afghan_annual.csv"
    lines = path.read_text().splitlines()
    head = lines[0].split(",")
    cells = lines[1].split(",")
    cells[head.index("refugees")] = "-5"
    lines[1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(SchemaError, match=r"hosts_afghan_annual\.csv.*refugees.*negative.*line 2"):
        datasets.load_hosts()


def test_checked_bytes_skip_the_cell_checks_and_others_do_not(bundled_copy, monkeypatch):
    calls = []
    real = schema.read_table
    monkeypatch.setattr(schema, "read_table", lambda p, tid: calls.append(tid) or real(p, tid))
    datasets.load("movement_monthly")
    assert calls == []  # recorded bytes: read without the checks
    (bundled_copy / datasets.CHECKED_FILE).write_text("{not json")
    datasets.checked_manifest.cache_clear()
    datasets._read_bundled.cache_clear()
    ls = datasets.list_datasets()
    assert sorted(calls) == IDS  # no record: every file read with every check
    assert ls.set_index("id").loc["movement_monthly", "start"] == "1999-01"


def test_listing_from_the_record_equals_the_listing_from_the_files(bundled_copy):
    from_record = datasets.list_datasets()
    (bundled_copy / datasets.CHECKED_FILE).unlink()
    datasets.checked_manifest.cache_clear()
    pd.testing.assert_frame_equal(from_record, datasets.list_datasets())


def test_the_bundled_drivers_join_passes_the_drivers_checks_unchanged():
    """load_drivers skips the drivers checks on the join of checked files: the join is
    what those checks return."""
    df = datasets.load_drivers()
    pd.testing.assert_frame_equal(df, schema.validate_drivers(df.copy(), source="t"), check_exact=True)


def test_the_first_page_data_are_read_without_pandera():
    """Reading the checked bundled files (the first page's data) does not import pandera."""
    import subprocess
    import sys

    code = ("import sys; from forecast import datasets; datasets.load_history(); "
            "datasets.load_drivers(); datasets.load_hosts(); datasets.list_datasets(); "
            "print('pandera' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
