"""Records merged into the library with the curator's excerpt found again in a changed abstract.

`LibraryView.merge` keeps each stored entry's curation when a newer record
replaces it.  When PubMed changed the abstract, the excerpt's quotes must be
looked for again (`curation.excerpt.relocate`): a quote whose words moved is
anchored where they stand now; one whose words changed or went is kept as it
was and the entry is flagged, so `lmscite check` and the page say so.  Every
way a record comes in (import, fetch --refresh, refresh) merges through here.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

from lmscite.curation.excerpt import excerpt_problems, relocate
from lmscite.library.store import LibraryView, now
from lmscite.model import Entry

FLAG = "excerpt no longer matches the abstract ({how} {date})"


def merge(view: LibraryView, incoming: Iterable[Entry], *, restamp: bool = False,
          how: str = "refresh") -> tuple[dict[str, str], dict[str, list[str]]]:
    """`view.merge(incoming)`, then every updated excerpt found again in its new abstract.

    Returns merge's outcome per PMID, and per PMID the excerpt problems the
    new abstract brought (the entry is flagged with `FLAG` for them).
    """
    entries = list(incoming)
    before = {}
    for entry in entries:
        stored = view.raw(entry.pmid)
        if stored is not None and stored.get("curation", {}).get("excerpt") and entry.pmid not in before:
            before[entry.pmid] = view.get(entry.pmid)
    outcome = view.merge(entries, restamp=restamp)
    broken: dict[str, list[str]] = {}
    amended = []
    flag = FLAG.format(how=how, date=now()[:10])
    for pmid, old in before.items():
        current = view.get(pmid)
        if old is None or current is None or current.abstract == old.abstract:
            continue
        pieces, problems = relocate(current)
        known = {p.message for p in excerpt_problems(old)}
        fresh = [p.message for p in problems if p.message not in known]
        if pieces == current.curation.excerpt and not fresh:
            continue
        changed = copy.deepcopy(current)
        changed.curation.excerpt = pieces
        if fresh:
            changed.curation.flags.append(flag)
            broken[pmid] = fresh
        amended.append(changed)
    view.replace(amended)
    return outcome, broken
