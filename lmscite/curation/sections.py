"""Sections across the library: which heading each entry stands under, their order on the page.

Section names live on each entry (`curation.section`); the order sections
appear in on a page is a library setting (meta "section_order").
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from lmscite.curation.edit import stamped
from lmscite.errors import InputError
from lmscite.library.store import LibraryView, now
from lmscite.model import Entry

META_SECTION_ORDER = "section_order"


def page_sort_key(section_order: Sequence[str]) -> Callable[[Entry], tuple[Any, ...]]:
    """Page order: sections in the stored order, then others by name, then no section; order; PMID."""
    rank = {name: index for index, name in enumerate(section_order)}

    def key(entry: Entry) -> tuple[Any, ...]:
        cur = entry.curation
        if cur.section is None:
            section: tuple[Any, ...] = (2, 0, "")
        elif cur.section in rank:
            section = (0, rank[cur.section], "")
        else:
            section = (1, 0, cur.section.casefold())
        order = (0, cur.order) if cur.order is not None else (1, 0)
        return (*section, *order, int(entry.pmid))

    return key


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
    stored = [name for name in view.meta().get(META_SECTION_ORDER) or [] if name in counts]
    rest = sorted((name for name in counts if name not in stored), key=str.casefold)
    return [(name, counts[name]) for name in [*stored, *rest]]


def rename_section(view: LibraryView, old: str, new: str, stamp: str | None = None) -> int:
    """Rename a section in every entry and in the stored order; returns the entries renamed."""
    new = new.strip()
    if not new:
        raise InputError("the new section name is empty")
    order = list(view.meta().get(META_SECTION_ORDER) or [])
    holders = [p for p in view.pmids() if (view.raw(p) or {}).get("curation", {}).get("section") == old]
    if not holders and old not in order:
        known = ", ".join(name for name, _count in sections_list(view)) or "none yet"
        raise InputError(f"no section is named {old!r} (sections: {known})")
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
    if old in order:
        renamed = [new if name == old else name for name in order]
        view.set_meta(META_SECTION_ORDER, list(dict.fromkeys(renamed)))
    return len(moved)


def set_section_order(view: LibraryView, names: Sequence[str]) -> None:
    """Store the order sections appear in on pages; every name must have entries. Empty clears it."""
    cleaned = [n.strip() for n in names]
    duplicate = next((n for n, count in Counter(cleaned).items() if count > 1), None)
    if duplicate:
        raise InputError(f"section {duplicate!r} is named twice")
    check_order_known(view, cleaned, ())
    view.set_meta(META_SECTION_ORDER, cleaned or None)


def check_order_known(view: LibraryView, names: Sequence[str], changed: Sequence[Entry]) -> None:
    """Refuse to order a section no entry is in (`changed` counted as stored): a typo would go unseen."""
    known = set(_section_counts(view, changed))
    missing = [n for n in names if n not in known]
    if missing:
        hint = ", ".join(sorted(known)) or "none yet"
        raise InputError(f"no entry is in the section {missing[0]!r}, so it cannot be ordered "
                         f"(sections: {hint}); nothing was changed")
