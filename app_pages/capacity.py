"""Capacity: shelters, schools and clinics against the forecast arrivals, with advice."""

import dataclasses

import pandas as pd
import streamlit as st

import abm
from app_pages import charts, services, text
from app_pages.controls import CAPACITY_KEY, host_label, spec_from_state
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

c1, c2, c3 = st.columns(3)
with c1:
    share = st.slider("Share of the country's arrivals coming to this host area (%)", 1, 100, 100,
                      key="cap_area_share",
                      help="The default host area is an illustrative reception area in Kazakhstan "
                           "(Almaty region); lower this when arrivals spread over several areas.")
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
arr, _ = services.arrivals(spec, tok, data)

st.subheader("Facilities in the host area")
st.caption("Defaults: standard-sized facilities for an illustrative 10,000-person caseload; each "
           "row cites its standard (Sphere 2018: 3.5 m2 covered space per person; UNHCR: 40 pupils "
           "per class, double shifts; fewer than 50 consultations per clinician per day). Edit freely.")
fac = st.data_editor(services.active_facilities(), num_rows="dynamic", key="cap_facilities",
                     width="stretch", hide_index=True)
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
        st.altair_chart(charts.capacity_chart(demand, cap[["ds", "value"]], title, unit,
                                              charts.labels(text._)), width="stretch")

p = mc.p_shortfall.rename(columns={"ds": "month", "facility_type": "facility"})
st.altair_chart(charts.shortfall_heatmap(p, text._("Probability of a shortfall"),
                                         text._("P(shortfall)"), charts.labels(text._)),
                width="stretch")

sq = mc.summary_quantiles
med = sq[(sq["quantile"] - 0.5).abs() < 1e-9].pivot(index="facility_type", columns="metric", values="value")
st.markdown("**Run summaries (median over runs)**")
st.dataframe(med, width="stretch")

st.subheader(f"Capacity advice at {risk}% risk")
adv, schedule = pipeline.advice(mc, spec, data)
# the decision first (what to order, by when), so a phone shows it without scrolling sideways;
# the explanation of each row follows below the table
first = ["facility_type", "late", "order_by", "added_quantity", "quantity_unit", "needed_by",
         "added_capacity", "unit", "p_shortfall_now"]
st.dataframe(adv, hide_index=True, width="stretch",
             column_order=[c for c in first if c in adv.columns]
             + [c for c in adv.columns if c not in first and c != "explanation"])
for _, row in adv.iterrows():
    st.markdown(f"- {row['explanation']}")
st.session_state["last_capacity"] = {"result": mc, "advice": adv, "schedule": schedule,
                                     "host": host_label(s["host"]), "spec": spec,
                                     "facilities": facilities}
