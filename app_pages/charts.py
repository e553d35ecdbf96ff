"""Altair chart builders for the app: plain functions from tidy frames to charts.

No Streamlit here, so every chart can be built and checked in a test. Frames follow
``docs/architecture.md``; every function says which columns it reads.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

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


def history_chart(history: pd.DataFrame, title: str, y_title: str = "persons per month") -> alt.Chart:
    """Line chart of a history frame (``series_id, ds, y``), one colour per series.

    Months with ``y`` NA (not reported) are left as gaps, never drawn as zero.
    """
    return (
        alt.Chart(history, title=title)
        .mark_line(point=False)
        .encode(
            x=alt.X("ds:T", title="month"),
            y=alt.Y("y:Q", title=y_title),
            color=alt.Color("series_id:N", title="series"),
            tooltip=[alt.Tooltip("series_id:N"), alt.Tooltip("ds:T", format="%Y-%m"),
                     alt.Tooltip("y:Q", format=",.0f")],
        )
        .properties(height=260)
    )


def drivers_chart(drivers: pd.DataFrame, columns: dict[str, str]) -> alt.Chart:
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
            tooltip=[alt.Tooltip("driver:N"), alt.Tooltip("ds:T", format="%Y-%m"),
                     alt.Tooltip("v:Q", format=",.2f")],
        )
        .properties(height=110, width=640)
        .facet(row=alt.Row("driver:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")))
        .resolve_scale(y="independent")
    )


def fan_chart(
    forecast: pd.DataFrame,
    history: pd.DataFrame | None = None,
    title: str = "",
    y_title: str = "persons per month",
) -> alt.LayerChart:
    """Fan chart: median line and central bands from a forecast quantile frame.

    Reads ``ds, quantile, value`` of ``forecast`` (one series, model and scenario)
    and, if given, ``ds, y`` of ``history`` (drawn in black).
    """
    bands = quantile_bands(forecast, by=["ds"])
    median = forecast[(forecast["quantile"] - 0.5).abs() < 1e-9]
    order = [b[2] for b in BANDS]
    layers = []
    if not bands.empty:
        layers.append(
            alt.Chart(bands)
            .mark_area()
            .encode(
                x=alt.X("ds:T", title="month"),
                y=alt.Y("lo:Q", title=y_title),
                y2="hi:Q",
                opacity=alt.Opacity("band:N", sort=order, title="interval",
                                    scale=alt.Scale(domain=list(BAND_OPACITY),
                                                    range=list(BAND_OPACITY.values()))),
                tooltip=[alt.Tooltip("band:N"), alt.Tooltip("ds:T", format="%Y-%m"),
                         alt.Tooltip("lo:Q", format=",.0f"), alt.Tooltip("hi:Q", format=",.0f")],
            )
        )
    layers.append(
        alt.Chart(median).mark_line(color="#1f5fa8").encode(
            x="ds:T", y=alt.Y("value:Q", title=y_title),
            tooltip=[alt.Tooltip("ds:T", format="%Y-%m"), alt.Tooltip("value:Q", title="median", format=",.0f")],
        )
    )
    if history is not None and not history.empty:
        layers.insert(0, alt.Chart(history).mark_line(color="black", strokeWidth=1).encode(
            x="ds:T", y=alt.Y("y:Q", title=y_title),
            tooltip=[alt.Tooltip("ds:T", format="%Y-%m"), alt.Tooltip("y:Q", title="observed", format=",.0f")],
        ))
    return alt.layer(*layers).properties(title=title, height=280)


def capacity_chart(demand: pd.DataFrame, capacity: pd.DataFrame, title: str, y_title: str) -> alt.LayerChart:
    """Demand with uncertainty bands against capacity, for one facility type.

    ``demand``: ``ds, quantile, value`` (e.g. persons needing a shelter place);
    ``capacity``: ``ds, value`` (places in place at that step), drawn as a red step line.
    """
    return alt.layer(
        fan_chart(demand, None, title, y_title),
        alt.Chart(capacity).mark_line(color="#c0392b", strokeDash=[6, 3], interpolate="step-after").encode(
            x="ds:T", y=alt.Y("value:Q", title=y_title),
            tooltip=[alt.Tooltip("ds:T", format="%Y-%m-%d"), alt.Tooltip("value:Q", title="capacity", format=",.0f")],
        ),
    ).properties(title=title, height=260)


def shortfall_heatmap(prob: pd.DataFrame) -> alt.Chart:
    """Probability of shortfall by month and facility type.

    Reads ``month`` (datetime), ``facility`` (str), ``p_shortfall`` (0..1).
    """
    return (
        alt.Chart(prob, title="Probability of a shortfall")
        .mark_rect()
        .encode(
            x=alt.X("yearmonth(month):O", title="month"),
            y=alt.Y("facility:N", title=None),
            color=alt.Color("p_shortfall:Q", title="P(shortfall)",
                            scale=alt.Scale(domain=[0, 1], scheme="orangered")),
            tooltip=[alt.Tooltip("facility:N"), alt.Tooltip("yearmonth(month):T", title="month"),
                     alt.Tooltip("p_shortfall:Q", format=".0%")],
        )
        .properties(height=alt.Step(32))
    )


def compare_chart(medians: pd.DataFrame, title: str, y_title: str = "persons per month") -> alt.Chart:
    """Median paths of several scenarios: reads ``ds, scenario, value``."""
    return (
        alt.Chart(medians, title=title)
        .mark_line()
        .encode(
            x=alt.X("ds:T", title="month"),
            y=alt.Y("value:Q", title=y_title),
            color=alt.Color("scenario:N", title="scenario"),
            tooltip=[alt.Tooltip("scenario:N"), alt.Tooltip("ds:T", format="%Y-%m"),
                     alt.Tooltip("value:Q", format=",.0f")],
        )
        .properties(height=280)
    )


def network_map(sites: pd.DataFrame, routes: pd.DataFrame, persons: pd.DataFrame) -> alt.LayerChart:
    """Sites as circles sized by persons, routes as grey lines (Mercator).

    ``sites``: ``name, country, lat, lon, site_type, population``; ``routes``:
    ``name1, name2``; ``persons``: ``site, persons`` (persons at the site).
    """
    lat = sites.set_index("name")["lat"]
    lon = sites.set_index("name")["lon"]
    r = routes.assign(lat=routes["name1"].map(lat), lon=routes["name1"].map(lon),
                      lat2=routes["name2"].map(lat), lon2=routes["name2"].map(lon))
    pts = sites.merge(persons, left_on="name", right_on="site", how="left")
    lines = alt.Chart(r).mark_rule(color="#bbbbbb").encode(
        longitude="lon:Q", latitude="lat:Q", longitude2="lon2:Q", latitude2="lat2:Q")
    dots = alt.Chart(pts).mark_circle(opacity=0.8).encode(
        longitude="lon:Q", latitude="lat:Q",
        size=alt.Size("persons:Q", title="persons", scale=alt.Scale(range=[20, 1500])),
        color=alt.Color("site_type:N", title="site type"),
        tooltip=["name:N", "country:N", "site_type:N", alt.Tooltip("persons:Q", format=",.0f"),
                 alt.Tooltip("population:Q", title="capacity / residents", format=",.0f")])
    return (lines + dots).project("mercator").properties(height=420, title="Persons per site")


def compare_fans(frame: pd.DataFrame, order: list[str], titles: dict[str, str] | None = None,
                 y_title: str = "persons per month", panel_width: int = 300) -> alt.VConcatChart:
    """Small multiples of scenarios: one row per host, one panel per scenario, each with
    its 80% band and median, and the first scenario's median dashed in every panel as
    the reference; the panels of a row share one y scale.

    Reads ``host, scenario, ds, p10, p50, p90`` (persons per month); ``order``: scenario
    labels in panel order (the first is the reference); ``titles``: fixed words of the
    chart (``band``, ``median``, ``reference``, ``month``, ``host``), for translation.
    """
    w = {"band": "80% of paths", "median": "median", "reference": f"median: {order[0]}",
         "month": "month", "host": "host", "scenario": "scenario", **(titles or {})}
    ref = frame[frame["scenario"] == order[0]][["host", "ds", "p50"]].rename(columns={"p50": "ref"})
    data = frame.merge(ref, on=["host", "ds"], how="left")
    legend = alt.Legend(orient="bottom", direction="horizontal", title=None, labelLimit=400,
                        symbolType="square")
    colour = alt.Scale(domain=[w["band"], w["median"], w["reference"]],
                       range=["#9ecae1", "#1f5fa8", "#555555"])
    x = alt.X("ds:T", title=w["month"], axis=alt.Axis(format="%Y-%m", labelAngle=0, tickCount=4))
    tips = [alt.Tooltip("scenario:N", title=w["scenario"]),
            alt.Tooltip("ds:T", title=w["month"], format="%Y-%m"),
            alt.Tooltip("p10:Q", title="P10", format=",.0f"),
            alt.Tooltip("p50:Q", title=w["median"], format=",.0f"),
            alt.Tooltip("p90:Q", title="P90", format=",.0f")]
    rows = []
    for host in dict.fromkeys(data["host"]):
        part = data[data["host"] == host]
        base = alt.Chart(part)
        col = alt.Color("what:N", scale=colour, legend=legend)
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
    return alt.vconcat(*rows).configure_legend(labelFontSize=12, symbolSize=200)


def _literal(text: str) -> str:
    """A Vega expression string literal of ``text``."""
    import json

    return json.dumps(str(text))
