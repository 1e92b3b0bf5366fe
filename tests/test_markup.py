"""Inline markup fragments: kept from PubMed, shown safely in every output."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from lmscite import markup


def test_plain_drops_tags_and_resolves_entities():
    assert markup.plain("H<sub>2</sub>O &amp; <i>E. coli</i> &lt;5%") == "H2O & E. coli <5%"


def test_html_keeps_inline_tags_and_escapes_text():
    assert markup.to_html("<i>in vivo</i> &lt;script&gt;") == "<i>in vivo</i> &lt;script&gt;"


def test_html_drops_tags_outside_the_allowed_set_but_keeps_their_text():
    assert markup.to_html('<a href="javascript:x">click</a><img src=x onerror="y"/>') == "click"


def test_html_keeps_mathml_with_only_presentational_attributes():
    fragment = '<math display="block" onclick="x"><mi>x</mi><mo>=</mo><mn>2</mn></math>'
    assert markup.to_html(fragment) == '<math display="block"><mi>x</mi><mo>=</mo><mn>2</mn></math>'


def test_html_of_a_broken_fragment_is_its_text_without_tags():
    assert markup.to_html("a <i>b &amp; c") == "a b &amp; c"


def test_markdown_renders_emphasis_and_keeps_sub_and_superscripts():
    assert markup.to_markdown("<i>E. coli</i> in H<sub>2</sub>O, 10<sup>6</sup>") == \
        "*E. coli* in H<sub>2</sub>O, 10<sup>6</sup>"


def test_markdown_escapes_what_would_become_links_emphasis_or_html():
    assert markup.to_markdown("[x](javascript:y) *a* &lt;b&gt;") == "\\[x\\](javascript:y) \\*a\\* \\<b\\>"


def test_markdown_leaves_parentheses_bare_for_readable_citations():
    assert markup.escape_markdown("231(4):500-5 (P = 0.03)") == "231(4):500-5 (P = 0.03)"


def test_markdown_of_mathml_is_its_text():
    assert markup.to_markdown("<math><mi>x</mi><mo>+</mo><mn>1</mn></math>") == "x\\+1"


def test_escape_makes_plain_text_a_fragment():
    assert markup.plain(markup.escape("a < b & c")) == "a < b & c"


@given(st.one_of(st.text(), st.text(alphabet="\\`*_{}[]<>#+!|~^&()a \n")))
def test_markdown_escaping_puts_one_backslash_before_each_special_character(text):
    assert markup.escape_markdown(text) == re.sub(r"([\\`*_{}\[\]<>#+!|~^])", r"\\\1", text)
