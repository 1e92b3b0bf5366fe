"""What the reference-manager formats (BibTeX, RIS, CSL-JSON) read alike out of an entry.

Page ranges, dates, book-versus-chapter, one-line plain text and the curation
carried along as notes are decided here once, so the three formats cannot
drift apart on what a record says.
"""

from __future__ import annotations

import re
import unicodedata

from lmscite import markup
from lmscite.curation import excerpt
from lmscite.model import Author, Entry, month_number
from lmscite.render import PUBMED

_RANGE = re.compile(r"(?<![\w.])([A-Za-z]*)(\d+)\s*-\s*([A-Za-z]*)(\d+)(?![\w.])")
_FIRST_PART = re.compile(r"[,;]")


def pubmed_url(entry: Entry) -> str:
    return f"{PUBMED}{entry.pmid}/"


def one_line(text: str) -> str:
    """Text with each run of whitespace (line breaks too) as one space, control characters gone.

    Every format here is line- or delimiter-based, so a value that kept a
    line break could end a record or a field early.
    """
    kept = "".join(ch for ch in text if ch.isspace() or unicodedata.category(ch) != "Cc")
    return " ".join(kept.split())


def plain(fragment: str | None) -> str:
    """A markup fragment as one line of plain text: tags dropped, entities resolved."""
    return one_line(markup.plain(fragment)) if fragment else ""


def abstract_text(entry: Entry) -> str:
    """The whole abstract on one line, each labelled section as `LABEL: text`."""
    parts = []
    for section in entry.abstract.sections:
        text = plain(section.text)
        parts.append(f"{one_line(section.label)}: {text}" if section.label else text)
    return " ".join(part for part in parts if part)


def journal_title(entry: Entry) -> str:
    """The journal's full title, or its abbreviation where the record has no full title."""
    journal = entry.journal
    if journal is None:
        return ""
    return one_line(journal.title or journal.iso_abbreviation or journal.medline_ta or "")


def journal_abbreviation(entry: Entry) -> str:
    journal = entry.journal
    if journal is None:
        return ""
    return one_line(journal.iso_abbreviation or journal.medline_ta or "")


def people(authors: list[Author]) -> list[Author]:
    """Authors PubMed counts: entries marked invalid (ValidYN="N") are misspellings it keeps aside."""
    return [a for a in authors if a.valid and (a.collective_name or a.last_name)]


def day_number(day: str | None) -> int | None:
    return int(day) if day and day.isdecimal() and 1 <= int(day) <= 31 else None


def date_parts(entry: Entry) -> list[int]:
    """Year, month and day as numbers, as far as they are known; empty without a year."""
    year = entry.year
    if not year or not year.isdecimal():
        return []
    parts = [int(year)]
    month = month_number(entry.pub_date.month)
    if month is not None:
        parts.append(month)
        day = day_number(entry.pub_date.day)
        if day is not None:
            parts.append(day)
    return parts


def season(entry: Entry) -> str | None:
    """A season (`Spring`, `Nov-Dec`), also the months of a one-year MedlineDate (`2013 Nov-Dec`)."""
    pub = entry.pub_date
    if pub.season:
        return one_line(pub.season)
    year = entry.year
    if pub.year or not pub.medline_date or not year or not pub.medline_date.startswith(year):
        return None
    rest = one_line(pub.medline_date[len(year):])
    return rest if rest and not any(ch.isdigit() for ch in rest) else None


def _expand(match: re.Match[str]) -> str:
    """`500-5` -> `500<dash>505`: MEDLINE drops the leading digits the last page shares."""
    prefix, first, end_prefix, last = match.groups()
    if len(last) < len(first):
        full = first[: len(first) - len(last)] + last
        if int(full) >= int(first):
            last = full
    return f"{prefix}{first}\0{end_prefix or prefix}{last}"


def page_text(entry: Entry, dash: str) -> str | None:
    """All the pages, MEDLINE ranges written out with `dash`: `759--765; discussion 765--766`."""
    if entry.pagination:
        return _RANGE.sub(_expand, one_line(entry.pagination)).replace("\0", dash)
    if entry.start_page:
        return f"{entry.start_page}{dash}{entry.end_page}" if entry.end_page else entry.start_page
    return None


def page_range(entry: Entry) -> tuple[str | None, str | None]:
    """First and last page of the main range (an article number is a first page alone)."""
    if entry.start_page:
        return entry.start_page, entry.end_page
    if not entry.pagination:
        return None, None
    main = _FIRST_PART.split(_RANGE.sub(_expand, one_line(entry.pagination)), maxsplit=1)[0]
    first, _, last = main.partition("\0")
    return first.strip() or None, last.strip() or None


def is_chapter(entry: Entry) -> bool:
    """A book record is a chapter when it has a title of its own besides the book's."""
    if entry.kind != "book" or entry.book is None or not entry.book.title:
        return False
    return plain(entry.book.title) != plain(entry.title)


def excerpt_text(entry: Entry) -> str:
    """The chosen passages as one line: `...` where text was skipped, glosses as `[NOTE Ed.]`."""
    return one_line(excerpt.excerpt_text(entry)) if entry.curation.excerpt else ""


def curation_notes(entry: Entry) -> list[str]:
    """The curator's notes, then the excerpt and the section, one line each: what all formats carry."""
    cur = entry.curation
    notes = [one_line(note) for note in cur.notes if note.strip()]
    excerpt = excerpt_text(entry)
    if excerpt:
        notes.append(f"Excerpt: {excerpt}")
    if cur.section:
        notes.append(f"Section: {one_line(cur.section)}")
    return notes


def subject_terms(entry: Entry) -> list[str]:
    """Tags first, then MeSH descriptors and author keywords, each once."""
    terms = [one_line(t) for t in entry.curation.tags]
    terms += [one_line(h.descriptor) for h in entry.mesh]
    terms += [one_line(k) for k in entry.keywords]
    return list(dict.fromkeys(t for t in terms if t))
