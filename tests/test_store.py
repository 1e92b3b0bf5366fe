"""The library file: atomic, locked, one write per command, refusing what it cannot read."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lmscite.errors import StoreError
from lmscite.library.store import Library, verify
from lmscite.model import SCHEMA, Curation, Entry


def entry(pmid: str, title: str = "A title") -> Entry:
    return Entry(pmid=pmid, title=title)


def test_a_missing_library_reads_as_empty(library_path):
    assert len(Library(library_path).snapshot()) == 0
    assert not library_path.exists()


def test_merge_reports_added_updated_and_unchanged(library_path):
    library = Library(library_path)
    with library.transaction() as view:
        assert view.merge([entry("1"), entry("2")]) == {"1": "added", "2": "added"}
    with library.transaction() as view:
        assert view.merge([entry("1"), entry("2", "New title")]) == {"1": "unchanged", "2": "updated"}
    assert library.snapshot().get("2").title == "New title"


def test_an_update_keeps_the_curation(library_path):
    library = Library(library_path)
    curated = entry("7")
    curated.curation = Curation(notes=["Expertise makes a difference."], tags=["surgery"])
    with library.transaction() as view:
        view.merge([curated])
    with library.transaction() as view:
        view.merge([entry("7", "Revised title")])
    stored = library.snapshot().get("7")
    assert stored.title == "Revised title"
    assert stored.curation.notes == ["Expertise makes a difference."]
    assert stored.curation.tags == ["surgery"]


def test_the_file_is_sorted_indented_json_with_a_schema_number(library_path):
    with Library(library_path).transaction() as view:
        view.merge([entry("20"), entry("3")])
    text = library_path.read_text()
    assert text.startswith("{\n  \"entries\": {\n")
    data = json.loads(text)
    assert list(data["entries"]) == sorted(data["entries"])
    assert data["meta"]["1"]["schema"] == SCHEMA


def test_a_transaction_that_changes_nothing_does_not_write(library_path):
    library = Library(library_path)
    with library.transaction() as view:
        view.merge([entry("1")])
    before = library_path.stat().st_mtime_ns
    time.sleep(0.01)
    with library.transaction() as view:
        view.merge([entry("1")])
    assert library_path.stat().st_mtime_ns == before


def test_an_error_inside_a_transaction_writes_nothing(library_path):
    library = Library(library_path)
    with library.transaction() as view:
        view.merge([entry("1")])
    before = library_path.read_bytes()
    with pytest.raises(RuntimeError):
        with library.transaction() as view:
            view.merge([entry("2")])
            raise RuntimeError("boom")
    assert library_path.read_bytes() == before


def test_a_corrupt_library_is_refused_and_left_untouched(library_path):
    library_path.write_text('{"entries": {"1": {"pmid": ')
    with pytest.raises(StoreError, match="corrupt"):
        with Library(library_path).transaction() as view:
            view.merge([entry("2")])
    assert library_path.read_text() == '{"entries": {"1": {"pmid": '


def test_a_library_from_a_newer_schema_is_refused_and_left_untouched(library_path):
    body = json.dumps({"entries": {}, "meta": {"1": {"schema": 99}}})
    library_path.write_text(body)
    with pytest.raises(StoreError, match="schema 99"):
        Library(library_path).snapshot()
    assert library_path.read_text() == body


def test_a_read_only_library_file_is_reported_not_replaced(library_path):
    with Library(library_path).transaction() as view:
        view.merge([entry("1")])
    library_path.chmod(0o444)
    try:
        with pytest.raises(StoreError, match="read-only"):
            with Library(library_path).transaction() as view:
                view.merge([entry("2")])
    finally:
        library_path.chmod(0o644)


def test_a_missing_library_folder_is_an_error_unless_it_is_the_default(tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        with Library(tmp_path / "nowhere" / "lib.json").transaction() as view:
            view.merge([entry("1")])
    with Library(tmp_path / "made" / "lib.json", create_parents=True).transaction() as view:
        view.merge([entry("1")])
    assert (tmp_path / "made" / "lib.json").exists()


def test_removing_reports_only_what_was_there(library_path):
    with Library(library_path).transaction() as view:
        view.merge([entry("1"), entry("2")])
    with Library(library_path).transaction() as view:
        assert view.remove(["2", "3"]) == ["2"]
    assert Library(library_path).snapshot().pmids() == ["1"]


def test_meta_settings_survive_a_reload(library_path):
    with Library(library_path).transaction() as view:
        view.set_meta("section_order", ["Resection", "Ablation"])
    assert Library(library_path).snapshot().meta()["section_order"] == ["Resection", "Ablation"]


WRITER = """
import sys
from lmscite.model import Entry
from lmscite.library.store import Library
library = Library(sys.argv[1])
start, count, rounds = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
for r in range(rounds):
    with library.transaction() as view:
        view.merge([Entry(pmid=str(start + i), title=f"round {r} " + "x" * 300) for i in range(count)])
"""


def test_concurrent_writers_never_lose_each_others_entries(library_path):
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(library_path), str(1000 * (k + 1)), "50", "3"])
             for k in range(4)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    view = Library(library_path).snapshot()
    assert len(view) == 200
    assert verify(library_path) == []


def test_a_writer_killed_at_any_moment_leaves_a_whole_library(library_path):
    with Library(library_path).transaction() as view:
        view.merge([Entry(pmid=str(i), title="seed") for i in range(1, 2001)])
    for attempt in range(8):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(library_path), "1", "2000", "50"])
        time.sleep(0.4 + 0.15 * attempt)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        view = Library(library_path).snapshot()
        assert len(view) == 2000
        titles = {view.raw(p)["title"].split(" x")[0] for p in view.pmids()}
        assert len(titles) == 1, f"a torn write mixed {titles}"
        assert verify(library_path) == []
    with Library(library_path).transaction() as view:
        view.merge([Entry(pmid="99999", title="after the kills")])
    assert not [p.name for p in Path(library_path.parent).iterdir() if p.suffix == ".tmp"]


def test_changing_one_entry_leaves_every_other_entry_as_it_was_written(library_path):
    with Library(library_path).transaction() as view:
        view.merge([entry("1", "First"), entry("2", "Second"), entry("3", "Third")])
    before = library_path.read_text()
    with Library(library_path).transaction() as view:
        view.merge([entry("2", "Second, revised")])
    after = library_path.read_text()
    stored = json.loads(after)["entries"]
    assert [stored[p]["title"] for p in ("1", "2", "3")] == ["First", "Second, revised", "Third"]
    assert after == json.dumps(json.loads(after), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    for pmid in ("1", "3"):
        lines = json.dumps({pmid: stored[pmid]}, indent=2, sort_keys=True, ensure_ascii=False).splitlines()
        block = "\n".join("  " + line for line in lines[1:-1])
        assert block in before and block in after


def test_a_library_written_in_another_layout_is_read_and_rewritten_sorted(library_path):
    library_path.write_text(json.dumps({"meta": {"1": {"schema": 1}},
                                        "entries": {"7": {"pmid": "7", "title": "Compact"}}}))
    assert Library(library_path).snapshot().get("7").title == "Compact"
    with Library(library_path).transaction() as view:
        view.merge([entry("8", "Added")])
    text = library_path.read_text()
    assert text.startswith('{\n  "entries": {\n')
    assert sorted(json.loads(text)["entries"]) == ["7", "8"]
