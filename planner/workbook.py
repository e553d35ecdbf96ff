"""The plan as an Excel workbook (openpyxl), for a colleague who works in a spreadsheet.

``workbook_bytes(result, lang="ru")`` -> the ``.xlsx`` bytes of a
:class:`planner.pipeline.PlanResult`, with these sheets:

- one summary sheet per host country (``series_id`` of the host-arrivals paths) and one
  for the host area (after the area share and the planning multiplier): months in rows,
  P10 / median / P90 of the arrivals over the sample paths, in persons per month, whole
  numbers, the unit in every header;
- the capacity advice (what to add, how much, by when, at the plan's risk);
- the provenance: data vintages, model, seed, the scenario in words and the plan file.

Headers are in the chosen language (the ``brief`` catalogue); text cells that a
spreadsheet would run as a formula are neutralised with a leading quote
(:data:`forecast.export.FORMULA_PREFIXES`).
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd

from forecast.export import FORMULA_PREFIXES
from planner.brief import (
    advice_sentence,
    dataset_name,
    facility_name,
    host_name,
    late_orders,
    method_name,
    model_title,
    monthly_range,
    registry_text,
    scenario_title,
    scenario_words,
    unit_name,
    vintages,
)
from planner.i18n import translator
from planner.pipeline import PlanResult

AREA_SHEET = "area"
"""Key of the host-area sheet (the arrivals the capacity model takes)."""


def safe_text(value):
    """``value`` with a leading quote when it is text that begins with a formula prefix."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _cell(value):
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    return safe_text(value)


def summaries(result: PlanResult) -> dict[str, pd.DataFrame]:
    """Sheet key (host ISO3, or :data:`AREA_SHEET`) -> ``ds, p10, median, p90`` (persons
    per month, whole numbers)."""
    out = {}
    if result.hosts is not None:
        for host, part in result.hosts.groupby("series_id", sort=False):
            out[str(host)] = monthly_range(part, "value")
    out[AREA_SHEET] = monthly_range(result.arrivals)
    return out


def _sheet(wb, title: str, header: list[str], rows: list[list], widths: list[int] | None = None):
    from openpyxl.styles import Font

    ws = wb.create_sheet(title[:31])
    ws.append([safe_text(h) for h in header])
    for c in ws[1]:
        c.font = Font(bold=True)
    for r in rows:
        ws.append([_cell(v) for v in r])
    ws.freeze_panes = "A2"
    for i, w in enumerate(widths or [], start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = w
    return ws


def workbook_bytes(result: PlanResult, lang: str = "en", today: dt.date | None = None) -> bytes:
    """The workbook of a plan result as ``.xlsx`` bytes, headers in ``lang``."""
    from openpyxl import Workbook

    t = translator(lang, "brief")
    _ = t.gettext
    today = today or dt.date.today()
    spec = result.spec
    wb = Workbook()
    wb.remove(wb.active)
    unit = _("persons per month")
    median = _("Median")
    header = [_("Month"), f"P10 ({unit})", f"{median} ({unit})", f"P90 ({unit})"]
    for key, frame in summaries(result).items():
        title = _("Host area") if key == AREA_SHEET else f"{key} {host_name(key, t)}"
        rows = [[pd.Timestamp(r.ds).to_pydatetime(), int(r.p10), int(r.median), int(r.p90)]
                for r in frame.itertuples()]
        ws = _sheet(wb, title, header, rows, [12, 26, 26, 26])
        for row in ws.iter_rows(min_row=2, max_col=1):
            row[0].number_format = "mm.yyyy" if lang == "ru" else "yyyy-mm"
        for row in ws.iter_rows(min_row=2, min_col=2, max_col=4):
            for c in row:
                c.number_format = "#,##0"

    adv = result.advice
    late = late_orders(adv, today)
    rows = []
    for (_i, r), is_late in zip(adv.iterrows(), late, strict=True):
        u = unit_name(r["unit"], t)
        rows.append([facility_name(r["facility_type"], t), u, round(r["existing_capacity"]),
                     round(r["required_capacity"]), round(r["added_capacity"]),
                     round(100 * r["p_shortfall_now"]), round(r["added_quantity"]),
                     unit_name(r["quantity_unit"], t), r["needed_by"], r["lead_time_days"],
                     r["order_by"], _("yes") if is_late else _("no"),
                     advice_sentence(r, t, spec.capacity.n_runs, is_late)])
    risk = t.percent(spec.capacity.risk)
    ws = _sheet(wb, _("Advice"), [
        _("Facility"), _("Unit"), _("In place (unit)"),
        _("Needed at {risk} risk (unit)").format(risk=risk), _("Gap (unit)"),
        _("P(shortfall) now (%)"), _("Order (quantity)"), _("Order unit"),
        _("In place by (date)"), _("Lead time (days)"), _("Order by (date)"),
        _("Late already"), _("Explanation")], rows,
        [22, 18, 14, 18, 12, 14, 14, 12, 14, 12, 14, 10, 60])
    for row in ws.iter_rows(min_row=2):
        for i in (8, 10):
            row[i].number_format = "dd.mm.yyyy" if lang == "ru" else "yyyy-mm-dd"

    import forecast

    f, c = spec.forecast, spec.capacity
    rows = [[_("Package version"), forecast.__version__],
            [_("Scenario"), scenario_title(spec.scenario.name, t)],
            [_("Scenario id (plan file)"), spec.scenario.name],
            *[[_("Scenario in words"), w] for w in scenario_words(result, t)],
            [_("Host"), f"{f.host} {host_name(f.host, t)}"],
            [_("Arrivals model"), method_name(f.host_method, t)],
            [_("Movement model"), f"{model_title(f.model, t)} ({f.model})"],
            [_("Seed"), f.seed],
            [_("Sample paths"), f.n_paths], [_("Horizon (months)"), f.horizon],
            [_("Share of the country's arrivals (%)"), round(100 * c.area_share, 2)],
            [_("Planning multiplier (x)"), c.multiplier], [_("Capacity runs"), c.n_runs],
            [_("Accepted risk (%)"), round(100 * c.risk, 2)],
            [_("Mean stay (days)"), c.mean_stay_days]]
    if result.hosts is not None and result.hosts.attrs.get("data_end_year"):
        rows.append([_("UNHCR data to (year)"), result.hosts.attrs["data_end_year"]])
    for did, v in vintages(f.host_method)[0]:
        rows.append([_("Data vintage: {name} ({id})").format(name=dataset_name(did, t), id=did),
                     registry_text(v, t)])
    rows.append([_("Plan file (JSON)"), json.dumps(spec.to_dict())])
    _sheet(wb, _("Provenance"), [_("Item"), _("Value")], rows, [42, 100])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
