"""BibTeX: one @article, @book, @incollection or @inbook per entry, with the curation carried along.

Keys are `Lang2000`: the first author's last name (or a collective's first
significant word) folded to ASCII letters and digits, then the year; later
entries with the same key get `a`, `b`, ... in page order.

Every value is LaTeX: the specials `# $ % & ~ _ ^ \\ { }` are escaped (braces
and backslash as `\\textbraceleft{}` and friends, because BibTeX counts a
brace even after a backslash), so are `< > |` (which the default OT1 font
encoding prints as other glyphs), line breaks are spaces, and PubMed's inline
markup becomes `\\textit{}`, `\\textbf{}`, `\\textsuperscript{}`,
`\\textsubscript{}` (MathML as its text).  Nothing in a record can end a
field or an entry early.  PubMed's `--` is left for LaTeX to set as a dash.
Other Unicode is written as UTF-8, which biber, bibtexparser and pybtex read
and LaTeX reads with `inputenc` (the default since 2018) or natively in
XeLaTeX/LuaLaTeX; classic 8-bit bibtex may sort it oddly.

Field names follow biblatex where BibTeX has none: `doi`, `pmid`, `pmcid`,
`issn`, `isbn`, `abstract`, `keywords` (tags, MeSH, author keywords), `note`
(curator's notes, excerpt and section) and `groups` (the section, the field
JabRef groups by).  Chapters use biblatex's `booktitle` for the book.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from typing import Sequence

from lmscite import markup
from lmscite.citation import shown_title
from lmscite.model import MONTHS, Author, Entry, month_number
from lmscite.render import ExportOptions
from lmscite.render.reference import (
    curation_notes,
    is_chapter,
    journal_title,
    one_line,
    page_text,
    people,
    subject_terms,
)

_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "#": r"\#",
    "$": r"\$",
    "%": r"\%",
    "&": r"\&",
    "~": r"\textasciitilde{}",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}
_SPECIAL = re.compile(r"[\\{}#$%&~_^<>|]")
_COMMANDS = {"i": r"\textit", "b": r"\textbf", "u": r"\underline",
             "sup": r"\textsuperscript", "sub": r"\textsubscript"}
_FOLD = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe",
                       "Œ": "OE", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D",
                       "þ": "th", "Þ": "Th", "ı": "i"})
_ARTICLES = frozenset({"the", "a", "an"})
_WORD = re.compile(r"([(\[\"'“‘]*)(\S*?)([.,:;!?)\]\"'”’]*)(?=\s|$)")
_VERBATIM_UNSAFE = re.compile(r"[{}\\\s%#]")


def render(entries: Sequence[Entry], options: ExportOptions) -> str:
    keys = cite_keys(entries)
    return "\n".join(_record(entry, key, options) for entry, key in zip(entries, keys))


def latex(text: str) -> str:
    """Plain text as LaTeX that keeps its characters and cannot unbalance a BibTeX field."""
    return _SPECIAL.sub(lambda m: _SPECIALS[m.group()], one_line(text))


def fragment_latex(fragment: str, protect_case: bool = False) -> str:
    """A markup fragment as LaTeX; with `protect_case`, words with capitals are braced.

    PubMed keeps titles in the case the journal printed, mostly sentence
    case, so a capital after the first letter marks a name or an acronym;
    bracing it stops styles that lowercase titles from printing "dna".
    """
    state = {"first": True}
    try:
        root = ET.fromstring(f"<f>{fragment}</f>")
    except ET.ParseError:
        return _latex_text(markup.plain(fragment), protect_case, state).strip()
    return _latex_children(root, protect_case, state).strip()


def _latex_children(node: ET.Element, protect: bool, state: dict[str, bool]) -> str:
    out = [_latex_text(node.text, protect, state)]
    for child in node:
        tag = child.tag.rsplit("}", 1)[-1]
        if tag in markup.MATHML:
            out.append(_latex_text("".join(child.itertext()), protect, state))
        else:
            inner = _latex_children(child, protect, state)
            command = _COMMANDS.get(tag)
            out.append(f"{command}{{{inner}}}" if command and inner.strip() else inner)
        out.append(_latex_text(child.tail, protect, state))
    return "".join(out)


def _latex_text(text: str | None, protect: bool, state: dict[str, bool]) -> str:
    if not text:
        return ""
    lead = " " if text[:1].isspace() else ""
    trail = " " if text[-1:].isspace() and text.strip() else ""
    body = latex(text)
    if protect and body:
        body = _protect(body, state["first"])
        state["first"] = False
    return f"{lead}{body}{trail}" if body else lead


def _protect(text: str, first: bool) -> str:
    def brace(match: re.Match[str]) -> str:
        lead, word, trail = match.groups()
        capitals = word[1:] if first and match.start() == 0 else word
        if word and word[0] != "\\" and any(c.isupper() for c in capitals):
            word = f"{{{word}}}"
        return f"{lead}{word}{trail}"

    return _WORD.sub(brace, text)


def ascii_word(text: str) -> str:
    """Letters and digits only, accents dropped: what a key may hold on every BibTeX."""
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(ch for ch in folded if ch.isascii() and ch.isalnum())


def _key_name(entry: Entry) -> str:
    names = people(entry.authors) or (people(entry.book.editors) if entry.book else [])
    for author in names[:1]:
        if author.collective_name:
            words = [ascii_word(w) for w in author.collective_name.split()]
            significant = [w for w in words if w and w.lower() not in _ARTICLES]
            return (significant or [w for w in words if w] or [""])[0]
        return ascii_word(author.last_name or "")
    return ""


def base_key(entry: Entry) -> str:
    """`Lang2000`; `pmid10749609` when no name folds to ASCII."""
    name = _key_name(entry)
    if not name:
        return f"pmid{ascii_word(entry.pmid)}"
    year = entry.year if entry.year and entry.year.isdigit() else ""
    return f"{name}{year}"


def cite_keys(entries: Sequence[Entry]) -> list[str]:
    """One key per entry, unique ignoring case (as BibTeX compares them)."""
    taken: set[str] = set()
    keys = []
    for entry in entries:
        base = base_key(entry)
        key, n = base, 0
        while key.lower() in taken:
            key = base + _suffix(n)
            n += 1
        taken.add(key.lower())
        keys.append(key)
    return keys


def _suffix(n: int) -> str:
    """a, b, ..., z, aa, ab, ..."""
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def _name_part(text: str) -> str:
    """A name part; braced when a comma or a lone "and" would split it."""
    value = latex(text)
    if "," in value or re.search(r"(?i)(^|\s)and(\s|$)", value):
        return f"{{{value}}}"
    return value


def name(author: Author) -> str:
    """`Last, Fore`, `Last, Jr, Fore`, or a collective as `{Name}` so it stays one name."""
    if author.collective_name:
        return f"{{{latex(author.collective_name)}}}"
    parts = [_name_part(author.last_name or "")]
    if author.suffix:
        parts.append(_name_part(author.suffix))
    given = _given(author)
    if given:
        parts.append(_name_part(given))
    elif author.suffix:
        parts.append("")
    return ", ".join(parts)


def _given(author: Author) -> str | None:
    """Given names; bare initials as `K. T.`, since BibTeX styles would shorten `KT` to `K.`."""
    given = author.fore_name or author.initials
    if given and given == author.initials and given.isalpha() and given.isupper():
        return " ".join(f"{letter}." for letter in given)
    return given


def names(authors: list[Author]) -> str:
    return " and ".join(name(a) for a in people(authors))


def verbatim(text: str) -> str:
    """A DOI as biblatex reads it, verbatim: only characters that break a field or `\\url` encoded."""
    return _VERBATIM_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()),
                                text.strip())


def _keyword(term: str) -> str:
    value = latex(term)
    return f"{{{value}}}" if "," in value else value


def entry_type(entry: Entry) -> str:
    if entry.kind != "book":
        return "article"
    if not is_chapter(entry):
        return "book"
    return "incollection" if entry.book and people(entry.book.editors) else "inbook"


def fields(entry: Entry, options: ExportOptions) -> list[tuple[str, str]]:
    """(field, value-with-delimiters) in the order written; empty values left out."""
    kind = entry_type(entry)
    book = entry.book
    out: list[tuple[str, str]] = []
    editors = names(book.editors) if book else ""
    out.append(("author", names(entry.authors)))
    out.append(("title", fragment_latex(shown_title(entry), protect_case=True)))
    if kind in ("incollection", "inbook") and book and book.title:
        out.append(("booktitle", fragment_latex(book.title, protect_case=True)))
    out.append(("editor", editors))
    if kind == "article":
        out.append(("journal", latex(journal_title(entry))))
    if book:
        out.append(("series", fragment_latex(book.collection_title) if book.collection_title else ""))
        out.append(("edition", latex(book.edition or "")))
        out.append(("publisher", latex(book.publisher or "")))
        out.append(("address", latex(book.publisher_location or "")))
    out.append(("year", latex(entry.year or "")))
    month = month_number(entry.pub_date.month)
    out.append(("month", MONTHS[month - 1].lower() if month else ""))
    out.append(("volume", latex((book.volume if book else None) or entry.volume or "")))
    out.append(("number", latex(entry.issue or "")))
    pages = page_text(entry, "--")
    out.append(("pages", latex(pages) if pages else ""))
    if book:
        out.append(("isbn", latex(", ".join(book.isbns))))
    elif entry.journal:
        out.append(("issn", latex(entry.journal.issn or entry.journal.issn_linking or "")))
    out.append(("doi", verbatim(entry.doi) if entry.doi else ""))
    out.append(("pmid", latex(entry.pmid)))
    out.append(("pmcid", latex(entry.pmcid or "")))
    if options.abstract != "none":
        out.append(("abstract", fragment_latex(_abstract_fragment(entry))))
    out.append(("keywords", ", ".join(_keyword(t) for t in subject_terms(entry))))
    out.append(("note", " ".join(latex(_sentence(n)) for n in curation_notes(entry))))
    out.append(("groups", latex(entry.curation.section or "")))
    return [(field, _delimit(field, value)) for field, value in out if value]


def _abstract_fragment(entry: Entry) -> str:
    """The abstract as one fragment, so its inline markup reaches LaTeX too."""
    parts = []
    for section in entry.abstract.sections:
        label = f"{markup.escape(section.label)}: " if section.label else ""
        parts.append(label + section.text)
    return " ".join(parts)


def _sentence(note: str) -> str:
    return note if note.endswith((".", "!", "?", ".]")) else note + "."


def _delimit(field: str, value: str) -> str:
    return value if field == "month" else f"{{{value}}}"


def _record(entry: Entry, key: str, options: ExportOptions) -> str:
    lines = [f"@{entry_type(entry)}{{{key},"]
    lines += [f"  {field} = {value}," for field, value in fields(entry, options)]
    lines.append("}")
    return "\n".join(lines) + "\n"
