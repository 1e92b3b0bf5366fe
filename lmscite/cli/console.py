"""The one place that talks to the terminal: messages on stderr, data on stdout.

Colour, tables and progress bars appear only on a terminal and never when
`NO_COLOR` is set; piped output is plain text a script can read.  rich is
imported only when something is drawn, to keep `lmscite --help` fast.

Text from records and notes can hold control characters (ESC starts a
terminal escape sequence, OSC ones can retitle the window or forge a link),
bidi overrides and zero-width characters (`review` and `review\\u200b` look
alike).  Whatever reaches a terminal shows them as visible escapes
(`\\x1b`, `\\u202e`): every message, and stdout when it is a terminal (JSON
there gets JSON's own `\\u` escapes, so it still parses to the same data).
Output to a pipe or a file is the exact data.
"""

from __future__ import annotations

import errno
import io
import os
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import orjson

from lmscite.errors import BrokenPipeOutput, InputError, OutputError
from lmscite.wording import LIST_LIMIT, more, shorten

PROG = "lmscite"
MESSAGE_LIMIT = 2000
"""Longest message line, whatever it quotes: lists in messages are capped where they are written."""

_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 but tab and newline, DEL, C1
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"  # Unicode Cf (format characters):
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"  # zero-width, bidi,
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"  # line/paragraph separators (Zl, Zp)
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"  # and the invisible tag characters
    "\ud800-\udfff]"  # lone surrogates (undecodable bytes)
    "|\r(?!\n)"  # a carriage return that is not a line end moves the cursor back over the line
)
"""What a terminal must not get raw (Unicode 15.1's Cf, Zl and Zp; a test checks them against `unicodedata`)."""


class _State:
    quiet = False


def set_quiet(quiet: bool) -> None:
    _State.quiet = quiet


def for_terminal(text: str) -> str:
    """`text` with control, bidi and zero-width characters as visible escapes (`\\x1b`, `\\u202e`)."""
    return _UNSAFE.sub(lambda found: _escape(found.group()), text)


def _escape(char: str) -> str:
    if char == "\r":
        return "\\r"
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _json_for_terminal(data: bytes) -> bytes:
    """JSON with the characters `for_terminal` escapes as JSON `\\u` escapes: the same data, safe to show."""
    text = data.decode("utf-8", "surrogatepass")
    return _UNSAFE.sub(lambda found: _json_escape(found.group()), text).encode("utf-8", "surrogatepass")


def _json_escape(char: str) -> str:
    units = char.encode("utf-16-be", "surrogatepass")
    return "".join(f"\\u{int.from_bytes(units[i:i + 2], 'big'):04x}" for i in range(0, len(units), 2))


def _stderr_is_tty() -> bool:
    return sys.stderr.isatty()


def stdout_is_tty() -> bool:
    return sys.stdout.isatty()


def colour() -> bool:
    return "NO_COLOR" not in os.environ and _stderr_is_tty()


# --- messages (stderr) --------------------------------------------------------


def _message(text: str) -> None:
    lines = [for_terminal(shorten(line, MESSAGE_LIMIT)) for line in text.split("\n")]
    print("\n".join(lines), file=sys.stderr)


def info(message: str) -> None:
    """A message for the user (summary lines); silenced by --quiet."""
    if not _State.quiet:
        _message(message)


def warn(message: str) -> None:
    _message(f"{PROG}: warning: {message}")


def warn_each(messages: Sequence[str], *, what: str = "problems", hint: str = "use --json to see all") -> None:
    """One warning per message, the first `LIST_LIMIT` of them, then how many more there were."""
    for message in messages[:LIST_LIMIT]:
        warn(message)
    hidden = len(messages) - LIST_LIMIT
    if hidden > 0:
        warn(f"... {more(hidden)} {what} ({hint})")


def error(message: str) -> None:
    """The single line an error gets; always printed, even with --quiet."""
    first = message.strip().splitlines()[0] if message.strip() else "unknown error"
    _message(f"{PROG}: error: {first}")


def trace(exc: BaseException) -> None:
    """The traceback of an unexpected error, for LMSCITE_DEBUG=1."""
    import traceback

    _message("".join(traceback.format_exception(exc)).rstrip("\n"))


# --- data (stdout) ------------------------------------------------------------


def out(text: str) -> None:
    """Text on stdout ending in a line end (nothing for ""): UTF-8 to a pipe or file, escaped on a terminal."""
    body = text if not text or text.endswith("\n") else text + "\n"
    if stdout_is_tty():
        body = for_terminal(body)
    _write(body.encode("utf-8", "replace"))


def out_bytes(body: bytes) -> None:
    """Bytes on stdout as they are, except that a terminal gets them as `out` shows text."""
    if stdout_is_tty():
        body = for_terminal(body.decode("utf-8", "replace")).encode("utf-8")
    _write(body)


def out_json(value: Any) -> None:
    _write_json(orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n")


def out_jsonl(values: Sequence[Any]) -> None:
    _write_json(b"".join(orjson.dumps(value) + b"\n" for value in values))


def _write_json(body: bytes) -> None:
    _write(_json_for_terminal(body) if stdout_is_tty() else body)


def _write(body: bytes) -> None:
    sys.stdout.flush()
    sys.stdout.buffer.write(body)
    sys.stdout.flush()


def flush() -> None:
    """Write out what stdout still holds, so that a failure is reported while it can be."""
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
            grid.add_row(*(Text(for_terminal(cell)) for cell in row))
        Console(no_color="NO_COLOR" in os.environ, highlight=False).print(grid)
        return
    lines = ["\t".join(columns)]
    lines.extend("\t".join(cell.replace("\t", " ").replace("\n", " ") for cell in row) for row in rows)
    out("\n".join(lines))


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


# --- stdin ----------------------------------------------------------------------


def read_stdin() -> bytes:
    """All of standard input, as bytes (`-` arguments)."""
    try:
        return sys.stdin.buffer.read()
    except OSError as exc:
        raise InputError(f"cannot read standard input: {exc.strerror}") from None


def stdin_text() -> str:
    """Standard input as text: UTF-8, a byte-order mark dropped."""
    try:
        return read_stdin().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("standard input is not UTF-8 text") from None


# --- the process's own streams ------------------------------------------------


class _Descriptor(io.RawIOBase):
    """A standard descriptor under sys.stdout or sys.stderr that fails once, then drops writes.

    On stdout a failed write (a full disk, a closed descriptor, a reader gone)
    becomes one OutputError for the boundary to report; what is written after
    it, down to Python's own flush at exit, is dropped, so no second error and
    no "Exception ignored" follow.  On stderr a failure is dropped at once:
    there is nowhere left to report it.
    """

    def __init__(self, fd: int, *, report: bool) -> None:
        super().__init__()
        self._fd = fd
        self._report = report
        self._failed = False

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return os.isatty(self._fd)

    def write(self, data: Any) -> int:
        size = len(memoryview(data))
        if self._failed:
            return size
        try:
            return os.write(self._fd, data)
        except OSError as exc:
            self._failed = True
            if self._report:
                raise _output_error(exc) from None
            return size


def _output_error(exc: OSError) -> OutputError:
    if isinstance(exc, BrokenPipeError):
        return BrokenPipeOutput("standard output was closed by the program reading it before "
                                "lmscite finished writing (broken pipe)")
    if exc.errno == errno.EBADF:  # `>&-` closed it, and /dev/null holds it read-only
        return OutputError("cannot write to standard output: it is closed")
    return OutputError(f"cannot write to standard output: {exc.strerror}")


def guard_streams() -> None:
    """Make the process's standard streams safe whatever the shell handed over.

    A descriptor the shell closed (`>&-`, `<&-`, `2>&-`) is taken by /dev/null
    before anything else is opened, or the next file lmscite opens (the
    library, a lock) would get its number and receive the output.  stdin then
    reads as empty, stdout writes fail as "closed" (opened read-only) and
    stderr swallows messages.  A caller that replaced the streams (a test
    capturing them) keeps its own.
    """
    if sys.stdout is not sys.__stdout__ or sys.stderr is not sys.__stderr__ or sys.stdin is not sys.__stdin__:
        return
    for fd, mode in ((0, os.O_RDONLY), (1, os.O_RDONLY), (2, os.O_WRONLY)):
        try:
            os.fstat(fd)
        except OSError:
            held = os.open(os.devnull, mode)
            if held != fd:
                os.dup2(held, fd)
                os.close(held)
    if sys.stdin is None:
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
    sys.stdout = _text_stream(sys.stdout, 1, report=True)
    sys.stderr = _text_stream(sys.stderr, 2, report=False)


def _text_stream(old: Any, fd: int, *, report: bool) -> io.TextIOWrapper:
    if old is not None:
        old.flush()
    raw = _Descriptor(fd, report=report)
    return io.TextIOWrapper(io.BufferedWriter(raw), encoding=getattr(old, "encoding", None) or "utf-8",
                            errors=getattr(old, "errors", None) or "strict",
                            line_buffering=fd == 2 or raw.isatty())
