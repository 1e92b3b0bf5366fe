"""Properties over generated input (hypothesis), and a short fuzz of the parsers with mutated real files.

The parsers may refuse a damaged file, but only with `ParseError` (the
documented one-line error, exit 2); what they accept must be entries the
library can store: a real PMID and a JSON form that reads back the same.
"""

from __future__ import annotations

import dataclasses
import io
import re
import tempfile
import typing
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lmscite import model
from lmscite.citation import author_line, citation_line
from lmscite.curation.sentences import split
from lmscite.errors import ParseError
from lmscite.ids import (
    MAX_PMID_DIGITS,
    classify,
    field_pmid,
    normalise_pmid,
    parse_ids,
)
from lmscite.library.query import SORTS, sort_key
from lmscite.library.store import Library
from lmscite.pubmed.sources import iter_stream
from lmscite.render import FORMATS, ExportOptions, Page, renderer

DATA = Path(__file__).parent / "data"
XML_FILES = [DATA / "xml" / name for name in (
    "mp_38513076_inline_i_b_sub.xml", "bp_pubmed6_mathml_2018dtd.xml",
    "hawc_20301382_book_chapter_genereviews.xml", "mp_35649368_erratumin.xml")]
MEDLINE_FILES = [DATA / "medline" / "bp_pubmed_result2.txt"]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- ids ---------------------------------------------------------------------------------------

_PMID = st.integers(min_value=1, max_value=10**MAX_PMID_DIGITS - 1)
_IDISH = st.text(alphabet=st.sampled_from(list("0123456789 ,.:/-?=\t\ufeffPMIDpmidcCdoi10.htps")), max_size=40)


@FUZZ
@given(_PMID, st.integers(min_value=0, max_value=3),
       st.sampled_from(["{}", "PMID:{}", "PMID: {}", "pmid {}", " {}\n", "\ufeff{}",
                        "https://pubmed.ncbi.nlm.nih.gov/{}/", "pubmed.ncbi.nlm.nih.gov/{}",
                        "https://www.ncbi.nlm.nih.gov/pubmed/{}", "https://pubmed.ncbi.nlm.nih.gov/?term={}"]))
def test_every_way_of_writing_a_pmid_reads_as_that_pmid(pmid: int, zeros: int, form: str) -> None:
    assert normalise_pmid(form.format("0" * zeros + str(pmid))) == str(pmid)
    assert classify(form.format(pmid)) == ("pmid", str(pmid))


@FUZZ
@given(st.one_of(st.text(), _IDISH))
def test_the_id_parser_returns_a_pmid_or_none_for_any_text(text: str) -> None:
    pmid = normalise_pmid(text)
    assert pmid is None or (pmid.isascii() and pmid.isdigit() and pmid[0] != "0"
                            and len(pmid) <= MAX_PMID_DIGITS)
    assert pmid is None or normalise_pmid(pmid) == pmid
    kind, value = classify(text)
    assert kind in ("pmid", "doi", "pmcid", "invalid")
    assert kind != "pmid" or value == pmid
    strict = field_pmid(text)
    assert strict is None or strict == pmid


@FUZZ
@given(st.lists(st.one_of(st.text(), _IDISH), max_size=8))
def test_id_lines_split_into_tokens_without_blanks_whatever_they_hold(lines: list[str]) -> None:
    for token, kind, value in parse_ids(lines):
        assert token and token == token.strip() and "," not in token
        assert (kind, value) == classify(token)


# --- sentences ---------------------------------------------------------------------------------

_PROSE = st.text(alphabet=st.sampled_from(list("aZe Pn.!?()[]\"'05\n\u2026 vsNo.i.v. EGcoli")), max_size=160)


@FUZZ
@given(st.one_of(st.text(), _PROSE))
def test_split_keeps_every_word_and_returns_trimmed_sentences(text: str) -> None:
    found = split(text)
    assert " ".join(found) == " ".join(text.split())
    assert all(s and s == s.strip() and " ".join(s.split()) == s for s in found)


@FUZZ
@given(st.one_of(st.text(), _PROSE))
def test_each_sentence_split_again_is_one_sentence(text: str) -> None:
    """Sentence numbers are what curators quote: a sentence must not fall apart when seen alone."""
    for sentence in split(text):
        assert split(sentence) == [sentence]


# --- the citation line -------------------------------------------------------------------------

_PART = st.one_of(st.none(), st.text(max_size=12))


@FUZZ
@given(st.builds(model.Entry, pmid=st.just("1"), kind=st.sampled_from(["article", "book"]),
                 title=st.text(max_size=20), volume=_PART, issue=_PART, pagination=_PART,
                 start_page=_PART, end_page=_PART, article_dates=st.lists(st.text(max_size=12), max_size=2),
                 journal=st.one_of(st.none(), st.builds(model.Journal, title=_PART, medline_ta=_PART,
                                                        iso_abbreviation=_PART)),
                 pub_date=st.builds(model.PubDate, year=_PART, month=_PART, day=_PART, season=_PART,
                                    medline_date=_PART),
                 elocations=st.lists(st.builds(model.ELocation, kind=st.sampled_from(["doi", "pii"]),
                                               value=st.text(max_size=12)), max_size=2),
                 authors=st.lists(st.builds(model.Author, last_name=_PART, fore_name=_PART, initials=_PART,
                                            collective_name=_PART), max_size=3),
                 book=st.one_of(st.none(), st.builds(model.Book, title=_PART, publisher=_PART,
                                                     publisher_location=_PART)),
                 provenance=st.builds(model.Provenance, publication_status=_PART)))
def test_the_citation_line_is_one_trimmed_line_for_any_record(entry: model.Entry) -> None:
    line = citation_line(entry)
    assert line == line.strip() and not re.search(r"[\n\r\t]|\s{2}", line)
    authors = author_line(entry, max_authors=2)
    assert "\n" not in authors and authors == authors.strip()


# --- the Entry JSON round trip -----------------------------------------------------------------

_TEXT = st.text(max_size=15)
_INT = st.integers(min_value=-(2**53), max_value=2**53)
_LEAVES = {str: _TEXT, int: _INT, bool: st.booleans()}


def _strategy(hint: object) -> st.SearchStrategy:
    """Values of a model type hint: dataclasses field by field, recursively."""
    if dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint)
        return st.builds(hint, **{f.name: _strategy(hints[f.name]) for f in dataclasses.fields(hint)})
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is list:
        return st.lists(_strategy(args[0]), max_size=2)
    if origin is dict:
        return st.dictionaries(_strategy(args[0]), _strategy(args[1]), max_size=2)
    if type(None) in args:
        (inner,) = [a for a in args if a is not type(None)]
        return st.one_of(st.none(), _strategy(inner))
    return _LEAVES[hint]


def _entries() -> st.SearchStrategy:
    return st.builds(lambda entry, pmid: dataclasses.replace(entry, pmid=str(pmid)),
                     _strategy(model.Entry), _PMID)


@FUZZ
@given(_entries())
def test_an_entry_reads_back_from_its_json_unchanged(entry: model.Entry) -> None:
    assert model.Entry.from_dict(orjson.loads(orjson.dumps(entry.to_dict()))) == entry


@settings(max_examples=60, deadline=None)
@given(st.lists(_entries(), min_size=1, max_size=4, unique_by=lambda e: e.pmid))
def test_entries_read_back_from_the_library_file_unchanged(entries: list[model.Entry]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        library = Library(Path(folder) / "library.json")
        with library.transaction() as view:
            view.add(entries)
        view = library.snapshot()
        assert [view.get(e.pmid) for e in entries] == entries


# --- mutated real files ------------------------------------------------------------------------


_HOT = [b"<PMID", b"<Year>", b"<Month>", b"<Day>", b"<MedlineDate>", b"<ArticleTitle>", b"<AbstractText",
        b"<LastName>", b"<MedlinePgn>", b"PMID- ", b"DP  - ", b"TI  - ", b"AU  - ", b"PG  - ", b"\n      "]
"""Places where a damaged value reaches the most code: ids, dates, titles, names, pages."""
_ODD = [b"<", b">", b"&", b"&amp;", b"]]>", b"<!--", b"\x00", b"\xff", b"\n      ", b"\n\n", b"PMID- 1\n",
        b"<i>", b"</i>", b"<PMID>", b"</PubmedArticle>", b"x", b"-", b"0", b" ",
        "\u00b9".encode(), "\u0663".encode(), "\u2166".encode()]
"""Bytes that break structure, and Unicode digits and numerals (`¹` passes `str.isdigit`, `int` refuses it)."""


def _position(data: bytes, draw) -> int:
    """Anywhere, or just inside one of the hot spots (a uniform pick rarely lands in a PMID)."""
    marker = draw(st.sampled_from([None, *_HOT]))
    starts = [m.end() for m in re.finditer(re.escape(marker), data)] if marker else []
    if not starts:
        return draw(st.integers(min_value=0, max_value=max(0, len(data) - 1)))
    return min(len(data) - 1, draw(st.sampled_from(starts)) + draw(st.integers(min_value=0, max_value=12)))


def _mutate(data: bytes, draw) -> bytes:
    kind = draw(st.sampled_from(["flip", "truncate", "duplicate", "delete", "insert"])) if data else "insert"
    at = _position(data, draw)
    if kind == "flip":
        return data[:at] + bytes([data[at] ^ draw(st.integers(min_value=1, max_value=255))]) + data[at + 1:]
    if kind == "truncate":
        return data[:at]
    length = draw(st.integers(min_value=1, max_value=400))
    if kind == "duplicate":
        return data[:at + length] + data[at:at + length] + data[at + length:]
    if kind == "delete":
        return data[:at] + data[at + length:]
    return data[:at] + draw(st.sampled_from(_ODD)) + data[at:]


@st.composite
def _mutated(draw, files: list[Path]) -> bytes:
    data = files[draw(st.integers(min_value=0, max_value=len(files) - 1))].read_bytes()
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        data = _mutate(data, draw)
    return data


def _read(data: bytes) -> list[model.Entry]:
    """What `lmscite import` would store, or the ParseError it would report."""
    return list(iter_stream(io.BytesIO(data), "fuzzed"))


def _assert_storable_and_exportable(entries: list[model.Entry]) -> None:
    """What was read can be stored, listed in every order and exported in every format."""
    for entry in entries:
        assert normalise_pmid(entry.pmid) == entry.pmid
        assert model.Entry.from_dict(orjson.loads(orjson.dumps(entry.to_dict()))) == entry
    rows = [entry.to_dict() for entry in entries]
    for order in SORTS:
        sorted(rows, key=sort_key(order))
    for entry in entries:
        citation_line(entry)
    for fmt in FORMATS:
        renderer(fmt)(entries, ExportOptions(format=fmt, page=Page(generated="2025-01-01")))


@pytest.mark.parametrize("files", [XML_FILES, MEDLINE_FILES], ids=["pubmed-xml", "medline"])
def test_mutated_real_files_are_read_or_refused_with_a_parse_error(files: list[Path]) -> None:
    @FUZZ
    @given(_mutated(files))
    def check(data: bytes) -> None:
        try:
            entries = _read(data)
        except ParseError as exc:
            assert str(exc).startswith("fuzzed") and "\n" not in str(exc).strip()
            return
        _assert_storable_and_exportable(entries)

    check()
