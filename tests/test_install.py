"""The install story of the README: a plain (non-editable) install ships the data, and
``./dev.sh run`` serves the app."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_ships_each_data_file_once_and_a_plain_install_loads_them(tmp_path):
    """One wheel build: it holds each data file once and no build script, and installed
    plainly (not editable) every bundled dataset loads."""
    import zipfile

    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path),
                    str(ROOT)], check=True, cwd=tmp_path)
    (whl,) = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(whl).namelist()
    base = [Path(n).name for n in names if n.endswith(".csv")]
    assert len(base) == len(set(base)), sorted(base)
    assert "forecast/data/movement_monthly.csv" in names
    assert "abm/data/facilities_default.csv" in names
    assert not [n for n in names if n.endswith("build.py")]
    assert not [n for n in names if "_bundled" in n]
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-compile",
                    "--target", str(target), str(whl)], check=True, cwd=tmp_path)
    code = (
        "import forecast, abm, pathlib\n"
        "from forecast import datasets\n"
        f"assert pathlib.Path(forecast.__file__).is_relative_to({str(target)!r}), forecast.__file__\n"
        "ids = list(datasets.list_datasets()['id'])\n"
        "for i in ids:\n"
        "    df, meta = datasets.load(i)\n"
        "    assert len(df) > 0 and meta.licence, i\n"
        "assert len(abm.default_facilities()) > 0\n"
        "print(len(ids))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert int(out.stdout.strip()) >= 8


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_dev_sh_run_serves_the_app():
    if not (ROOT / ".venv" / "bin" / "streamlit").exists():
        pytest.skip("./dev.sh run needs the project's .venv (made by ./dev.sh test)")
    port = _free_port()
    proc = subprocess.Popen(["bash", str(ROOT / "dev.sh"), "run", "--server.port", str(port),
                             "--server.address", "127.0.0.1"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        status = None
        while time.monotonic() < deadline and status != 200:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
                    status = r.status
            except OSError:
                time.sleep(0.25)
        assert status == 200, "./dev.sh run did not answer on /_stcore/health"
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(10)
