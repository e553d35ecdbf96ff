"""The world's displacement history as a dyadic panel (origin x asylum x year).

Called by ``data/build.py``; every builder takes the raw directory and returns a
frame that ``build.py`` writes with fixed formats (byte-identical on re-run).

Outputs (documented in ``data/SOURCES.md``, section 9):

* ``dyads_annual.csv`` - one row per origin, country of asylum and year
  (1990-2025) where UNHCR reports a flow or a stock for the pair, for every pair
  whose arrivals reached :data:`DYAD_MIN_ARRIVALS` in some year since 1990.
  ``arrivals`` = new refugees (``flows.csv`` column ``refugees``) + new
  asylum-seekers (column ``asylum_seekers``) in persons per year, NA when neither
  is reported (UNHCR lists no zero flows, so an absent row is *not reported*, not
  0). ``refugee_like`` and ``oip`` flows are not counted (they are reported for
  600 and 100 of 106,000 rows, mostly as one-off registrations). ``stock`` =
  refugees + asylum-seekers of that origin in that country at year end
  (``population.csv``), NA when neither is reported. ``distance_km``:
  great-circle distance between Natural Earth polygon centroids.
* ``country_year.csv`` - covariates per country and year, used both for origins
  and for hosts: conflict fatalities (UCDP GED via PaCE, summed over the 12
  months; NA for a country PaCE has no column for), UCDP/PRIO battle deaths
  (to 2022), FAOSTAT annual temperature anomaly (to 2020), total outflow as origin
  and total inflow as host (sums of *all* reported UNHCR flows, every pair).
* ``land_borders.csv`` - land contiguity in ISO-3 (GeoDataSource, CC BY-SA 4.0:
  kept in its own file so the other tables stay CC BY 4.0).
* ``surge_catalogue.csv`` - real surges found by the rule of :func:`find_surges`.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

FIRST_YEAR = 1990
LAST_YEAR = 2025  # last year of the UNHCR vintage
DYAD_MIN_ARRIVALS = 100  # a pair is shipped if arrivals reached this in some year >= 1990

# surge rule (find_surges)
SURGE_RATIO = 3.0  # arrivals >= 3 x the mean of the reported arrivals of the previous 3 years
SURGE_FLOOR = 5000  # and >= 5,000 persons in the year
SURGE_BASE_MIN = 1000  # and that 3-year mean >= 1,000 persons (an established corridor)
SURGE_YEARS = 4  # multipliers for years 0..3 after the surge year

RAW_INPUTS = (
    "unhcr_refugees/flows.csv",
    "unhcr_refugees/population.csv",
    "unhcr_refugees/countries.csv",
    "ucdp/pace_ucdp_ged_monthly_fatalities_by_country_1989_2026.csv",
    "ucdp/ucdp_prio_battledeaths_country_year_1946_2022_poldat.csv",
    "fao_temperature_change/Environment_Temperature_change_E_All_Data_NOFLAG.csv",
    "geography/geodatasource_country_borders.csv",
    "geography/ne_110m_admin_0_countries.geojson",
)

# names the publishers spell differently from Natural Earth / UNHCR / ISO 3166
NAME_FIXES = {
    # PaCE (UCDP country names, Natural Earth style)
    "eSwatini": "SWZ", "Antigua & Barbuda": "ATG", "Bahrain": "BHR", "Comoros": "COM",
    "Malta": "MLT", "Dominica": "DMA",
    # FAOSTAT
    "China, mainland": None, "China, Taiwan Province of": "TWN",  # FAO "China" = CHN
    "Iran (Islamic Republic of)": "IRN", "French Guyana": "GUF",
    "United States Virgin Islands": "VIR", "Wallis and Futuna Islands": "WLF",
    "Channel Islands": None, "Midway Island": None, "Wake Island": None,
    "Svalbard and Jan Mayen Islands": "SJM",
    # UCDP/PRIO battle deaths (Gleditsch-Ward names)
    "Surinam": "SUR", "German Federal Republic": "DEU", "Rumania": "ROU",
    "Russia (Soviet Union)": "RUS", "Cape Verde": "CPV", "Cote D'Ivoire": "CIV",
    "Burkina Faso (Upper Volta)": "BFA", "Congo, Democratic Republic of (Zaire)": "COD",
    "Tanzania (Tanganyika)": "TZA", "Zimbabwe (Rhodesia)": "ZWE",
    "Swaziland (Eswatini)": "SWZ", "Madagascar (Malagasy)": "MDG", "Iran (Persia)": "IRN",
    "Turkey (Ottoman Empire)": "TUR", "Yemen (Arab Republic of Yemen)": "YEM",
    "Korea, People's Republic of": "PRK", "Myanmar (Burma)": "MMR",
    "Sri Lanka (Ceylon)": "LKA", "Cambodia (Kampuchea)": "KHM",
    "Vietnam, Democratic Republic of": "VNM", "Macedonia (FYROM/North Macedonia)": "MKD",
    "Bosnia-Herzegovina": "BIH", "Belarus (Byelorussia)": "BLR",
}


# --------------------------------------------------------------------------- names
@functools.lru_cache(maxsize=4)
def _ne(raw: Path) -> tuple[dict[str, str], dict[str, tuple[float, float]], dict[str, str]]:
    """Natural Earth: name -> ADM0_A3, ADM0_A3 -> centroid (lon, lat), ADM0_A3 -> short name."""
    gj = json.loads((raw / "geography/ne_110m_admin_0_countries.geojson").read_text("utf-8"))
    names, cents, short = {}, {}, {}
    for ft in gj["features"]:
        p = ft["properties"]
        iso = p["ISO_A3"] if p["ISO_A3"] not in (None, "-99") else p["ADM0_A3"]
        for k in ("NAME", "NAME_LONG", "ADMIN", "FORMAL_EN", "NAME_EN"):
            if p.get(k):
                names.setdefault(p[k], iso)
        cents[iso] = _centroid(ft["geometry"])
        short[iso] = p["NAME"]
    return names, cents, short


def _centroid(geom: dict) -> tuple[float, float]:
    """Area centroid (lon, lat in degrees) of the largest polygon of a GeoJSON geometry,
    by the shoelace formula on the exterior ring in lon/lat (fine at country scale; the
    largest part keeps e.g. France's centroid in Europe, not between it and Guiana)."""
    polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
    best = None
    for poly in polys:
        ring = np.asarray(poly[0], dtype=float)
        x, y = ring[:, 0], ring[:, 1]
        cross = x[:-1] * y[1:] - x[1:] * y[:-1]
        a = cross.sum() / 2.0
        if a == 0:
            continue
        cx = ((x[:-1] + x[1:]) * cross).sum() / (6 * a)
        cy = ((y[:-1] + y[1:]) * cross).sum() / (6 * a)
        if best is None or abs(a) > best[0]:
            best = (abs(a), cx, cy)
    return (float(best[1]), float(best[2]))


@functools.lru_cache(maxsize=4)
def _name_map(raw: Path) -> dict[str, str | None]:
    """Name -> ISO-3 from Natural Earth and UNHCR's countries table, then NAME_FIXES."""
    names, _, _ = _ne(raw)
    out: dict[str, str | None] = dict(names)
    un = pd.read_csv(raw / "unhcr_refugees/countries.csv", keep_default_na=False)
    for n, code in zip(un["name"], un["iso_code"], strict=True):
        out.setdefault(n, code)
    out.update(NAME_FIXES)
    return out


@functools.lru_cache(maxsize=2048)
def _pycountry(name: str) -> str | None:
    import pycountry

    try:
        return pycountry.countries.lookup(name).alpha_3
    except LookupError:
        return None


def iso3(raw: Path, name: str) -> str | None:
    """ISO-3 code of a country name as one of the publishers spells it (None if unknown
    or a former/aggregate area such as 'USSR' or 'World'): Natural Earth and UNHCR
    names, then :data:`NAME_FIXES`, then ISO 3166 names (pycountry)."""
    m = _name_map(raw)
    return m[name] if name in m else _pycountry(name)


# --------------------------------------------------------------------------- UNHCR
@functools.lru_cache(maxsize=4)
def _flows(raw: Path) -> pd.DataFrame:
    f = pd.read_csv(raw / "unhcr_refugees/flows.csv", keep_default_na=False,
                    na_values=[""])
    if f.duplicated(["year", "coo_iso", "coa_iso"]).any():
        raise ValueError("UNHCR flows.csv has duplicate (year, origin, asylum) rows")
    f = f.rename(columns={"coo_iso": "origin_iso3", "coa_iso": "asylum_iso3",
                          "refugees": "new_refugees", "asylum_seekers": "new_asylum_seekers"})
    f["arrivals"] = f[["new_refugees", "new_asylum_seekers"]].sum(axis=1, min_count=1)
    return f[["origin_iso3", "asylum_iso3", "year", "new_refugees", "new_asylum_seekers",
              "arrivals"]]


@functools.lru_cache(maxsize=4)
def _stocks(raw: Path) -> pd.DataFrame:
    p = pd.read_csv(raw / "unhcr_refugees/population.csv", keep_default_na=False,
                    na_values=[""], usecols=["year", "coo_iso", "coa_iso", "refugees",
                                             "asylum_seekers"])
    p = p.rename(columns={"coo_iso": "origin_iso3", "coa_iso": "asylum_iso3"})
    p = p.groupby(["origin_iso3", "asylum_iso3", "year"], as_index=False)[
        ["refugees", "asylum_seekers"]].sum(min_count=1)
    p["stock"] = p[["refugees", "asylum_seekers"]].sum(axis=1, min_count=1)
    return p[["origin_iso3", "asylum_iso3", "year", "stock"]]


def build_dyads(raw: Path) -> pd.DataFrame:
    """``dyads_annual.csv``: origin_iso3, asylum_iso3, year, new_refugees,
    new_asylum_seekers, arrivals (persons per year), stock (persons at year end),
    distance_km (great-circle km between Natural Earth centroids; NA if a country is
    not among Natural Earth's 177 units)."""
    f = _flows(raw)
    f = f[f["year"].between(FIRST_YEAR, LAST_YEAR)]
    mx = f.groupby(["origin_iso3", "asylum_iso3"])["arrivals"].max()
    keep = mx[mx >= DYAD_MIN_ARRIVALS].index
    s = _stocks(raw)
    s = s[s["year"].between(FIRST_YEAR, LAST_YEAR)]
    key = ["origin_iso3", "asylum_iso3", "year"]
    df = f.merge(s, on=key, how="outer")
    df = df[pd.MultiIndex.from_frame(df[["origin_iso3", "asylum_iso3"]]).isin(keep)]
    df = df[df["origin_iso3"] != df["asylum_iso3"]]
    df = df[df["arrivals"].notna() | df["stock"].notna()].copy()
    df["distance_km"] = distances(raw, df["origin_iso3"], df["asylum_iso3"])
    return df.reset_index(drop=True)


def distances(raw: Path, a: pd.Series, b: pd.Series) -> pd.Series:
    """Great-circle distance (km, R = 6371.0088 km mean Earth radius) between the
    Natural Earth centroids of ISO-3 codes ``a`` and ``b`` (NA if either has none)."""
    _, cents, _ = _ne(raw)
    lon1 = a.map(lambda k: cents.get(k, (np.nan, np.nan))[0]).astype(float)
    lat1 = a.map(lambda k: cents.get(k, (np.nan, np.nan))[1]).astype(float)
    lon2 = b.map(lambda k: cents.get(k, (np.nan, np.nan))[0]).astype(float)
    lat2 = b.map(lambda k: cents.get(k, (np.nan, np.nan))[1]).astype(float)
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(lon2 - lon1)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return (2 * 6371.0088 * np.arcsin(np.sqrt(h.clip(0, 1)))).round(0)


# --------------------------------------------------------------------------- covariates
def _pace_annual(raw: Path) -> pd.DataFrame:
    p = pd.read_csv(raw / "ucdp/pace_ucdp_ged_monthly_fatalities_by_country_1989_2026.csv")
    p = p[[c for c in p.columns if not c.startswith("Unnamed")]]
    long = p.melt(id_vars="month_end", var_name="country", value_name="fatalities")
    long["iso3"] = long["country"].map(lambda n: iso3(raw, n))
    if long["iso3"].isna().any():
        raise ValueError(f"PaCE: unmapped countries {sorted(long.loc[long['iso3'].isna(), 'country'].unique())}")
    long["year"] = pd.to_datetime(long["month_end"]).dt.year
    g = long.groupby(["iso3", "year"])["fatalities"].agg(["sum", "count"]).reset_index()
    months = long.groupby("year")["month_end"].nunique()
    full = months[months == 12].index  # complete years only (2026 is partial)
    g = g[g["year"].isin(full) & (g["count"] == 12)]
    return g.rename(columns={"sum": "fatalities"})[["iso3", "year", "fatalities"]]


def _battle_deaths(raw: Path) -> pd.DataFrame:
    b = pd.read_csv(raw / "ucdp/ucdp_prio_battledeaths_country_year_1946_2022_poldat.csv")
    b["iso3"] = b["country_name"].map(lambda n: iso3(raw, n))
    b = b[b["iso3"].notna() & (b["year"] >= FIRST_YEAR - 1)]
    g = b.groupby(["iso3", "year"])["best"].sum(min_count=1).reset_index()
    return g.rename(columns={"best": "battle_deaths"})


def _temperature(raw: Path) -> pd.DataFrame:
    t = pd.read_csv(raw / "fao_temperature_change/Environment_Temperature_change_E_All_Data_NOFLAG.csv",
                    encoding="latin-1", keep_default_na=False, na_values=[""])
    t = t[(t["Months"] == "Meteorological year") & (t["Element"] == "Temperature change")]
    t = t[t["Area Code"] < 5000]  # 5000+ are FAO regions and groups
    t = t.assign(iso3=t["Area"].map(lambda n: iso3(raw, n))).dropna(subset=["iso3"])
    yc = [c for c in t.columns if c.startswith("Y") and c[1:].isdigit()]
    long = t.melt(id_vars="iso3", value_vars=yc, var_name="y", value_name="temp_anom_c")
    long["year"] = long["y"].str[1:].astype(int)
    long = long[long["year"] >= FIRST_YEAR - 1].dropna(subset=["temp_anom_c"])
    if long.duplicated(["iso3", "year"]).any():
        raise ValueError("FAOSTAT: two areas map to one ISO-3 code in one year")
    return long[["iso3", "year", "temp_anom_c"]]


def build_country_year(raw: Path) -> pd.DataFrame:
    """``country_year.csv``: iso3, year, fatalities (deaths/year, UCDP GED via PaCE),
    battle_deaths (deaths/year, UCDP/PRIO, to 2022), temp_anom_c (deg C vs 1951-1980,
    FAOSTAT, to 2020), outflow and inflow (persons/year: all reported UNHCR arrivals
    from / into the country, every pair; NA if the country has no reported flow)."""
    f = _flows(raw)
    f = f[f["year"].between(FIRST_YEAR - 1, LAST_YEAR) & (f["origin_iso3"] != f["asylum_iso3"])]
    out = f.groupby(["origin_iso3", "year"])["arrivals"].sum(min_count=1).rename("outflow")
    inn = f.groupby(["asylum_iso3", "year"])["arrivals"].sum(min_count=1).rename("inflow")
    out.index.names = inn.index.names = ["iso3", "year"]
    parts = [_pace_annual(raw).set_index(["iso3", "year"]),
             _battle_deaths(raw).set_index(["iso3", "year"]),
             _temperature(raw).set_index(["iso3", "year"]), out, inn]
    df = pd.concat(parts, axis=1).reset_index()
    df = df[df["year"].between(FIRST_YEAR - 1, LAST_YEAR)]
    return df.reset_index(drop=True)


def build_land_borders(raw: Path) -> pd.DataFrame:
    """``land_borders.csv``: iso3, border_iso3 (one row per direction; GeoDataSource)."""
    import pycountry

    b = pd.read_csv(raw / "geography/geodatasource_country_borders.csv",
                    keep_default_na=False, dtype=str)  # 'NA' is Namibia
    b = b[b["country_border_code"].str.strip() != ""]

    def a3(code: str) -> str | None:
        c = pycountry.countries.get(alpha_2=code)
        return c.alpha_3 if c else {"XK": "XKX"}.get(code)

    b = pd.DataFrame({"iso3": b["country_code"].map(a3),
                      "border_iso3": b["country_border_code"].map(a3)})
    if b.isna().any().any():
        raise ValueError("GeoDataSource: unmapped alpha-2 codes")
    both = pd.concat([b, b.rename(columns={"iso3": "border_iso3", "border_iso3": "iso3"})])
    return both.drop_duplicates().reset_index(drop=True)


# --------------------------------------------------------------------------- surges
def find_surges(flows: pd.DataFrame, borders: pd.DataFrame | None = None,
                names: dict[str, str] | None = None) -> pd.DataFrame:
    """Real surges in a table of annual arrivals per pair (the catalogue rule).

    ``flows``: columns ``origin_iso3, asylum_iso3, year, arrivals`` (persons per year;
    absent or NA = not reported). A pair-year is a **surge** when

    1. arrivals >= :data:`SURGE_FLOOR` (5,000 persons),
    2. arrivals >= :data:`SURGE_RATIO` (3) x ``base``, where ``base`` is the mean of the
       *reported* arrivals of the previous 3 years (at least one must be reported;
       unreported years are left out of the mean, never counted as 0),
    3. ``base`` >= :data:`SURGE_BASE_MIN` (1,000 persons): the multiplier is measured on
       an established corridor, so it transfers to a host's baseline (a jump from 5 to
       8,000 registrations is a new corridor, not a multiplier),
    4. it is the first year of an episode: the pair had no surge in the previous 3 years.

    Returns one row per surge: ``name`` ("Origin->Asylum YEAR"), ``origin_iso3``,
    ``asylum_iso3``, ``year``, ``land_border`` (0/1, NA if ``borders`` is None),
    ``base`` (persons/year), ``arrivals_y0`` .. ``arrivals_y3`` (persons/year, NA = not
    reported or after the data end) and ``mult_y0`` .. ``mult_y3`` = arrivals_yk / base.
    """
    need = {"origin_iso3", "asylum_iso3", "year", "arrivals"}
    miss = sorted(need - set(flows.columns))
    if miss:
        raise ValueError(f"find_surges: missing column(s) {miss}")
    f = flows.dropna(subset=["arrivals"])
    f = f[f["origin_iso3"] != f["asylum_iso3"]]
    w = f.pivot(index=["origin_iso3", "asylum_iso3"], columns="year", values="arrivals")
    years = list(range(int(w.columns.min()), int(w.columns.max()) + 1))
    w = w.reindex(columns=years)
    prev = w.T.shift(1).rolling(3, min_periods=1).mean().T
    hit = (w >= SURGE_FLOOR) & (w >= SURGE_RATIO * prev) & (prev >= SURGE_BASE_MIN)
    rows = []
    for (o, a), r in hit.iterrows():
        last = -10_000
        for y in years:
            if not r[y]:
                continue
            if y - last <= 3:
                continue
            last = y
            base = float(prev.at[(o, a), y])
            rec = {"origin_iso3": o, "asylum_iso3": a, "year": y, "base": round(base, 1)}
            for k in range(SURGE_YEARS):
                v = w.at[(o, a), y + k] if y + k in w.columns else np.nan
                rec[f"arrivals_y{k}"] = v
                rec[f"mult_y{k}"] = round(v / base, 4) if not math.isnan(v) else np.nan
            rows.append(rec)
    cols = ["name", "origin_iso3", "asylum_iso3", "year", "land_border", "base",
            *[f"arrivals_y{k}" for k in range(SURGE_YEARS)],
            *[f"mult_y{k}" for k in range(SURGE_YEARS)]]
    out = pd.DataFrame(rows, columns=[c for c in cols if c not in ("name", "land_border")])
    names = names or {}
    out["name"] = [f"{names.get(o, o)}->{names.get(a, a)} {y}" for o, a, y in
                   zip(out["origin_iso3"], out["asylum_iso3"], out["year"], strict=True)]
    if borders is not None:
        pairs = set(zip(borders["iso3"], borders["border_iso3"], strict=True))
        out["land_border"] = [int((o, a) in pairs) for o, a in
                              zip(out["origin_iso3"], out["asylum_iso3"], strict=True)]
    else:
        out["land_border"] = np.nan
    return out[cols].reset_index(drop=True)


def country_names(raw: Path) -> dict[str, str]:
    """ISO-3 -> short English name (Natural Earth NAME, else UNHCR's name)."""
    _, _, short = _ne(raw)
    un = pd.read_csv(raw / "unhcr_refugees/countries.csv", keep_default_na=False)
    out = dict(zip(un["iso_code"], un["name"], strict=True))
    out.update(short)
    return out


def build_surges(raw: Path) -> pd.DataFrame:
    """``surge_catalogue.csv`` from the full UNHCR flows table (every pair, 1962-2025;
    surges from 1990 on are kept, earlier years only serve as the base)."""
    f = _flows(raw)
    out = find_surges(f, build_land_borders(raw), country_names(raw))
    return out[out["year"] >= FIRST_YEAR].reset_index(drop=True)
