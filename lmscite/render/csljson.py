"""CSL-JSON: the item list citeproc-js, citeproc-py, pandoc and Zotero read.

Each item's `id` is `pmid:<PMID>`, stable whatever else is exported with it
(pandoc cites it as `@pmid:10749609`); `citation-key` is the key the BibTeX
export gives the same entry in the same selection (`Lang2000`).  Types are
article-journal, book and chapter.  Titles keep PubMed's italics, bold,
superscripts and subscripts as CSL's own `<i> <b> <sup> <sub>` markup, MathML
as its text.  A season (`Spring`, or `Nov-Dec` of a MedlineDate) is the
date's `season`, beside the year.  Curation travels in `note` (one line per
note, then the excerpt and the section) and `keyword` (the tags).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any, Sequence

from lmscite import markup
from lmscite.citation import shown_title
from lmscite.model import Author, Entry
from lmscite.render import ExportOptions
from lmscite.render.bibtex import cite_keys
from lmscite.render.reference import (
    abstract_text,
    curation_notes,
    date_parts,
    is_chapter,
    journal_abbreviation,
    journal_title,
    one_line,
    page_text,
    people,
    plain,
    pubmed_url,
    season,
)

_RICH = frozenset({"i", "b", "sup", "sub"})


def render(entries: Sequence[Entry], options: ExportOptions) -> str:
    return json.dumps(items(entries, options), ensure_ascii=False, indent=2) + "\n"


def items(entries: Sequence[Entry], options: ExportOptions) -> list[dict[str, Any]]:
    return [item(entry, key, options) for entry, key in zip(entries, cite_keys(entries))]


def csl_type(entry: Entry) -> str:
    if entry.kind != "book":
        return "article-journal"
    return "chapter" if is_chapter(entry) else "book"


def rich_text(fragment: str | None) -> str:
    """A fragment in CSL's HTML-like markup: `<i> <b> <sup> <sub>` kept, other tags reduced to text."""
    if not fragment:
        return ""
    try:
        root = ET.fromstring(f"<f>{fragment}</f>")
    except ET.ParseError:
        return plain(fragment)
    return one_line(_rich_children(root))


def _rich_children(node: ET.Element) -> str:
    out = [node.text or ""]
    for child in node:
        tag = child.tag.rsplit("}", 1)[-1]
        if tag in markup.MATHML:
            out.append("".join(child.itertext()))
        else:
            inner = _rich_children(child)
            out.append(f"<{tag}>{inner}</{tag}>" if tag in _RICH and inner.strip() else inner)
        out.append(child.tail or "")
    return "".join(out)


def name(author: Author) -> dict[str, str]:
    if author.collective_name:
        return {"literal": one_line(author.collective_name)}
    found = {"family": one_line(author.last_name or ""),
             "given": one_line(author.fore_name or author.initials or ""),
             "suffix": one_line(author.suffix or "")}
    return {part: value for part, value in found.items() if value}


def issued(entry: Entry) -> dict[str, Any] | None:
    parts = date_parts(entry)
    if not parts:
        return None
    date: dict[str, Any] = {"date-parts": [parts]}
    named = season(entry)
    if named:
        date["season"] = named
    return date


def item(entry: Entry, key: str, options: ExportOptions) -> dict[str, Any]:
    book = entry.book
    journal = entry.journal
    found: dict[str, Any] = {
        "id": f"pmid:{entry.pmid}",
        "citation-key": key,
        "type": csl_type(entry),
        "title": rich_text(shown_title(entry)),
        "author": [name(a) for a in people(entry.authors)],
        "editor": [name(a) for a in people(book.editors)] if book else [],
    }
    if journal:
        found["container-title"] = journal_title(entry)
        found["container-title-short"] = journal_abbreviation(entry)
        found["ISSN"] = one_line(journal.issn or journal.issn_linking or "")
    if book:
        if is_chapter(entry):
            found["container-title"] = rich_text(book.title)
        found["collection-title"] = rich_text(book.collection_title)
        found["edition"] = one_line(book.edition or "")
        found["publisher"] = one_line(book.publisher or "")
        found["publisher-place"] = one_line(book.publisher_location or "")
        found["ISBN"] = one_line(" ".join(book.isbns))
    found.update({
        "issued": issued(entry),
        "volume": one_line((book.volume if book else None) or entry.volume or ""),
        "issue": one_line(entry.issue or ""),
        "page": page_text(entry, "-"),
        "DOI": one_line(entry.doi or ""),
        "PMID": entry.pmid,
        "PMCID": entry.pmcid,
        "abstract": abstract_text(entry) if options.abstract != "none" else None,
        "URL": pubmed_url(entry),
        "note": "\n".join(curation_notes(entry)),
        "keyword": ", ".join(one_line(t) for t in entry.curation.tags if t.strip()),
    })
    return {field: value for field, value in found.items() if value}
