"""MEDLINE (.nbib) text -> Entry, on the real exports in tests/data/medline.

Bio.Medline serves here as an independent reader of the simple one-value tags
(PMID, TI, SO), so field checks over all 181 records do not restate our parser.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from Bio import Medline

from lmscite.errors import ParseError
from lmscite.markup import plain
from lmscite.model import AbstractSection, Correction, ELocation, Entry, PubDate
from lmscite.pubmed.medline import iter_entries, looks_like_medline

MEDLINE = Path(__file__).parent / "data" / "medline"
FIXTURES = sorted(MEDLINE.glob("*.txt"))
BIG = MEDLINE / "metaknowledge_medline_175_records_2016.txt"
RESULT2 = MEDLINE / "bp_pubmed_result2.txt"


def _parse(text: str, origin: str | None = None) -> list[Entry]:
    return list(iter_entries(io.StringIO(text), origin=origin))


@pytest.fixture(scope="module")
def entries() -> dict[str, Entry]:
    found: dict[str, Entry] = {}
    for path in FIXTURES:
        with path.open(encoding="utf-8") as handle:
            found.update((e.pmid, e) for e in iter_entries(handle, origin=path.name))
    return found


@pytest.fixture(scope="module")
def bio_records() -> dict[str, dict]:
    found: dict[str, dict] = {}
    for path in FIXTURES:
        with path.open(encoding="utf-8") as handle:
            found.update((r["PMID"], r) for r in Medline.parse(handle))
    return found


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_every_record_becomes_an_entry_in_file_order(path):
    with path.open(encoding="utf-8") as handle:
        expected = [record["PMID"] for record in Medline.parse(handle)]
    with path.open(encoding="utf-8") as handle:
        assert [e.pmid for e in iter_entries(handle)] == expected


def test_fixture_counts_are_the_ones_exported(entries):
    assert len(entries) == 1 + 4 + 1 + 175


def test_titles_read_as_the_exported_text(entries, bio_records):
    for pmid, entry in entries.items():
        assert plain(entry.title) == bio_records[pmid]["TI"], pmid


def test_text_is_escaped_into_markup_fragments(entries):
    (entry,) = _parse("PMID- 1\nTI  - IL-6 & <TNF> levels.\n")
    assert entry.title == "IL-6 &amp; &lt;TNF&gt; levels."
    results = " ".join(s.text for s in entries["25802386"].abstract.sections)
    assert "statistically significant (p &lt; .05)." in results


def test_pages_agree_with_the_source_line(entries, bio_records):
    for pmid, entry in entries.items():
        if entry.pagination:
            source = bio_records[pmid]["SO"]
            assert f":{entry.pagination.removeprefix('suppl ')}" in source, pmid


def test_abbreviated_end_page_is_expanded_like_pubmed_xml(entries):
    entry = entries["16377612"]
    assert (entry.pagination, entry.start_page, entry.end_page) == ("616-7", "616", "617")


def test_single_page_and_e_locator_have_no_end_page(entries):
    assert (entries["16403221"].start_page, entries["16403221"].end_page) == ("10", None)
    e_locator = [e for e in entries.values() if e.pagination == "e0146962"]
    assert [(e.start_page, e.end_page) for e in e_locator] == [("e0146962", None)]


def test_old_record_gives_its_leading_affiliation_to_the_first_author(entries):
    authors = entries["16377612"].authors
    assert authors[0].affiliations == [
        "Plant Pathogen Programme, Scottish Crop Research Institute, Invergowrie, Dundee "
        "DD2 5DA, Scotland, UK. lpritc@scri.ac.uk"
    ]
    assert [a.affiliations for a in authors[1:]] == [[], [], []]


def test_affiliation_belongs_to_the_author_above_it(entries):
    authors = entries["23039619"].authors
    assert [a.last_name for a in authors] == ["Qiao", "Shen", "Bai", "Chen"]
    assert authors[0].affiliations == [
        "School of Biomedical Engineering, Shanghai Jiao Tong University, Shanghai, "
        "People's Republic of China."
    ]
    assert [a.affiliations for a in authors[1:]] == [[], [], []]


def test_each_author_gets_its_own_affiliation(entries):
    authors = entries["25802386"].authors
    assert authors[1].last_name == "Yan"
    assert authors[1].affiliations == [
        "Department of Computer Science, University of Northern British Columbia, "
        "Prince George, Canada."
    ]
    assert authors[4].affiliations[0].endswith("Hubei, China gefen_yue@yahoo.com.")


def test_name_parts_come_from_full_and_short_names(entries):
    author = entries["16403221"].authors[0]
    assert (author.last_name, author.fore_name, author.initials, author.suffix) == (
        "Casbon", "James A", "JA", None)


def test_suffix_is_split_off_the_fore_name(entries):
    author = next(a for a in entries["26792847"].authors if a.last_name == "Rider")
    assert (author.last_name, author.fore_name, author.initials, author.suffix) == (
        "Rider", "S Dean", "SD", "Jr")


def test_orcid_and_continued_affiliation_attach_to_their_author(entries):
    author = entries["26433648"].authors[0]
    assert author.last_name == "Oberbeckmann-Winter"
    assert author.orcid == "0000-0001-9778-1920"
    assert author.affiliations == [
        ", Tiergartenstrasse 17, 69121, Heidelberg, Germany. "
        "nicola.oberbeckmann-winter@springer.com."
    ]


def test_collective_author_keeps_its_place_after_the_persons(entries):
    authors = entries["26516810"].authors
    assert len(authors) == 13
    assert authors[-1].collective_name == "Pelvic Floor Disorders Network"
    assert authors[-1].last_name is None
    assert all(a.collective_name is None for a in authors[:-1])


def test_investigators_are_not_authors(entries):
    names = [a.last_name or a.collective_name for a in entries["26400998"].authors]
    assert names[-1] == "Canadian Co-infection Cohort Study"
    assert "Cohen" not in names and "Wong" not in names
    assert len(names) == 11


def test_transliterated_title_is_the_vernacular_title(entries):
    assert entries["26695847"].vernacular_title == (
        "Die transarterielle Embolisation von Aneurysmatischen Knochenzysten des Os sacrum: "
        "eine vielversprechende Alternative zur Operation."
    )


def test_month_range_date_stays_a_medline_date(entries):
    entry = entries["26516810"]
    assert entry.pub_date == PubDate(medline_date="2016 Jan-Feb")
    assert entry.year == "2016"


def test_date_parts_are_split_like_pubmed_xml(entries):
    assert entries["12230038"].pub_date == PubDate(year="2002", month="Sep")
    assert entries["16377612"].pub_date == PubDate(year="2006", month="Mar", day="01")
    assert entries["16403221"].pub_date == PubDate(year="2006")


def test_season_date_is_a_season():
    (entry,) = _parse("PMID- 12091962\nDP  - 1990 Spring\nTI  - Kennedy Institute record.\n")
    assert entry.pub_date == PubDate(year="1990", season="Spring")


def test_two_lid_lines_are_two_elocations_and_aid_lines_are_article_ids(entries):
    entry = entries["26524502"]
    assert entry.elocations == [
        ELocation("doi", "10.1016/j.gene.2015.10.064"),
        ELocation("pii", "S0378-1119(15)01297-4"),
    ]
    assert entry.article_ids == {
        "pubmed": "26524502",
        "pii": "S0378-1119(15)01297-4",
        "doi": "10.1016/j.gene.2015.10.064",
    }
    assert entry.doi == "10.1016/j.gene.2015.10.064"


def test_pmc_id_and_electronic_date(entries):
    entry = entries["16403221"]
    assert entry.pmcid == "PMC1373603"
    assert entry.article_dates == ["2006-01-10"]


def test_publisher_record_capitals_are_normalised(entries):
    entry = entries["26788838"]
    assert entry.provenance.status == "Publisher"
    assert entry.languages == ["eng"]
    assert entry.publication_types == ["Journal Article"]


def test_journal_comes_from_is_ta_jt_and_jid(entries):
    journal = entries["23039619"].journal
    assert (journal.title, journal.medline_ta, journal.nlm_id) == (
        "Medical physics", "Med Phys", "0425746")
    assert (journal.issn, journal.issn_type, journal.issn_linking) == (
        "0094-2405", "Print", "0094-2405")


def test_provenance_says_where_and_what_state(entries):
    provenance = entries["12230038"].provenance
    assert (provenance.source, provenance.origin) == ("file", "bp_pubmed_result1.txt")
    assert (provenance.revised, provenance.status, provenance.publication_status) == (
        "2004-11-17", "MEDLINE", "ppublish")


def test_structured_abstract_splits_on_its_labels(entries):
    sections = entries["16403221"].abstract.sections
    assert [s.label for s in sections] == ["BACKGROUND", "RESULTS", "CONCLUSION"]
    assert sections[0].text.startswith("Benchmarking algorithms")
    assert sections[0].text.endswith("from these resources.")
    assert sections[2].text == ("The modules make the analysis and generation of datasets for "
                                "use in structural genomics easier and more principled.")


def test_multiword_labels_stay_whole(entries):
    labels = [s.label for s in entries["16377612"].abstract.sections]
    assert labels == ["SUMMARY", "AVAILABILITY", "SUPPLEMENTARY INFORMATION"]


def test_unlabelled_opening_keeps_its_own_section(entries):
    sections = entries["26597626"].abstract.sections
    assert [s.label for s in sections] == [None, "BIOLOGICAL SIGNIFICANCE"]
    assert sections[0].text.startswith("Actinoplanes sp. SE50/110")


def test_abstract_without_labels_is_one_section(entries):
    abstract = entries["12230038"].abstract
    assert len(abstract.sections) == 1
    assert abstract.sections[0].label is None
    assert abstract.sections[0].text.endswith("the beginning biologist programmer.")


def test_label_inside_a_sentence_is_not_a_section(entries):
    text = " ".join(s.text for s in entries["26802979"].abstract.sections)
    assert "URL: http://www.clinicaltrials.gov" in text


def test_copyright_line_is_the_abstract_copyright(entries):
    copyright = entries["26524502"].abstract.copyright
    assert copyright == "Copyright (c) 2015 Elsevier B.V. All rights reserved."


def test_token_cut_at_the_line_width_is_rejoined_without_a_space(entries):
    text = entries["26658428"].abstract.sections[0].text
    assert "phenyl]carbamoyl]-4,5-dimethoxyphenyl]quinoline" in text


def test_mesh_star_marks_the_major_topic(entries):
    mesh = {m.descriptor: m for m in entries["12230038"].mesh}
    assert mesh["Computational Biology"].major
    assert not mesh["Humans"].major
    heading = next(m for m in entries["16403221"].mesh if m.descriptor == "Sequence Alignment")
    assert not heading.major
    assert [(q.name, q.major) for q in heading.qualifiers] == [("methods", True)]


def test_continued_mesh_heading_keeps_its_qualifiers(entries):
    heading = entries["23039619"].mesh[1]
    assert heading.descriptor == "High-Intensity Focused Ultrasound Ablation"
    assert [q.name for q in heading.qualifiers] == ["adverse effects", "instrumentation", "methods"]
    assert [q.major for q in heading.qualifiers] == [False, False, True]


def test_keywords_are_the_other_terms(entries):
    assert entries["26524502"].keywords == [
        "ABC transporters", "Dermatophytes", "Drug resistance", "Phylogenetics"]


def test_every_big_fixture_entry_survives_a_json_round_trip():
    with BIG.open(encoding="utf-8") as handle:
        parsed = list(iter_entries(handle, origin="big.txt"))
    assert len(parsed) == 175
    for entry in parsed:
        assert Entry.from_dict(entry.to_dict()) == entry


def test_comment_and_retraction_lines_become_corrections():
    # The CIN line is from PubMed's export of PMID 40026147; the RIN line carries the
    # RefSource and PMID of tests/data/xml/cyanheads_31844417_retracted_retractionin_2025dtd.xml.
    (entry,) = _parse(
        "PMID- 40026147\n"
        "TI  - A heart failure study.\n"
        "CIN - Circ Heart Fail. 2025 Mar;18(3):e012432. doi: \n"
        "      10.1161/CIRCHEARTFAILURE.124.012432. PMID: 40026148\n"
        "RIN - Cell Mol Biol Lett. 2025 Apr 18;30(1):51. doi: 10.1186/s11658-025-00729-3.\n"
        "      PMID: 40251503\n"
    )
    assert entry.corrections == [
        Correction("CommentIn", "40026148", "Circ Heart Fail. 2025 Mar;18(3):e012432. "
                   "doi: 10.1161/CIRCHEARTFAILURE.124.012432."),
        Correction("RetractionIn", "40251503",
                   "Cell Mol Biol Lett. 2025 Apr 18;30(1):51. doi: 10.1186/s11658-025-00729-3."),
    ]


def test_book_record_is_a_book_and_tolerates_a_blank_abstract_line():
    # The opening lines of PMID 29939664 as posted in biopython/biopython#4557, whose
    # abstract has a whitespace-only line that made Bio.Medline raise KeyError.
    (entry,) = _parse(
        "PMID- 29939664\n"
        "STAT- Publisher\n"
        "PB  - StatPearls Publishing\n"
        "DP  - 2023 Jan\n"
        "TI  - Morvan Syndrome.\n"
        "BTI - StatPearls\n"
        "AB  - Morvan syndrome or Morvan's fibrillary chorea (MFC) is a rare constellation of \n"
        "      neurological symptoms.\n"
        "      \n"
        "      On 12 April 1890, the French physician first published a description.\n"
    )
    assert entry.kind == "book"
    assert entry.journal is None
    assert entry.title == "Morvan Syndrome."
    assert (entry.book.title, entry.book.publisher) == ("StatPearls", "StatPearls Publishing")
    assert entry.abstract.sections == [AbstractSection(
        "Morvan syndrome or Morvan's fibrillary chorea (MFC) is a rare constellation of "
        "neurological symptoms. On 12 April 1890, the French physician first published a "
        "description."
    )]


def test_windows_line_endings_and_byte_order_mark_read_the_same():
    text = (MEDLINE / "bp_pubmed_result1.txt").read_text(encoding="utf-8")
    assert _parse("\ufeff" + text.replace("\n", "\r\n")) == _parse(text)


def _mangled(transform) -> str:
    return transform(RESULT2.read_text(encoding="utf-8"))


def test_unindented_continuation_line_is_a_parse_error_naming_record_and_pmid():
    text = _mangled(lambda t: t.replace("\n      visualization of large-scale genomic",
                                        "\nvisualization of large-scale genomic", 1))
    with pytest.raises(ParseError) as raised:
        _parse(text, origin="broken.nbib")
    message = str(raised.value)
    assert message.startswith("broken.nbib: line ")
    assert "record 2, PMID 16377612" in message
    assert "\n" not in message


def test_blank_line_inside_a_record_is_a_parse_error():
    text = _mangled(lambda t: t.replace("curated structural classification\n",
                                        "curated structural classification\n\n", 1))
    with pytest.raises(ParseError, match="continuation line with no field above it"):
        _parse(text)


def test_file_starting_with_a_continuation_line_is_a_parse_error():
    with pytest.raises(ParseError, match="not MEDLINE text"):
        _parse("      orphan continuation\nPMID- 12230038\n")


def test_record_without_pmid_is_a_parse_error_with_its_number():
    text = _mangled(lambda t: t.replace("PMID- 16377612\n", "", 1))
    with pytest.raises(ParseError, match=r"record 2 \(starting line \d+\): no PMID line"):
        _parse(text)


def test_entries_stream_before_a_later_broken_record():
    text = _mangled(lambda t: t.replace("PMID- 14871861\n", "", 1))
    stream = iter_entries(io.StringIO(text))
    assert [next(stream).pmid, next(stream).pmid] == ["16403221", "16377612"]
    with pytest.raises(ParseError, match="record 3"):
        next(stream)


def test_xml_file_is_not_medline(data):
    path = data / "xml" / "bp_pubmed2_two_articles.xml"
    with path.open(encoding="utf-8") as handle, pytest.raises(ParseError, match="not MEDLINE text"):
        list(iter_entries(handle))


def test_ris_file_is_not_medline():
    ris = "TY  - JOUR\nTI  - A title\nER  - \n"
    assert not looks_like_medline(ris)
    with pytest.raises(ParseError, match="RIS"):
        _parse(ris)


def test_undecodable_bytes_are_a_parse_error():
    handle = io.TextIOWrapper(io.BytesIO(b"PMID- 1\nTI  - \xff\xfe\n"), encoding="utf-8")
    with pytest.raises(ParseError, match="not UTF-8 text"):
        list(iter_entries(handle))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixtures_look_like_medline(path):
    assert looks_like_medline(path.read_text(encoding="utf-8")[:2000])


def test_xml_does_not_look_like_medline(data):
    head = (data / "xml" / "bp_pubmed2_two_articles.xml").read_text(encoding="utf-8")[:2000]
    assert not looks_like_medline(head)
