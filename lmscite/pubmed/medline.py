"""PubMed's MEDLINE text format (.nbib, efetch rettype=medline) -> Entry, one record at a time.

The format is a tag in four columns, `- `, the value, and continuation lines
indented six spaces; records are separated by a blank line.  We read the lines
ourselves rather than through `Bio.Medline.parse` because that parser gives one
list per tag and so loses the order we need (an `AD` belongs to the author
above it, a `CN` sits among the persons), joins repeated `IS` and `LID` lines
into one string, splits continued `CIN`/`OT`/`AUID` values into separate items,
and raises a bare KeyError on a continuation line that has no tag above it.

Where the same record also exists as PubMed XML, the Entry is meant to be the
one the XML parser builds: same page numbers, same date parts, same
CommentsCorrections source text, bare ORCID iDs.  The fields the XML parser keeps
as markup fragments (titles, vernacular title, abstract sections, copyright,
book and collection titles) are escaped into fragments here, since MEDLINE text
carries no inline markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from lmscite.errors import ParseError
from lmscite.ids import field_pmid, orcid
from lmscite.markup import escape
from lmscite.model import (
    MONTHS,
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
)

_TAG_LINE = re.compile(r"([A-Z]{2,4}) *-(?: (.*)|$)")
_WRAP = 81
"""Width of a value column; a token longer than this is cut with no space at the break."""

_CORRECTION_KINDS = {
    "RIN": "RetractionIn",
    "ROF": "RetractionOf",
    "PRIN": "PartialRetractionIn",
    "PROF": "PartialRetractionOf",
    "EIN": "ErratumIn",
    "EFR": "ErratumFor",
    "ECI": "ExpressionOfConcernIn",
    "ECF": "ExpressionOfConcernFor",
    "UIN": "UpdateIn",
    "UOF": "UpdateOf",
    "CIN": "CommentIn",
    "CON": "CommentOn",
    "RPI": "RepublishedIn",
    "RPF": "RepublishedFrom",
    "SPIN": "SummaryForPatientsIn",
    "ORI": "OriginalReportIn",
}
_CORRECTION = re.compile(r"(.*?)\s*PMID:\s*(\d+)\.?")

_SUFFIXES = frozenset({"Jr", "Sr", "2nd", "3rd", "4th", "5th", "II", "III", "IV", "V"})
_SEASON_NAME = r"(?:Spring|Summer|Fall|Autumn|Winter)"
_SEASON = re.compile(rf"{_SEASON_NAME}(?:-{_SEASON_NAME})*")

_ABSTRACT_LABEL = re.compile(
    r"(?:^|(?<=[.?!)\]] ))([A-Z][A-Z0-9 ,&/()'+-]*[A-Z0-9)]): "
)
_PAGE_RANGE = re.compile(r"([^\d-]*)(\d+)([A-Za-z]*)-([A-Za-z]*)(\d+)([A-Za-z]*)")

_PUBLICATION_TYPES = {
    name.casefold(): name
    for name in (
        "Journal Article", "Review", "Systematic Review", "Meta-Analysis", "Letter",
        "Editorial", "Comment", "News", "Case Reports", "Clinical Trial",
        "Randomized Controlled Trial", "Controlled Clinical Trial", "Multicenter Study",
        "Observational Study", "Comparative Study", "Evaluation Study", "Validation Study",
        "Practice Guideline", "Guideline", "Consensus Development Conference",
        "Congress", "Lecture", "Interview", "Biography", "Historical Article",
        "Published Erratum", "Retracted Publication", "Retraction of Publication",
        "Expression of Concern", "Corrected and Republished Article",
        "Duplicate Publication", "Introductory Journal Article", "English Abstract",
        "Preprint", "Video-Audio Media", "Clinical Trial Protocol", "Technical Report",
        "Patient Education Handout", "Portrait", "Autobiography", "Bibliography",
        "Dataset", "Twin Study", "Address",
        "Research Support, Non-U.S. Gov't", "Research Support, U.S. Gov't, P.H.S.",
        "Research Support, U.S. Gov't, Non-P.H.S.", "Research Support, N.I.H., Extramural",
        "Research Support, N.I.H., Intramural",
    )
}
"""Canonical spellings for the all-capitals types that Publisher-supplied records carry."""


@dataclass
class _Record:
    """One record's fields in file order; a field's lines are joined when the next begins."""

    number: int
    line: int
    fields: list[tuple[str, str]] = field(default_factory=list)
    _open: list[str] = field(default_factory=list)

    def start(self, tag: str, value: str) -> None:
        self.close()
        self.fields.append((tag, value))
        self._open = [value] if value else []

    def extend(self, text: str) -> None:
        self._open.append(text)

    def close(self) -> _Record:
        """Join the open field's lines: a space at each break, none inside a cut token."""
        if len(self._open) > 1:
            text = self._open[0]
            for previous, piece in zip(self._open, self._open[1:]):
                cut = len(previous) >= _WRAP and " " not in previous
                text += piece if cut else " " + piece
            self.fields[-1] = (self.fields[-1][0], text)
        elif self._open:
            self.fields[-1] = (self.fields[-1][0], self._open[0])
        self._open = []
        return self

    def values(self, tag: str) -> list[str]:
        return [value for name, value in self.fields if name == tag]

    def first(self, tag: str) -> str | None:
        return next((value for name, value in self.fields if name == tag), None)


def looks_like_medline(head: str) -> bool:
    """True when the first non-blank line is a MEDLINE `TAG - value` line (and not RIS's `TY`)."""
    for line in head.lstrip("\ufeff").splitlines():
        if line.strip():
            match = _TAG_LINE.match(line)
            return match is not None and match.group(1) != "TY"
    return False


def iter_entries(handle: TextIO, *, origin: str | None = None) -> Iterator[Entry]:
    """Yield one Entry per record as it is read, so a large export never sits in memory."""
    for record in _records(handle, f"{origin}: " if origin else ""):
        yield _entry(record, origin)


def _records(handle: Iterable[str], prefix: str) -> Iterator[_Record]:
    """Group lines into records; an empty line or a second PMID line ends one.

    A whitespace-only line is skipped rather than ending the record: PubMed
    writes one inside some abstracts (biopython#4557).
    """
    record: _Record | None = None
    count = 0
    for number, line in _lines(handle, prefix):
        if not line.strip():
            if not line and record is not None:
                yield record.close()
                record = None
            continue
        if line[0] in " \t":
            if record is None:
                raise ParseError(_orphan(prefix, number, count))
            record.extend(line.strip())
            continue
        tag, value = _tag_line(line, prefix, number, record, count)
        if record is not None and tag == "PMID" and record.first("PMID") is not None:
            yield record.close()
            record = None
        if record is None:
            count += 1
            record = _Record(count, number)
        record.start(tag, value)
    if record is not None:
        yield record.close()


def _lines(handle: Iterable[str], prefix: str) -> Iterator[tuple[int, str]]:
    """Numbered lines without their line ending or byte-order mark; bad bytes are a ParseError.

    The error names no line: a text handle decodes ahead in blocks, so it
    fails lines before the bad byte.
    """
    lines = iter(handle)
    number = 0
    while True:
        try:
            raw = next(lines)
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            encoding = exc.encoding.upper().removesuffix("-SIG")
            raise ParseError(f"{prefix}not {encoding} text ({exc.reason})") from None
        number += 1
        line = raw.rstrip("\r\n")
        yield number, (line.lstrip("\ufeff") if number == 1 else line)


def _orphan(prefix: str, number: int, count: int) -> str:
    if count == 0:
        return (f"{prefix}not MEDLINE text: line {number} is indented where a "
                "'PMID- ' line should start the file")
    return (f"{prefix}line {number}: continuation line with no field above it "
            "(a blank line inside a record?)")


def _tag_line(line: str, prefix: str, number: int, record: _Record | None,
              count: int) -> tuple[str, str]:
    """The tag and value of a `TAG - value` line, or the ParseError saying what the line is."""
    match = _TAG_LINE.match(line)
    if match is None:
        if count == 0:
            raise ParseError(f"{prefix}not MEDLINE text: line {number} is not a "
                             f"'TAG - value' line: {line[:40]!r}")
        where = _where(record) if record is not None else f"after record {count}"
        raise ParseError(f"{prefix}line {number} ({where}): neither a 'TAG - value' line "
                         f"nor an indented continuation: {line[:40]!r}")
    if count == 0 and match.group(1) == "TY":
        raise ParseError(f"{prefix}this looks like RIS, not MEDLINE text "
                         f"(line {number} is 'TY  - ')")
    return match.group(1), (match.group(2) or "").strip()


def _where(record: _Record) -> str:
    pmid = record.first("PMID")
    return f"record {record.number}, PMID {pmid}" if pmid else f"record {record.number}"


def _entry(record: _Record, origin: str | None) -> Entry:
    raw = record.first("PMID")
    pmid = field_pmid(raw) if raw else None
    if not pmid:
        problem = f"PMID {raw[:40]!r} is not a PMID" if raw else "no PMID line"
        raise ParseError(f"{origin + ': ' if origin else ''}record {record.number} "
                         f"(starting line {record.line}): {problem}")
    authors, editors = _people(record.fields)
    is_book = record.first("BTI") is not None and not (record.first("TA") or record.first("JT"))
    title = record.first("TI") or (record.first("BTI") if is_book else None) or ""
    volume = record.first("VI")
    pagination = record.first("PG")
    start_page, end_page = _pages(pagination)
    vernacular = record.first("TT")
    return Entry(
        pmid=pmid,
        kind="book" if is_book else "article",
        title=escape(title),
        vernacular_title=escape(vernacular) if vernacular else None,
        authors=authors,
        journal=None if is_book else _journal(record),
        pub_date=_pub_date(record.first("DP")),
        article_dates=[iso for iso in map(_iso_date, record.values("DEP")) if iso],
        volume=None if is_book else volume,
        issue=record.first("IP"),
        pagination=pagination,
        start_page=start_page,
        end_page=end_page,
        elocations=[ELocation(kind, value) for kind, value in map(_typed_id, record.values("LID"))
                    if kind],
        article_ids=_article_ids(record, pmid),
        languages=[language.lower() for language in record.values("LA")],
        publication_types=[_publication_type(value) for value in record.values("PT")],
        mesh=[_mesh_heading(value) for value in record.values("MH")],
        keywords=list(dict.fromkeys(record.values("OT"))),
        abstract=_abstract(record),
        corrections=_corrections(record.fields),
        book=_book(record, editors, volume) if is_book else None,
        provenance=Provenance(
            source="file",
            origin=origin,
            revised=_iso_date(record.first("LR") or ""),
            status=record.first("STAT"),
            publication_status=record.first("PST"),
        ),
    )


def _people(fields: list[tuple[str, str]]) -> tuple[list[Author], list[Author]]:
    """Authors and editors in file order, each with the AD and AUID lines that follow it.

    Records from before 2014 put one AD line before the first author; PubMed XML
    now gives that affiliation to the first author, so we do too.  Investigators
    (IR/FIR, with their own IRAD affiliations) are not authors and are not read.
    """
    authors: list[Author] = []
    editors: list[Author] = []
    leading: list[str] = []
    current: Author | None = None
    awaiting: str | None = None
    for tag, value in fields:
        if tag in ("FAU", "FED"):
            current = _from_full_name(value)
            (authors if tag == "FAU" else editors).append(current)
            awaiting = "AU" if tag == "FAU" else "ED"
        elif tag in ("AU", "ED"):
            if awaiting == tag and current is not None:
                _add_short_name(current, value)
            else:
                current = _from_short_name(value)
                (authors if tag == "AU" else editors).append(current)
            awaiting = None
        elif tag == "CN":
            current = Author(collective_name=value)
            authors.append(current)
            awaiting = None
        elif tag == "AUID" and current is not None and value.startswith("ORCID:"):
            current.orcid = orcid(value) or current.orcid
        elif tag == "AD":
            if current is not None:
                current.affiliations.append(value)
            elif not authors:
                leading.append(value)
    if leading and authors:
        authors[0].affiliations[:0] = leading
    return authors, editors


def _from_full_name(value: str) -> Author:
    last, _, fore = value.partition(",")
    return Author(last_name=last.strip(), fore_name=fore.strip() or None)


def _add_short_name(author: Author, value: str) -> None:
    """Take initials and suffix from AU ("Rider SD Jr") into the author FAU started."""
    last = author.last_name or ""
    tail = value[len(last):].split() if value.startswith(last + " ") else value.split()[1:]
    if not tail:
        return
    author.initials = tail[0]
    if len(tail) > 1:
        author.suffix = tail[-1]
        fore = author.fore_name or ""
        if fore == author.suffix:
            author.fore_name = None
        elif fore.endswith(" " + author.suffix):
            author.fore_name = fore[: -len(author.suffix) - 1]


def _from_short_name(value: str) -> Author:
    """An author known only by AU, as in records from before 2002: "Last FI Suffix"."""
    tokens = value.split()
    suffix = tokens.pop() if len(tokens) > 2 and tokens[-1] in _SUFFIXES else None
    initials = None
    if len(tokens) > 1 and tokens[-1].isalpha() and tokens[-1].isupper():
        initials = tokens.pop()
    return Author(last_name=" ".join(tokens), initials=initials, suffix=suffix)


def _journal(record: _Record) -> Journal | None:
    issn = issn_type = linking = None
    for value in record.values("IS"):
        number, _, kind = value.partition(" ")
        kind = kind.strip("() ") or None
        if kind == "Linking":
            linking = linking or number
        elif issn is None:
            issn, issn_type = number, kind
    journal = Journal(
        title=record.first("JT"),
        medline_ta=record.first("TA"),
        nlm_id=record.first("JID"),
        issn=issn,
        issn_type=issn_type,
        issn_linking=linking,
    )
    return journal if journal != Journal() else None


def _book(record: _Record, editors: list[Author], volume: str | None) -> Book:
    title = record.first("BTI")
    collection = record.first("CTI")
    return Book(
        title=escape(title) if title else None,
        publisher=record.first("PB"),
        publisher_location=record.first("PL"),
        isbns=record.values("ISBN"),
        editors=editors,
        collection_title=escape(collection) if collection else None,
        volume=volume,
    )


def _pub_date(value: str | None) -> PubDate:
    """DP as the PubDate parts PubMed XML gives; a range or odd text stays a MedlineDate."""
    if not value:
        return PubDate()
    parts = value.split()
    year = parts[0] if len(parts[0]) == 4 and parts[0].isdigit() else None
    if year and len(parts) == 1:
        return PubDate(year=year)
    if year and len(parts) == 2 and parts[1] in MONTHS:
        return PubDate(year=year, month=parts[1])
    if year and len(parts) == 3 and parts[1] in MONTHS and re.fullmatch(r"\d{1,2}", parts[2]):
        return PubDate(year=year, month=parts[1], day=parts[2].zfill(2))
    if year and len(parts) == 2 and _SEASON.fullmatch(parts[1]):
        return PubDate(year=year, season=parts[1])
    return PubDate(medline_date=value)


def _iso_date(value: str) -> str | None:
    """YYYYMMDD -> YYYY-MM-DD; anything else is not a date we can state."""
    if len(value) == 8 and value.isdigit():
        return f"{value[:4]}-{value[4:6]}-{value[6:]}"
    return None


def _pages(pagination: str | None) -> tuple[str | None, str | None]:
    """First and last page of the first range, expanding MEDLINE's "616-7" to 617."""
    if not pagination:
        return None, None
    first = re.split(r"[,;]", pagination, maxsplit=1)[0].strip()
    match = _PAGE_RANGE.fullmatch(first)
    if match:
        lead, start, trail, end_lead, end, end_trail = match.groups()
        if len(end) < len(start) and not end_lead:
            end = start[: len(start) - len(end)] + end
        return f"{lead}{start}{trail}", f"{end_lead or lead}{end}{end_trail}"
    start, dash, end = first.partition("-")
    return start.strip() or None, (end.strip() or None) if dash else None


def _typed_id(value: str) -> tuple[str | None, str]:
    """ "10.1/x [doi]" -> ("doi", "10.1/x"); an untyped DOI is still recognised as one."""
    match = re.fullmatch(r"(.*?)\s*\[([\w-]+)\]", value)
    if match:
        return match.group(2), match.group(1)
    return ("doi", value) if value.startswith("10.") else (None, value)


def _article_ids(record: _Record, pmid: str) -> dict[str, str]:
    """The ids PubMed XML lists in ArticleIdList: the PMID itself, AID lines, PMC and MID."""
    ids = {"pubmed": pmid}
    for kind, value in map(_typed_id, record.values("AID")):
        if kind:
            ids.setdefault(kind, value)
    for tag, kind in (("PMC", "pmc"), ("MID", "mid")):
        value = record.first(tag)
        if value:
            ids.setdefault(kind, value)
    return ids


def _publication_type(value: str) -> str:
    if value.isupper():
        return _PUBLICATION_TYPES.get(value.casefold(), value)
    return value


def _mesh_heading(value: str) -> MeshHeading:
    """ "Sequence Alignment/*methods": a leading * marks the major topic, on either part."""
    descriptor, *qualifiers = (part.strip() for part in value.split("/"))
    return MeshHeading(
        descriptor=descriptor.lstrip("*"),
        major=descriptor.startswith("*"),
        qualifiers=[Qualifier(name.lstrip("*"), major=name.startswith("*")) for name in qualifiers],
    )


def _abstract(record: _Record) -> Abstract:
    copyright_ = record.first("CI")
    return Abstract(_abstract_sections(record.first("AB")),
                    escape(copyright_) if copyright_ else None)


def _abstract_sections(text: str | None) -> list[AbstractSection]:
    """Split "BACKGROUND: ... METHODS: ..." at its capitalised labels, as the XML has them.

    A label counts only at the start or right after a sentence end, so "95% CI: ..."
    stays text; text before the first label is the unlabelled section PubMed
    prints without a label.
    """
    if not text:
        return []
    labels = [m for m in _ABSTRACT_LABEL.finditer(text) if re.search(r"[A-Z]{2}", m.group(1))]
    if not labels:
        return [AbstractSection(escape(text))]
    opening = text[: labels[0].start()].strip()
    sections = [AbstractSection(escape(opening))] if opening else []
    for here, after in zip(labels, labels[1:] + [None]):
        body = text[here.end(): after.start() if after else len(text)].strip()
        sections.append(AbstractSection(escape(body), label=here.group(1)))
    return sections


def _corrections(fields: list[tuple[str, str]]) -> list[Correction]:
    """ "Source text. PMID: 12345" -> Correction(kind, "12345", "Source text.")."""
    corrections = []
    for tag, value in fields:
        kind = _CORRECTION_KINDS.get(tag)
        if kind is None:
            continue
        match = _CORRECTION.fullmatch(value)
        if match:
            corrections.append(Correction(kind, match.group(2), match.group(1) or None))
        else:
            corrections.append(Correction(kind, None, value or None))
    return corrections
