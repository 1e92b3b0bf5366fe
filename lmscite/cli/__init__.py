"""The `lmscite` command: parse arguments, call the library, print, map errors to exit codes.

Each command group lives in its own module and registers itself on `app`;
library modules are imported inside the commands so that `lmscite --help`
stays fast.  Only this package prints: `console` is the one place that
writes to the terminal.

May import: everything in lmscite; nothing imports it.
"""

from __future__ import annotations

import gc
import sys

import typer

from lmscite.cli import annotate as _annotate  # noqa: F401
from lmscite.cli import check as _check  # noqa: F401
from lmscite.cli import export as _export  # noqa: F401
from lmscite.cli import fetch as _fetch  # noqa: F401  (each import registers commands)
from lmscite.cli import library as _library  # noqa: F401
from lmscite.cli.app import app
from lmscite.cli.console import error
from lmscite.errors import EXIT_INTERRUPTED, InputError, LmsciteError

__all__ = ["app", "main"]


def _check_text(args: list[str]) -> None:
    """Arguments that are not UTF-8 (undecodable bytes) cannot be stored or exported; say so first."""
    for arg in args:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            raise InputError(f"an argument is not UTF-8 text: {arg.encode('utf-8', 'replace')!r}") from None


def main(argv: list[str] | None = None) -> None:
    """Run the CLI inside the single error boundary: one stderr line and an exit code.

    The cyclic garbage collector is paused while the command runs: a command
    builds tens of thousands of records that live until it ends, and the
    collector would walk all of them again and again (a third of the time of
    loading a 10,000-entry library).  Reference counting still frees
    everything that is not in a cycle, and the process ends soon after.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        code = _run(argv)
    finally:
        if collecting:
            gc.enable()
    sys.exit(code if isinstance(code, int) else 0)


def _run(argv: list[str] | None) -> object:
    args = sys.argv[1:] if argv is None else argv
    try:
        _check_text(args)
        code = app(args=args, prog_name="lmscite", standalone_mode=False)
        if code == EXIT_INTERRUPTED:
            error("interrupted")
    except LmsciteError as exc:
        error(str(exc))
        code = exc.exit_code
    except typer.TyperException as exc:
        command = getattr(getattr(exc, "ctx", None), "command_path", "lmscite")
        error(f"{exc.format_message()} (see '{command} --help')")
        code = exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        error("interrupted")
        code = EXIT_INTERRUPTED
    except BrokenPipeError:
        sys.stderr.close()
        code = 0
    return code
