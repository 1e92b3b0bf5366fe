"""The E-utilities client, measured at a real local HTTP server (tests/eutils_server.py)."""

from __future__ import annotations

import email.utils
import os
import socket
import subprocess
import sys
import time
import traceback
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from eutils_server import DATA, FakeEutils, Fault

import lmscite.pubmed.eutils
from lmscite.config import NcbiSettings, ncbi_settings
from lmscite.errors import InputError, NetworkError
from lmscite.pubmed.eutils import (
    EutilsClient,
    EutilsRequestError,
    MissingEmailWarning,
    RateLimiter,
    RequestInfo,
    parse_esearch,
)

ROOT = Path(__file__).resolve().parents[1]
KNOWN = "21860499"
KNOWN_PMID_ELEMENT = b'<PMID Version="1">21860499</PMID>'
API_KEY = "k3y-SECRET-0123456789abcdef"
ClientFactory = Callable[..., EutilsClient]


@pytest.fixture
def client(eutils: FakeEutils, tmp_path: Path) -> Iterator[ClientFactory]:
    """Clients for the fake server, fast by default: no rate limit, tiny backoff, short timeout."""
    made: list[EutilsClient] = []

    def make(*, api_key: str | None = None, email: str | None = eutils.email, **options: object) -> EutilsClient:
        settings = {"rate": float("inf"), "backoff": 0.01, "timeout": 2.0, "limiter_path": tmp_path / "ratelimit"}
        made.append(EutilsClient(eutils.settings(email=email, api_key=api_key), **{**settings, **options}))
        return made[-1]

    yield make
    for each in made:
        each.close()


def test_the_eutils_fixture_points_lmscite_settings_at_the_fake_server(eutils, tmp_path) -> None:
    settings = ncbi_settings()
    EutilsClient(settings, rate=float("inf")).efetch([KNOWN])

    assert (settings.base_url, settings.email, settings.api_key) == (eutils.url, eutils.email, None)
    assert [request.ids for request in eutils.requests] == [[KNOWN]]


def test_efetch_returns_the_articles_asked_for_and_skips_unknown_ones(eutils, client) -> None:
    body = client().efetch([KNOWN, "99999999", "10749609"])

    assert KNOWN_PMID_ELEMENT in body
    assert b'<PMID Version="1">10749609</PMID>' in body
    assert body.count(b"<PubmedArticle>") == 2


def test_450_pmids_in_batches_of_at_most_200_take_three_requests(eutils, client) -> None:
    pmids = eutils.add_synthetic(450)

    results = list(client().efetch_batches(pmids, bytes, max_batch=200))

    assert [len(request.ids) for request in eutils.to("efetch")] == [200, 200, 50]
    assert [batch for batch, _ in results] == [pmids[:200], pmids[200:400], pmids[400:]]
    assert sum(body.count(b"<PubmedArticle>") for _, body in results) == 450


def test_short_id_lists_go_as_get_with_every_parameter_in_the_url(eutils, client) -> None:
    client().efetch([KNOWN] * 50)

    request = eutils.requests[0]
    assert request.method == "GET"
    assert "id=" in request.target and "tool=lmscite" in request.target


def test_more_than_50_ids_go_as_post_with_the_parameters_in_the_form_body(eutils, client) -> None:
    client(api_key=API_KEY).efetch(eutils.add_synthetic(51))

    request = eutils.requests[0]
    assert request.method == "POST"
    assert len(request.ids) == 51
    assert request.target.endswith("/efetch.fcgi")
    assert request.params["api_key"] == API_KEY


def test_a_search_term_too_long_for_a_url_goes_as_post(eutils, client) -> None:
    term = " OR ".join(f"liver{n}[tiab]" for n in range(150))
    eutils.add_search(term, ["1", "2"])

    assert client().esearch(term).ids == ["1", "2"]
    assert eutils.requests[0].method == "POST"


@pytest.mark.parametrize("call", ["efetch", "esearch", "post"])
def test_every_request_names_the_tool_and_the_email(eutils, client, call) -> None:
    session = client()
    {"efetch": lambda: session.efetch([KNOWN]), "esearch": lambda: session.count("liver"),
     "post": lambda: session.efetch(eutils.add_synthetic(60))}[call]()

    assert eutils.requests[0].params["tool"] == "lmscite"
    assert eutils.requests[0].params["email"] == eutils.email
    assert not eutils.requests[0].has_api_key


def test_the_api_key_is_sent_when_set(eutils, client) -> None:
    session = client(api_key=API_KEY)
    session.efetch([KNOWN])
    session.count("liver")

    assert [request.params.get("api_key") for request in eutils.requests] == [API_KEY, API_KEY]


def test_the_client_asks_for_gzip_and_reads_it(eutils, client) -> None:
    body = client().efetch([KNOWN])

    assert eutils.requests[0].gzipped
    assert body.startswith(b"<?xml") and KNOWN_PMID_ELEMENT in body


def test_one_connection_is_kept_alive_across_requests(eutils, client) -> None:
    session = client()
    for _ in range(3):
        session.efetch([KNOWN])

    assert len({request.peer for request in eutils.requests}) == 1


def _no_key_anywhere(exc: BaseException) -> None:
    shown = [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    assert all(API_KEY not in text for text in shown)


def test_exhausted_retries_name_the_batch_and_the_cause_but_never_the_api_key(eutils, client) -> None:
    eutils.script(*[Fault.html_page(500)] * 3, *[Fault.rate_limited()] * 3)
    session = client(api_key=API_KEY, max_attempts=3)
    pmids = [str(n) for n in range(1000, 1012)]

    with pytest.raises(NetworkError) as server_error:
        session.efetch(pmids)
    with pytest.raises(NetworkError) as rate_error:
        session.efetch(pmids)

    assert str(server_error.value) == (
        "E-utilities efetch failed for PMIDs 1000, 1001, 1002, 1003, 1004, ... (12 PMIDs) "
        "after 3 attempts: HTTP 500 Internal Server Error"
    )
    assert "HTTP 429" in str(rate_error.value) and "API rate limit exceeded" in str(rate_error.value)
    assert all(request.has_api_key for request in eutils.requests)
    _no_key_anywhere(server_error.value)
    _no_key_anywhere(rate_error.value)


def test_an_error_that_echoes_the_request_is_shown_with_the_api_key_redacted(eutils, client) -> None:
    eutils.script(Fault.error("Bad request: {request}", status=400))

    with pytest.raises(EutilsRequestError) as caught:
        client(api_key=API_KEY).efetch([KNOWN])

    assert "api_key=***" in str(caught.value)
    _no_key_anywhere(caught.value)


def test_retry_reasons_given_to_callbacks_never_carry_the_api_key(eutils, client) -> None:
    eutils.script(Fault.rate_limited())
    reasons: list[str] = []

    client(api_key=API_KEY, on_retry=lambda info, reason, delay: reasons.append(reason)).efetch([KNOWN])

    assert reasons == ["HTTP 429 Too Many Requests: API rate limit exceeded"]


def test_the_client_repr_does_not_show_the_api_key(client) -> None:
    assert API_KEY not in repr(client(api_key=API_KEY))


def test_a_missing_email_warns_once_per_process(eutils, client, monkeypatch) -> None:
    monkeypatch.setattr(lmscite.pubmed.eutils, "_email_warned", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client(email=None)
        client(email=None)

    assert [w.category for w in caught] == [MissingEmailWarning]
    assert "NCBI_EMAIL" in str(caught[0].message)


def test_the_email_warning_can_be_silenced_by_category(eutils, client, monkeypatch) -> None:
    monkeypatch.setattr(lmscite.pubmed.eutils, "_email_warned", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=MissingEmailWarning)
        client(email=None)

    assert caught == []


def test_without_a_key_no_second_holds_more_than_3_requests_and_ncbi_never_says_429(eutils, client) -> None:
    eutils.rate_limit = 3
    session = client(rate=None)
    for _ in range(7):
        session.count("liver")

    assert eutils.busiest_second() == 3
    assert len(eutils.requests) == 7


def test_with_a_key_10_requests_go_in_a_second(eutils, client) -> None:
    session = client(rate=None, api_key=API_KEY)
    for _ in range(13):
        session.count("liver")

    times = [request.time for request in eutils.requests]
    assert eutils.busiest_second() == 10
    assert times[-1] - times[0] < 1.5


_TWO_PROCESS_SCRIPT = """
import sys, time
from pathlib import Path
from lmscite.config import NcbiSettings, ncbi_settings
from lmscite.pubmed.eutils import EutilsClient
url, limiter, start = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3])
session = EutilsClient(NcbiSettings(url, "tests@lmscite.invalid"), limiter_path=limiter)
time.sleep(max(0.0, start - time.time()))
for _ in range(4):
    session.count("liver")
"""


def test_two_processes_sharing_a_limiter_stay_within_3_per_second_together(eutils, tmp_path) -> None:
    start = time.time() + 0.6
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-c", _TWO_PROCESS_SCRIPT, eutils.url, str(tmp_path / "shared"), str(start)]
    processes = [subprocess.Popen(command, env=env, stderr=subprocess.PIPE) for _ in range(2)]
    errors = [process.communicate(timeout=30)[1] for process in processes]

    assert [process.returncode for process in processes] == [0, 0], errors
    assert len(eutils.requests) == 8
    assert eutils.busiest_second() == 3


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_limiters_sharing_a_file_share_one_sliding_window(tmp_path) -> None:
    clock = FakeClock()
    first, second = (RateLimiter(3, tmp_path / "rl", sleep=clock.sleep, clock=clock.time) for _ in range(2))
    starts = []
    for limiter in (first, second, first, second, first, second, first):
        limiter.acquire()
        starts.append(clock.now - 1_000.0)

    assert starts == pytest.approx([0, 0, 0, 1.05, 1.05, 1.05, 2.1])


@pytest.mark.parametrize(
    "fault",
    [
        Fault.rate_limited(),
        Fault.rate_limited(retry_after="0"),
        Fault(status=500),
        Fault.html_page(502),
        Fault(status=503),
        Fault(drop=200),
        Fault(truncate=600),
        Fault.html_page(200),
        Fault(body=b"Service unavailable, try later\n"),
        Fault.error("Failed to connect to PubOne service (proxy_stream())", status=400),
        Fault(stall=1.5),
    ],
    ids=["429", "429-retry-after", "500", "502-html", "503", "dropped", "truncated", "html-200", "not-xml",
         "400-backend-relay", "stalled"],
)
def test_a_passing_fault_is_retried_and_the_fetch_succeeds(eutils, client, fault) -> None:
    eutils.script(fault)

    body = client(timeout=0.5).efetch([KNOWN])

    assert KNOWN_PMID_ELEMENT in body and body.rstrip().endswith(b"</PubmedArticleSet>")
    assert len(eutils.requests) == 2


def test_retry_after_in_seconds_is_waited_out(eutils, client) -> None:
    eutils.script(Fault.rate_limited(retry_after="1"))

    client().efetch([KNOWN])

    first, second = (request.time for request in eutils.requests)
    assert second - first >= 1.0


def test_retry_after_as_an_http_date_is_waited_out(eutils, client) -> None:
    eutils.script(Fault.rate_limited(retry_after=email.utils.formatdate(time.time() + 3, usegmt=True)))
    slept: list[float] = []

    client(sleep=slept.append).efetch([KNOWN])

    assert len(slept) == 1 and 1.5 < slept[0] <= 3.0


def test_callbacks_see_every_attempt_and_every_retry(eutils, client) -> None:
    eutils.script(Fault(status=500))
    attempts: list[RequestInfo] = []
    retries: list[tuple[int, str]] = []

    session = client(
        on_request=attempts.append, on_retry=lambda info, reason, delay: retries.append((info.attempt, reason))
    )
    session.efetch([KNOWN])

    assert [(info.endpoint, info.attempt, info.what) for info in attempts] == [
        ("efetch", 1, f"PMID {KNOWN}"), ("efetch", 2, f"PMID {KNOWN}")
    ]
    assert retries == [(1, "HTTP 500 Internal Server Error")]


def test_a_batch_that_keeps_failing_is_yielded_as_its_error_and_the_others_arrive(eutils, client) -> None:
    pmids = eutils.add_synthetic(450)
    eutils.fail_for(pmids[200], Fault(status=500))

    batches = client(max_attempts=3).efetch_batches(pmids, bytes, max_batch=200)
    results = {batch[0]: outcome for batch, outcome in batches}

    assert [type(results[first]) for first in (pmids[0], pmids[200], pmids[400])] == [bytes, NetworkError, bytes]
    assert str(results[pmids[200]]).startswith(f"E-utilities efetch failed for PMIDs {pmids[200]}, ")
    assert "(200 PMIDs) after 3 attempts" in str(results[pmids[200]])
    assert results[pmids[400]].count(b"<PubmedArticle>") == 50
    assert len(eutils.to("efetch")) == 1 + 3 + 1


def test_a_failed_batch_waits_behind_the_others_instead_of_holding_them_up(eutils, client) -> None:
    pmids = eutils.add_synthetic(450)
    eutils.script(None, Fault(status=500))

    results = list(client().efetch_batches(pmids, bytes, max_batch=200))

    assert [request.ids[0] for request in eutils.to("efetch")] == [pmids[0], pmids[200], pmids[400], pmids[200]]
    assert [batch[0] for batch, _ in results] == [pmids[0], pmids[400], pmids[200]]
    assert sum(body.count(b"<PubmedArticle>") for _, body in results) == 450


def test_after_three_failures_in_a_row_the_failing_batch_is_retried_before_any_other(eutils, client) -> None:
    pmids = eutils.add_synthetic(450)
    eutils.script(None, Fault(status=500), Fault(status=503), Fault(status=500))

    results = list(client().efetch_batches(pmids, bytes, max_batch=200))

    assert [request.ids[0] for request in eutils.to("efetch")] == [
        pmids[0], pmids[200], pmids[400], pmids[200], pmids[200], pmids[400]]
    assert all(isinstance(body, bytes) for _, body in results)


def test_retry_after_makes_every_batch_wait_it_out(eutils, client) -> None:
    pmids = eutils.add_synthetic(450)
    eutils.script(None, Fault.rate_limited(retry_after="1"))

    results = list(client().efetch_batches(pmids, bytes, max_batch=200))

    requests = eutils.to("efetch")
    assert [request.ids[0] for request in requests] == [pmids[0], pmids[200], pmids[200], pmids[400]]
    assert requests[2].time - requests[1].time >= 1.0
    assert all(isinstance(body, bytes) for _, body in results)


def test_every_batch_arrives_from_a_server_failing_a_third_of_the_time(eutils, client) -> None:
    pmids = eutils.add_synthetic(1000)
    eutils.failure_rate = 0.35

    results = list(client(api_key=API_KEY).efetch_batches(pmids, bytes, max_batch=200))

    assert all(isinstance(outcome, bytes) for _, outcome in results)
    assert sum(outcome.count(b"<PubmedArticle>") for _, outcome in results) == 1000
    assert len(eutils.requests) > 5


def sizes(eutils: FakeEutils) -> list[int]:
    return [len(request.ids) for request in eutils.to("efetch")]


def articles(results: list[tuple[list[str], object]]) -> int:
    return sum(body.count(b"<PubmedArticle>") for _, body in results)


def test_batches_are_1000_pmids_by_default_each_one_post(eutils, client) -> None:
    pmids = eutils.add_synthetic(2500)

    results = list(client().efetch_batches(pmids, bytes))

    assert sizes(eutils) == [1000, 1000, 500]
    assert {request.method for request in eutils.to("efetch")} == {"POST"}
    assert articles(results) == 2500


def test_each_failure_halves_the_batch_down_to_250(eutils, client) -> None:
    pmids = eutils.add_synthetic(1000)
    eutils.script(*[Fault(status=500)] * 4)

    results = list(client().efetch_batches(pmids, bytes))

    assert sizes(eutils)[:4] == [1000, 500, 250, 250]
    assert articles(results) == 1000


def test_each_success_after_a_failure_doubles_the_batch_back_up_to_1000(eutils, client) -> None:
    pmids = eutils.add_synthetic(5000)
    eutils.script(Fault(status=500), Fault(status=503))

    results = list(client().efetch_batches(pmids, bytes))

    assert sizes(eutils)[:6] == [1000, 500, 250, 500, 1000, 1000]
    assert articles(results) == 5000
    assert sorted(p for batch, _ in results for p in batch) == sorted(pmids)


def test_a_failed_batch_is_retried_in_batches_of_the_smaller_size(eutils, client) -> None:
    pmids = eutils.add_synthetic(1000)
    eutils.script(Fault(status=500))

    results = list(client().efetch_batches(pmids, bytes))

    assert sizes(eutils) == [1000, 500, 500]
    assert [batch for batch, _ in results] == [pmids[:500], pmids[500:]]


def test_pieces_of_a_failed_batch_go_out_as_one_request_once_the_size_has_grown_back(eutils, client) -> None:
    pmids = eutils.add_synthetic(1000)
    eutils.script(Fault(status=500), Fault(status=500))

    results = list(client().efetch_batches(pmids, bytes))

    assert sizes(eutils) == [1000, 500, 250, 250, 500]
    assert articles(results) == 1000


def test_a_timeout_shrinks_the_batch(eutils, client) -> None:
    pmids = eutils.add_synthetic(1000)
    eutils.script(Fault(stall=1.0))

    results = list(client(timeout=0.3).efetch_batches(pmids, bytes))

    assert sizes(eutils) == [1000, 500, 500]
    assert articles(results) == 1000


@pytest.mark.parametrize("fault", [Fault(truncate=5000), Fault(drop=5000)], ids=["cut XML", "closed mid-answer"])
def test_a_truncated_answer_is_retried_smaller_and_every_record_arrives(eutils, client, fault) -> None:
    pmids = eutils.add_synthetic(1000)
    eutils.script(fault)

    results = list(client().efetch_batches(pmids, bytes))

    assert sizes(eutils) == [1000, 500, 500]
    assert articles(results) == 1000


def test_an_answer_read_cannot_read_is_retried_smaller_and_every_record_arrives(eutils, client) -> None:
    from lmscite.pubmed.xml import parse_bytes

    pmids = eutils.add_synthetic(1000)
    eutils.script(Fault(body=b'<?xml version="1.0"?>\n<PubmedArticleSet><PubmedArticle></PubmedArticleSet>\n'))
    retries: list[str] = []

    results = list(client(on_retry=lambda info, reason, delay: retries.append(reason)).efetch_batches(
        pmids, parse_bytes))

    assert sizes(eutils) == [1000, 500, 500]
    assert sorted(entry.pmid for _, entries in results for entry in entries) == sorted(pmids)
    assert len(retries) == 1 and retries[0].startswith("the answer could not be read (")


def test_an_unreadable_answer_that_echoes_the_api_key_is_reported_without_it(eutils, client) -> None:
    from lmscite.pubmed.xml import parse_bytes

    eutils.script(*[Fault(body=b"<PubmedArticleSet><{api_key}></PubmedArticleSet>")] * 2)
    retries: list[str] = []

    results = list(client(api_key=API_KEY, max_attempts=2,
                          on_retry=lambda info, reason, delay: retries.append(reason)).efetch_batches(
        [KNOWN], parse_bytes))

    [(_, error)] = results
    assert isinstance(error, NetworkError)
    assert "could not be read" in str(error) and "Opening and ending tag mismatch" in str(error)
    assert all(API_KEY not in text for text in [str(error), *retries])


def test_a_429_leaves_the_batch_size_alone(eutils, client) -> None:
    pmids = eutils.add_synthetic(3000)
    eutils.script(None, Fault.rate_limited())

    list(client().efetch_batches(pmids, bytes))

    assert sizes(eutils) == [1000, 1000, 1000, 1000]


def test_retry_after_is_waited_out_by_every_batch_at_full_size(eutils, client) -> None:
    pmids = eutils.add_synthetic(2000)
    eutils.script(None, Fault.rate_limited(retry_after="1"))

    results = list(client().efetch_batches(pmids, bytes))

    requests = eutils.to("efetch")
    assert sizes(eutils) == [1000, 1000, 1000]
    assert requests[2].time - requests[1].time >= 1.0
    assert articles(results) == 2000


def test_large_batches_keep_to_three_requests_a_second(eutils, client) -> None:
    pmids = eutils.add_synthetic(2000)
    eutils.script(Fault(status=500), Fault(status=500))

    results = list(client(rate=3.0).efetch_batches(pmids, bytes))

    assert len(eutils.requests) > 3
    assert eutils.busiest_second() <= 3
    assert articles(results) == 2000


def test_a_persistent_outage_costs_fewer_requests_than_batches_of_200(eutils, client) -> None:
    pmids = eutils.add_synthetic(1000)
    eutils.failure_rate = 1.0

    results = list(client(max_attempts=6).efetch_batches(pmids, bytes))

    assert all(isinstance(error, NetworkError) for _, error in results)
    assert sorted(p for batch, _ in results for p in batch) == sorted(pmids)
    assert len(eutils.requests) < 1000 // 200 * 6


def test_pmids_a_whole_answer_leaves_out_are_not_asked_again(eutils, client) -> None:
    pmids = [*eutils.add_synthetic(300), "99999997", "99999998"]

    results = list(client().efetch_batches(pmids, bytes))

    assert sizes(eutils) == [302]
    assert articles(results) == 300


def test_an_unreachable_server_ends_in_a_network_error_after_the_attempts(tmp_path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = NcbiSettings(f"http://127.0.0.1:{port}/entrez/eutils/", "tests@lmscite.invalid")
    session = EutilsClient(settings, max_attempts=3, backoff=0.01, rate=float("inf"), limiter_path=tmp_path / "rl")

    with pytest.raises(NetworkError, match=r"for PMID 1 after 3 attempts: ConnectionRefusedError"):
        session.efetch(["1"])


def test_an_efetch_error_body_is_raised_at_once(eutils, client) -> None:
    with pytest.raises(EutilsRequestError, match="Supplied id parameter is empty."):
        client().efetch(["not-a-pmid"])

    assert len(eutils.requests) == 1


def test_an_http_400_id_list_error_is_raised_at_once(eutils, client) -> None:
    eutils.script(Fault.error("ID list is empty! Possibly it has no correct IDs.", status=400))

    with pytest.raises(EutilsRequestError, match="ID list is empty! Possibly it has no correct IDs."):
        client().efetch(["00000000"])

    assert len(eutils.requests) == 1


def test_efetch_of_no_ids_sends_nothing(eutils, client) -> None:
    with pytest.raises(InputError):
        client().efetch([])

    assert eutils.requests == []


def test_esearch_all_pages_with_retstart_and_keeps_the_order(eutils, client) -> None:
    ids = [str(n) for n in range(30_000_000, 30_000_025)]
    eutils.add_search("liver metastases", ids)

    result = client().esearch_all("liver metastases", page_size=10)

    assert result.ids == ids and result.count == 25 and not result.truncated
    assert [(r.params["retstart"], r.params["retmax"]) for r in eutils.requests] == [("0", "10"), ("10", "10"),
                                                                                     ("20", "5")]


def test_esearch_all_stops_at_max_and_says_it_is_truncated(eutils, client) -> None:
    eutils.add_search("liver", [str(n) for n in range(1, 26)])

    result = client().esearch_all("liver", max=12, page_size=10)

    assert result.ids == [str(n) for n in range(1, 13)]
    assert result.count == 25 and result.truncated


def test_esearch_all_stops_at_pubmeds_9999_ids(eutils, client) -> None:
    eutils.add_search("cancer", [str(n) for n in range(1, 12_001)])

    result = client().esearch_all("cancer")

    assert len(result.ids) == 9_999 and result.count == 12_000 and result.truncated
    assert len(eutils.requests) == 1


def test_esearch_past_pubmeds_ceiling_raises_ncbis_error(eutils, client) -> None:
    eutils.add_search("cancer", [str(n) for n in range(1, 12_001)])

    with pytest.raises(EutilsRequestError, match="'retstart' cannot be larger than 9998"):
        client().esearch("cancer", retstart=9_999)


def test_count_asks_for_the_count_only(eutils, client) -> None:
    eutils.add_search("liver", [str(n) for n in range(1, 8)])

    assert client().count("liver") == 7
    assert eutils.requests[0].params["rettype"] == "count"


def test_esearch_reports_phrases_not_found_and_warnings_without_failing(eutils, client) -> None:
    result = client().esearch("abcXYZ")

    assert (result.count, result.ids) == (0, [])
    assert result.errors == ["phrase not found: abcXYZ"]
    assert result.warnings == ["No items found."]


def test_esearch_passes_sort_and_date_range(eutils, client) -> None:
    client().esearch("liver", sort="pub_date", mindate="2020", maxdate="2024/12/31")

    params = eutils.requests[0].params
    assert (params["sort"], params["mindate"], params["maxdate"], params["datetype"]) == (
        "pub_date", "2020", "2024/12/31", "pdat")


def test_half_a_date_range_is_refused_before_sending(eutils, client) -> None:
    with pytest.raises(InputError, match="both a start and an end"):
        client().esearch("liver", mindate="2020")

    assert eutils.requests == []


def test_an_esearch_error_body_is_raised_at_once(eutils, client) -> None:
    eutils.script(Fault(body=(DATA / "errors" / "ncbi_esearch_invalid_db_error_2012.xml").read_bytes()))

    with pytest.raises(EutilsRequestError, match="Invalid db name specified: fleegle"):
        client().esearch("liver")

    assert len(eutils.requests) == 1


def _fixture(name: str) -> bytes:
    return (DATA / "esearch" / name).read_bytes()


def test_parse_esearch_reads_a_page_of_a_larger_result() -> None:
    result = parse_esearch(_fixture("bp_esearch3.xml"))

    assert (result.count, len(result.ids), result.ids[0]) == (2651, 6, "11121077")
    assert result.truncated
    assert result.query_translation == '"proc natl acad sci u s a"[Journal] AND "97"[Volume]'


def test_parse_esearch_keeps_results_that_came_with_phrases_not_found() -> None:
    result = parse_esearch(_fixture("hawc_esearch_259_ids_2024.xml"))

    assert (result.count, len(result.ids), result.truncated) == (259, 259, False)
    assert result.errors == [
        "phrase not found: 2-ethyl-5-oxyhexyl",
        "phrase not found: 2-ethyl-4-hydroxyhexyl",
        "phrase not found: 2-ethyl-4-oxyhexyl",
    ]


def test_parse_esearch_reads_a_count_only_answer() -> None:
    result = parse_esearch(_fixture("hawc_esearch_rettype_count_2024.xml"))

    assert (result.count, result.ids, result.truncated) == (6, [], False)


def test_parse_esearch_reads_the_no_items_found_answer() -> None:
    result = parse_esearch(_fixture("bp_esearch8.xml"))

    assert (result.count, result.errors, result.warnings) == (0, ["phrase not found: abcXYZ"], ["No items found."])
