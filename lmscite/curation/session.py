"""One entry's curation edited as a document, applied as a change, never lost.

`edit_entry` is all of `lmscite annotate PMID --edit` but running the
editor: it writes the edit document, hands it to an `editor` callable (the
CLI runs $VISUAL or $EDITOR; a Python user may pass any function from text
to text), reads back what was saved, re-opens it on a problem when asked
to, and applies it.

The saved edit is a change against the curation the editor opened (the
*base*), never a whole curation that overwrites what another command did in
the meantime: `merge_curation` merges the base, the edit and the library's
curation now, field by field, and refuses a real conflict.  An edit that
cannot be applied (invalid, in conflict, or left by a failing editor) is
kept beside the library in a recovery file that carries its base, so that
`apply_saved_edit` (`annotate PMID --from FILE`) applies it as the same
change later, even after more commands ran.
"""

from __future__ import annotations

import copy
import os
import tempfile
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from lmscite.curation.edit import FIELDS, curation_to_data, stamped
from lmscite.curation.excerpt import pmid_error
from lmscite.curation.file import (
    edit_document,
    parse_edit_data,
    parse_edit_document,
    recovery_document,
)
from lmscite.curation.written import KINDS, written_form
from lmscite.errors import InputError, LmsciteError, NotInLibraryError, StoreError
from lmscite.library.store import Library, now
from lmscite.model import Curation, Entry, Piece

Editor = Callable[[str], str]
"""Shows the document to the curator and returns the text saved; raises `EditorFailed` when it fails."""

_Item = TypeVar("_Item", bound=Hashable)


class EditorFailed(Exception):
    """The editor did not finish well; `saved` is what it left, if anything."""

    def __init__(self, message: str, saved: str | None = None) -> None:
        super().__init__(message)
        self.saved = saved


class EditConflict(InputError):
    """The edit and another command changed the same thing differently."""


@dataclass
class EditResult:
    """The entry as stored when the edit was applied, and as changed (None: the edit changed nothing)."""

    before: Entry
    after: Entry | None


def edit_entry(library: Library, entry: Entry, editor: Editor, *,
               reopen: Callable[[InputError], bool] = lambda _problem: False,
               dry_run: bool = False, stamp: str | None = None) -> EditResult | None:
    """Edit `entry`'s curation with `editor` and apply it; None when the curator changed nothing.

    A document that cannot be read is given back to the editor, its problem
    at the top, as long as `reopen(problem)` says so; otherwise it is kept
    in a recovery file and the InputError names it.
    """
    original = edit_document(entry)
    text = original
    while True:
        text = _run(editor, text, library, entry)
        if text == original:
            return None
        try:
            new = parse_edit_document(entry, text)
            break
        except InputError as problem:
            if not reopen(problem):
                kept = keep_edit(library, entry, text)
                raise InputError(f"{problem}; your edit is kept in {kept} (fix it, then apply it with "
                                 f"`lmscite annotate {entry.pmid} --from {kept}`)") from None
            text = _with_error(text, str(problem))
    if new is None:
        return None
    try:
        if dry_run:
            current = library.snapshot().get(entry.pmid) or entry
            return EditResult(current, _apply(current, entry.curation, new, stamp))
        with library.transaction() as view:
            current = view.get(entry.pmid)
            if current is None:
                raise NotInLibraryError(f"PMID {entry.pmid} was removed from the library while you edited it")
            result = _apply(current, entry.curation, new, stamp)
            if result is not None:
                view.replace([result])
    except LmsciteError as problem:  # a conflict, or a library that cannot be written: keep the edit
        kept = keep_edit(library, entry, text)
        raise type(problem)(f"{problem}; your edit is kept in {kept} (apply it with "
                            f"`lmscite annotate {entry.pmid} --from {kept}`)") from None
    return EditResult(current, result)


def _run(editor: Editor, text: str, library: Library, entry: Entry) -> str:
    try:
        return editor(text)
    except EditorFailed as failed:
        if failed.saved is not None and failed.saved != text:
            kept = keep_edit(library, entry, failed.saved)
            raise InputError(f"{failed}; your edit is kept in {kept}") from None
        raise InputError(f"{failed}; nothing was changed") from None


def _with_error(text: str, message: str) -> str:
    """The document again, the problem at its top, earlier problem lines dropped."""
    kept = [line for line in text.splitlines() if not line.startswith("# ERROR: ")]
    return "\n".join([f"# ERROR: {message}", *kept]) + "\n"


def _apply(current: Entry, base: Curation, mine: Curation, stamp: str | None) -> Entry | None:
    """`current` with the change from `base` to `mine` merged in, stamped; None when nothing changes."""
    return stamped(current, merge_curation(base, mine, current.curation, current.pmid), stamp)


def apply_saved_edit(entry: Entry, data: dict[str, Any], name: str, stamp: str | None = None) -> Entry | None:
    """A recovery file's edit applied to `entry` as it is now, as a change against its `base`."""
    base = _base(data.get("base"), name)
    edit = {key: value for key, value in data.items() if key != "base"}
    if not edit:
        raise InputError(f"{name} holds no curation to apply, only the one it started from")
    start = copy.copy(entry)
    start.curation = base
    return _apply(entry, base, parse_edit_data(start, edit), stamp)


# --- the three-way merge ----------------------------------------------------


def merge_curation(base: Curation, mine: Curation, theirs: Curation, pmid: str) -> Curation:
    """`theirs` with the change from `base` to `mine` made to it.

    Section, order and the excerpt (one unit: its quotes, glosses and
    elisions belong together) conflict only when both sides changed them to
    different values; tags and notes merge item by item, so both sides'
    added items stay and an item removed on one side goes.
    """
    merged = copy.deepcopy(theirs)
    for name in ("section", "order", "excerpt"):
        setattr(merged, name, _pick(name, getattr(base, name), getattr(mine, name), getattr(theirs, name), pmid))
    merged.tags = _merge_items(base.tags, mine.tags, theirs.tags)
    merged.notes = _merge_items(base.notes, mine.notes, theirs.notes)
    return merged


def _pick(name: str, base: Any, mine: Any, theirs: Any, pmid: str) -> Any:
    if mine == base or mine == theirs:
        return copy.deepcopy(theirs)
    if theirs == base:
        return copy.deepcopy(mine)
    raise EditConflict(str(pmid_error(pmid, f"your edit and another command both changed the {name} "
                                            f"(yours: {_shown(mine)}, the library's now: {_shown(theirs)}); "
                                            f"nothing was changed")))


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return repr(written_form(value)) if value else "none"
    return "none" if value is None else repr(value)


def _merge_items(base: Sequence[_Item], mine: Sequence[_Item], theirs: Sequence[_Item]) -> list[_Item]:
    """Their items in their order, less those the edit removed, then those the edit added."""
    removed = [item for item in base if item not in mine]
    added = [item for item in mine if item not in base]
    kept = [item for item in theirs if item not in removed]
    return kept + [item for item in dict.fromkeys(added) if item not in kept]


# --- the recovery file ------------------------------------------------------


def keep_edit(library: Library, entry: Entry, text: str) -> Path:
    """Save an edit beside the library (else in the temporary folder), with its base, under a new name.

    Written whole to a temporary file, then linked to its name, which fails
    rather than replace a file already there: a recovery file is never half
    written, and never overwrites another.  The temporary folder is the
    fallback for a library folder that cannot be written, so that the edit
    survives the very failure that stopped it.
    """
    content = recovery_document(text, base_data(entry.curation), entry.pmid).encode("utf-8")
    name = f"lmscite-edit-{entry.pmid}-{now().replace('-', '').replace(':', '')}"
    problems = []
    for folder in dict.fromkeys([library.path.parent, Path(tempfile.gettempdir())]):
        try:
            return _write_new(folder, name, content)
        except OSError as exc:
            problems.append(f"{folder}: {exc.strerror or exc}")
    raise StoreError(f"cannot keep the edit ({'; '.join(problems)})")


def _write_new(folder: Path, name: str, content: bytes) -> Path:
    handle, temporary = tempfile.mkstemp(prefix=".lmscite-edit-", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        for attempt in range(1000):
            path = folder / f"{name}{f'-{attempt}' if attempt else ''}.yaml"
            try:
                os.link(temporary, path)
                return path
            except FileExistsError:
                continue
        raise FileExistsError(f"too many recovery files named {name}")
    finally:
        os.unlink(temporary)


def base_data(curation: Curation) -> dict[str, Any]:
    """The curation an edit started from, as a recovery file keeps it: the excerpt piece by piece, exactly."""
    data = {key: value for key, value in curation_to_data(curation).items() if key != "excerpt"}
    if curation.excerpt:
        data["excerpt"] = [{key: value for key, value in vars(piece).items() if value is not None}
                           for piece in curation.excerpt]
    return data


def _base(value: Any, name: str) -> Curation:
    """The curation a recovery file's edit started from, as lmscite wrote it."""
    broken = InputError(f"{name}: its `base` is not as lmscite wrote it; remove `base` to apply the file "
                        f"as the whole curation")
    if not isinstance(value, dict) or any(key not in FIELDS for key in value):
        raise broken
    try:
        base = Curation(
            section=value.get("section"),
            order=value.get("order"),
            tags=list(value.get("tags", [])),
            excerpt=[Piece(**piece) for piece in value.get("excerpt", [])],
            notes=list(value.get("notes", [])),
        )
    except (KeyError, TypeError, ValueError):
        raise broken from None
    texts = [*base.tags, *base.notes, *(p.text for p in base.excerpt)]
    if (not isinstance(base.section, (str, type(None))) or not isinstance(base.order, (int, type(None)))
            or not all(isinstance(t, str) for t in texts) or any(p.kind not in KINDS for p in base.excerpt)):
        raise broken
    return base
