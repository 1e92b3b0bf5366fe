"""`lmscite export` and `lmscite page`: publish the library as a page or for a reference manager."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import List, Optional

import typer

from lmscite.cli.app import app, entry_ids, state
from lmscite.cli.console import info, out, out_bytes, out_json, stdin_text, warn_each
from lmscite.errors import InputError
from lmscite.wording import plural

PAGE_FORMATS = ("markdown", "html")
FORMATS = ("markdown", "html", "bibtex", "ris", "csljson", "json", "jsonl")
SORTS = ("date", "author", "journal", "added")
AFFILIATIONS = ("first", "all", "none")
ABSTRACTS = ("excerpt", "full", "none")
"""The choices as --help shows them, without importing the renderers (a test keeps them equal)."""
PAGE_KEYS = ("title", "intro", "footer")

page_app = typer.Typer(
    help="The page around the entries: its title, introduction and footer.",
    epilog="\b\nExamples:\n  lmscite page set title 'Liver Metastases: Surgical Resection'\n"
           "  lmscite page set footer - < disclaimer.md\n  lmscite page show --json",
    invoke_without_command=True, rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(page_app, name="page")


@page_app.callback()
def page(ctx: typer.Context) -> None:
    """The page around the entries: its title, introduction and footer."""
    if ctx.invoked_subcommand is None:
        out(ctx.get_help())


def _choice(value: str, choices: tuple[str, ...], option: str) -> str:
    if value not in choices:
        raise InputError(f"unknown {option} {value!r} (choose from {', '.join(choices)})")
    return value


def generation_date(environ: dict[str, str] | None = None) -> str:
    """Today (UTC), or the date of $SOURCE_DATE_EPOCH so that rebuilding a page gives the same file."""
    env = os.environ if environ is None else environ
    raw = env.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return datetime.now(timezone.utc).date().isoformat()
    try:
        return datetime.fromtimestamp(int(raw), timezone.utc).date().isoformat()
    except (ValueError, OverflowError, OSError):
        raise InputError(f"SOURCE_DATE_EPOCH must be a number of seconds since 1970, not {raw!r}") from None


@app.command(epilog="\b\nExamples:\n  lmscite export --format html -o page.html\n"
             "  lmscite export --format markdown --section Resection --max-authors 3\n"
             "  lmscite list --format ids --tag review | lmscite export --format ris -")
def export(
    ctx: typer.Context,
    ids: Optional[List[str]] = typer.Argument(
        None, metavar="[ID...|-]",
        help="Only these entries (PMIDs, PubMed links, DOIs, PMC ids), in this order; - reads stdin."),
    format: str = typer.Option("markdown", "--format", "-f", metavar="|".join(FORMATS),
                               help="Output format."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE",
                                          help="Write to FILE (atomically) instead of stdout."),
    section: List[str] = typer.Option([], "--section", metavar="NAME",
                                      help="Only entries in this section (repeatable)."),
    tag: List[str] = typer.Option([], "--tag", metavar="TAG",
                                  help="Only entries with this tag (repeatable: all must match)."),
    pmid: List[str] = typer.Option([], "--pmid", metavar="ID", help="Only this entry (repeatable)."),
    year: List[str] = typer.Option([], "--year", metavar="YEAR",
                                   help="Publication year or range: 2000, 1998-2001, 2010-."),
    sort: Optional[str] = typer.Option(
        None, "--sort", metavar="|".join(SORTS),
        help="Order inside a section after the manual order (default: date; the given order for PMIDs)."),
    max_authors: Optional[int] = typer.Option(None, "--max-authors", metavar="N", min=1,
                                              help="Name the first N authors, then et al."),
    affiliations: str = typer.Option("first", "--affiliations", metavar="|".join(AFFILIATIONS),
                                     help="Which affiliations to show."),
    abstract: str = typer.Option("excerpt", "--abstract", metavar="|".join(ABSTRACTS),
                                 help="The chosen excerpt (whole abstract when none), the full abstract, or none."),
    template: Optional[Path] = typer.Option(
        None, "--template", metavar="FILE",
        help="Your own Jinja2 template (markdown and html; see docs/templates.md)."),
    template_dir: Optional[Path] = typer.Option(
        None, "--template-dir", metavar="DIR", help="The folder your template may include files from."),
    title: Optional[str] = typer.Option(None, "--title", metavar="TEXT",
                                        help="Page title (overrides `lmscite page set title`)."),
    intro: Optional[str] = typer.Option(None, "--intro", metavar="TEXT",
                                        help="Introduction, Markdown (overrides the stored one)."),
    footer: Optional[str] = typer.Option(None, "--footer", metavar="TEXT",
                                         help="Footer or disclaimer, Markdown (overrides the stored one)."),
) -> None:
    """Export entries as an annotated bibliography page or for a reference manager."""
    from lmscite.library.query import Filter, select, sort_key
    from lmscite.library.query import entries as to_entries
    from lmscite.library.resolve import resolve
    from lmscite.render import ExportOptions, Page, renderer
    from lmscite.render.page import page_order

    _choice(format, FORMATS, "--format")
    _choice(affiliations, AFFILIATIONS, "--affiliations")
    _choice(abstract, ABSTRACTS, "--abstract")
    if sort is not None:
        _choice(sort, SORTS, "--sort")
    if template is not None and format not in PAGE_FORMATS:
        raise InputError(f"--template works with --format markdown or html, not {format}")
    if output is not None and str(output) != "-" and output.is_dir():
        raise InputError(f"{output} is a folder; give a file name to --output")
    asked = entry_ids([*pmid, *(ids or [])]) if (pmid or ids) else []
    library = state(ctx).library()
    view = library.snapshot()
    if not len(view):
        raise InputError(f"the library {view.path} is empty; add records with `lmscite import` or `lmscite fetch`")
    found = resolve(view, asked)
    found.require_any()
    wanted = found.pmids
    rows = select(view, Filter(pmids=wanted, tags=tag, sections=section, years=year))
    if not rows:
        found.raise_for_missing()
        raise InputError("no entry matches the selection; nothing was exported")
    if sort or not wanted:
        key = sort_key(sort or "date")
        rows.sort(key=lambda row: (key(row), int(row["pmid"])))
    meta = view.meta()
    stored = meta.get("page") or {}
    page = Page(
        title=title if title is not None else stored.get("title"),
        intro=intro if intro is not None else stored.get("intro"),
        footer=footer if footer is not None else stored.get("footer"),
        section_order=list(meta.get("section_order") or []),
        searches=dict(meta.get("searches") or {}),
        generated=generation_date(),
    )
    chosen = [e for _name, group in page_order(to_entries(rows), page.section_order) for e in group]
    _warn_drift(chosen)
    from lmscite.curation.check import linked_notices

    options = ExportOptions(format=format, page=page, max_authors=max_authors, affiliations=affiliations,
                            abstract=abstract, template=str(template) if template else None,
                            template_dir=str(template_dir) if template_dir else None,
                            notices=linked_notices(view, chosen))
    text = renderer(format)(chosen, options)
    _write(text, output, library.protected())
    if output is not None and str(output) != "-":
        info(f"exported {plural(len(chosen), 'entry')} as {format} to {output}")
    found.raise_for_missing()


def _warn_drift(entries: list) -> None:
    """An excerpt that no longer matches its abstract is exported as stored, with a warning."""
    from lmscite.curation.excerpt import excerpt_problems

    warn_each([f"PMID {entry.pmid}: {problem.message}" for entry in entries
               if entry.curation.excerpt for problem in excerpt_problems(entry)],
              what="stale excerpts", hint="see `lmscite check`")


def _write(text: str, output: Optional[Path], protected: dict[Path, str]) -> None:
    """Standard output, or the file `-o` names, which may not be one of `protected` (the library's)."""
    body = text.encode("utf-8")
    if output is None or str(output) == "-":
        out_bytes(body)
        return
    from lmscite.files import write_output

    write_output(output, body, protected)


def _read_text(text: str) -> str:
    return stdin_text() if text == "-" else text


@page_app.command("set", epilog="Example: lmscite page set intro - < intro.md")
def page_set(
    ctx: typer.Context,
    key: str = typer.Argument(..., metavar="title|intro|footer"),
    text: str = typer.Argument(..., metavar="TEXT|-", help="The text (Markdown for intro and footer); - reads stdin."),
) -> None:
    """Store the page's title, introduction or footer in the library."""
    _choice(key, PAGE_KEYS, "page key")
    value = _read_text(text).strip()
    if key == "title":
        value = " ".join(value.split())
    if not value:
        raise InputError(f"the {key} is empty; use `lmscite page unset {key}` to remove it")
    with state(ctx).library().transaction() as view:
        page = dict(view.meta().get("page") or {})
        page[key] = value
        view.set_meta("page", page)
    info(f"page {key} set")


@page_app.command("unset", epilog="Example: lmscite page unset footer")
def page_unset(
    ctx: typer.Context,
    key: str = typer.Argument(..., metavar="title|intro|footer"),
) -> None:
    """Remove the page's title, introduction or footer from the library."""
    _choice(key, PAGE_KEYS, "page key")
    with state(ctx).library().transaction() as view:
        page = dict(view.meta().get("page") or {})
        if key not in page:
            info(f"page {key} was not set")
            return
        del page[key]
        view.set_meta("page", page or None)
    info(f"page {key} removed")


@page_app.command("show", epilog="Example: lmscite page show --json")
def page_show(
    ctx: typer.Context,
    json_: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Show the stored page text, section order and saved searches."""
    meta = state(ctx).library().snapshot().meta()
    page = meta.get("page") or {}
    facts = {key: page.get(key) for key in PAGE_KEYS}
    facts["sections"] = list(meta.get("section_order") or [])
    facts["searches"] = dict(meta.get("searches") or {})
    if json_:
        out_json(facts)
        return
    for key in PAGE_KEYS:
        value = facts[key]
        if value is None:
            out(f"{key}: (not set)")
        else:
            lines = str(value).splitlines() or [""]
            out(f"{key}: {lines[0]}" + "".join(f"\n  {line}" for line in lines[1:]))
    out("sections: " + (", ".join(facts["sections"]) or "(no order set)"))
    out("searches:" + ("" if facts["searches"] else " (none saved)"))
    for name, query in facts["searches"].items():
        out(f"  {name}: {query}")
