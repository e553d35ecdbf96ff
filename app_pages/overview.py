"""Overview: the history of Afghan movement and of its drivers, with sources."""

import streamlit as st

from app_pages import charts, services
from app_pages.text import _
from forecast.vocabulary import CENTRAL_ASIA

st.title("Afghan arrivals into Central Asia: history and drivers")
st.markdown(
    "This planner forecasts monthly arrivals from Afghanistan into Kazakhstan, Kyrgyzstan, "
    "Tajikistan, Turkmenistan and Uzbekistan (Iran and Pakistan for context) under conflict, "
    "drought and food-price scenarios, and sizes shelter, school and clinic capacity for a "
    "host area. Gaps in the lines are months the publisher did not report (never zero)."
)
data = services.bundled()
history = services.active_history()

series = st.multiselect(
    "Movement series", services.series_choices(),
    default=[s for s in ("frontex_afg_total", "unhcr_asylum_DEU") if s in services.series_choices()],
    help="Frontex: detections of Afghans at EU external borders (all routes summed). "
         "UNHCR: monthly asylum applications by Afghans in the named country (to 2018).")
words = charts.labels(_)
st.altair_chart(charts.history_chart(history[history["series_id"].isin(series)],
                                     "Monthly movement of Afghans", words.persons_per_month, words),
                width="stretch")

hosts = data["hosts"]
ca = hosts[hosts["host_iso3"].isin(list(CENTRAL_ASIA))]
st.subheader("Afghan refugees and asylum-seekers in Central Asia (UNHCR, year end)")
stock = ca.assign(persons=ca["refugees"] + ca["asylum_seekers"])
st.altair_chart(
    charts.alt.Chart(stock).mark_line(point=True).encode(
        x=charts.alt.X("year:O", title="year"),
        y=charts.alt.Y("persons:Q", title=_("persons")),
        color=charts.alt.Color("host_iso3:N", title="host"),
        tooltip=["host_iso3", "year", charts.alt.Tooltip("persons:Q", format=",.0f")],
    ).properties(height=240), width="stretch")
st.caption("A year with either figure not reported is left out of the line, not shown as zero.")

st.subheader("Drivers (Afghanistan, monthly)")
drivers = services.active_drivers()
start = st.slider("From year", 1990, 2024, 2009, key="overview_from_year")
d = drivers[drivers["ds"].dt.year >= start]
labels = {"fatalities": "conflict fatalities (deaths/month)", "spi3": "SPI-3", "spi12": "SPI-12",
          "wheat_price_index": "wheat price index (2019=100)", "nino34_anom_c": "Nino-3.4 anomaly (C)"}
for panel in charts.driver_panels(d, {k: v for k, v in labels.items() if k in d.columns}, words):
    st.altair_chart(panel, width="stretch")

st.subheader("Sources")
table = data["table"][["id", "title", "publisher", "licence", "vintage", "start", "end", "rows"]]
st.dataframe(table, hide_index=True, width="stretch")
