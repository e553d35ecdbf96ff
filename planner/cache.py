"""Fitted models kept on disk, so a restarted server (or a second one) does not refit.

The two fits of a plan take most of a cold start: every movement model on one series
(:func:`planner.pipeline.fit`, 5-25 s on 2 cores) and the pooled host model
(:func:`planner.pipeline.fit_hosts`, 15-30 s). Their results depend only on the code,
the library versions, the data and the seed, so they are kept as files in a cache
folder the operator chooses:

* ``PLANNER_CACHE_DIR`` (environment variable); ``off`` turns the disk cache off;
* else the per-user cache folder: ``$XDG_CACHE_HOME/ca-refugee-planner`` (default
  ``~/.cache/ca-refugee-planner``), ``%LOCALAPPDATA%\\ca-refugee-planner\\cache`` on
  Windows.

A file's name is a SHA-256 over its kind, the caller's key (series, seed, a content
hash of the data), a fingerprint of this installation (the source of the
``forecast`` and ``planner`` packages, the bundled data files, Python's and the
numerical libraries' versions) and the file format. So any change of code, data or
library gives a new name and an old file is never read for a new question; old files
are simply left (delete the folder at any time: nothing else lives in it).

The files are pickles, because fitted statsmodels, Prophet and LightGBM objects have no
common text form. A pickle runs code when read, so the folder must be writable only by
whoever runs the server (like the server's own code); its path comes from the
operator's environment, never from a browser. A file that cannot be read (truncated,
corrupt, from another program) is ignored and refitted, with a log line; a folder that
cannot be written leaves the cache off, with a log line. Writes go to a temporary file
renamed into place (readers never see half a file), and a per-file lock (``fcntl``,
where there is one) makes a second process wait for the first one's fit instead of
fitting the same thing twice.

``planner`` never imports streamlit; the app's services are the user of this module.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

LOG = logging.getLogger(__name__)
APP_DIR = "ca-refugee-planner"
ENV = "PLANNER_CACHE_DIR"
OFF = "off"
FORMAT = 1
"""Bumped when the file layout changes."""
LIBRARIES = ("numpy", "pandas", "scipy", "statsmodels", "prophet", "cmdstanpy", "lightgbm",
             "scikit-learn")
"""Libraries whose objects are inside the pickles (their versions are in the fingerprint)."""
_PACKAGES = ("forecast", "planner")
_SUFFIXES = (".py", ".csv", ".json")


def default_dir() -> Path:
    """The per-user cache folder of this platform."""
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / APP_DIR / "cache"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / APP_DIR


def cache_dir(environ: Mapping[str, str] | None = None) -> Path | None:
    """The cache folder in use (``None``: the disk cache is off)."""
    env = os.environ if environ is None else environ
    chosen = env.get(ENV, "").strip()
    if chosen.lower() == OFF:
        return None
    return Path(chosen).expanduser() if chosen else default_dir()


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """SHA-256 of everything a fitted model depends on besides its inputs: the source
    and data files of ``forecast`` and ``planner`` (their bytes, by relative path), the
    Python version and the versions of :data:`LIBRARIES`. Computed once per process."""
    h = hashlib.sha256(f"format {FORMAT}; python {sys.version}".encode())
    for lib in LIBRARIES:
        try:
            v = metadata.version(lib)
        except metadata.PackageNotFoundError:
            v = "-"
        h.update(f"; {lib} {v}".encode())
    root = Path(__file__).resolve().parents[1]
    for pkg in _PACKAGES:
        for p in sorted((root / pkg).rglob("*")):
            if p.suffix in _SUFFIXES and p.is_file() and "__pycache__" not in p.parts:
                h.update(str(p.relative_to(root)).encode())
                h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` (created if missing) where ``fcntl`` exists."""
    try:
        import fcntl
    except ImportError:  # Windows: no lock; two processes may both fit, one file wins
        yield
        return
    with open(path, "a+b") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


class FitCache:
    """Results kept as files in ``folder`` (``None``: nothing kept, every call computes)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        if folder is not None:
            try:
                folder.mkdir(parents=True, exist_ok=True)
                probe = tempfile.NamedTemporaryFile(dir=folder, delete=True)
                probe.close()
            except OSError as e:
                LOG.warning("planner cache: folder %s cannot be written (%s); fits are not "
                            "kept on disk", folder, e)
                self.folder = None

    def path(self, kind: str, key: tuple) -> Path | None:
        """The file that holds ``kind`` for ``key`` (``None``: the cache is off)."""
        if self.folder is None:
            return None
        digest = hashlib.sha256(repr((kind, key, fingerprint())).encode()).hexdigest()[:32]
        return self.folder / f"{kind}-{digest}.pickle"

    def _read(self, path: Path):
        try:
            with open(path, "rb") as f:
                return True, pickle.load(f)
        except FileNotFoundError:
            return False, None
        except Exception as e:  # noqa: BLE001 - a bad file is refitted, never fatal
            LOG.warning("planner cache: %s cannot be read (%s: %s); fitting again",
                        path, type(e).__name__, e)
            return False, None

    def _write(self, path: Path, value) -> None:
        try:
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pickle")
            try:
                with os.fdopen(fd, "wb") as f:
                    pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except (OSError, pickle.PicklingError, TypeError, AttributeError) as e:
            LOG.warning("planner cache: %s not written (%s: %s)", path, type(e).__name__, e)

    def get(self, kind: str, key: tuple, compute: Callable[[], T]) -> T:
        """The kept result of ``kind`` for ``key``, else ``compute()`` (then kept).

        ``key``: what the result depends on besides the installation (e.g. series id,
        seed, a content hash of the data), as a tuple of plain values."""
        path = self.path(kind, key)
        if path is None:
            return compute()
        found, value = self._read(path)
        if found:
            return value
        with _locked(path.with_suffix(".lock")):
            found, value = self._read(path)  # another process may have fitted it meanwhile
            if found:
                return value
            value = compute()
            self._write(path, value)
        return value


def fit_cache(environ: Mapping[str, str] | None = None) -> FitCache:
    """The cache of :func:`cache_dir`."""
    return FitCache(cache_dir(environ))
