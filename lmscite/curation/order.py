"""Page order: the one rule for where sections and entries stand on a page.

Pages (`lmscite.render.page.page_order`), the curation file
(`lmscite.curation.file.dump_document`) and `lmscite sections` all sort by
these keys, so the three can never disagree.  Kept apart from
`lmscite.curation.sections`, which changes the library, so that renderers
import it without the library.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from lmscite.model import Entry


def section_rank(section_order: Sequence[str]) -> Callable[[str | None], tuple[int, int, str, str]]:
    """Where a section stands on the page: the stored order, then the others by name, then no section.

    Names compare without case, then as written, so that "alpha" and
    "Alpha" are two sections one after the other, never interleaved.
    """
    rank = {name: index for index, name in enumerate(dict.fromkeys(section_order))}

    def key(section: str | None) -> tuple[int, int, str, str]:
        if not section:
            return (2, 0, "", "")
        if section in rank:
            return (0, rank[section], "", "")
        return (1, 0, section.casefold(), section)

    return key


def manual_order(entry: Entry) -> tuple[int, int]:
    """Inside a section: entries with a manual order (`annotate --order`) first, by it."""
    order = entry.curation.order
    return (0, order) if order is not None else (1, 0)


def page_sort_key(section_order: Sequence[str]) -> Callable[[Entry], tuple[Any, ...]]:
    """Page order with PMIDs breaking ties, as the curation file lists entries."""
    rank = section_rank(section_order)

    def key(entry: Entry) -> tuple[Any, ...]:
        return (*rank(entry.curation.section), *manual_order(entry), int(entry.pmid))

    return key
