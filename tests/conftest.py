"""Shared fixtures. Each fixture is self-contained; add new ones below."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from eutils_server import FakeEutils


@pytest.fixture
def eutils(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeEutils]:
    """A fake E-utilities server that `lmscite.config.ncbi_settings()` points at.

    It also sets a test e-mail, removes any real API key from the environment
    and gives the rate limiter a state file of its own, so tests neither wait
    on each other nor on lmscite runs elsewhere on the machine.
    """
    with FakeEutils() as server:
        monkeypatch.setenv("LMSCITE_EUTILS_URL", server.url)
        monkeypatch.setenv("NCBI_EMAIL", server.email)
        monkeypatch.delenv("NCBI_API_KEY", raising=False)
        monkeypatch.setattr("lmscite.pubmed.eutils.default_limiter_path", lambda: tmp_path / "eutils-ratelimit")
        yield server


# --- isolation and the in-process CLI runner (shared by every test) ---
import io  # noqa: E402
import sys  # noqa: E402
from dataclasses import dataclass  # noqa: E402

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch, tmp_path):
    """No test reads the user's library, config, NCBI identity or colour settings."""
    monkeypatch.setenv("LMSCITE_DB", str(tmp_path / "library.json"))
    monkeypatch.setenv("LMSCITE_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("NCBI_EMAIL", "tests@example.org")
    monkeypatch.setenv("NO_COLOR", "1")
    for name in ("NCBI_API_KEY", "LMSCITE_EUTILS_URL", "VISUAL", "EDITOR"):
        monkeypatch.delenv(name, raising=False)
    from lmscite.config import _file_settings

    _file_settings.cache_clear()
    yield


@pytest.fixture
def library_path(tmp_path) -> Path:
    return tmp_path / "library.json"


@pytest.fixture
def data() -> Path:
    return DATA


@dataclass
class Result:
    code: int
    out: str
    err: str


ESCAPED = -1
"""The exit code a Result gets when an exception got past lmscite's error boundary."""


@pytest.fixture
def run(monkeypatch, capsysbinary):
    """Run `lmscite ARGS` in this process, as a user would see it: exit code, stdout, stderr.

    LMSCITE_DEBUG is set, so an unexpected exception, which the boundary turns
    into its one "unexpected ..." line and exit 70, also puts its traceback in
    `err`; one that gets past the boundary is caught here the same way, with
    exit code ESCAPED.  Either way the test's own assertions see it.
    """

    def invoke(*args: str, stdin: str | bytes = b"") -> Result:
        import traceback

        from lmscite.cli import main
        from lmscite.cli.console import set_quiet

        raw = stdin.encode() if isinstance(stdin, str) else stdin
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8"))
        monkeypatch.setenv("LMSCITE_DEBUG", "1")
        capsysbinary.readouterr()
        code, escaped = ESCAPED, ""
        try:
            main([str(a) for a in args])
        except SystemExit as stopped:
            code = int(stopped.code or 0)
        except Exception:  # noqa: BLE001  (what got past the boundary is what the test must see)
            escaped = traceback.format_exc()
        finally:
            set_quiet(False)
        captured = capsysbinary.readouterr()
        return Result(code, captured.out.decode(), captured.err.decode() + escaped)

    return invoke


@pytest.fixture
def library(library_path):
    """A library holding the reference page's 19 records, uncurated."""
    from records import SEED

    from lmscite.library.store import Library
    from lmscite.pubmed.xml import iter_entries

    library = Library(library_path)
    with library.transaction() as view:
        view.merge(iter_entries(SEED))
    return library


@pytest.fixture
def interrupt():
    """`interrupt(when)`: Ctrl-C for the test's (main) thread as soon as `when()` is true.

    SIGINT goes to the main thread itself, so a blocking read there is cut
    short, as at a terminal.
    """
    import signal
    import threading
    import time

    main = threading.main_thread().ident

    def arm(when, *, settle: float = 0.2, within: float = 20.0) -> None:
        def wait_then_interrupt() -> None:
            deadline = time.time() + within
            while not when() and time.time() < deadline:
                time.sleep(0.05)
            time.sleep(settle)
            signal.pthread_kill(main, signal.SIGINT)

        threading.Thread(target=wait_then_interrupt, daemon=True).start()

    return arm
