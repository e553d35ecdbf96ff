"""CSV + JSON sidecar: exact round-trip, never overwrite unless asked."""

from __future__ import annotations

import json

import forecast_synth as synth
import numpy as np
import pandas as pd
import pytest

from forecast import api, export
from forecast.errors import SchemaError
from forecast.scenarios import Scenario


@pytest.fixture(scope="module")
def frames():
    d = synth.drivers()
    f = api.fit_models(synth.history(drv=d), d, models=["naive", "sarimax"], seed=1)
    fc, paths = api.predict(f, Scenario.food_price_shock(), 5, 12)
    return f, fc, paths


def test_round_trip_is_exact(tmp_path, frames):
    f, fc, paths = frames
    sc = Scenario.food_price_shock()
    prov = export.provenance(f, sc, horizon=5)
    for name, frame in (("fc.csv", fc), ("paths.csv", paths)):
        p = export.write_csv(frame, tmp_path / name, prov)
        back = export.read_csv(p)
        pd.testing.assert_frame_equal(back, frame, check_exact=True)
        text = p.read_text().splitlines()
        assert text[0] == ",".join(frame.columns)
        assert text[1].split(",")[1] == "2020-01-01"  # ISO date
    side = json.loads((tmp_path / "fc.csv.json").read_text())
    assert side["scenario"] == sc.to_dict()
    assert side["model"]["seed"] == 1 and side["model"]["models"] == ["naive", "sarimax"]
    assert side["version"] and side["rows"] == len(fc)
    assert "movement_monthly" in side["data_vintages"]
    assert export.read_provenance(tmp_path / "fc.csv") == side


def test_never_overwrites_unless_asked(tmp_path, frames):
    _, fc, _ = frames
    p = export.write_csv(fc, tmp_path / "fc.csv")
    before = p.read_text()
    with pytest.raises(FileExistsError, match="overwrite=True"):
        export.write_csv(fc.head(7), p)
    assert p.read_text() == before
    export.write_csv(fc.head(7), p, overwrite=True)
    assert len(export.read_csv(p)) == 7


def test_bad_frames_are_refused(tmp_path, frames):
    _, fc, _ = frames
    bad = fc.copy()
    bad.loc[3, "value"] = -1.0
    with pytest.raises(SchemaError, match="value"):
        export.write_csv(bad, tmp_path / "bad.csv")
    assert not (tmp_path / "bad.csv").exists()
    (tmp_path / "x.csv").write_text("series_id,ds,y\na,2020/01/01,3\n")
    with pytest.raises(SchemaError, match="ISO dates"):
        export.read_csv(tmp_path / "x.csv")


def test_arrivals_frame_round_trip(tmp_path, frames):
    _, _, paths = frames
    arr = api.to_arrivals_frame(paths, model="sarimax")
    back = export.read_csv(export.write_csv(arr, tmp_path / "arr.csv"))
    pd.testing.assert_frame_equal(back, arr, check_exact=True)
    assert np.issubdtype(back["path"].dtype, np.integer)
