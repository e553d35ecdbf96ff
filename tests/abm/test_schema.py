import pandas as pd
import pytest

from abm.errors import InputError
from abm.schema import (
    check_arrivals,
    check_facilities,
    check_plans,
    read_arrivals,
    read_facilities,
    read_plans,
)


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_reads_paths_and_quantiles(arrivals):
    arr = check_arrivals(arrivals)
    assert arr.values.shape == (2, 6) and arr.quantiles is None
    q = pd.DataFrame({"ds": ["2025-01-01", "2025-01-01", "2025-02-01", "2025-02-01"],
                      "quantile": [0.1, 0.9, 0.1, 0.9], "arrivals": [10, 30, 5, 50]})
    arr = check_arrivals(q)
    assert arr.quantiles == (0.1, 0.9)
    assert arr.values.tolist() == [[10, 5], [30, 50]]


def test_plain_csv_is_one_path(tmp_path):
    p = _write(tmp_path, "a.csv", "ds,arrivals\n2025-01-01,10\n2025-02-01,20\n")
    arr = read_arrivals(p)
    assert arr.values.tolist() == [[10.0, 20.0]]


@pytest.mark.parametrize("text, match", [
    ("date,arrivals\n2025-01-01,1\n", r"missing column\(s\) ds"),
    ("ds,arrivals\n2025-01-01,1\n2025-02-01,\n", r"'arrivals' has missing values.*lines: 3"),
    ("ds,arrivals\n2025-01-01,1\n2025-02-01,-4\n", r"'arrivals' has negative.*lines: 3"),
    ("ds,arrivals\n2025-01-15,1\n", r"'ds' has dates that are not month starts.*lines: 2"),
    ("ds,arrivals\n2025-01-01,1\nJanuary,3\n", r"'ds' has values that are not dates.*lines: 3"),
    ("ds,arrivals\n2025-01-01,1\n2025-03-01,3\n", r"gaps: months 2025-02-01"),
    ("ds,arrivals\n2025-01-01,1\n2025-01-01,3\n", r"repeats a month.*lines: 3"),
    ("ds,arrivals\n2025-01-01,lots\n", r"'arrivals' has values that are not numbers"),
    ("ds,quantile,arrivals\n2025-01-01,0.1,5\n2025-01-01,0.9,3\n", "crossing quantiles"),
    ("ds,quantile,arrivals\n2025-01-01,1.5,5\n", r"'quantile' has levels outside"),
    ("ds,path,arrivals\n2025-01-01,0.5,5\n", r"'path' has values that are not path ids"),
    ("", "arrivals file is empty"),
])
def test_bad_arrivals_name_file_column_and_rows(tmp_path, text, match):
    p = _write(tmp_path, "bad.csv", text)
    with pytest.raises(InputError, match=match) as info:
        read_arrivals(p)
    assert "bad.csv" in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_arrivals(tmp_path / "nope.csv")


def test_reads_bundled_and_fixture_facilities(data_dir):
    fac = read_facilities(data_dir / "facilities_small.csv")
    assert list(fac["facility_type"]) == ["shelter", "shelter", "school", "clinic"]
    assert pd.isna(fac.loc[0, "opens"]) and fac.loc[1, "opens"] == pd.Timestamp("2025-03-01")


@pytest.mark.parametrize("row, match", [
    ("x,hotel,1,persons", r"'facility_type' must be one of.*lines: 3"),
    ("x,school,1,persons", r"'quantity_unit' does not fit.*lines: 3"),
    ("x,clinic,-1,clinicians", r"'quantity' must be a positive.*lines: 3"),
    ("x,clinic,many,clinicians", r"'quantity' has values that are not numbers"),
    ("a,clinic,1,clinicians", r"duplicate ids.*lines: 3"),
])
def test_bad_facilities(tmp_path, row, match):
    p = _write(tmp_path, "fac.csv",
               "facility_id,facility_type,quantity,quantity_unit\na,shelter,10,persons\n" + row)
    with pytest.raises(InputError, match=match) as info:
        read_facilities(p)
    assert "fac.csv" in str(info.value)


def test_facilities_missing_columns_and_bad_dates(tmp_path):
    p = _write(tmp_path, "f.csv", "facility_id,quantity\na,1\n")
    with pytest.raises(InputError, match=r"missing column\(s\) facility_type, quantity_unit"):
        read_facilities(p)
    frame = pd.DataFrame({"facility_id": ["a"], "facility_type": ["shelter"], "quantity": [5],
                          "quantity_unit": ["persons"], "opens": ["soon"]})
    with pytest.raises(InputError, match="'opens' has values that are not dates"):
        check_facilities(frame)
    frame["opens"] = "2025-01-01"
    frame["lead_time_days"] = -3
    with pytest.raises(InputError, match=r"'lead_time_days' must be in \[0, 3650\] days.*'lead_time_days'.*first bad rows: 0"):
        check_facilities(frame)


def test_plans(tmp_path):
    p = _write(tmp_path, "plan.csv", "facility_type,quantity,quantity_unit,ordered,lead_time_days\n"
               "shelter,500,persons,2025-06-01,30\n")
    plan = read_plans(p)
    assert plan.loc[0, "ordered"] == pd.Timestamp("2025-06-01")
    bad = _write(tmp_path, "bad.csv", "facility_type,quantity,quantity_unit,ordered\n"
                 "shelter,-500,persons,2025-06-01\n")
    with pytest.raises(InputError, match="plans only add capacity"):
        read_plans(bad)
    with pytest.raises(InputError, match=r"missing column\(s\) ordered"):
        check_plans(pd.DataFrame({"facility_type": ["school"], "quantity": [1],
                                  "quantity_unit": ["seats"]}))
    assert len(check_plans(None)) == 0


def _paths_file(tmp_path):
    rows = []
    for host in ("KAZ", "UZB"):
        for model in ("ets", "ensemble"):
            for path in (0, 1):
                for m, ds in enumerate(("2026-01-01", "2026-02-01")):
                    rows.append((host, ds, model, "baseline", path, 10 * m + path + len(model)))
    frame = pd.DataFrame(rows, columns=["series_id", "ds", "model", "scenario", "path", "value"])
    p = tmp_path / "hosts.csv"
    frame.to_csv(p, index=False)
    return p


def test_reads_forecast_paths_files_by_host_and_model(tmp_path):
    p = _paths_file(tmp_path)
    arr = read_arrivals(p, host="KAZ", model="ets")
    assert arr.values.tolist() == [[3, 13], [4, 14]]
    with pytest.raises(InputError, match=r"'series_id' holds several values \(KAZ, UZB\).*--host"):
        read_arrivals(p)
    with pytest.raises(InputError, match=r"'model' holds several values.*--model"):
        read_arrivals(p, host="KAZ")
    with pytest.raises(InputError, match=r"no rows for 'TJK' \(have KAZ, UZB\)"):
        read_arrivals(p, host="TJK", model="ets")


def test_cli_takes_a_host_from_a_forecast_file(tmp_path, data_dir):
    from typer.testing import CliRunner

    from abm.cli import app
    p = _paths_file(tmp_path)
    res = CliRunner().invoke(app, ["run", str(p), "--host", "UZB", "--model", "ensemble", "-n", "2",
                                   "--step-days", "7", "-f", str(data_dir / "facilities_small.csv"),
                                   "-o", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(app, ["run", str(p), "-o", str(tmp_path / "o2")])
    assert res.exit_code == 2 and "--host" in res.output
