"""The app's one layer of cached calls into ``forecast`` and ``abm``.

Pages call these functions and draw what they return. Fits are cached once per
series and data (``st.cache_resource``); predictions and Monte Carlo runs are
cached on their frozen inputs (``st.cache_data``), so moving a slider back is instant.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pandas as pd
import streamlit as st

from forecast import datasets
from forecast.vocabulary import CENTRAL_ASIA

# forecast.api (statsmodels) and abm (mesa) are imported inside the functions that use
# them, so the first page (Overview) renders without loading the modelling stack.

USER_KEY = "user_data"  # session_state: {"history": df|None, "drivers": df|None, "facilities": df|None, "kind": str}
BACKTEST_FILE = "backtest_skill.csv"


# ---------------------------------------------------------------- data
@st.cache_data(show_spinner=False)
def bundled() -> dict:
    """Bundled frames: history, drivers, hosts, the dataset table and metadata by id."""
    metas = {}
    for did in datasets.list_datasets()["id"]:
        metas[did] = datasets.load(did)[1]
    return {
        "history": datasets.load_history(),
        "drivers": datasets.load_drivers(),
        "hosts": datasets.load_hosts(),
        "table": datasets.list_datasets(),
        "metas": metas,
    }


def user_data() -> dict:
    return st.session_state.setdefault(USER_KEY, {"history": None, "drivers": None,
                                                  "facilities": None, "kind": "movement"})


def _token(df: pd.DataFrame | None) -> str:
    if df is None:
        return "bundled"
    return hashlib.sha256(pd.util.hash_pandas_object(df, index=False).values.tobytes()).hexdigest()[:16]


def active_history() -> pd.DataFrame:
    """Bundled history plus the user's uploaded series (a user series replaces a same-id one)."""
    h = bundled()["history"]
    u = user_data()["history"]
    if u is None:
        return h
    return pd.concat([h[~h["series_id"].isin(set(u["series_id"]))], u], ignore_index=True)


def active_drivers() -> pd.DataFrame:
    u = user_data()["drivers"]
    return bundled()["drivers"] if u is None else u


def data_token() -> str:
    u = user_data()
    return f"{_token(u['history'])}-{_token(u['drivers'])}"


def series_choices() -> list[str]:
    return list(dict.fromkeys(active_history()["series_id"]))


def is_user_arrivals_series(series_id: str) -> bool:
    """True when the chosen series is the user's own monthly arrivals into the host area."""
    u = user_data()
    return (u["history"] is not None and u["kind"] == "arrivals"
            and series_id in set(u["history"]["series_id"]))


# ---------------------------------------------------------------- forecast
@st.cache_resource(show_spinner="Fitting the models once for this series...", max_entries=6)
def fitted(series_id: str, token: str, seed: int):
    """Models fitted on one series (cached per series, data token and seed)."""
    from forecast import api

    return api.fit_models(active_history(), active_drivers(), series_id=series_id, seed=seed)


@st.cache_data(show_spinner=False, max_entries=128)
def forecast(series_id: str, token: str, scenario, horizon: int, n_paths: int, seed: int):
    """(forecast, paths) frames for every model under ``scenario``."""
    from forecast import api

    return api.predict(fitted(series_id, token, seed), scenario, horizon=horizon,
                       n_paths=n_paths, seed=seed)


@st.cache_data(show_spinner=False, max_entries=128)
def host_paths(series_id: str, token: str, scenario, horizon: int, n_paths: int, seed: int,
               model: str, share_years: int = 10) -> pd.DataFrame:
    """Per-host arrivals sample paths (``series_id`` = host ISO3) for one model; each host's
    share of the outflow is estimated from the last ``share_years`` reported UNHCR years."""
    from forecast import api

    _, paths = forecast(series_id, token, scenario, horizon, n_paths, seed)
    paths = paths[paths["model"] == model]
    return api.host_arrivals(paths, bundled()["hosts"], active_history(), scenario=scenario,
                             seed=seed, years=share_years)


@st.cache_data(show_spinner=False, max_entries=16)
def host_history(series_id: str, token: str) -> pd.DataFrame:
    """Past monthly arrivals per host (UNHCR annual arrivals spread over the months in
    proportion to the movement series): ``series_id`` (host), ``ds``, ``y``."""
    from forecast import hosts

    return hosts.disaggregate_history(bundled()["hosts"], active_history(), series_id=series_id)


def paths_quantiles(paths: pd.DataFrame, by: list[str], qs=(0.025, 0.05, 0.1, 0.25, 0.5,
                                                           0.75, 0.9, 0.95, 0.975)) -> pd.DataFrame:
    """Quantiles over ``path`` of a paths frame: ``by + [quantile, value]``."""
    q = paths.groupby(by)["value"].quantile(list(qs)).rename("value").reset_index()
    return q.rename(columns={q.columns[len(by)]: "quantile"})


def arrivals_for(state) -> tuple[pd.DataFrame, str]:
    """The arrivals frame (ds, path, arrivals) for the current host, model and scenario,
    and a label saying where it comes from."""
    from app_pages.controls import scenario_from_state
    from forecast import api

    sc = scenario_from_state(state)
    sid, tok = state["series_id"], data_token()
    args = (sid, tok, sc, int(state["horizon"]), int(state["n_paths"]), int(state["seed"]))
    if is_user_arrivals_series(sid):
        _, paths = forecast(*args)
        return api.to_arrivals_frame(paths, model=state["model"]), f"your series {sid}"
    hp = host_paths(*args, state["model"], int(state["share_years"]))
    return api.to_arrivals_frame(hp, host=state["host"]), f"{state['host']} arrivals from {sid}"


def backtest_skill() -> pd.DataFrame | None:
    """Precomputed rolling-origin skill table (``forecast backtest``), if shipped."""
    p = Path(datasets.bundled_path(BACKTEST_FILE)) if _has_bundled(BACKTEST_FILE) else None
    return None if p is None else pd.read_csv(p)


def pooled_skill(skill: pd.DataFrame, horizons=range(1, 7)) -> pd.DataFrame:
    """Backtest metrics averaged over ``horizons`` (weighted by forecasts), one row per model,
    sorted by CRPS (persons per month)."""
    part = skill[skill["horizon"].isin(list(horizons))]
    metrics = [m for m in ("mae", "crps", "rel_mae", "rel_crps", "mase", "cov50", "cov80", "cov90")
               if m in part.columns]
    w = part["n"]
    out = part[metrics].mul(w, axis=0).groupby(part["model"]).sum().div(w.groupby(part["model"]).sum(), axis=0)
    return out.sort_values("crps")


def _has_bundled(name: str) -> bool:
    try:
        return Path(datasets.bundled_path(name)).exists()
    except Exception:  # noqa: BLE001 - absent file is the answer
        return False


# ---------------------------------------------------------------- capacity
@st.cache_data(show_spinner=False)
def default_facilities() -> pd.DataFrame:
    import abm

    return abm.default_facilities()


def active_facilities() -> pd.DataFrame:
    u = user_data()["facilities"]
    return default_facilities() if u is None else u


@st.cache_data(show_spinner="Running the capacity model...", max_entries=32)
def capacity(arrivals: pd.DataFrame, facilities: pd.DataFrame, config,
             plans: pd.DataFrame | None, n_runs: int, seed: int):
    """Monte Carlo capacity result (abm.monte_carlo) on cached, hashable inputs;
    ``config`` is a frozen :class:`abm.ABMConfig`."""
    import abm

    return abm.monte_carlo(arrivals, facilities, config, plans=plans, n_runs=n_runs, seed=seed)


def chart_png(chart) -> bytes:
    """PNG bytes of an Altair chart (vl-convert, offline)."""
    buf = io.BytesIO()
    chart.save(buf, format="png", scale_factor=2)
    return buf.getvalue()


# ---------------------------------------------------------------- sites and routes


def central_asia_arrivals(state) -> pd.DataFrame:
    """Arrivals into the five Central Asian states together (``ds, path, arrivals``):
    the sum over hosts of each host-arrivals path, for the sidebar scenario and model."""
    from app_pages.controls import scenario_from_state

    sc = scenario_from_state(state)
    hp = host_paths(state["series_id"], data_token(), sc, int(state["horizon"]),
                    int(state["n_paths"]), int(state["seed"]), state["model"],
                    int(state["share_years"]))
    hp = hp[hp["series_id"].isin(CENTRAL_ASIA)]
    return (hp.groupby(["ds", "path"], as_index=False)["value"].sum()
            .rename(columns={"value": "arrivals"}))


@st.cache_data(show_spinner="Moving arrivals across the network...", max_entries=32)
def network_run(arrivals: pd.DataFrame | None, scale: float, days: int, close_tkm: bool,
                seed: int) -> dict:
    """The illustrative Central Asian network (``abm.network``) driven by ``arrivals``
    (median path, times ``scale``; None = its flat illustrative entries).

    Returns frames: ``sites`` (network sites with lat/lon), ``routes``,
    ``occupancy`` (day, date, site, site_type, persons), ``summary`` (allocation summary).
    """
    import dataclasses

    import numpy as np

    from abm.network import Closure, runs
    from abm.network import simulate as net_simulate

    base = runs.central_asia_scenario()
    if arrivals is not None:
        med = arrivals.groupby("ds", as_index=False)["arrivals"].median()
        med["arrivals"] = med["arrivals"] * scale
        start = pd.Timestamp(med["ds"].min())
        days = min(days, int((med["ds"].max() + pd.offsets.MonthEnd(0) - start).days) + 1)
        total = runs.daily_entries_from_arrivals(med, start, days)
        sc = dataclasses.replace(base, start=start, days=days, registered_total=np.asarray(total))
    else:
        days = min(days, base.days)
        sc = dataclasses.replace(base, days=days, registered_total=base.registered_total[:days])
    closures = tuple(c for c in sc.closures if not (c.kind == "country" and "Turkmenistan" in (c.name1, c.name2)))
    if close_tkm:
        closures += (Closure("country", "Afghanistan", "Turkmenistan", 0, None),)
    sc = dataclasses.replace(sc, closures=closures)
    res = net_simulate(sc, seed=seed)
    return {"sites": sc.network.sites, "routes": sc.network.routes,
            "occupancy": res.to_frame(), "summary": runs.allocation_summary(res)}
