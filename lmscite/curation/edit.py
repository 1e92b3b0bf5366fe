"""The curator's work on one entry: excerpt, notes, tags, section and order.

Everything `lmscite annotate` changes lives here, importable and free of any
terminal code: an `Edit` applied to an entry (`annotate`), a whole curation
read from one entry of the curation file or the edit document
(`curation_from_data`).  Every change stamps `curation.updated`; nothing
else in the entry changes.  Excerpts are made in `lmscite.curation.excerpt`;
the curation file and the edit document are read and written in
`lmscite.curation.file`.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lmscite.anchor import squash
from lmscite.curation.excerpt import (
    Gloss,
    Run,
    format_spec,
    from_quotes,
    from_spec,
    from_written,
    keep_glosses,
    parse_spec,
    pmid_error,
    sentence_span,
    with_gloss,
    without_glosses,
)
from lmscite.curation.names import clean_name
from lmscite.curation.sentences import Sentence, sentences
from lmscite.curation.written import written_form
from lmscite.errors import InputError
from lmscite.library.store import now
from lmscite.model import Curation, Entry, Piece

MAX_ORDER = 2**63 - 1
"""The largest manual order the library file (64-bit JSON integers) can hold."""
FIELDS = ("section", "order", "tags", "excerpt", "notes")
"""The curation a curator edits, in the order the curation file writes it."""
LEGACY_FIELDS = ("glosses",)
"""Fields of curation files written before glosses became pieces of the excerpt: read, never written."""

CLEARABLE = ("excerpt", "glosses", "notes", "tags", "section", "order", "all")


def editable(curation: Curation) -> tuple[Any, ...]:
    """The fields a curator edits, for telling whether an edit changed anything."""
    return tuple(getattr(curation, name) for name in FIELDS)


def stamped(entry: Entry, new: Curation, stamp: str | None) -> Entry | None:
    """A copy of `entry` with `new` as its curation and `updated` stamped; None when nothing changed."""
    if editable(new) == editable(entry.curation):
        return None
    changed = copy.deepcopy(entry)
    new.created = entry.curation.created
    new.flags = list(entry.curation.flags)
    new.updated = stamp or now()
    changed.curation = new
    return changed


# --- edits ------------------------------------------------------------------


@dataclass
class Edit:
    """What one `lmscite annotate` asks for; applied as: clear, then set, then add and remove.

    `excerpt` is a sentence-number spec, `quotes` excerpts written as they
    should appear (several build one excerpt, in order); `literal` keeps
    written text that is not in the abstract instead of refusing it.
    """

    clear: Sequence[str] = ()
    excerpt: str | None = None
    quotes: Sequence[str] = ()
    literal: bool = False
    glosses: Sequence[Gloss] = ()
    notes: Sequence[str] = ()
    tags: Sequence[str] = ()
    untags: Sequence[str] = ()
    section: str | None = None
    no_section: bool = False
    order: int | None = None

    def is_empty(self) -> bool:
        return not (self.clear or self.excerpt is not None or self.quotes or self.glosses or self.notes
                    or self.tags or self.untags or self.section is not None or self.no_section
                    or self.order is not None)

    def needs_one_entry(self) -> bool:
        """Excerpts and glosses are about one abstract; the rest can go to several entries."""
        return self.excerpt is not None or bool(self.quotes) or bool(self.glosses)

    def check(self) -> None:
        """Errors that need no entry: unknown fields to clear, conflicting or empty values."""
        unknown = [name for name in self.clear if name not in CLEARABLE]
        if unknown:
            raise InputError(f"cannot clear {unknown[0]!r} (choose from {', '.join(CLEARABLE)})")
        if self.excerpt is not None and self.quotes:
            raise InputError("give the excerpt either by sentence numbers (--excerpt) or written out "
                             "(--quote), not both")
        if self.literal and not self.quotes:
            raise InputError("--literal keeps text of a --quote that is not in the abstract; give --quote")
        if self.section is not None and self.no_section:
            raise InputError("give either --section or --no-section, not both")
        if self.section is not None and not clean_name(self.section):
            raise InputError("the section name is empty (use --no-section to remove the section)")
        if self.order is not None and not 0 <= self.order <= MAX_ORDER:
            raise InputError(f"the order must be a whole number from 0 to {MAX_ORDER}, not {self.order}")
        if any(not clean_name(tag) for tag in [*self.tags, *self.untags]):
            raise InputError("a tag is empty")
        if any(not note.strip() for note in self.notes):
            raise InputError("a note is empty")
        both = set(map(clean_name, self.tags)) & set(map(clean_name, self.untags))
        if both:
            raise InputError(f"the tag {sorted(both)[0]!r} is both added and removed; give it once")
        phrases = [squash(gloss.phrase) for gloss in self.glosses]
        for gloss in self.glosses:
            if not gloss.phrase.strip() or not gloss.note.strip():
                raise InputError("a gloss needs both a phrase and a note")
        twice = next((phrase for phrase in phrases if phrases.count(phrase) > 1), None)
        if twice is not None:
            raise InputError(f"the phrase {twice!r} is glossed twice; give one note for it")


def annotate(entry: Entry, edit: Edit, stamp: str | None = None) -> Entry | None:
    """The entry with this edit applied and `updated` stamped; None when it changes nothing.

    A new excerpt keeps the glosses of the one it replaces, after the same
    words (see `excerpt.keep_glosses`), unless the edit clears them.
    """
    edit.check()
    cur = copy.deepcopy(entry.curation)
    cleared = set(CLEARABLE[:-1]) if "all" in edit.clear else set(edit.clear)
    for name in cleared - {"excerpt", "glosses"}:
        setattr(cur, name, None if name in ("section", "order") else [])
    if "excerpt" in cleared:
        cur.excerpt = []
    elif "glosses" in cleared:
        cur.excerpt = without_glosses(entry, cur.excerpt)
    if edit.excerpt is not None or edit.quotes:
        new = (from_spec(entry, edit.excerpt) if edit.excerpt is not None
               else from_quotes(entry, edit.quotes, literal=edit.literal))
        cur.excerpt = keep_glosses(entry, cur.excerpt, new)
    for gloss in edit.glosses:
        cur.excerpt = with_gloss(entry, cur.excerpt, Gloss(squash(gloss.phrase), gloss.note.strip()))
    cur.notes = cur.notes + [note.strip() for note in edit.notes]
    tags = [clean_name(t) for t in edit.tags]
    untags = {clean_name(t) for t in edit.untags}
    cur.tags = [t for t in dict.fromkeys([*cur.tags, *tags]) if t not in untags]
    if edit.no_section:
        cur.section = None
    elif edit.section is not None:
        cur.section = clean_name(edit.section)
    if edit.order is not None:
        cur.order = edit.order
    return stamped(entry, cur, stamp)


# --- curation <-> the file layout -------------------------------------------


def curation_to_data(curation: Curation) -> dict[str, Any]:
    """One entry of the curation file: only fields that hold something, in file order.

    The excerpt is written as it appears (`curation.written`), one string a
    curator reads, diffs and edits.
    """
    data: dict[str, Any] = {}
    if curation.section:
        data["section"] = curation.section
    if curation.order is not None:
        data["order"] = curation.order
    if curation.tags:
        data["tags"] = list(curation.tags)
    if curation.excerpt:
        data["excerpt"] = written_form(curation.excerpt)
    if curation.notes:
        data["notes"] = list(curation.notes)
    return data


def curation_from_data(entry: Entry, data: Any) -> Curation:
    """The curation one entry of a curation file (or an edit document) describes, checked against the abstract.

    An excerpt written as the entry's own is now keeps the stored pieces as
    they are: reading it again would silently requote an excerpt whose
    abstract changed since; left alone, the drift stays visible.  Files
    written before schema 2 (a list of sentence runs, `glosses` apart) are
    read as the excerpt they showed.
    """
    pmid = entry.pmid
    if data is None:
        raise pmid_error(pmid, "the curation given is empty (null), which would clear it all; "
                               "write {} to clear it, or change nothing")
    if not isinstance(data, dict):
        raise pmid_error(pmid, "the curation must be a mapping of " + ", ".join(FIELDS))
    unknown = [key for key in data if key not in FIELDS + LEGACY_FIELDS]
    if unknown:
        raise pmid_error(pmid, f"unknown field {unknown[0]!r} (fields: {', '.join(FIELDS)})")
    written = data.get("excerpt")
    stored = entry.curation.excerpt
    if stored and isinstance(written, str) and written == written_form(stored):
        pieces = copy.deepcopy(stored)
    else:
        pieces = _excerpt(entry, written)
    for gloss in _glosses(data.get("glosses"), pmid):
        pieces = with_gloss(entry, pieces, gloss)
    return Curation(
        section=_section(data.get("section"), pmid),
        order=_order(data.get("order"), pmid),
        tags=list(dict.fromkeys(_texts(data.get("tags"), pmid, "tags"))),
        excerpt=pieces,
        notes=_texts(data.get("notes"), pmid, "notes"),
    )


def _section(value: Any, pmid: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise pmid_error(pmid, "`section` must be text")
    return clean_name(value) or None


def _order(value: Any, pmid: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ORDER:
        raise pmid_error(pmid, f"`order` must be a whole number, 0 or more, not {value!r}")
    return value


def _texts(value: Any, pmid: str, name: str) -> list[str]:
    """A list of texts; a bare text is refused, not read as a list of one (or of its letters)."""
    if value is None:
        return []
    if isinstance(value, str):
        raise pmid_error(pmid, f"`{name}` must be a list: write [{value}] (or - {value} on its own line)")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise pmid_error(pmid, f"`{name}` must be a list of text")
    texts = [clean_name(v) if name == "tags" else v.strip() for v in value]
    if any(not t for t in texts):
        raise pmid_error(pmid, f"`{name}` holds an empty item")
    return texts


def _glosses(value: Any, pmid: str) -> list[Gloss]:
    """Schema 1's `glosses`, each placed in the excerpt after its phrase."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise pmid_error(pmid, "`glosses` must be a list of {phrase, note}")
    glosses = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {"phrase", "note"}:
            raise pmid_error(pmid, f"each gloss must have exactly `phrase` and `note`, not {item!r}")
        phrase, note = item["phrase"], item["note"]
        if not isinstance(phrase, str) or not isinstance(note, str) or not phrase.strip() or not note.strip():
            raise pmid_error(pmid, f"a gloss needs a phrase and a note as text, not {item!r}")
        glosses.append(Gloss(squash(phrase), note.strip()))
    return glosses


def _excerpt(entry: Entry, value: Any) -> list[Piece]:
    """The excerpt a file gives: written out (or a sentence spec), or schema 1's list of sentence runs."""
    pmid = entry.pmid
    if value is None or value == "" or value == []:
        return []
    try:
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return from_written(entry, str(value))
        if not isinstance(value, list):
            raise InputError("`excerpt` must be the excerpt written out, or sentence numbers such as "
                             "\"1-2, ...3-5\"")
        return _legacy_passages(entry, value)
    except InputError as exc:
        message = str(exc)
        raise (exc if message.startswith("PMID ") else pmid_error(pmid, message)) from None


def _legacy_passages(entry: Entry, items: list[Any]) -> list[Piece]:
    """Schema 1's excerpt, `[{sentences: "1-2", text: ..., elide_before: true}, ...]`, as its pieces.

    A `text` given must still be the text of its sentences: a file must not
    quote what the abstract no longer says.
    """
    found = sentences(entry.abstract)
    runs_given: list[Run] = []
    for item in items:
        if isinstance(item, (str, int)) and not isinstance(item, bool):
            item = {"sentences": item}
        if not isinstance(item, dict) or "sentences" not in item or any(
                key not in ("sentences", "text", "elide_before", "elide_after") for key in item):
            raise InputError("each excerpt passage needs `sentences` and may have `text`, "
                             "`elide_before` and `elide_after`")
        runs = parse_spec(str(item["sentences"])) if not isinstance(item["sentences"], bool) else []
        if len(runs) != 1:
            raise InputError(f"excerpt: `sentences` must be one sentence number or range, not {item['sentences']!r}")
        run = runs[0]
        flags = [item.get(name, False) for name in ("elide_before", "elide_after")]
        if not all(isinstance(flag, bool) for flag in flags):
            raise InputError("`elide_before` and `elide_after` must be true or false")
        if run.start < 1 or run.end > len(found):
            raise InputError(f"excerpt {sentence_span(run.start, run.end)}: the abstract has "
                             f"{len(found)} sentences")
        quoted = " ".join(s.text for s in found[run.start - 1:run.end])
        given = item.get("text")
        if given is not None and (not isinstance(given, str) or squash(given) != quoted):
            raise InputError(f"excerpt {sentence_span(run.start, run.end)}: the text given does not match "
                             f"the abstract's sentences ({_where_now(found, given)})")
        runs_given.append(Run(run.start, run.end, run.elide_before or flags[0], run.elide_after or flags[1]))
    return from_spec(entry, format_spec(runs_given))


def _where_now(found: Sequence[Sentence], given: Any) -> str:
    """Where a schema-1 file's passage text stands in the abstract now, as a hint."""
    texts = [sentence.text for sentence in found]
    wanted = squash(given) if isinstance(given, str) else ""
    for first in range(len(texts)):
        for last in range(first, len(texts)):
            if " ".join(texts[first:last + 1]) == wanted:
                return f"that text is sentences {sentence_span(first + 1, last + 1)} now"
    return "the abstract changed; see `lmscite show PMID --sentences`"


def set_curation(entry: Entry, data: Any, stamp: str | None = None) -> Entry | None:
    """The entry with the curation `data` describes (whole), stamped; None when unchanged."""
    return stamped(entry, curation_from_data(entry, data), stamp)
