"""Sites & routes: where arrivals go across border crossings and reception sites."""

import altair as alt
import streamlit as st

from app_pages import charts, labels, services
from app_pages.controls import spec_from_state
from app_pages.text import _, draw, keep, t

s = st.session_state
st.title(_("Sites & routes"))
st.markdown(_(
    "An **illustrative** host-area network: Afghan origins, the border crossings into "
    "Uzbekistan (Termez), Tajikistan (Panji Poyon) and Turkmenistan (Serhetabat), and onward "
    "towns and reception sites up to Kazakhstan and Kyrgyzstan. Route lengths are great-circle "
    "km between stated coordinates; reception capacities are assumptions (docs/network.md). "
    "People move each day by distance, capacity and site type, with the rules of the Flee "
    "simulator that were scored against UNHCR camp counts."))

SOURCES = {"forecast": _("Forecast arrivals into Central Asia (median path)"),
           "illustrative": _("Illustrative flat inflow")}
form = st.form("sites_form", border=False, enter_to_submit=False)  # runs on Apply only
c1, c2, c3 = form.columns(3)
source = c1.radio(_("Entries into the network"), list(SOURCES), key="net_source",
                  format_func=SOURCES.get)
keep("net_source")
scale = c2.slider(_("Planning multiplier on arrivals (x)"), 1, 500, 50, key="net_scale",
                  help=_("Recorded Central Asian arrivals are small; plan for a surge by "
                         "multiplying them."))
days = c3.slider(_("Days simulated"), 30, 365, 180, step=15, key="net_days")
close_tkm = c3.checkbox(_("Turkmen border closed"), value=False, key="net_close_tkm")
form.form_submit_button(_("Apply"), key="apply_sites", type="primary",
                        help=_("Run the network model with these settings."))

arrivals = None
if source == "forecast":
    arrivals = services.central_asia_arrivals(spec_from_state(s), services.data_token(),
                                              services.plan_data(s["series_id"]))
out = services.network_run(arrivals, float(scale), int(days), bool(close_tkm), int(s["seed"]))
occ, summary, sites = out["occupancy"], out["summary"], out["sites"]
tr = t()

words = sites.assign(label=sites["name"].map(labels.site_name),
                     town=sites["name"].str.replace("_reception", "").map(labels.site_name),
                     country_name=sites["country"].map(labels.country),
                     type_name=sites["site_type"].map(labels.site_type))
last = occ[occ["day"] == occ["day"].max()][["site", "persons"]]
draw(charts.network_map(words, out["routes"], last, out.get("flows"), tr=tr))
st.caption(_("Map: country outlines from Natural Earth (public domain). Line width: persons who "
             "set out along the route over the run, both ways (people may turn back). "
             "Diamonds: border crossings."))

camps = occ[occ["site_type"] == "camp"]
camps = camps.assign(site=camps["site"].map(labels.site_name))
date_format = "%Y-%m-%d" if tr.lang == "en" else "%d.%m.%Y"
draw(
    alt.Chart(camps, title=_("Reception sites: persons present")).mark_line().encode(
        x=alt.X("date:T", title=_("date"), axis=charts.time_axis(camps["date"])),
        y=alt.Y("persons:Q", title=_("persons")),
        color=alt.Color("site:N", title=_("site"), legend=alt.Legend(columns=1)),
        tooltip=[alt.Tooltip("site:N", title=_("site")),
                 alt.Tooltip("date:T", title=_("date"), format=date_format),
                 alt.Tooltip("persons:Q", title=_("persons"), format=",.0f")])
    .properties(height=480))  # the legend of eight sites below takes ~180 px of it
st.markdown(_("**Allocation at the end of the run** (first day each capacity was reached; empty "
              "= never)"))
shown = summary[summary["site_type"] != "conflict_zone"]
st.dataframe(labels.table(shown, values={"site": labels.site_name, "site_type": labels.site_type,
                                         "country": labels.country},
                          kinds={"persons_end": "number", "peak": "number", "capacity": "number",
                                 "first_full_day": "number"}),
             hide_index=True, width="stretch")
