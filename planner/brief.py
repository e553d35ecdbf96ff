"""The printable decision brief: one host, one scenario, one or two A4 pages, in English
or Russian, as PDF (fpdf2, DejaVu fonts for Cyrillic) and as the same content in
printable HTML.

``brief_pdf(result, lang="ru")`` -> PDF bytes, ``brief_html(result, lang="ru")`` -> str,
from a :class:`planner.pipeline.PlanResult` (what :func:`planner.pipeline.run_plan`
returns). Both are drawn from one :class:`Brief` (:func:`summarise`), so the PDF and the
HTML say the same thing. What the brief holds, in order:

1. what is late already: orders whose order-by date is before ``today`` (or before the
   horizon's start), first and in red;
2. the scenario in words (preset, shocks, border levers, surge analogue), the host area
   (share of the country's arrivals, planning multiplier) and the horizon;
3. arrivals into the host area over the horizon: the median and the 80% range (10th to
   90th percentile of the per-path totals), persons, whole numbers;
4. the capacity gaps by facility type and what to order, how much and by when, at the
   plan's accepted risk (:func:`abm.advise`);
5. the fan chart of monthly arrivals and the heatmap of P(shortfall) by month;
6. the data vintages, the main caveats and the sources.

Numbers, percentages and dates are written in the locale's formats
(:class:`planner.i18n.Translator`); messages are in the ``brief`` catalogue.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import re
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.vocabulary import HOST_NAMES
from planner.i18n import Translator, country_name, translator
from planner.pipeline import HOST_METHODS, PlanError, PlanResult

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_PACKAGE = "fonts-dejavu-core"
FONTS = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
"""fpdf2 font style -> DejaVu file (Debian package :data:`FONT_PACKAGE`)."""

FACILITY_TYPES: tuple[str, ...] = ("shelter", "school", "clinic")
LOW, HIGH = 0.1, 0.9
"""The 80% range: 10th and 90th percentiles over the sample paths."""


class BriefError(PlanError):
    """The brief cannot be made (e.g. its fonts are missing)."""


# ---------------------------------------------------------------- figures
@dataclass(frozen=True)
class Range:
    """Median and 80% range of a quantity over the sample paths [persons, whole numbers]."""

    low: int
    median: int
    high: int


def path_totals(frame: pd.DataFrame, value: str = "arrivals") -> pd.Series:
    """Total of ``value`` over the horizon per ``path`` (persons)."""
    return frame.groupby("path")[value].sum()


def arrivals_range(arrivals: pd.DataFrame, value: str = "arrivals") -> Range:
    """Arrivals over the whole horizon, per path, summarised: the median and the 10th and
    90th percentiles of the per-path totals, rounded to whole persons (the figures the
    brief and the Capacity page print). ``arrivals``: ``ds, path, arrivals`` (persons per
    month)."""
    tot = path_totals(arrivals, value).to_numpy(float)
    lo, med, hi = np.quantile(tot, [LOW, 0.5, HIGH])
    return Range(int(round(lo)), int(round(med)), int(round(hi)))


def monthly_range(frame: pd.DataFrame, value: str = "arrivals") -> pd.DataFrame:
    """Per month: ``ds, p10, median, p90`` of ``value`` over the paths (persons per
    month, whole numbers)."""
    g = frame.groupby("ds")[value]
    out = pd.DataFrame({"p10": g.quantile(LOW), "median": g.quantile(0.5),
                        "p90": g.quantile(HIGH)}).round().astype("int64")
    return out.reset_index()


def late_orders(advice: pd.DataFrame, today: dt.date) -> pd.Series:
    """True for each advice row with something to add whose order-by date is before
    ``today`` or before the horizon's start (``advice['late']``)."""
    order_by = pd.to_datetime(advice["order_by"])
    before = (order_by < pd.Timestamp(today)).fillna(False).astype(bool)  # NaT: not late
    return (advice["added_capacity"] > 0) & (before | advice["late"].astype(bool))


@dataclass(frozen=True)
class Brief:
    """Everything the brief prints, before words and formats (language-free).

    ``advice``: the plan's advice frame plus ``late_today`` (bool); ``monthly``:
    :func:`monthly_range` of the host-area arrivals; ``p_shortfall``:
    ``facility_type, ds, p_shortfall`` (0-1); ``vintages``: (dataset id, vintage) of the data
    the plan rests on; ``sources``: (publisher, licence); ``notes``: the host model's
    notes on this host.
    """

    result: PlanResult
    today: dt.date
    start: dt.date
    end: dt.date
    arrivals: Range
    monthly: pd.DataFrame
    advice: pd.DataFrame
    p_shortfall: pd.DataFrame
    data_end_year: int | None
    vintages: tuple[tuple[str, str], ...] = ()
    sources: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def spec(self):
        return self.result.spec

    @property
    def late(self) -> pd.DataFrame:
        return self.advice[self.advice["late_today"]]


# data the plan rests on, by host method (dataset ids of forecast.datasets)
_DATASETS = {
    "dyadic": ("dyads_annual", "hosts_afghan_annual", "country_year", "land_borders",
               "surge_catalogue"),
    "share": ("movement_monthly", "hosts_afghan_annual", "conflict_monthly", "climate_monthly",
              "food_prices_monthly"),
}


def vintages(method: str) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """((dataset id, vintage), ...) and ((publisher, licence), ...) of the bundled data a
    plan of this host method rests on (from the dataset registry; no file is read)."""
    from forecast.datasets import REGISTRY

    ids = [i for i in _DATASETS[method] if i in REGISTRY]
    vint = tuple((i, REGISTRY[i].vintage) for i in ids)
    src = tuple(dict.fromkeys((REGISTRY[i].publisher, REGISTRY[i].licence) for i in ids))
    return vint, src


def summarise(result: PlanResult, today: dt.date | None = None) -> Brief:
    """The figures of the brief from a plan result; ``today`` (default: the calendar
    date) decides what is late already."""
    today = today or dt.date.today()
    spec = result.spec
    arr = result.arrivals
    adv = result.advice.copy()
    adv["late_today"] = late_orders(adv, today)
    adv = adv.sort_values("late_today", ascending=False, kind="stable").reset_index(drop=True)
    hosts = result.hosts
    attrs = hosts.attrs if hosts is not None else {}
    host = spec.forecast.host
    notes = tuple(n for n in attrs.get("notes", ()) if str(n).startswith(f"{host}:"))
    vint, src = vintages(spec.forecast.host_method)
    return Brief(result=result, today=today, start=pd.Timestamp(arr["ds"].min()).date(),
                 end=pd.Timestamp(arr["ds"].max()).date(), arrivals=arrivals_range(arr),
                 monthly=monthly_range(arr), advice=adv,
                 p_shortfall=result.capacity.p_shortfall.copy(),
                 data_end_year=attrs.get("data_end_year"), vintages=vint, sources=src,
                 notes=notes)


# ---------------------------------------------------------------- words
def facility_name(ft: str, t: Translator) -> str:
    _ = t.gettext
    return {"shelter": _("Shelter"), "school": _("School seats"),
            "clinic": _("Clinic consultations")}.get(ft, ft)


def unit_name(unit: str, t: Translator) -> str:
    _ = t.gettext
    return {"persons": _("persons"), "seats": _("seats"), "children": _("children"),
            "consultations per day": _("consultations per day"), "m2": _("m²"),
            "classrooms": _("classrooms"), "clinicians": _("clinicians")}.get(unit, unit)


def quantity(n: float, unit: str, t: Translator) -> str:
    """``n`` (whole number) with its unit, declined for the number where the language
    does (Russian: 1 класс, 2 класса, 5 классов); ``persons`` and ``m2`` are abbreviations
    (чел., м²) that do not decline. NA gives an empty string, never zero."""
    if pd.isna(n):
        return ""
    k = int(round(float(n)))
    forms = {
        "seats": lambda: t.ngettext("{n} seat", "{n} seats", k),
        "children": lambda: t.ngettext("{n} child", "{n} children", k),
        "consultations per day": lambda: t.ngettext("{n} consultation per day",
                                                    "{n} consultations per day", k),
        "classrooms": lambda: t.ngettext("{n} classroom", "{n} classrooms", k),
        "clinicians": lambda: t.ngettext("{n} clinician", "{n} clinicians", k),
    }
    if unit in forms:
        return forms[unit]().format(n=t.number(n))
    return f"{t.number(n)} {unit_name(unit, t)}"


def scenario_title(name: str, t: Translator) -> str:
    """A scenario's name in the brief's language: a preset's title
    (:data:`forecast.scenarios.PRESET_TITLES`, translated once, in the ``app`` catalogue,
    which ``python -m planner.catalogue`` keeps in step with the presets), ``custom`` in
    words, else the planner's own name as written in the plan file."""
    from forecast.scenarios import PRESET_TITLES

    if name in PRESET_TITLES:
        return translator(t.lang, "app").gettext(PRESET_TITLES[name])
    if name == "custom":
        return t.gettext("set by the planner")
    return name


def model_title(alias: str, t: Translator) -> str:
    """A movement model's title (:data:`forecast.models.MODEL_TITLES`, translated in the
    ``app`` catalogue as :func:`scenario_title`), else its alias."""
    from forecast.models import MODEL_TITLES

    if alias in MODEL_TITLES:
        return translator(t.lang, "app").gettext(MODEL_TITLES[alias])
    return alias


def advice_sentence(r, t: Translator, runs: int, late: bool | None = None) -> str:
    """One advice row (:func:`abm.advise`) as a sentence in the brief's language (the
    words of ``advice['explanation']``, which is English); ``late`` (default: the row's
    ``late``, before the horizon's start) as :func:`late_orders` decides it for a day."""
    _ = t.gettext
    facility = facility_name(r["facility_type"], t)
    if r["added_capacity"] <= 0:
        return _("{facility}: current capacity keeps P(shortfall) at {p} (accepted risk "
                 "{risk}); nothing to add.").format(facility=facility,
                                                    p=t.percent(r["p_shortfall_now"]),
                                                    risk=t.percent(r["risk"]))
    late = bool(r["late"]) if late is None else late
    if late:
        when = _("order now (late)")
    elif pd.isna(r["order_by"]):
        when = _("lead time unknown")
    else:
        when = _("ordered by {date}").format(date=_date(r["order_by"], t))
    return _("{facility}: P(shortfall) is {p} with current capacity; add {added} ({order}) "
             "in place by {needed_by}, {ordered}, to bring it to at most {risk} (capacity "
             "runs: {runs}).").format(
        facility=facility, p=t.percent(r["p_shortfall_now"]),
        added=quantity(r["added_capacity"], r["unit"], t),
        order=quantity(r["added_quantity"], r["quantity_unit"], t),
        needed_by=_date(r["needed_by"], t) or _("the start"), ordered=when,
        risk=t.percent(r["risk"]), runs=runs)


def surge_name(name: str, t: Translator) -> str:
    """A surge analogue (``Afghanistan->Tajikistan 2021``, a name of the surge catalogue)
    in the brief's language: its countries by their ISO3 codes in the catalogue (CLDR
    names); the 90th-percentile analogue in words; an unknown name as written."""
    from forecast.host_model import SURGE_P90

    if name == SURGE_P90:
        return t.gettext("90th percentile of the real surges into neighbouring countries")
    row = _surges().get(name)
    if row is None:
        return name
    origin, asylum, year = row
    return f"{country_name(origin, t.lang)} → {country_name(asylum, t.lang)}, {year}"


@cache
def _surges() -> dict[str, tuple[str, str, int]]:
    from forecast import datasets

    cat = datasets.load_surge_catalogue()
    return {n: (o, a, int(y)) for n, o, a, y in
            zip(cat["name"], cat["origin_iso3"], cat["asylum_iso3"], cat["year"], strict=True)}


def scenario_words(result: PlanResult, t: Translator) -> list[str]:
    """The scenario as sentences in the brief's language (from its fields, not from its
    English description)."""
    _ = t.gettext
    sc = result.spec.scenario
    out = []
    for s in sc.shocks:
        months = t.ngettext("{n} month", "{n} months", s.duration).format(n=s.duration)
        if s.kind == "conflict":
            text = _("Conflict fatalities in Afghanistan ×{k} from month {start} for {months}.")
        elif s.kind == "drought":
            text = _("Drought: SPI set to {k} from month {start} for {months}.")
        else:
            text = _("Wheat prices ×{k} from month {start} for {months}.")
        out.append(text.format(k=t.number(s.value, 1), start=s.start, months=months))
    if sc.border_openness != 1.0:
        out.append(_("Borders {p} open (arrivals into every host scaled).")
                   .format(p=t.percent(sc.border_openness)))
    for iso, v in sc.host_openness:
        out.append(_("Border of {host}: {p} open.").format(host=host_name(iso, t),
                                                            p=t.percent(v)))
    for iso, v in sc.host_shares:
        out.append(_("{host} receives {p} of the outflow (set by the planner).")
                   .format(host=host_name(iso, t), p=t.percent(v)))
    if sc.analogue:
        out.append(_("Surge analogue: host arrivals follow the real surge “{name}” "
                     "(UNHCR flows).").format(name=surge_name(sc.analogue, t)))
    if not out:
        out.append(_("Baseline: the drivers hold their recent values; no shock."))
    return out


def host_name(iso3: str, t: Translator) -> str:
    _ = t.gettext
    names = {"KAZ": _("Kazakhstan"), "KGZ": _("Kyrgyzstan"), "TJK": _("Tajikistan"),
             "TKM": _("Turkmenistan"), "UZB": _("Uzbekistan"), "IRN": _("Iran"),
             "PAK": _("Pakistan")}
    return names.get(iso3, HOST_NAMES.get(iso3, iso3))


_NOTE = re.compile(r"^(\w{3}): no UNHCR arrivals from AFG reported since (\d{4}); "
                   r"the forecast is the model's prior for an unreported corridor$")


def _note(text: str, t: Translator) -> str:
    m = _NOTE.match(text)
    if not m:
        return text
    return t.gettext("{host}: no UNHCR arrivals from Afghanistan reported since {year}; the "
                     "forecast is the model's prior for an unreported corridor.").format(
        host=host_name(m.group(1), t), year=m.group(2))


def caveats(b: Brief, t: Translator) -> list[str]:
    _ = t.gettext
    c = b.spec.capacity
    out = [_("Scenario magnitudes are illustrative planning cases, not predictions."),
           _("The default facilities are an illustrative host area (standard-sized "
             "facilities for 10,000 persons); replace them with the real ones."),
           _("Mean stay of {days} days is an assumption (no published figure for Central "
             "Asia).").format(days=t.number(c.mean_stay_days)),
           _("The 80% range leaves a 1 in 5 chance that arrivals fall outside it.")]
    if c.multiplier != 1.0:
        out.insert(0, _("Arrivals are multiplied by {k} (planning stress test).")
                   .format(k=t.number(c.multiplier, 1)))
    out.extend(_note(n, t) for n in b.notes)
    return out


def _date(x, t: Translator) -> str:
    return "" if pd.isna(x) else t.date(pd.Timestamp(x).date())


@dataclass(frozen=True)
class Section:
    """A titled block of the brief: paragraphs, a table (header + rows), or a chart."""

    title: str
    paragraphs: tuple[str, ...] = ()
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    image: bytes | Future | None = None  # PNG, or a chart still being drawn (brief_charts)
    alert: bool = False
    widths: tuple[float, ...] = ()  # shares of the page width per column (PDF)

    @property
    def png(self) -> bytes | None:
        """The chart's PNG bytes (waits for a chart still being drawn)."""
        return self.image.result() if isinstance(self.image, Future) else self.image


def sections(b: Brief, t: Translator, charts: bool = True) -> tuple[str, list[Section]]:
    """The brief as a title and its sections, in the language of ``t``."""
    _ = t.gettext
    spec = b.spec
    f, c = spec.forecast, spec.capacity
    host = host_name(f.host, t)
    title = _("Decision brief: {host}, scenario “{scenario}”").format(
        host=host, scenario=scenario_title(spec.scenario.name, t))
    out: list[Section] = []
    late = b.late
    if len(late):
        lines = [_("{facility}: order {order} now; it should have been ordered by "
                   "{order_by} to be in place by {needed_by}.").format(
            facility=facility_name(r["facility_type"], t),
            order=quantity(r["added_quantity"], r["quantity_unit"], t),
            order_by=_date(r["order_by"], t),
            needed_by=_date(r["needed_by"], t) or _("the start")) for _i, r in late.iterrows()]
        out.append(Section(_("LATE ALREADY (as of {today})").format(today=t.date(b.today)),
                           tuple(lines), alert=True))
    months = t.ngettext("{n} month", "{n} months", f.horizon).format(n=f.horizon)
    scen = [*scenario_words(b.result, t),
            _("Host area: {share} of the arrivals into {host}; horizon {months}, "
              "{start} to {end}; accepted risk of any shortfall {risk}.").format(
                share=t.percent(c.area_share), host=host, months=months,
                start=t.month(b.start), end=t.month(b.end), risk=t.percent(c.risk)),
            _("Arrivals model: {method}.").format(method=method_name(f.host_method, t))]
    out.append(Section(_("Scenario"), tuple(scen)))
    a = b.arrivals
    peak = b.monthly.loc[b.monthly["median"].idxmax()]
    out.append(Section(_("Arrivals into the host area"), (
        _("Over {months}: median {median} persons (80% range {low} to {high} persons).")
        .format(months=months, median=t.number(a.median), low=t.number(a.low),
                high=t.number(a.high)),
        _("Busiest month (median): {month}, {n} persons.").format(
            month=t.month(pd.Timestamp(peak["ds"]).date()), n=t.number(peak["median"])))))
    gap_rows = []
    for _i, r in b.advice.iterrows():
        gap_rows.append((facility_name(r["facility_type"], t), unit_name(r["unit"], t),
                         t.number(r["existing_capacity"]), t.number(r["required_capacity"]),
                         t.number(r["added_capacity"]), t.percent(r["p_shortfall_now"])))
    out.append(Section(_("Capacity gaps by facility type"), (), (
        _("Facility"), _("Unit"), _("In place"), _("Needed at {risk} risk").format(
            risk=t.percent(c.risk)), _("Gap"), _("P(shortfall) now")), tuple(gap_rows),
        widths=(0.24, 0.17, 0.14, 0.16, 0.13, 0.16)))
    order_rows, paras = [], []
    for _i, r in b.advice.iterrows():
        if r["added_capacity"] <= 0:
            paras.append(_("{facility}: nothing to order; P(shortfall) stays at {p}.").format(
                facility=facility_name(r["facility_type"], t), p=t.percent(r["p_shortfall_now"])))
            continue
        when = _("NOW (late)") if r["late_today"] else _date(r["order_by"], t)
        order_rows.append((facility_name(r["facility_type"], t),
                           quantity(r["added_quantity"], r["quantity_unit"], t),
                           quantity(r["added_capacity"], r["unit"], t),
                           _date(r["needed_by"], t) or _("the start"),
                           t.number(r["lead_time_days"]), when or _("lead time unknown")))
    out.append(Section(_("What to order"), tuple(paras), (
        _("Facility"), _("Order"), _("Adds"), _("In place by"), _("Lead time (days)"),
        _("Order by")) if order_rows else (), tuple(order_rows),
        widths=(0.22, 0.19, 0.19, 0.13, 0.11, 0.16)))
    if charts:  # drawn on the chart thread while the caller lays out the text
        from planner import brief_charts

        fan, heat = brief_charts.fan_spec(b.monthly, t), brief_charts.heatmap_spec(
            b.p_shortfall, t)
        out.append(Section(_("Monthly arrivals into the host area"),
                           image=brief_charts.submit(brief_charts.png, fan)))
        out.append(Section(_("Probability of a shortfall by month"),
                           image=brief_charts.submit(brief_charts.png, heat)))
    data = [_("UNHCR data to {year}.").format(year=b.data_end_year)] if b.data_end_year else []
    data += [f"{dataset_name(i, t)}: {registry_text(v, t)}" for i, v in b.vintages]
    out.append(Section(_("Data vintage"), tuple(data)))
    out.append(Section(_("Main caveats"), tuple(caveats(b, t))))
    seed = _("Model seed {seed}; {paths} arrival paths; {runs} capacity runs; made on {today}.")
    out.append(Section(_("Sources"), (*(source_line(p, lic, t) for p, lic in b.sources),
                                      _("Standards: Sphere Handbook 2018 (3.5 m² covered space "
                                        "per person); UNHCR Emergency Handbook (schools, "
                                        "clinics)."),
                                      seed.format(seed=f.seed, paths=f.n_paths, runs=c.n_runs,
                                                  today=t.date(b.today)))))
    return title, out


def registry_text(text: str, t: Translator) -> str:
    """A publisher, licence or vintage of the dataset registry
    (:data:`forecast.datasets.REGISTRY`) in the brief's language: the registry's English
    text is the message id in the ``brief`` catalogue (codes, versions, commits and
    licence ids are kept in the translation); a text without one stays as written."""
    return t.gettext(text)


def registry_texts() -> tuple[str, ...]:
    """Every registry text the brief or the workbook prints (publishers, licences and
    vintages of the data of every host method): each needs a ``brief.po`` entry."""
    out: dict[str, None] = {}
    for method in _DATASETS:
        vint, src = vintages(method)
        out.update(dict.fromkeys(v for _i, v in vint))
        for pub, lic in src:
            out.update(dict.fromkeys((pub, lic)))
    return tuple(out)


def source_line(publisher: str, licence: str, t: Translator) -> str:
    """``publisher — licence: ...`` in the brief's language (licence ids such as
    ``CC BY 4.0`` are their official titles, named as licences in the language)."""
    return t.gettext("{publisher} — licence: {licence}").format(
        publisher=registry_text(publisher, t), licence=registry_text(licence, t))


def dataset_name(dataset_id: str, t: Translator) -> str:
    _ = t.gettext
    return {"dyads_annual": _("UNHCR flows and stocks, world, annual"),
            "hosts_afghan_annual": _("UNHCR: Afghans by host country, annual"),
            "country_year": _("Conflict, temperature and refugee totals per country, annual"),
            "land_borders": _("Land borders"),
            "surge_catalogue": _("Catalogue of real refugee surges"),
            "movement_monthly": _("Monthly movement (Frontex, UNHCR)"),
            "conflict_monthly": _("Conflict fatalities in Afghanistan, monthly (UCDP)"),
            "climate_monthly": _("Climate: SPI, temperature, ENSO, monthly"),
            "food_prices_monthly": _("Wheat prices in Afghanistan, monthly (WFP)")}.get(
        dataset_id, dataset_id)


def method_name(method: str, t: Translator) -> str:
    _ = t.gettext
    return {"dyadic": _("pooled model of annual arrivals learned from the world's "
                        "displacement history (UNHCR)"),
            "share": _("movement forecast times each host's UNHCR share")}.get(
        method, HOST_METHODS.get(method, method))


# ---------------------------------------------------------------- HTML
_CSS = """
@page { size: A4; margin: 14mm; }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; color: #111; max-width: 190mm;
       margin: auto; }
h1 { font-size: 15pt; margin: 0 0 4pt; } h2 { font-size: 11.5pt; margin: 10pt 0 3pt;
       border-bottom: 1px solid #999; }
p { margin: 2pt 0; } table { border-collapse: collapse; width: 100%; font-size: 9pt; }
th, td { border: 1px solid #bbb; padding: 2pt 4pt; } td.n { text-align: right; }
th { background: #eee; text-align: left; }
section.alert { border: 2px solid #b00000; padding: 3pt 6pt; background: #fff0f0; }
section.alert h2 { color: #b00000; border: none; } img { width: 100%; }
"""


def render_html(b: Brief, lang: str = "en") -> str:
    """The brief as one self-contained printable HTML page (charts inlined as PNG)."""
    return _html(*sections(b, translator(lang, "brief")), lang)


def _html(title: str, secs: list[Section], lang: str) -> str:
    e = html.escape
    parts = [f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
             f"<title>{e(title)}</title><style>{_CSS}</style></head><body>",
             f"<h1>{e(title)}</h1>"]
    for s in secs:
        parts.append(f'<section class="{"alert" if s.alert else ""}"><h2>{e(s.title)}</h2>')
        parts += [f"<p>{e(p)}</p>" for p in s.paragraphs]
        if s.header:
            parts.append("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in s.header) + "</tr>")
            for row in s.rows:
                parts.append("<tr>" + "".join(
                    f'<td class="{"n" if _numeric(v) else ""}">{e(v)}</td>' for v in row)
                    + "</tr>")
            parts.append("</table>")
        if s.image:
            src = base64.b64encode(s.png).decode()
            parts.append(f'<img alt="{e(s.title)}" src="data:image/png;base64,{src}">')
        parts.append("</section>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _numeric(v: str) -> bool:
    return bool(re.fullmatch(r"[\d\s\u00a0\u202f,.%]+", v))


# ---------------------------------------------------------------- PDF
def warm_up() -> None:
    """Load what the first brief of a process waits for: fpdf2 and openpyxl (imports),
    and vl-convert's JavaScript engine (:func:`planner.brief_charts.warm_up`)."""
    import fpdf  # noqa: F401
    import openpyxl  # noqa: F401

    from planner import brief_charts

    brief_charts.warm_up()


@cache
def warm_up_in_background() -> Future:
    """:func:`warm_up` on the chart thread, once per process: returns at once, and later
    calls return the same future (``planner plan`` calls it before the model runs; the
    app can call it when the Capacity page starts its run). A brief asked for meanwhile
    simply waits for it."""
    from planner import brief_charts

    return brief_charts.submit(warm_up)


def check_fonts() -> dict[str, Path]:
    """The DejaVu font files by fpdf2 style; :class:`BriefError` names the Debian package
    to install when one is missing."""
    return _fonts()


def _fonts() -> dict[str, Path]:
    paths = {style: FONT_DIR / name for style, name in FONTS.items()}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise BriefError(f"font {missing[0]} not found: install the Debian package "
                         f"{FONT_PACKAGE} (apt-get install {FONT_PACKAGE})")
    return paths


def render_pdf(b: Brief, lang: str = "en") -> bytes:
    """The brief as PDF bytes (A4, DejaVu Sans)."""
    return _pdf(*sections(b, translator(lang, "brief")), lang)


def render(b: Brief, lang: str = "en") -> dict[str, bytes | str]:
    """``{"pdf": bytes, "html": str}``: both forms from one set of sections (the charts
    are drawn once)."""
    title, secs = sections(b, translator(lang, "brief"))
    return {"pdf": _pdf(title, secs, lang), "html": _html(title, secs, lang)}


def _pdf(title: str, secs: list[Section], lang: str) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(format="A4")
    pdf.set_margins(14, 12, 14)
    pdf.set_auto_page_break(True, margin=12)
    for style, path in _fonts().items():
        pdf.add_font("DejaVu", style=style, fname=str(path))
    pdf.set_title(title)
    pdf.set_lang(lang)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(width, 7, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for s in secs:
        if s.image and pdf.get_y() > pdf.h - 85:
            pdf.add_page()
        pdf.ln(2)
        pdf.set_font("DejaVu", "B", 11)
        if s.alert:
            pdf.set_text_color(176, 0, 0)
        pdf.cell(width, 6, s.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("DejaVu", "", 9)
        for p in s.paragraphs:
            pdf.multi_cell(width, 4.6, ("• " if s.alert else "") + p, new_x=XPos.LMARGIN,
                           new_y=YPos.NEXT)
        pdf.set_text_color(0, 0, 0)
        if s.header:
            _table(pdf, s, width)
        if s.image:
            pdf.image(io.BytesIO(s.png), w=width)
    return bytes(pdf.output())


def _table(pdf, s: Section, width: float) -> None:
    from fpdf.enums import XPos, YPos

    n = len(s.header)
    shares = s.widths if len(s.widths) == n else (1 / n,) * n
    widths = [width * w / sum(shares) for w in shares]
    pdf.set_font("DejaVu", "B", 8)
    pdf.set_fill_color(235, 235, 235)
    _row(pdf, s.header, widths, fill=True, numeric=False)
    pdf.set_font("DejaVu", "", 8.5)
    for row in s.rows:
        _row(pdf, row, widths, fill=False, numeric=True)
    pdf.set_xy(pdf.l_margin, pdf.get_y())
    pdf.cell(0, 1, "", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _row(pdf, cells, widths, fill: bool, numeric: bool) -> None:
    """One table row whose cells wrap and share the tallest cell's height."""
    line = 4.4
    lines = [len(pdf.multi_cell(w - 2, line, str(v), dry_run=True, output="LINES"))
             for v, w in zip(cells, widths, strict=True)]
    h = line * max(lines)
    if pdf.get_y() + h > pdf.h - pdf.b_margin:
        pdf.add_page()
    y, x = pdf.get_y(), pdf.l_margin
    for v, w, k in zip(cells, widths, lines, strict=True):
        pdf.rect(x, y, w, h, style="DF" if fill else "D")
        pdf.set_xy(x + 1, y + (h - k * line) / 2)
        align = "R" if numeric and _numeric(str(v)) else "L"
        pdf.multi_cell(w - 2, line, str(v), align=align)
        x += w
    pdf.set_xy(pdf.l_margin, y + h)


# ---------------------------------------------------------------- entry points
def brief_pdf(result: PlanResult, lang: str = "en", today: dt.date | None = None) -> bytes:
    """The decision brief of a plan result as PDF bytes, in ``lang`` (``en``, ``ru``)."""
    return render_pdf(summarise(result, today), lang)


def brief_html(result: PlanResult, lang: str = "en", today: dt.date | None = None) -> str:
    """The decision brief of a plan result as printable HTML, in ``lang``."""
    return render_html(summarise(result, today), lang)
