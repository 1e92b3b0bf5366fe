"""The library: one TinyDB JSON file, written atomically under an inter-process lock.

TinyDB is not safe for several processes, and writing it per record is
quadratic, so this module owns every access to it:

* readers load the file once (`Library.snapshot`); an atomic rename means they
  always see a whole library;
* writers take an exclusive lock, reload, change the loaded library and write
  the file once when the transaction ends (`Library.transaction`); an error
  inside the transaction writes nothing;
* the file is written to a temporary file in the same folder, fsynced and
  renamed over the old one, so a crash leaves the old or the new library.

Entries are TinyDB documents keyed by their PMID (doc_id), in table
`entries`; library settings live in table `meta`, document 1.  The
retraction, erratum and concern notices that entries link to are kept in
table `notices`, apart, so that they are cited but never listed as entries.

The entries table is read and written here directly, in TinyDB's layout,
and each entry is decoded only when a command reads it: a command that
touches one entry of 10,000 (show, annotate) would otherwise spend most of
its time decoding the other 9,999, and TinyDB's table operations copy the
whole table on every call.  A file in the layout `LibraryView.chunks` writes
is split into one undecoded JSON text per entry; an entry nobody changed is
written back as the very bytes it was read from.  A file in any other layout
(edited by hand, written by another tool) is decoded whole.
"""

from __future__ import annotations

import os
import stat
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

from lmscite import upgrade
from lmscite.errors import InputError, StoreError
from lmscite.files import atomic_write
from lmscite.ids import field_pmid
from lmscite.library import history
from lmscite.model import SCHEMA, Entry, stored_problem

ENTRIES = "entries"
META = "meta"
NOTICES = "notices"
LOCK_TIMEOUT = 60.0
_META_ID = 1
_JSON = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS
_TABLE_OPEN = b'{\n  "entries": {\n'
_ENTRY_CLOSE = b"\n    }"
_CURATION_AND_PROVENANCE = ("curation", "provenance")
DIGEST = "entries_crc32"
"""Meta key: the CRC-32 of the entries table, written when every entry in it is known sound."""
_CHECKS_BEFORE_DIGEST = 32
"""Entries checked one by one before the table's digest is compared (a command reading one entry never pays for it)."""


def now() -> str:
    """Timestamps are UTC ISO 8601 to the second, so libraries diff cleanly."""
    return stamp(datetime.now(timezone.utc).timestamp())


def stamp(seconds: float) -> str:
    """A moment (seconds since 1970) as lmscite writes timestamps: `2024-05-01T09:30:00Z`."""
    moment = datetime.fromtimestamp(int(seconds), timezone.utc)
    return moment.isoformat().replace("+00:00", "Z")


class _MemoryStorage(Storage):
    """Hands TinyDB the loaded file; the transaction writes it back once."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.dirty = False

    def read(self) -> dict[str, Any]:
        return self.data

    def write(self, data: dict[str, Any]) -> None:
        self.data = data
        self.dirty = True


class _Entries:
    """The entries table: PMID -> stored JSON, each entry decoded and checked when first read.

    `_table` holds, in file order, an entry's undecoded text (a memoryview
    of the file) until it is read and its dict after; `_read` keeps the text
    of entries decoded but not replaced, which is what gets written back.

    Each entry's JSON is type-checked as it is decoded, which in Python costs
    about what decoding does.  So lmscite writes, beside the entries, the
    CRC-32 of the entries table when it knows every entry in it is sound
    (`DIGEST` in meta); a command that goes on to read many entries compares
    it with the table it loaded, once, and skips the check for the rest when
    the two agree: the table is byte for byte what lmscite wrote.  A hand
    edit changes the table, so every entry is checked again, and the next
    write checks the ones nobody read before it writes a digest again.
    """

    def __init__(self, path: Path, table: dict[str, Any], present: bool, text: memoryview | None,
                 digest: int | None, schema: int = SCHEMA) -> None:
        self._path = path
        self._table = table
        self._stale = set(table) if schema < SCHEMA else set()
        """Entries in an earlier schema's layout, each upgraded (`lmscite.upgrade`) when first read."""
        self._read: dict[str, memoryview] = {}
        self._unchecked = set() if text is not None or not table else set(table)
        self._text = text
        self._digest = digest
        self._verbatim: bool | None = None if text is not None else False
        self._checked = 0
        self.present = present
        self.changed = False

    def __len__(self) -> int:
        return len(self._table)

    def __contains__(self, pmid: str) -> bool:
        return pmid in self._table

    def pmids(self) -> list[str]:
        return list(self._table)

    def get(self, pmid: str) -> dict[str, Any] | None:
        found = self._table.get(pmid)
        if found is None:
            return None
        if pmid in self._stale:
            return self._upgraded(pmid, found)
        if type(found) is dict:
            if pmid in self._unchecked:
                _check_entry(self._path, pmid, found)
                self._unchecked.discard(pmid)
            return found
        try:
            doc = orjson.loads(found)
        except orjson.JSONDecodeError as exc:
            raise StoreError(f"library {self._path} is corrupt (entry {pmid}: {exc}); "
                             "it was left untouched") from None
        if not self._as_written():
            _check_entry(self._path, pmid, doc)
        self._read[pmid] = found
        self._table[pmid] = doc
        return doc

    def _upgraded(self, pmid: str, found: Any) -> dict[str, Any]:
        """An entry of an earlier schema, decoded, in today's layout (and written so when the library is)."""
        try:
            doc = found if type(found) is dict else orjson.loads(found)
        except orjson.JSONDecodeError as exc:
            raise StoreError(f"library {self._path} is corrupt (entry {pmid}: {exc}); "
                             "it was left untouched") from None
        doc = upgrade.entry_v1(doc)
        _check_entry(self._path, pmid, doc)
        self._stale.discard(pmid)
        self._unchecked.discard(pmid)
        self._read.pop(pmid, None)
        self._table[pmid] = doc
        return doc

    def _as_written(self) -> bool:
        """Whether the loaded table is the one lmscite wrote with its digest; asked once enough entries are read."""
        if self._verbatim is None:
            self._checked += 1
            if self._checked <= _CHECKS_BEFORE_DIGEST:
                return False
            self._verbatim = zlib.crc32(self._text) == self._digest
        return self._verbatim

    def all_sound(self) -> bool:
        """Whether every entry is known to be an entry's JSON: as lmscite wrote it, or checked now."""
        if self._verbatim is None:
            self._checked = _CHECKS_BEFORE_DIGEST
        if self._as_written():
            return True
        try:
            for pmid in self.pmids():
                self.get(pmid)
        except StoreError:
            return False
        return True

    def put(self, pmid: str, doc: dict[str, Any]) -> None:
        self._table[pmid] = doc
        self._read.pop(pmid, None)
        self._unchecked.discard(pmid)
        self.present = self.changed = True

    def delete(self, pmid: str) -> None:
        del self._table[pmid]
        self._read.pop(pmid, None)
        self._unchecked.discard(pmid)
        self.present = self.changed = True

    def chunks(self) -> list[bytes | memoryview]:
        """The table as `orjson.dumps(..., OPT_INDENT_2 | OPT_SORT_KEYS)` writes it inside the file, in pieces.

        An earlier schema's entries are all upgraded first: the file is written in today's.
        """
        for pmid in list(self._stale):
            self.get(pmid)
        if not self._table:
            return [b"{}"]
        parts: list[bytes | memoryview] = [b"{\n"]
        for pmid in sorted(self._table):
            value = self._read.get(pmid) or self._table[pmid]
            if type(value) is dict:
                value = orjson.dumps(value, option=_JSON).replace(b"\n", b"\n    ")
            parts += (b'    "', pmid.encode(), b'": ', value, b",\n")
        parts[-1] = b"\n  }"
        return parts


class LibraryView:
    """A loaded library: read it, and change it inside a transaction."""

    def __init__(self, path: Path, data: dict[str, Any], writable: bool,
                 entries: dict[str, Any] | None = None, text: memoryview | None = None) -> None:
        """`data` holds the tables; the entries come in `entries` when split undecoded from the file,
        with `text`, the entries table as the file holds it."""
        self.path = path
        self._writable = writable
        present = entries is not None or ENTRIES in data
        table = entries if entries is not None else data.pop(ENTRIES, {})
        meta = data.get(META, {}).get(str(_META_ID), {})
        digest = meta.get(DIGEST)
        self._table = _Entries(path, table, present, text if type(digest) is int else None, digest,
                               meta.get("schema", SCHEMA))
        self._db = TinyDB(data, storage=_MemoryStorage)
        self._storage: _MemoryStorage = self._db.storage  # type: ignore[assignment]
        self._meta: Table = self._db.table(META, cache_size=0)
        self._notices: Table = self._db.table(NOTICES, cache_size=0)

    @property
    def changed(self) -> bool:
        return self._storage.dirty or self._table.changed

    def _require_writable(self) -> None:
        if not self._writable:
            raise RuntimeError("library snapshot is read-only; use Library.transaction()")

    def __len__(self) -> int:
        return len(self._table)

    def __contains__(self, pmid: str) -> bool:
        return self._key(pmid) in self._table

    def _key(self, pmid: str) -> str:
        """A stored key as it is (even one a hand edit made that is no PMID), else the PMID's own form."""
        return pmid if pmid in self._table else str(int(pmid))

    def pmids(self) -> list[str]:
        return self._table.pmids()

    def raw(self, pmid: str) -> dict[str, Any] | None:
        """The stored JSON of one entry, without building an Entry.

        Read it, never change it: changes go through `add`, `replace` or `merge`.
        """
        return self._table.get(self._key(pmid))

    def get(self, pmid: str) -> Entry | None:
        found = self.raw(pmid)
        return None if found is None else Entry.from_dict(found)

    def entries(self) -> Iterator[Entry]:
        for pmid in self._table.pmids():
            yield Entry.from_dict(self._table.get(pmid))

    def add(self, entries: Iterable[Entry]) -> None:
        """Insert new entries (PMIDs not yet stored); a stored PMID is a ValueError, as in TinyDB."""
        self._require_writable()
        docs = {str(int(e.pmid)): e.to_dict() for e in entries}
        taken = next((pmid for pmid in docs if pmid in self._table), None)
        if taken is not None:
            raise ValueError(f"Document with ID {taken} already exists")
        for pmid, doc in docs.items():
            self._table.put(pmid, doc)

    def replace(self, entries: Iterable[Entry]) -> None:
        """Overwrite stored entries with these versions; a PMID not stored is a KeyError."""
        self._require_writable()
        docs = {str(int(e.pmid)): e.to_dict() for e in entries}
        missing = next((pmid for pmid in docs if pmid not in self._table), None)
        if missing is not None:
            raise KeyError(int(missing))
        for pmid, doc in docs.items():
            self._table.put(pmid, doc)

    def merge(self, incoming: Iterable[Entry], *, restamp: bool = False) -> dict[str, str]:
        """Add new records and update changed ones, keeping each stored entry's curation.

        Returns each PMID's outcome: "added", "updated" or "unchanged".  With
        `restamp` an unchanged record still takes the new provenance (a refresh
        records when PubMed was last asked).  A record is compared with the
        stored JSON directly, its curation and provenance aside, so an
        unchanged record costs one `to_dict` and no Entry is built.
        """
        self._require_writable()
        stamp = now()
        outcome: dict[str, str] = {}
        new: dict[str, Entry] = {}
        changed: dict[str, Entry] = {}
        for entry in incoming:
            pmid = entry.pmid
            stored = self.raw(pmid)
            if stored is None or pmid in new:
                entry.curation.created = entry.curation.created or stamp
                new[pmid] = entry
                outcome[pmid] = "added"
                continue
            earlier = changed.get(pmid)
            if earlier is not None:
                same = earlier.pubmed_equal(entry)
            else:
                same = _pubmed_part(entry.to_dict()) == _pubmed_part(stored)
            if same and not restamp:
                outcome.setdefault(pmid, "unchanged")
                continue
            entry.curation = earlier.curation if earlier is not None else Entry.from_dict(stored).curation
            changed[pmid] = entry
            outcome[pmid] = "unchanged" if same and outcome.get(pmid) != "updated" else "updated"
        self.add(new.values())
        self.replace(changed.values())
        return outcome

    def remove(self, pmids: Iterable[str]) -> list[str]:
        self._require_writable()
        present = [p for p in dict.fromkeys(str(int(p)) for p in pmids) if p in self]
        for pmid in present:
            self._table.delete(pmid)
        return present

    def notice(self, pmid: str) -> Entry | None:
        """A stored notice record (a retraction, erratum or concern an entry links to)."""
        key = str(int(pmid))
        found = self._storage.data.get(NOTICES, {}).get(key)
        if found is None:
            return None
        _check_entry(self.path, key, found, "notice")
        return Entry.from_dict(found)

    def notice_pmids(self) -> list[str]:
        return list(self._storage.data.get(NOTICES, {}))

    def put_notices(self, notices: Iterable[Entry]) -> None:
        """Store notice records, each replacing its older version, in bulk TinyDB operations."""
        self._require_writable()
        docs = {int(n.pmid): n.to_dict() for n in notices}
        stored = self._storage.data.get(NOTICES, {})
        old = [pmid for pmid in docs if str(pmid) in stored]
        if old:
            self._notices.update(lambda doc: _swap(doc, docs[int(doc["pmid"])]), doc_ids=old)
        new = [Document(data, doc_id=pmid) for pmid, data in docs.items() if str(pmid) not in stored]
        if new:
            self._notices.insert_multiple(new)

    def meta(self) -> dict[str, Any]:
        """Library settings (section order, page text, saved searches) and the schema number.

        Each setting lmscite knows is checked for its type here, so that every
        reader can trust it (a hand edit can make `page` a list).
        """
        found = self._meta.get(doc_id=_META_ID)
        meta = dict(found) if found else {"schema": SCHEMA}
        for key, (check, wanted) in _META_TYPES.items():
            if key in meta and meta[key] is not None and not check(meta[key]):
                raise StoreError(f"library {self.path} has a damaged setting: meta {key!r} must be {wanted}, "
                                 f"not {type(meta[key]).__name__}; fix it in the library file")
        return meta

    def set_meta(self, key: str, value: Any) -> None:
        self._require_writable()
        meta = self.meta()
        if value is None:
            meta.pop(key, None)
        else:
            meta[key] = value
        meta["schema"] = SCHEMA
        # Not upsert: TinyDB's upsert updates the stored document, so a key popped here would stay.
        if self._meta.contains(doc_id=_META_ID):
            self._meta.remove(doc_ids=[_META_ID])
        self._meta.insert(Document(meta, doc_id=_META_ID))

    def chunks(self) -> list[bytes | memoryview]:
        """The whole library file in pieces: sorted keys, two-space indent, the schema number in `meta`.

        Pieces, so that a 300 MB library is written without being copied into
        one buffer first; `b"".join(view.chunks())` is the file.
        """
        data = dict(self._storage.data)
        meta = {**self.meta(), "schema": SCHEMA}
        meta.pop(DIGEST, None)
        table = self._table.chunks() if self._table.present else []
        if table and self._table.all_sound():
            meta[DIGEST] = _crc32(table)
        data[META] = {**data.get(META, {}), str(_META_ID): meta}
        if not table:
            return [orjson.dumps(data, option=_JSON), b"\n"]
        marker = f"\u0000entries {os.urandom(8).hex()}"
        data[ENTRIES] = marker
        head = orjson.dumps(data, option=_JSON)
        key = b'"' + ENTRIES.encode() + b'": '
        before, after = head.split(key + orjson.dumps(marker), 1)
        return [before, key, *table, after, b"\n"]


def _crc32(chunks: list[bytes | memoryview]) -> int:
    crc = 0
    for chunk in chunks:
        crc = zlib.crc32(chunk, crc)
    return crc


def _texts(value: Any) -> bool:
    return type(value) is list and all(type(item) is str for item in value)


def _texts_by_name(value: Any) -> bool:
    return type(value) is dict and all(type(item) is str for item in value.values())


_META_TYPES = {
    "page": (_texts_by_name, "an object of texts (title, intro, footer)"),
    "searches": (_texts_by_name, "an object of texts (name: query)"),
    "section_order": (_texts, "a list of texts"),
}


def _check_entry(path: Path, key: str, doc: Any, kind: str = "entry") -> None:
    """A decoded entry's JSON must be an Entry's, stored under its own PMID; else name the entry and the field."""
    if field_pmid(key) != key:
        raise StoreError(f"library {path} holds an {kind} under the key {key!r}, which is not a PMID; "
                         "fix or remove it in the library file")
    problem = stored_problem(doc)
    if problem is None and doc["pmid"] != key:
        problem = f"its pmid is {doc['pmid']!r}, not its key"
    if problem is not None:
        raise StoreError(f"library {path} holds a damaged {kind} (PMID {key}): {problem}; "
                         "fix or remove it in the library file")


def _pubmed_part(doc: dict[str, Any]) -> dict[str, Any]:
    """A stored entry without what the curator and lmscite add: what PubMed says."""
    return {key: value for key, value in doc.items() if key not in _CURATION_AND_PROVENANCE}


def _swap(doc: dict[str, Any], fresh: dict[str, Any]) -> None:
    doc.clear()
    doc.update(fresh)


class Library:
    """The library file at `path`; nothing is read or created until asked.

    The path is resolved once, here: a library reached through a symlink is
    read, locked, written and kept in history at the file the link names, so
    that the link stays a link and commands through the link and through the
    real path lock each other out.
    """

    def __init__(self, path: Path, *, create_parents: bool = False) -> None:
        self.path = Path(path)
        self.target = Path(os.path.realpath(self.path))
        self._create_parents = create_parents
        self._kept = False

    @property
    def lock_path(self) -> Path:
        return self.target.with_name(self.target.name + ".lock")

    def protected(self) -> dict[Path, str]:
        """The files lmscite must never write an output over: path -> what it is."""
        return {self.target: "the library file", self.lock_path: "the library's lock file",
                history.folder(self.target): "the library's history"}

    def exists(self) -> bool:
        return self.target.exists()

    def _load(self, writable: bool) -> LibraryView:
        raw = _read(self.target, self.path)
        if raw is None:
            return LibraryView(self.path, {}, writable)
        return _parse(self.path, raw, writable)

    def snapshot(self) -> LibraryView:
        """The library as it is now, read-only, without waiting for writers."""
        return self._load(writable=False)

    @contextmanager
    def transaction(self) -> Iterator[LibraryView]:
        """Lock, load, let the caller change, write once if anything changed."""
        self._require_folder()
        with self._lock():
            view = self._load(writable=True)
            yield view
            if view.changed:
                self._write(view.chunks())

    def _require_folder(self) -> None:
        folder = self.target.parent
        if folder.is_dir():
            return
        if not self._create_parents:
            raise StoreError(f"library folder {folder} does not exist")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create library folder {folder}: {exc.strerror}") from None

    @contextmanager
    def _lock(self) -> Iterator[None]:
        from filelock import FileLock, Timeout

        try:
            with FileLock(str(self.lock_path), timeout=LOCK_TIMEOUT):
                yield
        except Timeout:
            raise StoreError(
                f"library {self.path} is locked by another lmscite process "
                f"(waited {LOCK_TIMEOUT:.0f} s)") from None
        except OSError as exc:
            raise StoreError(f"cannot lock library {self.path}: {exc.strerror} ({self.lock_path})") from None

    def _write(self, body: list[bytes | memoryview] | bytes) -> None:
        """Replace the library, keeping the version it replaces (once per command) in its history."""
        try:
            kind = _file_kind(os.stat(self.target).st_mode)
        except FileNotFoundError:
            kind = None
        except OSError as exc:
            raise StoreError(f"cannot write library {self.path}: {exc.strerror}") from None
        if kind is not None:
            raise StoreError(f"library path {self.path} is {kind}, not a file; nothing was changed")
        if self.target.exists() and _read_only(self.target):
            raise StoreError(f"library file {self.path} is read-only; nothing was changed")
        for stale in self.target.parent.glob(f".{self.target.name}.*.tmp"):
            try:
                stale.unlink(missing_ok=True)
            except OSError:
                pass
        keep = None if self._kept else (lambda: history.keep(self.target))
        atomic_write(self.target, body, before_replace=keep)
        self._kept = True

    def versions(self) -> list[history.Version]:
        """The library's kept previous versions, newest first (a leftover copy of the library itself aside)."""
        try:
            current = os.stat(self.target)
        except OSError:
            return history.versions(self.target)
        return [version for version in history.versions(self.target)
                if not _same_file(version.path, current)]

    def read_version(self, version: history.Version) -> LibraryView:
        """A kept version, read as a library: it must be one lmscite can read to be restored."""
        return _parse(version.path, _read(version.path, version.path) or b"", writable=False)

    def undo(self, number: int = 1, *, dry_run: bool = False) -> Undone:
        """Bring back the `number`-th newest kept version, under the lock every writer takes.

        The version it replaces is kept in turn, as every write's is, so a
        second undo takes the first one back; the restored version leaves the
        history, being the library again.
        """
        if not self.versions():
            raise InputError(f"no earlier version of the library {self.path} is kept "
                             f"(in {history.folder(self.target)}); nothing to undo")
        if dry_run:
            return self._plan(number)[2]
        with self._lock():
            version, raw, undone = self._plan(number)
            self._write(raw)
            history.drop(version)
        return undone

    def _plan(self, number: int) -> tuple[history.Version, bytes, Undone]:
        """The version to restore, its bytes (read and parsed: it must be a library) and what undo would say."""
        kept = self.versions()
        if not 1 <= number <= len(kept):
            raise InputError(f"the library {self.path} has {len(kept)} kept version"
                             f"{'' if len(kept) == 1 else 's'}, no version {number} (see `lmscite undo --list`)")
        version = kept[number - 1]
        raw = _read(version.path, version.path) or b""
        restored = _parse(version.path, raw, writable=False)
        try:
            replaced: int | None = len(self.snapshot())
        except StoreError:
            replaced = None
        return version, raw, Undone(version.written, len(restored), replaced)


@dataclass(frozen=True)
class Undone:
    """What `undo` brought back: when that version was written, its entries, and the entries it replaced."""

    written: float
    entries: int
    replaced: int | None
    """None when the library it replaced could not be read (a hand edit gone wrong)."""


def _same_file(path: Path, status: os.stat_result) -> bool:
    try:
        other = os.stat(path)
    except OSError:
        return False
    return (other.st_dev, other.st_ino) == (status.st_dev, status.st_ino)


def _read(path: Path, shown: Path) -> bytes | None:
    """The file's bytes, None when there is none; a folder, device or FIFO is refused, never read.

    `shown` is the path the messages name: the library as the user gave it.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"cannot read library {shown}: {exc.strerror}") from None
    try:
        kind = _file_kind(os.fstat(descriptor).st_mode)
        if kind is not None:
            raise StoreError(f"library path {shown} is {kind}, not a file")
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            return handle.read()
    except OSError as exc:
        raise StoreError(f"cannot read library {shown}: {exc.strerror}") from None
    finally:
        os.close(descriptor)


def _parse(path: Path, raw: bytes, writable: bool) -> LibraryView:
    """A library file's bytes as a view; a file lmscite cannot read is refused and left untouched."""
    if not raw or raw.isspace():
        return LibraryView(path, {}, writable)
    split = _split_entries(raw)
    rest, entries, table = split if split is not None else (raw, None, None)
    try:
        data = orjson.loads(rest)
    except orjson.JSONDecodeError as exc:
        raise StoreError(f"library {path} is corrupt ({exc}); it was left untouched") from None
    _check_layout(path, data)
    return LibraryView(path, data, writable, entries, table)


def _file_kind(mode: int) -> str | None:
    """What a library path is when it is not a regular file (a FIFO would hang a reader forever)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a socket or other special file"


def _split_entries(raw: bytes) -> tuple[bytes, dict[str, memoryview], memoryview] | None:
    """(the file without its entries table, each entry's undecoded text by PMID, the table's text), or None.

    Only the layout `LibraryView.chunks` writes is split: the entries table
    first, one entry per `    "PMID": {` line, each closed by the first line
    that is exactly `    }` (JSON strings hold no line breaks, and anything
    nested inside an entry is indented further).  Anything else is None, and
    the caller decodes the file whole.
    """
    if not raw.startswith(_TABLE_OPEN):
        return None
    text = memoryview(raw)
    entries: dict[str, memoryview] = {}
    position = len(_TABLE_OPEN)
    while True:
        if raw[position:position + 5] != b'    "':
            return None
        key_end = raw.find(b'": {\n', position + 5)
        pmid = raw[position + 5:key_end] if key_end > 0 else b""
        if not pmid.isdigit():
            return None
        start = key_end + 3
        end = raw.find(_ENTRY_CLOSE, start)
        if end < 0:
            return None
        end += len(_ENTRY_CLOSE)
        entries[pmid.decode()] = text[start:end]
        if raw[end:end + 2] == b",\n":
            position = end + 2
        elif raw[end:end + 4] == b"\n  }":
            position = end + 4
            break
        else:
            return None
    table = text[len(_TABLE_OPEN) - 2:position]
    if raw[position:position + 1] == b",":
        return b"{" + raw[position + 1:], entries, table
    return (b"{}", entries, table) if raw[position:].strip() == b"}" else None


def _read_only(path: Path) -> bool:
    """Honours a file marked read-only even for root, who could write it anyway."""
    return not os.access(path, os.W_OK) or not path.stat().st_mode & 0o222


def _check_layout(path: Path, data: Any) -> None:
    """Tables of documents and a known schema: cheap checks that keep every later read from crashing."""
    if not isinstance(data, dict) or not all(
            isinstance(table, dict) and all(isinstance(doc, dict) for doc in table.values())
            for table in data.values()):
        raise StoreError(f"library {path} is not an lmscite library; it was left untouched")
    schema = data.get(META, {}).get(str(_META_ID), {}).get("schema", SCHEMA)
    if not isinstance(schema, int) or isinstance(schema, bool) or schema < 1:
        raise StoreError(f"library {path} has an invalid schema number {schema!r}; it was left untouched")
    if schema > SCHEMA:
        raise StoreError(
            f"library {path} has schema {schema}, newer than this lmscite understands "
            f"({SCHEMA}); upgrade lmscite. The file was left untouched")


def verify(path: Path) -> list[str]:
    """Integrity problems of a library file (empty when sound): every entry and notice decoded, checked and built.

    Every entry is checked, whatever the table's digest says: this is what
    the crash tests rely on to see a torn or mixed write.
    """
    view = Library(path).snapshot()
    problems = []
    for pmid in view.pmids():
        try:
            _check_entry(path, pmid, view.raw(pmid))
            view.get(pmid)
        except StoreError as exc:
            problems.append(str(exc))
    for pmid in view.notice_pmids():
        try:
            view.notice(pmid)
        except (StoreError, ValueError) as exc:
            problems.append(str(exc))
    try:
        view.meta()
    except StoreError as exc:
        problems.append(str(exc))
    return problems
