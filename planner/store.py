"""Saved plans that last: named plans and their summary results in one SQLite file.

An office keeps its named scenarios (each a full :class:`planner.pipeline.PlanSpec`)
and the summary results computed when they were saved in a small embedded database,
``planner.sqlite``, in a folder the operator chooses:

* ``PLANNER_STORE_DIR`` (environment variable), else
* the per-user data folder: ``$XDG_DATA_HOME/ca-refugee-planner`` (default
  ``~/.local/share/ca-refugee-planner``), ``%LOCALAPPDATA%\\ca-refugee-planner`` on
  Windows.

The folder is set by whoever runs the server, never built from what a browser sends.
Several app servers (or people) may share the file: every write is one transaction
(``BEGIN IMMEDIATE``) and a busy file is waited for (``busy_timeout``, 10 s). The file
uses SQLite's default rollback journal, not WAL, so it also works on a shared network
folder (WAL needs shared memory on one machine: https://www.sqlite.org/wal.html).

Everything stored is text: the plan as its JSON (``PlanSpec.to_json``) and each result
frame as CSV, never pickle. A file that is not a planner store (corrupt, or another
program's database) is refused with a one-line :class:`StoreError` naming the file, and
is never written to.

``planner`` never imports streamlit; the app's Compare page is one user of this module.
"""

from __future__ import annotations

import io
import json
import os
import re
import sqlite3
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from forecast.errors import ForecastError
from planner.pipeline import PlanSpec

STORE_ENV = "PLANNER_STORE_DIR"
"""Environment variable: the folder that holds the store file."""
APP_DIR = "ca-refugee-planner"
STORE_FILE = "planner.sqlite"
APPLICATION_ID = 0x43415250  # "CARP": marks the file as ours (PRAGMA application_id)
SCHEMA_VERSION = 1  # PRAGMA user_version
BUSY_TIMEOUT_S = 10.0
NAME_MAX = 80
RESULTS_MAX_CHARS = 5_000_000  # all result frames of one plan, as CSV text
_NAME_RE = re.compile(r"[\w .,:;()\[\]+\-–—'%/&#]+")  # \w: letters of any script, digits, _

_SCHEMA = """
CREATE TABLE plans (
    name       TEXT PRIMARY KEY COLLATE NOCASE,
    spec_json  TEXT NOT NULL,
    results    TEXT NOT NULL,   -- JSON object: part name -> CSV text
    data_token TEXT NOT NULL,   -- content token of the data the results were computed on
    note       TEXT NOT NULL,
    saved_at   TEXT NOT NULL    -- ISO 8601, UTC
);
"""


class StoreError(ForecastError):
    """The store cannot be used as asked (names the file, and the plan if any)."""


@dataclass(frozen=True)
class Entry:
    """One saved plan as listed: ``name``, ``saved_at`` (ISO 8601 UTC), ``scenario``
    (the scenario's description), ``host`` (ISO3), ``horizon`` (months), ``data_token``,
    ``note``."""

    name: str
    saved_at: str
    scenario: str
    host: str
    horizon: int
    data_token: str
    note: str


@dataclass(frozen=True)
class SavedPlan:
    """A loaded plan: its :class:`PlanSpec` and the result frames saved with it
    (``results``: part name -> frame, read back from CSV; dates stay ISO text)."""

    name: str
    spec: PlanSpec
    results: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    data_token: str = ""
    note: str = ""
    saved_at: str = ""


def default_dir() -> Path:
    """The per-user data folder of the planner (see the module docstring)."""
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / APP_DIR
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / APP_DIR


def store_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The folder of the store: ``PLANNER_STORE_DIR`` if set, else :func:`default_dir`."""
    env = os.environ if environ is None else environ
    value = (env.get(STORE_ENV) or "").strip()
    return Path(value).expanduser() if value else default_dir()


def check_name(name: Any) -> str:
    """A valid plan name, or :class:`StoreError` saying why not: 1-80 characters of
    letters (any script), digits, spaces and ``_ . , : ; ( ) [ ] + - – — ' % / & #``, with
    at least one letter or digit and no space at either end."""
    if not isinstance(name, str):
        raise StoreError(f"a plan name must be text, got {type(name).__name__}")
    if not name or name != name.strip():
        raise StoreError(f"plan name {name[:NAME_MAX]!r}: must not be empty nor start or end "
                         "with a space")
    if len(name) > NAME_MAX:
        raise StoreError(f"plan name {name[:NAME_MAX]!r}...: longer than {NAME_MAX} characters")
    if not _NAME_RE.fullmatch(name) or not any(c.isalnum() for c in name):
        bad = sorted({c for c in name if not _NAME_RE.fullmatch(c)})
        raise StoreError(f"plan name {name!r}: use letters, digits, spaces and _ . , : ; ( ) "
                         f"[ ] + - – — ' % / & #" + (f" (not {''.join(bad)!r})" if bad else ""))
    return name


def _frames_to_text(results: Mapping[str, pd.DataFrame] | None) -> str:
    parts = {}
    for part, frame in (results or {}).items():
        if not isinstance(part, str) or not part:
            raise StoreError(f"result part names must be non-empty text, got {part!r}")
        if not isinstance(frame, pd.DataFrame):
            raise StoreError(f"result {part!r}: must be a DataFrame, got {type(frame).__name__}")
        parts[part] = frame.to_csv(index=False, date_format="%Y-%m-%d")
    text = json.dumps(parts, ensure_ascii=False)
    if len(text) > RESULTS_MAX_CHARS:
        raise StoreError(f"results of {len(text):,} characters are larger than the "
                         f"{RESULTS_MAX_CHARS:,} a saved plan keeps; save summaries, not paths")
    return text


class Store:
    """The plans saved in ``folder / planner.sqlite`` (``folder``: :func:`store_dir` if
    None). Each call opens its own connection, so one object serves many threads."""

    def __init__(self, folder: str | os.PathLike | None = None):
        self.folder = Path(folder) if folder is not None else store_dir()
        self.path = self.folder / STORE_FILE

    def __repr__(self) -> str:
        return f"Store({str(self.folder)!r})"

    # ------------------------------------------------------------ connection
    def _fail(self, exc: BaseException, what: str = "") -> StoreError:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "locked" in msg or "busy" in msg:
            msg = f"busy (another user is writing; waited {BUSY_TIMEOUT_S:g} s)"
        elif isinstance(exc, sqlite3.DatabaseError) and "not a database" in msg:
            msg = "not a planner store (not an SQLite database, or damaged); left untouched"
        return StoreError(f"plan store {self.path}{what}: {msg}")

    @contextmanager
    def _connect(self, write: bool) -> Iterator[sqlite3.Connection | None]:
        """A checked connection (None: reading a store that does not exist yet).
        Writing: one ``BEGIN IMMEDIATE`` transaction, committed on success."""
        if not write and not self.path.exists():
            yield None
            return
        if self.path.exists() and not self.path.is_file():
            raise StoreError(f"plan store {self.path}: not a file")
        try:
            if write:
                self.folder.mkdir(parents=True, exist_ok=True)
            con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise self._fail(exc) from None
        try:
            con.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            if write:
                con.execute("BEGIN IMMEDIATE")
            ready = self._check(con, write)
            yield con if ready else None
            if write:
                con.execute("COMMIT")
        except sqlite3.Error as exc:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise self._fail(exc) from None
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise
        finally:
            con.close()

    def _check(self, con: sqlite3.Connection, write: bool) -> bool:
        """True when the file is a planner store (created here if it is a new, empty
        file and we are writing); a foreign or newer file raises :class:`StoreError`."""
        app_id = con.execute("PRAGMA application_id").fetchone()[0]
        version = con.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
        if app_id == APPLICATION_ID:
            if version > SCHEMA_VERSION:
                raise StoreError(f"plan store {self.path}: written by a newer planner (schema "
                                 f"{version}, this one reads {SCHEMA_VERSION}); left untouched")
            if "plans" not in tables:
                raise StoreError(f"plan store {self.path}: damaged (no table 'plans'); left "
                                 "untouched")
            return True
        if app_id == 0 and not tables:  # a new (or empty) file
            if not write:
                return False
            con.execute(_SCHEMA)
            con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            return True
        raise StoreError(f"plan store {self.path}: another program's database (not a planner "
                         "store); left untouched. Set PLANNER_STORE_DIR to another folder")

    # ------------------------------------------------------------ operations
    def save(self, name: str, spec: PlanSpec, results: Mapping[str, pd.DataFrame] | None = None,
             *, data_token: str = "", note: str = "", overwrite: bool = False) -> Entry:
        """Save ``spec`` (and its result frames, as CSV text) under ``name``. A name in use
        (ignoring case) is refused unless ``overwrite``."""
        name = check_name(name)
        if not isinstance(spec, PlanSpec):
            raise StoreError(f"plan {name!r}: spec must be a PlanSpec, got {type(spec).__name__}")
        row = (name, spec.to_json(), _frames_to_text(results), str(data_token), str(note),
               datetime.now(UTC).isoformat(timespec="seconds"))
        with self._connect(write=True) as con:
            old = con.execute("SELECT name FROM plans WHERE name = ?", (name,)).fetchone()
            if old is not None and not overwrite:
                raise StoreError(f"plan store {self.path}: a plan named {old[0]!r} exists; "
                                 "choose another name or overwrite it")
            if old is not None:
                con.execute("DELETE FROM plans WHERE name = ?", (name,))
            con.execute("INSERT INTO plans (name, spec_json, results, data_token, note, "
                        "saved_at) VALUES (?, ?, ?, ?, ?, ?)", row)
        return self._entry(row)

    def _entry(self, row) -> Entry:
        name, spec_json, _, token, note, saved_at = row
        try:
            spec = json.loads(spec_json)
            sc, f = spec.get("scenario", {}), spec.get("forecast", {})
            return Entry(name, saved_at, str(sc.get("description") or sc.get("name", "")),
                         str(f.get("host", "")), int(f.get("horizon", 0)), token, note)
        except (ValueError, TypeError, AttributeError):
            raise StoreError(f"plan store {self.path}: plan {name!r} is damaged (its plan is "
                             "not JSON)") from None

    def list(self) -> list[Entry]:
        """Every saved plan, newest first."""
        with self._connect(write=False) as con:
            if con is None:
                return []
            rows = con.execute("SELECT name, spec_json, '', data_token, note, saved_at "
                               "FROM plans ORDER BY saved_at DESC, name").fetchall()
        return [self._entry(r) for r in rows]

    def names(self) -> list[str]:
        return [e.name for e in self.list()]

    def load(self, name: str) -> SavedPlan:
        """The plan saved under ``name`` (ignoring case), validated as a PlanSpec."""
        with self._connect(write=False) as con:
            row = None if con is None else con.execute(
                "SELECT name, spec_json, results, data_token, note, saved_at FROM plans "
                "WHERE name = ?", (str(name),)).fetchone()
        if row is None:
            raise StoreError(f"plan store {self.path}: no plan named {str(name)[:NAME_MAX]!r}")
        stored, spec_json, results, token, note, saved_at = row
        where = f"plan store {self.path}: plan {stored!r}"
        try:
            spec = PlanSpec.from_dict(json.loads(spec_json), source=where)
            parts = json.loads(results)
            frames = {k: pd.read_csv(io.StringIO(v)) if v.strip() else pd.DataFrame()
                      for k, v in parts.items()}
        except ForecastError as exc:
            raise StoreError(str(exc)) from None
        except (ValueError, TypeError, AttributeError, pd.errors.ParserError) as exc:
            raise StoreError(f"{where}: damaged ({str(exc).splitlines()[0]})") from None
        return SavedPlan(stored, spec, frames, token, note, saved_at)

    def rename(self, old: str, new: str, *, overwrite: bool = False) -> Entry:
        """Rename a plan; a name in use by another plan is refused unless ``overwrite``."""
        new = check_name(new)
        with self._connect(write=True) as con:
            row = con.execute("SELECT name, spec_json, '', data_token, note, saved_at FROM "
                              "plans WHERE name = ?", (str(old),)).fetchone()
            if row is None:
                raise StoreError(f"plan store {self.path}: no plan named "
                                 f"{str(old)[:NAME_MAX]!r}")
            taken = con.execute("SELECT name FROM plans WHERE name = ?", (new,)).fetchone()
            if taken is not None and taken[0].casefold() != row[0].casefold():
                if not overwrite:
                    raise StoreError(f"plan store {self.path}: a plan named {taken[0]!r} "
                                     "exists; choose another name or overwrite it")
                con.execute("DELETE FROM plans WHERE name = ?", (new,))
            con.execute("UPDATE plans SET name = ? WHERE name = ?", (new, row[0]))
        return self._entry((new, *row[1:]))

    def delete(self, name: str) -> None:
        """Delete a plan (:class:`StoreError` if there is none of that name)."""
        with self._connect(write=True) as con:
            gone = con.execute("DELETE FROM plans WHERE name = ?", (str(name),)).rowcount
            if not gone:
                raise StoreError(f"plan store {self.path}: no plan named "
                                 f"{str(name)[:NAME_MAX]!r}")
