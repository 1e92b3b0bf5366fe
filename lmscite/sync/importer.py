"""Importing files into the library: all files are read first, then one write.

A file that fails to parse stops the import before anything is stored, so a
library never holds half a file.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from lmscite.library.store import Library, now
from lmscite.model import Entry
from lmscite.pubmed.sources import iter_stream, read_file
from lmscite.wording import plural


@dataclass
class ImportReport:
    outcome: dict[str, str] = field(default_factory=dict)
    empty_files: list[str] = field(default_factory=list)

    def counts(self) -> Counter[str]:
        return Counter(self.outcome.values())

    def summary(self) -> str:
        counts = self.counts()
        empty = "".join(f"{name}: no records\n" for name in self.empty_files)
        if not self.outcome:
            return f"{empty}no records found; nothing imported"
        return (f"{empty}imported {plural(len(self.outcome), 'entry')}: "
                f"{counts['added']} added, {counts['updated']} updated, "
                f"{counts['unchanged']} unchanged")


def read_sources(names: list[str], stdin: BinaryIO | None = None) -> tuple[list[Entry], list[str]]:
    """Every entry of the named files ("-" is stdin), and the names that held none."""
    entries: list[Entry] = []
    empty: list[str] = []
    for name in names:
        found = list(iter_stream(stdin, "<stdin>")) if name == "-" and stdin else read_file(Path(name))
        if not found:
            empty.append(name)
        entries.extend(found)
    return entries, empty


def import_files(library: Library, names: list[str], stdin: BinaryIO | None = None) -> ImportReport:
    entries, empty = read_sources(names, stdin)
    stamp = now()
    for entry in entries:
        entry.provenance.retrieved = stamp
    report = ImportReport(empty_files=empty)
    if entries:
        with library.transaction() as view:
            report.outcome = view.merge(entries)
    return report
