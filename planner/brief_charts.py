"""The brief's two charts as PNG (Altair, rendered offline by vl-convert).

``planner`` may not import the app (``app_pages``), so these are small charts of their
own, titled and labelled in the brief's language.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from planner.i18n import Translator, vega_locale

WIDTH, HEIGHT = 620, 190
FONT = "DejaVu Sans"


def _png(chart: alt.TopLevelMixin, lang: str) -> bytes:
    """PNG bytes, axes in the language's number and time formats (:func:`vega_locale`)."""
    import vl_convert as vlc

    spec = chart.configure(font=FONT, locale=vega_locale(lang)).configure_view(
        stroke=None).to_dict()
    return vlc.vegalite_to_png(spec, scale=2)


def fan_png(monthly: pd.DataFrame, t: Translator) -> bytes:
    """Median and 80% range of monthly arrivals. ``monthly``: ``ds, p10, median, p90``
    (persons per month)."""
    _ = t.gettext
    y = _("persons per month")
    x = alt.X("ds:T", title=None, axis=alt.Axis(format="%m.%Y" if t.lang == "ru" else "%Y-%m"))
    band = alt.Chart(monthly).mark_area(opacity=0.3, color="#1f5fa8").encode(
        x=x, y=alt.Y("p10:Q", title=y), y2="p90:Q")
    line = alt.Chart(monthly).mark_line(color="#1f5fa8", point=True).encode(
        x=x, y=alt.Y("median:Q", title=y))
    title = _("Median (line) and 80% range (band)")
    return _png((band + line).properties(width=WIDTH, height=HEIGHT, title=title), t.lang)


def heatmap_png(p: pd.DataFrame, t: Translator) -> bytes:
    """P(shortfall) by month and facility type. ``p``: ``facility_type, ds, p_shortfall``
    (0-1)."""
    _ = t.gettext
    names = {"shelter": _("Shelter"), "school": _("School seats"),
             "clinic": _("Clinic consultations")}
    d = p.assign(facility=p["facility_type"].map(names).fillna(p["facility_type"]),
                 month=pd.to_datetime(p["ds"]).dt.strftime("%m.%Y" if t.lang == "ru"
                                                           else "%Y-%m"),
                 pct=(p["p_shortfall"] * 100).round())
    order = list(dict.fromkeys(d.sort_values("ds")["month"]))
    chart = alt.Chart(d).mark_rect().encode(
        x=alt.X("month:O", title=None, sort=order),
        y=alt.Y("facility:N", title=None, sort=list(names.values())),
        color=alt.Color("pct:Q", title=_("P(shortfall), %"),
                        scale=alt.Scale(domain=[0, 100], scheme="orangered")))
    return _png(chart.properties(width=WIDTH - 120, height=alt.Step(26)), t.lang)
