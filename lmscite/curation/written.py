"""An excerpt as the curator writes it, read into pieces anchored in the abstract, and written back.

The written form is what a careful quoter types and what the page shows::

    ... less frequently, from ... gastrointestinal sarcoma [and other primaries]. ...

* text is quoted verbatim from the abstract: each run is found, in order,
  blind only to white space and to inline tags or entities pasted with it;
* ``...`` (or ``…``, or a curator's ``....``) marks text left out;
* ``[text]`` is an editorial insertion (a replacement such as ``[has]``),
  and ``[text Ed.]`` a gloss, an editor's note;
* ``{text}`` is literal text that is not in the abstract, kept as written on
  purpose (and always reported by `lmscite check`);
* a blank line is a paragraph break.

Brackets and braces that the abstract itself holds ("[18F]FDG") are read as
the abstract's text when the quote matches with them.  Words may be left out
only where a ``...`` or an insertion says so: a quote that skips text after a
gloss or a paragraph break is refused, as it would misquote.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lmscite.anchor import AbstractText, Anchor, closest_passage, squash
from lmscite.errors import InputError
from lmscite.model import Piece

QUOTE, GAP, INSERT, GLOSS, BREAK, LITERAL = "quote", "gap", "insert", "gloss", "break", "literal"
KINDS = (QUOTE, GAP, INSERT, GLOSS, BREAK, LITERAL)
ELISION = "..."
_GAP = re.compile(r"\.{3,}|\u2026+")
_BREAK = re.compile(r"[ \t]*\n[ \t]*\n\s*")
_GLOSS_MARK = re.compile(r"\s*\bEd\.?$")
_SHOWN = 60
"""Longest stretch of quoted text a message shows."""
_CLOSERS = tuple(",.;:!?)]}%\u2019\u201d")
_WORDS = re.compile(r"\s*\S+\s*")


@dataclass(frozen=True)
class Token:
    """One token of the written form: kind "text", "gap", "break", "bracket" or "brace"; `raw` as written."""

    kind: str
    raw: str


def tokens(written: str) -> list[Token]:
    """The written form cut into text, elisions, paragraph breaks, [brackets] and {braces}.

    An opening bracket or brace without its closing one is text: it will be
    looked for in the abstract like any other character.
    """
    found: list[Token] = []
    text: list[str] = []
    position = 0

    def flush() -> None:
        if text:
            found.append(Token("text", "".join(text)))
            text.clear()

    while position < len(written):
        char = written[position]
        gap = _GAP.match(written, position)
        brk = _BREAK.match(written, position) if char in " \t\n" else None
        if gap:
            flush()
            found.append(Token("gap", gap.group()))
            position = gap.end()
        elif brk:
            flush()
            found.append(Token("break", "\n\n"))
            position = brk.end()
        elif char in "[{" and (close := _closing(written, position)) > 0:
            flush()
            found.append(Token("bracket" if char == "[" else "brace", written[position:close + 1]))
            position = close + 1
        else:
            text.append(char)
            position += 1
    flush()
    return found


def _closing(written: str, start: int) -> int:
    """The index of the bracket that closes the one at `start` (nesting counted), or -1."""
    opening = written[start]
    closing = "]" if opening == "[" else "}"
    depth = 0
    for index in range(start, len(written)):
        if written[index] == opening:
            depth += 1
        elif written[index] == closing:
            depth -= 1
            if depth == 0:
                return index
    return -1


class NotInAbstract(InputError):
    """A run of the written excerpt is not in the abstract; carries the run and the closest passage."""

    def __init__(self, run: str, closest: Anchor | None, pmid: str) -> None:
        self.run = run
        self.closest = closest
        hint = (f"; the closest passage is {_short(closest.exact)!r}" if closest is not None
                else "; nothing like it is in the abstract")
        super().__init__(f"PMID {pmid}: {_short(run)!r} is not in the abstract{hint} "
                         "(quote the abstract's words; mark skipped text with ...; put your own words in "
                         "[brackets], or keep text on purpose with --literal)")


def _short(text: str) -> str:
    text = squash(text)
    return text if len(text) <= _SHOWN else text[:_SHOWN - 1] + "\u2026"


def read_written(abstract: AbstractText, written: str, pmid: str, *, literal: bool = False,
                 after: int = 0) -> list[Piece]:
    """The pieces of an excerpt written as it should appear, each quote anchored in `abstract`.

    Runs are found in order, each after the one before (the first at or
    after offset `after`); with `literal`, a run that is not in the abstract
    is kept as literal text instead of refused.  Each piece remembers whether
    the curator wrote it right after the one before, with no space.
    """
    pieces: list[Piece] = []
    found = tokens(written)
    pending = ""
    cursor = after

    def add(piece: Piece, spaced: bool) -> None:
        if pieces and pieces[-1].kind != BREAK and piece.kind != BREAK and not spaced:
            piece.glued = True
        pieces.append(piece)

    def flush() -> bool:
        """Take the pending run as a piece; whether white space ended it (it spaces what comes next)."""
        nonlocal pending, cursor
        run, pending = pending, ""
        if not run.strip():
            return bool(run)
        anchor = abstract.find(run, cursor)
        if anchor is None:
            if not literal:
                raise NotInAbstract(run, closest_passage(abstract, run), pmid)
            spaced = run[:1].isspace()
            for part, found in _split_verbatim(abstract, run, cursor):
                add(Piece(LITERAL, squash(part)) if found is None else quote_piece(found),
                    spaced or part[:1].isspace())
                spaced = part[-1:].isspace()
                cursor = found.end if found is not None else cursor
            return run[-1:].isspace()
        _check_nothing_skipped(abstract, pieces, anchor, pmid)
        add(quote_piece(anchor), run[:1].isspace())
        cursor = anchor.end
        return run[-1:].isspace()

    while found:
        token = found.pop(0)
        if token.kind == "text":
            pending += token.raw
        elif token.kind in ("bracket", "brace"):
            after_it = found[0].raw if found and found[0].kind == "text" else ""
            if abstract.find(pending + token.raw + after_it, cursor) is not None:
                pending += token.raw
            elif _opens_a_quote(abstract, pending, token, cursor):
                pending += token.raw[0]
                found[:] = tokens(token.raw[1:] + "".join(t.raw for t in found))
            else:
                add(_bracketed(token, pmid), flush())
        else:
            spaced = flush()
            add(Piece(GAP, token.raw) if token.kind == "gap" else Piece(BREAK), spaced)
    flush()
    while pieces and pieces[-1].kind == BREAK:
        pieces.pop()
    while pieces and pieces[0].kind == BREAK:
        pieces.pop(0)
    if not any(piece.kind in (QUOTE, LITERAL) for piece in pieces):
        raise InputError(f"PMID {pmid}: the excerpt quotes nothing (write the abstract's words, "
                         "with ... where text is left out)")
    return pieces


def _opens_a_quote(abstract: AbstractText, pending: str, token: Token, cursor: int) -> bool:
    """Whether a bracket that closes only after a "..." is the abstract's own: the quote goes on through it.

    "endurance-trained [VMLSS 15.0 ... min-1] runners" quotes an abstract
    that has the brackets, with text left out between them; an insertion
    "[no significant difference ...]" is words of the curator's.
    """
    inner = tokens(token.raw[1:])
    if len(inner) < 2 or inner[0].kind != "text" or not any(t.kind in ("gap", "break") for t in inner):
        return False
    return abstract.find(pending + token.raw[0] + inner[0].raw, cursor) is not None


def _split_verbatim(abstract: AbstractText, run: str, cursor: int) -> list[tuple[str, Anchor | None]]:
    """A run that is not in the abstract as a whole, cut into what is (anchored) and what is not (None).

    Greedy, word by word: the longest stretch found after the one before
    is taken, at least two words or four characters, so that a lone "the"
    is not matched somewhere far off; the words between are literal.
    """
    words = _WORDS.findall(run)
    parts: list[tuple[str, Anchor | None]] = []
    start = 0
    while start < len(words):
        for end in range(len(words), start, -1):
            stretch = "".join(words[start:end])
            found = abstract.find(stretch, cursor)
            if found is not None and (end - start >= 2 or len(stretch.strip()) > 3):
                parts.append((stretch, found))
                cursor, start = found.end, end
                break
        else:
            if parts and parts[-1][1] is None:
                parts[-1] = (parts[-1][0] + words[start], None)
            else:
                parts.append((words[start], None))
            start += 1
    return parts


def _bracketed(token: Token, pmid: str) -> Piece:
    inner = token.raw[1:-1].strip()
    if not inner:
        raise InputError(f"PMID {pmid}: the excerpt holds an empty {token.raw[0]}{token.raw[-1]}; "
                         "write the words inside it, or leave it out")
    if token.kind == "brace":
        return Piece(LITERAL, squash(inner))
    if _GLOSS_MARK.search(inner):
        return Piece(GLOSS, squash(_GLOSS_MARK.sub("", inner)))
    return Piece(INSERT, squash(inner))


def quote_piece(anchor: Anchor) -> Piece:
    return Piece(QUOTE, anchor.exact, anchor.prefix, anchor.suffix, anchor.start, anchor.end)


def anchor_of(piece: Piece) -> Anchor:
    """A quote piece's anchor (a piece read from an old file may lack its context: then it is empty)."""
    return Anchor(piece.text, piece.prefix or "", piece.suffix or "", piece.start or 0, piece.end or 0)


def _check_nothing_skipped(abstract: AbstractText, pieces: Sequence[Piece], anchor: Anchor, pmid: str) -> None:
    """Refuse a quote that leaves words out after the previous one with no "..." or insertion saying so."""
    previous = next((p for p in reversed(pieces) if p.kind in (QUOTE, GAP, INSERT, LITERAL)), None)
    if previous is None or previous.kind != QUOTE:
        return
    between = abstract.text[previous.end or 0:anchor.start]
    if between.strip():
        raise InputError(f"PMID {pmid}: the excerpt leaves out {_short(between)!r} after "
                         f"{_short(previous.text)!r} without saying so; write ... where text is left out")


# --- the written form of pieces ---------------------------------------------------------------


def written_form(pieces: Sequence[Piece]) -> str:
    """The excerpt as the curator writes it; `read_written` reads it back as the same pieces."""
    out = ""
    previous: Piece | None = None
    for piece in pieces:
        out += spacing(previous, piece) + _written_piece(piece)
        previous = piece
    return out


def _written_piece(piece: Piece) -> str:
    if piece.kind == QUOTE:
        return squash(piece.text)
    if piece.kind == GAP:
        return piece.text or ELISION
    if piece.kind == INSERT:
        return f"[{piece.text}]"
    if piece.kind == GLOSS:
        return f"[{piece.text} Ed.]"
    if piece.kind == LITERAL:
        return "{" + piece.text + "}"
    return "\n\n"


def spacing(previous: Piece | None, piece: Piece) -> str:
    """What stands between two pieces on the page: a space, or nothing (glued, or at a paragraph break)."""
    if previous is None or piece.kind == BREAK or previous.kind == BREAK or piece.glued:
        return ""
    return " "


def glued_after_note(text: str) -> bool | None:
    """Whether text that goes on after an insertion or gloss closes up to it: "R0 [... Ed.], 3 R1"."""
    return True if text.startswith(_CLOSERS) else None
