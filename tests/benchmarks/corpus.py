"""Realistic PubMed XML in any quantity, grown from the real NCBI fixtures.

Every generated article is a real record from tests/data/xml or the seed page
with what differs between PubMed records changed: a new PMID (and its own
ArticleId, DOI and PMC id), a title, authors and an abstract put together
from the fixtures' own words, names and sentences, a year and pages.

The mix, per 10,000: 7,500 built on the seed page's records (older papers
with a one-paragraph abstract, the kind a curated page cites), about 2,300
on short real efetch records (MeSH, history dates, identifiers), 100 on
longer ones, 80 carrying a long ReferenceList, 30 with 20 to 43 authors, 2
with 474 authors and 10 book chapters; a quarter of the ordinary records
lose their abstract, as letters, comments and editorials have none.  That
averages about 3 KB per article (30 MB for 10,000), close to the issue's
27 MB: real efetch records with their MeSH and history dates are larger, so
a smaller average would take records no real PubMed answer holds.

Files carry the pubmed_250101 DOCTYPE and hold only what that DTD allows
(the older fixtures' DateCreated is dropped and their Article/Affiliation
moved into the first author, as today's DTD has it), so Bio.Entrez.read
validates them.  The output is deterministic for a given (count, seed), so
repeated runs and different machines parse the very same bytes.
"""

from __future__ import annotations

import copy
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree

TESTS = Path(__file__).resolve().parent.parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from eutils_server import SEED, real_records

HEAD = (b'<?xml version="1.0" ?>\n'
        b'<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
        b'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
        b"<PubmedArticleSet>\n")
TAIL = b"</PubmedArticleSet>\n"
VERSION = 3
"""Bumped whenever the output changes, so cached corpora are rebuilt."""

_SENTENCE_END = re.compile(r"(?<=[a-z0-9%)][.!?])\s+(?=[A-Z])")
_WORD = re.compile(r"[A-Za-z][a-z-]+[a-z]")
_LARGE_AUTHORS = 20
_HUGE_AUTHORS = 400
_SHORT = 5_000
"""Bytes: ordinary efetch records up to this size are "short", the rest "long"."""
_NO_ABSTRACT = 0.25
"""Share of ordinary records whose abstract is dropped (letters, comments, editorials have none)."""

# Share of each kind of record, out of 10,000 (the rest are short ordinary efetch records).
_MIX = (("huge_authors", 2), ("large_authors", 30), ("references", 80), ("book", 10), ("long", 100),
        ("seed", 7500))


@dataclass(frozen=True)
class Pools:
    """What articles are varied with: all of it taken from the real fixtures."""

    words: tuple[str, ...]
    names: tuple[tuple[str, str, str], ...]
    affiliations: tuple[str, ...]
    sentences: tuple[str, ...]
    templates: dict[str, tuple[bytes, ...]]


def _kind(article: etree._Element, seed: set[str]) -> str:
    if article.findtext("MedlineCitation/PMID") in seed:
        return "seed"
    authors = len(article.findall(".//AuthorList/Author"))
    if article.tag == "PubmedBookArticle":
        return "book"
    if authors >= _HUGE_AUTHORS:
        return "huge_authors"
    if authors >= _LARGE_AUTHORS:
        return "large_authors"
    if len(article.findall(".//ReferenceList/Reference")) >= 10:
        return "references"
    return "short" if len(etree.tostring(article)) <= _SHORT else "long"


@lru_cache(maxsize=1)
def pools() -> Pools:
    words: dict[str, None] = {}
    names: dict[tuple[str, str, str], None] = {}
    affiliations: dict[str, None] = {}
    sentences: dict[str, None] = {}
    templates: dict[str, list[bytes]] = {}
    seed = set(re.findall(r'<PMID Version="1">(\d+)</PMID>', SEED.read_text()))
    for raw in real_records().values():
        article = etree.fromstring(raw)
        templates.setdefault(_kind(article, seed), []).append(raw)
        for title in article.iter("ArticleTitle"):
            tokens = (token.strip(".,:;()[]?!'\"") for token in "".join(title.itertext()).split())
            words.update(dict.fromkeys(token for token in tokens if _WORD.fullmatch(token)))
        for author in article.iter("Author"):
            last, fore, initials = (author.findtext(t) for t in ("LastName", "ForeName", "Initials"))
            if last and fore and initials:
                names[(last, fore, initials)] = None
        for affiliation in article.iter("Affiliation"):
            if affiliation.text and len(affiliation.text) < 300:
                affiliations[affiliation.text.strip()] = None
        for text in article.iter("AbstractText"):
            if len(text) == 0 and text.text:
                for sentence in _SENTENCE_END.split(" ".join(text.text.split())):
                    if 40 <= len(sentence) <= 400:
                        sentences[sentence] = None
    return Pools(tuple(words), tuple(names), tuple(affiliations), tuple(sentences),
                 {kind: tuple(found) for kind, found in templates.items()})


def _pmids(count: int, rng: random.Random, taken: set[str]) -> list[str]:
    """Unique, plausible 8-digit PMIDs, none of them a fixture's."""
    chosen: dict[str, None] = {}
    while len(chosen) < count:
        pmid = str(rng.randrange(10_000_000, 40_000_000))
        if pmid not in taken:
            chosen[pmid] = None
    return list(chosen)


def _title(rng: random.Random, pools: Pools, length: int) -> str:
    count = max(4, int(length * rng.uniform(0.7, 1.3)))
    words = [rng.choice(pools.words) for _ in range(count)]
    return " ".join([words[0].capitalize(), *(w.lower() for w in words[1:])]) + "."


def _set_text(parent: etree._Element | None, tag: str, value: str) -> None:
    if parent is not None:
        found = parent.find(tag)
        if found is not None:
            found.text = value


def _renumber(article: etree._Element, pmid: str, rng: random.Random) -> None:
    citation = article[0]
    citation.find("PMID").text = pmid
    for holder in ("PubmedData/ArticleIdList", "PubmedBookData/ArticleIdList",
                   "BookDocument/ArticleIdList"):
        for article_id in article.iterfind(f"{holder}/ArticleId"):
            kind = article_id.get("IdType")
            if kind in ("pubmed", "bookaccession"):
                article_id.text = pmid if kind == "pubmed" else article_id.text
            elif kind == "doi":
                article_id.text = f"10.{rng.randrange(1000, 9999)}/bench.{pmid}"
            elif kind == "pmc":
                article_id.text = f"PMC{int(pmid) // 3}"
            elif kind == "pii":
                article_id.text = f"S{pmid}"
    for location in article.iter("ELocationID"):
        if location.get("EIdType") == "doi":
            location.text = f"10.{rng.randrange(1000, 9999)}/bench.{pmid}"


def _vary_authors(article: etree._Element, rng: random.Random, pools: Pools, kind: str) -> None:
    for author_list in article.iter("AuthorList"):
        people = [a for a in author_list.findall("Author") if a.find("LastName") is not None]
        if not people:
            continue
        if kind in ("short", "long", "seed"):
            wanted = min(12, max(1, int(rng.gauss(4.5, 2.5))))
            for extra in people[wanted:]:
                author_list.remove(extra)
            people = people[:wanted]
            while len(people) < wanted:
                clone = copy.deepcopy(people[-1])
                for info in clone.findall("AffiliationInfo"):
                    clone.remove(info)
                people[-1].addnext(clone)
                people.append(clone)
        for author in people:
            last, fore, initials = rng.choice(pools.names)
            _set_text(author, "LastName", last)
            _set_text(author, "ForeName", fore)
            _set_text(author, "Initials", initials)
            for affiliation in author.iterfind("AffiliationInfo/Affiliation"):
                affiliation.text = rng.choice(pools.affiliations)


def _vary_abstract(article: etree._Element, rng: random.Random, pools: Pools, kind: str) -> None:
    if kind in ("short", "long", "seed") and rng.random() < _NO_ABSTRACT:
        for abstract in article.findall("MedlineCitation/Article/Abstract"):
            abstract.getparent().remove(abstract)
        return
    for text in article.iter("AbstractText"):
        if len(text) or not text.text:
            continue
        had = len(_SENTENCE_END.split(text.text))
        count = max(1, had + rng.randint(-3, 1))
        text.text = " ".join(rng.choice(pools.sentences) for _ in range(count))


def _vary_dates(article: etree._Element, rng: random.Random) -> None:
    year = str(rng.randint(1975, 2025))
    for date in article.iter("PubDate"):
        _set_text(date, "Year", year)
    issue = article.find("MedlineCitation/Article/Journal/JournalIssue")
    if issue is not None:
        _set_text(issue, "Volume", str(rng.randint(1, 400)))
    pagination = article.find("MedlineCitation/Article/Pagination")
    if pagination is not None and pagination.find("StartPage") is not None:
        first = rng.randint(1, 3000)
        last = first + rng.randint(1, 14)
        _set_text(pagination, "StartPage", str(first))
        _set_text(pagination, "EndPage", str(last))
        _set_text(pagination, "MedlinePgn", f"{first}-{last}")


def _modernise(article: etree._Element) -> None:
    """Today's layout: no DateCreated, the pre-2014 Article/Affiliation moved to the first author."""
    for dropped in article.findall("MedlineCitation/DateCreated"):
        dropped.getparent().remove(dropped)
    first = article.find("MedlineCitation/Article/AuthorList/Author")
    for old in article.findall("MedlineCitation/Article/Affiliation"):
        old.getparent().remove(old)
        if first is not None and first.find("AffiliationInfo") is None:
            info = etree.SubElement(first, "AffiliationInfo")
            etree.SubElement(info, "Affiliation").text = old.text


def _article(raw: bytes, kind: str, pmid: str, rng: random.Random, pools: Pools) -> bytes:
    article = etree.fromstring(raw)
    _modernise(article)
    _renumber(article, pmid, rng)
    title = article.find(".//ArticleTitle")
    if title is not None and len(title) == 0 and title.text:
        title.text = _title(rng, pools, len(title.text.split()))
    _vary_authors(article, rng, pools, kind)
    _vary_abstract(article, rng, pools, kind)
    _vary_dates(article, rng)
    return etree.tostring(article, encoding="utf-8").replace(
        b"<?xml version='1.0' encoding='utf-8'?>\n", b"")


def _kinds(count: int, rng: random.Random) -> list[str]:
    """Each kind in its share (at least one of each past 2,000 articles), shuffled."""
    kinds: list[str] = []
    for kind, per_10k in _MIX:
        share = count * per_10k / 10_000
        kinds += [kind] * (int(share) if count < 2000 else max(1, round(share)))
    kinds += ["short"] * (count - len(kinds))
    rng.shuffle(kinds)
    return kinds


def articles(count: int, seed: int = 7) -> Iterator[tuple[str, bytes]]:
    """(PMID, `<PubmedArticle>` bytes) for `count` distinct, realistic records."""
    rng = random.Random(seed)
    found = pools()
    taken = set(real_records())
    for pmid, kind in zip(_pmids(count, rng, taken), _kinds(count, rng)):
        raw = rng.choice(found.templates[kind])
        yield pmid, _article(raw, kind, pmid, rng, found)


def write(path: Path, count: int, seed: int = 7) -> Path:
    """Write a PubmedArticleSet of `count` articles to `path` (atomically) and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    with partial.open("wb") as out:
        out.write(HEAD)
        for _pmid, article in articles(count, seed):
            out.write(article)
            out.write(b"\n")
        out.write(TAIL)
    partial.replace(path)
    return path


def cached(folder: Path, count: int, seed: int = 7) -> Path:
    """The corpus file for (count, seed), generated once into `folder`."""
    path = folder / f"pubmed-{count}-s{seed}-v{VERSION}.xml"
    return path if path.exists() else write(path, count, seed)


if __name__ == "__main__":
    target = write(Path(sys.argv[1]), int(sys.argv[2]))
    size = target.stat().st_size
    print(f"{target}: {int(sys.argv[2])} articles, {size / 1e6:.1f} MB, "
          f"{size / int(sys.argv[2]) / 1000:.2f} KB/article")
