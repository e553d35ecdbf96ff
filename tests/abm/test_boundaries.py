"""Package boundaries: abm never imports forecast, streamlit or dask at import time."""

import subprocess
import sys


def test_abm_does_not_import_forecast_or_streamlit():
    code = ("import sys, abm, abm.cli, abm.sweeps; "
            "bad = [m for m in ('forecast', 'streamlit', 'distributed', 'prophet') "
            "if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


def test_default_facilities_cite_every_row():
    from abm import default_facilities
    fac = default_facilities()
    assert set(fac["facility_type"]) == {"shelter", "school", "clinic"}
    assert fac["source"].str.len().gt(20).all()
