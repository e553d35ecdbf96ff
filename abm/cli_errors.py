"""The one error convention of the ``abm`` command lines (``abm`` and ``abm network``)."""

from __future__ import annotations

import functools
import sys

import typer

from abm.errors import ABMError


def one_line_errors(fn):
    """Turn an :class:`ABMError` into one line ``abm: error: ...`` on stderr and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ABMError as err:
            print(f"abm: error: {err}", file=sys.stderr)
            raise typer.Exit(code=2) from None

    return wrapper
