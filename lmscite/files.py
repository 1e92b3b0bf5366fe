"""Every file lmscite writes: whole or not at all, and never over a file lmscite keeps.

A regular file is replaced, never rewritten in place: the new text goes to a
temporary file in the same folder, is fsynced, takes the old file's mode and
is renamed over it, so a crash, a kill or a full disk leaves the old file or
the new one, never a cut one that still parses with entries missing.

An output file the user names (`-o`) is resolved once: a symlink is written
through to its target (the link stays a link), a device or FIFO is written in
place (a rename would replace `/dev/stdout` itself with a regular file), and
the paths a caller protects (the library, its lock, its history) are refused
however they are spelled: another path to them, a symlink, a hard link.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from lmscite.errors import InputError, StoreError

Body = bytes | Iterable[bytes | memoryview]
"""A file's content, whole or in pieces (a 300 MB library is never joined into one buffer)."""

NO_HARD_LINKS = frozenset({errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK, errno.EXDEV})
"""What `os.link` says on a file system that has no hard links (FAT, some network and FUSE mounts)."""


def atomic_write(path: Path, body: Body, *, before_replace: Callable[[], None] | None = None) -> None:
    """Replace `path` with `body`, keeping its mode; a failure leaves `path` as it was.

    `before_replace` runs once the new file is whole and the old one is still
    in place, untouched: the moment to keep the old one (the library's history).
    """
    tmp = _whole_temporary(path, body)
    try:
        if before_replace is not None:
            before_replace()
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StoreError(f"cannot write {path}: {exc.strerror}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def create_new(path: Path, body: bytes) -> None:
    """Write a file at `path` that did not exist, whole or not at all; FileExistsError when the name is taken."""
    tmp = _whole_temporary(path, body)
    try:
        os.link(tmp, path)
    except FileExistsError:
        tmp.unlink(missing_ok=True)
        raise
    except OSError as exc:
        if exc.errno not in NO_HARD_LINKS:
            tmp.unlink(missing_ok=True)
            raise StoreError(f"cannot write {path}: {exc.strerror}") from None
        _claim_then_replace(tmp, path)
    else:
        tmp.unlink(missing_ok=True)
    _fsync_folder(path.parent)


def _claim_then_replace(tmp: Path, path: Path) -> None:
    """`create_new` without hard links: take the name with an empty file, then rename the whole one over it."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    try:
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        path.unlink(missing_ok=True)
        raise StoreError(f"cannot write {path}: {exc.strerror}") from None


def write_output(path: Path, body: bytes, protected: Mapping[Path, str] | None = None) -> None:
    """Write the output file the user named, refusing every path in `protected` (path -> what it is).

    A protected folder protects everything inside it.  A path is compared by
    its resolved name and by its inode, so a hard link is caught as well as a
    symlink or `dir/../library.json`.
    """
    try:
        status: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        status = None
    except OSError as exc:
        raise StoreError(f"cannot write {path}: {exc.strerror}") from None
    target = Path(os.path.realpath(path))
    _refuse_protected(path, target, status, protected or {})
    if status is not None and stat.S_ISDIR(status.st_mode):
        raise InputError(f"{path} is a folder; give a file name to --output")
    if status is not None and not stat.S_ISREG(status.st_mode):
        _write_in_place(path, body)
    else:
        atomic_write(target, body)


def _refuse_protected(path: Path, target: Path, status: os.stat_result | None,
                      protected: Mapping[Path, str]) -> None:
    for kept, what in protected.items():
        real = Path(os.path.realpath(kept))
        same = target == real or real in target.parents
        if not same and status is not None:
            try:
                kept_status = os.stat(kept)
            except OSError:
                continue
            same = (status.st_dev, status.st_ino) == (kept_status.st_dev, kept_status.st_ino)
        if same:
            raise InputError(f"refusing to write {path}: it is {what} ({kept}); choose another output file")


def _write_in_place(path: Path, body: bytes) -> None:
    """A device or FIFO: open what is there (a FIFO waits for its reader) and write to it."""
    try:
        descriptor = os.open(path, os.O_WRONLY)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(body)
    except OSError as exc:
        raise StoreError(f"cannot write {path}: {exc.strerror}") from None


def _whole_temporary(path: Path, body: Body) -> Path:
    """`body` in a new fsynced file beside `path`, with `path`'s mode (or a new file's)."""
    try:
        descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise StoreError(f"cannot write {path}: {exc.strerror}") from None
    tmp = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            if isinstance(body, bytes):
                handle.write(body)
            else:
                handle.writelines(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _mode_for(path))
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StoreError(f"cannot write {path}: {exc.strerror}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _mode_for(path: Path) -> int:
    """The mode of the file being replaced, else the mode any new file gets (mkstemp's are 0600)."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable; a folder that cannot be opened or synced is no error."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
