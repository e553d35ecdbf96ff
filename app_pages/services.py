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
import gc
import hashlib
import io
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from app_pages import labels, text
from forecast import datasets
from forecast.vocabulary import BAND_QUANTILES, CENTRAL_ASIA
from planner import cache, pipeline
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
    return active_history()["series_id"].unique().tolist()  # in order of first appearance


def is_user_arrivals_series(series_id: str) -> bool:
    """True when the chosen series is the user's own monthly arrivals into the host area."""
    u = user_data()
    return (u["history"] is not None and u["kind"] == "arrivals"
            and series_id in set(u["history"]["series_id"]))


# ---------------------------------------------------------------- warm-up
WARM_MODULES = ("forecast.api", "forecast.host_model", "abm", "abm.advice", "planner.brief")
"""Modules the later pages need (statsmodels, LightGBM, Mesa, fpdf2: 4-6 s of imports on
2 cores, Mesa alone about 2 s inside a Streamlit server), imported by :func:`warm_up`."""

WARM_THREAD = "planner-warm-up"
"""Name of the warm-up's thread."""
_warm_lock = threading.Lock()
_warm_started = False


def freeze_imports() -> int:
    """Collect, then move every object the collector tracks (by now mostly the imported
    libraries' modules, classes and functions, which live as long as the process) out of
    its reach (``gc.freeze``), so a later full collection scans only what the pages made
    since: 0.2 s -> about 0 s with the pages' libraries imported (2 cores). Objects
    frozen are still freed by reference counting; only a cycle among them would stay.
    Returns how many objects are frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def warm_up() -> bool:
    """Import :data:`WARM_MODULES` on a daemon thread, once per process, after the first
    page has been drawn (app.py calls it last), so the first visit to Scenario & forecast
    or Capacity does not wait for the imports. A page that needs a module meanwhile waits
    for that import only (Python's per-module import lock). Returns True when this call
    started the thread."""
    global _warm_started
    with _warm_lock:
        if _warm_started:
            return False
        _warm_started = True

    def run() -> None:
        import importlib

        for name in WARM_MODULES:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - a page importing it later reports the error
                return
        freeze_imports()

    threading.Thread(target=run, name=WARM_THREAD, daemon=True).start()
    return True


# ---------------------------------------------------------------- progress and slots
OVERVIEW_TAB, OVERVIEW_TAB_KIND = "overview_tab", "_overview_tab_kind"
"""session_state keys: the Overview's open tab, as its label (Streamlit's state of the
tabs), and as its kind (movement, drivers, sources), which outlives a change of language."""
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
    placeholder, so work that is never reported (a cached result) draws nothing;
    :meth:`close` removes it.

    The box appears only when the work is still running :data:`SHOW_AFTER_S` after its
    first report (a timer, as ``st.spinner`` does): a prediction of a few tenths of a
    second after a lever moved shows no box that flickers in and out (and does not pay
    the box's own 0.1 s), while a fit or the Monte Carlo runs say what they are doing."""

    SHOW_AFTER_S = 0.4
    REDRAW_S = 0.25
    """Once shown, the box is redrawn at most this often for reports of one stage (its
    first and last reports always): each redraw sends two elements to the browser, and
    the Monte Carlo reports every 10 of its runs."""

    def __init__(self) -> None:
        self._holder = st.empty()
        self._status = None
        self._bar = None
        self._words: tuple[str, float, str] | None = None  # label, fraction, step text
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._closed = False
        self._drawn: tuple[str, float] = ("", 0.0)  # label and time of the last draw

    def __call__(self, p: StageProgress) -> None:
        # the words are made here, on the script's thread: they read the session's
        # language, and the timer's thread must never wait on the session's state while
        # holding this display's lock (the script may hold the state's lock in a callback)
        words = (describe(p), p.fraction, step_text(p))
        with self._lock:
            self._words = words
            status = self._status
            if status is None and self._timer is None:
                from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

                self._timer = threading.Timer(self.SHOW_AFTER_S, self._show)
                add_script_run_ctx(self._timer, get_script_run_ctx())
                self._timer.daemon = True
                self._timer.start()
        if status is not None and (words[0] != self._drawn[0] or p.fraction >= 1.0
                                   or time.monotonic() - self._drawn[1] >= self.REDRAW_S):
            self._draw(words)

    def _show(self) -> None:
        with self._lock:
            if self._closed or self._status is not None or self._words is None:
                return
            words = self._words
        status = self._holder.status(words[0], expanded=True)
        bar = status.progress(0.0)
        with self._lock:
            self._status, self._bar = status, bar
            closed = self._closed
        if closed:  # closed while the box was being drawn
            self._holder.empty()
        else:
            self._draw(words)

    def _draw(self, words: tuple[str, float, str]) -> None:
        label, fraction, step = words
        if label != self._drawn[0]:
            self._status.update(label=label, state="running")
        self._bar.progress(fraction, text=step)
        self._drawn = (label, time.monotonic())

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
            shown = self._status is not None
        if shown:
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


@st.cache_resource(show_spinner=False)
def _disk() -> cache.FitCache:
    """The fitted models kept on disk (:mod:`planner.cache`: ``PLANNER_CACHE_DIR``), so a
    restarted server does not refit."""
    return cache.fit_cache()


def fitted(series_id: str, seed: int, token: str, data: PlanData):
    """Every model fitted on one series (cached per series, seed and data token; in
    memory, and on disk across restarts)."""
    spec = PlanSpec(forecast=ForecastSettings(series_id=series_id, seed=seed))
    return _fit_slot(series_id, seed, token).get(
        "fit", lambda progress: pipeline.fit(spec, data, progress, cache=_disk()))


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
        PlanSpec(forecast=ForecastSettings(seed=seed)), data, progress, cache=_disk()))


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
def default_facility_hosts() -> tuple[str, ...]:
    """Hosts with a bundled default facility set (:func:`abm.default_facility_hosts`)."""
    import abm

    return abm.default_facility_hosts()


@st.cache_data(show_spinner=False)
def default_facility_set(host: str):
    """The host's bundled default facility set (:func:`abm.default_facility_set`)."""
    import abm

    return abm.default_facility_set(host)


def default_facilities(host: str = "KAZ") -> pd.DataFrame:
    return default_facility_set(host).facilities


def active_facilities(host: str = "KAZ") -> pd.DataFrame | None:
    """The user's uploaded facilities if any, else the host's default set (None for a
    host without one: a context host)."""
    u = user_data()["facilities"]
    if u is not None:
        return u
    return default_facilities(host) if host in default_facility_hosts() else None


def facility_set_in_use(host: str) -> str:
    """Which facility set the Capacity page uses: ``"user"`` (uploaded), the host's ISO3
    (its default set) or ``""`` (none: a context host)."""
    if user_data()["facilities"] is not None:
        return "user"
    return host if host in default_facility_hosts() else ""


@st.cache_resource(show_spinner=False, max_entries=32)
def _capacity_slot(spec: PlanSpec, token: str, facilities: pd.DataFrame | None,
                   plans: pd.DataFrame | None) -> _Slot:
    return _Slot()


def capacity(spec: PlanSpec, token: str, data: PlanData):
    """Monte Carlo capacity result (:func:`planner.pipeline.capacity`); the facilities and
    plans of ``data`` are part of the cache key."""
    def compute(progress):
        from planner import brief

        brief.warm_up_in_background()  # the brief's PDF and chart engines load meanwhile
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


# ---------------------------------------------------------------- brief, workbook, bundle
def plan_result(spec: PlanSpec, token: str, data: PlanData, mc, advice: pd.DataFrame,
                schedule: pd.DataFrame) -> pipeline.PlanResult:
    """The :class:`planner.pipeline.PlanResult` of the Capacity page's run (``mc``,
    ``advice``, ``schedule``) with the other frames from the same cached calls."""
    fc, paths = forecast(spec, token, data)
    hp = None if data.user_arrivals else host_paths(spec, token, data)
    arr, _ = arrivals(spec, token, data)
    return pipeline.PlanResult(spec, fc, paths, hp, arr, mc, advice, schedule)


def _frame_key(df: pd.DataFrame | None) -> str:
    return "none" if df is None else _token(df.astype(str))


@st.cache_data(show_spinner="Writing the brief...", max_entries=16)
def brief_files(spec: PlanSpec, token: str, lang: str, today, facilities_key: str,
                _result: pipeline.PlanResult) -> dict:
    """The decision brief as ``{"pdf": bytes, "html": str}`` and the workbook as
    ``{"xlsx": bytes}``, made once per spec, data, facilities, language and day (so a
    download click serves bytes made before it, and never reruns the work)."""
    from planner import brief, workbook

    docs = brief.render(brief.summarise(_result, today), lang)
    return {**docs, "xlsx": workbook.workbook_bytes(_result, lang, today)}


def facilities_key(data: PlanData) -> str:
    """A content key of the facilities and expansion plans of ``data``."""
    return f"{_frame_key(data.facilities)}-{_frame_key(data.plans)}"


def result_files(spec: PlanSpec, token: str, lang: str, today, data: PlanData, mc,
                 advice: pd.DataFrame, schedule: pd.DataFrame) -> dict:
    """:func:`brief_files` of the Capacity page's run."""
    return brief_files(spec, token, lang, today, facilities_key(data),
                       plan_result(spec, token, data, mc, advice, schedule))


@st.cache_data(show_spinner="Packing the ZIP...", max_entries=8)
def bundle_zip(spec: PlanSpec, token: str, dialect: str, lang: str, today, facilities_key: str,
               _provenance: dict, _frames: dict, _documents: dict) -> bytes:
    """The ZIP of every result (:func:`planner.bundle.zip_bytes`), made once per spec,
    data, facilities (``"none"``: before the Capacity page ran), dialect, language and day."""
    from planner import bundle

    return bundle.zip_bytes(spec, _frames, _documents, _provenance, dialect, lang)
# ---------------------------------------------------------------- uploads (Your data page)
def _fit_models() -> list[str]:
    from forecast.models import MODEL_NAMES

    return list(MODEL_NAMES)


def read_history_upload(data: bytes, name: str, drivers: pd.DataFrame | None):
    """An uploaded monthly series (bytes; ``name`` only labels messages), checked for all
    the forecast page will do with it, without fitting (:func:`forecast.api.check_inputs`
    with ``drivers``). Returns ``(history frame, warnings)``; raises a one-line
    :class:`forecast.errors.ForecastError` naming the file."""
    from forecast import api
    from forecast.errors import ForecastError
    from forecast.schema import read_upload
    from forecast.series import step_months

    df = read_upload(data, "history", name)
    warnings: list[str] = []
    for sid, g in df.groupby("series_id", sort=False):
        if step_months(g["ds"]) != 1 and len(g) > 1:
            raise ForecastError(f"{name}: series {sid!r} is not monthly (one row per month "
                                "is needed for the capacity model)")
        try:
            warnings += api.check_inputs(df, drivers, sid, _fit_models())
        except ForecastError as exc:
            raise ForecastError(f"{name}: {str(exc).removeprefix('history frame: ')}") from None
    return df, warnings


def read_drivers_upload(data: bytes, name: str, history: pd.DataFrame, series_id: str):
    """An uploaded drivers file, checked against ``series_id`` of ``history`` as the
    forecast page will fit it (no fit). Returns ``(drivers frame, warnings)``."""
    from forecast import api
    from forecast.errors import ForecastError
    from forecast.schema import read_upload
    from forecast.vocabulary import DRIVER_COLUMNS

    df = read_upload(data, "drivers", name)
    known = [c for c in DRIVER_COLUMNS if c in df.columns and df[c].notna().any()]
    if not known:
        raise ForecastError(f"{name}: no driver column with a value (have "
                            f"{', '.join(df.columns)}); give at least one of "
                            f"{', '.join(DRIVER_COLUMNS)}")
    try:
        warnings = api.check_inputs(history, df, series_id, _fit_models())
    except ForecastError as exc:
        raise ForecastError(f"{name}: with the series {series_id}: {exc}") from None
    return df, warnings


QUICK_BACKTEST = {"models": ("naive", "snaive", "drift"), "n_origins": 12, "horizon": 6,
                  "n_paths": 100}
"""The quick rolling-origin backtest of a series with no bundled skill table (fast
baselines only; seconds, not minutes)."""


@st.cache_data(show_spinner="Backtesting the fast baselines on this series...", max_entries=8)
def _quick_backtest(series_id: str, token: str, _data: PlanData) -> pd.DataFrame:
    from forecast import backtest as bt

    q = QUICK_BACKTEST
    res = bt.backtest(_data.history, None, series_id=series_id, models=list(q["models"]),
                      n_origins=q["n_origins"], horizon=q["horizon"], n_paths=q["n_paths"])
    return res.summary(range(1, q["horizon"] + 1)).set_index("model").drop(
        columns=["n", "seconds"], errors="ignore")


_QUICK_DONE = "quick_backtest_done"


def quick_backtest(series_id: str, token: str, data: PlanData) -> pd.DataFrame:
    """Skill of the fast baselines on ``series_id`` (:data:`QUICK_BACKTEST`), one row per
    model, best CRPS first (persons per month); remembered for the session."""
    out = _quick_backtest(series_id, token, data)
    st.session_state.setdefault(_QUICK_DONE, set()).add((series_id, token))
    return out


def quick_backtest_done(series_id: str, token: str) -> bool:
    return (series_id, token) in st.session_state.get(_QUICK_DONE, set())
# ---------------------------------------------------------------- compare and saved plans
def country_paths(spec: PlanSpec, token: str, data: PlanData) -> pd.DataFrame:
    """Arrivals paths per host country before the area share and the multiplier
    (``series_id`` = host ISO3, or the user's series; ``ds, path, value``: persons per
    month), for the spec's scenario: the host paths, or the user's own arrivals series."""
    if data.user_arrivals:
        _, paths = forecast(spec, token, data)
        p = paths[paths["model"] == spec.forecast.model]
    else:
        p = host_paths(spec, token, data)
    return p[["series_id", "ds", "path", "value"]]


def path_totals(paths: pd.DataFrame, qs=(0.1, 0.5, 0.9)) -> pd.DataFrame:
    """Totals over the horizon: the sum of each path over its months, then quantiles over
    paths. Reads ``series_id, ds, path, value``; returns ``series_id, months`` and one
    column per quantile (``p10, p50, p90``; persons over the horizon)."""
    tot = paths.groupby(["series_id", "path"])["value"].sum()
    out = tot.groupby(level="series_id").quantile(list(qs)).unstack()
    out.columns = [f"p{round(q * 100)}" for q in qs]
    months = paths.groupby("series_id")["ds"].nunique().rename("months")
    return out.join(months).reset_index()[["series_id", "months", *out.columns]]


def plan_summary(spec: PlanSpec, token: str, data: PlanData, with_advice: bool = True) -> dict:
    """The summary results saved with a plan (:mod:`planner.store`), from the cached
    stages: ``totals`` (:func:`path_totals` per host), ``monthly`` (the spec's host:
    ``ds, p10, p50, p90`` persons per month) and, if ``with_advice``, ``advice`` (the
    capacity advice at the spec's risk, :func:`planner.pipeline.advice`)."""
    p = country_paths(spec, token, data)
    out = {"totals": path_totals(p)}
    host = spec.forecast.series_id if data.user_arrivals else spec.forecast.host
    q = paths_quantiles(p[p["series_id"] == host], ["ds"], (0.1, 0.5, 0.9))
    monthly = q.pivot(index="ds", columns="quantile", values="value")
    monthly.columns = [f"p{round(c * 100)}" for c in monthly.columns]
    out["monthly"] = monthly.reset_index()
    if with_advice:
        adv, _ = pipeline.advice(capacity(spec, token, data), spec, data)
        out["advice"] = adv
    return out


def plan_store():
    """The plan store in the operator's folder (``PLANNER_STORE_DIR``,
    :func:`planner.store.store_dir`); never a path from the browser."""
    from planner import store

    return store.Store(store.store_dir())
