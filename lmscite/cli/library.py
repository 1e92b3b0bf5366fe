"""Commands over the library itself: import, list, show, remove, info, undo."""

from __future__ import annotations

import sys
from typing import List, Optional

import typer

from lmscite.cli.app import app, state, valid_pmids
from lmscite.cli.console import info, out, out_json, out_jsonl, stdout_is_tty, table
from lmscite.errors import EXIT_OK, EXIT_PARTIAL, InputError

LIST_FORMATS = ("table", "ids", "json", "jsonl", "tsv")


@app.command("import", epilog="Example: lmscite import pubmed-export.xml citations.nbib")
def import_(
    ctx: typer.Context,
    files: List[str] = typer.Argument(..., metavar="FILE...|-",
                                      help="PubMed XML or MEDLINE (.nbib) files; - reads stdin."),
) -> None:
    """Add or update entries from PubMed XML or MEDLINE files, keeping their curation."""
    from lmscite.sync.importer import import_files

    report = import_files(state(ctx).library(), files, stdin=sys.stdin.buffer)
    info(report.summary())


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
        sys.stdout.write("".join(f"{r['pmid']}\n" for r in rows))
    elif kind == "json":
        out_json(rows)
    elif kind == "jsonl":
        out_jsonl(rows)
    else:
        from lmscite import markup
        from lmscite.citation import citation_line
        from lmscite.model import Entry

        columns = ["pmid", "year", "citation", "title", "section", "tags"]
        cells = []
        for data in rows:
            entry = Entry.from_dict(data)
            cells.append([entry.pmid, entry.year or "", citation_line(entry), markup.plain(entry.title),
                          entry.curation.section or "", ",".join(entry.curation.tags)])
        table(columns, cells, plain=kind == "tsv")


@app.command(epilog="Example: lmscite show 10749609 --sentences")
def show(
    ctx: typer.Context,
    pmids: List[str] = typer.Argument(..., metavar="PMID...|-", help="PMIDs; - reads them from stdin."),
    json_: bool = typer.Option(False, "--json", help="Print the stored entries as JSON."),
    sentences: bool = typer.Option(False, "--sentences", help="Number the abstract's sentences (for --excerpt)."),
) -> None:
    """Show entries: citation, authors, abstract and curation."""
    from lmscite.library.query import Filter, entries, select

    view = state(ctx).library().snapshot()
    found = entries(select(view, Filter(pmids=valid_pmids(pmids))))
    if json_:
        out_json([e.to_dict() for e in found])
        return
    from lmscite.render.text import render_entry, render_sentences

    out("\n\n".join(render_sentences(e) if sentences else render_entry(e) for e in found))


@app.command(epilog="Example: lmscite list --format ids --tag obsolete | lmscite remove -")
def remove(
    ctx: typer.Context,
    pmids: List[str] = typer.Argument(..., metavar="PMID...|-", help="PMIDs; - reads them from stdin."),
) -> None:
    """Remove entries (and their curation) from the library."""
    wanted = valid_pmids(pmids)
    with state(ctx).library().transaction() as view:
        removed = view.remove(wanted)
    missing = [p for p in wanted if p not in set(removed)]
    info(f"removed {len(removed)} entr{'y' if len(removed) == 1 else 'ies'}"
         + (f"; not in the library: {', '.join(missing)}" if missing else ""))
    raise typer.Exit(EXIT_PARTIAL if missing else EXIT_OK)


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
