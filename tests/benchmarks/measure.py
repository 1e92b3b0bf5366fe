"""Running one measured process: its wall time and its own peak memory, no extra packages.

Peak memory is the child's `ru_maxrss` as `os.wait4` reports it for that one
process (Linux: its largest resident set, in KiB), never the maximum over
earlier children that `resource.getrusage(RUSAGE_CHILDREN)` would give.
psutil is not needed.

Linux keeps a process's high-water mark across exec, so a child forked from
this runner, which holds whole corpora in memory, would report at least the
runner's size.  Every command is therefore started by a small spawner process
(this file run as a script, about 10 MB), which also does the timing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


@dataclass
class Run:
    """One finished process: what a user would see of it, and its cost."""

    wall: float
    rss_mb: float
    code: int
    out: str
    err: str

    def report(self) -> dict[str, Any]:
        """The JSON object a peers.py helper printed last on stdout."""
        for line in reversed(self.out.splitlines()):
            if line.startswith("{"):
                return json.loads(line)
        raise RuntimeError(f"no report from the helper (exit {self.code}): {self.err[-2000:]}")


class _Spawner:
    """The spawner process, started once and fed one command per line of JSON."""

    def __init__(self) -> None:
        self._process = subprocess.Popen([sys.executable, __file__], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, text=True)

    def run(self, job: dict[str, Any]) -> dict[str, Any]:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(json.dumps(job) + "\n")
        self._process.stdin.flush()
        answer = self._process.stdout.readline()
        if not answer:
            raise RuntimeError("the benchmark spawner died")
        return json.loads(answer)


_spawner: _Spawner | None = None


def run(command: Sequence[str], *, env: dict[str, str] | None = None, stdin: Path | None = None,
        timeout: float = 3600.0) -> Run:
    """Run `command` to its end through the spawner; its output goes through files so nothing blocks."""
    global _spawner
    if _spawner is None:
        _spawner = _Spawner()
    handle, out_name = tempfile.mkstemp(prefix="lmscite-bench-", suffix=".out")
    os.close(handle)
    handle, err_name = tempfile.mkstemp(prefix="lmscite-bench-", suffix=".err")
    os.close(handle)
    try:
        done = _spawner.run({"command": list(command), "env": env or dict(os.environ),
                             "stdin": str(stdin) if stdin else None, "out": out_name, "err": err_name,
                             "timeout": timeout})
        if "error" in done:
            raise RuntimeError(done["error"])
        out, err = Path(out_name).read_bytes(), Path(err_name).read_bytes()
    finally:
        Path(out_name).unlink(missing_ok=True)
        Path(err_name).unlink(missing_ok=True)
    return Run(wall=done["wall"], rss_mb=done["rss_kb"] / 1024, code=done["code"],
               out=out.decode("utf-8", "replace"), err=err.decode("utf-8", "replace"))


def _spawn(job: dict[str, Any]) -> dict[str, Any]:
    source = open(job["stdin"], "rb") if job["stdin"] else subprocess.DEVNULL  # noqa: SIM115
    try:
        with open(job["out"], "wb") as out, open(job["err"], "wb") as err:
            start = time.perf_counter()
            child = subprocess.Popen(job["command"], stdin=source, stdout=out, stderr=err,
                                     env=job["env"], cwd=ROOT)
            code, usage = _wait(child, job["timeout"])
            wall = time.perf_counter() - start
    finally:
        if job["stdin"]:
            source.close()
    return {"wall": wall, "rss_kb": usage.ru_maxrss, "code": code}


def _wait(child: subprocess.Popen, timeout: float) -> tuple[int, Any]:
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            child.returncode = os.waitstatus_to_exitcode(status)
            return child.returncode, usage
        if time.monotonic() > deadline:
            child.kill()
            raise TimeoutError(f"{child.args[:3]} ran longer than {timeout:.0f} s")
        time.sleep(0.002)


def python(*args: str) -> list[str]:
    """A peers.py helper run by this interpreter."""
    return [sys.executable, str(HERE / "peers.py"), *args]


def _serve() -> None:
    """The spawner: one JSON job per line in, one JSON result per line out."""
    for line in sys.stdin:
        try:
            result = _spawn(json.loads(line))
        except Exception as exc:  # noqa: BLE001 - reported to the runner, which raises it
            result = {"error": f"{type(exc).__name__}: {exc}"}
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    _serve()
