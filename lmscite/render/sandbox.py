"""Where a user's `--template` runs: Jinja2's immutable sandbox, bounded in what it reads and uses.

A template is code, and may come from someone else.  The sandbox keeps it
from Python's internals and from changing the data; this module also keeps
it from reading files it was not given and from running or growing without
end:

- it reads its own file, lmscite's templates (``lmscite/...``) and, only
  when one is given, the files inside the template folder, where a symlink
  that leads outside the folder is not found;
- it runs for at most `TemplateLimits.seconds`: a timer (in the main thread)
  stops it anywhere, and its `range`s, calls, attribute look-ups and
  operators check the clock too, which also holds in other threads;
- `*` and `**` that would make a value larger than the memory limit are
  refused before they run; beyond that the process's address space may
  grow by at most `TemplateLimits.memory` while the template runs (on
  Linux), so a filter such as ``center(10**9)`` fails with MemoryError;
- the page may have at most `TemplateLimits.output` characters.

Any of these stops the export with one error line (`render_bounded`).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, Environment, FileSystemLoader, TemplateNotFound
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment, safe_range

from lmscite.render import TemplateLimits


class TemplateLimitError(BaseException):
    """A template went past one of its limits.

    A BaseException, so that no ``except Exception`` inside Jinja2 or a
    filter can swallow it when the timer raises it there.
    """


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox with a clock and a size check on the operators that multiply."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, limits: TemplateLimits, **options: Any) -> None:
        super().__init__(**options)
        self.limits = limits
        self.deadline = float("inf")
        self.globals["range"] = self._range

    def check_clock(self) -> None:
        if time.monotonic() > self.deadline:
            raise TemplateLimitError(f"it ran for longer than {self.limits.seconds:g} s")

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self.check_clock()
        if _grown_size(operator, left, right) > self.limits.memory:
            raise TemplateLimitError(f"`{operator}` would make a value larger than the memory limit "
                                     f"({self.limits.memory:,} bytes)")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 (Jinja2's)
        __self.check_clock()
        return super().call(__context, __obj, *args, **kwargs)

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.check_clock()
        return super().getattr(obj, attribute)

    def _range(self, *args: int) -> ClockedRange:
        return ClockedRange(safe_range(*args), self.check_clock)


class ClockedRange:
    """A range (at most Jinja2's MAX_RANGE long) whose loops look at the clock at every step."""

    def __init__(self, numbers: range, check: Callable[[], None]) -> None:
        self._numbers = numbers
        self._check = check

    def __iter__(self) -> Iterator[int]:
        for number in self._numbers:
            self._check()
            yield number

    def __len__(self) -> int:
        return len(self._numbers)

    def __getitem__(self, index: Any) -> Any:
        return self._numbers[index]

    def __contains__(self, item: Any) -> bool:
        return item in self._numbers

    def __repr__(self) -> str:
        return repr(self._numbers)


def _grown_size(operator: str, left: Any, right: Any) -> int:
    """Roughly how many bytes `left operator right` makes, without making it."""
    if operator == "*":
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, (str, bytes, list, tuple)) and isinstance(times, int):
                return len(seq) * max(times, 0) * (1 if isinstance(seq, (str, bytes)) else 8)
        return 0
    if isinstance(left, int) and isinstance(right, int) and right > 0:
        return left.bit_length() * right // 8
    return 0


class TemplateFile(BaseLoader):
    """The user's template itself, read from the file they named, under its file name."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        if template != self.path.name:
            raise TemplateNotFound(template)
        return self.path.read_text(encoding="utf-8"), str(self.path), lambda: True


class TemplateFolder(FileSystemLoader):
    """Files inside one folder; a symlink leading outside it is refused (paths with ".." are not found)."""

    def __init__(self, folder: Path) -> None:
        self.root = os.path.realpath(folder)
        super().__init__(self.root, followlinks=False)

    def get_source(self, environment: Environment, template: str) -> tuple[str, str | None, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        real = os.path.realpath(filename)
        if os.path.commonpath([real, self.root]) != self.root:
            raise SecurityError(f"{template} leads outside the template folder")
        return source, filename, uptodate


def render_bounded(template: Any, context: dict[str, Any], limits: TemplateLimits) -> str:
    """Render a sandboxed template within its limits; TemplateLimitError or MemoryError when past one."""
    pieces: list[str] = []
    size = 0
    with bounded(template.environment, limits):
        for piece in template.generate(context):
            size += len(piece)
            if size > limits.output:
                raise TemplateLimitError(f"the page would be longer than {limits.output:,} characters")
            pieces.append(piece)
        return "".join(pieces)


@contextmanager
def bounded(environment: BoundedSandbox, limits: TemplateLimits) -> Iterator[None]:
    """Run the block within the template's time and memory limits: compiling it as well as rendering.

    Compiling counts, because Jinja2 evaluates filters on constants then
    (``"x"|center(10**9)``).
    """
    environment.deadline = time.monotonic() + limits.seconds
    try:
        with _timer(limits.seconds), _address_space(limits.memory):
            yield
    finally:
        environment.deadline = float("inf")


@contextmanager
def _timer(seconds: float) -> Iterator[None]:
    """Stop the template wherever it is after `seconds`; only the main thread can take the signal."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expired(_signal: int, _frame: Any) -> None:
        raise TemplateLimitError(f"it ran for longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _address_space(extra: int) -> Iterator[None]:
    """Let the process's address space grow by at most `extra` bytes (where the OS tells its size)."""
    try:
        import resource
    except ImportError:
        yield
        return
    used = _address_space_used()
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if used is None:
        yield
        return
    cap = used + extra
    for limit in (soft, hard):
        if limit != resource.RLIM_INFINITY:
            cap = min(cap, limit)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _address_space_used() -> int | None:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")
