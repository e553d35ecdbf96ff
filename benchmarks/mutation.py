"""Mutation score of the modules that decide (issue 15), per module, with mutmut 3.8.

Modules: ``abm/advice.py``, ``abm/model.py``, ``forecast/scenarios.py`` (every
function) and ``forecast/backtest.py`` (its metric functions only: CRPS,
pinball, the skill tables and the skill weights; the rolling-origin loop itself
is exercised by the slow backtest tests, left out here). The mutmut
configuration is ``[tool.mutmut]`` in pyproject.toml: which files, which fast
tests (Dask LocalCluster, browser and slow tests are left out by marker).

Steps: mutmut copies the packages into ``./mutants`` (git-ignored) and writes
every mutant; this script draws a seeded random sample of ``--sample`` mutants
per module (``--full``: all of them), runs ``mutmut run`` on those names, and
prints killed / tried and the score per module, then the surviving mutants as
one-line diffs. A mutant counts as killed when the tests fail on it or time out
(an endless loop is caught too); "no tests" counts as not killed. mutmut's own
"forced fail" step checks that the tests import the mutated copy, not the
original. ``./mutants`` is wiped first, so results never come from a stale run.

Run from the repository root: ``.venv/bin/python benchmarks/mutation.py``
(``--sample 60 --seed 0`` by default; ``--full`` for every mutant, ~25 min on 2 cores).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: module -> mutant-name patterns (mutmut names: <module>.x_<function>__mutmut_<n>,
#: methods <module>.xǁ<Class>ǁ<method>__mutmut_<n>)
MODULES: dict[str, tuple[str, ...]] = {
    "abm/advice.py": ("abm.advice.*",),
    "abm/model.py": ("abm.model.*",),
    "forecast/backtest.py (metric functions)": tuple(
        f"forecast.backtest.{f}__mutmut_*" for f in (
            "x_crps_samples", "x_pinball", "x__aggregate", "x__relative", "x_skill_weights",
            "xǁBacktestResultǁtable", "xǁBacktestResultǁsummary")),
    "forecast/scenarios.py": ("forecast.scenarios.*",),
}
META = {"abm/advice.py": "abm/advice.py.meta", "abm/model.py": "abm/model.py.meta",
        "forecast/backtest.py (metric functions)": "forecast/backtest.py.meta",
        "forecast/scenarios.py": "forecast/scenarios.py.meta"}
KILLED = {1, 3}  # tests failed / pytest internal error
TIMEOUT = {36, 24, -24, 152, 255}
SURVIVED = {0}
NO_TESTS = {5, 33}


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)  # the original packages must not be importable
    return env


def generate() -> None:
    """Copy the sources into ./mutants and write every mutant (mutmut's first step)."""
    code = ("import os\n"
            "from mutmut.__main__ import create_mutants\n"
            "from mutmut.utils.file_utils import copy_src_dir, copy_also_copy_files\n"
            "os.makedirs('mutants', exist_ok=True)\n"
            "copy_src_dir(); copy_also_copy_files(); create_mutants(2)\n")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def exit_codes(module: str) -> dict[str, int | None]:
    data = json.loads((ROOT / "mutants" / META[module]).read_text(encoding="utf-8"))
    return {k: v for k, v in data["exit_code_by_key"].items()
            if any(fnmatch.fnmatchcase(k, p) for p in MODULES[module])}


def diff_line(name: str) -> str:
    out = subprocess.run([sys.executable, "-m", "mutmut", "show", name], cwd=ROOT, env=_env(),
                         capture_output=True, text=True).stdout
    lines = [ln for ln in out.splitlines() if ln[:1] in "-+" and ln[:3] not in ("---", "+++")]
    return " => ".join(" ".join(ln[1:].split()) for ln in lines)[:220]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", type=int, default=60, help="mutants per module (seeded)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--full", action="store_true", help="every mutant of every module")
    ap.add_argument("--module", action="append", choices=list(MODULES),
                    help="only this module (repeatable)")
    ap.add_argument("--max-children", type=int, default=2)
    args = ap.parse_args()
    modules = args.module or list(MODULES)

    shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    t0 = time.perf_counter()
    generate()
    chosen: dict[str, list[str]] = {}
    for mod in modules:
        names = sorted(exit_codes(mod))
        if not args.full and len(names) > args.sample:
            names = sorted(random.Random(f"{args.seed}:{mod}").sample(names, args.sample))
        chosen[mod] = names
    every = [n for names in chosen.values() for n in names]
    log = ROOT / "mutants" / "mutation-run.log"
    with log.open("w", encoding="utf-8") as fh:
        rc = subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children",
                             str(args.max_children), *every], cwd=ROOT, env=_env(),
                            stdout=fh, stderr=subprocess.STDOUT).returncode
    if rc != 0:
        sys.exit(f"mutmut run failed (exit {rc}); see {log}")
    seconds = time.perf_counter() - t0

    how = "every mutant" if args.full else f"random sample of {args.sample} per module, seed {args.seed}"
    print(f"mutation score (mutmut 3.8, {how}; fast tests of [tool.mutmut]; {seconds:.0f} s)")
    print(f"{'module':42s} {'killed / tried':>15s} {'score':>6s}  (of which timeouts; no tests)")
    survivors = []
    for mod in modules:
        codes = exit_codes(mod)
        got = [codes[n] for n in chosen[mod]]
        killed = sum(c in KILLED for c in got)
        timeouts = sum(c in TIMEOUT for c in got)
        no_tests = sum(c in NO_TESTS for c in got)
        tried = len(got)
        score = (killed + timeouts) / tried if tried else float("nan")
        print(f"{mod:42s} {killed + timeouts:>6d} / {tried:<6d} {score:>6.0%}  "
              f"({timeouts}; {no_tests})")
        survivors += [(n, c) for n, c in zip(chosen[mod], got, strict=True)
                      if c not in KILLED | TIMEOUT]
    if survivors:
        print(f"\nnot killed ({len(survivors)}):")
        for name, code in survivors:
            tag = "survived" if code in SURVIVED else ("no tests" if code in NO_TESTS
                                                      else f"exit {code}")
            print(f"  {name} [{tag}]: {diff_line(name)}")


if __name__ == "__main__":
    main()
