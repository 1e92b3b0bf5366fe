"""Keeping a curated bibliography true as PubMed changes: refresh, diffs, linked notices.

* `refresh` fetches stored entries again, through the batches every fetch
  reads (`lmscite.sync.fetch.receive`), keeps their curation, reports what changed (`diff`), and flags an excerpt
  that a changed abstract broke, keeping its text: a quote is never rewritten
  behind the curator's back.
* the notices the refreshed entries link to are fetched too
  (`lmscite.sync.notices`).
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta, timezone
from typing import Any

from lmscite import markup
from lmscite.citation import author_name, format_date
from lmscite.errors import (
    NotInLibraryError,
)
from lmscite.ids import dedupe
from lmscite.library.store import Library, LibraryView
from lmscite.model import Correction, Entry
from lmscite.pubmed.eutils import EutilsClient
from lmscite.sync import keep
from lmscite.sync.fetch import (
    Failure,
    Interrupted,
    Outcome,
    Received,
    Status,
    receive,
    summarise,
)
from lmscite.sync.notices import fetch_notices

REFRESH_STATES = (Status.UPDATED, Status.UNCHANGED, Status.SKIPPED, Status.NOT_FOUND, Status.FAILED)


# --- what a refresh changed -------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One difference between the stored record and PubMed's current one.

    `before` is None for something new (a RetractionIn link, a publication
    type), `after` is None for something gone.  Field "other" lists, in
    `after`, the record's other parts that changed (MeSH, keywords, ...).
    """

    field: str
    before: str | None
    after: str | None

    def as_json(self) -> dict[str, str | None]:
        return asdict(self)


def diff(old: Entry, new: Entry) -> list[Change]:
    """What changed in PubMed's part of an entry; curation is not looked at."""
    changes: list[Change] = []
    explained: set[str] = set()

    def compare(name: str, keys: Sequence[str], before: str | None, after: str | None) -> None:
        if before != after:
            changes.append(Change(name, before, after))
            explained.update(keys)

    changes.extend(_link_changes(old, new))
    explained.add("corrections")
    compare("title", ["title"], *_texts(old.title, new.title))
    compare("vernacular_title", ["vernacular_title"], *_texts(old.vernacular_title, new.vernacular_title))
    compare("authors", ["authors"], _authors(old), _authors(new))
    abstract = _abstract_changes(old, new)
    if abstract:
        changes.extend(abstract)
        explained.add("abstract")
    compare("volume", ["volume"], old.volume, new.volume)
    compare("issue", ["issue"], old.issue, new.issue)
    compare("pages", ["pagination", "start_page", "end_page"], _pages(old), _pages(new))
    compare("status", [], old.provenance.publication_status, new.provenance.publication_status)
    compare("pub_date", ["pub_date"], format_date(old.pub_date) or None, format_date(new.pub_date) or None)
    for gone in [t for t in old.publication_types if t not in new.publication_types]:
        changes.append(Change("publication_type", gone, None))
    for added in [t for t in new.publication_types if t not in old.publication_types]:
        changes.append(Change("publication_type", None, added))
    explained.add("publication_types")
    other = [f.name for f in fields(Entry) if f.name not in explained and f.name not in ("curation", "provenance")
             and getattr(old, f.name) != getattr(new, f.name)]
    if other:
        changes.append(Change("other", None, ", ".join(other)))
    return changes


def _texts(old: str | None, new: str | None) -> tuple[str | None, str | None]:
    """Markup fragments shown as plain text, unless only the markup changed."""
    plain_old = markup.plain(old) if old else old
    plain_new = markup.plain(new) if new else new
    return (plain_old, plain_new) if plain_old != plain_new else (old, new)


def _link_key(link: Correction) -> tuple[str, str]:
    return link.kind, link.pmid or " ".join((link.source or "").split())


def _describe_link(link: Correction) -> str:
    source = " ".join((link.source or "").split())
    if link.pmid:
        return f"{source} (PMID: {link.pmid})" if source else f"PMID {link.pmid}"
    return source


def _link_changes(old: Entry, new: Entry) -> list[Change]:
    before = {_link_key(link): link for link in old.corrections}
    after = {_link_key(link): link for link in new.corrections}
    changes = [Change(key[0], None, _describe_link(link)) for key, link in after.items() if key not in before]
    changes += [Change(key[0], _describe_link(link), None) for key, link in before.items() if key not in after]
    return changes


def _authors(entry: Entry) -> str | None:
    return ", ".join(author_name(a) for a in entry.authors) or None


def _pages(entry: Entry) -> str | None:
    return entry.pagination or "-".join(p for p in (entry.start_page, entry.end_page) if p) or None


def _abstract_changes(old: Entry, new: Entry) -> list[Change]:
    """The abstract's changed sentences, each run of them one change."""
    if old.abstract == new.abstract:
        return []
    from lmscite.curation.sentences import sentences

    before = [s.text for s in sentences(old.abstract)]
    after = [s.text for s in sentences(new.abstract)]
    if before == after:
        return []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    return [Change("abstract", " ".join(before[i1:i2]) or None, " ".join(after[j1:j2]) or None)
            for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


# --- refresh ------------------------------------------------------------------------


@dataclass
class Refreshed:
    """What a refresh did to one stored entry; `flagged` says its excerpt was newly broken."""

    pmid: str
    status: Status
    changes: list[Change] = field(default_factory=list)
    message: str = ""
    flagged: bool = False
    failure: Failure | None = None

    def as_json(self) -> dict[str, Any]:
        return {"pmid": self.pmid, "status": self.status.value, "message": self.message, "flagged": self.flagged,
                "changes": [c.as_json() for c in self.changes]}


@dataclass
class RefreshReport:
    entries: list[Refreshed]
    notices: list[Outcome] = field(default_factory=list)

    def counts(self) -> Counter[Status]:
        return Counter(r.status for r in self.entries)

    def summary(self) -> str:
        text = summarise(self.counts(), REFRESH_STATES)
        flagged = sum(r.flagged for r in self.entries)
        if flagged:
            text += f"; {flagged} excerpt{'s' if flagged != 1 else ''} flagged"
        fetched = sum(o.status is Status.FETCHED for o in self.notices)
        if fetched:
            text += f"; {fetched} linked notice{'s' if fetched != 1 else ''} fetched"
        return text

    @property
    def problems(self) -> list[Refreshed]:
        return [r for r in self.entries if r.status in (Status.NOT_FOUND, Status.FAILED)]

    @property
    def unreachable(self) -> bool:
        """True when nothing could be refreshed because E-utilities never answered."""
        tried = [r for r in self.entries if r.status is not Status.SKIPPED]
        return bool(tried) and all(r.failure is Failure.NETWORK for r in tried)

    def saved(self) -> int:
        return sum(r.status in (Status.UPDATED, Status.UNCHANGED) for r in self.entries)


def due(view: LibraryView, pmids: Sequence[str], since_days: float | None,
        moment: datetime | None = None) -> tuple[list[str], list[str]]:
    """`pmids` split into those to refresh and those fetched less than `since_days` ago."""
    if since_days is None:
        return list(pmids), []
    cutoff = (moment or datetime.now(timezone.utc)) - timedelta(days=since_days)
    todo, fresh = [], []
    for pmid in pmids:
        retrieved = _when((view.raw(pmid) or {}).get("provenance", {}).get("retrieved"))
        (fresh if retrieved is not None and retrieved > cutoff else todo).append(pmid)
    return todo, fresh


def _when(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def refresh(
    library: Library,
    client: EutilsClient,
    pmids: Sequence[str] = (),
    *,
    since_days: float | None = None,
    notices: bool = True,
    on_batch: Callable[[int], None] | None = None,
) -> RefreshReport:
    """Fetch stored entries again (all, or `pmids`), keep their curation, report what changed.

    Each batch is one efetch request and one library write.  An excerpt that
    the new abstract breaks keeps its text and gets a flag in
    `curation.flags`.  With `notices`, the notices the refreshed entries link
    to are fetched too (`fetch_notices`).  Raises `Interrupted` on Ctrl-C,
    with the report of every entry refreshed so far.
    """
    view = library.snapshot()
    wanted = dedupe(pmids) if pmids else sorted(view.pmids(), key=int)
    missing = [p for p in wanted if p not in view]
    if missing:
        raise NotInLibraryError(missing)
    todo, fresh = due(view, wanted, since_days)
    del view
    done = {p: Refreshed(p, Status.SKIPPED, message=f"refreshed less than {since_days:g} days ago") for p in fresh}
    order = {p: i for i, p in enumerate(wanted)}

    def report() -> RefreshReport:
        return RefreshReport(sorted(done.values(), key=lambda r: order[r.pmid]))

    try:
        for received in receive(client, todo):
            done.update((r.pmid, r) for r in _refresh_batch(library, received))
            if on_batch:
                on_batch(len(received.pmids))
    except KeyboardInterrupt:
        partial = report()
        raise Interrupted(f"interrupted: {partial.saved():,} of {len(wanted):,} entries refreshed and saved; "
                          "run the same command with --since 1 to refresh the rest", partial) from None
    result = report()
    if notices:
        refreshed = [r.pmid for r in result.entries if r.status in (Status.UPDATED, Status.UNCHANGED)]
        try:
            result.notices = fetch_notices(library, client, refreshed)
        except KeyboardInterrupt:
            raise Interrupted(f"interrupted while fetching linked notices: all {result.saved():,} entries were "
                              "refreshed and saved; `lmscite fetch --with-notices` fetches the notices",
                              result) from None
    return result


def _refresh_batch(library: Library, received: Received) -> list[Refreshed]:
    """One batch into the library in one write: each record compared with the stored one, its
    curation kept, and an excerpt the new abstract breaks flagged."""
    if received.failure:
        return [Refreshed(p, Status.FAILED, message=received.message, failure=received.failure)
                for p in received.pmids]
    results = {p: Refreshed(p, Status.NOT_FOUND,
                            message="PubMed no longer has this record; the stored entry was kept")
               for p in received.missing()}
    if received.entries:
        with library.transaction() as batch:
            old = {e.pmid: batch.get(e.pmid) for e in received.entries}
            entries = [e for e in received.entries if old[e.pmid] is not None]
            _merged, broken = keep.merge(batch, entries, restamp=True)
            for entry in entries:
                changes = diff(old[entry.pmid], entry)
                changes.extend(Change("excerpt", None, problem) for problem in broken.get(entry.pmid, []))
                status = Status.UPDATED if changes else Status.UNCHANGED
                results[entry.pmid] = Refreshed(entry.pmid, status, changes, flagged=entry.pmid in broken)
        for pmid, before in old.items():
            if before is None:
                results[pmid] = Refreshed(pmid, Status.SKIPPED, message="removed from the library during the refresh")
    return [results[p] for p in received.pmids]
