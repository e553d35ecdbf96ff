"""Command line ``planner``: run the whole plan from a plan file exported by the app.

Bad input ends with one line ``planner: error: ...`` on stderr and exit code 2;
nothing is overwritten without ``--force``.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from forecast.cli import one_line, one_line_group

app = typer.Typer(add_completion=False, no_args_is_help=True, cls=one_line_group("planner"),
                  help="Scenario -> forecast -> host arrivals -> capacity -> advice, in one run.")

CSV_FILES = {"forecast": "forecast.csv", "paths": "paths.csv", "hosts": "hosts.csv",
             "arrivals": "arrivals.csv", "capacity": "capacity_quantiles.csv",
             "p_shortfall": "p_shortfall.csv", "advice": "advice.csv",
             "schedule": "schedule.csv"}
"""Key of :func:`planner.bundle.summary_frames` -> the CSV ``planner plan`` writes it to."""
OUTPUTS = (*CSV_FILES.values(), "plan.json", "workbook.xlsx", "brief.pdf")
"""Files ``planner plan`` writes (each CSV with a ``.json`` provenance sidecar)."""


class Dialect(StrEnum):
    tidy = "tidy"
    excel_ru = "excel-ru"


class Format(StrEnum):
    pdf = "pdf"
    html = "html"


class Lang(StrEnum):
    en = "en"
    ru = "ru"


def _user_errors():
    from abm.errors import ABMError
    from forecast.errors import ForecastError

    return (ForecastError, ABMError, FileExistsError)


@app.command()
def plan(file: Annotated[Path, typer.Argument(help="Plan file (JSON) exported by the app "
                                                   "or written by `planner template`.")],
         out: Annotated[Path, typer.Option(help="Output directory.")] = Path("plan_out"),
         force: Annotated[bool, typer.Option("--force", help="Replace existing files.")] = False,
         dialect: Annotated[Dialect, typer.Option(
             help="CSV dialect: tidy (`,`, decimal point) or excel-ru (`;`, decimal comma, "
                  "UTF-8 with BOM).")] = Dialect.tidy,
         lang: Annotated[Lang, typer.Option(help="Language of the brief and workbook.")
                         ] = Lang.en,
         cache: Annotated[bool, typer.Option(
             help="Keep the fitted models on disk and reuse them (PLANNER_CACHE_DIR, else "
                  "the user cache folder; the app shares it).")] = True,
         ) -> None:
    """Run the plan and write every frame the app shows, with provenance, the workbook
    (workbook.xlsx) and the decision brief (brief.pdf)."""
    try:
        _plan(file, out, force, dialect.value, lang.value, cache)
    except _user_errors() as exc:
        _fail(exc)


def _fail(exc: Exception):
    typer.echo(f"planner: error: {one_line(exc)}", err=True)
    raise typer.Exit(code=2) from None


def _refuse_existing(targets: list[Path], force: bool) -> None:
    if force:
        return
    for t in targets:
        for f in (t, t.with_name(t.name + ".json")):
            if f.exists():
                raise FileExistsError(f"{f} exists; pass --force to replace it")


def _plan(file: Path, out: Path, force: bool, dialect: str = "tidy", lang: str = "en",
          use_cache: bool = True) -> None:
    from forecast import export
    from planner import brief, bundle, cache, workbook
    from planner.pipeline import PlanSpec, run_plan

    spec = PlanSpec.read(file)
    _refuse_existing([out / n for n in OUTPUTS], force)
    brief.check_fonts()
    brief.warm_up_in_background()  # the brief's engines load while the model runs
    res = run_plan(spec, cache=cache.fit_cache() if use_cache else None)
    for line in res.warnings:
        typer.echo(f"planner: warning: {one_line(line)}", err=True)
    prov = export.provenance(None, spec.scenario, plan=spec.to_dict())
    if res.hosts is not None:
        prov.update({k: res.hosts.attrs[k] for k in ("data_end_year", "notes", "analogue")
                     if k in res.hosts.attrs})
    # the summary files rounded as the app's Export page rounds them; sample paths exact
    frames = bundle.summary_frames(res)
    for key, name in CSV_FILES.items():
        frame = frames[key]
        if frame is not None:
            export.write_csv(frame, out / name, prov, overwrite=force, dialect=dialect)
            typer.echo(f"wrote {out / name}")
    spec.write(out / "plan.json", overwrite=force)
    typer.echo(f"wrote {out / 'plan.json'}")
    (out / "workbook.xlsx").write_bytes(workbook.workbook_bytes(res, lang))
    typer.echo(f"wrote {out / 'workbook.xlsx'}")
    (out / "brief.pdf").write_bytes(brief.brief_pdf(res, lang))
    typer.echo(f"wrote {out / 'brief.pdf'}")


@app.command("brief")
def brief_command(
        file: Annotated[Path, typer.Argument(help="Plan file (JSON) exported by the app.")],
        out: Annotated[Path, typer.Option(help="Output directory.")] = Path("plan_out"),
        lang: Annotated[Lang, typer.Option(help="Language of the brief.")] = Lang.en,
        format: Annotated[Format, typer.Option("--format", help="pdf or html.")] = Format.pdf,
        force: Annotated[bool, typer.Option("--force", help="Replace the file.")] = False,
) -> None:
    """Run the plan and write its decision brief (brief.pdf or brief.html) only."""
    try:
        _brief(file, out, lang.value, format.value, force)
    except _user_errors() as exc:
        _fail(exc)


def _brief(file: Path, out: Path, lang: str, fmt: str, force: bool) -> None:
    from planner import brief, cache
    from planner.pipeline import PlanSpec, run_plan

    spec = PlanSpec.read(file)
    target = out / f"brief.{fmt}"
    if target.exists() and not force:
        raise FileExistsError(f"{target} exists; pass --force to replace it")
    brief.check_fonts()
    brief.warm_up_in_background()
    res = run_plan(spec, cache=cache.fit_cache())  # the fits kept on disk, as `plan` does
    out.mkdir(parents=True, exist_ok=True)
    if fmt == "pdf":
        target.write_bytes(brief.brief_pdf(res, lang))
    else:
        target.write_text(brief.brief_html(res, lang), encoding="utf-8")
    typer.echo(f"wrote {target}")


@app.command()
def template(file: Annotated[Path, typer.Argument(help="Where to write the plan JSON.")],
             force: Annotated[bool, typer.Option("--force", help="Replace the file.")] = False
             ) -> None:
    """Write the default plan (baseline scenario, Kazakhstan) as a starting point."""
    from planner.pipeline import PlanSpec

    try:
        PlanSpec().write(file, overwrite=force)
    except FileExistsError as exc:
        typer.echo(f"planner: error: {exc}", err=True)
        raise typer.Exit(code=2) from None
    typer.echo(f"wrote {file}")


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point (``planner``); ``--debug`` shows a bug's traceback."""
    from forecast.cli import run_cli

    return run_cli(app, "planner", argv)


if __name__ == "__main__":
    sys.exit(main())
