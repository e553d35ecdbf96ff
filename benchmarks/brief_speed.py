"""Speed of the decision brief (PDF and HTML) and the workbook on one plan result.

Prints (never asserts) seconds, with the machine's load average (the figures depend on it:
this machine has 2 cores shared by several jobs):

- cold: the first brief in a fresh Python process (the plan result is made first and not
  timed; the first call loads Altair, fpdf2, its fonts and vl-convert's JavaScript
  engine). One process per figure: PDF only, HTML only, and what the app makes (PDF +
  HTML from one set of sections, and the workbook; Altair already imported, as in the
  app);
- cold after the warm-up: the same, when :func:`planner.brief.warm_up_in_background` ran
  first (``planner plan`` starts it before the model runs; the app can start it when the
  Capacity page runs its model), waited for here;
- warm: the median of ``--repeats`` calls in one process.

Cold figures are the median of ``--cold-repeats`` processes each.

The plan result is the small real one of the planner tests (``tests/data/plan``: host
TJK, scenario ``compound``, 12 months, 40 paths, 20 capacity runs), so the script runs in
about half a minute.

    .venv/bin/python benchmarks/brief_speed.py [--repeats 5] [--cold-repeats 3] [--lang ru]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("pdf", "html", "app")


def _result():
    sys.path.insert(0, str(ROOT / "tests" / "planner"))
    from conftest import small_plan_result

    return small_plan_result()


def _make(kind: str, res, lang: str):
    from planner import brief, workbook

    if kind == "pdf":
        return brief.brief_pdf(res, lang)
    if kind == "html":
        return brief.brief_html(res, lang)
    docs = brief.render(brief.summarise(res), lang)  # as app_pages.services.brief_files
    return {**docs, "xlsx": workbook.workbook_bytes(res, lang)}


def _cold(kind: str, lang: str, warm_up: bool) -> None:
    """Child process: print the seconds of the first ``kind`` call (``app``: with Altair
    imported first, as the app has it)."""
    res = _result()
    if kind == "app":
        import altair  # noqa: F401
    if warm_up:
        from planner import brief

        brief.warm_up_in_background().result()
    t = time.perf_counter()
    _make(kind, res, lang)
    print(f"{time.perf_counter() - t:.3f}")


def _child(kind: str, lang: str, warm_up: bool) -> float:
    cmd = [sys.executable, __file__, "--child", kind, "--lang", lang]
    if warm_up:
        cmd.append("--warm-up")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env, cwd=ROOT)
    return float(out.stdout.strip().splitlines()[-1])


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--cold-repeats", type=int, default=3)
    ap.add_argument("--lang", default="ru", choices=("en", "ru"))
    ap.add_argument("--child", choices=KINDS, help=argparse.SUPPRESS)
    ap.add_argument("--warm-up", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        _cold(a.child, a.lang, a.warm_up)
        return
    print(f"brief speed, lang {a.lang}, host TJK, scenario compound; {_load()}")
    from planner import brief

    has_warm_up = hasattr(brief, "warm_up_in_background")
    def cold(kind: str, warm_up: bool) -> str:
        times = [_child(kind, a.lang, warm_up) for _ in range(a.cold_repeats)]
        return f"{statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f})"

    for kind in KINDS:
        line = f"cold {kind:4s}: {cold(kind, False)}"
        if has_warm_up:
            line += f"; after the warm-up {cold(kind, True)}"
        print(line)
    res = _result()
    for kind in KINDS:
        _make(kind, res, a.lang)
        times = []
        for _ in range(a.repeats):
            t = time.perf_counter()
            _make(kind, res, a.lang)
            times.append(time.perf_counter() - t)
        print(f"warm {kind:4s}: median {statistics.median(times):.2f} s "
              f"(min {min(times):.2f}, max {max(times):.2f}, {a.repeats} calls)")
    print(f"after: {_load()}")


if __name__ == "__main__":
    main()
