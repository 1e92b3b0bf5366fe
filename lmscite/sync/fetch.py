"""Fetching PubMed records into the library: ids in, one outcome per id out.

Every fetch, refresh and notice download reads E-utilities through one
generator, `receive`: per batch, the records PubMed has of those asked for,
or the typed `Failure` that ended the batch.  Batches are stored as they
arrive, each in one library write, so an interruption or a batch that keeps
failing keeps everything fetched before it; an interruption is raised as
`Interrupted`, carrying the report of what was saved.  Every id ends in
exactly one `Status`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from lmscite.errors import EXIT_INTERRUPTED, LmsciteError, NetworkError
from lmscite.ids import classify, dedupe
from lmscite.library.store import Library, now
from lmscite.model import Entry
from lmscite.pubmed.eutils import EutilsClient
from lmscite.sync import keep


class Status(str, Enum):
    """Where one id ended; the value is the word `--json` and the summaries show."""

    FETCHED = "fetched"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    NOT_FOUND = "not found"
    INVALID = "invalid"
    FAILED = "failed"

    def __str__(self) -> str:
        return self.value


STORED = frozenset({Status.FETCHED, Status.UPDATED, Status.UNCHANGED, Status.SKIPPED})
"""The statuses after which the id's record is in the library."""
PROBLEMS = frozenset({Status.NOT_FOUND, Status.INVALID, Status.FAILED})
_FROM_MERGE = {"added": Status.FETCHED, "updated": Status.UPDATED, "unchanged": Status.UNCHANGED}
_RANK = {status: rank for rank, status in enumerate(Status)}


class Failure(str, Enum):
    """Why a batch brought nothing; the value leads the outcome's message."""

    NETWORK = "network"
    """E-utilities did not answer usably within the attempts (down, failing, unreachable)."""
    REFUSED = "request"
    """NCBI answered that it will never serve this request."""

    def __str__(self) -> str:
        return self.value


def failure_of(error: LmsciteError) -> Failure:
    return Failure.NETWORK if isinstance(error, NetworkError) else Failure.REFUSED


@dataclass
class Outcome:
    """What happened to one id as the user gave it (`pmid` is the resolved PMID, if any)."""

    id: str
    status: Status
    pmid: str | None = None
    message: str = ""
    failure: Failure | None = None

    def as_json(self) -> dict[str, str | None]:
        return {"id": self.id, "status": self.status.value, "pmid": self.pmid, "message": self.message}


def not_found(pmid: str) -> Outcome:
    return Outcome(pmid, Status.NOT_FOUND, pmid, "PubMed has no record with this PMID")


def count_by_paper(outcomes: Sequence[Outcome]) -> Counter[Status]:
    """Statuses counted once per paper: a PMID, its DOI and its PMC id name one record, which
    counts by the best thing that happened to it (fetched over skipped); an id that resolved to
    no PMID counts by itself."""
    best: dict[tuple[str, str], Status] = {}
    for outcome in outcomes:
        key = ("pmid", outcome.pmid) if outcome.pmid else ("id", outcome.id)
        if key not in best or _RANK[outcome.status] < _RANK[best[key]]:
            best[key] = outcome.status
    return Counter(best.values())


def summarise(counts: Counter[Status], order: Sequence[Status] = tuple(Status)) -> str:
    return ", ".join(f"{counts[status]} {status.value}" for status in order if counts[status]) or "nothing to do"


@dataclass
class FetchReport:
    outcomes: list[Outcome]

    def counts(self) -> Counter[Status]:
        return count_by_paper(self.outcomes)

    def summary(self) -> str:
        return summarise(self.counts())

    @property
    def problems(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status in PROBLEMS]

    @property
    def unreachable(self) -> bool:
        """True when nothing could be fetched because E-utilities never answered."""
        tried = [o for o in self.outcomes if o.status not in (Status.SKIPPED, Status.INVALID)]
        return bool(tried) and all(o.failure is Failure.NETWORK for o in tried)

    def stored_pmids(self) -> list[str]:
        return dedupe(o.pmid for o in self.outcomes if o.pmid and o.status in STORED)

    def saved(self) -> int:
        """Papers this run put into the library (skipped ones were there already)."""
        counts = self.counts()
        return counts[Status.FETCHED] + counts[Status.UPDATED] + counts[Status.UNCHANGED]


class Interrupted(LmsciteError):
    """Ctrl-C (or a signal delivered the same way) stopped a fetch or refresh between or during
    batches; every batch stored before it stays stored, and `report` says which ids those were."""

    exit_code = EXIT_INTERRUPTED

    def __init__(self, message: str, report: Any) -> None:
        super().__init__(message)
        self.report = report


# --- one generator for every efetch ------------------------------------------------


@dataclass
class Received:
    """One batch's answer: the records PubMed has of the PMIDs asked for, or why there are none.

    A whole answer is PubMed's word, so a PMID asked for and absent from it
    is one PubMed does not have (`missing`); when `failure` is set nothing
    came, and `message` says why.
    """

    pmids: list[str]
    entries: list[Entry] = field(default_factory=list)
    failure: Failure | None = None
    message: str = ""

    def missing(self) -> list[str]:
        found = {entry.pmid for entry in self.entries}
        return [pmid for pmid in self.pmids if pmid not in found]


def receive(client: EutilsClient, pmids: Sequence[str]) -> Iterator[Received]:
    """Each batch of `pmids` (normalised, de-duplicated) as it arrives, its records stamped as
    retrieved now.  An answer that cannot be read is retried in smaller batches by the client,
    so what arrives is either whole or a failure, never a guess."""
    for batch, answer in client.efetch_batches(pmids, _read):
        if isinstance(answer, LmsciteError):
            kind = failure_of(answer)
            yield Received(batch, failure=kind, message=f"{kind}: {answer}")
            continue
        stamp = now()
        asked = set(batch)
        kept = [entry for entry in answer if entry.pmid in asked]
        for entry in kept:
            entry.provenance.retrieved = stamp
        yield Received(batch, kept)


def _read(body: bytes) -> list[Entry]:
    from lmscite.pubmed.xml import parse_bytes

    return parse_bytes(body, origin="efetch", source_kind="efetch")


def failed_outcomes(received: Received) -> list[Outcome]:
    return [Outcome(p, Status.FAILED, p, received.message, received.failure) for p in received.pmids]


# --- fetch ---------------------------------------------------------------------------


def plan(tokens: Sequence[str]) -> tuple[list[Outcome], dict[str, list[str]]]:
    """Sort ids by kind: invalid ones get their outcome now; PMIDs, DOIs and PMC ids wait."""
    invalid: list[Outcome] = []
    wanted: dict[str, list[str]] = {"pmid": [], "doi": [], "pmcid": []}
    for token in tokens:
        kind, value = classify(token)
        if kind == "invalid":
            invalid.append(Outcome(token, Status.INVALID, None, "not a PMID, DOI or PMC id"))
        else:
            wanted[kind].append(value)
    return invalid, {kind: dedupe(values) for kind, values in wanted.items()}


def fetch_pmids(
    library: Library,
    client: EutilsClient,
    pmids: Sequence[str],
    *,
    refresh: bool = False,
    on_batch: Callable[[int], None] | None = None,
    into: dict[str, Outcome] | None = None,
) -> list[Outcome]:
    """Fetch `pmids` (normalised, de-duplicated) and store each batch as it arrives.

    PMIDs already in the library are skipped unless `refresh`.  Each outcome
    goes into `into` as soon as its batch is stored, so a caller that is
    interrupted still knows what was saved.
    """
    outcomes = {} if into is None else into
    present = library.snapshot() if not refresh else None
    todo = []
    for pmid in pmids:
        if present is not None and pmid in present:
            outcomes[pmid] = Outcome(pmid, Status.SKIPPED, pmid, "already in the library")
        else:
            todo.append(pmid)
    del present  # the snapshot holds the whole library file; each batch loads its own
    for received in receive(client, todo):
        for outcome in _store(library, received, refresh=refresh):
            outcomes[outcome.id] = outcome
        if on_batch:
            on_batch(len(received.pmids))
    return [outcomes[p] for p in pmids]


def _store(library: Library, received: Received, *, refresh: bool) -> list[Outcome]:
    if received.failure:
        return failed_outcomes(received)
    merged: dict[str, str] = {}
    if received.entries:
        with library.transaction() as view:
            merged, _broken = keep.merge(view, received.entries, restamp=refresh, how="fetch")
    return [Outcome(p, _FROM_MERGE[merged[p]], p) if p in merged else not_found(p) for p in received.pmids]


RESOLVE_BATCH = 50
"""DOIs or PMC ids per esearch query (ORed), keeping the URL short and the answer small."""
_FIELDS = {"doi": "doi", "pmcid": "pmcid"}


def fetch_ids(
    library: Library,
    client: EutilsClient,
    tokens: Sequence[str],
    *,
    refresh: bool = False,
    on_batch: Callable[[int], None] | None = None,
) -> FetchReport:
    """Fetch ids as the user typed them: PMIDs, DOIs and PMC ids; junk is reported, not fatal.

    Raises `Interrupted` on Ctrl-C, with the report of every id finished so far.
    """
    keys = dedupe(map(_outcome_key, tokens))
    invalid, wanted = plan(tokens)
    outcomes = {o.id: o for o in invalid}
    try:
        for kind in ("doi", "pmcid"):
            if wanted[kind]:
                _fetch_resolved(library, client, kind, wanted[kind], refresh=refresh, into=outcomes)
                if on_batch:
                    on_batch(len(wanted[kind]))
        fetch_pmids(library, client, wanted["pmid"], refresh=refresh, on_batch=on_batch, into=outcomes)
    except KeyboardInterrupt:
        report = FetchReport([outcomes[key] for key in keys if key in outcomes])
        again = "fetch them all again" if refresh else "fetch the rest"
        raise Interrupted(f"interrupted: {report.saved():,} of {len(keys):,} ids fetched and saved; "
                          f"run the same command again to {again}", report) from None
    return FetchReport([outcomes[key] for key in keys])


def _outcome_key(token: str) -> str:
    """Outcomes are keyed by normalised id, so `12345` and `PMID:12345` share one; junk by itself."""
    kind, value = classify(token)
    return token if kind == "invalid" else value


def _key(kind: str, value: str) -> str:
    return value.casefold() if kind == "doi" else value.upper()


def _entry_ids(kind: str, entry: Entry) -> set[str]:
    found = entry.doi if kind == "doi" else entry.pmcid
    return {_key(kind, found)} if found else set()


def _fetch_resolved(
    library: Library, client: EutilsClient, kind: str, values: list[str], *, refresh: bool,
    into: dict[str, Outcome],
) -> None:
    """Resolve DOIs or PMC ids through esearch (batched, ORed) and store the unique matches."""
    todo = values
    if not refresh:
        todo = []
        stored = _stored_ids(library, kind)
        for value in values:
            pmid = stored.get(_key(kind, value))
            if pmid:
                into[value] = Outcome(value, Status.SKIPPED, pmid, "already in the library")
            else:
                todo.append(value)
    for start in range(0, len(todo), RESOLVE_BATCH):
        chunk = todo[start:start + RESOLVE_BATCH]
        for outcome in _resolve_chunk(library, client, kind, chunk, refresh=refresh):
            into[outcome.id] = outcome


def _stored_ids(library: Library, kind: str) -> dict[str, str]:
    view = library.snapshot()
    found = {}
    for pmid in view.pmids():
        ids = (view.raw(pmid) or {}).get("article_ids", {})
        value = ids.get("doi" if kind == "doi" else "pmc")
        if value:
            found[_key(kind, value)] = pmid
    return found


def _resolve_chunk(
    library: Library, client: EutilsClient, kind: str, chunk: list[str], *, refresh: bool,
) -> list[Outcome]:
    term = " OR ".join(f'"{value}"[{_FIELDS[kind]}]' for value in chunk)
    try:
        candidates = client.esearch_all(term).ids
    except LmsciteError as exc:
        kind = failure_of(exc)
        return [Outcome(v, Status.FAILED, None, f"{kind}: {exc}", kind) for v in chunk]
    entries: list[Entry] = []
    for received in receive(client, candidates):
        if received.failure:
            return [Outcome(v, Status.FAILED, None, received.message, received.failure) for v in chunk]
        entries.extend(received.entries)
    matches: dict[str, list[Entry]] = {_key(kind, v): [] for v in chunk}
    for entry in entries:
        for key in _entry_ids(kind, entry) & matches.keys():
            matches[key].append(entry)
    unique = [found[0] for found in matches.values() if len(found) == 1]
    merged: dict[str, str] = {}
    if unique:
        with library.transaction() as view:
            merged, _broken = keep.merge(view, unique, restamp=refresh, how="fetch")
    outcomes = []
    label = "DOI" if kind == "doi" else "PMC id"
    for value in chunk:
        found = matches[_key(kind, value)]
        if not found:
            outcomes.append(Outcome(value, Status.NOT_FOUND, None, f"PubMed has no record with this {label}"))
        elif len(found) > 1:
            pmids = ", ".join(e.pmid for e in found)
            outcomes.append(Outcome(value, Status.FAILED, None,
                                    f"ambiguous: this {label} matches PMIDs {pmids}; fetch the one you mean"))
        else:
            pmid = found[0].pmid
            outcomes.append(Outcome(value, _FROM_MERGE[merged[pmid]], pmid))
    return outcomes
