"""The records of the notices entries link to: retractions, errata, expressions of concern.

They are stored apart (library table "notices") so that a page's warning can
cite the notice itself, and never listed as entries.
"""

from __future__ import annotations

from collections.abc import Sequence

from lmscite.errors import LmsciteError
from lmscite.ids import dedupe
from lmscite.library.store import Library
from lmscite.pubmed.eutils import BATCH_SIZE, EutilsClient
from lmscite.sync.fetch import Outcome, not_found, received

NOTICE_LINKS = ("RetractionIn", "PartialRetractionIn", "ErratumIn", "ExpressionOfConcernIn")
"""Links whose target record (the notice) is fetched so a warning can cite it."""

def fetch_notices(
    library: Library, client: EutilsClient, pmids: Sequence[str], *, batch_size: int = BATCH_SIZE,
) -> list[Outcome]:
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
    for batch, answer in client.efetch_batches(todo, batch_size):
        outcomes.extend(_store_notices(library, batch, answer))
    return outcomes


def _store_notices(library: Library, batch: list[str], answer: bytes | LmsciteError) -> list[Outcome]:
    records, failed = received(batch, answer)
    if failed:
        return failed
    if records:
        with library.transaction() as view:
            view.put_notices(records)
    found = {r.pmid for r in records}
    return [Outcome(p, "fetched", p) if p in found else not_found(p) for p in batch]
