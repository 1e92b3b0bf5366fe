"""The library: one TinyDB JSON file, written atomically under an inter-process lock.

TinyDB is not safe for several processes, and writing it per record is
quadratic, so this module owns every access to it:

* readers load the file once (`Library.snapshot`); an atomic rename means they
  always see a whole library;
* writers take an exclusive lock, reload, change the in-memory TinyDB with bulk
  operations and write the file once when the transaction ends
  (`Library.transaction`); an error inside the transaction writes nothing;
* the file is written to a temporary file in the same folder, fsynced and
  renamed over the old one, so a crash leaves the old or the new library.

Entries are TinyDB documents keyed by their PMID (doc_id), in table
`entries`; library settings live in table `meta`, document 1.  The
retraction, erratum and concern notices that entries link to are kept in
table `notices`, apart, so that they are cited but never listed as entries.
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


class LibraryView:
    """A loaded library: read it, and change it inside a transaction."""

    def __init__(self, path: Path, data: dict[str, Any], writable: bool) -> None:
        self.path = path
        self._writable = writable
        self._db = TinyDB(data, storage=_MemoryStorage)
        self._storage: _MemoryStorage = self._db.storage  # type: ignore[assignment]
        self._entries: Table = self._db.table(ENTRIES, cache_size=0)
        self._meta: Table = self._db.table(META, cache_size=0)
        self._notices: Table = self._db.table(NOTICES, cache_size=0)

    @property
    def changed(self) -> bool:
        return self._storage.dirty

    def _require_writable(self) -> None:
        if not self._writable:
            raise RuntimeError("library snapshot is read-only; use Library.transaction()")

    def __len__(self) -> int:
        return len(self._storage.data.get(ENTRIES, {}))

    def __contains__(self, pmid: str) -> bool:
        return str(int(pmid)) in self._storage.data.get(ENTRIES, {})

    def pmids(self) -> list[str]:
        return list(self._storage.data.get(ENTRIES, {}))

    def raw(self, pmid: str) -> dict[str, Any] | None:
        """The stored JSON of one entry, without building an Entry."""
        return self._storage.data.get(ENTRIES, {}).get(str(int(pmid)))

    def get(self, pmid: str) -> Entry | None:
        found = self.raw(pmid)
        return None if found is None else Entry.from_dict(found)

    def entries(self) -> Iterator[Entry]:
        for data in self._storage.data.get(ENTRIES, {}).values():
            yield Entry.from_dict(data)

    def table(self) -> Table:
        """The TinyDB table of entries, for queries (`lmscite.query`)."""
        return self._entries

    def add(self, entries: Iterable[Entry]) -> None:
        """Insert new entries (PMIDs not yet stored) in one TinyDB operation."""
        self._require_writable()
        docs = [Document(e.to_dict(), doc_id=int(e.pmid)) for e in entries]
        if docs:
            self._entries.insert_multiple(docs)

    def replace(self, entries: Iterable[Entry]) -> None:
        """Overwrite stored entries with these versions, in one TinyDB operation."""
        self._require_writable()
        new = {int(e.pmid): e.to_dict() for e in entries}
        if not new:
            return

        def swap(doc: dict[str, Any]) -> None:
            fresh = new[int(doc["pmid"])]
            doc.clear()
            doc.update(fresh)

        self._entries.update(swap, doc_ids=list(new))

    def merge(self, incoming: Iterable[Entry], *, restamp: bool = False) -> dict[str, str]:
        """Add new records and update changed ones, keeping each stored entry's curation.

        Returns each PMID's outcome: "added", "updated" or "unchanged".  With
        `restamp` an unchanged record still takes the new provenance (a refresh
        records when PubMed was last asked).
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
            old = changed.get(pmid) or Entry.from_dict(stored)
            same = old.pubmed_equal(entry)
            if same and not restamp:
                outcome.setdefault(pmid, "unchanged")
                continue
            entry.curation = old.curation
            changed[pmid] = entry
            outcome[pmid] = "unchanged" if same and outcome.get(pmid) != "updated" else "updated"
        self.add(new.values())
        self.replace(changed.values())
        return outcome

    def remove(self, pmids: Iterable[str]) -> list[str]:
        self._require_writable()
        present = [p for p in dict.fromkeys(str(int(p)) for p in pmids) if p in self]
        if present:
            self._entries.remove(doc_ids=[int(p) for p in present])
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
        self._meta.upsert(Document(meta, doc_id=_META_ID))

    def data(self) -> dict[str, Any]:
        data = self._storage.data
        data.setdefault(META, {})[str(_META_ID)] = {**self.meta(), "schema": SCHEMA}
        return data


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

    def _load(self) -> dict[str, Any]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except IsADirectoryError:
            raise StoreError(f"library path {self.path} is a folder, not a file") from None
        except OSError as exc:
            raise StoreError(f"cannot read library {self.path}: {exc.strerror}") from None
        if not raw.strip():
            return {}
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise StoreError(
                f"library {self.path} is corrupt ({exc}); it was left untouched") from None
        _check_layout(self.path, data)
        return data

    def snapshot(self) -> LibraryView:
        """The library as it is now, read-only, without waiting for writers."""
        return LibraryView(self.path, self._load(), writable=False)

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
            view = LibraryView(self.path, self._load(), writable=True)
            yield view
            if view.changed:
                self._write(view.data())

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

    def _write(self, data: dict[str, Any]) -> None:
        if self.path.exists() and _read_only(self.path):
            raise StoreError(f"library file {self.path} is read-only; nothing was changed")
        for stale in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            stale.unlink(missing_ok=True)
        body = orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
        atomic_write(self.path, body)


def _read_only(path: Path) -> bool:
    """Honours a file marked read-only even for root, who could write it anyway."""
    return not os.access(path, os.W_OK) or not path.stat().st_mode & 0o222


def _new_file_mode() -> int:
    """The mode any new file gets (mkstemp's temporary files are private, 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(path: Path, body: bytes) -> None:
    """Replace `path` with `body` so that a crash leaves the old or the new file, whole."""
    folder = path.parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise StoreError(f"cannot write in {folder}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
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
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        raise StoreError(f"library {path} is not an lmscite library; it was left untouched")
    schema = data.get(META, {}).get(str(_META_ID), {}).get("schema", SCHEMA)
    if not isinstance(schema, int) or schema > SCHEMA:
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
        except (TypeError, KeyError, ValueError) as exc:
            problems.append(f"entry {key}: {exc}")
            continue
        if entry.pmid != key:
            problems.append(f"entry {key}: stored under another PMID ({entry.pmid})")
    return problems
