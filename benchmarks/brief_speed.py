"""Speed of the decision brief and the workbook on one plan result.

Prints (never asserts) the seconds to summarise a plan result and render the brief as
PDF and HTML (both charts included) and the workbook, per language, over repeats (the
first, cold call loads fonts, vl-convert and openpyxl). The plan result is the small
real one of the planner tests (``tests/data/plan``: 12 months, 40 paths, 20 capacity
runs), so the script runs in seconds.

    .venv/bin/python benchmarks/brief_speed.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    sys.path.insert(0, str(ROOT / "tests" / "planner"))
    from conftest import small_plan_result

    from planner import brief, workbook

    t0 = time.perf_counter()
    res = small_plan_result()
    print(f"plan result (capacity model, 20 runs): {time.perf_counter() - t0:.2f} s")
    for lang in ("en", "ru"):
        times: dict[str, list[float]] = {"pdf": [], "html": [], "both": [], "xlsx": []}
        for _ in range(a.repeats):
            t = time.perf_counter()
            brief.brief_pdf(res, lang)
            times["pdf"].append(time.perf_counter() - t)
            t = time.perf_counter()
            brief.brief_html(res, lang)
            times["html"].append(time.perf_counter() - t)
            t = time.perf_counter()
            brief.render(brief.summarise(res), lang)
            times["both"].append(time.perf_counter() - t)
            t = time.perf_counter()
            workbook.workbook_bytes(res, lang)
            times["xlsx"].append(time.perf_counter() - t)
        print(f"{lang}: " + ", ".join(
            f"{k} first {v[0]:.2f} s, median {statistics.median(v):.2f} s"
            for k, v in times.items()))


if __name__ == "__main__":
    main()
