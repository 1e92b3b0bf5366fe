"""The NLM citation line and the author line, against the reference page and PubMed's own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from Bio import Medline
from hypothesis import given
from hypothesis import strategies as st

from lmscite.citation import (
    author_line,
    author_name,
    citation_line,
    citation_parts,
    format_date,
    month_abbrev,
    second_title,
    shown_title,
)
from lmscite.model import Author, ELocation, Entry, Journal, Provenance, PubDate
from lmscite.pubmed import medline
from lmscite.pubmed import xml as pubmed_xml

DATA = Path(__file__).parent / "data"
XML = DATA / "xml"
SEED = Path(__file__).parent / "data" / "seed"


def _entry(name: str, pmid: str) -> Entry:
    return next(e for e in pubmed_xml.iter_entries(XML / name) if e.pmid == pmid)


def _article(ta: str, date: PubDate, volume: str | None, issue: str | None,
             pages: str | None, **extra: object) -> Entry:
    return Entry(pmid="1", journal=Journal(medline_ta=ta), pub_date=date, volume=volume,
                 issue=issue, pagination=pages, **extra)


# --- the reference page's forms -------------------------------------------------------

PAGE_FORMS = [
    ("year-month", _article("Ann Surg", PubDate("2000", "Apr"), "231", "4", "500-5"),
     "Ann Surg 2000 Apr;231(4):500-5"),
    ("medline-date-range", _article("J Gastrointest Surg", PubDate(medline_date="1998 Mar-Apr"),
                                    "2", "2", "151-5"),
     "J Gastrointest Surg 1998 Mar-Apr;2(2):151-5"),
    ("year-month-day", _article("Cancer", PubDate("2000", "Jul", "15"), "89", "2", "276-84"),
     "Cancer 2000 Jul 15;89(2):276-84"),
    ("pages-with-discussion", _article("Ann Surg", PubDate("1999", "Dec"), "230", "6",
                                       "759-65; discussion 765-6"),
     "Ann Surg 1999 Dec;230(6):759-65; discussion 765-6"),
    ("long-journal", _article("Baillieres Best Pract Res Clin Gastroenterol",
                              PubDate("1999", "Dec"), "13", "4", "557-74"),
     "Baillieres Best Pract Res Clin Gastroenterol 1999 Dec;13(4):557-74"),
]


@pytest.mark.parametrize(("entry", "expected"), [(e, x) for _i, e, x in PAGE_FORMS],
                         ids=[case_id for case_id, _e, _x in PAGE_FORMS])
def test_reference_page_form(entry: Entry, expected: str) -> None:
    assert citation_line(entry) == expected


def test_every_seed_entry_prints_the_reference_pages_citation_and_author_lines() -> None:
    lines = (SEED / "liver-metastases.txt").read_text(encoding="utf-8").splitlines()
    at = [i for i, line in enumerate(lines) if re.match(r"[A-Z][A-Za-z ]+ \d{4}\b.*;", line)]
    pmids = re.findall(r"Fetch PMID:\s*(\d+)", "\n".join(lines))
    entries = {e.pmid: e for e in pubmed_xml.iter_entries(SEED / "liver-metastases.pubmed.xml")}
    assert len(at) == len(pmids) == len(entries) == 19
    for index, pmid in zip(at, pmids):
        assert citation_line(entries[pmid]) == lines[index]
        assert lines[index + 2].startswith(author_line(entries[pmid]) + ".")


def test_missing_issue_leaves_volume_and_pages() -> None:
    entry = _article("Baillieres Best Pract Res Clin Gastroenterol", PubDate("1999", "Dec"),
                     "13", None, "557-74")
    assert citation_line(entry).endswith("1999 Dec;13:557-74")


def test_missing_volume_keeps_the_issue_in_brackets() -> None:
    entry = _article("Baillieres Best Pract Res Clin Gastroenterol", PubDate("1999", "Dec"),
                     None, "4", "557-74")
    assert citation_line(entry).endswith("1999 Dec;(4):557-74")


def test_journal_falls_back_to_iso_abbreviation_then_title() -> None:
    entry = _article("", PubDate("2000"), "1", None, "2-3")
    entry.journal = Journal(iso_abbreviation="Genome Res.", title="Genome research")
    assert citation_line(entry) == "Genome Res. 2000;1:2-3"
    entry.journal = Journal(title="Genome research")
    assert citation_line(entry) == "Genome research 2000;1:2-3"


# --- real records ---------------------------------------------------------------------


def test_season_date() -> None:
    assert citation_line(_entry("bp_pubmed1_season_kie.xml", "12091962")) == \
        "Soc Justice 1990 Spring;17(1):113-25"


def test_season_range_with_double_issue() -> None:
    assert citation_line(_entry("mp_39364306_season_winter_spring.xml", "39364306")) == \
        "J Black Sex Relatsh 2024 Winter-Spring;10(3-4):299-325"


def test_medline_date_and_season_forms_of_one_record_cite_alike() -> None:
    old = _entry("hawc_23878845_16080930_medlinedate_2020.xml", "23878845")
    new = _entry("hawc_23878845_16080930_season_2024.xml", "23878845")
    assert old.pub_date.medline_date == "2013 Nov-Dec" and new.pub_date.season == "Nov-Dec"
    assert citation_line(old) == citation_line(new) == "Quintessence Int 2013 Nov-Dec;44(10):793-8"


def test_numeric_month_prints_as_abbreviation() -> None:
    assert citation_line(_entry("bp_pubmed4_structured_abstract_refs_2018dtd.xml", "27797938")) \
        == "Gut 2017 Jun;66(6):1116-1122"


def test_e_locator_as_page() -> None:
    assert citation_line(_entry("mp_35108047_elocator_page_doi_pii.xml", "35108047")) == \
        "Sci Adv 2022 Feb 4;8(5):eabl6449"


def test_no_issue_in_a_real_record() -> None:
    assert citation_line(_entry("hawc_21860499_collective_author.xml", "21860499")) == \
        "Rep Carcinog 2011;12:296-7"


def test_electronic_only_article_is_cited_by_its_electronic_date() -> None:
    assert citation_line(_entry("bp_pubmed6_mathml_2018dtd.xml", "30108519")) == \
        "Front Physiol 2018 Jul 31;9:1034"


def test_no_pages_shows_the_doi() -> None:
    assert citation_line(_entry("mp_38914053_inline_sup_sub_no_pagination.xml", "38914053")) == \
        "Nanotechnology 2024 Jul 4;35(38). doi: 10.1088/1361-6528/ad5afd"


def test_no_pages_ignores_the_publishers_internal_pii() -> None:
    entry = _entry("mp_36987902_norwegian_vernacular_structured_eloc_only.xml", "36987902")
    assert entry.article_ids.get("pii") == "22-0358"
    assert citation_line(entry) == \
        "Tidsskr Nor Laegeforen 2023 Mar 27;143(5). doi: 10.4045/tidsskr.22.0358"


def test_publisher_supplied_record_in_an_issue_is_not_ahead_of_print() -> None:
    entry = _entry("sul_10000166_pretty_publisher_2019.xml", "10000166")
    assert entry.provenance.status == "Publisher"
    assert citation_line(entry) == "Phys Rev B Condens Matter 1992 Jan 1;45(1):186-195"


def test_ahead_of_print_record() -> None:
    entry = _article("Nature", PubDate("2024", "Mar", "05"), None, None, None,
                     elocations=[ELocation("doi", "10.1038/s41586-024-07000-0")],
                     provenance=Provenance(publication_status="aheadofprint"))
    assert citation_line(entry) == \
        "Nature 2024 Mar 5. doi: 10.1038/s41586-024-07000-0. Online ahead of print."


def test_record_without_status_or_volume_issue_pages_is_ahead_of_print() -> None:
    entry = _article("Nature", PubDate("2024", "Mar", "5"), None, None, None)
    assert citation_line(entry) == "Nature 2024 Mar 5. Online ahead of print."


def test_book_chapter_in_pubmeds_book_form() -> None:
    assert citation_line(_entry("hawc_20301382_book_chapter_genereviews.xml", "20301382")) == (
        "In: Adam MP, Feldman J, Mirzaa GM, et al., editors. GeneReviews® [Internet]. "
        "Seattle (WA): University of Washington, Seattle; 1993-2024.")


def test_whole_book_gives_its_imprint() -> None:
    assert citation_line(_entry("hawc_26468569_book_collective_editors.xml", "26468569")) == \
        "Washington (DC): National Academies Press (US); 2015 Sep 1."


def test_whole_book_still_being_published_has_an_open_range() -> None:
    assert citation_line(_entry("ncbi_efetch_pubmedbook_20301295_2013dtd.xml", "20301295")) == \
        "Seattle (WA): University of Washington, Seattle; 1993-."


def test_book_parts_carry_only_the_book_line() -> None:
    parts = citation_parts(_entry("hawc_26468569_book_collective_editors.xml", "26468569"))
    assert (parts.source, parts.locator, parts.doi) == ("", "", None)
    assert parts.line() == "Washington (DC): National Academies Press (US); 2015 Sep 1."


def test_citation_parts_split_journal_date_and_locator() -> None:
    parts = citation_parts(_entry("mp_38914053_inline_sup_sub_no_pagination.xml", "38914053"))
    assert (parts.source, parts.date, parts.locator, parts.doi) == (
        "Nanotechnology", "2024 Jul 4", ";35(38)", "10.1088/1361-6528/ad5afd")


DIFFERING_FROM_SO = {
    "26789514": 'MedlinePgn "suppl 13-8", which this SO line prints as "13-8" (the only supplement seen)',
}
"""Records whose citation line must differ from their SO line, and why."""

LABELLED_PII = {
    "26725230", "26729133", "26729899", "26747248", "26753626", "26755683", "26761027", "26769766",
    "26773040", "26773731", "26782644", "26787702", "26787712", "26787899", "26791321", "26792260",
    "26792676", "26792809", "26792847", "26792864", "26804248", "26806876", "26808161", "26808781",
}
"""Records with no pages whose SO line (exported in 2016) labels the pii: `8(1). pii: E16`.

PubMed now cites such a pii in the pages' place, `8(1):E16`, as SO lines of
records that have no page numbers do today; the test reads these old lines
in today's form, so they check the same rule as the others.
"""


def _so_lines() -> dict[str, tuple[str, Entry]]:
    """PMID -> (SO line, our entry) for every MEDLINE fixture record that has an SO line."""
    found = {}
    for path in sorted((DATA / "medline").glob("*.txt")):
        with path.open(encoding="utf-8") as handle:
            sources = {record["PMID"]: record.get("SO") for record in Medline.parse(handle)}
        with path.open(encoding="utf-8") as handle:
            for entry in medline.iter_entries(handle):
                if sources[entry.pmid]:
                    found[entry.pmid] = (sources[entry.pmid].strip(), entry)
    return found


def _pages_form(so: str, entry: Entry) -> str:
    """An SO line as the reference page prints it: no period after the journal, no DOI after pages, no Epub note."""
    expected = re.split(r"\. (?:Epub|eCollection|Print) ", so.replace(". ", " ", 1))[0].rstrip(".")
    if entry.pmid in LABELLED_PII:
        expected = re.sub(r"\. pii: (.+?)(?=\. doi: |$)", r":\1", expected)
    if entry.pagination or entry.pmid in LABELLED_PII:
        expected = expected.split(". doi: ")[0]
    if entry.provenance.publication_status == "aheadofprint":
        expected += ". Online ahead of print."
    return expected


def test_every_medline_fixture_matches_its_so_line_in_the_pages_form() -> None:
    lines = _so_lines()
    assert len(lines) == 180
    differing = {pmid: (so, citation_line(entry)) for pmid, (so, entry) in lines.items()
                 if citation_line(entry) != _pages_form(so, entry)}
    assert set(differing) == set(DIFFERING_FROM_SO), differing


def test_the_labelled_pii_records_are_exactly_the_so_lines_that_label_a_pii() -> None:
    assert {pmid for pmid, (so, _entry) in _so_lines().items() if " pii: " in so} == LABELLED_PII


def test_a_pii_with_no_pages_is_cited_in_the_pages_place() -> None:
    entry = _article("J Clin Med", PubDate("2021"), "4", "1", None,
                     elocations=[ELocation("pii", "1042"), ELocation("doi", "10.3390/jcm4011042")],
                     provenance=Provenance(publication_status="epublish"))
    assert citation_line(entry) == "J Clin Med 2021;4(1):1042"


def test_the_records_own_pii_is_cited_not_the_article_id_lists() -> None:
    (entry,) = [e for e in _so_lines().values() if e[1].pmid == "26787899"]
    so, record = entry
    assert record.article_ids["pii"] == "1524677113" and "pii: 201524677" in so
    assert citation_line(record) == \
        "Proc Natl Acad Sci U S A 2016 Jan 19:201524677. Online ahead of print."


def test_an_undated_record_without_a_status_is_not_called_ahead_of_print() -> None:
    entry = _article("Nature", PubDate(), None, None, None)
    assert citation_line(entry) == "Nature"


# --- dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(("month", "expected"), [
    ("04", "Apr"), ("4", "Apr"), ("12", "Dec"), ("Apr", "Apr"), ("april", "Apr"),
    ("SEP", "Sep"), ("13", "13"), ("Spring", "Spring"),
])
def test_month_abbrev(month: str, expected: str) -> None:
    assert month_abbrev(month) == expected


def test_date_drops_the_days_leading_zero() -> None:
    assert format_date(PubDate("2022", "02", "04")) == "2022 Feb 4"


# --- author line ---------------------------------------------------------------------------


def test_author_line_lists_everyone_by_default() -> None:
    entry = next(e for e in pubmed_xml.iter_entries(SEED / "liver-metastases.pubmed.xml")
                 if e.pmid == "10749609")
    assert author_line(entry) == "Lang H, Nussbaum KT, Kaudel P, Fruhauf N, Flemming P, Raab R"


def test_author_line_of_474_authors_cut_to_three() -> None:
    entry = _entry("sul_26430984_474_authors_compact_2022.xml", "26430984")
    assert author_line(entry, max_authors=3) == "Abdesselam A, Adachi I, Adametz A, et al."


def test_author_line_in_full_ends_with_the_collaborations() -> None:
    line = author_line(_entry("sul_26430984_474_authors_compact_2022.xml", "26430984"))
    assert line.count(", ") == 473
    assert line.endswith(", BaBar Collaboration, Belle Collaboration")


def test_author_line_not_cut_when_within_the_limit() -> None:
    entry = _entry("hawc_23878845_16080930_season_2024.xml", "16080930")
    assert author_line(entry, max_authors=3) == "González-Reyes S, Martínez L, Tovar JA"


def test_collective_author_as_written() -> None:
    assert author_line(_entry("mp_34843274_collective_author.xml", "34843274")) == \
        "Guideline Development Panel for the Treatment of Depressive Disorders"


def test_collective_author_among_persons() -> None:
    line = author_line(_entry("mp_38534005_collective_structured_nonascii.xml", "38534005"))
    assert line.startswith("Kouri TT, Hofmann W, Falbo R, ")
    assert line.endswith(", Task and Finish Group for Urinalysis (TFG-U), European Federation "
                         "of Clinical Chemistry and Laboratory Medicine (EFLM)")


def test_no_authors_gives_an_empty_line() -> None:
    assert author_line(_entry("ncbi_efetch_pubmedbook_20301295_2013dtd.xml", "20301295")) == ""


def test_suffix_follows_initials_and_invalid_names_are_left_out() -> None:
    entry = Entry(pmid="1", authors=[
        Author(last_name="King", initials="ML", suffix="Jr"),
        Author(last_name="Smyth", initials="J", valid=False),
        Author(last_name="Smith", fore_name="Jane Ann"),
    ])
    assert author_line(entry) == "King ML Jr, Smith JA"


def test_max_authors_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        author_line(Entry(pmid="1"), max_authors=0)


# --- property ---------------------------------------------------------------------------------

_PART = st.one_of(st.none(), st.just(""), st.just(" "),
                  st.text(alphabet="0123456789-eS Ptup", min_size=1, max_size=6))
_DATE = st.builds(PubDate, year=st.one_of(st.none(), st.just(""), st.sampled_from(["1999", "2024"])),
                  month=st.one_of(st.none(), st.just(""), st.sampled_from(["04", "Apr", "13", "x"])),
                  day=st.one_of(st.none(), st.just(""), st.sampled_from(["05", "5", "31"])),
                  season=st.one_of(st.none(), st.just(""), st.sampled_from(["Spring", "Nov-Dec"])),
                  medline_date=st.one_of(st.none(), st.just(""), st.just("1998 Dec-1999 Jan")))
_DOUBLED = re.compile(r"[;:.] ?[;:.]|  |\(\)|None")


@given(date=_DATE, volume=_PART, issue=_PART, pages=_PART,
       ta=st.one_of(st.none(), st.just(""), st.just("Ann Surg")),
       doi=st.one_of(st.none(), st.just("10.1/x")),
       status=st.sampled_from([None, "", "ppublish", "epublish", "aheadofprint"]),
       article_dates=st.sampled_from([[], ["2024-03-05"], ["2024"]]))
def test_citation_line_is_well_formed_for_any_parts(date: PubDate, volume: str | None,
                                                    issue: str | None, pages: str | None,
                                                    ta: str | None, doi: str | None,
                                                    status: str | None,
                                                    article_dates: list[str]) -> None:
    entry = Entry(pmid="1", journal=Journal(medline_ta=ta), pub_date=date, volume=volume,
                  issue=issue, pagination=pages, article_dates=article_dates,
                  elocations=[ELocation("doi", doi)] if doi else [],
                  provenance=Provenance(publication_status=status))
    line = citation_line(entry)
    assert not _DOUBLED.search(line.replace("...", ""))
    assert line == line.strip()
    assert not line.startswith((";", ":", "."))


_NAME_PART = st.one_of(st.none(), st.text(alphabet=" \t\n\u00a0Abé-.", max_size=8))


@given(last=_NAME_PART, initials=_NAME_PART, suffix=_NAME_PART)
def test_author_name_is_its_parts_with_whitespace_cleaned_one_space_apart(
        last: str | None, initials: str | None, suffix: str | None) -> None:
    parts = [" ".join(part.split()) for part in (last, initials, suffix) if part]
    name = author_name(Author(last_name=last, initials=initials, suffix=suffix))
    assert name == " ".join(part for part in parts if part)


# --- the title shown ---------------------------------------------------------------------------


@pytest.mark.parametrize(("title", "vernacular", "shown"), [
    ("Liver <i>resection</i>.", "Leberresektion.", "Liver <i>resection</i>."),
    ("", "Leberresektion.", "[Leberresektion.]"),
    (" <i> </i> ", "Leberresektion.", "[Leberresektion.]"),
    ("", None, "[No title available]"),
    ("", "  ", "[No title available]"),
], ids=["title", "empty title", "markup-only title", "neither", "blank vernacular"])
def test_shown_title_falls_back_to_the_bracketed_vernacular_then_pubmeds_words(title, vernacular, shown):
    assert shown_title(Entry(pmid="1", title=title, vernacular_title=vernacular)) == shown


def test_the_vernacular_is_shown_apart_only_when_the_title_is_not_it():
    assert second_title(Entry(pmid="1", title="Liver.", vernacular_title="Leber.")) == "Leber."
    assert second_title(Entry(pmid="1", title="", vernacular_title="Leber.")) is None
