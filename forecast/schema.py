"""One vocabulary of columns, and the checks that every frame and CSV goes through.

Each bundled dataset and each exchanged frame (history, drivers, forecast, paths;
see ``docs/architecture.md``) has a :class:`TableSpec`: its columns with kind and
unit, its key (unique) and whether its months must be continuous. From a spec
the module builds a pandera schema (``pandera_schema``) and runs it after parsing.

Every failure raises :class:`forecast.errors.SchemaError` whose message names the
file (or frame), the column and the first bad rows. For a file, rows are given as
line numbers in the file (header = line 1); for a frame, as index labels.

Public checks: :func:`read_table` (a CSV file by path), :func:`read_upload` (a file's
bytes; both read the tidy and the Russian-Excel dialect), :func:`validate_frame` (a frame),
and the frame shortcuts :func:`validate_history`, :func:`validate_drivers`,
:func:`validate_forecast`, :func:`validate_paths`.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.bounds import BOUNDS, COLUMN_BOUNDS, bound_message, shown
from forecast.errors import SchemaError
from forecast.vocabulary import DRIVERS, HOSTS, QUANTILES  # noqa: F401 - QUANTILES re-exported

NA_STRINGS = frozenset({"", "NA", "NaN", "nan", "N/A", "<NA>"})
MAX_SHOWN = 5  # bad rows listed in a message

# kinds: "str" text; "date" ISO date YYYY-MM-DD; "month" date on the 1st of a month;
# "int" whole number; "float" real number; "count" real number >= 0 (persons, deaths)
KINDS = ("str", "date", "month", "int", "float", "count")


@dataclass(frozen=True)
class Col:
    """One column: name, kind (see ``KINDS``), unit, meaning, and whether NA is allowed."""

    name: str
    kind: str
    unit: str = ""
    description: str = ""
    nullable: bool = True
    allowed: tuple[str, ...] | None = None
    min_value: float | None = None
    max_value: float | None = None
    bound: str | None = None  # a name of forecast.bounds.BOUNDS every value obeys (NA allowed)


@dataclass(frozen=True)
class TableSpec:
    """Columns (in order), unique key, and monthly continuity of one table."""

    id: str
    columns: tuple[Col, ...]
    key: tuple[str, ...] = ()
    continuous_by: tuple[str, ...] | None = None  # months gap-free within these groups
    steps: tuple[int, ...] = (1,)  # allowed spacing in months (1 monthly, 3 quarterly, 12 annual)
    extra_numeric_ok: bool = False  # other columns allowed if numeric (drivers)
    required: tuple[str, ...] | None = None  # default: every column
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_names(self) -> tuple[str, ...]:
        return self.names if self.required is None else self.required

    def col(self, name: str) -> Col:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _ds(desc: str = "month start (first day of the month)") -> Col:
    return Col("ds", "month", "YYYY-MM-01", desc, nullable=False)


PERSONS = "persons"
PERSONS_M = "persons per month"
PERSONS_Y = "persons per year"

SPECS: dict[str, TableSpec] = {}


def _register(spec: TableSpec) -> TableSpec:
    SPECS[spec.id] = spec
    return spec


# ---- exchanged frames (docs/architecture.md)
HISTORY = _register(TableSpec(
    "history",
    (
        Col("series_id", "str", "", "series identifier", nullable=False),
        _ds(),
        Col("y", "count", PERSONS_M, "persons in the month; NA = not reported",
            bound=COLUMN_BOUNDS["y"]),
    ),
    key=("series_id", "ds"),
    continuous_by=("series_id",),
    steps=(1, 3, 12),
    notes=("each series is regular: monthly, quarterly (ds every 3 months) or annual "
           "(every 12 months); write a missing period with an empty y (not reported)",),
))

DRIVER_COLUMNS = tuple(Col(d.name, "count" if d.nonnegative else "float", d.unit,
                           d.description, bound=COLUMN_BOUNDS.get(d.name)) for d in DRIVERS)
DRIVERS = _register(TableSpec(
    "drivers",
    (_ds(), *DRIVER_COLUMNS),
    key=("ds",),
    continuous_by=(),
    extra_numeric_ok=True,
    required=("ds",),
))

FORECAST = _register(TableSpec(
    "forecast",
    (
        Col("series_id", "str", "", "series identifier", nullable=False),
        _ds(),
        Col("model", "str", "", "model alias", nullable=False),
        Col("scenario", "str", "", "scenario name", nullable=False),
        Col("quantile", "float", "probability", "quantile level in (0, 1)", nullable=False,
            min_value=0.0, max_value=1.0),
        Col("value", "count", PERSONS_M, "forecast quantile", nullable=False),
    ),
    key=("series_id", "ds", "model", "scenario", "quantile"),
))

PATHS = _register(TableSpec(
    "paths",
    (
        Col("series_id", "str", "", "series identifier", nullable=False),
        _ds(),
        Col("model", "str", "", "model alias", nullable=False),
        Col("scenario", "str", "", "scenario name", nullable=False),
        Col("path", "int", "", "sample path number 0..N-1", nullable=False, min_value=0),
        Col("value", "count", PERSONS_M, "simulated persons in the month", nullable=False),
    ),
    key=("series_id", "ds", "model", "scenario", "path"),
))

# ---- bundled datasets (data/*.csv, built by data/build.py)
_register(TableSpec(
    "hosts_afghan_annual",
    (
        Col("year", "int", "year", "calendar year (stocks at year end)", nullable=False),
        Col("host_iso3", "str", "ISO 3166-1 alpha-3", "country of asylum", nullable=False,
            allowed=tuple(sorted(HOSTS))),
        Col("host_name", "str", "", "country of asylum, UNHCR name", nullable=False),
        Col("refugees", "count", PERSONS, "refugees under UNHCR's mandate at year end"),
        Col("asylum_seekers", "count", PERSONS, "asylum-seekers at year end"),
        Col("oip", "count", PERSONS, "other people in need of international protection at year end"),
        Col("new_refugees", "count", PERSONS_Y, "new refugee arrivals in the year (flows)"),
        Col("new_asylum_seekers", "count", PERSONS_Y, "new asylum applications in the year (flows)"),
    ),
    key=("host_iso3", "year"),
))

_register(TableSpec(
    "movement_monthly",
    (
        Col("series_id", "str", "", "series identifier", nullable=False),
        _ds(),
        Col("y", "count", PERSONS_M, "persons in the month; NA = not reported"),
        Col("flag", "str", "", "'' | suppressed | absent_in_source | component_na",
            allowed=("suppressed", "absent_in_source", "component_na")),
        Col("source", "str", "", "publisher", nullable=False),
    ),
    key=("series_id", "ds"),
    continuous_by=("series_id",),
))

_register(TableSpec(
    "uk_asylum_quarterly",
    (
        Col("quarter", "str", "YYYYQn", "calendar quarter", nullable=False),
        Col("ds", "month", "YYYY-MM-01", "first day of the quarter", nullable=False),
        Col("main_applicants", "count", "persons per quarter", "main applicants"),
        Col("dependants", "count", "persons per quarter", "dependants; NA = not reported"),
        Col("applications", "count", "persons per quarter", "main applicants + dependants; NA if either is NA"),
    ),
    key=("ds",),
))

_register(TableSpec(
    "eu_asylum_annual",
    (
        Col("year", "int", "year", "calendar year", nullable=False),
        Col("geo", "str", "ISO 3166-1 alpha-3 or EU27", "reporting country (EU27 = EU total)",
            nullable=False),
        Col("female", "count", PERSONS_Y, "first-time applicants, female"),
        Col("male", "count", PERSONS_Y, "first-time applicants, male"),
        Col("unknown", "count", PERSONS_Y, "first-time applicants, sex unknown"),
        Col("applicants", "count", PERSONS_Y, "sum of the sex rows listed by the source"),
    ),
    key=("geo", "year"),
))

_register(TableSpec(
    "conflict_monthly",
    (
        _ds(),
        Col("iso3", "str", "ISO 3166-1 alpha-3", "country where the events happened", nullable=False),
        Col("fatalities", "count", "deaths per month", "UCDP GED best estimate, all violence types"),
        Col("preliminary", "int", "0/1", "1 = UCDP Candidate (preliminary) data, 2025-01 on",
            nullable=False, min_value=0, max_value=1),
    ),
    key=("iso3", "ds"),
    continuous_by=("iso3",),
))

_register(TableSpec(
    "battle_deaths_annual",
    (
        Col("year", "int", "year", "calendar year", nullable=False),
        Col("iso3", "str", "ISO 3166-1 alpha-3", "country", nullable=False),
        Col("best", "count", "deaths per year", "best estimate"),
        Col("low", "count", "deaths per year", "low estimate"),
        Col("high", "count", "deaths per year", "high estimate"),
        Col("source_dataset", "str", "", "PRIO Battle-deaths 3.1 or UCDP GED 23.1"),
    ),
    key=("iso3", "year"),
))

_register(TableSpec(
    "climate_monthly",
    (
        _ds(),
        Col("precip_mm", "count", "mm per month", "CRU TS 4.09 area mean precipitation (CCKP)"),
        Col("precip_anom_mm", "float", "mm per month", "precip_mm minus 1991-2020 calendar-month mean"),
        Col("spi3", "float", "dimensionless", "SPI over 3 months, gamma fit on 1991-2020"),
        Col("spi12", "float", "dimensionless", "SPI over 12 months, gamma fit on 1991-2020"),
        Col("temp_c", "float", "deg C", "ERA5 2 m temperature, area mean (OWID)"),
        Col("nino34_anom_c", "float", "deg C", "Nino-3.4 anomaly, detrended (NOAA CPC)"),
    ),
    key=("ds",),
    continuous_by=(),
))

_register(TableSpec(
    "food_prices_monthly",
    (
        _ds(),
        Col("wheat_afn_per_kg", "count", "AFN per kg", "median over markets, retail wheat"),
        Col("wheat_usd_per_kg", "count", "USD per kg", "median over markets, retail wheat (WFP conversion)"),
        Col("markets", "count", "markets", "markets with a wheat price that month"),
        Col("price_basis", "str", "", "actual | aggregate | mixed (WFP priceflag)",
            allowed=("actual", "aggregate", "mixed")),
        Col("wheat_price_index", "count", "index, 2019 mean = 100", "wheat_afn_per_kg / 2019 mean x 100"),
    ),
    key=("ds",),
    continuous_by=(),
))


_ISO3 = "ISO 3166-1 alpha-3"
_register(TableSpec(
    "dyads_annual",
    (
        Col("origin_iso3", "str", _ISO3, "country of origin (UNHCR code)", nullable=False),
        Col("asylum_iso3", "str", _ISO3, "country of asylum (UNHCR code)", nullable=False),
        Col("year", "int", "year", "calendar year (flows during it; stock at its end)",
            nullable=False, min_value=1900, max_value=2100),
        Col("new_refugees", "count", PERSONS_Y, "UNHCR flows: new refugees (incl. prima facie)"),
        Col("new_asylum_seekers", "count", PERSONS_Y, "UNHCR flows: new asylum applications"),
        Col("arrivals", "count", PERSONS_Y, "new_refugees + new_asylum_seekers; NA if neither reported"),
        Col("stock", "count", PERSONS, "refugees + asylum-seekers of the origin in the host at year end"),
        Col("distance_km", "count", "km", "great-circle distance between Natural Earth centroids"),
    ),
    key=("origin_iso3", "asylum_iso3", "year"),
    required=("origin_iso3", "asylum_iso3", "year", "arrivals"),
))

_register(TableSpec(
    "country_year",
    (
        Col("iso3", "str", _ISO3, "country", nullable=False),
        Col("year", "int", "year", "calendar year", nullable=False),
        Col("fatalities", "count", "deaths per year", "UCDP GED best estimate, summed over 12 months (PaCE)"),
        Col("battle_deaths", "count", "deaths per year", "UCDP/PRIO battle-related deaths, best (to 2022)"),
        Col("temp_anom_c", "float", "deg C", "FAOSTAT temperature change, meteorological year, vs 1951-1980"),
        Col("outflow", "count", PERSONS_Y, "UNHCR arrivals from this country, all hosts"),
        Col("inflow", "count", PERSONS_Y, "UNHCR arrivals into this country, all origins"),
    ),
    key=("iso3", "year"),
))

_register(TableSpec(
    "land_borders",
    (
        Col("iso3", "str", _ISO3, "country", nullable=False),
        Col("border_iso3", "str", _ISO3, "a country it shares a land border with", nullable=False),
    ),
    key=("iso3", "border_iso3"),
))

SURGE_YEARS = 4  # catalogue multipliers for years 0..3 (data/dyads.py SURGE_YEARS)
_register(TableSpec(
    "surge_catalogue",
    (
        Col("name", "str", "", "analogue name, 'Origin->Asylum YEAR'", nullable=False),
        Col("origin_iso3", "str", _ISO3, "country of origin", nullable=False),
        Col("asylum_iso3", "str", _ISO3, "country of asylum", nullable=False),
        Col("year", "int", "year", "surge year (year 0)", nullable=False),
        Col("land_border", "int", "0/1", "1 = origin and asylum share a land border",
            min_value=0, max_value=1),
        Col("base", "count", PERSONS_Y, "mean reported arrivals of the 3 years before year 0",
            nullable=False),
        *(Col(f"arrivals_y{k}", "count", PERSONS_Y, f"arrivals in year {k} after the surge start")
          for k in range(SURGE_YEARS)),
        *(Col(f"mult_y{k}", "count", "ratio", f"arrivals_y{k} / base")
          for k in range(SURGE_YEARS)),
    ),
    key=("name",),
))

_register(TableSpec(
    "annual_host_series",
    (
        Col("origin_iso3", "str", _ISO3, "country of origin", nullable=False),
        Col("asylum_iso3", "str", _ISO3, "country of asylum (the host)", nullable=False),
        Col("year", "int", "year", "calendar year", nullable=False, min_value=1900,
            max_value=2100),
        Col("arrivals", "count", PERSONS_Y, "arrivals in the year; empty = not reported"),
    ),
    key=("origin_iso3", "asylum_iso3", "year"),
))


# ----------------------------------------------------------------------------- messages
def _rows(labels, is_file: bool) -> str:
    labels = list(labels)
    shown = ", ".join(str(x) for x in labels[:MAX_SHOWN])
    more = f" (first {MAX_SHOWN} of {len(labels)})" if len(labels) > MAX_SHOWN else ""
    return f"{'line' if is_file else 'row'}{'s' if len(labels) > 1 else ''} {shown}{more}"


def _fail(source: str, column: str | list[str] | None, problem: str, labels=(), values=(),
          is_file: bool = True, hint: str = ""):
    """Raise SchemaError: '<source>: column '<c>': <problem> at lines .. (values: ..); <hint>'."""
    msg = f"{source}"
    if column is not None:
        if isinstance(column, str):
            msg += f": column '{column}'"
        else:
            msg += ": columns " + ", ".join(f"'{c}'" for c in column)
    msg += f": {problem}"
    if len(labels):
        msg += f" at {_rows(labels, is_file)}"
    if len(values):
        msg += " (values: " + ", ".join(shown(v) for v in list(values)[:MAX_SHOWN]) + ")"
    if hint:
        msg += f"; {hint}"
    raise SchemaError(msg)


# ----------------------------------------------------------------------------- reading
def read_text(path: Path | str) -> str:
    """A CSV file's text as tidy CSV text, read in either dialect by the rule of
    :func:`read_table`; SchemaError naming the file (and the first bad line) otherwise."""
    return upload_text(_file_bytes(path), str(path))[0]


def _file_bytes(path: Path | str) -> bytes:
    path = Path(path)
    if not path.is_file():
        raise SchemaError(f"{path}: no such file")
    return path.read_bytes()


def _parse(text: str, source: str) -> pd.DataFrame:
    """Split CSV text into a frame of strings indexed by line number (header = 1)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = None
    rows, lines = [], []
    for rec in _records(reader, source):
        if not rec or all(not f.strip() for f in rec):
            continue
        if header is None:
            header = [h.strip() for h in rec]
            continue
        if len(rec) != len(header):
            _fail(source, None, f"row has {len(rec)} fields but the header has {len(header)}",
                  [reader.line_num])
        rows.append(rec)
        lines.append(reader.line_num)
    if header is None:
        _fail(source, None, "file is empty (expected a header line and data rows)")
    if len(header) == 1:
        for sep, name in (("\t", "tab"), ("|", "pipe")):  # ';' is read (sniff_dialect)
            if sep in header[0]:
                _fail(source, None, f"wrong delimiter: the header is {name}-separated "
                      f"({header[0][:60]!r})", [1],
                      hint="save the file comma-separated, or as Russian Excel (';')")
    if len(set(header)) != len(header):
        dup = sorted({h for h in header if header.count(h) > 1})
        _fail(source, None, f"duplicate column names {dup} in the header", [1])
    if not rows:
        _fail(source, None, "no data rows (only a header)")
    df = pd.DataFrame(rows, columns=header, index=pd.Index(lines, name="line"), dtype=object)
    return df


def _records(reader, source: str):
    """The reader's records; a field over csv's size limit or a NUL byte is a SchemaError
    naming the line, not a crash."""
    while True:
        try:
            rec = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            _fail(source, None, f"unreadable CSV ({str(e)[:80]})", [max(reader.line_num, 1)],
                  hint="fields are limited to 131,072 characters")
        yield rec


_YEAR = BOUNDS["year"]
_YEAR_RE = r"^\s*(-?\d{1,})-\d{1,2}-\d{1,2}"


def _check_years(source: str, name: str, d: pd.Series, raw: pd.Series, bad: pd.Series,
                 is_file: bool) -> None:
    """Dates whose year is outside ``BOUNDS['year']`` (parsed, or unparsable because
    pandas ends in 2262): an error naming the bound, not 'unparsable'."""
    years = raw.where(bad).astype(str).str.extract(_YEAR_RE)[0]
    years = pd.to_numeric(years, errors="coerce")
    y = years.where(bad, d.dt.year.astype("float64"))
    out = y.notna() & ~_YEAR.holds(y.fillna(0).to_numpy())
    if out.any():
        _fail(source, name, bound_message("year", "the year of every date"),
              out.index[out], raw[out], is_file)


# ----------------------------------------------------------------------------- checks
def _isna(v) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _to_ts(v):
    if _isna(v):
        return pd.NaT
    try:
        ts = pd.to_datetime(v.strip(), format="%Y-%m-%d") if isinstance(v, str) \
            else pd.Timestamp(v)
    except (TypeError, ValueError, OverflowError):
        return pd.NaT
    if ts is pd.NaT or not _YEAR.low <= ts.year <= _YEAR.high:  # named by _check_years
        return pd.NaT
    return ts


def _convert(df: pd.DataFrame, spec: TableSpec, source: str, is_file: bool) -> pd.DataFrame:
    """Parse string cells (file) or coerce typed cells (frame) column by column."""
    missing = [c for c in spec.required_names if c not in df.columns]
    if missing:
        hint = ""
        if any(";" in str(c) for c in df.columns):
            hint = "the header contains ';': is the file semicolon-separated?"
        _fail(source, missing[0], f"missing column(s) {missing}; expected "
              f"{list(spec.required_names)}, found {[str(c) for c in df.columns]}", hint=hint)
    out = {}
    known = set(spec.names)
    for name in df.columns:
        if name in known:
            col = spec.col(name)
        elif spec.extra_numeric_ok:
            col = Col(str(name), "float")
        else:
            continue
        s = df[name]
        raw = s.astype(object)
        if is_file:  # every cell is text: str(cell).strip(), vectorised
            txt = raw.astype(str).str.strip()
            na = txt.isin(NA_STRINGS)
        else:
            na = pd.isna(raw)
        if col.kind == "str":
            vals = (txt if is_file else raw.map(lambda v: "" if _isna(v) else str(v).strip())
                    ).where(~na, "")
            if not col.nullable:
                bad = vals == ""
                if bad.any():
                    _fail(source, name, "empty values (not allowed)", s.index[bad], is_file=is_file)
            out[name] = vals.astype("str")
        elif col.kind in ("date", "month"):
            if pd.api.types.is_datetime64_any_dtype(s):
                d = s
            elif is_file:
                d = pd.to_datetime(txt.where(~na), format="%Y-%m-%d", errors="coerce")
            else:
                d = pd.Series([_to_ts(v) for v in raw], index=s.index, dtype="datetime64[ns]")
            bad = d.isna() & ~na
            _check_years(source, name, d, raw, bad, is_file)
            if bad.any():
                want = "YYYY-MM-DD, or dd.mm.yyyy in a ';'-separated file" if is_file \
                    else "YYYY-MM-DD"
                _fail(source, name, f"unparsable dates (expected {want})",
                      s.index[bad], raw[bad], is_file)
            if getattr(d.dt, "tz", None) is not None:
                d = d.dt.tz_localize(None)
            d = d.astype("datetime64[ns]")
            if col.kind == "month":
                off = d.notna() & ((d.dt.day != 1) | (d.dt.normalize() != d))
                if off.any():
                    _fail(source, name, "dates must be the first day of a month (YYYY-MM-01)",
                          s.index[off], raw[off], is_file)
            out[name] = d
        else:  # int, float, count
            if is_file:
                num = pd.to_numeric(txt.where(~na), errors="coerce")
            elif pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
                num = pd.to_numeric(s).astype("float64")
            else:
                num = pd.to_numeric(raw.where(~na), errors="coerce")
            num = pd.Series(num, index=s.index).astype("float64")
            bad = num.isna() & ~na
            if bad.any():
                _fail(source, name, "non-numeric values", s.index[bad], raw[bad], is_file)
            inf = np.isinf(num)
            if inf.any():
                why = f" ({bound_message(col.bound, 'every value')})" if col.bound else ""
                _fail(source, name, "infinite values" + why, s.index[inf], raw[inf], is_file)
            if col.kind == "int":
                frac = num.notna() & (num != np.floor(num))
                if frac.any():
                    _fail(source, name, "values must be whole numbers", s.index[frac],
                          raw[frac], is_file)
                big = num.abs() > 2**53
                if big.any():
                    _fail(source, name, "whole numbers beyond 2**53 cannot be counted exactly",
                          s.index[big], raw[big], is_file)
            if col.kind == "count":
                neg = num < 0
                if neg.any():
                    why = f" ({bound_message(col.bound, 'every value')})" if col.bound else ""
                    _fail(source, name, "negative count (persons/deaths/prices cannot be < 0)"
                          + why, s.index[neg], raw[neg], is_file)
            if col.bound is not None:
                out_of = num.notna() & ~BOUNDS[col.bound].holds(num.fillna(0).to_numpy())
                if out_of.any():
                    _fail(source, name, bound_message(col.bound, "every value"),
                          s.index[out_of], raw[out_of], is_file)
            out[name] = num
        if not col.nullable and col.kind != "str":
            nas = out[name].isna()
            if nas.any():
                _fail(source, name, "missing values (not allowed)", s.index[nas], is_file=is_file)
    cols = [c for c in spec.names if c in out] + [c for c in out if c not in known]
    res = pd.DataFrame({c: out[c] for c in cols}, index=df.index)
    for c in spec.columns:
        if c.kind == "int" and c.name in res and not res[c.name].isna().any():
            res[c.name] = res[c.name].astype("int64")
    return res


def pandera_schema(spec: TableSpec):
    """The pandera schema (``pandera.DataFrameSchema``) of a table, run on the parsed,
    typed frame. pandera is imported here, on first use: a run that reads only checked
    bundled files (:func:`read_checked`) does not load it (about 0.5 s)."""
    import pandera.pandas as pa

    cols = {}
    for c in spec.columns:
        checks = []
        if c.kind == "count":
            checks.append(pa.Check.ge(0, error="negative count"))
        if c.min_value is not None:
            checks.append(pa.Check.ge(c.min_value))
        if c.max_value is not None:
            checks.append(pa.Check.le(c.max_value))
        if c.allowed is not None:
            allowed = list(c.allowed) + ([""] if c.nullable else [])
            checks.append(pa.Check.isin(allowed))
        dtype = {"str": "str", "date": "datetime64[ns]", "month": "datetime64[ns]",
                 "int": None, "float": "float64", "count": "float64"}[c.kind]
        cols[c.name] = pa.Column(dtype, checks=checks, nullable=c.nullable or c.kind == "str",
                                 required=c.name in spec.required_names, coerce=False)
    return pa.DataFrameSchema(cols, unique=list(spec.key) or None, strict=False,
                              name=spec.id, report_duplicates="all")


def _run_pandera(df: pd.DataFrame, spec: TableSpec, source: str, is_file: bool) -> None:
    import pandera.pandas as pa

    try:
        pandera_schema(spec).validate(df, lazy=True)
    except pa.errors.SchemaErrors as e:
        fc = e.failure_cases
        first = fc.iloc[0]
        column = first["column"]
        check = str(first["check"])
        sel = fc[(fc["column"] == column) & (fc["check"].astype(str) == check)]
        idx = [i for i in sel["index"].tolist() if i is not None and not pd.isna(i)]
        idx = sorted(set(int(i) if isinstance(i, (int, np.integer, float)) else i for i in idx))
        if "uniqueness" in check:
            key = list(spec.key)
            _fail(source, key, "duplicate rows for the key"
                  + (" (duplicate dates)" if "ds" in key else ""), idx, is_file=is_file)
        if "negative" in check or ("greater_than_or_equal_to(0" in check
                                   and spec.col(column).kind == "count"):
            _fail(source, column, "negative count (persons/deaths/prices cannot be < 0)",
                  idx, sel["failure_case"].tolist(), is_file)
        _fail(source, column, f"check {check} failed", idx, sel["failure_case"].tolist(), is_file)


def _check_months(df: pd.DataFrame, spec: TableSpec, source: str, is_file: bool) -> None:
    if spec.continuous_by is None or "ds" not in df:
        return
    groups = df.groupby(list(spec.continuous_by), sort=False) if spec.continuous_by else [
        ((), df)]
    for gkey, g in groups:
        g = g.sort_values("ds")
        p = g["ds"].dt.year * 12 + g["ds"].dt.month
        step = p.diff().iloc[1:]
        unit = int(step.min()) if len(step) else 1
        where = ""
        if spec.continuous_by:
            kv = gkey if isinstance(gkey, tuple) else (gkey,)
            where = " for " + ", ".join(
                f"{c}={v!r}" for c, v in zip(spec.continuous_by, kv, strict=True))
        if unit not in spec.steps:
            unit = spec.steps[0]
        gap = step[step != unit]
        if len(gap):
            labels = list(gap.index)
            prev = g["ds"].shift(1).loc[labels]
            first = f"{prev.iloc[0]:%Y-%m} -> {g['ds'].loc[labels[0]]:%Y-%m}"
            kind = {1: "monthly", 3: "quarterly", 12: "annual"}.get(unit, f"{unit}-month")
            _fail(source, "ds", f"gap in the {kind} index{where} (first gap {first})",
                  labels, is_file=is_file,
                  hint="write the missing periods with an empty value for 'not reported'")


def _validate(df: pd.DataFrame, spec: TableSpec, source: str, is_file: bool) -> pd.DataFrame:
    if len(df) == 0:
        _fail(source, None, "no data rows")
    typed = _convert(df, spec, source, is_file)
    _run_pandera(typed, spec, source, is_file)
    _check_months(typed, spec, source, is_file)
    if spec.id == "forecast":
        _check_quantiles(typed, source, is_file)
    return typed


def _check_quantiles(df: pd.DataFrame, source: str, is_file: bool) -> None:
    grp = ["series_id", "ds", "model", "scenario"]
    have = df.groupby(grp)["quantile"].agg(lambda q: set(np.round(q, 6)))
    need = set(np.round(QUANTILES, 6))
    short = have[have.map(lambda s: not need <= s)]
    if len(short):
        miss = sorted(need - short.iloc[0])
        _fail(source, "quantile", f"missing required quantiles {miss} for {short.index[0]}")
    s = df.sort_values([*grp, "quantile"])
    dec = s.groupby(grp)["value"].diff() < -1e-9
    if dec.any():
        _fail(source, "value", "quantiles cross (value decreases as quantile increases)",
              list(s.index[dec]), s["value"][dec].tolist(), is_file)


# ----------------------------------------------------------------------------- public
def spec_for(table_id: str) -> TableSpec:
    """The spec of a dataset or frame id; SchemaError listing the known ids otherwise."""
    try:
        return SPECS[table_id]
    except KeyError:
        raise SchemaError(f"unknown table {table_id!r}; known: {sorted(SPECS)}") from None


def read_table(path: Path | str, table_id: str) -> pd.DataFrame:
    """Read and validate a CSV file against the spec ``table_id``.

    The file's bytes are read by the one rule of the app's uploads (:func:`read_upload`):
    tidy (``,``, decimal point, ISO dates, UTF-8 with or without a byte-order mark) or
    Russian Excel (``;``, decimal comma, ``dd.mm.yyyy`` or ISO dates, UTF-8 with or
    without a byte-order mark, or Windows-1251), sniffed from the header line
    (:func:`sniff_dialect`). Returns a typed frame (columns in spec order, then any extra allowed columns):
    text columns as ``str`` ('' = NA for nullable text), dates as ``datetime64[ns]``,
    numbers as ``float64`` (NaN = not reported; whole-number columns with no NA as
    ``int64``), with a fresh ``RangeIndex``. Raises :class:`SchemaError` naming the
    file, column and first bad lines (header = line 1).
    """
    return _read_bytes(_file_bytes(path), spec_for(table_id), str(path))[0]


EXCEL_RU_DATE_FORMATS: tuple[str, ...] = ("%d.%m.%Y",)
"""Date cells Excel writes in a Russian locale (``01.05.2025``), read as ISO dates when a
file is in the ``excel-ru`` dialect (:data:`forecast.csv_dialect.EXCEL_RU`: ``;``
separator, decimal comma; ISO dates are read too)."""
_RU_NUMBER = re.compile(r"^\s*[-+]?\d[\d\u00a0\u202f ]*,\d+\s*$")
_RU_DATE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$")


def sniff_dialect(text: str) -> str:
    """``"excel-ru"`` when the header line is ``;``-separated (more ``;`` than ``,``),
    else ``"tidy"`` (the dialect names of :mod:`forecast.csv_dialect`)."""
    from forecast.csv_dialect import EXCEL_RU

    header = next((ln for ln in text.splitlines() if ln.strip()), "")
    return EXCEL_RU.name if header.count(EXCEL_RU.sep) > header.count(",") else "tidy"


def _decode_upload(data: bytes, source: str) -> str:
    """UTF-8 (a byte-order mark allowed); a ``;``-separated file that is not UTF-8 is read
    as Windows-1251 (what Excel writes in a Russian locale); otherwise a SchemaError."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        alt = data.decode("cp1251", errors="replace")
        if sniff_dialect(alt) != "excel-ru":
            line = data[: e.start].count(b"\n") + 1
            _fail(source, None, f"not UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start})",
                  [line], hint="save the file as UTF-8")
        text = alt
    if "\x00" in text:
        _fail(source, None, "contains a NUL byte (not a text CSV file)",
              [text[: text.index("\x00")].count("\n") + 1])
    if not text.strip():
        _fail(source, None, "file is empty (expected a header line and data rows)")
    return text


def _from_excel_ru(text: str, source: str) -> str:
    """Russian-Excel CSV text -> tidy CSV text, cell by cell: ``;`` -> ``,``, a decimal
    comma -> a point (spaces between digit groups dropped), ``dd.mm.yyyy`` -> ISO.
    Lines stay where they were, so errors name the file's own lines."""
    from forecast.csv_dialect import EXCEL_RU

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=EXCEL_RU.sep)
    for rec in _records(reader, source):
        cells = []
        for c in rec:
            if _RU_NUMBER.match(c):
                c = re.sub(r"[\s\u00a0\u202f]", "", c).replace(EXCEL_RU.decimal, ".")
            elif (m := _RU_DATE.match(c)) and _real_date(*map(int, m.groups()[::-1])):
                c = f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"
            cells.append(c)
        writer.writerow(cells)
    return out.getvalue()


def upload_text(data: bytes, source: str) -> tuple[str, str]:
    """An upload's bytes as tidy CSV text, and the dialect it was in (``tidy`` or
    ``excel-ru``; see :func:`read_upload`)."""
    text = _decode_upload(data, source)
    dialect = sniff_dialect(text)
    return (_from_excel_ru(text, source) if dialect != "tidy" else text), dialect


def _real_date(year: int, month: int, day: int) -> bool:
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def read_upload(data: bytes, table_id: str, source: str) -> pd.DataFrame:
    """Read and validate an uploaded file's bytes (never a path built from its name)
    against the spec ``table_id``, in either dialect: tidy (``,``, decimal point, ISO
    dates) or Russian Excel (``;``, decimal comma, ``dd.mm.yyyy`` or ISO dates; UTF-8
    with or without a byte-order mark, or Windows-1251). Returns the frame of
    :func:`read_table` with ``attrs["dialect"]``; errors name ``source`` and its lines."""
    out, dialect = _read_bytes(data, spec_for(table_id), source)
    out.attrs["dialect"] = dialect
    return out


def _read_bytes(data: bytes, spec: TableSpec, source: str) -> tuple[pd.DataFrame, str]:
    """The one reading rule of a CSV file's or an upload's bytes (:func:`read_table`,
    :func:`read_upload`): the typed frame and the dialect it was in."""
    text, dialect = upload_text(data, source)
    typed = _validate(_parse(text, source), spec, source, is_file=True)
    return typed.reset_index(drop=True), dialect


def read_checked(data: bytes, table_id: str) -> pd.DataFrame:
    """The frame :func:`read_table` returns for ``data``, read without the cell checks,
    for bytes that have passed them before: a bundled file whose SHA-256 is the one
    recorded when it was fully checked (:func:`forecast.datasets.checked_manifest`).

    Tidy dialect only (what ``data/build.py`` writes). Same columns, order, dtypes and
    NA rule as :func:`read_table` (``tests/forecast/test_datasets.py`` compares the two
    on every bundled file); about 20-50x faster, because the cells are parsed by
    ``pandas.read_csv`` in C instead of checked one rule at a time. Never use it on
    bytes that were not checked: a user's file always goes through :func:`read_table`.
    """
    spec = spec_for(table_id)
    header = pd.read_csv(io.BytesIO(data), nrows=0, encoding="utf-8-sig").columns
    known = set(spec.names)
    kinds = {}
    for name in header:
        if name in known:
            kinds[name] = spec.col(name).kind
        elif spec.extra_numeric_ok:
            kinds[name] = "float"
    dtype = {n: ("float64" if k in ("int", "float", "count") else object) for n, k in kinds.items()}
    df = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", usecols=list(kinds), dtype=dtype,
                     na_values=sorted(NA_STRINGS), keep_default_na=False)
    out = {}
    for name, kind in kinds.items():
        s = df[name]
        if kind == "str":
            out[name] = s.where(s.notna(), "").astype(str).str.strip().astype("str")
        elif kind in ("date", "month"):
            out[name] = pd.to_datetime(s.str.strip(), format="%Y-%m-%d").astype("datetime64[ns]")
        else:
            out[name] = s.astype("float64")
    cols = [c for c in spec.names if c in out] + [c for c in out if c not in known]
    res = pd.DataFrame({c: out[c] for c in cols})
    for c in spec.columns:
        if c.kind == "int" and c.name in res and not res[c.name].isna().any():
            res[c.name] = res[c.name].astype("int64")
    return res


def validate_frame(df: pd.DataFrame, table_id: str, source: str = "frame") -> pd.DataFrame:
    """Validate an in-memory frame; return a typed copy (the input is not modified).

    Bad rows are named by their index labels (by 0-based position if the index has
    duplicate labels).
    """
    spec = spec_for(table_id)
    if not isinstance(df, pd.DataFrame):
        raise SchemaError(f"{source}: expected a pandas DataFrame, got {type(df).__name__}")
    df = df.copy()
    if not df.index.is_unique:  # row labels must identify rows: use positions instead
        df = df.reset_index(drop=True)
    return _validate(df, spec, source, is_file=False)


def validate_history(df: pd.DataFrame, source: str = "history frame") -> pd.DataFrame:
    """Check a history frame: ``series_id`` (str), ``ds`` (month start), ``y`` (persons per
    period, >= 0, NA allowed); unique (series_id, ds); each series regular (monthly,
    quarterly or annual) with no gaps."""
    out = validate_frame(df, "history", source)
    return out[["series_id", "ds", "y"]]


def validate_drivers(df: pd.DataFrame, source: str = "drivers frame") -> pd.DataFrame:
    """Check a drivers frame: ``ds`` (month start, unique, gap-free) + numeric driver columns
    (``fatalities`` deaths/month >= 0, ``spi3``, ``spi12``, ``precip_anom_mm`` mm/month,
    ``temp_c`` deg C, ``nino34_anom_c`` deg C, ``wheat_price_index`` >= 0; NA allowed)."""
    return validate_frame(df, "drivers", source)


def validate_forecast(df: pd.DataFrame, source: str = "forecast frame") -> pd.DataFrame:
    """Check a forecast frame: ``series_id, ds, model, scenario, quantile, value``; value
    persons per month >= 0, no NA; quantiles 0.05..0.95 present and not crossing."""
    return validate_frame(df, "forecast", source)


def validate_paths(df: pd.DataFrame, source: str = "paths frame") -> pd.DataFrame:
    """Check a paths frame: ``series_id, ds, model, scenario, path, value``; ``path`` int >= 0,
    value persons per month >= 0, no NA; unique key."""
    return validate_frame(df, "paths", source)
