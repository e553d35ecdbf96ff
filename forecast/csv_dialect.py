"""CSV dialects: the tidy one for analysts and the one Russian Excel reads and writes.

One home for the dialect definitions: the exports (:func:`forecast.export.write_csv`,
:func:`forecast.export.csv_bytes`) write them and the upload page reads them.

- ``tidy``: ``,`` separator, ``.`` decimal point, UTF-8 without a byte order mark, ISO
  dates (``2026-05-01``): the long files of docs/architecture.md.
- ``excel-ru``: ``;`` separator, ``,`` decimal comma, UTF-8 with a byte order mark (so
  Excel in a Russian locale opens the Cyrillic text and splits the columns on a
  double-click); dates stay ISO 8601, which Excel reads as dates in every locale.
"""

from __future__ import annotations

from dataclasses import dataclass

from forecast.errors import SchemaError


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV file is written: ``sep`` (field separator), ``decimal`` (decimal sign),
    ``encoding`` (Python codec; ``utf-8-sig`` writes the byte order mark),
    ``date_format`` (strftime of date cells)."""

    name: str
    sep: str
    decimal: str
    encoding: str
    date_format: str = "%Y-%m-%d"

    @property
    def bom(self) -> bool:
        return self.encoding == "utf-8-sig"


TIDY = CsvDialect("tidy", sep=",", decimal=".", encoding="utf-8")
EXCEL_RU = CsvDialect("excel-ru", sep=";", decimal=",", encoding="utf-8-sig")
DIALECTS: dict[str, CsvDialect] = {d.name: d for d in (TIDY, EXCEL_RU)}
"""Dialect name -> definition (the names the command line's ``--dialect`` takes)."""
BOM = b"\xef\xbb\xbf"
"""The UTF-8 byte order mark."""


def get_dialect(name: str | CsvDialect) -> CsvDialect:
    """A dialect by name (or itself); :class:`SchemaError` names the known ones."""
    if isinstance(name, CsvDialect):
        return name
    try:
        return DIALECTS[name]
    except KeyError:
        raise SchemaError(f"unknown CSV dialect {name!r}: use one of "
                         f"{', '.join(DIALECTS)}") from None
