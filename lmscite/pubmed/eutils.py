"""A polite E-utilities client for PubMed: batches, rate limit, retries.

NCBI blocks tools that send more than 3 requests a second (10 with an API
key), counted per second, so every request first takes a slot from a sliding
window that all lmscite processes on the machine share through a small file
locked with `fcntl.flock`.  Where `fcntl` is missing (Windows) the window is
shared inside the process only.

E-utilities fails in many passing ways: 429 and 5xx answers, dropped
connections, HTML error pages or cut-off XML with status 200.  Those are
retried with exponential backoff and full jitter (a short first wait, as
most failures are one-off; see `EutilsClient._delay`), honouring `Retry-After`.
In a run of batches a failed batch waits out its backoff behind the others,
so one passing failure does not hold up the whole fetch, while a `Retry-After`
or three failures in a row make every batch wait.  Batches are as large as
NCBI serves reliably (`MAX_BATCH`), halve after a failure and double back
after each success (see `EutilsClient.efetch_batches`).
An `<ERROR>` answer describes a request NCBI will never accept, so it is
raised at once as `EutilsRequestError`.

The API key is a secret: it is sent, never shown.  Messages are built from
what lmscite knows (endpoint, PMIDs, status) and anything taken from an
answer is redacted, because NCBI's error pages echo the request URL.
"""

from __future__ import annotations

import calendar
import email.utils
import gzip
import http.client
import math
import os
import random
import re
import stat
import tempfile
import threading
import time
import urllib.parse
import warnings
import xml.etree.ElementTree as ET
import zlib
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TypeVar

from lmscite.config import TOOL, NcbiSettings
from lmscite.errors import InputError, LmsciteError, NetworkError, ParseError
from lmscite.ids import dedupe

try:
    import fcntl
except ImportError:
    fcntl = None  # type: ignore[assignment]

MAX_BATCH = 1000
"""Most PMIDs per efetch request: what NCBI's own EDirect sends (docs/performance.md says why)."""
MIN_BATCH = 250
"""Fewest PMIDs a failing batch shrinks to: a quarter of `MAX_BATCH`, so halving reaches it in two
steps with every piece the same size, and an outage costs fewer requests than NCBI's old advice
of about 200 per request did (docs/performance.md)."""
GET_MAX_IDS = 50
GET_MAX_URL = 1500
"""Longer requests go as POST: NCBI and proxies cut long URLs."""
ESEARCH_LIMIT = 9999
"""PubMed esearch serves only the first 9,999 ids of a result (retstart <= 9998)."""
RATE_WITHOUT_KEY = 3.0
RATE_WITH_KEY = 10.0
MAX_DELAY = 120.0
"""Longest wait before a retry, even when `Retry-After` asks for more."""
FAILURES_BEFORE_PAUSE = 3
"""Failed requests in a row (a second's worth at 3/s) after which a batch run stops to back off."""

_WINDOW_MARGIN = 0.05
"""Slack on the 1 s window, so requests sent 1 s apart do not arrive 0.99 s apart."""
_STAMPS_KEPT = 10.0
_EFETCH_ROOTS = ("PubmedArticleSet", "eFetchResult")
_ESEARCH_ROOTS = ("eSearchResult",)
_ERROR_ROOTS = ("eFetchResult", "eSearchResult")
_TRANSIENT_ERRORS = ("proxy_stream", "Failed to connect to PubOne service")
"""`<ERROR>` texts with which NCBI relays a backend outage (as HTTP 400): worth a retry."""
_SORTS = {name.casefold(): name for name in ("relevance", "pub_date", "Author", "JournalName")}
"""The sort orders ESearch documents for PubMed (E-utilities In-Depth, ESearch `sort`)."""
_DATE = re.compile(r"([0-9]{4})(?:/([0-9]{2})(?:/([0-9]{2}))?)?")
_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_ERROR_TEXT = re.compile(rb"<ERROR>(.*?)(?:</ERROR>|$)", re.S)
_JSON_ERROR = re.compile(rb'"error"\s*:\s*"([^"]*)"')
_TAGS = re.compile(r"<[^>]*>")
_API_KEY_PARAM = re.compile(r"(api[_-]key\W{1,3})[\w.%-]+", re.IGNORECASE)
_SHOWN_IDS = 5

_email_warned = False
T = TypeVar("T")


class EutilsRequestError(InputError):
    """NCBI refused the request itself (an `<ERROR>` answer or HTTP 4xx): retrying cannot help."""


class MissingEmailWarning(UserWarning):
    """NCBI asks every tool to send a contact e-mail.

    Silence it with `warnings.filterwarnings("ignore", category=MissingEmailWarning)`.
    """


@dataclass(frozen=True)
class RequestInfo:
    """One attempt at one request, for progress displays."""

    endpoint: str
    method: str
    what: str
    attempt: int
    max_attempts: int


_Request = tuple[str, str, "bytes | None"]
"""(method, target, form body): one HTTP request as `EutilsClient._plan` lays it out."""


@dataclass
class _Sent:
    """A request already on its way (see `EutilsClient.efetch_batches`); its answer is read later."""

    request: _Request
    info: RequestInfo
    failure: BaseException | None


@dataclass(eq=False)
class _Batch:
    """PMIDs waiting in `efetch_batches`' queue; a failed batch waits there until `ready_at`.

    Every PMID of a batch has been tried `attempts` times.  Batches compare by
    identity: the queue moves one particular batch, never an equal one.
    """

    pmids: list[str]
    attempts: int = 0
    ready_at: float = 0.0


@dataclass
class SearchResult:
    """An esearch answer; `truncated` means PubMed matched more ids than `ids` holds."""

    count: int
    ids: list[str]
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    query_translation: str | None = None
    truncated: bool = False


class _Transient(Exception):
    """An answer worth retrying; `retry_after` is the server's wish in seconds.

    `throttled` marks a rate-limit answer (429), which says nothing about the
    batch's size, so it is not a reason to send smaller batches.
    """

    def __init__(self, reason: str, retry_after: float | None = None, *, throttled: bool = False) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        self.throttled = throttled


class _Failed(Exception):
    """One attempt failed in a passing way: `reason` is redacted and ready to show."""

    def __init__(self, info: RequestInfo, reason: str, retry_after: float | None, *, throttled: bool = False) -> None:
        super().__init__(reason)
        self.info = info
        self.reason = reason
        self.retry_after = retry_after
        self.throttled = throttled


def default_limiter_path() -> Path:
    """One state file per user, so that user's lmscite processes share one budget."""
    user = str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    return Path(tempfile.gettempdir()) / f"lmscite-{user}" / "ratelimit"


_local_stamps: dict[str, list[float]] = {}
_local_lock = threading.Lock()


def _usable_dir(directory: Path) -> bool:
    """The state directory must be ours: a shared /tmp lets anyone create it first."""
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        status = directory.lstat()
    except OSError:
        return False
    owner_ok = not hasattr(os, "getuid") or status.st_uid == os.getuid()
    return stat.S_ISDIR(status.st_mode) and owner_ok


class RateLimiter:
    """At most `rate` requests in any 1 s window, counted across processes sharing `path`.

    Each acquire reads the recent request times from the file under an
    exclusive lock, and either records its own time or learns how long to
    wait.  With `path=None`, no `fcntl`, or an unusable directory, the window
    is kept in memory and shared by the limiters of this process only.
    """

    def __init__(
        self,
        rate: float,
        path: Path | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not rate > 0:
            raise ValueError(f"rate must be positive, not {rate}")
        self.rate = rate
        self._slots = max(1, math.floor(rate)) if math.isfinite(rate) else 0
        self._span = self._slots / rate + _WINDOW_MARGIN if self._slots else 0.0
        self._path = path if path is not None and fcntl is not None and _usable_dir(path.parent) else None
        self._key = str(path)
        self._sleep = sleep
        self._clock = clock

    def try_acquire(self) -> bool:
        """Take a slot if one is free right now, without waiting."""
        return not self._slots or self._take() <= 0

    def acquire(self) -> float:
        """Block until a request may go; returns the seconds waited."""
        waited = 0.0
        while self._slots:
            wait = self._take()
            if wait <= 0:
                break
            self._sleep(wait)
            waited += wait
        return waited

    def _take(self) -> float:
        now = self._clock()
        with self._stamps() as stamps:
            recent = sorted(t for t in stamps if now - _STAMPS_KEPT < t <= now + 1.0)
            in_window = [t for t in recent if t > now - self._span]
            if len(in_window) >= self._slots:
                stamps[:] = recent
                return in_window[-self._slots] + self._span - now
            stamps[:] = [*recent, now]
            return 0.0

    @contextmanager
    def _stamps(self) -> Iterator[list[float]]:
        descriptor = self._open()
        if descriptor is None:
            with _local_lock:
                yield _local_stamps.setdefault(self._key, [])
            return
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            stamps = _parse_stamps(os.read(descriptor, 1 << 16))
            yield stamps
            os.lseek(descriptor, 0, os.SEEK_SET)
            os.ftruncate(descriptor, 0)
            os.write(descriptor, "".join(f"{t:.6f}\n" for t in stamps).encode())
        finally:
            os.close(descriptor)

    def _open(self) -> int | None:
        if self._path is None:
            return None
        try:
            return os.open(self._path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except OSError:
            return None


def _parse_stamps(data: bytes) -> list[float]:
    stamps = []
    for line in data.split():
        try:
            stamps.append(float(line))
        except ValueError:
            continue
    return stamps


def _warn_missing_email() -> None:
    global _email_warned
    if _email_warned:
        return
    _email_warned = True
    warnings.warn(
        "no contact e-mail for NCBI: set NCBI_EMAIL or `email` in the lmscite config file "
        "(NCBI may block tools that send none)",
        MissingEmailWarning,
        stacklevel=3,
    )


def describe_ids(pmids: Sequence[str]) -> str:
    """`PMIDs 1, 2, 3, 4, 5, ... (200 PMIDs)`: enough to find the batch, short enough to read."""
    shown = ", ".join(pmids[:_SHOWN_IDS])
    if len(pmids) <= _SHOWN_IDS:
        return f"PMID{'s' if len(pmids) != 1 else ''} {shown}"
    return f"PMIDs {shown}, ... ({len(pmids)} PMIDs)"


def _describe_term(term: str) -> str:
    shown = term if len(term) <= 80 else term[:77] + "..."
    return f"the search {shown!r}"


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdecimal():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _error_text(body: bytes, *, json: bool = True) -> str | None:
    """NCBI's own words from an `<ERROR>` element (or, on an HTTP error, a JSON `error`)."""
    found = _ERROR_TEXT.search(body) or (json and _JSON_ERROR.search(body))
    if not found:
        return None
    text = _TAGS.sub("", found.group(1).decode("utf-8", "replace"))
    return " ".join(text.split())[:300] or None


def _is_transient(detail: str | None) -> bool:
    return bool(detail) and any(marker in detail for marker in _TRANSIENT_ERRORS)


def _root_name(body: bytes) -> str | None:
    found = _ROOT.search(body, 0, 4096) if body.lstrip()[:1] == b"<" else None
    return found.group(1).decode() if found else None


def _check_answer(status: int, reason: str, retry_after: str | None, body: bytes, roots: tuple[str, ...]) -> bytes:
    """The body when it is a whole, expected XML answer; otherwise say whether to retry."""
    if status != 200:
        detail = _error_text(body)
        described = f"HTTP {status} {reason}".rstrip() + (f": {detail}" if detail else "")
        if status in (408, 429) or status >= 500 or _is_transient(detail):
            raise _Transient(described, _retry_after(retry_after), throttled=status == 429)
        raise EutilsRequestError(f"E-utilities refused the request: {described}")
    root = _root_name(body)
    if root is None:
        raise _Transient("the answer is not XML")
    if root.lower() == "html":
        raise _Transient("an HTML page came instead of XML")
    if root not in roots:
        raise _Transient(f"an unexpected <{root}> answer came")
    if not body.rstrip().endswith(f"</{root}>".encode()):
        raise _Transient(f"the answer was cut off (no closing </{root}>)")
    if root in _ERROR_ROOTS:
        detail = _error_text(body, json=False)
        if _is_transient(detail):
            raise _Transient(f"NCBI reported a passing failure: {detail}")
        if detail:
            raise EutilsRequestError(f"E-utilities refused the request: {detail}")
    return body


def _xml_text(element: ET.Element | None) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def parse_esearch(body: bytes) -> SearchResult:
    """Read an esearch XML answer (any DTD vintage) without fetching its DTD.

    ErrorList entries (a phrase or field PubMed ignored) go to `errors` and
    WarningList entries to `warnings`; neither stops the search.  An
    `<ERROR>` raises `EutilsRequestError`.
    """
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise NetworkError(f"E-utilities esearch answered with unreadable XML: {exc}") from None
    error = root.find("ERROR")
    if error is not None:
        raise EutilsRequestError(f"E-utilities refused the search: {_xml_text(error)}")
    count = _count(root, "Count")
    id_list = root.find("IdList")
    ids = [_xml_text(item) for item in root.iterfind("IdList/Id")]
    retstart = _count(root, "RetStart")
    translation = root.find("QueryTranslation")
    return SearchResult(
        count=count,
        ids=ids,
        warnings=[_describe_notice(item) for item in root.iterfind("WarningList/*")],
        errors=[_describe_notice(item) for item in root.iterfind("ErrorList/*")],
        query_translation=_xml_text(translation) if translation is not None else None,
        truncated=id_list is not None and retstart + len(ids) < count,
    )


def _count(root: ET.Element, tag: str) -> int:
    """A number esearch states; an answer whose number is not one is as unreadable as broken XML."""
    text = (root.findtext(tag) or "0").strip()
    if not text.isdecimal():
        raise NetworkError(f"E-utilities esearch answered with unreadable XML: <{tag}> is {text[:20]!r}")
    return int(text)


def _describe_notice(element: ET.Element) -> str:
    """`PhraseNotFound` -> `phrase not found: abcXYZ`; `OutputMessage` is already a sentence."""
    text = _xml_text(element)
    if element.tag == "OutputMessage":
        return text
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", element.tag).lower()
    return f"{words}: {text}"


class EutilsClient:
    """efetch and esearch against `settings.base_url`, politely and without losing batches.

    `timeout` bounds each wait on the server (connect, or a read that makes
    no progress).  `rate` defaults to NCBI's limit for the settings (3/s, or
    10/s with an API key); `float("inf")` turns limiting off for local fakes.
    `on_request(info)` is called before every attempt and
    `on_retry(info, reason, delay)` before every wait for a retry.
    One connection is kept alive and reused; use one client per thread.
    """

    def __init__(
        self,
        settings: NcbiSettings,
        *,
        timeout: float = 30.0,
        max_attempts: int = 6,
        backoff: float = 1.0,
        rate: float | None = None,
        limiter_path: Path | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_request: Callable[[RequestInfo], None] | None = None,
        on_retry: Callable[[RequestInfo, str, float], None] | None = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if not settings.email:
            _warn_missing_email()
        self._settings = settings
        url = urllib.parse.urlsplit(settings.base_url)
        self._https = url.scheme == "https"
        self._host = url.hostname or "localhost"
        self._port = url.port
        self._path = url.path if url.path.endswith("/") else url.path + "/"
        self._timeout = timeout
        self._max_attempts = max_attempts
        self._backoff = backoff
        self._sleep = sleep
        self._on_request = on_request
        self._on_retry = on_retry
        limit = rate if rate is not None else (RATE_WITH_KEY if settings.api_key else RATE_WITHOUT_KEY)
        self._limiter = RateLimiter(limit, limiter_path or default_limiter_path(), sleep=sleep)
        self._random = random.Random()
        self._connection: http.client.HTTPConnection | None = None
        self._sent: _Sent | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"EutilsClient({self._settings!r}, rate={self._limiter.rate})"

    def __enter__(self) -> EutilsClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._sent = None
        with self._lock:
            self._drop_connection()

    def efetch(self, pmids: Sequence[str]) -> bytes:
        """The raw PubmedArticleSet XML for `pmids`; unknown PMIDs are simply absent, as NCBI does."""
        ids = list(pmids)
        if not ids:
            raise InputError("efetch needs at least one PMID")
        return self._call("efetch", self._efetch_request(ids), describe_ids(ids), _EFETCH_ROOTS)

    def efetch_batches(
        self, pmids: Sequence[str], read: Callable[[bytes], T], *, max_batch: int | None = None
    ) -> Iterator[tuple[list[str], T | LmsciteError]]:
        """Each batch with `read(answer)`, or with the error that ended it, so one bad batch loses only itself.

        Batches start at `max_batch` PMIDs (default `MAX_BATCH`).  A passing failure (a 5xx, a
        timeout, a dropped or cut-off answer, or one `read` cannot read:
        `ParseError`) halves the size, down to `MIN_BATCH`, and the failed
        PMIDs are retried in batches of the new size; each success doubles
        the size again, up to `max_batch`.  A 429 is about pace, not size, and
        leaves the size alone.  Every PMID is tried at most `max_attempts`
        times; NCBI's answer is complete when it comes whole, so a PMID it
        leaves out is simply absent (PubMed has no such record), never retried.

        A batch whose attempt failed in a passing way waits out its backoff at
        the back of the queue while the batches behind it go ahead: with
        NCBI's few requests a second, a wait in line would hold up every
        batch.  A `Retry-After`, or `FAILURES_BEFORE_PAUSE` failures in a row,
        make every batch wait, so a struggling server is not pressed harder.

        While `read` and the caller handle one batch, the request for the next
        is already on its way whenever the rate limit lets it go at once, so
        the round trip to NCBI overlaps parsing and storing.  Requests still go
        one at a time, on the one connection; do not use the client for
        anything else while iterating (it would cost the request in flight,
        which is then sent again).
        """
        queue = deque([_Batch(list(pmids))] if pmids else [])
        max_batch = max_batch or MAX_BATCH
        size = max_batch
        failed_in_a_row = 0
        try:
            while queue:
                batch = self._next_ready(queue, size)
                batch.attempts += 1
                what = describe_ids(batch.pmids)
                answer: T | LmsciteError
                try:
                    body = self._attempt("efetch", self._efetch_request(batch.pmids), what, _EFETCH_ROOTS,
                                         batch.attempts)
                    self._send_ahead(queue, min(max_batch, size * 2))
                    answer = self._read(read, body, batch, what)
                    failed_in_a_row = 0
                    size = min(max_batch, size * 2)
                except _Failed as failed:
                    failed_in_a_row += 1
                    if not failed.throttled:
                        size = max(min(MIN_BATCH, max_batch), min(size, len(batch.pmids)) // 2)
                    if batch.attempts == self._max_attempts:
                        answer = self._gave_up("efetch", what, failed.reason)
                    else:
                        self._requeue(queue, batch, failed, failed_in_a_row, size)
                        continue
                except LmsciteError as exc:
                    answer = exc
                yield batch.pmids, answer
        finally:
            self._abandon()

    def _read(self, read: Callable[[bytes], T], body: bytes, batch: _Batch, what: str) -> T:
        """`read(body)`; an answer it cannot read is one more passing failure, to retry smaller."""
        try:
            return read(body)
        except ParseError as exc:
            info = RequestInfo("efetch", self._efetch_request(batch.pmids)[0], what, batch.attempts,
                               self._max_attempts)
            raise _Failed(info, self._redact(f"the answer could not be read ({exc})"), None) from None

    def _next_ready(self, queue: deque[_Batch], size: int) -> _Batch:
        """At most `size` PMIDs from the first batch whose wait is over; when every one is still
        waiting, from the soonest, after its wait."""
        ready = _first_ready(queue)
        if ready is None:
            ready = min(queue, key=lambda batch: batch.ready_at)
            self._sleep(ready.ready_at - time.monotonic())
        return _take(queue, ready, size)

    def _requeue(self, queue: deque[_Batch], batch: _Batch, failed: _Failed, failed_in_a_row: int,
                 size: int) -> None:
        """Put a failed batch back in pieces of `size`: at the back after its own wait, or first
        after everyone's wait."""
        everyone = failed.retry_after is not None or failed_in_a_row >= FAILURES_BEFORE_PAUSE
        delay = self._delay(batch.attempts, failed.retry_after)
        if self._on_retry:
            self._on_retry(failed.info, failed.reason, delay)
        ready_at = 0.0 if everyone else time.monotonic() + delay
        pieces = [_Batch(batch.pmids[start:start + size], batch.attempts, ready_at)
                  for start in range(0, len(batch.pmids), size)]
        if everyone:
            self._sleep(delay)
            queue.extendleft(reversed(pieces))
        else:
            queue.extend(pieces)

    def esearch(
        self,
        term: str,
        *,
        retmax: int = 20,
        retstart: int = 0,
        sort: str | None = None,
        mindate: str | None = None,
        maxdate: str | None = None,
        datetype: str = "pdat",
    ) -> SearchResult:
        """One page of PubMed ids for `term`; dates as NCBI takes them (`2020`, `2020/01/31`)."""
        params = {"db": "pubmed", "term": term, "retmax": str(retmax), "retstart": str(retstart)}
        params.update(search_filters(sort, mindate, maxdate, datetype))
        return parse_esearch(self._call("esearch", self._plan("esearch", params), _describe_term(term),
                                        _ESEARCH_ROOTS))

    def esearch_all(
        self,
        term: str,
        max: int | None = None,
        *,
        page_size: int = ESEARCH_LIMIT,
        sort: str | None = None,
        mindate: str | None = None,
        maxdate: str | None = None,
        datetype: str = "pdat",
    ) -> SearchResult:
        """All ids for `term`, up to `max` and PubMed's 9,999, paging with retstart.

        `truncated` is set when PubMed counted more than came back, so the
        caller can tell the user to narrow the search.
        """
        filters = {"sort": sort, "mindate": mindate, "maxdate": maxdate, "datetype": datetype}
        limit = ESEARCH_LIMIT if max is None else min(max, ESEARCH_LIMIT)
        page_size = min(page_size, ESEARCH_LIMIT)
        first = self.esearch(term, retmax=min(page_size, limit), **filters)
        ids = list(first.ids)
        target = min(first.count, limit)
        while len(ids) < target:
            page = self.esearch(term, retmax=min(page_size, target - len(ids)), retstart=len(ids), **filters)
            if not page.ids:
                break
            ids.extend(page.ids)
        ids = dedupe(ids)
        return SearchResult(
            count=first.count,
            ids=ids,
            warnings=first.warnings,
            errors=first.errors,
            query_translation=first.query_translation,
            truncated=len(ids) < first.count,
        )

    def count(self, term: str, *, mindate: str | None = None, maxdate: str | None = None,
              datetype: str = "pdat") -> int:
        """How many PubMed records match `term` within the dates, if given (rettype=count: no ids are sent)."""
        params = {"db": "pubmed", "term": term, "rettype": "count", **search_filters(None, mindate, maxdate, datetype)}
        return parse_esearch(self._call("esearch", self._plan("esearch", params), _describe_term(term),
                                        _ESEARCH_ROOTS)).count

    def _call(self, endpoint: str, request: _Request, what: str, roots: tuple[str, ...]) -> bytes:
        """One request, retried in place until it succeeds or its attempts run out."""
        attempt = 1
        while True:
            try:
                return self._attempt(endpoint, request, what, roots, attempt)
            except _Failed as failed:
                if attempt == self._max_attempts:
                    raise self._gave_up(endpoint, what, failed.reason) from None
                delay = self._delay(attempt, failed.retry_after)
                if self._on_retry:
                    self._on_retry(failed.info, failed.reason, delay)
                self._sleep(delay)
                attempt += 1

    def _attempt(self, endpoint: str, request: _Request, what: str, roots: tuple[str, ...], attempt: int) -> bytes:
        """One try: the answer, `_Failed` when worth another, `EutilsRequestError` when never."""
        sent = self._claim_sent(request)
        if sent is None:
            self._limiter.acquire()
            info = RequestInfo(endpoint, request[0], what, attempt, self._max_attempts)
            if self._on_request:
                self._on_request(info)
        else:
            info = sent.info
        try:
            status, status_reason, retry_after, data = self._send(*request) if sent is None else self._receive(sent)
            return _check_answer(status, status_reason, retry_after, data, roots)
        except EutilsRequestError as exc:
            raise EutilsRequestError(self._redact(f"{exc} ({endpoint} for {what})")) from None
        except _Transient as exc:
            raise _Failed(info, self._redact(str(exc)), exc.retry_after, throttled=exc.throttled) from None
        except (OSError, EOFError, zlib.error, http.client.HTTPException) as exc:
            raise _Failed(info, self._redact(_describe_failure(exc)), None) from None

    def _gave_up(self, endpoint: str, what: str, reason: str) -> NetworkError:
        attempts = f"{self._max_attempts} attempt{'s' if self._max_attempts != 1 else ''}"
        return NetworkError(f"E-utilities {endpoint} failed for {what} after {attempts}: {reason}")

    def _efetch_request(self, pmids: list[str]) -> _Request:
        return self._plan("efetch", {"db": "pubmed", "id": ",".join(pmids), "retmode": "xml"},
                          force_post=len(pmids) > GET_MAX_IDS)

    def _plan(self, endpoint: str, params: dict[str, str], force_post: bool = False) -> _Request:
        """GET while the URL stays short, else POST with every parameter in the form body."""
        identity = {"tool": TOOL, "email": self._settings.email, "api_key": self._settings.api_key}
        query = urllib.parse.urlencode({**params, **{k: v for k, v in identity.items() if v}}, safe=",")
        path = f"{self._path}{endpoint}.fcgi"
        if force_post or len(self._settings.base_url) + len(endpoint) + 6 + len(query) > GET_MAX_URL:
            return "POST", path, query.encode()
        return "GET", f"{path}?{query}", None

    def _send(self, method: str, target: str, body: bytes | None) -> tuple[int, str, str | None, bytes]:
        self._abandon()
        with self._lock:
            try:
                connection = self._connect()
                connection.request(method, target, body=body, headers=_headers(body))
                response = connection.getresponse()
                data = response.read()
            except BaseException:
                self._drop_connection()
                raise
        return _answer(response, data)

    def _send_ahead(self, queue: deque[_Batch], size: int) -> None:
        """Send the next ready batch's efetch (at most `size` PMIDs) now if a rate slot is free;
        `_attempt` reads its answer."""
        ready = _first_ready(queue)
        if ready is None or self._sent is not None or not self._limiter.try_acquire():
            return
        batch = _take(queue, ready, size)
        queue.appendleft(batch)
        request = self._efetch_request(batch.pmids)
        info = RequestInfo("efetch", request[0], describe_ids(batch.pmids), batch.attempts + 1, self._max_attempts)
        if self._on_request:
            self._on_request(info)
        failure: BaseException | None = None
        with self._lock:
            try:
                self._connect().request(request[0], request[1], body=request[2], headers=_headers(request[2]))
            except (OSError, http.client.HTTPException) as exc:
                self._drop_connection()
                failure = exc
        self._sent = _Sent(request, info, failure)

    def _claim_sent(self, request: _Request) -> _Sent | None:
        """The request in flight when it is this one; another one in flight is given up."""
        sent = self._sent
        if sent is not None and sent.request != request:
            self._abandon()
            return None
        self._sent = None
        return sent

    def _receive(self, sent: _Sent) -> tuple[int, str, str | None, bytes]:
        if sent.failure is not None:
            raise sent.failure
        with self._lock:
            try:
                if self._connection is None:
                    raise ConnectionError("the connection closed before the answer came")
                response = self._connection.getresponse()
                data = response.read()
            except BaseException:
                self._drop_connection()
                raise
        return _answer(response, data)

    def _abandon(self) -> None:
        """Give up the request in flight: its answer will never be read, so the connection goes."""
        if self._sent is not None:
            self._sent = None
            with self._lock:
                self._drop_connection()

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            self._connection = kind(self._host, self._port, timeout=self._timeout)
        return self._connection

    def _drop_connection(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        """The wait before retrying after `attempt`: `Retry-After` when given, else full jitter.

        The caps grow fourfold from a quarter of `backoff`: 1/4, 1, 4, 16,
        64 x `backoff`.  Most failures are one-off (a 500 from one NCBI
        backend) and the rate limiter already spaces requests, so a short
        first wait keeps a batch from stalling the ones behind it, while a
        real outage still gets a minute and a half before a batch is given up.
        """
        if retry_after is not None:
            return min(retry_after, MAX_DELAY)
        return self._random.uniform(0, min(MAX_DELAY, self._backoff * 4.0 ** (attempt - 2)))

    def _redact(self, text: str) -> str:
        key = self._settings.api_key
        if key:
            for form in {key, urllib.parse.quote(key, safe=""), urllib.parse.quote_plus(key)}:
                text = text.replace(form, "***")
        return _API_KEY_PARAM.sub(r"\1***", text)


def _first_ready(queue: deque[_Batch]) -> _Batch | None:
    """The first batch in line whose wait is over."""
    now = time.monotonic()
    return next((batch for batch in queue if batch.ready_at <= now), None)


def _take(queue: deque[_Batch], batch: _Batch, size: int) -> _Batch:
    """`batch` out of the queue, or only its first `size` PMIDs, the rest keeping its place.

    A batch smaller than `size` takes in the ready batches of the same
    attempt behind it while they fit: pieces of a failed batch, split when
    the size shrank, go out as one request again once the size has grown
    back, and each request is one library write for the caller.
    """
    if len(batch.pmids) > size:
        head = _Batch(batch.pmids[:size], batch.attempts, batch.ready_at)
        del batch.pmids[:size]
        return head
    queue.remove(batch)
    now = time.monotonic()
    for other in list(queue):
        if len(batch.pmids) + len(other.pmids) > size:
            break
        if other.attempts == batch.attempts and other.ready_at <= now:
            batch.pmids.extend(other.pmids)
            queue.remove(other)
    return batch


def _headers(body: bytes | None) -> dict[str, str]:
    headers = {"User-Agent": TOOL, "Accept-Encoding": "gzip"}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    return headers


def _answer(response: http.client.HTTPResponse, data: bytes) -> tuple[int, str, str | None, bytes]:
    if (response.getheader("Content-Encoding") or "").lower() == "gzip":
        data = gzip.decompress(data)
    return response.status, response.reason, response.getheader("Retry-After"), data


def search_filters(sort: str | None, mindate: str | None, maxdate: str | None,
                   datetype: str = "pdat") -> dict[str, str]:
    """ESearch's sort and date parameters, checked: NCBI ignores what it does not understand and
    answers as if unfiltered, so a typo would silently widen the search."""
    filters = {"sort": _sort_name(sort)} if sort is not None else {}
    if mindate or maxdate:
        if not (mindate and maxdate):
            raise InputError("a date range needs both a start and an end date (NCBI ignores half a range)")
        first, last = _date_span("mindate", mindate)[0], _date_span("maxdate", maxdate)[1]
        if last < first:
            raise InputError(f"maxdate {maxdate} is before mindate {mindate}")
        filters.update(mindate=mindate, maxdate=maxdate, datetype=datetype)
    return filters


def _sort_name(sort: str) -> str:
    """PubMed's own spelling of a sort order, whatever the case it was typed in."""
    name = _SORTS.get(sort.strip().casefold())
    if name is None:
        raise InputError(f"unknown sort order {sort!r}: PubMed sorts by {', '.join(_SORTS.values())}")
    return name


def _date_span(name: str, value: str) -> tuple[date, date]:
    """The first and last day a PubMed date (YYYY, YYYY/MM or YYYY/MM/DD) stands for."""
    found = _DATE.fullmatch(value)
    try:
        if found is None:
            raise ValueError
        year, month, day = (int(part) if part else None for part in found.groups())
        first = date(year, month or 1, day or 1)
        if day is not None:
            return first, first
        if month is not None:
            return first, first.replace(day=calendar.monthrange(year, month)[1])
        return first, date(year, 12, 31)
    except ValueError:
        raise InputError(f"{name} {value!r} is not a date PubMed takes (YYYY, YYYY/MM or YYYY/MM/DD)") from None


def _describe_failure(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "no answer within the timeout"
    if isinstance(exc, http.client.IncompleteRead):
        return f"the connection closed mid-answer ({len(exc.partial)} bytes came)"
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
