"""The measured work, each run as its own process: `python peers.py NAME ARGS...`.

Every helper does one job the way its peer does it, times the part that
matters with `time.perf_counter`, and prints one JSON line on stdout; the
runner adds the process's wall time and peak memory (see measure.py).

Peers here are what a user would otherwise reach for: a minimal batched
urllib client, one request per PMID, Bio.Entrez, plain lxml or ElementTree
extraction, Bio.Entrez.read, and TinyDB used as its README shows.
"""

from __future__ import annotations

import gc
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

BATCH = 200
SPACING = 1 / 3 + 0.01
"""Seconds between request starts: NCBI's 3 per second, with room for loopback jitter."""
EMAIL = "bench@lmscite.invalid"
NCBI = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
_PMIDS = re.compile(rb"<(?:MedlineCitation|BookDocument)[^>]*>\s*<PMID[^>]*>(\d+)</PMID>")


def _report(**figures: Any) -> None:
    sys.stdout.write(json.dumps(figures) + "\n")


def _ids(path: str) -> list[str]:
    return Path(path).read_text().split()


# --- fetching ---------------------------------------------------------------


def _post(url: str, ids: list[str]) -> bytes:
    form = urllib.parse.urlencode({"db": "pubmed", "id": ",".join(ids), "retmode": "xml",
                                   "tool": "bench", "email": EMAIL}).encode()
    with urllib.request.urlopen(urllib.request.Request(url + "efetch.fcgi", data=form), timeout=60) as answer:
        return answer.read()


def _get(url: str, pmid: str) -> bytes:
    query = urllib.parse.urlencode({"db": "pubmed", "id": pmid, "retmode": "xml", "tool": "bench", "email": EMAIL})
    with urllib.request.urlopen(f"{url}efetch.fcgi?{query}", timeout=60) as answer:
        return answer.read()


def fetch_ideal(url: str, ids_file: str) -> None:
    """200 ids per POST, one every 1/3 s (plus 10 ms, so none arrives early), no retries: the floor at 3/s."""
    ids = _ids(ids_file)
    got: set[bytes] = set()
    requests = failed = 0
    start = time.perf_counter()
    for number, first in enumerate(range(0, len(ids), BATCH)):
        _sleep_until(start + number * SPACING)
        requests += 1
        try:
            got.update(_PMIDS.findall(_post(url, ids[first:first + BATCH])))
        except urllib.error.HTTPError:
            failed += 1
    seconds = time.perf_counter() - start
    _report(seconds=seconds, requests=requests, retries=0, failed=failed,
            lost=len(set(ids) - {p.decode() for p in got}))


def fetch_naive(url: str, ids_file: str, paced: str) -> None:
    """One GET per PMID and no retries; `paced` keeps to 3/s (as metapub), else as fast as answers come (pymed)."""
    ids = _ids(ids_file)
    got: set[bytes] = set()
    requests = failed = 0
    start = time.perf_counter()
    for number, pmid in enumerate(ids):
        if paced == "paced":
            _sleep_until(start + number * SPACING)
        requests += 1
        try:
            got.update(_PMIDS.findall(_get(url, pmid)))
        except urllib.error.HTTPError:
            failed += 1
    seconds = time.perf_counter() - start
    _report(seconds=seconds, requests=requests, retries=0, failed=failed,
            lost=len(set(ids) - {p.decode() for p in got}))


def fetch_entrez(url: str, ids_file: str) -> None:
    """Bio.Entrez.efetch, 200 ids a call, its own pacing (0.37 s) and retries (3 tries).

    Bio.Entrez builds each URL from a literal inside each function, so it is
    pointed at the fake server by wrapping its private `_build_request`.
    """
    from Bio import Entrez

    build = Entrez._build_request
    Entrez._build_request = lambda cgi, *args, **kwargs: build(cgi.replace(NCBI, url), *args, **kwargs)
    Entrez.email = EMAIL
    sent = 0
    opener = Entrez.urlopen

    def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal sent
        sent += 1
        return opener(*args, **kwargs)

    Entrez.urlopen = counted
    ids = _ids(ids_file)
    got: set[bytes] = set()
    failed = 0
    start = time.perf_counter()
    for first in range(0, len(ids), BATCH):
        try:
            with Entrez.efetch(db="pubmed", id=ids[first:first + BATCH], retmode="xml") as answer:
                got.update(_PMIDS.findall(answer.read()))
        except urllib.error.HTTPError:
            failed += 1
    seconds = time.perf_counter() - start
    batches = -(-len(ids) // BATCH)
    _report(seconds=seconds, requests=sent, retries=sent - batches, failed=failed,
            lost=len(set(ids) - {p.decode() for p in got}))


def _sleep_until(moment: float) -> None:
    wait = moment - time.perf_counter()
    if wait > 0:
        time.sleep(wait)


# --- parsing ----------------------------------------------------------------


def parse_lmscite(path: str) -> None:
    from lmscite.pubmed.xml import iter_entries

    start = time.perf_counter()
    count = sum(1 for _entry in iter_entries(path))
    _report(seconds=time.perf_counter() - start, records=count)


def _record(cite: Any, article: Any, find_text: Any) -> dict[str, Any]:
    """The fields a citation needs, as a user's own extraction would take them."""
    def text(node: Any) -> str | None:
        return "".join(node.itertext()) if node is not None else None

    journal = article.find("Journal")
    return {
        "pmid": find_text(cite, "PMID"),
        "title": text(article.find("ArticleTitle")),
        "abstract": [(node.get("Label"), text(node)) for node in article.iterfind("Abstract/AbstractText")],
        "authors": [(find_text(a, "LastName"), find_text(a, "ForeName"), find_text(a, "Initials"),
                     find_text(a, "CollectiveName"), [text(x) for x in a.iterfind("AffiliationInfo/Affiliation")])
                    for a in article.iterfind("AuthorList/Author")],
        "journal": find_text(journal, "Title") if journal is not None else None,
        "iso": find_text(journal, "ISOAbbreviation") if journal is not None else None,
        "year": find_text(article, "Journal/JournalIssue/PubDate/Year"),
        "volume": find_text(article, "Journal/JournalIssue/Volume"),
        "issue": find_text(article, "Journal/JournalIssue/Issue"),
        "pages": find_text(article, "Pagination/MedlinePgn"),
        "doi": [e.text for e in article.iterfind("ELocationID") if e.get("EIdType") == "doi"],
        "languages": [e.text for e in article.iterfind("Language")],
        "types": [e.text for e in article.iterfind("PublicationTypeList/PublicationType")],
        "mesh": [e.text for e in cite.iterfind("MeshHeadingList/MeshHeading/DescriptorName")],
        "keywords": [e.text for e in cite.iterfind("KeywordList/Keyword")],
    }


def _find_text(node: Any, path: str) -> str | None:
    return node.findtext(path) if node is not None else None


def parse_lxml(path: str) -> None:
    """lxml iterparse, the usual clear-and-delete idiom, the citation fields extracted."""
    from lxml import etree

    start = time.perf_counter()
    count = 0
    for _event, record in etree.iterparse(path, events=("end",), tag=("PubmedArticle", "PubmedBookArticle"),
                                          load_dtd=False, no_network=True, resolve_entities=False):
        cite = record.find("MedlineCitation")
        if cite is None:
            cite = record.find("BookDocument")
        article = cite.find("Article")
        _record(cite, article if article is not None else cite, _find_text)
        count += 1
        record.clear(keep_tail=False)
        while record.getprevious() is not None:
            del record.getparent()[0]
    _report(seconds=time.perf_counter() - start, records=count)


def parse_etree(path: str) -> None:
    """xml.etree.ElementTree iterparse, the root cleared after each record."""
    import xml.etree.ElementTree as ET

    start = time.perf_counter()
    count = 0
    root = None
    for event, node in ET.iterparse(path, events=("start", "end")):
        if root is None:
            root = node
        if event == "end" and node.tag in ("PubmedArticle", "PubmedBookArticle"):
            cite = node.find("MedlineCitation")
            if cite is None:
                cite = node.find("BookDocument")
            article = cite.find("Article")
            _record(cite, article if article is not None else cite, _find_text)
            count += 1
            root.clear()
    _report(seconds=time.perf_counter() - start, records=count)


def parse_entrez(path: str) -> None:
    """Bio.Entrez.read: validates against the bundled pubmed_250101 DTD, returns everything at once."""
    from Bio import Entrez

    start = time.perf_counter()
    try:
        with open(path, "rb") as stream:
            found = Entrez.read(stream)
    except Exception as exc:  # noqa: BLE001 - a failure is a figure to report, not a crash
        _report(seconds=None, records=0, error=f"{type(exc).__name__}: {exc}"[:300])
        return
    count = len(found["PubmedArticle"]) + len(found["PubmedBookArticle"])
    _report(seconds=time.perf_counter() - start, records=count)


# --- storing ----------------------------------------------------------------
# Every store helper starts from parsed records (parsing is not timed), times
# turning them into documents and storing them, and runs with the cyclic
# garbage collector paused, as `lmscite` commands run (lmscite.cli.main).


def _entries(path: str, limit: int | None = None) -> list[Any]:
    from lmscite.pubmed.xml import iter_entries

    found = []
    for entry in iter_entries(path):
        found.append(entry)
        if limit is not None and len(found) >= limit:
            break
    return found


def store_lmscite(path: str, library: str) -> None:
    """lmscite's store alone: one transaction merging every record into the library, one write."""
    from lmscite.library.store import Library, now

    entries = _entries(path)
    gc.disable()
    stamp = now()
    for entry in entries:
        entry.provenance.retrieved = stamp
    start = time.perf_counter()
    with Library(Path(library)).transaction() as view:
        outcome = view.merge(entries)
    _report(seconds=time.perf_counter() - start, records=len(outcome))


def tinydb_insert(path: str, library: str, count: str) -> None:
    """TinyDB as its README shows: TinyDB(path), then insert() per record on the default JSONStorage."""
    from tinydb import TinyDB

    entries = _entries(path, int(count))
    gc.disable()
    start = time.perf_counter()
    docs = [e.to_dict() for e in entries]
    with TinyDB(library) as db:
        table = db.table("entries")
        for doc in docs:
            table.insert(doc)
    _report(seconds=time.perf_counter() - start, records=len(docs))


def tinydb_insert_multiple(path: str, library: str, flavour: str) -> None:
    """One insert_multiple on JSONStorage (json) or on a minimal orjson storage."""
    from tinydb import TinyDB
    from tinydb.storages import JSONStorage, Storage

    class OrjsonStorage(Storage):
        def __init__(self, target: str) -> None:
            self.path = Path(target)

        def read(self) -> dict[str, Any] | None:
            import orjson

            return orjson.loads(self.path.read_bytes()) if self.path.exists() else None

        def write(self, data: dict[str, Any]) -> None:
            import orjson

            self.path.write_bytes(orjson.dumps(data))

    entries = _entries(path)
    storage = OrjsonStorage if flavour == "orjson" else JSONStorage
    gc.disable()
    start = time.perf_counter()
    docs = [e.to_dict() for e in entries]
    with TinyDB(library, storage=storage) as db:
        db.table("entries").insert_multiple(docs)
    _report(seconds=time.perf_counter() - start, records=len(docs))


HELPERS = {
    "fetch-ideal": fetch_ideal,
    "fetch-naive": fetch_naive,
    "fetch-entrez": fetch_entrez,
    "parse-lmscite": parse_lmscite,
    "parse-lxml": parse_lxml,
    "parse-etree": parse_etree,
    "parse-entrez": parse_entrez,
    "store-lmscite": store_lmscite,
    "tinydb-insert": tinydb_insert,
    "tinydb-insert-multiple": tinydb_insert_multiple,
}

if __name__ == "__main__":
    HELPERS[sys.argv[1]](*sys.argv[2:])
