"""The README's Python quickstart runs as written (keeps the README true)."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_quickstart_runs(monkeypatch):
    """The README's Python block runs as written. The pooled host model it fits on the
    bundled world panel is read from the test run's fit cache when another test (or the
    app server) fitted it already: the same function of the same data and seed
    (planner.cache keys it by the code and data), so the block is not slowed by a refit."""
    from forecast import datasets, host_model
    from planner import cache, pipeline

    real = host_model.fit_host_model

    def fit_or_read(dyads, seed=0, **kw):
        if kw or not dyads.equals(datasets.load_dyads()):
            return real(dyads, seed=seed, **kw)
        spec = pipeline.PlanSpec(forecast=pipeline.ForecastSettings(seed=seed))
        host_model.fit_host_model = real  # on a cache miss the pipeline fits with the real one
        try:
            return pipeline.fit_hosts(spec, pipeline.bundled_data(), cache=cache.fit_cache())
        finally:
            host_model.fit_host_model = fit_or_read

    monkeypatch.setattr(host_model, "fit_host_model", fit_or_read)
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    assert blocks, "README has no python block"
    namespace: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)  # noqa: S102 - our own README
    assert {"series_id", "ds", "model", "scenario", "quantile", "value"} <= set(namespace["fc"].columns)
    assert list(namespace["arrivals"].columns) == ["ds", "path", "arrivals"]
    assert set(namespace["advice"]["facility_type"]) == {"shelter", "school", "clinic"}
