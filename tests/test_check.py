"""Classifying entries (retracted, erratum, ...) and the refresh diff, on the real PubMed fixtures."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest
from records import excerpt, lost_quote

from lmscite.citation import citation_line
from lmscite.curation.check import check_library, linked_notices
from lmscite.curation.flags import findings, parse_kinds, warnings_for
from lmscite.errors import InputError, NotInLibraryError
from lmscite.library.store import Library
from lmscite.model import Author, Correction, Entry, MeshHeading
from lmscite.pubmed.xml import parse_bytes
from lmscite.sync.refresh import Change, diff, due

XML = Path(__file__).parent / "data" / "xml"
SEED = Path(__file__).parent / "data" / "seed" / "liver-metastases.pubmed.xml"


def record(name: str, pmid: str | None = None) -> Entry:
    path = SEED if name == "seed" else next(XML.glob(f"{name}*.xml"))
    entries = parse_bytes(path.read_bytes(), origin=str(path), source_kind="file")
    return next(e for e in entries if pmid is None or e.pmid == pmid)


def kinds(entry: Entry, **kwargs) -> list[str]:
    return [f.kind for f in findings(entry, **kwargs)]


# --- classification ---------------------------------------------------------------


def test_a_retracted_record_in_the_2011_format_is_retracted_citing_its_notice():
    found = findings(record("neilfws_993"))
    assert [f.kind for f in found] == ["retracted"]
    assert found[0].text == "Retraction in: Rowe CE. Biochem J. 1977 Apr 15;164(1):287-8 (PMID: 195582)"


def test_a_retracted_record_in_the_2025_format_is_retracted_citing_its_notice():
    found = findings(record("cyanheads_31844417"))
    assert [f.kind for f in found] == ["retracted"]
    assert found[0].pmid == "40251503"
    assert found[0].citation.startswith("Cell Mol Biol Lett. 2025 Apr 18;30(1):51. doi: 10.1186/")


def test_the_retracted_publication_type_alone_marks_a_record_retracted():
    entry = record("cyanheads_31844417")
    entry.corrections = []
    assert kinds(entry) == ["retracted"]


def test_a_partial_retraction_link_marks_a_record_retracted():
    entry = record("seed", "10749609")
    entry.corrections = [Correction("PartialRetractionIn", "41000001", "Ann Surg. 2026 Jan;283(1):1.")]
    assert [f.text for f in findings(entry)] == ["Partial retraction in: Ann Surg. 2026 Jan;283(1):1 (PMID: 41000001)"]


def test_an_erratum_link_with_a_pmid_is_an_erratum():
    found = findings(record("mp_35649368"))
    assert [(f.kind, f.pmid) for f in found] == [("erratum", "35767954")]


def test_an_erratum_link_without_a_pmid_is_cited_from_its_text():
    found = findings(record("hawc_21813367"))
    assert [f.text for f in found] == ["Erratum in: Environ Health Perspect.2013 Apr;121(4):A113"]


@pytest.mark.parametrize("name", ["mp_38833988", "mp_36156117", "mp_34529508"])
def test_the_notice_side_of_a_link_erratumfor_updateof_commenton_is_not_a_finding(name):
    assert findings(record(name)) == []


def test_an_update_and_an_expression_of_concern_are_found():
    entry = record("seed", "10749609")
    entry.corrections = [Correction("UpdateIn", "41000002"), Correction("ExpressionOfConcernIn", "41000003")]
    assert [(f.kind, f.text) for f in findings(entry)] == [
        ("concern", "Expression of concern in (PMID: 41000003)"), ("update", "Update in (PMID: 41000002)")]


def test_comments_are_found_only_when_asked_for():
    entry = record("bp_pubmed4")
    assert kinds(entry, kinds=("retracted", "erratum", "excerpt")) == []
    assert [f.text for f in findings(entry, kinds=("comment",))] == [
        "Comment in: Gut. 2017 Jun;66(6):1 (PMID: 27920200)"]


def test_an_excerpt_that_no_longer_matches_the_abstract_is_an_excerpt_finding():
    entry = record("seed", "10749609")
    entry.curation.excerpt = [lost_quote("Liver resection was the treatment of choice.")]
    entry.curation.notes = ["A note."]
    found = findings(entry)
    assert [f.kind for f in found] == ["excerpt"]
    assert "no longer in the abstract" in found[0].text
    assert "closest passage now is 'Liver resection is the treatment of choice" in found[0].text


def test_literal_text_in_an_excerpt_is_an_excerpt_finding():
    entry = record("seed", "10749609")
    entry.curation.excerpt = excerpt(entry, "Liver resection is the treatment of choice {for most}")
    assert [f.text for f in findings(entry)] == ["'for most' is not in the abstract (kept as written)"]


def test_a_flag_left_by_a_refresh_is_an_excerpt_finding():
    entry = record("seed", "10749609")
    entry.curation.flags = ["excerpt no longer matches the abstract (refresh 2026-11-26)"]
    assert [f.text for f in findings(entry)] == ["excerpt no longer matches the abstract (refresh 2026-11-26)"]


def test_a_matching_excerpt_is_no_finding():
    entry = record("seed", "10749609")
    entry.curation.excerpt = excerpt(entry, "Liver resection is the treatment of choice for hepatic metastases "
                                            "from colorectal carcinoma. ... the role of liver resection [x Ed.]")
    assert findings(entry) == []


def test_an_entry_without_excerpt_and_note_is_uncurated_only_when_asked_for():
    entry = record("seed", "10749609")
    assert kinds(entry) == []
    assert kinds(entry, kinds=("uncurated",)) == ["uncurated"]
    entry.curation.notes = ["Expertise makes a difference."]
    assert kinds(entry, kinds=("uncurated",)) == []


def test_warnings_for_an_export_cite_the_stored_notice_by_its_citation_line():
    entry = record("cyanheads_31844417")
    notice = record("mp_38833988")
    notice.pmid = "40251503"
    found = warnings_for(entry, {"40251503": notice})
    assert [f.text for f in found] == [f"Retraction in: {citation_line(notice)} (PMID: 40251503)"]


def test_warnings_for_an_export_leave_out_comments_excerpts_and_curation():
    entry = record("bp_pubmed4")
    entry.curation.flags = ["excerpt no longer matches the abstract (refresh 2026-11-26)"]
    assert warnings_for(entry) == []


def test_unknown_kinds_are_a_usage_error():
    assert parse_kinds("retracted, erratum") == ["retracted", "erratum"]
    with pytest.raises(InputError, match="unknown kind 'retraction'"):
        parse_kinds("retraction")


# --- the library: notices kept apart, checks over stored entries ------------------


def test_notices_are_stored_apart_from_the_entries_and_cited_from_there(library_path):
    entry = record("cyanheads_31844417")
    notice = record("mp_38833988")
    notice.pmid = "40251503"
    library = Library(library_path)
    with library.transaction() as view:
        view.merge([entry])
        view.put_notices([notice])
    view = library.snapshot()
    assert view.pmids() == ["31844417"]
    assert view.notice_pmids() == ["40251503"]
    assert linked_notices(view, [entry]) == {"40251503": view.notice("40251503")}
    [row] = check_library(view)
    assert row.as_json() == {"pmid": "31844417", "kind": "retracted", "notice_pmid": "40251503",
                             "text": f"Retraction in: {citation_line(notice)} (PMID: 40251503)"}


def test_storing_a_notice_again_replaces_it(library_path):
    notice = record("mp_38833988")
    library = Library(library_path)
    with library.transaction() as view:
        view.put_notices([notice])
    notice.title = "Retraction note"
    with library.transaction() as view:
        view.put_notices([notice])
    assert library.snapshot().notice("38833988").title == "Retraction note"


def test_checking_a_pmid_not_in_the_library_is_an_error(library_path):
    with pytest.raises(NotInLibraryError, match="PMID 123 is not in the library"):
        check_library(Library(library_path).snapshot(), ["123"])


def test_since_keeps_entries_fetched_more_recently_than_the_cutoff(library_path):
    from datetime import datetime, timezone

    old, fresh, never = record("seed", "10749609"), record("seed", "9834411"), record("seed", "11091236")
    old.provenance.retrieved = "2026-01-01T00:00:00Z"
    fresh.provenance.retrieved = "2026-03-01T00:00:00Z"
    library = Library(library_path)
    with library.transaction() as view:
        view.merge([old, fresh, never])
    moment = datetime(2026, 3, 10, tzinfo=timezone.utc)
    assert due(library.snapshot(), ["10749609", "9834411", "11091236"], 30, moment) == (
        ["10749609", "11091236"], ["9834411"])


# --- the refresh diff ----------------------------------------------------------------


def _title(e: Entry) -> None:
    e.title = "Hepatic metastases from leiomyosarcoma: a revised title."


def _authors(e: Entry) -> None:
    e.authors.append(Author(last_name="Doe", fore_name="Jane", initials="J"))


def _abstract(e: Entry) -> None:
    e.abstract.sections[0].text = e.abstract.sections[0].text.replace(
        "has not been defined.", "is now well defined.")


def _pages(e: Entry) -> None:
    e.pagination, e.end_page = "500-8", "508"


def _status(e: Entry) -> None:
    e.provenance.publication_status = "epublish"


def _date(e: Entry) -> None:
    e.pub_date.month = "May"


def _type(e: Entry) -> None:
    e.publication_types.append("Retracted Publication")


def _retraction(e: Entry) -> None:
    e.corrections.append(Correction("RetractionIn", "41000001", "Ann Surg. 2026 Jan;283(1):1."))


def _volume(e: Entry) -> None:
    e.volume = "232"


def _mesh(e: Entry) -> None:
    e.mesh.append(MeshHeading("Liver Neoplasms"))


CHANGES: list[tuple[Callable[[Entry], None], Change]] = [
    (_title, Change("title", "Hepatic metastases from leiomyosarcoma: A single-center experience with 34 liver "
                    "resections during a 15-year period.",
                    "Hepatic metastases from leiomyosarcoma: a revised title.")),
    (_authors, Change("authors", "Lang H, Nussbaum KT, Kaudel P, Fruhauf N, Flemming P, Raab R",
                      "Lang H, Nussbaum KT, Kaudel P, Fruhauf N, Flemming P, Raab R, Doe J")),
    (_abstract, Change("abstract", "In contrast, the role of liver resection for hepatic metastases from "
                       "leiomyosarcoma has not been defined.",
                       "In contrast, the role of liver resection for hepatic metastases from "
                       "leiomyosarcoma is now well defined.")),
    (_pages, Change("pages", "500-5", "500-8")),
    (_status, Change("status", "ppublish", "epublish")),
    (_date, Change("pub_date", "2000 Apr", "2000 May")),
    (_type, Change("publication_type", None, "Retracted Publication")),
    (_retraction, Change("RetractionIn", None, "Ann Surg. 2026 Jan;283(1):1. (PMID: 41000001)")),
    (_volume, Change("volume", "231", "232")),
    (_mesh, Change("other", None, "mesh")),
]


@pytest.mark.parametrize("edit, expected", CHANGES, ids=[edit.__name__.strip("_") for edit, _ in CHANGES])
def test_diff_names_each_kind_of_change(edit, expected):
    old = record("seed", "10749609")
    new = copy.deepcopy(old)
    edit(new)
    assert diff(old, new) == [expected]


def test_diff_names_a_removed_link_and_ignores_curation_and_retrieval():
    old = record("cyanheads_31844417")
    new = copy.deepcopy(old)
    new.corrections = []
    new.curation.notes = ["changed"]
    new.provenance.retrieved = "2026-11-26T00:00:00Z"
    [change] = diff(old, new)
    assert (change.field, change.after) == ("RetractionIn", None)
    assert change.before.startswith("Cell Mol Biol Lett. 2025 Apr 18;30(1):51.")


def test_an_unchanged_record_has_no_diff():
    old = record("seed", "10749609")
    assert diff(old, copy.deepcopy(old)) == []
