"""Compare: scenarios side by side (presets, the sidebar, files, and the plans saved in the
shared store): host arrivals with their 80% bands, totals over the horizon, and the
capacity advice of each.

Every figure comes from the cached pipeline stages of :mod:`app_pages.services`; the
saved plans live in :mod:`planner.store` (a file in the operator's ``PLANNER_STORE_DIR``).
"""

import dataclasses

import pandas as pd
import streamlit as st

from abm.errors import ABMError
from app_pages import charts, labels, services
from app_pages.controls import (
    SETTINGS,
    host_label,
    preset_scenario,
    show_capacity_settings,
    spec_from_state,
    state_from_scenario,
)
from app_pages.text import _, bound, draw, keep, t
from forecast.errors import ForecastError, ScenarioError
from forecast.scenarios import PRESETS, Scenario
from forecast.vocabulary import HOSTS
from planner.pipeline import PlanSpec
from planner.store import StoreError

s = st.session_state
MSG_KEY = "_compare_message"
CURRENT = "_current"  # choice keys are stable codes: preset names, CURRENT, STORED + a name,
STORED = "_stored:"   # or a session scenario's label; they are shown through _label


def _label(key: str) -> str:
    """A choice in the menu, in the session's language."""
    if key == CURRENT:
        return _("Current sidebar scenario")
    if key.startswith(STORED):
        return _("Saved: {name}").format(name=key[len(STORED):])
    return labels.preset_title(key) if key in PRESETS else key


def short(key: str) -> str:
    """A choice for chart headers and table rows: a preset's title without its bracketed
    detail, a saved plan's own name."""
    if key == CURRENT:
        return _("Sidebar")
    if key.startswith(STORED):
        return key[len(STORED):]
    return labels.preset_title(key).split(" (")[0] if key in PRESETS else key


def state_from_spec(spec: PlanSpec) -> dict:
    """Sidebar widget values for a saved plan: its scenario and its settings."""
    f = spec.forecast
    out = state_from_scenario(spec.scenario)
    out.update({k: getattr(f, k) for k in SETTINGS})
    shares = dict(spec.scenario.host_shares)
    if f.host in shares:
        out["host_share_pct"] = round(shares[f.host] * 100, 2)
    return out


def _say(kind: str, text: str) -> None:
    s[MSG_KEY] = (kind, text)


# ------------------------------------------------------------ store actions (callbacks:
# they run before the page, so they may set the sidebar's widget values)
def _load(name: str) -> None:
    try:
        saved = services.plan_store().load(name)
    except StoreError as e:
        return _say("error", str(e))
    known = set(services.series_choices())
    values = state_from_spec(saved.spec)
    if values["series_id"] not in known:
        return _say("error", _("Plan '{name}' was made on the series {series}, which is not "
                               "loaded now; upload it on the Your data page first.").format(
                                   name=saved.name, series=values["series_id"]))
    for k, v in values.items():
        s[k] = v
    show_capacity_settings(s, saved.spec.capacity)
    _say("success", _("Loaded '{name}' into the sidebar (scenario, host, settings and the "
                      "capacity settings).").format(name=saved.name))


def _save() -> None:
    name = str(s.get("store_save_name", "")).strip()
    spec = spec_from_state(s)
    spec = dataclasses.replace(spec, scenario=spec.scenario.with_name(name or "custom"))
    tok = services.data_token()
    data = services.plan_data(spec.forecast.series_id)
    try:
        results = services.plan_summary(spec, tok, data)
    except (ForecastError, ABMError) as e:
        results = {}
        _say("warning", _("Saved without results: {error}").format(error=e))
    try:
        services.plan_store().save(name, spec, results, data_token=tok,
                                   overwrite=bool(s.get("store_overwrite")))
    except StoreError as e:
        return _say("error", str(e))
    if MSG_KEY not in s:
        _say("success", _("Saved '{name}'. Everyone using this store file sees it.").format(
            name=name))


def _rename(old: str) -> None:
    new = str(s.get("store_new_name", "")).strip()
    try:
        services.plan_store().rename(old, new)
    except StoreError as e:
        return _say("error", str(e))
    s["compare_choice"] = [c for c in s.get("compare_choice", []) if c != STORED + old]
    _say("success", _("Renamed '{old}' to '{new}'.").format(old=old, new=new))


def _delete(name: str) -> None:
    try:
        services.plan_store().delete(name)
    except StoreError as e:
        return _say("error", str(e))
    s["compare_choice"] = [c for c in s.get("compare_choice", []) if c != STORED + name]
    s["store_confirm_delete"] = False
    _say("success", _("Deleted '{name}'.").format(name=name))


# ------------------------------------------------------------ page
st.title(_("Compare scenarios"))
if MSG_KEY in s:
    kind, text = s.pop(MSG_KEY)
    getattr(st, kind)(text)

store = services.plan_store()
try:
    saved = store.list()
    store_error = None
except StoreError as e:
    saved, store_error = [], str(e)

with st.expander(_("Saved plans ({n}), kept in {path}").format(n=len(saved), path=store.path),
                 expanded=bool(saved) or store_error is not None):
    st.caption(_("A saved plan keeps the sidebar's scenario and settings and the capacity "
                 "settings, with its results as computed when saved. The file survives a "
                 "restart; an office shares it by pointing PLANNER_STORE_DIR at one folder."))
    if store_error:
        st.error(store_error)
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    c1.text_input(_("Save the current sidebar plan as"), key="store_save_name",
                  placeholder=_("e.g. TJK conflict x3, office review"), max_chars=80)
    c2.checkbox(_("Replace a plan of that name"), key="store_overwrite")
    st.button(_("Save plan"), key="store_save", on_click=_save,
              disabled=store_error is not None or not str(s.get("store_save_name", "")).strip())
    if saved:
        rows = []
        for e in saved:
            rows.append({_("Name"): e.name, _("Scenario"): e.scenario,
                         _("Host"): host_label(e.host) if e.host in HOSTS else e.host,
                         _("Months"): e.horizon, _("Saved (UTC)"): e.saved_at.replace("T", " ")[:16]})
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        names = [e.name for e in saved]
        pick = st.selectbox(_("Saved plan"), names, key="store_pick")
        b1, b2, b3 = st.columns(3, vertical_alignment="bottom")
        b1.button(_("Load into the sidebar"), key="store_load", on_click=_load, args=(pick,))
        with b2:
            st.text_input(_("New name"), key="store_new_name", max_chars=80)
            st.button(_("Rename"), key="store_rename", on_click=_rename, args=(pick,),
                      disabled=not str(s.get("store_new_name", "")).strip())
        with b3:
            sure = st.checkbox(_("Yes, delete it for everyone using this file"),
                               key="store_confirm_delete")
            st.button(_("Delete"), key="store_delete", on_click=_delete, args=(pick,),
                      disabled=not sure)

with st.expander(_("Load a scenario file (JSON, as written by Export or "
                   "`forecast scenarios write`)")):
    up = st.file_uploader(_("Scenario JSON"), type=["json"], key="upload_scenario")
    if up is not None:
        try:
            text = up.getvalue().decode("utf-8")
            loaded = Scenario.from_json(text, source=_("scenario file {name}").format(name=up.name))
        except (ScenarioError, UnicodeDecodeError) as e:
            st.error(_("Refused: {error}").format(error=e))
        else:
            s.setdefault("saved_scenarios", {})[f"{loaded.name} ({up.name})"] = loaded
            st.success(_("Loaded '{name}': {words}").format(name=loaded.name,
                                                            words=labels.scenario_words(loaded)))

# Candidates: choice key -> the plan (None: a saved plan, loaded from the store when chosen)
base = spec_from_state(s)
candidates: dict[str, PlanSpec | None] = {
    key: dataclasses.replace(base, scenario=preset_scenario(key, s)) for key in PRESETS}
candidates[CURRENT] = base
for label, sc in s.get("saved_scenarios", {}).items():  # this session (files, Scenario page)
    candidates[label] = dataclasses.replace(base, scenario=sc)
for e in saved:
    candidates[STORED + e.name] = None

default = ["baseline", "conflict_escalation", CURRENT]
# drop choices that are gone (a deleted plan, another language)
s["compare_choice"] = [c for c in s.get("compare_choice", default) if c in candidates]
chosen = st.multiselect(_("Scenarios to compare (the first is the reference)"),
                        list(candidates), key="compare_choice", max_selections=4,
                        format_func=bound(_label))
keep("compare_choice")
if len(chosen) < 2:
    st.info(_("Pick two or more scenarios."))
    st.stop()

tok = services.data_token()
plans: dict[str, PlanSpec] = {}
known = set(services.series_choices())
for key in chosen:
    name, spec = short(key), candidates[key]
    if spec is None:
        try:
            spec = store.load(name).spec
        except StoreError as e:
            st.error(str(e))
            continue
    if spec.forecast.series_id not in known:
        st.warning(_("'{name}' uses the series {series}, which is not loaded now: left out.")
                   .format(name=name, series=spec.forecast.series_id))
        continue
    while name in plans:  # two plans of one name (a file and a saved plan)
        name += "'"
    plans[name] = spec
if len(plans) < 2:
    st.info(_("Pick two or more scenarios."))
    st.stop()
order = list(plans)
user_series = services.is_user_arrivals_series(base.forecast.series_id)
if user_series:
    hosts = [base.forecast.series_id]
    st.caption(_("Arrivals: your own series {series} ({model} model).").format(
        series=base.forecast.series_id, model=base.forecast.model))
else:
    if s.get("_compare_hosts_for") != base.forecast.host or "compare_hosts" not in s:  # follow the sidebar
        s["compare_hosts"] = [base.forecast.host]
        s["_compare_hosts_for"] = base.forecast.host
    hosts = st.multiselect(_("Host countries (one row of panels each)"), list(HOSTS),
                           format_func=bound(host_label), key="compare_hosts",
                           max_selections=4) or [base.forecast.host]

# ------------------------------------------------------------ arrivals, bands and totals
frames, totals = [], []
with st.spinner(_("Forecasting host arrivals for {n} scenarios...").format(n=len(plans))):
    for name, spec in plans.items():
        data = services.plan_data(spec.forecast.series_id)
        try:
            p = services.country_paths(spec, tok, data)
        except ForecastError as e:
            st.warning(f"{name}: {e}")
            continue
        p = p[p["series_id"].isin(hosts)]
        q = services.paths_quantiles(p, ["series_id", "ds"], (0.1, 0.5, 0.9))
        wide = q.pivot_table(index=["series_id", "ds"], columns="quantile", values="value")
        wide.columns = ["p10", "p50", "p90"]
        frames.append(wide.reset_index().assign(scenario=name))
        totals.append(services.path_totals(p).assign(scenario=name))
if not frames:
    st.stop()
rank = {h: i for i, h in enumerate(hosts)}  # rows and table in the order the hosts were chosen
bands = pd.concat(frames, ignore_index=True).sort_values(
    ["series_id", "ds"], key=lambda c: c.map(rank) if c.name == "series_id" else c,
    kind="stable")
bands["host"] = [sid if user_series else host_label(sid) for sid in bands["series_id"]]
st.subheader(_("Monthly arrivals per scenario"))
st.caption(_("Each panel: the median and the band holding 80% of the sample paths (P10-P90), "
             "persons per month arriving in the country. The dashed line repeats the median "
             "of the first scenario in every panel; panels of a row share one scale."))
for host_name, panels in charts.compare_panels(bands, order, t()):
    st.markdown(f"**{host_name}**")
    # one column per scenario: side by side on a wide screen, stacked on a phone
    for column, chart in zip(st.columns(len(panels)), panels, strict=True):
        with column:
            draw(chart)

tot = pd.concat(totals, ignore_index=True)
tot = tot.sort_values("series_id", key=lambda c: c.map(rank), kind="stable")
ref_tot = tot[tot["scenario"] == order[0]].set_index("series_id")["p50"]
num = t().number
table = pd.DataFrame({
    _("Scenario"): tot["scenario"],
    _("Host"): [sid if user_series else host_label(sid) for sid in tot["series_id"]],
    _("Months"): tot["months"],
    _("Median total"): [num(round(v)) for v in tot["p50"]],
    _("80% range (P10-P90)"): [f"{num(round(lo))} – {num(round(hi))}"
                               for lo, hi in zip(tot["p10"], tot["p90"], strict=True)],
    _("Median vs {name}").format(name=order[0]): [
        "" if sc == order[0] or not ref_tot.get(sid) else f"{v / ref_tot[sid] - 1:+.0%}"
        for sc, sid, v in zip(tot["scenario"], tot["series_id"], tot["p50"], strict=True)],
})
st.subheader(_("Total arrivals over the horizon (persons)"))
st.dataframe(table, hide_index=True, width="stretch")

# ------------------------------------------------------------ capacity advice side by side
FACILITY = ("shelter", "school", "clinic")
st.subheader(_("Capacity advice per scenario"))
st.caption(_("For each scenario's own host area (host, area share, planning multiplier, "
             "risk and stay as in the plan; facilities as on the Capacity page's defaults or "
             "your uploaded table): what to add so that the chance of any shortfall stays at "
             "or below the accepted risk, and the last day to order it."))
facilities = services.user_data()["facilities"]
advice = {}
for name, spec in plans.items():
    data = dataclasses.replace(services.plan_data(spec.forecast.series_id), facilities=facilities)
    with st.spinner(_("Running the capacity model for '{name}' ({runs} runs)...").format(
            name=name, runs=spec.capacity.n_runs)):
        try:
            advice[name] = services.plan_summary(spec, tok, data)["advice"]
        except (ForecastError, ABMError) as e:
            st.warning(f"{name}: {e}")
if advice:
    rows = []
    for ft in FACILITY:
        what = {_("Facility"): labels.facility(ft)}
        add, order_q, by = ({**what, _("Item"): _("Add (capacity)")},
                            {**what, _("Item"): _("Order (quantity)")}, {**what, _("Item"): _("Order by")})
        for name, adv in advice.items():
            r = adv[adv["facility_type"] == ft]
            if r.empty:
                continue
            r = r.iloc[0]
            nothing = not r["added_capacity"] > 0
            add[name] = (_("nothing to add") if nothing else
                         f"+{num(r['added_capacity'])} {labels.unit(r['unit'])}")
            order_q[name] = ("—" if nothing else
                             f"{num(r['added_quantity'])} {labels.unit(r['quantity_unit'])}")
            if pd.isna(r["order_by"]):
                by[name] = "—"
            else:
                d = t().date(pd.Timestamp(r["order_by"]).date())
                by[name] = _("LATE: {date}").format(date=d) if bool(r["late"]) else d
        needs = any(v != _("nothing to add") for k, v in add.items() if k in advice)
        rows += [add, order_q, by] if needs else [add]
    late = _("LATE: {date}").format(date="")
    st.dataframe(pd.DataFrame(rows).style.map(
        lambda v: "color: #b00020; font-weight: bold" if str(v).startswith(late) else ""),
        hide_index=True, width="stretch")
    hosts_of = {name: host_label(spec.forecast.host) for name, spec in plans.items()}
    st.caption(" · ".join(_("**{name}**: {host}, accepted risk {risk}").format(
        name=name, host=hosts_of[name], risk=t().percent(plans[name].capacity.risk))
        for name in advice))
