"""What PubMed says happened to a record since: retracted, corrected, of concern, updated.

A page that patients and clinicians read must not go on citing a retracted
paper.  PubMed says so in its own data: the publication type "Retracted
Publication" and the CommentsCorrections links (RetractionIn, ErratumIn, ...)
on the record.  This module classifies one entry, offline and without the
store, so `lmscite check` and the exported pages' warnings agree.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from lmscite.citation import citation_line
from lmscite.errors import (
    InputError,
)
from lmscite.model import Correction, Entry

KINDS = ("retracted", "erratum", "concern", "update", "comment", "excerpt", "uncurated")
"""Everything `check` can report, most serious first."""
DEFAULT_KINDS = ("retracted", "erratum", "concern", "update", "excerpt")
"""What `lmscite check` shows without --all or --uncurated."""
READER_KINDS = ("retracted", "erratum", "concern", "update")
"""What a reader of an exported page must be told (`warnings_for`)."""

RETRACTED_TYPE = "Retracted Publication"
LINKS = {
    "RetractionIn": ("retracted", "Retraction in"),
    "PartialRetractionIn": ("retracted", "Partial retraction in"),
    "ErratumIn": ("erratum", "Erratum in"),
    "ExpressionOfConcernIn": ("concern", "Expression of concern in"),
    "UpdateIn": ("update", "Update in"),
    "CommentIn": ("comment", "Comment in"),
}
"""CommentsCorrections links on a record that say something happened to it since: kind and wording."""


@dataclass(frozen=True)
class Finding:
    """One thing to know about an entry.

    `kind` is one of `KINDS`; `label` says what ("Retraction in", or an
    excerpt problem); `citation` and `pmid` name the linked notice, when
    there is one, so a page can cite and link it.
    """

    kind: str
    label: str
    citation: str | None = None
    pmid: str | None = None

    @property
    def text(self) -> str:
        """As a page shows it: `Retraction in: Cell Mol Biol Lett 2025 Apr 18;30(1):51 (PMID: 40251503)`."""
        text = self.label + (f": {self.citation}" if self.citation else "")
        return text + (f" (PMID: {self.pmid})" if self.pmid else "")


@dataclass(frozen=True)
class EntryFinding:
    """A finding about the entry `pmid`, as `lmscite check` lists it."""

    pmid: str
    finding: Finding

    def as_json(self) -> dict[str, str | None]:
        return {"pmid": self.pmid, "kind": self.finding.kind, "text": self.finding.text,
                "notice_pmid": self.finding.pmid}


def link_finding(link: Correction, notices: Mapping[str, Entry]) -> Finding | None:
    """The finding a link makes, citing the stored notice record if there is one, else the link's own text."""
    if link.kind not in LINKS:
        return None
    kind, label = LINKS[link.kind]
    notice = notices.get(link.pmid) if link.pmid else None
    if notice is not None:
        citation: str | None = citation_line(notice)
    else:
        citation = " ".join((link.source or "").split()).rstrip(".") or None
    return Finding(kind, label, citation, link.pmid)


def findings(entry: Entry, notices: Mapping[str, Entry] | None = None,
             kinds: Collection[str] = DEFAULT_KINDS) -> list[Finding]:
    """What there is to know about `entry`, limited to `kinds`, in the order of `KINDS`."""
    notices = notices or {}
    found = [f for f in (link_finding(link, notices) for link in entry.corrections) if f]
    if RETRACTED_TYPE in entry.publication_types and not any(f.kind == "retracted" for f in found):
        found.append(Finding("retracted", "Retracted publication"))
    if "excerpt" in kinds:
        found.extend(Finding("excerpt", text) for text in _excerpt_findings(entry))
    curation = entry.curation
    if "uncurated" in kinds and not curation.excerpt and not curation.notes:
        found.append(Finding("uncurated", "no excerpt and no note"))
    chosen = [f for f in found if f.kind in kinds]
    return sorted(chosen, key=lambda f: KINDS.index(f.kind))


def _excerpt_findings(entry: Entry) -> list[str]:
    curation = entry.curation
    problems: list[str] = []
    if curation.excerpt:
        from lmscite.curation.excerpt import excerpt_problems

        problems = [problem.message for problem in excerpt_problems(entry)]
    return problems + list(curation.flags)


def warnings_for(entry: Entry, notices: Mapping[str, Entry] | None = None) -> list[Finding]:
    """What a page must warn its readers of: retraction, erratum, expression of concern, update.

    `notices` maps notice PMIDs to their records (`linked_notices`); a link
    whose notice is not stored is cited from the link's own text.  Most
    records have no links and are not retracted: they are answered without
    `findings`, which a page of 10,000 entries would call for nothing.
    """
    if not entry.corrections and RETRACTED_TYPE not in entry.publication_types:
        return []
    return findings(entry, notices, READER_KINDS)


def parse_kinds(text: str) -> list[str]:
    """`retracted,erratum` -> the kinds; an unknown one is a usage error."""
    kinds = [k.strip() for k in text.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise InputError(f"unknown kind {unknown[0]!r} (choose from {', '.join(KINDS)})")
    return kinds


