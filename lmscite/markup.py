"""PubMed's inline markup, kept as an XML fragment and rendered safely.

A fragment is text with `& < >` escaped and only these elements: `i b u sup sub`
and MathML (`math` and its children, unprefixed, as HTML5 embeds it).  The
parser produces fragments; renderers turn them into plain text, HTML or
Markdown here, so no renderer has to trust record text.
"""

from __future__ import annotations

import html
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Sequence
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


# --- cutting a fragment ------------------------------------------------------

_PIECE = re.compile(r"<[^>]*>|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);|[^<&]+|[<&]")
_TAG_NAME = re.compile(r"[A-Za-z][\w.:-]*")
Piece = tuple[str, str]
"""(raw, plain) of a tag (plain ""), an entity (its character) or text, as `pieces` gives them."""


def pieces(fragment: str) -> list[Piece]:
    """The fragment as (raw, plain) pieces: a tag (plain ""), an entity (its character) or text."""
    found = []
    for match in _PIECE.finditer(fragment):
        raw = match.group()
        if raw[0] == "<" and len(raw) > 1:
            found.append((raw, ""))
        elif raw[0] == "&" and len(raw) > 1:
            found.append((raw, html.unescape(raw)))
        else:
            found.append((raw, raw))
    return found


def track(raw: str, stack: list[tuple[str, str]]) -> None:
    """Keep `stack` as the (name, raw) tags open after the tag `raw`; a stray closing tag changes nothing."""
    if raw.startswith("</"):
        name = raw[2:-1].strip()
        for depth in range(len(stack) - 1, -1, -1):
            if stack[depth][0] == name:
                del stack[depth:]
                return
        return
    if raw.endswith("/>") or raw[1] in "!?":
        return
    found = _TAG_NAME.match(raw, 1)
    if found:
        stack.append((found.group(), raw))


def cut(fragment: str, offsets: Sequence[int]) -> list[str]:
    """Cut a fragment at plain-text offsets into len(offsets) + 1 well-formed fragments.

    The one way lmscite cuts markup (sentences, glosses in an excerpt).
    Tags open at a cut are closed before it and reopened after it; closing
    tags right at a cut stay before it and opening tags go after it, so
    "in <i>E. coli</i> strains" cut after "E. coli" gives "in <i>E. coli</i>"
    and " strains".  Offsets must be in order; an entity is never cut.
    """
    return ["".join(raw for raw, _plain in part) for part in cut_pieces(pieces(fragment), offsets)]


def cut_pieces(parts: Sequence[Piece], offsets: Sequence[int]) -> list[list[Piece]]:
    """`cut` on a fragment already in `pieces`, giving pieces, for a caller that reads them on."""
    result: list[list[Piece]] = []
    current: list[Piece] = []
    stack: list[tuple[str, str]] = []
    position = 0
    at = 0

    def close() -> None:
        result.append(current + [(f"</{name}>", "") for name, _raw in reversed(stack)])
        current[:] = [(raw, "") for _name, raw in stack]

    for raw, text in parts:
        if not text:
            if not raw.startswith("</"):
                while at < len(offsets) and offsets[at] <= position:
                    close()
                    at += 1
            track(raw, stack)
            current.append((raw, text))
            continue
        while at < len(offsets) and offsets[at] <= position:
            close()
            at += 1
        if raw != text:
            current.append((raw, text))
            position += len(text)
            continue
        while at < len(offsets) and offsets[at] < position + len(text):
            keep = offsets[at] - position
            current.append((text[:keep], text[:keep]))
            text, position = text[keep:], offsets[at]
            close()
            at += 1
        current.append((text, text))
        position += len(text)
    while at < len(offsets):
        close()
        at += 1
    result.append(current)
    return result


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
    """Markdown: italics and bold as emphasis where CommonMark reads it back so, else as HTML tags.

    Sub/superscripts and underlines are their HTML tags.  `*` only makes
    emphasis where CommonMark's flanking rules let it open and close, which
    they do not in "*Objective.*This" (a closing `*` after punctuation and
    before a letter) or "*CD33 (*19q13": there the italics are written as
    `<i>...</i>`, so that every Markdown renderer shows what the HTML page
    shows.  Spaces at the edge of emphasis are moved out of it, as a `*`
    next to a space cannot open or close.
    """
    if "<" not in fragment:
        return escape_markdown(plain(fragment))
    root = _parse(fragment)
    if root is None:
        return escape_markdown(plain(fragment))
    items: list[str | Mark] = []
    _md_items(root, items)
    return write_marked(items)


class Mark:
    """Where an element opens or closes in Markdown being written, until `write_marked` decides its delimiters."""

    __slots__ = ("tag", "opening", "written")

    def __init__(self, tag: str, opening: bool) -> None:
        self.tag = tag
        self.opening = opening
        self.written = ""


def _md_items(node: ET.Element, items: list[str | Mark]) -> None:
    """The fragment as escaped text and marks, in order."""
    items.append(escape_markdown(node.text or ""))
    for child in node:
        tag = child.tag.rsplit("}", 1)[-1]
        if tag in MATHML:
            items.append(escape_markdown("".join(child.itertext())))
        elif tag in _MD_WRAP:
            items.append(Mark(tag, True))
            _md_items(child, items)
            items.append(Mark(tag, False))
        else:
            _md_items(child, items)
        items.append(escape_markdown(child.tail or ""))


def write_marked(items: list[str | Mark], *, edges: str | None = None) -> str:
    """Markdown from escaped text and marks, each pair of marks written as `*`/`**` or as its HTML tag.

    Every mark must have a text (maybe empty) on both sides; `<i>`/`<b>`
    marks become emphasis delimiters only where CommonMark reads them back
    so (see `to_markdown`); curator Markdown is written back the same way.
    `edges` is what stands before and after the text on the page: unknown
    (None) for a record fragment, which a template may put anywhere, " "
    for a paragraph of its own.
    """
    items = [edges or "", *items, edges or ""] if edges else items
    pairs: list[tuple[int, int]] = []
    open_at: list[int] = []
    for index, item in enumerate(items):
        if isinstance(item, Mark):
            if item.opening:
                open_at.append(index)
            else:
                pairs.append((open_at.pop(), index))
    for start, end in pairs:
        _hoist_spaces(items, start, end)
    for start, end in pairs:
        _decide(items, start, end)
    written = "".join(item if isinstance(item, str) else item.written for item in items)
    return written[len(edges):len(written) - len(edges)] if edges else written


def _hoist_spaces(items: list[str | Mark], start: int, end: int) -> None:
    """Move whitespace just inside emphasis to just outside it, where it looks the same.

    `_md_items` puts a text (maybe empty) on both sides of every mark, so
    the neighbours of both marks are texts.
    """
    mark = items[start]
    if not isinstance(mark, Mark) or mark.tag not in ("i", "b"):
        return
    first = str(items[start + 1])
    if first.strip():
        items[start + 1] = first.lstrip()
        items[start - 1] = str(items[start - 1]) + first[:len(first) - len(first.lstrip())]
    last = str(items[end - 1])
    if last.strip():
        items[end - 1] = last.rstrip()
        items[end + 1] = last[len(last.rstrip()):] + str(items[end + 1])


def _text(item: str | Mark) -> str:
    return item if isinstance(item, str) else ""


def _decide(items: list[str | Mark], start: int, end: int) -> None:
    """Write one element's marks: nothing around blank text, `*` where CommonMark reads it, else tags."""
    opening, closing = items[start], items[end]
    assert isinstance(opening, Mark) and isinstance(closing, Mark)
    inside = "".join(_text(item) for item in items[start + 1:end])
    if not inside.strip():
        return
    left, right = _MD_WRAP[opening.tag]
    if opening.tag in ("i", "b") and _can_open(_neighbour(items, start, -1), _neighbour(items, start, 1)) \
            and _can_close(_neighbour(items, end, -1), _neighbour(items, end, 1)):
        opening.written, closing.written = left, right
    else:
        opening.written, closing.written = f"<{opening.tag}>", f"</{opening.tag}>"


_MARK = "mark"
"""What `_neighbour` gives for an adjacent mark: its Markdown is still being decided."""


def _neighbour(items: list[str | Mark], index: int, step: int) -> str | None:
    """The character next to items[index] in `step` direction, None at an end.

    A sub/superscript or underline is always its HTML tag, so its `<` or `>`;
    emphasis is `_MARK`, as whether it is `*` or a tag is still open.
    """
    index += step
    while 0 <= index < len(items):
        item = items[index]
        if isinstance(item, Mark):
            if item.tag not in ("i", "b"):
                return "<" if step > 0 else ">"
            return _MARK
        if item:
            return item[-1] if step < 0 else item[0]
        index += step
    return None


def _can_open(before: str | None, first: str | None) -> bool:
    """A `*` run between these characters is left-flanking and not right-flanking (CommonMark 6.2).

    At the fragment's edge (None) the page decides what comes before, such
    as the `**` around a title: only a letter or digit inside is safe there.
    """
    if first is None or first == _MARK or _md_space(first) or before == _MARK:
        return False
    if before is None or _md_space(before):
        return before is not None or not _md_punct(first)
    return _md_punct(before) and before != "*" and not _md_punct(first)


def _can_close(last: str | None, after: str | None) -> bool:
    """A `*` run between these characters is right-flanking and not left-flanking (see `_can_open`)."""
    if last is None or last == _MARK or _md_space(last) or after == _MARK:
        return False
    if after is None or _md_space(after):
        return after is not None or not _md_punct(last)
    return _md_punct(after) and after != "*" and not _md_punct(last)


def _md_space(char: str) -> bool:
    """CommonMark's Unicode whitespace (markdown-it's `isWhiteSpace`)."""
    return char in _MD_SPACES or "\u2000" <= char <= "\u200a"


_MD_SPACES = frozenset("\t\n\v\f\r \u00a0\u1680\u202f\u205f\u3000")


def _md_punct(char: str) -> bool:
    """CommonMark's Unicode punctuation: categories P and S (ASCII punctuation is among them)."""
    return unicodedata.category(char)[0] in "PS"
