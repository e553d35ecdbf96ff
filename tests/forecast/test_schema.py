"""Schema checks: every malformed user CSV gets a SchemaError naming file, column, lines."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast import schema
from forecast.datasets import load_history, read_csv
from forecast.errors import SchemaError

FIX = Path(__file__).resolve().parents[1] / "data" / "datasets"
OK = (FIX / "history_ok.csv").read_text()


def write(tmp_path: Path, text: str | bytes, name: str = "user.csv") -> Path:
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8", newline="")
    return p


def edit_line(text: str, line: int, new: str) -> str:
    """Replace line ``line`` (1-based, header = 1) of ``text``."""
    lines = text.splitlines()
    lines[line - 1] = new
    return "\n".join(lines) + "\n"


def lines_in(msg: str) -> list[int]:
    m = re.search(r"lines? ([\d, ]+)", msg)
    assert m, f"no line numbers in: {msg}"
    return [int(x) for x in m.group(1).replace(" ", "").split(",") if x]


# ------------------------------------------------------------------ valid input
def test_valid_history_file_parses_with_types_and_na():
    df = read_csv(FIX / "history_ok.csv", "history")
    assert list(df.columns) == ["series_id", "ds", "y"]
    assert str(df["ds"].dtype) == "datetime64[ns]"
    assert df["y"].isna().sum() == 1  # the empty cell stays NA ...
    assert (df["y"] == 0).sum() == 1  # ... and the written 0 stays 0


def test_valid_drivers_file_allows_subset_of_driver_columns():
    df = read_csv(FIX / "drivers_ok.csv", "drivers")
    assert list(df.columns) == ["ds", "fatalities", "spi3", "wheat_price_index"]
    assert df["spi3"].isna().tolist() == [False, True, False]


def test_utf8_bom_and_crlf_are_accepted(tmp_path):
    p = write(tmp_path, ("\ufeff" + OK).replace("\n", "\r\n"))
    assert len(read_csv(p, "history")) == len(OK.splitlines()) - 1


# ------------------------------------------------------------------ the error cases
def test_missing_column_names_file_and_column(tmp_path):
    p = write(tmp_path, OK.replace("series_id,ds,y", "series_id,ds,value"))
    with pytest.raises(SchemaError) as e:
        read_csv(p, "history")
    msg = str(e.value)
    assert str(p) in msg and "'y'" in msg and "missing column" in msg


def test_non_numeric_value_names_column_and_first_bad_lines(tmp_path):
    text = edit_line(OK, 3, "tjk_border,2021-07-01,many")
    text = edit_line(text, 5, "tjk_border,2021-09-01,1.2.3")
    p = write(tmp_path, text)
    with pytest.raises(SchemaError) as e:
        read_csv(p, "history")
    msg = str(e.value)
    assert str(p) in msg and "'y'" in msg and "non-numeric" in msg
    assert lines_in(msg) == [3, 5]
    assert "'many'" in msg


def test_negative_count_is_rejected_with_line(tmp_path):
    p = write(tmp_path, edit_line(OK, 4, "tjk_border,2021-08-01,-7"))
    with pytest.raises(SchemaError) as e:
        read_csv(p, "history")
    msg = str(e.value)
    assert str(p) in msg and "'y'" in msg and "negative" in msg
    assert lines_in(msg) == [4]


def test_duplicate_dates_name_both_lines(tmp_path):
    p = write(tmp_path, edit_line(OK, 3, "tjk_border,2021-06-01,5"))
    with pytest.raises(SchemaError) as e:
        read_csv(p, "history")
    msg = str(e.value)
    assert str(p) in msg and "ds" in msg and "duplicate" in msg
    assert lines_in(msg) == [2, 3]


def test_unparsable_date(tmp_path):
    p = write(tmp_path, edit_line(OK, 6, "uzb_border,13/08/2021,13000"))
    with pytest.raises(SchemaError) as e:
        read_csv(p, "history")
    msg = str(e.value)
    assert str(p) in msg and "'ds'" in msg and "unparsable" in msg
    assert lines_in(msg) == [6] and "13/08/2021" in msg


def test_date_not_on_first_of_month(tmp_path):
    p = write(tmp_path, edit_line(OK, 2, "tjk_border,2021-06-15,120"))
    with pytest.raises(SchemaError) as e:
        read_csv(p, "history")
    assert lines_in(str(e.value)) == [2] and "first day" in str(e.value)


def test_gap_in_monthly_index_names_line_after_the_gap(tmp_path):
    lines = OK.splitlines()
    del lines[2]  # drop 2021-07 of tjk_border: 06 -> 08 is a gap, 08 is now line 3
    p = write(tmp_path, "\n".join(lines) + "\n")
    with pytest.raises(SchemaError) as e:
        read_csv(p, "history")
    msg = str(e.value)
    assert str(p) in msg and "'ds'" in msg and "gap" in msg and "2021-06 -> 2021-08" in msg
    assert lines_in(msg) == [3]


def test_empty_file(tmp_path):
    p = write(tmp_path, "")
    with pytest.raises(SchemaError, match="empty") as e:
        read_csv(p, "history")
    assert str(p) in str(e.value)


def test_header_only_file(tmp_path):
    p = write(tmp_path, "series_id,ds,y\n")
    with pytest.raises(SchemaError, match="no data rows"):
        read_csv(p, "history")


def test_not_utf8_names_the_line():
    p = FIX / "history_latin1.csv"
    with pytest.raises(SchemaError) as e:
        read_csv(p, "history")
    msg = str(e.value)
    assert str(p) in msg and "UTF-8" in msg and lines_in(msg) == [3]


def test_semicolon_file_is_read_as_russian_excel_and_a_tab_file_is_refused(tmp_path):
    p = FIX / "history_semicolon.csv"
    tidy = write(tmp_path, p.read_text().replace(";", ","), "tidy.csv")
    pd.testing.assert_frame_equal(read_csv(p, "history"), read_csv(tidy, "history"))
    tab = write(tmp_path, p.read_text().replace(";", "\t"), "tab.csv")
    with pytest.raises(SchemaError) as e:
        read_csv(tab, "history")
    msg = str(e.value)
    assert str(tab) in msg and "delimiter" in msg and "tab" in msg


def test_ragged_row_names_line(tmp_path):
    p = write(tmp_path, edit_line(OK, 5, "tjk_border,2021-09-01,1,extra"))
    with pytest.raises(SchemaError) as e:
        read_csv(p, "history")
    assert lines_in(str(e.value)) == [5]


def test_missing_file(tmp_path):
    with pytest.raises(SchemaError, match="no such file"):
        read_csv(tmp_path / "nope.csv", "history")


def test_unknown_table_id():
    with pytest.raises(SchemaError, match="unknown table"):
        read_csv(FIX / "history_ok.csv", "no_such_table")


def test_many_bad_rows_are_truncated_in_message(tmp_path):
    rows = "".join(f"s,{y}-{m:02d}-01,-1\n" for y in (2020, 2021) for m in range(1, 13))
    p = write(tmp_path, "series_id,ds,y\n" + rows)
    with pytest.raises(SchemaError) as e:
        read_csv(p, "history")
    msg = str(e.value)
    assert lines_in(msg) == [2, 3, 4, 5, 6] and "of 24" in msg


def test_user_history_via_loader_gets_the_same_checks(tmp_path):
    p = write(tmp_path, edit_line(OK, 4, "tjk_border,2021-08-01,-7"))
    with pytest.raises(SchemaError, match="negative"):
        load_history(path=p)


def test_drivers_non_numeric_and_duplicate(tmp_path):
    text = (FIX / "drivers_ok.csv").read_text()
    p = write(tmp_path, edit_line(text, 3, "2021-07-01,lots,,150.2"))
    with pytest.raises(SchemaError) as e:
        read_csv(p, "drivers")
    assert "'fatalities'" in str(e.value) and lines_in(str(e.value)) == [3]
    p = write(tmp_path, edit_line(text, 3, "2021-06-01,1,,150.2"))
    with pytest.raises(SchemaError, match="duplicate"):
        read_csv(p, "drivers")


def test_allowed_values_are_enforced(tmp_path):
    text = (FIX / "hosts_ok.csv").read_text()
    p = write(tmp_path, edit_line(text, 2, "1979,AFG,Afghanistan,1,0,,,"))
    with pytest.raises(SchemaError) as e:
        read_csv(p, "hosts_afghan_annual")
    assert "'host_iso3'" in str(e.value) and lines_in(str(e.value)) == [2]


# ------------------------------------------------------------------ frame validators
def history_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "series_id": ["a"] * 3 + ["b"] * 2,
        "ds": pd.to_datetime(["2020-01-01", "2020-02-01", "2020-03-01", "2020-01-01", "2020-02-01"]),
        "y": [1.0, np.nan, 3.0, 0.0, 5.0],
    })


def test_validate_history_accepts_and_does_not_mutate():
    df = history_frame()
    before = df.copy()
    out = schema.validate_history(df)
    pd.testing.assert_frame_equal(df, before)
    assert list(out.columns) == ["series_id", "ds", "y"] and out["y"].isna().sum() == 1


def test_validate_history_reports_frame_rows():
    df = history_frame()
    df.loc[3, "y"] = -1.0
    with pytest.raises(SchemaError) as e:
        schema.validate_history(df, source="my frame")
    msg = str(e.value)
    assert msg.startswith("my frame") and "'y'" in msg and "row 3" in msg


def test_validate_history_gap_and_missing_column():
    df = history_frame().drop(index=1)
    with pytest.raises(SchemaError, match="gap"):
        schema.validate_history(df)
    with pytest.raises(SchemaError, match="missing column"):
        schema.validate_history(history_frame().drop(columns="ds"))


def test_validate_history_accepts_string_dates():
    df = history_frame().assign(ds=lambda d: d["ds"].dt.strftime("%Y-%m-%d"))
    assert str(schema.validate_history(df)["ds"].dtype) == "datetime64[ns]"


def forecast_frame() -> pd.DataFrame:
    q = list(schema.QUANTILES)
    return pd.DataFrame({
        "series_id": "s", "ds": pd.Timestamp("2026-01-01"), "model": "naive",
        "scenario": "baseline", "quantile": q, "value": [10.0 * (i + 1) for i in range(len(q))],
    })


def test_validate_forecast_ok_and_crossing_and_missing_quantile():
    schema.validate_forecast(forecast_frame())
    crossed = forecast_frame()
    crossed.loc[4, "value"] = 1.0
    with pytest.raises(SchemaError, match="cross"):
        schema.validate_forecast(crossed)
    with pytest.raises(SchemaError, match="missing required quantiles"):
        schema.validate_forecast(forecast_frame().iloc[1:])
    neg = forecast_frame()
    neg.loc[0, "value"] = -1.0
    with pytest.raises(SchemaError, match="negative"):
        schema.validate_forecast(neg)


def test_validate_paths():
    df = pd.DataFrame({
        "series_id": "s", "ds": pd.to_datetime(["2026-01-01", "2026-01-01"]), "model": "m",
        "scenario": "b", "path": [0, 1], "value": [3.0, 4.0],
    })
    assert str(schema.validate_paths(df)["path"].dtype) == "int64"
    with pytest.raises(SchemaError, match="duplicate"):
        schema.validate_paths(df.assign(path=[0, 0]))
    with pytest.raises(SchemaError, match="whole numbers"):
        schema.validate_paths(df.assign(path=[0, 0.5]))


def test_validate_drivers_extra_numeric_column_ok_text_not():
    df = pd.DataFrame({"ds": pd.to_datetime(["2020-01-01", "2020-02-01"]), "spi3": [0.1, -0.2],
                       "my_driver": [1.0, 2.0]})
    assert "my_driver" in schema.validate_drivers(df).columns
    with pytest.raises(SchemaError, match="'my_driver'"):
        schema.validate_drivers(df.assign(my_driver=["x", "y"]))


def test_every_spec_has_a_pandera_schema():
    for table_id, spec in schema.SPECS.items():
        s = schema.pandera_schema(spec)
        assert set(s.columns) == set(spec.names), table_id


# ------------------------------------------------------------------ property
@settings(max_examples=30, deadline=None)
@given(
    ys=st.lists(st.one_of(st.none(), st.integers(0, 10**7)), min_size=1, max_size=30),
    start=st.dates(min_value=pd.Timestamp("1990-01-01").date(),
                   max_value=pd.Timestamp("2030-01-01").date()),
)
def test_history_csv_round_trip_keeps_na_and_values(tmp_path_factory, ys, start):
    ds = pd.date_range(pd.Timestamp(start).to_period("M").start_time, periods=len(ys), freq="MS")
    lines = ["series_id,ds,y"] + [
        f"s,{d:%Y-%m-%d},{'' if y is None else y}" for d, y in zip(ds, ys, strict=True)
    ]
    p = tmp_path_factory.mktemp("rt") / "h.csv"
    p.write_text("\n".join(lines) + "\n")
    df = read_csv(p, "history")
    assert df["y"].isna().tolist() == [y is None for y in ys]
    assert [y for y in df["y"] if not np.isnan(y)] == [float(y) for y in ys if y is not None]


def test_frame_with_duplicate_index_labels_reports_positions():
    df = history_frame()
    df.index = [0, 0, 1, 1, 2]
    df.iloc[4, df.columns.get_loc("y")] = -3.0
    with pytest.raises(SchemaError) as e:
        schema.validate_history(df)
    assert "row 4" in str(e.value)


def test_infinite_value_is_rejected():
    df = history_frame()
    df.loc[2, "y"] = np.inf
    with pytest.raises(SchemaError, match="infinite"):
        schema.validate_history(df)
