"""Capacity: shelters, schools and clinics against the forecast arrivals, with advice."""

import dataclasses
import datetime as dt

import pandas as pd
import streamlit as st

import abm
from abm.advice import order_status
from abm.runs import TOTAL_UNITS
from app_pages import charts, labels, services
from app_pages.controls import (
    CAPACITY_KEY,
    CAPACITY_SLIDERS,
    capacity_from_widgets,
    capacity_widget_values,
    host_label,
    spec_from_state,
)
from app_pages.text import _, bound, draw, keep, language, t
from forecast.errors import SchemaError
from planner import brief, bundle, pipeline
from planner.pipeline import CapacitySettings

s = st.session_state
st.title(_("Capacity: shelters, schools and clinics"))
spec = spec_from_state(s)
tok = services.data_token()
data = services.plan_data(s["series_id"])
try:
    base = dataclasses.replace(spec, capacity=CapacitySettings())
    arrivals, origin = services.arrivals(base, tok, data)
except SchemaError as e:
    st.warning(_("No arrivals forecast for {host}: {error}. Set the host's share of the outflow "
                 "in the sidebar (Borders and destination), or upload your own arrivals series "
                 "on the Your data page.").format(host=host_label(s["host"]), error=e))
    st.stop()
movement = ("" if spec.forecast.host_method == "dyadic" else
            _(", movement model: {model}").format(model=labels.model_title(s["model"])))
st.caption(_("Arrivals: {origin}{movement}, {n} sample paths.").format(
    origin=origin, movement=movement, n=t().number(arrivals["path"].nunique())))
late_banner = st.empty()  # filled once the advice is known: late orders come first

capacity_form = st.form("capacity_form", border=False, enter_to_submit=False)
# the widgets show the settings in use (a loaded plan, or the last Apply) whenever Streamlit
# has dropped their state (another page was open); they never also get a default value
for key, value in capacity_widget_values(s.get(CAPACITY_KEY) or CapacitySettings()).items():
    s.setdefault(key, value)
c1, c2, c3 = capacity_form.columns(3)
grid = CAPACITY_SLIDERS
with c1:
    st.slider(_("Share of the country's arrivals coming to this host area (%)"),
              *grid["cap_area_share"][:2], step=grid["cap_area_share"][2], key="cap_area_share",
              help=_("The default facilities are an illustrative set sized for the "
                     "host's recent UNHCR caseload; lower this when arrivals spread over "
                     "several areas."))
    st.slider(_("Planning multiplier on arrivals (x)"), *grid["cap_scale"][:2],
              step=grid["cap_scale"][2], key="cap_scale",
              help=_("Stress test: multiply every arrivals path, e.g. to plan for a "
                     "surge far above the recorded Central Asian flows."))
with c2:
    st.slider(_("Monte Carlo runs"), *grid["cap_runs"][:2], step=grid["cap_runs"][2],
              key="cap_runs")
    st.slider(_("Accepted risk of any shortfall (%)"), *grid["cap_risk"][:2],
              step=grid["cap_risk"][2], key="cap_risk",
              help=_("Capacity advice: the smallest capacity whose risk of any shortfall "
                     "over the horizon is at most this share of the runs."))
with c3:
    st.slider(_("Mean stay in the host area (days)"), *grid["cap_stay"][:2],
              step=grid["cap_stay"][2], key="cap_stay",
              help=_("Assumption (no published figure for Central Asia); exits are drawn "
                     "from this mean."))
    st.radio(_("Step"), [1, 7], horizontal=True, key="cap_step",
             format_func=bound(lambda d: _(labels.STEPS[d])))
    keep("cap_step")
capacity_form.form_submit_button(_("Apply"), key="apply_capacity", type="primary",
                                 help=_("Run the capacity model with these settings."))

cap_settings = capacity_from_widgets(s)
n_runs, risk, stay, step_days = (s[k] for k in ("cap_runs", "cap_risk", "cap_stay", "cap_step"))
s[CAPACITY_KEY] = cap_settings  # every page (Export, the plan file) uses these settings
spec = dataclasses.replace(spec, capacity=cap_settings)
arr, _origin = services.arrivals(spec, tok, data)
rng = brief.arrivals_range(arr)
with st.container(key="brief_figures"):
    st.markdown(_("**Arrivals into the host area over {n} months:** median {median} persons "
                  "(80% range {low} to {high} persons).").format(
        n=spec.forecast.horizon, median=t().number(rng.median), low=t().number(rng.low),
        high=t().number(rng.high)))

st.subheader(_("Facilities in the host area"))
in_use = services.facility_set_in_use(s["host"])
if in_use == "user":
    st.caption(_("Facility set in use: your uploaded facilities (Your data page); they stay in "
                 "use whatever the host. Edit freely."))
elif in_use:
    fset = services.default_facility_set(in_use)
    st.caption(_("Facility set in use: **{label}**. It follows the host chosen in the sidebar; "
                 "each row cites its figure and standard (Sphere 2018: 3.5 m² covered space per "
                 "person; UNHCR: 240 pupils per 1,000 refugees, 40 pupils per class, double "
                 "shifts; 1 clinic of 3 clinicians per 10,000 people). Not an inventory of real "
                 "facilities. Edit freely: facility types are `shelter`, `school` or `clinic`; "
                 "units are `persons` or `m2` (shelter), `classrooms` or `seats` (school), "
                 "`clinicians` or `consultations_per_day` (clinic).").format(
        label=fset.label if language() == "en" else  # the set's own label is English data
        _("the {host} default set (illustrative)").format(host=host_label(s["host"]))))
else:
    st.warning(_("No default facility set for {host}: the bundled sets cover the five Central "
                 "Asian hosts. Upload your facilities on the Your data page.")
               .format(host=host_label(s["host"])))
    st.stop()


def _headers(frame):
    """Column headers in words for an editor (the data keep their codes)."""
    return {c: st.column_config.Column(labels.column(c)) for c in frame.columns}


def _dates_as_text(frame, col="opens"):
    """The editor shows a missing date as an empty cell (Streamlit draws a missing value
    as a grey "None"): dates as YYYY-MM-DD text, a missing one as ""."""
    if frame is None or col not in frame:
        return frame
    d = pd.to_datetime(frame[col], errors="coerce")
    return frame.assign(**{col: d.dt.strftime("%Y-%m-%d").where(d.notna(), "")})


fac_in = _dates_as_text(services.active_facilities(s["host"]))
headers = _headers(fac_in)
if fac_in is not None and "opens" in fac_in:
    headers["opens"] = st.column_config.TextColumn(
        labels.column("opens"), help=_("Date the facility opens (YYYY-MM-DD); empty: open from "
                                       "the start."))
fac = st.data_editor(fac_in, num_rows="dynamic", key=f"cap_facilities_{in_use}",
                     width="stretch", hide_index=True, column_config=headers)
if "opens" in fac:  # an empty cell is "not given" (NA), as in a facilities file
    fac = fac.assign(opens=fac["opens"].map(lambda v: None if str(v).strip() in ("", "None", "nan")
                                            else v))
st.markdown(_("**Expansion plans** (e.g. +500 persons of shelter ordered on a date, with a lead "
              "time)"))
plans = st.data_editor(
    pd.DataFrame({"facility_type": pd.Series(["shelter"], dtype="str"),
                  "quantity": [0.0], "quantity_unit": ["persons"],
                  "ordered": [pd.Timestamp(arr["ds"].min()).date()],
                  "lead_time_days": [90.0], "note": [_("example: set quantity > 0 to use")]}),
    num_rows="dynamic", key="cap_plans", width="stretch", hide_index=True,
    column_config=_headers(pd.DataFrame(columns=["facility_type", "quantity", "quantity_unit",
                                                 "ordered", "lead_time_days", "note"])))
plans = plans[pd.to_numeric(plans["quantity"], errors="coerce") > 0]

cfg = abm.ABMConfig().with_(mean_stay_days=float(stay), step_days=int(step_days))
try:
    facilities = abm.check_facilities(fac, source=_("facilities table"))
    plan_frame = abm.check_plans(plans if len(plans) else None, source=_("expansion plans"))
    data = dataclasses.replace(data, facilities=facilities, plans=plan_frame)
    mc = services.capacity(spec, tok, data)
except abm.ABMError as e:
    st.error(str(e))
    st.stop()

units = {"shelter": _("persons"), "school": _("children"), "clinic": _("consultations per day")}
tr = t()
q = mc.quantiles
cols = st.columns(3)
for col, (ft, unit) in zip(cols, units.items(), strict=True):
    demand = q[(q["facility_type"] == ft) & (q["metric"] == "demand")][["ds", "quantile", "value"]]
    cap = q[(q["facility_type"] == ft) & (q["metric"] == "capacity") & ((q["quantile"] - 0.5).abs() < 1e-9)]
    with col:
        draw(charts.capacity_chart(demand, cap[["ds", "value"]],
                                                        labels.facility(ft), unit, tr=tr))
st.caption(_("Shaded: demand over the runs (central 50% and 80% intervals), line: the median "
             "run; red dashes: the capacity in place."))

p = mc.p_shortfall.rename(columns={"ds": "month", "facility_type": "facility"})
p = p.assign(facility=p["facility"].map(labels.facility))
draw(charts.shortfall_heatmap(p, tr=tr))

adv, schedule = pipeline.advice(mc, spec, data)
sq = mc.summary_quantiles


def _q(level: float):
    part = sq[(sq["quantile"] - level).abs() < 1e-9]
    return part.pivot(index="facility_type", columns="metric", values="value")


med, p90 = _q(0.5), _q(0.9)
runs = adv.set_index("facility_type")["p_shortfall_now"]
summary = pd.DataFrame({
    "unit": {ft: units[ft] for ft in med.index},
    "p_shortfall_run": runs,
    "peak_demand": med["peak_demand"],
    "peak_shortfall": med["peak_shortfall"],
    "peak_shortfall_p90": p90["peak_shortfall"],
    "days_over_capacity": med["days_over_capacity"],
    "days_over_capacity_p90": p90["days_over_capacity"],
    "share_time_met": med["share_time_met"],
    "unmet_total": med["unmet_total"],
    "demand_total": med["demand_total"],
    "total_unit": {ft: labels.unit(TOTAL_UNITS[ft]) for ft in med.index},
}).rename_axis("facility_type")
st.markdown(_("**Run summaries**"))
st.caption(_("Each of the {n} runs is one possible future. The median run is the middle one: "
             "when fewer than half the runs fall short, its peak shortfall is 0 even though the "
             "risk of a shortfall (the share of runs with any shortfall) is above 0. The "
             "1-in-10 columns show the run that only one run in ten exceeds.").format(
                 n=tr.number(n_runs)))
num = {c: "number" for c in ("peak_demand", "peak_shortfall", "peak_shortfall_p90",
                             "days_over_capacity", "days_over_capacity_p90", "unmet_total",
                             "demand_total")}
st.dataframe(labels.table(summary, index="facility_type", values={"facility_type": labels.facility},
                          kinds={**num, "p_shortfall_run": "percent", "share_time_met": "percent"}),
             width="stretch")

st.subheader(_("Capacity advice at {risk} risk").format(risk=tr.percent(risk / 100.0)))
today = dt.date.today()
shown = order_status(adv, today)
n_late, n_orders = int((shown["status"] == "late").sum()), int((shown["status"] != "none").sum())
if n_late:
    when = dict(late=n_late, orders=n_orders, today=t().date(today))
    late_banner.warning(_("{late} of {orders} orders are late as of today ({today}): order "
                          "now. See the capacity advice at the bottom of this page.")
                        .format(**when), icon=":material/warning:")
    st.warning(_("{late} of {orders} orders are late as of today ({today}): their order-by "
                 "date has passed; order now.").format(**when), icon=":material/warning:")


def _status(code: str, order_by) -> str:
    words = {"late": _("late: order now"), "unknown": _("lead time unknown"),
             "none": _("nothing to add")}
    return words.get(code) or _("order by {date}").format(date=t().date(order_by.date()))


# status first and the order-by date next, so both are in view at 1440 px
show = shown.assign(status=[_status(c, d) for c, d in zip(shown["status"], shown["order_by"],
                                                           strict=True)])
show = show[["status", "facility_type", "order_by", "needed_by", "added_quantity",
             "quantity_unit", "days_late", "p_shortfall_now", "added_capacity", "unit",
             "existing_capacity", "required_capacity", "lead_time_days", "risk"]]
st.dataframe(labels.table(
    show, values={"facility_type": labels.facility, "unit": labels.unit,
                  "quantity_unit": labels.unit},
    kinds={"risk": "percent", "p_shortfall_now": "percent", "existing_capacity": "number",
           "added_capacity": "number", "required_capacity": "number", "added_quantity": "number",
           "needed_by": "date", "lead_time_days": "number", "order_by": "date",
           "days_late": "number"}),
    hide_index=True, width="stretch")
for row in shown.to_dict("records"):
    st.markdown("- " + labels.advice_sentence(row, n_runs))
st.session_state["last_capacity"] = {"result": mc, "advice": adv, "schedule": schedule,
                                     "host": host_label(s["host"]), "spec": spec,
                                     "facilities": facilities, "plans": plan_frame}
docs = services.result_files(spec, tok, language(), dt.date.today(), data, mc, adv, schedule)
st.download_button(_("Decision brief (PDF)"), docs["pdf"],
                   bundle.file_names(spec, language())["pdf"], "application/pdf",
                   key="cap_brief_pdf", on_click="ignore")
