"""Saved things are text: tidy CSV (one header row, ISO dates) + a JSON sidecar.

``write_csv(frame, "fc.csv", provenance)`` writes ``fc.csv`` and ``fc.csv.json``
(architecture.md, "Saved things"); text cells that a spreadsheet would run as a
formula are neutralised (:func:`neutralise_formulas`). ``read_csv("fc.csv")`` gives back the same
frame (same columns, dtypes and values: floats are written in their shortest
round-trip form, so they read back exactly). Neither file is ever replaced unless
``overwrite=True``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecast.csv_dialect import TIDY, CsvDialect, get_dialect
from forecast.errors import SchemaError
from forecast.vocabulary import EXPORT_KINDS

KINDS = EXPORT_KINDS
_STR = ("series_id", "model", "scenario")
_INT = ("path", "horizon", "n")


FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
"""Cell starts a spreadsheet may run as a formula (OWASP, "CSV Injection")."""


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells that begin with a formula prefix
    (:data:`FORMULA_PREFIXES`) are prefixed with a single quote, so a spreadsheet shows
    them as text (OWASP guidance). Numeric, date and boolean columns are unchanged."""
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


def kind_of(frame: pd.DataFrame) -> str | None:
    """Which contract a frame follows (``forecast``, ``paths``, ``arrivals``,
    ``history``), by its columns; None for other tables (e.g. a backtest table)."""
    cols = tuple(frame.columns)
    for k, want in KINDS.items():
        if cols == want:
            return k
    return None


def _check(frame: pd.DataFrame, source: str) -> None:
    kind = kind_of(frame)
    if kind in ("forecast", "paths"):
        from forecast import schema

        (schema.validate_forecast if kind == "forecast" else schema.validate_paths)(
            frame, source=source)


def provenance(fitted=None, scenario=None, **extra: Any) -> dict[str, Any]:
    """Sidecar content: package version, data vintages (dataset id -> vintage and the
    SHA-256 of the bundled file), model settings (:meth:`FittedModels.provenance`),
    the scenario (its JSON object) and any ``extra`` keys."""
    import forecast

    out: dict[str, Any] = {"package": "ca-refugee-planner", "version": forecast.__version__}
    try:
        from forecast import datasets

        vint = {}
        for _, r in datasets.list_datasets().iterrows():
            p = datasets.bundled_path(r["file"])
            vint[r["id"]] = {"vintage": r["vintage"], "file": r["file"],
                             "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
        out["data_vintages"] = vint
    except (OSError, SchemaError) as exc:  # a missing bundled file must not block an export
        out["data_vintages"] = {"error": f"{type(exc).__name__}: {exc}"}
    if fitted is not None:
        out["model"] = fitted.provenance()
    if scenario is not None:
        out["scenario"] = scenario.to_dict()
    out.update(extra)
    return out


def csv_text(frame: pd.DataFrame, dialect: str | CsvDialect = TIDY) -> str:
    """``frame`` as CSV text in ``dialect`` (:mod:`forecast.csv_dialect`: ``tidy`` or
    ``excel-ru``), formula prefixes neutralised; without the byte order mark."""
    d = get_dialect(dialect)
    safe = neutralise_formulas(frame)
    return safe.to_csv(index=False, sep=d.sep, decimal=d.decimal, date_format=d.date_format,
                       lineterminator="\n", quoting=csv_quoting(safe))


def csv_bytes(frame: pd.DataFrame, dialect: str | CsvDialect = TIDY) -> bytes:
    """``frame`` as the bytes of a CSV file in ``dialect`` (the BOM included when the
    dialect has one): what the app's download buttons serve."""
    d = get_dialect(dialect)
    return csv_text(frame, d).encode(d.encoding)


def write_csv(frame: pd.DataFrame, path: str | Path, provenance: dict | None = None,
              overwrite: bool = False, dialect: str | CsvDialect = TIDY) -> Path:
    """Write ``frame`` as CSV at ``path`` and its provenance as ``path + ".json"``.

    ``dialect``: ``tidy`` (default; :func:`read_csv` reads it back exactly) or ``excel-ru``
    (``;``, decimal comma, UTF-8 with BOM; :mod:`forecast.csv_dialect`), named in the
    sidecar. Forecast and paths frames are validated first. Raises ``FileExistsError`` if
    either file exists and ``overwrite`` is False. Returns the CSV path.
    """
    p = Path(path)
    side = p.with_name(p.name + ".json")
    for f in (p, side):
        if f.exists() and not overwrite:
            raise FileExistsError(f"{f} exists; pass overwrite=True (--force) to replace it")
    _check(frame, str(p))
    d = get_dialect(dialect)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(csv_bytes(frame, d))
    meta = dict(provenance or {})
    meta.setdefault("file", p.name)
    meta["csv_dialect"] = {"name": d.name, "sep": d.sep, "decimal": d.decimal,
                           "encoding": d.encoding}
    meta["rows"] = len(frame)
    meta["columns"] = list(frame.columns)
    side.write_text(json.dumps(meta, indent=2, default=str) + "\n", encoding="utf-8")
    return p


def read_csv(path: str | Path) -> pd.DataFrame:
    """Read a CSV written by :func:`write_csv`: ``ds`` parsed to datetime64[ns],
    ``series_id``/``model``/``scenario`` as str, ``path`` as int64, numbers float64."""
    p = Path(path)
    if not p.is_file():
        raise SchemaError(f"{p}: file not found")
    # round_trip: pandas' default (fast) float parser can miss the last digit (pandas 2.x)
    df = pd.read_csv(p, dtype={c: str for c in _STR}, keep_default_na=True,
                     float_precision="round_trip")
    if "ds" in df.columns:
        try:
            df["ds"] = pd.to_datetime(df["ds"], format="%Y-%m-%d").astype("datetime64[ns]")
        except (ValueError, TypeError) as exc:
            raise SchemaError(f"{p}: column 'ds' is not ISO dates (YYYY-MM-DD): {exc}") from None
    for c in _INT:
        if c in df.columns:
            df[c] = df[c].astype("int64")
    for c in df.columns:
        if c not in (*_STR, "ds", *_INT) and df[c].dtype != bool and np.issubdtype(
                df[c].dtype, np.number):
            df[c] = df[c].astype(float)
    return df


def read_provenance(path: str | Path) -> dict:
    """The JSON sidecar of a CSV written by :func:`write_csv`."""
    p = Path(path)
    side = p.with_name(p.name + ".json")
    if not side.is_file():
        raise SchemaError(f"{side}: provenance sidecar not found")
    return json.loads(side.read_text(encoding="utf-8"))
