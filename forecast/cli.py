"""The ``forecast`` command line: run, backtest, scenarios, export.

Bad input (a project error, a usage error caught by click, a value outside
:data:`forecast.bounds.BOUNDS`) ends with one line ``forecast: error: ...`` on stderr
and exit code 2, before any fit and before any file is written. A stale driver
(:meth:`forecast.api.FittedModels.stale_drivers`) is one line ``forecast: warning: ...``
(``run``, ``export`` and ``backtest``). ``--history`` and ``--drivers`` files are read in
either dialect, tidy or Russian Excel (:func:`forecast.schema.read_table`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from forecast.bounds import check_value
from forecast.errors import ForecastError

try:  # typer >= 0.26 vendors click as typer._click; older typer uses click itself
    from typer import _click as click
except ImportError:  # pragma: no cover
    import click

MAX_MESSAGE_CHARS = 600
"""Longest error line [characters]; a longer message is cut in the middle."""


def one_line(message: str) -> str:
    """The first line of ``message``, cut in the middle past :data:`MAX_MESSAGE_CHARS`."""
    text = str(message).strip().replace("\r", " ").splitlines()
    text = text[0] if text else ""
    if len(text) > MAX_MESSAGE_CHARS:
        half = MAX_MESSAGE_CHARS // 2
        text = f"{text[:half]} [... {len(text) - 2 * half:,} characters cut ...] {text[-half:]}"
    return text


def one_line_group(prog: str) -> type[TyperGroup]:
    """A Typer group class whose usage errors print as ``<prog>: error: ...`` (one line,
    exit code 2), like the project errors; shared by ``forecast`` and ``planner``."""

    class OneLineGroup(TyperGroup):
        def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True,
                 **extra):
            try:
                rv = super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                                  standalone_mode=False, **extra)
            except click.exceptions.NoArgsIsHelpError as err:
                print(err.format_message(), file=sys.stderr)
                rv = 2
            except click.ClickException as err:
                hint = (f" (see '{err.ctx.command_path} --help')"
                        if getattr(err, "ctx", None) else "")
                print(f"{prog}: error: {one_line(err.format_message())}{hint}",
                      file=sys.stderr)
                rv = 2
            except typer.Abort:
                print(f"{prog}: error: aborted", file=sys.stderr)
                rv = 1
            if not standalone_mode:
                return rv
            sys.exit(rv if isinstance(rv, int) else 0)

    return OneLineGroup


app = typer.Typer(add_completion=False, no_args_is_help=True, cls=one_line_group("forecast"),
                  help="Probabilistic forecasts of Afghan arrivals (Central Asia planner).")
scen_app = typer.Typer(no_args_is_help=True,
                       help="List, show, validate and write scenarios (JSON).")
app.add_typer(scen_app, name="scenarios")

Series = Annotated[str, typer.Option(help="Series id of the history frame.")]
Models = Annotated[str, typer.Option(help="Comma-separated model aliases: naive, snaive, "
                                          "drift, ets, sarimax, prophet, ensemble.")]
Seed = Annotated[int, typer.Option(help="Seed of every random draw.")]
Horizon = Annotated[int, typer.Option(help="Periods ahead (months for a monthly series; "
                                           "1-120).")]
Paths = Annotated[int, typer.Option(help="Sample paths per model (1-10,000).")]
DIALECTS_HELP = ("; comma-separated or Russian Excel (`;`, decimal comma, dd.mm.yyyy; "
                 "UTF-8 or Windows-1251)")
HistoryCsv = Annotated[Path | None, typer.Option(help="Your history CSV (series_id, ds, y) "
                                                      "instead of the bundled data"
                                                      + DIALECTS_HELP + ".")]
DriversCsv = Annotated[Path | None, typer.Option(help="Your drivers CSV instead of the "
                                                      "bundled data" + DIALECTS_HELP + ".")]
Force = Annotated[bool, typer.Option("--force", help="Replace existing output files.")]
ScenarioOpt = Annotated[str, typer.Option(help="Preset name (see `forecast scenarios list`) "
                                               "or a scenario .json file.")]


def _fail(msg: str) -> None:
    typer.echo(f"forecast: error: {one_line(msg)}", err=True)
    raise typer.Exit(code=2)


def _warn(msg: str) -> None:
    typer.echo(f"forecast: warning: {one_line(msg)}", err=True)


def _check(**flags) -> None:
    """Options checked against :data:`forecast.bounds.BOUNDS` (``horizon=12`` checks
    ``--horizon``), before any file is read."""
    for name, value in flags.items():
        flag = {"n_paths": "--paths"}.get(name, f"--{name}")
        check_value(value, name, flag, ForecastError)


def _guard(fn: Callable) -> Callable:
    """Turn user errors (project error types, existing or missing files) into a one-line
    message and exit code 2; anything else is a bug and surfaces as one."""

    @wraps(fn)
    def inner(*a, **kw):
        try:
            return fn(*a, **kw)
        except (ForecastError, FileExistsError, FileNotFoundError) as exc:
            _fail(str(exc) or type(exc).__name__)

    return inner


def _free(paths: list[Path], force: bool) -> None:
    """Refuse early (before any fitting) when an output exists and --force is not given."""
    if force:
        return
    for p in paths:
        for f in (p, p.with_name(p.name + ".json")):
            if f.exists():
                raise FileExistsError(f"{f} exists; pass --force to replace it")


def _models(spec: str) -> list[str]:
    from forecast.models import make_model

    names = [m.strip() for m in spec.split(",") if m.strip()]
    if not names:
        raise ForecastError("--models: give at least one model alias")
    for n in names:
        make_model(n)
    return names


def _inputs(series: str, history: Path | None, drivers: Path | None):
    from forecast import datasets

    h = datasets.load_history(path=history) if history else datasets.load_history()
    d = datasets.load_drivers(path=drivers) if drivers else datasets.load_drivers()
    if series not in set(h["series_id"]):
        raise ForecastError(f"--series: no series {series!r}; have "
                            f"{', '.join(sorted(set(h['series_id'])))}")
    return h, d


def _fit(series, models, seed, history, drivers):
    from rich.progress import Progress

    from forecast import api

    h, d = _inputs(series, history, drivers)
    names = _models(models)
    with Progress(transient=True, console=_console()) as bar:
        task = bar.add_task("fitting", total=None)
        fitted = api.fit_models(h, d, series_id=series, models=names, seed=seed,
                                progress=lambda m: bar.update(task, description=m))
    for line in fitted.stale_drivers():
        _warn(line)
    return h, fitted


def _console():
    from rich.console import Console

    return Console(stderr=True)


def _out():
    """Console for tables: at least 110 columns wide so no column is cut."""
    import shutil

    from rich.console import Console

    return Console(width=max(110, shutil.get_terminal_size((110, 24)).columns))


@app.command()
@_guard
def run(series: Series = "frontex_afg_total", scenario: ScenarioOpt = "baseline",
        horizon: Horizon = 12, paths: Paths = 200, models: Models = "snaive,sarimax,ensemble",
        seed: Seed = 0, out: Annotated[Path | None, typer.Option(
            help="Directory for forecast.csv and paths.csv (+ .json sidecars).")] = None,
        force: Force = False, history: HistoryCsv = None, drivers: DriversCsv = None) -> None:
    """Fit the models, forecast under a scenario, print median and 80% interval."""
    from rich.table import Table

    from forecast import api, export
    from forecast.scenarios import get_scenario

    _check(horizon=horizon, n_paths=paths, seed=seed)
    sc = get_scenario(scenario)
    if out:
        _free([out / "forecast.csv", out / "paths.csv"], force)
    _, fitted = _fit(series, models, seed, history, drivers)
    fc, pth = api.predict(fitted, sc, horizon, paths)
    wide = fc.pivot_table(index=["model", "ds"], columns="quantile", values="value")
    unit = {1: "month", 3: "quarter", 12: "year"}[fitted.step_months]
    t = Table(title=f"{series}: persons per {unit}, scenario {sc.name}, origin "
                    f"{fitted.origin:%Y-%m}")
    for c in ("model", "period", "q0.1", "median", "q0.9"):
        t.add_column(c, justify="right" if c not in ("model",) else "left")
    for (m, ds), r in wide.iterrows():
        t.add_row(m, f"{ds:%Y-%m}", f"{r[0.1]:,.0f}", f"{r[0.5]:,.0f}", f"{r[0.9]:,.0f}")
    _out().print(t)
    if out:
        prov = export.provenance(fitted, sc, horizon=horizon, n_paths=paths)
        export.write_csv(fc, out / "forecast.csv", prov, overwrite=force)
        export.write_csv(pth, out / "paths.csv", prov, overwrite=force)
        typer.echo(f"wrote {out / 'forecast.csv'} and {out / 'paths.csv'}")


@app.command()
@_guard
def backtest(series: Series = "frontex_afg_total", origins: Annotated[int, typer.Option(
                 help="Rolling origins (last months with a full horizon; 1-240).")] = 36,
             horizon: Horizon = 12, paths: Paths = 200,
             models: Models = "naive,snaive,drift,ets,sarimax,prophet,ensemble",
             seed: Seed = 0, out: Annotated[Path | None, typer.Option(
                 help="CSV for the per-horizon skill table (+ .json sidecar).")] = None,
             force: Force = False, history: HistoryCsv = None,
             drivers: DriversCsv = None,
             refit_every: Annotated[int, typer.Option(
                 min=1, help="Re-estimate statsmodels models every N origins (else re-filter).")] = 6,
             heavy_refit_every: Annotated[int, typer.Option(
                 min=1, help="Re-estimate Prophet every N origins (else re-condition).")] = 12,
             ) -> None:
    """Rolling-origin backtest: MAE, MASE (rolling and global), RMSSE, CRPS, pinball,
    50/80/90% coverage."""
    from rich.progress import Progress
    from rich.table import Table

    from forecast import api, export
    from forecast import backtest as bt

    _check(origins=origins, horizon=horizon, n_paths=paths, seed=seed)
    if out:
        _free([out], force)
    h, d = _inputs(series, history, drivers)
    names = _models(models)
    for line in api.check_inputs(h, d, series_id=series, models=names):
        _warn(line)  # stale drivers, as `run` and `export` warn after their fit
    with Progress(console=_console(), transient=True) as bar:
        task = bar.add_task(f"backtest {series}", total=origins)
        res = bt.backtest(h, d, series_id=series, models=names, n_origins=origins,
                          horizon=horizon, n_paths=paths, seed=seed,
                          refit_every=refit_every, heavy_refit_every=heavy_refit_every,
                          progress=lambda i, n: bar.update(task, completed=i))
    con = _out()
    for hs, label in ((range(1, min(6, horizon) + 1), "1-6"), (range(1, horizon + 1),
                                                                f"1-{horizon}")):
        s = res.summary(hs)
        t = Table(title=f"{series}: horizons {label}, {origins} origins "
                        f"({res.settings['first_origin'][:7]}..{res.settings['last_origin'][:7]})")
        cols = [c for c in (*bt.METRICS, "rel_crps") if c in s.columns]
        for c in ("model", *cols, "seconds"):
            t.add_column(c, justify="left" if c == "model" else "right")
        for _, r in s.iterrows():
            t.add_row(r["model"], *(f"{r[c]:,.0f}" if c in ("mae", "crps", "pinball")
                                    else f"{r[c]:.3f}" for c in cols),
                      f"{r['seconds']:.1f}")
        con.print(t)
    if out:
        export.write_csv(res.table(), out, export.provenance(backtest=res.settings,
                                                             seconds=res.seconds),
                         overwrite=force)
        typer.echo(f"wrote {out}")


@app.command("export")
@_guard
def export_cmd(out: Annotated[Path, typer.Option(help="Output directory.")],
               series: Series = "frontex_afg_total", scenario: ScenarioOpt = "baseline",
               horizon: Horizon = 12, paths: Paths = 200,
               models: Models = "snaive,sarimax,ets,prophet,ensemble", seed: Seed = 0,
               hosts: Annotated[bool, typer.Option(
                   help="Also write per-host arrival paths (hosts.csv).")] = True,
               host_method: Annotated[str, typer.Option(
                   help="Host arrivals: 'pooled' (the model learned from the world's "
                        "displacement history, 24 months at most) or 'share' (movement "
                        "forecast x UNHCR share, a comparison).")] = "pooled",
               force: Force = False, history: HistoryCsv = None,
               drivers: DriversCsv = None) -> None:
    """Forecast and write forecast.csv, paths.csv and hosts.csv with JSON sidecars."""
    from forecast import api, datasets, export
    from forecast.scenarios import get_scenario

    _check(horizon=horizon, n_paths=paths, seed=seed)
    if host_method not in ("pooled", "share"):
        raise ForecastError(f"--host-method: {host_method!r} is not one of pooled, share")
    sc = get_scenario(scenario)
    _free([out / "forecast.csv", out / "paths.csv", *([out / "hosts.csv"] if hosts else [])],
          force)
    h, fitted = _fit(series, models, seed, history, drivers)
    fc, pth = api.predict(fitted, sc, horizon, paths)
    prov = export.provenance(fitted, sc, horizon=horizon, n_paths=paths)
    written = [export.write_csv(fc, out / "forecast.csv", prov, overwrite=force),
               export.write_csv(pth, out / "paths.csv", prov, overwrite=force)]
    if hosts:
        if host_method == "share":
            ha = api.host_arrivals(pth, datasets.load_hosts(), h, scenario=sc, seed=seed)
            meta = {"hosts_method": "forecast.hosts (movement x UNHCR annual shares)",
                    "skipped_hosts": ha.attrs.get("skipped_hosts", [])}
        else:
            from forecast import host_model

            hm = host_model.fit_host_model(datasets.load_dyads(), seed=seed)
            ha = api.pooled_host_arrivals(hm, sc, horizon=horizon, n_paths=paths, seed=seed)
            meta = {"hosts_method": "forecast.host_model (pooled LightGBM, UNHCR flows)",
                    "host_model": hm.provenance(), "data_end_year": ha.attrs["data_end_year"],
                    "analogue": ha.attrs["analogue"], "notes": ha.attrs["notes"]}
        written.append(export.write_csv(ha, out / "hosts.csv", {**prov, **meta},
                                        overwrite=force))
    for p in written:
        typer.echo(f"wrote {p}")


@scen_app.command("list")
def scen_list() -> None:
    """List the preset scenarios."""
    from forecast.scenarios import PRESETS

    for name, s in PRESETS.items():
        typer.echo(f"{name:20s} {s.description}")


@scen_app.command("show")
@_guard
def scen_show(name: Annotated[str, typer.Argument(help="Preset name or .json file.")]) -> None:
    """Print a scenario as JSON."""
    from forecast.scenarios import get_scenario

    typer.echo(get_scenario(name).to_json())


@scen_app.command("validate")
@_guard
def scen_validate(file: Annotated[Path, typer.Argument(help="Scenario JSON file.")]) -> None:
    """Check a hand-written scenario file; print what is wrong (file and field)."""
    from forecast.scenarios import Scenario

    s = Scenario.read(file)
    typer.echo(f"ok: {file} is a valid scenario {s.name!r}")


@scen_app.command("write")
@_guard
def scen_write(name: Annotated[str, typer.Argument(help="Preset name.")],
               file: Annotated[Path, typer.Argument(help="Where to write the JSON.")],
               force: Force = False) -> None:
    """Write a preset to a JSON file, as a starting point for your own."""
    from forecast.scenarios import get_scenario

    get_scenario(name).write(file, overwrite=force)
    typer.echo(f"wrote {file}")


def run_cli(typer_app, prog: str, argv: list[str] | None = None) -> int:
    """Run a typer app as a console script: exit code of the command; ``--debug``
    anywhere shows the traceback of an unexpected error (a bug); without it the error
    is one line and exit code 1. Shared by ``forecast`` and ``planner``."""
    from forecast.threads import limit_threads

    limit_threads()  # BLAS/OpenMP pools to the available cores (forecast/threads.py)
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    args = [a for a in args if a != "--debug"]
    try:
        typer_app(args=args, prog_name=prog, standalone_mode=True)
    except SystemExit as exc:
        return int(exc.code or 0)
    except Exception as exc:  # noqa: BLE001 - a bug: short message unless --debug
        if debug:
            raise
        typer.echo(f"{prog}: unexpected error ({type(exc).__name__}: "
                   f"{str(exc).splitlines()[0][:200] if str(exc) else ''}); this is a bug: "
                   "rerun with --debug for the traceback and report it", err=True)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point (``forecast``); see :func:`run_cli`."""
    return run_cli(app, "forecast", argv)


if __name__ == "__main__":
    sys.exit(main())
