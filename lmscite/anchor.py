"""Where a quote stands in an abstract, and finding it again after PubMed changes the abstract.

A quote is anchored the way the W3C Web Annotation model anchors text
(TextQuoteSelector and TextPositionSelector together): the exact text, a
little context before and after it, and its offsets in the abstract's plain
text.  Offsets find an unchanged abstract at once; the exact text and its
context find the quote again when PubMed has edited other parts of the
abstract; and when the quoted words themselves changed, the closest passage
is reported, never silently taken in their place.

The abstract's plain text (`AbstractText.text`) is what a reader sees:
each section's text with its markup dropped, entities resolved and every run
of white space shown as one space, sections joined by a line break, section
labels left out (they are headings, not quotable text).  Quotes are found
as words, blind to white space where it meets punctuation: "P=0.03" finds
"P = 0.03" and a quote pasted across a line break finds the text it came
from, but every other character must be the abstract's own, words stay
words ("There" never finds "The re"), and a quote starts and ends where
words do.
"""

from __future__ import annotations

import bisect
import difflib
import html
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import TYPE_CHECKING

from lmscite import markup

if TYPE_CHECKING:
    from lmscite.model import Abstract

CONTEXT = 32
"""Characters of context kept before and after a quote (prefix and suffix)."""
SIMILAR = 0.6
"""How alike a passage must be to a lost quote to be offered as what it became."""

_SPACE = re.compile(r"\s+")
_INLINE_TAG = re.compile(r"</?(?:i|b|u|sup|sub|em|strong)\s*>", re.IGNORECASE)
_WORD = re.compile(r"\S+")
_CANDIDATES = 8
"""Windows compared character by character when looking for the passage closest to a lost quote."""


@dataclass(frozen=True)
class Anchor:
    """A quote's place in an abstract: its exact plain text, context, and offsets."""

    exact: str
    prefix: str
    suffix: str
    start: int
    end: int


class AbstractText:
    """An abstract's plain text (`text`), each section's span in it, and the means to find quotes in it.

    Quotes are matched against a copy of the text without white space (the
    skeleton), built only when a quote has to be searched for: checking that
    10,000 quotes still stand where they stood needs none.
    """

    __slots__ = ("text", "sections", "_skeleton")

    def __init__(self, text: str, sections: tuple[tuple[int, int], ...]) -> None:
        self.text = text
        self.sections = sections
        self._skeleton: tuple[str, list[int]] | None = None

    def span(self, start: int, end: int) -> Anchor:
        """The anchor of `text[start:end]`, trimmed of white space at its ends."""
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return Anchor(self.text[start:end], self.text[max(0, start - CONTEXT):start],
                      self.text[end:end + CONTEXT], start, end)

    def find(self, quote: str, after: int = 0) -> Anchor | None:
        """The first place at or after offset `after` where `quote` stands, as words.

        White space may differ only where it meets punctuation ("P=0.03" finds
        "P = 0.03"): between two letters or digits there is a space in both or
        in neither, and a quote begins and ends where words do, so "There"
        never finds "The re" nor the start of "Therefore".
        """
        wanted, spaced = _words_of(quote)
        if not wanted:
            return None
        skeleton, positions = self._skeleton_and_positions()
        at = skeleton.find(wanted, bisect.bisect_left(positions, after))
        while at >= 0:
            if self._same_words(wanted, spaced, at):
                return self.span(positions[at], positions[at + len(wanted) - 1] + 1)
            at = skeleton.find(wanted, at + 1)
        return None

    def _same_words(self, wanted: str, spaced: frozenset[int], at: int) -> bool:
        """Whether the skeleton match at `at` splits into words where the quote does, and nowhere else."""
        _skeleton, positions = self._skeleton_and_positions()
        first, last = positions[at], positions[at + len(wanted) - 1]
        if (wanted[0].isalnum() and first > 0 and self.text[first - 1].isalnum()) or (
                wanted[-1].isalnum() and last + 1 < len(self.text) and self.text[last + 1].isalnum()):
            return False
        differ = spaced.symmetric_difference(_word_ends(self.text[first:last + 1]))
        return not any(wanted[index].isalnum() and wanted[index + 1].isalnum() for index in differ)

    def find_all(self, quote: str) -> list[Anchor]:
        """Every place `quote` stands, blind to white space (overlapping places too)."""
        found: list[Anchor] = []
        position = 0
        while (anchor := self.find(quote, position)) is not None:
            found.append(anchor)
            position = anchor.start + 1
        return found

    def _skeleton_and_positions(self) -> tuple[str, list[int]]:
        """`text` without white space, and where each of its characters stands in `text`."""
        if self._skeleton is None:
            positions = [index for index, char in enumerate(self.text) if not char.isspace()]
            self._skeleton = ("".join(self.text[i] for i in positions), positions)
        return self._skeleton


def _words_of(quote: str) -> tuple[str, frozenset[int]]:
    """The quote's skeleton, and the indexes in it after which the quote has white space."""
    if "<" in quote:
        quote = _INLINE_TAG.sub("", quote)
    if "&" in quote:
        quote = html.unescape(quote)
    return "".join(quote.split()), _word_ends(quote)


def _word_ends(text: str) -> frozenset[int]:
    """Indexes, in `text` without its white space, of the last character of every word but the last."""
    ends = []
    length = -1
    for word in text.split()[:-1]:
        length += len(word)
        ends.append(length)
    return frozenset(ends)


def squash(text: str) -> str:
    """White space runs as one space, ends trimmed."""
    return " ".join(text.split())


def abstract_text_of(sections: Sequence[str]) -> AbstractText:
    """The plain text of an abstract given as its sections' markup fragments."""
    return _text_of(tuple(sections))


@lru_cache(maxsize=256)
def _text_of(sections: tuple[str, ...]) -> AbstractText:
    texts = [squash(markup.plain(fragment)) for fragment in sections]
    text = "\n".join(texts)
    spans = []
    offset = 0
    for piece in texts:
        spans.append((offset, offset + len(piece)))
        offset += len(piece) + 1
    return AbstractText(text, tuple(spans))


def abstract_text(abstract: Abstract) -> AbstractText:
    """The abstract's plain text as quotes are anchored in it (cached: rendering asks often)."""
    return _text_of(tuple(section.text for section in abstract.sections))


# --- finding a quote again ----------------------------------------------------------------------


class Drift(Enum):
    """What became of an anchored quote in the abstract as it is now."""

    SAME = "same"
    """The quote stands where it stood."""
    MOVED = "moved"
    """The same words stand elsewhere (PubMed edited text around them); the offsets follow."""
    CHANGED = "changed"
    """The words are no longer there, but a passage much like them is (see `Located.closest`)."""
    GONE = "gone"
    """Nothing like the quote is left in the abstract."""


@dataclass(frozen=True)
class Located:
    """Where a quote is now: its drift, its anchor now (SAME, MOVED), or the closest passage (CHANGED)."""

    drift: Drift
    anchor: Anchor | None = None
    closest: Anchor | None = None


def locate(text: AbstractText, anchor: Anchor) -> Located:
    """Find an anchored quote again in the abstract as it is now.

    The stored offsets are tried first; then every place the exact words
    stand, the one whose context matches best winning; a quote whose words
    are gone is reported with the closest passage, and never moved onto it.
    """
    if anchor.exact and text.text[anchor.start:anchor.end] == anchor.exact and 0 <= anchor.start:
        return Located(Drift.SAME, text.span(anchor.start, anchor.end))
    places = text.find_all(anchor.exact)
    if places:
        best = max(places, key=lambda place: (_context_score(place, anchor), -abs(place.start - anchor.start)))
        return Located(Drift.MOVED, best)
    closest = closest_passage(text, anchor.exact)
    if closest is not None:
        return Located(Drift.CHANGED, closest=closest)
    return Located(Drift.GONE)


def _context_score(place: Anchor, anchor: Anchor) -> int:
    """How many characters of context agree: the end of the prefixes, the start of the suffixes."""
    before = len(_common_prefix(place.prefix[::-1], anchor.prefix[::-1]))
    after = len(_common_prefix(place.suffix, anchor.suffix))
    return before + after


def _common_prefix(one: str, two: str) -> str:
    length = 0
    for left, right in zip(one, two):
        if left != right:
            break
        length += 1
    return one[:length]


def closest_passage(text: AbstractText, quote: str, similar: float = SIMILAR) -> Anchor | None:
    """The passage of the abstract most like `quote` (as many words long), if it is at least `similar`.

    Windows of the quote's length in words are ranked by how many of the
    quote's words they hold (one pass, counts kept as the window slides);
    only the best few are compared character by character.  Comparing every
    window by characters took seconds on a long abstract.
    """
    wanted = squash(quote).split()
    words = [(match.start(), match.end(), match.group()) for match in _WORD.finditer(text.text)]
    if not wanted or not words:
        return None
    size = min(len(wanted), len(words))
    need = Counter(wanted)
    have: Counter[str] = Counter()
    overlap = 0
    ranked: list[tuple[int, int]] = []
    for index, (_start, _end, word) in enumerate(words):
        if have[word] < need[word]:
            overlap += 1
        have[word] += 1
        if index >= size:
            gone = words[index - size][2]
            have[gone] -= 1
            if have[gone] < need[gone]:
                overlap -= 1
        if index >= size - 1:
            ranked.append((overlap, index - size + 1))
    ranked.sort(key=lambda pair: -pair[0])
    target = " ".join(wanted)
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(target)
    best: tuple[float, int, int] | None = None
    for _overlap, first in ranked[:_CANDIDATES]:
        start, end = words[first][0], words[first + size - 1][1]
        matcher.set_seq1(squash(text.text[start:end]))
        score = matcher.ratio()
        if score >= similar and (best is None or score > best[0]):
            best = (score, start, end)
    return None if best is None else text.span(best[1], best[2])


def sentence_offsets(text: AbstractText, sentence_texts: Sequence[str]) -> list[tuple[int, int]]:
    """Where each of the abstract's sentences (in order, as `curation.sentences` splits them) stands."""
    spans = []
    position = 0
    for sentence in sentence_texts:
        exact = text.text.find(sentence, position)
        if exact >= 0 and not text.text[position:exact].strip():
            spans.append((exact, exact + len(sentence)))
            position = exact + len(sentence)
            continue
        anchor = text.find(sentence, position)
        if anchor is None:
            raise ValueError(f"sentence not in the abstract's text: {sentence[:60]!r}")
        spans.append((anchor.start, anchor.end))
        position = anchor.end
    return spans


# --- the markup of a span -----------------------------------------------------------------------


def fragment_of(abstract: Abstract, start: int, end: int) -> str:
    """The markup fragment of `text[start:end]` of the abstract's plain text, inline tags kept.

    Each section it touches is cut where the span starts and ends in that
    section (`markup.cut`), white space shown as in the plain text; the
    pieces of several sections are joined by a space, as a page shows them.
    """
    text = abstract_text(abstract)
    pieces = []
    for (first, last), section in zip(text.sections, abstract.sections):
        low, high = max(start, first), min(end, last)
        if low >= high:
            continue
        pieces.append(_SPACE.sub(" ", _cut(section.text, low - first, high - first, last - first)).strip())
    return " ".join(piece for piece in pieces if piece)


def _cut(fragment: str, low: int, high: int, length: int) -> str:
    """Characters `low`-`high` of a section's plain text, as markup.

    Most sections are plain text already squashed, and many quotes take a
    whole section: those need no cutting of markup, which costs a pass over
    every tag and entity of the section.
    """
    if low == 0 and high == length:
        return fragment
    if "<" not in fragment and "&" not in fragment and len(fragment) == length:
        return fragment[low:high]
    positions = _raw_positions(fragment)
    return markup.cut(fragment, [positions[low], positions[high - 1] + 1])[1]


@lru_cache(maxsize=256)
def _raw_positions(fragment: str) -> tuple[int, ...]:
    """For each character of the section's plain text (white space squashed), where it stands unsquashed."""
    raw = "".join(plain for _raw, plain in markup.pieces(fragment))
    positions: list[int] = []
    pending = -1
    for index, char in enumerate(raw):
        if char.isspace():
            if positions and pending < 0:
                pending = index
            continue
        if pending >= 0:
            positions.append(pending)
            pending = -1
        positions.append(index)
    return tuple(positions)
