"""Plain words for the codes the app shows: table headers with units, facility types,
units, model and preset titles, series, host, site and surge names, scenarios in words.

The one home of every display name: pages rename columns and values for display only,
through :func:`table`; exported CSV columns, JSON keys and ISO3 codes never change.
Messages are in the ``app`` catalogue (``N_`` marks a message for the extractor without
translating it at import time; :func:`planner.catalogue.dynamic_messages` adds the
titles that live in the library's vocabularies).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

import pandas as pd

from app_pages.text import _, language, t
from planner import i18n


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue; translated where it is shown, with ``_()``."""
    return message


# Table headers: code -> words with the unit. One entry per column the app shows.
COLUMNS: dict[str, str] = {
    # dataset table (Overview)
    "id": N_("Dataset"), "title": N_("Title"), "publisher": N_("Publisher"),
    "licence": N_("Licence"), "vintage": N_("Vintage"), "start": N_("From"),
    "end": N_("To"), "rows": N_("Rows"),
    # totals over the horizon (forecast, compare)
    "host": N_("Host country"),
    "P10": N_("Low, P10 (persons)"), "median": N_("Median (persons)"),
    "P90": N_("High, P90 (persons)"),
    "scenario": N_("Scenario"), "description": N_("Scenario in words"),
    "total P10": N_("Total, low P10 (persons)"), "total median": N_("Total, median (persons)"),
    "total P90": N_("Total, high P90 (persons)"),
    # backtest skill
    "model": N_("Model"), "mae": N_("MAE (persons/month)"), "crps": N_("CRPS (persons/month)"),
    "rel_mae": N_("MAE relative to seasonal naive"),
    "rel_crps": N_("CRPS relative to seasonal naive"),
    "mase": N_("MASE"), "cov50": N_("Inside 50% interval (%)"),
    "cov80": N_("Inside 80% interval (%)"), "cov90": N_("Inside 90% interval (%)"),
    # capacity run summaries
    "facility_type": N_("Facility"), "unit": N_("Unit"),
    "peak_demand": N_("Peak demand, median run"),
    "peak_shortfall": N_("Peak shortfall, median run"),
    "peak_shortfall_p90": N_("Peak shortfall, 1 run in 10 (P90)"),
    "days_over_capacity": N_("Days over capacity, median run"),
    "days_over_capacity_p90": N_("Days over capacity, 1 run in 10 (P90)"),
    "share_time_met": N_("Days with demand met, median run (%)"),
    "unmet_total": N_("Unmet need over the horizon, median run"),
    "demand_total": N_("Demand over the horizon, median run"),
    "total_unit": N_("Unit of the totals"),
    "p_shortfall_run": N_("Runs with any shortfall (%)"),
    # capacity advice
    "risk": N_("Accepted risk (%)"), "p_shortfall_now": N_("Risk of a shortfall now (%)"),
    "existing_capacity": N_("Capacity in place"), "added_capacity": N_("Capacity to add"),
    "required_capacity": N_("Capacity needed"), "added_quantity": N_("To add, in units"),
    "quantity_unit": N_("Unit of quantity"), "needed_by": N_("Needed by"),
    "lead_time_days": N_("Lead time (days)"), "order_by": N_("Order by"),
    "late": N_("Late already"),
    "status": N_("Status"), "days_late": N_("Days late"),
    # facilities and plans editors
    "facility_id": N_("Facility id"), "name": N_("Name"), "quantity": N_("Quantity"),
    "opens": N_("Opens"), "source": N_("Source"), "ordered": N_("Ordered on"),
    "note": N_("Note"),
    # sites
    "site": N_("Site"), "site_type": N_("Site type"), "country": N_("Country"),
    "persons_end": N_("Persons at the end"), "peak": N_("Peak persons"),
    "capacity": N_("Capacity (persons)"), "first_full_day": N_("First day full"),
    # uploads
    "what": N_("Data"), "in_use": N_("In use"),
}

FACILITIES: dict[str, str] = {"shelter": N_("Shelter"), "school": N_("School seats"),
                              "clinic": N_("Clinic consultations")}
UNITS: dict[str, str] = {
    "persons": N_("persons"), "seats": N_("seats"), "children": N_("children"),
    "consultations per day": N_("consultations per day"),
    "consultations_per_day": N_("consultations per day"),
    "m2": N_("m² covered space"), "classrooms": N_("classrooms"),
    "clinicians": N_("clinicians"),
    "unsheltered person-days": N_("unsheltered person-days"),
    "child-days out of school": N_("child-days out of school"),
    "consultations": N_("consultations"),
}
SITE_TYPES: dict[str, str] = {"camp": N_("reception site"), "town": N_("town"),
                              "conflict_zone": N_("origin (Afghanistan)")}
FRONTEX_ROUTES: dict[str, str] = {
    "total": N_("all routes"), "black_sea": N_("Black Sea"),
    "central_mediterranean": N_("Central Mediterranean"),
    "circular_from_albania_to_greece": N_("circular route from Albania to Greece"),
    "eastern_borders": N_("Eastern land borders"),
    "eastern_mediterranean": N_("Eastern Mediterranean"),
    "western_african": N_("Western African"), "western_balkan": N_("Western Balkans"),
    "western_mediterranean": N_("Western Mediterranean"),
}
STEPS: dict[int, str] = {1: N_("daily"), 7: N_("weekly")}


def column(code: str) -> str:
    """The header of ``code`` in the session's language (the code if it has no words)."""
    return _(COLUMNS[code]) if code in COLUMNS else code


def facility(code: str) -> str:
    return _(FACILITIES[code]) if code in FACILITIES else str(code)


def unit(code) -> str:
    if code is None or (isinstance(code, float) and code != code):
        return ""
    return _(UNITS[code]) if code in UNITS else str(code)


def site_type(code: str) -> str:
    return _(SITE_TYPES[code]) if code in SITE_TYPES else str(code)


def host(iso3: str) -> str:
    """A host's name for menus and titles; context hosts (Iran, Pakistan) are marked."""
    from forecast.vocabulary import CENTRAL_ASIA, HOST_NAMES

    if iso3 not in HOST_NAMES:
        return str(iso3)
    name = i18n.country_name(iso3, language()) if language() != "en" else HOST_NAMES[iso3]
    return name if iso3 in CENTRAL_ASIA else _("{name} (context)").format(name=name)


def country(name: str) -> str:
    """An English country name (as in the network files) in the session's language."""
    import pycountry

    try:
        iso3 = pycountry.countries.lookup(name).alpha_3
    except LookupError:
        return str(name)
    return i18n.country_name(iso3, language())


def series_name(sid: str) -> str:
    """A movement series in words (``frontex_afg_total`` -> Frontex detections of Afghans,
    all routes); an uploaded series keeps its own id."""
    sid = str(sid)
    if sid.startswith("frontex_afg_") and sid[12:] in FRONTEX_ROUTES:
        return _("Frontex detections of Afghans: {route}").format(route=_(FRONTEX_ROUTES[sid[12:]]))
    if sid.startswith("unhcr_asylum_") and len(sid) == 16:
        return _("UNHCR asylum applications by Afghans in {country}").format(
            country=i18n.country_name(sid[13:], language()))
    return sid


def site_name(code: str) -> str:
    """A network site (``Almaty_reception`` -> Almaty reception site)."""
    code = str(code)
    if code.endswith("_reception"):
        return _("{town} reception site").format(town=_(code[:-10].replace("_", " ")))
    return _(code.replace("_", " "))


def model_title(alias: str) -> str:
    from forecast.models import MODEL_TITLES

    return _(MODEL_TITLES[alias]) if alias in MODEL_TITLES else str(alias)


def preset_title(name: str) -> str:
    from forecast.scenarios import PRESET_TITLES

    return _(PRESET_TITLES[name]) if name in PRESET_TITLES else str(name)


def preset_names() -> tuple[str, ...]:
    from forecast.scenarios import PRESETS

    return tuple(PRESETS)


def host_method_title(code: str) -> str:
    from planner.pipeline import HOST_METHODS

    return _(HOST_METHODS[code]) if code in HOST_METHODS else str(code)


def surge_name(name: str) -> str:
    """A surge analogue (``Afghanistan->Tajikistan 2021``) in words of the language; the
    empty choice is the baseline."""
    if not name:
        return _("none (baseline)")
    from forecast.host_model import SURGE_P90

    if name == SURGE_P90:
        return _("90th percentile of the surges into neighbouring countries")
    if language() == "en":
        return name.replace("->", " → ")
    row = _surges().get(name)
    if row is None:
        return name
    origin, asylum, year = row
    return f"{i18n.country_name(origin, language())} → {i18n.country_name(asylum, language())}, {year}"


@lru_cache(maxsize=1)
def _surges() -> dict[str, tuple[str, str, int]]:
    """The bundled surge catalogue by name, read once per process (the sidebar names every
    analogue on every run: 1.7 s of the server's time over the browser tests when re-read)."""
    from forecast import datasets

    cat = datasets.load_surge_catalogue()
    return {n: (o, a, int(y)) for n, o, a, y in
            zip(cat["name"].tolist(), cat["origin_iso3"].tolist(), cat["asylum_iso3"].tolist(),
                cat["year"].tolist(), strict=True)}


_NOTE = re.compile(r"^(?P<host>[A-Z]{3}): no UNHCR arrivals from (?P<origin>[A-Z]{3}) reported "
                   r"since (?P<last>\d{4}|ever); the forecast is the model's prior for an "
                   r"unreported corridor$")


def host_note(note: str) -> str:
    """A note of the pooled host model (:func:`forecast.host_model.forecast_hosts`) in
    words of the language; a note of another form unchanged."""
    m = _NOTE.match(str(note))
    if m is None:
        return str(note)
    if m["last"] == "ever":
        msg = _("{host}: UNHCR has never reported arrivals from {origin}; the forecast is the "
                "model's prior for an unreported corridor.")
    else:
        msg = _("{host}: no UNHCR arrivals from {origin} reported since {year}; the forecast "
                "is the model's prior for an unreported corridor.")
    return msg.format(host=host(m["host"]), origin=i18n.country_name(m["origin"], language()),
                      year=m["last"])


def period(text: str) -> str:
    """A ``YYYY-MM`` month written as text (dataset spans) in the locale's form; a year or
    anything else unchanged."""
    text = "" if text is None else str(text)
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
        return t().month(pd.Timestamp(text + "-01").date())
    return text


def _g(x: float) -> str:
    """A lever's value as short as it is (3, 1.5, -1.5) in the locale's decimal sign."""
    x = float(x)
    return t().number(x, 0 if x == int(x) else 1 if x * 10 == int(x * 10) else 2)


def scenario_words(sc) -> str:
    """The scenario in words of the session's language: a preset's own description, else
    its levers (shocks with their months, openness, the host's share, the surge)."""
    from forecast.scenarios import PRESETS

    preset = PRESETS.get(sc.name)
    if preset is not None and preset.shocks == sc.shocks and not sc.host_shares \
            and preset.border_openness == sc.border_openness and preset.analogue == sc.analogue:
        return _(preset.description)
    kinds = {"conflict": N_("conflict: fatalities x{value} in months {start}-{end}"),
             "drought": N_("drought: SPI {value} in months {start}-{end}"),
             "food_price": N_("food prices: wheat x{value} in months {start}-{end}")}
    parts = [_(kinds[s.kind]).format(value=_g(s.value), start=s.start,
                                     end=s.start + s.duration - 1) for s in sc.shocks]
    if sc.border_openness != 1.0:
        parts.append(_("borders {pct} open").format(pct=t().percent(sc.border_openness)))
    for iso3, share in (sc.host_shares or {}).items():
        parts.append(_("{host}: share of the outflow {pct}").format(
            host=host(iso3), pct=t().percent(share, 2)))
    if sc.analogue:
        parts.append(_("surge like {name}").format(name=surge_name(sc.analogue)))
    return "; ".join(parts) or _("Drivers persist at their latest observed levels.")


# Formats of table cells, by kind.
def _fmt(kind: str):
    tr = t()
    return {
        "number": lambda v: tr.number(v),
        "decimal": lambda v: tr.number(v, 2),
        "decimal3": lambda v: tr.number(v, 3),
        "percent": lambda v: tr.percent(v),
        "date": lambda v: "" if pd.isna(v) else tr.date(pd.Timestamp(v).date()),
        "month": lambda v: "" if pd.isna(v) else tr.month(pd.Timestamp(v).date()),
        "yesno": lambda v: "" if pd.isna(v) else (_("yes") if bool(v) else _("no")),
        "text": lambda v: "" if v is None or (isinstance(v, float) and v != v) or v is pd.NA
        else str(v),
    }[kind]


def table(frame: pd.DataFrame, kinds: Mapping[str, str] | None = None,
          values: Mapping[str, object] | None = None, index: str | None = None):
    """A display copy of ``frame``: values of the columns in ``values`` mapped to words
    (a function per column, e.g. :func:`facility`), cells formatted by ``kinds``
    (column -> number, decimal, percent, date, month, yesno, text; the rest as text with
    NA blank), headers in words (:data:`COLUMNS`). Returns a pandas Styler (the numbers
    stay numbers underneath, so a column still sorts by value)."""
    out = frame.copy()
    if index is not None and index not in out.columns:
        out = out.reset_index(names=index) if out.index.name != index else out.reset_index()
    for col, fn in (values or {}).items():
        if col in out.columns:
            out[col] = out[col].map(fn)
    if index is not None:
        out = out.set_index(index)
        out.index = out.index.map(str)
        out.index.name = column(index)
    kinds = dict(kinds or {})
    fmts = {column(c): _fmt(kinds.get(c, "text")) for c in out.columns}
    out.columns = [column(c) for c in out.columns]
    for c in out.columns:  # the grid draws a missing value as "None": NA is a blank cell
        if out[c].isna().any():
            out[c] = out[c].map(fmts.pop(c)).astype(object)
    return out.style.format(fmts)


def advice_sentence(row: Mapping, n_runs: int) -> str:
    """One row of the capacity advice (:func:`abm.advise`) as a sentence in the language."""
    tr = t()
    ft, risk, p_now = facility(row["facility_type"]), tr.percent(row["risk"]), tr.percent(
        row["p_shortfall_now"])
    if not row["added_capacity"] > 0:
        return _("{facility}: with the capacity in place the risk of a shortfall is {p} "
                 "(accepted: {risk}); nothing to add.").format(facility=ft, p=p_now, risk=risk)
    needed = row["needed_by"]
    order = row["order_by"]
    when = (_("now (late already)") if bool(row["late"]) else
            tr.date(pd.Timestamp(order).date()) if not pd.isna(order) else _("(lead time unknown)"))
    return _("{facility}: the risk of a shortfall is {p} with the capacity in place; add "
             "{added} {unit} ({qty} {qunit}) in place by {needed}, ordered by {when}, to bring "
             "it to {risk} or less over {runs} runs.").format(
        facility=ft, p=p_now, added=tr.number(row["added_capacity"]), unit=unit(row["unit"]),
        qty=tr.number(row["added_quantity"]), qunit=unit(row["quantity_unit"]),
        needed=(tr.date(pd.Timestamp(needed).date()) if not pd.isna(needed)
                else _("the start")), when=when, risk=risk, runs=tr.number(n_runs))
