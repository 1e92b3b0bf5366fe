"""Identifiers as users paste them: PMIDs, DOIs and PMC ids, bare or as links.

Users copy ids out of PubMed pages, reference managers and e-mails, so the
same PMID arrives as `12345`, `PMID: 12345` or a pubmed.ncbi.nlm.nih.gov link.
Everything here is pure string work: no network, no PubMed lookups.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Hashable, Iterable
from typing import Literal, NamedTuple, TypeVar

from lmscite.errors import InputError
from lmscite.wording import more, shorten

IdKind = Literal["pmid", "doi", "pmcid", "invalid"]
T = TypeVar("T", bound=Hashable)

MAX_PMID_DIGITS = 9
"""PMIDs have 8 digits today; one more leaves room for growth without accepting junk."""

_BOM = "\ufeff"
_DIGITS = re.compile(r"[0-9]+")
_PMID_LABEL = re.compile(r"pmid\s*:?\s*([0-9]+)", re.IGNORECASE)
_PMCID = re.compile(r"(?:pmcid\s*:?\s*)?pmc([0-9]+)", re.IGNORECASE)
_DOI = re.compile(r"(?:doi\s*:?\s*)?(10\.[0-9]{4,9}(?:\.[0-9]+)*/\S+)", re.IGNORECASE)
_DOI_HOSTS = frozenset({"doi.org", "dx.doi.org", "www.doi.org"})
_PUBMED_HOST = "pubmed.ncbi.nlm.nih.gov"
_NCBI_HOSTS = frozenset({"www.ncbi.nlm.nih.gov", "ncbi.nlm.nih.gov"})
_PMC_HOST = "pmc.ncbi.nlm.nih.gov"
_BARE_HOSTS = (_PUBMED_HOST, "www.ncbi.nlm.nih.gov/", "ncbi.nlm.nih.gov/", _PMC_HOST, "doi.org/", "dx.doi.org/")
_LABELS = frozenset({"pmid", "pmid:", "pmcid", "pmcid:", "doi", "doi:"})
_DOI_TRAILING = ".,;"


def _clean(token: str) -> str:
    return token.replace(_BOM, "").strip()


def _pmid_digits(digits: str) -> str | None:
    """Leading zeros are padding some exports add; a PMID itself never starts with 0."""
    value = digits.lstrip("0")
    if not value or len(value) > MAX_PMID_DIGITS:
        return None
    return value


_ORCID = re.compile(r"(\d{4})[- ]?(\d{4})[- ]?(\d{4})[- ]?(\d{3}[\dX])/?$")


def orcid(value: str | None) -> str | None:
    """An ORCID iD in its bare `0000-0000-0000-0000` form, from any URL or spacing."""
    if not value:
        return None
    found = _ORCID.search(value.strip().upper())
    return "-".join(found.groups()) if found else None


def field_pmid(text: str) -> str | None:
    """The PMID a record's own PMID field holds, or None: ASCII digits only, padding dropped.

    Stricter than `normalise_pmid`, because a file's PMID field holds just the
    number; and the library keys entries by it, so it must be one.
    """
    value = text.strip()
    return _pmid_digits(value) if _DIGITS.fullmatch(value) else None


def _url(text: str) -> urllib.parse.SplitResult | None:
    lowered = text.lower()
    if lowered.startswith(_BARE_HOSTS):
        text, lowered = "https://" + text, "https://" + lowered
    if not lowered.startswith(("http://", "https://")):
        return None
    return urllib.parse.urlsplit(text)


def _term(url: urllib.parse.SplitResult) -> str | None:
    terms = urllib.parse.parse_qs(url.query).get("term", [])
    return terms[0].strip() if len(terms) == 1 else None


def _pmid_from_url(url: urllib.parse.SplitResult) -> str | None:
    host = (url.hostname or "").lower()
    parts = [part for part in url.path.split("/") if part]
    if host == _PUBMED_HOST:
        candidate = parts[0] if len(parts) == 1 else (_term(url) if not parts else None)
    elif host in _NCBI_HOSTS and parts[:1] == ["pubmed"]:
        candidate = parts[1] if len(parts) == 2 else (_term(url) if len(parts) == 1 else None)
    else:
        return None
    if candidate is None or not _DIGITS.fullmatch(candidate):
        return None
    return _pmid_digits(candidate)


def normalise_pmid(token: str) -> str | None:
    """The PMID in `token` without padding, or None when `token` is not one PMID.

    Accepts `12345`, `PMID:12345`, `pmid 12345` and PubMed links (including
    the old ncbi.nlm.nih.gov/pubmed/ form and `?term=12345` searches).
    """
    text = _clean(token)
    if _DIGITS.fullmatch(text):
        return _pmid_digits(text)
    labelled = _PMID_LABEL.fullmatch(text)
    if labelled:
        return _pmid_digits(labelled.group(1))
    url = _url(text)
    return _pmid_from_url(url) if url else None


def _pmcid(text: str) -> str | None:
    url = _url(text)
    if url:
        host = (url.hostname or "").lower()
        parts = [part for part in url.path.split("/") if part]
        if host in _NCBI_HOSTS and parts[:2] == ["pmc", "articles"] and len(parts) == 3:
            text = parts[2]
        elif host == _PMC_HOST and parts[:1] == ["articles"] and len(parts) == 2:
            text = parts[1]
        else:
            return None
    found = _PMCID.fullmatch(text)
    digits = _pmid_digits(found.group(1)) if found else None
    return f"PMC{digits}" if digits else None


def _doi(text: str) -> str | None:
    url = _url(text)
    if url:
        if (url.hostname or "").lower() not in _DOI_HOSTS:
            return None
        text = urllib.parse.unquote(url.path.lstrip("/"))
    found = _DOI.fullmatch(text)
    return found.group(1).rstrip(_DOI_TRAILING) if found else None


def classify(token: str) -> tuple[IdKind, str]:
    """What kind of id `token` is and its normal form (`PMC` upper-cased, DOI without prefix).

    DOIs keep their case: DOIs compare case-insensitively, and PubMed's
    `[doi]` search does too, so there is nothing to gain from changing it.
    """
    text = _clean(token)
    pmid = normalise_pmid(text)
    if pmid:
        return "pmid", pmid
    pmcid = _pmcid(text)
    if pmcid:
        return "pmcid", pmcid
    doi = _doi(text)
    if doi:
        return "doi", doi
    return "invalid", text


def _line_tokens(line: str) -> list[str]:
    """Whitespace or commas separate ids, except that a label such as `PMID:` binds to the id after it."""
    words = [word for word in re.split(r"[\s,]+", _clean(line)) if word]
    tokens: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        if word.lower() in _LABELS and index + 1 < len(words):
            word = f"{word} {words[index + 1]}"
            index += 1
        tokens.append(word)
        index += 1
    return tokens


class TypedId(NamedTuple):
    """One id as the user typed it, the kind it is and its normal form (see `classify`)."""

    raw: str
    kind: IdKind
    value: str

    @property
    def key(self) -> str:
        return id_key(self.kind, self.value)


def id_key(kind: IdKind, value: str) -> str:
    """What ids of one kind compare by: DOIs ignore case (doi.org and PubMed do), the rest are exact."""
    return value.casefold() if kind == "doi" else value


def parse_ids(lines: Iterable[str]) -> list[TypedId]:
    """Every id in `lines`, in order, typed: the one parse of ids every command uses.

    An `invalid` id keeps its text, so that a command can say which token it
    could not read; a DOI or PMC id is resolved later, against the library
    (`lmscite.library.resolve`) or through PubMed's esearch (`fetch`).
    """
    return [TypedId(token, *classify(token)) for line in lines for token in _line_tokens(line)]


def require_valid(ids: list[TypedId]) -> list[TypedId]:
    """`ids`, or an InputError naming the first token that is not a PMID, DOI or PMC id."""
    bad = [typed.raw for typed in ids if typed.kind == "invalid"]
    if bad:
        rest = f" ({more(len(bad) - 1)})" if len(bad) > 1 else ""
        raise InputError(f"not a PMID, DOI or PMC id: {shorten(bad[0])!r}{rest}")
    return ids


def dedupe(ids: Iterable[T]) -> list[T]:
    """Each id once, first occurrence first, so output follows the user's order."""
    return list(dict.fromkeys(ids))
