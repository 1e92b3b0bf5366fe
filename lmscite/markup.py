"""PubMed's inline markup, kept as an XML fragment and rendered safely.

A fragment is text with `& < >` escaped and only these elements: `i b u sup sub`
and MathML (`math` and its children, unprefixed, as HTML5 embeds it).  The
parser produces fragments; renderers turn them into plain text, HTML or
Markdown here, so no renderer has to trust record text.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from functools import lru_cache

INLINE = frozenset({"i", "b", "u", "sup", "sub"})
MATHML = frozenset({
    "math", "mi", "mn", "mo", "ms", "mtext", "mspace", "mrow", "mfrac", "msqrt", "mroot",
    "mstyle", "merror", "mpadded", "mphantom", "mfenced", "menclose", "msub", "msup",
    "msubsup", "munder", "mover", "munderover", "mmultiscripts", "mprescripts", "none",
    "mtable", "mtr", "mtd", "mlabeledtr", "semantics", "annotation",
})
ALLOWED = INLINE | MATHML
_MATH_ATTRS = frozenset({"display", "mathvariant", "stretchy", "fence", "separator", "accent"})
_TAG = re.compile(r"<[^>]*>")
_MD_CHARS = "\\`*_{}[]<>#+!|~^"
"""What Markdown could read as syntax in plain text; the backslash first (see `escape_markdown`)."""
_MD_SPECIAL = re.compile(f"[{re.escape(_MD_CHARS)}]")
_MD_WRAP = {"i": ("*", "*"), "b": ("**", "**"), "u": ("<u>", "</u>"),
            "sup": ("<sup>", "</sup>"), "sub": ("<sub>", "</sub>")}


def escape(text: str) -> str:
    """Plain text as a fragment."""
    return html.escape(text, quote=False)


def plain(fragment: str) -> str:
    """The fragment's text, tags dropped, entities resolved: what a reader sees."""
    if "<" not in fragment and "&" not in fragment:
        return fragment
    return html.unescape(_TAG.sub("", fragment))


@lru_cache(maxsize=4096)
def _parse(fragment: str) -> ET.Element | None:
    try:
        return ET.fromstring(f"<f>{fragment}</f>")
    except ET.ParseError:
        return None


def to_html(fragment: str) -> str:
    """HTML with only the allowed inline and MathML elements; anything else is text."""
    if "<" not in fragment:
        return html.escape(html.unescape(fragment), quote=False)
    root = _parse(fragment)
    if root is None:
        return html.escape(plain(fragment), quote=False)
    return _html_children(root)


def _html_children(node: ET.Element) -> str:
    out = [html.escape(node.text or "", quote=False)]
    for child in node:
        tag = child.tag.rsplit("}", 1)[-1]
        inner = _html_children(child)
        if tag in ALLOWED:
            attrs = "".join(
                f' {name}="{html.escape(value)}"'
                for name, value in sorted(child.attrib.items())
                if tag in MATHML and name in _MATH_ATTRS
            )
            out.append(f"<{tag}{attrs}>{inner}</{tag}>")
        else:
            out.append(inner)
        out.append(html.escape(child.tail or "", quote=False))
    return "".join(out)


def escape_markdown(text: str) -> str:
    """Plain text that Markdown shows literally: no emphasis, links or raw HTML.

    Parentheses stay bare, as medical text is full of them: a link needs `](`,
    and the brackets are escaped.  Most text has none of these characters,
    and a search is much cheaper than a substitution that finds nothing.
    Text that has some gets one `replace` per character, backslash first so
    that the backslashes added after it stay single: Python 3.11 expands a
    regex substitution's template in Python code for every match, 3x slower.
    """
    if _MD_SPECIAL.search(text) is None:
        return text
    for char in _MD_CHARS:
        if char in text:
            text = text.replace(char, "\\" + char)
    return text


def to_markdown(fragment: str) -> str:
    """Markdown: italics and bold as emphasis, sub/superscripts as their HTML tags."""
    if "<" not in fragment:
        return escape_markdown(plain(fragment))
    root = _parse(fragment)
    if root is None:
        return escape_markdown(plain(fragment))
    return _md_children(root)


def _md_children(node: ET.Element) -> str:
    out = [escape_markdown(node.text or "")]
    for child in node:
        tag = child.tag.rsplit("}", 1)[-1]
        if tag in MATHML:
            out.append(escape_markdown("".join(child.itertext())))
        else:
            inner = _md_children(child)
            left, right = _MD_WRAP.get(tag, ("", ""))
            out.append(f"{left}{inner}{right}" if inner.strip() else inner)
        out.append(escape_markdown(child.tail or ""))
    return "".join(out)
