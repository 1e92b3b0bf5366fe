"""Ids as users paste them -> the stored entries they name, from the library alone.

Every command that takes entries takes the forms `fetch` takes (12345,
PMID:12345, PubMed links, DOIs, PMC ids): a DOI or a PMC id names the stored
entry that carries it, so `lmscite show 10.1097/00000658-200004000-00007`
needs no network.  Ids that name no entry are kept apart, for the command
to report once it has done what it can with the others.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from lmscite.errors import NotInLibraryError
from lmscite.ids import TypedId, id_key, require_valid
from lmscite.library.store import LibraryView


@dataclass
class Resolution:
    """The entries some ids name, and the ids that name none."""

    pmids: list[str] = field(default_factory=list)
    """Each entry once, in the order the ids first named it."""
    missing: list[TypedId] = field(default_factory=list)

    def error(self) -> NotInLibraryError | None:
        """The error that reports the ids naming no entry (exit 1), or None when every id names one."""
        return NotInLibraryError([typed.value for typed in self.missing]) if self.missing else None

    def require_any(self) -> None:
        """Report the missing ids now when they were all the ids: there is nothing to do with none."""
        if not self.pmids:
            self.raise_for_missing()

    def raise_for_missing(self) -> None:
        """Report the ids that name no entry, once the command has done what it can with the others."""
        missing = self.error()
        if missing:
            raise missing


def resolve(view: LibraryView, ids: Iterable[TypedId]) -> Resolution:
    """The entries `ids` name in `view`; an id that is not a PMID, DOI or PMC id is an InputError.

    DOIs and PMC ids are looked up in the stored records only when some are
    asked for: finding them decodes every entry, which PMIDs never need.
    """
    wanted = require_valid(list(ids))
    others = {(typed.kind, typed.key) for typed in wanted if typed.kind != "pmid"}
    stored = _other_ids(view, others) if others else {}
    result = Resolution()
    seen: set[str] = set()
    for typed in wanted:
        pmid = typed.value if typed.kind == "pmid" and typed.value in view else stored.get((typed.kind, typed.key))
        if pmid is None:
            result.missing.append(typed)
        elif pmid not in seen:
            seen.add(pmid)
            result.pmids.append(pmid)
    return result


def _other_ids(view: LibraryView, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(kind, key) -> PMID for the DOIs and PMC ids asked for, first stored entry first."""
    found: dict[tuple[str, str], str] = {}
    for pmid in view.pmids():
        entry = view.get(pmid)
        if entry is None:
            continue
        for kind, value in (("doi", entry.doi), ("pmcid", entry.pmcid)):
            if value:
                key = (kind, id_key(kind, value))
                if key in wanted and key not in found:
                    found[key] = pmid
    return found
