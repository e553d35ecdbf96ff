"""Mutation score of the modules that decide (issue 15), per module, with mutmut 3.8.

Modules: ``abm/advice.py``, ``abm/model.py``, ``forecast/hosts.py``,
``forecast/scenarios.py`` (every function), ``forecast/host_model.py`` (its
decision functions: Mondrian bins, conformal draws, quantiles, surge multipliers,
the monthly split, the model/persistence combination weights and where predictions
apply them; not the booster fit) and ``forecast/backtest.py`` (its metric
functions only: interval hits, CRPS, pinball, the seasonal-naive scale, the skill
tables and the skill weights; the rolling-origin loop itself is exercised by the
slow backtest tests, left out here). The last measured table is in docs/testing.md. The mutmut
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
import ast
import difflib
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
    "forecast/hosts.py": ("forecast.hosts.*",),
    "forecast/host_model.py (decision functions)": tuple(
        f"forecast.host_model.{f}__mutmut_*" for f in (
            "x__bin", "x__draw_resid", "x_quantiles_of", "x__per_year", "x_predict_annual",
            "x_surge_multipliers", "x_apply_surge", "x_observed_profile",
            "x__largest_remainder", "x_monthly_split",
            "x__combine", "x_combination_weights", "x_combination_weights_k",
            "x_point_forecast_pairs")),
    "forecast/backtest.py (metric functions)": tuple(
        f"forecast.backtest.{f}__mutmut_*" for f in (
            "x__hits", "x_performance_metrics", "x__relative", "x_crps_samples", "x_pinball",
            "x__snaive_scale", "x_skill_weights",
            "xǁBacktestResultǁtable", "xǁBacktestResultǁsummary")),
    "forecast/scenarios.py": ("forecast.scenarios.*",),
}
META = {"abm/advice.py": "abm/advice.py.meta", "abm/model.py": "abm/model.py.meta",
        "forecast/hosts.py": "forecast/hosts.py.meta",
        "forecast/host_model.py (decision functions)": "forecast/host_model.py.meta",
        "forecast/backtest.py (metric functions)": "forecast/backtest.py.meta",
        "forecast/scenarios.py": "forecast/scenarios.py.meta"}
KILLED = {1, 3}  # tests failed / pytest internal error
TIMEOUT = {36, 24, -24, 152, 255}
SURVIVED = {0}
NO_TESTS = {5, 33}

#: Equivalent mutants, argued one by one: (function, text of the original line, text of
#: the mutated line, why no test can tell them apart). Matched on the code, not on
#: mutmut's numbering, so the list survives edits elsewhere. They still count as
#: survivors in the raw score; the table also gives the score without them.
_ZERO_DAYS = ("with n = 0 days, np.add.reduceat of an empty array at no indices is empty "
              "too: the guard only saves a call")
_LEXSORT = ("pandas ignores kind when sorting on several columns (lexsort), and the last key, "
            "pos, is unique: the order is total either way")
_LATE_KEY = ("the late key is NA only on rows not late, and rows of one status are all late or "
             "all not: a constant within each status whatever fills it; order_by breaks the tie")
_LEXSORT_MONTHS = ("pandas ignores kind when sorting on several columns (lexsort), and "
                   "(series_id, path, ds) is unique per row: the order is total either way")
_WHOLE_DAYS = ("day numbers are whole; every use converts them with int() "
               "(FacilityRow.available_day in CapacityTemplate.build)")
_MONTH_DAYS = ("days_in_month is int32: the same day counts and sums (n_days = int(sum); "
               "draw_households reads them with tolist())")
_SAME_FRAME = "the zipped sequences are built from the same frame: equal lengths"
EQUIVALENT: tuple[tuple[str, str, str, str], ...] = (
    # abm/advice.py
    ("x_advise", "to_numpy(float)", "to_numpy(None)",
     "demand and capacity are float64 columns: the same float array"),
    ("x_advise", "lt.notna().any() else None", "or True",
     "an all-NA lead time then gives nan: order_by = needed_by - NaT = NaT, as with None"),
    ("x_advise", "'the start'", "",
     "unreachable: added > 0 means more than risk x n runs fall short, so needed_by is set"),
    ("x_advise", 'unit="D"', 'unit="d"', "pandas reads 'd' and 'D' as the same unit (days)"),
    ("x_order_status", 'kind="mergesort"', "kind=None", _LEXSORT),
    ("x_order_status", 'kind="mergesort"', 'kind="XXmergesortXX"', _LEXSORT),
    ("x_order_status", 'kind="mergesort"', 'kind="MERGESORT"', _LEXSORT),
    ("x_order_status", 'kind="mergesort"', '"pos"], na_position="last").index', _LEXSORT),
    ("x_order_status", 'na_position="last").index', ").index",
     "na_position='last' is the pandas default"),
    ("x_order_status", ".fillna(0).astype(float)", ".fillna(0).astype(None)",
     "astype(None) is float64 in pandas"),
    ("x_order_status", ".fillna(0)", ".fillna(None)", _LATE_KEY),
    ("x_order_status", ".fillna(0)", ".fillna(1)", _LATE_KEY),
    # abm/model.py
    ("xǁCapacityModelǁ__init__", 'kind="stable"', "",
     "the departure loop takes every household with exit_day <= snap: order among ties is moot"),
    ("xǁCapacityModelǁ__init__", "self.n_steps > 0", "self.n_steps > 1",
     "n_steps is 0 (empty horizon) or >= 4 (a month has >= 28 days; steps of 1 or 7 days)"),
    ("x__day_index", "to_numpy(dtype=float, na_value=0.0)", "to_numpy(dtype=None, na_value=0.0)",
     _WHOLE_DAYS),
    ("x__day_index", "to_numpy(dtype=float, na_value=0.0)", "to_numpy(na_value=0.0)",
     _WHOLE_DAYS),
    ("x__day_index", "np.zeros(len(dates), dtype=np.int64)", "dtype=None)", _WHOLE_DAYS),
    ("x__day_index", "np.zeros(len(dates), dtype=np.int64)", "np.zeros(len(dates), )",
     _WHOLE_DAYS),
    ("x__day_index", "astype(np.int64)", "astype(None)", _WHOLE_DAYS),
    ("xǁCapacityTemplateǁbuild", "days_in_month, dtype=np.int64", "days_in_month, dtype=None",
     _MONTH_DAYS),
    ("xǁCapacityTemplateǁbuild", "days_in_month, dtype=np.int64", "days_in_month, )",
     _MONTH_DAYS),
    ("xǁCapacityTemplateǁbuild", "strict=True", "strict=False", _SAME_FRAME),
    ("xǁCapacityTemplateǁbuild", "strict=True", "strict=None", _SAME_FRAME),
    ("xǁCapacityTemplateǁbuild", "fac_days, strict=True", "fac_days, )", _SAME_FRAME),
    ("xǁCapacityTemplateǁbuild", "strict=True)):", ")):", _SAME_FRAME),
    ("xǁCapacityTemplateǁbuild", "itertuples(index=False)", "itertuples(index=",
     "fields are read by name; the index field is never read"),
    ("xǁCapacityTemplateǁbuild", 'astype(float), unit="D"', 'astype(None), unit="D"',
     "lead_time_days is numeric (checked) and 'd' is 'D' in pandas"),
    ("xǁCapacityTemplateǁbuild", 'astype(float), unit="D"', 'astype(float), unit="d"',
     "lead_time_days is numeric (checked) and 'd' is 'D' in pandas"),
    ("xǁCapacityTemplateǁbuild", "np.zeros(n_days + 1)", "np.zeros(n_days + 2)",
     "the cumulative sum is cut to n_days: the extra cell is never read"),
    ("xǁCapacityTemplateǁbuild", "available_day < n_days", "available_day <= n_days",
     "a facility opening on day n_days writes the cell that is cut off"),
    ("xǁCapacityModelǁ_admitted_present", "if b - p <= _SCAN_WINDOW", "if b + p <= _SCAN_WINDOW",
     "it only picks the plain loop or the array branch, which add the same whole persons to "
     "the same total, gone and exit-day cells (exact sums): the same bookkeeping either way"),
    ("xǁCapacityModelǁ_sheltered_prefix", "cs[-1] > room", "cs[+1] > room",
     "cs is non-decreasing and, short of j == n, a whole window (>= 64 cells): stopping on "
     "cs[1] > room stops only where cs[-1] > room does, else the window grows to n and the "
     "search over the longer cs finds the same prefix (only slower)"),
    ("xǁCapacityModelǁ_daily_population", "minlength=n + 1)[: n + 1]", "",
     "days are <= n, so bincount has exactly n + 1 cells either way"),
    ("xǁCapacityModelǁ_daily_population", "astype(float)", "astype(None)",
     "astype(None) is float64 in numpy"),
    ("xǁCapacityModelǁ_daily_population", "ex_in = hh.exit_day < n", "<= n",
     "exits on day n fall in the bincount cell that is cut off"),
    ("xǁCapacityModelǁ_daily_population", "if n else np.zeros(0)", "(n) or True", _ZERO_DAYS),
    ("xǁCapacityModelǁ_daily_population", "side=\"left\"", "", "side='left' is the default"),
    ("xǁCapacityModelǁstep", "if present <= cap:", "present < cap",
     "at present == cap the prefix scan admits everybody too: same sheltered and blocked"),
    ("xǁCapacityModelǁ_update_household_agents", "range(blocked_before, self._blocked)", "",
     "households before blocked_before are sheltered or left, never waiting"),
    ("xǁCapacityModelǁ_update_household_agents", 'status == "waiting" and', "",
     "departures run first: a waiting household has exit_day > snap, a left one not"),
    # forecast/backtest.py
    ("x__relative", "tab.merge(ref, on=by,", "",
     "ref holds only the by columns besides _mae/_crps: merge keys are the same"),
    ("x_performance_metrics", "groupby(list(by), sort=True)", "",
     "sort=True is the pandas default"),
    ("x_skill_weights", "1.0 / s.loc", "", "the weights are normalised: the constant cancels"),
    # forecast/hosts.py
    ("x_disaggregate_history", "astype(float)", "astype(None)",
     "pandas reads astype(None) as float64: the same float series"),
    ("x_estimate_shares", "to_numpy(dtype=float)", "to_numpy(dtype=None)",
     "arrivals and movement are float64 already (annual_arrivals, annual_movement)"),
    ("x_estimate_shares", "if n > 1 and", "if n >= 1 and",
     "with one year the ratio is the mean: sd = 0 x 1/0 = NaN, the same 'no sd' (a warning)"),
    ("x_estimate_shares", "if n > 1 and sv.sum() > 0", "sv.sum() >= 0",
     "a zero movement sum gives sd = 0/0 = NaN either way (and the mean is NaN already)"),
    # forecast/host_model.py
    ("x_predict_annual", "zip(rows, idx, strict=True)", "zip(rows, idx, )",
     "rows and idx both come from _pairs, one entry per host: the same length"),
    ("x_predict_annual", "np.asarray(rows, dtype=object)", "np.asarray(rows, dtype=None)",
     "the host column is cast with astype(str) after: the same host codes"),
    ("x_combination_weights", "astype(int)", "astype(None)",
     "border classes as floats 0.0/1.0 equal the ints 0/1: the same groups, lookups and masks"),
    ("x_combination_weights", "continue", "break",
     "in the per-origin loop: loc's border classes come from the same rows as glob's, so the "
     "skip is never taken (in the per-class loop this mutant is killed by the pins)"),
    ("x_combination_weights_k", "astype(int)", "astype(None)",
     "border classes as floats 0.0/1.0 equal the ints 0/1: the same groups, lookups and masks"),
    ("x_combination_weights_k", "inv = 1.0 / np.maximum", "inv = 2.0 / np.maximum",
     "the weights are divided by their row sum: a common factor cancels (tot > 0 unchanged)"),
    ("x_combination_weights_k", "np.where(tot > 0, tot, 1.0)", "np.where(tot >= 0, tot, 1.0)",
     "rows with tot == 0 get the even weights from the outer where: the same weights"),
    ("x_combination_weights_k", "np.where(tot > 0, tot, 1.0)", "np.where(tot > 0, tot, 2.0)",
     "rows with tot == 0 get the even weights from the outer where: the same weights"),
    ("x_monthly_split", 'kind="mergesort"', 'kind="XXmergesortXX"', _LEXSORT_MONTHS),
    ("x_monthly_split", 'kind="mergesort"', 'kind="MERGESORT"', _LEXSORT_MONTHS),
    ("x_monthly_split", 'kind="mergesort"', 'kind=None', _LEXSORT_MONTHS),
    ("x_monthly_split", 'kind="mergesort"', '"ds"], ).reset_index', _LEXSORT_MONTHS),
    ("x_point_forecast_pairs", "np.asarray(idx, dtype=int)", "np.asarray(idx, dtype=None)",
     "idx holds panel row numbers (ints from _pairs or Panel.index): an int array either way"),
    ("x_point_forecast_pairs", "np.asarray(idx, dtype=int)", "np.asarray(idx, )",
     "idx holds panel row numbers (ints from _pairs or Panel.index): an int array either way"),
    ("x_point_forecast_pairs", "features_at(sub, j, h,", "features_at(sub, j, None,",
     "features_at reads h only when fut_fat is not given, and here it always is"),
    ("x_point_forecast_pairs", "features_at(sub, j, h,", "features_at(sub, j, fut_fat=",
     "features_at reads h only when fut_fat is not given, and here it always is"),
    ("x_observed_profile", "return w / w.sum()", "return w * w.sum()",
     "only years with all 12 months are kept, each summing to 1: the month means sum to 1"),
    # forecast/backtest.py (metric functions)
    ("x__snaive_scale", 'float("nan")', 'float("NAN")', "float('NAN') is NaN too"),
    ("x_crps_samples", "np.asarray(samples, dtype=float)", "np.asarray(samples, )",
     "scoringrules casts integer samples to float itself: the same CRPS"),
    # forecast/scenarios.py
    ("xǁScenarioǁ__post_init__", '_validate(self, "scenario")', "",
     "_validate never uses its where argument"),
    ("x__validate", 'if total > BOUNDS["host_share"].high + 1e-9', 'if total >= BOUNDS',
     "differs only at a sum of exactly 1 + 1e-9, the rounding tolerance's own edge; at the "
     "bound itself (1) both accept"),
    ("xǁScenarioǁto_json", "sort_keys=False", "", "sort_keys defaults to False"),
    ("x_read_json", 'encoding="utf-8-sig"', 'encoding="UTF-8-SIG"',
     "codec names are case-insensitive: the same codec"),
    ("x_read_json", 'encoding="utf-8-sig"', "encoding=None",
     "UTF-8 locale here, and parse_json strips a leading byte-order mark itself"),
    ("xǁScenarioǁfrom_dict", 'raise ScenarioError(f"{source}: {exc}") from None', "",
     "unreachable when it is the TypeError branch: keys are checked, values raise ScenarioError"),
    ("xǁScenarioǁread", 'encoding="utf-8"', "",
     "Python's default text encoding is UTF-8 here (UTF-8 locale); 'UTF-8' is the same codec"),
    ("xǁScenarioǁwrite", 'encoding="utf-8"', "",
     "Python's default text encoding is UTF-8 here (UTF-8 locale); 'UTF-8' is the same codec"),
    ("xǁScenarioǁfuture_drivers", "fut = pd.DataFrame(index=idx, columns=obs.columns, dtype=float)",
     "", "every column is then assigned whole, in obs order, as floats"),
)


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


def _functions(module: str) -> dict[str, str]:
    """Source of every function in the mutated copy of ``module``, by name."""
    path = ROOT / "mutants" / META[module].removesuffix(".meta")
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    tree = ast.parse(text)  # mutants are top-level functions or methods: two levels suffice
    nodes = [n for top in tree.body
             for n in ([top, *top.body] if isinstance(top, ast.ClassDef) else [top])]
    return {n.name: "\n".join(lines[n.lineno - 1: n.end_lineno]) for n in nodes
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


def diff(module: str, name: str, funcs: dict[str, str]) -> tuple[str, str]:
    """(original lines, mutated lines) of mutant ``name``, whitespace-normalised."""
    short = name.rpartition(".")[2]
    base = short.partition("__mutmut_")[0]
    orig = funcs[base + "__mutmut_orig"].replace(base + "__mutmut_orig", "f", 1).splitlines()
    mut = funcs[short].replace(short, "f", 1).splitlines()
    minus, plus = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, orig, mut, False).get_opcodes():
        if op != "equal":
            minus += [" ".join(x.split()) for x in orig[i1:i2]]
            plus += [" ".join(x.split()) for x in mut[j1:j2]]
    return " / ".join(minus), " / ".join(plus)


def equivalent(name: str, orig: str, mut: str) -> str | None:
    """The argued reason if the mutant is a listed equivalent mutant (see EQUIVALENT)."""
    for func, before, after, why in EQUIVALENT:
        if f".{func}__mutmut_" in name and before in orig and after in mut:
            return why
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", type=int, default=60, help="mutants per module (seeded)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--full", action="store_true", help="every mutant of every module")
    ap.add_argument("--module", action="append", choices=list(MODULES),
                    help="only this module (repeatable)")
    ap.add_argument("--function", action="append", metavar="NAME",
                    help="only the mutants of this function or method (repeatable; e.g. "
                         "order_status, combination_weights, _validate)")
    ap.add_argument("--max-children", type=int, default=2)
    ap.add_argument("--report-only", action="store_true",
                    help="report the results already in ./mutants (same options), run nothing")
    ap.add_argument("--keep", action="store_true",
                    help="reuse ./mutants: mutmut re-mutates only changed source files")
    ap.add_argument("--only-open", action="store_true",
                    help="with --keep: rerun only the sampled mutants not yet killed (after "
                         "tests were added; a killed mutant stays killed while its source and "
                         "the tests that killed it are unchanged)")
    args = ap.parse_args()
    modules = args.module or list(MODULES)

    t0 = time.perf_counter()
    if not args.report_only and not args.keep:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
        generate()
    chosen: dict[str, list[str]] = {}
    for mod in modules:
        names = sorted(exit_codes(mod))
        if args.function:
            names = [n for n in names if any(f".x_{f}__mutmut_" in n or f"ǁ{f}__mutmut_" in n
                                             for f in args.function)]
        if not args.full and len(names) > args.sample:
            names = sorted(random.Random(f"{args.seed}:{mod}").sample(names, args.sample))
        chosen[mod] = names
    if not args.report_only:
        every = [n for names in chosen.values() for n in names]
        if args.keep and args.only_open:
            codes = {k: v for mod in modules for k, v in exit_codes(mod).items()}
            every = [n for n in every if codes.get(n) not in KILLED | TIMEOUT]
            print(f"rerunning {len(every)} sampled mutants not yet killed", flush=True)
        log = ROOT / "mutants" / "mutation-run.log"
        with log.open("w", encoding="utf-8") as fh:
            rc = subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children",
                                 str(args.max_children), *every], cwd=ROOT, env=_env(),
                                stdout=fh, stderr=subprocess.STDOUT).returncode
        if rc != 0:
            sys.exit(f"mutmut run failed (exit {rc}); see {log}")
    seconds = time.perf_counter() - t0

    how = "every mutant" if args.full else f"random sample of {args.sample} per module, seed {args.seed}"
    if args.function:
        how += " of " + ", ".join(args.function)
    print(f"mutation score (mutmut 3.8, {how}; the fast tests of [tool.mutmut]"
          + ("" if args.report_only else f"; {seconds:.0f} s") + ")")
    print("killed = tests fail or time out on the mutant; equivalent = argued in EQUIVALENT")
    print(f"{'module':40s} {'killed / tried':>15s} {'score':>6s}  {'equivalent':>10s}  "
          f"{'score without equivalents':>25s}")
    open_survivors, equivalents = [], []
    for mod in modules:
        codes = exit_codes(mod)
        funcs = _functions(mod)
        got = [codes[n] for n in chosen[mod]]
        killed = sum(c in KILLED | TIMEOUT for c in got)
        n_equiv = 0
        for n, c in zip(chosen[mod], got, strict=True):
            if c in KILLED | TIMEOUT:
                continue
            orig, mut = diff(mod, n, funcs)
            tag = ("survived" if c in SURVIVED else "no tests" if c in NO_TESTS
                   else "not run" if c is None else f"exit {c}")
            why = equivalent(n, orig, mut) if c in SURVIVED else None
            if why:
                n_equiv += 1
                equivalents.append((n, orig, mut, why))
            else:
                open_survivors.append((n, tag, orig, mut))
        tried = len(got)
        score = killed / tried if tried else float("nan")
        rest = killed / (tried - n_equiv) if tried > n_equiv else float("nan")
        print(f"{mod:40s} {killed:>6d} / {tried:<6d} {score:>6.1%}  {n_equiv:>10d}  "
              f"{killed:>11d} / {tried - n_equiv:<6d} {rest:>6.1%}")
    print(f"\nnot killed and not argued equivalent ({len(open_survivors)}):")
    for name, tag, orig, mut in open_survivors:
        print(f"  {name} [{tag}]: {orig[:100]}  =>  {mut[:100]}")
    print(f"\nequivalent mutants ({len(equivalents)}):")
    for name, orig, mut, why in equivalents:
        print(f"  {name}: {orig[:70]}  =>  {mut[:70]}  -- {why}")


if __name__ == "__main__":
    main()
