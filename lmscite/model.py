"""The record model: one PubMed record plus the curator's work on it.

Entries are plain dataclasses so that parsing 10,000 records stays cheap and the
JSON form is exactly the field list below (documented in docs/schema.md).
Text fields that PubMed marks up (titles, abstract sections) hold an XML
fragment with the inline tags kept (`<i>`, `<sup>`, MathML, ...) and the
characters `& < >` escaped; `lmscite.markup` turns them into plain text, HTML
or Markdown.  `Entry.from_dict(entry.to_dict()) == entry` for every entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

SCHEMA = 1
"""Version of the stored Entry layout; bumped on any incompatible change."""

CORRECTION_KINDS = (
    "RetractionIn",
    "RetractionOf",
    "PartialRetractionIn",
    "PartialRetractionOf",
    "ErratumIn",
    "ErratumFor",
    "ExpressionOfConcernIn",
    "ExpressionOfConcernFor",
    "UpdateIn",
    "UpdateOf",
    "CommentIn",
    "CommentOn",
    "RepublishedIn",
    "RepublishedFrom",
    "ReprintIn",
    "ReprintOf",
    "SummaryForPatientsIn",
    "OriginalReportIn",
)
"""CommentsCorrections RefTypes kept on an entry (reference lists, "Cites", are not)."""


@dataclass
class Author:
    """A person or a collective; collectives have only `collective_name`."""

    last_name: str | None = None
    fore_name: str | None = None
    initials: str | None = None
    suffix: str | None = None
    collective_name: str | None = None
    orcid: str | None = None
    affiliations: list[str] = field(default_factory=list)
    valid: bool = True


@dataclass
class Journal:
    title: str | None = None
    iso_abbreviation: str | None = None
    medline_ta: str | None = None
    nlm_id: str | None = None
    issn: str | None = None
    issn_type: str | None = None
    issn_linking: str | None = None


@dataclass
class PubDate:
    """The date exactly as PubMed gives it: parts, or a free-text MedlineDate."""

    year: str | None = None
    month: str | None = None
    day: str | None = None
    season: str | None = None
    medline_date: str | None = None


@dataclass
class ELocation:
    kind: str
    value: str
    valid: bool = True


@dataclass
class Qualifier:
    name: str
    major: bool = False
    ui: str | None = None


@dataclass
class MeshHeading:
    descriptor: str
    major: bool = False
    ui: str | None = None
    qualifiers: list[Qualifier] = field(default_factory=list)


@dataclass
class AbstractSection:
    text: str
    label: str | None = None
    category: str | None = None


@dataclass
class Abstract:
    sections: list[AbstractSection] = field(default_factory=list)
    copyright: str | None = None


@dataclass
class Correction:
    """A CommentsCorrections link: `kind` is PubMed's RefType, e.g. RetractionIn."""

    kind: str
    pmid: str | None = None
    source: str | None = None


@dataclass
class Book:
    """What a PubmedBookArticle adds: the book a chapter (or whole book) belongs to."""

    title: str | None = None
    publisher: str | None = None
    publisher_location: str | None = None
    isbns: list[str] = field(default_factory=list)
    editors: list[Author] = field(default_factory=list)
    collection_title: str | None = None
    volume: str | None = None
    edition: str | None = None
    medium: str | None = None
    location_label: str | None = None
    beginning_date: PubDate | None = None
    ending_date: PubDate | None = None


@dataclass
class Passage:
    """A run of consecutive abstract sentences, numbered from 1, with the text quoted.

    The text is kept so that a later change of the abstract is detected, not
    silently requoted.  Skipped text shows as "..." wherever sentences were
    left out; `elide_before`/`elide_after` force the mark where the curator
    trimmed text that the stored abstract does not show (as on pages rebuilt
    from a shortened abstract).
    """

    start: int
    end: int
    text: str
    elide_before: bool = False
    elide_after: bool = False


@dataclass
class Gloss:
    """An inline editorial note placed right after `phrase` inside the excerpt."""

    phrase: str
    note: str


@dataclass
class Curation:
    excerpt: list[Passage] = field(default_factory=list)
    glosses: list[Gloss] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    section: str | None = None
    order: int | None = None
    created: str | None = None
    updated: str | None = None
    flags: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.excerpt or self.glosses or self.notes or self.tags or self.section
                    or self.order is not None)


@dataclass
class Provenance:
    """Where the PubMed part came from; `origin` never carries credentials."""

    source: str = "file"
    origin: str | None = None
    retrieved: str | None = None
    revised: str | None = None
    status: str | None = None
    publication_status: str | None = None


@dataclass
class Entry:
    pmid: str
    kind: str = "article"
    title: str = ""
    vernacular_title: str | None = None
    authors: list[Author] = field(default_factory=list)
    journal: Journal | None = None
    pub_date: PubDate = field(default_factory=PubDate)
    article_dates: list[str] = field(default_factory=list)
    volume: str | None = None
    issue: str | None = None
    pagination: str | None = None
    start_page: str | None = None
    end_page: str | None = None
    elocations: list[ELocation] = field(default_factory=list)
    article_ids: dict[str, str] = field(default_factory=dict)
    languages: list[str] = field(default_factory=list)
    publication_types: list[str] = field(default_factory=list)
    mesh: list[MeshHeading] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    abstract: Abstract = field(default_factory=Abstract)
    corrections: list[Correction] = field(default_factory=list)
    book: Book | None = None
    curation: Curation = field(default_factory=Curation)
    provenance: Provenance = field(default_factory=Provenance)

    @property
    def doi(self) -> str | None:
        if "doi" in self.article_ids:
            return self.article_ids["doi"]
        return next((e.value for e in self.elocations if e.kind == "doi" and e.valid), None)

    @property
    def pmcid(self) -> str | None:
        return self.article_ids.get("pmc")

    @property
    def year(self) -> str | None:
        """The publication year, also out of a MedlineDate such as "1998 Dec-1999 Jan"."""
        if self.pub_date.year:
            return self.pub_date.year
        raw = self.pub_date.medline_date or ""
        return next((tok[:4] for tok in raw.split() if tok[:4].isdigit()), None)

    def to_dict(self) -> dict[str, Any]:
        """The stored JSON form: every field, `None` and empty values dropped."""
        return _dump(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entry:
        return _build(cls, data)

    def pubmed_equal(self, other: Entry) -> bool:
        """True when the PubMed part is the same, whatever the curation and provenance."""
        mine, theirs = self.to_dict(), other.to_dict()
        for key in ("curation", "provenance"):
            mine.pop(key, None)
            theirs.pop(key, None)
        return mine == theirs


def _dump(value: Any) -> Any:
    """JSON of a dataclass tree; hand-written because `dataclasses.asdict` deep-copies (10x slower)."""
    out = {}
    for name in _NAMES[type(value)]:
        item = getattr(value, name)
        kind = type(item)
        if kind is str or kind is int or kind is bool:
            out[name] = item
        elif item is None or not item and (kind is list or kind is dict):
            continue
        elif kind is list:
            out[name] = [x if type(x) is str else _dump(x) for x in item]
        elif kind is dict:
            out[name] = dict(item)
        else:
            out[name] = _dump(item)
    return out


_NESTED: dict[type, dict[str, tuple[type, bool]]] = {}


def _nested(cls: type) -> dict[str, tuple[type, bool]]:
    """Fields of `cls` that hold another dataclass (or a list of them), resolved once."""
    if cls not in _NESTED:
        nested: dict[str, tuple[type, bool]] = {}
        for f in fields(cls):
            hint = str(f.type)
            for name, klass in _DATACLASSES.items():
                if hint in (name, f"{name} | None"):
                    nested[f.name] = (klass, False)
                elif hint == f"list[{name}]":
                    nested[f.name] = (klass, True)
        _NESTED[cls] = nested
    return _NESTED[cls]


def _build(cls: type, data: dict[str, Any]) -> Any:
    nested = _nested(cls)
    if not nested:
        return cls(**data)
    kwargs = dict(data)
    for key, (klass, many) in nested.items():
        value = kwargs.get(key)
        if value is not None:
            kwargs[key] = [_build(klass, item) for item in value] if many else _build(klass, value)
    return cls(**kwargs)


_DATACLASSES: dict[str, type] = {
    klass.__name__: klass
    for klass in (Author, Journal, PubDate, ELocation, Qualifier, MeshHeading, AbstractSection,
                  Abstract, Correction, Book, Passage, Gloss, Curation, Provenance, Entry)
}
_NAMES: dict[type, tuple[str, ...]] = {
    klass: tuple(f.name for f in fields(klass)) for klass in _DATACLASSES.values()
}
