"""Fetching PubMed records into the library: ids in, one outcome per id out.

Batches are stored as they arrive, each in one library write, so an
interruption or a batch that keeps failing keeps everything fetched before
it.  Every id ends in exactly one state: fetched, updated, unchanged,
skipped, not found, invalid or failed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from lmscite.errors import LmsciteError, NetworkError, ParseError
from lmscite.ids import classify, dedupe
from lmscite.library.store import Library, LibraryView, now
from lmscite.model import Entry
from lmscite.pubmed.eutils import BATCH_SIZE, EutilsClient

STATES = ("fetched", "updated", "unchanged", "skipped", "not found", "invalid", "failed")
_FROM_MERGE = {"added": "fetched", "updated": "updated", "unchanged": "unchanged"}


@dataclass
class Outcome:
    """What happened to one id as the user gave it (`pmid` is the resolved PMID, if any)."""

    id: str
    status: str
    pmid: str | None = None
    message: str = ""

    def as_json(self) -> dict[str, str | None]:
        return asdict(self)


@dataclass
class FetchReport:
    outcomes: list[Outcome]

    def counts(self) -> Counter[str]:
        return Counter(o.status for o in self.outcomes)

    def summary(self) -> str:
        counts = self.counts()
        return ", ".join(f"{counts[state]} {state}" for state in STATES if counts[state]) or "nothing to do"

    @property
    def problems(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status in ("not found", "invalid", "failed")]

    @property
    def unreachable(self) -> bool:
        """True when nothing could be fetched because E-utilities never answered."""
        tried = [o for o in self.outcomes if o.status not in ("skipped", "invalid")]
        return bool(tried) and all(o.status == "failed" and o.message.startswith("network:") for o in tried)

    def stored_pmids(self) -> list[str]:
        return dedupe(o.pmid for o in self.outcomes
                      if o.pmid and o.status in ("fetched", "updated", "unchanged", "skipped"))


def plan(tokens: Sequence[str]) -> tuple[list[Outcome], dict[str, list[str]]]:
    """Sort ids by kind: invalid ones get their outcome now; PMIDs, DOIs and PMC ids wait."""
    invalid: list[Outcome] = []
    wanted: dict[str, list[str]] = {"pmid": [], "doi": [], "pmcid": []}
    for token in tokens:
        kind, value = classify(token)
        if kind == "invalid":
            invalid.append(Outcome(token, "invalid", None, "not a PMID, DOI or PMC id"))
        else:
            wanted[kind].append(value)
    return invalid, {kind: dedupe(values) for kind, values in wanted.items()}


def fetch_pmids(
    library: Library,
    client: EutilsClient,
    pmids: Sequence[str],
    *,
    refresh: bool = False,
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[int], None] | None = None,
    on_stored: Callable[[list[Entry]], None] | None = None,
    store: Callable[[LibraryView, list[Entry]], dict[str, str]] | None = None,
) -> list[Outcome]:
    """Fetch `pmids` (normalised, de-duplicated) and store each batch as it arrives.

    PMIDs already in the library are skipped unless `refresh`.  `store`, when
    given, puts a batch into the library in place of `LibraryView.merge`,
    inside the batch's one write, and returns merge's outcomes: `refresh`
    uses it to compare each record with the stored one and flag excerpts.
    """
    present = library.snapshot() if not refresh else None
    outcomes: dict[str, Outcome] = {}
    todo = []
    for pmid in pmids:
        if present is not None and pmid in present:
            outcomes[pmid] = Outcome(pmid, "skipped", pmid, "already in the library")
        else:
            todo.append(pmid)
    del present  # the snapshot holds the whole library file; each batch loads its own
    for batch, answer in client.efetch_batches(todo, batch_size):
        for outcome in _store_batch(library, batch, answer, refresh=refresh, on_stored=on_stored, store=store):
            outcomes[outcome.id] = outcome
        if on_batch:
            on_batch(len(batch))
    return [outcomes[p] for p in pmids]


def received(batch: Sequence[str], answer: bytes | LmsciteError) -> tuple[list[Entry], list[Outcome]]:
    """The records a batch's answer holds (those asked for, stamped as retrieved now), or else
    one failed outcome per PMID saying why."""
    if isinstance(answer, LmsciteError):
        kind = "network" if isinstance(answer, NetworkError) else "request"
        return [], [Outcome(p, "failed", p, f"{kind}: {answer}") for p in batch]
    from lmscite.pubmed.xml import parse_bytes

    try:
        entries = parse_bytes(answer, origin="efetch", source_kind="efetch")
    except ParseError as exc:
        return [], [Outcome(p, "failed", p, f"unreadable answer: {exc}") for p in batch]
    stamp = now()
    asked = set(batch)
    kept = [e for e in entries if e.pmid in asked]
    for entry in kept:
        entry.provenance.retrieved = stamp
    return kept, []


def not_found(pmid: str) -> Outcome:
    return Outcome(pmid, "not found", pmid, "PubMed has no record with this PMID")


def _store_batch(
    library: Library, batch: list[str], answer: bytes | LmsciteError, *, refresh: bool,
    on_stored: Callable[[list[Entry]], None] | None,
    store: Callable[[LibraryView, list[Entry]], dict[str, str]] | None = None,
) -> list[Outcome]:
    kept, failed = received(batch, answer)
    if failed:
        return failed
    with library.transaction() as view:
        merged = store(view, kept) if store else view.merge(kept, restamp=refresh)
    if on_stored:
        on_stored(kept)
    return [Outcome(p, _FROM_MERGE[merged[p]], p) if p in merged else not_found(p) for p in batch]


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
    """Fetch ids as the user typed them: PMIDs, DOIs and PMC ids; junk is reported, not fatal."""
    invalid, wanted = plan(tokens)
    outcomes = {o.id: o for o in invalid}
    for kind in ("doi", "pmcid"):
        if wanted[kind]:
            for outcome in _fetch_resolved(library, client, kind, wanted[kind], refresh=refresh):
                outcomes[outcome.id] = outcome
            if on_batch:
                on_batch(len(wanted[kind]))
    for outcome in fetch_pmids(library, client, wanted["pmid"], refresh=refresh, on_batch=on_batch):
        outcomes[outcome.id] = outcome
    return FetchReport([outcomes[key] for key in dedupe(map(_outcome_key, tokens))])


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
) -> list[Outcome]:
    """Resolve DOIs or PMC ids through esearch (batched, ORed) and store the unique matches."""
    outcomes: dict[str, Outcome] = {}
    todo = values
    if not refresh:
        todo = []
        stored = _stored_ids(library, kind)
        for value in values:
            pmid = stored.get(_key(kind, value))
            if pmid:
                outcomes[value] = Outcome(value, "skipped", pmid, "already in the library")
            else:
                todo.append(value)
    for start in range(0, len(todo), RESOLVE_BATCH):
        chunk = todo[start:start + RESOLVE_BATCH]
        for outcome in _resolve_chunk(library, client, kind, chunk, refresh=refresh):
            outcomes[outcome.id] = outcome
    return [outcomes[v] for v in values]


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
        return [Outcome(v, "failed", None, f"network: {exc}") for v in chunk]
    entries: list[Entry] = []
    for batch, answer in client.efetch_batches(candidates):
        found, failed = received(batch, answer)
        if failed:
            return [Outcome(v, "failed", None, failed[0].message) for v in chunk]
        entries.extend(found)
    matches: dict[str, list[Entry]] = {_key(kind, v): [] for v in chunk}
    for entry in entries:
        for key in _entry_ids(kind, entry) & matches.keys():
            matches[key].append(entry)
    unique = [found[0] for found in matches.values() if len(found) == 1]
    merged: dict[str, str] = {}
    if unique:
        with library.transaction() as view:
            merged = view.merge(unique, restamp=refresh)
    outcomes = []
    label = "DOI" if kind == "doi" else "PMC id"
    for value in chunk:
        found = matches[_key(kind, value)]
        if not found:
            outcomes.append(Outcome(value, "not found", None, f"PubMed has no record with this {label}"))
        elif len(found) > 1:
            pmids = ", ".join(e.pmid for e in found)
            outcomes.append(Outcome(value, "failed", None,
                                    f"ambiguous: this {label} matches PMIDs {pmids}; fetch the one you mean"))
        else:
            pmid = found[0].pmid
            outcomes.append(Outcome(value, _FROM_MERGE[merged[pmid]], pmid))
    return outcomes
