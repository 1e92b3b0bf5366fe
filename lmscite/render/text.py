"""The readable terminal view of `lmscite show`: the page's entry layout, as plain text."""

from __future__ import annotations

import textwrap

from lmscite import markup
from lmscite.citation import author_line, citation_line, second_title, shown_title
from lmscite.model import Entry

WIDTH = 100


def _wrap(text: str, indent: str = "") -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent)


def render_entry(entry: Entry) -> str:
    """Citation, title, authors, affiliation, abstract, ids and curation, as the page shows them."""
    lines = [citation_line(entry), _wrap(markup.plain(shown_title(entry)))]
    vernacular = second_title(entry)
    if vernacular:
        lines.append(_wrap(markup.plain(vernacular)))
    authors = author_line(entry)
    if authors:
        lines.append(_wrap(authors + "."))
    affiliation = next((a.affiliations[0] for a in entry.authors if a.affiliations), None)
    if affiliation:
        lines.append(_wrap(affiliation))
    lines.append("")
    for section in entry.abstract.sections:
        text = markup.plain(section.text)
        lines.append(_wrap(f"{section.label}: {text}" if section.label else text))
    if entry.abstract.copyright:
        lines.append(_wrap(markup.plain(entry.abstract.copyright)))
    if entry.publication_types:
        lines.append("Publication types: " + ", ".join(entry.publication_types))
    for link in entry.corrections:
        lines.append(f"{link.kind}: {link.source or ''}{f' PMID: {link.pmid}' if link.pmid else ''}".strip())
    ids = [f"PMID: {entry.pmid}"] + ([f"DOI: {entry.doi}"] if entry.doi else []) + (
        [f"PMCID: {entry.pmcid}"] if entry.pmcid else [])
    lines.append("  ".join(ids))
    lines.extend(_curation_lines(entry))
    return "\n".join(lines)


def _curation_lines(entry: Entry) -> list[str]:
    cur = entry.curation
    lines = []
    if cur.section:
        lines.append(f"Section: {cur.section}" + (f" (order {cur.order})" if cur.order is not None else ""))
    if cur.tags:
        lines.append("Tags: " + ", ".join(cur.tags))
    for passage in cur.excerpt:
        span = str(passage.start) if passage.start == passage.end else f"{passage.start}-{passage.end}"
        lines.append(_wrap(f"Excerpt [{span}]: {passage.text}"))
    for gloss in cur.glosses:
        lines.append(_wrap(f"Gloss: {gloss.phrase} [{gloss.note} Ed.]"))
    for note in cur.notes:
        lines.append(_wrap(f"Note: {note}"))
    for flag in cur.flags:
        lines.append(f"Warning: {flag}")
    return lines


def render_sentences(entry: Entry) -> str:
    """The abstract's sentences, numbered for `annotate --excerpt`, with section labels."""
    from lmscite.curation.sentences import sentences

    lines = [f"PMID {entry.pmid}: {markup.plain(shown_title(entry))}"]
    label = None
    found = sentences(entry.abstract)
    if not found:
        lines.append("(no abstract)")
    for sentence in found:
        if sentence.label and sentence.label != label:
            lines.append(f"{sentence.label}:")
            label = sentence.label
        lines.append(textwrap.fill(sentence.text, WIDTH, initial_indent=f"{sentence.number:>3}  ",
                                   subsequent_indent="     "))
    return "\n".join(lines)
