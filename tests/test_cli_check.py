"""`lmscite check` on the real fixtures and `lmscite refresh` against a fake E-utilities serving changed records."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from eutils_server import Fault, with_pmid

from lmscite.citation import citation_line
from lmscite.library.store import Library
from lmscite.pubmed.xml import parse_bytes

XML = Path(__file__).parent / "data" / "xml"
FIXTURES = ["neilfws_993", "cyanheads_31844417", "mp_35649368", "hawc_21813367", "mp_38833988",
            "mp_36156117", "mp_34529508", "bp_pubmed4"]
SEED_PMIDS = ["10749609", "9834411", "11091236"]
NOTICE = "41000001"
SENTENCE_2 = "In contrast, the role of liver resection for hepatic metastases from leiomyosarcoma has not been defined."


def fixture(name: str) -> Path:
    return next(XML.glob(f"{name}*.xml"))


def lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def served(article: bytes):
    """The Entry the fake server's `<PubmedArticle>` bytes make."""
    return parse_bytes(b"<PubmedArticleSet>" + article + b"</PubmedArticleSet>")[0]


def by_pmid(out: str) -> dict[str, dict]:
    return {row["pmid"]: row for row in lines(out)}


@pytest.fixture
def fixtures(run):
    result = run("import", *[fixture(name) for name in FIXTURES])
    assert result.code == 0, result.err


# --- check ---------------------------------------------------------------------------


def test_check_lists_retracted_and_corrected_entries_as_tsv_when_piped(run, fixtures):
    result = run("check")
    assert result.code == 0, result.err
    rows = [line.split("\t") for line in result.out.splitlines()]
    assert rows[0] == ["pmid", "kind", "detail"]
    assert [(pmid, kind) for pmid, kind, _ in rows[1:]] == [
        ("993", "retracted"), ("31844417", "retracted"), ("21813367", "erratum"), ("35649368", "erratum")]
    assert rows[1][2] == "Retraction in: Rowe CE. Biochem J. 1977 Apr 15;164(1):287-8 (PMID: 195582)"
    assert "check: 2 retracted, 2 erratum (4 entries)" in result.err


def test_check_json_prints_one_object_per_finding(run, fixtures):
    rows = lines(run("check", "--json", "31844417", "35649368").out)
    assert [(r["pmid"], r["kind"], r["notice_pmid"]) for r in rows] == [
        ("31844417", "retracted", "40251503"), ("35649368", "erratum", "35767954")]
    assert rows[1]["text"].startswith("Erratum in: Cell Rep. 2022 Jun 28;39(13):111044")


def test_comments_show_only_with_all(run, fixtures):
    assert "27797938" not in run("check").out
    shown = [r for r in lines(run("check", "--all", "--json").out) if r["kind"] == "comment"]
    assert [(r["pmid"], r["text"]) for r in shown] == [
        ("27797938", "Comment in: Gut. 2017 Jun;66(6):1 (PMID: 27920200)")]


def test_uncurated_entries_show_only_with_uncurated(run, fixtures):
    assert run("annotate", "993", "--note", "Kept for the record.").code == 0
    rows = lines(run("check", "--uncurated", "--json").out)
    uncurated = {r["pmid"] for r in rows if r["kind"] == "uncurated"}
    assert uncurated == {"31844417", "35649368", "21813367", "38833988", "36156117", "34529508", "27797938"}


@pytest.mark.parametrize("kinds, code", [
    ("retracted", 1), ("erratum,concern", 1), ("concern,update", 0), ("comment", 1), ("uncurated", 1),
])
def test_fail_on_exits_1_only_when_a_named_kind_is_found(run, fixtures, kinds, code):
    result = run("check", "--fail-on", kinds)
    assert result.code == code, result.err
    assert ("failing on" in result.err) == (code == 1)


def test_fail_on_a_kind_lists_it_even_without_its_option(run, fixtures):
    result = run("check", "--fail-on", "comment", "27797938")
    assert result.code == 1
    assert "27797938\tcomment\tComment in: Gut." in result.out


def test_an_unknown_fail_on_kind_is_a_usage_error(run, fixtures):
    result = run("check", "--fail-on", "retraction")
    assert result.code == 2
    assert "unknown kind 'retraction'" in result.err


def test_check_of_a_pmid_not_in_the_library_exits_1(run, fixtures):
    result = run("check", "10749609")
    assert result.code == 1
    assert "PMID 10749609 is not in the library" in result.err


def test_check_of_a_clean_library_reports_nothing_and_exits_0(run, eutils):
    assert run("fetch", *SEED_PMIDS).code == 0
    result = run("check", "--fail-on", "retracted,erratum,concern,update,excerpt")
    assert (result.code, result.out) == (0, "pmid\tkind\tdetail\n")
    assert "check: nothing to report" in result.err


# --- refresh against a changed record --------------------------------------------------


def changed(article: bytes) -> bytes:
    """The seed record as PubMed might serve it later: retracted, retitled, abstract revised, published."""
    edits = [
        (b"<ArticleTitle>Hepatic metastases from leiomyosarcoma: A single-center",
         b"<ArticleTitle>Hepatic metastases from leiomyosarcoma: A revised single-center"),
        (b"has not been defined.", b"remains controversial."),
        (b"<EndPage>505</EndPage><MedlinePgn>500-5</MedlinePgn>",
         b"<EndPage>508</EndPage><MedlinePgn>500-8</MedlinePgn>"),
        (b"<PublicationStatus>aheadofprint</PublicationStatus>", b"<PublicationStatus>ppublish</PublicationStatus>"),
        (b"</MedlineCitation>",
         b'<CommentsCorrectionsList><CommentsCorrections RefType="RetractionIn"><RefSource>Ann Surg. 2026 '
         b'Jan;283(1):1.</RefSource><PMID Version="1">' + NOTICE.encode() + b"</PMID></CommentsCorrections>"
         b"</CommentsCorrectionsList>\n</MedlineCitation>"),
    ]
    for old, new in edits:
        assert old in article
        article = article.replace(old, new)
    return article


def curations(library_path: Path) -> dict[str, bytes]:
    """Each entry's stored curation, as bytes, exactly as the library file holds it."""
    entries = json.loads(library_path.read_bytes())["entries"]
    return {pmid: json.dumps(data.get("curation"), sort_keys=True).encode() for pmid, data in entries.items()}


@pytest.fixture
def curated(run, eutils, library_path) -> dict[str, bytes]:
    """The seed records fetched (10749609 still ahead of print) and curated; then PubMed changes 10749609."""
    eutils.records["10749609"] = eutils.records["10749609"].replace(
        b"<PublicationStatus>ppublish</PublicationStatus>", b"<PublicationStatus>aheadofprint</PublicationStatus>")
    assert run("fetch", *SEED_PMIDS).code == 0
    assert run("annotate", "10749609", "--excerpt", "...1-2...", "--gloss", "colorectal carcinoma [CRC]",
               "--note", "Expertise makes a difference.", "--tag", "leiomyosarcoma", "--section", "Resection",
               "--order", "1").code == 0
    assert run("annotate", "9834411", "--excerpt", "1", "--note", "Complete resection.").code == 0
    before = curations(library_path)
    eutils.records["10749609"] = changed(eutils.records["10749609"])
    eutils.records[NOTICE] = with_pmid(eutils.records["38833988"], NOTICE)
    eutils.requests.clear()
    return before


def test_refresh_keeps_every_bit_of_curation_byte_for_byte(run, curated, library_path):
    assert run("refresh").code == 0
    after = curations(library_path)
    assert after["9834411"] == curated["9834411"]
    assert after["11091236"] == curated["11091236"]
    flagged, kept = json.loads(after["10749609"]), json.loads(curated["10749609"])
    assert len(flagged.pop("flags")) == 1
    assert flagged == kept


def test_refresh_reports_each_kind_of_change_per_entry(run, curated):
    result = run("refresh", "--json")
    assert result.code == 0, result.err
    rows = by_pmid(result.out)
    assert rows["9834411"]["status"] == rows["11091236"]["status"] == "unchanged"
    assert rows["10749609"]["status"] == "updated"
    changes = {c["field"]: c for c in rows["10749609"]["changes"]}
    assert set(changes) == {"RetractionIn", "title", "abstract", "pages", "status", "excerpt"}
    assert changes["RetractionIn"] == {"field": "RetractionIn", "before": None,
                                       "after": f"Ann Surg. 2026 Jan;283(1):1. (PMID: {NOTICE})"}
    assert changes["title"]["after"].startswith("Hepatic metastases from leiomyosarcoma: A revised single-center")
    assert changes["abstract"]["before"] == SENTENCE_2
    assert changes["abstract"]["after"].endswith("leiomyosarcoma remains controversial.")
    assert (changes["pages"]["before"], changes["pages"]["after"]) == ("500-5", "500-8")
    assert (changes["status"]["before"], changes["status"]["after"]) == ("aheadofprint", "ppublish")


def test_refresh_prints_changes_as_a_table_and_a_summary_on_stderr(run, curated):
    result = run("refresh")
    rows = [line.split("\t") for line in result.out.splitlines()]
    assert rows[0] == ["pmid", "change", "before", "after"]
    assert ["10749609", "pages", "500-5", "500-8"] in rows
    assert {row[0] for row in rows[1:]} == {"10749609"}
    assert "refresh: 1 updated, 2 unchanged; 1 excerpt flagged; 1 linked notice fetched" in result.err


def test_a_broken_excerpt_is_flagged_and_its_text_kept(run, curated, library_path):
    result = run("refresh")
    assert "10749609: the abstract changed and the excerpt no longer matches it" in result.err
    stored = Library(library_path).snapshot().get("10749609")
    assert [p for p in stored.curation.excerpt if p.kind == "quote"][-1].text.endswith(SENTENCE_2)
    [flag] = stored.curation.flags
    assert flag.startswith("excerpt no longer matches the abstract (refresh 20")
    found = run("check", "--json", "--fail-on", "excerpt", "10749609")
    assert found.code == 1
    excerpt = [r["text"] for r in lines(found.out) if r["kind"] == "excerpt"]
    assert excerpt[1:] == [flag]
    assert excerpt[0].startswith("the quote '. In contrast, the role of liver resection for hepatic metastases")
    assert "is no longer in the abstract; the closest passage now is 'In contrast, the role" in excerpt[0]


def test_refreshing_again_adds_no_second_flag_and_reports_no_change(run, curated, library_path):
    run("refresh")
    rows = by_pmid(run("refresh", "--json").out)
    assert {row["status"] for row in rows.values()} == {"unchanged"}
    assert len(Library(library_path).snapshot().get("10749609").curation.flags) == 1


def test_refresh_fetches_linked_notices_and_check_cites_them(run, curated, eutils):
    run("refresh")
    assert eutils.to("efetch")[-1].ids == [NOTICE]
    notice = served(eutils.records[NOTICE])
    [row] = [r for r in lines(run("check", "--json", "10749609").out) if r["kind"] == "retracted"]
    assert row["text"] == f"Retraction in: {citation_line(notice)} (PMID: {NOTICE})"
    assert NOTICE not in run("list", "--format", "ids").out.split()


def test_refresh_of_n_entries_costs_ceil_n_over_1000_requests(run, eutils):
    pmids = eutils.add_synthetic(1050)
    assert run("fetch", "-", stdin="\n".join(pmids)).code == 0
    eutils.requests.clear()
    result = run("refresh")
    assert result.code == 0, result.err
    assert len(eutils.to("efetch")) == math.ceil(1050 / 1000)
    assert "refresh: 1050 unchanged" in result.err


def test_an_interrupted_refresh_keeps_the_batches_refreshed_says_so_and_exits_130(run, eutils, library_path,
                                                                                 interrupt):
    pmids = eutils.add_synthetic(1100)
    assert run("fetch", "-", stdin="\n".join(pmids)).code == 0
    for revised in (pmids[0], pmids[1050]):
        eutils.records[revised] = eutils.records[revised].replace(b"</ArticleTitle>", b" (revised)</ArticleTitle>")
    eutils.script(None, Fault(stall=20))
    fetched = library_path.stat().st_mtime_ns
    interrupt(lambda: library_path.stat().st_mtime_ns != fetched)
    result = run("refresh", "--json")
    assert result.code == 130
    rows = {row["pmid"]: row for row in map(json.loads, result.out.splitlines())}
    assert rows.keys() == set(pmids[:1000])
    assert rows[pmids[0]]["status"] == "updated"
    assert result.err.endswith("lmscite: error: interrupted: 1,000 of 1,100 entries refreshed and saved; "
                               "run the same command with --since 1 to refresh the rest\n")
    assert "refresh: 1 updated, 999 unchanged" in result.err
    after = Library(library_path).snapshot()
    assert after.get(pmids[0]).title.endswith("(revised)")
    assert not after.get(pmids[1050]).title.endswith("(revised)")


def test_since_skips_entries_fetched_lately(run, eutils, library_path):
    assert run("fetch", *SEED_PMIDS).code == 0
    library = Library(library_path)
    with library.transaction() as view:
        stale = view.get("9834411")
        stale.provenance.retrieved = "2020-01-01T00:00:00Z"
        view.replace([stale])
    eutils.requests.clear()
    rows = by_pmid(run("refresh", "--since", "30", "--json").out)
    assert [r.ids for r in eutils.to("efetch")] == [["9834411"]]
    assert rows["9834411"]["status"] == "unchanged"
    assert rows["10749609"]["status"] == rows["11091236"]["status"] == "skipped"
    assert library.snapshot().get("9834411").provenance.retrieved > "2020-01-01T00:00:00Z"


def test_refresh_of_given_pmids_only_asks_for_those(run, eutils):
    assert run("fetch", *SEED_PMIDS).code == 0
    eutils.requests.clear()
    assert run("refresh", "-", stdin="11091236\n").code == 0
    assert [r.ids for r in eutils.to("efetch")] == [["11091236"]]


def test_a_record_pubmed_no_longer_has_is_kept_and_exits_1(run, eutils, library_path):
    assert run("fetch", *SEED_PMIDS).code == 0
    del eutils.records["9834411"]
    result = run("refresh", "--json")
    assert result.code == 1
    assert by_pmid(result.out)["9834411"]["status"] == "not found"
    assert "9834411: not found (PubMed no longer has this record" in result.err
    assert "9834411" in Library(library_path).snapshot()


def test_refresh_when_pubmed_cannot_be_reached_exits_3(run, eutils, monkeypatch):
    assert run("fetch", *SEED_PMIDS).code == 0
    monkeypatch.setenv("LMSCITE_EUTILS_URL", "http://127.0.0.1:9/entrez/eutils/")
    result = run("refresh", "--max-attempts", "1")
    assert result.code == 3
    assert "refresh: 3 failed" in result.err


def test_refresh_of_a_pmid_not_in_the_library_exits_1_and_fetches_nothing(run, eutils):
    result = run("refresh", "10749609")
    assert result.code == 1
    assert "PMID 10749609 is not in the library" in result.err
    assert eutils.to("efetch") == []


# --- fetch --with-notices ------------------------------------------------------------------


def test_fetch_with_notices_stores_the_linked_notice_for_citing(run, eutils):
    eutils.records["35767954"] = with_pmid(eutils.records["38833988"], "35767954")
    result = run("fetch", "--with-notices", "35649368")
    assert result.code == 0, result.err
    assert result.out.split() == ["35649368"]
    assert "linked notices: 1 fetched" in result.err
    notice = served(eutils.records["35767954"])
    [row] = lines(run("check", "--json").out)
    assert row["text"] == f"Erratum in: {citation_line(notice)} (PMID: 35767954)"
    assert run("list", "--format", "ids").out.split() == ["35649368"]


def test_a_linked_notice_pubmed_lacks_is_a_warning_not_a_failure(run, eutils):
    result = run("fetch", "--with-notices", "993")
    assert result.code == 0, result.err
    assert "linked notice 195582: not found" in result.err
    assert "linked notices: 0 fetched, 1 not fetched" in result.err


def test_refresh_of_an_empty_pmid_list_is_a_usage_error_not_the_whole_library(run, eutils):
    assert run("fetch", *SEED_PMIDS).code == 0
    eutils.requests.clear()
    result = run("refresh", "-", stdin="\n")
    assert result.code == 2
    assert "no ids given" in result.err
    assert eutils.to("efetch") == []
