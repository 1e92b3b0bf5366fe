"""Hostile record and note text, end to end: imported from real PubMed XML, exported through the CLI.

The record is a real fixture edited with lxml, so the file stays valid XML
while its title, abstract, author names, affiliation, journal, keywords and
DOI carry script tags, event handlers, `javascript:` links, Markdown links
and raw HTML, both as escaped text and as real elements inside the marked-up
fields.  Pages are read the way a reader's software meets them: HTML through
html5lib, Markdown through markdown-it-py with raw HTML on (as GitHub-like
viewers render it) and, stricter still, with every link scheme allowed.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

import bibtexparser
import html5lib
import pytest
import rispy
from lxml import etree
from markdown_it import MarkdownIt

DATA = Path(__file__).parent / "data"
FIXTURE = DATA / "xml" / "mp_35649368_erratumin.xml"
PMID = "35649368"
NS = "{http://www.w3.org/1999/xhtml}"
HOSTILE = (
    '<script>alert("x")</script> <img src=x onerror="alert(1)"> '
    '<a href="javascript:alert(2)" onclick="alert(3)">link</a> [click](javascript:alert(4)) '
    '![pic](javascript:alert(5)) <svg onload=alert(6)> "><b onmouseover=alert(7)>'
)
BREAKOUT = '} , title = {pwned}, x = { @misc{injected, title={x}}\nER  - \nTY  - JOUR\n'
ELEMENTS = (
    '<script>alert("el")</script><i onclick="alert(8)">it</i>'
    '<a href="javascript:alert(9)">a</a><img src="x" onerror="alert(10)"/>'
    '<math href="javascript:alert(11)"><mi xlink:href="javascript:alert(12)" '
    'xmlns:xlink="http://www.w3.org/1999/xlink">x</mi></math>'
)
NOTE = HOSTILE + "\n\n<iframe src=javascript:alert(13)></iframe>\n\n[ok](https://example.org/)"


def hostile_xml(path: Path) -> Path:
    """The fixture with hostile text in every field a page or reference export shows."""
    tree = etree.parse(str(FIXTURE))
    article = tree.find(".//PubmedArticle")
    assert article is not None

    title = next(article.iter("ArticleTitle"))
    for child in list(title):
        title.remove(child)
    title.text = HOSTILE + BREAKOUT
    for element in etree.fromstring(f"<x>{ELEMENTS}</x>"):
        title.append(element)
    abstract = next(article.iter("AbstractText"))
    abstract.text = HOSTILE + " Results were clear. " + BREAKOUT
    for element in etree.fromstring(f"<x>{ELEMENTS}</x>"):
        abstract.append(element)
    for tag in ("LastName", "ForeName", "Affiliation", "Title", "ISOAbbreviation", "MedlineTA", "Keyword"):
        next(article.iter(tag)).text = f"{tag} {HOSTILE}{BREAKOUT}"
    for element in article.iter("ELocationID"):
        if element.get("EIdType") == "doi":
            element.text = '10.1000/x"><script>alert(14)</script>'
    for element in article.iter("ArticleId"):
        if element.get("IdType") == "doi":
            element.text = '10.1000/x"><script>alert(14)</script>'
    target = path / "hostile.xml"
    tree.write(str(target), encoding="UTF-8", xml_declaration=True)
    return target


@pytest.fixture
def hostile(run, tmp_path) -> None:
    imported = run("import", hostile_xml(tmp_path))
    assert imported.code == 0, imported.err
    annotated = run("annotate", PMID, "--note", NOTE, "--tag", HOSTILE, "--section", HOSTILE + BREAKOUT)
    assert annotated.code == 0, annotated.err
    assert run("page", "set", "intro", NOTE).code == 0


def exported(run, fmt: str) -> str:
    done = run("export", "--format", fmt, "--abstract", "full")
    assert done.code == 0, done.err
    return done.out


def assert_inert(doc: ElementTree.Element, shipped_scripts: int) -> None:
    scripts = list(doc.iter(f"{NS}script"))
    assert len(scripts) == shipped_scripts
    assert all("alert" not in (s.text or "") for s in scripts)
    for element in doc.iter():
        handlers = [name for name in element.attrib if name.lower().startswith("on")]
        assert not handlers, (element.tag, handlers)
        for name, value in element.attrib.items():
            assert not re.match(r"\s*(javascript|vbscript|data):", value, re.IGNORECASE), (element.tag, name)
    banned = ("img", "iframe", "svg", "object", "embed", "form", "base")
    assert not [e.tag for e in doc.iter() if str(e.tag).rsplit("}", 1)[-1] in banned]


def plain_page_scripts(run, tmp_path: Path) -> int:
    """How many scripts lmscite itself puts in a page (the filter box), from a harmless record."""
    other = tmp_path / "plain.json"
    assert run("--db", other, "import", FIXTURE).code == 0
    doc = html5lib.parse(run("--db", other, "export", "--format", "html").out, namespaceHTMLElements=True)
    return len(list(doc.iter(f"{NS}script")))


def markdown_as_html(text: str, *, any_link: bool) -> ElementTree.Element:
    parser = MarkdownIt("commonmark", {"html": True})
    if any_link:
        parser.validateLink = lambda url: True
    return html5lib.parse(parser.render(text), namespaceHTMLElements=True)


def test_hostile_record_and_note_text_is_inert_in_the_html_page(run, hostile, tmp_path):
    page = exported(run, "html")
    doc = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True).parse(page)
    assert_inert(doc, shipped_scripts=plain_page_scripts(run, tmp_path))
    text = " ".join("".join(doc.itertext()).split())
    assert '<script>alert("x")</script>' in text
    assert [a.get("href") for a in doc.iter(f"{NS}a") if "example.org" in (a.get("href") or "")]


@pytest.mark.parametrize("any_link", [False, True], ids=["commonmark-viewer", "trusting-viewer"])
def test_hostile_record_and_note_text_is_inert_in_markdown(run, hostile, any_link):
    doc = markdown_as_html(exported(run, "markdown"), any_link=any_link)
    assert_inert(doc, shipped_scripts=0)
    text = " ".join("".join(doc.itertext()).split())
    assert '<script>alert("x")</script>' in text
    assert "[click](javascript:alert(4))" in text


def plain_export(run, tmp_path: Path, fmt: str) -> str:
    """The same record, untouched, curated the same way: the fields a hostile one must match."""
    other = tmp_path / "plain.json"
    assert run("--db", other, "import", FIXTURE).code == 0
    assert run("--db", other, "annotate", PMID, "--note", "n", "--tag", "t", "--section", "s").code == 0
    done = run("--db", other, "export", "--format", fmt, "--abstract", "full")
    assert done.code == 0, done.err
    return done.out


def bibtex_fields(text: str) -> list[dict[str, str]]:
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    return [{field.key: field.value for field in entry.fields} for entry in library.entries]


def test_hostile_text_cannot_break_out_of_a_bibtex_field(run, hostile, tmp_path):
    (fields,) = bibtex_fields(exported(run, "bibtex"))
    (plain,) = bibtex_fields(plain_export(run, tmp_path, "bibtex"))
    assert sorted(fields) == sorted(plain)
    assert "@misc" in fields["title"] and "pwned" in fields["title"] and "pwned" in fields["journal"]
    assert "pwned" in fields["author"] and "pwned" in fields["groups"]


def test_hostile_text_cannot_start_or_end_a_ris_record(run, hostile, data, tmp_path):
    assert run("import", data / "xml" / "hawc_21860499_collective_author.xml").code == 0
    text = exported(run, "ris")
    records = rispy.loads(text)
    assert sorted(r["accession_number"] for r in records) == ["21860499", PMID]
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in text.splitlines() if line)
    (hostile_record,) = [r for r in records if r["accession_number"] == PMID]
    (plain,) = rispy.loads(plain_export(run, tmp_path, "ris"))
    assert sorted(hostile_record) == sorted(plain)
    assert "ER -" in hostile_record["title"] and "TY - JOUR" in hostile_record["title"]
