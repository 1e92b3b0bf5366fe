"""Eight lmscite processes writing one library at once lose nothing.

Every worker adds its own note and tag to the same 20 shared entries (so
each of those is read, changed and written by all eight, racing), and sets
the whole curation of 5 entries of its own with `annotate PMID --from FILE`:
25 annotations each, 200 in all.  Two of the workers also fetch 150 records
each from the fake E-utilities server halfway through.  Afterwards every note,
tag, curation and record is in the library and the library is sound.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from lmscite.library.store import Library, verify
from lmscite.model import Entry

WORKERS = 8
FETCHERS = 2
SHARED = [str(5_000_001 + i) for i in range(20)]
WORKER = """
import sys
from lmscite.cli import main

def call(*args):
    try:
        main(["--quiet", *args])
    except SystemExit as stop:
        if stop.code:
            sys.exit(f"lmscite {' '.join(args)}: exit {stop.code}")

worker, shared, own, fetch_file = sys.argv[1], sys.argv[2].split(","), sys.argv[3].split(","), sys.argv[4]
for number, pmid in enumerate(shared):
    call("annotate", pmid, "--note", f"note from worker {worker}", "--tag", f"w{worker}")
    if number == 10 and fetch_file != "-":
        call("fetch", "--from", fetch_file)
for pmid in own:
    call("annotate", pmid, "--from", f"{sys.argv[5]}/{pmid}.yaml")
"""


def own_pmids(worker: int) -> list[str]:
    return [str(6_000_000 + 100 * worker + i) for i in range(5)]


def own_curation(worker: int, pmid: str) -> dict:
    return {"section": f"Section {worker}", "tags": [f"own{worker}", pmid], "notes": [f"{pmid} by {worker}"]}


def test_eight_processes_annotating_and_fetching_at_once_lose_nothing(eutils, library_path, tmp_path):
    everyone = SHARED + [pmid for w in range(WORKERS) for pmid in own_pmids(w)]
    with Library(library_path).transaction() as view:
        view.add(Entry(pmid=pmid, title=f"Entry {pmid}.") for pmid in everyone)
    curations = tmp_path / "curations"
    curations.mkdir()
    for worker in range(WORKERS):
        for pmid in own_pmids(worker):
            (curations / f"{pmid}.yaml").write_text(yaml.safe_dump(own_curation(worker, pmid)))
    fetched = []
    for worker in range(FETCHERS):
        pmids = eutils.add_synthetic(150)
        (tmp_path / f"fetch-{worker}.txt").write_text("\n".join(pmids))
        fetched += pmids
    env = {**os.environ, "LMSCITE_EUTILS_URL": eutils.url, "TMPDIR": str(tmp_path)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(w), ",".join(SHARED), ",".join(own_pmids(w)),
             str(tmp_path / f"fetch-{w}.txt") if w < FETCHERS else "-", str(curations)],
            env=env, stderr=subprocess.PIPE, text=True)
        for w in range(WORKERS)
    ]
    failures = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    assert all(code == 0 for code, _ in failures), failures

    assert verify(library_path) == []
    view = Library(library_path).snapshot()
    assert set(view.pmids()) == set(everyone) | set(fetched)
    for pmid in SHARED:
        curation = view.get(pmid).curation
        assert sorted(curation.notes) == sorted(f"note from worker {w}" for w in range(WORKERS)), pmid
        assert sorted(curation.tags) == sorted(f"w{w}" for w in range(WORKERS)), pmid
    for worker in range(WORKERS):
        for pmid in own_pmids(worker):
            curation = view.get(pmid).curation
            wanted = own_curation(worker, pmid)
            assert (curation.section, curation.tags, curation.notes) == (
                wanted["section"], wanted["tags"], wanted["notes"]), pmid
    assert len(eutils.to("efetch")) == FETCHERS
    assert not list(Path(library_path.parent).glob(".library.json.*.tmp"))
