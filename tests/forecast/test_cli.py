"""The ``forecast`` command line: help, outputs, one-line errors with exit code 2."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from forecast.cli import app

runner = CliRunner()


def test_help_lists_subcommands():
    r = runner.invoke(app, ["--help"])
    assert r.exit_code == 0
    for cmd in ("run", "backtest", "scenarios", "export"):
        assert cmd in r.output


def test_scenarios_commands(tmp_path):
    r = runner.invoke(app, ["scenarios", "list"])
    assert r.exit_code == 0 and "conflict_escalation" in r.output
    r = runner.invoke(app, ["scenarios", "show", "drought"])
    assert json.loads(r.output)["shocks"][0]["kind"] == "drought"
    p = tmp_path / "s.json"
    assert runner.invoke(app, ["scenarios", "write", "drought", str(p)]).exit_code == 0
    assert runner.invoke(app, ["scenarios", "write", "drought", str(p)]).exit_code == 2
    assert runner.invoke(app, ["scenarios", "validate", str(p)]).exit_code == 0
    p.write_text('{"name": "x", "shocks": [{"kind": "conflict", "start": 0}]}')
    r = runner.invoke(app, ["scenarios", "validate", str(p)])
    assert r.exit_code == 2
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("forecast: error:") and "start" in lines[0]


def test_run_writes_outputs_and_refuses_to_overwrite(tmp_path):
    args = ["run", "--models", "naive,snaive", "--horizon", "3", "--paths", "5",
            "--out", str(tmp_path)]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    assert "snaive" in r.output
    assert (tmp_path / "forecast.csv").exists() and (tmp_path / "paths.csv.json").exists()
    r = runner.invoke(app, args)
    assert r.exit_code == 2 and "--force" in r.output
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0


def test_bad_input_is_one_line_and_exit_2():
    for args, text in ((["run", "--series", "nope"], "no series 'nope'"),
                       (["run", "--models", "naive,lstm"], "unknown model 'lstm'"),
                       (["run", "--scenario", "mars"], "unknown scenario 'mars'")):
        r = runner.invoke(app, args)
        assert r.exit_code == 2, args
        assert text in r.output
        assert len(r.output.strip().splitlines()) == 1


def test_a_bug_is_one_line_without_debug_and_a_traceback_with_it(monkeypatch, capsys):
    from forecast import cli as fcli
    from forecast import scenarios

    def boom(name):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(scenarios, "get_scenario", boom)
    assert fcli.main(["scenarios", "show", "baseline"]) == 1
    err = capsys.readouterr().err
    assert "unexpected error (RuntimeError" in err and "--debug" in err
    assert "Traceback" not in err
    import pytest as _pytest

    with _pytest.raises(RuntimeError, match="simulated bug"):
        fcli.main(["scenarios", "show", "baseline", "--debug"])
