"""A fake E-utilities server: real HTTP on 127.0.0.1, real PubMed XML, scriptable faults.

It answers efetch.fcgi and esearch.fcgi for db=pubmed the way NCBI does:
efetch returns a PubmedArticleSet of the known PMIDs (unknown ones silently
absent) and NCBI's real `<ERROR>` body for an empty or malformed id list;
esearch answers registered terms in the real esearch layout, with retstart,
retmax, rettype=count and PubMed's 9,999-id ceiling.  Every request is
recorded with its arrival time, so tests measure batching and rate "at the
server".  Faults are scripted per upcoming request (`script`), drawn at
random (`failure_rate`), or caused by an enforced `rate_limit`; `latency`
(seconds) delays every answer, as the round trip to NCBI does.

    with FakeEutils() as server:
        server.script(Fault.rate_limited(retry_after="1"), None, Fault(status=500))
        ids = server.add_synthetic(1000)
        ...  # point lmscite at server.url
"""

from __future__ import annotations

import gzip
import html
import random
import re
import sys
import threading
import time
import urllib.parse
from collections import deque
from dataclasses import dataclass, field
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from lmscite.config import NcbiSettings

DATA = Path(__file__).parent / "data"
_FIELD_TERM = re.compile(r'"([^"]+)"\[(doi|pmcid)\]', re.IGNORECASE)
_ARTICLE_ID = re.compile(r'<ArticleId IdType="(doi|pmc)">([^<]+)</ArticleId>')
XML_FIXTURES = DATA / "xml"
SEED = DATA / "seed" / "liver-metastases.pubmed.xml"
EFETCH_EMPTY_ID_ERROR = (DATA / "errors" / "sul_efetch_empty_id_error_2022.xml").read_bytes()
ESEARCH_LIMIT = 9999
TEST_EMAIL = "tests@lmscite.invalid"
SYNTHETIC_TEMPLATE = "21860499"
"""A short real record (hawc_21860499_collective_author.xml) to clone for bulk tests."""

_ARTICLE = re.compile(rb"<(PubmedArticle|PubmedBookArticle)>.*?</\1>", re.S)
_FIRST_PMID = re.compile(rb'(<PMID Version="[0-9]+">)([0-9]+)(</PMID>)')
_SET_HEAD, _SET_TAIL = (XML_FIXTURES / "mp_37909814_empty_set.xml").read_bytes().split(b"</PubmedArticleSet>")
_SET_TAIL = b"</PubmedArticleSet>" + _SET_TAIL
_ESEARCH_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" ?>\n'
    b'<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" '
    b'"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
)
_RETSTART_ERROR = (
    "Search Backend failed: Exception:\n'retstart' cannot be larger than 9998. "
    "For PubMed, ESearch can only retrieve the first 9,999 records matching the query."
)
_DIAGNOSTIC_PAGE = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN">
<html><head><title>NCBI/eutils - WWW Error {status} Diagnostic</title></head>
<body><h1>Server Error</h1>
<p>Your request could not be processed due to a problem on our Web server.
This could be a transient problem, please try the query again.</p>
<hr/><p> Diagnostic Information:</p>
<div class="diags">Error: {status}</div>
<div class="diags">URL: {{request}}</div>
</body></html>
"""


@lru_cache(maxsize=1)
def real_records() -> dict[str, bytes]:
    """PMID -> raw `<PubmedArticle>`/`<PubmedBookArticle>` bytes from every XML fixture and the seed.

    A PMID found in two fixtures keeps the one whose file name sorts last
    (the seed comes last of all).  Callers must copy before changing it.
    """
    records: dict[str, bytes] = {}
    for path in [*sorted(XML_FIXTURES.glob("*.xml")), SEED]:
        for match in _ARTICLE.finditer(path.read_bytes()):
            article = match.group(0)
            records[_FIRST_PMID.search(article).group(2).decode()] = article
    return records


def with_pmid(article: bytes, pmid: str) -> bytes:
    """`article` renumbered: its own PMID and its pubmed ArticleId, not the PMIDs it cites."""
    old = _FIRST_PMID.search(article).group(2)
    renumbered = _FIRST_PMID.sub(rb"\g<1>" + pmid.encode() + rb"\g<3>", article, count=1)
    own_id = b'<ArticleId IdType="pubmed">' + old + b"</ArticleId>"
    return renumbered.replace(own_id, b'<ArticleId IdType="pubmed">' + pmid.encode() + b"</ArticleId>", 1)


@dataclass
class Fault:
    """What the server does instead of a normal answer to one request.

    `body` replaces the answer (its `{request}` becomes the request line and
    form body, as NCBI's error pages echo the URL); `truncate` sends only the
    first N bytes with a matching Content-Length (a whole HTTP answer with cut
    XML); `drop` announces the whole body, sends N bytes and closes the
    connection; `stall` waits that many seconds before answering.
    """

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    truncate: int | None = None
    drop: int | None = None
    stall: float = 0.0

    @classmethod
    def html_page(cls, status: int = 200) -> Fault:
        """NCBI's HTML "WWW Error Diagnostic" page, which echoes the request URL."""
        return cls(status=status, body=_DIAGNOSTIC_PAGE.format(status=status).encode())

    @classmethod
    def rate_limited(cls, retry_after: str | None = None) -> Fault:
        """A 429 with NCBI's JSON body, which names the API key (or the caller's address)."""
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        body = b'{"error":"API rate limit exceeded","api-key":"{api_key}","count":"4","limit":"3"}\n'
        return cls(status=429, headers=headers, body=body)

    @classmethod
    def error(cls, message: str, status: int = 200, root: str = "eFetchResult") -> Fault:
        """An E-utilities `<ERROR>` envelope, as efetch sends it (HTTP 200 or 400)."""
        body = (
            b'<?xml version="1.0" encoding="UTF-8" ?>\n'
            b'<!DOCTYPE eEfetchResult PUBLIC "-//NLM//DTD efetch 20131226//EN" '
            b'"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20131226/efetch.dtd">\n'
            + f"<{root}>\n\t<ERROR>{html.escape(message, quote=False)}</ERROR>\n</{root}>\n".encode()
        )
        return cls(status=status, body=body)


@dataclass(frozen=True)
class Request:
    """One request as the server saw it; `params` merges the query string and the form body."""

    method: str
    endpoint: str
    target: str
    params: dict[str, str]
    headers: dict[str, str]
    time: float
    peer: tuple[str, int]
    gzipped: bool

    @property
    def has_api_key(self) -> bool:
        return "api_key" in self.params

    @property
    def ids(self) -> list[str]:
        return [i for i in self.params.get("id", "").split(",") if i]


@dataclass
class _Search:
    ids: list[str]
    phrases_not_found: list[str]
    warnings: list[str]
    translation: str | None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    fake: FakeEutils

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up (timeouts, dropped connections) is part of the tests."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server
    timeout = 30

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: requests are recorded on the FakeEutils instead."""

    def do_GET(self) -> None:
        self.server.fake._handle(self, b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.server.fake._handle(self, self.rfile.read(length))


class FakeEutils:
    """The server; `url` is the base URL to give lmscite (ends in `/entrez/eutils/`)."""

    def __init__(self, *, seed: int = 0) -> None:
        self.records: dict[str, bytes] = dict(real_records())
        self.searches: dict[str, _Search] = {}
        self.requests: list[Request] = []
        self.failure_rate = 0.0
        self.rate_limit: int | None = None
        self.latency = 0.0
        self.gzip = True
        self.email = TEST_EMAIL
        self._faults: deque[Fault | None] = deque()
        self._failing: dict[str, Fault] = {}
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self._next_synthetic = 900_000_001

    def start(self) -> FakeEutils:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join()
            self._httpd = None

    def __enter__(self) -> FakeEutils:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/entrez/eutils/"

    def settings(self, *, email: str | None = TEST_EMAIL, api_key: str | None = None) -> NcbiSettings:
        return NcbiSettings(base_url=self.url, email=email, api_key=api_key)

    def script(self, *faults: Fault | None) -> None:
        """Answer the next requests with these faults, in order; None answers one normally."""
        with self._lock:
            self._faults.extend(faults)

    def fail_for(self, pmid: str, fault: Fault) -> None:
        """Answer every request that asks for `pmid` with `fault`: a batch that keeps failing, in any order."""
        with self._lock:
            self._failing[pmid] = fault

    def add_synthetic(self, count: int, *, template: str = SYNTHETIC_TEMPLATE) -> list[str]:
        """Register `count` new records cloned from a real one; returns their PMIDs (9 digits, unused)."""
        article = self.records[template]
        pmids = [str(self._next_synthetic + offset) for offset in range(count)]
        self._next_synthetic += count
        for pmid in pmids:
            self.records[pmid] = with_pmid(article, pmid)
        return pmids

    def add_search(
        self,
        term: str,
        ids: list[str],
        *,
        phrases_not_found: list[str] | None = None,
        warnings: list[str] | None = None,
        translation: str | None = None,
    ) -> None:
        """Make esearch answer `term` with `ids` (in this order), plus ErrorList/WarningList notes."""
        self.searches[term] = _Search(list(ids), list(phrases_not_found or []), list(warnings or []), translation)

    def to(self, endpoint: str) -> list[Request]:
        return [request for request in self.requests if request.endpoint == endpoint]

    def busiest_second(self, window: float = 1.0) -> int:
        """Most requests that arrived within any `window` seconds (how NCBI counts)."""
        times = sorted(request.time for request in self.requests)
        busiest, first = 0, 0
        for last, arrived in enumerate(times):
            while arrived - times[first] >= window:
                first += 1
            busiest = max(busiest, last - first + 1)
        return busiest

    def _handle(self, handler: _Handler, form: bytes) -> None:
        arrived = time.time()
        split = urllib.parse.urlsplit(handler.path)
        params: dict[str, str] = {}
        for key, value in urllib.parse.parse_qsl(split.query, keep_blank_values=True) + urllib.parse.parse_qsl(
            form.decode("utf-8", "replace"), keep_blank_values=True
        ):
            params[key] = f"{params[key]},{value}" if key in params else value
        accepts_gzip = "gzip" in handler.headers.get("Accept-Encoding", "")
        request = Request(
            method=handler.command,
            endpoint=split.path.rsplit("/", 1)[-1].removesuffix(".fcgi"),
            target=handler.path,
            params=params,
            headers=dict(handler.headers),
            time=arrived,
            peer=handler.client_address,
            gzipped=self.gzip and accepts_gzip,
        )
        with self._lock:
            self.requests.append(request)
            fault = self._fault_for(arrived, request)
        if fault is not None and fault.body is not None:
            echo = f"{handler.command} {handler.path} {form.decode('utf-8', 'replace')}".strip()
            status = fault.status
            body = fault.body.replace(b"{request}", html.escape(echo).encode())
            body = body.replace(b"{api_key}", params.get("api_key", handler.client_address[0]).encode())
        else:
            status, body = self._answer(request)
            status = fault.status if fault is not None and fault.status != 200 else status
        if self.latency:
            time.sleep(self.latency)
        self._send(handler, request, status, body, fault or Fault())

    def _fault_for(self, arrived: float, request: Request) -> Fault | None:
        failing = next((self._failing[pmid] for pmid in request.ids if pmid in self._failing), None)
        if failing is not None:
            return failing
        if self._faults:
            return self._faults.popleft()
        if self.rate_limit is not None:
            recent = sum(1 for request in self.requests if arrived - request.time < 1.0)
            if recent > self.rate_limit:
                return Fault.rate_limited()
        if self.failure_rate and self._random.random() < self.failure_rate:
            return Fault.html_page(500)
        return None

    def _answer(self, request: Request) -> tuple[int, bytes]:
        if request.endpoint == "efetch":
            return 200, self._efetch(request)
        if request.endpoint == "esearch":
            return 200, self._esearch(request.params)
        return 404, _DIAGNOSTIC_PAGE.format(status=404).replace("{request}", html.escape(request.target)).encode()

    def _efetch(self, request: Request) -> bytes:
        wanted = [pmid.strip() for pmid in request.ids]
        valid = list(dict.fromkeys(pmid for pmid in wanted if pmid.isascii() and pmid.isdigit()))
        if not valid:
            return EFETCH_EMPTY_ID_ERROR
        found = [self.records[pmid] for pmid in valid if pmid in self.records]
        return _SET_HEAD + b"".join(article + b"\n" for article in found) + _SET_TAIL

    def _field_search(self, term: str) -> _Search | None:
        """Answer `"value"[doi] OR "value"[pmcid] ...` from the records' ArticleIds, as PubMed does."""
        wanted = _FIELD_TERM.findall(term)
        if not wanted or _FIELD_TERM.sub("", term).replace("OR", "").strip():
            return None
        keys = {(field.lower(), value.casefold()) for value, field in wanted}
        found = []
        for pmid, article in self.records.items():
            for kind, value in _ARTICLE_ID.findall(article.decode().split("<ReferenceList")[0]):
                field = {"doi": "doi", "pmc": "pmcid"}.get(kind)
                if field and (field, value.casefold()) in keys:
                    found.append(pmid)
                    break
        return _Search(sorted(found, key=int), [], [], term) if found else None

    def _esearch(self, params: dict[str, str]) -> bytes:
        term = params.get("term", "")
        search = self.searches.get(term) or self._field_search(term) or _Search([], [term], ["No items found."], None)
        if params.get("rettype") == "count":
            return _ESEARCH_HEAD + f"<eSearchResult>\n\t<Count>{len(search.ids)}</Count>\n</eSearchResult>\n".encode()
        retstart, retmax = int(params.get("retstart", 0)), int(params.get("retmax", 20))
        if retstart > ESEARCH_LIMIT - 1:
            return Fault.error(_RETSTART_ERROR, root="eSearchResult").body
        page = search.ids[retstart : min(retstart + retmax, ESEARCH_LIMIT)]
        id_list = "<IdList>\n" + "".join(f"<Id>{pmid}</Id>\n" for pmid in page) + "</IdList>" if page else "<IdList/>"
        errors = "".join(f"<PhraseNotFound>{html.escape(p)}</PhraseNotFound>" for p in search.phrases_not_found)
        notes = "".join(f"<OutputMessage>{html.escape(w)}</OutputMessage>" for w in search.warnings)
        xml = (
            f"<eSearchResult><Count>{len(search.ids)}</Count><RetMax>{len(page)}</RetMax>"
            f"<RetStart>{retstart}</RetStart>{id_list}<TranslationSet/>"
            f"<QueryTranslation>{html.escape(search.translation or term)}</QueryTranslation>"
            + (f"<ErrorList>{errors}</ErrorList>" if errors else "")
            + (f"<WarningList>{notes}</WarningList>" if notes else "")
            + "</eSearchResult>\n"
        )
        return _ESEARCH_HEAD + xml.encode()

    @staticmethod
    def _send(handler: _Handler, request: Request, status: int, body: bytes, fault: Fault) -> None:
        if fault.stall:
            time.sleep(fault.stall)
        if fault.truncate is not None:
            body = body[: fault.truncate]
        kind = "text/html" if b"<html" in body[:300] else "text/xml"
        kind = "application/json" if body.lstrip()[:1] == b"{" else kind
        if request.gzipped:
            body = gzip.compress(body, compresslevel=5)
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", f"{kind}; charset=UTF-8")
            handler.send_header("Content-Length", str(len(body)))
            if request.gzipped:
                handler.send_header("Content-Encoding", "gzip")
            for name, value in fault.headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(body if fault.drop is None else body[: fault.drop])
            handler.wfile.flush()
        except OSError:
            handler.close_connection = True
            return
        if fault.drop is not None:
            handler.close_connection = True
