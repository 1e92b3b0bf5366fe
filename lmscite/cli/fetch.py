"""Commands that talk to PubMed: fetch and search."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from lmscite.cli.app import app, read_ids, state
from lmscite.cli.console import (
    info,
    out,
    out_jsonl,
    progress,
    stdout_is_tty,
    warn,
    warn_each,
)
from lmscite.errors import EXIT_FAILURE, EXIT_OK, EXIT_PARTIAL, InputError

ATTEMPTS_OPTION = typer.Option(6, "--max-attempts", metavar="N", min=1, help="Tries per request before giving up.")
TIMEOUT_OPTION = typer.Option(30.0, "--timeout", metavar="SECONDS", min=1.0, help="Per-request timeout.")


def make_client(max_attempts: int = 6, timeout: float = 30.0):
    """An E-utilities client whose retries are told on stderr and whose e-mail warning is ours."""
    import warnings

    from lmscite.config import ncbi_settings
    from lmscite.pubmed.eutils import EutilsClient, MissingEmailWarning

    def on_retry(request, reason: str, delay: float) -> None:
        info(f"{request.endpoint}: {reason}; retrying in {delay:.1f} s "
             f"(attempt {request.attempt + 1} of {request.max_attempts})")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", MissingEmailWarning)
        client = EutilsClient(ncbi_settings(), timeout=timeout, max_attempts=max_attempts, on_retry=on_retry)
    for warning in caught:
        warn(str(warning.message))
    return client


@app.command(epilog="\b\nExamples:\n  lmscite fetch 10749609 PMID:9834411 https://pubmed.ncbi.nlm.nih.gov/11091236/\n"
             "  lmscite search 'hepatic leiomyosarcoma resection' | lmscite fetch -\n"
             "  lmscite fetch --from pmids.txt --json > results.jsonl\n"
             "  lmscite fetch --with-notices 31844417")
def fetch(
    ctx: typer.Context,
    ids: List[str] = typer.Argument(None, metavar="ID...|-",
                                    help="PMIDs (12345, PMID:12345, PubMed URLs), DOIs or PMC ids; - reads stdin."),
    from_file: Optional[Path] = typer.Option(None, "--from", metavar="FILE", help="Read ids from FILE."),
    refresh: bool = typer.Option(False, "--refresh", help="Fetch again PMIDs already in the library."),
    with_notices: bool = typer.Option(False, "--with-notices",
                                      help="Also fetch the retraction, erratum and concern notices they link to."),
    json_: bool = typer.Option(False, "--json", help="Print one JSON object per id (id, pmid, status, message)."),
    max_attempts: int = ATTEMPTS_OPTION,
    timeout: float = TIMEOUT_OPTION,
) -> None:
    """Fetch PubMed records into the library, up to 1,000 per request, saving each batch as it arrives.

    Prints the PMIDs now in the library on stdout when piped (or results with --json);
    a summary goes to stderr. Exit 0 when every id was fetched or already there, 1 when
    some were not found, invalid or failed, 3 when PubMed could not be reached, 130 when
    interrupted (every batch saved before stays saved, and the summary says what was).
    """
    from lmscite.sync.fetch import Interrupted, fetch_ids

    tokens = [typed.raw for typed in read_ids(ids or [], from_file)]
    if not tokens:
        raise InputError("no ids given (pass PMIDs as arguments, - for stdin, or --from FILE)")
    library = state(ctx).library()
    try:
        with make_client(max_attempts, timeout) as client, progress("fetching", len(tokens)) as advance:
            report = fetch_ids(library, client, tokens, refresh=refresh, on_batch=advance)
            if with_notices:
                _fetch_notices(library, client, report)
    except Interrupted as stopped:
        _print_report(stopped.report, json_)
        raise
    _report(report, json_)


def _fetch_notices(library, client, report) -> None:
    """Linked notices are cited, not listed: their problems are warnings that leave the exit code alone."""
    from lmscite.sync.fetch import Interrupted, Status
    from lmscite.sync.notices import fetch_notices

    try:
        outcomes = fetch_notices(library, client, report.stored_pmids())
    except KeyboardInterrupt:
        raise Interrupted("interrupted while fetching linked notices: every id was fetched and saved; "
                          "run the same command again to fetch the notices", report) from None
    warn_each([f"linked notice {o.id}: {o.status} ({o.message})" for o in outcomes
               if o.status is not Status.FETCHED], what="linked notices")
    fetched = sum(o.status is Status.FETCHED for o in outcomes)
    missed = len(outcomes) - fetched
    info(f"linked notices: {fetched} fetched" + (f", {missed} not fetched" if missed else ""))


def _report(report, json_: bool) -> None:
    _print_report(report, json_)
    if report.unreachable:
        raise typer.Exit(EXIT_FAILURE)
    raise typer.Exit(EXIT_PARTIAL if report.problems else EXIT_OK)


def _print_report(report, json_: bool) -> None:
    """Outcomes on stdout (JSON lines, or the stored PMIDs when piped), problems and summary on stderr."""
    if json_:
        out_jsonl([o.as_json() for o in report.outcomes])
    elif not stdout_is_tty():
        out("".join(f"{p}\n" for p in report.stored_pmids()))
    warn_each([f"{problem.id}: {problem.status}" + (f" ({problem.message})" if problem.message else "")
               for problem in report.problems])
    info(f"fetch: {report.summary()}")


@app.command(epilog="\b\nExamples:\n  lmscite search 'liver metastases AND leiomyosarcoma' --max 50\n"
             "  lmscite search 'hepatic resection' --mindate 2000 --maxdate 2005 --count\n"
             "  lmscite search 'liver metastasectomy sarcoma' --save 'Liver Metastasectomy and Sarcoma' --fetch")
def search(
    ctx: typer.Context,
    query: str = typer.Argument(..., metavar="QUERY", help="A PubMed query, as typed on pubmed.gov."),
    max_: Optional[int] = typer.Option(None, "--max", metavar="N", min=1,
                                       help="At most N ids (default: all, up to PubMed's 9,999)."),
    sort: Optional[str] = typer.Option(None, "--sort", metavar="ORDER",
                                       help="relevance, pub_date, Author, JournalName (PubMed's sort names)."),
    mindate: Optional[str] = typer.Option(None, "--mindate", metavar="DATE",
                                          help="From date: 2000, 2000/01 or 2000/01/31 (needs --maxdate)."),
    maxdate: Optional[str] = typer.Option(None, "--maxdate", metavar="DATE", help="To date, in the same forms."),
    count: bool = typer.Option(False, "--count", help="Print only how many records match."),
    fetch_: bool = typer.Option(False, "--fetch", help="Also fetch the hits into the library."),
    save: Optional[str] = typer.Option(None, "--save", metavar="NAME",
                                       help="Keep the query under NAME: exported pages link it."),
    json_: bool = typer.Option(False, "--json", help="Print the result as JSON (count, ids, warnings)."),
) -> None:
    """Search PubMed; print the matching PMIDs one per line (pipe them into `lmscite fetch -`).

    Dates are PubMed's: YYYY, YYYY/MM or YYYY/MM/DD, both ends of the range given; a bad
    date, a range that ends before it starts or an unknown sort order exits 2 before
    anything is sent.
    """
    from dataclasses import asdict

    from lmscite.pubmed.eutils import search_filters

    if not query.strip():
        raise InputError("the search query is empty")
    search_filters(sort, mindate, maxdate)
    if save:
        with state(ctx).library().transaction() as view:
            searches = dict(view.meta().get("searches", {}))
            searches[save] = query
            view.set_meta("searches", searches)
        info(f"saved the search as {save!r}")
    with make_client() as client:
        if count:
            out(str(client.count(query, mindate=mindate, maxdate=maxdate)))
            return
        result = client.esearch_all(query, max_, sort=sort, mindate=mindate, maxdate=maxdate)
        for notice in result.warnings + result.errors:
            warn(notice)
        if result.truncated and (max_ is None or max_ > len(result.ids)):
            warn(f"PubMed matched {result.count} records but serves only the first {len(result.ids)}; "
                 "split the search by date (--mindate/--maxdate) to get the rest")
        if json_:
            from lmscite.cli.console import out_json

            out_json(asdict(result))
        else:
            out("".join(f"{pmid}\n" for pmid in result.ids))
        info(f"search: {len(result.ids)} of {result.count} matching records")
        if fetch_ and result.ids:
            from lmscite.sync.fetch import fetch_ids

            report = fetch_ids(state(ctx).library(), client, result.ids)
            info(f"fetch: {report.summary()}")
            if report.problems:
                raise typer.Exit(EXIT_PARTIAL)
