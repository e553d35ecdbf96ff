"""Every export neutralises cells a spreadsheet would run as a formula (OWASP), keeps
numbers numbers, and the app never builds a server path from an upload's name."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from abm import export as abm_export
from forecast import export as fc_export

EVIL = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


def _cells(path: Path) -> list[list[str]]:
    with path.open(newline="") as fh:
        return list(csv.reader(fh))


@pytest.mark.parametrize("module", [fc_export, abm_export])
def test_text_cells_with_formula_prefixes_are_quoted(module, tmp_path):
    frame = pd.DataFrame({"name": [*EVIL, "ok", None], "value": [-1.5, 2, 3, 4, 5, 6, -7, 8]})
    p = tmp_path / "out.csv"
    module.write_csv(frame, p, {})
    raw = p.read_bytes().decode()
    for evil in EVIL:
        assert "'" + evil.replace('"', '""') in raw
    back = pd.read_csv(p, keep_default_na=False)
    for got, evil in zip(back["name"], EVIL, strict=False):
        assert got.lstrip("'") != got and got[0] not in "=+-@\t\r", (got, evil)
    assert back["name"].iloc[len(EVIL)] == "ok" and back["name"].iloc[-1] == ""
    assert back["value"].tolist() == [-1.5, 2, 3, 4, 5, 6, -7, 8]  # numbers stay numbers


def test_forecast_frames_with_hostile_ids_are_neutralised(tmp_path):
    fr = pd.DataFrame({"series_id": "=cmd|' /C calc'!A0", "ds": pd.to_datetime(["2026-01-01"]),
                       "model": "naive", "scenario": "@evil", "path": [0], "value": [3.0]})
    p = fc_export.write_csv(fr, tmp_path / "paths.csv", {})
    row = _cells(p)[1]
    assert row[0].startswith("'=") and row[3] == "'@evil" and row[5] == "3.0"


def test_upload_path_never_comes_from_the_client_name():
    src = (Path(__file__).resolve().parents[1] / "app_pages" / "your_data.py").read_text()
    assert "upload.name)" not in src.replace("replace(str(path), upload.name)", "")
    assert "/ upload.name" not in src
