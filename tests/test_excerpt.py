"""Excerpts as a library: specs, quotes, glosses, the excerpt as shown, and drift."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from records import fixture, seed, with_abstract

from lmscite import markup
from lmscite.curation.edit import Edit, annotate
from lmscite.curation.excerpt import (
    ExcerptPart,
    choose,
    excerpt_parts,
    excerpt_problems,
    excerpt_text,
    format_spec,
    parse_gloss,
    parse_spec,
    quote_passage,
)
from lmscite.curation.sentences import sentences
from lmscite.errors import InputError
from lmscite.model import Gloss

DATA = Path(__file__).parent / "data"




# --- specs --------------------------------------------------------------------


def test_a_spec_lists_sentences_and_ranges():
    runs = parse_spec("1,3-5")
    assert [(r.start, r.end) for r in runs] == [(1, 1), (3, 5)]


def test_elision_marks_before_and_after_a_range_are_kept():
    runs = parse_spec("...1-2 ...3-5…")
    assert [(r.elide_before, r.elide_after) for r in runs] == [(True, False), (True, True)]
    assert format_spec(runs) == "...1-2, ...3-5..."


@pytest.mark.parametrize("spec", ["", "one", "3-1", "1-2-3", "1,,x"])
def test_a_spec_that_cannot_be_read_is_an_input_error(spec):
    with pytest.raises(InputError):
        parse_spec(spec)


def test_adjacent_runs_are_joined_unless_an_elision_mark_separates_them():
    found = sentences(seed("10749609").abstract)
    joined = choose(found, parse_spec("1-2, 3-5"), "10749609")
    kept_apart = choose(found, parse_spec("1-2, ...3-5"), "10749609")
    assert [(p.start, p.end) for p in joined] == [(1, 5)]
    assert [(p.start, p.end) for p in kept_apart] == [(1, 2), (3, 5)]


def test_a_passage_stores_the_plain_text_of_its_sentences():
    found = sentences(seed("10749609").abstract)
    [passage] = choose(found, parse_spec("6"), "10749609")
    assert passage.text == "In the 23 first liver resections, there were 15 R0, 3 R1, and 5 R2 resections."


def test_a_sentence_out_of_range_names_the_pmid_and_the_count():
    found = sentences(seed("10749609").abstract)
    with pytest.raises(InputError, match=r"PMID 10749609: sentence 18 is out of range .*17 sentences"):
        choose(found, parse_spec("16-18"), "10749609")


def test_a_quote_chooses_the_sentence_that_holds_it():
    found = sentences(seed("10615930").abstract)
    passage = quote_passage(found, "Fewer patients  referred", "10615930")
    assert (passage.start, passage.end) == (8, 8)


def test_a_quote_across_a_sentence_end_chooses_both_sentences():
    found = sentences(seed("10749609").abstract)
    passage = quote_passage(found, "has not been defined. The records of 26", "10749609")
    assert (passage.start, passage.end) == (2, 3)


def test_a_quote_not_in_the_abstract_is_an_error():
    found = sentences(seed("10749609").abstract)
    with pytest.raises(InputError, match="not in the abstract"):
        quote_passage(found, "liver transplantation", "10749609")


def test_an_ambiguous_quote_is_an_error_that_lists_where_it_occurs():
    found = sentences(seed("10749609").abstract)
    with pytest.raises(InputError, match=r"occurs 5 times .*sentences 7, 8, 10, 11, 14"):
        quote_passage(found, "R0 resection", "10749609")


# --- glosses and the excerpt as shown -----------------------------------------


def test_a_gloss_is_written_as_on_the_page():
    assert parse_gloss("15 R0 [R0 resection is clear surgical margins. Ed.]") == Gloss(
        "15 R0", "R0 resection is clear surgical margins.")


@pytest.mark.parametrize("text", ["15 R0", "[note only]", "15 R0 [unclosed", "phrase ]"])
def test_a_gloss_without_phrase_and_bracketed_note_is_refused(text):
    with pytest.raises(InputError):
        parse_gloss(text)


def test_the_reference_gloss_shows_right_after_its_phrase():
    entry = annotate(seed("10749609"), Edit(excerpt="...1-2, ...3-5, ...6-12, ...13-17",
                                            glosses=[Gloss("15 R0", "R0 resection is clear surgical margins.")]))
    assert "there were 15 R0 [R0 resection is clear surgical margins. Ed.], 3 R1, and 5 R2" in excerpt_text(entry)


def test_a_gloss_phrase_not_in_the_excerpt_is_an_error_and_nothing_changes():
    entry = seed("10749609")
    before = copy.deepcopy(entry)
    with pytest.raises(InputError, match=r"PMID 10749609: the gloss phrase '15 R0' is not in the excerpt"):
        annotate(entry, Edit(excerpt="1-2", glosses=[Gloss("15 R0", "R0 resection is clear surgical margins.")]))
    assert entry == before


def test_narrowing_the_excerpt_away_from_a_gloss_is_refused():
    glossed = annotate(seed("10749609"), Edit(excerpt="6", glosses=[Gloss("15 R0", "clear margins")]))
    with pytest.raises(InputError, match="not in the excerpt"):
        annotate(glossed, Edit(excerpt="1"))


def test_gaps_follow_skipped_and_elided_text():
    entry = annotate(seed("10749609"), Edit(excerpt="2, 4-5, ...6, 8"))
    kinds = [p.kind for p in excerpt_parts(entry)]
    assert kinds == ["gap", "text", "gap", "text", "gap", "text", "gap", "text", "gap"]


def test_an_excerpt_from_first_to_last_sentence_has_no_gap():
    entry = annotate(seed("9834411"), Edit(excerpt="1-10"))
    assert [p.kind for p in excerpt_parts(entry)] == ["text"]


def test_marks_on_both_sides_of_one_boundary_show_one_gap():
    entry = annotate(seed("10749609"), Edit(excerpt="1-2..., ...3-17"))
    assert [p.kind for p in excerpt_parts(entry)] == ["text", "gap", "text"]


def test_elide_marks_show_gaps_the_abstract_does_not_have():
    entry = annotate(seed("11094326"), Edit(excerpt="...1-5..."))
    parts = excerpt_parts(entry)
    assert [p.kind for p in parts] == ["gap", "text", "gap"]


def test_an_entry_without_an_excerpt_shows_its_whole_abstract():
    entry = seed("9768608")
    assert excerpt_text(entry) == " ".join(s.text for s in sentences(entry.abstract))


def test_text_parts_keep_the_abstracts_inline_markup():
    entry = fixture("cyanheads_34026693_nested_inline_markup_2025dtd.xml")
    entry = annotate(entry, Edit(excerpt="4"))
    gap, part, gap_after = excerpt_parts(entry)
    assert (gap.kind, part.kind, gap_after.kind) == ("gap", "text", "gap")
    assert "<i>Lactobacillus casei</i>" in part.value


def test_a_gloss_inside_italics_splits_the_fragment_into_well_formed_pieces():
    entry = fixture("mp_38534005_collective_structured_nonascii.xml")
    entry = annotate(entry, Edit(excerpt="13", glosses=[Gloss("A. sanguinicola", "a Gram-positive coccus")]))
    parts = excerpt_parts(entry)
    assert [p.kind for p in parts[1:4]] == ["text", "gloss", "text"]
    assert parts[1].value.endswith("<i>Aerococcus urinae, A. sanguinicola</i>")
    assert parts[2] == ExcerptPart("gloss", "a Gram-positive coccus")
    assert parts[3].value.startswith(" and <i>Actinotignum schaalii</i>")
    for part in parts:
        if part.kind == "text":
            assert markup.to_html(part.value).count("<i>") == part.value.count("<i>")


def test_cutting_a_fragment_closes_and_reopens_tags_at_a_cut():
    from lmscite.markup import cut

    assert cut("<i>E. coli strains</i> grew", [7]) == ["<i>E. coli</i>", "<i> strains</i> grew"]
    assert cut("a &lt; b and c", [5]) == ["a &lt; b", " and c"]


# --- drift -----------------------------------------------------------------------



def test_a_fresh_excerpt_has_no_problems():
    entry = annotate(seed("10749609"), Edit(excerpt="6", glosses=[Gloss("15 R0", "clear margins")]))
    assert excerpt_problems(entry) == []


def test_text_that_moved_in_a_changed_abstract_is_reported_with_its_new_place():
    entry = annotate(seed("9768608"), Edit(excerpt="2"))
    old = " ".join(s.text for s in sentences(entry.abstract))
    moved = with_abstract(entry, "A new first sentence was added. " + old)
    assert excerpt_problems(moved) == [
        "excerpt 2: the abstract changed; the quoted text is now sentences 3"]


def test_text_gone_from_the_abstract_is_reported_and_shown_as_stored():
    entry = annotate(seed("9768608"), Edit(excerpt="2", glosses=[Gloss("Re-resection", "a second resection")]))
    changed = with_abstract(entry, "Major hepatic resection is safe. Repeat surgery is rewarding.")
    assert excerpt_problems(changed) == ["excerpt 2: the quoted text is no longer in the abstract"]
    assert excerpt_text(changed).startswith("... Re-resection [a second resection Ed.] is a safe")


def test_a_gloss_whose_phrase_left_the_abstract_is_reported():
    entry = seed("9768608")
    glossed = annotate(entry, Edit(glosses=[Gloss("Re-resection", "a second resection")]))
    changed = with_abstract(glossed, "Major hepatic resection is safe.")
    assert excerpt_problems(changed) == ["gloss 'Re-resection': the phrase is no longer in the excerpt"]
