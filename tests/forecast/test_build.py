"""data/build.py reproduces the committed CSVs byte for byte from the raw publisher files."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"


def _load_build():
    spec = importlib.util.spec_from_file_location("planner_data_build", DATA / "build.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


build = _load_build()
RAW = build.default_raw()
needs_raw = pytest.mark.skipif(
    bool(build.missing_raw(RAW)),
    reason=f"raw publisher files not found under {RAW} (set PLANNER_RAW_DIR; see data/SOURCES.md)",
)


@needs_raw
def test_build_reproduces_committed_csvs_byte_for_byte(tmp_path):
    rows = build.build(RAW, tmp_path)
    assert set(rows) == set(build.OUTPUTS)
    for name in build.OUTPUTS:
        new = build.target(tmp_path, name).read_bytes()
        old = build.target(REPO, name).read_bytes()
        assert new == old, f"{name} differs from the committed file: rerun python data/build.py"
        assert b"\r" not in new and new.endswith(b"\n")
        assert rows[name] == new.count(b"\n") - 1
    checked = "forecast/data/checked.json"  # the record of the checks, rewritten by the build
    assert (tmp_path / checked).read_bytes() == (REPO / checked).read_bytes()


@needs_raw
def test_suppressed_unhcr_cells_become_na_with_flag(tmp_path):
    """A '*' in the UNHCR monthly file is NA with flag 'suppressed', never 0."""
    src = RAW / "unhcr_monthly_asylum_1999_2018" / "unhcr_asylum_seekers_monthly_1999_2018_selected.csv"
    raw = tmp_path / "raw"
    (raw / src.parent.name).mkdir(parents=True)
    lines = src.read_text().splitlines()
    i = next(k for k, ln in enumerate(lines) if ln.startswith("Germany,Afghanistan,2015,October,"))
    lines[i] = "Germany,Afghanistan,2015,October,*"
    (raw / src.parent.name / src.name).write_text("\n".join(lines) + "\n")
    fr = RAW / "iom_gdidata"
    (raw / "iom_gdidata").mkdir()
    for f in fr.iterdir():
        (raw / "iom_gdidata" / f.name).symlink_to(f)
    m = build.build_movement(raw)
    row = m[(m["series_id"] == "unhcr_asylum_DEU") & (m["ds"] == pd.Timestamp("2015-10-01"))]
    assert len(row) == 1 and np.isnan(row["y"].iloc[0]) and row["flag"].iloc[0] == "suppressed"


def test_missing_raw_dir_exits_with_where_to_get_each_file(tmp_path, capsys):
    code = build.main(["--raw", str(tmp_path / "absent"), "--out", str(tmp_path / "out")])
    assert code == 2
    err = capsys.readouterr().err
    assert "Raw data not found" in err and "SOURCES.md" in err
    for f, where in build.RAW_FILES.items():
        assert f in err and where in err
    assert not (tmp_path / "out").exists()


def test_formatting_is_fixed_and_keeps_na():
    s = pd.Series([1.0, np.nan, 0.0, 12345.0], name="n")
    assert build.fmt_int(s).tolist() == ["1", "", "0", "12345"]
    with pytest.raises(ValueError):
        build.fmt_int(pd.Series([1.5], name="n"))
    f = build.fmt_float(2)(pd.Series([-0.001, np.nan, 1 / 3, 2.0]))
    assert f.tolist() == ["0.00", "", "0.33", "2.00"]


def test_write_csv_sorts_and_quotes(tmp_path):
    df = pd.DataFrame({"k": ["b", "a"], "v": [2.0, np.nan], "t": ["x,y", 'say "hi"']})
    p = tmp_path / "o.csv"
    build.write_csv(df, p, {"k": build.fmt_str, "v": build.fmt_int, "t": build.fmt_str}, ["k"])
    assert p.read_bytes() == b'k,v,t\na,,"say ""hi"""\nb,2,"x,y"\n'


def test_gamma_thom_recovers_parameters():
    rng = np.random.default_rng(20261130)
    x = rng.gamma(shape=2.5, scale=30.0, size=20_000)
    shape, scale = build.gamma_thom(x)
    assert shape == pytest.approx(2.5, rel=0.05) and scale == pytest.approx(30.0, rel=0.05)


def test_spi_of_gamma_sample_is_standard_normal_and_handles_zeros():
    rng = np.random.default_rng(7)
    ds = pd.Series(pd.date_range("1981-01-01", "2020-12-01", freq="MS"))
    p = pd.Series(rng.gamma(2.0, 20.0, size=len(ds)))
    p[ds.dt.month == 7] = np.where(rng.random((ds.dt.month == 7).sum()) < 0.3, 0.0,
                                   p[ds.dt.month == 7])
    z = build.spi(p, ds, 1)
    base = z[ds.dt.year.between(1991, 2020)]
    assert abs(base.mean()) < 0.15 and abs(base.std() - 1) < 0.15
    # a zero month sits at the zero-probability quantile, not at -inf
    july0 = z[(ds.dt.month == 7) & (p == 0)]
    q = ((p[(ds.dt.month == 7) & ds.dt.year.between(1991, 2020)] == 0).mean())
    assert np.allclose(july0, stats.norm.ppf(q)) and np.isfinite(july0).all()
    # the first window-1 months have no SPI
    assert build.spi(p, ds, 3)[:2].isna().all()


def test_route_slug():
    assert build.route_slug("Eastern Mediterranean Route") == "eastern_mediterranean"
    assert build.route_slug("Circular Route from Albania to Greece") == "circular_from_albania_to_greece"
    assert build.route_slug("Black Sea Route") == "black_sea"


@needs_raw
def test_hosts_keep_what_the_publisher_wrote():
    """Every stock cell equals the UNHCR cell: NA stays NA, 0 stays 0."""
    raw = pd.read_csv(RAW / "unhcr_refugees" / "population_afghanistan_origin.csv")
    raw = raw[raw["coa_iso"].isin(list(build.HOSTS))].set_index(["coa_iso", "year"])
    out = pd.read_csv(build.target(REPO, "hosts_afghan_annual.csv")).set_index(["host_iso3", "year"])
    flows = pd.read_csv(RAW / "unhcr_refugees" / "flows_afghanistan_origin.csv")
    flows = flows[flows["coa_iso"].isin(list(build.HOSTS))].set_index(["coa_iso", "year"])
    flows = flows.rename(columns={"refugees": "new_refugees", "asylum_seekers": "new_asylum_seekers"})
    pairs = [(raw, c) for c in ("refugees", "asylum_seekers", "oip")]
    pairs += [(flows, c) for c in ("new_refugees", "new_asylum_seekers")]
    for src, col in pairs:
        src = src[col]
        b = out[col].reindex(src.index)
        assert (src.isna() == b.isna()).all(), col
        assert (src.dropna() == b.dropna()).all(), col
        # host-years missing from this table are NA in the output, never 0
        assert out.loc[~out.index.isin(src.index), col].isna().all(), col
    assert (out["asylum_seekers"] == 0).any() and out["oip"].isna().any()
