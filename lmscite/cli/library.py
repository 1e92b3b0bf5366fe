"""Commands over the library itself: import, list, show, remove, info, undo."""

from __future__ import annotations

import sys
from typing import List, Optional

import typer

from lmscite.cli.app import app, entry_ids, state
from lmscite.cli.console import (
    info,
    out,
    out_json,
    out_jsonl,
    stdout_is_tty,
    table,
    warn,
)
from lmscite.errors import EXIT_OK, EXIT_PARTIAL, InputError
from lmscite.wording import plural

LIST_FORMATS = ("table", "ids", "json", "jsonl", "tsv")
NOTABLE_SHOWN = 20
"""Kept and refused records named on stderr, as `fetch` names its problems; --dry-run lists all."""


@app.command("import", epilog="\b\nExamples:\n  lmscite import pubmed-export.xml citations.nbib\n"
             "  lmscite import --dry-run old-export.nbib")
def import_(
    ctx: typer.Context,
    files: List[str] = typer.Argument(..., metavar="FILE...|-",
                                      help="PubMed XML or MEDLINE (.nbib) files; - reads stdin."),
    force: bool = typer.Option(False, "--force",
                               help="Take the files' records even where the stored revision is newer or fuller."),
    dry_run: bool = typer.Option(False, "--dry-run",
                                 help="Change nothing; print what each PMID would get (PMID, outcome, why)."),
) -> None:
    """Add or update entries from PubMed XML or MEDLINE files, keeping their curation.

    A stored entry is replaced only by a newer revision (or, at the same date, a version as
    full); an older or thinner one is kept and reported. Records with no title and no abstract
    are refused. A file that cannot be read adds nothing; the others are still imported.
    Exit 0 when all was read and taken or kept, 1 when a file or a record was refused.
    """
    from lmscite.sync.importer import import_files

    report = import_files(state(ctx).library(), files, stdin=sys.stdin.buffer, force=force, dry_run=dry_run)
    if dry_run:
        out("".join(f"{line}\n" for line in report.listing()))
    for failure in report.failed_files:
        warn(f"{failure}; nothing was imported from it")
    notable = report.notable()
    for line in notable[:NOTABLE_SHOWN]:
        info(line)
    if len(notable) > NOTABLE_SHOWN:
        info(f"... and {len(notable) - NOTABLE_SHOWN} more (--dry-run lists every PMID)")
    info(report.summary())
    raise typer.Exit(EXIT_PARTIAL if report.failed else EXIT_OK)


@app.command("list", epilog="\b\nExamples:\n  lmscite list --tag review --year 2000-2005\n"
             "  lmscite list --format ids --section Resection | lmscite export --format ris -")
def list_(
    ctx: typer.Context,
    format: Optional[str] = typer.Option(
        None, "--format", "-f", metavar="|".join(LIST_FORMATS),
        help="Output format (default: table on a terminal, ids when piped)."),
    json_: bool = typer.Option(False, "--json", help="Same as --format json."),
    tag: List[str] = typer.Option([], "--tag", metavar="TAG", help="Only entries with this tag (repeatable: all must match)."),
    section: List[str] = typer.Option([], "--section", metavar="NAME", help="Only entries in this section (repeatable)."),
    year: List[str] = typer.Option([], "--year", metavar="YEAR", help="Publication year or range: 2000, 1998-2001, 2010-."),
    journal: Optional[str] = typer.Option(None, "--journal", metavar="TEXT", help="Journal name contains this text."),
    grep: Optional[str] = typer.Option(None, "--grep", metavar="TEXT", help="Title, abstract, authors or notes contain this text."),
    sort: str = typer.Option("pmid", "--sort", metavar="KEY", help="pmid, date, author, journal or added."),
) -> None:
    """List the entries in the library."""
    from lmscite.library.query import Filter, select, sort_key

    chosen = format or ("json" if json_ else ("table" if stdout_is_tty() else "ids"))
    if chosen not in LIST_FORMATS:
        raise InputError(f"unknown format {chosen!r} (choose from {', '.join(LIST_FORMATS)})")
    view = state(ctx).library().snapshot()
    rows = sorted(select(view, Filter(tags=tag, sections=section, years=year, journal=journal, grep=grep)),
                  key=sort_key(sort))
    _print_listing(rows, chosen)


def _print_listing(rows: list[dict], kind: str) -> None:
    if kind == "ids":
        out("".join(f"{r['pmid']}\n" for r in rows))
    elif kind == "json":
        out_json(rows)
    elif kind == "jsonl":
        out_jsonl(rows)
    else:
        from lmscite import markup
        from lmscite.citation import citation_line, shown_title
        from lmscite.model import Entry

        columns = ["pmid", "year", "citation", "title", "section", "tags"]
        cells = []
        for data in rows:
            entry = Entry.from_dict(data)
            cells.append([entry.pmid, entry.year or "", citation_line(entry), markup.plain(shown_title(entry)),
                          entry.curation.section or "", ",".join(entry.curation.tags)])
        table(columns, cells, plain=kind == "tsv")


@app.command(epilog="Example: lmscite show 10749609 --sentences")
def show(
    ctx: typer.Context,
    pmids: List[str] = typer.Argument(..., metavar="ID...|-",
                                      help="PMIDs, PubMed links, DOIs or PMC ids of stored entries; - reads stdin."),
    json_: bool = typer.Option(False, "--json", help="Print the stored entries as JSON."),
    sentences: bool = typer.Option(False, "--sentences", help="Number the abstract's sentences (for --excerpt)."),
    page: bool = typer.Option(False, "--page", help="Show each entry exactly as the exported page shows it."),
) -> None:
    """Show entries: citation, authors, abstract and curation."""
    from lmscite.library.resolve import resolve

    wanted = entry_ids(pmids)
    view = state(ctx).library().snapshot()
    found = resolve(view, wanted)
    found.require_any()
    shown = [entry for entry in map(view.get, found.pmids) if entry]
    if json_:
        out_json([e.to_dict() for e in shown])
    else:
        from lmscite.render.text import render_entry, render_page_entry, render_sentences

        shape = render_sentences if sentences else render_page_entry if page else render_entry
        out("\n\n".join(shape(e) for e in shown))
    found.raise_for_missing()


@app.command(epilog="Example: lmscite list --format ids --tag obsolete | lmscite remove -")
def remove(
    ctx: typer.Context,
    pmids: List[str] = typer.Argument(..., metavar="ID...|-",
                                      help="PMIDs, PubMed links, DOIs or PMC ids of stored entries; - reads stdin."),
) -> None:
    """Remove entries (and their curation) from the library."""
    from lmscite.library.resolve import resolve

    wanted = entry_ids(pmids)
    with state(ctx).library().transaction() as view:
        found = resolve(view, wanted)
        found.require_any()
        removed = view.remove(found.pmids)
    info(f"removed {plural(len(removed), 'entry')}")
    found.raise_for_missing()


@app.command("info", epilog="Example: lmscite --db page.json info --json")
def info_(
    ctx: typer.Context,
    json_: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Where the library is and what it holds."""
    from lmscite.library.stats import library_info

    facts = library_info(state(ctx).library())
    if json_:
        out_json(facts)
        return
    for key, value in facts.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k} ({v})" for k, v in value.items()) or "none"
        out(f"{key}: {value}")


@app.command(epilog="\b\nExamples:\n  lmscite undo --dry-run\n  lmscite undo\n"
             "  lmscite undo --list && lmscite undo --version 3")
def undo(
    ctx: typer.Context,
    dry_run: bool = typer.Option(False, "--dry-run", "-n", help="Say what would be restored; change nothing."),
    list_: bool = typer.Option(False, "--list", help="List the kept versions, newest first; change nothing."),
    version: int = typer.Option(1, "--version", metavar="N", min=1,
                                help="Restore the N-th newest kept version (see --list) instead."),
) -> None:
    """Bring back the library as it was before the last command that changed it.

    The library's last 5 versions are kept beside it, in LIBRARY.history/.
    Undo keeps the version it replaces too, so a second undo takes it back.
    """
    from lmscite.library.store import stamp

    library = state(ctx).library()
    if list_:
        versions = library.versions()
        rows = [[str(number), stamp(version.written), str(len(library.read_version(version)))]
                for number, version in enumerate(versions, start=1)]
        if rows:
            table(["version", "written", "entries"], rows)
        else:
            info(f"no earlier version of the library {library.path} is kept")
        return
    undone = library.undo(version, dry_run=dry_run)
    held = "an unreadable library" if undone.replaced is None else _entries(undone.replaced)
    what = f"the library as written at {stamp(undone.written)} ({_entries(undone.entries)}; it held {held})"
    if dry_run:
        info(f"would restore {what}; nothing was changed (dry run)")
    else:
        info(f"restored {what}; `lmscite undo` again takes this back")


def _entries(count: int) -> str:
    return f"{count} entr{'y' if count == 1 else 'ies'}"
