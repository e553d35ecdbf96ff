"""The import contracts of pyproject.toml ([tool.importlinter]) hold."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    exe = Path(sys.executable).with_name("lint-imports")
    r = subprocess.run([str(exe), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert "Contracts: 4 kept, 0 broken" in r.stdout


def test_no_symlinks_in_the_packages():
    links = [p for pkg in ("forecast", "abm", "planner") for p in (ROOT / pkg).rglob("*")
             if p.is_symlink()]
    assert links == []
