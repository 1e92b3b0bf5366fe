"""Files lmscite writes with `-o`: never the library, through symlinks, devices in place, whole or not at all."""

from __future__ import annotations

import os
import stat
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest


def assert_one_error_line(result, code: int, *words: str) -> None:
    assert result.code == code, result.err
    assert result.err.startswith("lmscite: error: ") and result.err.count("\n") == 1, result.err
    assert "Traceback" not in result.err
    for word in words:
        assert word in result.err, result.err


def char_device(path: Path, major: int, minor: int) -> Path:
    """A device node of our own (as root), so that a test gone wrong replaces it and not /dev's."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(major, minor))
    except PermissionError:
        pytest.skip("creating a device node needs root")
    return path


@pytest.fixture
def small_disk(tmp_path) -> Iterator[Path]:
    """A 256 KB file system of its own (tmpfs, as root), to fill up."""
    where = tmp_path / "disk"
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(where)],
                             capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip("mounting a small file system needs root")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=True)


def read_only(disk: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)


def fill(disk: Path) -> None:
    """Leave no free block on `disk`."""
    with open(disk / "filler", "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError:
            pass


@pytest.fixture
def curated(run, library):
    """The reference library with one entry curated, so that a curation dump has something in it."""
    assert run("annotate", "10749609", "--tag", "kept", "--note", "Expertise matters.").code == 0
    return library


def _spellings(library_path: Path) -> dict[str, Path]:
    folder = library_path.parent
    link = folder / "alias.json"
    link.symlink_to(library_path)
    hard = folder / "hard.json"
    os.link(library_path, hard)
    return {
        "the library itself": library_path,
        "another spelling of its path": folder / "sub" / ".." / library_path.name,
        "a symlink to it": link,
        "a hard link to it": hard,
        "its lock file": folder / (library_path.name + ".lock"),
    }


@pytest.mark.parametrize("command", [("export", "-f", "markdown"), ("curation", "dump")])
@pytest.mark.parametrize("spelling", ["the library itself", "another spelling of its path", "a symlink to it",
                                      "a hard link to it", "its lock file"])
def test_output_over_the_library_is_refused_and_the_library_kept(run, library, library_path, command, spelling):
    (library_path.parent / "sub").mkdir()
    target = _spellings(library_path)[spelling]
    before = library_path.read_bytes()
    result = run(*command, "-o", target)
    assert_one_error_line(result, 2, str(target), "library")
    assert library_path.read_bytes() == before
    assert not library_path.is_symlink()


def test_output_into_the_library_history_is_refused(run, library, library_path):
    assert run("annotate", "10749609", "--tag", "kept").code == 0
    history = library_path.with_name(library_path.name + ".history")
    version = next(history.iterdir())
    before = version.read_bytes()
    for target in (version, history / "new.md"):
        assert_one_error_line(run("export", "-o", target), 2, "history")
    assert version.read_bytes() == before
    assert sorted(history.iterdir()) == [version]


def test_output_through_a_symlink_writes_its_target_and_keeps_the_link_and_mode(run, library, tmp_path):
    target = tmp_path / "pages" / "real.md"
    target.parent.mkdir()
    target.write_text("old page\n")
    target.chmod(0o640)
    link = tmp_path / "page.md"
    link.symlink_to(target)
    assert run("export", "-f", "markdown", "-o", link).code == 0
    assert link.is_symlink() and link.resolve() == target
    assert "10749609" in target.read_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_output_through_a_dangling_symlink_creates_its_target(run, curated, tmp_path):
    link = tmp_path / "page.md"
    link.symlink_to(tmp_path / "new.md")
    assert run("curation", "dump", "-o", link).code == 0
    assert link.is_symlink() and "10749609" in (tmp_path / "new.md").read_text()


def test_output_to_a_device_is_written_in_place(run, library, tmp_path):
    null = char_device(tmp_path / "null", 1, 3)
    link = tmp_path / "stdout"
    link.symlink_to(null)
    for target in (null, link):
        assert run("export", "-f", "ris", "-o", target).code == 0
    assert null.is_char_device() and link.is_symlink()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("command", [("export", "-f", "ris"), ("curation", "dump")])
def test_a_full_device_is_one_error_line_naming_it_and_stays_a_device(run, library, tmp_path, command):
    full = char_device(tmp_path / "full", 1, 7)
    assert_one_error_line(run(*command, "-o", full), 3, f"cannot write {full}", "No space left")
    assert full.is_char_device()


def test_output_to_a_fifo_is_written_in_place_for_its_reader(run, library, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = run("export", "-f", "bibtex", "-o", fifo)
    reader.join(timeout=10)
    assert result.code == 0, result.err
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert b"@article{" in received[0]


@pytest.mark.parametrize("command", [("export", "-f", "markdown"), ("curation", "dump")])
def test_output_dash_is_standard_output(run, curated, tmp_path, command):
    result = run(*command, "-o", "-")
    assert result.code == 0 and "10749609" in result.out
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("command", [("export", "-f", "markdown"), ("curation", "dump")])
def test_a_full_disk_leaves_the_old_output_file_whole(run, library, small_disk, command):
    kept = small_disk / "curation.yaml"
    old = "# the curator's file\n" + "".join(f"- entry {n}: kept\n" for n in range(2000))
    kept.write_text(old)
    fill(small_disk)
    result = run(*command, "-o", kept)
    assert_one_error_line(result, 3, f"cannot write {kept}")
    assert kept.read_text() == old
    assert sorted(p.name for p in small_disk.iterdir()) == ["curation.yaml", "filler"]


def test_a_failed_export_names_the_file_it_was_writing(run, library, small_disk):
    target = small_disk / "page.ris"
    read_only(small_disk)
    assert_one_error_line(run("export", "-f", "ris", "-o", target), 3, f"cannot write {target}",
                          "Read-only file system")
