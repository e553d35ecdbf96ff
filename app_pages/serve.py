"""``python -m app_pages.serve [streamlit options]``: serve the planner (``app.py``), with
the first page's libraries imported while the server starts.

``streamlit run app.py`` imports what the app needs (pandas, NumPy, Altair, the
``forecast`` and ``planner`` packages) inside the first visitor's first run: about 2 s
of that visitor's wait on a 2-core machine (``benchmarks/app_latency.py``). This
launcher starts those imports on a background thread and runs Streamlit's own command
line (``streamlit.web.cli``, as ``python -m streamlit run app.py`` does) at once, so
the server answers as soon as before; a visitor who arrives while an import is still
running waits on the same module lock, never longer. Only modules without Streamlit
code are imported here (a Streamlit cache made outside the server's runtime would use
another store); the later pages' modules are warmed after the first page is drawn
(:func:`app_pages.services.warm_up`).

``./dev.sh run`` and the browser tests use this launcher; ``streamlit run app.py``
still works, with a slower first visit.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app.py"
PRELOAD = ("numpy", "pandas", "altair", "forecast.vocabulary", "forecast.datasets",
           "forecast.scenarios", "forecast.threads", "planner.pipeline", "planner.i18n",
           "planner.freshness")
"""What the first page imports that is slow and holds no Streamlit code, in import order."""

LOG = logging.getLogger(__name__)


def preload(modules: tuple[str, ...] = PRELOAD) -> list[str]:
    """Import ``modules`` in order; returns those that failed (logged, never raised: the
    app's own run reports a real import error to the visitor)."""
    failed = []
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - a preload must never stop the server
            LOG.warning("preload of %s failed: %s", name, exc)
            failed.append(name)
    return failed


def main(argv: list[str] | None = None) -> None:
    """Start the preload thread, then ``streamlit run app.py`` with ``argv`` as options."""
    threading.Thread(target=preload, name="planner-preload", daemon=True).start()
    from streamlit.web import cli

    args = list(sys.argv[1:] if argv is None else argv)
    cli.main(["run", str(APP), *args], prog_name="streamlit")


if __name__ == "__main__":
    main()
