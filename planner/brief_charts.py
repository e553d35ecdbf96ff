"""The brief's two charts as PNG (Altair, rendered offline by vl-convert).

``planner`` may not import the app (``app_pages``), so these are small charts of their
own, titled and labelled in the brief's language.

vl-convert renders in its own JavaScript engine and releases the GIL, one chart at a time:
the brief builds the specs (:func:`fan_spec`, :func:`heatmap_spec`) and :func:`submit`
renders them (:func:`png`) on a background thread while it lays out its PDF
(:mod:`planner.brief`), and :func:`warm_up` starts the engine (about 0.7 s the first time
in a process; :func:`planner.brief.warm_up_in_background` runs it ahead of a brief).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache

import altair as alt
import pandas as pd

from planner.i18n import Translator, vega_locale

WIDTH, HEIGHT = 620, 190
FONT = "DejaVu Sans"


@cache
def _pool() -> ThreadPoolExecutor:
    """One worker: vl-convert draws one chart at a time anyway."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="brief-charts")


def submit(draw: Callable[..., bytes], *args) -> Future:
    """``draw(*args)`` (e.g. :func:`png` of a spec built by the caller, so the thread
    holds no GIL) on the chart thread; ``.result()`` gives the PNG bytes or raises what
    ``draw`` raised."""
    return _pool().submit(draw, *args)


def warm_up() -> None:
    """Start vl-convert's JavaScript engine and load its fonts by drawing a tiny chart."""
    png(_spec(alt.Chart(pd.DataFrame({"x": [0, 1]})).mark_point().encode(x="x:Q"), "en"))


def _spec(chart: alt.TopLevelMixin, lang: str) -> dict:
    """The Vega-Lite spec, axes in the language's number and time formats
    (:func:`vega_locale`)."""
    return chart.configure(font=FONT, locale=vega_locale(lang)).configure_view(
        stroke=None).to_dict()


def png(spec: dict) -> bytes:
    """PNG bytes of a Vega-Lite spec (vl-convert, twice the spec's pixel size: about 160
    dpi across an A4 page). The only step that may run on the chart thread: it holds no
    GIL."""
    import vl_convert as vlc

    return vlc.vegalite_to_png(spec, scale=2)


def fan_spec(monthly: pd.DataFrame, t: Translator) -> dict:
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
    return _spec((band + line).properties(width=WIDTH, height=HEIGHT, title=title), t.lang)


def heatmap_spec(p: pd.DataFrame, t: Translator) -> dict:
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
    return _spec(chart.properties(width=WIDTH - 120, height=alt.Step(26)), t.lang)


def fan_png(monthly: pd.DataFrame, t: Translator) -> bytes:
    """:func:`fan_spec` as PNG bytes."""
    return png(fan_spec(monthly, t))


def heatmap_png(p: pd.DataFrame, t: Translator) -> bytes:
    """:func:`heatmap_spec` as PNG bytes."""
    return png(heatmap_spec(p, t))
