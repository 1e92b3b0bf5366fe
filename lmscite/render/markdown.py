"""The annotated bibliography as Markdown (CommonMark, also read well by GitHub and pandoc).

Record text is escaped so that no title, abstract or affiliation can start a
list, a heading, a link or raw HTML.  Curator Markdown (notes, intro, footer)
is parsed with markdown-it and written back out from its tokens, so only the
constructs written here come out: raw HTML stays visible text, links keep
only http(s) and mailto targets, images become their alt text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lmscite import markup
from lmscite.model import Entry
from lmscite.render import ExportOptions
from lmscite.render.page import (
    Flavour,
    build,
    load_template,
    markdown_parser,
    one_final_newline,
    plain_paragraph,
    render_template,
    safe_link,
)

TEMPLATE = "page.md.j2"
_ORDERED = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
_OPENER = re.compile(r"^-(?=\s|$)|^[-=][-=\s]*$")
_BACKTICKS = re.compile(r"`+")
_LANGUAGE = re.compile(r"[\w.+-]+")
_BLOCK_STARTS = frozenset("-=0123456789")


def render(entries: Sequence[Entry], options: ExportOptions) -> str:
    template = load_template(options, TEMPLATE, autoescape=False)
    text = render_template(template, build(entries, options, FLAVOUR), options)
    return one_final_newline(_single_blank_lines(text))


def _single_blank_lines(text: str) -> str:
    """Each run of blank lines as one; replacing until none is left is 3x faster than a regex on a big page."""
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text


def text(value: str) -> str:
    """Plain text that Markdown shows as written, on one line."""
    return _line(_literal(" ".join(value.split())))


def fragment(value: str) -> str:
    """A record fragment: italics and bold kept as emphasis, everything else literal."""
    return _line(_amp(_one_line(markup.to_markdown(value))))


def _one_line(value: str) -> str:
    """Whitespace runs as one space, ends trimmed, like `" ".join(value.split())`.

    Fragments are long (whole abstract sections) and almost always on one
    line already; seeing that is cheaper than splitting them into words.
    Printable text has no whitespace but the space, so it is already one
    line when it has no double space and no space at either end.
    """
    if value.isprintable() and "  " not in value and not value.startswith(" ") and not value.endswith(" "):
        return value
    return " ".join(value.split())


def _literal(value: str) -> str:
    """Text that Markdown shows as written, line breaks kept."""
    return _amp(markup.escape_markdown(value))


def _amp(value: str) -> str:
    """"&copy;" in a title is text, not an entity: escape_markdown leaves `&` alone."""
    return value.replace("&", "\\&")


def _line(value: str) -> str:
    """Keep a line from opening a block: "- x", "1. x", "---" and "===" are text at a line's start.

    escape_markdown already takes care of `#`, `>`, `+`, `*` and fences.
    """
    if value[:1] not in _BLOCK_STARTS:
        return value
    if _OPENER.match(value):
        return "\\" + value
    found = _ORDERED.match(value)
    return f"{found[1]}\\{found[2]}{value[found.end():]}" if found else value


def curator_markdown(source: str) -> str:
    """Curator Markdown, re-written from its parse: only safe constructs come out."""
    tokens = markdown_parser().parse(source)
    return "\n\n".join(_blocks(tokens))


def note(source: str) -> str:
    """An editorial note, framed as the reference page does: [Ed. ...].

    A note that is plain prose is written as the parser would write its one
    paragraph, without parsing it.
    """
    if plain_paragraph(source):
        return "\\[Ed. " + _line(_literal(source)) + "\\]"
    return parsed_note(source)


def parsed_note(source: str) -> str:
    """`note` for any Markdown: parsed, and written back from its tokens."""
    blocks = _blocks(markdown_parser().parse(source))
    if not blocks:
        return ""
    blocks[0] = "\\[Ed. " + blocks[0]
    blocks[-1] = blocks[-1] + "\\]"
    return "\n\n".join(blocks)


def _close(tokens: list, start: int) -> int:
    level = tokens[start].level
    for index in range(start + 1, len(tokens)):
        if tokens[index].nesting == -1 and tokens[index].level == level:
            return index
    return len(tokens) - 1


def _blocks(tokens: list) -> list[str]:
    """Each top-level block of a token run as Markdown text."""
    out: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.nesting == 1:
            end = _close(tokens, index)
            written = _container(token, tokens[index + 1:end])
            index = end + 1
        else:
            written = _leaf(token)
            index += 1
        if written:
            out.append(written)
    return out


def _container(token, inner: list) -> str:
    kind = token.type
    if kind == "paragraph_open":
        return "\n".join(_line(line) for line in _inline_of(inner).split("\n"))
    if kind == "heading_open":
        return "#" * int(token.tag[1]) + " " + _inline_of(inner)
    if kind == "blockquote_open":
        return "\n".join("> " + line if line else ">" for line in "\n\n".join(_blocks(inner)).split("\n"))
    if kind in ("bullet_list_open", "ordered_list_open"):
        return _list(token, inner)
    return "\n\n".join(_blocks(inner))


def _list(token, inner: list) -> str:
    ordered = token.type == "ordered_list_open"
    number = int(token.attrGet("start") or 1) if ordered else 0
    tight = any(t.type == "paragraph_open" and t.hidden and t.level == token.level + 2 for t in inner)
    items: list[str] = []
    index = 0
    while index < len(inner):
        end = _close(inner, index)
        marker = f"{number + len(items)}. " if ordered else "- "
        lines = ("\n" if tight else "\n\n").join(_blocks(inner[index + 1:end])).split("\n")
        pad = " " * len(marker)
        items.append("\n".join([marker + lines[0]] + [pad + line if line else "" for line in lines[1:]]))
        index = end + 1
    return ("\n" if tight else "\n\n").join(items)


def _leaf(token) -> str:
    if token.type in ("code_block", "fence"):
        fence = "`" * max(3, _longest_backticks(token.content) + 1)
        info = token.info.split()[0] if token.type == "fence" and token.info.strip() else ""
        language = info if _LANGUAGE.fullmatch(info) else ""
        return f"{fence}{language}\n{token.content.rstrip(chr(10))}\n{fence}"
    if token.type == "hr":
        return "* * *"
    if token.type == "inline":
        return _inline(token.children or [])
    return text(token.content) if token.content.strip() else ""


def _inline_of(inner: list) -> str:
    return "".join(_inline(t.children or []) for t in inner if t.type == "inline")


_EMPHASIS = {"em_open": ("i", True), "em_close": ("i", False), "strong_open": ("b", True),
             "strong_close": ("b", False)}


def _inline(children: list) -> str:
    """Inline tokens written back; emphasis as `*` where CommonMark reads it back so (`markup.write_marked`).

    Written back naively, `_a_*b*` would become `*a**b*`, one emphasis.
    """
    out: list[str | markup.Mark] = [""]
    links: list[str | None] = []
    for child in children:
        kind = child.type
        if kind == "text":
            out.append(_literal(child.content))
        elif kind == "softbreak":
            out.append(" ")
        elif kind == "hardbreak":
            out.append("\\\n")
        elif kind == "code_inline":
            out.append(_code(child.content))
        elif kind in _EMPHASIS:
            out.extend([markup.Mark(*_EMPHASIS[kind]), ""])
        elif kind == "link_open":
            href = str(child.attrGet("href") or "")
            links.append(href if safe_link(href) else None)
            out.append("[" if links[-1] else "")
        elif kind == "link_close":
            href = links.pop() if links else None
            out.append(f"](<{_destination(href)}>)" if href else "")
        else:
            out.append(_literal(child.content))
    return markup.write_marked(out, edges=" ")


def _destination(href: str) -> str:
    return href.replace("<", "%3C").replace(">", "%3E").replace(" ", "%20").replace("\n", "")


def _code(content: str) -> str:
    fence = "`" * (_longest_backticks(content) + 1)
    pad = " " if content.startswith("`") or content.endswith("`") else ""
    return f"{fence}{pad}{content}{pad}{fence}"


def _longest_backticks(content: str) -> int:
    return max((len(run) for run in _BACKTICKS.findall(content)), default=0)


def gloss(value: str) -> str:
    return text(f"[{value} Ed.]")


FLAVOUR = Flavour(fragment=fragment, text=text, markdown=curator_markdown, note=note,
                  gloss=gloss, safe=str)
