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
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

from lmscite.errors import StoreError
from lmscite.model import SCHEMA, Entry

ENTRIES = "entries"
META = "meta"
NOTICES = "notices"
LOCK_TIMEOUT = 60.0
_META_ID = 1
_JSON = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS
_TABLE_OPEN = b'{\n  "entries": {\n'
_ENTRY_CLOSE = b"\n    }"
_CURATION_AND_PROVENANCE = ("curation", "provenance")


def now() -> str:
    """Timestamps are UTC ISO 8601 to the second, so libraries diff cleanly."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


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
    """The entries table: PMID -> stored JSON, each entry decoded when first read.

    `_table` holds, in file order, an entry's undecoded text (a memoryview
    of the file) until it is read and its dict after; `_read` keeps the text
    of entries decoded but not replaced, which is what gets written back.
    """

    def __init__(self, path: Path, table: dict[str, Any], present: bool) -> None:
        self._path = path
        self._table = table
        self._read: dict[str, memoryview] = {}
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
        if found is None or type(found) is dict:
            return found
        try:
            doc = orjson.loads(found)
        except orjson.JSONDecodeError as exc:
            raise StoreError(f"library {self._path} is corrupt (entry {pmid}: {exc}); "
                             "it was left untouched") from None
        self._read[pmid] = found
        self._table[pmid] = doc
        return doc

    def put(self, pmid: str, doc: dict[str, Any]) -> None:
        self._table[pmid] = doc
        self._read.pop(pmid, None)
        self.present = self.changed = True

    def delete(self, pmid: str) -> None:
        del self._table[pmid]
        self._read.pop(pmid, None)
        self.present = self.changed = True

    def chunks(self) -> list[bytes | memoryview]:
        """The table as `orjson.dumps(..., OPT_INDENT_2 | OPT_SORT_KEYS)` writes it inside the file, in pieces."""
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
                 entries: dict[str, Any] | None = None) -> None:
        """`data` holds the tables; the entries come in `entries` when split undecoded from the file."""
        self.path = path
        self._writable = writable
        present = entries is not None or ENTRIES in data
        table = entries if entries is not None else data.pop(ENTRIES, {})
        self._table = _Entries(path, table, present)
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
        return str(int(pmid)) in self._table

    def pmids(self) -> list[str]:
        return self._table.pmids()

    def raw(self, pmid: str) -> dict[str, Any] | None:
        """The stored JSON of one entry, without building an Entry.

        Read it, never change it: changes go through `add`, `replace` or `merge`.
        """
        return self._table.get(str(int(pmid)))

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
        found = self._storage.data.get(NOTICES, {}).get(str(int(pmid)))
        return None if found is None else Entry.from_dict(found)

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
        """Library settings (section order, page text, saved searches) and the schema number."""
        found = self._meta.get(doc_id=_META_ID)
        return dict(found) if found else {"schema": SCHEMA}

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
        data[META] = {**data.get(META, {}), str(_META_ID): {**self.meta(), "schema": SCHEMA}}
        if not self._table.present:
            return [orjson.dumps(data, option=_JSON), b"\n"]
        marker = f"\u0000entries {os.urandom(8).hex()}"
        data[ENTRIES] = marker
        head = orjson.dumps(data, option=_JSON)
        key = b'"' + ENTRIES.encode() + b'": '
        before, after = head.split(key + orjson.dumps(marker), 1)
        return [before, key, *self._table.chunks(), after, b"\n"]


def _pubmed_part(doc: dict[str, Any]) -> dict[str, Any]:
    """A stored entry without what the curator and lmscite add: what PubMed says."""
    return {key: value for key, value in doc.items() if key not in _CURATION_AND_PROVENANCE}


def _swap(doc: dict[str, Any], fresh: dict[str, Any]) -> None:
    doc.clear()
    doc.update(fresh)


class Library:
    """The library file at `path`; nothing is read or created until asked."""

    def __init__(self, path: Path, *, create_parents: bool = False) -> None:
        self.path = Path(path)
        self._create_parents = create_parents

    def exists(self) -> bool:
        return self.path.exists()

    def _load(self, writable: bool) -> LibraryView:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return LibraryView(self.path, {}, writable)
        except IsADirectoryError:
            raise StoreError(f"library path {self.path} is a folder, not a file") from None
        except OSError as exc:
            raise StoreError(f"cannot read library {self.path}: {exc.strerror}") from None
        if not raw or raw.isspace():
            return LibraryView(self.path, {}, writable)
        split = _split_entries(raw)
        rest, entries = split if split is not None else (raw, None)
        try:
            data = orjson.loads(rest)
        except orjson.JSONDecodeError as exc:
            raise StoreError(
                f"library {self.path} is corrupt ({exc}); it was left untouched") from None
        _check_layout(self.path, data)
        return LibraryView(self.path, data, writable, entries)

    def snapshot(self) -> LibraryView:
        """The library as it is now, read-only, without waiting for writers."""
        return self._load(writable=False)

    @contextmanager
    def transaction(self) -> Iterator[LibraryView]:
        """Lock, load, let the caller change, write once if anything changed."""
        folder = self.path.parent
        if not folder.is_dir():
            if not self._create_parents:
                raise StoreError(f"library folder {folder} does not exist")
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create library folder {folder}: {exc.strerror}") from None
        with self._lock():
            view = self._load(writable=True)
            yield view
            if view.changed:
                self._write(view)

    @contextmanager
    def _lock(self) -> Iterator[None]:
        from filelock import FileLock, Timeout

        lock_path = self.path.with_name(self.path.name + ".lock")
        try:
            with FileLock(str(lock_path), timeout=LOCK_TIMEOUT):
                yield
        except Timeout:
            raise StoreError(
                f"library {self.path} is locked by another lmscite process "
                f"(waited {LOCK_TIMEOUT:.0f} s)") from None
        except PermissionError as exc:
            raise StoreError(f"cannot lock library {self.path}: {exc.strerror}") from None

    def _write(self, view: LibraryView) -> None:
        if self.path.exists() and _read_only(self.path):
            raise StoreError(f"library file {self.path} is read-only; nothing was changed")
        for stale in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            stale.unlink(missing_ok=True)
        atomic_write(self.path, view.chunks())


def _split_entries(raw: bytes) -> tuple[bytes, dict[str, memoryview]] | None:
    """(the file without its entries table, each entry's undecoded text by PMID), or None.

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
    if raw[position:position + 1] == b",":
        return b"{" + raw[position + 1:], entries
    return (b"{}", entries) if raw[position:].strip() == b"}" else None


def _read_only(path: Path) -> bool:
    """Honours a file marked read-only even for root, who could write it anyway."""
    return not os.access(path, os.W_OK) or not path.stat().st_mode & 0o222


def _new_file_mode() -> int:
    """The mode any new file gets (mkstemp's temporary files are private, 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(path: Path, body: bytes | Iterable[bytes | memoryview]) -> None:
    """Replace `path` with `body` so that a crash leaves the old or the new file, whole."""
    folder = path.parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise StoreError(f"cannot write in {folder}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(body, bytes):
                handle.write(body)
            else:
                handle.writelines(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else _new_file_mode())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise StoreError(f"cannot write library {path}: {exc.strerror}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


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
    """Integrity problems of a library file (empty when sound): for tests and `lmscite info`."""
    view = Library(path).snapshot()
    problems = []
    for key, data in view._storage.data.get(ENTRIES, {}).items():
        try:
            entry = Entry.from_dict(data)
        except StoreError as exc:
            problems.append(f"entry {key}: {exc}")
            continue
        if entry.pmid != key:
            problems.append(f"entry {key}: stored under another PMID ({entry.pmid})")
    return problems
