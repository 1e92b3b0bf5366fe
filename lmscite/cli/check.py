"""Commands that keep the library true to PubMed: check (offline) and refresh (online)."""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional

import typer

from lmscite.cli.app import app, entry_ids, state
from lmscite.cli.console import info, out_jsonl, progress, table, warn, warn_each
from lmscite.cli.fetch import ATTEMPTS_OPTION, TIMEOUT_OPTION, make_client
from lmscite.errors import EXIT_FAILURE, EXIT_OK, EXIT_PARTIAL
from lmscite.wording import plural

if TYPE_CHECKING:
    from lmscite.library.resolve import Resolution
    from lmscite.library.store import LibraryView

_LONG = 160
"""Longest before/after text a change table shows (--json has it whole)."""


@app.command(epilog="\b\nExamples:\n  lmscite check\n"
             "  lmscite check --all --uncurated 10749609 9834411\n"
             "  lmscite check --fail-on retracted,concern,excerpt && lmscite export --format html -o page.html\n"
             "  lmscite check --json | jq -r 'select(.kind == \"retracted\") | .pmid'")
def check(
    ctx: typer.Context,
    pmids: List[str] = typer.Argument(None, metavar="ID...|-",
                                      help="Entries to check (default: all): PMIDs, DOIs, PMC ids; - reads stdin."),
    all_: bool = typer.Option(False, "--all", help="Also list entries that have comments (CommentIn)."),
    uncurated: bool = typer.Option(False, "--uncurated", help="Also list entries with no excerpt and no note."),
    json_: bool = typer.Option(False, "--json",
                               help="Print one JSON object per finding (pmid, kind, text, notice_pmid)."),
    fail_on: Optional[str] = typer.Option(
        None, "--fail-on", metavar="KINDS",
        help="Exit 1 if anything of these kinds is found: retracted, erratum, concern, update, comment, "
             "excerpt, uncurated (comma-separated)."),
) -> None:
    """List entries PubMed marks as retracted, corrected, of concern or updated, and excerpts gone stale.

    Works offline, from the stored records (run `lmscite refresh` to bring them up to
    date). A table on a terminal, tab-separated lines when piped. Exit 0, or 1 when
    --fail-on names a kind that was found.
    """
    from lmscite.curation.check import check_library
    from lmscite.curation.flags import DEFAULT_KINDS, KINDS, parse_kinds

    failing = parse_kinds(fail_on) if fail_on else []
    wanted = {*DEFAULT_KINDS, *failing, *(["comment"] if all_ else []), *(["uncurated"] if uncurated else [])}
    kinds = [k for k in KINDS if k in wanted]
    view = state(ctx).library().snapshot()
    found = _resolved(view, pmids)
    rows = check_library(view, found.pmids, kinds)
    if json_:
        out_jsonl([row.as_json() for row in rows])
    else:
        table(["pmid", "kind", "detail"], [[r.pmid, r.finding.kind, r.finding.text] for r in rows])
    counts = {k: sum(r.finding.kind == k for r in rows) for k in kinds}
    summary = ", ".join(f"{n} {k}" for k, n in counts.items() if n) or "nothing to report"
    entries = len({r.pmid for r in rows})
    info(f"check: {summary}" + (f" ({plural(entries, 'entry')})" if rows else ""))
    hits = [k for k in failing if counts.get(k)]
    if hits:
        warn(f"failing on {', '.join(hits)}")
    found.raise_for_missing()
    if hits:
        raise typer.Exit(EXIT_PARTIAL)


@app.command(epilog="\b\nExamples:\n  lmscite refresh\n"
             "  lmscite refresh --since 30\n"
             "  lmscite refresh 10749609 9834411 --json\n"
             "  lmscite list --format ids --tag review | lmscite refresh -")
def refresh(
    ctx: typer.Context,
    pmids: List[str] = typer.Argument(None, metavar="PMID...|-",
                                      help="Entries to refresh (default: all); - reads stdin."),
    since: Optional[float] = typer.Option(None, "--since", metavar="DAYS", min=0,
                                          help="Only entries not fetched within the last DAYS days."),
    json_: bool = typer.Option(False, "--json", help="Print one JSON object per entry (pmid, status, changes)."),
    max_attempts: int = ATTEMPTS_OPTION,
    timeout: float = TIMEOUT_OPTION,
) -> None:
    """Fetch stored entries again from PubMed, keep their curation, and report what changed.

    Up to 1,000 entries per request, each batch saved as it arrives; the notices that entries
    link to (retraction, erratum, expression of concern) are fetched too, so exports can
    cite them. An excerpt that a changed abstract breaks keeps its text and is flagged
    (see `lmscite check`). Changes are printed as a table (tab-separated when piped); a
    summary goes to stderr. Exit 0, 1 when some entries were not found or failed, 3 when
    PubMed could not be reached, 130 when interrupted (the batches saved before stay saved).
    """
    from lmscite.sync.fetch import Interrupted
    from lmscite.sync.refresh import refresh as refresh_entries

    library = state(ctx).library()
    view = library.snapshot()
    found = _resolved(view, pmids)
    total = len(found.pmids) or len(view)
    try:
        with make_client(max_attempts, timeout) as client, progress("refreshing", total) as advance:
            report = refresh_entries(library, client, found.pmids, since_days=since, on_batch=advance)
    except Interrupted as stopped:
        _print_refresh(stopped.report, json_)
        raise
    _print_refresh(report, json_)
    missing = found.error()
    if report.unreachable:
        if missing:
            warn(str(missing))
        raise typer.Exit(EXIT_FAILURE)
    if missing:
        raise missing
    raise typer.Exit(EXIT_PARTIAL if report.problems else EXIT_OK)


def _print_refresh(report, json_: bool) -> None:
    """Changes on stdout (JSON lines, or a table), problems, flags and the summary on stderr."""
    from lmscite.sync.fetch import Status

    if json_:
        out_jsonl([r.as_json() for r in report.entries])
    elif any(r.changes for r in report.entries):
        table(["pmid", "change", "before", "after"],
              [[r.pmid, c.field, _short(c.before), _short(c.after)] for r in report.entries for c in r.changes])
    warn_each([f"{problem.pmid}: {problem.status} ({problem.message})" for problem in report.problems])
    warn_each([f"linked notice {notice.id}: {notice.status} ({notice.message})"
               for notice in report.notices if notice.status is not Status.FETCHED], what="linked notices")
    warn_each([f"{flagged.pmid}: the abstract changed and the excerpt no longer matches it; the excerpt "
               f"was kept and flagged (see lmscite show {flagged.pmid} --sentences)"
               for flagged in report.entries if flagged.flagged], what="flagged excerpts")
    info(f"refresh: {report.summary()}")


def _resolved(view: LibraryView, tokens: Optional[List[str]]) -> Resolution:
    """The entries asked for; none at all means the whole library (an empty `-` is refused).

    When every id asked for is unknown, that is reported at once: an empty
    list would otherwise mean "every entry".
    """
    from lmscite.library.resolve import Resolution, resolve

    if not tokens:
        return Resolution()
    found = resolve(view, entry_ids(tokens))
    found.require_any()
    return found


def _short(text: Optional[str]) -> str:
    if text is None:
        return ""
    return text if len(text) <= _LONG else text[:_LONG - 1] + "\u2026"

