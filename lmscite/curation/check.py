"""`lmscite check`: what the stored entries' own PubMed data and curation say needs a look.

Classification lives in `lmscite.curation.flags`; this module applies it to the
library, citing the stored records of linked notices.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from lmscite.curation.flags import DEFAULT_KINDS, KINDS, LINKS, EntryFinding, findings
from lmscite.errors import NotInLibraryError
from lmscite.ids import dedupe
from lmscite.library.store import LibraryView
from lmscite.model import Entry


def linked_notices(view: LibraryView, entries: Iterable[Entry]) -> dict[str, Entry]:
    """The stored records of the notices these entries link to, by PMID (notices table, else entries)."""
    found: dict[str, Entry] = {}
    for entry in entries:
        for link in entry.corrections:
            if link.kind in LINKS and link.pmid and link.pmid not in found:
                record = view.notice(link.pmid) or view.get(link.pmid)
                if record is not None:
                    found[link.pmid] = record
    return found


def check_library(view: LibraryView, pmids: Sequence[str] = (),
                  kinds: Collection[str] = DEFAULT_KINDS) -> list[EntryFinding]:
    """Findings about the stored entries (or just `pmids`, each of which must be stored), most serious first."""
    missing = [p for p in pmids if p not in view]
    if missing:
        raise NotInLibraryError(missing)
    rows: list[EntryFinding] = []
    for pmid in dedupe(pmids) if pmids else view.pmids():
        entry = view.get(pmid)
        if entry is None:
            continue
        notices = linked_notices(view, [entry]) if entry.corrections else {}
        rows.extend(EntryFinding(pmid, f) for f in findings(entry, notices, kinds))
    return sorted(rows, key=lambda row: (KINDS.index(row.finding.kind), int(row.pmid)))


