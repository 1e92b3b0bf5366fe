"""An entry's excerpt: made from what the curator writes, shown as the page shows it, checked for drift.

The excerpt is the list of pieces the page shows (`lmscite.model.Piece`):
quotes of the abstract anchored in its plain text (`lmscite.anchor`), "..."
where text is left out, bracketed insertions and glosses, paragraph breaks,
and literal text the curator insists on.  A curator makes one

* by writing it as it should appear (`from_written`, `from_quotes`; the
  written form is read in `lmscite.curation.written`),
* by sentence numbers, a shortcut into the same pieces (`from_spec`, ``1-2,
  ...3-5``: sentences as `lmscite show PMID --sentences` numbers them), or
* by placing a gloss after a phrase (`with_gloss`, ``15 R0 [R0 resection is
  clear surgical margins.]``).

`excerpt_parts` is the excerpt as every renderer shows it; `relocate` finds
its quotes again when PubMed changes the abstract; `excerpt_problems` says
what in it is not the abstract's own words.  Nothing here changes an entry;
`lmscite.curation.edit` does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from lmscite import markup
from lmscite.anchor import (
    Anchor,
    Drift,
    Located,
    abstract_text,
    fragment_of,
    locate,
    sentence_offsets,
    squash,
)
from lmscite.curation.sentences import sentences
from lmscite.curation.written import (
    GAP,
    GLOSS,
    LITERAL,
    QUOTE,
    anchor_of,
    glued_after_note,
    quote_piece,
    read_written,
    spacing,
)
from lmscite.errors import InputError
from lmscite.model import Entry, Piece
from lmscite.upgrade import pieces_of_passages
from lmscite.wording import plural, shorten

_MARK = r"(?:\.\.\.|\u2026)"
_RUN = re.compile(
    rf"\s*(?P<before>{_MARK})?\s*(?P<start>\d+)(?:\s*[-\u2013]\s*(?P<end>\d+))?"
    rf"(?P<after>{_MARK})?\s*[,;]?")
_SPEC = re.compile(rf"(?:\s*{_MARK}?\s*\d+(?:\s*[-\u2013]\s*\d+)?{_MARK}?\s*[,;]?)+\s*")
_ED = re.compile(r"\s*\bEd\.$")


def pmid_error(pmid: str, message: str) -> InputError:
    """An InputError naming the entry, so that a problem in one of many entries says which."""
    return InputError(f"PMID {pmid}: {message}")


def sentence_span(start: int, end: int) -> str:
    """A run of sentences as specs and messages write it: "3" or "3-5"."""
    return str(start) if start == end else f"{start}-{end}"


# --- sentence-number specs -------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """One run of an excerpt spec: sentences `start`-`end`, "..." marked before or after it."""

    start: int
    end: int
    elide_before: bool = False
    elide_after: bool = False


def is_spec(text: str) -> bool:
    """Whether `text` is a sentence-number spec ("1-2, ...3-5") rather than an excerpt written out."""
    return bool(_SPEC.fullmatch(text)) and any(char.isdigit() for char in text)


def parse_spec(spec: str) -> list[Run]:
    """The runs of a spec such as ``"1,3-5"`` or ``"...1-2 ...3-5..."``."""
    text = spec.strip()
    if not text:
        raise InputError("the excerpt spec is empty (use --clear excerpt to remove an excerpt)")
    runs: list[Run] = []
    position = 0
    while position < len(text):
        match = _RUN.match(text, position)
        if match is None:
            raise InputError(
                f"cannot read the excerpt spec {spec!r} at {text[position:]!r}: use sentence numbers "
                "such as 1,3-5, with ... before or after a range where text was skipped")
        start = int(match["start"])
        end = int(match["end"]) if match["end"] else start
        if end < start:
            raise InputError(f"the range {start}-{end} in the excerpt spec {spec!r} runs backwards")
        runs.append(Run(start, end, bool(match["before"]), bool(match["after"])))
        position = match.end()
    return runs


def format_spec(runs: Sequence[Run]) -> str:
    """The spec that `parse_spec` reads back as these runs."""
    return ", ".join(("..." if r.elide_before else "") + sentence_span(r.start, r.end)
                     + ("..." if r.elide_after else "") for r in runs)


def _joined(runs: Iterable[Run]) -> list[Run]:
    """Runs sorted, and overlapping or adjacent ones joined unless a "..." mark stands between them."""
    merged: list[Run] = []
    for run in sorted(runs, key=lambda r: (r.start, r.end)):
        last = merged[-1] if merged else None
        if last is not None and (run.start <= last.end or (
                run.start == last.end + 1 and not (last.elide_after or run.elide_before))):
            after = run.elide_after if run.end >= last.end else last.elide_after
            merged[-1] = Run(last.start, max(last.end, run.end), last.elide_before, after)
        else:
            merged.append(run)
    return merged


def from_spec(entry: Entry, spec: str) -> list[Piece]:
    """The excerpt that sentence numbers choose: each run a quote, "..." wherever text is left out."""
    found = sentences(entry.abstract)
    if not found:
        raise pmid_error(entry.pmid, "the entry has no abstract to excerpt")
    runs = _joined(parse_spec(spec))
    bad = next((r for r in runs if r.start < 1 or r.end > len(found)), None)
    if bad is not None:
        number = bad.start if bad.start < 1 else bad.end
        raise pmid_error(entry.pmid, f"sentence {number} is out of range (the abstract has "
                                     f"{plural(len(found), 'sentence')}; see `lmscite show {entry.pmid} "
                                     "--sentences`)")
    text = abstract_text(entry.abstract)
    spans = sentence_offsets(text, [s.text for s in found])
    passages = [{"start": r.start, "end": r.end, "elide_before": r.elide_before, "elide_after": r.elide_after,
                 "text": text.text[spans[r.start - 1][0]:spans[r.end - 1][1]]} for r in runs]
    return [Piece(**piece) for piece in pieces_of_passages(text, passages)]


# --- written out --------------------------------------------------------------------------------------


def from_written(entry: Entry, written: str, *, literal: bool = False) -> list[Piece]:
    """The excerpt written as it should appear (see `lmscite.curation.written`), or a spec's."""
    if is_spec(written):
        return from_spec(entry, written)
    return from_quotes(entry, [written], literal=literal)


def from_quotes(entry: Entry, quotes: Sequence[str], *, literal: bool = False) -> list[Piece]:
    """Several written quotes as one excerpt: each found after the one before, "..." between two
    that leave text out of the abstract unless the curator wrote one there."""
    text = abstract_text(entry.abstract)
    if not text.text and not literal:
        raise pmid_error(entry.pmid, "the entry has no abstract to quote from")
    pieces: list[Piece] = []
    for written in quotes:
        if not written.strip():
            raise pmid_error(entry.pmid, "a quote is empty")
        last = next((p for p in reversed(pieces) if p.kind == QUOTE), None)
        more = read_written(text, written, entry.pmid, literal=literal,
                            after=(last.end or 0) if last else 0)
        first = next((p for p in more if p.kind == QUOTE), None)
        joined_by_gap = (pieces and pieces[-1].kind == GAP) or (more and more[0].kind == GAP)
        between = text.text[last.end or 0:first.start or 0] if last is not None and first is not None else " "
        if not joined_by_gap and between.strip():
            pieces.append(Piece(GAP, "..."))
        elif first is not None and more[0] is first and last is not None and pieces[-1] is last:
            first.glued = True if not between else None
        pieces.extend(more)
    return pieces


def whole_abstract(entry: Entry) -> list[Piece]:
    """The whole abstract as one quote (what the page shows when no excerpt was chosen)."""
    text = abstract_text(entry.abstract)
    return [quote_piece(text.span(0, len(text.text)))] if text.text.strip() else []


# --- glosses ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gloss:
    """A note to place right after `phrase` inside the excerpt, shown "[note Ed.]"."""

    phrase: str
    note: str


def parse_gloss(text: str) -> Gloss:
    """A gloss written as on the page: ``PHRASE [NOTE]`` (a trailing "Ed." in the note is dropped)."""
    stripped = text.strip()
    if not stripped.endswith("]"):
        raise InputError(f"write a gloss as 'PHRASE [NOTE]', e.g. '15 R0 [R0 resection is clear "
                         f"surgical margins.]', not {text!r}")
    depth = 0
    for index in range(len(stripped) - 1, -1, -1):
        depth += {"]": 1, "[": -1}.get(stripped[index], 0)
        if depth == 0:
            break
    else:
        raise InputError(f"the gloss {text!r} has an unmatched ']'")
    phrase, note = squash(stripped[:index]), _ED.sub("", stripped[index + 1:-1].strip()).strip()
    if not phrase or not note:
        raise InputError(f"the gloss {text!r} needs a phrase before '[' and a note inside it")
    return Gloss(phrase, note)


def with_gloss(entry: Entry, pieces: Sequence[Piece], gloss: Gloss) -> list[Piece]:
    """The excerpt with `gloss` right after the first place its phrase stands in a quote.

    A phrase glossed already gets the new note.  An entry with no excerpt
    shows its whole abstract, so the gloss goes in that; a phrase the
    excerpt lacks is refused, naming the sentence that holds it when the
    abstract does.
    """
    current = list(pieces) or whole_abstract(entry)
    text = abstract_text(entry.abstract)
    for index, piece in enumerate(current):
        at = piece.text.find(gloss.phrase) if piece.kind == QUOTE else -1
        if at < 0:
            continue
        cut = at + len(gloss.phrase)
        rest = current[index + 1:]
        if cut == len(piece.text) and rest and rest[0].kind == GLOSS:
            return [*current[:index + 1], Piece(GLOSS, gloss.note), *rest[1:]]
        tail = _quote_part(text, piece, cut, len(piece.text))
        return [*current[:index], _quote_part(text, piece, 0, cut), Piece(GLOSS, gloss.note),
                *([tail] if tail.text else []), *rest]
    holders = [s.number for s in sentences(entry.abstract) if gloss.phrase in s.text]
    hint = f" (it is in sentence {holders[0]})" if len(holders) == 1 and pieces else ""
    where = "excerpt" if pieces else "abstract"
    raise pmid_error(entry.pmid, f"the gloss phrase {gloss.phrase!r} is not in the {where}{hint}")


def without_glosses(entry: Entry, pieces: Sequence[Piece]) -> list[Piece]:
    """The excerpt with its glosses taken out, and the quotes they stood between joined again."""
    text = abstract_text(entry.abstract)
    kept: list[Piece] = []
    for piece in pieces:
        if piece.kind == GLOSS:
            continue
        last = kept[-1] if kept else None
        if (last is not None and last.kind == QUOTE and piece.kind == QUOTE and _stands(text, last)
                and _stands(text, piece) and not text.text[last.end or 0:piece.start or 0].strip()):
            kept[-1] = replace(quote_piece(text.span(last.start or 0, piece.end or 0)), glued=last.glued)
        else:
            kept.append(piece)
    return kept


def keep_glosses(entry: Entry, old: Sequence[Piece], new: Sequence[Piece]) -> list[Piece]:
    """A new excerpt with the glosses of the old one, each after the same words of the abstract.

    A new excerpt that brings glosses of its own is taken as written.  A
    gloss whose place the new excerpt leaves out is refused rather than
    dropped: the curator keeps those words or says `--clear glosses`.
    """
    placed = list(new)
    if any(piece.kind == GLOSS for piece in new):
        return placed
    text = abstract_text(entry.abstract)
    for offset, note in _gloss_places(text, old):
        for index, piece in enumerate(placed):
            if piece.kind != QUOTE or not _stands(text, piece) or not (piece.start or 0) < offset <= (piece.end or 0):
                continue
            cut = offset - (piece.start or 0)
            tail = _quote_part(text, piece, cut, len(piece.text))
            placed[index:index + 1] = [_quote_part(text, piece, 0, cut), Piece(GLOSS, note),
                                       *([tail] if tail.text else [])]
            break
        else:
            words = shorten(text.text[max(0, offset - 40):offset].split(" ", 1)[-1])
            raise pmid_error(entry.pmid, f"the excerpt holds the gloss [{note} Ed.] after {words!r}, which the "
                                         "new excerpt leaves out; keep those words in it, or drop the glosses "
                                         "with --clear glosses")
    return placed


def _gloss_places(text, pieces: Sequence[Piece]) -> list[tuple[int, str]]:
    """(offset in the abstract's text, note) of each gloss that follows a quote still in place."""
    places = []
    previous: Piece | None = None
    for piece in pieces:
        if piece.kind == GLOSS and previous is not None and previous.kind == QUOTE and _stands(text, previous):
            places.append((previous.end or 0, piece.text))
        previous = piece
    return places


def _stands(text, piece: Piece) -> bool:
    """Whether a quote stands where its anchor says, in the abstract as it is."""
    return locate(text, anchor_of(piece)).drift is Drift.SAME


def _quote_part(text, piece: Piece, low: int, high: int) -> Piece:
    """Characters `low`-`high` of a quote, anchored anew (a drifted quote is cut as stored text).

    The first part keeps the quote's own spacing; a later part follows a note
    put in the cut, so it closes up to it only before punctuation.
    """
    if _stands(text, piece):
        part = quote_piece(text.span((piece.start or 0) + low, (piece.start or 0) + high))
    else:
        part = replace(piece, text=piece.text[low:high].strip())
    part.glued = piece.glued if low == 0 else glued_after_note(part.text)
    return part


# --- the excerpt as the page shows it ---------------------------------------------------------------


@dataclass(frozen=True)
class ExcerptPart:
    """A piece of the excerpt as a page shows it; `before` is what stands between it and the part before.

    kind "text": a markup fragment (`lmscite.markup`) of the abstract, or of a
    quote's stored text when it no longer stands in the abstract; "gap":
    text left out, `value` the mark ("..."); "insert": an editorial
    insertion, shown "[value]"; "gloss": an editor's note, shown by default
    "[value Ed.]"; "literal": text that is not in the abstract, plain;
    "break": a paragraph break (`before` is "").
    """

    kind: str
    value: str
    before: str = " "


def excerpt_parts(entry: Entry) -> list[ExcerptPart]:
    """The excerpt as every page and reference format shows it; the whole abstract when none was chosen."""
    pieces = entry.curation.excerpt or whole_abstract(entry)
    text = abstract_text(entry.abstract)
    parts: list[ExcerptPart] = []
    previous: Piece | None = None
    for piece in pieces:
        parts.append(ExcerptPart("text" if piece.kind == QUOTE else piece.kind, _shown(entry, text, piece),
                                 spacing(previous, piece)))
        previous = piece
    return parts


def _shown(entry: Entry, text, piece: Piece) -> str:
    if piece.kind == QUOTE:
        found = locate(text, anchor_of(piece))
        if found.anchor is not None:
            return fragment_of(entry.abstract, found.anchor.start, found.anchor.end)
        return markup.escape(piece.text)
    if piece.kind == GAP:
        return piece.text or "..."
    return piece.text


def excerpt_text(entry: Entry) -> str:
    """The excerpt as plain text, glosses "[note Ed.]", paragraph breaks as blank lines."""
    out = ""
    for part in excerpt_parts(entry):
        if part.kind == "break":
            out += "\n\n"
            continue
        shown = {"text": markup.plain(part.value), "insert": f"[{part.value}]",
                 "gloss": f"[{part.value} Ed.]"}.get(part.kind, part.value)
        out += ("" if out.endswith("\n") else part.before) + shown
    return out


# --- drift and what is not verbatim -------------------------------------------------------------------


@dataclass(frozen=True)
class ExcerptProblem:
    """A piece of the excerpt that is not the abstract's own words as they stand now.

    `kind` is "literal" (kept as written on purpose), "changed" (the quoted
    words are no longer there; `closest` is the passage most like them) or
    "gone" (nothing like them is left).
    """

    kind: str
    text: str
    closest: str | None = None

    @property
    def message(self) -> str:
        quoted = shorten(self.text)
        if self.kind == "literal":
            return f"{quoted!r} is not in the abstract (kept as written)"
        if self.kind == "changed":
            return (f"the quote {quoted!r} is no longer in the abstract; the closest passage now is "
                    f"{shorten(self.closest or '')!r}")
        return f"the quote {quoted!r} is no longer in the abstract, nor anything like it"


def excerpt_problems(entry: Entry) -> list[ExcerptProblem]:
    """Every piece of the excerpt that is not verbatim in the abstract as it is now."""
    text = abstract_text(entry.abstract)
    problems = []
    for piece in entry.curation.excerpt:
        if piece.kind == LITERAL:
            problems.append(ExcerptProblem("literal", piece.text))
        elif piece.kind == QUOTE:
            found = locate(text, anchor_of(piece))
            if found.drift is Drift.CHANGED:
                problems.append(ExcerptProblem("changed", piece.text, found.closest.exact if found.closest else None))
            elif found.drift is Drift.GONE:
                problems.append(ExcerptProblem("gone", piece.text))
    return problems


def relocate(entry: Entry) -> tuple[list[Piece], list[ExcerptProblem]]:
    """The excerpt with every quote found again in the entry's (new) abstract, and what could not be.

    A quote that stands where it stood, or whose words moved, is anchored
    where it stands now; a quote whose words changed or went is kept exactly
    as it was, and reported: never moved onto a passage merely like it.
    """
    text = abstract_text(entry.abstract)
    pieces: list[Piece] = []
    for piece in entry.curation.excerpt:
        found: Located | None = locate(text, anchor_of(piece)) if piece.kind == QUOTE else None
        if found is not None and found.anchor is not None:
            pieces.append(_anchored(piece, found.anchor))
        else:
            pieces.append(piece)
    return pieces, [p for p in excerpt_problems(entry) if p.kind != "literal"]


def _anchored(piece: Piece, anchor: Anchor) -> Piece:
    return replace(piece, text=anchor.exact, prefix=anchor.prefix, suffix=anchor.suffix,
                   start=anchor.start, end=anchor.end)

