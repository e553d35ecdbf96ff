"""Every result of a plan in one ZIP, with provenance: the file names, the rounding of
the summary files, and the archive.

``file_names(spec, lang)`` names each file after its host and scenario (the app's
download buttons and the ZIP use the same names); ``summary_frames(result)`` rounds
the summary files (persons, seats and consultations to whole numbers, shares to three
decimals), for the app's Export page and ``planner plan`` alike; ``zip_bytes(result,
documents)`` writes the archive: each CSV (in the chosen dialect,
:mod:`forecast.csv_dialect`) with its JSON provenance sidecar, the brief (PDF and HTML),
the workbook, ``plan.json`` and ``scenario.json``.
"""

from __future__ import annotations

import io
import json
import re
import zipfile

import pandas as pd

from planner.pipeline import PlanResult, PlanSpec

SHARE_DIGITS = 3
"""Decimals of a share or probability (0-1) in a summary file; every count (persons,
seats, consultations per day, m², classrooms, clinicians) is a whole number."""
SHARE_METRICS: tuple[str, ...] = ("occupancy",)
"""Capacity metrics (``metric`` of the capacity quantiles) that are shares (0-1); every
other metric is a count."""
SUMMARY_COUNTS: dict[str, tuple[str, ...]] = {
    "forecast": ("value",),
    "advice": ("existing_capacity", "added_capacity", "required_capacity", "added_quantity"),
    "schedule": ("added_capacity",),
}
"""Summary file key -> its count columns (rounded to whole numbers, ``Int64``: NA stays
NA)."""
SUMMARY_SHARES: dict[str, tuple[str, ...]] = {
    "advice": ("risk", "p_shortfall_now"),
    "p_shortfall": ("p_shortfall",),
}
"""Summary file key -> its share columns (0-1, rounded to :data:`SHARE_DIGITS`)."""


def safe_name(text: str, limit: int = 40) -> str:
    """``text`` reduced to letters, digits, ``_`` and ``-`` (a scenario name may come from
    an uploaded file; it only ever names a download, never a path on the server)."""
    return (re.sub(r"[^A-Za-z0-9_-]+", "_", str(text)).strip("_") or "plan")[:limit]


def file_names(spec: PlanSpec, lang: str = "en") -> dict[str, str]:
    """Key -> file name; capacity files name the host and the scenario."""
    sc = safe_name(spec.scenario.name)
    sid = safe_name(spec.forecast.series_id)
    hs = f"{spec.forecast.host}_{sc}"
    return {"forecast": f"forecast_{sid}_{sc}.csv", "paths": f"paths_{sid}_{sc}.csv",
            "hosts": f"host_arrivals_{sc}.csv", "arrivals": f"arrivals_{hs}.csv",
            "capacity": f"capacity_quantiles_{hs}.csv", "p_shortfall": f"p_shortfall_{hs}.csv",
            "advice": f"capacity_advice_{hs}.csv", "schedule": f"order_schedule_{hs}.csv",
            "pdf": f"brief_{hs}_{lang}.pdf", "html": f"brief_{hs}_{lang}.html",
            "xlsx": f"workbook_{hs}_{lang}.xlsx", "plan": f"plan_{sc}.json",
            "scenario": f"scenario_{sc}.json", "zip": f"planner_{hs}.zip"}


def round_summary(frame: pd.DataFrame, counts=(), shares=()) -> pd.DataFrame:
    """A copy of ``frame``: ``counts`` columns rounded to whole numbers (``Int64``, NA kept
    as NA, never zero), ``shares`` columns to :data:`SHARE_DIGITS` decimals."""
    out = frame.copy()
    for c in counts:
        out[c] = out[c].round().astype("Int64")
    for c in shares:
        out[c] = out[c].round(SHARE_DIGITS)
    return out


def round_capacity_quantiles(q: pd.DataFrame) -> pd.DataFrame:
    """Capacity quantiles (``metric, value``) with counts as whole numbers and the share
    metrics (:data:`SHARE_METRICS`) at :data:`SHARE_DIGITS` decimals (one column holds
    both, so it stays float)."""
    out = q.copy()
    share = out["metric"].isin(list(SHARE_METRICS))
    out["value"] = out["value"].where(share, out["value"].round()).round(SHARE_DIGITS)
    return out


def _summary(key: str, frame: pd.DataFrame | None) -> pd.DataFrame | None:
    if frame is None:
        return None
    return round_summary(frame, SUMMARY_COUNTS.get(key, ()), SUMMARY_SHARES.get(key, ()))


def forecast_frames(forecast: pd.DataFrame, paths: pd.DataFrame,
                    hosts: pd.DataFrame | None) -> dict[str, pd.DataFrame | None]:
    """The forecast files as the ZIP holds them (forecast quantiles in whole persons;
    sample paths exact)."""
    return {"forecast": _summary("forecast", forecast), "paths": paths, "hosts": hosts}


def summary_frames(result: PlanResult) -> dict[str, pd.DataFrame | None]:
    """Key -> frame as the ZIP and ``planner plan`` write it. Summary files (forecast
    quantiles, capacity quantiles, P(shortfall), advice, schedule) carry whole persons
    and shares at :data:`SHARE_DIGITS` decimals; the sample paths (``paths``, ``hosts``,
    ``arrivals``) stay exact for analysts."""
    return {**forecast_frames(result.forecast, result.paths, result.hosts),
            "arrivals": result.arrivals,
            "capacity": round_capacity_quantiles(result.capacity.quantiles),
            "p_shortfall": _summary("p_shortfall", result.capacity.p_shortfall),
            "advice": _summary("advice", result.advice),
            "schedule": _summary("schedule", result.schedule)}


def zip_bytes(spec: PlanSpec, frames: dict, documents: dict, provenance: dict,
              dialect: str = "tidy", lang: str = "en") -> bytes:
    """The ZIP of every result. ``frames``: :func:`summary_frames` of a plan result (or
    only :func:`forecast_frames` before the capacity model has run); ``documents``:
    ``{"pdf": bytes, "html": str, "xlsx": bytes}`` (the brief and the workbook; may be
    empty); ``provenance``: the sidecar content (:func:`forecast.export.provenance`)."""
    from forecast import export

    names = file_names(spec, lang)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for key, frame in frames.items():
            if frame is None:
                continue
            name = names[key]
            z.writestr(name, export.csv_bytes(frame, dialect))
            meta = {**provenance, "file": name, "rows": len(frame),
                    "columns": list(frame.columns), "csv_dialect": dialect}
            z.writestr(name + ".json", json.dumps(meta, indent=2, default=str) + "\n")
        for key in ("pdf", "html", "xlsx"):
            if key in documents:
                z.writestr(names[key], documents[key])
        z.writestr(names["plan"], spec.to_json() + "\n")
        z.writestr(names["scenario"], spec.scenario.to_json() + "\n")
    return buf.getvalue()
