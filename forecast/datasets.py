"""Bundled real datasets (``data/*.csv``) and the loaders that return validated frames.

The CSVs are built from publisher files by ``data/build.py`` and documented in
``data/SOURCES.md``. They are read through ``importlib.resources`` from
``forecast/data/`` (package data read through ``importlib.resources``; written by
``data/build.py``), so editable and plain installs work.

Main entry points:

- :func:`list_datasets` - one row per bundled dataset (id, title, publisher, licence, ...).
- :func:`load` - ``(frame, DatasetMeta)`` for a dataset id, or for a user's CSV of the
  same schema (``path=``), validated the same way.
- :func:`load_history` - history frame ``series_id, ds, y`` (persons per month).
- :func:`load_drivers` - drivers frame ``ds`` + driver columns (see ``docs/architecture.md``).
- :func:`load_hosts` - annual UNHCR stocks and flows of Afghans by host country.
- :func:`read_csv` - validate any user CSV against a dataset or frame schema.

NA means "not reported" everywhere and is never replaced by zero.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from forecast import schema
from forecast.errors import SchemaError

CC_BY = "CC BY 4.0"


@dataclass(frozen=True)
class DatasetMeta:
    """Provenance of one dataset (statsmodels-style SOURCE/COPYRIGHT/NOTE in one object).

    ``columns`` holds ``(name, unit, description)`` triples in file order.
    """

    id: str
    title: str
    publisher: str
    licence: str
    vintage: str
    origin: str
    columns: tuple[tuple[str, str, str], ...]
    caveats: tuple[str, ...]
    file: str

    @property
    def url(self) -> str:
        """Alias of ``origin`` (where the raw data came from)."""
        return self.origin

    def units(self) -> dict[str, str]:
        """Column name -> unit."""
        return {name: unit for name, unit, _ in self.columns}


def _cols(table_id: str) -> tuple[tuple[str, str, str], ...]:
    return tuple((c.name, c.unit, c.description) for c in schema.SPECS[table_id].columns)


def _meta(id, title, publisher, licence, vintage, origin, caveats) -> DatasetMeta:
    return DatasetMeta(id, title, publisher, licence, vintage, origin, _cols(id),
                       tuple(caveats), f"{id}.csv")


REGISTRY: dict[str, DatasetMeta] = {m.id: m for m in (
    _meta(
        "hosts_afghan_annual",
        "Afghan refugees, asylum-seekers and new arrivals by host country (annual)",
        "UNHCR Refugee Population Statistics Database",
        CC_BY,
        "refugees R package 2025.12.1 (GitHub PopulationStatistics/refugees @ 0c16a6d, 2026-06-25)",
        "https://www.unhcr.org/refugee-statistics/download ; github.com/PopulationStatistics/refugees",
        [
            "Stocks are at year end; new_* columns are flows (arrivals during the year).",
            "NA and 0 are kept as the publisher wrote them: NA = not reported, not zero.",
            "Central Asian figures are small and irregular (e.g. UZB 13 -> 13,032 refugees in 2021).",
            "oip (other people in need of international protection) is reported only for 2025.",
        ],
    ),
    _meta(
        "movement_monthly",
        "Monthly movements of Afghans: UNHCR asylum applications (DEU, GBR, FRA, CAN) and Frontex detections",
        "UNHCR; Frontex (via IOM GDI gdidata)",
        "UNHCR: CC BY 4.0; Frontex: reuse with acknowledgement (Frontex legal notice; verify)",
        "UNHCR extract 2018-11-16 (1999-01..2018-08); Frontex via iom/gdidata 0.3.21 (2009-01..2025-04)",
        "github.com/j-p-terry/MovementMatters ; github.com/iom/gdidata ; https://www.frontex.europa.eu/",
        [
            "UNHCR monthly series were discontinued after 2018; '*' (suppressed small counts) -> y NA, flag 'suppressed'.",
            "Months missing inside a series' span are written with y NA and flag 'absent_in_source'.",
            "Frontex counts detections of irregular border crossings, not persons: one person may be detected more than once.",
            "frontex_afg_total sums the route rows listed for the month; a route with no row that month is not a component "
            "(the source lists no zero rows); a listed component that is NA makes the sum NA (flag 'component_na').",
        ],
    ),
    _meta(
        "uk_asylum_quarterly",
        "UK asylum applications by Afghan nationals (quarterly)",
        "UK Home Office (Immigration system statistics, Asylum and resettlement datasets)",
        "Open Government Licence v3.0",
        "humaniverse/asylum R package 1.2.0 @ e7044ec; 2001Q1..2024Q3",
        "https://www.gov.uk/government/statistical-data-sets/asylum-and-resettlement-datasets",
        [
            "Cross-check series for unhcr_asylum_GBR (UNHCR counts may differ in definition).",
            "dependants are NA where the source has no dependant rows; applications is NA then.",
        ],
    ),
    _meta(
        "eu_asylum_annual",
        "First-time asylum applicants of Afghan citizenship in Europe, by reporting country (annual)",
        "Eurostat (migr_asyappctza), via IOM GDI gdidata",
        "CC BY 4.0 (Eurostat reuse policy)",
        "iom/gdidata 0.3.21 @ c9e4cc6 (2011-2024)",
        "https://ec.europa.eu/eurostat/databrowser/view/migr_asyappctza/ ; github.com/iom/gdidata",
        [
            "Annual cross-check of the monthly Frontex and UNHCR series; geo EU27 is the EU total.",
            "Eurostat rounds to the nearest 5. The copy lists no zero rows: a sex category with no row "
            "is empty here and is not a component of applicants (a listed NA would make it NA).",
        ],
    ),
    _meta(
        "conflict_monthly",
        "Monthly conflict fatalities (UCDP GED, best estimate) in Afghanistan and neighbours",
        "Uppsala Conflict Data Program (UCDP), aggregated by the PaCE project",
        CC_BY,
        "UCDP GED 25.1 (1989-2024) + UCDP Candidate GED (2025-01..2026-05); PaCE Hist.csv @ 0e30cc4",
        "https://ucdp.uu.se/downloads/ ; github.com/conflictlab/Pace-map-risk",
        [
            "Long format: one row per country (iso3) and month. KAZ and TKM are not in the source.",
            "preliminary = 1 from 2025-01: Candidate data, revised when the next GED release comes out.",
            "PaCE dropped events whose start and end fall in different months, so totals are a lower bound.",
        ],
    ),
    _meta(
        "battle_deaths_annual",
        "Battle-related deaths in Afghanistan (annual, best/low/high)",
        "PRIO Battle-deaths 3.1 (1946-1988) and UCDP (1989-2022)",
        CC_BY,
        "poldat ucdpbrds @ 9cdbec6 (UCDP GED 23.1 for 1989-2022)",
        "https://ucdp.uu.se/downloads/ ; github.com/kvelleby/poldat",
        [
            "Two sources joined at 1989 (see source_dataset); definitions differ slightly.",
        ],
    ),
    _meta(
        "climate_monthly",
        "Afghanistan monthly precipitation, anomaly, SPI-3/SPI-12, ERA5 temperature and Nino-3.4",
        "CRU TS 4.09 via World Bank CCKP; ERA5 (Copernicus C3S) via Our World in Data; NOAA CPC",
        "CCKP: CC BY 4.0 (cite Harris et al. 2020); OWID: CC BY 4.0 (ERA5 Copernicus licence); NOAA: public domain",
        "CRU TS 4.09 (1901-2024); OWID ERA5 to 2026-04; CPC detrended Nino-3.4 to 2024-12",
        "https://climateknowledgeportal.worldbank.org/ ; https://ourworldindata.org/ ; "
        "https://www.cpc.ncep.noaa.gov/data/indices/detrend.nino34.ascii.txt",
        [
            "SPI: gamma fitted per calendar month on the 1991-2020 rolling totals (Thom 1958 MLE), "
            "mixed distribution for zero totals, clipped to +-3.09; computed in data/build.py.",
            "precip_anom_mm is against the 1991-2020 mean of the same calendar month.",
            "Each column is NA where its source does not cover the month.",
        ],
    ),
    _meta(
        "food_prices_monthly",
        "Afghanistan national retail wheat price (median over markets) and index (2019 = 100)",
        "World Food Programme (VAM), via HDX",
        "CC BY-IGO",
        "HDX wfp_food_prices_afg.csv (2000-01..2024-09), copy at arnaldojr/food-prices @ 0b1e9f2",
        "https://data.humdata.org/dataset/wfp-food-prices-for-afghanistan",
        [
            "Commodity 'Wheat', unit KG, pricetype Retail, currency AFN; priceflag 'actual' to 2020-04 and "
            "'aggregate' after (see price_basis). Wheat flour is not used.",
            "Market coverage changes from 4 markets (2000) to 30+ (2020s): the median is not a fixed basket.",
        ],
    ),
    _meta(
        "dyads_annual",
        "New arrivals and co-national stocks per origin x asylum country (annual, world, 1990-2025)",
        "UNHCR Refugee Population Statistics Database; distances from Natural Earth",
        CC_BY + " (UNHCR); Natural Earth: public domain",
        "refugees R package 2025.12.1 (flows, population) @ 0c16a6d; Natural Earth 1:110m @ 0b9a6ce",
        "https://www.unhcr.org/refugee-statistics/download ; github.com/PopulationStatistics/refugees",
        [
            "Pairs whose arrivals reached 100 in some year since 1990; rows where a flow or a stock is reported.",
            "arrivals = new refugees + new asylum-seekers (flows.csv); refugee_like and oip flows are not counted.",
            "UNHCR lists no zero flows: an empty arrivals cell is not reported, never 0.",
            "Covariates are joined at load time (forecast.datasets.load_dyads) from country_year and land_borders.",
        ],
    ),
    _meta(
        "country_year",
        "Conflict, temperature anomaly and total refugee outflow/inflow per country (annual)",
        "UCDP (GED via PaCE; UCDP/PRIO battle deaths); FAO (FAOSTAT); UNHCR",
        CC_BY + " (UCDP, UNHCR, FAOSTAT under FAO's current policy; verify FAO vintage)",
        "PaCE Hist.csv @ 0e30cc4 (GED 25.1 + Candidate 2025); poldat ucdpbrds @ 9cdbec6; "
        "FAOSTAT bulk file c. 2021; UNHCR refugees 2025.12.1",
        "https://ucdp.uu.se/downloads/ ; https://www.fao.org/faostat/en/#data/ET ; "
        "github.com/PopulationStatistics/refugees",
        [
            "fatalities is NA for a country PaCE has no column for (no GED event recorded there).",
            "2025 fatalities are UCDP Candidate (preliminary) data; battle_deaths end in 2022; temp_anom_c ends in 2020.",
            "outflow/inflow sum every reported UNHCR pair (not only the pairs in dyads_annual).",
        ],
    ),
    _meta(
        "land_borders",
        "Land borders between countries (ISO-3 pairs, both directions)",
        "GeoDataSource (country-borders)",
        "CC BY-SA 4.0 (includes Country Borders data available from geodatasource.com)",
        "geodatasource/country-borders @ bb775af",
        "https://www.geodatasource.com/addon/country-borders ; github.com/geodatasource/country-borders",
        [
            "Share-alike: this file (and only this file) is CC BY-SA 4.0; it is joined at load time.",
            "Borders as drawn by the publisher; no position on any dispute.",
        ],
    ),
    _meta(
        "surge_catalogue",
        "Real refugee surges per origin x asylum pair, with multipliers over years 0-3",
        "Derived from UNHCR flows (data/dyads.py find_surges); borders from GeoDataSource",
        CC_BY + " (UNHCR); land_border flag derived from GeoDataSource (CC BY-SA 4.0)",
        "refugees R package 2025.12.1 flows @ 0c16a6d",
        "https://www.unhcr.org/refugee-statistics/download",
        [
            "Rule: arrivals >= 5,000 and >= 3 x the mean of the reported arrivals of the previous 3 years, "
            "that mean >= 1,000, first year of an episode (no surge in the pair in the previous 3 years).",
            "mult_yk = arrivals in year k / that 3-year mean; empty = not reported or after 2025.",
        ],
    ),
)}

# tables without a date or year column: the period they describe
_FIXED_SPAN: dict[str, tuple[str, str]] = {"land_borders": ("", "")}

DRIVER_NAMES = tuple(c.name for c in schema.DRIVER_COLUMNS)


# ----------------------------------------------------------------------------- files
def bundled_path(file: str) -> Path:
    """Filesystem path of a bundled file (package data ``forecast/data/<file>``, written
    by ``data/build.py``)."""
    res = resources.files("forecast").joinpath("data", file)
    return Path(str(res))


def _meta_for(dataset_id: str) -> DatasetMeta:
    try:
        return REGISTRY[dataset_id]
    except KeyError:
        raise SchemaError(
            f"unknown dataset {dataset_id!r}; bundled datasets: {sorted(REGISTRY)}"
        ) from None


CHECKED_FILE = "checked.json"
"""Package data file (``forecast/data/checked.json``, written by :func:`write_checked`
when ``data/build.py`` builds the data): for each bundled CSV that passed every check of
:func:`forecast.schema.read_table`, its SHA-256, rows and first and last period."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@functools.lru_cache(maxsize=1)
def checked_manifest() -> dict[str, dict]:
    """The record of :data:`CHECKED_FILE` (file name -> ``sha256``, ``rows``, ``start``,
    ``end``); empty if the file is missing or unreadable (every file is then checked in
    full when read)."""
    try:
        doc = json.loads(bundled_path(CHECKED_FILE).read_text("utf-8"))
        return {k: v for k, v in doc["files"].items() if isinstance(v, dict) and "sha256" in v}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _checked_entry(file: str, data: bytes) -> dict | None:
    """The manifest's entry for ``file`` if ``data`` are the very bytes that were checked."""
    entry = checked_manifest().get(file)
    return entry if entry is not None and entry["sha256"] == _sha256(data) else None


@functools.lru_cache(maxsize=32)
def _read_bundled(dataset_id: str) -> pd.DataFrame:
    """A bundled file's frame. Bytes recorded in :data:`CHECKED_FILE` as checked are read
    by :func:`forecast.schema.read_checked` (no cell checks: they passed them when the data
    were built); any other bytes (an edited or rebuilt file) get every check."""
    meta = _meta_for(dataset_id)
    path = bundled_path(meta.file)
    if not path.is_file():
        raise SchemaError(f"{path}: bundled file missing; rebuild with `python data/build.py`")
    data = path.read_bytes()
    if _checked_entry(meta.file, data) is not None:
        return schema.read_checked(data, dataset_id)
    return schema.read_table(path, dataset_id)


def is_checked(dataset_id: str) -> bool:
    """True when the bundled file of ``dataset_id`` has the bytes recorded as checked in
    :data:`CHECKED_FILE` (so it is read without the cell checks)."""
    path = bundled_path(_meta_for(dataset_id).file)
    return path.is_file() and _checked_entry(path.name, path.read_bytes()) is not None


def _span(dataset_id: str, df: pd.DataFrame) -> tuple[str, str]:
    """First and last period of a dataset's frame, as text (``YYYY-MM`` or a year)."""
    if "ds" in df:
        return f"{df['ds'].min():%Y-%m}", f"{df['ds'].max():%Y-%m}"
    if "year" in df:
        return str(int(df["year"].min())), str(int(df["year"].max()))
    return _FIXED_SPAN.get(dataset_id, ("", ""))


def write_checked(folder: Path | None = None) -> Path:
    """Check every bundled file in full (:func:`forecast.schema.read_table`) and write
    :data:`CHECKED_FILE` into ``folder`` (default: the package data folder) with each
    file's SHA-256, rows and span; deterministic bytes. Raises SchemaError (and writes
    nothing) if a file fails a check. Called by ``data/build.py``."""
    folder = Path(folder) if folder is not None else bundled_path(CHECKED_FILE).parent
    files = {}
    for m in REGISTRY.values():
        path = folder / m.file
        df = schema.read_table(path, m.id)
        start, end = _span(m.id, df)
        files[m.file] = {"sha256": _sha256(path.read_bytes()), "rows": len(df),
                         "start": start, "end": end}
    doc = {"note": "SHA-256 of the bundled CSVs that passed every check of "
                   "forecast.schema.read_table; written by data/build.py "
                   "(forecast.datasets.write_checked). A file whose bytes differ is checked "
                   "in full when read.",
           "files": dict(sorted(files.items()))}
    dest = folder / CHECKED_FILE
    dest.write_bytes((json.dumps(doc, indent=1, sort_keys=False) + "\n").encode("utf-8"))
    checked_manifest.cache_clear()
    _read_bundled.cache_clear()
    return dest


def read_csv(path: str | Path, dataset_id: str) -> pd.DataFrame:
    """Read a user's CSV and validate it against the schema ``dataset_id``.

    ``dataset_id`` is a bundled dataset id (see :func:`list_datasets`) or one of the
    frame ids ``history``, ``drivers``, ``forecast``, ``paths``. The file may be tidy or
    as Russian Excel saves it (:func:`forecast.schema.read_table`). Returns the typed frame
    (columns and units as in that dataset's :class:`DatasetMeta`). Raises
    :class:`forecast.errors.SchemaError` naming the file, column and first bad lines.
    """
    return schema.read_table(path, dataset_id)


def load(dataset_id: str, path: str | Path | None = None) -> tuple[pd.DataFrame, DatasetMeta]:
    """Load a bundled dataset (or a user's CSV of the same schema) with its provenance.

    Returns ``(frame, meta)``. The columns and their units are listed in
    ``meta.columns`` (``(name, unit, description)``); dates are ``datetime64[ns]``
    month starts, counts are ``float64`` with NaN = not reported. The returned frame
    is a fresh copy: changing it does not change later loads.
    """
    meta = _meta_for(dataset_id)
    if path is not None:
        return read_csv(path, dataset_id), meta
    return _read_bundled(dataset_id).copy(), meta


def list_datasets() -> pd.DataFrame:
    """One row per bundled dataset.

    Columns: ``id``, ``title``, ``publisher``, ``licence``, ``vintage``, ``rows`` (data
    rows), ``start`` and ``end`` (first and last date or year, as text), ``file``.
    """
    recs = []
    for m in REGISTRY.values():
        path = bundled_path(m.file)
        entry = _checked_entry(m.file, path.read_bytes()) if path.is_file() else None
        if entry is not None:  # the span recorded when the file was checked: no parsing
            rows, start, end = entry["rows"], entry["start"], entry["end"]
        else:
            df = _read_bundled(m.id)
            rows, (start, end) = len(df), _span(m.id, df)
        recs.append({"id": m.id, "title": m.title, "publisher": m.publisher,
                     "licence": m.licence, "vintage": m.vintage, "rows": rows,
                     "start": start, "end": end, "file": m.file})
    return pd.DataFrame(recs)


# ----------------------------------------------------------------------------- frames
def load_history(series_ids=None, path: str | Path | None = None) -> pd.DataFrame:
    """History frame of monthly movements of Afghans.

    Columns: ``series_id`` (str), ``ds`` (datetime64, first day of month), ``y``
    (float, persons per month; NaN = not reported). One row per series and month,
    months gap-free within each series, sorted by series_id then ds.

    Bundled series (``movement_monthly``): ``unhcr_asylum_DEU|GBR|FRA|CAN`` (UNHCR
    monthly asylum applications, 1999-2018), ``frontex_afg_total`` and
    ``frontex_afg_<route>`` (Frontex detections, 2009-2025; detections, not persons).

    ``series_ids``: a string or a list of ids to keep (unknown ids raise SchemaError).
    ``path``: a user's CSV with at least ``series_id, ds, y`` (extra columns dropped),
    validated as a history frame (tidy or Russian Excel, :func:`forecast.schema.read_table`).
    """
    if path is not None:
        df = schema.read_table(path, "history")[["series_id", "ds", "y"]]
    else:
        df = _read_bundled("movement_monthly")[["series_id", "ds", "y"]].copy()
    if series_ids is not None:
        ids = [series_ids] if isinstance(series_ids, str) else list(series_ids)
        known = set(df["series_id"])
        unknown = [s for s in ids if s not in known]
        if unknown:
            raise SchemaError(
                f"{path or 'movement_monthly'}: column 'series_id': unknown series {unknown}; "
                f"available: {sorted(known)}"
            )
        df = df[df["series_id"].isin(ids)]
    df = df.sort_values(["series_id", "ds"], kind="mergesort").reset_index(drop=True)
    return df


def load_drivers(path: str | Path | None = None) -> pd.DataFrame:
    """Drivers frame: monthly Afghanistan drivers, outer-joined on month.

    Columns (NaN where the source does not report the month):

    - ``ds`` datetime64, first day of month (gap-free, sorted)
    - ``fatalities`` deaths per month, UCDP GED best estimate (conflict_monthly, AFG;
      2025-01 on preliminary Candidate data)
    - ``spi3``, ``spi12`` standardized precipitation index (dimensionless; CRU TS 4.09)
    - ``precip_anom_mm`` mm per month vs the 1991-2020 calendar-month mean
    - ``temp_c`` ERA5 mean 2 m temperature, deg C
    - ``nino34_anom_c`` Nino-3.4 SST anomaly, deg C (NOAA CPC, detrended)
    - ``wheat_price_index`` WFP median retail wheat price over markets, AFN, 2019 mean = 100

    ``path``: a user's drivers CSV (``ds`` + any of those columns, extra numeric
    columns allowed; tidy or Russian Excel), validated the same way.
    """
    if path is not None:
        return schema.read_table(path, "drivers")
    conflict = _read_bundled("conflict_monthly")
    fat = conflict.loc[conflict["iso3"] == "AFG", ["ds", "fatalities"]]
    clim = _read_bundled("climate_monthly")[["ds", "spi3", "spi12", "precip_anom_mm", "temp_c",
                                             "nino34_anom_c"]]
    food = _read_bundled("food_prices_monthly")[["ds", "wheat_price_index"]]
    df = fat.merge(clim, on="ds", how="outer").merge(food, on="ds", how="outer")
    grid = pd.DataFrame({"ds": pd.date_range(df["ds"].min(), df["ds"].max(), freq="MS")})
    df = grid.merge(df, on="ds", how="left")
    df = df[["ds", *DRIVER_NAMES]].sort_values("ds").reset_index(drop=True)
    if all(map(is_checked, ("conflict_monthly", "climate_monthly", "food_prices_monthly"))):
        return df  # a join of checked files, which the drivers checks pass (a test shows it)
    return schema.validate_drivers(df, source="bundled drivers")


def load_hosts(path: str | Path | None = None) -> pd.DataFrame:
    """Annual Afghan refugees/asylum-seekers by host (KAZ, KGZ, TJK, TKM, UZB, IRN, PAK).

    Columns: ``year`` (int), ``host_iso3``, ``host_name``; stocks at year end in
    persons: ``refugees``, ``asylum_seekers``, ``oip``; flows in persons per year:
    ``new_refugees``, ``new_asylum_seekers``. NaN = not reported (kept apart from 0).
    Source: UNHCR (CC BY 4.0).
    """
    return load("hosts_afghan_annual", path)[0]


def load_dyads(path: str | Path | None = None) -> pd.DataFrame:
    """The dyadic world panel with its covariates joined (one row per origin, asylum, year).

    Columns: those of ``dyads_annual`` (``origin_iso3``, ``asylum_iso3``, ``year``,
    ``new_refugees``, ``new_asylum_seekers``, ``arrivals`` persons/year, ``stock``
    persons at year end, ``distance_km``), then ``land_border`` (1 = shared land
    border, 0 = none; GeoDataSource, CC BY-SA 4.0, joined here so the shipped
    dyads file stays CC BY 4.0), origin covariates ``o_fatalities``,
    ``o_battle_deaths`` (deaths/year), ``o_temp_anom_c`` (deg C), ``o_outflow``
    (persons/year) and host covariate ``a_inflow`` (persons/year), all of the same year
    (NaN = not reported). ``path``: a user's dyads CSV of the same schema.
    """
    d = load("dyads_annual", path)[0]
    cy = load("country_year")[0]
    lb = load("land_borders")[0]
    pairs = set(zip(lb["iso3"], lb["border_iso3"], strict=True))
    d["land_border"] = [int((o, a) in pairs) for o, a in
                        zip(d["origin_iso3"], d["asylum_iso3"], strict=True)]
    o = cy.rename(columns={"iso3": "origin_iso3", "fatalities": "o_fatalities",
                           "battle_deaths": "o_battle_deaths", "temp_anom_c": "o_temp_anom_c",
                           "outflow": "o_outflow"}).drop(columns=["inflow"])
    a = cy[["iso3", "year", "inflow"]].rename(columns={"iso3": "asylum_iso3",
                                                       "inflow": "a_inflow"})
    d = d.merge(o, on=["origin_iso3", "year"], how="left")
    d = d.merge(a, on=["asylum_iso3", "year"], how="left")
    return d


def load_country_year() -> pd.DataFrame:
    """``country_year`` covariates (see its :class:`DatasetMeta`): ``iso3``, ``year``,
    ``fatalities``, ``battle_deaths`` (deaths/year), ``temp_anom_c`` (deg C),
    ``outflow``, ``inflow`` (persons/year)."""
    return load("country_year")[0]


def load_surge_catalogue(path: str | Path | None = None) -> pd.DataFrame:
    """The surge catalogue (bundled, or a user's edited CSV validated against the same
    schema: a missing column raises SchemaError naming the file and the column)."""
    return load("surge_catalogue", path)[0]
