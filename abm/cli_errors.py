"""The one error convention of the ``abm`` command lines (``abm`` and ``abm network``).

Every refusal, whether a project error or a usage error caught by click (a missing
argument, text where a number goes), is one line ``abm: error: ...`` on stderr with
exit code 2. Values are checked before any run starts and before any file is written.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import typer
from typer.core import TyperGroup

try:  # typer >= 0.26 vendors click as typer._click; older typer uses click itself
    from typer import _click as click
except ImportError:  # pragma: no cover
    import click

from abm.errors import ABMError, ConfigError, _one_line


def fail(message: str) -> None:
    """Print ``abm: error: <message>`` (one short line) and exit with code 2."""
    print(f"abm: error: {_one_line(message)}", file=sys.stderr)
    raise typer.Exit(code=2)


def one_line_errors(fn):
    """Turn an :class:`ABMError` into one line ``abm: error: ...`` on stderr and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ABMError as err:
            fail(str(err))

    return wrapper


class OneLineGroup(TyperGroup):
    """A Typer group whose usage errors print as ``abm: error: ...`` (one line, exit code 2)."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            rv = super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                              standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as err:
            print(err.format_message(), file=sys.stderr)
            rv = 2
        except click.ClickException as err:
            hint = f" (see '{err.ctx.command_path} --help')" if getattr(err, "ctx", None) else ""
            print(f"abm: error: {_one_line(err.format_message())}{hint}", file=sys.stderr)
            rv = 2
        except typer.Abort:
            print("abm: error: aborted", file=sys.stderr)
            rv = 1
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)


def check_int(value: int, bound: str, flag: str) -> int:
    """An integer option checked against ``abm.schema.BOUNDS[bound]``, naming ``flag``."""
    from abm.schema import check_number

    try:
        return check_number(value, bound, flag, integer=True)
    except ConfigError as err:
        raise ConfigError(str(err)) from None


def check_new_file(path: Path, flag: str, force: bool) -> None:
    """Refuse (before any run) an output file that exists, or its ``.json`` sidecar, unless ``force``;
    refuse a directory where a file goes."""
    path = Path(path)
    if path.is_dir():
        raise ABMError(f"{flag} {path}: is a directory; give a file name")
    side = path.with_name(path.name + ".json")
    for p in (path, side):
        if p.exists() and not force:
            raise ABMError(f"{flag} {p}: file exists (use --force to replace it)")
