"""The `lmscite` command: parse arguments, call the library, print, map errors to exit codes.

Each command group lives in its own module and registers itself on `app`;
library modules are imported inside the commands so that `lmscite --help`
stays fast.  Only this package prints: `console` is the one place that
writes to the terminal.

May import: everything in lmscite; nothing imports it.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from lmscite import __version__
from lmscite.cli import annotate as _annotate  # noqa: F401
from lmscite.cli import check as _check  # noqa: F401
from lmscite.cli import export as _export  # noqa: F401
from lmscite.cli import fetch as _fetch  # noqa: F401  (each import registers commands)
from lmscite.cli import library as _library  # noqa: F401
from lmscite.cli.app import app, forget_libraries, library_changed
from lmscite.cli.console import error, flush, guard_streams, trace
from lmscite.errors import (
    EXIT_BUG,
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    InputError,
    LmsciteError,
    OutputError,
)
from lmscite.wording import shorten

__all__ = ["app", "main"]

_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")
"""Ctrl-C, what `kill` and `timeout` send, and a closed terminal: each ends a command the same way."""


class _Interrupt:
    signal: str | None = None


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
    guard_streams()
    collecting = gc.isenabled()
    gc.disable()
    try:
        with _signals_interrupt():
            code = _run(argv)
    finally:
        if collecting:
            gc.enable()
    sys.exit(code if isinstance(code, int) else 0)


@contextmanager
def _signals_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP arrive as Ctrl-C does (KeyboardInterrupt), so every command's interrupt path runs.

    A signal the caller ignores (`nohup`, a background job's SIGINT) stays
    ignored.  The handlers are put back afterwards, for callers that run
    `main` in their own process (tests).
    """
    _Interrupt.signal = None
    previous = {}
    for name in _SIGNALS:
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) is not signal.SIG_IGN:
            try:
                previous[number] = signal.signal(number, _on_signal)
            except ValueError:  # not the main thread: signals are that thread's to handle
                break
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _on_signal(number: int, _frame: object) -> None:
    _Interrupt.signal = signal.Signals(number).name
    raise KeyboardInterrupt


def _interrupted() -> str:
    named = _Interrupt.signal not in (None, "SIGINT")
    return (f"interrupted ({_Interrupt.signal})" if named else "interrupted") + _saved()


def _saved() -> str:
    """What a command that stopped early left in the library, as far as the library file tells."""
    changed = library_changed()
    if changed is None:
        return ""
    return "; what was saved before it stays saved in the library" if changed else "; the library was not changed"


def _bug(exc: Exception) -> str:
    return (f"unexpected {type(exc).__name__}: {shorten(str(exc))} - a bug in lmscite {__version__}; "
            "please report it with the command you ran (LMSCITE_DEBUG=1 shows where it happened)")


def _run(argv: list[str] | None) -> object:
    args = sys.argv[1:] if argv is None else argv
    forget_libraries()
    try:
        _check_text(args)
        code = app(args=args, prog_name="lmscite", standalone_mode=False)
        flush()
        if code == EXIT_INTERRUPTED:
            error(_interrupted())
    except OutputError as exc:
        error(str(exc) + ("; the library was saved before the output failed" if library_changed() else ""))
        code = exc.exit_code
    except LmsciteError as exc:
        error(str(exc))
        code = exc.exit_code
    except typer.TyperException as exc:
        command = getattr(getattr(exc, "ctx", None), "command_path", "lmscite")
        error(f"{exc.format_message()} (see '{command} --help')")
        code = exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        error(_interrupted())
        code = EXIT_INTERRUPTED
    except MemoryError:
        error("out of memory" + _saved())
        code = EXIT_FAILURE
    except Exception as exc:  # noqa: BLE001  (the catch-all: a bug still ends in one line)
        if os.environ.get("LMSCITE_DEBUG"):
            trace(exc)
        error(_bug(exc))
        code = EXIT_BUG
    return code
