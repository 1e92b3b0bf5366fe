"""The library file itself: reached through symlinks, never a device or FIFO, failures named, hand edits checked."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from filelock import FileLock, Timeout

from lmscite.library.store import Library, verify

DATA = Path(__file__).parent / "data"
SEED = DATA / "seed" / "liver-metastases.pubmed.xml"


def assert_one_error_line(result, code: int, *words: str) -> None:
    assert result.code == code, result.err
    assert result.err.startswith("lmscite: error: ") and result.err.count("\n") == 1, result.err
    assert "Traceback" not in result.err
    for word in words:
        assert word in result.err, result.err


def device(path: Path) -> Path:
    """A null device of our own (as root), so that a test gone wrong replaces it and not /dev/null."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("creating a device node needs root")
    return path


# --- a library reached through a symlink --------------------------------------


@pytest.fixture
def linked(run, tmp_path) -> tuple[Path, Path]:
    """(a symlink, the library it names in another folder, mode 0640)."""
    real = tmp_path / "real" / "library.json"
    real.parent.mkdir()
    assert run("--db", real, "import", SEED).code == 0
    real.chmod(0o640)
    link = tmp_path / "library.json"
    link.symlink_to(real)
    return link, real


def test_a_write_through_a_symlinked_library_changes_its_target_and_keeps_the_link(run, linked):
    link, real = linked
    assert run("--db", link, "annotate", "10749609", "--tag", "through-the-link").code == 0
    assert link.is_symlink() and link.resolve() == real
    assert "through-the-link" in real.read_text()
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


def test_writers_through_the_link_and_through_the_real_path_take_one_lock(linked):
    link, real = linked
    with Library(link).transaction(), pytest.raises(Timeout):
        FileLock(str(real) + ".lock", timeout=0).acquire()


# --- a library path that is not a regular file ----------------------------------


@pytest.mark.parametrize("kind", ["a device", "a symlink to a device", "a folder"])
def test_a_library_path_that_is_not_a_file_is_refused_and_left_as_it_is(run, tmp_path, kind):
    null = device(tmp_path / "null") if "device" in kind else None
    path = tmp_path / "library.json"
    if kind == "a folder":
        path.mkdir()
    elif kind == "a symlink to a device":
        path.symlink_to(null)
    else:
        path = null
    for args in (("list",), ("import", SEED)):
        assert_one_error_line(run("--db", path, *args), 3, "not a file")
    if null is not None:
        assert null.is_char_device()
    assert path.is_dir() if kind == "a folder" else path.is_char_device()
    assert (kind == "a symlink to a device") == path.is_symlink()


def test_a_fifo_as_library_is_refused_at_once_not_waited_on(tmp_path):
    fifo = tmp_path / "library.json"
    os.mkfifo(fifo)
    done = subprocess.run([sys.executable, "-m", "lmscite", "--db", str(fifo), "list"],
                          capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 3
    assert done.stderr.startswith("lmscite: error: ") and "is a FIFO" in done.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


# --- what cannot be written is named, in one line --------------------------------


@pytest.fixture
def read_only_library(run, tmp_path) -> Iterator[Path]:
    """The seed library on a file system mounted read-only (tmpfs, as root)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(disk)],
                      capture_output=True, check=False).returncode != 0:
        pytest.skip("mounting a file system needs root")
    try:
        library = disk / "library.json"
        assert run("--db", library, "import", SEED).code == 0
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        yield library
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)


@pytest.mark.parametrize("args", [("annotate", "10749609", "--tag", "t"), ("import", str(SEED)),
                                  ("remove", "10749609"), ("sections", "order", "A")])
def test_a_read_only_file_system_is_one_error_line_naming_the_library(run, read_only_library, args):
    before = read_only_library.read_bytes()
    assert_one_error_line(run("--db", read_only_library, *args), 3, str(read_only_library),
                          "Read-only file system")
    assert read_only_library.read_bytes() == before


def test_fetch_on_a_read_only_file_system_is_one_error_line(run, read_only_library, eutils):
    pmid = eutils.add_synthetic(1)[0]
    assert_one_error_line(run("--db", read_only_library, "fetch", pmid), 3, str(read_only_library),
                          "Read-only file system")


@pytest.mark.parametrize("lock", ["a folder", "a symlink"])
def test_a_lock_path_that_cannot_be_a_lock_is_one_error_line_naming_it(run, library, library_path, lock):
    lock_path = library_path.with_name(library_path.name + ".lock")
    lock_path.unlink(missing_ok=True)
    if lock == "a folder":
        lock_path.mkdir()
    else:
        lock_path.symlink_to(library_path.parent / "elsewhere.lock")
    before = library_path.read_bytes()
    assert_one_error_line(run("annotate", "10749609", "--tag", "t"), 3, "cannot lock library",
                          str(lock_path))
    assert library_path.read_bytes() == before


@pytest.mark.parametrize("how", ["--db", "LMSCITE_DB"])
def test_a_library_in_a_missing_folder_is_refused_however_it_is_named(run, tmp_path, monkeypatch, how):
    path = tmp_path / "missing" / "library.json"
    if how == "LMSCITE_DB":
        monkeypatch.setenv("LMSCITE_DB", str(path))
        result = run("import", SEED)
    else:
        result = run("--db", path, "import", SEED)
    assert_one_error_line(result, 3, "does not exist")
    assert not path.parent.exists()


def test_the_default_library_folder_is_created(run, tmp_path, monkeypatch):
    monkeypatch.delenv("LMSCITE_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert run("import", SEED).code == 0
    assert (tmp_path / "xdg" / "lmscite" / "library.json").is_file()


# --- a hand-edited library --------------------------------------------------------

EDITS = {
    "title is a number": (lambda entries: entries["10749609"].update(title=12345), "title", "12345"),
    "section is a number": (lambda entries: entries["10749609"]["curation"].update(section=7), "curation.section"),
    "order is text": (lambda entries: entries["10749609"]["curation"].update(order="first"), "curation.order"),
    "notes hold a number and null": (lambda entries: entries["10749609"]["curation"].update(notes=[1, None]),
                                     "curation.notes"),
    "an author's name is a list": (lambda entries: entries["10749609"]["authors"][1].update(last_name=["x"]),
                                   "authors[1].last_name"),
    "an entry is empty": (lambda entries: entries.update({"10749609": {}}), "pmid is missing"),
    "a pmid differs from its key": (lambda entries: entries["10749609"].update(pmid="9834411"), "9834411"),
    "a key is not a PMID": (lambda entries: entries.update(abc=entries.pop("10749609")), "'abc'", "not a PMID"),
    "the date is a list": (lambda entries: entries["10749609"].update(pub_date=["2000"]), "pub_date"),
}
COMMANDS = {
    "show": ("show", "10749609"),
    "list": ("list", "--format", "tsv"),
    "grep": ("list", "--grep", "liver"),
    "sort": ("list", "--sort", "author"),
    "export": ("export", "-f", "markdown"),
    "info": ("info",),
    "annotate": ("annotate", "10749609", "--tag", "t"),
    "sections": ("sections",),
    "dump": ("curation", "dump"),
    "check": ("check",),
}


def hand_edit(library_path: Path, edit, *, layout: str = "lmscite") -> bytes:
    data = json.loads(library_path.read_text())
    for entry in data["entries"].values():
        entry.setdefault("curation", {})
    edit(data["entries"])
    body = (orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
            if layout == "lmscite" else json.dumps(data).encode())
    library_path.write_bytes(body)
    return body


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("case", sorted(EDITS))
def test_a_hand_edited_value_of_the_wrong_type_is_one_error_line_naming_entry_and_field(
        run, library, library_path, case, command):
    edit, *words = EDITS[case]
    before = hand_edit(library_path, edit)
    result = run(*COMMANDS[command])
    if case == "a key is not a PMID" and command in ("show", "annotate"):
        assert_one_error_line(result, 1, "10749609", "not in the library")
    else:
        assert_one_error_line(result, 3, "library", "fix", *words)
    assert library_path.read_bytes() == before


@pytest.mark.parametrize("case", ["title is a number", "a key is not a PMID"])
def test_a_hand_edited_library_in_another_layout_is_checked_as_well(run, library, library_path, case):
    edit, *words = EDITS[case]
    hand_edit(library_path, edit, layout="compact")
    assert_one_error_line(run("list", "--format", "ids"), 3, *words)


def test_an_entry_nobody_reads_does_not_stop_a_command_on_another(run, library, library_path):
    hand_edit(library_path, EDITS["title is a number"][0])
    result = run("show", "9834411")
    assert result.code == 0 and "9834411" in result.out


@pytest.mark.parametrize("key, value, shown", [("page", ["title"], "an object of texts"),
                                               ("searches", ["liver"], "an object of texts"),
                                               ("section_order", "Resection", "a list of texts"),
                                               ("page", {"title": 7}, "an object of texts")])
@pytest.mark.parametrize("command", [("export",), ("page", "show"), ("page", "set", "title", "T"),
                                     ("sections",), ("curation", "dump")])
def test_a_hand_edited_setting_of_the_wrong_type_is_one_error_line(run, library, library_path, key, value,
                                                                   shown, command):
    data = json.loads(library_path.read_text())
    data["meta"]["1"][key] = value
    library_path.write_text(json.dumps(data, indent=2, sort_keys=True))
    assert_one_error_line(run(*command), 3, f"meta '{key}' must be {shown}")


def test_verify_names_each_damaged_entry(library, library_path):
    assert verify(library_path) == []
    hand_edit(library_path, lambda entries: (entries["10749609"].update(title=12345),
                                             entries["9834411"]["curation"].update(order="first")))
    problems = verify(library_path)
    assert len(problems) == 2
    assert "PMID 10749609" in problems[0] and "title" in problems[0]
    assert "PMID 9834411" in problems[1] and "curation.order" in problems[1]


def test_a_list_is_checked_inside_even_when_a_part_of_the_same_layout_held_it_empty(run, library, library_path):
    def edit(entries):
        entries["10493478"]["curation"]["notes"] = []
        entries["10749609"]["curation"]["notes"] = [1]

    hand_edit(library_path, edit)
    assert_one_error_line(run("list", "--format", "ids"), 3, "PMID 10749609", "curation.notes")


@pytest.fixture
def large_library(library_path) -> Path:
    """200 entries: more than a command checks one by one before it trusts the digest of an unedited file."""
    from lmscite.model import Curation, Entry

    with Library(library_path).transaction() as view:
        view.merge([Entry(pmid=str(n), title=f"Title {n}", curation=Curation(tags=["x"]))
                    for n in range(1, 201)])
    return library_path


def test_a_hand_edit_far_into_a_large_library_is_caught(run, large_library):
    hand_edit(large_library, lambda entries: entries["190"].update(title=190))
    assert_one_error_line(run("list", "--format", "ids"), 3, "PMID 190", "title is 190")


def test_a_write_after_a_hand_edit_does_not_vouch_for_the_entries_it_did_not_read(run, large_library):
    hand_edit(large_library, lambda entries: entries["190"].update(title=190))
    assert run("annotate", "7", "--tag", "y").code == 0
    assert run("remove", "8").code == 0
    assert_one_error_line(run("list", "--format", "ids"), 3, "PMID 190")


def test_an_unedited_large_library_reads_whole(run, large_library):
    assert run("annotate", "7", "--tag", "y").code == 0
    assert len(run("list", "--format", "ids").out.split()) == 200
    assert verify(large_library) == []
