"""Which version of a record the library keeps (`revisions.judge`), and `import` applying it.

The versions are a real retracted record (PMID 31844417, revised 2025-04-18
when PubMed linked its retraction) and that record as it stood before: the
same XML with the retraction link and type taken out and an earlier
DateRevised, as an export made in 2020 would hold it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lmscite.model import Entry
from lmscite.pubmed.xml import parse_bytes
from lmscite.sync.revisions import judge

DATA = Path(__file__).parent / "data"
RETRACTED = DATA / "xml" / "cyanheads_31844417_retracted_retractionin_2025dtd.xml"
PMID = "31844417"
LINK = (b'<CommentsCorrectionsList><CommentsCorrections RefType="RetractionIn"><RefSource>Cell Mol Biol Lett. '
        b'2025 Apr 18;30(1):51. doi: 10.1186/s11658-025-00729-3.</RefSource><PMID Version="1">40251503</PMID>'
        b'</CommentsCorrections></CommentsCorrectionsList>')
TYPE = b'<PublicationType UI="D016441">Retracted Publication</PublicationType>'
REVISED = b"<DateRevised><Year>2025</Year><Month>04</Month><Day>18</Day></DateRevised>"


def before_retraction(revised: bytes = b"<Year>2020</Year><Month>05</Month><Day>15</Day>") -> bytes:
    """The record as PubMed served it before the retraction was linked."""
    body = RETRACTED.read_bytes()
    for part in (LINK, TYPE, REVISED):
        assert part in body
    body = body.replace(LINK, b"").replace(TYPE, b"")
    return body.replace(REVISED, b"<DateRevised>" + revised + b"</DateRevised>")


def entry(body: bytes) -> Entry:
    (found,) = parse_bytes(body, source_kind="file")
    return found


@pytest.fixture
def current() -> Entry:
    return entry(RETRACTED.read_bytes())


def test_an_older_revision_is_kept_out_with_both_dates(current):
    verdict = judge(current, entry(before_retraction()))
    assert (verdict.take, verdict.outcome) == (None, "kept")
    assert verdict.reason == "the stored revision (2025-04-18) is newer than the file's (2020-05-15)"


def test_a_newer_revision_replaces_the_stored_one(current):
    verdict = judge(entry(before_retraction()), current)
    assert verdict.outcome == "taken" and verdict.take == current
    assert verdict.reason == "revised 2020-05-15 -> 2025-04-18"


def test_a_newer_revision_that_lacks_the_retraction_still_carries_it_and_says_so(current):
    newer = entry(before_retraction(b"<Year>2025</Year><Month>06</Month><Day>01</Day>"))
    verdict = judge(current, newer)
    assert verdict.take is not None
    assert [(c.kind, c.pmid) for c in verdict.take.corrections] == [("RetractionIn", "40251503")]
    assert "Retracted Publication" in verdict.take.publication_types
    assert verdict.note == ('kept the stored RetractionIn (PMID 40251503) and publication type '
                            '"Retracted Publication" that the file lacks')
    assert newer.corrections == []


def test_force_takes_the_older_revision_and_names_what_it_drops(current):
    verdict = judge(current, entry(before_retraction()), force=True)
    assert verdict.outcome == "taken" and verdict.take.corrections == []
    assert verdict.note == ('dropped the stored RetractionIn (PMID 40251503) and publication type '
                            '"Retracted Publication"')


@pytest.mark.parametrize("force", [False, True])
def test_a_record_with_no_title_and_no_abstract_is_refused_even_with_force(current, force):
    verdict = judge(current, Entry(pmid=PMID), force=force)
    assert (verdict.take, verdict.outcome, verdict.reason) == (
        None, "refused", "the record has no title and no abstract")
    assert judge(None, Entry(pmid=PMID)).outcome == "refused"


def test_a_title_of_markup_alone_identifies_nothing():
    assert judge(None, Entry(pmid=PMID, title="<i> </i>")).outcome == "refused"


def test_a_vernacular_title_alone_is_enough_to_identify_a_record():
    assert judge(None, Entry(pmid=PMID, vernacular_title="Über Leberresektion")).outcome == "taken"


def test_at_the_same_revision_a_thinner_copy_is_kept_out(current):
    thinner = entry(RETRACTED.read_bytes().replace(b"<MeshHeadingList>", b"<Ignored>")
                    .replace(b"</MeshHeadingList>", b"</Ignored>"))
    verdict = judge(current, thinner)
    assert verdict.outcome == "kept"
    assert verdict.reason == "the same revision (2025-04-18), and the file's version lacks mesh"


def test_at_the_same_revision_a_copy_as_full_with_other_content_replaces_it(current):
    edited = entry(RETRACTED.read_bytes().replace(b"in acute myeloid leukemia by", b"in AML by"))
    verdict = judge(current, edited)
    assert verdict.outcome == "taken" and verdict.take == edited and verdict.reason == ""


def test_without_a_date_on_either_side_content_decides(current):
    undated = entry(RETRACTED.read_bytes().replace(REVISED, b""))
    assert undated.provenance.revised is None
    assert judge(current, undated).outcome == "taken"
    lacking = entry(before_retraction(b""))
    verdict = judge(current, lacking)
    assert verdict.outcome == "kept"
    assert verdict.reason == "no revision date to compare, and the file's version lacks corrections"


def test_a_new_pmid_is_taken_as_it_is(current):
    verdict = judge(None, current)
    assert (verdict.take, verdict.outcome, verdict.note) == (current, "taken", "")


# --- import applying it --------------------------------------------------------------------


@pytest.fixture
def stored(run, tmp_path) -> Path:
    """The library holds the current record, curated; returns where an older export is."""
    current = tmp_path / "current.xml"
    current.write_bytes(RETRACTED.read_bytes())
    assert run("import", current).code == 0
    assert run("annotate", PMID, "--note", "Cited in section 2.").code == 0
    old = tmp_path / "export-2020.xml"
    old.write_bytes(before_retraction())
    return old


def test_import_of_an_older_revision_keeps_the_stored_one_and_check_still_fails(run, stored, library_path):
    before = library_path.read_bytes()
    result = run("import", stored)
    assert result.code == 0
    assert (f"PMID {PMID}: kept: the stored revision (2025-04-18) is newer than the file's (2020-05-15)"
            in result.err.splitlines())
    assert "imported 1 entry: 0 added, 0 updated, 0 unchanged, 1 kept" in result.err
    assert library_path.read_bytes() == before
    assert run("check", "--fail-on", "retracted").code == 1


def test_import_force_takes_the_older_revision_and_says_what_it_dropped(run, stored):
    result = run("import", "--force", stored)
    assert result.code == 0
    assert (f'PMID {PMID}: updated: taken with --force; dropped the stored RetractionIn (PMID 40251503) '
            'and publication type "Retracted Publication"') in result.err.splitlines()
    shown = run("show", PMID).out
    assert "Cited in section 2." in shown


def test_a_record_holding_only_a_pmid_is_refused_and_the_curated_entry_is_untouched(run, stored, library_path):
    before = library_path.read_bytes()
    result = run("import", "-", stdin=f"PMID- {PMID}\n")
    assert result.code == 1
    assert f"PMID {PMID}: refused: the record has no title and no abstract" in result.err.splitlines()
    assert "1 refused" in result.err
    assert library_path.read_bytes() == before


def test_dry_run_lists_each_pmid_with_its_outcome_and_changes_nothing(run, stored, tmp_path, library_path):
    other = DATA / "xml" / "bp_pubmed2_two_articles.xml"
    before = library_path.read_bytes()
    result = run("import", "--dry-run", stored, other)
    assert result.code == 0
    assert result.out.splitlines() == [
        f"{PMID}\tkept\tthe stored revision (2025-04-18) is newer than the file's (2020-05-15)",
        "11748933\tadded",
        "11700088\tadded",
    ]
    assert "would import 3 entries: 2 added, 0 updated, 0 unchanged, 1 kept" in result.err
    assert library_path.read_bytes() == before


def test_dry_run_of_a_newer_revision_says_updated_with_the_two_dates(run, tmp_path):
    old = tmp_path / "old.xml"
    old.write_bytes(before_retraction())
    run("import", old)
    result = run("import", "--dry-run", RETRACTED)
    assert result.out == f"{PMID}\tupdated\trevised 2020-05-15 -> 2025-04-18\n"


def test_the_newer_of_two_revisions_in_one_import_wins_whatever_their_order(run, tmp_path):
    old = tmp_path / "old.xml"
    old.write_bytes(before_retraction())
    result = run("import", RETRACTED, old)
    assert "1 added" in result.err
    assert run("check", "--fail-on", "retracted").code == 1


def test_medline_export_of_an_older_revision_is_kept_out_by_its_lr_date(run, stored, tmp_path):
    medline = tmp_path / "old.nbib"
    medline.write_text(f"PMID- {PMID}\nSTAT- MEDLINE\nLR  - 20200515\n"
                       "TI  - MicroRNA-582-3p negatively regulates cell proliferation.\n", encoding="utf-8")
    result = run("import", medline)
    assert f"PMID {PMID}: kept: the stored revision (2025-04-18) is newer than the file's (2020-05-15)" \
        in result.err.splitlines()


def test_stdin_import_reads_the_same_as_the_file(run, stored):
    result = run("import", "--dry-run", "-", stdin=before_retraction())
    assert result.out.startswith(f"{PMID}\tkept\t")


# --- refresh takes PubMed's current record, and says what it dropped -----------------------------


def test_refresh_takes_pubmeds_current_record_even_without_the_link_and_reports_it_gone(run, eutils, stored):
    eutils.records[PMID] = eutils.records[PMID].replace(LINK, b"").replace(TYPE, b"")
    result = run("refresh", PMID, "--json")
    assert result.code == 0, result.err
    (report,) = [json.loads(line) for line in result.out.splitlines()]
    assert report["status"] == "updated"
    assert [(c["field"], c["before"], c["after"]) for c in report["changes"]] == [
        ("RetractionIn", "Cell Mol Biol Lett. 2025 Apr 18;30(1):51. doi: 10.1186/s11658-025-00729-3. "
                         "(PMID: 40251503)", None),
        ("publication_type", "Retracted Publication", None),
    ]
    assert run("check", "--fail-on", "retracted").code == 0
