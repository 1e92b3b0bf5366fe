"""Choosing and ordering entries: the filters `list` and `export` share.

Filters work on the stored JSON (no Entry is built for an entry that is
filtered out), so selecting from a 10,000-entry library stays cheap.  A tag or
section filter that names nothing in the library is an error, not an empty
result: a typo should not silently publish an empty page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from lmscite import markup
from lmscite.errors import InputError, NotInLibraryError
from lmscite.library.store import LibraryView
from lmscite.model import Entry, month_number
from lmscite.wording import capped, shorten

SORTS = ("date", "author", "journal", "added", "pmid")


@dataclass
class Filter:
    pmids: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    years: list[str] = field(default_factory=list)
    journal: str | None = None
    grep: str | None = None


YEAR_FORMS = "2000, 1998-2001, 2010- or -2005"
_YEAR_RANGE = re.compile(r"([0-9]{4})|([0-9]{4})?\s*-\s*([0-9]{4})?")


def year_range(spec: str) -> tuple[int, int]:
    """The first and last year a --year value names; anything else is an InputError, not an empty list."""
    found = _YEAR_RANGE.fullmatch(spec.strip())
    if not found or not any(found.groups()):
        raise InputError(f"--year {shorten(spec)!r} is not a year or a range of years ({YEAR_FORMS})")
    only, low, high = found.groups()
    if only:
        return int(only), int(only)
    first, last = int(low or 0), int(high or 9999)
    if first > last:
        raise InputError(f"--year {spec.strip()}: the range ends before it starts (did you mean {high}-{low}?)")
    return first, last


def _year_matches(year: str | None, wanted: list[tuple[int, int]]) -> bool:
    if year is None or not year.isdecimal():
        return False
    value = int(year)
    return any(first <= value <= last for first, last in wanted)


def _stored_year(data: dict[str, Any]) -> str | None:
    date = data.get("pub_date", {})
    if date.get("year"):
        return date["year"]
    match = re.search(r"\d{4}", date.get("medline_date", ""))
    return match.group(0) if match else None


def _haystack(data: dict[str, Any]) -> str:
    parts = [data.get("title", ""), data.get("vernacular_title") or ""]
    parts += [s.get("text", "") for s in data.get("abstract", {}).get("sections", [])]
    parts += [a.get("last_name") or a.get("collective_name") or "" for a in data.get("authors", [])]
    curation = data.get("curation", {})
    parts += curation.get("notes", []) + curation.get("tags", [])
    return markup.plain(" ".join(parts))


def _check_known(view: LibraryView, wanted: Filter) -> None:
    if not (wanted.tags or wanted.sections):
        return
    tags: set[str] = set()
    sections: set[str] = set()
    for pmid in view.pmids():
        curation = (view.raw(pmid) or {}).get("curation", {})
        tags.update(curation.get("tags", []))
        if curation.get("section"):
            sections.add(curation["section"])
    for kind, asked, known in (("tag", wanted.tags, tags), ("section", wanted.sections, sections)):
        unknown = [name for name in asked if name not in known]
        if unknown:
            hint = capped(sorted(known)) or "none yet"
            raise InputError(f"no entry has the {kind} {unknown[0]!r} (known: {hint})")


def select(view: LibraryView, wanted: Filter) -> list[dict[str, Any]]:
    """Stored entries (as JSON) matching every given filter, in library order.

    With explicit PMIDs the order is theirs; a PMID not in the library is an error
    (`lmscite.library.resolve` finds which ids name stored entries).
    """
    years = [year_range(spec) for spec in wanted.years]
    _check_known(view, wanted)
    if wanted.pmids:
        missing = [p for p in wanted.pmids if p not in view]
        if missing:
            raise NotInLibraryError(missing)
        candidates: Iterable[dict[str, Any]] = (view.raw(p) for p in dict.fromkeys(wanted.pmids))
    else:
        candidates = (view.raw(p) for p in view.pmids())
    pattern = re.compile(re.escape(wanted.grep), re.IGNORECASE) if wanted.grep else None
    journal = wanted.journal.casefold() if wanted.journal else None
    chosen = []
    for data in candidates:
        if data is None:
            continue
        curation = data.get("curation", {})
        if wanted.tags and not set(wanted.tags) <= set(curation.get("tags", [])):
            continue
        if wanted.sections and curation.get("section") not in wanted.sections:
            continue
        if years and not _year_matches(_stored_year(data), years):
            continue
        if journal and not _journal_matches(data, journal):
            continue
        if pattern and not pattern.search(_haystack(data)):
            continue
        chosen.append(data)
    return chosen


def _journal_matches(data: dict[str, Any], journal: str) -> bool:
    names = data.get("journal", {})
    return any(journal in (names.get(k) or "").casefold()
               for k in ("medline_ta", "iso_abbreviation", "title"))


def sort_key(kind: str):
    """A key function over stored JSON for `--sort`."""
    if kind == "date":
        return _date_key
    if kind == "author":
        return lambda d: (_first_author(d).casefold(), _date_key(d))
    if kind == "journal":
        return lambda d: ((d.get("journal", {}).get("medline_ta") or "").casefold(), _date_key(d))
    if kind == "added":
        return lambda d: d.get("curation", {}).get("created") or ""
    if kind == "pmid":
        return lambda d: int(d["pmid"])
    raise InputError(f"unknown sort {kind!r} (choose from {', '.join(SORTS)})")


def _first_author(data: dict[str, Any]) -> str:
    for author in data.get("authors", []):
        return author.get("last_name") or author.get("collective_name") or ""
    return ""


def _date_key(data: dict[str, Any]) -> tuple[int, int, int]:
    date = data.get("pub_date", {})
    year = _stored_year(data)
    words = re.split(r"[\s/-]+", date.get("month") or date.get("medline_date") or "")
    month = next((n for word in words if (n := month_number(word))), 0)
    day = int(date["day"]) if (date.get("day") or "").isdecimal() else 0
    return (int(year) if year and year.isdecimal() else 0, month, day)


def entries(data: Iterable[dict[str, Any]]) -> list[Entry]:
    return [Entry.from_dict(d) for d in data]
