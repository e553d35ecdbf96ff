"""The launcher (app_pages/serve.py) preloads only what holds no Streamlit code, and
everything it names exists."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_preload_imports_every_module_named_and_never_streamlit():
    code = ("import sys; from app_pages import serve; failed = serve.preload(); "
            "print(failed, 'streamlit' in sys.modules, all(m in sys.modules for m in serve.PRELOAD))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, check=True).stdout.split()
    assert out == ["[]", "False", "True"], out


def test_a_failing_preload_is_reported_not_raised():
    from app_pages import serve

    assert serve.preload(("json", "no_such_module_here")) == ["no_such_module_here"]
