"""The Russian-Excel CSV dialect: `;`, decimal comma, UTF-8 with BOM; formulas neutralised."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from forecast import export
from forecast.csv_dialect import BOM, DIALECTS, EXCEL_RU, get_dialect
from forecast.errors import SchemaError


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"series_id": ["Алматы; юг", "=SUM(A1)", "b"],
                         "ds": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"]),
                         "value": [1876.25, 0.1, -3.5]})


def test_excel_ru_round_trips_with_pandas_and_has_a_bom(tmp_path):
    data = export.csv_bytes(_frame(), "excel-ru")
    assert data.startswith(BOM)
    back = pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig")
    assert back["value"].tolist() == [1876.25, 0.1, -3.5]
    assert back["series_id"].tolist() == ["Алматы; юг", "'=SUM(A1)", "b"]
    assert back["ds"].tolist() == ["2026-01-01", "2026-02-01", "2026-03-01"]
    assert "1876,25" in data.decode("utf-8-sig")
    p = export.write_csv(_frame(), tmp_path / "f.csv", {}, dialect=EXCEL_RU)
    assert p.read_bytes() == data
    assert export.read_provenance(p)["csv_dialect"]["sep"] == ";"


def test_tidy_is_unchanged_and_reads_back_exactly(tmp_path):
    f = _frame()
    data = export.csv_bytes(f)
    assert not data.startswith(BOM) and data.decode().splitlines()[0] == "series_id,ds,value"
    p = export.write_csv(f, tmp_path / "t.csv", {})
    assert p.read_bytes() == data
    assert export.read_csv(p)["value"].tolist() == f["value"].tolist()


def test_unknown_dialect_is_named():
    assert set(DIALECTS) == {"tidy", "excel-ru"}
    with pytest.raises(SchemaError, match="'excel-de'.*tidy, excel-ru"):
        get_dialect("excel-de")
