"""Generated bad inputs through every forecast-side entry point (issue 11).

Entry points: the ``forecast`` command line (run, backtest, export, scenarios), the
``planner`` command line (plan, template), ``forecast.api`` functions, scenario JSON,
the history and drivers CSV readers (``forecast.datasets``, ``forecast.schema``,
the app's ``read_upload``) and plan files (``PlanSpec``). For each case: a project
error (never another exception), one short line naming the file or the argument,
exit code 2 and the ``<prog>: error:`` prefix for the command lines, no traceback,
and no file changed on disk. Nothing is fitted: every refusal comes before a fit.
``CASES`` counts the cases per entry point (printed by ``pytest -s``).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from forecast import api, datasets
from forecast.cli import MAX_MESSAGE_CHARS
from forecast.cli import app as forecast_app
from forecast.errors import ForecastError
from forecast.scenarios import Scenario
from forecast.schema import read_upload
from planner import cli as planner_cli
from planner.pipeline import PlanSpec

SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
CASES: Counter = Counter()
runner = CliRunner()
HUGE = "9" * 200_000  # over csv.field_size_limit (131,072 characters)
MONTHS = pd.date_range("2019-01-01", periods=30, freq="MS")


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file()
                                         else "dir") for p in sorted(folder.rglob("*"))}


def _one_line(msg: str, name: str) -> None:
    assert "\n" not in msg.strip() and "Traceback" not in msg, msg[:500]
    assert len(msg) <= MAX_MESSAGE_CHARS + 100, len(msg)
    assert name in msg, (name, msg[:500])


def _refused(fn, name: str, entry: str) -> None:
    CASES[entry] += 1
    with pytest.raises(ForecastError) as info:
        fn()
    _one_line(str(info.value), name)


def _cli(app, prog: str, args: list[str], name: str, folder: Path, entry: str) -> None:
    CASES[entry] += 1
    before = _digest(folder)
    res = runner.invoke(app, args)
    assert res.exit_code == 2, (args, res.exit_code, res.output[-500:])
    err = res.stderr.strip()
    assert err.startswith(f"{prog}: error: ") and err.count("\n") == 0, (args, err[:500])
    _one_line(err, name)
    assert "Traceback" not in res.output
    assert _digest(folder) == before, f"a refused command changed files on disk: {args}"
    return err


# --------------------------------------------------------------------------- file corruptions
H = "series_id,ds,y\n"
GOOD_ROWS = "".join(f"s,{m:%Y-%m-%d},{i + 5}\n" for i, m in enumerate(MONTHS))
HISTORY_BAD = {
    "empty": b"",
    "header only": H.encode(),
    "blank lines only": b"\n\n\n",
    "missing column": b"series_id,ds\ns,2019-01-01\n",
    "y 1e12": (H + "s,2019-01-01,1e12\ns,2019-02-01,1\n").encode(),
    "y 1e300": (H + "s,2019-01-01,1e300\ns,2019-02-01,1\n").encode(),
    "y inf": (H + "s,2019-01-01,inf\ns,2019-02-01,1\n").encode(),
    "y -inf": (H + "s,2019-01-01,-inf\ns,2019-02-01,1\n").encode(),
    "y negative": (H + "s,2019-01-01,-3\ns,2019-02-01,1\n").encode(),
    "y text": (H + "s,2019-01-01,twelve\n").encode(),
    "ds 2262": (H + "s,2262-05-01,1\n").encode(),
    "ds 99999": (H + "s,99999-01-01,1\n").encode(),
    "ds 1066": (H + "s,1066-01-01,1\n").encode(),
    "ds not a date": (H + "s,soon,1\n").encode(),
    "ds mid-month": (H + "s,2019-01-15,1\n").encode(),
    "gap": (H + "s,2019-01-01,1\ns,2019-04-01,1\ns,2019-05-01,1\n").encode(),
    "duplicate month": (H + "s,2019-01-01,1\ns,2019-01-01,2\n").encode(),
    "blank series id": (H + ",2019-01-01,1\n").encode(),
    "latin-1": (H + "caf\xe9,2019-01-01,1\n").encode("latin-1"),
    "ragged": (H + "s,2019-01-01,1,2\n").encode(),
    "huge field": (H + f"s,2019-01-01,{HUGE}\n").encode(),
    "NUL byte": (H + "s,2019-01-01,1\x00\n").encode(),
    "duplicate header": b"series_id,ds,ds\ns,2019-01-01,2019-01-01\n",
    "tab separated": b"series_id\tds\ty\ns\t2019-01-01\t1\n",
}
D = "ds,fatalities,spi3,wheat_price_index,nino34_anom_c\n"
DRIVERS_BAD = {
    "empty": b"",
    "header only": D.encode(),
    "no ds": b"fatalities,spi3\n1,2\n",
    "spi 1e6": (D + "2019-01-01,1,1e6,100,0\n").encode(),
    "spi -6": (D + "2019-01-01,1,-6,100,0\n").encode(),
    "fatalities negative": (D + "2019-01-01,-1,0,100,0\n").encode(),
    "fatalities 1e12": (D + "2019-01-01,1e12,0,100,0\n").encode(),
    "wheat index 0": (D + "2019-01-01,1,0,0,0\n").encode(),
    "wheat index 1e300": (D + "2019-01-01,1,0,1e300,0\n").encode(),
    "nino 1e300": (D + "2019-01-01,1,0,100,1e300\n").encode(),
    "nino inf": (D + "2019-01-01,1,0,100,inf\n").encode(),
    "extra text column": b"ds,spi3,note\n2019-01-01,0,dry\n",
    "ds 2262": (D + "2262-01-01,1,0,100,0\n").encode(),
    "gap": (D + "2019-01-01,1,0,100,0\n2019-03-01,1,0,100,0\n").encode(),
    "latin-1": (D + "2019-01-01,1,0,100,0\n# caf\xe9\n").encode("latin-1"),
    "huge field": (D + f"2019-01-01,1,0,100,{HUGE}\n").encode(),
    "ragged": (D + "2019-01-01,1,0\n").encode(),
}


def _write(folder: Path, name: str, data: bytes) -> Path:
    p = folder / name
    p.write_bytes(data)
    return p


@pytest.mark.parametrize("case", sorted(HISTORY_BAD))
def test_history_readers_refuse(tmp_path, case):
    p = _write(tmp_path, "hist.csv", HISTORY_BAD[case])
    before = _digest(tmp_path)
    _refused(lambda: datasets.load_history(path=p), "hist.csv", "history CSV reader")
    _refused(lambda: datasets.read_csv(p, "history"), "hist.csv", "history CSV reader")
    _refused(lambda: read_upload(HISTORY_BAD[case], "history", "up.csv"), "up.csv",
             "read_upload (app)")
    assert _digest(tmp_path) == before


@pytest.mark.parametrize("case", sorted(DRIVERS_BAD))
def test_drivers_readers_refuse(tmp_path, case):
    p = _write(tmp_path, "drv.csv", DRIVERS_BAD[case])
    _refused(lambda: datasets.load_drivers(path=p), "drv.csv", "drivers CSV reader")
    _refused(lambda: read_upload(DRIVERS_BAD[case], "drivers", "up.csv"), "up.csv",
             "read_upload (app)")


def test_errors_name_file_lines_and_stay_short(tmp_path):
    p = _write(tmp_path, "h.csv", (H + "s,2019-01-01,1\n\ns,2019-02-01,-3\n").encode())
    with pytest.raises(ForecastError, match=r"at line 4"):  # header = line 1, blank line 3
        datasets.load_history(path=p)
    p = _write(tmp_path, "h.csv", (H + f"s{'x' * 5_000_000},2019-01-01,nope\n").encode())
    with pytest.raises(ForecastError) as info:
        datasets.load_history(path=p)
    assert len(str(info.value)) < 1000


def test_a_russian_excel_file_is_read_like_a_tidy_one():
    ru = ("\ufeffseries_id;ds;y\n" + "".join(f"s;{m:%d.%m.%Y};{i + 5},5\n"
                                              for i, m in enumerate(MONTHS))).encode()
    tidy = (H + "".join(f"s,{m:%Y-%m-%d},{i + 5}.5\n" for i, m in enumerate(MONTHS))).encode()
    a, b = read_upload(ru, "history", "ru.csv"), read_upload(tidy, "history", "tidy.csv")
    pd.testing.assert_frame_equal(a, b)
    assert a.attrs["dialect"] == "excel-ru" and b.attrs["dialect"] == "tidy"
    cp = "series_id;ds;y\nмой;01.01.2024;1\n".encode("cp1251")
    assert read_upload(cp, "history", "cp.csv")["series_id"].iloc[0] == "мой"
    CASES["read_upload (app)"] += 3


cells = st.one_of(st.text(max_size=12), st.sampled_from(
    ["inf", "-inf", "nan", "1e300", "-1", "0", "1e12", "2262-01-01", "1,5", "", "\"", "=1+1",
     "\x00", "31.02.2024", "2019-01-01"]))


@SETTINGS
@given(rows=st.lists(st.tuples(cells, cells, cells), min_size=0, max_size=4),
       sep=st.sampled_from([",", ";"]))
def test_read_upload_fuzz_never_crashes(rows, sep):
    """Any table of text cells in either dialect: accepted with every bound held, or one
    project error line naming the file."""
    CASES["read_upload (app)"] += 1
    text = sep.join(("series_id", "ds", "y")) + "\n" + "".join(
        sep.join(c.replace(sep, " ").replace("\n", " ").replace("\r", " ") for c in r) + "\n"
        for r in rows)
    try:
        df = read_upload(text.encode("utf-8", "replace"), "history", "fuzz.csv")
    except ForecastError as err:
        _one_line(str(err), "fuzz.csv")
        return
    y = df["y"].dropna()
    assert ((y >= 0) & (y <= 1e7)).all()


@SETTINGS
@given(vals=st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                               st.sampled_from(["x", "", None, "1e300", True])),
                     min_size=1, max_size=3),
       column=st.sampled_from(["fatalities", "spi3", "spi12", "precip_anom_mm", "temp_c",
                               "nino34_anom_c", "wheat_price_index", "mine"]))
def test_drivers_frame_fuzz_never_crashes(vals, column):
    """Drivers frames as the API receives them: refused in one line, or every bound held."""
    CASES["forecast.api (drivers frames)"] += 1
    df = pd.DataFrame({"ds": MONTHS[: len(vals)], column: pd.Series(vals, dtype=object)})
    from forecast.schema import validate_drivers

    try:
        out = validate_drivers(df)
    except ForecastError as err:
        _one_line(str(err), "drivers frame")
        return
    assert np.isfinite(out[column].dropna().to_numpy(dtype=float)).all()


# --------------------------------------------------------------------------- the Python API
HISTORY = pd.DataFrame({"series_id": "s", "ds": MONTHS, "y": np.arange(30.0) + 5})
DRIVERS = pd.DataFrame({"ds": MONTHS, "fatalities": 10.0, "spi3": 0.0})


@pytest.fixture(scope="module")
def fitted():
    return api.fit_models(HISTORY, None, models=["naive"], seed=0)


DRIVER_FRAMES_BAD = {
    "text": DRIVERS.assign(spi3="dry"),
    "inf": DRIVERS.assign(spi3=math.inf),
    "header only": DRIVERS.iloc[:0],
    "negative fatalities": DRIVERS.assign(fatalities=-1.0),
    "spi 1e6": DRIVERS.assign(spi3=1e6),
    "nino 1e300": DRIVERS.assign(nino34_anom_c=1e300),
    "wheat 0": DRIVERS.assign(wheat_price_index=0.0),
    "no ds": DRIVERS.drop(columns="ds"),
    "ds 2262": DRIVERS.assign(ds=["2262-01-01"] * 30),
    "duplicate ds": DRIVERS.assign(ds=MONTHS[0]),
    "not a frame": [1, 2, 3],
}
HISTORY_FRAMES_BAD = {
    "1 row": HISTORY.iloc[:1],
    "y 1e300": HISTORY.assign(y=1e300),
    "y inf": HISTORY.assign(y=math.inf),
    "y text": HISTORY.assign(y="many"),
    "header only": HISTORY.iloc[:0],
    "gap": HISTORY.drop(index=[5]),
    "too short for the drivers' models": HISTORY.iloc[:10],
}


@pytest.mark.parametrize("case", sorted(DRIVER_FRAMES_BAD))
def test_fit_models_refuses_bad_drivers_before_fitting(case):
    _refused(lambda: api.fit_models(HISTORY, DRIVER_FRAMES_BAD[case], models=["sarimax"]),
             "drivers frame", "forecast.api.fit_models")
    _refused(lambda: api.check_inputs(HISTORY, DRIVER_FRAMES_BAD[case], models=["sarimax"]),
             "drivers frame", "forecast.api.check_inputs")


@pytest.mark.parametrize("case", sorted(HISTORY_FRAMES_BAD))
def test_check_inputs_refuses_bad_history(case):
    _refused(lambda: api.check_inputs(HISTORY_FRAMES_BAD[case], None, models=["naive"]),
             "history frame", "forecast.api.check_inputs")


@pytest.mark.parametrize("kwargs, name", [
    ({"horizon": 10000}, "horizon"), ({"horizon": 2.5}, "horizon"), ({"horizon": 0}, "horizon"),
    ({"horizon": "12"}, "horizon"), ({"horizon": True}, "horizon"), ({"n_paths": 1e6}, "n_paths"),
    ({"n_paths": 0}, "n_paths"), ({"n_paths": 10**7}, "n_paths"), ({"n_paths": None}, "n_paths"),
    ({"seed": -1}, "seed"), ({"seed": 2**40}, "seed"), ({"seed": 1.5}, "seed"),
])
def test_predict_refuses_bad_arguments(fitted, kwargs, name):
    args = {"horizon": 2, "n_paths": 3, **kwargs}
    _refused(lambda: api.predict(fitted, **args), name, "forecast.api.predict")
    _refused(lambda: api.predict_raw(fitted, **args), name, "forecast.api.predict")


@pytest.mark.parametrize("kwargs, name", [
    ({"seed": -1}, "seed"), ({"seed": "0"}, "seed"), ({"models": ["lstm"]}, "lstm"),
])
def test_fit_models_refuses_bad_arguments(kwargs, name):
    _refused(lambda: api.fit_models(HISTORY, None, **{"models": ["naive"], **kwargs}), name,
             "forecast.api.fit_models")


@pytest.mark.parametrize("kwargs, name", [
    ({"horizon": 2.5}, "horizon"), ({"horizon": 10000}, "horizon"), ({"n_paths": 1e6}, "n_paths"),
    ({"seed": -1}, "seed"),
])
def test_pooled_host_arrivals_refuses_bad_arguments_before_using_the_model(kwargs, name):
    _refused(lambda: api.pooled_host_arrivals(None, **kwargs), name,
             "forecast.api.pooled_host_arrivals")


def test_host_arrivals_refuses_bad_shares_and_seed(fitted):
    _, paths = api.predict(fitted, horizon=2, n_paths=3)
    hosts = datasets.load_hosts()
    for kw, name in (({"shares": {"TJK": 5.0}}, "host_shares.TJK"),
                     ({"shares": {"TJK": 0.7, "KAZ": 0.7}}, "host_shares"),
                     ({"shares": {"FRA": 0.1}}, "FRA"), ({"seed": -1}, "seed")):
        _refused(lambda kw=kw: api.host_arrivals(paths, hosts, HISTORY, **kw), name,
                 "forecast.api.host_arrivals")
    _refused(lambda: api.to_arrivals_frame(paths, host="TJK"), "TJK",
             "forecast.api.to_arrivals_frame")


# --------------------------------------------------------------------------- scenario JSON
SCENARIOS_BAD = {
    "not JSON": b"{not json",
    "not UTF-8": '{"name": "caf\xe9"}'.encode("latin-1"),
    "not an object": b"[1, 2]",
    "nested 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
    "100,000 shocks": json.dumps({"name": "x", "shocks": [{"kind": "conflict"}] * 100_000}).encode(),
    "shock start 10000": b'{"name": "x", "shocks": [{"kind": "conflict", "start": 10000}]}',
    "shock duration 1e12": b'{"name": "x", "shocks": [{"kind": "conflict", "duration": 1e12}]}',
    "multiplier 1e300": b'{"name": "x", "shocks": [{"kind": "conflict", "value": 1e300}]}',
    "price multiplier 0": b'{"name": "x", "shocks": [{"kind": "food_price", "value": 0}]}',
    "SPI -9": b'{"name": "x", "shocks": [{"kind": "drought", "value": -9}]}',
    "NaN value": b'{"name": "x", "shocks": [{"kind": "conflict", "value": NaN}]}',
    "Infinity openness": b'{"name": "x", "border_openness": Infinity}',
    "host share 5": b'{"name": "x", "host_shares": {"TJK": 5}}',
    "shares sum 1.5": b'{"name": "x", "host_shares": {"TJK": 0.8, "KAZ": 0.7}}',
    "host share text": b'{"name": "x", "host_shares": {"TJK": "half"}}',
    "unknown host": b'{"name": "x", "host_openness": {"FRA": 1}}',
    "unknown field": b'{"name": "x", "colour": "red"}',
    "empty name": b'{"name": ""}',
    "empty file": b"",
    "unknown kind": b'{"name": "x", "shocks": [{"kind": "flood"}]}',
}


@pytest.mark.parametrize("case", sorted(SCENARIOS_BAD))
def test_scenario_json_refused(tmp_path, case):
    p = _write(tmp_path, "sc.json", SCENARIOS_BAD[case])
    _refused(lambda: Scenario.read(p), "sc.json", "scenario JSON (Scenario.read)")
    _cli(forecast_app, "forecast", ["scenarios", "validate", str(p)], "sc.json", tmp_path,
         "forecast CLI")


def test_scenario_json_with_a_byte_order_mark_is_valid(tmp_path):
    CASES["scenario JSON (Scenario.read)"] += 1
    p = _write(tmp_path, "bom.json", b"\xef\xbb\xbf" + Scenario.drought().to_json().encode())
    assert Scenario.read(p) == Scenario.drought()


# --------------------------------------------------------------------------- plan files
PLANS_BAD = {
    "horizon 10000": {"forecast": {"horizon": 10000}},
    "horizon 2.5": {"forecast": {"horizon": 2.5}},
    "n_paths 1e6": {"forecast": {"n_paths": 1e6}},
    "seed -1": {"forecast": {"seed": -1}},
    "seed 2**40": {"forecast": {"seed": 2**40}},
    "n_runs 10**6": {"capacity": {"n_runs": 10**6}},
    "area share 5": {"capacity": {"area_share": 5}},
    "multiplier inf": {"capacity": {"multiplier": "Infinity"}},
    "unknown host": {"forecast": {"host": "FRA"}},
    "unknown key": {"forecast": {"colour": 1}},
    "scenario share 5": {"scenario": {"name": "x", "host_shares": {"TJK": 5}}},
    "scenario shock at 10000": {"scenario": {"name": "x", "shocks": [{"kind": "conflict",
                                                                      "start": 10000}]}},
    "not an object": [1],
}


@pytest.mark.parametrize("case", sorted(PLANS_BAD))
def test_plan_file_refused(tmp_path, case):
    p = _write(tmp_path, "plan.json", json.dumps(PLANS_BAD[case]).encode())
    _refused(lambda: PlanSpec.read(p), "plan.json", "plan file (PlanSpec.read)")
    _cli(planner_cli.app, "planner", ["plan", str(p), "--out", str(tmp_path / "out")],
         "plan.json", tmp_path, "planner CLI")


# --------------------------------------------------------------------------- command lines
@pytest.fixture
def workdir(tmp_path):
    (tmp_path / "hist.csv").write_bytes((H + GOOD_ROWS).encode())
    (tmp_path / "drv.csv").write_text("ds,spi3\n" + "".join(f"{m:%Y-%m-%d},0\n" for m in MONTHS))
    (tmp_path / "bad_hist.csv").write_bytes(HISTORY_BAD["y 1e300"])
    (tmp_path / "bad_drv.csv").write_bytes(DRIVERS_BAD["spi 1e6"])
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "latin1.csv").write_bytes(HISTORY_BAD["latin-1"])
    (tmp_path / "huge.csv").write_bytes(HISTORY_BAD["huge field"])
    (tmp_path / "sc.json").write_bytes(SCENARIOS_BAD["shock start 10000"])
    (tmp_path / "plan.json").write_text(PlanSpec().to_json())
    out = tmp_path / "out"
    out.mkdir()
    (out / "forecast.csv").write_text("keep me\n")
    (tmp_path / "exists.json").write_text("keep me\n")
    return tmp_path


def _forecast_cases(w: Path):
    hist, out = str(w / "hist.csv"), str(w / "out")
    cases = []
    for cmd in (["run"], ["backtest"], ["export", "--out", str(w / "new")]):
        h = ["--history", hist, "--series", "s", "--drivers", str(w / "drv.csv")]
        cases += [
            ([*cmd, *h, "--horizon", "10000"], "--horizon"),
            ([*cmd, *h, "--horizon", "2.5"], "--horizon"),
            ([*cmd, *h, "--horizon", "0"], "--horizon"),
            ([*cmd, *h, "--paths", "0"], "--paths"),
            ([*cmd, *h, "--paths", "1e6"], "--paths"),
            ([*cmd, *h, "--seed", "-1"], "--seed"),
            ([*cmd, *h, "--seed", str(2**40)], "--seed"),
            ([*cmd, *h, "--seed", "abc"], "--seed"),
            ([*cmd, "--history", str(w / "missing.csv")], "missing.csv"),
            ([*cmd, "--history", str(w / "bad_hist.csv")], "bad_hist.csv"),
            ([*cmd, "--history", str(w / "empty.csv")], "empty.csv"),
            ([*cmd, "--history", str(w / "latin1.csv")], "latin1.csv"),
            ([*cmd, "--history", str(w / "huge.csv")], "huge.csv"),
            ([*cmd, *h[:4], "--drivers", str(w / "bad_drv.csv")], "bad_drv.csv"),
            ([*cmd, *h[:4], "--drivers", str(w / "empty.csv")], "empty.csv"),
            ([*cmd, "--history", hist, "--series", "nope"], "--series"),
            ([*cmd, *h, "--models", "naive,lstm"], "lstm"),
            ([*cmd, *h, "--models", ","], "--models"),
            ([*cmd, *h, "--no-such-option"], "--no-such-option"),
        ]
        if cmd[0] != "backtest":
            cases += [([*cmd, *h, "--scenario", "mars"], "mars"),
                      ([*cmd, *h, "--scenario", str(w / "sc.json")], "sc.json")]
    cases += [
        (["backtest", "--history", hist, "--series", "s", "--origins", "0"], "--origins"),
        (["backtest", "--history", hist, "--series", "s", "--origins", "100000"], "--origins"),
        (["run", "--history", hist, "--series", "s", "--out", out], "forecast.csv"),
        (["export", "--out", out, "--history", hist, "--series", "s"], "forecast.csv"),
        (["export", "--out", str(w / "new"), "--host-method", "magic"], "--host-method"),
        (["scenarios", "show", "mars"], "mars"),
        (["scenarios", "validate", str(w / "missing.json")], "missing.json"),
        (["scenarios", "write", "drought", str(w / "exists.json")], "exists.json"),
        (["scenarios", "write", "mars", str(w / "new.json")], "mars"),
    ]
    return cases


def test_forecast_cli_refuses_in_one_line_and_touches_nothing(workdir):
    for args, name in _forecast_cases(workdir):
        _cli(forecast_app, "forecast", args, name, workdir, "forecast CLI")
    assert not (workdir / "new").exists() and not (workdir / "new.json").exists()
    assert (workdir / "out" / "forecast.csv").read_text() == "keep me\n"


def test_planner_cli_refuses_in_one_line_and_touches_nothing(workdir):
    plan, out = str(workdir / "plan.json"), workdir / "out2"
    out.mkdir()
    (out / "advice.csv").write_text("keep me\n")
    for args, name in ((["plan", str(workdir / "missing.json")], "missing.json"),
                       (["plan", str(workdir / "empty.csv")], "empty.csv"),
                       (["plan", str(workdir / "sc.json")], "sc.json"),
                       (["plan", plan, "--out", str(out)], "advice.csv"),
                       (["plan"], "file"),
                       (["plan", plan, "--bogus"], "--bogus"),
                       (["template", str(workdir / "exists.json")], "exists.json"),
                       (["template"], "file")):
        _cli(planner_cli.app, "planner", args, name, workdir, "planner CLI")
    assert (out / "advice.csv").read_text() == "keep me\n"


def test_stale_drivers_are_one_visible_line_on_stderr(workdir, monkeypatch):
    """A drivers file ending in 2000 for a series to 2021: one warning line, no failure."""
    CASES["forecast CLI"] += 1
    from forecast.fitting import ModelSet

    months = pd.date_range("1997-01-01", "2000-12-01", freq="MS")
    (workdir / "old.csv").write_text("ds,spi3\n" + "".join(f"{m:%Y-%m-%d},0.5\n" for m in months))
    called = []
    monkeypatch.setattr(ModelSet, "fit", lambda self, z, X, **kw: called.append(len(z)))
    monkeypatch.setattr(api, "predict", lambda *a, **k: (_ for _ in ()).throw(
        ForecastError("stop after the fit (test)")))
    hist = workdir / "hist_long.csv"
    rows = pd.date_range("1998-01-01", "2021-06-01", freq="MS")
    hist.write_text(H + "".join(f"s,{m:%Y-%m-%d},{i % 40 + 1}\n" for i, m in enumerate(rows)))
    res = runner.invoke(forecast_app, ["run", "--history", str(hist), "--series", "s",
                                       "--drivers", str(workdir / "old.csv"), "--models",
                                       "sarimax"])
    lines = res.stderr.strip().splitlines()
    warn = [ln for ln in lines if ln.startswith("forecast: warning: stale drivers")]
    assert called and len(warn) == 1 and "spi3 2000-12" in warn[0], res.stderr
    assert "Traceback" not in res.output


# ------------------------------------------------------------- Russian Excel on the command line
def _excel_ru(frame: pd.DataFrame, note: str | None = None) -> str:
    """``frame`` as Russian Excel writes it: ``;``, decimal comma, ``dd.mm.yyyy``, NA empty;
    ``note``: an extra text column (Cyrillic) the readers ignore (history) or refuse."""
    cols = [*frame.columns, *(["примечание"] if note else [])]
    rows = [";".join(cols)]
    for rec in frame.itertuples(index=False):
        cells = [f"{v:%d.%m.%Y}" if isinstance(v, pd.Timestamp) else "" if pd.isna(v)
                 else f"{v:.6f}".replace(".", ",") if isinstance(v, float) else str(v)
                 for v in rec]
        rows.append(";".join([*cells, *([note] if note else [])]))
    return "\n".join(rows) + "\n"


def _tidy(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, date_format="%Y-%m-%d", float_format="%.6f")


def test_forecast_run_reads_russian_excel_history_like_the_tidy_file(tmp_path):
    """The bundled Frontex series as a tidy file, as Russian Excel (UTF-8 with BOM) and as
    Russian Excel in Windows-1251 with a Cyrillic column: the same forecast, byte for byte."""
    CASES["forecast CLI"] += 3
    h = datasets.load_history("frontex_afg_total")
    files = {"tidy.csv": _tidy(h).encode(),
             "ru.csv": b"\xef\xbb\xbf" + _excel_ru(h).encode(),
             "cp.csv": _excel_ru(h, note="Фронтекс").encode("cp1251")}
    with pytest.raises(UnicodeDecodeError):
        files["cp.csv"].decode("utf-8")
    got = {}
    for name, data in files.items():
        _write(tmp_path, name, data)
        out = tmp_path / f"out_{name}"
        res = runner.invoke(forecast_app, ["run", "--history", str(tmp_path / name),
                                           "--series", "frontex_afg_total", "--models", "naive",
                                           "--horizon", "1", "--paths", "1", "--out", str(out)])
        assert res.exit_code == 0, (name, res.output[-500:])
        got[name] = [(out / f).read_bytes() for f in ("forecast.csv", "paths.csv")]
    assert got["ru.csv"] == got["tidy.csv"] and got["cp.csv"] == got["tidy.csv"]


def test_russian_excel_drivers_read_like_the_tidy_file(tmp_path):
    CASES["drivers CSV reader"] += 1
    d = datasets.load_drivers()
    tidy = datasets.load_drivers(path=_write(tmp_path, "tidy.csv", _tidy(d).encode()))
    ru = datasets.load_drivers(path=_write(tmp_path, "ru.csv", _excel_ru(d).encode("cp1251")))
    assert ru.attrs == {} and tidy["spi3"].notna().any()
    pd.testing.assert_frame_equal(ru, tidy)


RU_H = ("\ufeffseries_id;ds;y\n" + "".join(f"s;{m:%d.%m.%Y};{i + 5},5\n"
                                           for i, m in enumerate(MONTHS))).splitlines()


def _ru_line(line: int, cells: str) -> str:
    """``RU_H`` with file line ``line`` (header = 1) replaced by ``cells``."""
    return "\n".join([*RU_H[:line - 1], cells, *RU_H[line:]]) + "\n"


RU_BAD = {  # Russian-Excel history files with one bad line -> (text, file line, what)
    "31 February": (_ru_line(4, "s;31.02.2019;7,5"), 4, "dates"),
    "a fourth field": (_ru_line(4, "s;01.03.2019;7,5;1"), 4, "fields"),
    "text in y": (_ru_line(5, "s;01.04.2019;восемь"), 5, "non-numeric"),
    "two decimal commas": (_ru_line(6, "s;01.05.2019;9,5,5"), 6, "non-numeric"),
    "negative y": (_ru_line(7, "s;01.06.2019;-10,5"), 7, "negative"),
    "mid-month date": (_ru_line(8, "s;15.07.2019;11,5"), 8, "first day"),
}


def test_malformed_russian_excel_history_is_one_line_naming_file_and_line(workdir):
    for case, (text, line, what) in RU_BAD.items():
        for enc in ("utf-8", "cp1251"):
            name = f"ru_bad_{enc}.csv"
            _write(workdir, name, text.encode(enc) if enc == "utf-8"
                   else text.lstrip("\ufeff").encode(enc))
            err = _cli(forecast_app, "forecast", ["run", "--history", str(workdir / name),
                                                  "--series", "s", "--models", "naive"],
                       name, workdir, "forecast CLI")
            assert f"line {line}" in err and what in err, (case, enc, err)


def test_backtest_prints_the_stale_driver_warning(workdir, monkeypatch):
    """A Russian-Excel drivers file ending in 2000 for a series to 2021: `forecast backtest`
    prints the one warning line of `run` before it backtests."""
    CASES["forecast CLI"] += 1
    from forecast import backtest as bt

    months = pd.date_range("1997-01-01", "2000-12-01", freq="MS")
    (workdir / "old_ru.csv").write_text("ds;spi3\n" + "".join(f"{m:%d.%m.%Y};0,5\n"
                                                              for m in months))
    rows = pd.date_range("1998-01-01", "2021-06-01", freq="MS")
    hist = workdir / "hist_long.csv"
    hist.write_text(H + "".join(f"s,{m:%Y-%m-%d},{i % 40 + 1}\n" for i, m in enumerate(rows)))
    called = []

    def stop(*a, **kw):
        called.append(kw["models"])
        raise ForecastError("stop before the backtest (test)")

    monkeypatch.setattr(bt, "backtest", stop)
    res = runner.invoke(forecast_app, ["backtest", "--history", str(hist), "--series", "s",
                                       "--drivers", str(workdir / "old_ru.csv"), "--models",
                                       "sarimax", "--origins", "1", "--horizon", "1"])
    lines = res.stderr.strip().splitlines()
    warn = [ln for ln in lines if ln.startswith("forecast: warning: stale drivers")]
    assert called == [["sarimax"]] and len(warn) == 1 and "spi3 2000-12" in warn[0], res.stderr
    assert lines.index(warn[0]) < len(lines) - 1 and "Traceback" not in res.output


def test_zz_report_counts():
    """Prints the cases per entry point (run with -s); xdist may split them over workers."""
    print("\nforecast bad-input cases per entry point:", dict(CASES))
