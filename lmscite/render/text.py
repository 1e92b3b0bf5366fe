"""The readable terminal view of `lmscite show`: the page's entry layout, as plain text."""

from __future__ import annotations

import textwrap

from lmscite import markup
from lmscite.citation import author_line, citation_line, second_title, shown_title
from lmscite.model import Entry
from lmscite.render import ExportOptions

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
    if cur.excerpt:
        from lmscite.curation.written import written_form

        lines.extend(_wrap(f"Excerpt: {paragraph}" if number == 0 else f"         {paragraph}")
                     for number, paragraph in enumerate(written_form(cur.excerpt).split("\n\n")))
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


def _plain_note(source: str) -> str:
    return f"[Ed. {' '.join(source.split())}]"


def render_page_entry(entry: Entry, options: ExportOptions | None = None) -> str:
    """The entry exactly as the exported page shows it, in plain text: `lmscite show PMID --page`.

    It is laid out by the page's own code (`render.page.entry_view`), so the
    excerpt, its glosses, insertions and paragraph breaks, the notes and the
    warnings read here as a reader will read them on the page.
    """
    from lmscite.render.page import Flavour, entry_view

    flavour = Flavour(fragment=lambda value: " ".join(markup.plain(value).split()), text=lambda value: value,
                      markdown=lambda value: value, note=_plain_note, gloss=lambda value: f"[{value} Ed.]",
                      safe=lambda value: value)
    view = entry_view(entry, options or ExportOptions(), flavour)
    lines = [view.citation, _wrap(view.title)]
    if view.vernacular_title:
        lines.append(_wrap(view.vernacular_title))
    if view.authors:
        lines.append(_wrap(view.authors))
    lines.extend(_wrap(affiliation) for affiliation in view.affiliations)
    blocks = ["\n".join(lines)]
    if view.retracted:
        blocks.append("Retracted publication. Do not rely on its findings.")
    blocks.extend(_wrap(f"{n.label}:" + (f" {n.source}" if n.source else "") + (f" PMID: {n.pmid}" if n.pmid else ""))
                  for n in view.notices)
    blocks.extend(_wrap(f"{p.label}: {p.text}" if p.label else p.text) for p in view.body)
    if view.copyright:
        blocks.append(_wrap(view.copyright))
    blocks.extend(_wrap(note) for note in view.notes)
    if view.publication_types:
        blocks.append(" · ".join(view.publication_types))
    if view.tags:
        blocks.append("Tags: " + ", ".join(view.tags))
    blocks.append(" · ".join([f"PMID: {view.pmid}", *([f"DOI: {view.doi}"] if view.doi else []),
                              *([view.pmcid] if view.pmcid else [])]))
    return "\n\n".join(blocks)
