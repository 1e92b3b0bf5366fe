"""What the Markdown and HTML pages show, as a template context.

Both page formats lay entries out the same way (the reference page's layout:
citation line, title, authors, affiliation, excerpt with its glosses, notes,
links), so the choosing, ordering and wording live here once; the formats
differ only in how text is escaped, which a `Flavour` supplies.  Every string
in the context is final output for its format (escaped record text, sanitised
curator Markdown), so a template, even a user's, cannot forget to escape.
The variables are documented in docs/templates.md.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

from lmscite import __version__, markup
from lmscite.citation import author_line, citation_line, second_title, shown_title
from lmscite.curation.excerpt import excerpt_parts
from lmscite.curation.flags import Finding, warnings_for
from lmscite.curation.order import manual_order, section_rank
from lmscite.errors import InputError
from lmscite.model import Entry
from lmscite.render import ABSTRACTS, AFFILIATIONS, PUBMED, ExportOptions

DOI = "https://doi.org/"
PMC = "https://pmc.ncbi.nlm.nih.gov/articles/"
DEFAULT_TITLE = "Annotated bibliography"
TOC_ENTRY_LIMIT = 300
"""Above this many entries the table of contents lists sections only, so it stays readable."""

SHOWN_TYPES = frozenset({
    "Randomized Controlled Trial", "Controlled Clinical Trial", "Pragmatic Clinical Trial",
    "Clinical Trial", "Clinical Trial, Phase I", "Clinical Trial, Phase II",
    "Clinical Trial, Phase III", "Clinical Trial, Phase IV", "Clinical Trial Protocol",
    "Equivalence Trial", "Multicenter Study", "Observational Study", "Review", "Systematic Review",
    "Scoping Review", "Meta-Analysis", "Network Meta-Analysis", "Practice Guideline", "Guideline",
    "Consensus Development Conference", "Consensus Development Conference, NIH", "Case Reports",
    "Comment", "Editorial", "Letter", "Published Erratum", "Retraction of Publication",
    "Expression of Concern", "Preprint",
})
"""Publication types a reader weighs the evidence by; "Journal Article" and the like say nothing."""

_ALLOWED_SCHEMES = ("http://", "https://", "mailto:")
_SLUG = re.compile(r"[^\w]+")
_INLINE_SYNTAX = re.compile(r"[\\`*_\[\]!<&]")
"""Where CommonMark's inline rules start: escape, code, emphasis, link, image, autolink, entity."""


@dataclass(frozen=True)
class Flavour:
    """How one output format writes text: record fragments, plain text, curator Markdown."""

    fragment: Callable[[str], str]
    text: Callable[[str], str]
    markdown: Callable[[str], str]
    note: Callable[[str], str]
    gloss: Callable[[str], str]
    safe: Callable[[str], str]


@dataclass
class Paragraph:
    text: str
    label: str | None = None


@dataclass
class Notice:
    """A correction notice on the record: `kind` is retracted, erratum, concern or update."""

    kind: str
    label: str
    source: str | None
    pmid: str | None
    url: str | None


@dataclass
class EntryView:
    pmid: str
    anchor: str
    url: str
    citation: str
    title: str
    title_plain: str
    vernacular_title: str | None
    authors: str | None
    affiliations: list[str]
    body_kind: str | None
    body: list[Paragraph]
    copyright: str | None
    notes: list[str]
    publication_types: list[str]
    retracted: bool
    notices: list[Notice]
    tags: list[str]
    doi: str | None
    doi_url: str | None
    pmcid: str | None
    pmc_url: str | None
    year: str | None
    record: Entry
    _flavour: Flavour = field(repr=False, compare=False)

    @cached_property
    def short(self) -> str:
        """"Lang 2000", made when first read: only a table of contents of up to 300 entries reads it."""
        return self._flavour.text(_short(self.record))


@dataclass
class SectionView:
    name: str | None
    anchor: str | None
    entries: list[EntryView]

    @property
    def count(self) -> int:
        return len(self.entries)


@dataclass
class Search:
    name: str
    query: str
    url: str


@dataclass
class PageView:
    title: str
    title_plain: str
    intro: str | None
    footer: str | None
    searches: list[Search]
    generated: str | None
    count: int
    sections: list[SectionView]
    toc_entries: bool
    version: str = __version__
    tags: list[str] = field(default_factory=list)


def page_order(entries: Sequence[Entry], section_order: Sequence[str]) -> list[tuple[str | None, list[Entry]]]:
    """Entries grouped as the page shows them (`lmscite.curation.order`).

    Inside a section, entries with a manual order come first by it; the rest
    keep the order they were given in (the chosen sort).
    """
    groups: dict[str | None, list[Entry]] = {}
    for entry in entries:
        groups.setdefault(entry.curation.section or None, []).append(entry)
    return [(name, sorted(groups[name], key=manual_order)) for name in sorted(groups, key=section_rank(section_order))]


def build(entries: Sequence[Entry], options: ExportOptions, flavour: Flavour) -> dict[str, Any]:
    """The template context: `page` (a PageView) and `assets` (filled in by the format)."""
    _check_options(options)
    slugs: set[str] = set()
    sections = [
        SectionView(
            name=flavour.text(name) if name is not None else None,
            anchor=_unique_slug(name, slugs) if name is not None else None,
            entries=[entry_view(e, options, flavour) for e in group],
        )
        for name, group in page_order(entries, options.page.section_order)
    ]
    page = options.page
    title = page.title or DEFAULT_TITLE
    tags = sorted({t for e in entries for t in e.curation.tags}, key=str.casefold)
    view = PageView(
        title=flavour.text(title),
        title_plain=title,
        intro=flavour.markdown(page.intro) if page.intro else None,
        footer=flavour.markdown(page.footer) if page.footer else None,
        searches=[Search(flavour.text(name), flavour.text(query), PUBMED + "?term=" + quote_plus(query))
                  for name, query in page.searches.items()],
        generated=page.generated,
        count=len(entries),
        sections=sections,
        toc_entries=len(entries) <= TOC_ENTRY_LIMIT,
        tags=[flavour.text(t) for t in tags],
    )
    return {"page": view}


def _check_options(options: ExportOptions) -> None:
    if options.affiliations not in AFFILIATIONS:
        raise InputError(f"unknown --affiliations {options.affiliations!r} (choose from {', '.join(AFFILIATIONS)})")
    if options.abstract not in ABSTRACTS:
        raise InputError(f"unknown --abstract {options.abstract!r} (choose from {', '.join(ABSTRACTS)})")
    if options.max_authors is not None and options.max_authors < 1:
        raise InputError("--max-authors must be 1 or more")


def _unique_slug(name: str, taken: set[str]) -> str:
    base = "section-" + (_SLUG.sub("-", name.casefold()).strip("-_") or "untitled")
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug


def entry_view(entry: Entry, options: ExportOptions, flavour: Flavour) -> EntryView:
    """One entry as the page lays it out, every string final for the flavour."""
    authors = author_line(entry, max_authors=options.max_authors)
    kind, body, copyright_ = _body(entry, options.abstract, flavour)
    warnings = warnings_for(entry, options.notices)
    doi, pmcid = entry.doi, entry.pmcid
    return EntryView(
        pmid=entry.pmid,
        anchor=f"pmid-{entry.pmid}",
        url=f"{PUBMED}{entry.pmid}/",
        citation=flavour.text(citation_line(entry)),
        title=flavour.fragment(shown_title(entry)),
        title_plain=markup.plain(shown_title(entry)),
        vernacular_title=flavour.fragment(vernacular) if (vernacular := second_title(entry)) else None,
        authors=flavour.text(_sentence(authors)) if authors else None,
        affiliations=[flavour.text(a) for a in _affiliations(entry, options.affiliations)],
        body_kind=kind,
        body=body,
        copyright=copyright_,
        notes=[flavour.note(n) for n in entry.curation.notes if n.strip()],
        publication_types=[flavour.text(t) for t in entry.publication_types if t in SHOWN_TYPES],
        retracted=any(f.kind == "retracted" for f in warnings),
        notices=[_notice(f, flavour) for f in warnings if f.citation or f.pmid],
        tags=[flavour.text(t) for t in entry.curation.tags],
        doi=flavour.text(doi) if doi else None,
        doi_url=DOI + quote(doi, safe="/:;()._-") if doi else None,
        pmcid=flavour.text(pmcid) if pmcid else None,
        pmc_url=PMC + quote(pmcid, safe="") + "/" if pmcid else None,
        year=entry.year,
        record=entry,
        _flavour=flavour,
    )


def _sentence(text: str) -> str:
    """The author line ends with a period, as on PubMed and the reference page."""
    return text if text.endswith(".") else text + "."


def _short(entry: Entry) -> str:
    """"Lang 2000": how the table of contents names an entry before its title."""
    first = next((a.last_name or a.collective_name for a in entry.authors
                  if a.last_name or a.collective_name), None)
    return " ".join(p for p in (first, entry.year) if p) or f"PMID {entry.pmid}"


def _affiliations(entry: Entry, which: str) -> list[str]:
    if which == "none":
        return []
    every = (squashed for author in entry.authors for a in author.affiliations if (squashed := _squash(a)))
    if which == "first":
        return [first] if (first := next(every, None)) else []
    return list(dict.fromkeys(every))


def _squash(text: str) -> str:
    """Whitespace runs as one space, ends trimmed (split and join: 3x faster than a regex)."""
    return " ".join(text.split())


def _body(entry: Entry, mode: str, flavour: Flavour) -> tuple[str | None, list[Paragraph], str | None]:
    """The excerpt, else the whole abstract with its labels, else nothing."""
    if mode == "none":
        return None, [], None
    if mode == "excerpt" and entry.curation.excerpt:
        return "excerpt", [Paragraph(text) for text in _excerpt(entry, flavour)], None
    sections = [s for s in entry.abstract.sections if s.text.strip()]
    if not sections:
        return None, [], None
    body = [Paragraph(flavour.fragment(s.text), flavour.text(s.label) if s.label else None) for s in sections]
    copyright_ = entry.abstract.copyright
    return "abstract", body, flavour.fragment(copyright_) if copyright_ else None


def _excerpt(entry: Entry, flavour: Flavour) -> list[str]:
    """The excerpt's paragraphs as the curator wrote them: quotes, "...", [insertions], glosses.

    Spacing between parts is the excerpt's own (`ExcerptPart.before`), so
    every format shows "15 R0 [R0 resection ... Ed.], 3 R1" alike.
    """
    paragraphs: list[str] = []
    out = ""
    for part in excerpt_parts(entry):
        if part.kind == "break":
            paragraphs.append(out)
            out = ""
            continue
        if part.kind == "gloss":
            piece = flavour.gloss(part.value)
        elif part.kind == "insert":
            piece = flavour.text(f"[{part.value}]")
        elif part.kind == "text":
            piece = flavour.fragment(part.value)
        else:
            piece = flavour.text(part.value)
        # str(): adding a Markup to a str would escape the text gathered so far.
        written = str(piece).strip()
        if written:
            out += (part.before if out else "") + written
    paragraphs.append(out)
    return [flavour.safe(text) for text in paragraphs if text]


def _notice(finding: Finding, flavour: Flavour) -> Notice:
    return Notice(
        kind=finding.kind,
        label=flavour.text(finding.label),
        source=flavour.text(finding.citation) if finding.citation else None,
        pmid=finding.pmid,
        url=f"{PUBMED}{finding.pmid}/" if finding.pmid else None,
    )


def plain_paragraph(source: str) -> bool:
    """Whether CommonMark reads `source` as one paragraph of literal text, so it need not be parsed.

    Most curator notes are a sentence of prose, and markdown-it costs tens of
    microseconds a note.  The test is strict: one line of printable characters
    (so no tabs or other whitespace than spaces), starting with a letter (no
    block construct does), ending with no space (the parser would trim it),
    and with none of the characters an inline rule starts at.  Tests check
    both formats' notes against the parser's.
    """
    return (source[:1].isalpha() and source.isprintable() and not source.endswith(" ")
            and _INLINE_SYNTAX.search(source) is None)


def safe_link(url: str) -> bool:
    """Only web and mail links survive in curator Markdown: no javascript:, data:, file: or relative."""
    return url.strip().lower().startswith(_ALLOWED_SCHEMES)


@lru_cache(maxsize=1)
def markdown_parser():
    """CommonMark with raw HTML off and only safe link schemes; images become their alt text."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False})
    parser.validateLink = safe_link

    def image(self, tokens, idx, options, env):  # noqa: ARG001 - markdown-it's rule signature
        from html import escape

        return escape(tokens[idx].content, quote=False)

    parser.add_render_rule("image", image)
    return parser


def load_template(options: ExportOptions, default: str, autoescape: bool):
    """The package template, or the user's `--template` file with the package ones extendable.

    A user's template is sandboxed (`lmscite.render.sandbox`), because a
    template is code and may come from someone else: it reads only its own
    file, lmscite's templates and the `--template-dir` folder, within time
    and memory limits (compiling included).  The shipped ones are trusted and
    run without the sandbox's per-attribute checks (half the rendering time
    of a large page).  A template that cannot be read or compiled is one
    clear error line (exit 2).
    """
    from jinja2 import (
        ChoiceLoader,
        Environment,
        PackageLoader,
        PrefixLoader,
        StrictUndefined,
        TemplateError,
    )

    from lmscite.render.sandbox import (
        BoundedSandbox,
        TemplateFile,
        TemplateFolder,
        bounded,
    )

    loaders: list[Any] = [PrefixLoader({"lmscite": PackageLoader("lmscite.render", "templates")})]
    settings = {"autoescape": autoescape, "undefined": StrictUndefined, "trim_blocks": True,
                "lstrip_blocks": True, "keep_trailing_newline": True}
    if not options.template:
        if options.template_dir:
            raise InputError("--template-dir goes with --template")
        try:
            return Environment(loader=ChoiceLoader(loaders), **settings).get_template(f"lmscite/{default}")
        except TemplateError as exc:
            raise InputError(f"template {default}: {_describe(exc)}") from None
    path = Path(options.template).expanduser()
    if not path.is_file():
        raise InputError(f"template {path} not found")
    loaders.insert(0, TemplateFile(path))
    if options.template_dir:
        folder = Path(options.template_dir).expanduser()
        if not folder.is_dir():
            raise InputError(f"template folder {folder} not found")
        loaders.append(TemplateFolder(folder))
    env = BoundedSandbox(options.template_limits, loader=ChoiceLoader(loaders), **settings)
    try:
        with bounded(env, options.template_limits):
            return env.get_template(path.name)
    except TemplateError as exc:
        raise InputError(f"template {options.template}: {_describe(exc)}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"template {options.template}: cannot read it ({exc})") from None
    except BaseException as exc:
        stopped = _stopped(exc, options, "")
        if stopped is None:
            raise
        raise stopped from None


def render_template(template: Any, context: dict[str, Any], options: ExportOptions) -> str:
    """Render; a failure inside a user's template names the template and line, not a traceback."""
    if not options.template:
        return template.render(context)
    from lmscite.render.sandbox import render_bounded

    try:
        return render_bounded(template, context, options.template_limits)
    except BaseException as exc:  # a user's template can fail in any way Python can
        line = _template_line(exc, template.filename)
        if line and not isinstance(exc, Exception):
            line = template.get_corresponding_lineno(line)  # Jinja2 maps the lines of Exceptions only
        where = f" (line {line})" if line else ""
        stopped = _stopped(exc, options, where)
        if stopped is not None:
            raise stopped from None
        if not isinstance(exc, Exception):
            raise
        raise InputError(f"template {options.template}{where}: {_describe(exc)}") from None


def _stopped(exc: BaseException, options: ExportOptions, where: str) -> InputError | None:
    """A template past one of its limits as one error line; None for any other exception."""
    from lmscite.render.sandbox import TemplateLimitError

    if isinstance(exc, TemplateLimitError):
        reason = str(exc)
    elif isinstance(exc, MemoryError):
        reason = f"it needed more than the memory limit ({options.template_limits.memory:,} bytes)"
    else:
        return None
    return InputError(f"template {options.template}{where} stopped: {reason}; nothing was written")


def one_final_newline(text: str) -> str:
    """The page without blank lines before or after it, ending in one newline.

    Most pages already are: a page is megabytes, and stripping then adding
    the newline would copy it twice.
    """
    if text.endswith("\n") and not text.endswith("\n\n") and not text.startswith("\n"):
        return text
    return text.strip("\n") + "\n"


def _describe(exc: BaseException) -> str:
    line = getattr(exc, "lineno", None)
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    text = message.strip().splitlines()[0] if message.strip() else type(exc).__name__
    kind = type(exc).__name__
    return f"{kind}: {text}" + (f" (line {line})" if line else "")


def _template_line(exc: BaseException, filename: str | None) -> int | None:
    if not filename:
        return None
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
    return frames[-1].lineno if frames else None
