"""Real records for tests: the reference page's seed entries and the NCBI fixtures."""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path

from lmscite.model import AbstractSection, Entry
from lmscite.pubmed.xml import iter_entries

DATA = Path(__file__).parent / "data"
SEED = DATA / "seed" / "liver-metastases.pubmed.xml"


@lru_cache(maxsize=None)
def _parsed(path: Path) -> tuple[Entry, ...]:
    return tuple(iter_entries(path))


def seed_entries() -> list[Entry]:
    """The 19 entries of the reference page, fresh copies each time."""
    return copy.deepcopy(list(_parsed(SEED)))


def seed(pmid: str) -> Entry:
    """One entry of the reference page, a fresh copy."""
    return copy.deepcopy(next(e for e in _parsed(SEED) if e.pmid == pmid))


def fixture(name: str, pmid: str | None = None) -> Entry:
    """One entry of an NCBI fixture file in tests/data/xml, a fresh copy."""
    found = _parsed(DATA / "xml" / name)
    return copy.deepcopy(next(e for e in found if pmid is None or e.pmid == pmid))


def with_abstract(entry: Entry, text: str) -> Entry:
    """A copy of `entry` whose abstract PubMed has since changed to `text`."""
    changed = copy.deepcopy(entry)
    changed.abstract.sections = [AbstractSection(text)]
    return changed


def excerpt(entry: Entry, written: str) -> list:
    """The pieces of an excerpt written as it should appear, read against the entry's abstract."""
    from lmscite.curation.excerpt import from_written

    return from_written(entry, written, literal=True)


def lost_quote(text: str):
    """A quote piece whose words the abstract does not hold (as after PubMed changed the abstract)."""
    from lmscite.model import Piece

    return Piece("quote", text, "", "", 0, 0)
