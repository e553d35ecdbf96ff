"""``abm network`` command line."""

from __future__ import annotations

from typer.testing import CliRunner

from abm.network.cli import app

from .conftest import FIXTURES

runner = CliRunner()


def test_score_prints_ard_per_seed_and_mean_sd(tmp_path):
    out = tmp_path / "out.csv"
    res = runner.invoke(app, ["score", str(FIXTURES / "input"), "--validation", str(FIXTURES / "validation"),
                              "--seeds", "3", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "ARD" in res.output and "+-" in res.output and "3 seeds" in res.output
    assert out.is_file()
    again = runner.invoke(app, ["score", str(FIXTURES / "input"), "--validation", str(FIXTURES / "validation"),
                                "--seeds", "1", "--out", str(out)])
    assert again.exit_code == 2
    forced = runner.invoke(app, ["score", str(FIXTURES / "input"), "--validation", str(FIXTURES / "validation"),
                                 "--seeds", "1", "--out", str(out), "--force"])
    assert forced.exit_code == 0


def test_score_entries_option():
    args = ["score", str(FIXTURES / "input"), "--validation", str(FIXTURES / "validation"), "--seeds", "1"]
    res = runner.invoke(app, [*args, "--entries", "camps"])
    assert res.exit_code == 0, res.output
    assert "entries: camps" in res.output and "rescaled ARD" in res.output
    bad = runner.invoke(app, [*args, "--entries", "idps"])
    assert bad.exit_code == 2


def test_score_bad_input_exit_2(tmp_path):
    res = runner.invoke(app, ["score", str(tmp_path), "--validation", str(tmp_path)])
    assert res.exit_code == 2
    assert "locations.csv" in (res.output + str(res.stderr if hasattr(res, "stderr") else ""))


def test_example_runs_and_writes(tmp_path):
    out = tmp_path / "occ.csv"
    res = runner.invoke(app, ["example", "--seed", "3", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "ILLUSTRATIVE" in res.output and "Termez" in res.output
    assert out.is_file() and (tmp_path / "occ.csv.json").is_file()


def test_example_is_deterministic_per_seed(tmp_path):
    outs = []
    for i, seed in enumerate((5, 5, 6)):
        out = tmp_path / f"o{i}.csv"
        assert runner.invoke(app, ["example", "--seed", str(seed), "--out", str(out)]).exit_code == 0
        outs.append(out.read_text())
    assert outs[0] == outs[1]
    assert outs[0] != outs[2]


def test_score_named_scenario_needs_a_flee_folder(monkeypatch, tmp_path):
    from abm.network.runs import FLEE_DIR_ENV, RAW_DIR_ENV

    monkeypatch.delenv(FLEE_DIR_ENV, raising=False)
    monkeypatch.delenv(RAW_DIR_ENV, raising=False)
    res = runner.invoke(app, ["score", "burundi", "--seeds", "1"])
    assert res.exit_code == 2 and "--flee-dir" in res.output
    res = runner.invoke(app, ["score", "burundi", "--seeds", "1", "--flee-dir", str(tmp_path)])
    assert res.exit_code == 2 and "not found" in res.output and "Traceback" not in res.output


def test_score_prints_both_ard_definitions():
    res = runner.invoke(app, ["score", str(FIXTURES / "input"), "--validation", str(FIXTURES / "validation"),
                              "--seeds", "2"])
    assert res.exit_code == 0, res.output
    assert "ARD (camps sum)" in res.output and "ARD (Flee total)" in res.output
