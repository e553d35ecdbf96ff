"""Build the processed datasets in ``data/`` from the raw publisher files.

Usage::

    python data/build.py [--raw DIR] [--out DIR]

``--raw`` defaults to the environment variable ``PLANNER_RAW_DIR``, else
``<repo>/../shared/data/raw``. ``--out`` defaults to the repository: each file is
written as package data of the package that reads it, ``forecast/data/<file>`` or
``abm/data/<file>`` (see :data:`PACKAGE_OF`). The output is deterministic: two runs give byte-identical files
(fixed column order, sorted rows, fixed float formatting, ``\\n`` line ends,
NA written as an empty field). Every dataset is documented in ``data/SOURCES.md``.

NA means "not reported" throughout and is never turned into zero.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import special, stats

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

if str(REPO) not in sys.path:  # the host list has one home: forecast/vocabulary.py
    sys.path.insert(0, str(REPO))
from forecast.vocabulary import CENTRAL_ASIA, HOST_NAMES  # noqa: E402

HOSTS = {**HOST_NAMES, "IRN": "Iran (Islamic Rep. of)"}  # UNHCR's spelling for IRN

# raw file (relative to the raw dir) -> where a user gets it (see data/SOURCES.md)
RAW_FILES = {
    "unhcr_refugees/population_afghanistan_origin.csv": "UNHCR refugees R package, github.com/PopulationStatistics/refugees (data/population.rda), or https://www.unhcr.org/refugee-statistics/download",
    "unhcr_refugees/flows_afghanistan_origin.csv": "UNHCR refugees R package, github.com/PopulationStatistics/refugees (data/flows.rda)",
    "unhcr_refugees/demographics_afghanistan_origin.csv": "UNHCR refugees R package, github.com/PopulationStatistics/refugees (data/demographics.rda)",
    "unhcr_monthly_asylum_1999_2018/unhcr_asylum_seekers_monthly_1999_2018_selected.csv": "github.com/j-p-terry/MovementMatters (data/numbers_sylum_seekers_monthly_99_18_wItaly.csv), UNHCR Population Statistics extract of 2018-11-16",
    "iom_gdidata/frontex_illegal_border_crossings_monthly_by_nationality_2009_2025.csv": "github.com/iom/gdidata (data/frontex.rda), or https://www.frontex.europa.eu/what-we-do/monitoring-and-risk-analysis/migratory-map/",
    "iom_gdidata/eu_first_time_asylum_applicants_annual_by_nationality_2011_2024.csv": "github.com/iom/gdidata (data/eu_asyapp.rda), or Eurostat table migr_asyappctza, https://ec.europa.eu/eurostat/databrowser/view/migr_asyappctza/",
    "uk_home_office_asylum/uk_asylum_applications_afghanistan_quarterly_2001_2024.csv": "github.com/humaniverse/asylum (data/applications.rda), or https://www.gov.uk/government/statistical-data-sets/asylum-and-resettlement-datasets",
    "ucdp/pace_ucdp_ged_monthly_fatalities_by_country_1989_2026.csv": "github.com/conflictlab/Pace-map-risk (Hist.csv), built from UCDP GED 25.1 + Candidate GED, https://ucdp.uu.se/downloads/",
    "ucdp/ucdp_prio_battledeaths_country_year_1946_2022_poldat.csv": "github.com/kvelleby/poldat (data/ucdpbrds.rda), or https://ucdp.uu.se/downloads/",
    "climate/cckp_cru_ts409_precip_monthly_afg_neighbours_1901_2024.csv": "World Bank Climate Change Knowledge Portal API (CRU TS 4.09 country means), https://climateknowledgeportal.worldbank.org/",
    "climate/owid_era5_temperature_monthly_afg_neighbours_1941_2026.csv": "Our World in Data, monthly average surface temperature (ERA5), https://ourworldindata.org/grapher/monthly-average-surface-temperatures-by-year",
    "noaa_enso/cpc_detrend_nino34_monthly_1950_2024.csv": "NOAA CPC, https://www.cpc.ncep.noaa.gov/data/indices/detrend.nino34.ascii.txt",
    "wfp_food_prices/wfp_food_prices_afg.csv": "HDX, Afghanistan - Food Prices (WFP VAM), https://data.humdata.org/dataset/wfp-food-prices-for-afghanistan",
    "unhcr_refugees/flows.csv": "UNHCR refugees R package, github.com/PopulationStatistics/refugees (data/flows.rda)",
    "unhcr_refugees/population.csv": "UNHCR refugees R package, github.com/PopulationStatistics/refugees (data/population.rda)",
    "unhcr_refugees/countries.csv": "UNHCR refugees R package, github.com/PopulationStatistics/refugees (data/countries.rda)",
    "fao_temperature_change/Environment_Temperature_change_E_All_Data_NOFLAG.csv": "FAOSTAT Temperature change on land (bulk download), https://www.fao.org/faostat/en/#data/ET",
    "geography/geodatasource_country_borders.csv": "github.com/geodatasource/country-borders (GEODATASOURCE-COUNTRY-BORDERS.CSV), CC BY-SA 4.0",
    "geography/ne_110m_admin_0_countries.geojson": "Natural Earth 1:110m Admin 0 countries, https://www.naturalearthdata.com/ (GeoJSON: github.com/martynafford/natural-earth-geojson)",
}

BASELINE = (1991, 2020)  # WMO climatological standard normal
SPI_CLIP = 3.09  # |SPI| beyond this (p < 0.001) is clipped, as in climate_indices / NCL


# --------------------------------------------------------------------------- writing
def fmt_int(s: pd.Series) -> pd.Series:
    """Whole numbers without decimals; NA -> empty. Refuses non-integral values."""
    v = pd.to_numeric(s, errors="raise").astype("float64")
    ok = v.dropna()
    if not np.all(np.floor(ok) == ok):
        raise ValueError(f"column {s.name!r} has non-integral values")
    return v.map(lambda x: "" if math.isnan(x) else str(int(x))).astype(object)


def fmt_float(digits: int) -> Callable[[pd.Series], pd.Series]:
    def f(s: pd.Series) -> pd.Series:
        v = pd.to_numeric(s, errors="raise").astype("float64").round(digits)
        out = v.map(lambda x: "" if math.isnan(x) else f"{x:.{digits}f}")
        return out.map(lambda t: "0." + "0" * digits if t == "-0." + "0" * digits else t).astype(object)

    return f


def fmt_str(s: pd.Series) -> pd.Series:
    return s.astype(object).where(s.notna(), "").astype(str).astype(object)


def write_csv(df: pd.DataFrame, path: Path, formats: dict[str, Callable], sort: list[str]) -> None:
    """Write ``df`` with exactly the columns of ``formats`` (in that order), rows sorted."""
    df = df.sort_values(sort, kind="mergesort").reset_index(drop=True)
    out = pd.DataFrame({c: formats[c](df[c]) for c in formats})
    text = ",".join(formats) + "\n"
    for row in out.itertuples(index=False):
        text += ",".join(_quote(x) for x in row) + "\n"
    path.write_bytes(text.encode("utf-8"))


def _quote(x: str) -> str:
    if any(ch in x for ch in ',"\n'):
        return '"' + x.replace('"', '""') + '"'
    return x


def month_grid(df: pd.DataFrame, key: str) -> pd.DataFrame:
    """Add NA rows for months missing between each series' first and last month."""
    parts = []
    for sid, g in df.groupby(key, sort=True):
        full = pd.date_range(g["ds"].min(), g["ds"].max(), freq="MS")
        g = g.set_index("ds").reindex(full)
        g.index.name = "ds"
        g[key] = sid
        parts.append(g.reset_index())
    return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------- builders
def build_hosts(raw: Path) -> pd.DataFrame:
    pop = pd.read_csv(raw / "unhcr_refugees/population_afghanistan_origin.csv")
    flo = pd.read_csv(raw / "unhcr_refugees/flows_afghanistan_origin.csv")
    pop = pop[pop["coa_iso"].isin(HOSTS)][["year", "coa_iso", "refugees", "asylum_seekers", "oip"]]
    flo = flo[flo["coa_iso"].isin(HOSTS)][["year", "coa_iso", "refugees", "asylum_seekers"]]
    flo = flo.rename(columns={"refugees": "new_refugees", "asylum_seekers": "new_asylum_seekers"})
    for t in (pop, flo):
        if t.duplicated(["year", "coa_iso"]).any():
            raise ValueError("UNHCR table has duplicate (year, host) rows")
    df = pop.merge(flo, on=["year", "coa_iso"], how="outer").rename(columns={"coa_iso": "host_iso3"})
    df["host_name"] = df["host_iso3"].map(HOSTS)
    return df


def build_movement(raw: Path) -> pd.DataFrame:
    # UNHCR monthly asylum applications, 1999-2018
    m = pd.read_csv(
        raw / "unhcr_monthly_asylum_1999_2018/unhcr_asylum_seekers_monthly_1999_2018_selected.csv",
        dtype=str,
        keep_default_na=False,
    )
    m.columns = ["coa", "origin", "year", "month", "value"]
    names = {
        "Germany": "DEU",
        "United Kingdom of Great Britain and Northern Ireland": "GBR",
        "France": "FRA",
        "Canada": "CAN",
    }
    m = m[(m["origin"] == "Afghanistan") & m["coa"].isin(names)].copy()
    months = {n: i for i, n in enumerate(
        ["January", "February", "March", "April", "May", "June", "July", "August",
         "September", "October", "November", "December"], start=1)}
    m["ds"] = pd.to_datetime(
        {"year": m["year"].astype(int), "month": m["month"].map(months), "day": 1}
    )
    v = m["value"].str.strip()
    bad = ~(v.str.fullmatch(r"\d+") | (v == "*"))
    if bad.any():
        raise ValueError(f"unexpected UNHCR monthly values: {sorted(v[bad].unique())[:5]}")
    m["y"] = pd.to_numeric(v.where(v != "*"), errors="raise")
    m["flag"] = np.where(v == "*", "suppressed", "")
    m["series_id"] = "unhcr_asylum_" + m["coa"].map(names)
    m["source"] = "UNHCR"
    unhcr = m[["series_id", "ds", "y", "flag", "source"]]

    # Frontex detections of illegal border crossings, nationality AFG
    f = pd.read_csv(
        raw / "iom_gdidata/frontex_illegal_border_crossings_monthly_by_nationality_2009_2025.csv"
    )
    f = f[f["nat"] == "AFG"].copy()
    f["ds"] = pd.to_datetime(f["month"] + "-01")
    f["slug"] = f["route"].map(route_slug)
    # a route (sum over its sea/land types) or the total is NA if any listed component is NA;
    # route-months with no row in the source are not components (see SOURCES.md)
    by_route = f.groupby(["slug", "ds"], as_index=False)["n"].agg(lambda s: s.sum(min_count=len(s)))
    by_route["series_id"] = "frontex_afg_" + by_route["slug"]
    total = f.groupby("ds", as_index=False)["n"].agg(lambda s: s.sum(min_count=len(s)))
    total["series_id"] = "frontex_afg_total"
    fr = pd.concat([by_route[["series_id", "ds", "n"]], total[["series_id", "ds", "n"]]])
    fr = fr.rename(columns={"n": "y"})
    fr["flag"] = np.where(fr["y"].isna(), "component_na", "")
    fr["source"] = "Frontex"

    df = pd.concat([unhcr, fr], ignore_index=True)
    src = df.groupby("series_id")["source"].first()
    df = month_grid(df, "series_id")
    gap = df["source"].isna()
    df.loc[gap, "flag"] = "absent_in_source"
    df["source"] = df["series_id"].map(src)
    return df


def route_slug(route: str) -> str:
    s = re.sub(r"\broute\b", "", route.lower())
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


def build_eu(raw: Path) -> pd.DataFrame:
    e = pd.read_csv(
        raw / "iom_gdidata/eu_first_time_asylum_applicants_annual_by_nationality_2011_2024.csv"
    )
    e = e[e["nat"] == "AFG"]
    if e.duplicated(["geo", "t", "sex"]).any():
        raise ValueError("Eurostat table has duplicate (geo, year, sex) rows")
    w = e.pivot(index=["geo", "t"], columns="sex", values="n").reset_index()
    for c in ("female", "male", "unknown"):
        if c not in w:
            w[c] = np.nan
    listed = e.groupby(["geo", "t"])["n"].agg(lambda s: s.sum(min_count=len(s)))
    w["applicants"] = w.set_index(["geo", "t"]).index.map(listed)
    return w.rename(columns={"t": "year"})


def build_uk(raw: Path) -> pd.DataFrame:
    u = pd.read_csv(
        raw / "uk_home_office_asylum/uk_asylum_applications_afghanistan_quarterly_2001_2024.csv"
    )
    u = u[u["Nationality"] == "Afghanistan"]
    u["applicant"] = u["Applicant type"].map({"Main applicant": "main_applicants", "Dependant": "dependants"})
    if u["applicant"].isna().any():
        raise ValueError("unexpected UK applicant type")
    w = (
        u.groupby(["Date", "Quarter", "applicant"])["Applications"]
        .agg(lambda s: s.sum(min_count=len(s)))
        .unstack("applicant")
        .reset_index()
    )
    for c in ("main_applicants", "dependants"):
        if c not in w:
            w[c] = np.nan
    w["applications"] = w["main_applicants"] + w["dependants"]  # NA if either is NA
    w["quarter"] = w["Quarter"].str.replace(" ", "")
    end = pd.to_datetime(w["Date"])
    w["ds"] = end.dt.to_period("Q").dt.start_time
    return w


def build_conflict(raw: Path) -> pd.DataFrame:
    p = pd.read_csv(raw / "ucdp/pace_ucdp_ged_monthly_fatalities_by_country_1989_2026.csv")
    iso = {
        "Afghanistan": "AFG",
        "Iran": "IRN",
        "Pakistan": "PAK",
        "Tajikistan": "TJK",
        "Uzbekistan": "UZB",
        "Kyrgyzstan": "KGZ",
    }
    long = p.melt(id_vars="month_end", value_vars=[c for c in iso if c in p.columns],
                  var_name="country", value_name="fatalities")
    long["iso3"] = long["country"].map(iso)
    long["ds"] = pd.to_datetime(long["month_end"]).dt.to_period("M").dt.start_time
    long["preliminary"] = (long["ds"] >= pd.Timestamp("2025-01-01")).astype(int)
    return long


def build_battle_deaths(raw: Path) -> pd.DataFrame:
    b = pd.read_csv(raw / "ucdp/ucdp_prio_battledeaths_country_year_1946_2022_poldat.csv")
    b = b[b["gwcode"] == 700].copy()  # Gleditsch-Ward 700 = Afghanistan
    b["iso3"] = "AFG"
    return b.rename(columns={"source": "source_dataset"})


def gamma_thom(x: np.ndarray) -> tuple[float, float]:
    """Gamma shape and scale by Thom's (1958) maximum-likelihood approximation."""
    mean = float(np.mean(x))
    a = math.log(mean) - float(np.mean(np.log(x)))
    shape = (1.0 + math.sqrt(1.0 + 4.0 * a / 3.0)) / (4.0 * a)
    return shape, mean / shape


def spi(precip: pd.Series, ds: pd.Series, window: int) -> pd.Series:
    """Standardized precipitation index over ``window`` months (McKee et al. 1993).

    Rolling ``window``-month totals; per calendar month a gamma distribution is
    fitted (Thom 1958 MLE) on the 1991-2020 totals that are > 0. Zeros use the
    mixed distribution H(x) = q + (1 - q) G(x), q = share of zeros in the
    baseline. SPI = Phi^-1(H), clipped to +-3.09.
    """
    acc = precip.rolling(window, min_periods=window).sum()
    month = ds.dt.month
    year = ds.dt.year
    out = pd.Series(np.nan, index=precip.index)
    for mo in range(1, 13):
        sel = month == mo
        base = acc[sel & year.between(*BASELINE)].dropna().to_numpy()
        pos = base[base > 0]
        q = 1.0 - len(pos) / len(base)
        shape, scale = gamma_thom(pos)
        x = acc[sel]
        g = special.gammainc(shape, (x.clip(lower=0) / scale).to_numpy())
        h = q + (1.0 - q) * g
        z = stats.norm.ppf(np.clip(h, 1e-12, 1 - 1e-12))
        out[sel] = np.where(x.isna(), np.nan, np.clip(z, -SPI_CLIP, SPI_CLIP))
    return out


def build_climate(raw: Path) -> pd.DataFrame:
    pr = pd.read_csv(raw / "climate/cckp_cru_ts409_precip_monthly_afg_neighbours_1901_2024.csv")
    pr = pr[pr["iso3"] == "AFG"].copy()
    pr["ds"] = pd.to_datetime({"year": pr["year"], "month": pr["month"], "day": 1})
    pr = pr.sort_values("ds").reset_index(drop=True)
    if not pr["ds"].equals(pd.Series(pd.date_range(pr["ds"].iloc[0], pr["ds"].iloc[-1], freq="MS"), name="ds")):
        raise ValueError("CCKP precipitation has gaps; SPI needs a continuous record")
    base = pr[pr["year"].between(*BASELINE)].groupby("month")["precip_mm"].mean()
    pr["precip_anom_mm"] = pr["precip_mm"] - pr["month"].map(base)
    pr["spi3"] = spi(pr["precip_mm"], pr["ds"], 3)
    pr["spi12"] = spi(pr["precip_mm"], pr["ds"], 12)

    t = pd.read_csv(raw / "climate/owid_era5_temperature_monthly_afg_neighbours_1941_2026.csv")
    t = t[t["iso3"] == "AFG"].copy()
    t["ds"] = pd.to_datetime({"year": t["year"], "month": t["month"], "day": 1})

    n = pd.read_csv(raw / "noaa_enso/cpc_detrend_nino34_monthly_1950_2024.csv")
    n["ds"] = pd.to_datetime({"year": n["year"], "month": n["month"], "day": 1})
    n = n.rename(columns={"nino34_anomaly_c": "nino34_anom_c"})

    df = pr[["ds", "precip_mm", "precip_anom_mm", "spi3", "spi12"]]
    df = df.merge(t[["ds", "temp_c"]], on="ds", how="outer")
    df = df.merge(n[["ds", "nino34_anom_c"]], on="ds", how="outer")
    return df


WHEAT = {"commodity": "Wheat", "unit": "KG", "pricetype": "Retail", "currency": "AFN"}


def build_food(raw: Path) -> pd.DataFrame:
    w = pd.read_csv(raw / "wfp_food_prices/wfp_food_prices_afg.csv", skiprows=[1])
    for k, v in WHEAT.items():
        w = w[w[k] == v]
    if w.duplicated(["date", "market"]).any():
        raise ValueError("WFP wheat: several prices for one market and month")
    w["ds"] = pd.to_datetime(w["date"]).dt.to_period("M").dt.start_time
    g = w.groupby("ds").agg(
        wheat_afn_per_kg=("price", "median"),
        wheat_usd_per_kg=("usdprice", "median"),
        markets=("market", "nunique"),
        n_actual=("priceflag", lambda s: int((s == "actual").sum())),
    ).reset_index()
    g["price_basis"] = np.where(g["n_actual"] == g["markets"], "actual",
                                np.where(g["n_actual"] == 0, "aggregate", "mixed"))
    ref = g.loc[g["ds"].dt.year == 2019, "wheat_afn_per_kg"]
    if len(ref) != 12:
        raise ValueError("WFP wheat: 2019 is not complete; cannot index to 2019 = 100")
    g["wheat_price_index"] = 100.0 * g["wheat_afn_per_kg"] / ref.mean()
    g = month_grid(g.assign(k="x"), "k")
    return g


AGE_BANDS = {"0_4": "0-4", "5_11": "5-11", "12_17": "12-17", "18_59": "18-59", "60": "60+"}


def build_demographics(raw: Path) -> pd.DataFrame:
    d = pd.read_csv(raw / "unhcr_refugees/demographics_afghanistan_origin.csv")
    d = d[d["pop_type"].isin(["REF", "ASY"]) & (d["coa_iso"] != "AFG")]
    scopes = {"all_hosts": d, "central_asia": d[d["coa_iso"].isin(CENTRAL_ASIA)]}
    for iso in ("IRN", "PAK", *CENTRAL_ASIA):
        scopes[iso] = d[d["coa_iso"] == iso]
    rows = []
    for scope, g in scopes.items():
        cells = {}
        for sex, p in (("female", "f"), ("male", "m")):
            for key, band in AGE_BANDS.items():
                cells[(band, sex)] = g[f"{p}_{key}"].sum(min_count=1)
        total = sum(v for v in cells.values() if not pd.isna(v))
        for (band, sex), v in cells.items():
            rows.append({"scope": scope, "age_band": band, "sex": sex, "persons": v,
                         "share": v / total if total > 0 else np.nan})
    out = pd.DataFrame(rows)
    out["scope_order"] = out["scope"].map({s: i for i, s in enumerate(scopes)})
    out["band_order"] = out["age_band"].map({b: i for i, b in enumerate(AGE_BANDS.values())})
    return out


# --------------------------------------------------------------------------- facility sets
FACILITY_HOSTS = CENTRAL_ASIA
"""Hosts that get a bundled default facility set (the five Central Asian planning hosts)."""

CASELOAD_PARTS = {"refugees": "refugees", "asylum_seekers": "asylum-seekers",
                  "oip": "others in need of international protection"}
"""UNHCR stock columns summed into a host's planning caseload (NA = not reported: left out
and named as such, never counted as zero)."""

#: The sizing rule of the default facility sets: (value, unit, source). Shelter space,
#: pupils per class and shifts are read from abm/data/abm_standards.csv (their one home).
FACILITY_RULE: dict[str, tuple[float, str, str]] = {
    "persons_per_site": (5000, "persons per reception centre",
                         "UNHCR Handy Guide (2000): 1 school per 5,000 people; one reception "
                         "centre per school catchment is an assumption"),
    "pupils_per_1000": (240, "pupils per 1,000 refugees",
                        "UNHCR Handbook for Emergencies 2nd ed.: a kit for 1,000 refugees is "
                        "3 classrooms on double shifts serving 240 pupils"),
    "persons_per_clinic": (10000, "persons per primary health facility",
                           "UNHCR Emergency Handbook: at least 1 primary health facility per "
                           "10,000 people"),
    "clinicians_per_clinic": (3, "clinicians per facility",
                              "UNHCR Emergency Handbook: 1 doctor (per < 50,000), 1 outpatient "
                              "clinical officer and 1 outpatient nurse (each per < 10,000)"),
    "lead_shelter": (90, "days", "assumption"),
    "lead_school": (60, "days", "assumption"),
    "lead_clinic": (30, "days", "assumption"),
}


def host_caseload(hosts: pd.DataFrame, iso3: str) -> tuple[int, int, str]:
    """(persons, year, words) of ``iso3``'s planning caseload: the Afghan population of
    concern in the latest UNHCR year with any figure reported, the sum of the reported
    parts of :data:`CASELOAD_PARTS` (columns of ``hosts_afghan_annual.csv``, persons at
    year end); ``words`` names the parts summed and those not reported."""
    g = hosts[hosts["host_iso3"] == iso3]
    g = g[g[list(CASELOAD_PARTS)].notna().any(axis=1)]
    if g.empty:
        raise ValueError(f"UNHCR table has no Afghan population figure for {iso3}")
    row = g.loc[g["year"].idxmax()]
    have = [c for c in CASELOAD_PARTS if not pd.isna(row[c])]
    lost = [CASELOAD_PARTS[c] for c in CASELOAD_PARTS if c not in have]
    persons = int(sum(int(row[c]) for c in have))
    parts = " + ".join(f"{int(row[c]):,} {CASELOAD_PARTS[c]}" for c in have)
    words = f"{persons:,} Afghans ({parts}" + (f"; {', '.join(lost)} not reported" if lost else "") + ")"
    return persons, int(row["year"]), words


def _split(total: int, size: int) -> list[int]:
    """``total`` persons in groups of at most ``size`` (the last one takes the rest)."""
    n = max(1, math.ceil(total / size))
    return [min(size, total - size * k) for k in range(n)]


def facility_sets(hosts: pd.DataFrame, standards: pd.DataFrame) -> pd.DataFrame:
    """The default facility set of every host in :data:`FACILITY_HOSTS`: capacity for the
    host's recent caseload (:func:`host_caseload`) at the standards, one rule for all.

    Per host, with P the caseload [persons]: reception centres of at most
    ``persons_per_site`` persons, each ``persons x m2_per_person`` m2 of covered space
    (Sphere 2018, read from ``abm_standards.csv``), rounded up; one school per centre,
    ``ceil(persons x pupils_per_1000 / 1000 / (pupils_per_class x school_shifts))``
    classrooms; ``ceil(P / persons_per_clinic)`` clinics of ``clinicians_per_clinic``
    clinicians. Lead times are assumptions. Rules and sources: :data:`FACILITY_RULE`.
    Columns: ``host_iso3, set_label, caseload_persons, caseload_year`` then the
    facilities columns of ``abm.read_facilities``.
    """
    std = standards.set_index("key")["value"]
    m2, ppc, shifts = (float(std[k]) for k in ("m2_per_person", "pupils_per_class", "school_shifts"))
    r = {k: v[0] for k, v in FACILITY_RULE.items()}
    rows = []
    for iso in FACILITY_HOSTS:
        shelters, schools, clinics = [], [], []
        persons, year, words = host_caseload(hosts, iso)
        label = (f"{HOSTS[iso]} default set: illustrative, sized from {words}, UNHCR "
                 f"population statistics, {year}")
        base = f"Illustrative, sized from {words} in {HOSTS[iso]} (UNHCR population statistics, {year})"
        head = {"host_iso3": iso, "set_label": label, "caseload_persons": persons,
                "caseload_year": year, "opens": ""}
        sites = _split(persons, int(r["persons_per_site"]))
        for k, n in enumerate(sites, 1):
            share = f"{n:,} of the {persons:,} persons" if len(sites) > 1 else f"all {persons:,} persons"
            shelters.append({**head, "facility_id": f"{iso.lower()}-shelter-{k}",
                         "facility_type": "shelter", "name": f"Reception centre {k} (illustrative)",
                         "quantity": math.ceil(n * m2), "quantity_unit": "m2",
                         "lead_time_days": r["lead_shelter"],
                         "source": f"{base}: {share} (centres of at most {r['persons_per_site']:,.0f}; "
                                   f"{FACILITY_RULE['persons_per_site'][2]}) x {m2:g} m2 covered "
                                   f"space per person (Sphere Handbook 2018, shelter standard 3), "
                                   f"rounded up; lead time {r['lead_shelter']:.0f} days is an assumption"})
            pupils = n * r["pupils_per_1000"] / 1000
            schools.append({**head, "facility_id": f"{iso.lower()}-school-{k}",
                         "facility_type": "school", "name": f"School {k} (illustrative)",
                         "quantity": math.ceil(pupils / (ppc * shifts)), "quantity_unit": "classrooms",
                         "lead_time_days": r["lead_school"],
                         "source": f"{base}: {share} x {r['pupils_per_1000']:.0f} pupils per 1,000 "
                                   f"refugees / ({ppc:g} pupils per class x {shifts:g} shifts) "
                                   f"(UNHCR Handbook for Emergencies 2nd ed.; 1 school per "
                                   f"5,000 people, UNHCR Handy Guide 2000), rounded up; lead time "
                                   f"{r['lead_school']:.0f} days is an assumption"})
        for k, _n in enumerate(_split(persons, int(r["persons_per_clinic"])), 1):
            clinics.append({**head, "facility_id": f"{iso.lower()}-clinic-{k}",
                         "facility_type": "clinic", "name": f"Primary health clinic {k} (illustrative)",
                         "quantity": r["clinicians_per_clinic"], "quantity_unit": "clinicians",
                         "lead_time_days": r["lead_clinic"],
                         "source": f"{base}: {persons:,} persons / {r['persons_per_clinic']:,.0f} "
                                   f"per primary health facility, rounded up, x "
                                   f"{r['clinicians_per_clinic']:.0f} clinicians "
                                   f"(UNHCR Emergency Handbook: 1 primary health facility per "
                                   f"10,000 people; staffing 1 doctor, 1 outpatient clinical "
                                   f"officer, 1 outpatient nurse); lead time "
                                   f"{r['lead_clinic']:.0f} days is an assumption"})
        rows += shelters + schools + clinics
    out = pd.DataFrame(rows)
    out["host_order"] = out["host_iso3"].map({h: i for i, h in enumerate(FACILITY_HOSTS)})
    out["row_order"] = range(len(out))
    return out


def build_facilities(raw: Path) -> pd.DataFrame:
    """:func:`facility_sets` from the UNHCR host table (:func:`build_hosts`) and the
    capacity standards in ``abm/data/abm_standards.csv`` (hand-authored, cited)."""
    return facility_sets(build_hosts(raw), pd.read_csv(REPO / "abm" / "data" / "abm_standards.csv"))


def _load_dyads():
    """``data/dyads.py`` (the dyadic world panel), loaded beside this script."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("planner_data_dyads", HERE / "dyads.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


dyads = _load_dyads()


# --------------------------------------------------------------------------- main
INT, STR = fmt_int, fmt_str
OUTPUTS = {
    "hosts_afghan_annual.csv": (
        build_hosts,
        {"year": INT, "host_iso3": STR, "host_name": STR, "refugees": INT, "asylum_seekers": INT,
         "oip": INT, "new_refugees": INT, "new_asylum_seekers": INT},
        ["host_iso3", "year"],
    ),
    "movement_monthly.csv": (
        build_movement,
        {"series_id": STR, "ds": lambda s: s.dt.strftime("%Y-%m-%d"), "y": INT, "flag": STR,
         "source": STR},
        ["series_id", "ds"],
    ),
    "uk_asylum_quarterly.csv": (
        build_uk,
        {"quarter": STR, "ds": lambda s: s.dt.strftime("%Y-%m-%d"), "main_applicants": INT,
         "dependants": INT, "applications": INT},
        ["ds"],
    ),
    "eu_asylum_annual.csv": (
        build_eu,
        {"year": INT, "geo": STR, "female": INT, "male": INT, "unknown": INT,
         "applicants": INT},
        ["geo", "year"],
    ),
    "conflict_monthly.csv": (
        build_conflict,
        {"ds": lambda s: s.dt.strftime("%Y-%m-%d"), "iso3": STR, "fatalities": INT,
         "preliminary": INT},
        ["iso3", "ds"],
    ),
    "battle_deaths_annual.csv": (
        build_battle_deaths,
        {"year": INT, "iso3": STR, "best": INT, "low": INT, "high": INT, "source_dataset": STR},
        ["year"],
    ),
    "climate_monthly.csv": (
        build_climate,
        {"ds": lambda s: s.dt.strftime("%Y-%m-%d"), "precip_mm": fmt_float(1),
         "precip_anom_mm": fmt_float(2), "spi3": fmt_float(3), "spi12": fmt_float(3),
         "temp_c": fmt_float(2), "nino34_anom_c": fmt_float(2)},
        ["ds"],
    ),
    "food_prices_monthly.csv": (
        build_food,
        {"ds": lambda s: s.dt.strftime("%Y-%m-%d"), "wheat_afn_per_kg": fmt_float(3),
         "wheat_usd_per_kg": fmt_float(4), "markets": INT, "price_basis": STR,
         "wheat_price_index": fmt_float(2)},
        ["ds"],
    ),
    "afghan_demographics.csv": (
        build_demographics,
        {"scope": STR, "age_band": STR, "sex": STR, "persons": INT, "share": fmt_float(6)},
        ["scope_order", "band_order", "sex"],
    ),
    "dyads_annual.csv": (
        dyads.build_dyads,
        {"origin_iso3": STR, "asylum_iso3": STR, "year": INT, "new_refugees": INT,
         "new_asylum_seekers": INT, "arrivals": INT, "stock": INT, "distance_km": INT},
        ["origin_iso3", "asylum_iso3", "year"],
    ),
    "country_year.csv": (
        dyads.build_country_year,
        {"iso3": STR, "year": INT, "fatalities": INT, "battle_deaths": INT,
         "temp_anom_c": fmt_float(3), "outflow": INT, "inflow": INT},
        ["iso3", "year"],
    ),
    "land_borders.csv": (
        dyads.build_land_borders,
        {"iso3": STR, "border_iso3": STR},
        ["iso3", "border_iso3"],
    ),
    "facilities_default.csv": (
        build_facilities,
        {"host_iso3": STR, "set_label": STR, "caseload_persons": INT, "caseload_year": INT,
         "facility_id": STR, "facility_type": STR, "name": STR, "quantity": INT,
         "quantity_unit": STR, "opens": STR, "lead_time_days": INT, "source": STR},
        ["host_order", "row_order"],
    ),
    "surge_catalogue.csv": (
        dyads.build_surges,
        {"name": STR, "origin_iso3": STR, "asylum_iso3": STR, "year": INT, "land_border": INT,
         "base": fmt_float(1), **{f"arrivals_y{k}": INT for k in range(dyads.SURGE_YEARS)},
         **{f"mult_y{k}": fmt_float(4) for k in range(dyads.SURGE_YEARS)}},
        ["origin_iso3", "asylum_iso3", "year"],
    ),
}


ABM_OUTPUTS = ("afghan_demographics.csv", "facilities_default.csv")
PACKAGE_OF: dict[str, str] = {name: "abm" if name in ABM_OUTPUTS else "forecast"
                              for name in OUTPUTS}
"""Which package ships each output as package data (the one that reads it)."""


def target(out: Path, name: str) -> Path:
    """Where output ``name`` goes under ``out`` (the repository by default)."""
    return out / PACKAGE_OF[name] / "data" / name


def default_raw() -> Path:
    env = os.environ.get("PLANNER_RAW_DIR")
    return Path(env) if env else (REPO.parent / "shared" / "data" / "raw")


def missing_raw(raw: Path) -> list[str]:
    return [f for f in RAW_FILES if not (raw / f).is_file()]


TABLE_BEGIN = "<!-- BEGIN rows-and-span (written by data/build.py) -->"
TABLE_END = "<!-- END rows-and-span -->"


def span(df: pd.DataFrame) -> str:
    """First and last month (``ds``) or year of a built frame, as text."""
    if "ds" in df:
        return f"{df['ds'].min():%Y-%m} to {df['ds'].max():%Y-%m}"
    if "year" in df:
        return f"{int(df['year'].min())} to {int(df['year'].max())}"
    if "border_iso3" in df:
        return "no time dimension"
    if "caseload_year" in df:
        years = sorted({int(y) for y in df["caseload_year"]})
        return "caseloads of " + (str(years[0]) if len(years) == 1 else f"{years[0]} to {years[-1]}")
    return "end 2025 (single year)"


def write_table(out: Path, summary: dict[str, tuple[int, str]]) -> None:
    """Replace the rows/span table in ``out/SOURCES.md`` (only if the file has the markers)."""
    doc = out / "SOURCES.md"
    if not doc.is_file():
        return
    text = doc.read_text(encoding="utf-8")
    if TABLE_BEGIN not in text or TABLE_END not in text:
        return
    lines = ["| file | rows | span |", "|---|---:|---|"]
    lines += [f"| `{name}` | {n:,} | {sp} |" for name, (n, sp) in summary.items()]
    head, rest = text.split(TABLE_BEGIN, 1)
    _, tail = rest.split(TABLE_END, 1)
    new = head + TABLE_BEGIN + "\n" + "\n".join(lines) + "\n" + TABLE_END + tail
    if new != text:
        doc.write_bytes(new.encode("utf-8"))


# The regional map of the Sites & routes page: Natural Earth countries clipped to this
# box (degrees: west, south, east, north), which holds Central Asia, Afghanistan, Iran,
# Pakistan and the edges of their neighbours.
REGION_BOX = (30.0, 15.0, 110.0, 60.0)
REGION_MAP = Path("abm") / "data" / "geography" / "central_asia.geojson"


def build_region_map(raw: Path, out: Path, digits: int = 3) -> int:
    """Write ``out/abm/data/geography/central_asia.geojson`` from Natural Earth 1:110m
    Admin 0 countries (public domain): every country that meets :data:`REGION_BOX`,
    clipped to it (shapely ``clip_by_rect``), coordinates rounded to ``digits`` decimals
    (3 = about 100 m), with only the properties ``name`` (Natural Earth ``NAME``) and
    ``iso3`` (``ADM0_A3``). Features sorted by ``iso3``; deterministic bytes. Returns the
    number of countries written.
    """
    import json

    from shapely.geometry import mapping, shape
    from shapely.ops import clip_by_rect

    gj = json.loads((raw / "geography/ne_110m_admin_0_countries.geojson").read_text("utf-8"))

    def rounded(coords):
        if isinstance(coords[0], (int, float)):
            return [round(float(c), digits) for c in coords]
        return [rounded(c) for c in coords]

    features = []
    for f in gj["features"]:
        geom = clip_by_rect(shape(f["geometry"]), *REGION_BOX)
        if geom.is_empty or geom.area == 0:
            continue
        g = mapping(geom)
        features.append({"type": "Feature",
                         "properties": {"iso3": f["properties"]["ADM0_A3"],
                                        "name": f["properties"]["NAME"]},
                         "geometry": {"type": g["type"], "coordinates": rounded(g["coordinates"])}})
    features.sort(key=lambda f: f["properties"]["iso3"])
    doc = {"type": "FeatureCollection",
           "source": "Natural Earth 1:110m Admin 0 countries (public domain), clipped to "
                     f"lon {REGION_BOX[0]} to {REGION_BOX[2]}, lat {REGION_BOX[1]} to {REGION_BOX[3]}; "
                     "built by data/build.py (build_region_map)",
           "features": features}
    dest = out / REGION_MAP
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes((json.dumps(doc, separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8"))
    return len(features)


def read_region_map(out: Path) -> list[dict]:
    """The features of the regional map written by :func:`build_region_map`."""
    import json

    return json.loads((out / REGION_MAP).read_text("utf-8"))["features"]


def build(raw: Path, out: Path) -> dict[str, int]:
    """Build every dataset from ``raw`` into the package data folders under ``out``;
    return rows per file. Also refreshes the rows/span table of ``out/data/SOURCES.md``
    if that file exists.
    """
    rows, summary = {}, {}
    for name, (fn, formats, sort) in OUTPUTS.items():
        df = fn(raw)
        dest = target(out, name)
        dest.parent.mkdir(parents=True, exist_ok=True)
        write_csv(df, dest, formats, sort)
        rows[name] = len(df)
        summary[name] = (len(df), span(df))
    write_table(out / "data", summary)
    build_region_map(raw, out)  # GeoJSON, not a table: not counted in the rows
    # every bundled CSV checked in full once, here; the app then reads those exact bytes
    # without the cell checks (forecast/data/checked.json, forecast.datasets.write_checked)
    from forecast.datasets import write_checked

    write_checked(out / "forecast" / "data")
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--raw", type=Path, default=None, help="raw publisher files (default: $PLANNER_RAW_DIR or ../shared/data/raw)")
    ap.add_argument("--out", type=Path, default=REPO,
                    help="repository root to write forecast/data/ and abm/data/ under "
                         "(default: this repository)")
    args = ap.parse_args(argv)
    raw = args.raw or default_raw()
    missing = missing_raw(raw)
    if missing:
        lines = [f"Raw data not found under {raw}. Missing files, and where to get each:"]
        lines += [f"  {f}\n      from: {RAW_FILES[f]}" for f in missing]
        lines.append("Set --raw DIR or PLANNER_RAW_DIR. Full provenance: data/SOURCES.md.")
        print("\n".join(lines), file=sys.stderr)
        return 2
    for name, n in build(raw, args.out).items():
        print(f"{name}: {n} rows")
    print(f"{REGION_MAP.name}: {len(read_region_map(args.out))} countries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
