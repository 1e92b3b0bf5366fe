"""Excerpts written as they should appear: read into anchored pieces, found again, written back."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from records import fixture, seed

from lmscite.anchor import Drift, abstract_text, closest_passage, locate
from lmscite.curation.written import (
    BREAK,
    GAP,
    GLOSS,
    INSERT,
    LITERAL,
    QUOTE,
    NotInAbstract,
    anchor_of,
    read_written,
    written_form,
)
from lmscite.errors import InputError
from lmscite.model import AbstractSection, Entry

STRUCTURED = "bp_pubmed4_structured_abstract_refs_2018dtd.xml"
MATHML = "bp_pubmed6_mathml_2018dtd.xml"


def text_of(entry: Entry):
    return abstract_text(entry.abstract)


def kinds(pieces) -> list[str]:
    return [piece.kind for piece in pieces]


def quoted(pieces) -> list[str]:
    return [piece.text for piece in pieces if piece.kind == QUOTE]


# --- quotes -------------------------------------------------------------------------------------


def test_a_quote_inside_a_sentence_is_anchored_at_its_offsets_with_context():
    text = text_of(seed("10749609"))
    [piece] = read_written(text, "underwent a total of 34 liver resections", "10749609")
    assert text.text[piece.start:piece.end] == piece.text == "underwent a total of 34 liver resections"
    assert text.text[:piece.start].endswith(piece.prefix) and piece.prefix
    assert text.text[piece.end:].startswith(piece.suffix) and piece.suffix


def test_a_quote_runs_across_a_sentence_boundary():
    text = text_of(seed("10749609"))
    pieces = read_written(text, "has not been defined. The records of 26 patients", "10749609")
    assert quoted(pieces) == ["has not been defined. The records of 26 patients"]


def test_a_quote_runs_across_the_sections_of_a_structured_abstract():
    text = text_of(fixture(STRUCTURED))
    pieces = read_written(text, "cohorts. ORs and 95% CIs were calculated", "27797938")
    assert kinds(pieces) == [QUOTE]
    assert "\n" not in written_form(pieces)


def test_section_labels_are_not_quotable_text():
    text = text_of(fixture(STRUCTURED))
    with pytest.raises(NotInAbstract):
        read_written(text, "DESIGN: We measured prediagnostic leucocyte telomere length", "27797938")


def test_a_quote_is_found_whatever_its_white_space():
    text = text_of(seed("10749609"))
    pieces = read_written(text, "there  were\n15 R0,3 R1", "10749609")
    assert quoted(pieces) == ["there were 15 R0, 3 R1"]


def test_words_stay_words_when_white_space_is_ignored():
    text = text_of(seed("10749609"))
    [first] = read_written(text, "There were 23 first", "10749609")
    assert first.text == "There were 23 first"
    with pytest.raises(NotInAbstract):
        read_written(text, "Liverresection is", "10749609")


def test_a_quote_begins_and_ends_where_words_do():
    text = text_of(seed("10749609"))
    with pytest.raises(NotInAbstract):
        read_written(text, "iver resection is the treatment of choic", "10749609")


def test_a_quote_with_markup_inside_is_found_by_its_text():
    text = text_of(fixture(STRUCTURED))
    pieces = read_written(text, "telomerase reverse transcriptase (TERT) gene region", "27797938")
    assert quoted(pieces) == ["telomerase reverse transcriptase (TERT) gene region"]


def test_tags_and_entities_pasted_with_a_quote_are_read_as_its_text():
    text = text_of(fixture(STRUCTURED))
    pieces = read_written(text, "transcriptase (<i>TERT</i>) gene region", "27797938")
    assert quoted(pieces) == ["transcriptase (TERT) gene region"]


def test_a_quote_through_mathml_is_found_by_the_text_a_reader_sees():
    entry = fixture(MATHML)
    text = text_of(entry)
    start = text.text.index("maximal oxygen uptake")
    wanted = text.text[start:start + 60]
    assert quoted(read_written(text, wanted, entry.pmid)) == [wanted.strip()]


def test_brackets_and_braces_the_abstract_holds_are_quoted_as_its_text():
    entry = fixture("sul_26430984_474_authors_compact_2022.xml")
    text = text_of(entry)
    pieces = read_written(text, "CP asymmetry of B[over ¯]^{0}→D_{CP}^{(*)}h^{0}", entry.pmid)
    assert kinds(pieces) == [QUOTE]


# --- elisions, insertions, glosses, breaks, literals ------------------------------------------


def test_elisions_at_the_start_middle_and_end_are_pieces_of_their_own():
    text = text_of(seed("10749609"))
    pieces = read_written(text, "... Liver resection is the treatment of choice ... leiomyosarcoma has not "
                                "been defined ...", "10749609")
    assert kinds(pieces) == [GAP, QUOTE, GAP, QUOTE, GAP]


def test_the_elision_mark_is_kept_as_the_curator_wrote_it():
    text = text_of(seed("11091236"))
    pieces = read_written(text, "ranged from 23 to 80 years. .... Nineteen patients had hepatic resection",
                          "11091236")
    assert [p.text for p in pieces if p.kind == GAP] == ["...."]
    assert written_form(pieces) == "ranged from 23 to 80 years. .... Nineteen patients had hepatic resection"


def test_a_bracketed_replacement_is_an_insertion():
    text = text_of(seed("10962525"))
    pieces = read_written(text, "Liver metastases of colorectal cancer ...[has] a life-threatening prognostic "
                                "aspect", "10962525")
    assert kinds(pieces) == [QUOTE, GAP, INSERT, QUOTE]
    assert pieces[2].text == "has"


def test_a_bracketed_note_ending_in_ed_is_a_gloss_inside_the_quote():
    text = text_of(seed("10749609"))
    written = "there were 15 R0 [R0 resection is clear surgical margins. Ed.], 3 R1, and 5 R2 resections."
    pieces = read_written(text, written, "10749609")
    assert kinds(pieces) == [QUOTE, GLOSS, QUOTE]
    assert pieces[1].text == "R0 resection is clear surgical margins."
    assert written_form(pieces) == written


def test_a_blank_line_is_a_paragraph_break():
    text = text_of(seed("11091236"))
    written = ("The 5-year survival rate for all 20 patients was 37 (20-60) per cent.\n\n"
               "Surgical resection is the only effective therapy")
    pieces = read_written(text, written, "11091236")
    assert kinds(pieces) == [QUOTE, BREAK, QUOTE]
    assert written_form(pieces) == written


def test_text_in_braces_is_literal_and_kept_as_written():
    text = text_of(seed("10749609"))
    pieces = read_written(text, "Liver resection is the treatment of choice {for most patients}", "10749609")
    assert kinds(pieces) == [QUOTE, LITERAL]
    assert pieces[1].text == "for most patients"


def test_with_literal_text_not_in_the_abstract_is_kept_instead_of_refused():
    text = text_of(seed("10918156"))
    pieces = read_written(text, "... Microwave coagulation therapy is suggested ... Clinical trial Randomized "
                                "controlled trial", "10918156", literal=True)
    assert kinds(pieces)[-1] == LITERAL


# --- refusals -------------------------------------------------------------------------------------


def test_a_run_not_in_the_abstract_is_refused_naming_it_and_the_closest_passage():
    text = text_of(seed("10749609"))
    with pytest.raises(NotInAbstract) as refused:
        read_written(text, "... there were 15 R0, 4 R1, and 5 R2 resections ...", "10749609")
    message = str(refused.value)
    assert "'there were 15 R0, 4 R1, and 5 R2 resections'" in message
    assert "closest passage is 'there were 15 R0, 3 R1, and 5 R2 resections.'" in message


def test_runs_must_stand_in_the_abstract_in_the_order_written():
    text = text_of(seed("10749609"))
    with pytest.raises(NotInAbstract):
        read_written(text, "The records were analyzed ... The records of 26 patients", "10749609")


def test_a_quote_that_skips_words_after_a_gloss_without_an_elision_is_refused():
    text = text_of(seed("10749609"))
    with pytest.raises(InputError, match="leaves out"):
        read_written(text, "there were 15 R0 [clear margins Ed.] and 5 R2 resections", "10749609")


def test_an_excerpt_of_only_elisions_and_notes_is_refused():
    text = text_of(seed("10749609"))
    with pytest.raises(InputError, match="quotes nothing"):
        read_written(text, "... [a note Ed.] ...", "10749609")


@pytest.mark.parametrize("written", ["Liver resection []", "Liver resection { }"])
def test_empty_brackets_or_braces_are_refused(written):
    with pytest.raises(InputError, match="holds an empty"):
        read_written(text_of(seed("10749609")), written, "10749609")


def test_paragraph_breaks_at_either_end_are_dropped():
    pieces = read_written(text_of(seed("10749609")), "\n\nLiver resection\n\n\n\n", "10749609")
    assert kinds(pieces) == [QUOTE]


def test_an_unclosed_bracket_is_text_to_be_found_like_any_other():
    text = text_of(seed("10918156"))
    with pytest.raises(NotInAbstract):
        read_written(text, "in the hepatectomy group.[no significant difference in these results", "10918156")


# --- written back ---------------------------------------------------------------------------------


@pytest.mark.parametrize("written", [
    "... Liver resection is the treatment of choice for hepatic metastases from colorectal carcinoma. ...",
    "there were 15 R0 [R0 resection is clear surgical margins. Ed.], 3 R1, and 5 R2 resections. ...",
    "... The records were analyzed with regard to survival {and more}.",
])
def test_the_written_form_reads_back_as_the_same_pieces(written):
    text = text_of(seed("10749609"))
    pieces = read_written(text, written, "10749609", literal=True)
    assert read_written(text, written_form(pieces), "10749609", literal=True) == pieces


# --- found again after PubMed changes the abstract ----------------------------------------------------


def changed(entry: Entry, old: str, new: str):
    sections = [AbstractSection(s.text.replace(old, new), s.label) for s in entry.abstract.sections]
    return abstract_text(type(entry.abstract)(sections))


def anchored(entry: Entry, written: str):
    [piece] = [p for p in read_written(text_of(entry), written, entry.pmid) if p.kind == QUOTE]
    return anchor_of(piece)


def test_a_quote_in_an_unchanged_abstract_stands_where_it_stood():
    entry = seed("10749609")
    anchor = anchored(entry, "Median survival was 32 months")
    assert locate(text_of(entry), anchor).drift is Drift.SAME


def test_a_quote_moved_by_an_edit_before_it_is_found_with_new_offsets():
    entry = seed("10749609")
    anchor = anchored(entry, "Median survival was 32 months")
    now = changed(entry, "Liver resection is", "Liver resection, as is well known, is")
    found = locate(now, anchor)
    assert found.drift is Drift.MOVED
    assert now.text[found.anchor.start:found.anchor.end] == "Median survival was 32 months"


def test_of_several_places_the_one_whose_context_matches_is_taken():
    entry = seed("10749609")
    anchor = anchored(entry, "after R0 resection, median survival")
    now = changed(entry, "Liver resection is", "After R0 resection, median survival, Liver resection is")
    found = locate(now, anchor)
    assert found.drift is Drift.MOVED and found.anchor.prefix.endswith(anchor.prefix[-10:])


def test_a_quote_whose_words_changed_is_reported_with_the_closest_passage_and_not_moved():
    entry = seed("10749609")
    anchor = anchored(entry, "Median survival was 32 months after R0 resection")
    found = locate(changed(entry, "32 months after R0", "33 months after R0"), anchor)
    assert found.drift is Drift.CHANGED and found.anchor is None
    assert found.closest.exact == "Median survival was 33 months after R0 resection"


def test_a_quote_with_nothing_like_it_left_is_gone():
    entry = seed("10749609")
    anchor = anchored(entry, "Median survival was 32 months after R0 resection")
    sections = [AbstractSection("An entirely different abstract about something else.")]
    assert locate(abstract_text(type(entry.abstract)(sections)), anchor).drift is Drift.GONE


def test_no_closest_passage_is_offered_when_nothing_is_alike():
    text = text_of(seed("10749609"))
    assert closest_passage(text, "Completely unrelated words about quantum chromodynamics") is None


# --- any span of a real abstract is found again -------------------------------------------------------


ABSTRACTS = [seed("10749609"), fixture(STRUCTURED), fixture(MATHML), fixture("mp_38513076_inline_i_b_sub.xml")]


@st.composite
def spans(draw):
    entry = draw(st.sampled_from(ABSTRACTS))
    text = text_of(entry).text
    words = [index for index, char in enumerate(text) if char != " " and (index == 0 or text[index - 1] == " ")]
    cuts = sorted(draw(st.sets(st.sampled_from(words), min_size=2, max_size=6)))
    runs = [text[a:b].strip() for a, b in zip(cuts[::2], cuts[1::2]) if text[a:b].strip()]
    return entry, runs


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spans())
def test_any_excerpt_written_from_spans_of_a_real_abstract_is_found_again_exactly(case):
    entry, runs = case
    if not runs:
        return
    text = text_of(entry)
    written = " ... ".join(runs)
    pieces = read_written(text, written, entry.pmid)
    assert [" ".join(q.split()) for q in quoted(pieces)] == [" ".join(r.split()) for r in runs]
    for piece in pieces:
        if piece.kind == QUOTE:
            assert text.text[piece.start:piece.end] == piece.text
