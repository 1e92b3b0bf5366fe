"""PubMed efetch XML -> Entry, on the real NCBI responses in tests/data.

An independent reader (plain lxml over the whole tree) gives the PMIDs each
fixture holds, so the parser is checked against the files, not against itself.
Edge cases that no real file shows (entities, comments, hostile DTDs) are made
by editing a real record in the test.
"""

from __future__ import annotations

import contextlib
import io
import re
import socket
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest
from lxml import etree

from lmscite.errors import ParseError
from lmscite.markup import ALLOWED, plain
from lmscite.model import (
    AbstractSection,
    Author,
    Correction,
    ELocation,
    Entry,
    Journal,
    MeshHeading,
    PubDate,
    Qualifier,
)
from lmscite.pubmed.xml import EutilsErrorBody, iter_entries, parse_bytes

DATA = Path(__file__).parent / "data"
XML = DATA / "xml"
ERRORS = DATA / "errors"
SEED = DATA / "seed" / "liver-metastases.pubmed.xml"
FIXTURES = sorted(XML.glob("*.xml"))
SMALL = XML / "mp_34843274_collective_author.xml"
TWO = XML / "bp_pubmed2_two_articles.xml"


def _entry(name: str) -> Entry:
    (entry,) = iter_entries(XML / name)
    return entry


def _entries(name: str) -> dict[str, Entry]:
    return {e.pmid: e for e in iter_entries(XML / name)}


def _pmids_in(path: Path) -> list[str]:
    """The record PMIDs, read by lxml over the whole tree with no DTD."""
    parser = etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False)
    root = etree.parse(str(path), parser).getroot()
    return [p.text for p in root.xpath("/PubmedArticleSet/*/MedlineCitation/PMID"
                                       " | /PubmedArticleSet/*/BookDocument/PMID")]


def _edited(path: Path, old: str, new: str, *, regex: bool = False) -> bytes:
    text = path.read_text(encoding="utf-8")
    if regex:
        edited = re.sub(old, new, text, count=1, flags=re.DOTALL)
    else:
        edited = text.replace(old, new, 1)
    assert edited != text, "the edit must change the record"
    return edited.encode("utf-8")


def _with_title(title: str, doctype: str | None = None) -> bytes:
    body = _edited(SMALL, r"<ArticleTitle>.*?</ArticleTitle>",
                   f"<ArticleTitle>{title}</ArticleTitle>", regex=True)
    if doctype is not None:
        body = re.sub(rb"<!DOCTYPE[^>]*>", doctype.encode(), body, count=1)
    return body


@pytest.fixture(autouse=True)
def no_python_sockets(monkeypatch):
    """Any Python-level connection attempt fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("the parser tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(scope="module")
def parsed() -> dict[str, list[Entry]]:
    return {path.name: list(iter_entries(path)) for path in [*FIXTURES, SEED]}


# --- every file ---------------------------------------------------------------


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_every_fixture_gives_its_records_in_file_order(path):
    assert [e.pmid for e in iter_entries(path)] == _pmids_in(path)


def test_every_entry_survives_the_json_round_trip(parsed):
    for name, found in parsed.items():
        for entry in found:
            assert Entry.from_dict(entry.to_dict()) == entry, (name, entry.pmid)


def test_every_fragment_is_well_formed_with_only_allowed_tags(parsed):
    for found in parsed.values():
        for entry in found:
            fragments = [entry.title, entry.vernacular_title, entry.abstract.copyright,
                         *(s.text for s in entry.abstract.sections)]
            for fragment in filter(None, fragments):
                root = ElementTree.fromstring(f"<f>{fragment}</f>")
                assert {node.tag for node in root.iter()} - {"f"} <= ALLOWED, entry.pmid


def test_plain_fields_hold_no_tags_and_no_line_breaks(parsed):
    for found in parsed.values():
        for entry in found:
            values = [v for a in entry.authors
                      for v in (a.last_name, a.fore_name, a.collective_name, *a.affiliations) if v]
            values += [*entry.keywords, entry.journal.title if entry.journal else None]
            found = [v for v in filter(None, values) if re.search(r"</?[a-z]+>|\n", v)]
            assert not found, entry.pmid


# --- abstracts, titles and markup --------------------------------------------


def test_structured_abstract_keeps_labels_and_nlm_categories():
    sections = _entry("hawc_21813367_structured_abstract_erratumin.xml").abstract.sections
    assert [(s.label, s.category) for s in sections] == [
        ("BACKGROUND", "BACKGROUND"), ("OBJECTIVES", "OBJECTIVE"), ("METHODS", "METHODS"),
        ("RESULTS", "RESULTS"), ("CONCLUSIONS", "CONCLUSIONS"),
    ]
    assert sections[0].text.startswith("People living or working in eastern Ohio")


def test_labels_without_categories_and_copyright_are_kept():
    abstract = _entry("bp_pubmed4_structured_abstract_refs_2018dtd.xml").abstract
    assert [s.label for s in abstract.sections] == ["OBJECTIVE", "DESIGN", "RESULTS", "CONCLUSIONS"]
    assert {s.category for s in abstract.sections} == {None}
    assert abstract.copyright.startswith("Published by the BMJ Publishing Group Limited.")


def test_retracted_2025_record_label_differs_from_its_category():
    sections = _entry("cyanheads_31844417_retracted_retractionin_2025dtd.xml").abstract.sections
    assert (sections[-1].label, sections[-1].category) == ("CONCLUSION", "CONCLUSIONS")


def test_italic_and_subscript_stay_in_the_title():
    entry = _entry("hawc_27933116_markup_in_title.xml")
    assert entry.title == ("<i>Phoenix dactylifera</i> mediated green synthesis of "
                           "Cu<sub>2</sub>O particles for arsenite uptake from water.")
    assert plain(entry.title).startswith("Phoenix dactylifera mediated")


def test_bold_italic_and_subscript_stay_in_the_abstract():
    text = " ".join(s.text for s in _entry("mp_38513076_inline_i_b_sub.xml").abstract.sections)
    assert "optimized compound <b>7d</b> possessed" in text
    assert "<i>" in text and "<sub>" in text


def test_underline_keeps_an_escaped_less_than_inside_it():
    text = " ".join(s.text for s in _entry("bp_pubmed5_sub_markup_2018dtd.xml").abstract.sections)
    assert "normal TSH (0.4-<u>&lt;</u>4.5 mIU/L)" in text


def test_superscript_with_nested_italic_is_kept_whole():
    entry = _entry("cyanheads_34026693_nested_inline_markup_2025dtd.xml")
    text = " ".join(s.text for s in entry.abstract.sections)
    assert "deficient mice (<i>miR223</i> <sup>-/<i>y</i></sup> ) developed" in text


def test_sup_sub_and_escaped_text_in_a_2018_abstract():
    text = " ".join(s.text for s in _entry("bp_pubmed4_structured_abstract_refs_2018dtd.xml")
                    .abstract.sections)
    assert "p<sub>trend</sub>=0.048" in text
    assert "r<sup>2</sup>&lt;0.25" in text


def test_mathml_is_written_unprefixed_without_pretty_printing():
    text = _entry("bp_pubmed6_mathml_2018dtd.xml").abstract.sections[0].text
    assert ("maximal oxygen uptake ( <math><msub><mrow><mover><mrow><mi>V</mi></mrow><mo>.</mo>"
            "</mover><mi>O</mi></mrow><mrow><mn>2</mn><mi>m</mi><mi>a</mi><mi>x</mi></mrow>"
            "</msub></math> ) 67.6") in text
    assert "mml:" not in text and "xmlns" not in text


def test_mathml_record_with_collective_keeps_its_four_formulas():
    entry = _entry("bp_pubmed7_mathml_collective_2019dtd.xml")
    text = " ".join(s.text for s in entry.abstract.sections)
    assert text.count("<math>") == text.count("</math>") == 4
    assert "<mmultiscripts>" in text and "mml:" not in text


@pytest.mark.parametrize(("name", "title", "vernacular", "languages"), [
    ("mp_38048813_german_vernacular_bracket_title.xml",
     "[A Broader Scope - Bio-Psycho-Social Medicine In Global Focus].",
     "A Broader Scope \u2013 Bio-psycho-soziale Medizin im globalen Fokus.", ["ger"]),
    ("mp_36987902_norwegian_vernacular_structured_eloc_only.xml",
     ("Patients over 75 years admitted to the National Burn Centre, Haukeland University "
      "Hospital, 2000-19."),
     ("Pasienter over 75\u00a0\u00e5r innlagt ved Brannskadeavdelinga, Haukeland "
      "universitetssjukehus 2000\u201319."), ["eng", "nor"]),
    ("hawc_21813142_spanish_vernacular_letter.xml",
     "[Hospitalized surgical patients comanaged by Internal Medicine specialists].",
     "Pacientes quir\u00fargicos ingresados: asistencia compartida con Medicina Interna.",
     ["spa"]),
])
def test_vernacular_title_comes_with_the_english_one(name, title, vernacular, languages):
    entry = _entry(name)
    assert (entry.title, entry.vernacular_title, entry.languages) == (title, vernacular, languages)


def test_character_references_resolve_in_names_and_affiliations():
    entry = _entry("mp_38048813_german_vernacular_bracket_title.xml")
    assert entry.authors[0].affiliations == [
        "Abteilung Psychosomatische Medizin und Psychotherapie, Medizinische "
        + "Universit\u00e4tsklinik T\u00fcbingen."]


def test_unknown_tags_are_dropped_but_their_text_is_kept():
    body = _with_title("A <span>hidden</span> word &amp; <i>an <em>inner</em> one</i> x&lt;y")
    (entry,) = parse_bytes(body)
    assert entry.title == "A hidden word &amp; <i>an inner one</i> x&lt;y"


def test_comments_and_processing_instructions_leave_the_text_around_them():
    (entry,) = parse_bytes(_with_title("before<!-- a note --> after<?pi data?>."))
    assert entry.title == "before after."


def test_undeclared_named_entity_becomes_its_character_or_stays_text():
    (entry,) = parse_bytes(_with_title("75&nbsp;years &madeup; end"))
    assert entry.title == "75\u00a0years &amp;madeup; end"


def test_markup_in_plain_fields_is_dropped_not_shown():
    body = _edited(SMALL, "<CollectiveName>Guideline Development Panel",
                   "<CollectiveName><i>Guideline</i> Development Panel")
    (entry,) = parse_bytes(body)
    assert entry.authors[0].collective_name.startswith("Guideline Development Panel")


def test_line_breaks_in_a_pretty_printed_name_become_one_space():
    (entry,) = iter_entries(XML / "hawc_26468569_book_collective_editors.xml")
    assert entry.authors[0].collective_name == (
        "Committee on Predictive-Toxicology Approaches for Military Assessments of Acute Exposures")


# --- dates, pages, identifiers -----------------------------------------------


@pytest.mark.parametrize(("name", "pmid", "date"), [
    ("bp_pubmed1_season_kie.xml", "12091962", PubDate(year="1990", season="Spring")),
    ("mp_39364306_season_winter_spring.xml", "39364306",
     PubDate(year="2024", season="Winter-Spring")),
    ("hawc_23878845_16080930_season_2024.xml", "23878845", PubDate(year="2013", season="Nov-Dec")),
    ("hawc_23878845_16080930_medlinedate_2020.xml", "23878845",
     PubDate(medline_date="2013 Nov-Dec")),
    ("bp_pubmed1_season_kie.xml", "9997", PubDate(year="1976", month="Sep", day="28")),
    ("bp_pubmed4_structured_abstract_refs_2018dtd.xml", "27797938",
     PubDate(year="2017", month="06")),
])
def test_publication_date_is_kept_exactly_as_given(name, pmid, date):
    assert _entries(name)[pmid].pub_date == date


def test_medline_date_still_gives_a_year():
    assert _entries("hawc_23878845_16080930_medlinedate_2020.xml")["23878845"].year == "2013"


def test_article_date_and_revision_date_are_iso():
    entry = _entry("mp_35108047_elocator_page_doi_pii.xml")
    assert entry.article_dates == ["2022-02-02"]
    assert entry.provenance.revised == "2023-04-03"


def test_unpadded_revision_date_of_a_book_is_padded():
    assert _entry("hawc_20301382_book_chapter_genereviews.xml").provenance.revised == "2023-09-28"


def test_e_locator_page_with_doi_and_pii():
    entry = _entry("mp_35108047_elocator_page_doi_pii.xml")
    assert (entry.pagination, entry.start_page, entry.end_page) == ("eabl6449", "eabl6449", None)
    assert entry.elocations == [ELocation("pii", "eabl6449"),
                                ELocation("doi", "10.1126/sciadv.abl6449")]
    assert entry.article_ids == {"pubmed": "35108047", "pmc": "PMC8809544",
                                 "doi": "10.1126/sciadv.abl6449"}
    assert (entry.doi, entry.pmcid) == ("10.1126/sciadv.abl6449", "PMC8809544")


def test_abbreviated_pages_are_kept_beside_start_and_end():
    entry = _entry("mp_11618220_abbrev_pages_no_abstract.xml")
    assert (entry.pagination, entry.start_page, entry.end_page) == ("217-64", "217", "264")
    assert (entry.volume, entry.issue) == ("73", "4-5")
    assert entry.abstract.sections == []


def test_record_without_pagination_has_only_its_elocations():
    entry = _entry("mp_36987902_norwegian_vernacular_structured_eloc_only.xml")
    assert (entry.pagination, entry.start_page) == (None, None)
    assert [e.kind for e in entry.elocations] == ["doi"]


def test_journal_fields_and_all_article_ids():
    entry = _entry("mp_36156117_updateof.xml")
    assert entry.journal == Journal(
        title="Clinical infectious diseases : an official publication of the Infectious "
              "Diseases Society of America",
        iso_abbreviation="Clin Infect Dis", medline_ta="Clin Infect Dis", nlm_id="9203213",
        issn="1537-6591", issn_type="Electronic", issn_linking="1058-4838")
    assert entry.article_ids == {"pubmed": "36156117", "pmc": "PMC9619446",
                                 "doi": "10.1093/cid/ciac769", "pii": "6717535"}


def test_empty_journal_title_and_issn_give_way_to_the_next_ones():
    source = XML / "mp_36156117_updateof.xml"
    body = _edited(source, '<ISSN IssnType="Electronic">',
                   '<ISSN IssnType="Print"> </ISSN><Title/><ISSN IssnType="Electronic">')
    (entry,) = parse_bytes(body)
    assert entry.journal == _entry(source.name).journal


def test_reference_list_ids_do_not_leak_into_the_record_ids():
    entry = _entry("cyanheads_31844417_retracted_retractionin_2025dtd.xml")
    assert set(entry.article_ids) <= {"pubmed", "doi", "pmc", "pii", "mid"}
    assert entry.article_ids["pubmed"] == "31844417"


def test_provenance_carries_status_and_the_caller_origin():
    (entry,) = iter_entries(XML / "bp_pubmed5_sub_markup_2018dtd.xml", origin="pubmed5.xml")
    assert entry.provenance.source == "file"
    assert entry.provenance.origin == "pubmed5.xml"
    assert entry.provenance.status == "In-Data-Review"
    assert entry.provenance.publication_status == "ppublish"
    assert entry.provenance.retrieved is None


def test_status_drift_between_two_fetches_of_one_record():
    old = _entry("sul_10000166_pretty_publisher_2019.xml")
    new = _entry("sul_10000166_compact_2022.xml")
    assert (old.provenance.status, new.provenance.status) == ("Publisher", "PubMed-not-MEDLINE")
    assert old.title == new.title and old.pagination == new.pagination == "186-195"


def test_mesh_headings_keep_major_flags_and_qualifiers():
    mesh = _entry("hawc_21813367_structured_abstract_erratumin.xml").mesh
    caprylates = next(m for m in mesh if m.descriptor == "Caprylates")
    assert caprylates == MeshHeading(descriptor="Caprylates", major=False, ui="D002210",
                                     qualifiers=caprylates.qualifiers)
    assert Qualifier(name="blood", major=True, ui="Q000097") in caprylates.qualifiers


def test_keywords_are_plain_and_listed_once():
    keywords = _entry("hawc_20301382_book_chapter_genereviews.xml").keywords
    assert keywords[:3] == ["mtDNA Deletion Syndromes", "SLSMDS", "Pearson Syndrome"]
    assert len(keywords) == len(set(keywords)) == 9


def test_publication_types_in_order():
    assert _entry("mp_34529508_comment_on_editorial.xml").publication_types == [
        "Editorial", "Comment"]


# --- authors -----------------------------------------------------------------


def test_single_collective_author():
    assert _entry("hawc_21860499_collective_author.xml").authors == [
        Author(collective_name="National Toxicology Program")]
    (panel,) = _entry("mp_34843274_collective_author.xml").authors
    assert panel.collective_name == (
        "Guideline Development Panel for the Treatment of Depressive Disorders")


def test_collective_after_persons_keeps_its_place():
    authors = _entry("mp_38534005_collective_structured_nonascii.xml").authors
    assert len(authors) == 9 and authors[0].last_name == "Kouri"
    assert authors[8].collective_name.startswith("Task and Finish Group for Urinalysis (TFG-U)")
    authors = _entry("bp_pubmed7_mathml_collective_2019dtd.xml").authors
    assert authors[8] == Author(collective_name="Canadian Respiratory Research Network")


def test_474_authors_end_with_the_two_collaborations():
    entry = _entry("sul_26430984_474_authors_compact_2022.xml")
    assert len(entry.authors) == 474
    assert [a.collective_name for a in entry.authors if a.collective_name] == [
        "BaBar Collaboration", "Belle Collaboration"]
    assert entry.authors[0].last_name == "Abdesselam"


def test_orcid_is_bare_and_each_affiliation_is_kept():
    authors = _entry("mp_36156117_updateof.xml").authors
    assert [a.orcid for a in authors if a.orcid] == ["0000-0002-2836-6683"]
    assert any(len(a.affiliations) > 1 for a in authors)


@pytest.mark.parametrize("written", [
    "https://orcid.org/0000-0002-2836-6683", "http://orcid.org/0000000228366683",
    "0000 0002 2836 6683", "orcid.org/0000-0002-2836-6683/",
])
def test_orcid_in_any_written_form_is_normalised(written):
    body = _edited(XML / "mp_36156117_updateof.xml", ">0000-0002-2836-6683<", f">{written}<")
    (entry,) = parse_bytes(body)
    assert [a.orcid for a in entry.authors if a.orcid] == ["0000-0002-2836-6683"]


def test_institution_identifiers_are_not_taken_for_orcids():
    authors = _entry("cyanheads_31844417_retracted_retractionin_2025dtd.xml").authors
    assert all(a.orcid is None for a in authors)


def test_old_article_level_affiliation_goes_to_the_first_author():
    entry = _entries("ncbi_efetch_pubmed_17284678_9997_2013dtd.xml")["17284678"]
    assert entry.authors[0].affiliations == [
        "Malaysia Genome Institute, UKM-MTDC Smart Technology Centre, Universiti Kebangsaan "
        + "Malaysia, 43600 UKM Bangi, Selangor DE, Malaysia."]
    assert entry.authors[1].affiliations == []
    assert len(entry.authors) == 33


def test_invalid_author_is_marked():
    body = _edited(SMALL, '<Author ValidYN="Y"', '<Author ValidYN="N"')
    (entry,) = parse_bytes(body)
    assert entry.authors[0].valid is False


# --- corrections ---------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), [
    ("mp_35649368_erratumin.xml", Correction(
        "ErratumIn", "35767954", "Cell Rep. 2022 Jun 28;39(13):111044. doi: "
        "10.1016/j.celrep.2022.111044.")),
    ("hawc_21813367_structured_abstract_erratumin.xml", Correction(
        "ErratumIn", None, "Environ Health Perspect.2013 Apr;121(4):A113")),
    ("mp_38833988_published_erratum_erratumfor.xml", Correction(
        "ErratumFor", "33279609", "Biochim Biophys Acta Mol Cell Res. 2021 Mar;1868(3):118918. "
        "doi: 10.1016/j.bbamcr.2020.118918.")),
    ("mp_36156117_updateof.xml", Correction(
        "UpdateOf", "35794888", "Res Sq. 2022 Jun 29:rs.3.rs-1800050. doi: "
        "10.21203/rs.3.rs-1800050/v1.")),
    ("mp_34529508_comment_on_editorial.xml", Correction(
        "CommentOn", "34473563", "Am J Public Health. 2021 Oct;111(10):1815-1823. doi: "
        "10.2105/AJPH.2021.306412.")),
    ("cyanheads_31844417_retracted_retractionin_2025dtd.xml", Correction(
        "RetractionIn", "40251503", "Cell Mol Biol Lett. 2025 Apr 18;30(1):51. doi: "
        "10.1186/s11658-025-00729-3.")),
])
def test_correction_links_are_kept(name, expected):
    assert _entry(name).corrections == [expected]


def test_comment_in_from_a_pretty_printed_2018_record():
    (link,) = _entry("bp_pubmed4_structured_abstract_refs_2018dtd.xml").corrections
    assert (link.kind, link.pmid) == ("CommentIn", "27920200")


def test_2011_retraction_notice_link_and_publication_type():
    entry = _entry("neilfws_993_retracted_publication_2011dtd.xml")
    assert [(c.kind, c.pmid) for c in entry.corrections] == [("RetractionIn", "195582")]
    assert entry.publication_types == ["Journal Article", "Retracted Publication"]


def test_cited_references_are_not_corrections(parsed):
    kinds = {c.kind for found in parsed.values() for e in found for c in e.corrections}
    assert "Cites" not in kinds and kinds


# --- books -------------------------------------------------------------------


def test_whole_book_with_collective_authors():
    entry = _entry("hawc_26468569_book_collective_editors.xml")
    assert entry.kind == "book" and entry.journal is None
    assert entry.title == ("Application of Modern Toxicology Approaches for Predicting Acute "
                           "Toxicity for Chemical Defense")
    assert len(entry.authors) == 6 and all(a.collective_name for a in entry.authors)
    assert entry.authors[-1].collective_name == (
        "The National Academies of Sciences, Engineering, and Medicine")
    assert entry.book.publisher == "National Academies Press (US)"
    assert entry.book.publisher_location == "Washington (DC)"
    assert entry.book.isbns == ["9780309376662"]
    assert entry.book.editors == []
    assert entry.pub_date == PubDate(year="2015", month="09", day="01")
    assert entry.article_ids == {"bookaccession": "NBK321423", "doi": "10.17226/21775",
                                 "pubmed": "26468569"}
    assert entry.doi == "10.17226/21775"


def test_section_chapter_labels_are_not_the_book_location_label():
    assert _entry("hawc_26468569_book_collective_editors.xml").book.location_label is None


def test_genereviews_chapter_with_editors_and_dates():
    entry = _entry("hawc_20301382_book_chapter_genereviews.xml")
    assert entry.title == "Single Large-Scale Mitochondrial DNA Deletion Syndromes"
    assert [a.last_name for a in entry.authors] == ["Goldstein", "Falk"]
    book = entry.book
    assert book.title == "GeneReviews<sup>\u00ae</sup>"
    assert [e.last_name for e in book.editors] == [
        "Adam", "Feldman", "Mirzaa", "Pagon", "Wallace", "Bean", "Gripp", "Amemiya"]
    assert (book.medium, book.beginning_date, book.ending_date) == (
        "Internet", PubDate(year="1993"), PubDate(year="2024"))
    assert entry.pub_date == PubDate(year="1993")
    assert entry.article_ids == {"bookaccession": "NBK1203", "pubmed": "20301382"}
    assert entry.abstract.sections[0].label == "CLINICAL CHARACTERISTICS"
    assert entry.abstract.copyright.startswith("Copyright \u00a9 1993-2024")
    assert entry.provenance.status is None
    assert entry.provenance.publication_status == "ppublish"


def test_book_date_without_date_parts_is_left_out():
    body = _edited(XML / "hawc_20301382_book_chapter_genereviews.xml",
                   "<BeginningDate><Year>1993</Year></BeginningDate>",
                   "<BeginningDate><Note>ongoing</Note></BeginningDate>")
    (entry,) = parse_bytes(body)
    assert (entry.book.beginning_date, entry.book.ending_date) == (None, PubDate(year="2024"))


def test_chapter_location_label_is_read_from_the_book_document():
    body = _edited(XML / "hawc_20301382_book_chapter_genereviews.xml", "</Book><ArticleTitle",
                   '</Book><LocationLabel Type="chapter">7</LocationLabel><ArticleTitle')
    (entry,) = parse_bytes(body)
    assert entry.book.location_label == "7"


def test_2013_genereviews_book_without_chapter_takes_the_book_title():
    entry = _entry("ncbi_efetch_pubmedbook_20301295_2013dtd.xml")
    assert entry.title == entry.book.title == "GeneReviews\u2122"
    assert entry.authors == []
    assert [e.last_name for e in entry.book.editors] == [
        "Pagon", "Bird", "Dolan", "Stephens", "Adam"]


# --- DTD versions and layouts ------------------------------------------------


def test_http_doctype_files_of_2011_and_2013_parse_offline():
    old = _entry("neilfws_993_retracted_publication_2011dtd.xml")
    assert (old.journal.medline_ta, old.volume, old.issue, old.pagination) == (
        "Biochem J", "148", "3", "557-65")
    assert old.provenance.revised == "2009-11-18"
    genome = _entries("ncbi_efetch_pubmed_17284678_9997_2013dtd.xml")["17284678"]
    assert genome.journal.iso_abbreviation == "Genome Res."


def test_a_future_dtd_version_reads_the_same(tmp_path):
    source = XML / "mp_36156117_updateof.xml"
    future = _edited(source, "pubmed_250101.dtd", "pubmed_260101.dtd")
    future = future.replace(b"1st January 2025", b"1st January 2026")
    path = tmp_path / "future.xml"
    path.write_bytes(future)
    (entry,) = iter_entries(path)
    assert entry == _entry(source.name)


def test_pretty_and_compact_layouts_of_one_record_agree():
    compact = _entries("hawc_23878845_16080930_season_2024.xml")["16080930"]
    pretty = _entries("hawc_23878845_16080930_medlinedate_2020.xml")["16080930"]
    assert (pretty.title, pretty.journal.medline_ta, [a.last_name for a in pretty.authors]) == (
        compact.title, compact.journal.medline_ta, [a.last_name for a in compact.authors])


# --- empty sets and error bodies -----------------------------------------------


@pytest.mark.parametrize("path", [XML / "mp_37909814_empty_set.xml",
                                  ERRORS / "sul_efetch_nonexistent_ids_empty_set_2019.xml"],
                         ids=lambda p: p.name)
def test_empty_article_set_yields_nothing(path):
    assert list(iter_entries(path)) == []
    assert parse_bytes(path.read_bytes()) == []


def test_efetch_error_body_carries_ncbis_message():
    body = (ERRORS / "sul_efetch_empty_id_error_2022.xml").read_bytes()
    with pytest.raises(EutilsErrorBody, match=r"Supplied id parameter is empty\.$"):
        parse_bytes(body, origin="efetch")


def test_esearch_error_body_is_an_eutils_error_too():
    with pytest.raises(EutilsErrorBody, match="Invalid db name specified: fleegle"):
        list(iter_entries(ERRORS / "ncbi_esearch_invalid_db_error_2012.xml"))


def test_error_inside_an_article_set_is_an_eutils_error():
    with pytest.raises(EutilsErrorBody, match="Too many UIDs"):
        parse_bytes(b"<PubmedArticleSet><ERROR>Too many UIDs</ERROR></PubmedArticleSet>")


def test_a_result_that_is_not_an_article_set_is_refused():
    with pytest.raises(ParseError, match="root element is <eSearchResult>") as caught:
        list(iter_entries(DATA / "esearch" / "bp_esearch1.xml"))
    assert not isinstance(caught.value, EutilsErrorBody)


def test_truncated_file_yields_the_first_record_then_fails_with_a_line(tmp_path):
    body = TWO.read_bytes()
    second = body.index(b"<PubmedArticle>", body.index(b"</PubmedArticle>"))
    path = tmp_path / "cut.xml"
    path.write_bytes(body[: second + (len(body) - second) // 2])
    got = []
    with pytest.raises(ParseError, match=r"^.*cut\.xml: malformed XML at line \d+, column \d+: "):
        for entry in iter_entries(path):
            got.append(entry.pmid)
    assert got == ["11748933"]


def test_fixture_cut_in_half_raises_parse_error():
    body = (XML / "mp_39142283_43_authors.xml").read_bytes()
    with pytest.raises(ParseError) as caught:
        parse_bytes(body[: len(body) // 2], origin="half.xml")
    assert "\n" not in str(caught.value) and "line" in str(caught.value)


@pytest.mark.parametrize("body", [b"", b"not xml at all", b"<PubmedArticleSet>"],
                         ids=["empty", "text", "unclosed"])
def test_non_xml_input_is_a_parse_error(body):
    with pytest.raises(ParseError):
        parse_bytes(body)


def test_record_without_pmid_is_refused_with_its_line():
    body = _edited(SMALL, r'<PMID Version="1">\d+</PMID>', "", regex=True)
    with pytest.raises(ParseError, match=r"line \d+: <PubmedArticle> has no PMID"):
        parse_bytes(body)


# --- hostile documents ------------------------------------------------------------


def _laughs(levels: int = 10) -> str:
    lines = ['<!ENTITY lol0 "lol">']
    lines += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels)]
    return "<!DOCTYPE PubmedArticleSet [" + "".join(lines) + "]>"


def test_billion_laughs_fails_fast_or_stays_inert():
    body = _with_title("&lol9;", doctype=_laughs())
    start = time.monotonic()
    try:
        entries = parse_bytes(body)
    except ParseError:
        entries = []
    assert time.monotonic() - start < 5
    assert all(len(e.title) < 1000 for e in entries)


def test_quadratic_blowup_entity_is_not_expanded():
    doctype = '<!DOCTYPE PubmedArticleSet [<!ENTITY big "' + "x" * 50_000 + '">]>'
    body = _with_title("&big;" * 2_000, doctype=doctype)
    start = time.monotonic()
    try:
        entries = parse_bytes(body)
    except ParseError:
        entries = []
    assert time.monotonic() - start < 5
    assert all(len(e.title) < 100_000 for e in entries)


def test_external_dtd_and_entity_at_a_closed_port_do_not_hang():
    doctype = ('<!DOCTYPE PubmedArticleSet SYSTEM "http://127.0.0.1:9/pubmed.dtd" '
               '[<!ENTITY ext SYSTEM "http://127.0.0.1:9/secret">]>')
    start = time.monotonic()
    try:
        entries = parse_bytes(_with_title("a &ext; b", doctype=doctype))
    except ParseError:
        entries = []
    assert time.monotonic() - start < 5
    assert all("secret" not in e.title for e in entries)


def test_external_dtd_and_entity_are_never_fetched():
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.3)
    port = listener.getsockname()[1]
    doctype = (f'<!DOCTYPE PubmedArticleSet SYSTEM "http://127.0.0.1:{port}/pubmed.dtd" '
               f'[<!ENTITY ext SYSTEM "http://127.0.0.1:{port}/e"> %s]>')
    param = f'<!ENTITY % remote SYSTEM "http://127.0.0.1:{port}/p.dtd"> %remote;'
    try:
        with contextlib.suppress(ParseError):
            parse_bytes(_with_title("a &ext; b", doctype=doctype % param))
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()


def test_external_entity_naming_a_local_file_is_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("LEAKED-SECRET", encoding="utf-8")
    doctype = f'<!DOCTYPE PubmedArticleSet [<!ENTITY ext SYSTEM "{secret.as_uri()}">]>'
    try:
        entries = parse_bytes(_with_title("a &ext; b", doctype=doctype))
    except ParseError:
        entries = []
    assert all("LEAKED" not in e.title for e in entries)


def test_a_local_dtd_named_by_the_doctype_is_not_loaded(tmp_path):
    dtd = tmp_path / "pubmed_990101.dtd"
    dtd.write_text('<!ENTITY fromdtd "LEAKED-FROM-DTD">', encoding="utf-8")
    doctype = f'<!DOCTYPE PubmedArticleSet SYSTEM "{dtd.as_uri()}">'
    (entry,) = parse_bytes(_with_title("a &fromdtd; b", doctype=doctype))
    assert entry.title == "a &amp;fromdtd; b"


# --- streaming and sources ------------------------------------------------------


class _CountingReader(io.RawIOBase):
    """A non-seekable byte stream that records how much has been read."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)
        self.read_so_far = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        self.read_so_far += len(chunk)
        return len(chunk)


def test_entries_stream_from_a_file_object_before_it_is_read_through():
    body = TWO.read_bytes()
    start, end = body.index(b"<PubmedArticle>"), body.rindex(b"</PubmedArticleSet>")
    big = body[:start] + body[start:end] * 300 + body[end:]
    reader = _CountingReader(big)
    stream = iter_entries(reader)
    first = next(stream)
    assert first.pmid == "11748933"
    assert reader.read_so_far < len(big) // 4
    assert 1 + sum(1 for _ in stream) == 600


def test_path_string_pathlike_and_file_object_give_the_same_entries():
    by_path = list(iter_entries(TWO))
    by_string = list(iter_entries(str(TWO)))
    with TWO.open("rb") as handle:
        by_handle = list(iter_entries(handle))
    assert by_path == by_string == by_handle and len(by_path) == 2


def test_parse_bytes_marks_entries_as_efetched():
    (entry, _) = parse_bytes(TWO.read_bytes(), origin="efetch id=11748933,11700088")
    assert entry.provenance.source == "efetch"
    assert entry.provenance.origin == "efetch id=11748933,11700088"


def test_missing_file_is_an_input_error_not_a_parse_error(tmp_path):
    from lmscite.errors import InputError

    with pytest.raises(InputError, match="cannot read") as caught:
        list(iter_entries(tmp_path / "nope.xml"))
    assert not isinstance(caught.value, ParseError)


# --- the reference page's records -------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> dict[str, Entry]:
    return {e.pmid: e for e in iter_entries(SEED)}


def test_all_19_seed_records_parse(seed):
    assert len(seed) == 19
    assert list(seed) == _pmids_in(SEED)


@pytest.mark.parametrize(("pmid", "journal", "volume", "issue", "pages"), [
    ("10749609", "Ann Surg", "231", "4", "500-5"),
    ("9834411", "J Gastrointest Surg", "2", "2", "151-5"),
    ("10654920", "Baillieres Best Pract Res Clin Gastroenterol", "13", "4", "557-74"),
    ("10615930", "Ann Surg", "230", "6", "759-65; discussion 765-6"),
    ("9194777", "Can J Surg", "40", "3", "175-81"),
])
def test_seed_citation_parts_match_the_page(seed, pmid, journal, volume, issue, pages):
    entry = seed[pmid]
    assert (entry.journal.medline_ta, entry.volume, entry.issue, entry.pagination) == (
        journal, volume, issue, pages)


def test_seed_dates_and_first_affiliation(seed):
    assert seed["9834411"].pub_date == PubDate(medline_date="1998 Mar-Apr")
    assert seed["10918156"].pub_date == PubDate(year="2000", month="Jul", day="15")
    lang = seed["10749609"]
    assert lang.authors[0].affiliations == [
        "Klinik fur Abdominal- und Transplantationschirurgie, Medizinische Hochschule "
        + "Hannover, Hannover, Germany. hauke.lang@uni-essen.de"]
    assert [a.last_name for a in lang.authors] == [
        "Lang", "Nussbaum", "Kaudel", "Fruhauf", "Flemming", "Raab"]
    assert lang.abstract.sections[0] == AbstractSection(text=lang.abstract.sections[0].text)
    assert lang.abstract.sections[0].text.startswith("Liver resection is the treatment of choice")
