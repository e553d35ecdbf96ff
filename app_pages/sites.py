"""Sites & routes: where arrivals go across border crossings and reception sites."""

import altair as alt
import streamlit as st

from app_pages import charts, services
from app_pages.controls import spec_from_state

s = st.session_state
st.title("Sites & routes")
st.markdown(
    "An **illustrative** host-area network: Afghan origins, the border crossings into "
    "Uzbekistan (Termez), Tajikistan (Panji Poyon) and Turkmenistan (Serhetabat), and onward "
    "towns and reception sites up to Kazakhstan and Kyrgyzstan. Route lengths are great-circle "
    "km between stated coordinates; reception capacities are assumptions (docs/network.md). "
    "People move each day by distance, capacity and site type, with the rules of the Flee "
    "simulator that were scored against UNHCR camp counts.")

c1, c2, c3 = st.columns(3)
source = c1.radio("Entries into the network", ["forecast", "illustrative"], key="net_source",
                  format_func=lambda k: {"forecast": "Forecast arrivals into Central Asia (median path)",
                                         "illustrative": "Illustrative flat inflow"}[k])
scale = c2.slider("Planning multiplier on arrivals (x)", 1, 500, 50, key="net_scale",
                  help="Recorded Central Asian arrivals are small; plan for a surge by multiplying them.")
days = c3.slider("Days simulated", 30, 365, 180, step=15, key="net_days")
close_tkm = c3.checkbox("Turkmen border closed", value=False, key="net_close_tkm")

arrivals = None
if source == "forecast":
    arrivals = services.central_asia_arrivals(spec_from_state(s), services.data_token(),
                                              services.plan_data(s["series_id"]))
out = services.network_run(arrivals, float(scale), int(days), bool(close_tkm), int(s["seed"]))
occ, summary, sites = out["occupancy"], out["summary"], out["sites"]

last = occ[occ["day"] == occ["day"].max()][["site", "persons"]]
st.altair_chart(charts.network_map(sites, out["routes"], last), width="stretch")

camps = occ[occ["site_type"] == "camp"]
st.altair_chart(
    alt.Chart(camps, title="Reception sites: persons present").mark_line().encode(
        x=alt.X("date:T", title="date"), y=alt.Y("persons:Q", title="persons"),
        color=alt.Color("site:N", title="site"),
        tooltip=["site:N", alt.Tooltip("date:T"), alt.Tooltip("persons:Q", format=",.0f")]),
    width="stretch")
st.markdown("**Allocation at the end of the run** (first day each capacity was reached; empty = never)")
st.dataframe(summary[summary["site_type"] != "conflict_zone"], hide_index=True, width="stretch")

