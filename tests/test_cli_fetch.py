"""`lmscite fetch` and `lmscite search` against a real HTTP server imitating E-utilities."""

from __future__ import annotations

import json
import math

import pytest
from eutils_server import Fault

SEED_PMIDS = ["10749609", "9834411", "11091236"]


def results(out: str) -> dict[str, dict]:
    return {row["id"]: row for row in map(json.loads, out.splitlines())}


def test_fetch_stores_records_and_prints_their_pmids_when_piped(run, eutils):
    result = run("fetch", *SEED_PMIDS)
    assert result.code == 0, result.err
    assert result.out.split() == SEED_PMIDS
    assert "fetch: 3 fetched" in result.err
    assert len(eutils.to("efetch")) == 1
    shown = run("show", "10749609").out
    assert "Ann Surg 2000 Apr;231(4):500-5" in shown


def test_n_new_pmids_cost_ceil_n_over_1000_requests_posted_when_long(run, eutils):
    pmids = eutils.add_synthetic(1050)
    result = run("fetch", "-", stdin="\n".join(pmids))
    assert result.code == 0, result.err
    requests = eutils.to("efetch")
    assert [len(r.ids) for r in requests] == [1000, 50]
    assert len(requests) == math.ceil(1050 / 1000)
    assert [r.method for r in requests] == ["POST", "GET"]
    assert len(run("list", "--format", "ids").out.split()) == 1050


def test_ids_are_normalised_deduplicated_and_stored_ones_skipped(run, eutils):
    run("fetch", "10749609")
    result = run("fetch", "--json", "PMID:10749609", "pmid 9834411",
                 "https://pubmed.ncbi.nlm.nih.gov/9834411/", "9834411")
    rows = results(result.out)
    assert rows["10749609"]["status"] == "skipped"
    assert rows["9834411"]["status"] == "fetched"
    assert len(rows) == 2
    assert eutils.to("efetch")[-1].ids == ["9834411"]


def test_refresh_fetches_again_and_reports_unchanged(run, eutils):
    run("fetch", "10749609")
    rows = results(run("fetch", "--refresh", "--json", "10749609").out)
    assert rows["10749609"]["status"] == "unchanged"
    assert len(eutils.to("efetch")) == 2


def test_unknown_and_invalid_ids_are_reported_per_id_without_stopping_the_others(run, eutils):
    result = run("fetch", "--json", "10749609", "99999999", "abc", "12.5")
    assert result.code == 1
    rows = results(result.out)
    assert rows["10749609"]["status"] == "fetched"
    assert rows["99999999"]["status"] == "not found"
    assert rows["abc"]["status"] == "invalid"
    assert rows["12.5"]["status"] == "invalid"
    assert "fetch: 1 fetched, 1 not found, 2 invalid" in result.err


def test_rate_limits_and_server_errors_are_retried_until_success(run, eutils, monkeypatch):
    monkeypatch.setattr("lmscite.pubmed.eutils.MAX_DELAY", 0.05)
    eutils.script(Fault.rate_limited(retry_after="0"), Fault.rate_limited(), Fault(status=500),
                  Fault.html_page(), Fault(drop=100), Fault(truncate=300))
    result = run("fetch", "--max-attempts", "8", *SEED_PMIDS)
    assert result.code == 0, result.err
    assert len(eutils.to("efetch")) == 7
    assert "retrying" in result.err


def test_a_batch_that_keeps_failing_exits_1_and_the_other_batches_are_kept(run, eutils, monkeypatch):
    monkeypatch.setattr("lmscite.pubmed.eutils.MAX_DELAY", 0.05)
    pmids = eutils.add_synthetic(1200)
    eutils.fail_for(pmids[1100], Fault(status=503))
    result = run("fetch", "--json", "--max-attempts", "2", "-", stdin="\n".join(pmids))
    assert result.code == 1
    rows = results(result.out)
    assert {rows[p]["status"] for p in pmids[:1000]} == {"fetched"}
    assert {rows[p]["status"] for p in pmids[1000:]} == {"failed"}
    assert rows[pmids[1100]]["message"].startswith(f"network: E-utilities efetch failed for PMIDs {pmids[1000]},")
    assert "fetch: 1000 fetched, 200 failed" in result.err
    assert len(run("list", "--format", "ids").out.split()) == 1000


def test_an_unreachable_server_exits_3(run, eutils, monkeypatch):
    monkeypatch.setenv("LMSCITE_EUTILS_URL", "http://127.0.0.1:9/entrez/eutils/")
    result = run("fetch", "--max-attempts", "1", "10749609")
    assert result.code == 3
    assert "failed" in result.err


def test_no_ids_at_all_is_a_usage_error(run, eutils):
    result = run("fetch", "-", stdin="\n\n")
    assert result.code == 2
    assert "no ids given" in result.err


def test_a_missing_email_is_warned_once(run, eutils, monkeypatch):
    monkeypatch.delenv("NCBI_EMAIL")
    result = run("fetch", "10749609")
    assert result.code == 0
    assert result.err.count("no contact e-mail for NCBI") == 1


def test_the_api_key_never_reaches_output_library_or_errors(run, eutils, monkeypatch, library_path):
    key = "SECRETKEY0123456789abcdef"
    monkeypatch.setenv("NCBI_API_KEY", key)
    eutils.script(Fault.html_page(status=500), Fault.rate_limited())
    fetched = run("fetch", "--max-attempts", "2", "--json", "10749609")
    failed = run("fetch", "--max-attempts", "1", "--json", "9834411")
    eutils.script(Fault.html_page(status=500))
    exported = run("list", "--format", "json")
    assert all(r.has_api_key for r in eutils.requests)
    for text in (fetched.out, fetched.err, failed.out, failed.err, exported.out, library_path.read_text()):
        assert key not in text


def test_search_prints_pmids_one_per_line_and_pipes_into_fetch(run, eutils):
    eutils.add_search("liver metastases leiomyosarcoma", SEED_PMIDS)
    found = run("search", "liver metastases leiomyosarcoma")
    assert found.code == 0
    assert found.out.split() == SEED_PMIDS
    fetched = run("fetch", "-", stdin=found.out)
    assert fetched.code == 0
    assert run("list", "--format", "ids").out.split() == sorted(SEED_PMIDS, key=int)


def test_search_count_prints_only_the_total(run, eutils):
    eutils.add_search("hepatic", SEED_PMIDS)
    assert run("search", "hepatic", "--count").out == "3\n"


def test_search_warns_about_phrases_not_found_on_stderr(run, eutils):
    eutils.add_search("hepatic zzzxq", SEED_PMIDS[:1], phrases_not_found=["zzzxq"])
    result = run("search", "hepatic zzzxq")
    assert result.out.split() == SEED_PMIDS[:1]
    assert "zzzxq" in result.err


def test_search_save_keeps_the_query_for_the_page(run, eutils):
    eutils.add_search("liver metastasectomy sarcoma", SEED_PMIDS)
    run("search", "liver metastasectomy sarcoma", "--save", "Liver Metastasectomy and Sarcoma")
    import os

    from lmscite.library.store import Library

    meta = Library(os.environ["LMSCITE_DB"]).snapshot().meta()
    assert meta["searches"] == {"Liver Metastasectomy and Sarcoma": "liver metastasectomy sarcoma"}


def test_search_fetch_stores_the_hits(run, eutils):
    eutils.add_search("resection", SEED_PMIDS)
    result = run("search", "resection", "--fetch")
    assert result.code == 0, result.err
    assert len(run("list", "--format", "ids").out.split()) == 3


def test_dois_and_pmc_ids_are_resolved_through_esearch_in_one_query(run, eutils):
    result = run("fetch", "--json", "doi:10.1136/gutjnl-2016-312510",
                 "https://doi.org/10.2105/AJPH.2021.306453", "PMC5442267")
    assert result.code == 0, result.err
    rows = results(result.out)
    assert rows["10.1136/gutjnl-2016-312510"]["pmid"] == "27797938"
    assert rows["10.2105/AJPH.2021.306453"]["pmid"] == "34529508"
    assert rows["PMC5442267"]["status"] == "skipped"
    assert len(eutils.to("esearch")) == 1
    assert " OR " in eutils.to("esearch")[0].params["term"]


def test_a_doi_that_resolves_to_nothing_is_not_found(run, eutils):
    rows = results(run("fetch", "--json", "10.9999/no.such.doi").out)
    assert rows["10.9999/no.such.doi"]["status"] == "not found"


def test_a_doi_that_resolves_to_several_records_is_reported_and_not_stored(run, eutils):
    from eutils_server import with_pmid

    eutils.records["900000777"] = with_pmid(eutils.records["27797938"], "900000777")
    result = run("fetch", "--json", "10.1136/gutjnl-2016-312510")
    assert result.code == 1
    row = results(result.out)["10.1136/gutjnl-2016-312510"]
    assert row["status"] == "failed"
    assert "ambiguous" in row["message"] and "900000777" in row["message"]
    assert run("list", "--format", "ids").out == ""


def test_an_interrupted_fetch_keeps_earlier_batches_says_what_was_saved_and_exits_130(eutils, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    pmids = eutils.add_synthetic(1250)
    eutils.script(None, Fault(stall=30))
    library = tmp_path / "lib.json"
    env = {**os.environ, "LMSCITE_EUTILS_URL": eutils.url, "LMSCITE_DB": str(library)}
    ids = tmp_path / "ids.txt"
    ids.write_text("\n".join(pmids))
    proc = subprocess.Popen([sys.executable, "-m", "lmscite", "fetch", "--json", "--from", str(ids)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    deadline = time.time() + 30
    while not library.exists() and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert err.strip().splitlines()[-1] == ("lmscite: error: interrupted: 1,000 of 1,250 ids fetched and saved; "
                                            "run the same command again to fetch the rest")
    assert "fetch: 1000 fetched" in err
    assert "Traceback" not in err
    assert results(out).keys() == set(pmids[:1000])
    from lmscite.library.store import Library

    assert set(Library(library).snapshot().pmids()) == set(pmids[:1000])


def test_an_interrupted_fetch_of_dois_and_pmids_reports_each_id_it_finished(run, eutils, library_path, interrupt):
    from lmscite.library.store import Library

    pmids = eutils.add_synthetic(1100)
    eutils.script(None, None, None, Fault(stall=20))
    interrupt(lambda: library_path.exists() and len(Library(library_path).snapshot()) == 1001)
    result = run("fetch", "--json", "10.1136/gutjnl-2016-312510", *pmids)
    assert result.code == 130
    rows = results(result.out)
    assert rows["10.1136/gutjnl-2016-312510"]["status"] == "fetched"
    assert {rows[p]["status"] for p in pmids[:1000]} == {"fetched"} and pmids[1000] not in rows
    assert result.err.endswith("lmscite: error: interrupted: 1,001 of 1,101 ids fetched and saved; "
                               "run the same command again to fetch the rest\n")
    assert len(run("list", "--format", "ids").out.split()) == 1001


def test_a_doi_and_a_pmc_id_of_one_paper_count_as_one_paper_with_an_outcome_each(run, eutils):
    result = run("fetch", "--json", "10.1136/gutjnl-2016-312510", "PMC5442267", "27797938")
    assert result.code == 0, result.err
    rows = results(result.out)
    assert [row["pmid"] for row in rows.values()] == ["27797938"] * 3
    assert [row["status"] for row in rows.values()] == ["fetched", "skipped", "skipped"]
    assert "fetch: 1 fetched\n" in result.err


def test_a_paper_named_twice_that_was_already_stored_counts_once_as_skipped(run, eutils):
    assert run("fetch", "27797938").code == 0
    result = run("fetch", "10.1136/gutjnl-2016-312510", "PMC5442267")
    assert "fetch: 1 skipped\n" in result.err


def test_missing_pmids_in_a_whole_answer_are_not_found_and_not_asked_again(run, eutils):
    pmids = [*eutils.add_synthetic(300), "99999997", "99999998"]
    result = run("fetch", "--json", "-", stdin="\n".join(pmids))
    assert result.code == 1
    rows = results(result.out)
    assert [rows[p]["status"] for p in pmids[-3:]] == ["fetched", "not found", "not found"]
    assert "fetch: 300 fetched, 2 not found" in result.err
    assert len(eutils.to("efetch")) == 1


@pytest.mark.parametrize("fault", [Fault(truncate=5000), Fault(drop=5000), Fault(body=b"<PubmedArticleSet>"
                                   b"<PubmedArticle><MedlineCitation></PubmedArticle></PubmedArticleSet>\n")],
                         ids=["cut XML", "closed mid-answer", "unparseable"])
def test_a_truncated_or_unparseable_answer_is_fetched_again_smaller_with_nothing_lost(run, eutils, monkeypatch,
                                                                                      fault):
    monkeypatch.setattr("lmscite.pubmed.eutils.MAX_DELAY", 0.05)
    pmids = eutils.add_synthetic(1000)
    eutils.script(fault)
    result = run("fetch", "--json", "-", stdin="\n".join(pmids))
    assert result.code == 0, result.err
    assert {row["status"] for row in results(result.out).values()} == {"fetched"}
    assert [len(r.ids) for r in eutils.to("efetch")] == [1000, 500, 500]
    assert "retrying" in result.err
    assert len(run("list", "--format", "ids").out.split()) == 1000


@pytest.mark.parametrize(("args", "message"), [
    (["--mindate", "yesterday", "--maxdate", "2020"],
     "mindate 'yesterday' is not a date PubMed takes (YYYY, YYYY/MM or YYYY/MM/DD)"),
    (["--mindate", "2000/13/45", "--maxdate", "2020"],
     "mindate '2000/13/45' is not a date PubMed takes (YYYY, YYYY/MM or YYYY/MM/DD)"),
    (["--mindate", "2001/02/29", "--maxdate", "2002"],
     "mindate '2001/02/29' is not a date PubMed takes (YYYY, YYYY/MM or YYYY/MM/DD)"),
    (["--mindate", "2000", "--maxdate", "2000-12-31"],
     "maxdate '2000-12-31' is not a date PubMed takes (YYYY, YYYY/MM or YYYY/MM/DD)"),
    (["--mindate", "2010", "--maxdate", "2009/12/31"], "maxdate 2009/12/31 is before mindate 2010"),
    (["--mindate", "2000"], "a date range needs both a start and an end date (NCBI ignores half a range)"),
    (["--sort", "bogus"], "unknown sort order 'bogus': PubMed sorts by relevance, pub_date, Author, JournalName"),
])
@pytest.mark.parametrize("mode", [[], ["--count"], ["--save", "Liver"]])
def test_search_refuses_bad_dates_and_sort_orders_before_sending_or_saving_anything(run, eutils, library_path,
                                                                                    args, message, mode):
    result = run("search", "liver", *mode, *args)
    assert (result.code, result.out) == (2, "")
    assert result.err == f"lmscite: error: {message}\n"
    assert eutils.requests == [] and not library_path.exists()


def test_search_dates_and_sort_go_to_pubmed_in_its_own_spelling(run, eutils):
    eutils.add_search("liver", SEED_PMIDS)
    assert run("search", "liver", "--sort", "journalname", "--mindate", "2000/02", "--maxdate", "2000/02").code == 0
    assert run("search", "liver", "--count", "--mindate", "1999", "--maxdate", "2001/12/31").code == 0
    first, counted = eutils.to("esearch")
    assert (first.params["sort"], first.params["mindate"], first.params["maxdate"]) == ("JournalName", "2000/02",
                                                                                         "2000/02")
    assert (counted.params["mindate"], counted.params["maxdate"], counted.params["datetype"]) == ("1999",
                                                                                                 "2001/12/31", "pdat")


def test_an_empty_search_query_is_refused(run, eutils):
    result = run("search", "  ")
    assert (result.code, result.err) == (2, "lmscite: error: the search query is empty\n")
    assert eutils.requests == []
