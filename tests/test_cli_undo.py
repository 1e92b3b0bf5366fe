"""`lmscite undo`: every command that changes the library can be taken back."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from lmscite.library import history

DATA = Path(__file__).parent / "data"
SEED = DATA / "seed" / "liver-metastases.pubmed.xml"


def versions(library_path: Path) -> list[Path]:
    folder = library_path.with_name(library_path.name + ".history")
    return sorted(folder.iterdir()) if folder.exists() else []


def test_undo_brings_back_the_library_as_it_was_before_the_last_command(run, library, library_path):
    before = library_path.read_bytes()
    assert run("remove", "10749609", "9834411").code == 0
    result = run("undo")
    assert result.code == 0, result.err
    assert library_path.read_bytes() == before
    assert "restored the library as written at" in result.err
    assert "(19 entries; it held 17 entries)" in result.err


def test_undo_without_any_kept_version_is_refused_and_changes_nothing(run, tmp_path, library_path):
    assert run("import", SEED).code == 0
    before = library_path.read_bytes()
    result = run("undo")
    assert result.code == 2
    assert result.err.startswith("lmscite: error: no earlier version of the library")
    assert result.err.count("\n") == 1
    assert library_path.read_bytes() == before


def test_undo_dry_run_says_what_it_would_restore_and_changes_nothing(run, library, library_path):
    assert run("annotate", "10749609", "--tag", "oops").code == 0
    after = library_path.read_bytes()
    kept = versions(library_path)
    result = run("undo", "--dry-run")
    assert result.code == 0
    assert "would restore the library as written at" in result.err and "nothing was changed" in result.err
    assert library_path.read_bytes() == after and versions(library_path) == kept


def test_a_second_undo_takes_the_first_back(run, library, library_path):
    assert run("annotate", "10749609", "--tag", "wanted").code == 0
    wanted = library_path.read_bytes()
    assert run("undo").code == 0
    assert b"wanted" not in library_path.read_bytes()
    assert run("undo").code == 0
    assert library_path.read_bytes() == wanted


def test_the_newest_versions_are_kept_and_any_of_them_can_be_restored(run, library, library_path):
    for number in range(history.KEEP + 2):
        assert run("annotate", "10749609", "--tag", f"t{number}").code == 0
    assert len(versions(library_path)) == history.KEEP
    assert run("undo", "--version", str(history.KEEP)).code == 0
    text = library_path.read_text()
    assert '"t1"' in text and '"t2"' not in text


def test_a_version_that_is_not_kept_is_refused(run, library, library_path):
    assert run("annotate", "10749609", "--tag", "t").code == 0
    after = library_path.read_bytes()
    result = run("undo", "--version", "2")
    assert result.code == 2 and "has 1 kept version, no version 2" in result.err
    assert library_path.read_bytes() == after


def test_a_kept_version_is_the_replaced_file_itself_not_a_copy(run, library, library_path):
    replaced = library_path.stat().st_ino
    assert run("annotate", "10749609", "--tag", "t").code == 0
    assert [version.stat().st_ino for version in versions(library_path)] == [replaced]


def test_a_command_that_writes_batch_by_batch_is_undone_whole(run, library, library_path, eutils, monkeypatch):
    monkeypatch.setattr("lmscite.pubmed.eutils.MAX_BATCH", 200)
    before = library_path.read_bytes()
    pmids = eutils.add_synthetic(450)
    result = run("fetch", "-", stdin="\n".join(pmids))
    assert result.code == 0, result.err
    assert len(eutils.to("efetch")) == 3
    assert len(versions(library_path)) == 1
    assert run("undo").code == 0
    assert library_path.read_bytes() == before


def test_undo_keeps_the_library_file_mode(run, library, library_path):
    library_path.chmod(0o600)
    assert run("annotate", "10749609", "--tag", "t").code == 0
    assert run("undo").code == 0
    assert stat.S_IMODE(library_path.stat().st_mode) == 0o600


def test_a_damaged_kept_version_is_refused_and_the_library_kept(run, library, library_path):
    assert run("annotate", "10749609", "--tag", "t").code == 0
    after = library_path.read_bytes()
    version = versions(library_path)[0]
    version.unlink()
    version.write_text('{"entries": {"1": ')
    result = run("undo")
    assert result.code == 3 and "corrupt" in result.err and str(version) in result.err
    assert library_path.read_bytes() == after


def test_undo_list_shows_each_kept_version_with_its_entry_count(run, library, library_path):
    assert run("remove", "10749609").code == 0
    assert run("remove", "9834411").code == 0
    result = run("undo", "--list")
    lines = result.out.splitlines()
    assert lines[0].split("\t") == ["version", "written", "entries"]
    assert [line.split("\t")[::2] for line in lines[1:]] == [["1", "18"], ["2", "19"]]


def test_undo_help_says_how_many_versions_are_kept(run):
    assert f"last {history.KEEP} versions" in run("undo", "--help").out


def test_a_file_system_without_hard_links_gets_a_copy_instead(run, library, library_path, monkeypatch):
    """FAT (USB sticks) and some network shares refuse hard links: os.link answers EPERM there."""

    def no_hard_links(*args, **kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")

    library_path.chmod(0o600)
    before = library_path.read_bytes()
    written = library_path.stat().st_mtime_ns
    monkeypatch.setattr(os, "link", no_hard_links)
    assert run("annotate", "10749609", "--tag", "t").code == 0
    (version,) = versions(library_path)
    assert version.read_bytes() == before and version.stat().st_mtime_ns == written
    assert stat.S_IMODE(version.stat().st_mode) == 0o600
    assert version.stat().st_ino != library_path.stat().st_ino
    assert run("undo").code == 0
    assert library_path.read_bytes() == before


def test_undo_brings_back_a_kept_version_over_a_library_that_can_no_longer_be_read(run, library, library_path):
    before = library_path.read_bytes()
    assert run("annotate", "10749609", "--tag", "t").code == 0
    library_path.write_text("{not json")
    result = run("undo")
    assert result.code == 0, result.err
    assert library_path.read_bytes() == before
