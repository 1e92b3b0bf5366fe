"""The one place that talks to the terminal: messages on stderr, data on stdout.

Colour, tables and progress bars appear only on a terminal and never when
`NO_COLOR` is set; piped output is plain text a script can read.  rich is
imported only when something is drawn, to keep `lmscite --help` fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import orjson

PROG = "lmscite"


class _State:
    quiet = False


def set_quiet(quiet: bool) -> None:
    _State.quiet = quiet


def _stderr_is_tty() -> bool:
    return sys.stderr.isatty()


def stdout_is_tty() -> bool:
    return sys.stdout.isatty()


def colour() -> bool:
    return "NO_COLOR" not in os.environ and _stderr_is_tty()


def info(message: str) -> None:
    """A message for the user (summary lines); silenced by --quiet."""
    if not _State.quiet:
        print(message, file=sys.stderr)


def warn(message: str) -> None:
    print(f"{PROG}: warning: {message}", file=sys.stderr)


def error(message: str) -> None:
    """The single line an error gets; always printed, even with --quiet."""
    first = message.strip().splitlines()[0] if message.strip() else "unknown error"
    print(f"{PROG}: error: {first}", file=sys.stderr)


def out(text: str = "") -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def out_json(value: Any) -> None:
    sys.stdout.buffer.write(orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n")
    sys.stdout.flush()


def out_jsonl(values: Sequence[Any]) -> None:
    write = sys.stdout.buffer.write
    for value in values:
        write(orjson.dumps(value) + b"\n")
    sys.stdout.flush()


def table(columns: Sequence[str], rows: Sequence[Sequence[str]], *, title: str | None = None,
          plain: bool = False) -> None:
    """A table on a terminal; tab-separated lines with a header elsewhere (or when `plain`)."""
    if stdout_is_tty() and not plain:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        grid = Table(title=title, show_lines=False, header_style="bold")
        for name in columns:
            grid.add_column(name, overflow="fold")
        for row in rows:
            grid.add_row(*(Text(cell) for cell in row))
        Console(no_color="NO_COLOR" in os.environ, highlight=False).print(grid)
        return
    out("\t".join(columns))
    for row in rows:
        out("\t".join(cell.replace("\t", " ").replace("\n", " ") for cell in row))


@contextmanager
def progress(label: str, total: int) -> Iterator[Any]:
    """A progress bar on stderr for long runs on a terminal; a no-op otherwise.

    Yields a callable taking the number of items just done.
    """
    if _State.quiet or not _stderr_is_tty() or total < 2:
        yield lambda done=1: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TimeRemainingColumn,
    )

    with Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), console=Console(stderr=True, no_color=not colour()),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done=1: bar.advance(task, done)
