"""kill -9 at random moments: the library is always whole, and always a state some write left.

Three writers run as real processes on a copy of one 5,000-entry library
and are killed with SIGKILL, half at a moment drawn from a seeded random
generator over the command's whole run, half just after the temporary file
of the library write appears (the moment a torn write would happen).  After
every kill the library must load, pass `verify`, and equal one of the
states the command can leave, computed beforehand: the library before, or
after the write (for `fetch`, after each batch's write).  Timestamps are
left out of the comparison, since a reference run and a killed run stamp
different seconds.
"""

from __future__ import annotations

import dataclasses
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pytest
import yaml
from eutils_server import FakeEutils, real_records, with_pmid

from lmscite.library.store import Library, verify
from lmscite.pubmed.xml import iter_entries

pytestmark = pytest.mark.slow

DATA = Path(__file__).parent / "data"
ENTRIES = 5_000
FIRST = 7_000_000
KILLS = 18
"""Per command: 54 kills in all."""
VOLATILE = {"provenance": ("retrieved",), "curation": ("created", "updated")}


def normalised(path: Path) -> dict[str, dict]:
    """The stored entries with their timestamps dropped."""
    entries = orjson.loads(path.read_bytes()).get("entries", {})
    for data in entries.values():
        for part, keys in VOLATILE.items():
            for key in keys:
                data.get(part, {}).pop(key, None)
    return entries


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """5,000 entries cloned from the real XML fixtures, every tenth curated; built once."""
    records = [e for path in sorted((DATA / "xml").glob("*.xml")) if "474_authors" not in path.name
               for e in iter_entries(path)]
    entries = []
    for number in range(ENTRIES):
        entry = dataclasses.replace(records[number % len(records)], pmid=str(FIRST + number))
        if number % 10 == 0:
            entry.curation = dataclasses.replace(entry.curation, notes=[f"note {number}"], tags=["kept"],
                                                 section="Curated")
        entries.append(entry)
    path = tmp_path_factory.mktemp("base") / "library.json"
    with Library(path).transaction() as view:
        view.add(entries)
    assert len(Library(path).snapshot()) == ENTRIES
    return path


@pytest.fixture(scope="module")
def server() -> Iterator[FakeEutils]:
    with FakeEutils() as fake:
        yield fake


def run_to_end(args: list[str], library: Path, env: dict[str, str]) -> tuple[float, float]:
    """Run to the end; how long it took, and how long its first library write was under way."""
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "lmscite", "--db", str(library), *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    opened = closed = None
    while proc.poll() is None and closed is None:
        writing = any(library.parent.glob(f".{library.name}.*.tmp"))
        if writing and opened is None:
            opened = time.monotonic()
        elif not writing and opened is not None:
            closed = time.monotonic()
        time.sleep(0.0005)
    _, errors = proc.communicate(timeout=300)
    assert proc.returncode == 0, errors
    return time.monotonic() - started, (closed or time.monotonic()) - (opened or started)


def kill_at(args: list[str], library: Path, env: dict[str, str], moment: Callable[[Path], None]) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "lmscite", "--db", str(library), *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        moment(library)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)


def after(seconds: float) -> Callable[[Path], None]:
    return lambda _library: time.sleep(seconds)


def when_writing(extra: float, limit: float) -> Callable[[Path], None]:
    """Wait until the library's temporary file appears, then `extra` seconds more."""
    def wait(library: Path) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if any(library.parent.glob(f".{library.name}.*.tmp")):
                time.sleep(extra)
                return
            time.sleep(0.0005)
    return wait


def crash_many(name: str, args: list[str], base: Path, tmp_path: Path, env: dict[str, str],
               states: Callable[[Path], list[dict[str, dict]]]) -> None:
    """Kill `lmscite ARGS` KILLS times, checking each time that the library is one of `states`."""
    reference = tmp_path / f"{name}-reference" / "library.json"
    reference.parent.mkdir()
    shutil.copy(base, reference)
    full, write = run_to_end(args, reference, env)
    allowed = states(reference)
    assert all(a != b for n, a in enumerate(allowed) for b in allowed[n + 1:]), "states must differ"
    chance = random.Random(f"{name}-kills")
    for attempt in range(KILLS):
        library = tmp_path / f"{name}-{attempt}" / "library.json"
        library.parent.mkdir()
        shutil.copy(base, library)
        moment = (after(chance.uniform(0.0, full * 1.05)) if attempt % 2 == 0
                  else when_writing(chance.uniform(0.0, write * 1.5), full * 2))
        kill_at(args, library, env, moment)
        assert verify(library) == [], f"{name}: kill {attempt} left a library that fails verify"
        found = normalised(library)
        assert found in allowed, f"{name}: kill {attempt} left a state no write makes (a torn or mixed write)"
        if attempt < KILLS - 1:
            shutil.rmtree(library.parent)
    run_to_end(args, library, env)
    assert normalised(library) == allowed[-1], f"{name}: running again after the kills did not finish the job"
    assert not list(library.parent.glob("*.tmp")), "a stale temporary file survived the next write"


@pytest.fixture
def env(server, tmp_path) -> dict[str, str]:
    return {**os.environ, "LMSCITE_EUTILS_URL": server.url, "TMPDIR": str(tmp_path)}


def test_import_killed_at_random_leaves_the_library_before_or_after(base, tmp_path, env):
    articles = list(real_records().values())
    revised = [with_pmid(articles[n % len(articles)], str(FIRST + 7 * n)).replace(
        b"<ArticleTitle>", b"<ArticleTitle>Revised: ", 1) for n in range(250)]
    new = [with_pmid(articles[n % len(articles)], str(FIRST + ENTRIES + n)) for n in range(250)]
    source = tmp_path / "records.xml"
    source.write_bytes(b"<PubmedArticleSet>" + b"".join(revised + new) + b"</PubmedArticleSet>")
    crash_many("import", ["import", str(source)], base, tmp_path, env,
                      lambda reference: [normalised(base), normalised(reference)])


def test_fetch_killed_at_random_leaves_the_library_as_some_batch_left_it(base, tmp_path, env, server):
    pmids = server.add_synthetic(400)
    stored = [str(FIRST + n) for n in range(0, 1000, 10)]
    ids = tmp_path / "ids.txt"
    ids.write_text("\n".join(stored + pmids))

    def states(reference: Path) -> list[dict[str, dict]]:
        before, final = normalised(base), normalised(reference)
        first_batch = {**before, **{p: final[p] for p in pmids[:200]}}
        return [before, first_batch, final]

    crash_many("fetch", ["fetch", "--from", str(ids)], base, tmp_path, env, states)


def test_annotate_from_a_file_killed_at_random_leaves_the_library_before_or_after(base, tmp_path, env):
    curation = {"entries": {str(FIRST + n): {"section": "Killed", "tags": [f"t{n}"], "notes": [f"after {n}"]}
                            for n in range(0, ENTRIES, 10)}}
    source = tmp_path / "curation.yaml"
    source.write_text(yaml.safe_dump(curation))
    crash_many("annotate", ["annotate", "--from", str(source)], base, tmp_path, env,
                      lambda reference: [normalised(base), normalised(reference)])
