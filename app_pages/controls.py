"""The sidebar: the scenario and settings every page reads.

Widget values live in ``st.session_state`` under the keys of ``DEFAULTS``;
:func:`scenario_from_state` turns them into a frozen :class:`forecast.scenarios.Scenario`
(a plain function, tested without Streamlit).

The levers sit in one ``st.form``: moving a slider changes nothing until the planner
presses **Apply** (:func:`apply_label`), so dragging a slider over 100 steps runs the
models once, not 100 times. ``st.session_state`` holds the *applied* values only; the
sidebar states the applied scenario under the button. A preset applies at once.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from app_pages import labels
from app_pages.text import LANG_KEY, _, bound, keep, persist, restore_choices
from forecast.models import MODEL_TITLES
from forecast.scenarios import PRESETS, Scenario, Shock  # noqa: F401
from forecast.vocabulary import DEFAULT_SERIES, HOSTS
from planner.i18n import DEFAULT_LANGUAGE, LANGUAGES
from planner.pipeline import HOST_METHODS, CapacitySettings, ForecastSettings, PlanSpec


def host_label(iso3: str) -> str:
    """A host's name for menus and titles, in the session's language; context hosts are
    marked as such (:func:`app_pages.labels.host`)."""
    return labels.host(iso3)


# Widget key -> default. Defaults are the baseline scenario for a host area in Kazakhstan.
DEFAULTS: dict[str, object] = {
    "series_id": DEFAULT_SERIES,
    "host": "KAZ",
    "model": "ensemble",
    "horizon": 24,
    "conflict_k": 1.0, "conflict_start": 1, "conflict_months": 6,
    "drought_spi": 0.0, "drought_start": 1, "drought_months": 6,
    "food_k": 1.0, "food_start": 1, "food_months": 6,
    "border_openness_pct": 100,
    "host_share_pct": 0.0,
    "share_years": 10,
    "host_method": "dyadic",
    "analogue": "",
    "n_paths": 200,
    "seed": 0,
}

_SHOCK_KEYS = {"conflict": ("conflict_k", "conflict_start", "conflict_months"),
               "drought": ("drought_spi", "drought_start", "drought_months"),
               "food_price": ("food_k", "food_start", "food_months")}


def state_from_scenario(sc: Scenario) -> dict[str, object]:
    """Widget values that describe ``sc`` (the inverse of :func:`scenario_from_state`
    for the levers the sidebar has): scenario keys at their defaults, then the
    scenario's shocks and openness."""
    out = {k: d for k, d in DEFAULTS.items() if k not in SETTINGS}
    for shock in sc.shocks:
        kv, ks, km = _SHOCK_KEYS[shock.kind]
        out.update({kv: float(shock.value), ks: int(shock.start), km: int(shock.duration)})
    out["border_openness_pct"] = round(sc.border_openness * 100)
    out["analogue"] = sc.analogue
    return out


def scenario_from_state(state: Mapping, name: str | None = None) -> Scenario:
    """The frozen scenario described by the widget values in ``state`` (keys of DEFAULTS).

    A shock is added only when it changes something (multiplier != 1, SPI < 0). The
    scenario takes the name of the preset it equals (so a preset keeps its name in
    every export), else ``custom`` (``baseline`` when nothing is changed).
    """
    v = {k: state.get(k, d) for k, d in DEFAULTS.items()}
    shocks = []
    if float(v["conflict_k"]) != 1.0:
        shocks.append(Shock("conflict", int(v["conflict_start"]), int(v["conflict_months"]),
                            float(v["conflict_k"])))
    if float(v["drought_spi"]) < 0:
        shocks.append(Shock("drought", int(v["drought_start"]), int(v["drought_months"]),
                            float(v["drought_spi"])))
    if float(v["food_k"]) != 1.0:
        shocks.append(Shock("food_price", int(v["food_start"]), int(v["food_months"]),
                            float(v["food_k"])))
    openness = float(v["border_openness_pct"]) / 100.0
    share = float(v["host_share_pct"]) / 100.0
    analogue = str(v["analogue"] or "")
    preset = next((p for p in PRESETS.values()
                   if set(p.shocks) == set(shocks) and p.border_openness == openness
                   and p.analogue == analogue), None)
    parts = [f"{s.kind} {s.value:g} (months {s.start}-{s.start + s.duration - 1})" for s in shocks]
    if openness != 1.0:
        parts.append(f"borders {openness:.0%} open")
    if share > 0:
        parts.append(f"{v['host']} share of outflow {share:.2%}")
    if analogue:
        parts.append(f"surge like {analogue}")
    if name is None:
        name = preset.name if preset is not None and share == 0 else "custom"
    description = (preset.description if preset is not None and share == 0
                   else "; ".join(parts) or "Drivers persist at their latest observed levels.")
    sc = Scenario(name=name, description=description, shocks=tuple(shocks),
                  border_openness=openness, analogue=analogue)
    if share > 0:
        sc = sc.with_host_shares({str(v["host"]): share})
    return sc


CAPACITY_KEY = "capacity_settings"
"""session_state key: the Capacity page's settings (kept when other pages drop its widgets)."""

CAPACITY_SLIDERS: dict[str, tuple[int, int, int]] = {
    "cap_area_share": (1, 100, 1),   # % of the country's arrivals coming to the host area
    "cap_scale": (1, 500, 1),        # planning multiplier (x)
    "cap_runs": (20, 400, 20),       # Monte Carlo runs
    "cap_risk": (1, 50, 1),          # accepted risk of any shortfall (%)
    "cap_stay": (30, 1095, 15),      # mean stay (days)
}
"""The Capacity page's sliders: key -> (min, max, step); ``cap_step`` is a 1/7-day radio."""


def _on_grid(key: str, value: float) -> int:
    lo, hi, _step = CAPACITY_SLIDERS[key]
    return int(min(hi, max(lo, round(value))))


def capacity_widget_values(cap: CapacitySettings) -> dict[str, int]:
    """The Capacity page's widget values that show ``cap``: percentages and whole numbers,
    within each slider's range (a value between two steps stays as it is, like the
    365-day default on the 15-day stay slider)."""
    return {"cap_area_share": _on_grid("cap_area_share", cap.area_share * 100),
            "cap_scale": _on_grid("cap_scale", cap.multiplier),
            "cap_runs": _on_grid("cap_runs", cap.n_runs),
            "cap_risk": _on_grid("cap_risk", cap.risk * 100),
            "cap_stay": _on_grid("cap_stay", cap.mean_stay_days),
            "cap_step": cap.step_days if cap.step_days in (1, 7) else 7}


def capacity_from_widgets(values: Mapping) -> CapacitySettings:
    """The settings the Capacity page's widget values stand for (the inverse of
    :func:`capacity_widget_values` on its grid)."""
    return CapacitySettings(area_share=values["cap_area_share"] / 100.0,
                            multiplier=float(values["cap_scale"]),
                            n_runs=int(values["cap_runs"]), risk=values["cap_risk"] / 100.0,
                            mean_stay_days=float(values["cap_stay"]),
                            step_days=int(values["cap_step"]))


def show_capacity_settings(state, cap: CapacitySettings) -> None:
    """Make the Capacity page's widgets show ``cap`` on their next draw (e.g. a loaded
    plan), keeping ``cap`` itself as the settings in use."""
    state[CAPACITY_KEY] = cap
    state.update(capacity_widget_values(cap))


def spec_from_state(state: Mapping) -> PlanSpec:
    """The plan every page uses: the sidebar's scenario and settings, and the Capacity
    page's settings (area share, planning multiplier, runs, risk, stay, step) as last set
    there (defaults before the page was opened)."""
    v = {k: state.get(k, d) for k, d in DEFAULTS.items()}
    f = ForecastSettings(series_id=str(v["series_id"]), host=str(v["host"]),
                         model=str(v["model"]), horizon=int(v["horizon"]),
                         n_paths=int(v["n_paths"]), seed=int(v["seed"]),
                         share_years=int(v["share_years"]),
                         host_method=str(v["host_method"]))
    cap = state.get(CAPACITY_KEY) or CapacitySettings()
    return PlanSpec(scenario_from_state(state), f, cap)


PENDING_SERIES = "_pending_series_id"
"""session_state key: a series to select in the sidebar on the next run (after an upload)."""

SETTINGS = ("series_id", "host", "model", "horizon", "share_years", "host_method", "n_paths",
            "seed")
"""Keys that are settings, not part of a scenario: presets leave them alone."""


def preset_values(name: str) -> dict[str, object]:
    """Widget values of the preset ``name`` (a key of :data:`forecast.scenarios.PRESETS`)."""
    return state_from_scenario(PRESETS[name])


def preset_scenario(name: str, state: Mapping) -> Scenario:
    """The preset ``name`` for the settings (host, ...) in ``state``, named after the preset."""
    return scenario_from_state({**state, **preset_values(name)}, name=name)


def _apply_preset():
    if st.session_state["preset"] not in PRESETS:  # a label of the old language (see text.keep)
        return
    for k, val in preset_values(st.session_state["preset"]).items():
        st.session_state[k] = val


FORM_KEY = "scenario_form"
APPLY_KEY = "apply_scenario"


def apply_label() -> str:
    """The label of the sidebar's Apply button (in the session's language)."""
    return _("Apply")


MENUS = ("preset", "series_id", "host", "host_method", "model", "analogue")
"""Sidebar menus whose labels depend on the language (kept across a change of language)."""


def sidebar(levers: bool = True) -> None:
    """Draw the language menu and (``levers``) the scenario controls; applied values land
    in ``st.session_state``. A page that uses no scenario (the Overview) passes
    ``levers=False``: its sidebar shows the language and the applied scenario in words,
    not the 25 scenario widgets (on the Overview they cost 0.6-1.5 s of the first chart
    in the browser, benchmarks/app_latency.py), and the applied values are kept as they
    are (Streamlit forgets the state of a widget that a run does not draw)."""
    ss = st.session_state
    ss.setdefault(LANG_KEY, DEFAULT_LANGUAGE)
    restore_choices()
    for k, d in DEFAULTS.items():
        ss.setdefault(k, d)
    if not levers:
        persist(*DEFAULTS, "preset")
    from app_pages import services

    sb = st.sidebar
    sb.selectbox(":material/translate: " + _("Language"), list(LANGUAGES), key=LANG_KEY,
                 format_func=LANGUAGES.get)
    sb.header(_("Scenario"))
    series = services.series_choices()
    if PENDING_SERIES in ss:  # set by an upload, applied before the widget exists
        ss["series_id"] = ss.pop(PENDING_SERIES)
    if ss["series_id"] not in series:
        ss["series_id"] = DEFAULTS["series_id"] if DEFAULTS["series_id"] in series else series[0]
    if levers:
        sb.selectbox(_("Start from a preset"), list(PRESETS), key="preset",
                     on_change=_apply_preset, format_func=bound(labels.preset_title),
                     help=_("Sets the sliders below; magnitudes are illustrative planning "
                            "cases, not predictions."))
        form = sb.form(FORM_KEY, border=False, enter_to_submit=False)
        with form:
            _levers(form, series, services)
    else:
        sb.caption(_("This page shows the history only: the scenario is set on the Scenario "
                     "& forecast, Capacity, Sites & routes and Compare pages."))
    sb.caption(_("Applied scenario: **{description}**").format(
        description=labels.scenario_words(scenario_from_state(st.session_state))))


def show_runs() -> None:
    """With ``?runs=1`` in the address (tests and benchmarks only), state at the foot of
    the sidebar how many times each stage was computed in this session (cache hits are
    not counted): ``runs: fit=1, fit_hosts=0, forecast=2, ...``."""
    if not st.query_params.get("runs"):
        return
    from app_pages import services

    counts = services.run_counts()
    st.sidebar.caption("runs: " + ", ".join(
        f"{k}={counts.get(k, 0)}" for k in ("fit", "fit_hosts", "forecast", "host_paths",
                                            "capacity")))


def _levers(sb, series: list[str], services) -> None:
    """The scenario and settings widgets, inside the sidebar's form ``sb``."""
    sb.caption(_("Changes here take effect when you press **Apply** (bottom of this box)."))
    sb.selectbox(_("Movement series the models learn from"), series, key="series_id",
                 format_func=bound(labels.series_name),
                 help=_("Monthly Afghan movement: Frontex detections of Afghans (2009-2025) or "
                        "UNHCR asylum applications (1999-2018), or your own uploaded series."))
    sb.selectbox(_("Host country"), list(HOSTS), key="host", format_func=bound(host_label),
                 help=_("Arrivals are the movement forecast times the host's share of Afghan "
                        "arrivals, estimated from UNHCR annual flows (see the model card)."))
    in_use = services.facility_set_in_use(st.session_state["host"])
    sb.caption({"user": _("Facilities (Capacity page): your uploaded set, whatever the host."),
                "": _("Facilities (Capacity page): no default set for a context host.")}.get(in_use)
               or _("Facilities (Capacity page): the {host} default set (illustrative), "
                    "chosen with the host.").format(host=host_label(in_use)))
    sb.selectbox(_("Host arrivals model"), list(HOST_METHODS), key="host_method",
                 format_func=bound(labels.host_method_title),
                 help=_("Pooled model: annual arrivals learned across 2,700 origin-host pairs of "
                        "UNHCR flows since 1990 (default; forecasts 24 months after the last "
                        "UNHCR year). Share method: the movement forecast times the host's UNHCR "
                        "share, kept as a comparison. See docs/model_card.md."))
    sb.selectbox(_("Movement model"), list(MODEL_TITLES), key="model",
                 format_func=bound(labels.model_title),
                 help=_("The monthly model of the movement series (Scenario & forecast page; "
                        "host arrivals under the share method)."))
    sb.slider(_("Horizon (months)"), 6, 36, key="horizon")

    starts, lasts = _("Starts in forecast month"), _("Lasts (months)")
    with sb.expander(_("Conflict escalation"), expanded=True):
        st.slider(_("Fatalities multiplier (x)"), 0.0, 10.0, step=0.5, key="conflict_k",
                  help=_("Monthly conflict fatalities in Afghanistan (UCDP GED) multiplied by "
                         "this factor; 1 = no change. Host arrivals (pooled model): fatalities "
                         "x2 for a year -> about +7% across a land border in year 1, +15% in "
                         "year 2 (learned from the world's pairs; docs/model_card.md)."))
        st.slider(starts, 1, 36, key="conflict_start")
        st.slider(lasts, 1, 36, key="conflict_months")
    with sb.expander(_("Surge like a real event"), expanded=bool(st.session_state.get("analogue"))):
        st.selectbox(_("Surge analogue"), services.surge_names(), key="analogue",
                     format_func=bound(labels.surge_name),
                     help=_("Host arrivals follow the multipliers of a real surge into a "
                            "neighbouring country (UNHCR flows; surge = >= 3x the previous "
                            "3-year mean and >= 5,000 arrivals), on the host's baseline. Pooled "
                            "host model only."))
    with sb.expander(_("Drought")):
        st.slider(_("SPI during the drought"), -3.0, 0.0, step=0.1, key="drought_spi",
                  help=_("Standardized precipitation index (McKee et al. 1993): -1 moderately, "
                         "-1.5 severely, -2 extremely dry; 0 = no drought shock. Acts on the "
                         "movement forecast; the pooled host model has no drought covariate (no "
                         "drought index exists for every country), so it does not move host "
                         "arrivals there: use a surge analogue for a drought-driven crisis."))
        st.slider(starts, 1, 36, key="drought_start")
        st.slider(lasts, 1, 36, key="drought_months")
    with sb.expander(_("Food prices")):
        st.slider(_("Wheat price multiplier (x)"), 0.5, 3.0, step=0.1, key="food_k",
                  help=_("WFP national median retail wheat price multiplied by this factor."))
        st.slider(starts, 1, 36, key="food_start")
        st.slider(lasts, 1, 36, key="food_months")
    with sb.expander(_("Borders and destination")):
        st.slider(_("Border openness (%)"), 0, 200, step=5, key="border_openness_pct",
                  help=_("Multiplies arrivals into every host: 100% = as in the history, "
                         "50% = half, 150% = half as many again."))
        st.number_input(_("Host share of the outflow (%), 0 = estimated"), 0.0, 100.0, step=0.01,
                        format="%.2f", key="host_share_pct",
                        help=_("Override the estimated share of the movement series that "
                               "reaches the chosen host country."))
        st.select_slider(_("UNHCR years behind each estimated share"), [3, 5, 10, 15],
                         key="share_years",
                         help=_("Shares are estimated from the last N years UNHCR reported "
                                "arrivals. Fewer years follow the recent regime; more years are "
                                "steadier. See docs/model_card.md."))
    with sb.expander(_("Advanced")):
        st.number_input(_("Sample paths"), 50, 2000, step=50, key="n_paths",
                        help=_("Monte Carlo sample paths per model (more = smoother bands, "
                               "slower)."))
        st.number_input(_("Random seed"), 0, 2**31 - 1, step=1, key="seed")
    keep(*MENUS)
    sb.form_submit_button(apply_label(), key=APPLY_KEY, type="primary", width="stretch",
                          help=_("Run the models with the settings above; the charts on every "
                                 "page follow."))
    sb.caption(_("Scenario: **{words}**").format(
        words=labels.scenario_words(scenario_from_state(st.session_state))))
