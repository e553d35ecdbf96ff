"""``abm network ...``: score Flee scenarios, run the Central Asian example.

Registered by ``abm/cli.py`` as the ``network`` sub-command. Bad input ends with
one line ``abm: error: ...`` on stderr and exit code 2; existing output files
are kept unless ``--force``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from abm.cli_errors import OneLineGroup, check_int, check_new_file, one_line_errors

app = typer.Typer(cls=OneLineGroup, add_completion=False, no_args_is_help=True,
                  help="Multi-site allocation over a network of sites and routes; Flee-format validation.")


_errors = one_line_errors


def _seeds(seeds: int, first_seed: int) -> list[int]:
    from abm.errors import ConfigError

    if not 1 <= seeds <= 1000:
        raise ConfigError(f"--seeds: must be 1 to 1,000 seeds, got {seeds}")
    first_seed = check_int(first_seed, "seed", "--first-seed")
    check_int(first_seed + seeds - 1, "seed", "--first-seed + --seeds - 1")
    return list(range(first_seed, first_seed + seeds))


@app.command("score")
@_errors
def score_cmd(
    scenario: Annotated[str, typer.Argument(help="Shared scenario name (burundi, mali, ethiopia, syria, "
                                   "mali_fabflee) or a Flee input directory (then give --validation).")],
    validation: Annotated[Path | None, typer.Option(help="Flee validation directory (data_layout.csv ...).")] = None,
    flee_dir: Annotated[Path | None, typer.Option("--flee-dir", help="Folder holding flee_conflict_input/ and "
                        "flee_conflict_validation/ (default $PLANNER_FLEE_DIR, else $PLANNER_RAW_DIR/flee).")] = None,
    entries: Annotated[str, typer.Option(help="Daily entries follow 'total' (refugees.csv, Flee 3.1) or "
                                         "'camps' (sum of the validation camps, Flee's sum_from_camps).")] = "total",
    seeds: Annotated[int, typer.Option(help="Number of seeds.")] = 5,
    first_seed: Annotated[int, typer.Option(help="First seed.")] = 0,
    out: Annotated[Path | None, typer.Option(help="Write the first seed's Flee-style out.csv here.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
) -> None:
    """Run a Flee scenario with the shared settings; print both ARDs and MASE per seed and mean +- sd.

    ARD (camps sum): each day's sum of |sim - data| over camps / the camps' observed sum.
    ARD (Flee total): the same / the cumulative refugees.csv count (Flee's out.csv "Total error").
    """
    from abm.errors import ConfigError
    from abm.network.engine import simulate
    from abm.network.flee_io import read_flee_scenario, write_flee_output
    from abm.network.runs import SHARED_SCENARIOS, load_shared, run_network_seeds, summarise
    from abm.network.sites import MoveRules

    seed_list = _seeds(seeds, first_seed)
    if out is not None:
        check_new_file(out, "--out", force)
    if scenario in SHARED_SCENARIOS and validation is None:
        sc, val = load_shared(scenario, flee_dir, entries=entries)
    else:
        if validation is None:
            raise ConfigError(f"{scenario[:200]}: not a shared scenario ({', '.join(SHARED_SCENARIOS)}); "
                              "for a Flee input directory give --validation")
        sc, val = read_flee_scenario(Path(scenario), validation, entries=entries)
    runs = run_network_seeds(sc, val, seed_list)
    typer.echo(runs.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    s = summarise(runs).iloc[0]
    sd = 0.0 if pd.isna(s["ard_sd"]) else s["ard_sd"]
    tsd = 0.0 if pd.isna(s["ard_total_sd"]) else s["ard_total_sd"]
    msd = 0.0 if pd.isna(s["mase_sd"]) else s["mase_sd"]
    typer.echo(f"{sc.name}: ARD (camps sum) {s['ard_mean']:.3f} +- {sd:.3f}, "
               f"ARD (Flee total) {s['ard_total_mean']:.3f} +- {tsd:.3f}, MASE {s['mase_mean']:.2f} +- {msd:.2f}, "
               f"rescaled ARD {s['ard_rescaled_mean']:.3f} over {int(s['seeds'])} seeds (entries: {entries}); "
               f"{s['person_days_per_s'] / 1e6:.1f} M person-days/s")
    if out is not None:
        r = simulate(sc, MoveRules(), seed=first_seed)
        write_flee_output(r, val, out, overwrite=force,
                          provenance={"rules": MoveRules().__dict__, "entries": entries,
                                      "command": "abm network score"})
        typer.echo(f"wrote {out}")


@app.command("example")
@_errors
def example_cmd(
    arrivals: Annotated[Path | None, typer.Option(help="Arrivals CSV (ds, arrivals[, path]); default: an "
                                         "ILLUSTRATIVE flat 300 persons/day.")] = None,
    path: Annotated[int, typer.Option(help="Which path of the arrivals frame to use.")] = 0,
    seed: Annotated[int, typer.Option(help="Seed.")] = 0,
    out: Annotated[Path | None, typer.Option(help="Write daily occupancy per site (CSV + .json sidecar).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
) -> None:
    """Run the ILLUSTRATIVE Central Asian host-area example and print where people are at the end."""
    from abm.errors import ConfigError, InputError
    from abm.network.engine import simulate
    from abm.network.runs import allocation_summary, central_asia_scenario
    from abm.schema import read_arrivals

    seed = check_int(seed, "seed", "--seed")
    path = check_int(path, "path", "--path")
    if out is not None:
        check_new_file(out, "--out", force)
    frame = None
    if arrivals is not None:
        arr = read_arrivals(arrivals)  # the checked reader: lines, bounds, UTF-8, ragged rows
        if arr.quantiles is not None:
            raise ConfigError(f"{arrivals}: give sample paths (ds, path, arrivals), not quantiles")
        if path >= arr.values.shape[0]:
            raise ConfigError(f"--path: {path} out of range 0..{arr.values.shape[0] - 1} ({arrivals})")
        frame = pd.DataFrame({"ds": arr.months, "arrivals": arr.values[path]})
    try:
        sc = central_asia_scenario(frame)
    except InputError as err:
        raise InputError(f"{arrivals}: {err}") from None
    r = simulate(sc, seed=seed)
    typer.echo("ILLUSTRATIVE network: capacities, origin weights and closures are assumptions "
               "(data/networks/central_asia/SOURCE.md).")
    typer.echo(allocation_summary(r).to_string(index=False))
    if out is not None:
        side = out.with_name(out.name + ".json")
        check_new_file(out, "--out", force)
        r.to_frame().to_csv(out, index=False)
        side.write_text(json.dumps({"scenario": sc.name, "seed": seed, "days": sc.days,
                                    "start": str(sc.start.date()), "arrivals": str(arrivals),
                                    "illustrative": True}, indent=2))
        typer.echo(f"wrote {out}")
