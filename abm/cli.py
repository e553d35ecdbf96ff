"""Command line ``abm``: run, advise, export (and ``network`` when installed).

Bad input ends with one line ``abm: error: ...`` on stderr and exit code 2.
Outputs are CSV files with ``.csv.json`` provenance sidecars; existing files
are kept unless ``--force``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from abm.cli_errors import OneLineGroup, check_int, one_line_errors
from abm.errors import ABMError, ConfigError

app = typer.Typer(cls=OneLineGroup, add_completion=False, no_args_is_help=True,
                  help="Capacity model of shelters, schools and clinics for new arrivals.")
err_console = Console(stderr=True)
console = Console()

from abm.network.cli import app as _network_app  # noqa: E402 - a broken import must surface

app.add_typer(_network_app, name="network", help="Multi-site allocation and Flee validation.")


_errors = one_line_errors


def _progress(label: str):
    bar = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=err_console, transient=True)
    return bar


def _inputs(arrivals: Path, facilities: Path | None, plans: Path | None, config: Path | None,
            step_days: int | None, select: dict | None = None):
    from abm import ABMConfig, default_facilities, read_arrivals, read_facilities, read_plans
    arr = read_arrivals(arrivals, **(select or {}))
    fac = read_facilities(facilities) if facilities else default_facilities()
    pl = read_plans(plans) if plans else None
    cfg = ABMConfig.from_json(config) if config else ABMConfig()
    if step_days is not None:
        try:
            cfg = cfg.with_(step_days=step_days)
        except ConfigError as err:
            raise ConfigError(f"--step-days: {err}") from None
    return arr, fac, pl, cfg


def _inputs_record(arrivals, facilities, plans, config) -> dict:
    from abm.export import file_digest
    rec = {"arrivals": {"path": str(arrivals), "sha256": file_digest(arrivals)}}
    rec["facilities"] = ({"path": str(facilities), "sha256": file_digest(facilities)}
                         if facilities else "bundled abm/data/facilities_default.csv (KAZ set)")
    if plans:
        rec["plans"] = {"path": str(plans), "sha256": file_digest(plans)}
    if config:
        rec["config_file"] = {"path": str(config), "sha256": file_digest(config)}
    from importlib.resources import as_file, files
    for name in ("afghan_demographics.csv", "abm_standards.csv"):
        with as_file(files("abm").joinpath("data", name)) as bundled:
            rec[name] = {"path": f"data/{name}", "sha256": file_digest(bundled)}
    return rec


def _check_out(out: Path, names: list[str], force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise ABMError(f"--out {out}: is a file, not a directory (nothing was run)")
    if force:
        return
    for name in names:
        for p in (out / name, out / f"{name}.json"):
            if p.exists():
                raise ABMError(f"{p}: file exists (use --force to replace it)")


def _mc(arr, fac, pl, cfg, runs, seed, dask):
    from abm import monte_carlo
    with _progress("Monte Carlo runs") as bar:
        task = bar.add_task("runs", total=runs)
        return monte_carlo(arr, fac, cfg, plans=pl, n_runs=runs, seed=seed, client=dask or None,
                           progress=lambda done, total: bar.update(task, completed=done))


ARRIVALS_HELP = "Arrivals CSV: ds, arrivals [+ path | quantile] (persons per month)."
FACILITIES_HELP = "Facilities CSV (default: the bundled Kazakhstan set, abm/data/facilities_default.csv)."
HOST_HELP = "Host (series_id) to take from a forecast paths file such as hosts.csv."

# Options shared by the commands (one definition each).
ArrivalsArg = Annotated[Path, typer.Argument(help=ARRIVALS_HELP)]
FacilitiesOpt = Annotated[Path | None, typer.Option("--facilities", "-f", help=FACILITIES_HELP)]
PlansOpt = Annotated[Path | None, typer.Option("--plans", "-p", help="Capacity-plan CSV.")]
ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="Config JSON.")]
RunsOpt = Annotated[int, typer.Option("--runs", "-n", help="Monte Carlo runs (1 to 10,000).")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed of the Monte Carlo (0 to 2**32-1).")]
StepDaysOpt = Annotated[int | None, typer.Option("--step-days", help="1 (daily) or 7 (weekly).")]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Output directory.")]
DaskOpt = Annotated[str | None, typer.Option("--dask", help="'local' or a scheduler address.")]
HostOpt = Annotated[str | None, typer.Option("--host", help=HOST_HELP)]
ModelOpt = Annotated[str | None, typer.Option("--model", help="Forecast model to take.")]
ScenarioOpt = Annotated[str | None, typer.Option("--scenario", help="Forecast scenario.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace existing output files.")]


@app.command()
@_errors
def run(
    arrivals: ArrivalsArg,
    facilities: FacilitiesOpt = None,
    plans: PlansOpt = None,
    config: ConfigOpt = None,
    runs: RunsOpt = 200,
    seed: SeedOpt = 0,
    step_days: StepDaysOpt = None,
    out: OutOpt = Path("abm_out"),
    keep_runs: Annotated[bool, typer.Option("--keep-runs", help="Also write every run's steps.")] = False,
    dask: DaskOpt = None,
    host: HostOpt = None,
    model: ModelOpt = None,
    scenario: ScenarioOpt = None,
    force: ForceOpt = False,
) -> None:
    """Monte Carlo on an arrivals CSV and a facilities CSV; writes quantiles and summaries."""
    from abm.export import provenance, write_csv
    names = ["quantiles.csv", "summary.csv", "summary_quantiles.csv", "p_shortfall.csv",
             "population_quantiles.csv"]
    if keep_runs:
        names += ["steps.csv", "population.csv"]
    runs, seed = check_int(runs, "n_runs", "--runs"), check_int(seed, "seed", "--seed")
    _check_out(out, names, force)
    arr, fac, pl, cfg = _inputs(arrivals, facilities, plans, config, step_days,
                                {"host": host, "model": model, "scenario": scenario})
    mc = _mc(arr, fac, pl, cfg, runs, seed, dask)
    prov = provenance(command="abm run", seed=seed, n_runs=runs, config=cfg.to_dict(),
                      selection={"host": host, "model": model, "scenario": scenario},
                      inputs=_inputs_record(arrivals, facilities, plans, config))
    frames = {"quantiles.csv": mc.quantiles, "summary.csv": mc.summary,
              "summary_quantiles.csv": mc.summary_quantiles, "p_shortfall.csv": mc.p_shortfall,
              "population_quantiles.csv": mc.population_quantiles}
    if keep_runs:
        frames.update({"steps.csv": mc.steps, "population.csv": mc.population})
    for name, frame in frames.items():
        write_csv(frame, out / name, prov, overwrite=force)
    table = Table(title=f"{runs} runs: median (90% interval)")
    for col in ("facility type", "peak shortfall", "days over capacity", "unmet total"):
        table.add_column(col)
    sq = mc.summary_quantiles
    from abm.schema import FACILITY_TYPES

    for ftype in FACILITY_TYPES:
        def fmt(metric, ftype=ftype):
            s = sq[(sq["facility_type"] == ftype) & (sq["metric"] == metric)].set_index("quantile")
            return f"{s.loc[0.5, 'value']:,.0f} ({s.loc[0.05, 'value']:,.0f}-{s.loc[0.95, 'value']:,.0f})"
        table.add_row(ftype, fmt("peak_shortfall"), fmt("days_over_capacity"), fmt("unmet_total"))
    console.print(table)
    console.print(f"wrote {len(frames)} CSV files with .json provenance to {out}")


@app.command()
@_errors
def advise(
    arrivals: ArrivalsArg,
    facilities: FacilitiesOpt = None,
    plans: PlansOpt = None,
    config: ConfigOpt = None,
    risk: Annotated[float, typer.Option("--risk", help="Accepted P(any shortfall), e.g. 0.1.")] = 0.1,
    lead_time: Annotated[list[str] | None, typer.Option("--lead-time",
                                        help="TYPE=DAYS, e.g. shelter=90 (repeatable).")] = None,
    runs: RunsOpt = 200,
    seed: SeedOpt = 0,
    step_days: StepDaysOpt = None,
    out: OutOpt = Path("abm_out"),
    dask: DaskOpt = None,
    host: HostOpt = None,
    model: ModelOpt = None,
    scenario: ScenarioOpt = None,
    force: ForceOpt = False,
) -> None:
    """Smallest added capacity per facility type for a risk level, and when to order it."""
    from abm import advise as advise_fn
    from abm.advice import check_risk
    from abm.errors import shown
    from abm.export import provenance, write_csv
    from abm.schema import check_lead_times
    leads = {}
    for item in lead_time or []:
        key, sep, val = item.partition("=")
        try:
            leads[key.strip()] = float(val)
            if not sep:
                raise ValueError
        except ValueError:
            raise ConfigError(f"--lead-time: expected TYPE=DAYS (days >= 0), got {shown(item)}") from None
    leads = check_lead_times(leads, "--lead-time")
    risk = check_risk(risk, "--risk")
    runs, seed = check_int(runs, "n_runs", "--runs"), check_int(seed, "seed", "--seed")
    _check_out(out, ["advice.csv", "advice_schedule.csv"], force)
    arr, fac, pl, cfg = _inputs(arrivals, facilities, plans, config, step_days,
                                {"host": host, "model": model, "scenario": scenario})
    mc = _mc(arr, fac, pl, cfg, runs, seed, dask)
    adv, sched = advise_fn(mc, risk=risk, lead_times=leads, facilities=fac, config=cfg)
    prov = provenance(command="abm advise", seed=seed, n_runs=runs, risk=risk, lead_times=leads,
                      selection={"host": host, "model": model, "scenario": scenario},
                      config=cfg.to_dict(), inputs=_inputs_record(arrivals, facilities, plans,
                                                                  config))
    write_csv(adv, out / "advice.csv", prov, overwrite=force)
    write_csv(sched, out / "advice_schedule.csv", prov, overwrite=force)
    for text in adv["explanation"]:
        console.print(text, markup=False, highlight=False)
    console.print(f"wrote advice.csv and advice_schedule.csv with .json provenance to {out}")


def _named(items: list[str] | None, flag: str) -> dict[str, Path]:
    out = {}
    for item in items or []:
        name, sep, path = item.partition("=")
        if not sep or not name.strip() or not path.strip():
            raise ConfigError(f"{flag}: expected NAME=FILE.csv, got {item[:60]!r}")
        if name.strip() in out:
            raise ConfigError(f"{flag}: name {name.strip()[:60]!r} given twice")
        out[name.strip()] = Path(path.strip())
    return out


@app.command()
@_errors
def sweep(
    scenario: Annotated[list[str], typer.Option("--scenario", "-s",
                                                help="NAME=ARRIVALS.csv (repeatable).")],
    plan: Annotated[list[str] | None, typer.Option("--plan", "-p",
                                                   help="NAME=PLANS.csv (repeatable).")] = None,
    facilities: FacilitiesOpt = None,
    config: ConfigOpt = None,
    seeds: Annotated[str, typer.Option("--seeds", help="Comma-separated seeds, e.g. 0,1,2.")] = "0",
    runs: Annotated[int, typer.Option("--runs", "-n", help="Runs per cell (1 to 10,000).")] = 50,
    step_days: StepDaysOpt = None,
    out: OutOpt = Path("abm_out"),
    dask: DaskOpt = None,
    host: HostOpt = None,
    model: ModelOpt = None,
    force: ForceOpt = False,
) -> None:
    """Scenarios x capacity plans x seeds, in-process or on Dask; writes stacked summaries."""
    from abm import ABMConfig, default_facilities, read_arrivals, read_facilities, read_plans
    from abm import sweep as sweep_fn
    from abm.errors import shown
    from abm.export import file_digest, provenance, write_csv
    try:
        seed_list = [int(x) for x in seeds.split(",") if x.strip()]
    except ValueError:
        raise ConfigError(f"--seeds: expected comma-separated integers, got {shown(seeds)}") from None
    if not seed_list:
        raise ConfigError("--seeds: give at least one seed")
    if len(seed_list) > 1000:
        raise ConfigError(f"--seeds: {len(seed_list):,} seeds; at most 1,000 cells of seeds")
    seed_list = [check_int(x, "seed", "--seeds") for x in seed_list]
    runs = check_int(runs, "n_runs", "--runs")
    names = ["sweep_summary.csv", "sweep_p_shortfall.csv", "sweep_summary_quantiles.csv"]
    _check_out(out, names, force)
    scen_files, plan_files = _named(scenario, "--scenario"), _named(plan, "--plan")
    scenarios = {k: read_arrivals(v, host=host, model=model) for k, v in scen_files.items()}
    plans = {k: read_plans(v) for k, v in plan_files.items()} or {"none": None}
    fac = read_facilities(facilities) if facilities else default_facilities()
    cfg = ABMConfig.from_json(config) if config else ABMConfig()
    if step_days is not None:
        try:
            cfg = cfg.with_(step_days=step_days)
        except ConfigError as err:
            raise ConfigError(f"--step-days: {err}") from None
    n_cells = len(scenarios) * len(plans) * len(seed_list)
    with _progress("Sweep cells") as bar:
        task = bar.add_task("cells", total=n_cells)
        frames = sweep_fn(scenarios, fac, plans, seeds=seed_list, config=cfg, n_runs=runs,
                          client=dask or None,
                          progress=lambda done, total: bar.update(task, completed=done))
    prov = provenance(command="abm sweep", seeds=seed_list, n_runs=runs, config=cfg.to_dict(),
                      scenarios={k: {"path": str(v), "sha256": file_digest(v)}
                                 for k, v in scen_files.items()},
                      plans={k: {"path": str(v), "sha256": file_digest(v)}
                             for k, v in plan_files.items()})
    for name, key in zip(names, ("summary", "p_shortfall", "summary_quantiles"), strict=True):
        write_csv(frames[key], out / name, prov, overwrite=force)
    console.print(f"wrote {', '.join(names)} ({n_cells} cells) with .json provenance to {out}")


@app.command()
@_errors
def export(
    out: Annotated[Path, typer.Argument(help="Directory to write the editable tables to.")],
    force: Annotated[bool, typer.Option("--force", help="Replace existing files.")] = False,
) -> None:
    """Write the bundled presets (facilities, standards, a plan template) to edit."""
    import pandas as pd

    from abm import default_facilities, load_standards
    from abm.export import provenance, write_csv
    names = ["facilities.csv", "standards.csv", "plans.csv"]
    _check_out(out, names, force)
    plan = pd.DataFrame({"facility_type": ["shelter"], "quantity": [500.0],
                         "quantity_unit": ["persons"], "ordered": ["2026-06-01"],
                         "lead_time_days": [90.0],
                         "note": ["example: +500 beds ordered in June, 90 days to build"]})
    prov = provenance(command="abm export")
    write_csv(default_facilities(), out / "facilities.csv",
              dict(prov, source="abm/data/facilities_default.csv (KAZ set)"), overwrite=force)
    write_csv(load_standards(), out / "standards.csv", dict(prov, source="abm/data/abm_standards.csv"),
              overwrite=force)
    write_csv(plan, out / "plans.csv", dict(prov, source="template"), overwrite=force)
    console.print(f"wrote {', '.join(names)} with .json provenance to {out}")


def main() -> None:
    """Console-script entry point ``abm``; ``--debug`` shows a bug's traceback."""
    debug = "--debug" in sys.argv[1:]
    args = [a for a in sys.argv[1:] if a != "--debug"]
    try:
        app(args=args, prog_name="abm")
    except KeyboardInterrupt:  # pragma: no cover
        err_console.print("abm: interrupted")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - a bug: short message unless --debug
        if debug:
            raise
        print(f"abm: unexpected error ({type(exc).__name__}); this is a bug: rerun with "
              "--debug for the traceback and report it", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
