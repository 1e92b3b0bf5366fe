"""RIS, as Zotero, EndNote and Mendeley import it: one `TY` ... `ER` record per entry.

Types: JOUR for articles, BOOK for whole books, CHAP for book chapters.
Each line is `XX  - value`; every value is folded onto its one line (line
breaks become spaces) and markup is reduced to its text, so no record text
can start a tag of its own such as `ER  -`.  Curation travels as one `N1`
note per curator's note, one for the excerpt and one for the section; tags
come first among the `KW` lines, then MeSH descriptors and author keywords.
Editors of a book or chapter are `A2`, the RIS editor slot.  Values are text,
not HTML: a `<` in a title is a `<`.
"""

from __future__ import annotations

from typing import Sequence

from lmscite.citation import shown_title
from lmscite.model import Author, Entry, month_number
from lmscite.render import ExportOptions
from lmscite.render.reference import (
    abstract_text,
    curation_notes,
    day_number,
    is_chapter,
    journal_abbreviation,
    journal_title,
    one_line,
    page_range,
    people,
    plain,
    pubmed_url,
    season,
    subject_terms,
)


def render(entries: Sequence[Entry], options: ExportOptions) -> str:
    return "\n".join(_record(entry, options) for entry in entries)


def ris_type(entry: Entry) -> str:
    if entry.kind != "book":
        return "JOUR"
    return "CHAP" if is_chapter(entry) else "BOOK"


def name(author: Author) -> str:
    """`Last, First` (`Last, First, Suffix`); a collective as written with a trailing comma.

    The comma is EndNote's mark of a corporate author (without it EndNote
    reads "Canadian Respiratory Research Network" as a person named Network);
    Zotero reads it as a name with an empty first name.
    """
    if author.collective_name:
        return one_line(author.collective_name) + ","
    last = one_line(author.last_name or "")
    given = one_line(author.fore_name or author.initials or "")
    if author.suffix:
        return f"{last}, {given}, {one_line(author.suffix)}"
    return f"{last}, {given}" if given else last


def date(entry: Entry) -> str:
    """`YYYY/MM/DD/other`, parts left empty when unknown; a season goes in "other"."""
    pub = entry.pub_date
    month = month_number(pub.month)
    day = day_number(pub.day) if month else None
    return "/".join([entry.year or "", f"{month:02d}" if month else "", f"{day:02d}" if day else "",
                     season(entry) or ""])


def tags(entry: Entry, options: ExportOptions) -> list[tuple[str, str]]:
    """(tag, value) pairs in the order written; empty values left out."""
    book = entry.book
    out: list[tuple[str, str]] = [("TY", ris_type(entry))]
    out += [("AU", name(a)) for a in people(entry.authors)]
    out.append(("TI", plain(shown_title(entry))))
    if book:
        out += [("A2", name(a)) for a in people(book.editors)]
        if is_chapter(entry):
            out.append(("T2", plain(book.title)))
        out.append(("T3", plain(book.collection_title)))
        out.append(("ET", one_line(book.edition or "")))
        out.append(("PB", one_line(book.publisher or "")))
        out.append(("CY", one_line(book.publisher_location or "")))
        out.append(("SN", one_line(" ".join(book.isbns))))
    if entry.journal:
        journal = entry.journal
        out.append(("T2", journal_title(entry)))
        out.append(("JO", journal_abbreviation(entry)))
        out.append(("JA", one_line(journal.medline_ta or "")))
        out.append(("SN", one_line(journal.issn or journal.issn_linking or "")))
    out.append(("PY", one_line(entry.year or "")))
    if entry.year:
        out.append(("DA", date(entry)))
    out.append(("VL", one_line((book.volume if book else None) or entry.volume or "")))
    out.append(("IS", one_line(entry.issue or "")))
    first, last = page_range(entry)
    out.append(("SP", first or ""))
    out.append(("EP", last or ""))
    if options.abstract != "none":
        out.append(("AB", abstract_text(entry)))
    out.append(("DO", one_line(entry.doi or "")))
    out.append(("AN", entry.pmid))
    out.append(("UR", pubmed_url(entry)))
    out += [("LA", one_line(language)) for language in entry.languages]
    out += [("KW", term) for term in subject_terms(entry)]
    out += [("N1", note) for note in curation_notes(entry)]
    out.append(("ER", ""))
    return [(tag, value) for tag, value in out if value or tag == "ER"]


def _record(entry: Entry, options: ExportOptions) -> str:
    return "".join(f"{tag}  - {value}\n" for tag, value in tags(entry, options))
