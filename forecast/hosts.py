"""From the monthly movement forecast to monthly arrivals in each host country.

No public *monthly* series of Afghan arrivals into Central Asia exists (see
``data/SOURCES.md``); UNHCR reports arrivals per host only *annually*. The
method therefore links the two:

1. **Annual arrivals per host** ``A_y`` = UNHCR new refugees + new asylum-seekers
   in year ``y`` (``load_hosts``: ``new_refugees``, ``new_asylum_seekers``). A
   year counts as reported when at least one of the two is reported; a missing
   component is then taken as not adding arrivals (UNHCR reports most Central
   Asian arrivals as asylum-seekers). Years with both NA are *not reported* and
   are skipped, never zeroed.
2. **Annual movement** ``S_y`` = the sum over the 12 months of year ``y`` of the
   monthly movement series the forecast runs on (default ``frontex_afg_total``,
   Frontex detections of Afghans: an index of outward movement, not a count of
   the people who reach Central Asia). Years with any month NA are skipped.
3. **Share** over the last ``years`` years where both are reported: the ratio
   of sums ``sum(A_y) / sum(S_y)`` (so that, summed over those years, the
   method reproduces UNHCR's arrivals exactly), with uncertainty from the
   year-to-year spread of ``r_y = A_y / S_y`` (sd weighted by ``S_y``); each
   host's share is a Gamma distribution with that mean and sd. Hosts with fewer than ``min_years`` reported years get no estimated
   share: pass one (``shares=`` or ``Scenario.host_shares``) or they are left out
   (listed in ``frame.attrs["skipped_hosts"]``).
4. **Monthly arrivals**: path ``i`` of the movement forecast times one share
   draw for that path (the same for all its months) times the scenario's
   openness lever for that host. Months keep the movement series' seasonality.

Assumptions, stated plainly: the host's arrivals move in proportion to the
movement index, with a share that is stable apart from year-to-year noise; the
month-to-month profile of arrivals into a host follows the movement series.
:func:`disaggregate_history` applies step 4 to the past (``A_y * S_m / S_y``),
so annual sums agree exactly with UNHCR wherever UNHCR reports; the benchmark
``benchmarks/forecast_hosts.py`` prints how far the *share* method is from
UNHCR's annual figures in-sample. A user who has a real monthly arrivals
series can forecast it directly (``api.fit_models`` on that series, then
``api.to_arrivals_frame(paths)``) instead.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from forecast.errors import SchemaError
from forecast.models import model_rng
from forecast.scenarios import Scenario
from forecast.vocabulary import CENTRAL_ASIA, HOSTS  # noqa: F401 - CENTRAL_ASIA re-exported


def annual_arrivals(hosts_annual: pd.DataFrame) -> pd.DataFrame:
    """UNHCR annual arrivals by host: ``host_iso3``, ``year``, ``arrivals`` (persons per
    year = new refugees + new asylum-seekers; NaN when neither is reported)."""
    need = {"year", "host_iso3", "new_refugees", "new_asylum_seekers"}
    missing = sorted(need - set(hosts_annual.columns))
    if missing:
        raise SchemaError(f"hosts frame: missing column(s) {missing}")
    a = hosts_annual[["new_refugees", "new_asylum_seekers"]].astype(float).sum(axis=1,
                                                                              min_count=1)
    return pd.DataFrame({"host_iso3": hosts_annual["host_iso3"].astype(str),
                         "year": hosts_annual["year"].astype(int), "arrivals": a})


def annual_movement(history: pd.DataFrame, series_id: str) -> pd.Series:
    """Sum of a monthly movement series per complete calendar year (persons or
    detections per year), indexed by year; years with any NA month are dropped."""
    s = history.loc[history["series_id"] == series_id].set_index("ds")["y"]
    if s.empty:
        raise SchemaError(f"history frame: column 'series_id': no series {series_id!r}")
    g = s.groupby(s.index.year)
    ok = (g.count() == 12)
    return g.sum()[ok].astype(float).rename("movement")


def estimate_shares(hosts_annual: pd.DataFrame, history: pd.DataFrame,
                    series_id: str = "frontex_afg_total", years: int = 10,
                    min_years: int = 3) -> pd.DataFrame:
    """Share of the movement series reaching each host, with uncertainty.

    Returns one row per host: ``host_iso3``, ``share_mean``, ``share_sd`` (persons
    arriving per unit of the movement series), ``n_years``, ``first_year``,
    ``last_year``, ``estimable`` (bool: ``n_years >= min_years``).
    """
    arr = annual_arrivals(hosts_annual)
    mov = annual_movement(history, series_id)
    rows = []
    for host in HOSTS:
        a = arr.loc[arr["host_iso3"] == host].set_index("year")["arrivals"].dropna()
        common = sorted(set(a.index) & set(mov.index))[-years:]
        av = a.loc[common].to_numpy(dtype=float)
        sv = mov.loc[common].to_numpy(dtype=float)
        n = len(common)
        mean = float(av.sum() / sv.sum()) if n and sv.sum() > 0 else np.nan
        sd = np.nan
        if n > 1 and sv.sum() > 0:
            r = av / sv
            sd = float(np.sqrt(np.sum(sv * (r - mean) ** 2) / sv.sum() * n / (n - 1)))
        rows.append({"host_iso3": host, "share_mean": mean, "share_sd": sd,
                     "n_years": n,
                     "first_year": common[0] if n else pd.NA,
                     "last_year": common[-1] if n else pd.NA,
                     "estimable": n >= min_years})
    out = pd.DataFrame(rows)
    out.attrs["series_id"] = series_id
    return out


def _draw_shares(mean: float, sd: float, n: int, rng: np.random.Generator) -> np.ndarray:
    if not np.isfinite(sd) or sd <= 0 or mean <= 0:
        return np.full(n, max(mean, 0.0))
    shape = (mean / sd) ** 2
    return rng.gamma(shape, mean / shape, size=n)


def arrivals_paths(paths: pd.DataFrame, shares: pd.DataFrame,
                   scenario: Scenario | None = None, hosts: Sequence[str] | None = None,
                   overrides: dict[str, float] | None = None, seed: int = 0,
                   **kw) -> pd.DataFrame:
    """Per-host monthly arrival paths from movement paths (method in the module docstring).

    ``paths``: a paths frame of the movement series. ``shares``: from
    :func:`estimate_shares`. ``overrides`` (or ``shares=`` via the api) and
    ``scenario.host_shares`` fix a host's share (no uncertainty). Returns a paths
    frame: ``series_id`` (host ISO3), ``ds``, ``model``, ``scenario``, ``path``,
    ``value`` (persons arriving in the host per month, >= 0).
    """
    overrides = dict(overrides or {})
    if scenario is not None:
        overrides = {**overrides, **dict(scenario.host_shares)}
    est = shares.set_index("host_iso3")
    hosts = list(hosts) if hosts is not None else list(HOSTS)
    unknown = [h for h in hosts if h not in HOSTS]
    if unknown:
        raise SchemaError(f"hosts: unknown host(s) {unknown}; choose from {', '.join(HOSTS)}")
    n_paths = int(paths["path"].max()) + 1
    out, skipped = [], []
    for host in hosts:
        rng = model_rng(seed, f"host:{host}")
        if host in overrides:
            draw = np.full(n_paths, float(overrides[host]))
        elif host in est.index and bool(est.at[host, "estimable"]):
            draw = _draw_shares(float(est.at[host, "share_mean"]),
                                float(est.at[host, "share_sd"]), n_paths, rng)
        else:
            skipped.append(host)
            continue
        factor = scenario.host_factor(host) if scenario is not None else 1.0
        part = paths.copy()
        part["series_id"] = host
        part["value"] = part["value"].to_numpy() * draw[part["path"].to_numpy()] * factor
        out.append(part)
    if not out:
        raise SchemaError(f"hosts: no host has an estimated or given share (skipped "
                          f"{skipped}); pass shares={{iso3: share}}")
    res = pd.concat(out, ignore_index=True)
    res.attrs["skipped_hosts"] = skipped
    return res


def disaggregate_history(hosts_annual: pd.DataFrame, history: pd.DataFrame,
                         series_id: str = "frontex_afg_total",
                         hosts: Sequence[str] = HOSTS) -> pd.DataFrame:
    """Past monthly arrivals per host: ``A_y * S_m / S_y`` for every year where
    both UNHCR and the movement series report.

    Returns a history frame: ``series_id`` (host ISO3), ``ds`` (month start), ``y``
    (persons arriving per month); the 12 months of a year sum to UNHCR's annual
    arrivals exactly.
    """
    arr = annual_arrivals(hosts_annual)
    s = history.loc[history["series_id"] == series_id].set_index("ds")["y"].astype(float)
    mov = annual_movement(history, series_id)
    out = []
    for host in hosts:
        a = arr.loc[arr["host_iso3"] == host].set_index("year")["arrivals"].dropna()
        for year in sorted(set(a.index) & set(mov.index)):
            m = s[s.index.year == year]
            tot = mov.loc[year]
            prof = m / tot if tot > 0 else pd.Series(1 / 12, index=m.index)
            out.append(pd.DataFrame({"series_id": host, "ds": m.index,
                                     "y": a.loc[year] * prof.to_numpy()}))
    if not out:
        return pd.DataFrame({"series_id": pd.Series(dtype=str), "ds": pd.Series(
            dtype="datetime64[ns]"), "y": pd.Series(dtype=float)})
    return pd.concat(out, ignore_index=True)
