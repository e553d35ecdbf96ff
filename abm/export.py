"""Saving results as text: CSV (one header row, ISO dates) plus a JSON provenance sidecar.

``write_csv(frame, path, provenance)`` writes ``path`` and ``path + ".json"``
(docs/architecture.md, "Saved things"). Existing files are never overwritten
unless ``overwrite=True``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
from pathlib import Path

import pandas as pd

from abm.errors import InputError


def file_digest(path: str | Path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def provenance(**fields) -> dict:
    """A provenance record: package version, Python, creation time (UTC) and ``fields``."""
    import mesa
    import numpy as np

    from abm import __version__
    record = {
        "package": "abm (ca-refugee-planner)",
        "version": __version__,
        "created_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "python": platform.python_version(),
        "mesa": mesa.__version__, "numpy": np.__version__, "pandas": pd.__version__,
    }
    record.update(fields)
    return record


FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
"""Cell starts a spreadsheet may run as a formula (OWASP, "CSV Injection")."""


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells that begin with a formula prefix
    (:data:`FORMULA_PREFIXES`) are prefixed with a single quote, so a spreadsheet shows
    them as text (OWASP guidance; the same rule as ``forecast.export``,
    which ``abm`` may not import). Numeric, date and boolean columns are unchanged."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            text = s.astype("string")
            risky = text.str.startswith(FORMULA_PREFIXES).fillna(False).astype(bool)
            if risky.any():
                out[col] = s.where(~risky, "'" + text.astype(object))
    return out


def csv_quoting(frame: pd.DataFrame) -> int:
    """``csv.QUOTE_ALL`` when a text cell holds a carriage return (pandas would write it
    unquoted and a reader would split the row there), else ``csv.QUOTE_MINIMAL``."""
    import csv

    for col in frame.columns:
        s = frame[col]
        if (s.dtype == object or pd.api.types.is_string_dtype(s)) and \
                s.astype("string").str.contains("\r", regex=False).fillna(False).any():
            return csv.QUOTE_ALL
    return csv.QUOTE_MINIMAL


def write_csv(frame: pd.DataFrame, path: str | Path, provenance_record: dict, *,
              overwrite: bool = False, columns: dict[str, str] | None = None) -> Path:
    """Write ``frame`` to ``path`` (CSV) and its provenance to ``path.json``.

    columns: optional column -> description (with units) stored in the sidecar.
    Raises :class:`InputError` if either file exists and ``overwrite`` is False.
    """
    path = Path(path)
    side = path.with_name(path.name + ".json")
    for p in (path, side):
        if p.exists() and not overwrite:
            raise InputError(f"{p}: file exists (pass overwrite=True / --force to replace it)")
    path.parent.mkdir(parents=True, exist_ok=True)
    out = neutralise_formulas(frame)
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
    out.to_csv(path, index=False, quoting=csv_quoting(out))
    record = dict(provenance_record)
    record["rows"] = int(len(frame))
    if columns:
        record["columns"] = columns
    side.write_text(json.dumps(record, indent=2, default=str) + "\n")
    return path
