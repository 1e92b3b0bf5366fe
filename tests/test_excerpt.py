"""An entry's excerpt as a library: sentence specs, written quotes, glosses, the excerpt as shown, and drift."""

from __future__ import annotations

import copy

import pytest
from records import excerpt, fixture, lost_quote, seed, with_abstract

from lmscite import markup
from lmscite.curation.edit import Edit, annotate
from lmscite.curation.excerpt import (
    ExcerptPart,
    Gloss,
    excerpt_parts,
    excerpt_problems,
    excerpt_text,
    format_spec,
    from_quotes,
    from_spec,
    is_spec,
    parse_gloss,
    parse_spec,
    relocate,
)
from lmscite.curation.sentences import sentences
from lmscite.curation.written import written_form
from lmscite.errors import InputError


def kinds(pieces) -> list[str]:
    return [piece.kind for piece in pieces]


# --- specs: a shortcut into the same pieces ---------------------------------------------------------


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


@pytest.mark.parametrize("text, spec", [("1-2, ...3-5", True), ("12", True), ("...6...", True),
                                        ("Liver resection", False), ("... 1998 patients", False)])
def test_a_spec_is_told_from_an_excerpt_written_out(text, spec):
    assert is_spec(text) is spec


def test_a_sentence_run_becomes_a_quote_of_its_sentences_text():
    [gap, quote, after] = from_spec(seed("10749609"), "6")
    assert (gap.kind, quote.kind, after.kind) == ("gap", "quote", "gap")
    assert quote.text == "In the 23 first liver resections, there were 15 R0, 3 R1, and 5 R2 resections."


def test_adjacent_runs_are_joined_unless_an_elision_mark_separates_them():
    entry = seed("10749609")
    assert kinds(from_spec(entry, "1-2, 3-5")) == ["quote", "gap"]
    assert kinds(from_spec(entry, "1-2, ...3-5")) == ["quote", "gap", "quote", "gap"]


def test_gaps_follow_skipped_and_elided_text():
    pieces = from_spec(seed("10749609"), "2, 4-5, ...6, 8")
    assert kinds(pieces) == ["gap", "quote", "gap", "quote", "gap", "quote", "gap", "quote", "gap"]


def test_an_excerpt_from_first_to_last_sentence_has_no_gap():
    assert kinds(from_spec(seed("9834411"), "1-10")) == ["quote"]


def test_marks_on_both_sides_of_one_boundary_show_one_gap():
    assert kinds(from_spec(seed("10749609"), "1-2..., ...3-17")) == ["quote", "gap", "quote"]


def test_elide_marks_show_gaps_the_abstract_does_not_have():
    assert kinds(from_spec(seed("11094326"), "...1-5...")) == ["gap", "quote", "gap"]


def test_a_sentence_out_of_range_names_the_pmid_and_the_count():
    with pytest.raises(InputError, match=r"PMID 10749609: sentence 18 is out of range .*17 sentences"):
        from_spec(seed("10749609"), "16-18")


# --- several quotes written out --------------------------------------------------------------------


def test_several_quotes_build_one_excerpt_in_order_with_an_elision_where_text_is_left_out():
    pieces = from_quotes(seed("10749609"), ["Liver resection is the treatment of choice",
                                            "The records were analyzed"])
    assert kinds(pieces) == ["quote", "gap", "quote"]


def test_quotes_that_meet_in_the_abstract_get_no_elision_between_them():
    pieces = from_quotes(seed("10749609"), ["Liver resection is", "the treatment of choice"])
    assert kinds(pieces) == ["quote", "quote"]


def test_a_later_quote_is_looked_for_after_the_one_before():
    entry = seed("10749609")
    pieces = from_quotes(entry, ["The 5-year survival rate", "R0 resection"])
    first, _gap, second = pieces
    assert second.start > first.end


def test_quotes_given_out_of_the_abstracts_order_are_refused():
    with pytest.raises(InputError, match="is not in the abstract"):
        from_quotes(seed("10749609"), ["The records were analyzed", "Liver resection is the treatment"])


# --- glosses ----------------------------------------------------------------------------------------


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


def test_a_gloss_on_an_entry_without_an_excerpt_goes_into_its_whole_abstract():
    glossed = annotate(seed("9768608"), Edit(glosses=[Gloss("Re-resection", "a second resection")]))
    assert "Re-resection [a second resection Ed.] is" in excerpt_text(glossed)


def test_a_new_excerpt_keeps_the_glosses_after_the_same_words():
    glossed = annotate(seed("10749609"), Edit(excerpt="6", glosses=[Gloss("15 R0", "clear margins")]))
    wider = annotate(glossed, Edit(excerpt="5-7"))
    assert "15 R0 [clear margins Ed.], 3 R1" in written_form(wider.curation.excerpt)


def test_narrowing_the_excerpt_away_from_a_gloss_is_refused_with_the_way_out():
    glossed = annotate(seed("10749609"), Edit(excerpt="6", glosses=[Gloss("15 R0", "clear margins")]))
    with pytest.raises(InputError, match=r"\[clear margins Ed\.\] after .*--clear glosses"):
        annotate(glossed, Edit(excerpt="1"))
    narrowed = annotate(glossed, Edit(excerpt="1", clear=["glosses"]))
    assert kinds(narrowed.curation.excerpt) == ["quote", "gap"]


def test_clearing_glosses_joins_the_quote_they_stood_in():
    glossed = annotate(seed("10749609"), Edit(excerpt="6", glosses=[Gloss("15 R0", "clear margins")]))
    cleared = annotate(glossed, Edit(clear=["glosses"]))
    assert cleared.curation.excerpt == from_spec(seed("10749609"), "6")


# --- the excerpt as shown --------------------------------------------------------------------------


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
    assert parts[3].value.startswith("and <i>Actinotignum schaalii</i>")
    for part in parts:
        if part.kind == "text":
            assert markup.to_html(part.value).count("<i>") == part.value.count("<i>")


def test_insertions_literals_and_breaks_are_shown_as_written():
    entry = seed("10962525")
    entry.curation.excerpt = excerpt(entry, "Liver metastases of colorectal cancer ...[has] a life-threatening "
                                            "prognostic aspect.\n\nHepatic resection, when possible, {is key}")
    assert excerpt_text(entry) == ("Liver metastases of colorectal cancer ...[has] a life-threatening "
                                   "prognostic aspect.\n\nHepatic resection, when possible, is key")


def test_punctuation_after_a_gloss_closes_up_to_it():
    entry = annotate(seed("10749609"), Edit(excerpt="6", glosses=[Gloss("15 R0", "clear margins")]))
    assert "15 R0 [clear margins Ed.], 3 R1" in excerpt_text(entry)


# --- drift -----------------------------------------------------------------------------------------


def test_a_fresh_excerpt_has_no_problems():
    entry = annotate(seed("10749609"), Edit(excerpt="6", glosses=[Gloss("15 R0", "clear margins")]))
    assert excerpt_problems(entry) == []


def test_a_quote_moved_by_a_changed_abstract_is_no_problem_and_is_found_where_it_stands():
    entry = annotate(seed("9768608"), Edit(excerpt="2"))
    old = " ".join(s.text for s in sentences(entry.abstract))
    moved = with_abstract(entry, "A new first sentence was added. " + old)
    assert excerpt_problems(moved) == []
    pieces, problems = relocate(moved)
    assert problems == []
    [quote] = [p for p in pieces if p.kind == "quote"]
    assert quote.start == entry.curation.excerpt[1].start + len("A new first sentence was added. ")


def test_a_quote_gone_from_the_abstract_is_reported_kept_and_shown_as_stored():
    entry = annotate(seed("9768608"), Edit(excerpt="2", glosses=[Gloss("Re-resection", "a second resection")]))
    changed = with_abstract(entry, "Major hepatic resection is safe. Repeat surgery is rewarding.")
    problems = excerpt_problems(changed)
    assert [p.text for p in problems] == ["Re-resection", [p for p in entry.curation.excerpt][3].text]
    assert problems[1].kind == "gone"
    assert excerpt_text(changed).startswith("... Re-resection [a second resection Ed.] is a safe")
    pieces, _problems = relocate(changed)
    assert pieces == changed.curation.excerpt


def test_a_quote_whose_words_changed_names_the_closest_passage():
    entry = annotate(seed("9768608"), Edit(excerpt="2"))
    [quote] = [p for p in entry.curation.excerpt if p.kind == "quote"]
    changed = with_abstract(entry, quote.text.replace("safe", "very safe"))
    [problem] = excerpt_problems(changed)
    assert problem.kind == "changed" and "very safe" in problem.closest
    assert "the closest passage now is" in problem.message


def test_literal_text_is_a_problem_of_its_own_kind():
    entry = seed("10749609")
    entry.curation.excerpt = [*excerpt(entry, "Liver resection is the treatment of choice"),
                              lost_quote("and the only one")]
    entry.curation.excerpt[-1].kind = "literal"
    assert [p.kind for p in excerpt_problems(entry)] == ["literal"]
