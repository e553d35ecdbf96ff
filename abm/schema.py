"""Column vocabulary and input checks of ``abm`` (arrivals, facilities, capacity plans).

Every public entry point passes its inputs through ``read_*``/``check_*`` here;
errors are :class:`abm.errors.InputError` naming the source, the column and the
first bad rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from abm.errors import InputError

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


def _require_frame(frame, columns, source: str) -> None:
    """InputError unless ``frame`` is a DataFrame holding every one of ``columns``."""
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"{source}: expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"{source}: missing column(s) {', '.join(missing)} "
            f"(have {', '.join(map(str, frame.columns))})"
        )


def _first_rows(mask, frame: pd.DataFrame, n: int = 5) -> str:
    idx = np.flatnonzero(np.asarray(mask))[:n]
    return ", ".join(str(frame.index[i]) for i in idx)


def _bad(source: str, column: str, what: str, mask, frame: pd.DataFrame) -> InputError:
    return InputError(
        f"{source}: column '{column}' {what} (first bad rows: {_first_rows(mask, frame)})"
    )


def _read_csv(path: str | Path, what: str) -> pd.DataFrame:
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: {what} file not found")
    try:
        return pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: cannot read {what} CSV ({err})") from None


def _to_dates(frame: pd.DataFrame, column: str, source: str, *, allow_na: bool) -> pd.Series:
    raw = frame[column]
    parsed = pd.to_datetime(raw, errors="coerce", format="ISO8601") if len(raw) else raw.astype(
        "datetime64[ns]"
    )
    bad = parsed.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
    if bad.any():
        raise _bad(source, column, "has values that are not dates (YYYY-MM-DD)", bad, frame)
    if not allow_na and parsed.isna().any():
        raise _bad(source, column, "has missing dates", parsed.isna(), frame)
    return parsed


def _to_numbers(frame: pd.DataFrame, column: str, source: str) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() & frame[column].notna()
    if bad.any():
        raise _bad(source, column, "has values that are not numbers", bad, frame)
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
        return frame
    out = frame
    for column, wanted, flag in (("series_id", host, "host"), ("model", model, "model"),
                                 ("scenario", scenario, "scenario")):
        if column not in out.columns:
            continue
        values = sorted(out[column].astype(str).unique())
        if wanted is None:
            if len(values) > 1:
                raise InputError(
                    f"{source}: column '{column}' holds several values ({', '.join(values[:10])}); "
                    f"choose one with {flag}=... (--{flag})")
            continue
        if str(wanted) not in values:
            raise InputError(
                f"{source}: column '{column}' has no rows for {wanted!r} "
                f"(have {', '.join(values[:10])})")
        out = out[out[column].astype(str) == str(wanted)]
    keep = ["ds"] + [c for c in ("path", "quantile") if c in out.columns] + ["value"]
    return out[keep].rename(columns={"value": "arrivals"}).reset_index(drop=True)


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
    _require_frame(frame, ("ds", "arrivals"), source)
    if len(frame) == 0:
        raise InputError(f"{source}: no rows")
    if "path" in frame.columns and "quantile" in frame.columns:
        raise InputError(f"{source}: give either a 'path' or a 'quantile' column, not both")
    frame = frame.reset_index(drop=True)
    ds = _to_dates(frame, "ds", source, allow_na=False)
    not_start = ds.dt.day != 1
    if not_start.any():
        raise _bad(source, "ds", "has dates that are not month starts", not_start, frame)
    arrivals = _to_numbers(frame, "arrivals", source)
    if arrivals.isna().any():
        raise _bad(source, "arrivals", "has missing values (NA is not zero: give every month)",
                   arrivals.isna(), frame)
    bad = ~np.isfinite(arrivals) | (arrivals < 0)
    if bad.any():
        raise _bad(source, "arrivals", "has negative or infinite values", bad, frame)
    key = "path" if "path" in frame.columns else "quantile" if "quantile" in frame.columns else None
    if key is None:
        keys = pd.Series(np.zeros(len(frame)), index=frame.index)
    else:
        keys = _to_numbers(frame, key, source)
        if keys.isna().any():
            raise _bad(source, key, "has missing values", keys.isna(), frame)
        if key == "quantile":
            bad = (keys <= 0) | (keys >= 1)
            if bad.any():
                raise _bad(source, key, "has levels outside (0, 1)", bad, frame)
        else:
            bad = (keys < 0) | (keys != np.round(keys))
            if bad.any():
                raise _bad(source, key, "has values that are not non-negative integers", bad, frame)
    tidy = pd.DataFrame({"key": keys.to_numpy(), "ds": ds.dt.to_period("M").dt.to_timestamp(),
                         "arrivals": arrivals.to_numpy()})
    dup = tidy.duplicated(["key", "ds"], keep="first")
    if dup.any():
        raise _bad(source, "ds", f"repeats a month within one {key or 'path'}", dup, frame)
    months = pd.date_range(tidy["ds"].min(), tidy["ds"].max(), freq="MS")
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
    """Read and check a facilities CSV (see :func:`check_facilities`)."""
    return check_facilities(_read_csv(path, "facilities"), source=str(path))


def check_facilities(frame: pd.DataFrame, *, source: str = "facilities frame") -> pd.DataFrame:
    """Check a facilities table and return a clean copy.

    Columns: ``facility_id`` (unique str), ``facility_type`` (shelter, school,
    clinic), ``quantity`` (> 0) in ``quantity_unit`` (shelter: persons or m2
    of covered living space; school: classrooms or seats; clinic: clinicians
    or consultations_per_day); optional ``name``, ``opens`` (date the capacity
    is available; empty = from the start), ``lead_time_days`` (days needed to
    add capacity of this kind, >= 0; used by :func:`abm.advise`), ``source``.
    """
    _require_frame(frame, FACILITY_COLUMNS, source)
    out = frame.reset_index(drop=True).copy()
    for col in FACILITY_OPTIONAL:
        if col not in out.columns:
            out[col] = pd.NA
    out["facility_id"] = out["facility_id"].astype(str).str.strip()
    dup = out["facility_id"].duplicated()
    if dup.any():
        raise _bad(source, "facility_id", "has duplicate ids", dup, out)
    _check_type_unit(out, source)
    out["quantity"] = _to_numbers(out, "quantity", source)
    bad = out["quantity"].isna() | ~np.isfinite(out["quantity"]) | (out["quantity"] <= 0)
    if bad.any():
        raise _bad(source, "quantity", "must be a positive number", bad, out)
    out["opens"] = _to_dates(out, "opens", source, allow_na=True)
    out["lead_time_days"] = _to_numbers(out, "lead_time_days", source)
    bad = out["lead_time_days"] < 0
    if bad.any():
        raise _bad(source, "lead_time_days", "must be >= 0 days", bad, out)
    return out[list(FACILITY_COLUMNS) + list(FACILITY_OPTIONAL)]


def _check_type_unit(out: pd.DataFrame, source: str) -> None:
    out["facility_type"] = out["facility_type"].astype(str).str.strip().str.lower()
    bad = ~out["facility_type"].isin(FACILITY_TYPES)
    if bad.any():
        raise _bad(source, "facility_type", f"must be one of {', '.join(FACILITY_TYPES)}", bad, out)
    out["quantity_unit"] = out["quantity_unit"].astype(str).str.strip()
    ok = [u in QUANTITY_UNITS[t] for t, u in zip(out["facility_type"], out["quantity_unit"],
                                                  strict=True)]
    bad = ~np.asarray(ok, dtype=bool)
    if bad.any():
        allowed = "; ".join(f"{t}: {', '.join(u)}" for t, u in QUANTITY_UNITS.items())
        raise _bad(source, "quantity_unit", f"does not fit the facility type ({allowed})", bad, out)


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
    _require_frame(frame, PLAN_COLUMNS, source)
    out = frame.reset_index(drop=True).copy()
    if len(out) == 0:
        return empty_plans()
    for col in PLAN_OPTIONAL:
        if col not in out.columns:
            out[col] = pd.NA
    _check_type_unit(out, source)
    out["quantity"] = _to_numbers(out, "quantity", source)
    bad = out["quantity"].isna() | ~np.isfinite(out["quantity"]) | (out["quantity"] <= 0)
    if bad.any():
        raise _bad(source, "quantity", "must be a positive number (plans only add capacity)",
                   bad, out)
    out["ordered"] = _to_dates(out, "ordered", source, allow_na=False)
    out["lead_time_days"] = _to_numbers(out, "lead_time_days", source).fillna(0.0)
    bad = out["lead_time_days"] < 0
    if bad.any():
        raise _bad(source, "lead_time_days", "must be >= 0 days", bad, out)
    return out[list(PLAN_COLUMNS) + list(PLAN_OPTIONAL)]
