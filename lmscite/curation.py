"""The curator's work on an entry: excerpts, glosses, notes, tags, section and order.

Everything `lmscite annotate` does lives here, importable and free of any
terminal code: choosing passages of the abstract by sentence number or quote,
glosses and notes, the excerpt as exporters show it (`excerpt_parts`), drift
checks against a changed abstract (`excerpt_problems`), the curation file and
the `--edit` document.  Every change stamps `curation.updated`; nothing else in
the entry changes.

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

The curation file
-----------------
YAML (``.yaml``/``.yml``, and standard input), JSON (``.json``) or TOML
(``.toml``, read only), chosen by the file name's extension::

    page: {title: ..., intro: ..., footer: ...}        # optional, library meta "page"
    sections: [First section, Second section]          # optional, meta "section_order"
    searches: {Name shown on the page: "pubmed query"}  # optional, meta "searches"
    entries:
      "10749609":
        section: Surgical resection
        order: 1
        tags: [leiomyosarcoma]
        excerpt:
          - {sentences: "1-2", text: "Liver resection is ...", elide_before: true}
        glosses:
          - {phrase: "15 R0", note: "R0 resection is clear surgical margins."}
        notes: ["Expertise makes a difference. ..."]

``excerpt`` may also be a spec string (``"1-2, ...3-5"``); texts are then
filled in from the abstract, and a ``text`` given must match the abstract.
An entry listed in the file gets exactly the curation written there (a field
left out is cleared); entries not listed keep theirs.  A top-level key left
out leaves that library setting alone; an empty one clears it.  Everything is
validated before anything changes, and the whole file is applied in one
write.  `dump_document` writes the library back in this layout (only curated
entries, by section order, then order, then PMID; searches by name), so
dump -> load -> dump is byte-identical.  See docs/curation-file.md.

The edit document
-----------------
`edit_document` is what `annotate --edit` opens: the numbered sentences as
comment lines (read-only context), then the entry's curation as YAML in the
layout of one entry of the curation file, with the excerpt as a spec string.
`parse_edit_document` reads it back; an unchanged document or one holding
only comments changes nothing, ``{}`` clears everything.
"""

from __future__ import annotations

import copy
import html
import json
import re
import sys
import textwrap
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from lmscite import markup
from lmscite.errors import InputError
from lmscite.ids import normalise_pmid
from lmscite.model import Curation, Entry, Gloss, Passage
from lmscite.sentences import Sentence, sentences
from lmscite.store import LibraryView, now

FIELDS = ("section", "order", "tags", "excerpt", "glosses", "notes")
"""The curation a curator edits, in the order the curation file writes it."""

CLEARABLE = ("excerpt", "glosses", "notes", "tags", "section", "order", "all")
PAGE_KEYS = ("title", "intro", "footer")
FILE_KEYS = ("page", "sections", "searches", "entries")
FORMATS = ("yaml", "json", "toml")
META_PAGE = "page"
META_SECTION_ORDER = "section_order"
META_SEARCHES = "searches"

_MARK = r"(?:\.\.\.|\u2026)"
_RUN = re.compile(
    rf"\s*(?P<before>{_MARK})?\s*(?P<start>\d+)(?:\s*[-\u2013]\s*(?P<end>\d+))?"
    rf"(?P<after>{_MARK})?\s*[,;]?")
_SPACE = re.compile(r"\s+")
_TOKEN = re.compile(r"<[^>]*>|&[^;\s<&]*;|[^<&]+|[<&]")
_OPEN_TAG = re.compile(r"<([A-Za-z][\w.:-]*)[^>]*(?<!/)>")
_CLOSE_TAG = re.compile(r"</([A-Za-z][\w.:-]*)\s*>")
_FOLD_AT = 60
_WIDTH = 88


# --- small helpers ----------------------------------------------------------


def _squash(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _fail(pmid: str, message: str) -> InputError:
    return InputError(f"PMID {pmid}: {message}")


def _span(start: int, end: int) -> str:
    return str(start) if start == end else f"{start}-{end}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def editable(curation: Curation) -> tuple[Any, ...]:
    """The fields a curator edits, for telling whether an edit changed anything."""
    return tuple(getattr(curation, name) for name in FIELDS)


def _stamped(entry: Entry, new: Curation, stamp: str | None) -> Entry | None:
    """A copy of `entry` with `new` as its curation and `updated` stamped; None when nothing changed."""
    if editable(new) == editable(entry.curation):
        return None
    changed = copy.deepcopy(entry)
    new.created = entry.curation.created
    new.flags = list(entry.curation.flags)
    new.updated = stamp or now()
    changed.curation = new
    return changed


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
        ("..." if p.elide_before else "") + _span(p.start, p.end) + ("..." if p.elide_after else "")
        for p in passages)


def _passage(found: Sequence[Sentence], start: int, end: int, pmid: str,
             elide_before: bool = False, elide_after: bool = False) -> Passage:
    if not found:
        raise _fail(pmid, "the entry has no abstract to excerpt")
    if start < 1 or end > len(found):
        bad = start if start < 1 else end
        raise _fail(pmid, f"sentence {bad} is out of range (the abstract has "
                          f"{_plural(len(found), 'sentence')}; see `lmscite show {pmid} --sentences`)")
    text = " ".join(s.text for s in found[start - 1:end])
    return Passage(start, end, text, elide_before, elide_after)


def choose(found: Sequence[Sentence], runs: Iterable[Run], pmid: str) -> list[Passage]:
    """Passages for these runs of the abstract's sentences, joined where adjacent."""
    return _normalise(
        [_passage(found, r.start, r.end, pmid, r.elide_before, r.elide_after) for r in runs], found, pmid)


def _normalise(passages: Iterable[Passage], found: Sequence[Sentence], pmid: str) -> list[Passage]:
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
        merged[-1] = _passage(found, last.start, max(last.end, passage.end), pmid,
                              last.elide_before, after)
    return merged


def quote_passage(found: Sequence[Sentence], quote: str, pmid: str) -> Passage:
    """The sentence(s) holding this exact text; it must occur exactly once in the abstract."""
    wanted = _squash(quote)
    if not wanted:
        raise _fail(pmid, "the quote is empty")
    if not found:
        raise _fail(pmid, "the entry has no abstract to quote from")
    starts: list[int] = []
    offset = 0
    for sentence in found:
        starts.append(offset)
        offset += len(sentence.text) + 1
    whole = " ".join(s.text for s in found)
    hits = [m.start() for m in re.finditer(f"(?={re.escape(wanted)})", whole)]
    if not hits:
        raise _fail(pmid, f"the quote {wanted!r} is not in the abstract")

    def sentence_at(position: int) -> int:
        return max(i for i, start in enumerate(starts) if start <= position) + 1

    spans = [(sentence_at(h), sentence_at(h + len(wanted) - 1)) for h in hits]
    if len(spans) > 1:
        where = ", ".join(_span(a, b) for a, b in spans)
        raise _fail(pmid, f"the quote {wanted!r} occurs {len(spans)} times in the abstract "
                          f"(sentences {where}); quote more of the sentence")
    return _passage(found, spans[0][0], spans[0][1], pmid)


def _run_of(value: Any, where: str) -> Run:
    """One excerpt item's `sentences`: a number, or a run with its elision marks."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise InputError(f"{where}: `sentences` must be a sentence number or range such as \"1-2\"")
    runs = parse_spec(str(value))
    if len(runs) != 1:
        raise InputError(f"{where}: `sentences` must be one range, not {value!r}")
    return runs[0]


def _find_run(found: Sequence[Sentence], text: str) -> tuple[int, int] | None:
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
        pieces = split_fragment(fragment, offsets)
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


def split_fragment(fragment: str, offsets: Sequence[int]) -> list[str]:
    """Cut a markup fragment at plain-text offsets into len(offsets) + 1 well-formed fragments.

    Tags open at a cut are closed before it and reopened after it, and
    closing tags right at a cut stay before it, so "in <i>E. coli</i> strains"
    cut after "E. coli" gives "in <i>E. coli</i>" and " strains".
    """
    cuts = sorted(set(o for o in offsets if o > 0))
    pieces: list[str] = []
    current: list[str] = []
    stack: list[tuple[str, str]] = []
    position = 0
    pending = False

    def cut() -> None:
        pieces.append("".join(current) + "".join(f"</{name}>" for name, _raw in reversed(stack)))
        current[:] = [raw for _name, raw in stack]

    for token in _TOKEN.finditer(fragment):
        raw = token.group()
        closing = _CLOSE_TAG.fullmatch(raw)
        if pending and not closing:
            cut()
            pending = False
        if raw.startswith("<") and len(raw) > 1:
            _follow(raw, stack)
            current.append(raw)
            continue
        if raw.startswith("&"):
            current.append(raw)
            position += len(html.unescape(raw))
            while cuts and position >= cuts[0]:
                cuts.pop(0)
                pending = True
            continue
        text = raw
        while cuts and position + len(text) >= cuts[0]:
            keep = max(cuts.pop(0) - position, 0)
            current.append(text[:keep])
            text, position = text[keep:], position + keep
            if not text:
                pending = True
                break
            cut()
        if text:
            current.append(text)
            position += len(text)
    if pending:
        cut()
    pieces.append("".join(current))
    while len(pieces) < len(set(o for o in offsets if o > 0)) + 1:
        pieces.append("")
    return pieces


def _follow(raw: str, stack: list[tuple[str, str]]) -> None:
    """Keep the stack of open tags in step with one tag."""
    opening = _OPEN_TAG.fullmatch(raw)
    closing = _CLOSE_TAG.fullmatch(raw)
    if opening:
        stack.append((opening.group(1), raw))
    elif closing and closing.group(1) in [name for name, _raw in stack]:
        while stack and stack.pop()[0] != closing.group(1):
            pass


# --- drift ------------------------------------------------------------------


def excerpt_problems(entry: Entry) -> list[str]:
    """What no longer fits the abstract: passages whose text changed or moved, glosses whose phrase is gone."""
    found = sentences(entry.abstract)
    problems = []
    for passage in entry.curation.excerpt:
        if _matches(passage, found):
            continue
        span = _span(passage.start, passage.end)
        moved = _find_run(found, passage.text)
        if moved:
            problems.append(f"excerpt {span}: the abstract changed; the quoted text is now "
                            f"sentences {_span(*moved)}")
        else:
            problems.append(f"excerpt {span}: the quoted text is no longer in the abstract")
    plains = [markup.plain(fragment) for _passage, fragment in _shown(entry, found)]
    for gloss in entry.curation.glosses:
        if not any(gloss.phrase in plain for plain in plains):
            problems.append(f"gloss {gloss.phrase!r}: the phrase is no longer in the excerpt")
    return problems


def _check_glosses(entry: Entry, found: Sequence[Sentence]) -> None:
    plains = [markup.plain(fragment) for _passage, fragment in _shown(entry, found)]
    where = "excerpt" if entry.curation.excerpt else "abstract"
    for gloss in entry.curation.glosses:
        if not any(gloss.phrase in plain for plain in plains):
            raise _fail(entry.pmid, f"the gloss phrase {gloss.phrase!r} is not in the {where}")


# --- edits ------------------------------------------------------------------


@dataclass
class Edit:
    """What one `lmscite annotate` asks for; applied as: clear, then set, then add and remove."""

    clear: Sequence[str] = ()
    excerpt: str | None = None
    quotes: Sequence[str] = ()
    glosses: Sequence[Gloss] = ()
    notes: Sequence[str] = ()
    tags: Sequence[str] = ()
    untags: Sequence[str] = ()
    section: str | None = None
    no_section: bool = False
    order: int | None = None

    def is_empty(self) -> bool:
        return not (self.clear or self.excerpt is not None or self.quotes or self.glosses or self.notes
                    or self.tags or self.untags or self.section is not None or self.no_section
                    or self.order is not None)

    def needs_one_entry(self) -> bool:
        """Excerpts and glosses are about one abstract; the rest can go to several entries."""
        return self.excerpt is not None or bool(self.quotes) or bool(self.glosses)

    def check(self) -> None:
        """Errors that need no entry: unknown fields to clear, conflicting or empty values."""
        unknown = [name for name in self.clear if name not in CLEARABLE]
        if unknown:
            raise InputError(f"cannot clear {unknown[0]!r} (choose from {', '.join(CLEARABLE)})")
        if self.section is not None and self.no_section:
            raise InputError("give either --section or --no-section, not both")
        if self.section is not None and not self.section.strip():
            raise InputError("the section name is empty (use --no-section to remove the section)")
        if self.order is not None and self.order < 0:
            raise InputError(f"the order must be 0 or more, not {self.order}")
        for kind, values in (("tag", [*self.tags, *self.untags]), ("note", self.notes)):
            if any(not value.strip() for value in values):
                raise InputError(f"a {kind} is empty")
        for gloss in self.glosses:
            if not gloss.phrase.strip() or not gloss.note.strip():
                raise InputError("a gloss needs both a phrase and a note")


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
    phrase, note = _squash(stripped[:index]), stripped[index + 1:-1].strip()
    note = re.sub(r"\s*\bEd\.$", "", note).strip()
    if not phrase or not note:
        raise InputError(f"the gloss {text!r} needs a phrase before '[' and a note inside it")
    return Gloss(phrase, note)


def annotate(entry: Entry, edit: Edit, stamp: str | None = None) -> Entry | None:
    """The entry with this edit applied and `updated` stamped; None when it changes nothing."""
    edit.check()
    cur = copy.deepcopy(entry.curation)
    cleared = set(CLEARABLE[:-1]) if "all" in edit.clear else set(edit.clear)
    for name in cleared:
        setattr(cur, name, None if name in ("section", "order") else [])
    found = sentences(entry.abstract) if edit.needs_one_entry() or "excerpt" in cleared else []
    if edit.excerpt is not None or edit.quotes:
        chosen = choose(found, parse_spec(edit.excerpt), entry.pmid) if edit.excerpt is not None else []
        chosen += [quote_passage(found, quote, entry.pmid) for quote in edit.quotes]
        cur.excerpt = _normalise(chosen, found, entry.pmid)
    for gloss in edit.glosses:
        fresh = Gloss(_squash(gloss.phrase), gloss.note.strip())
        cur.glosses = [g for g in cur.glosses if g.phrase != fresh.phrase] + [fresh]
    cur.notes = cur.notes + [note.strip() for note in edit.notes]
    tags = [t.strip() for t in edit.tags]
    untags = {t.strip() for t in edit.untags}
    cur.tags = [t for t in dict.fromkeys([*cur.tags, *tags]) if t not in untags]
    if edit.no_section:
        cur.section = None
    elif edit.section is not None:
        cur.section = edit.section.strip()
    if edit.order is not None:
        cur.order = edit.order
    changed = _stamped(entry, cur, stamp)
    if changed is not None and cur.glosses and (edit.needs_one_entry() or "excerpt" in cleared):
        _check_glosses(changed, found)
    return changed


# --- curation <-> the file layout -------------------------------------------


def curation_to_data(curation: Curation, *, spec: bool = False) -> dict[str, Any]:
    """One entry of the curation file: only fields that hold something, in file order.

    With `spec` the excerpt is a spec string (the edit document), else a list
    of passages with their texts (the curation file).
    """
    data: dict[str, Any] = {}
    if curation.section:
        data["section"] = curation.section
    if curation.order is not None:
        data["order"] = curation.order
    if curation.tags:
        data["tags"] = list(curation.tags)
    if curation.excerpt:
        data["excerpt"] = format_spec(curation.excerpt) if spec else [
            _passage_data(p) for p in curation.excerpt]
    if curation.glosses:
        data["glosses"] = [{"phrase": g.phrase, "note": g.note} for g in curation.glosses]
    if curation.notes:
        data["notes"] = list(curation.notes)
    return data


def _passage_data(passage: Passage) -> dict[str, Any]:
    data: dict[str, Any] = {"sentences": _span(passage.start, passage.end), "text": passage.text}
    if passage.elide_before:
        data["elide_before"] = True
    if passage.elide_after:
        data["elide_after"] = True
    return data


def curation_from_data(entry: Entry, data: Any, *, excerpt: list[Passage] | None = None) -> Curation:
    """The curation one entry of a curation file (or an edit document) describes, checked against the abstract.

    `excerpt`, when given, stands for the data's excerpt as it is (not re-checked).
    """
    pmid = entry.pmid
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise _fail(pmid, "the curation must be a mapping of " + ", ".join(FIELDS))
    unknown = [key for key in data if key not in FIELDS]
    if unknown:
        raise _fail(pmid, f"unknown field {unknown[0]!r} (fields: {', '.join(FIELDS)})")
    found = sentences(entry.abstract)
    cur = Curation(
        section=_optional_text(data.get("section"), pmid, "section"),
        order=_order(data.get("order"), pmid),
        tags=list(dict.fromkeys(_texts(data.get("tags"), pmid, "tags"))),
        excerpt=copy.deepcopy(excerpt) if excerpt is not None else _excerpt(data.get("excerpt"), found, pmid),
        glosses=_glosses(data.get("glosses"), pmid),
        notes=_texts(data.get("notes"), pmid, "notes"),
    )
    probe = copy.copy(entry)
    probe.curation = cur
    _check_glosses(probe, found)
    return cur


def _optional_text(value: Any, pmid: str, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _fail(pmid, f"`{name}` must be text")
    return value.strip() or None


def _order(value: Any, pmid: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _fail(pmid, f"`order` must be a whole number, 0 or more, not {value!r}")
    return value


def _texts(value: Any, pmid: str, name: str) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise _fail(pmid, f"`{name}` must be a list of text")
    texts = [v.strip() for v in items]
    if any(not t for t in texts):
        raise _fail(pmid, f"`{name}` holds an empty item")
    return texts


def _glosses(value: Any, pmid: str) -> list[Gloss]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(pmid, "`glosses` must be a list of {phrase, note}")
    glosses = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {"phrase", "note"}:
            raise _fail(pmid, f"each gloss must have exactly `phrase` and `note`, not {item!r}")
        phrase, note = item["phrase"], item["note"]
        if not isinstance(phrase, str) or not isinstance(note, str) or not phrase.strip() or not note.strip():
            raise _fail(pmid, f"a gloss needs a phrase and a note as text, not {item!r}")
        glosses.append(Gloss(_squash(phrase), note.strip()))
    return glosses


def _excerpt(value: Any, found: Sequence[Sentence], pmid: str) -> list[Passage]:
    if value is None or value == "" or value == []:
        return []
    try:
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return choose(found, parse_spec(str(value)), pmid)
        if not isinstance(value, list):
            raise InputError("`excerpt` must be a spec such as \"1-2, ...3-5\" or a list of passages")
        passages = [_excerpt_item(item, found, pmid) for item in value]
    except InputError as exc:
        message = str(exc)
        raise (exc if message.startswith("PMID ") else _fail(pmid, message)) from None
    return _normalise(passages, found, pmid)


def _excerpt_item(item: Any, found: Sequence[Sentence], pmid: str) -> Passage:
    if not isinstance(item, dict):
        run = _run_of(item, "excerpt")
        return _passage(found, run.start, run.end, pmid, run.elide_before, run.elide_after)
    unknown = [key for key in item if key not in ("sentences", "text", "elide_before", "elide_after")]
    if unknown or "sentences" not in item:
        raise InputError("each excerpt passage needs `sentences` and may have `text`, "
                         "`elide_before` and `elide_after`")
    run = _run_of(item["sentences"], "excerpt")
    flags = [item.get(name, False) for name in ("elide_before", "elide_after")]
    if not all(isinstance(flag, bool) for flag in flags):
        raise InputError("`elide_before` and `elide_after` must be true or false")
    passage = _passage(found, run.start, run.end, pmid,
                       run.elide_before or flags[0], run.elide_after or flags[1])
    text = item.get("text")
    if text is not None:
        if not isinstance(text, str):
            raise InputError(f"excerpt {_span(run.start, run.end)}: `text` must be text")
        if _squash(text) != passage.text:
            moved = _find_run(found, _squash(text))
            hint = (f" (that text is sentences {_span(*moved)} now)" if moved
                    else " (the abstract changed; see `lmscite show PMID --sentences`)")
            raise InputError(f"excerpt {_span(run.start, run.end)}: the text given does not match "
                             f"the abstract's sentences{hint}")
    return passage


def set_curation(entry: Entry, data: Any, stamp: str | None = None) -> Entry | None:
    """The entry with the curation `data` describes (whole), stamped; None when unchanged."""
    return _stamped(entry, curation_from_data(entry, data), stamp)


# --- the curation file ------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Block scalars for long text, so curation files read and diff well in git."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text else (">" if len(text) > _FOLD_AT else None)
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


def _represent_none(dumper: yaml.SafeDumper, _value: None) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:null", "")


_Dumper.add_representer(str, _represent_text)
_Dumper.add_representer(type(None), _represent_none)


class _Loader(yaml.SafeLoader):
    """Safe loading that refuses a key given twice, which YAML would settle silently by the last one."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value_node in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if isinstance(key, (str, int)) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} is given twice", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=_WIDTH)


def file_format(name: str) -> str:
    """The format a curation file's name asks for: yaml (also stdin and unknown names), json or toml."""
    lowered = name.lower()
    if lowered.endswith(".json"):
        return "json"
    if lowered.endswith(".toml"):
        return "toml"
    return "yaml"


def parse_document(raw: bytes, fmt: str, name: str) -> Any:
    """A curation file's (or edit document's) data; an InputError naming the file when unreadable."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{name}: not UTF-8 text") from None
    try:
        if fmt == "json":
            return json.loads(text) if text.strip() else None
        if fmt == "toml":
            if sys.version_info >= (3, 11):
                import tomllib
            else:
                import tomli as tomllib

            return tomllib.loads(text)
        return yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"{name}: not valid YAML{where}: {problem}") from None
    except ValueError as exc:
        raise InputError(f"{name}: not valid {fmt.upper()}: {exc}") from None


@dataclass
class ApplyReport:
    """What applying a curation file changed (or would change)."""

    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    settings: list[str] = field(default_factory=list)

    def summary(self, dry_run: bool = False) -> str:
        verb = "would update" if dry_run else "updated"
        text = (f"{verb} {len(self.updated)} entr{'y' if len(self.updated) == 1 else 'ies'}, "
                f"{len(self.unchanged)} unchanged")
        if self.settings:
            text += f"; {'would set' if dry_run else 'set'} {', '.join(self.settings)}"
        return text


def apply_document(view: LibraryView, document: Any, name: str, *, dry_run: bool = False,
                   stamp: str | None = None) -> ApplyReport:
    """Check the whole curation file against the library, then apply it (unless `dry_run`).

    Nothing changes unless everything is valid; call inside one
    `Library.transaction` so that it is one write.
    """
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise InputError(f"{name}: a curation file is a mapping with {', '.join(FILE_KEYS)}")
    unknown = [key for key in document if key not in FILE_KEYS]
    if unknown:
        raise InputError(f"{name}: unknown key {unknown[0]!r} (keys: {', '.join(FILE_KEYS)})")
    settings = _settings(document, name)
    stamp = stamp or now()
    report = ApplyReport()
    changed: list[Entry] = []
    problems: list[str] = []
    for pmid, data in _entries_of(document, name).items():
        entry = view.get(pmid)
        if entry is None:
            problems.append(f"PMID {pmid} is not in the library; add it with `lmscite fetch {pmid}`")
            continue
        try:
            updated = set_curation(entry, data, stamp)
        except InputError as exc:
            problems.append(str(exc))
            continue
        (report.updated if updated else report.unchanged).append(pmid)
        if updated:
            changed.append(updated)
    if problems:
        more = f" (and {_plural(len(problems) - 1, 'more problem')})" if len(problems) > 1 else ""
        raise InputError(f"{name}: {problems[0]}{more}; nothing was changed")
    if META_SECTION_ORDER in settings:
        _check_order_known(view, settings[META_SECTION_ORDER] or [], changed)
    meta = view.meta()
    report.settings = [key for key, value in settings.items() if meta.get(key) != value]
    if not dry_run:
        view.replace(changed)
        for key in report.settings:
            view.set_meta(key, settings[key])
    return report


def _settings(document: dict[str, Any], name: str) -> dict[str, Any]:
    """The library settings the file sets: meta key -> value (None clears)."""
    settings: dict[str, Any] = {}
    if "page" in document:
        page = document["page"] or {}
        if not isinstance(page, dict) or any(k not in PAGE_KEYS for k in page):
            raise InputError(f"{name}: `page` holds only {', '.join(PAGE_KEYS)}")
        if any(v is not None and not isinstance(v, str) for v in page.values()):
            raise InputError(f"{name}: the values of `page` must be text")
        kept = {k: page[k].strip() for k in PAGE_KEYS if page.get(k) and page[k].strip()}
        settings[META_PAGE] = kept or None
    if "sections" in document:
        names = document["sections"] or []
        if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
            raise InputError(f"{name}: `sections` must be a list of section names")
        names = [n.strip() for n in names]
        duplicate = next((n for n, count in Counter(names).items() if count > 1), None)
        if duplicate:
            raise InputError(f"{name}: section {duplicate!r} is listed twice in `sections`")
        settings[META_SECTION_ORDER] = names or None
    if "searches" in document:
        searches = document["searches"] or {}
        if not isinstance(searches, dict) or not all(
                isinstance(k, str) and k.strip() and isinstance(v, str) and v.strip()
                for k, v in searches.items()):
            raise InputError(f"{name}: `searches` maps a name to a PubMed query, both text")
        settings[META_SEARCHES] = {k.strip(): v.strip() for k, v in sorted(searches.items())} or None
    return settings


def _entries_of(document: dict[str, Any], name: str) -> dict[str, Any]:
    entries = document.get("entries") or {}
    if not isinstance(entries, dict):
        raise InputError(f"{name}: `entries` maps each PMID to its curation")
    out: dict[str, Any] = {}
    for key, data in entries.items():
        pmid = normalise_pmid(str(key)) if isinstance(key, (str, int)) and not isinstance(key, bool) else None
        if pmid is None:
            raise InputError(f"{name}: {key!r} under `entries` is not a PMID")
        if pmid in out:
            raise InputError(f"{name}: PMID {pmid} is listed twice under `entries`")
        out[pmid] = data
    return out


def _check_order_known(view: LibraryView, names: Sequence[str], changed: Sequence[Entry]) -> None:
    known = set(_section_counts(view, changed))
    missing = [n for n in names if n not in known]
    if missing:
        hint = ", ".join(sorted(known)) or "none yet"
        raise InputError(f"no entry is in the section {missing[0]!r}, so it cannot be ordered "
                         f"(sections: {hint}); nothing was changed")


def page_sort_key(section_order: Sequence[str]) -> Callable[[Entry], tuple[Any, ...]]:
    """Page order: sections in the stored order, then others by name, then no section; order; PMID."""
    rank = {name: index for index, name in enumerate(section_order)}

    def key(entry: Entry) -> tuple[Any, ...]:
        cur = entry.curation
        if cur.section is None:
            section: tuple[Any, ...] = (2, 0, "")
        elif cur.section in rank:
            section = (0, rank[cur.section], "")
        else:
            section = (1, 0, cur.section.casefold())
        order = (0, cur.order) if cur.order is not None else (1, 0)
        return (*section, *order, int(entry.pmid))

    return key


def document_data(view: LibraryView) -> dict[str, Any]:
    """The library's curation in the curation-file layout."""
    meta = view.meta()
    data: dict[str, Any] = {}
    page = meta.get(META_PAGE) or {}
    if page:
        data["page"] = {k: page[k] for k in PAGE_KEYS if page.get(k)}
    if meta.get(META_SECTION_ORDER):
        data["sections"] = list(meta[META_SECTION_ORDER])
    if meta.get(META_SEARCHES):
        data["searches"] = dict(sorted(meta[META_SEARCHES].items()))
    curated = [e for e in view.entries() if not e.curation.is_empty()]
    curated.sort(key=page_sort_key(meta.get(META_SECTION_ORDER) or []))
    data["entries"] = {e.pmid: curation_to_data(e.curation) for e in curated}
    return data


def dump_document(view: LibraryView, fmt: str = "yaml") -> str:
    """The curation file for this library, in YAML or JSON."""
    data = document_data(view)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt != "yaml":
        raise InputError(f"cannot write curation as {fmt!r} (choose yaml or json)")
    return _yaml(data)


def format_curation(curation: Curation) -> str:
    """One entry's curation as YAML in the curation-file layout, for showing it."""
    data = curation_to_data(curation)
    return _yaml(data) if data else "{}\n"


# --- the --edit document ----------------------------------------------------


_EDIT_HELP = """\
Edit the curation below and save to apply it; save it unchanged, or with only
these comment lines left, to change nothing; replace it by {} to clear it all.
  section: the heading the entry stands under;  order: its place there (1, 2, ...)
  excerpt: sentence numbers, e.g. "1-2, ...3-5": "..." before or after a range
           shows "..." where text was skipped that the abstract does not show
  glosses: inline notes, shown as "PHRASE [NOTE Ed.]" after the phrase
  notes:   editorial notes after the excerpt (Markdown allowed)"""


def edit_document(entry: Entry) -> str:
    """The readable document `annotate --edit` opens: sentences as comments, then the curation."""
    lines = [f"# lmscite annotate {entry.pmid} --edit",
             *("# " + line for line in textwrap.wrap(markup.plain(entry.title), 96)), "#"]
    found = sentences(entry.abstract)
    lines.append("# The abstract's sentences (read-only):" if found else "# (no abstract)")
    label = None
    for sentence in found:
        if sentence.label and sentence.label != label:
            lines.append(f"#   {sentence.label}:")
            label = sentence.label
        wrapped = textwrap.wrap(sentence.text, 90) or [""]
        lines.append(f"#   {sentence.number:>3}  {wrapped[0]}")
        lines.extend(f"#        {more}" for more in wrapped[1:])
    lines.append("#")
    lines.extend("# " + line for line in _EDIT_HELP.splitlines())
    data = curation_to_data(entry.curation, spec=True)
    shown = {name: data.get(name, [] if name in ("tags", "glosses", "notes") else None)
             for name in FIELDS}
    if shown["excerpt"] is None:
        shown["excerpt"] = ""
    return "\n".join(lines) + "\n\n" + _yaml(shown)


def parse_edit_document(entry: Entry, text: str) -> Curation | None:
    """The curation an edited document asks for; None when it changes nothing."""
    if not any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines()):
        return None
    data = parse_document(text.encode(), "yaml", "the edited document")
    kept = entry.curation.excerpt if _same_spec(data, entry.curation.excerpt) else None
    new = curation_from_data(entry, data, excerpt=kept)
    return None if editable(new) == editable(entry.curation) else new


def _same_spec(data: Any, passages: Sequence[Passage]) -> bool:
    """Whether the document left the excerpt's spec as it was: then the stored passages stay as they are.

    Re-resolving an untouched spec would silently requote an excerpt whose
    abstract changed since; left alone, the drift stays visible.
    """
    value = data.get("excerpt") if isinstance(data, dict) else None
    if not passages or isinstance(value, bool) or not isinstance(value, (str, int)):
        return False
    try:
        return parse_spec(str(value)) == [Run(p.start, p.end, p.elide_before, p.elide_after) for p in passages]
    except InputError:
        return False


def apply_curation(entry: Entry, new: Curation, stamp: str | None = None) -> Entry | None:
    """The entry with the curation `parse_edit_document` returned, stamped; None when unchanged."""
    return _stamped(entry, copy.deepcopy(new), stamp)


# --- sections ---------------------------------------------------------------


def _section_counts(view: LibraryView, changed: Sequence[Entry] = ()) -> Counter[str]:
    overrides = {e.pmid: e.curation.section for e in changed}
    counts: Counter[str] = Counter()
    for pmid in view.pmids():
        section = overrides[pmid] if pmid in overrides else (
            (view.raw(pmid) or {}).get("curation", {}).get("section"))
        if section:
            counts[section] += 1
    return counts


def sections_list(view: LibraryView) -> list[tuple[str, int]]:
    """(section, entries) in page order: the stored order first, then the others by name."""
    counts = _section_counts(view)
    stored = [name for name in view.meta().get(META_SECTION_ORDER) or [] if name in counts]
    rest = sorted((name for name in counts if name not in stored), key=str.casefold)
    return [(name, counts[name]) for name in [*stored, *rest]]


def rename_section(view: LibraryView, old: str, new: str, stamp: str | None = None) -> int:
    """Rename a section in every entry and in the stored order; returns the entries renamed."""
    new = new.strip()
    if not new:
        raise InputError("the new section name is empty")
    order = list(view.meta().get(META_SECTION_ORDER) or [])
    holders = [p for p in view.pmids() if (view.raw(p) or {}).get("curation", {}).get("section") == old]
    if not holders and old not in order:
        known = ", ".join(name for name, _count in sections_list(view)) or "none yet"
        raise InputError(f"no section is named {old!r} (sections: {known})")
    moved = []
    stamp = stamp or now()
    for pmid in holders:
        entry = view.get(pmid)
        assert entry is not None
        cur = copy.deepcopy(entry.curation)
        cur.section = new
        changed = _stamped(entry, cur, stamp)
        if changed is not None:
            moved.append(changed)
    view.replace(moved)
    if old in order:
        renamed = [new if name == old else name for name in order]
        view.set_meta(META_SECTION_ORDER, list(dict.fromkeys(renamed)))
    return len(moved)


def set_section_order(view: LibraryView, names: Sequence[str]) -> None:
    """Store the order sections appear in on pages; every name must have entries. Empty clears it."""
    cleaned = [n.strip() for n in names]
    duplicate = next((n for n, count in Counter(cleaned).items() if count > 1), None)
    if duplicate:
        raise InputError(f"section {duplicate!r} is named twice")
    _check_order_known(view, cleaned, ())
    view.set_meta(META_SECTION_ORDER, cleaned or None)
