"""Reading what earlier lmscite wrote: each stored layout converted, without loss, to today's.

Schema 1 stored an excerpt as runs of whole sentences (`{start, end, text,
elide_before, elide_after}`, sentences numbered from 1) and glosses apart,
each placed after the first place its phrase stood in the excerpt.  Schema 2
stores the excerpt as the pieces the page shows (`lmscite.model.Piece`): each
run becomes one quote anchored in the abstract's plain text, the "..." the
page showed become gap pieces, and each gloss becomes a gloss piece right
after its phrase.

Nothing is lost: a run whose text no longer stands in the abstract (the
abstract changed after it was quoted) keeps its text, unanchored, and is
reported as drifted; a gloss whose phrase is no longer in the excerpt keeps
its note at the end of the excerpt, with a flag that says so.  Anything that
is not in schema 1's shape is left as it is, for the library's checks to name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lmscite.anchor import AbstractText, Anchor, abstract_text_of

GAP = {"kind": "gap", "text": "..."}
MOVED_GLOSS = ("gloss {note!r} stood after {phrase!r}, which is no longer in the excerpt; "
               "it now stands at its end (schema 2)")


def entry_v1(doc: Any) -> Any:
    """A schema-1 entry's JSON as schema 2 stores it (a new dict; `doc` is not changed)."""
    if type(doc) is not dict or type(doc.get("curation")) is not dict:
        return doc
    curation = doc["curation"]
    passages, glosses = curation.get("excerpt", []), curation.get("glosses", [])
    if not passages and not glosses:
        return doc
    if not (_is_list_of(passages, _is_passage) and _is_list_of(glosses, _is_gloss)):
        return doc
    sections = [section.get("text", "") for section in doc.get("abstract", {}).get("sections", [])
                if type(section) is dict]
    if not all(type(text) is str for text in sections):
        return doc
    text = abstract_text_of(sections)
    pieces = pieces_of_passages(text, passages)
    if glosses and not pieces and text.text:
        pieces = [quote(text.span(0, len(text.text)))]
    flags = list(curation.get("flags", []))
    pieces = place_glosses(text, pieces, glosses, flags)
    upgraded = {key: value for key, value in curation.items() if key != "glosses"}
    upgraded["excerpt"] = pieces
    if flags:
        upgraded["flags"] = flags
    if not pieces:
        upgraded.pop("excerpt")
    return {**doc, "curation": upgraded}


def _is_list_of(value: Any, test: Any) -> bool:
    return type(value) is list and all(test(item) for item in value)


def _is_passage(item: Any) -> bool:
    return (type(item) is dict and type(item.get("start")) is int and type(item.get("end")) is int
            and type(item.get("text")) is str)


def _is_gloss(item: Any) -> bool:
    return type(item) is dict and type(item.get("phrase")) is str and type(item.get("note")) is str


def quote(anchor: Anchor) -> dict[str, Any]:
    return {"kind": "quote", "text": anchor.exact, "prefix": anchor.prefix, "suffix": anchor.suffix,
            "start": anchor.start, "end": anchor.end}


def pieces_of_passages(text: AbstractText, passages: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sentence runs as quotes, with "..." wherever schema 1's page showed it.

    The page showed "..." before the first run unless it began the abstract,
    between runs that were not adjacent, after the last unless it ended the
    abstract, and wherever the curator marked one (`elide_before`/`elide_after`).
    """
    pieces: list[dict[str, Any]] = []
    cursor = 0
    previous: tuple[dict[str, Any], Anchor | None] | None = None
    for passage in passages:
        anchor = text.find(passage["text"], cursor)
        if anchor is not None and previous is None and text.text[:anchor.start].strip():
            gap = True
        elif previous is None:
            gap = passage.get("elide_before", False) or (anchor is None and passage["start"] > 1)
        else:
            before, before_anchor = previous
            if anchor is not None and before_anchor is not None:
                skipped = bool(text.text[before_anchor.end:anchor.start].strip())
            else:
                skipped = passage["start"] > before["end"] + 1
            gap = skipped or before.get("elide_after", False) or passage.get("elide_before", False)
        if gap:
            pieces.append(dict(GAP))
        if anchor is None:
            pieces.append({"kind": "quote", "text": " ".join(passage["text"].split()), "start": 0, "end": 0})
        else:
            pieces.append(quote(anchor))
            cursor = anchor.end
        previous = (passage, anchor)
    if previous is not None:
        last, last_anchor = previous
        after = text.text[last_anchor.end:].strip() if last_anchor is not None else True
        if after or last.get("elide_after", False):
            pieces.append(dict(GAP))
    return pieces


def place_glosses(text: AbstractText, pieces: list[dict[str, Any]], glosses: Sequence[dict[str, str]],
                  flags: list[str]) -> list[dict[str, Any]]:
    """Each gloss as a piece right after the first place its phrase stands in a quote."""
    placed = list(pieces)
    for gloss in glosses:
        phrase, note = " ".join(gloss["phrase"].split()), gloss["note"].strip()
        for index, piece in enumerate(placed):
            at = piece["text"].find(phrase) if piece["kind"] == "quote" else -1
            if at < 0 or not phrase:
                continue
            cut = at + len(phrase)
            placed[index:index + 1] = _split(text, piece, cut) + [{"kind": "gloss", "text": note}]
            tail = piece["text"][cut:]
            if tail.strip():
                placed.insert(index + 2, _tail(text, piece, cut))
            break
        else:
            placed.append({"kind": "gloss", "text": note})
            flags.append(MOVED_GLOSS.format(note=note, phrase=phrase))
    return placed


def _split(text: AbstractText, piece: dict[str, Any], cut: int) -> list[dict[str, Any]]:
    """The quote up to `cut` characters into it."""
    if piece.get("end", 0) > piece.get("start", 0):
        return [quote(text.span(piece["start"], piece["start"] + cut))]
    return [{**piece, "text": piece["text"][:cut].strip()}]


def _tail(text: AbstractText, piece: dict[str, Any], cut: int) -> dict[str, Any]:
    """The quote from `cut` characters into it; it closes up to the gloss before it when schema 1's page did."""
    if piece.get("end", 0) > piece.get("start", 0):
        tail = quote(text.span(piece["start"] + cut, piece["end"]))
    else:
        tail = {**piece, "text": piece["text"][cut:].strip()}
    first = tail["text"][:1]
    if first and not first.isalnum():
        tail["glued"] = True
    return tail
