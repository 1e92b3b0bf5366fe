"""Which of two versions of one PubMed record a library keeps: the one rule, applied by `import`.

A file can hold any revision of a record: an old export, a MEDLINE file that
lacks fields the XML has, a hand-made record holding only a PMID.  Replacing
the stored entry with whatever comes last would silently undo a retraction
or wipe a curated entry's title, so `judge` decides, from the two versions
alone:

1. a record with no title (nor vernacular title) and no abstract is refused,
   even with `force`: it cannot be told from a damaged or placeholder record;
2. the later revision date wins (PubMed XML's DateRevised, MEDLINE's LR);
3. at the same date, or when either date is missing (MEDLINE has LR only
   once a record was revised), the file's version replaces the stored one
   only if it has every part the stored one has: a MEDLINE file of the same
   revision lacks parts of the XML's, and must not thin the entry out;
4. what says something happened to the record (a CommentsCorrections link
   such as RetractionIn or ErratumIn, the type "Retracted Publication") is
   carried into the version taken when that version lacks it, and said so.

`force` takes any other version whatever its date or content, naming each
correction link it drops.  `refresh` and `fetch --refresh` do not use this
rule: PubMed's answer is its current record by definition, and `refresh`
reports every change, a dropped link included (`lmscite.sync.refresh.diff`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from lmscite.citation import NO_TITLE, shown_title
from lmscite.curation.flags import RETRACTED_TYPE
from lmscite.model import Correction, Entry

_OWN = ("curation", "provenance")


@dataclass(frozen=True)
class Verdict:
    """`take` is the version to store, or None with `outcome` "kept" (the stored one stays) or "refused".

    `reason` says why, for the report; `note` names what was carried over
    or, with `force`, dropped of what says something happened to the record:
    the curator must hear of it even when the record was taken.
    """

    take: Entry | None
    outcome: str = "taken"
    reason: str = ""
    note: str = ""


def judge(stored: Entry | None, incoming: Entry, *, force: bool = False) -> Verdict:
    """The verdict on storing `incoming` where `stored` is (None: the PMID is new)."""
    if not _identifies(incoming):
        return Verdict(None, "refused", "the record has no title and no abstract")
    if stored is None:
        return Verdict(incoming)
    if force:
        dropped = _dropped(stored, incoming)
        return Verdict(incoming, "taken", "taken with --force", f"dropped the stored {dropped}" if dropped else "")
    ours, theirs = stored.provenance.revised, incoming.provenance.revised
    if ours and theirs and ours != theirs:
        if theirs < ours:
            return Verdict(None, "kept", f"the stored revision ({ours}) is newer than the file's ({theirs})")
        return _carrying_links(stored, incoming, f"revised {ours} -> {theirs}")
    lacking = sorted(_parts(stored) - _parts(incoming))
    if lacking:
        when = f"the same revision ({ours})" if ours and theirs else "no revision date to compare"
        return Verdict(None, "kept", f"{when}, and the file's version lacks {', '.join(lacking)}")
    return _carrying_links(stored, incoming, "")


def _identifies(entry: Entry) -> bool:
    """A title to show (its own or the vernacular one; markup alone is none) or an abstract."""
    return shown_title(entry) != NO_TITLE or bool(entry.abstract.sections)


def _parts(entry: Entry) -> set[str]:
    """The record's parts that hold something (the JSON form leaves out empty ones)."""
    return {key for key in entry.to_dict() if key not in _OWN}


def _missing_links(stored: Entry, incoming: Entry) -> list[Correction]:
    present = {(link.kind, link.pmid, link.source) for link in incoming.corrections}
    return [link for link in stored.corrections if (link.kind, link.pmid, link.source) not in present]


def _loses_retracted_type(stored: Entry, incoming: Entry) -> bool:
    return RETRACTED_TYPE in stored.publication_types and RETRACTED_TYPE not in incoming.publication_types


def _carrying_links(stored: Entry, incoming: Entry, reason: str) -> Verdict:
    missing = _missing_links(stored, incoming)
    retracted = _loses_retracted_type(stored, incoming)
    if not missing and not retracted:
        return Verdict(incoming, "taken", reason)
    kept = [_names(missing)] if missing else []
    kept += [f'publication type "{RETRACTED_TYPE}"'] if retracted else []
    types = [*incoming.publication_types, RETRACTED_TYPE] if retracted else incoming.publication_types
    taken = replace(incoming, corrections=[*incoming.corrections, *missing], publication_types=types)
    return Verdict(taken, "taken", reason, f"kept the stored {' and '.join(kept)} that the file lacks")


def _dropped(stored: Entry, incoming: Entry) -> str:
    """What a forced version drops of what says something happened to the record."""
    dropped = [_names(links)] if (links := _missing_links(stored, incoming)) else []
    dropped += [f'publication type "{RETRACTED_TYPE}"'] if _loses_retracted_type(stored, incoming) else []
    return " and ".join(dropped)


def _names(links: list[Correction]) -> str:
    return ", ".join(link.kind + (f" (PMID {link.pmid})" if link.pmid else "") for link in links)
