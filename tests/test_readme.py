"""The README's Python quickstart runs as written (keeps the README true)."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_quickstart_runs():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    assert blocks, "README has no python block"
    namespace: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)  # noqa: S102 - our own README
    assert {"series_id", "ds", "model", "scenario", "quantile", "value"} <= set(namespace["fc"].columns)
    assert list(namespace["arrivals"].columns) == ["ds", "path", "arrivals"]
    assert set(namespace["advice"]["facility_type"]) == {"shelter", "school", "clinic"}
