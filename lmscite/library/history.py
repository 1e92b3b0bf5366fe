"""The library's previous versions, kept beside it so that `lmscite undo` can bring one back.

A write replaces the library by renaming a new file over it, so at that
moment the old file is whole and nothing will change it again: a hard link
to it keeps it for the cost of a folder entry, however large the library (a
copy, written atomically, where the file system has no hard links).  The
versions live in `<library>.history/`, named by a number that grows with
each one; the newest `KEEP` are kept.

One version is kept per command, not per write: a command that writes
several times (`fetch`, batch by batch) keeps the library as it was before
its first write, so that undo takes back the whole command.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lmscite.errors import StoreError
from lmscite.files import NO_HARD_LINKS, atomic_write

KEEP = 5
"""How many previous versions are kept (each costs disk space only once the library has moved on)."""
_SUFFIX = ".json"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Version:
    """One kept version: its file, its number (higher is newer) and when it was written as the library."""

    path: Path
    number: int
    written: float


def folder(library: Path) -> Path:
    """Where the versions of the library file `library` (its resolved path) are kept."""
    return library.with_name(library.name + ".history")


def versions(library: Path) -> list[Version]:
    """The kept versions, newest first; anything else in the folder is ignored."""
    found = []
    for path in _listing(folder(library)):
        stem = path.name.removesuffix(_SUFFIX)
        if path.name.endswith(_SUFFIX) and stem.isdecimal():
            try:
                written = path.stat().st_mtime
            except OSError:
                continue
            found.append(Version(path, int(stem), written))
    return sorted(found, key=lambda version: version.number, reverse=True)


def _listing(where: Path) -> Iterator[Path]:
    try:
        yield from where.iterdir()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(f"cannot read the library's history {where}: {exc.strerror}") from None


def keep(library: Path) -> None:
    """Keep the library file as it is now as the newest version, then drop the oldest beyond KEEP.

    Called with the library locked, before the new file is renamed over it.  A
    copy takes the library's mode and time, as a hard link shares them: a
    private library's versions stay private.
    """
    if not library.exists():
        return
    where = folder(library)
    kept = versions(library)
    newest = where / f"{(kept[0].number if kept else 0) + 1:06d}{_SUFFIX}"
    try:
        where.mkdir(exist_ok=True)
        _link_or_copy(library, newest)
        for old in kept[KEEP - 1:]:
            old.path.unlink(missing_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot keep the previous version of the library in {where}: {exc.strerror}; "
                         "nothing was changed") from None


def _link_or_copy(library: Path, version: Path) -> None:
    try:
        os.link(library, version)
        return
    except OSError as exc:
        if exc.errno not in NO_HARD_LINKS:
            raise
    written = library.stat()
    with open(library, "rb") as source:
        atomic_write(version, iter(lambda: source.read(_CHUNK), b""))
    os.chmod(version, stat.S_IMODE(written.st_mode))
    os.utime(version, ns=(written.st_atime_ns, written.st_mtime_ns))


def drop(version: Version) -> None:
    """Forget a version once it is the library again (undo), so that it does not take a place twice."""
    try:
        version.path.unlink(missing_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot remove {version.path} from the library's history: {exc.strerror}") from None
