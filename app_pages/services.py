"""The app's one layer of cached calls into the planning pipeline (:mod:`planner.pipeline`).

Pages build a :class:`planner.pipeline.PlanSpec` from the sidebar
(:func:`app_pages.controls.spec_from_state`), then call these functions and draw
what they return. Every cached function takes what shapes its result as
arguments: the frozen spec, a content token of the data, and the data itself
(``_data``: not hashed by Streamlit, because the token stands for it). Fits are
cached once per series, seed and data; predictions and Monte Carlo runs on their
frozen inputs, so moving a slider back is instant. Nothing here reads
``st.session_state`` behind a cached call.

The heavy stages (fits, predictions, host arrivals, Monte Carlo runs) say what
they are doing while they run: ``st.cache_resource`` keeps one :class:`_Slot` per
key (so Streamlit still hashes the key, evicts old entries and clears them), and
the stage is computed *outside* the cached call with a progress display
(:class:`StatusDisplay`: ``st.status`` with words and a bar). A cached result
draws nothing; a stage computed inside another shares its display. Every stage
computed is counted per session (:func:`run_counts`), shown with ``?runs=1``.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import hashlib
import io
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from app_pages import labels, text
from forecast import datasets
from forecast.vocabulary import BAND_QUANTILES, CENTRAL_ASIA
from planner import pipeline
from planner.pipeline import ForecastSettings, PlanData, PlanSpec, StageProgress

T = TypeVar("T")

# forecast.api (statsmodels) and abm (mesa) are imported inside the pipeline stages, so
# the first page (Overview) renders without loading the modelling stack.

USER_KEY = "user_data"  # session_state: {"history": df|None, "drivers": df|None, "facilities": df|None, "kind": str}
BACKTEST_FILE = "backtest_skill.csv"


# ---------------------------------------------------------------- data
@st.cache_data(show_spinner=False)
def _bundled_part(name: str):
    if name == "history":
        return datasets.load_history()
    if name == "drivers":
        return datasets.load_drivers()
    if name == "hosts":
        return datasets.load_hosts()
    if name == "table":
        return datasets.list_datasets()
    if name == "metas":
        return {did: datasets.load(did)[1] for did in datasets.list_datasets()["id"]}
    raise KeyError(name)


class _Bundled(Mapping):
    """The bundled frames by name, each read (and cached) when first asked for, so the
    first chart does not wait for the dataset table, which reads every file."""

    _NAMES = ("history", "drivers", "hosts", "table", "metas")

    def __getitem__(self, name: str):
        if name not in self._NAMES:
            raise KeyError(name)
        return _bundled_part(name)

    def __iter__(self):
        return iter(self._NAMES)

    def __len__(self) -> int:
        return len(self._NAMES)


def bundled() -> Mapping:
    """Bundled frames: ``history``, ``drivers``, ``hosts``, the dataset ``table`` and
    ``metas`` (metadata by dataset id), each loaded on first use."""
    return _Bundled()


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


def _data_token(history: pd.DataFrame | None, drivers: pd.DataFrame | None) -> str:
    return f"{_token(history)}-{_token(drivers)}"


BUNDLED_TOKEN = _data_token(None, None)
"""The data token of the bundled data (no uploads)."""


def data_token() -> str:
    """Content token of the data in use (bundled or uploaded), the cache key of ``_data``."""
    u = user_data()
    return _data_token(u["history"], u["drivers"])


def bundled_plan_data() -> PlanData:
    b = bundled()
    return PlanData(b["history"], b["drivers"], b["hosts"])


def plan_data(series_id: str) -> PlanData:
    """The data the pages plan on: bundled plus uploads (read from the session, uncached)."""
    return PlanData(active_history(), active_drivers(), bundled()["hosts"],
                    user_arrivals=is_user_arrivals_series(series_id))


def series_choices() -> list[str]:
    return list(dict.fromkeys(active_history()["series_id"]))


def is_user_arrivals_series(series_id: str) -> bool:
    """True when the chosen series is the user's own monthly arrivals into the host area."""
    u = user_data()
    return (u["history"] is not None and u["kind"] == "arrivals"
            and series_id in set(u["history"]["series_id"]))


# ---------------------------------------------------------------- progress and slots
RUNS_KEY = "_stage_runs"
"""session_state key: stages computed in this session (a Counter by stage name)."""


def describe(p: StageProgress) -> str:
    """What a stage is doing, in the planner's words (the status label)."""
    _, n = text._, text.t().number
    if p.stage == "fit":
        return _("Fitting {n} models on {months} months of {series}…").format(
            n=n(p.total), months=n(p.months), series=labels.series_name(p.series_id))
    if p.stage == "fit_hosts":
        return _("Fitting the pooled host model on {rows} origin-host years of UNHCR flows "
                 "(once)…").format(rows=n(p.rows))
    if p.stage == "forecast":
        return _("Forecasting movement under the scenario…")
    if p.stage == "host_paths":
        return _("Forecasting arrivals in each host country…")
    if p.stage == "capacity":
        return _("Running {total} capacity simulations…").format(total=n(p.total))
    return p.stage


def step_text(p: StageProgress) -> str:
    """How far a stage is (the progress bar's text)."""
    _, n = text._, text.t().number
    if p.stage == "fit" and p.item:
        return _("{done}/{total}: fitting {model}").format(done=n(p.done), total=n(p.total),
                                                            model=labels.model_title(p.item))
    if p.stage in ("fit", "capacity"):
        return f"{n(p.done)}/{n(p.total)}"
    return ""  # one step: the label says it all


class StatusDisplay:
    """A progress display for the pipeline's reports (:data:`planner.pipeline.Progress`):
    an ``st.status`` box (label: what is being done) with a bar (how far), drawn in a
    placeholder on the first report, so work that is never reported (a cached result)
    draws nothing; :meth:`close` removes it."""

    def __init__(self) -> None:
        self._holder = st.empty()
        self._status = None
        self._bar = None

    def __call__(self, p: StageProgress) -> None:
        if self._status is None:
            self._status = self._holder.status(describe(p), expanded=True)
            self._bar = self._status.progress(0.0)
        self._status.update(label=describe(p), state="running")
        self._bar.progress(p.fraction, text=step_text(p))

    def close(self) -> None:
        self._holder.empty()


_display: contextvars.ContextVar[StatusDisplay | None] = contextvars.ContextVar(
    "stage_display", default=None)


@contextlib.contextmanager
def _shown() -> Iterator[StatusDisplay]:
    """The current progress display, or a new one for this (outermost) stage."""
    outer = _display.get()
    if outer is not None:
        yield outer
        return
    d = StatusDisplay()
    token = _display.set(d)
    try:
        yield d
    finally:
        _display.reset(token)
        d.close()


class _Slot:
    """One cached stage result, computed once (under a lock: sessions share it)."""

    _EMPTY = object()

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.value: Any = self._EMPTY

    def get(self, stage: str, compute: Callable[[pipeline.Progress], T]) -> T:
        if self.value is self._EMPTY:
            with self.lock:
                if self.value is self._EMPTY:
                    with _shown() as display:
                        self.value = compute(display)
                    counts = st.session_state.setdefault(RUNS_KEY, Counter())
                    counts[stage] += 1
        return self.value


def run_counts() -> Counter:
    """Stages computed in this session (not served from the cache), by stage name."""
    return st.session_state.get(RUNS_KEY, Counter())


def _frames(value):
    """Shallow copies of the frames in a shared result (copy-on-write: a page that
    changes its copy leaves the cached one alone); attrs are kept."""
    if isinstance(value, pd.DataFrame):
        return value.copy(deep=False)
    if isinstance(value, tuple):
        return tuple(_frames(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: _frames(getattr(value, f.name))
                                             for f in dataclasses.fields(value)
                                             if isinstance(getattr(value, f.name), pd.DataFrame)})
    return value


# ---------------------------------------------------------------- forecast
def _forecast_part(spec: PlanSpec) -> PlanSpec:
    """The spec with only what the movement forecast depends on (a narrower cache key)."""
    f = spec.forecast
    return PlanSpec(spec.scenario, ForecastSettings(series_id=f.series_id, horizon=f.horizon,
                                                    n_paths=f.n_paths, seed=f.seed))


@st.cache_resource(show_spinner=False, max_entries=6)
def _fit_slot(series_id: str, seed: int, token: str) -> _Slot:
    return _Slot()


def fitted(series_id: str, seed: int, token: str, data: PlanData):
    """Every model fitted on one series (cached per series, seed and data token)."""
    spec = PlanSpec(forecast=ForecastSettings(series_id=series_id, seed=seed))
    return _fit_slot(series_id, seed, token).get(
        "fit", lambda progress: pipeline.fit(spec, data, progress))


@st.cache_resource(show_spinner=False, max_entries=128)
def _forecast_slot(spec: PlanSpec, token: str) -> _Slot:
    return _Slot()


def _forecast(spec: PlanSpec, token: str, data: PlanData):
    f = spec.forecast
    return _forecast_slot(spec, token).get("forecast", lambda progress: pipeline.forecast(
        fitted(f.series_id, f.seed, token, data), spec, progress))


def forecast(spec: PlanSpec, token: str, data: PlanData):
    """(forecast, paths) frames for every model under the spec's scenario."""
    return _frames(_forecast(_forecast_part(spec), token, data))


@st.cache_resource(show_spinner=False, max_entries=4)
def _host_model_slot(seed: int, token: str) -> _Slot:
    return _Slot()


def host_model(seed: int, token: str, data: PlanData):
    """The pooled annual host model (:func:`planner.pipeline.fit_hosts`), fitted once."""
    return _host_model_slot(seed, token).get("fit_hosts", lambda progress: pipeline.fit_hosts(
        PlanSpec(forecast=ForecastSettings(seed=seed)), data, progress))


@st.cache_resource(show_spinner=False, max_entries=128)
def _host_paths_slot(spec: PlanSpec, token: str) -> _Slot:
    return _Slot()


def _host_paths(spec: PlanSpec, token: str, data: PlanData) -> pd.DataFrame:
    f = spec.forecast

    def compute(progress):
        if f.host_method == "share":
            _fc, paths = forecast(spec, token, data)
            return pipeline.host_paths(paths, spec, data, progress=progress)
        return pipeline.host_paths(None, spec, data, model=host_model(f.seed, token, data),
                                   progress=progress)

    return _host_paths_slot(spec, token).get("host_paths", compute)


def host_paths(spec: PlanSpec, token: str, data: PlanData) -> pd.DataFrame:
    """Per-host arrivals sample paths (``series_id`` = host ISO3, persons per month) by
    the spec's host method (:func:`planner.pipeline.host_paths`)."""
    f = spec.forecast
    if f.host_method == "share":
        key = PlanSpec(spec.scenario, dataclasses.replace(f, host="KAZ"))
    else:  # the dyadic model does not use the movement series nor the model choice
        key = PlanSpec(spec.scenario, ForecastSettings(horizon=f.horizon, n_paths=f.n_paths,
                                                       seed=f.seed, host_method=f.host_method))
    return _frames(_host_paths(key, token, data))


def arrivals(spec: PlanSpec, token: str, data: PlanData) -> tuple[pd.DataFrame, str]:
    """The arrivals frame (ds, path, arrivals) for the spec's host area (area share and
    planning multiplier applied), and a label saying where it comes from."""
    f = spec.forecast
    if data.user_arrivals:
        _, paths = forecast(spec, token, data)
        return (pipeline.arrivals(paths, None, spec, data),
                text._("your series {series}").format(series=f.series_id))
    hp = host_paths(spec, token, data)
    host = labels.host(f.host)
    label = (text._("{host} arrivals, pooled host model (UNHCR data to {year})").format(
        host=host, year=hp.attrs.get("data_end_year")) if f.host_method == "dyadic"
        else text._("{host} arrivals from {series} (share method)").format(
            host=host, series=f.series_id))
    return pipeline.arrivals(None, hp, spec, data), label


@st.cache_data(show_spinner=False)
def surge_names() -> list[str]:
    """Surge analogues for the menu: the 90th percentile first, then every real surge
    across a land border in the catalogue, newest first."""
    from forecast import datasets
    from forecast.host_model import SURGE_P90

    cat = datasets.load_surge_catalogue()
    nb = cat[cat["land_border"] == 1].sort_values(["year", "name"], ascending=[False, True])
    return ["", SURGE_P90, *nb["name"].tolist()]


@st.cache_data(show_spinner=False, max_entries=16)
def host_history(series_id: str, token: str, _data: PlanData) -> pd.DataFrame:
    """Past monthly arrivals per host (UNHCR annual arrivals spread over the months in
    proportion to the movement series): ``series_id`` (host), ``ds``, ``y``."""
    from forecast import hosts

    return hosts.disaggregate_history(_data.hosts, _data.history, series_id=series_id)


def paths_quantiles(paths: pd.DataFrame, by: list[str], qs=BAND_QUANTILES) -> pd.DataFrame:
    """Quantiles over ``path`` of a paths frame: ``by + [quantile, value]``."""
    q = paths.groupby(by)["value"].quantile(list(qs)).rename("value").reset_index()
    return q.rename(columns={q.columns[len(by)]: "quantile"})


def backtest_skill() -> pd.DataFrame | None:
    """Precomputed rolling-origin skill table (``forecast backtest``), if shipped."""
    p = datasets.bundled_path(BACKTEST_FILE)
    return pd.read_csv(p) if p.is_file() else None


def pooled_skill(skill: pd.DataFrame, horizons=range(1, 7)) -> pd.DataFrame:
    """Backtest metrics averaged over ``horizons`` (weighted by forecasts), one row per model,
    sorted by CRPS (persons per month)."""
    part = skill[skill["horizon"].isin(list(horizons))]
    metrics = [m for m in ("mae", "crps", "rel_mae", "rel_crps", "mase", "cov50", "cov80", "cov90")
               if m in part.columns]
    w = part["n"]
    out = part[metrics].mul(w, axis=0).groupby(part["model"]).sum().div(w.groupby(part["model"]).sum(), axis=0)
    return out.sort_values("crps")


# ---------------------------------------------------------------- capacity
@st.cache_data(show_spinner=False)
def default_facilities() -> pd.DataFrame:
    import abm

    return abm.default_facilities()


def active_facilities() -> pd.DataFrame:
    u = user_data()["facilities"]
    return default_facilities() if u is None else u


@st.cache_resource(show_spinner=False, max_entries=32)
def _capacity_slot(spec: PlanSpec, token: str, facilities: pd.DataFrame | None,
                   plans: pd.DataFrame | None) -> _Slot:
    return _Slot()


def capacity(spec: PlanSpec, token: str, data: PlanData):
    """Monte Carlo capacity result (:func:`planner.pipeline.capacity`); the facilities and
    plans of ``data`` are part of the cache key."""
    def compute(progress):
        arr, _label = arrivals(spec, token, data)
        return pipeline.capacity(arr, spec, data, progress)

    return _frames(_capacity_slot(spec, token, data.facilities, data.plans).get("capacity",
                                                                                 compute))


def plan_frames(spec: PlanSpec, token: str, data: PlanData) -> dict:
    """Every frame of the plan, through the same cached calls as the pages."""
    fc, paths = forecast(spec, token, data)
    hp = None if data.user_arrivals else host_paths(spec, token, data)
    arr, _ = arrivals(spec, token, data)
    mc = capacity(spec, token, data)
    adv, sched = pipeline.advice(mc, spec, data)
    return {"forecast": fc, "paths": paths, "hosts": hp, "arrivals": arr, "capacity": mc,
            "advice": adv, "schedule": sched}


def chart_png(chart) -> bytes:
    """PNG bytes of an Altair chart (vl-convert, offline)."""
    buf = io.BytesIO()
    chart.save(buf, format="png", scale_factor=2)
    return buf.getvalue()


# ---------------------------------------------------------------- sites and routes
def central_asia_arrivals(spec: PlanSpec, token: str, data: PlanData) -> pd.DataFrame:
    """Arrivals into the five Central Asian states together (``ds, path, arrivals``):
    the sum over hosts of each host-arrivals path, for the spec's scenario and model."""
    hp = host_paths(spec, token, data)
    hp = hp[hp["series_id"].isin(CENTRAL_ASIA)]
    return (hp.groupby(["ds", "path"], as_index=False)["value"].sum()
            .rename(columns={"value": "arrivals"}))


def network_run(arrivals: pd.DataFrame | None, scale: float, days: int, close_tkm: bool,
                seed: int) -> dict:
    """The illustrative Central Asian network (:func:`abm.network.runs.central_asia_run`)."""
    with st.spinner(text._("Moving arrivals across the network...")):
        return _network_run(arrivals, scale, days, close_tkm, seed)


@st.cache_data(show_spinner=False, max_entries=32)
def _network_run(arrivals: pd.DataFrame | None, scale: float, days: int, close_tkm: bool,
                 seed: int) -> dict:
    """The illustrative Central Asian network (:func:`abm.network.runs.central_asia_run`)."""
    from abm.network import runs

    return runs.central_asia_run(arrivals, scale=scale, days=days, close_tkm=close_tkm,
                                 seed=seed)
