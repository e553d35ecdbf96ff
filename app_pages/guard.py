"""No traceback reaches a planner: a page's unexpected error becomes one ``st.error`` line.

Project errors (:class:`forecast.errors.ForecastError`, :class:`abm.errors.ABMError`) are
bad input and show their one-line message; any other exception is a bug and shows its type
and first line, while the traceback goes to the server log for the maintainers.
Streamlit's own control flow (``st.rerun``, ``st.stop``) derives from ``BaseException``
and passes through.
"""

from __future__ import annotations

import contextlib
import logging

import streamlit as st

from app_pages.text import _

LOG = logging.getLogger("planner.app")
MAX_CHARS = 300  # longest message shown [characters]


def short(exc: BaseException) -> str:
    """The first line of an error's message, at most :data:`MAX_CHARS` characters."""
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else type(exc).__name__
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 3] + "..."


@contextlib.contextmanager
def page_errors():
    """Run a page body; show what went wrong in one line instead of a traceback."""
    from abm.errors import ABMError
    from forecast.errors import ForecastError

    try:
        yield
    except (ForecastError, ABMError) as exc:
        st.error(_("This page cannot be shown with the data in use: {message}").format(
            message=short(exc)))
    except Exception as exc:  # noqa: BLE001 - a bug: logged in full, shown in one line
        LOG.exception("page error")
        st.error(_("Something went wrong on this page ({kind}: {message}). This is a bug; "
                   "the details are in the server log.").format(kind=type(exc).__name__,
                                                               message=short(exc)))


PROFILE_ENV = "PLANNER_PROFILE_DIR"


@contextlib.contextmanager
def profiled(page: str):
    """With ``PLANNER_PROFILE_DIR`` set (by whoever runs the server, e.g.
    ``benchmarks/app_latency.py --profile DIR``), write one cProfile file per script run
    there, named by the run's start time, its seconds and ``page`` (one of the app's own page paths,
    never text from a browser); otherwise do nothing."""
    import os

    folder = os.environ.get(PROFILE_ENV)
    if not folder:
        yield
        return
    import cProfile
    import time
    from pathlib import Path

    prof = cProfile.Profile()
    start = time.time()
    prof.enable()
    try:
        yield
    finally:
        prof.disable()
        name = f"{start:.3f}-{time.time() - start:.2f}s-{page or 'overview'}.prof"
        prof.dump_stats(Path(folder) / name)
