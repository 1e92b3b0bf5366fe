"""The NLM citation line and the author line, as the reference page prints them.

The reference page gives each entry MEDLINE's source line without the period
after the journal and without the DOI: `Ann Surg 2000 Apr;231(4):500-5`.
An article with no page numbers is cited, as PubMed cites it now, by its
e-location: the pii in the pages' place (`2021;4(1):1042`, and
`2016 Jan 8:blood-2015-07-655647` ahead of print), else `. doi: ...` after the
issue.  Where the line would say nothing else about where to find the work,
PubMed's own additions are kept, in PubMed's words: `... Online ahead of
print.` for a record PubMed says is not yet in an issue, and PubMed's book
form (`In: editors. Book [Internet]. Place: Publisher; years.`) for book
chapters and whole books.  Like PubMed and MEDLINE's SO field, an
electronic-only article (`epublish`) is dated by its ArticleDate.  The test
suite checks these rules against every SO line in the MEDLINE fixtures.  Lines
are plain text (book titles go through `markup.plain`); renderers add their
own markup and final punctuation, using `citation_parts` when they need the
journal or DOI on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from lmscite.markup import plain
from lmscite.model import MONTHS, Author, Book, Entry, PubDate, month_number

__all__ = [
    "CitationParts",
    "author_line",
    "author_name",
    "citation_line",
    "citation_parts",
    "format_date",
    "month_abbrev",
    "second_title",
    "shown_title",
]

_FULL_MONTHS = frozenset({"january", "february", "march", "april", "may", "june", "july", "august",
                          "september", "october", "november", "december"})
_ABBREVIATED = frozenset(MONTHS)
BOOK_EDITORS_SHOWN = 3
"""PubMed names the first three editors of a book, then "et al."."""
NO_TITLE = "[No title available]"
"""What PubMed shows for a record whose ArticleTitle is empty and that has no vernacular title."""


@dataclass(frozen=True)
class CitationParts:
    """The pieces of a citation line, for renderers that style them apart.

    `book` is the whole line for a book or chapter; the other fields are then
    empty.  `doi` is set only when the line shows it (no pages and no pii).
    """

    source: str = ""
    date: str = ""
    locator: str = ""
    doi: str | None = None
    ahead_of_print: bool = False
    book: str | None = None

    def line(self) -> str:
        if self.book is not None:
            return self.book
        head = " ".join(filter(None, (self.source, self.date)))
        notes = [head + self.locator if head else self.locator.lstrip(";:")]
        if self.doi:
            notes.append(f"doi: {self.doi}")
        if self.ahead_of_print:
            notes.append("Online ahead of print.")
        return ". ".join(filter(None, notes))


def citation_line(entry: Entry) -> str:
    """The entry's NLM citation line, e.g. `Cancer 2000 Jul 15;89(2):276-84`."""
    return citation_parts(entry).line()


def citation_parts(entry: Entry) -> CitationParts:
    """The citation line's pieces; `citation_parts(entry).line() == citation_line(entry)`."""
    if entry.kind == "book" and entry.book is not None:
        return CitationParts(book=_book_line(entry, entry.book))
    volume, issue = _clean(entry.volume), _clean(entry.issue)
    pages = _pages(entry) or _elocation(entry, "pii")
    locator = ""
    if volume or issue:
        locator = f";{volume or ''}" + (f"({issue})" if issue else "")
    if pages:
        locator += f":{pages}"
    date = _date(entry)
    return CitationParts(
        source=_journal(entry),
        date=date,
        locator=locator,
        doi=None if pages else _elocation(entry, "doi"),
        ahead_of_print=_ahead_of_print(entry.provenance.publication_status,
                                       bool(volume or issue or pages), bool(date)),
    )


def shown_title(entry: Entry) -> str:
    """The title every renderer shows, as a markup fragment: never empty.

    An empty ArticleTitle would print a bare `****` line, an empty heading and
    references with no title, so PubMed's own stand-ins are used: the
    vernacular title in brackets, else "[No title available]".
    """
    if _clean(plain(entry.title)):
        return entry.title
    if entry.vernacular_title and _clean(plain(entry.vernacular_title)):
        return f"[{entry.vernacular_title}]"
    return NO_TITLE


def second_title(entry: Entry) -> str | None:
    """The vernacular title to show under the title, unless `shown_title` already shows it."""
    if entry.vernacular_title and _clean(plain(entry.title)) and _clean(plain(entry.vernacular_title)):
        return entry.vernacular_title
    return None


def month_abbrev(month: str) -> str:
    """PubMed's month: "04", "4", "April" and "apr" become "Apr"; anything else stays."""
    if month in _ABBREVIATED:
        return month
    value = month.strip()
    number = month_number(value)
    full = value.lower() in _FULL_MONTHS or len(value) == 3
    return MONTHS[number - 1] if number and (value.isdecimal() or full) else value


def format_date(date: PubDate) -> str:
    """A PubDate as PubMed prints it: `2000 Jul 15`, `1990 Spring`, or the MedlineDate as written."""
    medline_date = _clean(date.medline_date)
    if medline_date:
        return medline_date
    parts = [_clean(date.year)]
    month = _clean(date.month)
    if month:
        parts.append(month_abbrev(month))
        day = _clean(date.day)
        if day:
            parts.append(str(int(day)) if day.isdecimal() else day)
    else:
        parts.append(_clean(date.season))
    return " ".join(filter(None, parts))


def author_name(author: Author) -> str:
    """`Nussbaum KT`, `Smith J Jr`, or a collective name as written."""
    if author.collective_name and not author.last_name:
        return _clean(author.collective_name) or ""
    initials = _clean(author.initials) or _initials(author.fore_name)
    # One split of the three parts cleans each and leaves out the blank ones (a page has 40,000 names).
    return " ".join(f"{author.last_name or ''} {initials or ''} {author.suffix or ''}".split())


def author_line(entry: Entry, max_authors: int | None = None) -> str:
    """`Lang H, Nussbaum KT, Kaudel P`: all authors, or the first `max_authors` then "et al.".

    Names PubMed marks invalid (ValidYN="N", kept only to record a correction)
    are left out, as PubMed leaves them out.  No final period: the renderer
    adds the punctuation.
    """
    if max_authors is not None and max_authors < 1:
        raise ValueError("max_authors must be at least 1")
    return _name_list(_names(entry.authors), max_authors)


def _date(entry: Entry) -> str:
    """The issue date; for an electronic-only publication, its electronic date, as PubMed shows.

    PubMed (and MEDLINE's SO field) cite an `epublish` record by its
    ArticleDate: `Sci Rep. 2016 Jan 14;6:19366` where the issue date is only
    "2016".
    """
    status = (entry.provenance.publication_status or "").strip().lower()
    if status == "epublish" and entry.article_dates:
        year, _, rest = entry.article_dates[0].partition("-")
        month, _, day = rest.partition("-")
        return format_date(PubDate(year=year, month=month or None, day=day or None))
    return format_date(entry.pub_date)


def _names(authors: list[Author]) -> list[str]:
    return [name for author in authors if author.valid and (name := author_name(author))]


def _name_list(names: list[str], limit: int | None) -> str:
    if limit is not None and len(names) > limit:
        names = [*names[:limit], "et al."]
    return ", ".join(names)


def _initials(fore_name: str | None) -> str | None:
    if not fore_name:
        return None
    return "".join(part[0].upper() for part in fore_name.replace("-", " ").split()) or None


def _clean(value: str | None) -> str | None:
    """The value with its whitespace runs made single spaces, or None when missing or blank."""
    if value is None:
        return None
    return " ".join(value.split()) or None


def _journal(entry: Entry) -> str:
    journal = entry.journal
    if journal is None:
        return ""
    return (_clean(journal.medline_ta) or _clean(journal.iso_abbreviation)
            or _clean(journal.title) or "")


def _pages(entry: Entry) -> str | None:
    """MedlinePgn as PubMed gives it, else the start and end page."""
    pages = _clean(entry.pagination)
    if pages:
        return pages
    start, end = _clean(entry.start_page), _clean(entry.end_page)
    if start and end:
        return f"{start}-{end}"
    return start or end


def _elocation(entry: Entry, kind: str) -> str | None:
    """The record's own ELocationID (MEDLINE's LID), as the SO field cites it.

    Ids that only the ArticleIdList has (MEDLINE's AID) are left out, as the SO
    field leaves them out: there the pii is often the publisher's internal id.
    """
    return _clean(next((e.value for e in entry.elocations if e.kind == kind and e.valid), None))


def _ahead_of_print(status: str | None, placed: bool, dated: bool) -> bool:
    """PubMed's status decides; without one, a dated record with no volume, issue, pages or pii.

    An undated record is not called ahead of print: with no date and no
    status nothing says it was published online at all.
    """
    cleaned = _clean(status)
    if cleaned:
        return cleaned.lower() == "aheadofprint"
    return dated and not placed


def _book_line(entry: Entry, book: Book) -> str:
    """`In: Adam MP, ..., editors. GeneReviews® [Internet]. Seattle (WA): ...; 1993-2024.`

    A whole book (its title is the entry's title) gets only the imprint:
    `Washington (DC): National Academies Press (US); 2015 Sep 1.`
    """
    title = _clean(plain(book.title or "")) or ""
    place = ": ".join(part for part in (_clean(book.publisher_location), _clean(book.publisher))
                      if part)
    imprint = "; ".join(part for part in (place, _book_years(entry.pub_date, book)) if part)
    if not title or _clean(plain(entry.title)) == title:
        return f"{imprint}." if imprint else ""
    names = _names(book.editors)
    editors = _name_list(names, BOOK_EDITORS_SHOWN)
    if editors:
        editors += ", editors" if len(names) > 1 else ", editor"
    if (_clean(book.medium) or "").lower() == "internet":
        title += " [Internet]"
    return "In: " + ". ".join(part for part in (editors, title, imprint) if part) + "."


def _book_years(pub_date: PubDate, book: Book) -> str:
    """The span of a book still being added to (GeneReviews): `1993-2024`, or `1993-` while open."""
    begun = _clean(book.beginning_date.year) if book.beginning_date else None
    if begun:
        ended = _clean(book.ending_date.year) if book.ending_date else None
        return f"{begun}-{ended or ''}"
    return format_date(pub_date)
