"""Sites & routes: where arrivals go across border crossings and reception sites."""

import altair as alt
import streamlit as st

from app_pages import charts, services
from app_pages.controls import spec_from_state
from app_pages.text import _

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
map_words = charts.MapLabels(
    title=_("Where people are at the end of the run"),
    persons_at_site=_("persons at the site"), persons_on_route=_("persons who took the route"),
    site_type=_("site type"), site=_("site"), country=_("country"),
    capacity=_("capacity / residents"), crossing=_("border crossing"), route=_("route"))
site_types = {"camp": _("reception site"), "town": _("town"),
              "conflict_zone": _("origin (conflict area)")}
st.altair_chart(charts.network_map(sites, out["routes"], last, out.get("flows"), map_words,
                                   site_types), width="stretch")
st.caption(_("Map: country outlines from Natural Earth (public domain). Line width: persons who "
             "set out along the route over the run, both ways (people may turn back). "
             "Diamonds: border crossings."))

camps = occ[occ["site_type"] == "camp"]
words = charts.labels(_)
st.altair_chart(
    alt.Chart(camps, title=_("Reception sites: persons present")).mark_line().encode(
        x=alt.X("date:T", title=words.date, axis=charts.time_axis(camps["date"])),
        y=alt.Y("persons:Q", title=words.persons),
        color=alt.Color("site:N", title=_("site"), legend=alt.Legend(columns=2)),
        tooltip=[alt.Tooltip("site:N", title=_("site")),
                 alt.Tooltip("date:T", title=words.date, format=charts.DAY_FORMAT),
                 alt.Tooltip("persons:Q", title=words.persons, format=charts.PERSONS_FORMAT)]),
    width="stretch")
st.markdown("**Allocation at the end of the run** (first day each capacity was reached; empty = never)")
st.dataframe(summary[summary["site_type"] != "conflict_zone"], hide_index=True, width="stretch")

