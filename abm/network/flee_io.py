"""Read the public Flee scenario format and its validation data; write Flee-style output.

Scenario directory (``conflict_input/<name>/`` of ``djgroen/flee``):

- ``locations.csv``: ``#name, region, country, latitude, longitude,
  location_type, conflict_date, population`` (header row starts with ``#``;
  columns read by position; ``population`` is a camp's capacity).
- ``routes.csv``: ``#name1, name2, distance (km), forced_redirection``.
- ``conflicts.csv`` (optional): ``#Day, <site>, ...``; conflict intensity per day.
- ``closures.csv`` (optional): ``#closure_type, name1, name2, closure_start,
  closure_end`` (days).
- ``conflict_period.csv`` or ``sim_period.csv``: ``StartDate,<ISO date>`` and
  ``Length,<days>``.
- ``registration_corrections.csv`` (optional): ``<camp>,<ISO date>[,...]``.

Validation directory (``conflict_validation/<name><year>/``): ``data_layout.csv``
maps ``total`` and each camp to a CSV of ``date, persons`` rows (header rows
and blank lines are skipped).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from abm.errors import ConfigError, InputError
from abm.network.sites import Closure, Network, Scenario

ENTRY_SOURCES = {
    "total": "the validation 'total' file (refugees.csv): Flee 3.1's spawning",
    "camps": "the sum of the validation camps' counts: Flee's spawn_rules.sum_from_camps (later Flee source)",
}
"""What the daily entries of :func:`read_flee_scenario` follow (``entries=``)."""

_LOCATION_FIELDS = ("name", "region", "country", "lat", "lon", "site_type", "conflict_date", "population")


def _rows(path: Path) -> list[list[str]]:
    """Non-empty CSV rows with cells stripped of blanks and quotes."""
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    with path.open(newline="", encoding="utf-8-sig") as fh:
        out = []
        for row in csv.reader(fh, skipinitialspace=True):
            cells = [c.strip().strip('"').strip() for c in row]
            if any(cells):
                out.append(cells)
    return out


def _is_header(row: list[str]) -> bool:
    return bool(row) and row[0].startswith("#")


def read_locations(path: str | Path) -> pd.DataFrame:
    """Read a Flee ``locations.csv``.

    Returns the sites frame of :class:`~abm.network.sites.Network`: ``name``,
    ``region``, ``country`` (str), ``lat``, ``lon`` (degrees), ``site_type``
    (str), ``conflict_date`` (day, NA = none), ``population`` (persons; NA =
    not reported).
    """
    path = Path(path)
    rows = [r for r in _rows(path) if not _is_header(r)]
    if not rows:
        raise InputError(f"{path}: no location rows")
    short = [(i + 2, r) for i, r in enumerate(rows) if len(r) < 6]
    if short:
        raise InputError(f"{path}: rows need at least 6 columns (name..location_type); first bad rows: {short[:3]}")
    recs = [(r + [""] * 8)[:8] for r in rows]
    frame = pd.DataFrame(recs, columns=list(_LOCATION_FIELDS))
    for col in ("lat", "lon", "conflict_date", "population"):
        raw = frame[col].replace("", np.nan)
        num = pd.to_numeric(raw, errors="coerce")
        bad = raw.notna() & num.isna()
        if bad.any():
            raise InputError(
                f"{path}: column {col!r} is not numeric; first bad rows: "
                f"{frame[bad].head(3).to_dict(orient='records')}"
            )
        frame[col] = num.astype("float64")
    return frame


def read_routes(path: str | Path) -> pd.DataFrame:
    """Read a Flee ``routes.csv``.

    Returns ``name1``, ``name2`` (str), ``distance_km`` (km),
    ``forced_redirection`` (str as written; checked by :class:`Network`).
    """
    path = Path(path)
    rows = [r for r in _rows(path) if not _is_header(r)]
    short = [(i + 2, r) for i, r in enumerate(rows) if len(r) < 3]
    if short:
        raise InputError(f"{path}: rows need name1,name2,distance; first bad rows: {short[:3]}")
    recs = [(r + [""])[:4] for r in rows]
    frame = pd.DataFrame(recs, columns=["name1", "name2", "distance_km", "forced_redirection"])
    raw = frame["distance_km"]
    num = pd.to_numeric(raw, errors="coerce")
    bad = num.isna() | ~(num > 0)
    if bad.any():
        raise InputError(
            f"{path}: column 'distance' must be a number > 0 km; first bad rows: "
            f"{frame[bad].head(3).to_dict(orient='records')}"
        )
    frame["distance_km"] = num.astype("float64")
    return frame


def read_period(path: str | Path) -> tuple[pd.Timestamp, int]:
    """Read ``conflict_period.csv`` / ``sim_period.csv``: (start date, length in days)."""
    path = Path(path)
    kv = {r[0].lower(): r[1] for r in _rows(path) if len(r) >= 2}
    try:
        start = pd.Timestamp(kv["startdate"])
        length = int(kv["length"])
    except (KeyError, ValueError) as exc:
        raise InputError(f"{path}: needs rows 'StartDate,<ISO date>' and 'Length,<days>' ({exc})") from None
    if length < 1:
        raise InputError(f"{path}: Length must be >= 1 day, got {length}")
    return start, length


def read_closures(path: str | Path) -> tuple[Closure, ...]:
    """Read ``closures.csv`` into :class:`Closure` objects (end < start means open-ended)."""
    path = Path(path)
    out = []
    for i, r in enumerate(_rows(path)):
        if _is_header(r):
            continue
        if len(r) < 5:
            raise InputError(f"{path}: row {i + 1} needs 5 columns (closure_type,name1,name2,start,end): {r}")
        try:
            start, end = int(float(r[3])), int(float(r[4]))
        except ValueError:
            raise InputError(f"{path}: row {i + 1} closure_start/closure_end not integers: {r}") from None
        out.append(Closure(r[0], r[1], r[2], start, end if end >= start else None))
    return tuple(out)


def read_conflicts(path: str | Path, names: list[str], days: int) -> tuple[np.ndarray, list[str]]:
    """Read ``conflicts.csv`` into a ``days`` x sites intensity array.

    Columns naming no site are skipped and returned (Flee files carry a few);
    a day without a row repeats the previous day (0 before the first row).
    """
    path = Path(path)
    rows = _rows(path)
    if not rows or not _is_header(rows[0]):
        raise InputError(f"{path}: first row must be the '#Day, <site>, ...' header")
    header = [h for h in rows[0][1:]]
    while header and header[-1] == "":
        header.pop()
    idx = {nm: i for i, nm in enumerate(names)}
    unknown = [h for h in header if h not in idx]
    out = np.zeros((days, len(names)))
    seen = np.zeros(days, dtype=bool)
    last = None
    for ln, r in enumerate(rows[1:], start=2):
        try:
            day = int(float(r[0]))
            vals = [float(v) if v != "" else 0.0 for v in r[1 : 1 + len(header)]]
        except ValueError:
            raise InputError(f"{path}: row {ln} is not numeric: {r[:6]}...") from None
        if len(vals) < len(header):
            raise InputError(f"{path}: row {ln} has {len(vals)} values for {len(header)} sites")
        if day < 0 or day >= days:
            continue
        for h, v in zip(header, vals, strict=True):
            if h in idx:
                out[day, idx[h]] = v
        seen[day] = True
        last = day
    if last is None:
        raise InputError(f"{path}: no day rows within the simulation period")
    for day in range(1, days):  # days without a row repeat the previous day
        if not seen[day]:
            out[day] = out[day - 1]
    if (out < 0).any():
        raise InputError(f"{path}: negative conflict intensity")
    return out, unknown


def read_date_series(path: str | Path) -> pd.Series:
    """Read a ``date, persons`` CSV (validation data) into a float Series indexed by date.

    Header rows and rows whose first cell is not a date are skipped; a
    non-numeric count raises :class:`InputError`.
    """
    path = Path(path)
    dates, vals = [], []
    for i, r in enumerate(_rows(path)):
        if len(r) < 2 or r[0] == "":
            continue
        d = pd.to_datetime(r[0], errors="coerce", format="%Y-%m-%d")
        if pd.isna(d):
            if i == 0:
                continue
            raise InputError(f"{path}: row {i + 1} date {r[0]!r} is not YYYY-MM-DD")
        try:
            v = float(r[1])
        except ValueError:
            raise InputError(f"{path}: row {i + 1} count {r[1]!r} is not a number") from None
        dates.append(d)
        vals.append(v)
    if not dates:
        raise InputError(f"{path}: no 'date,count' rows")
    s = pd.Series(vals, index=pd.DatetimeIndex(dates), dtype="float64").sort_index()
    return s[~s.index.duplicated(keep="last")]


@dataclass(frozen=True, eq=False)
class Validation:
    """Observed (UNHCR) counts interpolated to simulated days.

    ``camps``: frame indexed by day (0..days-1), one column per camp, persons
    (linear interpolation between reports; constant before the first and after
    the last). ``total``: cumulative registered persons per day (same rule).
    ``raw``: the reports as read (after registration corrections), by camp.
    """

    camps: pd.DataFrame
    total: np.ndarray
    raw: dict[str, pd.Series]


def _interp(series: pd.Series, start: pd.Timestamp, days: int) -> np.ndarray:
    x = (series.index - start).days.to_numpy(dtype="float64")
    return np.interp(np.arange(days, dtype="float64"), x, series.to_numpy(dtype="float64"))


def apply_registration_correction(series: pd.Series, date: pd.Timestamp) -> pd.Series:
    """Rescale reports before ``date`` by (report at ``date``) / (report just before).

    Level-1 registrations overcount or undercount until a camp's level-2
    registration; earlier reports are scaled to join the level-2 figure (the
    correction Flee applies). No report exactly at ``date``: unchanged.
    """
    s = series.copy()
    pos = np.flatnonzero(s.index == date)
    if len(pos) and pos[0] > 0 and s.iloc[pos[0] - 1] > 0:
        f = s.iloc[pos[0]] / s.iloc[pos[0] - 1]
        s.iloc[: pos[0]] = s.iloc[: pos[0]] * f
    return s


def read_validation(
    directory: str | Path,
    start: pd.Timestamp,
    days: int,
    corrections: dict[str, pd.Timestamp] | None = None,
) -> Validation:
    """Read a Flee validation directory (``data_layout.csv`` + per-camp CSVs)."""
    directory = Path(directory)
    layout = [r for r in _rows(directory / "data_layout.csv") if len(r) >= 2 and r[0] and r[1]]
    if not layout or layout[0][0] != "total":
        raise InputError(f"{directory / 'data_layout.csv'}: first row must be 'total,<file>'")
    total = _interp(read_date_series(directory / layout[0][1]), start, days)
    raw, camps = {}, {}
    for name, fname in layout[1:]:
        s = read_date_series(directory / fname)
        if corrections and name in corrections and corrections[name] >= start:
            # a correction dated before the simulation start is ignored (as in Flee)
            s = apply_registration_correction(s, corrections[name])
        raw[name] = s
        camps[name] = _interp(s, start, days)
    frame = pd.DataFrame(camps, index=pd.RangeIndex(days, name="day"))
    return Validation(camps=frame, total=total, raw=raw)


def read_corrections(path: str | Path) -> dict[str, pd.Timestamp]:
    """Read ``registration_corrections.csv``: camp -> date of level-2 registration."""
    path = Path(path)
    out = {}
    for i, r in enumerate(_rows(path)):
        if _is_header(r) or len(r) < 2:
            continue
        d = pd.to_datetime(r[1], errors="coerce", format="%Y-%m-%d")
        if pd.isna(d):
            raise InputError(f"{path}: row {i + 1} date {r[1]!r} is not YYYY-MM-DD")
        out[r[0]] = d
    return out


def read_flee_scenario(
    input_dir: str | Path,
    validation_dir: str | Path | None = None,
    name: str | None = None,
    insert_day0: bool = True,
    entries: str = "total",
) -> tuple[Scenario, Validation | None]:
    """Read a Flee scenario and, if given, its validation data.

    The daily entries into the network come from the validation data; without
    it they are zero and the caller should set ``registered_total`` itself.
    ``entries`` says which count they follow (see :data:`ENTRY_SOURCES`):
    ``"total"`` (default) the ``total`` file (Flee's ``refugees.csv``), as Flee
    3.1 spawns; ``"camps"`` the sum of the validation camps' counts, Flee's
    ``spawn_rules.sum_from_camps`` (default in later ``djgroen/flee`` source).
    With ``insert_day0`` (Flee 3.1's ``spawn_rules.insert_day0``), each
    validation camp starts with its observed day-0 count, which is part of the
    day-0 total.
    """
    if entries not in ENTRY_SOURCES:
        raise ConfigError(f"entries must be one of {sorted(ENTRY_SOURCES)}, got {entries!r}")
    input_dir = Path(input_dir)
    sites = read_locations(input_dir / "locations.csv")
    routes = read_routes(input_dir / "routes.csv")
    network = Network(sites, routes, source=str(input_dir))
    period = input_dir / "conflict_period.csv"
    if not period.is_file():
        period = input_dir / "sim_period.csv"
    start, days = read_period(period)
    conflicts = None
    if (input_dir / "conflicts.csv").is_file():
        conflicts, _unknown = read_conflicts(input_dir / "conflicts.csv", network.names, days)
    closures = read_closures(input_dir / "closures.csv") if (input_dir / "closures.csv").is_file() else ()
    validation = None
    total = np.zeros(days)
    if validation_dir is not None:
        corr_path = input_dir / "registration_corrections.csv"
        corr = read_corrections(corr_path) if corr_path.is_file() else {}
        validation = read_validation(validation_dir, start, days, corr)
        total = validation.total if entries == "total" else validation.camps.sum(axis=1).to_numpy()
        missing = [c for c in validation.camps.columns if c not in network.names]
        if missing:
            raise InputError(f"{validation_dir}/data_layout.csv: camps not in locations.csv: {missing}")
    initial = None
    if validation is not None and insert_day0:
        initial = np.zeros(len(network.names))
        for camp in validation.camps.columns:
            initial[network.index(camp)] = validation.camps[camp].iloc[0]
        total = np.maximum(total, initial.sum())
    scenario = Scenario(
        network=network,
        initial=initial,
        start=start,
        days=days,
        registered_total=total,
        conflicts=conflicts,
        closures=closures,
        name=name or input_dir.name,
    )
    return scenario, validation


def comparison_frame(result, validation: Validation) -> pd.DataFrame:
    """Simulated and observed persons per validation camp and day.

    Columns: ``day`` (int), ``date`` (datetime64), ``camp`` (str),
    ``simulated`` (persons), ``observed`` (persons, interpolated UNHCR count),
    ``error`` (|simulated - observed| / sum of observed over camps that day;
    the day's errors sum to its ARD).
    """
    sc = result.scenario
    names = sc.network.names
    camps = list(validation.camps.columns)
    sim = result.occupancy[:, [names.index(cp) for cp in camps]].astype("float64")
    obs = validation.camps.to_numpy(dtype="float64")
    denom = obs.sum(axis=1, keepdims=True)
    err = np.abs(sim - obs) / np.where(denom > 0, denom, np.nan)
    d = sc.days
    return pd.DataFrame(
        {
            "day": np.repeat(np.arange(d), len(camps)),
            "date": np.repeat(sc.dates.to_numpy(), len(camps)),
            "camp": np.tile(camps, d),
            "simulated": sim.reshape(-1),
            "observed": obs.reshape(-1),
            "error": err.reshape(-1),
        }
    )


def write_flee_output(
    result, validation: Validation, path: str | Path, overwrite: bool = False, provenance: dict | None = None
) -> Path:
    """Write a Flee-style ``out.csv``: per camp ``<camp> sim``, ``<camp> data``, ``<camp> error``.

    Also ``Day``, ``Date``, ``Total error`` (the day's ARD), ``refugees in camps
    (UNHCR)``, ``total refugees (simulation)``, ``refugees in camps
    (simulation)``. The wide layout with camp names in column headers is
    Flee's own, kept for interoperability; :func:`comparison_frame` is the tidy
    form. A JSON sidecar ``<path>.json`` records provenance. Refuses to
    overwrite an existing file unless ``overwrite=True``.
    """
    path = Path(path)
    side = path.with_name(path.name + ".json")
    if not overwrite and (path.exists() or side.exists()):
        raise InputError(f"{path}: exists; pass overwrite=True (--force) to replace it")
    cmp_ = comparison_frame(result, validation)
    sc = result.scenario
    out = pd.DataFrame({"Day": np.arange(sc.days), "Date": sc.dates.strftime("%Y-%m-%d")})
    for camp, g in cmp_.groupby("camp", sort=False):
        out[f"{camp} sim"] = g["simulated"].to_numpy().astype("int64")
        out[f"{camp} data"] = g["observed"].round().to_numpy().astype("int64")
        out[f"{camp} error"] = g["error"].to_numpy()
    total_err = cmp_.groupby("day", sort=True)["error"].sum(min_count=1)
    out["Total error"] = total_err.to_numpy()
    out["refugees in camps (UNHCR)"] = validation.camps.sum(axis=1).round().to_numpy().astype("int64")
    out["total refugees (simulation)"] = result.occupancy.sum(axis=1) + result.in_transit
    out["refugees in camps (simulation)"] = (
        cmp_.groupby("day", sort=True)["simulated"].sum().to_numpy().astype("int64")
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, index=False)
    meta = {"scenario": sc.name, "seed": result.seed, "start": str(sc.start.date()), "days": sc.days}
    meta.update(provenance or {})
    side.write_text(json.dumps(meta, indent=2, default=str))
    return path
