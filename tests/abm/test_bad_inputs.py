"""Generated bad inputs through every abm entry point (issue 11).

For each case: a project error (never another exception), one short line naming
the file or the argument, exit code 2 and the ``abm: error:`` prefix for the
command lines, no traceback, and no file changed on disk. ``CASES`` counts the
cases per entry point (printed by ``pytest -s``; the counts are in the report).
"""

from __future__ import annotations

import hashlib
import math
import shutil
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from abm import ABMConfig, advise, monte_carlo, read_arrivals, read_facilities, read_plans
from abm.cli import app
from abm.errors import MAX_MESSAGE_CHARS, ABMError

DATA = Path(__file__).parent / "data"
FLEE = Path(__file__).parents[1] / "data" / "flee" / "tiny"
SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
CASES: Counter = Counter()
runner = CliRunner()
HUGE = "9" * 200_000  # over csv.field_size_limit (131,072 characters)


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file()
                                         else "dir") for p in sorted(folder.rglob("*"))}


def _one_line(msg: str, name: str) -> None:
    assert "\n" not in msg.strip() and "Traceback" not in msg, msg
    assert len(msg) <= MAX_MESSAGE_CHARS + 40, len(msg)
    assert name in msg, (name, msg)


def _refused(fn, name: str, entry: str) -> None:
    CASES[entry] += 1
    with pytest.raises(ABMError) as info:
        fn()
    _one_line(str(info.value), name)


def _cli(args: list[str], name: str, folder: Path, entry: str) -> None:
    CASES[entry] += 1
    before = _digest(folder)
    res = runner.invoke(app, args)
    assert res.exit_code == 2, (args, res.exit_code, res.output[-500:])
    err = res.stderr.strip()
    assert err.startswith("abm: error: ") and err.count("\n") == 0, err[:500]
    _one_line(err, name)
    assert _digest(folder) == before, "a refused command changed files on disk"


# --------------------------------------------------------------------------- file corruptions
FAC_HEADER = "facility_id,facility_type,quantity,quantity_unit,opens,lead_time_days\n"
FACILITIES_BAD = {
    "empty": b"",
    "header only": FAC_HEADER.encode(),
    "renamed opens": b"facility_id,facility_type,quantity,quantity_unit,open\na,shelter,3,persons,2025-01-01\n",
    "missing column": b"facility_id,facility_type,quantity\na,shelter,3\n",
    "blank id": (FAC_HEADER + ",shelter,3,persons,,\n").encode(),
    "latin-1": (FAC_HEADER + "caf\xe9,shelter,3,persons,,\n").encode("latin-1"),
    "ragged": (FAC_HEADER + "a,shelter,3,persons,,,9\n").encode(),
    "huge field": (FAC_HEADER + f"a,shelter,{HUGE},persons,,\n").encode(),
    "text quantity": (FAC_HEADER + "a,shelter,many,persons,,\n").encode(),
    "quantity 1e12": (FAC_HEADER + "a,shelter,1e12,persons,,\n").encode(),
    "quantity inf": (FAC_HEADER + "a,shelter,inf,persons,,\n").encode(),
    "quantity nan": (FAC_HEADER + "a,shelter,nan,persons,,\n").encode(),
    "lead time inf": (FAC_HEADER + "a,shelter,3,persons,,inf\n").encode(),
    "lead time 1e12": (FAC_HEADER + "a,shelter,3,persons,,1e12\n").encode(),
    "lead time nan": (FAC_HEADER + "a,shelter,3,persons,,nan\n").encode(),
    "opens 2262": (FAC_HEADER + "a,shelter,3,persons,2262-05-01,\n").encode(),
    "opens 99999": (FAC_HEADER + "a,shelter,3,persons,99999-01-01,\n").encode(),
    "NUL byte": (FAC_HEADER + "a,shelter,3\x00,persons,,\n").encode(),
    "duplicate header": b"facility_id,facility_id,facility_type,quantity,quantity_unit\na,b,shelter,3,persons\n",
}
PLAN_HEADER = "facility_type,quantity,quantity_unit,ordered,lead_time_days\n"
PLANS_BAD = {
    "unknown column": b"facility_type,quantity,quantity_unit,ordered,leadtime\nshelter,3,persons,2025-01-01,4\n",
    "ordered 2262": (PLAN_HEADER + "shelter,3,persons,2262-01-01,1\n").encode(),
    "ordered missing": (PLAN_HEADER + "shelter,3,persons,,1\n").encode(),
    "quantity 1e300": (PLAN_HEADER + "shelter,1e300,persons,2025-01-01,1\n").encode(),
    "lead time inf": (PLAN_HEADER + "shelter,3,persons,2025-01-01,inf\n").encode(),
    "latin-1": (PLAN_HEADER + "shelter,3,persons,2025-01-01,1\n# caf\xe9\n").encode("latin-1"),
    "huge field": (PLAN_HEADER + f"shelter,3,persons,2025-01-01,{HUGE}\n").encode(),
    "ragged": (PLAN_HEADER + "shelter,3,persons\n").encode(),
}
ARR = "ds,arrivals\n"
ARRIVALS_BAD = {
    "empty": b"",
    "header only": ARR.encode(),
    "1e12": (ARR + "2025-01-01,1e12\n").encode(),
    "1e300": (ARR + "2025-01-01,1e300\n").encode(),
    "inf": (ARR + "2025-01-01,inf\n").encode(),
    "nan text": (ARR + "2025-01-01,nan\n").encode(),
    "negative": (ARR + "2025-01-01,-1\n").encode(),
    "year 2262": (ARR + "2262-05-01,1\n").encode(),
    "year 1066": (ARR + "1066-01-01,1\n").encode(),
    "not a date": (ARR + "soon,1\n").encode(),
    "unknown column": b"ds,arrivals,host\n2025-01-01,1,TJK\n",
    "latin-1": (ARR + "2025-01-01,1\ncaf\xe9,2\n").encode("latin-1"),
    "ragged": (ARR + "2025-01-01,1,2\n").encode(),
    "huge field": (ARR + f"2025-01-01,{HUGE}\n").encode(),
    "text in a number": (ARR + "2025-01-01,twelve\n").encode(),
    "1201 months": (ARR + "".join(f"{d.date()},1\n" for d in pd.date_range(
        "1950-01-01", periods=1201, freq="MS"))).encode(),
    "path -1": b"ds,path,arrivals\n2025-01-01,-1,1\n",
    "path 1e300": b"ds,path,arrivals\n2025-01-01,1e300,1\n",
    "forecast, unknown column": b"series_id,ds,model,scenario,path,value,extra\nKAZ,2025-01-01,m,s,0,1,x\n",
}


def _write(folder: Path, name: str, data: bytes) -> Path:
    p = folder / name
    p.write_bytes(data)
    return p


@pytest.mark.parametrize("case", sorted(FACILITIES_BAD))
def test_read_facilities_refuses(tmp_path, case):
    p = _write(tmp_path, "fac.csv", FACILITIES_BAD[case])
    before = _digest(tmp_path)
    _refused(lambda: read_facilities(p), "fac.csv", "read_facilities")
    assert _digest(tmp_path) == before


@pytest.mark.parametrize("case", sorted(PLANS_BAD))
def test_read_plans_refuses(tmp_path, case):
    p = _write(tmp_path, "plan.csv", PLANS_BAD[case])
    _refused(lambda: read_plans(p), "plan.csv", "read_plans")


@pytest.mark.parametrize("case", sorted(ARRIVALS_BAD))
def test_read_arrivals_refuses(tmp_path, case):
    p = _write(tmp_path, "arr.csv", ARRIVALS_BAD[case])
    _refused(lambda: read_arrivals(p), "arr.csv", "read_arrivals")


def test_errors_name_file_lines_and_stay_short(tmp_path):
    p = _write(tmp_path, "arr.csv", (ARR + "2025-01-01,1\n\n2025-02-01,-3\n").encode())
    with pytest.raises(ABMError, match=r"first bad lines: 4"):  # header = line 1, blank line 3
        read_arrivals(p)
    p = _write(tmp_path, "fac.csv", (FAC_HEADER + f"a,hotel{'x' * 5_000_000},3,persons,,\n").encode())
    with pytest.raises(ABMError) as info:
        read_facilities(p)
    assert len(str(info.value)) < 1000


cells = st.one_of(st.text(max_size=12), st.sampled_from(
    ["inf", "-inf", "nan", "1e300", "-1", "0", "1e12", "2262-01-01", "1.5", "", "\"", "=1+1", "\x00"]))


@SETTINGS
@given(rows=st.lists(st.tuples(cells, cells), min_size=0, max_size=4))
def test_read_arrivals_fuzz_never_crashes(tmp_path, rows):
    """Any table of text cells: accepted with every bound held, or one project error line."""
    CASES["read_arrivals"] += 1
    text = ARR + "".join(f"{a.replace(',', ' ')},{b.replace(',', ' ')}\n" for a, b in rows)
    p = tmp_path / "fuzz.csv"
    p.write_bytes(text.encode("utf-8", "surrogatepass") if text.isprintable() else text.encode("utf-8", "replace"))
    try:
        arr = read_arrivals(p)
    except ABMError as err:
        _one_line(str(err), "fuzz.csv")
        return
    assert ((arr.values >= 0) & (arr.values <= 10_000_000)).all()


@SETTINGS
@given(quantity=cells, lead=cells, opens=cells, unit=st.sampled_from(["persons", "m2", "x"]))
def test_read_facilities_fuzz_never_crashes(tmp_path, quantity, lead, opens, unit):
    CASES["read_facilities"] += 1
    row = ",".join(c.replace(",", " ").replace("\n", " ").replace("\r", " ")
                   for c in ("a", "shelter", quantity, unit, opens, lead))
    p = tmp_path / "fuzz_fac.csv"
    p.write_text(FAC_HEADER + row + "\n", encoding="utf-8", errors="replace")
    try:
        fac = read_facilities(p)
    except ABMError as err:
        _one_line(str(err), "fuzz_fac.csv")
        return
    assert (fac["quantity"] > 0).all() and math.isfinite(fac["quantity"].iloc[0])


# --------------------------------------------------------------------------- Python API arguments
def _fac():
    return read_facilities(DATA / "facilities_small.csv")


ONE = pd.DataFrame({"ds": ["2025-01-01"], "arrivals": [50.0]})
MC_BAD = {
    "n_runs 0": {"n_runs": 0}, "n_runs -5": {"n_runs": -5}, "n_runs 1e6": {"n_runs": 1_000_000},
    "n_runs 2.5": {"n_runs": 2.5}, "n_runs True": {"n_runs": True}, "seed -1": {"seed": -1},
    "seed 2**64": {"seed": 2**64}, "seed 1.5": {"seed": 1.5}, "seed text": {"seed": "0"},
}


@pytest.mark.parametrize("case", sorted(MC_BAD))
def test_monte_carlo_args_refused(case):
    kwargs = {"n_runs": 2, "seed": 0, **MC_BAD[case]}
    name = next(iter(MC_BAD[case]))
    _refused(lambda: monte_carlo(ONE, _fac(), ABMConfig(step_days=7), **kwargs), name, "monte_carlo")


@pytest.fixture(scope="module")
def small_mc():
    return monte_carlo(ONE, read_facilities(DATA / "facilities_small.csv"), ABMConfig(step_days=7),
                       n_runs=3, seed=0)


@pytest.mark.parametrize("kwargs, name", [
    ({"risk": 1.0}, "risk"), ({"risk": -0.1}, "risk"), ({"risk": math.nan}, "risk"),
    ({"risk": math.inf}, "risk"), ({"risk": "0.1"}, "risk"),
    ({"lead_times": {"shelter": math.inf}}, "lead_time"), ({"lead_times": {"shelter": 1e12}}, "lead_time"),
    ({"lead_times": {"shelter": math.nan}}, "lead_time"), ({"lead_times": {"shelter": -1}}, "lead_time"),
    ({"lead_times": {"hotel": 3}}, "hotel"),
])
def test_advise_args_refused(small_mc, kwargs, name):
    _refused(lambda: advise(small_mc, **kwargs), name, "advise")


BAD_VALUES = [math.inf, -math.inf, math.nan, 1e300, -1.0, 0.0, "x", True, None, [], {}, 1e12]
FIELDS = ["step_days", "m2_per_person", "pupils_per_class", "school_shifts",
          "consultations_per_clinician_day", "clinic_days_per_week", "visits_per_person_year",
          "pregnancy_days", "household_size_mean", "mean_stay_days", "stay_cv",
          "pregnant_share_of_population", "exit_shares", "stay_distribution"]


VALID = {("visits_per_person_year", 0.0), ("pregnant_share_of_population", 0.0)}


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("value", BAD_VALUES, ids=repr)
def test_config_from_dict_refuses(field, value):
    """Every field x every bad value (exhaustive: 14 x 12, less the 2 valid pairs)."""
    if isinstance(value, float) and (field, value) in VALID:
        return  # zero visits, no pregnancies: valid (if odd) values
    CASES["ABMConfig.from_dict"] += 1
    try:
        ABMConfig.from_dict({field: value}, source="cfg.json")
    except ABMError as err:
        _one_line(str(err), "cfg.json")
        return
    pytest.fail(f"{field}={value!r} accepted")


def test_config_step_days_7_0_is_7(tmp_path):
    CASES["ABMConfig.from_dict"] += 1
    assert ABMConfig.from_dict({"step_days": 7.0}).step_days == 7
    _refused(lambda: ABMConfig.from_dict({"step_days": 7.5}, source="cfg.json"), "cfg.json",
             "ABMConfig.from_dict")


# --------------------------------------------------------------------------- the abm command line
@pytest.fixture
def workdir(tmp_path):
    shutil.copy(DATA / "arrivals_paths.csv", tmp_path / "arr.csv")
    shutil.copy(DATA / "facilities_small.csv", tmp_path / "fac.csv")
    (tmp_path / "exists.txt").write_text("keep me\n")
    return tmp_path


def _cli_cases(w: Path):
    arr, fac = str(w / "arr.csv"), str(w / "fac.csv")
    out = str(w / "out")
    cases = []
    for cmd in ("run", "advise"):
        cases += [
            ([cmd, arr, "--seed", "-1", "-o", out], "--seed"),
            ([cmd, arr, "--seed", str(2**40), "-o", out], "--seed"),
            ([cmd, arr, "--runs", "0", "-o", out], "--runs"),
            ([cmd, arr, "--runs", "1000000", "-o", out], "--runs"),
            ([cmd, arr, "--runs", "abc", "-o", out], "--runs"),
            ([cmd, arr, "-o", str(w / "exists.txt")], "exists.txt"),
            ([cmd, arr, "--step-days", "3", "-o", out], "--step-days"),
            ([cmd, str(w / "missing.csv"), "-o", out], "missing.csv"),
            ([cmd, arr, "-f", str(w / "bad_fac.csv"), "-o", out], "bad_fac.csv"),
            ([cmd, str(w / "bad_arr.csv"), "-o", out], "bad_arr.csv"),
            ([cmd, arr, "-c", str(w / "cfg.json"), "-o", out], "cfg.json"),
            ([cmd, arr, "-p", str(w / "bad_plan.csv"), "-o", out], "bad_plan.csv"),
            ([cmd, arr, "-f", fac, "--host", "TJK", "-o", out], "arr.csv"),
        ]
    cases += [
        (["advise", arr, "--risk", "1", "-o", out], "--risk"),
        (["advise", arr, "--risk", "nan", "-o", out], "--risk"),
        (["advise", arr, "--lead-time", "shelter=inf", "-o", out], "--lead-time"),
        (["advise", arr, "--lead-time", "shelter=1e12", "-o", out], "--lead-time"),
        (["advise", arr, "--lead-time", "hotel=3", "-o", out], "--lead-time"),
        (["sweep", "-s", f"a={arr}", "--seeds", "-1", "-o", out], "--seeds"),
        (["sweep", "-s", f"a={arr}", "--seeds", "x", "-o", out], "--seeds"),
        (["sweep", "-s", f"a={arr}", "-n", "0", "-o", out], "--runs"),
        (["sweep", "-s", f"a={w / 'bad_arr.csv'}", "-o", out], "bad_arr.csv"),
        (["sweep", "-s", f"a={arr}", "--step-days", "2", "-o", out], "--step-days"),
        (["export", str(w / "exists.txt")], "exists.txt"),
        (["run"], "arrivals"),
        (["network", "example", "--arrivals", str(w / "bad_arr.csv")], "bad_arr.csv"),
        (["network", "example", "--arrivals", str(w / "empty.csv")], "empty.csv"),
        (["network", "example", "--arrivals", str(w / "latin1.csv")], "latin1.csv"),
        (["network", "example", "--arrivals", str(w / "ragged.csv")], "ragged.csv"),
        (["network", "example", "--arrivals", str(w / "text.csv")], "text.csv"),
        (["network", "example", "--seed", "-1"], "--seed"),
        (["network", "example", "--out", str(w / "exists.txt")], "exists.txt"),
    ]
    return cases


def _bad_files(w: Path) -> None:
    (w / "bad_fac.csv").write_bytes(FACILITIES_BAD["renamed opens"])
    (w / "bad_arr.csv").write_bytes(ARRIVALS_BAD["1e300"])
    (w / "bad_plan.csv").write_bytes(PLANS_BAD["lead time inf"])
    (w / "cfg.json").write_text('{"step_days": 7.5}')
    (w / "empty.csv").write_bytes(b"")
    (w / "latin1.csv").write_bytes(ARRIVALS_BAD["latin-1"])
    (w / "ragged.csv").write_bytes(ARRIVALS_BAD["ragged"])
    (w / "text.csv").write_bytes(ARRIVALS_BAD["text in a number"])


def test_abm_cli_refuses_in_one_line_and_touches_nothing(workdir):
    _bad_files(workdir)
    for args, name in _cli_cases(workdir):
        _cli(args, name, workdir, "abm CLI")
    assert not (workdir / "out").exists()
    assert (workdir / "exists.txt").read_text() == "keep me\n"


# --------------------------------------------------------------------------- the Flee reader (CLI)
def _flee_copy(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "flee"
    inp = root / "flee_conflict_input" / "burundi"
    val = root / "flee_conflict_validation" / "burundi2015"
    shutil.copytree(FLEE / "input", inp)
    shutil.copytree(FLEE / "validation", val)
    return root, inp


FLEE_BAD = {
    ("input", "routes.csv", "header only"): b"#name1,name2,distance,forced_redirection\n",
    ("input", "routes.csv", "empty"): b"",
    ("input", "routes.csv", "twelve"): b"#name1,name2,distance,forced_redirection\nA,T,50,twelve\n",
    ("input", "routes.csv", "distance inf"): b"#name1,name2,distance,forced_redirection\nA,T,inf,\n",
    ("input", "routes.csv", "huge field"): f"#name1,name2,distance\nA,T,{HUGE}\n".encode(),
    ("input", "locations.csv", "no conflict_date"): (
        b'#name,region,country,latitude,longitude,location_type,population\n'
        b'A,R1,Homeland,0,0,conflict_zone,1000\n'),
    ("input", "locations.csv", "latin-1"): "#name,region\nCaf\xe9,R1,Homeland,0,0,town,,\n".encode("latin-1"),
    ("input", "locations.csv", "empty"): b"",
    ("input", "locations.csv", "population text"): b"#name,r,c,lat,lon,type,cd,pop\nA,R,H,0,0,camp,,lots\n",
    ("input", "conflict_period.csv", "length 1e12"): b"StartDate,2020-01-01\nLength,1000000000000\n",
    ("input", "conflict_period.csv", "start 2262"): b"StartDate,2262-05-01\nLength,20\n",
    ("input", "conflicts.csv", "text"): b"#Day, A, Z\n0, x, 0\n",
    ("input", "closures.csv", "kind"): b"#closure_type,name1,name2,closure_start,closure_end\nwall,A,T,0,1\n",
    ("validation", "data_layout.csv", "escape"): b"total,../../../etc/passwd\n",
    ("validation", "total.csv", "count inf"): b"Date,Refugee_numbers\n2020-01-01,inf\n",
    ("validation", "b.csv", "latin-1"): "2020-01-01,0\n2020-01-06,4\xe90\n".encode("latin-1"),
}


@pytest.mark.parametrize("key", sorted(FLEE_BAD), ids=lambda k: "-".join(k))
def test_flee_reader_refuses_corrupted_copies(tmp_path, key):
    where, name, _case = key
    root, inp = _flee_copy(tmp_path)
    target = (inp if where == "input" else root / "flee_conflict_validation" / "burundi2015") / name
    target.write_bytes(FLEE_BAD[key])
    _cli(["network", "score", "burundi", "--flee-dir", str(root), "--seeds", "1"], name, tmp_path,
         "abm network score (Flee reader)")


def test_flee_score_out_existing_refused_before_the_run(tmp_path):
    root, _ = _flee_copy(tmp_path)
    (tmp_path / "out.csv").write_text("keep\n")
    _cli(["network", "score", "burundi", "--flee-dir", str(root), "--seeds", "1", "--out",
          str(tmp_path / "out.csv")], "out.csv", tmp_path, "abm network score (Flee reader)")


def test_zz_report_counts():
    """Prints the cases per entry point (run with -s); xdist may split them over workers."""
    print("\nbad-input cases per entry point:", dict(CASES))
