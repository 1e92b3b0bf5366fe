"""The curator's work on one entry: excerpts, glosses, notes, tags, section and order.

Everything `lmscite annotate` changes lives here, importable and free of any
terminal code: an `Edit` applied to an entry (`annotate`), a whole curation
read from one entry of the curation file or the edit document
(`curation_from_data`).  Every change stamps
`curation.updated`; nothing else in the entry changes.  Passages are chosen
in `lmscite.curation.excerpt`; the curation file and the edit document are read and
written in `lmscite.curation.file`.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lmscite.curation.excerpt import (
    Run,
    check_glosses,
    choose,
    find_run,
    format_spec,
    normalise_passages,
    parse_spec,
    passage_of,
    pmid_error,
    quote_passage,
    sentence_span,
    squash,
)
from lmscite.curation.names import clean_name
from lmscite.curation.sentences import Sentence, sentences
from lmscite.errors import InputError
from lmscite.library.store import now
from lmscite.model import Curation, Entry, Gloss, Passage

MAX_ORDER = 2**63 - 1
"""The largest manual order the library file (64-bit JSON integers) can hold."""
FIELDS = ("section", "order", "tags", "excerpt", "glosses", "notes")
"""The curation a curator edits, in the order the curation file writes it."""

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
    """What one `lmscite annotate` asks for; applied as: clear, then set, then add and remove."""

    clear: Sequence[str] = ()
    excerpt: str | None = None
    quotes: Sequence[str] = ()
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
    """The entry with this edit applied and `updated` stamped; None when it changes nothing."""
    edit.check()
    cur = copy.deepcopy(entry.curation)
    cleared = set(CLEARABLE[:-1]) if "all" in edit.clear else set(edit.clear)
    for name in cleared:
        setattr(cur, name, None if name in ("section", "order") else [])
    found = sentences(entry.abstract) if edit.needs_one_entry() or "excerpt" in cleared else []
    if edit.excerpt is not None or edit.quotes:
        chosen = choose(found, parse_spec(edit.excerpt), entry.pmid) if edit.excerpt is not None else []
        chosen += [quote_passage(found, quote, entry.pmid) for quote in edit.quotes]
        cur.excerpt = normalise_passages(chosen, found, entry.pmid)
    for gloss in edit.glosses:
        fresh = Gloss(squash(gloss.phrase), gloss.note.strip())
        cur.glosses = [g for g in cur.glosses if g.phrase != fresh.phrase] + [fresh]
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
    changed = stamped(entry, cur, stamp)
    if changed is not None and cur.glosses and (edit.needs_one_entry() or "excerpt" in cleared):
        try:
            check_glosses(changed, found)
        except InputError as exc:
            given = {squash(g.phrase) for g in edit.glosses}
            if all(g.phrase in given for g in cur.glosses):
                raise
            raise InputError(f"{exc}; it is a gloss stored before: choose an excerpt that holds it, "
                             f"or drop the stored glosses with --clear glosses") from None
    return changed


# --- curation <-> the file layout -------------------------------------------


def curation_to_data(curation: Curation, *, spec: bool = False) -> dict[str, Any]:
    """One entry of the curation file: only fields that hold something, in file order.

    With `spec` the excerpt is a spec string (the edit document), else a list
    of passages with their texts (the curation file).
    """
    data: dict[str, Any] = {}
    if curation.section:
        data["section"] = curation.section
    if curation.order is not None:
        data["order"] = curation.order
    if curation.tags:
        data["tags"] = list(curation.tags)
    if curation.excerpt:
        data["excerpt"] = format_spec(curation.excerpt) if spec else [
            _passage_data(p) for p in curation.excerpt]
    if curation.glosses:
        data["glosses"] = [{"phrase": g.phrase, "note": g.note} for g in curation.glosses]
    if curation.notes:
        data["notes"] = list(curation.notes)
    return data


def _passage_data(passage: Passage) -> dict[str, Any]:
    data: dict[str, Any] = {"sentences": sentence_span(passage.start, passage.end), "text": passage.text}
    if passage.elide_before:
        data["elide_before"] = True
    if passage.elide_after:
        data["elide_after"] = True
    return data


def curation_from_data(entry: Entry, data: Any, *, excerpt: list[Passage] | None = None) -> Curation:
    """The curation one entry of a curation file (or an edit document) describes, checked against the abstract.

    `excerpt`, when given, stands for the data's excerpt as it is (not re-checked).
    """
    pmid = entry.pmid
    if data is None:
        raise pmid_error(pmid, "the curation given is empty (null), which would clear it all; "
                               "write {} to clear it, or change nothing")
    if not isinstance(data, dict):
        raise pmid_error(pmid, "the curation must be a mapping of " + ", ".join(FIELDS))
    unknown = [key for key in data if key not in FIELDS]
    if unknown:
        raise pmid_error(pmid, f"unknown field {unknown[0]!r} (fields: {', '.join(FIELDS)})")
    found = sentences(entry.abstract)
    cur = Curation(
        section=_section(data.get("section"), pmid),
        order=_order(data.get("order"), pmid),
        tags=list(dict.fromkeys(_texts(data.get("tags"), pmid, "tags"))),
        excerpt=copy.deepcopy(excerpt) if excerpt is not None else _excerpt(data.get("excerpt"), found, pmid),
        glosses=_glosses(data.get("glosses"), pmid),
        notes=_texts(data.get("notes"), pmid, "notes"),
    )
    probe = copy.copy(entry)
    probe.curation = cur
    check_glosses(probe, found)
    return cur


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


def _excerpt(value: Any, found: Sequence[Sentence], pmid: str) -> list[Passage]:
    if value is None or value == "" or value == []:
        return []
    try:
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return choose(found, parse_spec(str(value)), pmid)
        if not isinstance(value, list):
            raise InputError("`excerpt` must be a spec such as \"1-2, ...3-5\" or a list of passages")
        passages = [_excerpt_item(item, found, pmid) for item in value]
    except InputError as exc:
        message = str(exc)
        raise (exc if message.startswith("PMID ") else pmid_error(pmid, message)) from None
    return normalise_passages(passages, found, pmid)


def _excerpt_item(item: Any, found: Sequence[Sentence], pmid: str) -> Passage:
    if not isinstance(item, dict):
        run = _run_of(item, "excerpt")
        return passage_of(found, run.start, run.end, pmid, run.elide_before, run.elide_after)
    unknown = [key for key in item if key not in ("sentences", "text", "elide_before", "elide_after")]
    if unknown or "sentences" not in item:
        raise InputError("each excerpt passage needs `sentences` and may have `text`, "
                         "`elide_before` and `elide_after`")
    run = _run_of(item["sentences"], "excerpt")
    flags = [item.get(name, False) for name in ("elide_before", "elide_after")]
    if not all(isinstance(flag, bool) for flag in flags):
        raise InputError("`elide_before` and `elide_after` must be true or false")
    passage = passage_of(found, run.start, run.end, pmid,
                         run.elide_before or flags[0], run.elide_after or flags[1])
    text = item.get("text")
    if text is not None:
        if not isinstance(text, str):
            raise InputError(f"excerpt {sentence_span(run.start, run.end)}: `text` must be text")
        if squash(text) != passage.text:
            moved = find_run(found, squash(text))
            hint = (f" (that text is sentences {sentence_span(*moved)} now)" if moved
                    else " (the abstract changed; see `lmscite show PMID --sentences`)")
            raise InputError(f"excerpt {sentence_span(run.start, run.end)}: the text given does not match "
                             f"the abstract's sentences{hint}")
    return passage


def _run_of(value: Any, where: str) -> Run:
    """One excerpt item's `sentences`: a number, or a run with its elision marks."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise InputError(f"{where}: `sentences` must be a sentence number or range such as \"1-2\"")
    runs = parse_spec(str(value))
    if len(runs) != 1:
        raise InputError(f"{where}: `sentences` must be one range, not {value!r}")
    return runs[0]


def set_curation(entry: Entry, data: Any, stamp: str | None = None) -> Entry | None:
    """The entry with the curation `data` describes (whole), stamped; None when unchanged."""
    return stamped(entry, curation_from_data(entry, data), stamp)
