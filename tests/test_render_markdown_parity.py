"""The Markdown page renders (markdown-it, CommonMark) to the text and emphasis of the HTML page.

Emphasis is compared as "marked text": the text with `<i>`, `<b>`, `<sub>`,
`<sup>` and `<u>` written in (Markdown's `<em>` counts as `<i>`, `<strong>`
as `<b>`), so a literal asterisk, a lost italic or a moved one all show.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

import html5lib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from records import SEED

from lmscite.markup import escape
from lmscite.model import Entry
from lmscite.pubmed.xml import iter_entries
from lmscite.render import ExportOptions, Page, html, markdown, renderer

XML = Path(__file__).parent / "data" / "xml"
FIXTURES = sorted(XML.glob("*.xml")) + [SEED]
NS = "{http://www.w3.org/1999/xhtml}"
SAME = {"i": "i", "em": "i", "b": "b", "strong": "b", "sub": "sub", "sup": "sup", "u": "u"}


def marked(node: ElementTree.Element) -> str:
    """The node's text with its emphasis tags written in, whitespace squashed."""
    pieces: list[str] = []

    def walk(element: ElementTree.Element) -> None:
        tag = SAME.get(str(element.tag).replace(NS, ""))
        pieces.append(f"<{tag}>" if tag else "")
        pieces.append(element.text or "")
        for child in element:
            walk(child)
            pieces.append(child.tail or "")
        pieces.append(f"</{tag}>" if tag else "")

    walk(node)
    text = " ".join("".join(pieces).split())
    while True:  # a space at the edge of emphasis, or emphasis of nothing, looks the same outside it
        tidy = re.sub(r"<(\w+)> ", r" <\1>", re.sub(r" </(\w+)>", r"</\1> ", text))
        tidy = " ".join(re.sub(r"<(\w+)></\1>", "", tidy).split())
        if tidy == text:
            return text
        text = tidy


def body(html_text: str) -> ElementTree.Element:
    return html5lib.parse(html_text, namespaceHTMLElements=True).find(f"{NS}body")


def from_markdown(text: str) -> str:
    return marked(body(MarkdownIt("commonmark", {"html": True}).render(text)))


def from_html(text: str) -> str:
    return marked(body(text))


def fragments(entry: Entry) -> list[str]:
    found = [entry.title, entry.vernacular_title or "", entry.abstract.copyright or ""]
    return [f for f in found + [s.text for s in entry.abstract.sections] if f.strip()]


def test_the_marked_text_helper_sees_a_literal_asterisk_and_a_lost_italic():
    assert from_markdown("*Objective.*This") == "*Objective.*This"
    assert from_html("<i>Objective.</i>This") == "<i>Objective.</i>This"
    assert from_markdown("a *b* c") == from_html("a <i>b</i> c") != from_html("a b c")
    assert from_html("a<i> b </i>c<b></b>") == from_html("a <i>b</i> c")


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_every_record_fragment_of_every_fixture_renders_alike_in_both_pages(path):
    for entry in iter_entries(path):
        for fragment in fragments(entry):
            assert from_markdown(markdown.fragment(fragment)) == from_html(html.fragment(fragment)), fragment


def words(node: ElementTree.Element) -> str:
    """What a reader reads, but for the separators between publication types (a CSS matter on the HTML page)."""
    return " ".join("".join(node.itertext()).replace("\u00b7", " ").split())


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_every_fixtures_markdown_page_reads_as_its_html_page(path):
    entries = list(iter_entries(path))
    options = dict(page=Page(generated="2025-01-01"), abstract="full")
    md_html = MarkdownIt("commonmark", {"html": True}).render(
        renderer("markdown")(entries, ExportOptions(format="markdown", **options)))
    page = body(renderer("html")(entries, ExportOptions(format="html", **options)))
    for article in page.iter(f"{NS}article"):
        shown = words(article)
        segment = re.split(rf'<p><a id="{article.get("id")}"></a></p>', md_html)[1]
        segment = re.split(r'<p><a id="|<p><em>\d+ entr', segment)[0]
        assert words(body(segment)) == shown


@pytest.mark.parametrize("title", [
    "<i>Objective.</i>This is the aim",
    "The <i>CD33 (</i>19q13.41) locus",
    "<i>E. coli</i>-derived vesicles",
    "Gene<i>X</i>and<b>Y</b>",
    "<i>(R)</i>-ketamine",
    "<b><i>Both</i></b> at once",
    "<i>Italics <b>and bold</b></i>.",
    "<i>spaced </i>word",
    "<i>*starred*</i>",
])
def test_emphasis_that_markdown_cannot_close_renders_as_on_the_html_page(title):
    entry = next(iter_entries(XML / "mp_35649368_erratumin.xml"))
    entry.title = title
    options = dict(page=Page(generated="2025-01-01"))
    md_page = body(MarkdownIt("commonmark", {"html": True}).render(
        renderer("markdown")([entry], ExportOptions(format="markdown", **options))))
    html_page = body(renderer("html")([entry], ExportOptions(format="html", **options)))
    shown_md = marked(next(md_page.iter(f"{NS}strong")))
    shown_html = marked(next(n for n in html_page.iter(f"{NS}h3")))
    assert shown_md == f"<b>{shown_html}</b>"


TEXT = st.text(st.sampled_from(list("ab .,;:()[]*_-'\"0")), max_size=6)


@st.composite
def fragment(draw, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        if depth < 2 and draw(st.booleans()):
            tag = draw(st.sampled_from(["i", "b", "sup", "sub"]))
            parts.append(f"<{tag}>{draw(fragment(depth + 1))}</{tag}>")
        else:
            parts.append(escape(draw(TEXT)))
    return "".join(parts)


@settings(max_examples=150, deadline=None)
@given(fragment())
def test_any_mix_of_emphasis_and_punctuation_renders_alike_in_both_pages(value):
    assert from_markdown(markdown.fragment(value)) == from_html(html.fragment(value))


def curator_source(text: str) -> str:
    """How a curator's Markdown reads when parsed as lmscite parses it (raw HTML as text)."""
    return marked(body(MarkdownIt("commonmark", {"html": False}).render(text)))


@pytest.mark.parametrize("source", ["_a_*b*", "*a*_b_", "__a__**b**", "_x_**y**", "*(sic)*", "**_Objective._**This"])
def test_curator_markdown_written_back_keeps_its_emphasis(source):
    assert from_markdown(markdown.curator_markdown(source)) == curator_source(source)


@settings(max_examples=150, deadline=None)
@given(st.text(st.sampled_from(list("ab *_.()`\\\n")), max_size=14))
def test_any_curator_emphasis_written_back_renders_as_written(source):
    assert from_markdown(markdown.curator_markdown(source)) == curator_source(source)
