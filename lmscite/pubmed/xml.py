"""PubMed efetch XML (a PubmedArticleSet) -> `Entry`, streamed and offline.

The parser never loads or fetches a DTD and never expands entities, so files
of any DTD version (past or future, `http://` or `https://` system ids) read
the same with no network, and an entity bomb fails at once (libxml2 refuses
the amplification) or stays inert.  Character references such as `&#xe4;`
resolve as usual; an undeclared named entity such as `&nbsp;` becomes its
HTML character when it has one and stays literal text otherwise.

Records are built from `end` events of PubmedArticle / PubmedBookArticle and
then dropped, so memory stays flat for a file of any size.  A file may hold a
PubmedArticleSet (what efetch returns), a wrapper whose child is one (some
tools save responses that way), or a single record as its root (a record cut
out of a set; Bio.Entrez reads it too); records anywhere else are not
PubMed's.  The encoding is the file's own (UTF-8, UTF-16 with or without a
byte-order mark, or what its XML declaration names).

Text fields come in two shapes:

* fragments (titles, vernacular title, abstract sections, copyright, book and
  collection titles): the element's inner content with only `i b u sup sub`
  and MathML kept (MathML unprefixed), other tags dropped but their text
  kept, `& < >` escaped (see `lmscite.markup`);
* plain text (names, affiliations, journal, keywords, ...): tags dropped,
  text kept, nothing escaped.

In both, a run of whitespace that holds a line break or tab (pretty-printed
files) becomes one space and the ends are stripped; other text is kept as
given.  Empty values are `None` (or an empty list) so that the JSON form of
an entry round-trips.

Not kept, because the model has no place for them: OtherAbstract,
InvestigatorList, grants, chemicals, the reference list, and the
DeleteCitation lists of baseline/update files (skipped silently).  Books
have no MEDLINE status, so their `provenance.status` stays None.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html.entities import name2codepoint
from io import BytesIO
from typing import BinaryIO

from lxml import etree

from lmscite.errors import InputError, ParseError
from lmscite.ids import field_pmid, orcid
from lmscite.markup import INLINE, MATHML, escape
from lmscite.model import (
    CORRECTION_KINDS,
    Abstract,
    AbstractSection,
    Author,
    Book,
    Correction,
    ELocation,
    Entry,
    Journal,
    MeshHeading,
    Provenance,
    PubDate,
    Qualifier,
    month_number,
)

_ROOT = "PubmedArticleSet"
_ARTICLE = "PubmedArticle"
_BOOK = "PubmedBookArticle"
_RECORDS = frozenset({_ARTICLE, _BOOK})
_ERROR = "ERROR"
_PARSER_OPTIONS = {
    "load_dtd": False,
    "no_network": True,
    "resolve_entities": False,
    "dtd_validation": False,
    "attribute_defaults": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}
_CORRECTIONS = frozenset(CORRECTION_KINDS)
_BREAK_RUN = re.compile(r"[ \t\r\n]*[\t\r\n][ \t\r\n]*")
_LOCATION_SUFFIX = re.compile(r",? line \d+, column \d+\s*$")
_NO_JOURNAL = Journal()
_DATE_PARTS = ("Year", "Month", "Day", "Season", "MedlineDate")


class EutilsErrorBody(ParseError):
    """NCBI answered with an `<ERROR>` body (often with HTTP 200) instead of records.

    A separate class so the HTTP client can tell "NCBI refused the request"
    from "the response is broken" and report NCBI's own words.
    """


def iter_entries(
    source: str | os.PathLike[str] | BinaryIO,
    *,
    origin: str | None = None,
    source_kind: str = "file",
) -> Iterator[Entry]:
    """Yield one `Entry` per PubmedArticle / PubmedBookArticle, as the file is read.

    `source` is a path (a `str` is always a path, never XML text) or a binary
    file object.  Each entry's provenance gets `source_kind`, `origin`,
    PubMed's status, publication status and revision date; `retrieved` is
    left for the caller to stamp.

    Being lazy, this raises `ParseError` only when it reaches the problem: a
    file truncated halfway yields its first records and then raises, so a
    caller that must store all or nothing collects the entries first
    (`list(iter_entries(...))`) and stores them only when that succeeded.
    Raises `EutilsErrorBody` for an E-utilities `<ERROR>` body, `ParseError`
    for XML that is malformed or not a PubmedArticleSet, and `InputError` for
    a file that cannot be opened.  An empty PubmedArticleSet yields nothing.
    """
    label = origin or _label(source)
    provenance = {"source": source_kind, "origin": origin}
    with _opened(source, label) as stream:
        parser = etree.iterparse(stream, events=("end",), tag=(_ARTICLE, _BOOK, _ERROR),
                                 **_PARSER_OPTIONS)
        checked = False
        try:
            for _event, element in parser:
                if element.tag == _ERROR:
                    _raise_if_top_level(element, label)
                    continue
                if not checked:
                    _check_root(parser.root, label)
                    checked = True
                _check_place(element, label)
                entry = _entry(element, label, provenance)
                _release(element)
                yield entry
        except etree.XMLSyntaxError as exc:
            raise ParseError(_syntax_message(exc, parser.error_log, label)) from None
        _check_root(parser.root, label)


def parse_bytes(
    body: bytes, *, origin: str | None = None, source_kind: str = "efetch"
) -> list[Entry]:
    """Every entry of an E-utilities response body, or `ParseError` and none at all."""
    return list(iter_entries(BytesIO(body), origin=origin, source_kind=source_kind))


def _label(source: str | os.PathLike[str] | BinaryIO) -> str:
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else "<input>"


@contextmanager
def _opened(source: str | os.PathLike[str] | BinaryIO, label: str) -> Iterator[BinaryIO]:
    """Open a path ourselves, so lxml never reads a `str` as a URL to fetch."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        raise TypeError("iter_entries() reads a path or a binary file; use parse_bytes() for bytes")
    if not isinstance(source, (str, os.PathLike)):
        yield source
        return
    try:
        with open(source, "rb") as handle:
            yield handle
    except OSError as exc:
        raise InputError(f"cannot read {label}: {exc.strerror or exc}") from None


_LIMITS = (
    (re.compile(r"Excessive depth in document: (\d+)"),
     "elements nested more than {0} deep, far deeper than any PubMed record"),
    (re.compile(r"Text node too long|huge text node", re.IGNORECASE),
     "a text of more than 10 MB in one element, far longer than any PubMed field"),
    (re.compile(r"Huge input lookup", re.IGNORECASE),
     "a name or value longer than the XML reader's limit, far longer than any PubMed field"),
)
"""libxml2's safety limits, which it reports by naming its own option (XML_PARSE_HUGE)."""


def _syntax_message(exc: etree.XMLSyntaxError, log: etree._ListErrorLog, label: str) -> str:
    """One line naming the first error libxml2 met, which the exception may not carry."""
    first = next((entry for entry in log if entry.level >= etree.ErrorLevels.ERROR), None)
    if first is not None:
        message, line, column = first.message, first.line, first.column
    else:
        message = _LOCATION_SUFFIX.sub("", exc.msg or str(exc))
        line, column = exc.position if exc.position else (exc.lineno or 0, 0)
    message = " ".join(message.split())
    for pattern, meaning in _LIMITS:
        found = pattern.search(message)
        if found:
            where = f"at line {line}, column {column}"
            return f"{label}: not PubMed XML: {where} it has {meaning.format(*found.groups())}"
    if line < 1:
        reason = "empty file" if message == "no element found" else message
        return f"{label}: not PubMed XML: {reason}"
    return f"{label}: malformed XML at line {line}, column {column}: {message}"


def _check_root(root: etree._Element | None, label: str) -> None:
    """A PubmedArticleSet, a single record, or a wrapper around a PubmedArticleSet."""
    if root is None or root.tag == _ROOT or root.tag in _RECORDS:
        return
    if any(child.tag == _ROOT for child in root):
        return
    raise ParseError(f"{label}: not PubMed XML: the root element is <{root.tag}>, "
                     f"expected <{_ROOT}> or a single <{_ARTICLE}>")


def _check_place(record: etree._Element, label: str) -> None:
    """A record counts only as the root or a member of a PubmedArticleSet."""
    parent = record.getparent()
    if parent is None or parent.tag == _ROOT:
        return
    raise ParseError(f"{label}: line {record.sourceline}: <{record.tag}> inside <{parent.tag}>; "
                     f"PubMed puts records only in <{_ROOT}>")


def _raise_if_top_level(element: etree._Element, label: str) -> None:
    parent = element.getparent()
    if parent is None or parent.getparent() is None:
        message = _plain(element) or "(no message)"
        raise EutilsErrorBody(f"{label}: NCBI E-utilities error: {message}")


def _release(element: etree._Element) -> None:
    """Free a processed record and everything before it, keeping memory flat."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


# --- text -----------------------------------------------------------------


def _squash(text: str) -> str:
    if "\n" in text or "\t" in text or "\r" in text:
        text = _BREAK_RUN.sub(" ", text)
    return text.strip()


def _entity_text(node: etree._Entity) -> str:
    code = name2codepoint.get(node.name)
    return chr(code) if code is not None else f"&{node.name};"


def _plain(element: etree._Element | None) -> str | None:
    """The element's text with tags dropped, or None when empty."""
    if element is None:
        return None
    if not len(element):
        text = element.text
        if not text:
            return None
        if "\n" in text or "\t" in text or "\r" in text:
            text = _BREAK_RUN.sub(" ", text)
        return text.strip() or None
    parts: list[str] = []
    _plain_parts(element, parts)
    return _squash("".join(parts)) or None


def _plain_parts(element: etree._Element, out: list[str]) -> None:
    if element.text:
        out.append(element.text)
    for child in element:
        if child.tag is etree.Entity:
            out.append(_entity_text(child))
        else:
            _plain_parts(child, out)
        if child.tail:
            out.append(child.tail)


def _fragment(element: etree._Element | None) -> str | None:
    """The element's inner content as a markup fragment, or None when empty."""
    if element is None:
        return None
    if len(element) == 0:
        text = element.text
        return (_squash(escape(text)) or None) if text else None
    parts: list[str] = []
    _fragment_parts(element, parts, in_math=False)
    return _squash("".join(parts)) or None


def _fragment_parts(element: etree._Element, out: list[str], in_math: bool) -> None:
    if element.text:
        out.append(_fragment_text(element.text, in_math))
    for child in element:
        tag = child.tag
        if tag is etree.Entity:
            out.append(escape(_entity_text(child)))
        else:
            name = tag.rpartition("}")[2]
            child_math = in_math or name == "math"
            if name in INLINE or (child_math and name in MATHML):
                attributes = _math_attributes(child) if child_math else ""
                out.append(f"<{name}{attributes}>")
                _fragment_parts(child, out, child_math)
                out.append(f"</{name}>")
            else:
                _fragment_parts(child, out, in_math)
        if child.tail:
            out.append(_fragment_text(child.tail, in_math))


def _fragment_text(text: str, in_math: bool) -> str:
    """Escaped text; inside MathML the pretty-printing indentation is dropped."""
    if in_math and not text.strip(" \t\r\n") and ("\n" in text or "\t" in text):
        return ""
    return escape(text)


def _math_attributes(element: etree._Element) -> str:
    return "".join(
        f' {name}="{html.escape(value)}"'
        for name, value in element.attrib.items()
        if not name.startswith("{")
    )


# --- element access -------------------------------------------------------
# Records are read with one pass over an element's children rather than a
# find() per field: once lxml has built the tree, these lookups and the Python
# calls around them are most of the parsing time.  One find() costs about as
# much as grouping all of an element's children, so none is left on the record
# path.  Lists are built with plain loops rather than comprehensions or
# generator expressions, which on Python 3.11 are each one more function call,
# made several times per record.

_Children = dict[str, list[etree._Element]]
_NONE: list[etree._Element] = []


def _children(element: etree._Element | None) -> _Children:
    """Child elements grouped by tag, in document order."""
    groups: _Children = {}
    if element is not None:
        for child in element:
            groups.setdefault(child.tag, []).append(child)
    return groups


def _firsts(element: etree._Element | None) -> dict[str, etree._Element]:
    """The first child element of each tag: `_children` for elements whose repeats are not read."""
    found: dict[str, etree._Element] = {}
    if element is not None:
        for child in element:
            found.setdefault(child.tag, child)
    return found


def _one(groups: _Children, tag: str) -> etree._Element | None:
    found = groups.get(tag)
    return found[0] if found else None


def _fields(element: etree._Element | None) -> dict[str, str]:
    """Plain text of each child by tag (the first of a tag wins), empty ones left out."""
    values: dict[str, str] = {}
    if element is None:
        return values
    for child in element:
        tag = child.tag
        if tag in values:
            continue
        text = _plain(child)
        if text:
            values[tag] = text
    return values


def _first_text(elements: list[etree._Element]) -> str | None:
    """The first non-empty plain text among the elements."""
    for element in elements:
        text = _plain(element)
        if text:
            return text
    return None


def _kept(read: Callable[[etree._Element], str | None], elements: list[etree._Element]) -> list[str]:
    """What `read` makes of each element, in order, the empty answers left out."""
    found = []
    for element in elements:
        value = read(element)
        if value:
            found.append(value)
    return found


# --- small parts ----------------------------------------------------------


def _iso_date(element: etree._Element | None) -> str | None:
    """Year, Month, Day as `YYYY-MM-DD` (shorter when parts are missing)."""
    parts = _fields(element)
    year = parts.get("Year")
    if not year:
        return None
    month = month_number(parts.get("Month"))
    if month is None:
        return year
    day = parts.get("Day")
    if day and day.isdecimal():
        return f"{year}-{month:02d}-{int(day):02d}"
    return f"{year}-{month:02d}"


def _pub_date(element: etree._Element | None) -> PubDate | None:
    """The date parts exactly as given, or None when there are none."""
    parts = _fields(element)
    if parts.keys().isdisjoint(_DATE_PARTS):
        return None
    return PubDate(year=parts.get("Year"), month=parts.get("Month"), day=parts.get("Day"),
                   season=parts.get("Season"), medline_date=parts.get("MedlineDate"))


def _authors(lists: list[etree._Element]) -> list[Author]:
    """Persons and collectives, read in one pass over each AuthorList.

    Affiliations come from AffiliationInfo and from the pre-2014 Author/Affiliation;
    an Identifier counts only when its Source is ORCID (institution ids are not).
    The walk is `iter()` unfiltered: with the eight tags wanted here, lxml's
    tag matcher costs more per node than the few nodes it would skip.
    """
    found: list[Author] = []
    for author_list in lists:
        author: Author | None = None
        for node in author_list.iter():
            tag = node.tag
            if tag == "Author":
                author = Author(valid=node.get("ValidYN") != "N")
                found.append(author)
            elif author is None:
                continue
            elif tag == "LastName":
                author.last_name = _plain(node)
            elif tag == "ForeName":
                author.fore_name = _plain(node)
            elif tag == "Initials":
                author.initials = _plain(node)
            elif tag == "Affiliation":
                text = _plain(node)
                if text:
                    author.affiliations.append(text)
            elif tag == "Suffix":
                author.suffix = _plain(node)
            elif tag == "CollectiveName":
                author.collective_name = _plain(node)
            elif (tag == "Identifier" and not author.orcid
                  and (node.get("Source") or "").upper() == "ORCID"):
                author.orcid = orcid(node.text)
    return found


def _abstract(element: etree._Element | None) -> Abstract:
    if element is None:
        return Abstract()
    sections = []
    copyright_ = None
    for child in element:
        if child.tag == "AbstractText":
            text = _fragment(child)
            if text:
                sections.append(AbstractSection(text=text, label=child.get("Label") or None,
                                                category=child.get("NlmCategory") or None))
        elif child.tag == "CopyrightInformation":
            copyright_ = _fragment(child)
    return Abstract(sections=sections, copyright=copyright_)


def _elocations(elements: list[etree._Element]) -> list[ELocation]:
    found = []
    for element in elements:
        value = _plain(element)
        if value:
            found.append(ELocation(kind=element.get("EIdType") or "unknown", value=value,
                                   valid=element.get("ValidYN") != "N"))
    return found


def _article_ids(*lists: etree._Element | None) -> dict[str, str]:
    """IdType -> value; the first of a kind wins (BookDocument before PubmedBookData)."""
    ids: dict[str, str] = {}
    for id_list in lists:
        if id_list is None:
            continue
        for element in id_list:
            if element.tag == "ArticleId":
                value = _plain(element)
                if value:
                    ids.setdefault(element.get("IdType") or "unknown", value)
    return ids


def _keywords(lists: list[etree._Element]) -> list[str]:
    """Keywords in order, repeats dropped (GeneReviews lists some twice)."""
    words: dict[str, None] = {}
    for keyword_list in lists:
        for keyword in keyword_list:
            if keyword.tag == "Keyword":
                word = _plain(keyword)
                if word:
                    words[word] = None
    return list(words)


def _mesh(heading_list: etree._Element | None) -> list[MeshHeading]:
    """Headings with their qualifiers; each DescriptorName opens a heading (DTD order)."""
    if heading_list is None:
        return []
    headings: list[MeshHeading] = []
    current: MeshHeading | None = None
    for part in heading_list.iter("DescriptorName", "QualifierName"):
        name = _plain(part)
        is_descriptor = part.tag == "DescriptorName"
        if not name:
            if is_descriptor:
                current = None
            continue
        major = part.get("MajorTopicYN") == "Y"
        if is_descriptor:
            current = MeshHeading(descriptor=name, major=major, ui=part.get("UI"))
            headings.append(current)
        elif current is not None:
            current.qualifiers.append(Qualifier(name=name, major=major, ui=part.get("UI")))
    return headings


def _corrections(link_list: etree._Element | None) -> list[Correction]:
    """Corrections, retractions, comments and updates; reference citations are skipped."""
    if link_list is None:
        return []
    found = []
    for link in link_list:
        kind = link.get("RefType")
        if kind in _CORRECTIONS:
            parts = _fields(link)
            found.append(Correction(kind=kind, pmid=parts.get("PMID"),
                                    source=parts.get("RefSource")))
    return found


def _journal(journal: _Children, info: etree._Element | None) -> Journal | None:
    """Title, ISO abbreviation and ISSN: the first non-empty of each.

    The ISSN comes with its IssnType; when no ISSN has text, the type of the
    last one is kept.
    """
    issn = issn_type = None
    for element in journal.get("ISSN", _NONE):
        issn, issn_type = _plain(element), element.get("IssnType")
        if issn:
            break
    info_parts = _fields(info)
    found = Journal(title=_first_text(journal.get("Title", _NONE)),
                    iso_abbreviation=_first_text(journal.get("ISOAbbreviation", _NONE)),
                    medline_ta=info_parts.get("MedlineTA"), nlm_id=info_parts.get("NlmUniqueID"),
                    issn=issn, issn_type=issn_type, issn_linking=info_parts.get("ISSNLinking"))
    return found if found != _NO_JOURNAL else None


def _pages(pagination: etree._Element | None) -> tuple[str | None, str | None, str | None]:
    """MedlinePgn, StartPage, EndPage."""
    parts = _fields(pagination)
    return parts.get("MedlinePgn"), parts.get("StartPage"), parts.get("EndPage")


# --- records --------------------------------------------------------------


def _entry(element: etree._Element, label: str, provenance: dict[str, str | None]) -> Entry:
    if element.tag == _BOOK:
        return _book_entry(element, label, provenance)
    return _article_entry(element, label, provenance)


def _pmid(parts: _Children, record: etree._Element, label: str) -> str:
    raw = _plain(_one(parts, "PMID"))
    if not raw:
        raise ParseError(f"{label}: line {record.sourceline}: <{record.tag}> has no PMID")
    pmid = field_pmid(raw)
    if pmid is None:
        raise ParseError(f"{label}: line {record.sourceline}: <{record.tag}> has the PMID {raw[:40]!r}, "
                         "which is not a PMID")
    return pmid


def _article_entry(record: etree._Element, label: str,
                   provenance: dict[str, str | None]) -> Entry:
    top = _firsts(record)
    citation = top.get("MedlineCitation")
    cite = _children(citation)
    pmid = _pmid(cite, record, label)
    data = _firsts(top.get("PubmedData"))
    article = _children(_one(cite, "Article"))
    journal = _children(_one(article, "Journal"))
    issue = _firsts(_one(journal, "JournalIssue"))
    authors = _authors(article.get("AuthorList", _NONE))
    old_affiliation = _plain(_one(article, "Affiliation"))
    if old_affiliation and authors and not authors[0].affiliations:
        authors[0].affiliations.append(old_affiliation)
    pagination, start_page, end_page = _pages(_one(article, "Pagination"))
    return Entry(
        pmid=pmid,
        kind="article",
        title=_fragment(_one(article, "ArticleTitle")) or "",
        vernacular_title=_fragment(_one(article, "VernacularTitle")),
        authors=authors,
        journal=_journal(journal, _one(cite, "MedlineJournalInfo")),
        pub_date=_pub_date(issue.get("PubDate")) or PubDate(),
        article_dates=_kept(_iso_date, article.get("ArticleDate", _NONE)),
        volume=_plain(issue.get("Volume")),
        issue=_plain(issue.get("Issue")),
        pagination=pagination,
        start_page=start_page,
        end_page=end_page,
        elocations=_elocations(article.get("ELocationID", _NONE)),
        article_ids=_article_ids(data.get("ArticleIdList")),
        languages=_kept(_plain, article.get("Language", _NONE)),
        publication_types=_kept(_plain, _children(_one(article, "PublicationTypeList")).get(
            "PublicationType", _NONE)),
        mesh=_mesh(_one(cite, "MeshHeadingList")),
        keywords=_keywords(cite.get("KeywordList", _NONE)),
        abstract=_abstract(_one(article, "Abstract")),
        corrections=_corrections(_one(cite, "CommentsCorrectionsList")),
        provenance=Provenance(
            **provenance,
            revised=_iso_date(_one(cite, "DateRevised")),
            status=citation.get("Status") if citation is not None else None,
            publication_status=_plain(data.get("PublicationStatus")),
        ),
    )


def _is_editors(author_list: etree._Element) -> bool:
    return author_list.get("Type") == "editors"


def _book(book: _Children, document: _Children) -> Book:
    publisher = _fields(_one(book, "Publisher"))
    editor_lists = [a for a in book.get("AuthorList", _NONE) if _is_editors(a)]
    editor_lists += [a for a in document.get("AuthorList", _NONE) if _is_editors(a)]
    return Book(
        title=_fragment(_one(book, "BookTitle")),
        publisher=publisher.get("PublisherName"),
        publisher_location=publisher.get("PublisherLocation"),
        isbns=_kept(_plain, book.get("Isbn", _NONE)),
        editors=_authors(editor_lists),
        collection_title=_fragment(_one(book, "CollectionTitle")),
        volume=_plain(_one(book, "Volume")),
        edition=_plain(_one(book, "Edition")),
        medium=_plain(_one(book, "Medium")),
        location_label=_plain(_one(document, "LocationLabel")),
        beginning_date=_pub_date(_one(book, "BeginningDate")),
        ending_date=_pub_date(_one(book, "EndingDate")),
    )


def _book_entry(record: etree._Element, label: str,
                provenance: dict[str, str | None]) -> Entry:
    """A book or chapter: chapter authors, else the book's own (non-editor) authors."""
    top = _children(record)
    document = _children(_one(top, "BookDocument"))
    pmid = _pmid(document, record, label)
    data = _children(_one(top, "PubmedBookData"))
    book = _children(_one(document, "Book"))
    authors = _authors([a for a in document.get("AuthorList", _NONE) if not _is_editors(a)])
    if not authors:
        authors = _authors([a for a in book.get("AuthorList", _NONE) if not _is_editors(a)])
    title = _fragment(_one(document, "ArticleTitle")) or _fragment(_one(book, "BookTitle"))
    pagination, start_page, end_page = _pages(_one(document, "Pagination"))
    return Entry(
        pmid=pmid,
        kind="book",
        title=title or "",
        vernacular_title=_fragment(_one(document, "VernacularTitle")),
        authors=authors,
        journal=None,
        pub_date=_pub_date(_one(book, "PubDate")) or PubDate(),
        pagination=pagination,
        start_page=start_page,
        end_page=end_page,
        elocations=_elocations(book.get("ELocationID", _NONE)),
        article_ids=_article_ids(_one(document, "ArticleIdList"), _one(data, "ArticleIdList")),
        languages=_kept(_plain, document.get("Language", _NONE)),
        publication_types=_kept(_plain, document.get("PublicationType", _NONE)),
        keywords=_keywords(document.get("KeywordList", _NONE)),
        abstract=_abstract(_one(document, "Abstract")),
        book=_book(book, document),
        provenance=Provenance(
            **provenance,
            revised=_iso_date(_one(document, "DateRevised")),
            status=None,
            publication_status=_plain(_one(data, "PublicationStatus")),
        ),
    )
