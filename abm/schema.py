"""Column vocabulary and input checks of ``abm`` (arrivals, facilities, capacity plans).

Every public entry point passes its inputs through ``read_*``/``check_*`` here;
errors are :class:`abm.errors.InputError` naming the source, the column and the
first bad rows.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from abm.errors import ConfigError, InputError, cut, shown

FACILITY_TYPES = ("shelter", "school", "clinic")
"""The facility types, in display order: the one home of this list in ``abm``."""
#: units a facility or plan quantity may be given in, per facility type
QUANTITY_UNITS = {
    "shelter": ("persons", "m2"),
    "school": ("classrooms", "seats"),
    "clinic": ("clinicians", "consultations_per_day"),
}
#: the unit every capacity is converted to, per facility type
CAPACITY_UNITS = {
    "shelter": "persons",
    "school": "seats",
    "clinic": "consultations per day",
}
FACILITY_COLUMNS = ("facility_id", "facility_type", "quantity", "quantity_unit")
FACILITY_OPTIONAL = ("name", "opens", "lead_time_days", "source")
PLAN_COLUMNS = ("facility_type", "quantity", "quantity_unit", "ordered")
PLAN_OPTIONAL = ("lead_time_days", "note")


# --------------------------------------------------------------------------- bounds
@dataclass(frozen=True)
class Bound:
    """A plausibility bound on a number a user gives: ``low <= value <= high`` [``unit``].

    ``low_open`` / ``high_open`` exclude the end itself; ``why`` says where the figure comes from.
    """

    low: float
    high: float
    unit: str
    why: str
    low_open: bool = False
    high_open: bool = False

    def text(self) -> str:
        lo, hi = ("(" if self.low_open else "["), (")" if self.high_open else "]")
        def num(v: float) -> str:
            return f"{v:,.10g}" if abs(v) >= 10_000 else f"{v:.10g}"

        return f"{lo}{num(self.low)}, {num(self.high)}{hi} {self.unit}"

    def holds(self, values) -> np.ndarray:
        """Boolean mask: finite and within the bound (NA counts as outside)."""
        v = np.asarray(values, dtype=float)
        with np.errstate(invalid="ignore"):
            ok = np.isfinite(v)
            ok &= (v > self.low) if self.low_open else (v >= self.low)
            ok &= (v < self.high) if self.high_open else (v <= self.high)
        return ok


MAX_PERSONS_PER_MONTH = 10_000_000
"""Ceiling on arrivals into one host area in one month [persons per month].

Why 10 million: the largest monthly flow in the project's data
(``forecast/data/movement_monthly.csv``) is 66,116 persons (Frontex, Afghans,
2015-10) and the largest stock of Afghan refugees in any host and year
(``forecast/data/hosts_afghan_annual.csv``) is 3,752,317 persons; 10 million in
one month is about 150 times that flow and 2.7 times that whole stock, so any
value above it is a unit or typing error (1e12, 1e300), not a scenario. It also
keeps every count exact in float64 and int64 (see :data:`MAX_TOTAL_PERSONS`)."""

BOUNDS: dict[str, Bound] = {
    # inputs (arrivals, facilities, plans)
    "arrivals": Bound(0, MAX_PERSONS_PER_MONTH, "persons per month per host area",
                      "MAX_PERSONS_PER_MONTH: 150 x the largest monthly flow in the project's data"),
    "months": Bound(1, 1200, "months of arrivals",
                    "100 years: longer horizons are not capacity planning (the Flee reader's MAX_DAYS too)"),
    "year": Bound(1900, 2200, "calendar year of any date (ds, opens, ordered)",
                  "pandas dates end in 2262; 1900-2200 covers every record and plan"),
    "lead_time_days": Bound(0, 3650, "days from order to service",
                            "10 years: longer than any build or hiring lead time"),
    "quantity.persons": Bound(0, MAX_PERSONS_PER_MONTH, "persons (shelter places)",
                              "room for the arrivals ceiling", low_open=True),
    "quantity.m2": Bound(0, 3.5 * MAX_PERSONS_PER_MONTH, "m2 of covered living space",
                         "the arrivals ceiling x Sphere's 3.5 m2 per person", low_open=True),
    "quantity.seats": Bound(0, MAX_PERSONS_PER_MONTH, "school seats",
                            "room for the arrivals ceiling", low_open=True),
    "quantity.classrooms": Bound(0, MAX_PERSONS_PER_MONTH / 40, "classrooms",
                                 "the arrivals ceiling / 40 pupils per class", low_open=True),
    "quantity.clinicians": Bound(0, MAX_PERSONS_PER_MONTH / 50, "clinicians",
                                 "the arrivals ceiling / 50 consultations per clinician-day",
                                 low_open=True),
    "quantity.consultations_per_day": Bound(0, MAX_PERSONS_PER_MONTH, "consultations per day",
                                            "one a day for the arrivals ceiling", low_open=True),
    # run arguments
    "n_runs": Bound(1, 10_000, "Monte Carlo runs",
                    "10,000 runs put a 5% tail probability within +-0.0022 (standard error); "
                    "10^6 runs took minutes and gigabytes"),
    "seed": Bound(0, 2**32 - 1, "seed (integer)", "numpy's 32-bit seed range; negative seeds fail"),
    "risk": Bound(0, 1, "probability of any shortfall", "a probability; 1 would accept any plan",
                  high_open=True),
    "path": Bound(0, 2**31 - 1, "path id (integer)", "an index"),
    # configuration (abm.config.ABMConfig); defaults cited in data/abm_standards.csv
    "m2_per_person": Bound(0, 100, "m2 per person", "Sphere minimum 3.5; 100 is a villa",
                           low_open=True),
    "pupils_per_class": Bound(1, 200, "pupils per class", "UNHCR 40; 200 is no class"),
    "school_shifts": Bound(1, 4, "shifts per day", "double shifts are common; 4 fill a day"),
    "consultations_per_clinician_day": Bound(0, 500, "consultations per clinician-day",
                                             "UNHCR ceiling 50", low_open=True),
    "clinic_days_per_week": Bound(0, 7, "days per week", "a week has 7 days", low_open=True),
    "visits_per_person_year": Bound(0, 365, "consultations per person-year", "one a day at most"),
    "anc_contacts_per_pregnancy": Bound(0, 100, "contacts per pregnancy", "WHO 2016 recommends 8"),
    "pregnancy_days": Bound(0, 300, "days", "280 days", low_open=True),
    "chronic_visits_per_year": Bound(0, 365, "consultations per patient-year", "one a day at most"),
    "household_size_mean": Bound(1, 50, "persons per household", "PFDS 2024 8.9"),
    "mean_stay_days": Bound(0, 36_600, "days", "100 years", low_open=True),
    "stay_cv": Bound(0, 10, "coefficient of variation", "a CV of 10 is already extreme",
                     low_open=True),
}
"""Every plausibility bound of ``abm``, by name (the name is given in each error).
Shares (``*_share*``, ``exit_shares``) are in [0, 1]; ``step_days`` is 1 or 7."""

MAX_TOTAL_PERSONS = 2**53
"""Persons over one path that float64 still counts exactly: :func:`abm.model.round_persons` refuses more."""

MEMORY_BUDGET_BYTES = 4 * 2**30
"""Largest memory a run or Monte Carlo may need by the estimate of :func:`check_memory` [bytes] (4 GiB)."""
BYTES_PER_PERSON = 48
"""Memory per arriving person of one run [bytes] (measured: 5 million persons in one month
raised peak RSS by 219 MB, 44 bytes per person; ``benchmarks/abm_memory.py``)."""
BYTES_PER_RUN_STEP = 1300
"""Memory per run and step of a Monte Carlo's frames [bytes] (measured: 1,000 runs of 731
daily steps took 900 MB above a 10-run baseline, 1.23 kB per run-step; ``benchmarks/abm_memory.py``)."""


def bound_error(name: str, source: str, what: str, value=None) -> str:
    """The message for a value outside ``BOUNDS[name]``: names the bound, its range and unit."""
    b = BOUNDS[name]
    got = "" if value is None else f", got {shown(value)}"
    where = f"{source}: " if source else ""
    return f"{where}{what} must be in {b.text()}{got} (plausibility bound {name!r}: {b.why})"


def check_number(value, name: str, source: str, *, integer: bool = False):
    """``value`` checked against ``BOUNDS[name]`` (``integer``: a whole number, bool refused).

    Returns the value (an ``int`` when ``integer``); raises :class:`ConfigError` naming ``source``.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ConfigError(f"{source}: expected a number, got {shown(value)}")
    if integer:
        if isinstance(value, float | np.floating) and not (np.isfinite(value) and value == int(value)):
            raise ConfigError(f"{source}: expected a whole number, got {shown(value)}")
        value = int(value)
        if not BOUNDS[name].low <= value <= BOUNDS[name].high:
            raise ConfigError(bound_error(name, source, "the value", value))
        return value
    if not BOUNDS[name].holds([value])[0]:
        raise ConfigError(bound_error(name, source, "the value", value))
    return float(value)


def check_memory(max_persons: float, n_runs: int, n_steps: int, source: str) -> None:
    """Refuse up front what would need more than :data:`MEMORY_BUDGET_BYTES`.

    Estimate [bytes] = ``max_persons`` (the largest path's total) x :data:`BYTES_PER_PERSON`
    + ``n_runs`` x ``n_steps`` x :data:`BYTES_PER_RUN_STEP`.
    """
    need = float(max_persons) * BYTES_PER_PERSON + float(n_runs) * n_steps * BYTES_PER_RUN_STEP
    if need > MEMORY_BUDGET_BYTES:
        raise ConfigError(
            f"{source}: would need about {need / 2**30:,.1f} GiB, over the memory budget of "
            f"{MEMORY_BUDGET_BYTES / 2**30:.0f} GiB ({max_persons:,.0f} persons on the largest path, "
            f"{n_runs:,} runs x {n_steps:,} steps); use fewer runs, weekly steps or a shorter horizon")


ARRIVALS_COLUMNS = ("ds", "arrivals", "path", "quantile")
"""Columns an arrivals frame may hold (``ds, arrivals`` required; ``path`` or ``quantile``)."""
FORECAST_ARRIVALS_COLUMNS = ("series_id", "ds", "model", "scenario", "path", "quantile", "value")
"""Columns a forecast paths/quantile file read as arrivals may hold (``hosts.csv``, ``paths.csv``)."""

LINE = "file line"
"""Index name of a frame read by :func:`read_table`: its labels are file lines (header = line 1)."""
MAX_INPUT_BYTES = 256 * 2**20
"""Largest CSV file ``abm`` reads [bytes] (256 MiB: a forecast paths file of 1,000 paths x
120 months x 5 hosts x 4 models is about 150 MB)."""


def read_table(path: str | Path, what: str) -> pd.DataFrame:
    """Read a CSV file as text cells, checked: the one CSV reader of ``abm``'s tables.

    UTF-8 (a byte-order mark is fine), at most :data:`MAX_INPUT_BYTES`, a header
    row, every row as many cells as the header, no field longer than Python's
    csv limit (131,072 characters). Blank lines are skipped; cells are stripped
    and an empty cell is NA. The index holds each row's file line (header =
    line 1; index name :data:`LINE`), so errors name file lines.
    Raises :class:`InputError` naming the file and the line.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: {what} file not found")
    size = path.stat().st_size
    if size > MAX_INPUT_BYTES:
        raise InputError(f"{path}: {what} file is {size / 2**20:,.0f} MiB, over the "
                         f"{MAX_INPUT_BYTES / 2**20:.0f} MiB limit of abm's CSV reader")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        raise InputError(f"{path}, line {line}: {what} file is not UTF-8 text (byte {err.start}); "
                         "save it as UTF-8") from None
    if "\x00" in text:
        line = text[:text.index("\x00")].count("\n") + 1
        raise InputError(f"{path}, line {line}: {what} file holds a NUL byte (not a text CSV)")
    reader = csv.reader(io.StringIO(text, newline=""))
    header, header_line, rows, lines = None, 0, [], []
    prev = 0
    try:
        for row in reader:
            start, prev = prev + 1, reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # a blank line
            if header is None:
                header, header_line = [c.strip() for c in row], start
                continue
            if len(row) != len(header):
                raise InputError(f"{path}, line {start}: {len(row)} cells for the {len(header)} "
                                 f"columns of the header (line {header_line})")
            rows.append(row)
            lines.append(start)
    except csv.Error as err:
        raise InputError(f"{path}, line {reader.line_num}: cannot read {what} CSV ({err})") from None
    if header is None:
        raise InputError(f"{path}: {what} file is empty (no header row)")
    blank = [i + 1 for i, h in enumerate(header) if not h]
    if blank:
        raise InputError(f"{path}, line {header_line}: header cell {blank[0]} is empty "
                         "(every column needs a name)")
    dup = sorted({h for h in header if header.count(h) > 1})
    if dup:
        raise InputError(f"{path}, line {header_line}: column(s) {', '.join(map(shown, dup))} "
                         "given twice")
    frame = pd.DataFrame(rows, columns=header, dtype=object,
                         index=pd.Index(lines, name=LINE, dtype="int64"))
    for col in frame.columns:
        cells = frame[col].str.strip()
        frame[col] = cells.where(cells != "", None)
    return frame


def _require_frame(frame, columns, source: str, allowed=None) -> None:
    """InputError unless ``frame`` is a DataFrame holding every one of ``columns``
    (and, given ``allowed``, no other column)."""
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"{source}: expected a pandas DataFrame, got {type(frame).__name__}")
    have = [str(c) for c in frame.columns]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"{source}: missing column(s) {', '.join(missing)} "
            f"(have {', '.join(map(shown, have[:20])) or 'none'})"
        )
    if allowed is not None:
        unknown = [c for c in have if c not in allowed]
        if unknown:
            raise InputError(
                f"{source}: unknown column(s) {', '.join(map(shown, unknown[:10]))} "
                f"(allowed: {', '.join(allowed)}; a renamed column is not read)"
            )


def _where(frame: pd.DataFrame) -> tuple[str, np.ndarray]:
    """How to name rows of ``frame`` in errors: file lines or index labels."""
    word = "lines" if frame.index.name == LINE else "rows"
    return word, np.asarray(frame.index)


def _first_rows(mask, where: tuple[str, np.ndarray], n: int = 5) -> str:
    word, labels = where
    idx = np.flatnonzero(np.asarray(mask))[:n]
    return f"first bad {word}: " + ", ".join(shown(labels[i]) if not isinstance(
        labels[i], int | np.integer) else str(labels[i]) for i in idx)


def _bad(source: str, column: str, what: str, mask, where) -> InputError:
    if isinstance(where, pd.DataFrame):
        where = _where(where)
    return InputError(f"{source}: column '{column}' {what} ({_first_rows(mask, where)})")


def _out_of_bound(source: str, column: str, name: str, mask, where) -> InputError:
    b = BOUNDS[name]
    return _bad(source, column, f"must be in {b.text()} (plausibility bound {name!r}: {b.why})",
                mask, where)


def _read_csv(path: str | Path, what: str) -> pd.DataFrame:
    return read_table(path, what)


def _to_dates(frame: pd.DataFrame, column: str, source: str, *, allow_na: bool,
              where=None) -> pd.Series:
    where = where if where is not None else _where(frame)
    raw = frame[column]
    present = raw.notna().to_numpy().copy()
    if present.any() and raw.dtype == object:
        present &= (raw.astype("string").str.strip().fillna("") != "").to_numpy()
    if len(raw) and pd.api.types.is_datetime64_any_dtype(raw):
        parsed = pd.to_datetime(raw)
    elif len(raw):
        parsed = pd.to_datetime(raw, errors="coerce", format="ISO8601")
    else:
        parsed = raw.astype("datetime64[ns]")
    b = BOUNDS["year"]
    year = parsed.dt.year.to_numpy(dtype=float, na_value=np.nan).copy()
    unparsed = np.flatnonzero(present & np.isnan(year))
    if unparsed.size:  # years pandas cannot hold (2262 on) come back as NaT: read them as text
        text = raw.iloc[unparsed].astype("string").str.strip()
        year[unparsed] = pd.to_numeric(text.str.extract(r"^(-?\d+)-", expand=False),
                                       errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    out_of_range = present & ~np.isnan(year) & ~b.holds(np.nan_to_num(year, nan=b.low))
    if out_of_range.any():
        raise _out_of_bound(source, column, "year", out_of_range, where)
    bad = parsed.isna().to_numpy() & present
    if bad.any():
        raise _bad(source, column, "has values that are not dates (YYYY-MM-DD)", bad, where)
    if not allow_na and parsed.isna().any():
        raise _bad(source, column, "has missing dates", parsed.isna(), where)
    return parsed


def _to_numbers(frame: pd.DataFrame, column: str, source: str, where=None) -> pd.Series:
    where = where if where is not None else _where(frame)
    raw = frame[column]
    if raw.dtype == bool:
        raise _bad(source, column, "has values that are not numbers (True/False)",
                   np.ones(len(raw), bool), where)
    values = pd.to_numeric(raw, errors="coerce")
    bad = values.isna() & raw.notna()
    if bad.any():
        raise _bad(source, column, "has values that are not numbers (leave the cell empty for NA)",
                   bad, where)
    return values.astype(float)


# --------------------------------------------------------------------------- arrivals
@dataclass(frozen=True)
class Arrivals:
    """Checked arrivals: month starts and either sample paths or quantiles.

    months: month starts (datetime64), contiguous.
    values: persons arriving per month, shape (n_paths, n_months) or (n_quantiles, n_months).
    quantiles: None for paths; the quantile levels (ascending) for the quantile form.
    """

    months: pd.DatetimeIndex
    values: np.ndarray
    quantiles: tuple[float, ...] | None = None

    @property
    def n_paths(self) -> int:
        return 0 if self.quantiles is not None else int(self.values.shape[0])


def read_arrivals(path: str | Path, *, host: str | None = None, model: str | None = None,
                  scenario: str | None = None) -> Arrivals:
    """Read an arrivals CSV (``ds, arrivals`` with optional ``path`` or ``quantile``).

    Also reads the forecast's paths or forecast files (``series_id, ds, model,
    scenario, path|quantile, value``, e.g. ``hosts.csv``): rows are selected by
    ``host`` (the ``series_id``), ``model`` and ``scenario``; each selector may be
    left out when the file holds a single value of it.
    """
    frame = _read_csv(path, "arrivals")
    frame = select_arrivals(frame, host=host, model=model, scenario=scenario, source=str(path))
    return check_arrivals(frame, source=str(path))


def select_arrivals(frame: pd.DataFrame, *, host: str | None = None, model: str | None = None,
                    scenario: str | None = None, source: str = "arrivals frame") -> pd.DataFrame:
    """Turn a forecast paths/quantile frame into an arrivals frame (no-op for arrivals frames).

    Input columns ``series_id, ds, model, scenario, path|quantile, value`` (value
    in persons per month); output ``ds, path|quantile, arrivals``.
    """
    if "arrivals" in frame.columns or "value" not in frame.columns:
        given = [f for f, v in (("host", host), ("model", model), ("scenario", scenario))
                 if v is not None]
        if given:
            raise InputError(f"{source}: {', '.join(given)} given, but this is an arrivals frame "
                             "(ds, arrivals), not a forecast file (series_id, ds, model, scenario, "
                             "path|quantile, value): leave --" + " / --".join(given) + " out")
        return frame
    _require_frame(frame, ("ds", "value"), source, allowed=FORECAST_ARRIVALS_COLUMNS)
    out = frame
    for column, wanted, flag in (("series_id", host, "host"), ("model", model, "model"),
                                 ("scenario", scenario, "scenario")):
        if column not in out.columns:
            continue
        values = sorted(out[column].astype(str).unique())
        if wanted is None:
            if len(values) > 1:
                raise InputError(
                    f"{source}: column '{column}' holds several values "
                    f"({', '.join(map(cut, values[:10]))}); "
                    f"choose one with {flag}=... (--{flag})")
            continue
        if str(wanted) not in values:
            raise InputError(
                f"{source}: column '{column}' has no rows for {shown(wanted)} "
                f"(have {', '.join(map(cut, values[:10]))})")
        out = out[out[column].astype(str) == str(wanted)]
    keep = ["ds"] + [c for c in ("path", "quantile") if c in out.columns] + ["value"]
    return out[keep].rename(columns={"value": "arrivals"})


def check_arrivals(frame: pd.DataFrame | Arrivals, *, source: str = "arrivals frame") -> Arrivals:
    """Check an arrivals frame (docs/architecture.md) and return :class:`Arrivals`.

    Columns: ``ds`` (month start), ``arrivals`` (persons arriving in that month,
    >= 0; NA is an error: a forecast path must give every month), and either
    ``path`` (int sample-path id) or ``quantile`` (level in (0, 1)), or neither
    (one path). Months must be contiguous and identical across paths/quantiles.
    A forecast paths or quantile frame of a single host, model and scenario
    (``series_id, ds, model, scenario, path|quantile, value``) is accepted too.
    """
    if isinstance(frame, Arrivals):
        return frame
    _require_frame(frame, (), source)
    frame = select_arrivals(frame, source=source)  # a one-host forecast paths frame is fine
    _require_frame(frame, ("ds", "arrivals"), source, allowed=ARRIVALS_COLUMNS)
    if len(frame) == 0:
        raise InputError(f"{source}: no rows (a header alone is not an arrivals frame)")
    if "path" in frame.columns and "quantile" in frame.columns:
        raise InputError(f"{source}: give either a 'path' or a 'quantile' column, not both")
    where = _where(frame)
    frame = frame.reset_index(drop=True)
    ds = _to_dates(frame, "ds", source, allow_na=False, where=where)
    not_start = ds.dt.day != 1
    if not_start.any():
        raise _bad(source, "ds", "has dates that are not month starts", not_start, where)
    arrivals = _to_numbers(frame, "arrivals", source, where)
    if arrivals.isna().any():
        raise _bad(source, "arrivals", "has missing values (NA is not zero: give every month)",
                   arrivals.isna(), where)
    bad = ~np.isfinite(arrivals) | (arrivals < 0)
    if bad.any():
        raise _bad(source, "arrivals", "has negative or infinite values", bad, where)
    bad = ~BOUNDS["arrivals"].holds(arrivals)
    if bad.any():
        raise _out_of_bound(source, "arrivals", "arrivals", bad, where)
    key = "path" if "path" in frame.columns else "quantile" if "quantile" in frame.columns else None
    if key is None:
        keys = pd.Series(np.zeros(len(frame)), index=frame.index)
    else:
        keys = _to_numbers(frame, key, source, where)
        if keys.isna().any():
            raise _bad(source, key, "has missing values", keys.isna(), where)
        if key == "quantile":
            bad = ~((keys > 0) & (keys < 1))
            if bad.any():
                raise _bad(source, key, "has levels outside (0, 1)", bad, where)
        else:
            bad = ~BOUNDS["path"].holds(keys) | (keys != np.round(keys))
            if bad.any():
                raise _bad(source, key, "has values that are not path ids (whole numbers "
                           f"in {BOUNDS['path'].text()})", bad, where)
    tidy = pd.DataFrame({"key": keys.to_numpy(), "ds": ds.dt.to_period("M").dt.to_timestamp(),
                         "arrivals": arrivals.to_numpy()})
    dup = tidy.duplicated(["key", "ds"], keep="first")
    if dup.any():
        raise _bad(source, "ds", f"repeats a month within one {key or 'path'}", dup, where)
    months = pd.date_range(tidy["ds"].min(), tidy["ds"].max(), freq="MS")
    if not BOUNDS["months"].holds([len(months)])[0]:
        raise InputError(bound_error("months", source, f"the horizon ({len(months):,} months "
                                     f"from {months[0].date()} to {months[-1].date()})"))
    n_keys = tidy["key"].nunique()
    if n_keys * len(months) > 2 * len(tidy) + 1000:
        raise InputError(f"{source}: column 'ds' has gaps: {len(tidy):,} rows for {n_keys:,} "
                         f"{key or 'path'}(s) x {len(months):,} months (months must be contiguous)")
    wide = tidy.pivot(index="key", columns="ds", values="arrivals").reindex(columns=months)
    if wide.isna().any().any():
        gaps = [str(m.date()) for m in months[wide.isna().any(axis=0).to_numpy()]][:5]
        raise InputError(
            f"{source}: column 'ds' has gaps: months {', '.join(gaps)} are missing "
            f"for some {key or 'path'} (months must be contiguous)"
        )
    values = wide.to_numpy(dtype=float)
    quantiles = None
    if key == "quantile":
        quantiles = tuple(float(q) for q in wide.index)
        crossing = np.diff(values, axis=0) < -1e-9
        if crossing.any():
            col = int(np.flatnonzero(crossing.any(axis=0))[0])
            raise InputError(
                f"{source}: column 'arrivals' has crossing quantiles (month {months[col].date()})"
            )
    return Arrivals(months=pd.DatetimeIndex(months), values=values, quantiles=quantiles)


def arrivals_paths(arrivals: Arrivals, n_runs: int, rng: np.random.Generator) -> np.ndarray:
    """Arrival paths for ``n_runs`` runs, shape (n_runs, n_months) [persons per month].

    Sample paths are used in turn (run r takes path r mod n_paths). Quantile
    input is turned into paths comonotonically: run r draws one level
    u ~ U(0, 1) from ``rng`` and takes the linearly interpolated quantile at u
    in every month (levels beyond the outermost quantiles are clamped). This
    assumes perfect rank correlation across months: a documented simplification
    that widens totals compared with independent months.
    """
    if arrivals.quantiles is None:
        idx = np.arange(n_runs) % arrivals.values.shape[0]
        return arrivals.values[idx]
    levels = np.asarray(arrivals.quantiles)
    u = rng.uniform(0.0, 1.0, size=n_runs)
    out = np.empty((n_runs, arrivals.values.shape[1]))
    for m in range(arrivals.values.shape[1]):
        out[:, m] = np.interp(u, levels, arrivals.values[:, m])
    return out


# --------------------------------------------------------------------------- facilities
def read_facilities(path: str | Path) -> pd.DataFrame:
    """Read and check a facilities CSV (see :func:`check_facilities`).

    A file with a header and no rows is refused: it would mean no capacity at all
    (a frame with no rows passed to :func:`check_facilities` does mean that).
    """
    frame = read_table(path, "facilities")
    _require_frame(frame, FACILITY_COLUMNS, str(path), allowed=FACILITY_COLUMNS + FACILITY_OPTIONAL)
    if len(frame) == 0:
        raise InputError(f"{path}: no facility rows (a header alone would mean no capacity at all; "
                         "leave --facilities out to use the bundled preset)")
    return check_facilities(frame, source=str(path))


DEFAULT_FACILITIES_FILE = "facilities_default.csv"
"""Package data (``abm/data/``): the bundled default facility set of each host, written by
``data/build.py`` (:func:`facility_sets` there: capacity for the host's latest UNHCR
Afghan caseload at Sphere/UNHCR standards). Columns: ``host_iso3`` (ISO 3166-1 alpha-3),
``set_label``, ``caseload_persons`` [persons], ``caseload_year``, then the facilities
columns."""
DEFAULT_SET_COLUMNS = ("host_iso3", "set_label", "caseload_persons", "caseload_year")


@dataclass(frozen=True)
class FacilitySet:
    """A bundled default facility set: ``host`` (ISO3), ``label`` (what it is and the UNHCR
    figure it is sized from), ``caseload`` [persons], ``year`` (of that figure),
    ``facilities`` (checked, columns as :func:`check_facilities`)."""

    host: str
    label: str
    caseload: int
    year: int
    facilities: pd.DataFrame


def _default_sets() -> pd.DataFrame:
    from importlib.resources import files

    with files("abm").joinpath("data", DEFAULT_FACILITIES_FILE).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype={"opens": str, "host_iso3": str})


def default_facility_hosts() -> tuple[str, ...]:
    """ISO3 codes of the hosts with a bundled default facility set, in file order."""
    return tuple(dict.fromkeys(_default_sets()["host_iso3"]))


def default_facility_set(host: str) -> FacilitySet:
    """The bundled default facility set of ``host`` (ISO3, e.g. ``"TJK"``).

    Illustrative, standard-sized facilities for the host's latest UNHCR Afghan caseload
    (every row's ``source`` gives the figure and the standard behind its number); not an
    inventory of real facilities. Raises :class:`InputError` for a host without a set.
    """
    sets = _default_sets()
    sub = sets[sets["host_iso3"] == str(host)]
    if sub.empty:
        raise InputError(f"abm/data/{DEFAULT_FACILITIES_FILE}: no default facility set for host "
                         f"{shown(host)} (bundled: {', '.join(default_facility_hosts())}); "
                         "give your own facilities table")
    first = sub.iloc[0]
    fac = check_facilities(sub.drop(columns=list(DEFAULT_SET_COLUMNS)).reset_index(drop=True),
                           source=f"abm/data/{DEFAULT_FACILITIES_FILE} ({host})")
    return FacilitySet(str(host), str(first["set_label"]), int(first["caseload_persons"]),
                       int(first["caseload_year"]), fac)


def check_facilities(frame: pd.DataFrame, *, source: str = "facilities frame") -> pd.DataFrame:
    """Check a facilities table and return a clean copy.

    Columns: ``facility_id`` (unique str), ``facility_type`` (shelter, school,
    clinic), ``quantity`` (> 0) in ``quantity_unit`` (shelter: persons or m2
    of covered living space; school: classrooms or seats; clinic: clinicians
    or consultations_per_day); optional ``name``, ``opens`` (date the capacity
    is available; empty = from the start), ``lead_time_days`` (days needed to
    add capacity of this kind, >= 0; used by :func:`abm.advise`), ``source``.
    """
    _require_frame(frame, FACILITY_COLUMNS, source,
                   allowed=FACILITY_COLUMNS + FACILITY_OPTIONAL)
    where = _where(frame)
    out = frame.reset_index(drop=True).copy()
    for col in FACILITY_OPTIONAL:
        if col not in out.columns:
            out[col] = pd.NA
    ids = out["facility_id"]
    blank = ids.isna().to_numpy() | (ids.astype("string").str.strip().fillna("") == "").to_numpy()
    if blank.any():
        raise _bad(source, "facility_id", "has blank ids (every facility needs an id)", blank, where)
    out["facility_id"] = ids.astype(str).str.strip()
    dup = out["facility_id"].duplicated()
    if dup.any():
        raise _bad(source, "facility_id", "has duplicate ids", dup, where)
    _check_type_unit(out, source, where)
    out["quantity"] = _to_numbers(out, "quantity", source, where)
    bad = out["quantity"].isna() | (out["quantity"] <= 0)
    if bad.any():
        raise _bad(source, "quantity", "must be a positive number", bad, where)
    _check_quantity_bounds(out, source, where)
    out["opens"] = _to_dates(out, "opens", source, allow_na=True, where=where)
    out["lead_time_days"] = _to_numbers(out, "lead_time_days", source, where)
    _check_lead_times(out["lead_time_days"], source, where)
    return out[list(FACILITY_COLUMNS) + list(FACILITY_OPTIONAL)]


def _check_quantity_bounds(out: pd.DataFrame, source: str, where) -> None:
    for unit in out["quantity_unit"].unique():
        rows = (out["quantity_unit"] == unit).to_numpy()
        bad = rows & ~BOUNDS[f"quantity.{unit}"].holds(out["quantity"].to_numpy())
        if bad.any():
            raise _out_of_bound(source, "quantity", f"quantity.{unit}", bad, where)


def _check_lead_times(lead: pd.Series, source: str, where) -> None:
    bad = lead.notna().to_numpy() & ~BOUNDS["lead_time_days"].holds(lead.to_numpy())
    if bad.any():
        raise _out_of_bound(source, "lead_time_days", "lead_time_days", bad, where)


def check_lead_times(lead_times: dict | None, source: str = "lead_times") -> dict[str, float]:
    """Lead times by facility type [days], each within ``BOUNDS['lead_time_days']``."""
    out = {}
    for key, value in dict(lead_times or {}).items():
        if key not in FACILITY_TYPES:
            raise ConfigError(f"{source}: unknown facility type {shown(key)} "
                              f"(known: {', '.join(FACILITY_TYPES)})")
        out[key] = check_number(value, "lead_time_days", f"{source} {key}")
    return out


def _check_type_unit(out: pd.DataFrame, source: str, where) -> None:
    out["facility_type"] = out["facility_type"].astype(str).str.strip().str.lower()
    bad = ~out["facility_type"].isin(FACILITY_TYPES)
    if bad.any():
        raise _bad(source, "facility_type", f"must be one of {', '.join(FACILITY_TYPES)}", bad,
                   where)
    out["quantity_unit"] = out["quantity_unit"].astype(str).str.strip()
    ok = [u in QUANTITY_UNITS[t] for t, u in zip(out["facility_type"], out["quantity_unit"],
                                                  strict=True)]
    bad = ~np.asarray(ok, dtype=bool)
    if bad.any():
        allowed = "; ".join(f"{t}: {', '.join(u)}" for t, u in QUANTITY_UNITS.items())
        raise _bad(source, "quantity_unit", f"does not fit the facility type ({allowed})", bad,
                   where)


# --------------------------------------------------------------------------- capacity plans
def read_plans(path: str | Path) -> pd.DataFrame:
    """Read and check a capacity-plan CSV (see :func:`check_plans`)."""
    return check_plans(_read_csv(path, "capacity plan"), source=str(path))


def empty_plans() -> pd.DataFrame:
    """A capacity plan with no expansions."""
    return pd.DataFrame({
        "facility_type": pd.Series([], dtype=str), "quantity": pd.Series([], dtype=float),
        "quantity_unit": pd.Series([], dtype=str), "ordered": pd.Series([], dtype="datetime64[ns]"),
        "lead_time_days": pd.Series([], dtype=float), "note": pd.Series([], dtype=str),
    })


def check_plans(frame: pd.DataFrame | None, *, source: str = "capacity plan") -> pd.DataFrame:
    """Check a capacity plan: expansions a planner edits ("+500 beds ordered 2026-06-01").

    Columns: ``facility_type``, ``quantity`` (> 0, added capacity) in
    ``quantity_unit`` (as for facilities), ``ordered`` (date the expansion is
    ordered), optional ``lead_time_days`` (>= 0, default 0; the capacity is
    available from ``ordered + lead_time_days``) and ``note``.
    """
    if frame is None:
        return empty_plans()
    _require_frame(frame, PLAN_COLUMNS, source, allowed=PLAN_COLUMNS + PLAN_OPTIONAL)
    where = _where(frame)
    out = frame.reset_index(drop=True).copy()
    if len(out) == 0:
        return empty_plans()
    for col in PLAN_OPTIONAL:
        if col not in out.columns:
            out[col] = pd.NA
    _check_type_unit(out, source, where)
    out["quantity"] = _to_numbers(out, "quantity", source, where)
    bad = out["quantity"].isna() | (out["quantity"] <= 0)
    if bad.any():
        raise _bad(source, "quantity", "must be a positive number (plans only add capacity)",
                   bad, where)
    _check_quantity_bounds(out, source, where)
    out["ordered"] = _to_dates(out, "ordered", source, allow_na=False, where=where)
    lead = _to_numbers(out, "lead_time_days", source, where)
    _check_lead_times(lead, source, where)
    out["lead_time_days"] = lead.fillna(0.0)
    return out[list(PLAN_COLUMNS) + list(PLAN_OPTIONAL)]
