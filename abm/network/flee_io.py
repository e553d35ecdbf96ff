"""Read the public Flee scenario format as Flee 3.1 reads it; write Flee's ``out.csv``.

Every rule below was read from Flee 3.1's own reader (PyPI ``flee`` 3.1:
``flee/InputGeography.py``, ``flee/datamanager/DataTable.py``,
``handle_refugee_data.py``, ``read_period.py``, ``flee/flee.py``) and its run
script; where Flee would stop with a traceback or silently misread, this
reader refuses with one line naming the file, the line and the feature
(:class:`~abm.errors.InputError`).

Scenario directory (``conflict_input/<name>/`` of ``djgroen/flee``; FabFlee's ``input_csv/``):

- ``locations.csv``: ``#name, region, country, latitude, longitude,
  location_type, conflict_date, population`` by position; rows whose first
  cell starts with ``#`` are headers / comments; extra columns are attributes
  (ignored, as Flee 3.1's rules ignore them, except ``conflict_intensity``:
  refused). ``location_type`` is read as Flee does, by substring: ``camp``
  (``idp`` in it: IDP camp), ``conflict``, ``forward`` (forwarding hub),
  ``marker``, ``town`` / ``default``; anything else (e.g. flood zones) is refused.
- ``routes.csv``: ``#name1, name2, distance (km), forced_redirection``;
  per-route ``max_move_speed`` / ``walk_probability`` columns are refused.
- ``conflicts.csv``: ``#Day, <site>, ...``; one row per day from day 0, as
  Flee reads them by row order (a ``Day`` out of order or too few rows is refused).
- ``closures.csv``: ``closure_type, name1, name2, closure_start, closure_end``
  with the kinds of :data:`~abm.network.sites.CLOSURE_KINDS`.
- ``conflict_period.csv`` (Flee 3.1) or ``sim_period.csv`` (later Flee and
  FabFlee): ``StartDate,<YYYY-MM-DD>`` and ``Length,<days>``; if both exist they must agree.
- ``registration_corrections.csv`` (optional): ``<camp>,<YYYY-MM-DD>[,...]``
  (Flee's level-1 correction; see :func:`read_validation`).

Validation directory (``conflict_validation/<name><year>/``; FabFlee's
``source_data/``): ``data_layout.csv`` (``total,<file>`` and ``<camp>,<file>[,<file>...]``)
and ``date, persons`` files.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from abm.errors import ConfigError, InputError, cut
from abm.network.sites import CLOSURE_KINDS, SITE_NAME_KINDS, Closure, Network, NetworkScenario

ENTRY_SOURCES = {
    "total": "the validation 'total' file (refugees.csv): Flee 3.1's spawning",
    "camps": "the sum of every data_layout camp's counts: Flee's SumFromCamps (later Flee source)",
}
"""What the daily entries of :func:`read_flee_scenario` follow (``entries=``)."""

_LOCATION_FIELDS = ("name", "region", "country", "lat", "lon", "site_type", "conflict_date", "population")
_REFUSED_LOCATION_COLUMNS = {"conflict_intensity": "a per-site conflict intensity (Flee 3.1 Location attribute)"}
_REFUSED_ROUTE_COLUMNS = {
    "max_move_speed": "a per-route travel speed (Flee 3.1 Person.finish_travel)",
    "walk_probability": "a per-route walking probability (Flee 3.1 Person.finish_travel)",
}
_DATE_FORMAT = "%Y-%m-%d"  # Flee's DataTable.subtract_dates
MAX_DAYS = 36_600
"""Longest simulation period read (100 years, days): a guard against a mistyped ``Length``."""


def _where(path: Path, line: int | None) -> str:
    return f"{path}, line {line}" if line is not None else str(path)


def _fail(path: Path, line: int | None, feature: str, problem: str) -> InputError:
    """The one-line error: file, line, feature, problem."""
    return InputError(f"{_where(path, line)}: {feature}: {problem}")


def _rows(path: str | Path) -> list[tuple[int, list[str]]]:
    """(file line number, cells) of each non-blank CSV row; cells stripped of blanks and quotes."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    from abm.schema import MAX_INPUT_BYTES

    if path.stat().st_size > MAX_INPUT_BYTES:
        raise InputError(f"{path}: {path.stat().st_size / 2**20:,.0f} MiB, over the "
                         f"{MAX_INPUT_BYTES / 2**20:.0f} MiB limit of abm's CSV readers")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}); Flee reads its files as UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
    out = []
    try:
        for row in reader:
            cells = [c.strip().strip('"').strip() for c in row]
            if any(cells):
                out.append((reader.line_num, cells))
    except csv.Error as exc:
        raise _fail(path, reader.line_num, "CSV", str(exc)) from None
    return out


def _is_header(cells: list[str]) -> bool:
    return bool(cells) and cells[0].startswith("#")


def flee_site_type(raw: str) -> str | None:
    """Canonical site type of a Flee ``location_type``, read by substring as Flee 3.1's ``Location`` does.

    ``None``: a type Flee 3.1 cannot parse (it prints an error and moves
    everyone on), e.g. ``flood_zone``.
    """
    t = raw.lower()
    if "camp" in t:
        return "idpcamp" if "idp" in t else "camp"
    if "conflict" in t:
        return "conflict_zone"
    if "forward" in t:
        return "forwarding_hub"
    if "marker" in t:
        return "marker"
    if "default" in t or "town" in t:
        return "town"
    return None


def _number(path: Path, line: int, feature: str, raw: str) -> float:
    if raw == "":
        return np.nan
    try:
        v = float(raw)
    except ValueError:
        raise _fail(path, line, feature, f"{raw!r} is not a number") from None
    if not np.isfinite(v):
        raise _fail(path, line, feature, f"{raw!r} is not a finite number (leave the cell empty for 'not reported')")
    return v


def _check_location_header(path: Path, line: int, cells: list[str]) -> None:
    """Flee reads locations by position: a header whose 7th / 8th names are not
    ``conflict_date`` / ``population`` means a column is missing or moved (e.g. no
    ``conflict_date``: every population would be read as a conflict day)."""
    names = [c.lstrip("#").strip().strip('"').lower() for c in cells]
    if len(names) >= 7 and (names[6].startswith("pop") or names[6] in ("capacity", "pop/cap")):
        raise _fail(path, line, "header", f"column 7 is {cut(cells[6])!r}, where Flee reads conflict_date; "
                    "Flee reads columns by position (name, region, country, latitude, longitude, "
                    "location_type, conflict_date, population), so a missing column shifts the ones after it")
    if len(names) >= 8 and ("conflict" in names[7] or "date" in names[7]):
        raise _fail(path, line, "header", f"column 8 is {cut(cells[7])!r}, where Flee reads population; "
                    "Flee reads columns by position (..., location_type, conflict_date, population)")


def _read_locations(path: Path) -> tuple[pd.DataFrame, list[int]]:
    rows = _rows(path)
    recs, lines, seen = [], [], {}
    for ln, r in rows:
        if _is_header(r):
            _check_location_header(path, ln, r)
            for extra in r[8:]:
                if extra in _REFUSED_LOCATION_COLUMNS:
                    raise _fail(path, ln, f"column {extra!r}", f"{_REFUSED_LOCATION_COLUMNS[extra]} is not supported")
            continue
        if r[0] == "":
            raise _fail(path, ln, "name", "empty site name")
        if len(r) < 6:
            raise _fail(path, ln, "location row", "needs at least 6 columns (name..location_type)")
        r = (r + [""] * 8)[:8]
        kind = flee_site_type(r[5])
        if kind is None:
            raise _fail(path, ln, "location_type", f"{r[5]!r} is not a type Flee 3.1 moves people by "
                        "(camp, idpcamp, conflict_zone, town, forwarding_hub, marker)")
        if r[0] in seen:
            raise _fail(path, ln, "name", f"duplicate site {r[0]!r} (first on line {seen[r[0]]})")
        seen[r[0]] = ln
        recs.append({
            "name": r[0], "region": r[1], "country": r[2] or "unknown",
            "lat": _number(path, ln, "latitude", r[3]), "lon": _number(path, ln, "longitude", r[4]),
            "site_type": kind, "conflict_date": _number(path, ln, "conflict_date", r[6]),
            "population": _number(path, ln, "population", r[7]),
        })
        lines.append(ln)
    if not recs:
        raise InputError(f"{path}: no location rows")
    bad = [(ln, rec["population"]) for ln, rec in zip(lines, recs, strict=True) if rec["population"] < 0]
    if bad:
        raise _fail(path, bad[0][0], "population", f"negative ({bad[0][1]})")
    return pd.DataFrame(recs, columns=list(_LOCATION_FIELDS)), lines


def read_locations(path: str | Path) -> pd.DataFrame:
    """Read a Flee ``locations.csv``.

    Returns the sites frame of :class:`~abm.network.sites.Network`: ``name``,
    ``region``, ``country`` (str; empty = ``unknown`` as in Flee), ``lat``,
    ``lon`` (degrees), ``site_type`` (canonical, see :func:`flee_site_type`),
    ``conflict_date`` (day, NA = none), ``population`` (persons; a camp's
    capacity; NA = not reported, i.e. no limit, as Flee's empty field).
    """
    return _read_locations(Path(path))[0]


def read_routes(path: str | Path, names: list[str] | None = None) -> pd.DataFrame:
    """Read a Flee ``routes.csv`` (``names``: the sites, to refuse unknown ones by line).

    Returns ``name1``, ``name2`` (str), ``distance_km`` (km, > 0),
    ``forced_redirection`` (int 0, 1 or 2; empty = 0).
    """
    path = Path(path)
    known = set(names) if names is not None else None
    recs = []
    for ln, r in _rows(path):
        if _is_header(r):
            for extra in r[4:]:
                if extra in _REFUSED_ROUTE_COLUMNS:
                    raise _fail(path, ln, f"column {extra!r}", f"{_REFUSED_ROUTE_COLUMNS[extra]} is not supported")
            continue
        if len(r) < 3:
            raise _fail(path, ln, "route row", "needs name1,name2,distance")
        d = _number(path, ln, "distance", r[2])
        if not (d > 0 and np.isfinite(d)):
            raise _fail(path, ln, "distance", f"must be a number > 0 km, got {r[2]!r}")
        fr = r[3] if len(r) > 3 else ""
        if fr not in ("", "0", "1", "2"):
            raise _fail(path, ln, "forced_redirection", f"must be empty, 0, 1 or 2, got {fr!r}")
        for nm in r[:2]:
            if known is not None and nm not in known:
                raise _fail(path, ln, "route", f"names unknown site {nm!r} (not in locations.csv)")
        if r[0] == r[1]:
            raise _fail(path, ln, "route", f"joins site {r[0]!r} to itself")
        recs.append((r[0], r[1], d, int(fr or 0)))
    if not recs:
        raise InputError(f"{path}: no route rows (a network without routes moves nobody; nothing to score)")
    return pd.DataFrame(recs, columns=["name1", "name2", "distance_km", "forced_redirection"])


def read_period(path: str | Path) -> tuple[pd.Timestamp, int]:
    """Read ``conflict_period.csv`` / ``sim_period.csv``: (start date, length in days)."""
    path = Path(path)
    kv = {}
    for ln, r in _rows(path):
        if len(r) >= 2 and r[0].lower() in ("startdate", "length"):
            kv[r[0].lower()] = (ln, r[1])
    if "startdate" not in kv or "length" not in kv:
        raise InputError(f"{path}: period: needs rows 'StartDate,<YYYY-MM-DD>' and 'Length,<days>'")
    ln, raw = kv["startdate"]
    start = pd.to_datetime(raw, format=_DATE_FORMAT, errors="coerce")
    if pd.isna(start):
        raise _fail(path, ln, "StartDate", f"{cut(raw)!r} is not YYYY-MM-DD")
    from abm.schema import BOUNDS

    year = BOUNDS["year"]
    if not year.low <= start.year <= year.high - 100:
        raise _fail(path, ln, "StartDate", f"year {start.year} outside {year.low:.0f}-{year.high - 100:.0f} "
                    f"(plausibility bound 'year' less the longest period, {MAX_DAYS:,} days)")
    ln, raw = kv["length"]
    try:
        length = int(raw)
    except ValueError:
        raise _fail(path, ln, "Length", f"{raw!r} is not a whole number of days") from None
    if not 1 <= length <= MAX_DAYS:
        raise _fail(path, ln, "Length", f"must be 1 to {MAX_DAYS} days, got {length}")
    return pd.Timestamp(start), length


def find_period(input_dir: str | Path) -> Path:
    """The period file of a scenario: ``conflict_period.csv`` (Flee 3.1) or ``sim_period.csv`` (later Flee).

    Both present: they must agree (else :class:`InputError` naming both).
    """
    input_dir = Path(input_dir)
    a, b = input_dir / "conflict_period.csv", input_dir / "sim_period.csv"
    if a.is_file() and b.is_file() and read_period(a) != read_period(b):
        raise InputError(f"{a} and {b}: period: the two period files disagree ({read_period(a)} vs {read_period(b)})")
    if a.is_file():
        return a
    if b.is_file():
        return b
    raise InputError(f"{input_dir}: period: neither conflict_period.csv (Flee 3.1) nor sim_period.csv found")


def read_closures(
    path: str | Path, names: list[str] | None = None, countries: list[str] | None = None
) -> tuple[Closure, ...]:
    """Read ``closures.csv`` into :class:`Closure` objects, in file order.

    ``names`` / ``countries`` (optional) let unknown sites or countries be
    refused with their line (Flee 3.1 would warn and act on its first site).
    ``closure_end`` is kept as written; see :class:`Closure` for the days in force.
    """
    path = Path(path)
    out = []
    for ln, r in _rows(path):
        if _is_header(r):
            continue
        if len(r) < 5:
            raise _fail(path, ln, "closure row", "needs 5 columns (closure_type,name1,name2,start,end)")
        kind = r[0]
        if kind not in CLOSURE_KINDS:
            raise _fail(path, ln, "closure kind", f"{kind!r} unknown; Flee 3.1 acts on {', '.join(CLOSURE_KINDS)}")
        try:
            start, end = int(r[3]), int(r[4])
        except ValueError:
            raise _fail(path, ln, "closure days", f"closure_start/closure_end {r[3]!r}, {r[4]!r} are not whole days") from None
        if start < 0:
            raise _fail(path, ln, "closure days", f"closure_start {start} < 0")
        pool, what = (countries, "country") if kind == "country" else (names, "site")
        if pool is not None:
            for nm in (r[1],) if kind in SITE_NAME_KINDS else (r[1], r[2]):
                if nm not in pool:
                    raise _fail(path, ln, f"closure {kind}", f"names unknown {what} {nm!r}")
        out.append(Closure(kind, r[1], r[2], start, end))
    return tuple(out)


def read_conflicts(path: str | Path, names: list[str], days: int) -> tuple[np.ndarray, list[str]]:
    """Read ``conflicts.csv`` into a ``days`` x sites intensity array.

    As Flee 3.1 (``InputGeography.ReadConflictInputCSV``): the first row is
    the header, each later row is the next day from day 0 (the ``Day`` column
    must agree, else the file is refused rather than misread), a row is needed
    for every simulated day, columns naming no site are skipped and returned.
    """
    path = Path(path)
    rows = _rows(path)
    if not rows or not _is_header(rows[0][1]):
        raise _fail(path, rows[0][0] if rows else None, "conflicts header", "first row must be '#Day, <site>, ...'")
    header = list(rows[0][1][1:])
    while header and header[-1] == "":
        header.pop()
    idx = {nm: i for i, nm in enumerate(names)}
    unknown = [h for h in header if h and h not in idx]
    out = np.zeros((days, len(names)))
    body = rows[1:]
    for day, (ln, r) in enumerate(body[:days]):
        try:
            stated = float(r[0])
            vals = [float(v) if v != "" else 0.0 for v in r[1 : 1 + len(header)]]
        except ValueError:
            raise _fail(path, ln, "conflict intensity", f"row is not numeric: {r[:6]}") from None
        if not (np.isfinite(stated) and stated == round(stated)):
            raise _fail(path, ln, "conflict day", f"Day {r[0]!r} is not a whole day")
        if stated != day:
            raise _fail(path, ln, "conflict day", f"Day {int(stated)} on the row Flee reads as day {day} "
                        "(Flee takes one row per day, in order, from day 0)")
        if len(vals) < len(header):
            raise _fail(path, ln, "conflict intensity", f"{len(vals)} values for {len(header)} sites")
        if any(not (v >= 0 and np.isfinite(v)) for v in vals):
            raise _fail(path, ln, "conflict intensity", "must be finite and >= 0")
        for h, v in zip(header, vals, strict=True):
            if h in idx:
                out[day, idx[h]] = v
    if len(body) < days:
        raise _fail(path, body[-1][0] if body else rows[0][0], "conflict days",
                    f"{len(body)} day rows for a {days}-day period (Flee reads one row per day)")
    return out, unknown


def _date_rows(path: Path) -> list[tuple[int, pd.Timestamp, float]]:
    """(line, date, count) rows of a Flee data file (``DataTable.ConvertCsvFileToNumPyTable``).

    Skipped as in Flee: rows with fewer than 2 cells, rows starting with
    ``#``, rows with an empty count, and a first row that is not a date
    (Flee skips a ``DateTime`` / ``Date`` header). Refused: an empty or bad
    date, a bad count, dates going backwards.
    """
    out = []
    for i, (ln, r) in enumerate(_rows(path)):
        if len(r) < 2 or r[0].startswith("#") or r[1] == "":
            continue
        if r[0] == "":
            raise _fail(path, ln, "date", "empty")
        d = pd.to_datetime(r[0], errors="coerce", format=_DATE_FORMAT)
        if pd.isna(d):
            if i == 0:
                continue
            raise _fail(path, ln, "date", f"{r[0]!r} is not YYYY-MM-DD")
        try:
            v = float(r[1])
        except ValueError:
            raise _fail(path, ln, "count", f"{r[1]!r} is not a number") from None
        if not np.isfinite(v) or v < 0:
            raise _fail(path, ln, "count", f"{r[1]!r} is not a count of persons (finite, >= 0)")
        if out and d < out[-1][1]:
            raise _fail(path, ln, "date", f"{r[0]} is before the previous row's (Flee interpolates in file order)")
        out.append((ln, pd.Timestamp(d), v))
    if not out:
        raise InputError(f"{path}: data: no 'date,count' rows")
    return out


def read_date_series(path: str | Path) -> pd.Series:
    """Read a ``date, persons`` CSV (validation data) into a float Series indexed by date, in file order."""
    rows = _date_rows(Path(path))
    return pd.Series([v for _, _, v in rows], index=pd.DatetimeIndex([d for _, d, _ in rows]), dtype="float64")


def add_tables(first: list[list[float]], second: list[list[float]]) -> list[list[float]]:
    """Sum two (day, count) tables the way Flee 3.1's ``DataTable.AddCSVTables`` does.

    Walk the second table; before each of its rows, the first table's rows
    dated earlier are emitted plus the second's last value so far; a row on
    the same day adds both; a second-table row dated before the first
    table's next row adds that next value. Quirks kept to score as Flee
    does: once the first table is used up its last row is repeated and
    later second-table rows are dropped, and first-table rows after the
    second table's last row are dropped.
    """
    out: list[list[float]] = []
    k, last2 = 0, 0.0
    for d2, v2 in second:
        while d2 > first[k][0]:
            out.append([first[k][0], last2 + first[k][1]])
            if k < len(first) - 1:
                k += 1
            else:
                break
        if d2 == first[k][0]:
            out.append([d2, v2 + first[k][1]])
            if k < len(first) - 1:
                k += 1
            last2 = v2
        elif d2 < first[k][0]:
            out.append([d2, v2 + first[k][1]])
            last2 = v2
    return out


def flee_interpolate(table: list[list[float]], days: int) -> np.ndarray:
    """Persons on days 0..days-1 from a (day, count) table, as Flee 3.1's ``get_interpolated_data``.

    Flat at the first count up to its day, linear between rows (the first row
    dated after the day and the one before it), flat after the last, and
    truncated to whole persons (Flee's ``int()``). Returns int64 (days,).
    """
    d = np.array([r[0] for r in table], dtype="float64")
    v = np.array([r[1] for r in table], dtype="float64")
    out = np.empty(days, dtype=np.int64)
    for t in range(days):
        if t <= d[0]:
            val = v[0]
        else:
            later = np.flatnonzero(t < d[1:])
            if len(later):
                i = later[0] + 1
                val = v[i - 1] + (t - d[i - 1]) / (d[i] - d[i - 1]) * (v[i] - v[i - 1])
            else:
                val = v[-1]
        out[t] = int(val)
    return out


@dataclass(frozen=True, eq=False)
class Validation:
    """Observed (UNHCR) counts on simulated days, as Flee 3.1 reads them.

    ``camps``: frame indexed by day (0..days-1), one column per camp of
    ``locations.csv`` in its order (Flee scores exactly those), persons as
    whole numbers (Flee's truncated interpolation). ``total``: cumulative
    registered persons per day from the ``total`` file (refugees.csv), same
    rule. ``others``: ``data_layout.csv`` camps not in ``locations.csv``
    (not scored, as in Flee; counted by ``entries="camps"``, as Flee's
    ``SumFromCamps`` adds every data_layout camp). ``raw``: each camp's
    (day offset, count) table after summing its files and the registration
    corrections, by camp, as a Series indexed by date.
    """

    camps: pd.DataFrame
    total: np.ndarray
    raw: dict[str, pd.Series]
    others: pd.DataFrame = field(default_factory=pd.DataFrame)


def _correct(table: list[list[float]], day: int, path: Path, line: int, camp: str) -> None:
    """Flee's ``RefugeeTable.correctLevel1Registrations``, in place: reports before the first level-2
    report (on ``day``) are scaled by report(day) / the report before it."""
    hits = [i for i, r in enumerate(table) if int(r[0]) == day and i > 0]
    if not hits:
        raise _fail(path, line, "registration correction", f"camp {camp!r} has no report on that date after "
                    "its first (Flee 3.1 stops here)")
    for i in hits:
        if table[i - 1][1] == 0:
            raise _fail(path, line, "registration correction", f"camp {camp!r}: the report before that date is 0")
        f = table[i][1] / table[i - 1][1]
        for r in table[:i]:
            r[1] *= f


def read_corrections(path: str | Path) -> list[tuple[int, str, pd.Timestamp]]:
    """Read ``registration_corrections.csv``: (line, camp, date of the first level-2 report), in file order.

    Rows with fewer than 2 cells are skipped (as Flee); ``#`` rows are
    skipped too (Flee would look them up as camps); extra cells (FabFlee's
    ``normalize``) are ignored, as Flee ignores them.
    """
    path = Path(path)
    out = []
    for ln, r in _rows(path):
        if _is_header(r) or len(r) < 2:
            continue
        d = pd.to_datetime(r[1], errors="coerce", format=_DATE_FORMAT)
        if pd.isna(d):
            raise _fail(path, ln, "registration correction", f"date {r[1]!r} is not YYYY-MM-DD")
        out.append((ln, r[0], pd.Timestamp(d)))
    return out


def read_validation(
    directory: str | Path,
    start: pd.Timestamp,
    days: int,
    corrections: str | Path | None = None,
    camps: list[str] | None = None,
) -> Validation:
    """Read a Flee validation directory (``data_layout.csv`` + per-camp CSVs).

    As Flee 3.1's ``DataTable`` (``csvformat="generic"``): each
    ``data_layout.csv`` row with 2+ cells names a series and its file; more
    files on one row are summed with :func:`add_tables`; ``#`` rows skipped.
    ``corrections``: a ``registration_corrections.csv`` applied in file order
    (Flee's level-1 correction; a camp not in ``data_layout.csv`` or a date
    without a matching report is refused, where Flee stops). ``camps``: the
    camps of ``locations.csv`` to score (default: every camp of the layout);
    one missing from ``data_layout.csv`` is refused (Flee stops).
    """
    directory = Path(directory)
    start = pd.Timestamp(start)
    layout_path = directory / "data_layout.csv"
    tables: dict[str, list[list[float]]] = {}
    lines: dict[str, int] = {}
    for ln, r in _rows(layout_path):
        if len(r) < 2 or r[0].startswith("#"):
            continue
        name, files = r[0], [f for f in r[1:] if f]
        if not files:
            continue
        if name in tables:
            raise _fail(layout_path, ln, "data_layout", f"{name!r} listed twice (first on line {lines[name]})")
        table = None
        for fname in files:
            f = Path(fname)
            if f.is_absolute() or ".." in f.parts or any(ch in fname for ch in "\r\n\t"):
                raise _fail(layout_path, ln, "data_layout", f"file {fname!r} must be inside the validation directory")
            part = [[float((d - start).days), v] for _, d, v in _date_rows(directory / f)]
            table = part if table is None else add_tables(table, part)
        tables[name], lines[name] = table, ln
    if "total" not in tables:
        raise InputError(f"{layout_path}: data_layout: no 'total,<file>' row (Flee 3.1 spawns from it)")
    if corrections is not None:
        cpath = Path(corrections)
        for ln, camp, date in read_corrections(cpath):
            if camp not in tables:
                raise _fail(cpath, ln, "registration correction", f"camp {camp!r} is not in {layout_path}")
            _correct(tables[camp], (date - start).days, cpath, ln, camp)
    layout_camps = [k for k in tables if k != "total"]
    scored = layout_camps if camps is None else list(camps)
    for camp in scored:
        if camp not in tables:
            raise InputError(f"{layout_path}: data_layout: camp {camp!r} of locations.csv has no row "
                             "(Flee 3.1 scores every camp of locations.csv and stops without one)")
    others = [k for k in layout_camps if k not in scored]

    def frame(names: list[str]) -> pd.DataFrame:
        return pd.DataFrame({k: flee_interpolate(tables[k], days) for k in names},
                            index=pd.RangeIndex(days, name="day"), dtype="float64")

    raw = {k: pd.Series([v for _, v in tables[k]],
                        index=start + pd.to_timedelta([d for d, _ in tables[k]], unit="D"), dtype="float64")
           for k in layout_camps}
    return Validation(camps=frame(scored), total=flee_interpolate(tables["total"], days).astype("float64"),
                      raw=raw, others=frame(others))


def flee_entries(series: np.ndarray, initial_total: float | None) -> np.ndarray:
    """Cumulative persons Flee 3.1 has placed by the end of each day, from a cumulative count.

    ``spawning.spawn_daily_displaced``: each day the rise in ``series`` enters
    (falls are a "refugee debt" paid back before new entries, i.e. the running
    maximum). With ``insert_day0`` (``initial_total`` = the camps' day-0
    counts), day 0 holds only those camp populations and later days add the
    rise over ``series[0]``; without, day 0 adds ``series[0]``.
    """
    s = np.asarray(series, dtype="float64")
    if initial_total is None:
        return np.maximum.accumulate(np.maximum(s, 0.0))
    out = np.full(len(s), float(initial_total))
    if len(s) > 1:
        out[1:] += np.maximum(np.maximum.accumulate(s[1:]) - s[0], 0.0)
    return out


def read_flee_scenario(
    input_dir: str | Path,
    validation_dir: str | Path | None = None,
    name: str | None = None,
    insert_day0: bool = True,
    entries: str = "total",
) -> tuple[NetworkScenario, Validation | None]:
    """Read a Flee scenario and, if given, its validation data, as Flee 3.1 reads them.

    The daily entries into the network come from the validation data (see
    :func:`flee_entries`); without it they are zero and the caller should set
    ``registered_total`` itself. ``entries`` (see :data:`ENTRY_SOURCES`):
    ``"total"`` (default) the ``total`` file (Flee 3.1's spawning),
    ``"camps"`` the sum of every ``data_layout.csv`` camp (Flee's
    ``SumFromCamps``). With ``insert_day0`` (Flee 3.1's
    ``spawn_rules.insert_day0``), each camp starts with its observed day-0 count.
    """
    if entries not in ENTRY_SOURCES:
        raise ConfigError(f"entries must be one of {sorted(ENTRY_SOURCES)}, got {entries!r}")
    input_dir = Path(input_dir)
    if not input_dir.is_dir():
        raise InputError(f"{input_dir}: Flee input directory not found")
    loc_path = input_dir / "locations.csv"
    sites, site_lines = _read_locations(loc_path)
    names = sites["name"].tolist()
    routes = read_routes(input_dir / "routes.csv", names)
    network = Network(sites, routes, source=str(input_dir))
    start, days = read_period(find_period(input_dir))
    conflicts = None
    if (input_dir / "conflicts.csv").is_file():
        conflicts, _unknown = read_conflicts(input_dir / "conflicts.csv", names, days)
    closures = ()
    if (input_dir / "closures.csv").is_file():
        closures = read_closures(input_dir / "closures.csv", names, sorted(set(sites["country"])))
    validation = None
    total = np.zeros(days)
    initial = None
    if validation_dir is not None:
        validation_dir = Path(validation_dir)
        if not validation_dir.is_dir():
            raise InputError(f"{validation_dir}: Flee validation directory not found")
        corr = input_dir / "registration_corrections.csv"
        camps = sites.loc[sites["site_type"].isin(["camp", "idpcamp"]), "name"].tolist()
        validation = read_validation(validation_dir, start, days, corr if corr.is_file() else None, camps)
        series = validation.total
        if entries == "camps":
            series = validation.camps.sum(axis=1).to_numpy() + validation.others.sum(axis=1).to_numpy()
        if insert_day0:
            initial = np.zeros(len(names))
            for camp in validation.camps.columns:
                initial[network.index(camp)] = validation.camps[camp].iloc[0]
        total = flee_entries(series, initial.sum() if initial is not None else None)
    scenario = NetworkScenario(
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
    ``error`` (|simulated - observed| / the camps' observed sum that day,
    floored at 1 person; the day's errors sum to its camps-sum ARD).
    """
    sc = result.scenario
    names = sc.network.names
    camps = list(validation.camps.columns)
    sim = result.occupancy[:, [names.index(cp) for cp in camps]].astype("float64")
    obs = validation.camps.to_numpy(dtype="float64")
    denom = np.maximum(obs.sum(axis=1, keepdims=True), 1.0)  # floored at 1 person, as ard_daily
    err = np.abs(sim - obs) / denom
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


FLEE_OUT_TAIL: tuple[str, ...] = (
    "Total error",
    "refugees in camps (UNHCR)",
    "total refugees (simulation)",
    "raw UNHCR refugee count",
    "refugees in camps (simulation)",
    "refugee_debt",
)
"""Columns after the per-camp ones in Flee 3.1's ``out.csv`` (``runscripts/run.py``), in order;
Flee's ``plot_flee_output`` drops exactly these to find the camp columns."""


def flee_out_frame(result, validation: Validation) -> pd.DataFrame:
    """Flee 3.1's ``out.csv`` as a frame, column for column.

    ``Day``, ``Date`` (YYYY-MM-DD), per camp ``<camp> sim`` (persons there at
    the end of the day), ``<camp> data`` (observed, whole persons),
    ``<camp> error`` (Flee's ``rel_error``: |sim / data - 1| rounded to 4
    digits, 0 where data is 0), then :data:`FLEE_OUT_TAIL`: ``Total error``
    (sum over camps of |sim - data| / the cumulative ``refugees.csv`` count,
    Flee's definition, 0.0 on days that count is 0, as Flee writes),
    ``refugees in camps (UNHCR)`` (sum of data), ``total refugees
    (simulation)`` (everyone in the network), ``raw UNHCR refugee count``
    (the cumulative refugees.csv count), ``refugees in camps (simulation)``,
    ``refugee_debt`` (persons by which refugees.csv has fallen below its
    running maximum). The wide layout with camp names in headers is Flee's,
    kept so Flee's own scripts read the file; :func:`comparison_frame` is the tidy form.
    """
    sc = result.scenario
    names = sc.network.names
    camps = list(validation.camps.columns)
    sim = result.occupancy[:, [names.index(cp) for cp in camps]].astype(np.int64)
    obs = validation.camps.to_numpy(dtype="float64")
    raw = np.asarray(validation.total, dtype="float64")
    cols: dict[str, object] = {"Day": np.arange(sc.days), "Date": sc.dates.strftime("%Y-%m-%d")}
    for j, camp in enumerate(camps):
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.where(obs[:, j] < 1e-5, 0.0, np.round(np.abs(sim[:, j] / obs[:, j] - 1.0), 4))
        cols[f"{camp} sim"] = sim[:, j]
        cols[f"{camp} data"] = obs[:, j].astype(np.int64)
        cols[f"{camp} error"] = rel
    abs_err = np.round(np.abs(sim - obs), 4).sum(axis=1)
    ok = raw > 0
    cols["Total error"] = np.where(ok, abs_err / np.where(ok, raw, 1.0), 0.0)
    cols["refugees in camps (UNHCR)"] = np.where(ok, obs.sum(axis=1), 0).astype(np.int64)
    cols["total refugees (simulation)"] = result.occupancy.sum(axis=1) + result.in_transit
    cols["raw UNHCR refugee count"] = np.where(ok, raw, 0).astype(np.int64)
    cols["refugees in camps (simulation)"] = sim.sum(axis=1)
    cols["refugee_debt"] = np.where(ok, np.maximum.accumulate(raw) - raw, 0).astype(np.int64)
    return pd.DataFrame(cols)


def write_flee_output(
    result, validation: Validation, path: str | Path, overwrite: bool = False, provenance: dict | None = None
) -> Path:
    """Write Flee 3.1's ``out.csv`` (:func:`flee_out_frame`) and a JSON provenance sidecar ``<path>.json``.

    Refuses to overwrite an existing file unless ``overwrite=True``.
    """
    path = Path(path)
    side = path.with_name(path.name + ".json")
    if not overwrite and (path.exists() or side.exists()):
        raise InputError(f"{path}: exists; pass overwrite=True (--force) to replace it")
    out = flee_out_frame(result, validation)
    sc = result.scenario
    path.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, index=False)
    meta = {"scenario": sc.name, "seed": result.seed, "start": str(sc.start.date()), "days": sc.days,
            "columns": "Flee 3.1 out.csv (runscripts/run.py)"}
    meta.update(provenance or {})
    side.write_text(json.dumps(meta, indent=2, default=str))
    return path
