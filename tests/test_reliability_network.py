"""`lmscite fetch` against a fake E-utilities server that fails in every way NCBI does.

Each fault is tried three ways on 400 new PMIDs (two batches of 200) added
to a library that already holds the seed records:

* passing: the fault once, then success: exit 0, all 400 stored (a storm of
  429s, five in a row, is ridden out the same way);
* persistent on the second batch: exit 1, the first 200 stored, the second
  200 "failed" with a "network:" message, the seed untouched;
* persistent from the start: exit 3 ("PubMed could not be reached") and the
  library file byte-identical.

The client's own 3/s pacing, its backoff and its growing and shrinking
batches are not what is tested here (tests/test_eutils.py measures them), so
the fixture lifts the pacing, caps the backoff at a few milliseconds and
holds batches at 200 PMIDs; every retry still goes through the real client
code.
"""

from __future__ import annotations

import json
import threading

import pytest
from eutils_server import Fault

from lmscite.library.store import Library, verify

ATTEMPTS = 2
SEED_PMIDS = ["10749609", "9834411"]
FAULTS = {
    "429 storm": Fault.rate_limited(),
    "500": Fault(status=500),
    "503 HTML page": Fault.html_page(503),
    "reset mid-body": Fault(drop=300),
    "reset before the body": Fault(drop=0),
    "stalled server": Fault(stall=2.5),
    "truncated XML": Fault(truncate=400),
    "HTML page with 200": Fault.html_page(200),
}
REASONS = {
    "429 storm": "HTTP 429",
    "500": "HTTP 500",
    "503 HTML page": "HTTP 503",
    "reset mid-body": "closed mid-answer",
    "reset before the body": "closed mid-answer",
    "stalled server": "no answer within the timeout",
    "truncated XML": "cut off",
    "HTML page with 200": "HTML page",
}


@pytest.fixture
def fast(monkeypatch) -> None:
    monkeypatch.setattr("lmscite.pubmed.eutils.RATE_WITHOUT_KEY", float("inf"))
    monkeypatch.setattr("lmscite.pubmed.eutils.MAX_DELAY", 0.01)
    monkeypatch.setattr("lmscite.pubmed.eutils.MAX_BATCH", 200)


@pytest.fixture
def seeded(run, eutils, fast, library_path) -> bytes:
    assert run("fetch", *SEED_PMIDS).code == 0
    eutils.requests.clear()
    return library_path.read_bytes()


def fetch(run, pmids: list[str], attempts: int = ATTEMPTS):
    return run("fetch", "--json", "--max-attempts", attempts, "--timeout", 1, "-", stdin="\n".join(pmids))


def statuses(out: str) -> dict[str, str]:
    return {row["id"]: row["status"] for row in map(json.loads, out.splitlines())}


def stored(library_path) -> set[str]:
    assert verify(library_path) == []
    return set(Library(library_path).snapshot().pmids())


@pytest.mark.parametrize("name", FAULTS)
def test_a_passing_fault_is_retried_until_every_record_is_stored(run, eutils, seeded, library_path, name):
    pmids = eutils.add_synthetic(400)
    eutils.script(*[FAULTS[name]] * (ATTEMPTS - 1))
    result = fetch(run, pmids)
    assert result.code == 0, result.err
    assert set(statuses(result.out).values()) == {"fetched"}
    assert REASONS[name] in result.err and "retrying" in result.err
    assert stored(library_path) == {*SEED_PMIDS, *pmids}


def test_a_storm_of_429s_is_ridden_out(run, eutils, seeded, library_path):
    pmids = eutils.add_synthetic(400)
    eutils.script(None, *[Fault.rate_limited()] * 3, Fault.rate_limited(retry_after="0"), Fault.rate_limited())
    result = fetch(run, pmids, attempts=6)
    assert result.code == 0, result.err
    assert result.err.count("HTTP 429") == 5
    assert stored(library_path) == {*SEED_PMIDS, *pmids}


@pytest.mark.parametrize("name", FAULTS)
def test_a_persistent_fault_keeps_the_batches_fetched_before_it_and_exits_1(
        run, eutils, seeded, library_path, name):
    pmids = eutils.add_synthetic(400)
    eutils.script(None, *[FAULTS[name]] * ATTEMPTS)
    result = fetch(run, pmids)
    assert result.code == 1, result.err
    rows = statuses(result.out)
    assert [rows[p] for p in pmids] == ["fetched"] * 200 + ["failed"] * 200
    assert "fetch: 200 fetched, 200 failed" in result.err and "Traceback" not in result.err
    assert stored(library_path) == {*SEED_PMIDS, *pmids[:200]}
    assert len(eutils.to("efetch")) == 1 + ATTEMPTS


@pytest.mark.parametrize("name", FAULTS)
def test_a_fault_that_never_passes_exits_3_with_the_library_unchanged(run, eutils, seeded, library_path, name):
    pmids = eutils.add_synthetic(400)
    eutils.script(*[FAULTS[name]] * (2 * ATTEMPTS))
    result = fetch(run, pmids)
    assert result.code == 3, result.err
    assert set(statuses(result.out).values()) == {"failed"}
    assert REASONS[name] in result.err and "fetch: 400 failed" in result.err
    assert library_path.read_bytes() == seeded


def test_a_server_that_goes_away_between_batches_keeps_the_first_batch(run, eutils, seeded, library_path,
                                                                       monkeypatch):
    """After its first answer the server closes the connection and stops listening: connection refused."""
    pmids = eutils.add_synthetic(400)
    answer = eutils._handle

    def answer_then_vanish(handler, form: bytes) -> None:
        answer(handler, form)
        handler.close_connection = True
        threading.Thread(target=lambda: (eutils._httpd.shutdown(), eutils._httpd.server_close())).start()

    monkeypatch.setattr(eutils, "_handle", answer_then_vanish)
    result = fetch(run, pmids)
    assert result.code == 1, result.err
    rows = statuses(result.out)
    assert [rows[p] for p in pmids] == ["fetched"] * 200 + ["failed"] * 200
    assert "ConnectionRefusedError" in result.err
    assert stored(library_path) == {*SEED_PMIDS, *pmids[:200]}


def test_connection_refused_from_the_start_exits_3_with_the_library_unchanged(run, eutils, seeded,
                                                                             library_path, monkeypatch):
    eutils.stop()
    monkeypatch.setenv("LMSCITE_EUTILS_URL", "http://127.0.0.1:9/entrez/eutils/")
    result = fetch(run, ["21860499", "26430984"])
    assert result.code == 3
    assert "ConnectionRefusedError" in result.err and "fetch: 2 failed" in result.err
    assert library_path.read_bytes() == seeded


def test_an_error_body_is_not_retried_and_fails_only_its_batch(run, eutils, seeded, library_path):
    pmids = eutils.add_synthetic(400)
    eutils.script(None, Fault.error("Supplied id parameter is empty."))
    result = fetch(run, pmids)
    assert result.code == 1, result.err
    rows = statuses(result.out)
    assert [rows[p] for p in pmids] == ["fetched"] * 200 + ["failed"] * 200
    assert "Supplied id parameter is empty." in result.err
    assert len(eutils.to("efetch")) == 2
    assert stored(library_path) == {*SEED_PMIDS, *pmids[:200]}


def test_an_error_body_from_the_start_is_ncbi_refusing_so_it_exits_1_not_3(run, eutils, seeded, library_path):
    eutils.script(Fault.error("Supplied id parameter is empty."))
    result = fetch(run, ["21860499"])
    assert result.code == 1, result.err
    assert statuses(result.out) == {"21860499": "failed"}
    assert "E-utilities refused the request: Supplied id parameter is empty." in result.err
    assert library_path.read_bytes() == seeded


def test_an_empty_set_answer_is_not_found_and_the_rest_is_stored(run, eutils, seeded, library_path):
    result = fetch(run, ["21860499", "99999998", "99999999"])
    assert result.code == 1, result.err
    assert statuses(result.out) == {"21860499": "fetched", "99999998": "not found", "99999999": "not found"}
    assert "fetch: 1 fetched, 2 not found" in result.err
    assert stored(library_path) == {*SEED_PMIDS, "21860499"}


def test_an_empty_set_for_every_id_exits_1_with_the_library_unchanged(run, eutils, seeded, library_path):
    result = fetch(run, ["99999998", "99999999"])
    assert result.code == 1, result.err
    assert set(statuses(result.out).values()) == {"not found"}
    assert library_path.read_bytes() == seeded


def test_an_esearch_answer_with_a_count_that_is_no_number_is_one_error_line(run, eutils, fast):
    eutils.script(Fault(body=b'<?xml version="1.0"?>\n<eSearchResult><Count>12x</Count><RetMax>1</RetMax>'
                             b"<RetStart>0</RetStart><IdList><Id>1</Id></IdList></eSearchResult>\n"))
    result = run("search", "liver")
    assert result.code == 3 and result.out == ""
    assert result.err == "lmscite: error: E-utilities esearch answered with unreadable XML: <Count> is '12x'\n"
