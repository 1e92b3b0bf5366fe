"""Passages of an abstract, chosen and shown: excerpt specs, quotes, glosses and drift.

Importable and free of any terminal code: choosing passages of the abstract
by sentence number or quote, the excerpt as exporters show it
(`excerpt_parts`), glosses placed after their phrases, and drift checks
against a changed abstract (`excerpt_problems`).  Nothing here changes an
entry; `lmscite.curation.edit` does.

Excerpt specs
-------------
Sentences are numbered from 1 across the abstract's sections (`lmscite show
PMID --sentences`).  A spec lists runs: ``1,3-5`` or ``1 3-5``.  ``...`` (or
``…``) written right before a run marks text skipped before it, right after a
run text skipped after it (``...1-2, ...3-5...``): the page then shows "..."
there even where the stored abstract has no gap, as when it was rebuilt from a
shortened abstract.  Adjacent runs with no mark between them are joined.  Each
run is stored as a `Passage` with the plain text of its sentences, so that a
later change of the abstract is detected, never silently misquoted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from lmscite import markup
from lmscite.curation.sentences import Sentence, sentences
from lmscite.errors import InputError
from lmscite.model import Entry, Gloss, Passage
from lmscite.wording import plural

_MARK = r"(?:\.\.\.|\u2026)"
_RUN = re.compile(
    rf"\s*(?P<before>{_MARK})?\s*(?P<start>\d+)(?:\s*[-\u2013]\s*(?P<end>\d+))?"
    rf"(?P<after>{_MARK})?\s*[,;]?")
_SPACE = re.compile(r"\s+")


# --- small helpers ----------------------------------------------------------


def squash(text: str) -> str:
    """Whitespace runs as one space, ends trimmed: quotes and phrases match however they were wrapped."""
    return _SPACE.sub(" ", text).strip()


def pmid_error(pmid: str, message: str) -> InputError:
    """An InputError naming the entry, so that a problem in one of many entries says which."""
    return InputError(f"PMID {pmid}: {message}")


def sentence_span(start: int, end: int) -> str:
    """A run of sentences as specs and messages write it: "3" or "3-5"."""
    return str(start) if start == end else f"{start}-{end}"


# --- excerpt specs and passages ---------------------------------------------


@dataclass(frozen=True)
class Run:
    """One run of an excerpt spec, before it is checked against an abstract."""

    start: int
    end: int
    elide_before: bool = False
    elide_after: bool = False


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


def format_spec(passages: Sequence[Passage | Run]) -> str:
    """The spec that `parse_spec` reads back as these passages."""
    return ", ".join(
        ("..." if p.elide_before else "") + sentence_span(p.start, p.end) + ("..." if p.elide_after else "")
        for p in passages)


def passage_of(found: Sequence[Sentence], start: int, end: int, pmid: str,
               elide_before: bool = False, elide_after: bool = False) -> Passage:
    if not found:
        raise pmid_error(pmid, "the entry has no abstract to excerpt")
    if start < 1 or end > len(found):
        bad = start if start < 1 else end
        raise pmid_error(pmid, f"sentence {bad} is out of range (the abstract has "
                               f"{plural(len(found), 'sentence')}; see `lmscite show {pmid} --sentences`)")
    text = " ".join(s.text for s in found[start - 1:end])
    return Passage(start, end, text, elide_before, elide_after)


def choose(found: Sequence[Sentence], runs: Iterable[Run], pmid: str) -> list[Passage]:
    """Passages for these runs of the abstract's sentences, joined where adjacent."""
    return normalise_passages(
        [passage_of(found, r.start, r.end, pmid, r.elide_before, r.elide_after) for r in runs], found, pmid)


def normalise_passages(passages: Iterable[Passage], found: Sequence[Sentence], pmid: str) -> list[Passage]:
    """Sorted, overlapping or adjacent passages joined unless an elision mark sits between them."""
    merged: list[Passage] = []
    for passage in sorted(passages, key=lambda p: (p.start, p.end)):
        last = merged[-1] if merged else None
        touching = last is not None and (
            passage.start <= last.end
            or (passage.start == last.end + 1 and not (last.elide_after or passage.elide_before)))
        if last is None or not touching:
            merged.append(passage)
            continue
        after = passage.elide_after if passage.end >= last.end else last.elide_after
        merged[-1] = passage_of(found, last.start, max(last.end, passage.end), pmid,
                                last.elide_before, after)
    return merged


def quote_passage(found: Sequence[Sentence], quote: str, pmid: str) -> Passage:
    """The sentence(s) holding this exact text; it must occur exactly once in the abstract."""
    wanted = squash(quote)
    if not wanted:
        raise pmid_error(pmid, "the quote is empty")
    if not found:
        raise pmid_error(pmid, "the entry has no abstract to quote from")
    starts: list[int] = []
    offset = 0
    for sentence in found:
        starts.append(offset)
        offset += len(sentence.text) + 1
    whole = " ".join(s.text for s in found)
    hits = [m.start() for m in re.finditer(f"(?={re.escape(wanted)})", whole)]
    if not hits:
        raise pmid_error(pmid, f"the quote {wanted!r} is not in the abstract")

    def sentence_at(position: int) -> int:
        return max(i for i, start in enumerate(starts) if start <= position) + 1

    spans = [(sentence_at(h), sentence_at(h + len(wanted) - 1)) for h in hits]
    if len(spans) > 1:
        raise pmid_error(pmid, f"the quote {wanted!r} occurs {len(spans)} times in the abstract "
                               f"({_where(spans)}); quote more of the sentence")
    return passage_of(found, spans[0][0], spans[0][1], pmid)


_LISTED = 5
"""At most this many places are named in a message; the rest are counted."""


def _where(spans: Sequence[tuple[int, int]]) -> str:
    """Distinct places, a few named: "sentences 1, 3-4 and 2 more", never "1, 1, 1, ..." for every hit."""
    places = [sentence_span(a, b) for a, b in dict.fromkeys(spans)]
    named = ", ".join(places[:_LISTED])
    rest = f" and {len(places) - _LISTED} more" if len(places) > _LISTED else ""
    return f"{'sentence' if len(places) == 1 else 'sentences'} {named}{rest}"


def find_run(found: Sequence[Sentence], text: str) -> tuple[int, int] | None:
    """Where a passage's text stands in the abstract now, if anywhere."""
    for first in range(len(found)):
        joined = ""
        for last in range(first, len(found)):
            joined = f"{joined} {found[last].text}" if joined else found[last].text
            if joined == text:
                return first + 1, last + 1
            if len(joined) >= len(text):
                break
    return None


def _matches(passage: Passage, found: Sequence[Sentence]) -> bool:
    if passage.start < 1 or passage.end > len(found) or passage.start > passage.end:
        return False
    return " ".join(s.text for s in found[passage.start - 1:passage.end]) == passage.text


# --- the excerpt as exporters show it ---------------------------------------


@dataclass(frozen=True)
class ExcerptPart:
    """A piece of the excerpt as a page shows it.

    kind "text": a markup fragment (`lmscite.markup`) of abstract text;
    "gloss": the note of an inline gloss, plain text, shown right after the
    text before it, by default as " [NOTE Ed.]"; "gap": skipped text, shown
    as "..." between spaces.  `excerpt_text` is the reference rendering.
    """

    kind: str
    value: str


def _shown(entry: Entry, found: Sequence[Sentence]) -> list[tuple[Passage, str]]:
    """Each passage with the fragment shown for it: the abstract's, or the stored text when it drifted.

    An entry with no excerpt chosen shows its whole abstract.
    """
    passages = entry.curation.excerpt
    if not passages:
        if not found:
            return []
        passages = [Passage(1, len(found), " ".join(s.text for s in found))]
    shown = []
    for passage in passages:
        if _matches(passage, found):
            fragment = " ".join(s.fragment for s in found[passage.start - 1:passage.end])
        else:
            fragment = markup.escape(passage.text)
        shown.append((passage, fragment))
    return shown


def _gloss_points(shown: Sequence[tuple[Passage, str]], glosses: Sequence[Gloss]
                  ) -> dict[int, dict[int, list[str]]]:
    """passage index -> plain-text offset -> notes: each gloss after its phrase's first occurrence."""
    plains = [markup.plain(fragment) for _passage, fragment in shown]
    points: dict[int, dict[int, list[str]]] = {}
    for gloss in glosses:
        for index, plain in enumerate(plains):
            at = plain.find(gloss.phrase)
            if at >= 0:
                points.setdefault(index, {}).setdefault(at + len(gloss.phrase), []).append(gloss.note)
                break
    return points


def excerpt_parts(entry: Entry) -> list[ExcerptPart]:
    """The excerpt as a page shows it: text, "..." gaps and inline glosses, in order."""
    found = sentences(entry.abstract)
    shown = _shown(entry, found)
    points = _gloss_points(shown, entry.curation.glosses)
    parts: list[ExcerptPart] = []
    previous: Passage | None = None
    for index, (passage, fragment) in enumerate(shown):
        if previous is None:
            gap = passage.start > 1 or passage.elide_before
        else:
            gap = (passage.start > previous.end + 1 or previous.elide_after or passage.elide_before)
        if gap:
            parts.append(ExcerptPart("gap", "..."))
        offsets = sorted(points.get(index, {}))
        pieces = markup.cut(fragment, offsets)
        if pieces[0]:
            parts.append(ExcerptPart("text", pieces[0]))
        for offset, piece in zip(offsets, pieces[1:]):
            parts.extend(ExcerptPart("gloss", note) for note in points[index][offset])
            if piece:
                parts.append(ExcerptPart("text", piece))
        previous = passage
    if previous is not None and (previous.end < len(found) or previous.elide_after):
        parts.append(ExcerptPart("gap", "..."))
    return parts


def excerpt_text(entry: Entry, gloss: Callable[[str], str] = lambda note: f"[{note} Ed.]") -> str:
    """The excerpt as plain text, glosses in the page's default "[NOTE Ed.]" form."""
    out = ""
    last = None
    for part in excerpt_parts(entry):
        if part.kind == "gloss":
            out += " " + gloss(part.value)
        else:
            piece = part.value if part.kind == "gap" else markup.plain(part.value)
            glued = last == "gloss" and part.kind == "text" and not piece[:1].isalnum()
            out += piece if not out or glued else " " + piece
        last = part.kind
    return out


# --- glosses and drift ------------------------------------------------------


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
    phrase, note = squash(stripped[:index]), stripped[index + 1:-1].strip()
    note = re.sub(r"\s*\bEd\.$", "", note).strip()
    if not phrase or not note:
        raise InputError(f"the gloss {text!r} needs a phrase before '[' and a note inside it")
    return Gloss(phrase, note)


def excerpt_problems(entry: Entry) -> list[str]:
    """What no longer fits the abstract: passages whose text changed or moved, glosses whose phrase is gone."""
    found = sentences(entry.abstract)
    problems = []
    for passage in entry.curation.excerpt:
        if _matches(passage, found):
            continue
        span = sentence_span(passage.start, passage.end)
        moved = find_run(found, passage.text)
        if moved:
            problems.append(f"excerpt {span}: the abstract changed; the quoted text is now "
                            f"sentences {sentence_span(*moved)}")
        else:
            problems.append(f"excerpt {span}: the quoted text is no longer in the abstract")
    plains = [markup.plain(fragment) for _passage, fragment in _shown(entry, found)]
    for gloss in entry.curation.glosses:
        if not any(gloss.phrase in plain for plain in plains):
            problems.append(f"gloss {gloss.phrase!r}: the phrase is no longer in the excerpt")
    return problems


def check_glosses(entry: Entry, found: Sequence[Sentence]) -> None:
    """Refuse a gloss whose phrase the excerpt (or else the abstract) lacks: it would never show."""
    plains = [markup.plain(fragment) for _passage, fragment in _shown(entry, found)]
    where = "excerpt" if entry.curation.excerpt else "abstract"
    for gloss in entry.curation.glosses:
        if not any(gloss.phrase in plain for plain in plains):
            holders = [s.number for s in found if gloss.phrase in s.text] if entry.curation.excerpt else []
            hint = f" (it is in sentence {holders[0]})" if len(holders) == 1 else ""
            raise pmid_error(entry.pmid, f"the gloss phrase {gloss.phrase!r} is not in the {where}{hint}")
