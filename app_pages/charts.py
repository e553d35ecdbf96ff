"""Altair chart builders for the app: plain functions from tidy frames to charts.

No Streamlit here, so every chart can be built and checked in a test. Frames follow
``docs/architecture.md``; every function says which columns it reads.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from planner.i18n import Translator, translator

EN = translator("en")
"""The default translator: every chart speaks the session's language when the page
passes ``tr=t()`` (titles and words are messages of the ``app`` catalogue)."""

# Central intervals drawn in fan charts: (lower quantile, upper quantile, label).
# The widest available pair is used for the outer band (95% if 0.025/0.975 exist).
BANDS: tuple[tuple[float, float, str], ...] = (
    (0.025, 0.975, "95%"),
    (0.05, 0.95, "90%"),
    (0.1, 0.9, "80%"),
    (0.25, 0.75, "50%"),
)
BAND_OPACITY = {"95%": 0.15, "90%": 0.18, "80%": 0.28, "50%": 0.45}


def quantile_bands(frame: pd.DataFrame, by: list[str], value: str = "value") -> pd.DataFrame:
    """Turn a long quantile frame into central bands.

    Reads ``by + ["quantile", value]``; returns ``by + [band, lo, hi]`` for every
    band of ``BANDS`` whose two quantiles are present (same units as ``value``).
    """
    q = frame.pivot_table(index=by, columns="quantile", values=value, aggfunc="first")
    rows = []
    for lo, hi, label in BANDS:
        lo_col = _match(q.columns, lo)
        hi_col = _match(q.columns, hi)
        if lo_col is None or hi_col is None:
            continue
        part = q[[lo_col, hi_col]].rename(columns={lo_col: "lo", hi_col: "hi"}).reset_index()
        part["band"] = label
        rows.append(part)
    if not rows:
        return pd.DataFrame(columns=[*by, "band", "lo", "hi"])
    return pd.concat(rows, ignore_index=True)[[*by, "band", "lo", "hi"]]


def _match(columns, q: float):
    for c in columns:
        if abs(float(c) - q) < 1e-9:
            return c
    return None


MONTH_AXIS = alt.Axis(format="%b %Y", labelOverlap=True)
"""Time axes name the month and the year (``Apr 2025``, ``апр. 2025`` in Russian)."""


def _month_format(tr: Translator) -> str:
    return "%Y-%m" if tr.lang == "en" else "%m.%Y"


def history_chart(history: pd.DataFrame, title: str, y_title: str | None = None,
                  tr: Translator = EN, names=None) -> alt.Chart:
    """Line chart of a history frame (``series_id, ds, y``), one colour per series
    (``names``: series id -> its name in words for the legend).

    Months with ``y`` NA (not reported) are left as gaps, never drawn as zero.
    """
    _ = tr.gettext
    y_title = y_title or _("persons per month")
    if names is not None:
        history = history.assign(series_id=history["series_id"].map(names))
    return (
        alt.Chart(history, title=title)
        .mark_line(point=False)
        .encode(
            x=alt.X("ds:T", title=_("month"), axis=MONTH_AXIS),
            y=alt.Y("y:Q", title=y_title),
            color=alt.Color("series_id:N", title=_("series"), legend=alt.Legend(labelLimit=280)),
            tooltip=[alt.Tooltip("series_id:N", title=_("series")),
                     alt.Tooltip("ds:T", title=_("month"), format=_month_format(tr)),
                     alt.Tooltip("y:Q", title=y_title, format=",.0f")],
        )
        .properties(height=260)
    )


def drivers_chart(drivers: pd.DataFrame, columns: dict[str, str], tr: Translator = EN) -> alt.Chart:
    """Small multiples of driver series.

    Reads ``ds`` and the keys of ``columns`` (driver column -> label with units);
    one panel per driver with its own y scale; NA months are gaps.
    """
    long = drivers.melt(id_vars="ds", value_vars=list(columns), var_name="driver", value_name="v")
    long["driver"] = long["driver"].map(columns)
    return (
        alt.Chart(long)
        .mark_line(strokeWidth=1)
        .encode(
            x=alt.X("ds:T", title=None),
            y=alt.Y("v:Q", title=None),
            tooltip=[alt.Tooltip("driver:N", title=tr.gettext("driver")),
                     alt.Tooltip("ds:T", title=tr.gettext("month"), format=_month_format(tr)),
                     alt.Tooltip("v:Q", title=tr.gettext("value"), format=",.2f")],
        )
        .properties(height=110, width=640)
        .facet(row=alt.Row("driver:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")))
        .resolve_scale(y="independent")
    )


def fan_chart(
    forecast: pd.DataFrame,
    history: pd.DataFrame | None = None,
    title: str = "",
    y_title: str | None = None,
    tr: Translator = EN,
) -> alt.LayerChart:
    """Fan chart: median line and central bands from a forecast quantile frame.

    Reads ``ds, quantile, value`` of ``forecast`` (one series, model and scenario)
    and, if given, ``ds, y`` of ``history`` (drawn in black).
    """
    _ = tr.gettext
    y_title = y_title or _("persons per month")
    mf = _month_format(tr)
    bands = quantile_bands(forecast, by=["ds"])
    median = forecast[(forecast["quantile"] - 0.5).abs() < 1e-9]
    order = [b[2] for b in BANDS]
    layers = []
    if not bands.empty:
        layers.append(
            alt.Chart(bands)
            .mark_area()
            .encode(
                x=alt.X("ds:T", title=_("month"), axis=MONTH_AXIS),
                y=alt.Y("lo:Q", title=y_title),
                y2="hi:Q",
                opacity=alt.Opacity("band:N", sort=order, title=_("interval"),
                                    scale=alt.Scale(domain=list(BAND_OPACITY),
                                                    range=list(BAND_OPACITY.values()))),
                tooltip=[alt.Tooltip("band:N", title=_("interval")),
                         alt.Tooltip("ds:T", title=_("month"), format=mf),
                         alt.Tooltip("lo:Q", title=_("low"), format=",.0f"),
                         alt.Tooltip("hi:Q", title=_("high"), format=",.0f")],
            )
        )
    layers.append(
        alt.Chart(median).mark_line(color="#1f5fa8").encode(
            x="ds:T", y=alt.Y("value:Q", title=y_title),
            tooltip=[alt.Tooltip("ds:T", title=_("month"), format=mf),
                     alt.Tooltip("value:Q", title=_("median"), format=",.0f")],
        )
    )
    if history is not None and not history.empty:
        layers.insert(0, alt.Chart(history).mark_line(color="black", strokeWidth=1).encode(
            x="ds:T", y=alt.Y("y:Q", title=y_title),
            tooltip=[alt.Tooltip("ds:T", title=_("month"), format=mf),
                     alt.Tooltip("y:Q", title=_("observed"), format=",.0f")],
        ))
    return alt.layer(*layers).properties(title=title, height=280)


def capacity_chart(demand: pd.DataFrame, capacity: pd.DataFrame, title: str, y_title: str,
                   tr: Translator = EN) -> alt.LayerChart:
    """Demand with uncertainty bands against capacity, for one facility type.

    ``demand``: ``ds, quantile, value`` (e.g. persons needing a shelter place);
    ``capacity``: ``ds, value`` (places in place at that step), drawn as a red step line.
    """
    return alt.layer(
        fan_chart(demand, None, title, y_title, tr),
        alt.Chart(capacity).mark_line(color="#c0392b", strokeDash=[6, 3], interpolate="step-after").encode(
            x="ds:T", y=alt.Y("value:Q", title=y_title),
            tooltip=[alt.Tooltip("ds:T", title=tr.gettext("date"),
                                 format="%Y-%m-%d" if tr.lang == "en" else "%d.%m.%Y"),
                     alt.Tooltip("value:Q", title=tr.gettext("capacity"), format=",.0f")],
        ),
    ).properties(title=title, height=260)


def shortfall_heatmap(prob: pd.DataFrame, tr: Translator = EN) -> alt.Chart:
    """Probability of shortfall by month and facility type.

    Reads ``month`` (datetime), ``facility`` (str, already in words), ``p_shortfall`` (0..1).
    """
    _ = tr.gettext
    return (
        alt.Chart(prob, title=_("Probability of a shortfall"))
        .mark_rect()
        .encode(
            x=alt.X("yearmonth(month):O", title=_("month"),
                    axis=alt.Axis(format=_month_format(tr), formatType="time")),
            y=alt.Y("facility:N", title=None),
            color=alt.Color("p_shortfall:Q", title=_("risk of a shortfall"),
                            scale=alt.Scale(domain=[0, 1], scheme="orangered"),
                            legend=alt.Legend(format=".0%")),
            tooltip=[alt.Tooltip("facility:N", title=_("facility")),
                     alt.Tooltip("yearmonth(month):T", title=_("month"), format=_month_format(tr)),
                     alt.Tooltip("p_shortfall:Q", title=_("risk of a shortfall"), format=".0%")],
        )
        .properties(height=alt.Step(32))
    )


def compare_chart(medians: pd.DataFrame, title: str, y_title: str | None = None,
                  tr: Translator = EN) -> alt.Chart:
    """Median paths of several scenarios: reads ``ds, scenario, value``."""
    _ = tr.gettext
    y_title = y_title or _("persons per month")
    return (
        alt.Chart(medians, title=title)
        .mark_line()
        .encode(
            x=alt.X("ds:T", title=_("month"), axis=MONTH_AXIS),
            y=alt.Y("value:Q", title=y_title),
            color=alt.Color("scenario:N", title=_("scenario"),
                            legend=alt.Legend(orient="bottom", columns=1, labelLimit=600)),
            tooltip=[alt.Tooltip("scenario:N", title=_("scenario")),
                     alt.Tooltip("ds:T", title=_("month"), format=_month_format(tr)),
                     alt.Tooltip("value:Q", title=_("median"), format=",.0f")],
        )
        .properties(height=280)
    )


def network_map(sites: pd.DataFrame, routes: pd.DataFrame, persons: pd.DataFrame,
                tr: Translator = EN) -> alt.LayerChart:
    """Sites as circles sized by persons, routes as grey lines (Mercator).

    ``sites``: ``name, country, lat, lon, site_type, population``; ``routes``:
    ``name1, name2``; ``persons``: ``site, persons`` (persons at the site). Optional
    ``label``, ``country_name`` and ``type_name`` columns of ``sites`` (words for the
    legend and tooltips) replace the codes when present.
    """
    _ = tr.gettext
    lat = sites.set_index("name")["lat"]
    lon = sites.set_index("name")["lon"]
    r = routes.assign(lat=routes["name1"].map(lat), lon=routes["name1"].map(lon),
                      lat2=routes["name2"].map(lat), lon2=routes["name2"].map(lon))
    pts = sites.merge(persons, left_on="name", right_on="site", how="left")
    label = "label" if "label" in pts.columns else "name"
    ctry = "country_name" if "country_name" in pts.columns else "country"
    kind = "type_name" if "type_name" in pts.columns else "site_type"
    lines = alt.Chart(r).mark_rule(color="#bbbbbb").encode(
        longitude="lon:Q", latitude="lat:Q", longitude2="lon2:Q", latitude2="lat2:Q")
    dots = alt.Chart(pts).mark_circle(opacity=0.8).encode(
        longitude="lon:Q", latitude="lat:Q",
        size=alt.Size("persons:Q", title=_("persons"), scale=alt.Scale(range=[20, 1500])),
        color=alt.Color(f"{kind}:N", title=_("site type")),
        tooltip=[alt.Tooltip(f"{label}:N", title=_("site")),
                 alt.Tooltip(f"{ctry}:N", title=_("country")),
                 alt.Tooltip(f"{kind}:N", title=_("site type")),
                 alt.Tooltip("persons:Q", title=_("persons"), format=",.0f"),
                 alt.Tooltip("population:Q", title=_("capacity / residents"), format=",.0f")])
    return (lines + dots).project("mercator").properties(height=420, title=_("Persons per site"))


def compare_fans(frame: pd.DataFrame, order: list[str], tr: Translator = EN,
                 panel_width: int = 300, y_title: str | None = None) -> alt.VConcatChart:
    """Small multiples of scenarios: one row per host, one panel per scenario, each with
    its 80% band and median, and the first scenario's median dashed in every panel as
    the reference; the panels of a row share one y scale.

    Reads ``host, scenario, ds, p10, p50, p90`` (persons per month; ``host`` and
    ``scenario`` as shown); ``order``: scenario labels in panel order (the first is the
    reference). The legend sits below the panels with uncut labels.
    """
    _ = tr.gettext
    y_title = y_title or _("persons per month")
    mf = _month_format(tr)
    w = {"band": _("80% of paths"), "median": _("median"),
         "reference": _("median: {name}").format(name=order[0])}
    ref = frame[frame["scenario"] == order[0]][["host", "ds", "p50"]].rename(columns={"p50": "ref"})
    data = frame.merge(ref, on=["host", "ds"], how="left")
    legend = alt.Legend(orient="bottom", direction="horizontal", title=None, labelLimit=400,
                        symbolType="square", labelFontSize=12, symbolSize=200)
    colour = alt.Scale(domain=list(w.values()), range=["#9ecae1", "#1f5fa8", "#555555"])
    x = alt.X("ds:T", title=_("month"), axis=alt.Axis(format=mf, labelAngle=0, tickCount=4))
    tips = [alt.Tooltip("scenario:N", title=_("scenario")),
            alt.Tooltip("ds:T", title=_("month"), format=mf),
            alt.Tooltip("p10:Q", title="P10", format=",.0f"),
            alt.Tooltip("p50:Q", title=_("median"), format=",.0f"),
            alt.Tooltip("p90:Q", title="P90", format=",.0f")]
    col = alt.Color("what:N", scale=colour, legend=legend)
    rows = []
    for host in dict.fromkeys(data["host"]):
        base = alt.Chart(data[data["host"] == host])
        band = base.mark_area(opacity=0.7).transform_calculate(what=_literal(w["band"])).encode(
            x=x, y=alt.Y("p10:Q", title=y_title), y2="p90:Q", color=col, tooltip=tips)
        med = base.mark_line(strokeWidth=2).transform_calculate(what=_literal(w["median"])).encode(
            x=x, y="p50:Q", color=col, tooltip=tips)
        refl = base.mark_line(strokeWidth=1.2, strokeDash=[5, 3]).transform_calculate(
            what=_literal(w["reference"])).encode(x=x, y="ref:Q", color=col)
        rows.append(alt.layer(band, refl, med).properties(width=panel_width, height=190).facet(
            column=alt.Column("scenario:N", sort=order, title=None,
                              header=alt.Header(labelFontSize=13, labelFontWeight="bold",
                                                labelLimit=panel_width)),
        ).properties(title=alt.TitleParams(str(host), anchor="start", fontSize=14)))
    return alt.vconcat(*rows)


def _literal(text: str) -> str:
    """A Vega expression string literal of ``text``."""
    import json

    return json.dumps(str(text))
