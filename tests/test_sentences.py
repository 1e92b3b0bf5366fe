"""Numbered abstract sentences: medical-abstract rules, real abstracts, markup kept balanced."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lmscite.curation.sentences import Sentence, sentences, split
from lmscite.markup import escape, plain
from lmscite.model import Abstract, AbstractSection, Entry
from lmscite.pubmed.xml import iter_entries

XML = Path(__file__).parent / "data" / "xml"
SEED = Path(__file__).parent / "data" / "seed" / "liver-metastases.pubmed.xml"


def _entry(path: Path, pmid: str) -> Entry:
    return next(e for e in iter_entries(path) if e.pmid == pmid)


def _all_entries() -> list[Entry]:
    paths = sorted(XML.glob("*.xml")) + ([SEED] if SEED.exists() else [])
    return [entry for path in paths for entry in iter_entries(path)]


# --- what never ends a sentence -----------------------------------------------
# Each text is two sentences; the case sits in the first one, right before a
# capital, digit or bracket wherever it can, where a naive splitter would cut.

NO_BREAK = [
    ("p-equals", "Survival differed (P = 0.03, log-rank test) in favour of R0. Five died."),
    ("p-less-than-bare-decimal", "Rates fell (P<.001) in all groups. Five died."),
    ("p-glued-to-value", "Survivals were 70 and 3 months (P.001). Five died."),
    ("decimal-months", "Median survival was 20.5 months after R1/2 resection. Five died."),
    ("n-equals", "Tumours arose in the viscera (n = 6) or retroperitoneum (n = 5). Five died."),
    ("e-g", "Several drugs, e.g. Aspirin and heparin, were given. Five died."),
    ("i-e", "The primary end point, i.e. Overall survival, improved. Five died."),
    ("vs", "Survival was 40 vs. 20 months. Five died."),
    ("et-al", "As Smith et al. (2001) reported, rates rose. Five died."),
    ("fig", "Results are shown in Fig. 2 and Table 1. Five died."),
    ("figs", "See Figs. 3 and 4 for details. Five died."),
    ("approx", "We enrolled approx. 200 patients. Five died."),
    ("u-s", "Data came from U.S. Army hospitals. Five died."),
    ("no-before-number", "Trial No. 5 was stopped early. Five died."),
    ("ca", "The tumours measured ca. 3 cm. Five died."),
    ("cf", "This differs from earlier data (cf. Table 2). Five died."),
    ("dr", "Patients were seen by Dr. Smith at home. Five died."),
    ("st", "Patients were treated at St. Agnes Hospital. Five died."),
    ("inc", "Kits from Abbott Inc. (Chicago) were used. Five died."),
    ("ltd", "Reagents from Wako Ltd. (Osaka) were used. Five died."),
    ("co", "Reagents from Sigma Chemical Co. (St. Louis, MO) were used. Five died."),
    ("jr", "Data came from Martin Luther King Jr. Hospital records. Five died."),
    ("ph-d", "Each slide was read by a Ph.D. Pathologist and a technician. Five died."),
    ("m-d", "Each scan was read by an M.D. Radiologist. Five died."),
    ("leading-decimal", "Doses of .5 mg were given. Five died."),
    ("initial", "The method of J. Smith was used. Five died."),
    ("iv", "Gemcitabine 1000 mg/kg i.v. (days 1 and 8) was given. Five died."),
    ("bid", "Aspirin 100 mg b.i.d. (n = 12) was given. Five died."),
    ("po", "Tamoxifen 20 mg p.o. (daily) was given. Five died."),
    ("resp", "Rates were 31% and 45% (resp. 12 and 18 patients) overall. Five died."),
    ("eq", "Clearance was given by Eq. 3 in all cases. Five died."),
    ("ref", "The method was described in Ref. 12 in detail. Five died."),
    ("vol", "It was reported in vol. 2 of the series. Five died."),
    ("pp", "It was reported on pp. 12-18 of the report. Five died."),
    ("al", "As in Jones et al. 2003, rates rose. Five died."),
    ("genus-e-coli", "E. coli grew in four cultures. Five died."),
    ("genus-s-aureus", "Cultures grew S. aureus in four cases. Five died."),
    ("period-then-lowercase", "The dose was reduced to 50 mg. then it was stopped. Five died."),
    ("period-then-digit", "Version 2.1.3 of the software was used. Five died."),
]


@pytest.mark.parametrize("text", [text for _id, text in NO_BREAK],
                         ids=[case_id for case_id, _text in NO_BREAK])
def test_case_does_not_end_a_sentence(text: str) -> None:
    assert split(text) == [text.removesuffix(" Five died."), "Five died."]


# --- what does end a sentence ---------------------------------------------------

BREAK = [
    ("question-and-exclamation", "Is resection worthwhile? Yes, in selected cases! Survival doubled.",
     ["Is resection worthwhile?", "Yes, in selected cases!", "Survival doubled."]),
    ("period-inside-quote", 'He said "stop." Then he left.', ['He said "stop."', "Then he left."]),
    ("period-inside-bracket", "(This was rare.) Next one.", ["(This was rare.)", "Next one."]),
    ("digit-start", "Two patients died. 5 survived.", ["Two patients died.", "5 survived."]),
    ("bracket-start", "No deaths occurred. (One patient was lost.)",
     ["No deaths occurred.", "(One patient was lost.)"]),
    ("abbreviation-period-then-bracket-period", "Given 5 mg i.v.). Then it stopped.",
     ["Given 5 mg i.v.).", "Then it stopped."]),
    ("designator-letter", "Patients had hepatitis B. The others did not.",
     ["Patients had hepatitis B.", "The others did not."]),
    ("vitamin-letter", "All received vitamin D. Levels rose.", ["All received vitamin D.", "Levels rose."]),
    ("no-not-before-number", "The answer was no. The trial stopped.",
     ["The answer was no.", "The trial stopped."]),
    ("etc", "Fever, rash, etc. The rest recovered.", ["Fever, rash, etc.", "The rest recovered."]),
]


@pytest.mark.parametrize(("text", "expected"), [(t, e) for _i, t, e in BREAK],
                         ids=[case_id for case_id, _t, _e in BREAK])
def test_stop_ends_a_sentence(text: str, expected: list[str]) -> None:
    assert split(text) == expected


def test_end_of_text_ends_the_last_sentence_without_a_stop() -> None:
    assert split("First one. Second one has no stop") == ["First one.", "Second one has no stop"]


def test_sentences_are_stripped_and_whitespace_normalised() -> None:
    assert split("  First\n   one.\t\nSecond  one.  ") == ["First one.", "Second one."]


def test_empty_or_blank_text_has_no_sentences() -> None:
    assert split("") == []
    assert split(" \n\t ") == []


# --- ellipses, as on the reference page ------------------------------------------
# Excerpts as the reference page prints them (liver-metastases.txt).


def test_ellipsis_before_a_capital_ends_a_sentence() -> None:
    text = ("Leiomyosarcoma was the most common histological type of sarcoma diagnosed "
            "(five of 20 patients), ... Distant metastases (ten patients) were the predominant "
            "sites of initial treatment failure.")
    assert split(text) == [
        "Leiomyosarcoma was the most common histological type of sarcoma diagnosed "
        "(five of 20 patients), ...",
        "Distant metastases (ten patients) were the predominant sites of initial treatment "
        "failure.",
    ]


def test_leading_or_lone_ellipsis_belongs_to_the_next_sentence() -> None:
    text = ("... Twenty consecutive adult patients who had surgical treatment for primary hepatic "
            "sarcomas were reviewed. Patient age ranged from 23 to 80 years. .... Nineteen "
            "patients had hepatic resection and one patient had an orthotopic liver transplant.")
    assert split(text) == [
        "... Twenty consecutive adult patients who had surgical treatment for primary hepatic "
        "sarcomas were reviewed.",
        "Patient age ranged from 23 to 80 years.",
        ".... Nineteen patients had hepatic resection and one patient had an orthotopic liver "
        "transplant.",
    ]


def test_ellipsis_glued_to_the_next_word_is_not_split() -> None:
    text = ("Intraoperative ultrasound (IOUS) has emerged as an important tool with a sensitivity "
            "of 98 per cent...The use of IOUS modified the management of 44 per cent of our "
            "patients.")
    assert split(text) == [text]


def test_ellipsis_before_a_bracket_is_not_split() -> None:
    text = ("Liver metastases of colorectal cancer ...[has] a life-threatening prognostic aspect. "
            "Hepatic resection is the best therapeutic modality.")
    assert split(text) == [
        "Liver metastases of colorectal cancer ...[has] a life-threatening prognostic aspect.",
        "Hepatic resection is the best therapeutic modality.",
    ]


def test_bracketed_ellipsis_with_a_period_ends_a_sentence() -> None:
    assert split("Median survival was 31 months [...]. After R1 resection it was 28 months.") == [
        "Median survival was 31 months [...].", "After R1 resection it was 28 months."]


def test_ellipsis_then_period_of_the_next_sentence_is_one_boundary() -> None:
    assert split("... Treatment failure. ...Histological grade mattered (P= 0.03).") == [
        "... Treatment failure.", "...Histological grade mattered (P= 0.03)."]


# --- real abstracts ---------------------------------------------------------------


def test_seed_abstract_with_decimal_months_has_17_sentences() -> None:
    found = sentences(_entry(SEED, "10749609").abstract)
    assert len(found) == 17
    assert found[6].text == ("Median survival was 32 months after R0 resection and 20.5 months "
                             "after R1/2 resection.")


def test_seed_abstract_with_n_and_p_values_has_10_sentences() -> None:
    found = sentences(_entry(SEED, "9834411").abstract)
    assert len(found) == 10
    assert found[1].text == ("All liver resections were for leiomyosarcomas originating in the "
                             "viscera (n = 6) or retroperitoneum (n = 5).")
    assert found[7].text.endswith("(n = 5) (P = 0.03, log-rank test).")


def test_mathml_abstract_has_14_sentences_and_keeps_its_markup() -> None:
    found = sentences(_entry(XML / "bp_pubmed6_mathml_2018dtd.xml", "30108519").abstract)
    assert len(found) == 14
    assert found[6].fragment == ("LE<sub>min</sub> did not differ from LT (<i>P</i> = 0.71; "
                                 "ES: 0.08) and was 27% lower than MLSS (<i>P</i> &lt; 0.001; "
                                 "ES: 3.54).")
    assert found[6].text == ("LEmin did not differ from LT (P = 0.71; ES: 0.08) and was 27% "
                             "lower than MLSS (P < 0.001; ES: 3.54).")
    assert "<math>" in found[4].fragment and found[4].fragment.count("<math>") == 2


def test_structured_abstract_is_numbered_across_sections_with_labels() -> None:
    path = XML / "hawc_23878845_16080930_season_2024.xml"
    found = sentences(_entry(path, "16080930").abstract)
    assert [s.number for s in found] == list(range(1, 12))
    assert [s.label for s in found] == (["BACKGROUND/AIM"] * 3 + ["MATERIAL AND METHODS"] * 4
                                        + ["RESULTS"] * 2 + ["CONCLUSIONS"] * 2)
    assert found[3] == Sentence(
        4, "MATERIAL AND METHODS",
        "Time-mated Sprague-Dawley female rats were exposed to either vehicle (control) or 100 mg "
        "of nitrofen (experimental) on day 9.5 of gestation.",
        "Time-mated Sprague-Dawley female rats were exposed to either vehicle (control) or 100 mg "
        "of nitrofen (experimental) on day 9.5 of gestation.")


def test_sentences_are_the_same_in_pretty_printed_and_compact_records() -> None:
    pretty = _entry(XML / "hawc_23878845_16080930_medlinedate_2020.xml", "23878845")
    compact = _entry(XML / "hawc_23878845_16080930_season_2024.xml", "23878845")
    assert sentences(pretty.abstract) == sentences(compact.abstract)


def test_abstract_without_sections_has_no_sentences() -> None:
    assert sentences(_entry(XML / "mp_11618220_abbrev_pages_no_abstract.xml", "11618220")
                     .abstract) == []


def test_every_fixture_sentence_fragment_is_balanced_and_matches_its_text() -> None:
    checked = 0
    for entry in _all_entries():
        for sentence in sentences(entry.abstract):
            ET.fromstring(f"<f>{sentence.fragment}</f>")
            assert plain(sentence.fragment) == sentence.text
            checked += 1
    assert checked > 400


def test_every_fixture_abstract_loses_no_text() -> None:
    for entry in _all_entries():
        whole = " ".join(" ".join(plain(s.text).split()) for s in entry.abstract.sections)
        assert " ".join(s.text for s in sentences(entry.abstract)) == whole, entry.pmid


# --- markup across a boundary -------------------------------------------------------


def test_tag_spanning_a_boundary_is_closed_and_reopened() -> None:
    abstract = Abstract([AbstractSection("We grew <i>E. coli. Next <b>it</b></i> died.")])
    assert [s.fragment for s in sentences(abstract)] == [
        "We grew <i>E. coli.</i>", "<i>Next <b>it</b></i> died."]


def test_tags_between_sentences_go_with_the_sentence_they_open() -> None:
    abstract = Abstract([AbstractSection("First <i>one.</i> <sup>2</sup>H was used.")])
    assert [s.fragment for s in sentences(abstract)] == [
        "First <i>one.</i>", "<sup>2</sup>H was used."]


def test_mathml_attributes_are_kept_when_a_tag_is_reopened() -> None:
    abstract = Abstract([AbstractSection(
        '<math display="block"><mi>x</mi><mo>.</mo> <mi>Y</mi></math> rose.')])
    assert [s.fragment for s in sentences(abstract)] == [
        '<math display="block"><mi>x</mi><mo>.</mo></math>',
        '<math display="block"><mi>Y</mi></math> rose.']


def test_entities_stay_escaped_in_the_fragment_and_resolved_in_the_text() -> None:
    (only,) = sentences(Abstract([AbstractSection("Levels were &lt;5 &amp; falling.")]))
    assert (only.fragment, only.text) == ("Levels were &lt;5 &amp; falling.",
                                          "Levels were <5 & falling.")


# --- properties -----------------------------------------------------------------------

_TEXT = st.text(alphabet=st.sampled_from(list("aZe Pn.!?()[]\"'0 5\n\t\u00a0\u2026.. ")),
                max_size=120)


@given(_TEXT)
def test_split_loses_no_text_and_returns_no_empty_sentence(text: str) -> None:
    found = split(text)
    assert " ".join(found) == " ".join(text.split())
    assert all(found)


@given(st.lists(st.tuples(_TEXT, st.sampled_from(["", "i", "b", "sup"])), max_size=6))
def test_sentence_fragments_are_balanced_for_any_markup(runs: list[tuple[str, str]]) -> None:
    fragment = "".join(f"<{tag}>{escape(text)}</{tag}>" if tag else escape(text)
                       for text, tag in runs)
    found = sentences(Abstract([AbstractSection(fragment)]))
    for sentence in found:
        ET.fromstring(f"<f>{sentence.fragment}</f>")
        assert plain(sentence.fragment) == sentence.text
    assert [s.text for s in found] == split(plain(fragment))
