"""Reading a file whatever shape and encoding it comes in: real records, saved the ways tools save them.

Each case is a real fixture re-encoded or re-wrapped in the test, and is read
to the same entries as the fixture itself.
"""

from __future__ import annotations

import gc
import io
import re
import warnings
from pathlib import Path

import pytest

from lmscite.errors import ParseError
from lmscite.pubmed.sources import iter_stream, read_file

DATA = Path(__file__).parent / "data"
TWO = DATA / "xml" / "bp_pubmed2_two_articles.xml"
BOOK = DATA / "xml" / "hawc_26468569_book_collective_editors.xml"
MEDLINE = DATA / "medline" / "bp_pubmed_result2.txt"
XML_PMIDS = ["11748933", "11700088"]
MEDLINE_PMIDS = ["16403221", "16377612", "14871861", "14630660"]
ENCODINGS = ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]


def _pmids(body: bytes) -> list[str]:
    return [entry.pmid for entry in iter_stream(io.BytesIO(body), "saved.xml")]


def _declared(encoding: str) -> bytes:
    """The two-article fixture, its declaration naming the encoding, encoded in it."""
    name = encoding.upper().removesuffix("-SIG").removesuffix("-LE").removesuffix("-BE")
    text = TWO.read_text(encoding="utf-8").replace('<?xml version="1.0" ?>',
                                                   f'<?xml version="1.0" encoding="{name}"?>', 1)
    return text.encode(encoding)


def _record_of(path: Path, tag: str) -> bytes:
    """The first record of a fixture as a file of its own, with no PubmedArticleSet around it."""
    body = path.read_bytes()
    start = body.index(f"<{tag}>".encode())
    end = body.index(f"</{tag}>".encode()) + len(tag) + 3
    return b'<?xml version="1.0"?>\n' + body[start:end]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_xml_in_any_unicode_encoding_reads_as_its_utf8_original(encoding):
    assert _pmids(_declared(encoding)) == XML_PMIDS


def test_xml_declaring_a_legacy_encoding_is_read_in_it():
    original = DATA / "xml" / "hawc_23878845_16080930_medlinedate_2020.xml"
    text = original.read_text(encoding="utf-8")
    assert "é" in text and "α" in text
    declared = re.sub(r"^<\?xml[^>]*\?>", '<?xml version="1.0" encoding="ISO-8859-1"?>', text)
    body = declared.encode("latin-1", errors="xmlcharrefreplace")
    assert [e.to_dict() for e in iter_stream(io.BytesIO(body), "x.xml")] == [
        e.to_dict() for e in iter_stream(io.BytesIO(original.read_bytes()), "x.xml")]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_medline_text_in_any_unicode_encoding_reads_as_its_utf8_original(encoding):
    original = [e.pmid for e in read_file(MEDLINE)]
    assert _pmids(MEDLINE.read_text(encoding="utf-8").encode(encoding)) == original == MEDLINE_PMIDS


def test_utf16_medline_text_keeps_its_non_ascii_characters(tmp_path):
    path = tmp_path / "saved.nbib"
    path.write_text(MEDLINE.read_text(encoding="utf-8"), encoding="utf-16")
    assert [e.to_dict() for e in read_file(path)] == [
        {**e.to_dict(), "provenance": {**e.to_dict()["provenance"], "origin": str(path)}}
        for e in read_file(MEDLINE)]


def test_a_bare_pubmedarticle_root_is_one_record():
    assert _pmids(_record_of(TWO, "PubmedArticle")) == ["11748933"]


def test_a_bare_pubmedbookarticle_root_is_one_book():
    (entry,) = iter_stream(io.BytesIO(_record_of(BOOK, "PubmedBookArticle")), "book.xml")
    assert (entry.pmid, entry.kind) == ("26468569", "book")


def test_an_article_set_inside_a_wrapper_element_is_read():
    body = TWO.read_bytes().replace(b"<PubmedArticleSet>", b"<eFetchResult><PubmedArticleSet>")
    body = body.replace(b"</PubmedArticleSet>", b"</PubmedArticleSet></eFetchResult>")
    assert _pmids(body) == XML_PMIDS


def test_a_record_inside_some_other_element_is_refused():
    record = _record_of(TWO, "PubmedArticle").replace(b"<PubmedArticle>", b"<Notes><PubmedArticle>")
    with pytest.raises(ParseError, match=r"saved\.xml: line \d+: <PubmedArticle> inside <Notes>"):
        _pmids(record + b"</Notes>")


def test_deep_nesting_is_named_in_the_users_terms_not_libxml2s():
    body = b"<PubmedArticleSet>" + b"<a>" * 300 + b"</a>" * 300 + b"</PubmedArticleSet>"
    with pytest.raises(ParseError) as caught:
        _pmids(body)
    message = str(caught.value)
    assert "nested more than 256 deep" in message and "not PubMed XML" in message
    assert "XML_PARSE_HUGE" not in message


def test_a_text_longer_than_the_reader_allows_is_named_in_the_users_terms():
    record = _record_of(TWO, "PubmedArticle")
    body = record.replace(b"<ArticleTitle>", b"<ArticleTitle>" + b"x" * (11 * 1024 * 1024), 1)
    with pytest.raises(ParseError, match="more than 10 MB in one element") as caught:
        _pmids(body)
    assert "XML_PARSE_HUGE" not in str(caught.value)


def test_reading_a_medline_file_leaves_no_file_unclosed():
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        assert [e.pmid for e in read_file(MEDLINE)] == MEDLINE_PMIDS
        gc.collect()
    assert [str(w.message) for w in seen if issubclass(w.category, ResourceWarning)] == []
