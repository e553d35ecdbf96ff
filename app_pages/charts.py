"""Altair chart builders for the app: plain functions from tidy frames to charts.

No Streamlit here, so every chart can be built and checked in a test. Frames follow
``docs/architecture.md``; every function says which columns it reads. Every title a
planner reads is a message of the ``app`` catalogue, translated by the ``tr`` argument.

Readability rules kept here, once:

- time axes show the year (:func:`time_axis`): yearly ticks as ``2024``, or months as
  ``Jan 2025``/``Apr``/``Jul`` with the year at each January and at the first tick;
- axis and legend text is dark grey on white (contrast >= 4.5:1, WCAG 2.1 AA 1.4.3), set
  by the theme :func:`theme` that :func:`use_theme` registers once;
- titles and legend labels are never cut (``titleLimit``/``labelLimit`` of 0 = no limit);
- the median, the observed series and the capacity line each have a legend entry, and
  the 50/80/90/95% bands have distinct solid swatches (nested bands are drawn widest
  first in opaque colours, so what a planner sees is exactly the legend's swatch);
- tooltips show persons with thousands separators and dates as months.
"""

from __future__ import annotations

import copy
import json
import math
from dataclasses import dataclass, field, fields
from functools import lru_cache
from importlib import resources

import altair as alt
import numpy as np
import pandas as pd

from app_pages import map_labels as placing
from planner.i18n import Translator, country_name, translator

EN = translator("en")
"""The default translator: every chart speaks the session's language when the page
passes ``tr=t()`` (titles and words are messages of the ``app`` catalogue)."""

# Central intervals drawn in fan charts: (lower quantile, upper quantile, label).
BANDS: tuple[tuple[float, float, str], ...] = (
    (0.025, 0.975, "95%"),
    (0.05, 0.95, "90%"),
    (0.1, 0.9, "80%"),
    (0.25, 0.75, "50%"),
)
# One opaque fill per band, light (widest) to dark (narrowest): a sequential blue ramp
# whose steps stay distinguishable side by side (ColorBrewer "Blues" 3, 4, 5 and 6 of 9).
BAND_COLOURS: dict[str, str] = {"95%": "#deebf7", "90%": "#c6dbef", "80%": "#9ecae1",
                                "50%": "#6baed6"}
MEDIAN_COLOUR = "#08519c"
OBSERVED_COLOUR = "#111111"
CAPACITY_COLOUR = "#b03a2e"

# Text colours of the theme, with their WCAG contrast on white (#ffffff):
INK = "#262730"        # titles: 14.8:1
INK_LABEL = "#333333"  # axis and legend labels: 12.6:1
INK_SOFT = "#444444"   # grid-adjacent text (axis titles): 9.7:1
THEME = "planner"

MONTH_FORMAT = "%b %Y"       # tooltips of monthly series: "Apr 2025"
DAY_FORMAT = "%d %b %Y"      # tooltips of daily or weekly steps: "14 Feb 2025"
PERSONS_FORMAT = ",.0f"      # 12,345


def theme() -> dict:
    """The app's Altair theme: dark axis/legend text, uncut titles and labels, SVG output.

    SVG (not canvas) so the text a planner reads is text in the page (screen readers,
    the browser test's contrast check).
    """
    text = {"labelColor": INK_LABEL, "titleColor": INK_SOFT}
    return {
        "config": {
            "axis": {**text, "titleLimit": 0, "labelLimit": 0, "labelFontSize": 12,
                     "titleFontSize": 12, "titleFontWeight": "normal", "tickColor": "#888888",
                     "domainColor": "#888888"},
            "legend": {**text, "titleLimit": 0, "labelLimit": 0, "labelFontSize": 12,
                       "titleFontSize": 12, "orient": "bottom", "direction": "horizontal",
                       "columns": 4, "symbolLimit": 0,
                       # legends below the chart, one under the other (never off a phone)
                       "layout": {"bottom": {"anchor": "start", "direction": "vertical",
                                             "margin": 6}}},
            "header": {**text, "labelLimit": 0, "titleLimit": 0},
            # chart titles keep Streamlit's size and place; only their colour is set
            "title": {"color": INK, "subtitleColor": INK_SOFT},
            "text": {"color": INK_LABEL},
        },
        "usermeta": {"embedOptions": {"renderer": "svg"}},
    }


def use_theme() -> None:
    """Register and enable :func:`theme` under the name :data:`THEME` (idempotent)."""
    if THEME not in alt.theme.names():
        alt.theme.register(THEME, enable=False)(theme)
    if alt.theme.active != THEME:
        alt.theme.enable(THEME)


@dataclass(frozen=True)
class Labels:
    """Words on the charts (English defaults; pages pass translated ones, see :func:`labels`)."""

    month: str = "month"
    date: str = "date"
    persons_per_month: str = "persons per month"
    persons: str = "persons"
    interval: str = "interval"
    median: str = "median"
    observed: str = "observed"
    capacity: str = "capacity"
    line: str = "line"
    series: str = "series"
    scenario: str = "scenario"
    low: str = "low"
    high: str = "high"


def labels(_=lambda s: s) -> Labels:
    """:class:`Labels` translated by the gettext function ``_`` (identity by default)."""
    words = {
        "month": _("month"), "date": _("date"), "persons_per_month": _("persons per month"),
        "persons": _("persons"), "interval": _("interval"), "median": _("median"),
        "observed": _("observed"), "capacity": _("capacity"), "line": _("line"),
        "series": _("series"), "scenario": _("scenario"), "low": _("low"), "high": _("high"),
    }
    assert set(words) == {f.name for f in fields(Labels)}
    return Labels(**words)


def time_axis(dates: pd.Series | list, **kwargs) -> alt.Axis:
    """An x axis for monthly (or finer) dates whose labels always carry the year.

    Span over 4 years: yearly ticks labelled ``2024`` (every other year over 10 years).
    Otherwise ticks every 1, 3 or 6 months labelled ``Apr``, with ``Jan 2025`` at each
    January and the month and year at the first tick.
    """
    d = pd.to_datetime(pd.Series(dates)).dropna()
    months = 0 if d.empty else (d.max().year - d.min().year) * 12 + d.max().month - d.min().month
    if months > 48:
        step = 1 if months <= 120 else 2
        return alt.Axis(format="%Y", tickCount={"interval": "year", "step": step},
                        labelAngle=0, labelOverlap=True, **kwargs)
    step = 1 if months <= 8 else 3 if months <= 18 else 6
    expr = (f"(datum.index == 0 || month(datum.value) == 0) ? timeFormat(datum.value, '{MONTH_FORMAT}')"
            " : timeFormat(datum.value, '%b')")
    return alt.Axis(format=MONTH_FORMAT, labelExpr=expr, labelAngle=0, labelOverlap=True,
                    tickCount={"interval": "month", "step": step}, **kwargs)


def quantile_bands(frame: pd.DataFrame, by: list[str], value: str = "value") -> pd.DataFrame:
    """Turn a long quantile frame into central bands.

    Reads ``by + ["quantile", value]``; returns ``by + [band, lo, hi]`` for every
    band of ``BANDS`` whose two quantiles are present (same units as ``value``), band
    by band (widest first), each sorted by ``by``. A quantile missing for one key
    leaves NaN there.
    """
    q = frame["quantile"].to_numpy(dtype=float)
    if len(by) == 1:  # the charts' case: numpy only (a groupby costs ~5 ms a chart)
        codes, uniq = pd.factorize(frame[by[0]], sort=True)
        keys = {by[0]: pd.Series(uniq).astype(frame[by[0]].dtype).to_numpy()}
        n_keys = len(uniq)
    else:
        groups = frame.groupby(by, sort=True)
        codes, kf = groups.ngroup().to_numpy(), groups.size().index.to_frame(index=False)
        keys = {c: kf[c].astype(frame[c].dtype).to_numpy() for c in by}
        n_keys = len(kf)
    present = np.unique(np.round(q, 9))
    grid = np.full((n_keys, len(present)), np.nan)
    grid[codes, np.searchsorted(present, np.round(q, 9))] = frame[value].to_numpy(dtype=float)
    parts, names = [], []
    for lo, hi, label in BANDS:
        i, j = (np.flatnonzero(np.abs(present - x) < 1e-9) for x in (lo, hi))
        if len(i) and len(j):
            parts.append((grid[:, i[0]], grid[:, j[0]]))
            names.append(label)
    out = {c: np.tile(v, len(parts)) for c, v in keys.items()}
    out["band"] = np.repeat(np.array(names, dtype=object), n_keys)
    out["lo"] = np.concatenate([p[0] for p in parts]) if parts else np.array([])
    out["hi"] = np.concatenate([p[1] for p in parts]) if parts else np.array([])
    res = pd.DataFrame(out)
    return res.astype({c: frame[c].dtype for c in by}) if len(res) else res.astype(
        {c: frame[c].dtype for c in by} | {"band": object})


def _axis_json(*dates: pd.Series) -> str:
    """:func:`time_axis` of the span of ``dates`` as JSON text (a cache key)."""
    lo = [x.min() for x in dates if len(x)]
    hi = [x.max() for x in dates if len(x)]
    span = [d for d in lo + hi if not pd.isna(d)]
    return json.dumps(_axis_for_span((min(span), max(span)) if span else None), sort_keys=True)


@lru_cache(maxsize=256)
def _history_template(title: str, y_title: str, words: Labels, axis: str, theme: str) -> dict:
    """The spec of :func:`history_chart` (data by name: ``history``)."""
    chart = (
        alt.Chart(alt.NamedData(name="history"), title=title)
        .mark_line(point=False)
        .encode(
            x=alt.X("ds:T", title=words.month, axis=alt.Axis.from_dict(json.loads(axis))),
            y=alt.Y("y:Q", title=y_title),
            color=alt.Color("series_id:N", title=words.series, legend=alt.Legend(columns=1)),
            tooltip=[alt.Tooltip("series_id:N", title=words.series),
                     alt.Tooltip("ds:T", title=words.month, format=MONTH_FORMAT),
                     alt.Tooltip("y:Q", title=y_title, format=PERSONS_FORMAT)],
        )
        .properties(height=320)
    )
    return chart.to_dict(validate=False)


def history_chart(history: pd.DataFrame, title: str, y_title: str | None = None,
                  tr: Translator = EN, names=None) -> Spec:
    """Line chart of a history frame (``series_id, ds, y``), one colour per series
    (``names``: series id -> its name in words for the legend). Returns a :class:`Spec`.

    Months with ``y`` NA (not reported) are left as gaps, never drawn as zero.
    """
    words = labels(tr.gettext)
    y_title = y_title or words.persons_per_month
    data = history[["series_id", "ds", "y"]]
    if names is not None:
        data = data.assign(series_id=data["series_id"].map(names))
    template = _history_template(title, y_title, words, _axis_json(data["ds"]), alt.theme.active)
    return Spec(template, {"history": data.reset_index(drop=True)})


@lru_cache(maxsize=64)
def _stock_template(words: tuple[str, str, str], theme: str) -> dict:
    """The spec of :func:`stock_chart` (data by name: ``stock``)."""
    year, persons, host = words
    chart = alt.Chart(alt.NamedData(name="stock")).mark_line(point=True).encode(
        x=alt.X("year:O", title=year),
        y=alt.Y("persons:Q", title=persons),
        color=alt.Color("host:N", title=host),
        tooltip=[alt.Tooltip("host:N", title=host), alt.Tooltip("year:O", title=year),
                 alt.Tooltip("persons:Q", title=persons, format=PERSONS_FORMAT)],
    ).properties(height=400)  # Streamlit fits the axes and legend into it: ~250 px of plot
    return chart.to_dict(validate=False)


def stock_chart(stock: pd.DataFrame, tr: Translator = EN) -> Spec:
    """Persons at year end per host, one line each: reads ``host`` (as shown), ``year``,
    ``persons``; a year with the figure not reported (NA) is left out of the line."""
    _ = tr.gettext
    data = stock[["host", "year", "persons"]].dropna(subset=["persons"]).reset_index(drop=True)
    return Spec(_stock_template((_("year"), _("persons"), _("host country")), alt.theme.active),
                {"stock": data})


@lru_cache(maxsize=256)
def _driver_template(label: str, words: Labels, axis: str, theme: str) -> dict:
    """The spec of one panel of :func:`driver_panels` (data by name: ``driver``)."""
    chart = (
        alt.Chart(alt.NamedData(name="driver"), title=label)
        .mark_line(strokeWidth=1, color=MEDIAN_COLOUR)
        .encode(
            x=alt.X("ds:T", title=None, axis=alt.Axis.from_dict(json.loads(axis))),
            y=alt.Y("v:Q", title=None, axis=alt.Axis(tickCount=3)),
            tooltip=[alt.Tooltip("ds:T", title=words.month, format=MONTH_FORMAT),
                     alt.Tooltip("v:Q", title=label, format=",.2f")],
        )
        .properties(height=90)
    )
    return chart.to_dict(validate=False)


def driver_panels(drivers: pd.DataFrame, columns: dict[str, str],
                  tr: Translator = EN) -> list[Spec]:
    """One small line chart per driver (each its own y scale), to stack on a page.

    Reads ``ds`` and the keys of ``columns`` (driver column -> label with units, used
    as the panel title); NA months are gaps. Separate charts rather than a facet, so
    each takes the width of its container (a facet has a fixed width and overflows
    a phone). Returns a :class:`Spec` per panel.
    """
    words = labels(tr.gettext)
    axis = _axis_json(drivers["ds"])
    return [Spec(_driver_template(label, words, axis, alt.theme.active),
                 {"driver": drivers[["ds", col]].rename(columns={col: "v"}).reset_index(drop=True)})
            for col, label in columns.items()]


def _line_scale(names: list[str]) -> tuple[alt.Scale, alt.Scale]:
    """Colour and dash scales of the reference lines (median, observed, capacity)."""
    colour = {"median": MEDIAN_COLOUR, "observed": OBSERVED_COLOUR, "capacity": CAPACITY_COLOUR}
    dash = {"median": [1, 0], "observed": [1, 0], "capacity": [6, 3]}
    return (alt.Scale(domain=[n for _, n in names], range=[colour[k] for k, _ in names]),
            alt.Scale(domain=[n for _, n in names], range=[dash[k] for k, _ in names]))


@dataclass(frozen=True)
class _FanShape:
    """Everything that shapes a fan chart's spec except its data (the key of its cached
    template): words, titles, the time axis, the bands and lines present."""

    title: str
    y_title: str
    words: Labels
    date_format: str
    axis: str  # the time axis as JSON (it depends on the span of the dates)
    bands: tuple[str, ...]
    lines: tuple[tuple[str, str], ...]  # (key, name in the legend)
    capacity: bool
    height: int
    theme: str


@dataclass(frozen=True, eq=False)
class Spec:
    """A chart as a Vega-Lite spec: the spec Altair built once for the chart's shape
    (:func:`_fan_template`, cached per process), with its data attached by name.

    Building a layered chart through Altair's objects and turning it into a dict took
    0.1-0.3 s per fan chart (5-8 per page, every scenario change); attaching new data
    to the cached spec takes about a millisecond. It quacks like the Altair chart it
    replaces for the app: :meth:`to_dict`, :meth:`configure` (the locale, by
    :func:`app_pages.text.localized`) and :meth:`save` (PNG export);
    :meth:`vega_lite` is what :func:`app_pages.text.draw` sends to Streamlit.
    ``datasets``: name -> frame, each referenced by a layer's ``data.name``.
    """

    template: dict
    datasets: dict
    config: dict = field(default_factory=dict)

    def configure(self, **config) -> Spec:
        return Spec(self.template, self.datasets, {**self.config, **config})

    def vega_lite(self) -> dict:
        """The spec with frames as datasets (Streamlit sends them as Arrow). The names stay
        the same from run to run, so when only the data change (a scenario lever moved),
        the browser swaps the data of the chart it has (Streamlit compares each named
        dataset's hash) instead of building the chart again."""
        spec = copy.deepcopy(self.template)
        spec["datasets"] = dict(self.datasets)
        if self.config:
            spec["config"] = {**spec.get("config", {}), **self.config}
        return spec

    def to_dict(self, validate: bool = True, context: dict | None = None) -> dict:
        """The spec as JSON-ready values (datasets as records, dates as ISO text), as
        Altair's ``to_dict`` gives; ``validate``: check it against the Vega-Lite schema
        (the theme's Vega-only legend layout aside, as Altair validates before the theme)."""
        spec = self.vega_lite()
        spec["datasets"] = {n: json.loads(df.to_json(orient="records", date_format="iso"))
                            for n, df in spec["datasets"].items()}
        if validate:
            from altair.utils.schemapi import validate_jsonschema
            from altair.vegalite.v6.schema import core

            bare = copy.deepcopy(spec)
            bare.get("config", {}).get("legend", {}).pop("layout", None)
            schema = core.load_schema()
            validate_jsonschema(bare, schema, rootschema=schema)
        return spec

    def save(self, fp, format: str | None = None, **kwargs) -> None:  # noqa: A002 - Altair's name
        """Save as Altair's ``Chart.save`` does (``format="png"`` through vl-convert,
        offline), from this spec."""
        from altair.utils.save import save
        from altair.vegalite.v6 import VEGA_VERSION, VEGAEMBED_VERSION, VEGALITE_VERSION

        unvalidated = _Unvalidated(self)
        save(unvalidated, fp, format=format, vegalite_version=VEGALITE_VERSION,
             vega_version=VEGA_VERSION, vegaembed_version=VEGAEMBED_VERSION, **kwargs)


@dataclass(frozen=True)
class _Unvalidated:
    """A :class:`Spec` whose ``to_dict`` does not validate (for Altair's ``save``)."""

    spec: Spec

    def to_dict(self, context: dict | None = None) -> dict:
        return self.spec.to_dict(validate=False)


@lru_cache(maxsize=512)
def _fan_template(shape: _FanShape) -> dict:
    """The Vega-Lite spec of a fan chart of this shape, built by Altair (not validated
    here: :meth:`Spec.to_dict` validates, and the tests do), data by name: ``bands``
    (``ds, band, value, hi``; one area layer per band, filtered) and ``lines``
    (``ds, value, line``; one line layer per line, filtered)."""
    words, date_format, y_title = shape.words, shape.date_format, shape.y_title
    x = alt.X("ds:T", title=words.month if date_format == MONTH_FORMAT else words.date,
              axis=alt.Axis.from_dict(json.loads(shape.axis)))
    y = alt.Y("value:Q", title=y_title)
    layers = []
    present = list(shape.bands)
    fill = alt.Fill("band:N", title=words.interval,
                    scale=alt.Scale(domain=present, range=[BAND_COLOURS[b] for b in present]),
                    legend=alt.Legend(symbolType="square", symbolSize=180, symbolStrokeWidth=0,
                                      symbolOpacity=1, zindex=1))
    for band in present:  # widest first: each narrower band is drawn over it
        layers.append(
            alt.Chart(alt.NamedData(name="bands")).mark_area(
                opacity=1, interpolate="linear").transform_filter(
                alt.datum.band == band).encode(
                x=x, y=y, y2="hi:Q", fill=fill,
                tooltip=[alt.Tooltip("ds:T", title=words.month, format=date_format),
                         alt.Tooltip("band:N", title=words.interval),
                         alt.Tooltip("value:Q", title=words.low, format=PERSONS_FORMAT),
                         alt.Tooltip("hi:Q", title=words.high, format=PERSONS_FORMAT)]))
    colour, dash = _line_scale(list(shape.lines))
    step = "step-after" if shape.capacity else "linear"
    for key, name in shape.lines:
        layers.append(
            alt.Chart(alt.NamedData(name="lines")).transform_filter(
                alt.datum.line == name).mark_line(
                strokeWidth=2 if key == "median" else 1.5,
                interpolate=step if key == "capacity" else "linear").encode(
                x=x, y=y,
                stroke=alt.Stroke("line:N", title=None, scale=colour,
                                  legend=alt.Legend(symbolType="stroke", symbolStrokeWidth=2.5,
                                                    zindex=2)),
                strokeDash=alt.StrokeDash("line:N", title=None, scale=dash, legend=None),
                tooltip=[alt.Tooltip("ds:T", title=words.month, format=date_format),
                         alt.Tooltip("line:N", title=words.line),
                         alt.Tooltip("value:Q", title=y_title, format=PERSONS_FORMAT)]))
    chart = alt.layer(*layers).properties(title=shape.title, height=shape.height)
    return chart.to_dict(validate=False)


def _fan(forecast: pd.DataFrame, history: pd.DataFrame | None, capacity: pd.DataFrame | None,
         title: str, y_title: str, words: Labels, date_format: str, height: int) -> Spec:
    bands = quantile_bands(forecast, by=["ds"]).rename(columns={"lo": "value"})
    # the lines dataset built with numpy in one frame (a scenario change redraws six fans)
    mid = np.abs(forecast["quantile"].to_numpy(dtype=float) - 0.5) < 1e-9
    dates = [forecast["ds"]]
    lines: list[tuple[str, str]] = []
    parts: list[tuple[np.ndarray, np.ndarray, str]] = []
    if history is not None and not history.empty:
        lines.append(("observed", words.observed))
        parts.append((history["ds"].to_numpy(), history["y"].to_numpy(dtype=float),
                      words.observed))
        dates.append(history["ds"])
    lines.append(("median", words.median))
    parts.append((forecast["ds"].to_numpy()[mid], forecast["value"].to_numpy(dtype=float)[mid],
                  words.median))
    if capacity is not None and not capacity.empty:
        lines.append(("capacity", words.capacity))
        parts.append((capacity["ds"].to_numpy(), capacity["value"].to_numpy(dtype=float),
                      words.capacity))
    shown = set(bands["band"].unique())
    present = tuple(b[2] for b in BANDS if b[2] in shown)
    axis = _axis_json(*dates)
    shape = _FanShape(title, y_title, words, date_format, axis, present, tuple(lines),
                      capacity is not None, height, alt.theme.active)
    line_frame = pd.DataFrame({
        "ds": np.concatenate([p[0] for p in parts]),
        "value": np.concatenate([p[1] for p in parts]),
        "line": np.repeat(np.array([p[2] for p in parts], dtype=object),
                          [len(p[0]) for p in parts])})
    return Spec(_fan_template(shape), {"bands": bands[["ds", "band", "value", "hi"]],
                                       "lines": line_frame})


@lru_cache(maxsize=256)
def _axis_for_span(span: tuple | None) -> dict:
    """:func:`time_axis` of dates from ``span[0]`` to ``span[1]`` (it reads only the
    first and last date), as a dict; cached."""
    return time_axis([] if span is None else list(span)).to_dict(validate=False)


def fan_chart(
    forecast: pd.DataFrame,
    history: pd.DataFrame | None = None,
    title: str = "",
    y_title: str | None = None,
    tr: Translator = EN,
) -> Spec:
    """Fan chart: median line and central bands from a forecast quantile frame.

    Reads ``ds, quantile, value`` of ``forecast`` (one series, model and scenario)
    and, if given, ``ds, y`` of ``history`` (drawn in black). The legend names the
    median and observed lines and shows one swatch per band. Returns a :class:`Spec`.
    """
    words = labels(tr.gettext)
    y_title = y_title or words.persons_per_month
    # legends below take ~90 px of the height
    return _fan(forecast, history, None, title, y_title, words, MONTH_FORMAT, 360)


def capacity_chart(demand: pd.DataFrame, capacity: pd.DataFrame, title: str, y_title: str,
                   tr: Translator = EN) -> Spec:
    """Demand with uncertainty bands against capacity, for one facility type.

    ``demand``: ``ds, quantile, value`` (e.g. persons needing a shelter place);
    ``capacity``: ``ds, value`` (places in place at that step), drawn as a red dashed
    step line with its own legend entry. Returns a :class:`Spec`.
    """
    words = labels(tr.gettext)
    return _fan(demand, None, capacity, title, y_title, words, DAY_FORMAT, 340)


def shortfall_heatmap(prob: pd.DataFrame, tr: Translator = EN) -> alt.Chart:
    """Probability of shortfall by month and facility type.

    Reads ``month`` (datetime), ``facility`` (str, already in words), ``p_shortfall`` (0..1).
    """
    _ = tr.gettext
    words = labels(_)
    title, legend_title = _("Probability of a shortfall"), _("risk of a shortfall")
    return (
        alt.Chart(prob, title=title)
        .mark_rect()
        .encode(
            x=alt.X("yearmonth(month):O", title=words.month,
                    axis=alt.Axis(format=MONTH_FORMAT, formatType="time", labelAngle=-90,
                                  labelOverlap=True)),
            y=alt.Y("facility:N", title=None),
            color=alt.Color("p_shortfall:Q", title=legend_title,
                            scale=alt.Scale(domain=[0, 1], scheme="orangered"),
                            legend=alt.Legend(format=".0%", gradientLength=160)),
            tooltip=[alt.Tooltip("facility:N", title=_("facility")),
                     alt.Tooltip("yearmonth(month):T", title=words.month, format=MONTH_FORMAT),
                     alt.Tooltip("p_shortfall:Q", title=legend_title, format=".0%")],
        )
        .properties(height=alt.Step(32))
    )


def compare_chart(medians: pd.DataFrame, title: str, y_title: str | None = None,
                  tr: Translator = EN) -> alt.Chart:
    """Median paths of several scenarios: reads ``ds, scenario, value``."""
    words = labels(tr.gettext)
    y_title = y_title or words.persons_per_month
    return (
        alt.Chart(medians, title=title)
        .mark_line()
        .encode(
            x=alt.X("ds:T", title=words.month, axis=time_axis(medians["ds"])),
            y=alt.Y("value:Q", title=y_title),
            color=alt.Color("scenario:N", title=words.scenario,
                            legend=alt.Legend(columns=1)),
            tooltip=[alt.Tooltip("scenario:N", title=words.scenario),
                     alt.Tooltip("ds:T", title=words.month, format=MONTH_FORMAT),
                     alt.Tooltip("value:Q", title=words.median, format=PERSONS_FORMAT)],
        )
        .properties(height=340)
    )


# --- the map of Sites & routes --------------------------------------------------------

REGION_FILE = ("abm", "data/geography/central_asia.geojson")
"""Package data: Natural Earth countries clipped to the region (data/build.py, build_region_map)."""
HIGHLIGHT = {"AFG": "#efe4d2", "KAZ": "#e6efe1", "KGZ": "#e6efe1", "TJK": "#e6efe1",
             "TKM": "#e6efe1", "UZB": "#e6efe1"}
LAND, WATER, BORDER = "#f4f3ef", "#dde8f0", "#8c8c8c"
ORIGIN_COUNTRY = "Afghanistan"
SITE_COLOURS = {"camp": "#1f5fa8", "town": "#6f6f6f", "conflict_zone": "#c8661b"}
"""Site type (the network files' ``location_type``) -> circle colour on the map."""
LABEL_AT = {"KAZ": (66.5, 44.6), "TJK": (72.9, 38.7)}
"""Where a country's name is written when its outline's centre is off the map (lon, lat)."""


@lru_cache(maxsize=1)
def region_features() -> tuple[dict, ...]:
    """The country features of the regional map (GeoJSON dicts with ``name``, ``iso3``)."""
    pkg, rel = REGION_FILE
    text = resources.files(pkg).joinpath(rel).read_text(encoding="utf-8")
    return tuple(json.loads(text)["features"])


def _label_point(geometry: dict) -> tuple[float, float]:
    """(lon, lat) mean of the vertices of a geometry's largest ring (by vertex count)."""
    polys = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    ring = max((p[0] for p in polys), key=len)
    return (sum(c[0] for c in ring) / len(ring), sum(c[1] for c in ring) / len(ring))


def crossings(sites: pd.DataFrame, routes: pd.DataFrame) -> pd.DataFrame:
    """Routes whose two ends lie in different countries (border crossings).

    Reads ``sites``: ``name, country, lat, lon``; ``routes``: ``name1, name2``. Returns
    ``name1, name2, country1, country2, lat, lon`` (the midpoint of the crossing).
    """
    s = sites.set_index("name")
    r = routes[["name1", "name2"]].copy()
    r["country1"], r["country2"] = r["name1"].map(s["country"]), r["name2"].map(s["country"])
    r = r[r["country1"] != r["country2"]].copy()
    r["lat"] = (r["name1"].map(s["lat"]) + r["name2"].map(s["lat"])) / 2
    r["lon"] = (r["name1"].map(s["lon"]) + r["name2"].map(s["lon"])) / 2
    return r.reset_index(drop=True)


@dataclass(frozen=True)
class MapLabels:
    """Words on the map (English defaults; :func:`map_labels` translates them)."""

    title: str = "Where people are at the end of the run"
    persons_at_site: str = "persons at the site"
    persons_on_route: str = "persons who took the route"
    site_type: str = "site type"
    site: str = "site"
    country: str = "country"
    capacity: str = "capacity / residents"
    crossing: str = "border crossing"
    route: str = "route"


def map_labels(_=lambda s: s) -> MapLabels:
    """:class:`MapLabels` translated by the gettext function ``_``."""
    words = {
        "title": _("Where people are at the end of the run"),
        "persons_at_site": _("persons at the site"),
        "persons_on_route": _("persons who took the route"), "site_type": _("site type"),
        "site": _("site"), "country": _("country"), "capacity": _("capacity / residents"),
        "crossing": _("border crossing"), "route": _("route"),
    }
    assert set(words) == {f.name for f in fields(MapLabels)}
    return MapLabels(**words)


def map_frame(sites: pd.DataFrame, pad: float = 1.5) -> placing.Frame:
    """The box :func:`network_map` fits its projection to: the sites' extent with ``pad``
    degrees around (twice above, room for the country names)."""
    return placing.Frame(float(sites["lon"].min()) - pad, float(sites["lat"].min()) - pad,
                         float(sites["lon"].max()) + pad, float(sites["lat"].max()) + 2 * pad)


def network_map(sites: pd.DataFrame, routes: pd.DataFrame, persons: pd.DataFrame,
                flows: pd.DataFrame | None = None, tr: Translator = EN) -> alt.LayerChart:
    """A map of the network: countries (Natural Earth), routes as lines whose width is
    the persons who took them, sites as circles sized by persons present, labels.

    ``sites``: ``name, country, lat, lon, site_type, population``; ``routes``:
    ``name1, name2``; ``persons``: ``site, persons`` (persons at the site);
    ``flows``: ``name1, name2, persons`` (persons who set out along each route, both
    ways; None = routes drawn thin). Optional columns of ``sites`` in words replace the
    codes: ``label`` (the site's name, tooltips), ``town`` (the short name written on the
    map), ``country_name``, ``type_name``. Mercator, fitted to :func:`map_frame`; the
    outlines are inline data (no network at run time). The words are placed by
    :func:`map_text` so that none overlaps another at the width the map is drawn at
    (375 px phone to desktop); a word left out on a narrow map is still in its
    site's tooltip.
    """
    _ = tr.gettext
    words = map_labels(_)
    site_types = {"camp": _("reception site"), "town": _("town"),
                  "conflict_zone": _("origin (Afghanistan)")}
    lat = sites.set_index("name")["lat"]
    lon = sites.set_index("name")["lon"]
    r = routes[["name1", "name2"]].copy()
    if flows is not None:
        r = r.merge(flows[["name1", "name2", "persons"]].rename(columns={"persons": "on_route"}),
                    on=["name1", "name2"], how="left")
    else:
        r["on_route"] = 0  # a field of its own: a legend shared with "persons" would merge
    r = r.assign(lat=r["name1"].map(lat), lon=r["name1"].map(lon),
                 lat2=r["name2"].map(lat), lon2=r["name2"].map(lon))
    pts = sites.merge(persons, left_on="name", right_on="site", how="left")
    short = pts["name"].str.replace("_reception", "").str.replace("_", " ")
    pts = pts.assign(
        label=pts["town"] if "town" in pts else short,
        full=pts["label"] if "label" in pts else pts["name"].str.replace("_", " "),
        country_words=pts["country_name"] if "country_name" in pts else pts["country"],
        kind=pts["type_name"] if "type_name" in pts
        else pts["site_type"].map(lambda k: site_types.get(k, k)))
    kind_of = {**site_types, **dict(zip(pts["site_type"], pts["kind"], strict=True))}
    town = dict(zip(pts["name"], pts["label"], strict=True))
    full = dict(zip(pts["name"], pts["full"], strict=True))
    r["route"] = r["name1"].map(full) + " – " + r["name2"].map(full)
    frame = map_frame(sites)
    fit = {"type": "Feature", "properties": {}, "geometry": {"type": "MultiPoint", "coordinates": [
        [frame.lon_min, frame.lat_min], [frame.lon_max, frame.lat_max]]}}
    feats = [{**f, "properties": {**f["properties"], "fill": HIGHLIGHT.get(f["properties"]["iso3"], LAND)}}
             for f in region_features()]
    names = pd.DataFrame([{"name": f["properties"]["name"] if tr.lang == "en"
                           else country_name(f["properties"]["iso3"], tr.lang),
                           "iso3": f["properties"]["iso3"],
                           "lon": p[0], "lat": p[1]}
                          for f in region_features() if f["properties"]["iso3"] in HIGHLIGHT
                          for p in [LABEL_AT.get(f["properties"]["iso3"])
                                    or _label_point(f["geometry"])]])
    water = alt.Chart(alt.sphere()).mark_geoshape(fill=WATER, stroke=None, clip=True)
    land = alt.Chart(alt.Data(values=feats)).mark_geoshape(stroke=BORDER, strokeWidth=0.8, clip=True).encode(
        fill=alt.Fill("properties.fill:N", scale=None),
        tooltip=[alt.Tooltip("properties.name:N", title=words.country)])
    lines = alt.Chart(r).mark_rule(color="#5b7fa6", opacity=0.75, strokeCap="round").encode(
        longitude="lon:Q", latitude="lat:Q", longitude2="lon2:Q", latitude2="lat2:Q",
        strokeWidth=alt.StrokeWidth("on_route:Q", title=words.persons_on_route,
                                    scale=alt.Scale(range=[0.8, 12]),
                                    legend=alt.Legend(format=",.0f", symbolType="stroke",
                                                      tickCount=3)),
        tooltip=[alt.Tooltip("route:N", title=words.route),
                 alt.Tooltip("on_route:Q", title=words.persons_on_route, format=PERSONS_FORMAT)])
    dots = alt.Chart(pts).mark_circle(opacity=0.85, stroke="white", strokeWidth=0.8).encode(
        longitude="lon:Q", latitude="lat:Q",
        size=alt.Size("persons:Q", title=words.persons_at_site, scale=alt.Scale(range=list(SIZE_RANGE), zero=True),
                      legend=alt.Legend(format=",.0f", tickCount=3)),
        color=alt.Color("kind:N", title=words.site_type,
                        scale=alt.Scale(domain=[kind_of[k] for k in SITE_COLOURS],
                                        range=list(SITE_COLOURS.values()))),
        tooltip=[alt.Tooltip("full:N", title=words.site),
                 alt.Tooltip("country_words:N", title=words.country),
                 alt.Tooltip("kind:N", title=words.site_type),
                 alt.Tooltip("persons:Q", title=words.persons_at_site, format=PERSONS_FORMAT),
                 alt.Tooltip("population:Q", title=words.capacity, format=PERSONS_FORMAT)])
    cross = crossings(sites, routes)
    # the label of a crossing from Afghanistan is its town on the host side
    afghan = (cross["country1"] == ORIGIN_COUNTRY) | (cross["country2"] == ORIGIN_COUNTRY)
    host_end = cross["name2"].where(cross["country1"] == ORIGIN_COUNTRY, cross["name1"])
    cross = cross.assign(label=host_end.map(town).where(afghan, ""),
                         pair=cross["name1"].map(town) + " – " + cross["name2"].map(town))
    cross_marks = alt.Chart(cross).mark_point(shape="diamond", filled=True, size=CROSSING_SIZE,
                                              color="#222222").encode(
        longitude="lon:Q", latitude="lat:Q",
        tooltip=[alt.Tooltip("pair:N", title=words.crossing)])
    text = map_text(pts, cross, names, frame)
    word_layers = [
        alt.Chart(text[text["style"] == style]).mark_text(
            align="center", baseline="middle", color=colour, **font).transform_filter(
            "datum.k_lo <= map_k && map_k < datum.k_hi").encode(
            longitude="lon:Q", latitude="lat:Q", text="label:N",
            radius=alt.Radius("r:Q", scale=None), theta=alt.Theta("theta:Q", scale=None),
            description=alt.Description("label:N"))
        for style, colour, font in (
            ("country", "#555555", {"fontSize": 13, "fontStyle": "italic"}),
            ("crossing", "#222222", {"fontSize": 11, "fontWeight": "bold"}),
            ("site", "#222222", {"fontSize": 11}))
        if (text["style"] == style).any()]
    return (alt.layer(water, land, lines, dots, cross_marks, *word_layers,
                      params=[alt.VariableParameter(name="map_k", expr=frame.expression())])
            .project(type="mercator", fit=fit).properties(height=680, title=words.title))  # ~200 px legends


SIZE_RANGE = (15, 900)
"""Area in px² of a site's circle, from no one to the most persons at a site."""
CROSSING_SIZE = 90
"""Area in px² of a border crossing's diamond."""


def map_text(pts: pd.DataFrame, cross: pd.DataFrame, names: pd.DataFrame,
             frame: placing.Frame) -> pd.DataFrame:
    """The words of :func:`network_map`, placed by :func:`app_pages.map_labels.place` so
    that none overlaps another at any width: the crossings from Afghanistan (by their
    host-side town), the reception sites (most persons first), the country names, then
    the origins.

    Reads ``pts``: ``name, lon, lat, site_type, persons, label`` (persons may be NA: no
    circle); ``cross``: ``lon, lat, label`` ("" = not named); ``names``: ``name, lon,
    lat``. Returns ``label, style, lon, lat, r, theta, k_lo, k_hi``: a word is written
    at ``r`` px in direction ``theta`` (radians clockwise from north) from its point
    while the map's scale ``map_k`` (:meth:`~app_pages.map_labels.Frame.expression`)
    lies in ``[k_lo, k_hi)``.
    """
    most = float(np.nanmax(pts["persons"].to_numpy(float), initial=0.0))
    area = SIZE_RANGE[0] + (SIZE_RANGE[1] - SIZE_RANGE[0]) * pts["persons"] / (most or 1.0)
    circles = pd.DataFrame({"lon": pts["lon"], "lat": pts["lat"],
                            "radius": np.sqrt(area / np.pi) + 0.8}).dropna()
    diamond = math.sqrt(CROSSING_SIZE) / 2 + 0.5
    marks = pd.concat([circles, cross[["lon", "lat"]].assign(radius=diamond)], ignore_index=True)
    mlon, mlat, mrad = (marks[c].to_numpy(float) for c in ("lon", "lat", "radius"))

    def radius_at(lon: float, lat: float) -> float:
        near = (np.abs(mlon - lon) < 0.05) & (np.abs(mlat - lat) < 0.05)
        return float(mrad[near].max()) if near.any() else 2.0

    named = cross[cross["label"] != ""]
    cand = pts[pts["site_type"].isin(["camp", "conflict_zone"]) & ~pts["label"].isin(set(named["label"]))]
    cand = cand.assign(rank=(cand["site_type"] != "camp").astype(int)).sort_values(
        ["rank", "persons"], ascending=[True, False], na_position="last")
    entries = ([(placing.Label(r.label, r.lon, r.lat, style="bold",
                               gap=radius_at(r.lon, r.lat) + 2,
                               sides=("S", "N", "SE", "SW", "E", "W", "NE", "NW")), "crossing")
                for r in named.itertuples()]
               + [(placing.Label(r.label, r.lon, r.lat, gap=radius_at(r.lon, r.lat) + 2), "site")
                  for r in cand[cand["rank"] == 0].itertuples()]
               + [(placing.Label(r.name, r.lon, r.lat, font_size=13, style="italic", gap=0,
                                 sides=("C", "N", "S", "E", "W"), must_clear=True), "country")
                  for r in names.itertuples()]
               + [(placing.Label(r.label, r.lon, r.lat, gap=radius_at(r.lon, r.lat) + 2,
                                 must_clear=True), "site")
                  for r in cand[cand["rank"] == 1].itertuples()])
    labels = [lab for lab, _ in entries]
    table = placing.place(labels, frame, marks)
    lab = table["label"]
    return pd.DataFrame({
        "label": table["text"], "style": [entries[i][1] for i in lab],
        "lon": [labels[i].lon for i in lab], "lat": [labels[i].lat for i in lab],
        "r": np.hypot(table["dx"], table["dy"]),
        "theta": np.arctan2(table["dx"], -table["dy"]),
        "k_lo": table["k_lo"], "k_hi": table["k_hi"]})


@lru_cache(maxsize=512)
def _panel_template(name: str, top: float, y_title: str, words: tuple[str, ...],
                    theme: str) -> dict:
    """The spec of one :func:`compare_panels` panel (data by name: ``panel``)."""
    band_w, median_w, reference_w, month_w, scenario_w = words
    mf = MONTH_FORMAT
    legend = alt.Legend(orient="bottom", direction="vertical", columns=1, title=None,
                        labelLimit=400, symbolType="square", labelFontSize=12, symbolSize=200)
    colour = alt.Scale(domain=[band_w, median_w, reference_w],
                       range=["#9ecae1", "#1f5fa8", "#555555"])
    x = alt.X("ds:T", title=month_w, axis=alt.Axis(format=mf, labelAngle=0, tickCount=4))
    tips = [alt.Tooltip("scenario:N", title=scenario_w),
            alt.Tooltip("ds:T", title=month_w, format=mf),
            alt.Tooltip("p10:Q", title="P10", format=",.0f"),
            alt.Tooltip("p50:Q", title=median_w, format=",.0f"),
            alt.Tooltip("p90:Q", title="P90", format=",.0f")]
    col = alt.Color("what:N", scale=colour, legend=legend)
    y = alt.Scale(domain=[0, top], nice=True)
    base = alt.Chart(alt.NamedData(name="panel"))
    band = base.mark_area(opacity=0.7, clip=True).transform_calculate(
        what=_literal(band_w)).encode(
        x=x, y=alt.Y("p10:Q", title=y_title, scale=y), y2="p90:Q", color=col, tooltip=tips)
    med = base.mark_line(strokeWidth=2).transform_calculate(
        what=_literal(median_w)).encode(x=x, y=alt.Y("p50:Q", scale=y), color=col,
                                        tooltip=tips)
    refl = base.mark_line(strokeWidth=1.2, strokeDash=[5, 3]).transform_calculate(
        what=_literal(reference_w)).encode(x=x, y=alt.Y("ref:Q", scale=y), color=col)
    chart = alt.layer(band, refl, med).properties(  # height: the whole chart
        height=330, title=alt.TitleParams(name, anchor="start", fontSize=13))
    return chart.to_dict(validate=False)


def compare_panels(frame: pd.DataFrame, order: list[str], tr: Translator = EN,
                   y_title: str | None = None) -> list[tuple[str, list[Spec]]]:
    """Small multiples of scenarios: per host, one panel per scenario, each with its 80%
    band and median, and the first scenario's median dashed in every panel as the
    reference; the panels of a host share one y scale (0 to the highest P90).

    Each panel is a single view, so the page can lay the panels out in columns that
    stack on a phone and stretch to the column's width. Reads ``host, scenario, ds,
    p10, p50, p90`` (persons per month; ``host`` and ``scenario`` as shown); ``order``:
    scenario labels in panel order (the first is the reference). Returns ``[(host,
    [panel per scenario])]`` in the order of the hosts in ``frame``, each panel a
    :class:`Spec`. The legend sits below each panel with uncut labels. Streamlit fits
    a stretched chart's axes, legend and title into its height, so the height is the
    whole panel's (the plot gets about 190 px of its 330).
    """
    _ = tr.gettext
    y_title = y_title or _("persons per month")
    words = (_("80% of paths"), _("median"), _("median: {name}").format(name=order[0]),
             _("month"), _("scenario"))
    ref = frame[frame["scenario"] == order[0]][["host", "ds", "p50"]].rename(columns={"p50": "ref"})
    data = frame.merge(ref, on=["host", "ds"], how="left")
    cols = ["scenario", "ds", "p10", "p50", "p90", "ref"]
    out = []
    for host in dict.fromkeys(data["host"]):
        rows = data[data["host"] == host]
        top = float(np.nanmax(rows[["p90", "p50", "ref"]].to_numpy(dtype=float), initial=0.0))
        top = top if top > 0 else 1.0
        panels = [Spec(_panel_template(str(name), top, y_title, words, alt.theme.active),
                       {"panel": rows.loc[rows["scenario"] == name, cols].reset_index(drop=True)})
                  for name in order]
        out.append((str(host), panels))
    return out


def _literal(text: str) -> str:
    """A Vega expression string literal of ``text``."""
    import json

    return json.dumps(str(text))
