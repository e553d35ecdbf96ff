"""The data-end table: where each source in use ends, and today's date (Overview and
Scenario & forecast pages). The figures come from :func:`planner.freshness.data_ends`."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from app_pages import labels, services
from app_pages.text import _, t
from planner.freshness import data_ends
from planner.pipeline import PlanData


def source_titles() -> dict[str, str]:
    """Words for the sources of :func:`planner.freshness.data_ends` (drivers sharing a
    publisher share a title, so the table shows them once)."""
    cru = _("Precipitation and SPI (CRU TS)")
    return {"fatalities": _("Conflict fatalities (UCDP GED)"), "spi3": cru, "spi12": cru,
            "precip_anom_mm": cru, "temp_c": _("Temperature (ERA5)"),
            "nino34_anom_c": _("Niño-3.4 sea temperature (NOAA CPC)"),
            "wheat_price_index": _("Wheat prices (WFP)"),
            "hosts_afghan_annual": _("Host arrivals and caseloads (UNHCR, annual)")}


@st.cache_data(show_spinner=False, max_entries=64)
def _ends(series_id: str, token: str, today: dt.date, _data: PlanData) -> pd.DataFrame:
    """:func:`planner.freshness.data_ends`, once per series, data token and day (every run
    of two pages draws it)."""
    return data_ends(_data.history, _data.drivers, _data.hosts, series_id, today)


def data_end_table(data: PlanData, series_id: str, today: dt.date) -> pd.DataFrame:
    """The table shown: source (words), last month with data, months since (one row per title)."""
    ends = _ends(series_id, services.data_token(), today, data)
    titles = source_titles()
    words = [_("Movement: {series}").format(series=labels.series_name(s)) if k == "movement" else titles.get(s, s)
             for s, k in zip(ends["source"], ends["kind"], strict=True)]
    out = pd.DataFrame({_("Source"): words,
                        _("Last month with data"): [t().month(m) for m in ends["last_month"]],
                        _("Months since"): ends["months_since"].astype(int)})
    return out.drop_duplicates(subset=[_("Source")]).reset_index(drop=True)


def show_data_ends(data: PlanData, series_id: str, today: dt.date | None = None) -> None:
    """A caption with today's date and the compact data-end table."""
    today = today or dt.date.today()
    table = data_end_table(data, series_id, today)
    st.caption(_("Today is {today}. Where each source in use ends: forecasts start after "
                 "a source's last month, so their first months may already be past.")
               .format(today=t().date(today)))
    lines = ["| " + " | ".join(table.columns) + " |", "|---|---|---:|"]
    lines += ["| " + " | ".join(str(v) for v in row) + " |"
              for row in table.itertuples(index=False)]
    st.markdown("\n".join(lines))
