"""Commands over the library itself: import, list, show, remove, info."""

from __future__ import annotations

import sys
from typing import List, Optional

import typer

from lmscite.cli.app import app, entry_ids, state
from lmscite.cli.console import info, out, out_json, out_jsonl, stdout_is_tty, table
from lmscite.errors import InputError
from lmscite.wording import plural

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
        out("".join(f"{r['pmid']}\n" for r in rows))
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
    pmids: List[str] = typer.Argument(..., metavar="ID...|-",
                                      help="PMIDs, PubMed links, DOIs or PMC ids of stored entries; - reads stdin."),
    json_: bool = typer.Option(False, "--json", help="Print the stored entries as JSON."),
    sentences: bool = typer.Option(False, "--sentences", help="Number the abstract's sentences (for --excerpt)."),
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
        from lmscite.render.text import render_entry, render_sentences

        out("\n\n".join(render_sentences(e) if sentences else render_entry(e) for e in shown))
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
