"""Overview: the history of Afghan movement and of its drivers, with sources."""

import streamlit as st

from app_pages import charts, labels, services
from app_pages.freshness import show_data_ends
from app_pages.text import _, bound, draw, keep, persist, t
from forecast.vocabulary import CENTRAL_ASIA

TAB_KEY, TAB_KIND = services.OVERVIEW_TAB, services.OVERVIEW_TAB_KIND

st.title(_("Afghan arrivals into Central Asia: history and drivers"))
st.markdown(_(
    "This planner forecasts monthly arrivals from Afghanistan into Kazakhstan, Kyrgyzstan, "
    "Tajikistan, Turkmenistan and Uzbekistan (Iran and Pakistan for context) under conflict, "
    "drought and food-price scenarios, and sizes shelter, school and clinic capacity for a "
    "host area. Gaps in the lines are months the publisher did not report (never zero)."
))
data = services.bundled()
history = services.active_history()
st.subheader(_("How recent the data are"))
show_data_ends(services.plan_data(st.session_state["series_id"]), st.session_state["series_id"])

# Three tabs, and only the open one is computed and drawn (Streamlit's lazy tabs: a
# switch reruns the page): the first chart no longer waits for five driver panels and
# the sources table to be drawn in the browser (benchmarks/app_latency.py).
TABS = {"movement": _("Movement and refugees"), "drivers": _("Drivers"), "sources": _("Sources")}
s = st.session_state
if s.get(TAB_KEY) not in TABS.values():  # none yet, or a label of the language before
    s[TAB_KEY] = TABS[s.get(TAB_KIND, "movement")]
tabs = dict(zip(TABS, st.tabs(list(TABS.values()), key=TAB_KEY, on_change="rerun"), strict=True))
s[TAB_KIND] = next(k for k, v in TABS.items() if v == s[TAB_KEY])
persist("overview_series", "overview_from_year")  # what was chosen in a tab now closed

with tabs["movement"]:
    if tabs["movement"].open:
        series = st.multiselect(
            _("Movement series"), services.series_choices(),
            default=(None if "overview_series" in s else
                     [x for x in ("frontex_afg_total", "unhcr_asylum_DEU")
                      if x in services.series_choices()]),
            format_func=bound(labels.series_name), key="overview_series",
            help=_("Frontex: detections of Afghans at EU external borders (all routes summed). "
                   "UNHCR: monthly asylum applications by Afghans in the named country (to 2018)."))
        keep("overview_series")
        draw(charts.history_chart(
            history[history["series_id"].isin(series)], _("Monthly movement of Afghans"),
            tr=t(), names=labels.series_name))

        hosts = data["hosts"]
        ca = hosts[hosts["host_iso3"].isin(list(CENTRAL_ASIA))]
        st.subheader(_("Afghan refugees and asylum-seekers in Central Asia (UNHCR, year end)"))
        stock = ca.assign(persons=ca["refugees"] + ca["asylum_seekers"],
                          host=ca["host_iso3"].map(labels.host))
        draw(charts.stock_chart(stock, tr=t()))
        st.caption(_("A year with either figure not reported is left out of the line, not "
                     "shown as zero."))

with tabs["drivers"]:
    if tabs["drivers"].open:
        st.subheader(_("Drivers (Afghanistan, monthly)"))
        drivers = services.active_drivers()
        start = st.slider(_("From year"), 1990, 2024, None if "overview_from_year" in s else 2009,
                          key="overview_from_year")
        d = drivers[drivers["ds"].dt.year >= start]
        words = {"fatalities": _("conflict fatalities (deaths/month)"), "spi3": _("SPI-3"),
                 "spi12": _("SPI-12"), "wheat_price_index": _("wheat price index (2019=100)"),
                 "nino34_anom_c": _("Nino-3.4 anomaly (°C)")}
        for panel in charts.driver_panels(d, {k: v for k, v in words.items() if k in d.columns},
                                          tr=t()):
            draw(panel)  # one chart each: they stretch on a phone

with tabs["sources"]:
    if tabs["sources"].open:
        st.subheader(_("Sources"))
        table = data["table"][["id", "title", "publisher", "licence", "vintage", "start", "end",
                               "rows"]]
        st.dataframe(labels.table(table, kinds={"rows": "number"},
                                  values={"title": _, "start": labels.period,
                                          "end": labels.period}),
                     hide_index=True, width="stretch")
