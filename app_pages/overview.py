"""Overview: the history of Afghan movement and of its drivers, with sources."""

import streamlit as st

from app_pages import charts, labels, services
from app_pages.freshness import show_data_ends
from app_pages.text import _, bound, draw, keep, t
from forecast.vocabulary import CENTRAL_ASIA

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

series = st.multiselect(
    _("Movement series"), services.series_choices(),
    default=(None if "overview_series" in st.session_state else
             [s for s in ("frontex_afg_total", "unhcr_asylum_DEU") if s in services.series_choices()]),
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
st.caption(_("A year with either figure not reported is left out of the line, not shown as zero."))

st.subheader(_("Drivers (Afghanistan, monthly)"))
drivers = services.active_drivers()
start = st.slider(_("From year"), 1990, 2024, 2009, key="overview_from_year")
d = drivers[drivers["ds"].dt.year >= start]
words = {"fatalities": _("conflict fatalities (deaths/month)"), "spi3": _("SPI-3"),
         "spi12": _("SPI-12"), "wheat_price_index": _("wheat price index (2019=100)"),
         "nino34_anom_c": _("Nino-3.4 anomaly (°C)")}
for panel in charts.driver_panels(d, {k: v for k, v in words.items() if k in d.columns}, tr=t()):
    draw(panel)  # one chart each: they stretch on a phone

st.subheader(_("Sources"))
table = data["table"][["id", "title", "publisher", "licence", "vintage", "start", "end", "rows"]]
st.dataframe(labels.table(table, kinds={"rows": "number"},
                          values={"title": _, "start": labels.period, "end": labels.period}),
             hide_index=True, width="stretch")
