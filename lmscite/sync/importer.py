"""Importing files into the library: every file read first, then one write.

A file that fails to parse adds nothing, and is reported; the other files
are still imported (as `fetch` keeps the batches that arrived), so one bad
file among 200 does not cost the other 199.  When no file could be read at
all, that is the command's error, as for any bad input.  Each record is weighed against
the stored entry by `lmscite.sync.revisions.judge`, so an older revision or
a thinner copy never replaces what the library holds.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from lmscite.errors import InputError, LmsciteError
from lmscite.library.store import Library, LibraryView, now
from lmscite.model import Entry
from lmscite.pubmed.sources import iter_stream, read_file
from lmscite.sync import keep
from lmscite.sync.revisions import judge
from lmscite.wording import plural

OUTCOMES = ("added", "updated", "unchanged", "kept", "refused")
"""What import did with each PMID: kept means the stored version was newer or fuller; refused, unusable."""


@dataclass
class ImportReport:
    """Per PMID what happened and why; the files that held nothing or could not be read."""

    outcome: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    empty_files: list[str] = field(default_factory=list)
    failed_files: list[LmsciteError] = field(default_factory=list)
    dry_run: bool = False

    def counts(self) -> Counter[str]:
        return Counter(self.outcome.values())

    @property
    def failed(self) -> bool:
        """True when a file could not be read or a record was refused."""
        return bool(self.failed_files) or "refused" in self.outcome.values()

    def listing(self) -> list[str]:
        """One line per PMID, `PMID<TAB>outcome[<TAB>why]`, in the order the records came."""
        return ["\t".join(filter(None, (pmid, outcome, self._why(pmid)))) for pmid, outcome in self.outcome.items()]

    def notable(self) -> list[str]:
        """`PMID n: outcome: why` for each PMID a curator must hear of: kept, refused, or taken with a note."""
        return [f"PMID {pmid}: {outcome}: {self._why(pmid)}" for pmid, outcome in self.outcome.items()
                if outcome in ("kept", "refused") or self.notes.get(pmid)]

    def _why(self, pmid: str) -> str:
        return "; ".join(filter(None, (self.reasons.get(pmid), self.notes.get(pmid))))

    def summary(self) -> str:
        counts = self.counts()
        lines = [f"{name}: no records" for name in self.empty_files]
        verb = "would import" if self.dry_run else "imported"
        if not self.outcome:
            lines.append("no records found; nothing imported")
        else:
            parts = ", ".join(f"{counts[state]} {state}" for state in OUTCOMES
                              if counts[state] or state in OUTCOMES[:3])
            lines.append(f"{verb} {plural(len(self.outcome), 'entry')}: {parts}")
        if self.failed_files:
            failed = len(self.failed_files)
            lines.append(f"{plural(failed, 'file')} could not be read; nothing was taken from "
                         f"{'it' if failed == 1 else 'them'}")
        return "\n".join(lines)


def read_sources(names: list[str], stdin: BinaryIO | None = None
                 ) -> tuple[list[Entry], list[str], list[LmsciteError]]:
    """Every entry of the files that could be read ("-" is stdin), the names that held none, and each failure.

    Raises the failure itself when no file could be read.
    """
    entries: list[Entry] = []
    empty: list[str] = []
    failed: list[LmsciteError] = []
    for name in names:
        try:
            found = list(iter_stream(stdin, "<stdin>")) if name == "-" and stdin else read_file(Path(name))
        except LmsciteError as exc:
            failed.append(exc)
            continue
        if not found:
            empty.append(name)
        entries.extend(found)
    if failed and len(failed) == len(names):
        if len(failed) == 1:
            raise failed[0]
        raise InputError(f"none of the {len(names)} files could be read; nothing imported (first: {failed[0]})")
    return entries, empty, failed


def import_files(library: Library, names: list[str], stdin: BinaryIO | None = None, *,
                 force: bool = False, dry_run: bool = False) -> ImportReport:
    """Read every file, weigh each record against the library, and store the ones taken in one write.

    With `dry_run` the report says what would happen and nothing is written.
    """
    entries, empty, failed = read_sources(names, stdin)
    stamp = now()
    for entry in entries:
        entry.provenance.retrieved = stamp
    report = ImportReport(empty_files=empty, failed_files=failed, dry_run=dry_run)
    if not entries:
        return report
    if dry_run:
        _weigh(library.snapshot(), entries, force, report, dry_run=True)
        return report
    with library.transaction() as view:
        _weigh(view, entries, force, report, dry_run=False)
    return report


def _weigh(view: LibraryView, entries: list[Entry], force: bool, report: ImportReport, *, dry_run: bool) -> None:
    """Judge each record against the latest version seen (the stored one, or one earlier in these files)."""
    latest: dict[str, Entry | None] = {}
    taken: dict[str, Entry] = {}
    for entry in entries:
        pmid = entry.pmid
        if pmid not in latest:
            latest[pmid] = view.get(pmid)
        verdict = judge(latest[pmid], entry, force=force)
        report.reasons[pmid] = verdict.reason
        report.notes[pmid] = verdict.note
        if verdict.take is None:
            report.outcome.setdefault(pmid, verdict.outcome)
            continue
        latest[pmid] = taken[pmid] = verdict.take
        report.outcome[pmid] = "taken"
    report.outcome.update(_foreseen(view, taken) if dry_run else keep.merge(view, taken.values(), how="import")[0])


def _foreseen(view: LibraryView, taken: dict[str, Entry]) -> dict[str, str]:
    """What `merge` would say of each record, without changing anything."""
    outcome = {}
    for pmid, entry in taken.items():
        stored = view.get(pmid)
        outcome[pmid] = "added" if stored is None else ("unchanged" if stored.pubmed_equal(entry) else "updated")
    return outcome
