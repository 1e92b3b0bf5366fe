"""The error boundary as a user meets it: what lmscite does when its streams, signals or its own code fail.

Streams and signals are tried on the installed `lmscite` script in real
processes, the way a shell hands them over (`> /dev/full`, `>&-`, `| head`,
`timeout`); a test in this process could not close its own stdout.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from lmscite.errors import EXIT_BROKEN_PIPE, EXIT_BUG, EXIT_FAILURE, EXIT_INTERRUPTED

PMID = "10749609"
INSTALLED = shutil.which("lmscite", path=str(Path(sys.executable).parent))


@pytest.fixture
def shell(library):
    """Run a shell command line with the installed `lmscite` on PATH, on the reference page's library."""
    assert INSTALLED, "the lmscite console script is not installed beside this Python"
    env = {**os.environ, "PATH": f"{Path(INSTALLED).parent}{os.pathsep}{os.environ['PATH']}"}

    def invoke(line: str, **options) -> subprocess.CompletedProcess:
        return subprocess.run(["bash", "-c", line], env=env, capture_output=True, text=True, timeout=60, check=False,
                              **options)

    invoke.env = env
    return invoke


def one_error_line(err: str) -> str:
    """The stderr of a failed command: exactly one `lmscite: error:` line, and no traceback."""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("lmscite: error: "), err
    return lines[0]


def test_the_one_error_line_helper_refuses_a_traceback_or_a_second_line():
    with pytest.raises(AssertionError):
        one_error_line("Traceback (most recent call last):\nOSError: [Errno 28]\n")
    with pytest.raises(AssertionError):
        one_error_line("lmscite: error: a\nlmscite: error: b\n")
    assert one_error_line("lmscite: error: a\n") == "lmscite: error: a"


# --- stdout that cannot be written ----------------------------------------------------------


@pytest.mark.parametrize("command", [
    "export -f ris", "list", f"show {PMID} --json", "curation dump", "check --uncurated", "info", "--help",
])
def test_a_full_stdout_is_one_error_line_and_exit_3(shell, command):
    done = shell(f"lmscite {command} > /dev/full")
    assert done.returncode == EXIT_FAILURE
    assert one_error_line(done.stderr) == "lmscite: error: cannot write to standard output: No space left on device"


def test_a_closed_stdout_is_one_error_line_and_exit_3(shell):
    done = shell("lmscite export >&-")
    assert done.returncode == EXIT_FAILURE
    assert one_error_line(done.stderr) == "lmscite: error: cannot write to standard output: it is closed"


def test_a_command_whose_stdout_is_closed_still_saves_and_says_so(shell, library_path):
    """With fd 1 closed, the next file opened would get fd 1 and receive stdout's bytes: the library must not."""
    done = shell(f"lmscite annotate {PMID} --tag kept --json >&-")
    assert done.returncode == EXIT_FAILURE
    assert one_error_line(done.stderr) == ("lmscite: error: cannot write to standard output: it is closed; "
                                           "the library was saved before the output failed")
    assert orjson.loads(library_path.read_bytes())["entries"][PMID]["curation"]["tags"] == ["kept"]


def test_a_closed_stdin_reads_as_no_input(shell):
    done = shell("lmscite show - <&-")
    assert done.returncode == 2
    assert one_error_line(done.stderr) == "lmscite: error: no ids given (the arguments or the input held none)"


def test_a_closed_stderr_keeps_the_exit_code(shell):
    assert shell("lmscite show 123 2>&-").returncode == 1


def test_a_reader_that_closes_early_is_one_line_and_exit_141(shell):
    proc = subprocess.Popen([INSTALLED, "export", "-f", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=shell.env, text=True)
    proc.stdout.close()  # as `| head -1` does once it has its line
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == EXIT_BROKEN_PIPE
    assert one_error_line(err) == ("lmscite: error: standard output was closed by the program reading it "
                                   "before lmscite finished writing (broken pipe)")


def test_a_reader_that_reads_everything_sees_exit_0(shell):
    done = shell("lmscite list | head -1; exit ${PIPESTATUS[0]}")
    assert done.returncode == 0
    assert done.stdout == "8908452\n"
    assert done.stderr == ""


# --- signals --------------------------------------------------------------------------------


def _edit_in_background(shell, tmp_path, *, seconds: float, **options) -> subprocess.Popen:
    """`lmscite annotate PMID --edit` with an editor that sits `seconds`, started once it has started."""
    started = tmp_path / "editor-started"
    editor = tmp_path / "editor.sh"
    editor.write_text(f"#!/bin/sh\ntouch {started}\nexec sleep {seconds}\n")
    editor.chmod(0o755)
    proc = subprocess.Popen([INSTALLED, "annotate", PMID, "--edit"], stderr=subprocess.PIPE, text=True,
                            env={**shell.env, "EDITOR": str(editor), "TMPDIR": str(tmp_path)}, **options)
    deadline = time.monotonic() + 30
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    return proc


@pytest.mark.parametrize("sent", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_sigterm_and_sighup_end_a_command_as_ctrl_c_does_and_say_what_was_saved(shell, tmp_path, library_path,
                                                                                sent):
    before = library_path.read_bytes()
    proc = _edit_in_background(shell, tmp_path, seconds=30)
    proc.send_signal(sent)
    err = proc.stderr.read()
    assert proc.wait(timeout=30) == EXIT_INTERRUPTED
    assert one_error_line(err) == f"lmscite: error: interrupted ({sent.name}); the library was not changed"
    assert library_path.read_bytes() == before
    assert list(tmp_path.glob("lmscite-*")) == []


def test_a_sighup_the_caller_ignores_stays_ignored(shell, tmp_path):
    proc = _edit_in_background(shell, tmp_path, seconds=1,
                               preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))
    proc.send_signal(signal.SIGHUP)
    err = proc.stderr.read()
    assert proc.wait(timeout=30) == 0
    assert err == f"PMID {PMID}: no change\n"


# --- lmscite's own bugs ---------------------------------------------------------------------


def test_an_unexpected_exception_is_one_line_that_says_what_failed_and_how_to_report_it(shell):
    code = ("import orjson, sys\n"
            "def broken(*args, **kwargs):\n    raise RuntimeError('orjson broke')\n"
            "orjson.dumps = broken\n"
            "from lmscite.cli import main\nmain(['info', '--json'])\n")
    done = subprocess.run([sys.executable, "-c", code], env=shell.env, capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == EXIT_BUG
    line = one_error_line(done.stderr)
    assert line.startswith("lmscite: error: unexpected RuntimeError: orjson broke - a bug in lmscite ")
    assert line.endswith("please report it with the command you ran (LMSCITE_DEBUG=1 shows where it happened)")


def test_lmscite_debug_shows_the_traceback_of_an_unexpected_exception(run, monkeypatch, library):
    def broken(*args, **kwargs):
        raise RuntimeError("orjson broke")

    monkeypatch.setattr(orjson, "dumps", broken)
    result = run("info", "--json")
    assert result.code == EXIT_BUG
    assert "Traceback (most recent call last):" in result.err
    assert result.err.splitlines()[-1].startswith("lmscite: error: unexpected RuntimeError: orjson broke")


# --- the documented exit codes ------------------------------------------------------------


def test_the_readme_exit_code_table_lists_every_code_errors_py_defines_and_no_other():
    from lmscite import errors

    root = Path(__file__).parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- exit codes:", 1)[1].split("<!-- end of exit codes -->", 1)[0]
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", table, re.MULTILINE)}
    defined = {value for name, value in vars(errors).items() if name.startswith("EXIT_")}
    assert documented == defined
    docstring_codes = {int(code) for code in re.findall(r"\b(\d+) ", errors.__doc__.split("Exit codes", 1)[1])}
    assert docstring_codes == defined
    raised = {cls.exit_code for cls in vars(errors).values()
              if isinstance(cls, type) and issubclass(cls, errors.LmsciteError)}
    assert raised <= defined
