"""Sections across the library: which heading each entry stands under, their order on the page.

Section names live on each entry (`curation.section`); the order sections
appear in on a page is a library setting (meta "section_order").
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Sequence

from lmscite.curation.edit import stamped
from lmscite.curation.names import clean_name
from lmscite.curation.order import section_rank
from lmscite.errors import InputError
from lmscite.library.store import LibraryView, now
from lmscite.model import Entry

META_SECTION_ORDER = "section_order"


def _section_counts(view: LibraryView, changed: Sequence[Entry] = ()) -> Counter[str]:
    overrides = {e.pmid: e.curation.section for e in changed}
    counts: Counter[str] = Counter()
    for pmid in view.pmids():
        section = overrides[pmid] if pmid in overrides else (
            (view.raw(pmid) or {}).get("curation", {}).get("section"))
        if section:
            counts[section] += 1
    return counts


def sections_list(view: LibraryView) -> list[tuple[str, int]]:
    """(section, entries) in page order: the stored order first, then the others by name."""
    counts = _section_counts(view)
    rank = section_rank(view.meta().get(META_SECTION_ORDER) or [])
    return [(name, counts[name]) for name in sorted(counts, key=rank)]


def rename_section(view: LibraryView, old: str, new: str, stamp: str | None = None, *,
                   merge: bool = False) -> int:
    """Rename a section in every entry and in the stored order; returns the entries renamed.

    Renaming onto a section that has entries would merge the two, which no
    rename can undo (the entries no longer say which was theirs): it is
    refused unless `merge` asks for it.  Names match as cleaned
    (`clean_name`), so a stored name with an invisible character is found by
    the name a reader sees, and is cleaned by the rename.
    """
    wanted, new = clean_name(old), clean_name(new)
    if not new:
        raise InputError("the new section name is empty")
    order = list(view.meta().get(META_SECTION_ORDER) or [])
    sections = {p: (view.raw(p) or {}).get("curation", {}).get("section") for p in view.pmids()}
    holders = [p for p, name in sections.items() if name and clean_name(name) == wanted]
    if not holders and wanted not in map(clean_name, order):
        known = ", ".join(name for name, _count in sections_list(view)) or "none yet"
        raise InputError(f"no section is named {old!r} (sections: {known})")
    if new != wanted and not merge:
        others = sum(1 for name in sections.values() if name and clean_name(name) == new)
        if others:
            raise InputError(f"the section {new!r} already has {others} entr{'y' if others == 1 else 'ies'}; "
                             f"renaming {old!r} onto it would merge the two for good (give --merge to do "
                             f"that); nothing was changed")
    moved = []
    stamp = stamp or now()
    for pmid in holders:
        entry = view.get(pmid)
        assert entry is not None
        cur = copy.deepcopy(entry.curation)
        cur.section = new
        changed = stamped(entry, cur, stamp)
        if changed is not None:
            moved.append(changed)
    view.replace(moved)
    renamed = [new if clean_name(name) == wanted else name for name in order]
    if renamed != order:
        view.set_meta(META_SECTION_ORDER, list(dict.fromkeys(renamed)))
    return len(moved)


def set_section_order(view: LibraryView, names: Sequence[str]) -> None:
    """Store the order sections appear in on pages; every name must have entries.

    An empty list is refused rather than read as "forget the order", which
    a command run without its arguments would otherwise do without a word;
    `clear_section_order` does that on purpose.
    """
    cleaned = [clean_name(n) for n in names]
    if not cleaned:
        raise InputError("name the sections in page order (to forget the stored order, clear it)")
    duplicate = next((n for n, count in Counter(cleaned).items() if count > 1), None)
    if duplicate:
        raise InputError(f"section {duplicate!r} is named twice")
    check_order_known(view, cleaned, ())
    view.set_meta(META_SECTION_ORDER, cleaned)


def clear_section_order(view: LibraryView) -> list[str]:
    """Forget the stored section order (sections then follow by name); returns the order forgotten."""
    forgotten = list(view.meta().get(META_SECTION_ORDER) or [])
    view.set_meta(META_SECTION_ORDER, None)
    return forgotten


def check_order_known(view: LibraryView, names: Sequence[str], changed: Sequence[Entry]) -> None:
    """Refuse to order a section no entry is in (`changed` counted as stored): a typo would go unseen."""
    known = set(_section_counts(view, changed))
    missing = [n for n in names if n not in known]
    if missing:
        hint = ", ".join(sorted(known)) or "none yet"
        raise InputError(f"no entry is in the section {missing[0]!r}, so it cannot be ordered "
                         f"(sections: {hint}); nothing was changed")
