"""The records of the notices entries link to: retractions, errata, expressions of concern.

They are stored apart (library table "notices") so that a page's warning can
cite the notice itself, and never listed as entries.
"""

from __future__ import annotations

from collections.abc import Sequence

from lmscite.ids import dedupe
from lmscite.library.store import Library
from lmscite.pubmed.eutils import EutilsClient
from lmscite.sync.fetch import (
    Outcome,
    Received,
    Status,
    failed_outcomes,
    not_found,
    receive,
)

NOTICE_LINKS = ("RetractionIn", "PartialRetractionIn", "ErratumIn", "ExpressionOfConcernIn")
"""Links whose target record (the notice) is fetched so a warning can cite it."""

def fetch_notices(library: Library, client: EutilsClient, pmids: Sequence[str]) -> list[Outcome]:
    """Fetch and store the notices that the stored entries `pmids` link to, unless already stored.

    One outcome per notice asked for: fetched, not found or failed.  Each
    batch is one efetch request and one library write.
    """
    view = library.snapshot()
    linked = dedupe(link.get("pmid") for p in pmids for link in (view.raw(p) or {}).get("corrections", [])
                    if link.get("kind") in NOTICE_LINKS and link.get("pmid"))
    known = set(view.notice_pmids()) | set(view.pmids())
    todo = [p for p in linked if p not in known]
    outcomes: list[Outcome] = []
    for received in receive(client, todo):
        outcomes.extend(_store_notices(library, received))
    return outcomes


def _store_notices(library: Library, received: Received) -> list[Outcome]:
    if received.failure:
        return failed_outcomes(received)
    if received.entries:
        with library.transaction() as view:
            view.put_notices(received.entries)
    missing = set(received.missing())
    return [not_found(p) if p in missing else Outcome(p, Status.FETCHED, p) for p in received.pmids]
