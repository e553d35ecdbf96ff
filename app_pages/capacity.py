"""Capacity: shelters, schools and clinics against the forecast arrivals, with advice."""

import dataclasses
import datetime as dt

import pandas as pd
import streamlit as st

import abm
from abm.advice import order_status
from app_pages import charts, services
from app_pages.controls import CAPACITY_KEY, host_label, spec_from_state
from app_pages.text import _, t
from forecast.errors import SchemaError
from planner import pipeline
from planner.pipeline import CapacitySettings

s = st.session_state
st.title("Capacity: shelters, schools and clinics")
spec = spec_from_state(s)
tok = services.data_token()
data = services.plan_data(s["series_id"])
try:
    base = dataclasses.replace(spec, capacity=CapacitySettings())
    arrivals, origin = services.arrivals(base, tok, data)
except SchemaError as e:
    st.warning(f"No arrivals forecast for {host_label(s['host'])}: {e}. "
               "Set the host's share of the outflow in the sidebar (Borders and destination), "
               "or upload your own arrivals series on the Your data page.")
    st.stop()
movement = "" if spec.forecast.host_method == "dyadic" else f", {s['model']} movement model"
st.caption(f"Arrivals: {origin}{movement}, {arrivals['path'].nunique()} sample paths.")
late_banner = st.empty()  # filled once the advice is known: late orders come first

c1, c2, c3 = st.columns(3)
with c1:
    share = st.slider("Share of the country's arrivals coming to this host area (%)", 1, 100, 100,
                      key="cap_area_share",
                      help=_("The default facilities are an illustrative set sized for the host's "
                             "recent UNHCR caseload; lower this when arrivals spread over several "
                             "areas."))
    scale = st.slider("Planning multiplier on arrivals (x)", 1, 500, 1, key="cap_scale",
                      help="Stress test: multiply every arrivals path, e.g. to plan for a surge "
                           "far above the recorded Central Asian flows.")
with c2:
    n_runs = st.slider("Monte Carlo runs", 20, 400, 200, step=20, key="cap_runs")
    risk = st.slider("Accepted risk of any shortfall (%)", 1, 50, 10, key="cap_risk",
                     help="Capacity advice: the smallest capacity with P(shortfall) at most this.")
with c3:
    stay = st.slider("Mean stay in the host area (days)", 30, 1095, 365, step=15, key="cap_stay",
                     help="Assumption (no published figure for Central Asia); exits are drawn "
                          "from this mean.")
    step_days = st.radio("Step", [1, 7], index=1, horizontal=True, key="cap_step",
                         format_func=lambda d: "daily" if d == 1 else "weekly")

cap_settings = CapacitySettings(area_share=share / 100.0, multiplier=float(scale),
                                n_runs=int(n_runs), risk=risk / 100.0,
                                mean_stay_days=float(stay), step_days=int(step_days))
s[CAPACITY_KEY] = cap_settings  # every page (Export, the plan file) uses these settings
spec = dataclasses.replace(spec, capacity=cap_settings)
arr, _origin = services.arrivals(spec, tok, data)

st.subheader("Facilities in the host area")
in_use = services.facility_set_in_use(s["host"])
if in_use == "user":
    st.caption(_("Facility set in use: your uploaded facilities (Your data page); they stay in "
                 "use whatever the host. Edit freely."))
elif in_use:
    fset = services.default_facility_set(in_use)
    st.caption(_("Facility set in use: **{label}**. It follows the host chosen in the sidebar; "
                 "each row cites its figure and standard (Sphere 2018: 3.5 m2 covered space per "
                 "person; UNHCR: 240 pupils per 1,000 refugees, 40 pupils per class, double "
                 "shifts; 1 clinic of 3 clinicians per 10,000 people). Not an inventory of real "
                 "facilities. Edit freely.").format(label=fset.label))
else:
    st.warning(_("No default facility set for {host}: the bundled sets cover the five Central "
                 "Asian hosts. Upload your facilities on the Your data page.")
               .format(host=host_label(s["host"])))
    st.stop()
fac = st.data_editor(services.active_facilities(s["host"]), num_rows="dynamic",
                     key=f"cap_facilities_{in_use}", width="stretch", hide_index=True)
st.markdown("**Expansion plans** (e.g. +500 persons of shelter ordered on a date, with a lead time)")
plans = st.data_editor(
    pd.DataFrame({"facility_type": pd.Series(["shelter"], dtype="str"),
                  "quantity": [0.0], "quantity_unit": ["persons"],
                  "ordered": [pd.Timestamp(arr["ds"].min()).date()],
                  "lead_time_days": [90.0], "note": ["example: set quantity > 0 to use"]}),
    num_rows="dynamic", key="cap_plans", width="stretch", hide_index=True)
plans = plans[pd.to_numeric(plans["quantity"], errors="coerce") > 0]

cfg = abm.ABMConfig().with_(mean_stay_days=float(stay), step_days=int(step_days))
try:
    facilities = abm.check_facilities(fac, source="facilities table")
    plan_frame = abm.check_plans(plans if len(plans) else None, source="expansion plans")
    data = dataclasses.replace(data, facilities=facilities, plans=plan_frame)
    mc = services.capacity(spec, tok, data)
except abm.ABMError as e:
    st.error(str(e))
    st.stop()

labels = {"shelter": ("Shelter", "persons"), "school": ("School seats", "children"),
          "clinic": ("Clinic consultations", "consultations per day")}
q = mc.quantiles
cols = st.columns(3)
for col, (ft, (title, unit)) in zip(cols, labels.items(), strict=True):
    demand = q[(q["facility_type"] == ft) & (q["metric"] == "demand")][["ds", "quantile", "value"]]
    cap = q[(q["facility_type"] == ft) & (q["metric"] == "capacity") & ((q["quantile"] - 0.5).abs() < 1e-9)]
    with col:
        st.altair_chart(charts.capacity_chart(demand, cap[["ds", "value"]], title, unit),
                        width="stretch")

p = mc.p_shortfall.rename(columns={"ds": "month", "facility_type": "facility"})
st.altair_chart(charts.shortfall_heatmap(p), width="stretch")

sq = mc.summary_quantiles
med = sq[(sq["quantile"] - 0.5).abs() < 1e-9].pivot(index="facility_type", columns="metric", values="value")
st.markdown("**Run summaries (median over runs)**")
st.dataframe(med, width="stretch")

st.subheader(f"Capacity advice at {risk}% risk")
adv, schedule = pipeline.advice(mc, spec, data)
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
STATUS_WORDS = {"late": _("late: order now"), "unknown": _("lead time unknown"),
                "none": _("nothing to add")}
table = pd.DataFrame({
    _("Status"): [STATUS_WORDS.get(c) or _("order by {date}").format(date=t().date(d.date()))
                  for c, d in zip(shown["status"], shown["order_by"], strict=True)],
    _("Facility"): shown["facility_type"],
    _("Order by"): shown["order_by"].dt.date,
    _("Needed by"): shown["needed_by"].dt.date,
    _("Add"): [f"{t().number(q)} {u}" for q, u in zip(shown["added_quantity"],
                                                       shown["quantity_unit"], strict=True)],
    _("Days late"): shown["days_late"],
    _("P(shortfall) now"): shown["p_shortfall_now"],
    _("Added capacity"): shown["added_capacity"], _("Unit"): shown["unit"],
    _("Existing capacity"): shown["existing_capacity"],
    _("Required capacity"): shown["required_capacity"],
    _("Lead time (days)"): shown["lead_time_days"],
})
st.dataframe(table, hide_index=True, width="stretch", column_config={
    _("P(shortfall) now"): st.column_config.NumberColumn(format="percent"),
    _("Added capacity"): st.column_config.NumberColumn(format="localized"),
    _("Existing capacity"): st.column_config.NumberColumn(format="localized"),
    _("Required capacity"): st.column_config.NumberColumn(format="localized"),
    _("Days late"): st.column_config.NumberColumn(format="%d")})
for _i, row in shown.iterrows():
    st.markdown(f"- {row['explanation']}")
st.session_state["last_capacity"] = {"result": mc, "advice": adv, "schedule": schedule,
                                     "host": host_label(s["host"]), "spec": spec,
                                     "facilities": facilities}
