"""BibTeX, RIS, CSL-JSON and JSON exports, read back by the tools users import them with.

Every record of the real fixtures is exported and parsed again (bibtexparser,
rispy, citeproc-py); what the parser sees must be what the record says.
Golden files in tests/golden are rewritten only with LMSCITE_REGEN_GOLDEN=1.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from pylatexenc.latex2text import (
    LatexNodes2Text,
    MacroTextSpec,
    get_default_latex_context_db,
)

from lmscite import markup
from lmscite.curation.edit import Edit, annotate
from lmscite.curation.excerpt import Gloss
from lmscite.model import Author, Entry
from lmscite.pubmed.xml import iter_entries
from lmscite.render import ExportOptions, renderer

DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parent / "golden"
SEED = DATA / "seed" / "liver-metastases.pubmed.xml"
FIXTURES = sorted(p for p in (DATA / "xml").glob("*.xml") if "empty_set" not in p.name) + [SEED]
STAMP = "2025-01-01T00:00:00Z"


@lru_cache(maxsize=None)
def _parsed(path: Path) -> tuple[Entry, ...]:
    """Each fixture parsed once; tests copy entries (dataclasses.replace) rather than change them."""
    return tuple(iter_entries(path))


def load(name: str) -> list[Entry]:
    return list(_parsed(SEED if name == "liver-metastases" else DATA / "xml" / f"{name}.xml"))


def every_entry() -> list[Entry]:
    return [entry for path in FIXTURES for entry in _parsed(path)]


def by_pmid(name: str, pmid: str) -> Entry:
    return next(e for e in load(name) if e.pmid == pmid)


def curated(entry: Entry, **edit) -> Entry:
    changed = annotate(entry, Edit(**edit), stamp=STAMP)
    assert changed is not None
    return changed


def export(fmt: str, entries: list[Entry], **options) -> str:
    return renderer(fmt)(entries, ExportOptions(format=fmt, **options))


def folded(text: str) -> str:
    return " ".join(text.split())


def plain(fragment: str) -> str:
    return folded(markup.plain(fragment))


def as_latex_sets(text: str) -> str:
    """What LaTeX prints for text: `--` and `---` are its dashes (PubMed writes dashes that way)."""
    return text.replace("---", "—").replace("--", "–")


# --- reading BibTeX back ---------------------------------------------------------------------

def _latex_decoder() -> LatexNodes2Text:
    """pylatexenc, taught the text-mode escapes the exporter uses for braces and carets."""
    context = get_default_latex_context_db()
    context.add_context_category("lmscite-test", prepend=True, macros=[
        MacroTextSpec("textbraceleft", "{"), MacroTextSpec("textbraceright", "}"),
        MacroTextSpec("textasciicircum", "^"), MacroTextSpec("textasciitilde", "~"),
        MacroTextSpec("textless", "<"), MacroTextSpec("textgreater", ">"), MacroTextSpec("textbar", "|")])
    return LatexNodes2Text(latex_context=context, math_mode="verbatim", strict_latex_spaces=True)


DECODER = _latex_decoder()


def decode(value: str) -> str:
    return folded(DECODER.latex_to_text(value))


def parse_bib(text: str) -> dict[str, dict]:
    """Key -> fields as text, names as (last, first): split brace-aware first, then LaTeX decoded."""
    library = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors(), SplitNameParts()])
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    assert not library.comments, [c.comment for c in library.comments]
    found = {}
    for entry in library.entries:
        fields = {"ENTRYTYPE": entry.entry_type}
        for field in entry.fields:
            if field.key in ("author", "editor"):
                fields[field.key] = [(decode(" ".join(n.von + n.last)), decode(" ".join(n.first)))
                                     for n in field.value]
            else:
                fields[field.key] = decode(field.value)
        assert entry.key not in found
        found[entry.key] = fields
    return found


def bib_name(author: Author) -> tuple[str, str]:
    if author.collective_name:
        return author.collective_name, ""
    given = author.fore_name or author.initials or ""
    if given == author.initials:
        given = " ".join(f"{letter}." for letter in given)
    return author.last_name or "", given


def valid_authors(entry: Entry) -> list[Author]:
    return [a for a in entry.authors if a.valid]


# --- BibTeX ----------------------------------------------------------------------------------

def test_bibtex_of_every_fixture_reads_back_with_the_same_authors_titles_years_and_pages():
    entries = every_entry()
    parsed = list(parse_bib(export("bibtex", entries)).values())
    assert len(parsed) == len(entries)
    for entry, fields in zip(entries, parsed):
        assert fields["title"] == as_latex_sets(plain(entry.title)), entry.pmid
        assert fields.get("author", []) == [bib_name(a) for a in valid_authors(entry)], entry.pmid
        assert fields["year"] == entry.year, entry.pmid
        assert fields["pmid"] == entry.pmid
        if entry.start_page and entry.end_page:
            assert fields["pages"].startswith(f"{entry.start_page}–{entry.end_page}"), entry.pmid
        elif entry.start_page:
            assert fields["pages"] == entry.start_page, entry.pmid


def test_bibtex_writes_medline_page_ranges_out_in_full():
    eimeria = by_pmid("ncbi_efetch_pubmed_17284678_9997_2013dtd", "17284678")
    wigmore = replace(eimeria, pagination="759-65; discussion 765-6", start_page="759", end_page="765")
    text = export("bibtex", [eimeria, wigmore])
    assert eimeria.pagination == "311-9" and eimeria.start_page is None
    assert "pages = {311--319}," in text
    assert "pages = {759--765; discussion 765--766}," in text


def test_bibtex_keys_are_the_first_author_folded_to_ascii_and_the_year():
    entries = [by_pmid("hawc_23878845_16080930_season_2024", "16080930"),
               load("hawc_21813142_spanish_vernacular_letter")[0],
               load("hawc_21860499_collective_author")[0],
               load("hawc_26468569_book_collective_editors")[0],
               load("liver-metastases")[0]]
    keys = list(parse_bib(export("bibtex", entries)))
    assert entries[0].authors[0].last_name == "González-Reyes"
    assert keys == ["GonzalezReyes2005", "MonteroRuiz2012", "National2011", "Committee2015", "Lang2000"]


def test_bibtex_key_folds_letters_that_have_no_accent_to_strip():
    entry = load("liver-metastases")[0]
    odegard = replace(entry, authors=[Author(last_name="Ødegård-Łukasz", fore_name="Ærø")])
    assert list(parse_bib(export("bibtex", [odegard]))) == ["OdegardLukasz2000"]


def test_bibtex_keys_get_a_letter_when_they_collide():
    season = load("hawc_23878845_16080930_season_2024")
    medline_date = load("hawc_23878845_16080930_medlinedate_2020")
    keys = list(parse_bib(export("bibtex", season + medline_date + season[:1])))
    assert keys == ["Hajizadeh2013", "GonzalezReyes2005", "Hajizadeh2013a", "GonzalezReyes2005a",
                    "Hajizadeh2013b"]


def test_bibtex_key_falls_back_to_the_pmid_without_a_name_to_fold():
    entry = replace(load("liver-metastases")[0], authors=[Author(last_name="王")])
    assert list(parse_bib(export("bibtex", [entry]))) == ["pmid10749609"]


def test_bibtex_chapter_is_incollection_with_its_book_and_editors():
    chapter = load("hawc_20301382_book_chapter_genereviews")[0]
    fields = parse_bib(export("bibtex", [chapter]))["Goldstein1993"]
    assert fields["ENTRYTYPE"] == "incollection"
    assert fields["title"] == "Single Large-Scale Mitochondrial DNA Deletion Syndromes"
    assert fields["booktitle"] == "GeneReviews®"
    assert fields["editor"][0] == ("Adam", "Margaret P") and len(fields["editor"]) == 8
    assert (fields["publisher"], fields["address"]) == ("University of Washington, Seattle", "Seattle (WA)")


def test_bibtex_chapter_without_editors_is_inbook():
    chapter = load("hawc_20301382_book_chapter_genereviews")[0]
    alone = replace(chapter, book=replace(chapter.book, editors=[]))
    assert parse_bib(export("bibtex", [alone]))["Goldstein1993"]["ENTRYTYPE"] == "inbook"


def test_bibtex_whole_books_are_book_with_publisher_isbn_and_editors_when_no_authors():
    books = load("hawc_26468569_book_collective_editors") + load("ncbi_efetch_pubmedbook_20301295_2013dtd")
    parsed = parse_bib(export("bibtex", books))
    academies, genereviews = parsed["Committee2015"], parsed["Pagon1993"]
    assert academies["ENTRYTYPE"] == genereviews["ENTRYTYPE"] == "book"
    assert academies["isbn"] == "9780309376662"
    assert academies["publisher"] == "National Academies Press (US)"
    assert academies["author"][-1] == ("The National Academies of Sciences, Engineering, and Medicine", "")
    assert "author" not in genereviews and genereviews["editor"][0] == ("Pagon", "Roberta A")


def test_bibtex_collective_names_stay_one_name_even_with_and_or_commas():
    book = load("hawc_26468569_book_collective_editors")[0]
    text = export("bibtex", [book])
    assert "{Board on Environmental Studies and Toxicology}" in text
    assert len(parse_bib(text)["Committee2015"]["author"]) == 6


def test_bibtex_turns_markup_into_latex_commands():
    phoenix = load("hawc_27933116_markup_in_title")[0]
    chapter = load("hawc_20301382_book_chapter_genereviews")[0]
    text = export("bibtex", [phoenix, chapter])
    assert (r"title = {\textit{Phoenix dactylifera} mediated green synthesis of "
            r"{Cu}\textsubscript{2}{O} particles") in text
    assert r"booktitle = {{GeneReviews}\textsuperscript{®}}" in text


def test_bibtex_writes_mathml_as_its_text():
    runners = load("bp_pubmed6_mathml_2018dtd")[0]
    text = export("bibtex", [runners])
    assert "<math" not in text and "<mi>" not in text
    assert "maximal oxygen uptake ( V.O2max )" in parse_bib(text)["GarciaTabar2018"]["abstract"]


def test_bibtex_braces_words_with_capitals_so_styles_keep_their_case():
    text = export("bibtex", load("bp_pubmed1_season_kie"))
    assert "title = {The treatment of {AIDS} behind the walls of correctional facilities.}," in text
    assert "{Chromatium} flavocytochrome {C552}. {A} mechanism" in text


def test_bibtex_keeps_unicode_as_utf8():
    norwegian = load("mp_36987902_norwegian_vernacular_structured_eloc_only")[0]
    text = export("bibtex", [norwegian])
    assert "author = {Bruserud, Øyvind" in text
    assert parse_bib(text)["Bruserud2023"]["author"][0] == ("Bruserud", "Øyvind")


def test_bibtex_month_is_the_standard_macro_and_seasons_have_none():
    text = export("bibtex", load("liver-metastases")[:1] + load("bp_pubmed1_season_kie")[:1])
    records = text.split("\n@")
    assert "  month = apr,\n" in records[0]
    assert "month" not in records[1]


def test_bibtex_carries_notes_excerpt_tags_and_section():
    lang = curated(load("liver-metastases")[0], excerpt="...1-2, ...13", notes=["First series of its kind."],
                   glosses=[Gloss("the treatment of choice", "for colorectal metastases")],
                   tags=["leiomyosarcoma", "R0"], section="Liver Metastases & Surgical Resection")
    fields = parse_bib(export("bibtex", [lang]))["Lang2000"]
    assert fields["note"] == (
        "First series of its kind. Excerpt: ... Liver resection is the treatment of choice "
        "[for colorectal metastases Ed.] for hepatic metastases from colorectal carcinoma. In contrast, "
        "the role of liver resection for hepatic metastases from leiomyosarcoma has not been defined. ... "
        "Despite frequent tumor recurrence, the long-term outcome after liver resection for hepatic "
        "metastases from leiomyosarcoma is superior to that after chemotherapy and chemoembolization. ... "
        "Section: Liver Metastases & Surgical Resection.")
    assert fields["keywords"] == "leiomyosarcoma, R0"
    assert fields["groups"] == "Liver Metastases & Surgical Resection"


def test_bibtex_doi_is_verbatim_with_only_field_breaking_characters_encoded():
    entry = load("liver-metastases")[0]
    sici = "10.1002/(SICI)1097-0142(20000715)89:2<276::AID-CNCR11>3.0.CO;2-Z"
    odd = replace(entry, article_ids={"doi": "10.1000/a{b}%c#d e\\f"})
    text = export("bibtex", [replace(entry, article_ids={"doi": sici}), odd])
    assert f"doi = {{{sici}}}," in text
    assert "doi = {10.1000/a%7Bb%7D%25c%23d%20e%5Cf}," in text


def test_bibtex_leaves_the_abstract_out_when_asked():
    assert "abstract =" not in export("bibtex", load("liver-metastases")[:1], abstract="none")


def test_bibtex_spells_out_bare_initials_so_styles_keep_each_one():
    text = export("bibtex", load("liver-metastases")[:1])
    assert "author = {Lang, H. and Nussbaum, K. T. and Kaudel, P." in text
    assert parse_bib(text)["Lang2000"]["author"][1] == ("Nussbaum", "K. T.")


def test_bibtex_writes_all_474_authors():
    big = load("sul_26430984_474_authors_compact_2022")[0]
    fields = parse_bib(export("bibtex", [big]))["Abdesselam2015"]
    assert len(fields["author"]) == 474
    assert fields["author"] == [bib_name(a) for a in big.authors]


HOSTILE_TEXT = ("Evil } title {{ with \\ backslash, 100% & $5 #1 a_b x^2 ~tilde a|b "
                "\n@misc{injected, title={x}}\nER  - \nTY  - JOUR <script>alert(1)</script>")


def hostile_entry() -> Entry:
    entry = load("liver-metastases")[0]
    entry = replace(
        entry,
        title=markup.escape(HOSTILE_TEXT) + " <i>in italics}</i>",
        authors=[Author(last_name="O'Brien} and {X", fore_name="Jo\nER  - x"),
                 Author(collective_name="Group } and {Other, Team\\")],
        journal=replace(entry.journal, title="J {Evil\n@article{x,"),
    )
    return curated(entry, notes=["note }\n@misc{inj,\n  title = {x}}\nER  - \n<script>x</script>"],
                   tags=["a}b", "c\\d"], section="S & P {x")


def test_bibtex_hostile_record_text_stays_inside_its_fields():
    entry = hostile_entry()
    parsed = parse_bib(export("bibtex", [entry]))
    assert list(parsed) == ["OBrienandX2000"]
    fields = parsed["OBrienandX2000"]
    assert fields["title"] == folded(HOSTILE_TEXT) + " in italics}"
    assert fields["author"] == [("O'Brien} and {X", "Jo ER - x"), ("Group } and {Other, Team\\", "")]
    assert fields["journal"] == "J {Evil @article{x,"
    assert fields["note"] == "note } @misc{inj, title = {x}} ER - <script>x</script>. Section: S & P {x."
    assert fields["groups"] == "S & P {x"
    assert fields["keywords"] == "a}b, c\\d"


# --- RIS -------------------------------------------------------------------------------------

def ris_name(author: Author) -> str:
    if author.collective_name:
        return author.collective_name + ","
    return f"{author.last_name}, {author.fore_name or author.initials}"


def test_ris_of_every_fixture_reads_back_with_the_same_fields():
    entries = every_entry()
    records = rispy.loads(export("ris", entries))
    assert len(records) == len(entries)
    for entry, record in zip(entries, records):
        assert record["title"] == plain(entry.title), entry.pmid
        assert record.get("authors", []) == [ris_name(a) for a in valid_authors(entry)], entry.pmid
        assert record["year"] == entry.year, entry.pmid
        assert record["accession_number"] == entry.pmid
        assert record["urls"] == [f"https://pubmed.ncbi.nlm.nih.gov/{entry.pmid}/"]
        assert record.get("doi") == entry.doi, entry.pmid
        assert record.get("volume") == (entry.volume or (entry.book.volume if entry.book else None))
        assert record.get("number") == entry.issue, entry.pmid
        if entry.start_page:
            assert (record["start_page"], record.get("end_page")) == (entry.start_page, entry.end_page)
        if entry.journal:
            assert record["type_of_reference"] == "JOUR"
            assert record["journal_name"] == entry.journal.iso_abbreviation or entry.journal.medline_ta


def test_ris_journal_is_t2_in_full_with_jo_and_ja_abbreviations():
    record = rispy.loads(export("ris", load("bp_pubmed7_mathml_collective_2019dtd")))[0]
    assert record["secondary_title"] == "Journal of medical imaging (Bellingham, Wash.)"
    assert record["journal_name"] == "J Med Imaging (Bellingham)"
    assert record["alternate_title2"] == "J Med Imaging (Bellingham)"
    assert record["issn"] == "2329-4302"


def test_ris_pages_of_medline_ranges_are_written_out():
    eimeria = by_pmid("ncbi_efetch_pubmed_17284678_9997_2013dtd", "17284678")
    record = rispy.loads(export("ris", [eimeria]))[0]
    assert (record["start_page"], record["end_page"]) == ("311", "319")


def test_ris_article_number_is_a_start_page_alone():
    record = rispy.loads(export("ris", load("mp_35108047_elocator_page_doi_pii")))[0]
    assert record["start_page"] == "eabl6449" and "end_page" not in record


def test_ris_dates_keep_month_day_and_season():
    records = rispy.loads(export("ris", load("bp_pubmed1_season_kie")[:1]
                                 + load("hawc_21813142_spanish_vernacular_letter")
                                 + load("hawc_23878845_16080930_medlinedate_2020")[:1]))
    assert [r["date"] for r in records] == ["1990///Spring", "2012/02/25/", "2013///Nov-Dec"]


def test_ris_chapter_is_chap_with_book_title_and_editors():
    record = rispy.loads(export("ris", load("hawc_20301382_book_chapter_genereviews")))[0]
    assert record["type_of_reference"] == "CHAP"
    assert record["secondary_title"] == "GeneReviews®"
    assert record["secondary_authors"][0] == "Adam, Margaret P"
    assert (record["publisher"], record["place_published"]) == ("University of Washington, Seattle",
                                                                "Seattle (WA)")


def test_ris_whole_book_is_book_with_publisher_and_isbn():
    record = rispy.loads(export("ris", load("hawc_26468569_book_collective_editors")))[0]
    assert record["type_of_reference"] == "BOOK"
    assert record["issn"] == "9780309376662"
    assert record["publisher"] == "National Academies Press (US)"
    assert record["authors"][1] == "Committee on Toxicology,"


def test_ris_strips_markup_from_titles():
    record = rispy.loads(export("ris", load("hawc_27933116_markup_in_title")))[0]
    assert record["title"].startswith("Phoenix dactylifera mediated green synthesis of Cu2O particles")


def test_ris_abstract_keeps_section_labels_on_one_line():
    text = export("ris", load("mp_38534005_collective_structured_nonascii"))
    abstract = rispy.loads(text)[0]["abstract"]
    assert abstract.startswith("BACKGROUND: The EFLM Task and Finish Group") and "\n" not in abstract
    assert " RECOMMENDATIONS: " in abstract
    assert sum(line.startswith("AB  - ") for line in text.splitlines()) == 1


def test_ris_carries_notes_excerpt_tags_then_mesh_then_keywords():
    entry = curated(load("bp_pubmed4_structured_abstract_refs_2018dtd")[0], excerpt="2",
                    notes=["Large cohort."], tags=["telomeres"], section="Genetics")
    record = rispy.loads(export("ris", [entry]))[0]
    excerpt = plain(next(p.text for p in entry.curation.excerpt if p.kind == "quote"))
    assert record["notes"] == ["Large cohort.", f"Excerpt: ... {excerpt} ...", "Section: Genetics"]
    assert record["keywords"][0] == "telomeres"
    assert record["keywords"][1] == entry.mesh[0].descriptor
    assert record["keywords"][-1] == entry.keywords[-1]


def test_ris_hostile_record_text_cannot_end_or_start_a_record():
    entry = hostile_entry()
    records = rispy.loads(export("ris", [entry, load("liver-metastases")[1]]))
    assert len(records) == 2
    assert records[0]["title"] == folded(HOSTILE_TEXT) + " in italics}"
    assert records[0]["authors"] == ["O'Brien} and {X, Jo ER - x", "Group } and {Other, Team\\,"]
    assert records[0]["notes"][0] == "note } @misc{inj, title = {x}} ER - <script>x</script>"
    assert records[1]["accession_number"] == "9834411"


def test_ris_every_line_is_a_tag_line():
    text = export("ris", [hostile_entry()] + every_entry())
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in text.splitlines() if line)


# --- CSL-JSON --------------------------------------------------------------------------------

STYLE = "harvard-cite-them-right"


def bibliography(items: list[dict]) -> list[str]:
    """The items as citeproc-py's bundled Harvard style prints them, markup tags removed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        source = CiteProcJSON(items)
    style = CitationStylesStyle(STYLE, validate=False)
    bib = CitationStylesBibliography(style, source, formatter.plain)
    for item in items:
        bib.register(Citation([CitationItem(item["id"])]))
    by_id = {str(ref.key): str(text) for ref, text in zip(bib.items, bib.bibliography())}
    return [re.sub(r"</?(i|b|sup|sub)>", "", by_id[item["id"].lower()]) for item in items]


def test_csljson_of_every_fixture_renders_with_citeproc_giving_authors_title_and_year():
    entries = every_entry()
    items = json.loads(export("csljson", entries))
    assert len(items) == len(entries)
    for entry, text in zip(entries, bibliography(items)):
        first = (valid_authors(entry) or entry.book.editors)[0]
        assert (first.collective_name or first.last_name) in text, entry.pmid
        assert f"({entry.year})" in text, entry.pmid
        assert plain(entry.title) in text, entry.pmid


def test_csljson_items_carry_ids_types_names_dates_and_pages():
    entries = (load("liver-metastases")[:1] + load("hawc_20301382_book_chapter_genereviews")
               + load("hawc_26468569_book_collective_editors") + load("bp_pubmed1_season_kie")[:1])
    lang, chapter, book, season = json.loads(export("csljson", entries))
    assert (lang["id"], lang["citation-key"]) == ("pmid:10749609", "Lang2000")
    assert lang["type"] == "article-journal"
    assert lang["author"][0] == {"family": "Lang", "given": "H"}
    assert lang["issued"] == {"date-parts": [[2000, 4]]}
    assert lang["page"] == "500-505"
    assert (lang["container-title"], lang["PMID"]) == ("Ann Surg", "10749609")
    assert (chapter["type"], chapter["container-title"]) == ("chapter", "GeneReviews<sup>®</sup>")
    assert chapter["editor"][0] == {"family": "Adam", "given": "Margaret P"}
    assert (book["type"], book["ISBN"], book["DOI"]) == ("book", "9780309376662", "10.17226/21775")
    assert book["author"][0] == {"literal": "Committee on Predictive-Toxicology Approaches for "
                                            "Military Assessments of Acute Exposures"}
    assert season["issued"] == {"date-parts": [[1990]], "season": "Spring"}


def test_csljson_medline_date_gives_the_year_and_its_months_as_season():
    item = json.loads(export("csljson", load("hawc_23878845_16080930_medlinedate_2020")[:1]))[0]
    assert item["issued"] == {"date-parts": [[2013]], "season": "Nov-Dec"}


def test_csljson_title_keeps_csl_markup_and_mathml_as_text():
    items = json.loads(export("csljson", load("hawc_27933116_markup_in_title")
                              + load("bp_pubmed6_mathml_2018dtd")))
    assert items[0]["title"].startswith("<i>Phoenix dactylifera</i> mediated green synthesis of "
                                        "Cu<sub>2</sub>O particles")
    assert "( V.O2max )" in items[1]["abstract"]


def test_csljson_carries_curation_in_note_and_tags_in_keyword():
    entry = curated(load("liver-metastases")[0], excerpt="1", notes=["See also Chen 1998."],
                    tags=["leiomyosarcoma", "review"], section="Resection")
    item = json.loads(export("csljson", [entry]))[0]
    assert item["note"].split("\n") == [
        "See also Chen 1998.",
        "Excerpt: Liver resection is the treatment of choice for hepatic metastases from colorectal "
        "carcinoma. ...",
        "Section: Resection"]
    assert item["keyword"] == "leiomyosarcoma, review"


def test_csljson_keeps_hostile_text_as_data():
    item = json.loads(export("csljson", [hostile_entry()]))[0]
    assert item["title"] == folded(HOSTILE_TEXT) + " <i>in italics}</i>"
    assert item["author"][1] == {"literal": "Group } and {Other, Team\\"}


def test_csljson_citation_keys_match_the_bibtex_keys():
    entries = load("hawc_23878845_16080930_season_2024") * 2
    items = json.loads(export("csljson", entries))
    assert [i["citation-key"] for i in items] == list(parse_bib(export("bibtex", entries)))


# --- JSON and JSONL --------------------------------------------------------------------------

def test_json_is_one_array_that_reads_back_as_the_same_entries():
    entries = [curated(load("liver-metastases")[0], excerpt="1-2", tags=["x"])] + every_entry()
    text = export("json", entries)
    assert [Entry.from_dict(d) for d in json.loads(text)] == entries
    assert "González-Reyes" in text


def test_jsonl_is_one_entry_per_line():
    entries = load("bp_pubmed2_two_articles")
    lines = export("jsonl", entries).splitlines()
    assert [Entry.from_dict(json.loads(line)) for line in lines] == entries


# --- golden files ----------------------------------------------------------------------------

GOLDEN_FIXTURES = [
    "liver-metastases",
    "bp_pubmed1_season_kie",
    "hawc_20301382_book_chapter_genereviews",
    "hawc_23878845_16080930_medlinedate_2020",
    "hawc_26468569_book_collective_editors",
    "hawc_27933116_markup_in_title",
    "mp_35108047_elocator_page_doi_pii",
    "mp_38534005_collective_structured_nonascii",
]
GOLDEN_FORMATS = {"bibtex": "bib", "ris": "ris", "csljson": "csl.json"}


def golden_entries(name: str) -> list[Entry]:
    """The fixture's entries, the first one curated as on the reference page."""
    entries = load(name)
    if name == "liver-metastases":
        entries[0] = curated(
            entries[0], excerpt="...1-2, ...3-5, ...6-12, ...13-17",
            glosses=[Gloss("15 R0", "R0 resection is clear surgical margins.")],
            notes=["Leiomyosarcoma metastases: resect when an R0 resection is possible."],
            tags=["leiomyosarcoma"], section="Liver Metastases & Surgical Resection", order=1)
    return entries


@pytest.mark.parametrize("fmt", GOLDEN_FORMATS)
@pytest.mark.parametrize("name", GOLDEN_FIXTURES)
def test_export_matches_its_golden_file(name, fmt):
    path = GOLDEN / f"{name}.{GOLDEN_FORMATS[fmt]}"
    text = export(fmt, golden_entries(name))
    if os.environ.get("LMSCITE_REGEN_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        pytest.skip(f"regenerated {path.name}")
    assert path.exists(), f"{path} is missing: run with LMSCITE_REGEN_GOLDEN=1 and review the diff"
    assert text == path.read_text(encoding="utf-8")


# --- a record with an empty ArticleTitle ------------------------------------------------------

XML_DATA = Path(__file__).parent / "data" / "xml"
TITLE_ELEMENT = re.compile(rb"<ArticleTitle>.*?</ArticleTitle>", re.DOTALL)
UNTITLED = {
    False: ("cyanheads_31844417_retracted_retractionin_2025dtd.xml", "31844417"),
    True: ("mp_38048813_german_vernacular_bracket_title.xml", "38048813"),
}
"""A real record with an abstract and no vernacular title, and one with a vernacular title."""


def _untitled(tmp_path: Path, vernacular: bool) -> tuple[Path, str]:
    """The real record with its ArticleTitle emptied, and its PMID."""
    name, pmid = UNTITLED[vernacular]
    body, count = TITLE_ELEMENT.subn(b"<ArticleTitle></ArticleTitle>", (XML_DATA / name).read_bytes(), count=1)
    assert count == 1
    path = tmp_path / "untitled.xml"
    path.write_bytes(body)
    return path, pmid


UNTITLED_VIEWS = {
    "show": ["show", "{pmid}"],
    "list": ["list", "--format", "tsv"],
    "markdown": ["export", "--format", "markdown"],
    "html": ["export", "--format", "html"],
    "bibtex": ["export", "--format", "bibtex"],
    "ris": ["export", "--format", "ris"],
    "csljson": ["export", "--format", "csljson"],
}


def _view(run, view: str, pmid: str) -> str:
    shown = run(*(arg.format(pmid=pmid) for arg in UNTITLED_VIEWS[view]))
    assert shown.code == 0, shown.err
    return shown.out


@pytest.mark.parametrize("view", UNTITLED_VIEWS, ids=list(UNTITLED_VIEWS))
def test_an_untitled_record_shows_no_title_available_everywhere(run, tmp_path, view):
    path, pmid = _untitled(tmp_path, vernacular=False)
    assert run("import", path).code == 0
    shown = _view(run, view, pmid)
    assert re.search(r"\\?\[No title available\\?\]", shown), shown
    assert "****" not in shown and '<h3 class="title"></h3>' not in shown


@pytest.mark.parametrize("view", UNTITLED_VIEWS, ids=list(UNTITLED_VIEWS))
def test_an_untitled_record_shows_its_vernacular_title_in_brackets_once(run, tmp_path, view):
    path, pmid = _untitled(tmp_path, vernacular=True)
    assert run("import", path).code == 0
    shown = _view(run, view, pmid)
    every = re.findall(r"(.)A \{?Broader", shown)
    assert every and set(every) == {"["}, shown
    assert "No title available" not in shown
