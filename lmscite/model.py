"""The record model: one PubMed record plus the curator's work on it.

Entries are plain dataclasses so that parsing 10,000 records stays cheap and the
JSON form is exactly the field list below (documented in docs/schema.md).
Text fields that PubMed marks up (titles, abstract sections) hold an XML
fragment with the inline tags kept (`<i>`, `<sup>`, MathML, ...) and the
characters `& < >` escaped; `lmscite.markup` turns them into plain text, HTML
or Markdown.  `Entry.from_dict(entry.to_dict()) == entry` for every entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from lmscite.errors import StoreError

SCHEMA = 2
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


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
"""Months as PubMed abbreviates them."""
_MONTH_KEYS = {name.lower(): number for number, name in enumerate(MONTHS, start=1)}


def month_number(month: str | None) -> int | None:
    """1-12 from a month as PubMed writes it (`Apr`, `04`, now and then `April`), else None."""
    if not month:
        return None
    month = month.strip()
    if month.isdecimal():
        number = int(month)
        return number if 1 <= number <= 12 else None
    return _MONTH_KEYS.get(month[:3].lower())


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
class Piece:
    """One piece of an excerpt, in the order the page shows them (see `lmscite.curation.written`).

    kind "quote": the abstract's own words `text` (its plain text, exact),
    anchored by `prefix` and `suffix` (context) and the offsets `start`-`end`
    in the abstract's plain text, as a W3C TextQuoteSelector with a
    TextPositionSelector; "gap": text left out, shown as `text` ("...");
    "insert": an editorial insertion shown as "[text]"; "gloss": an editor's
    note shown as "[text Ed.]"; "break": a paragraph break; "literal": text
    that is not in the abstract, kept as written on purpose.  `glued` is
    True when the piece follows the one before it with no space between, as
    the curator wrote it ("group.[no significant ...").
    """

    kind: str
    text: str = ""
    prefix: str | None = None
    suffix: str | None = None
    start: int | None = None
    end: int | None = None
    glued: bool | None = None


@dataclass
class Curation:
    excerpt: list[Piece] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    section: str | None = None
    order: int | None = None
    created: str | None = None
    updated: str | None = None
    flags: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.excerpt or self.notes or self.tags or self.section
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
        """The entry from its stored JSON; a StoreError when that JSON is not an entry's.

        The library checks each entry's JSON when it decodes it
        (`stored_problem`); JSON from anywhere else is checked here, by the
        build itself, and named by the same check when the build fails.
        """
        try:
            return _build(cls, data)
        except (TypeError, AttributeError, KeyError, ValueError) as exc:
            pmid = data.get("pmid") if isinstance(data, dict) else None
            problem = stored_problem(data) or str(exc)
            raise StoreError(f"the library holds a damaged entry (PMID {pmid}): {problem}; "
                             "fix or remove it in the library file") from None

    def pubmed_equal(self, other: Entry) -> bool:
        """True when the PubMed part is the same, whatever the curation and provenance."""
        mine, theirs = self.to_dict(), other.to_dict()
        for key in ("curation", "provenance"):
            mine.pop(key, None)
            theirs.pop(key, None)
        return mine == theirs


def _dump(value: Any) -> Any:
    """JSON of any dataclass of this module."""
    return _DUMPERS[type(value)](value)


def _build(cls: type, data: dict[str, Any]) -> Any:
    return _BUILDERS[cls](data)


# The converters are generated once per dataclass from its field types, as
# `dataclasses` generates `__init__`.  What runs for `Qualifier` is
#
#     def dump_Qualifier(value):          def build_Qualifier(data):
#         out = {}                            return Qualifier(**data)
#         item = value.name
#         if item is not None:
#             out['name'] = item
#         item = value.major
#         if item is not None:
#             out['major'] = item
#         item = value.ui
#         if item is not None:
#             out['ui'] = item
#         return out
#
# and the classes with nested parts build those first.  Why generated code:
# a straight run of attribute reads has no loop and no dispatch on the
# field's kind, and converting 10,000 entries is on the path of every import,
# fetch and export.  The same converters as closures walking the fields
# (measured on the 10,000-entry benchmark library, CPU time, 2 cores under
# load): to_dict 457 ms against 298 ms generated (1.5x), from_dict 403 ms
# against 311 ms (1.3x).  `dataclasses.asdict` would also deep-copy (10x
# slower) and keep the `None`s.  The generated source is registered with
# `linecache`, so tracebacks and debuggers show its lines, and
# `_CONVERTER_SOURCE` holds it whole for reading.

_DATACLASSES: dict[str, type] = {
    klass.__name__: klass
    for klass in (Author, Journal, PubDate, ELocation, Qualifier, MeshHeading, AbstractSection,
                  Abstract, Correction, Book, Piece, Curation, Provenance, Entry)
}
_SCALARS = ("str", "int", "bool")


def _field_kind(hint: str) -> tuple[str, str | None]:
    """("scalar" | "strings" | "mapping" | "one" | "many", nested class name) of a field's type."""
    base = hint.removesuffix(" | None")
    if base in _SCALARS:
        return "scalar", None
    if base == "list[str]":
        return "strings", None
    if base.startswith("dict["):
        return "mapping", None
    if base in _DATACLASSES:
        return "one", base
    if base.startswith("list[") and base[5:-1] in _DATACLASSES:
        return "many", base[5:-1]
    raise TypeError(f"no JSON conversion for a field of type {hint}")


def _dumper_source(cls: type) -> str:
    """`to_dict` for one class: every field, `None` and empty lists and dicts left out."""
    lines = [f"def dump_{cls.__name__}(value):", "    out = {}"]
    for f in fields(cls):
        kind, nested = _field_kind(str(f.type))
        lines.append(f"    item = value.{f.name}")
        if kind == "scalar":
            lines += ["    if item is not None:", f"        out[{f.name!r}] = item"]
        elif kind == "strings":
            lines += ["    if item:", f"        out[{f.name!r}] = list(item)"]
        elif kind == "mapping":
            lines += ["    if item:", f"        out[{f.name!r}] = dict(item)"]
        elif kind == "one":
            lines += ["    if item is not None:", f"        out[{f.name!r}] = dump_{nested}(item)"]
        else:
            lines += ["    if item:", f"        out[{f.name!r}] = [dump_{nested}(x) for x in item]"]
    lines.append("    return out")
    return "\n".join(lines)


def _builder_source(cls: type) -> str:
    """`from_dict` for one class: nested parts built first; an unknown key is a TypeError."""
    name = cls.__name__
    nested = [(f.name, *_field_kind(str(f.type))) for f in fields(cls)]
    nested = [(field_name, kind, inner) for field_name, kind, inner in nested if kind in ("one", "many")]
    if not nested:
        return f"def build_{name}(data):\n    return {name}(**data)"
    lines = [f"def build_{name}(data):", "    kwargs = dict(data)"]
    for field_name, kind, inner in nested:
        lines += [f"    value = kwargs.get({field_name!r})", "    if value is not None:"]
        if kind == "one":
            lines.append(f"        kwargs[{field_name!r}] = build_{inner}(value)")
        else:
            lines.append(f"        kwargs[{field_name!r}] = [build_{inner}(item) for item in value]")
    lines.append(f"    return {name}(**kwargs)")
    return "\n".join(lines)


_CONVERTER_SOURCE = "\n\n".join(part(cls) for cls in _DATACLASSES.values()
                                for part in (_dumper_source, _builder_source)) + "\n"
_CONVERTER_FILE = "<lmscite.model converters>"


def _converters() -> tuple[dict[type, Any], dict[type, Any]]:
    import linecache

    namespace: dict[str, Any] = dict(_DATACLASSES)
    exec(compile(_CONVERTER_SOURCE, _CONVERTER_FILE, "exec"), namespace)  # noqa: S102 - our own source
    linecache.cache[_CONVERTER_FILE] = (len(_CONVERTER_SOURCE), None, _CONVERTER_SOURCE.splitlines(True),
                                        _CONVERTER_FILE)
    dumpers = {cls: namespace[f"dump_{name}"] for name, cls in _DATACLASSES.items()}
    builders = {cls: namespace[f"build_{name}"] for name, cls in _DATACLASSES.items()}
    return dumpers, builders


_DUMPERS, _BUILDERS = _converters()


# --- checking stored JSON -----------------------------------------------------
# A hand-edited library can hold any JSON, and a `title` that is a number
# crashes whatever reads it later.  Each stored entry is checked once, when
# it is first decoded, so that readers of the stored JSON (filters, stats)
# and `from_dict` can trust its types.  That is on the path of every command
# that reads the library, so the fast check (`_checker`) answers only yes or
# no, and only a part that fails is walked again, field by field
# (`_problem`), to say which field is wrong.


_NONE_FOUND = object()
_PYTHON = {"str": str, "int": int, "bool": bool}
_TEXTS = frozenset({str})


@dataclass(frozen=True)
class _Shape:
    """What one dataclass's stored JSON may hold, grouped for the fast check."""

    name: str
    keys: frozenset[str]
    required: tuple[str, ...]
    fields: dict[str, tuple[str, Any, bool]]
    """field name -> (kind, the Python type or nested class name, may be null)."""
    containers: tuple[tuple[str, str, Any], ...]
    """(field name, kind, nested class name) of the fields that hold lists or objects."""


def _shape(cls: type) -> _Shape:
    from dataclasses import MISSING

    kinds: dict[str, tuple[str, Any, bool]] = {}
    for f in fields(cls):
        hint = str(f.type)
        kind, nested = _field_kind(hint)
        nullable = hint.endswith(" | None")
        if kind == "scalar":
            kinds[f.name] = (kind, _PYTHON[hint.removesuffix(" | None")], nullable)
        else:
            kinds[f.name] = (kind, nested, nullable)
    required = tuple(f.name for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING)
    containers = tuple((name, kind, inner) for name, (kind, inner, _) in kinds.items() if kind != "scalar")
    return _Shape(cls.__name__, frozenset(kinds), required, kinds, containers)


def _checker(shape: _Shape) -> Callable[[Any], bool]:
    """True when `data` is `shape`'s JSON, nested parts included: the fast path of every decode.

    Stored parts of one kind share a few layouts (the same keys holding
    values of the same types), so a layout is looked at in Python once, the
    first time it is met, and remembered with the fields that still need a
    look inside (lists and objects); a part whose layout is known costs one
    tuple built by C-level `map` and one dict lookup, plus its nested parts.
    """
    known: dict[tuple[Any, ...], tuple[tuple[str, str, Any], ...]] = {}
    fields_inside = {name: (name, kind, inner) for name, kind, inner in shape.containers}

    def check(data: Any) -> bool:
        if type(data) is not dict:
            return False
        layout = (*data, *map(type, data.values()))
        inside = known.get(layout)
        if inside is None:
            keys, types = tuple(data), tuple(map(type, data.values()))
            if not _layout_sound(shape, keys, types):
                return False
            inside = tuple(fields_inside[name] for name, found in zip(keys, types)
                           if name in fields_inside and found is not type(None))
            if len(known) < _LAYOUTS_KEPT:
                known[layout] = inside
        for name, kind, inner in inside:
            value = data[name]
            if kind == "many":
                if not all(map(_CHECKS[inner], value)):
                    return False
            elif kind == "one":
                if not _CHECKS[inner](value):
                    return False
            elif not _TEXTS.issuperset(map(type, value if kind == "strings" else value.values())):
                return False
        return True

    return check


_LAYOUTS_KEPT = 4096
"""Layouts remembered per kind of part; past that a new layout is looked at each time it is met."""


def _layout_sound(shape: _Shape, keys: tuple[str, ...], types: tuple[type, ...]) -> bool:
    """Whether a part with these keys holding values of these types can be `shape`'s (nested parts aside)."""
    if not shape.keys.issuperset(keys) or not set(shape.required).issubset(keys):
        return False
    for name, found in zip(keys, types):
        kind, inner, nullable = shape.fields[name]
        expected = inner if kind == "scalar" else list if kind in ("strings", "many") else dict
        if found is not expected and not (found is type(None) and nullable):
            return False
    return True


def _what(value: Any) -> str:
    kind = {str: "text", bool: "true/false", int: "a whole number", float: "a number", list: "a list",
            dict: "an object", type(None): "null"}.get(type(value), type(value).__name__)
    shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
    return f"{shown} ({kind})" if kind not in ("a list", "an object") else kind


_EXPECTED = {str: "text", int: "a whole number", bool: "true or false"}


def _problem(shape: _Shape, data: Any, where: str) -> str | None:
    """Which field of `data` is wrong and how, as `where.field: ...`; the slow path, run only on failure."""
    if type(data) is not dict:
        return f"{where or 'the entry'} is {_what(data)}, not an object"
    prefix = f"{where}." if where else ""
    for name in data:
        if name not in shape.keys:
            return f"{prefix}{name} is not a field of {shape.name}"
    for name in shape.required:
        if name not in data:
            return f"{prefix}{name} is missing"
    for name, value in data.items():
        kind, inner, nullable = shape.fields[name]
        label = f"{prefix}{name}"
        if value is None and nullable:
            continue
        if kind == "scalar" and type(value) is not inner:
            return f"{label} is {_what(value)}, not {_EXPECTED[inner]}"
        if kind in ("strings", "many") and type(value) is not list:
            return f"{label} is {_what(value)}, not a list"
        if kind == "mapping" and type(value) is not dict:
            return f"{label} is {_what(value)}, not an object"
        if kind in ("strings", "mapping"):
            items = value if kind == "strings" else value.values()
            bad = next((item for item in items if type(item) is not str), _NONE_FOUND)
            if bad is not _NONE_FOUND:
                return f"{label} holds {_what(bad)}, not only text"
        if kind == "one":
            found = _problem(_SHAPES[inner], value, label)
            if found:
                return found
        if kind == "many":
            for index, item in enumerate(value):
                found = _problem(_SHAPES[inner], item, f"{label}[{index}]")
                if found:
                    return found
    return None


_SHAPES = {name: _shape(cls) for name, cls in _DATACLASSES.items()}
_CHECKS = {name: _checker(shape) for name, shape in _SHAPES.items()}


def stored_problem(data: Any) -> str | None:
    """What is wrong with an entry's stored JSON (`authors[2].last_name is 12 (...), not text`), or None."""
    if _CHECKS["Entry"](data):
        return None
    return _problem(_SHAPES["Entry"], data, "") or "it is not an entry"
