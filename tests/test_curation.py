"""Curation as a library: excerpt specs, quotes, glosses, drift, the curation file and the edit document."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from lmscite import markup
from lmscite.curation import (
    Edit,
    ExcerptPart,
    annotate,
    apply_curation,
    apply_document,
    choose,
    dump_document,
    edit_document,
    excerpt_parts,
    excerpt_problems,
    excerpt_text,
    format_spec,
    parse_document,
    parse_edit_document,
    parse_gloss,
    parse_spec,
    quote_passage,
    rename_section,
    sections_list,
    set_curation,
    set_section_order,
    split_fragment,
)
from lmscite.errors import InputError
from lmscite.model import AbstractSection, Entry, Gloss
from lmscite.pubmed_xml import iter_entries
from lmscite.sentences import sentences
from lmscite.store import Library

DATA = Path(__file__).parent / "data"
SEED = DATA / "seed" / "liver-metastases.pubmed.xml"
EXAMPLE = Path(__file__).parent.parent / "examples" / "liver-metastases" / "curation.yaml"
STAMP = "2026-01-02T03:04:05Z"


def seed(pmid: str) -> Entry:
    return next(e for e in iter_entries(SEED) if e.pmid == pmid)


def fixture(name: str, pmid: str | None = None) -> Entry:
    found = list(iter_entries(DATA / "xml" / name))
    return next(e for e in found if pmid is None or e.pmid == pmid)


@pytest.fixture
def library(library_path) -> Library:
    library = Library(library_path)
    with library.transaction() as view:
        view.merge(iter_entries(SEED))
    return library


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


def test_split_fragment_closes_and_reopens_tags_at_a_cut():
    assert split_fragment("<i>E. coli strains</i> grew", [7]) == ["<i>E. coli</i>", "<i> strains</i> grew"]
    assert split_fragment("a &lt; b and c", [5]) == ["a &lt; b", " and c"]


# --- drift -----------------------------------------------------------------------


def _with_abstract(entry: Entry, text: str) -> Entry:
    changed = copy.deepcopy(entry)
    changed.abstract.sections = [AbstractSection(text)]
    return changed


def test_a_fresh_excerpt_has_no_problems():
    entry = annotate(seed("10749609"), Edit(excerpt="6", glosses=[Gloss("15 R0", "clear margins")]))
    assert excerpt_problems(entry) == []


def test_text_that_moved_in_a_changed_abstract_is_reported_with_its_new_place():
    entry = annotate(seed("9768608"), Edit(excerpt="2"))
    old = " ".join(s.text for s in sentences(entry.abstract))
    moved = _with_abstract(entry, "A new first sentence was added. " + old)
    assert excerpt_problems(moved) == [
        "excerpt 2: the abstract changed; the quoted text is now sentences 3"]


def test_text_gone_from_the_abstract_is_reported_and_shown_as_stored():
    entry = annotate(seed("9768608"), Edit(excerpt="2", glosses=[Gloss("Re-resection", "a second resection")]))
    changed = _with_abstract(entry, "Major hepatic resection is safe. Repeat surgery is rewarding.")
    assert excerpt_problems(changed) == ["excerpt 2: the quoted text is no longer in the abstract"]
    assert excerpt_text(changed).startswith("... Re-resection [a second resection Ed.] is a safe")


def test_a_gloss_whose_phrase_left_the_abstract_is_reported():
    entry = seed("9768608")
    glossed = annotate(entry, Edit(glosses=[Gloss("Re-resection", "a second resection")]))
    changed = _with_abstract(glossed, "Major hepatic resection is safe.")
    assert excerpt_problems(changed) == ["gloss 'Re-resection': the phrase is no longer in the excerpt"]


# --- edits ---------------------------------------------------------------------


def test_an_edit_stamps_updated_and_changes_nothing_else():
    entry = seed("10615930")
    note = "Expertise makes a difference. Choose your surgeon *carefully*."
    changed = annotate(entry, Edit(notes=[note], tags=["surgeon"]), stamp=STAMP)
    assert changed.curation.notes == [note]
    assert changed.curation.updated == STAMP
    before, after = entry.to_dict(), changed.to_dict()
    before.pop("curation", None)
    assert {k: v for k, v in after.items() if k != "curation"} == before
    assert set(after["curation"]) == {"notes", "tags", "updated"}


def test_an_edit_that_changes_nothing_returns_none():
    entry = annotate(seed("10615930"), Edit(tags=["surgeon"]))
    assert annotate(entry, Edit(tags=["surgeon"])) is None


def test_tags_are_added_once_and_removed():
    entry = annotate(seed("10615930"), Edit(tags=["a", "b", "a"]))
    entry = annotate(entry, Edit(tags=["c"], untags=["a"]))
    assert entry.curation.tags == ["b", "c"]


def test_a_gloss_on_the_same_phrase_replaces_the_note():
    entry = annotate(seed("10749609"), Edit(glosses=[Gloss("15 R0", "typo")]))
    entry = annotate(entry, Edit(glosses=[Gloss("15 R0", "R0 resection is clear surgical margins.")]))
    assert entry.curation.glosses == [Gloss("15 R0", "R0 resection is clear surgical margins.")]


def test_clear_all_empties_every_field_but_keeps_created():
    entry = seed("10749609")
    entry.curation.created = STAMP
    entry = annotate(entry, Edit(excerpt="1", notes=["n"], tags=["t"], section="S", order=2))
    cleared = annotate(entry, Edit(clear=["all"]))
    assert cleared.curation.is_empty()
    assert cleared.curation.created == STAMP


@pytest.mark.parametrize("edit", [
    Edit(clear=["everything"]), Edit(section="A", no_section=True), Edit(section=" "),
    Edit(order=-1), Edit(tags=[""]), Edit(notes=["  "]),
])
def test_contradictory_or_empty_edits_are_refused(edit):
    with pytest.raises(InputError):
        annotate(seed("10749609"), edit)


# --- the curation file -----------------------------------------------------------


def test_the_example_curation_file_applies_to_the_seed_library_and_dumps_back_byte_identical(library):
    document = parse_document(EXAMPLE.read_bytes(), "yaml", str(EXAMPLE))
    with library.transaction() as view:
        report = apply_document(view, document, "curation.yaml")
    assert len(report.updated) == 19
    assert dump_document(library.snapshot()) == EXAMPLE.read_text(encoding="utf-8")


def test_the_example_reproduces_the_reference_pages_curation(library):
    with library.transaction() as view:
        apply_document(view, parse_document(EXAMPLE.read_bytes(), "yaml", "x"), "x")
    view = library.snapshot()
    assert "15 R0 [R0 resection is clear surgical margins. Ed.], 3 R1" in excerpt_text(view.get("10749609"))
    assert view.get("10615930").curation.notes[0].startswith("Expertise makes a difference. ")
    assert view.get("10918156").curation.notes == ["no significant difference in these results..."]
    assert [view.get(p).curation.order for p in ("10749609", "9194777")] == [1, 19]
    meta = view.meta()
    assert meta["page"]["title"] == "Liver Metastases: Surgical Resection"
    assert "[For the full abstract, use the links provided, or search on Pubmed. Ed.]" in meta["page"]["intro"]
    assert set(meta["searches"]) == {"Liver Metastasectomy and Sarcoma", "Resection of Liver Metastases"}
    assert sections_list(view) == [("Selected Medical Journal Annotated References", 19)]


def test_a_spec_string_excerpt_is_filled_in_from_the_abstract(library):
    document = {"entries": {"10749609": {"excerpt": "...1-2, ...6", "glosses": [
        {"phrase": "15 R0", "note": "R0 resection is clear surgical margins."}]}}}
    with library.transaction() as view:
        apply_document(view, document, "f")
    dumped = yaml.safe_load(dump_document(library.snapshot()))
    assert dumped["entries"]["10749609"]["excerpt"][1] == {
        "sentences": "6", "elide_before": True,
        "text": "In the 23 first liver resections, there were 15 R0, 3 R1, and 5 R2 resections."}


def test_dump_then_load_then_dump_is_byte_identical(library):
    document = {"sections": ["B", "A"], "entries": {
        "9834411": {"section": "A", "order": 2, "tags": ["x"], "excerpt": "1-3"},
        "10749609": {"section": "A", "order": 1, "notes": ["Line one.\n\nLine *two*."]},
        "9768608": {"section": "B", "excerpt": "2"},
        "8908452": {"tags": ["ü-tag"]}}}
    with library.transaction() as view:
        apply_document(view, document, "f")
    first = dump_document(library.snapshot())
    assert list(yaml.safe_load(first)["entries"]) == ["9768608", "10749609", "9834411", "8908452"]
    with library.transaction() as view:
        report = apply_document(view, yaml.safe_load(first), "f")
    assert report.updated == []
    assert dump_document(library.snapshot()) == first
    assert "ü-tag" in first


def test_json_and_toml_files_are_read_by_extension(library):
    toml = b'[entries."10749609"]\nsection = "A"\nexcerpt = "1-2"\n'
    with library.transaction() as view:
        apply_document(view, parse_document(toml, "toml", "c.toml"), "c.toml")
    as_json = dump_document(library.snapshot(), "json")
    assert json.loads(as_json)["entries"]["10749609"]["section"] == "A"
    with library.transaction() as view:
        assert apply_document(view, parse_document(as_json.encode(), "json", "c.json"), "c.json").updated == []


@pytest.mark.parametrize("document, message", [
    ({"entries": {"123": {"tags": ["x"]}}}, "PMID 123 is not in the library; add it with `lmscite fetch 123`"),
    ({"entries": {"10749609": {"excerpt": "1-30"}}}, "PMID 10749609: sentence 30 is out of range"),
    ({"entries": {"10749609": {"excerpt": [{"sentences": "1", "text": "Something else."}]}}},
     "PMID 10749609: excerpt 1: the text given does not match"),
    ({"entries": {"10749609": {"excerpt": "1", "glosses": [{"phrase": "15 R0", "note": "n"}]}}},
     "PMID 10749609: the gloss phrase '15 R0' is not in the excerpt"),
    ({"entries": {"10749609": {"sectoin": "A"}}}, "PMID 10749609: unknown field 'sectoin'"),
    ({"pages": {}}, "unknown key 'pages'"),
    ({"sections": ["Nowhere"], "entries": {}}, "no entry is in the section 'Nowhere'"),
])
def test_an_invalid_curation_file_changes_nothing(library, library_path, document, message):
    document = {"entries": {"9834411": {"tags": ["first"]}, **document.get("entries", {})},
                **{k: v for k, v in document.items() if k != "entries"}}
    before = library_path.read_bytes()
    with pytest.raises(InputError) as raised, library.transaction() as view:
        apply_document(view, document, "curation.yaml")
    assert message in str(raised.value)
    assert library_path.read_bytes() == before


def test_text_that_moved_says_where_it_is_now(library):
    moved = {"entries": {"10749609": {"excerpt": [{"sentences": "2", "text": sentences(
        seed("10749609").abstract)[2].text}]}}}
    with pytest.raises(InputError, match=r"that text is sentences 3 now"), library.transaction() as view:
        apply_document(view, moved, "f")


def test_an_entry_in_the_file_gets_exactly_that_curation(library):
    with library.transaction() as view:
        apply_document(view, {"entries": {"10749609": {"tags": ["a"], "notes": ["n"]}}}, "f")
        apply_document(view, {"entries": {"10749609": {"tags": ["b"]}}}, "f")
    cur = library.snapshot().get("10749609").curation
    assert (cur.tags, cur.notes) == (["b"], [])


# --- the edit document -------------------------------------------------------------


def test_the_edit_document_shows_numbered_sentences_as_comments_and_the_curation_as_yaml():
    entry = annotate(seed("10749609"), Edit(excerpt="...1-2, ...6", tags=["leiomyosarcoma"]))
    document = edit_document(entry)
    assert "#     6  In the 23 first liver resections, there were 15 R0, 3 R1, and 5 R2 resections." in document
    body = yaml.safe_load(document)
    assert body["excerpt"] == "...1-2, ...6"
    assert body["tags"] == ["leiomyosarcoma"]


def test_an_unchanged_or_emptied_edit_document_changes_nothing():
    entry = annotate(seed("10749609"), Edit(tags=["t"]))
    document = edit_document(entry)
    assert parse_edit_document(entry, document) is None
    comments_only = "\n".join(line for line in document.splitlines() if line.startswith("#"))
    assert parse_edit_document(entry, comments_only) is None
    assert parse_edit_document(entry, "") is None


def test_an_edited_document_is_applied_whole():
    entry = annotate(seed("10749609"), Edit(tags=["t"], notes=["old"]))
    document = edit_document(entry).replace("- old", "- new").replace("excerpt: ''", "excerpt: 6")
    new = parse_edit_document(entry, document)
    changed = apply_curation(entry, new, STAMP)
    assert (changed.curation.notes, changed.curation.tags) == (["new"], ["t"])
    assert changed.curation.excerpt[0].start == 6
    assert changed.curation.updated == STAMP


def test_editing_other_fields_leaves_a_drifted_excerpt_as_stored():
    entry = annotate(seed("9768608"), Edit(excerpt="2"))
    drifted = _with_abstract(entry, "A new first sentence. " + " ".join(
        s.text for s in sentences(entry.abstract)))
    new = parse_edit_document(drifted, edit_document(drifted).replace("tags: []", "tags: [t]"))
    assert new.excerpt == entry.curation.excerpt
    assert new.tags == ["t"]


def test_an_empty_mapping_clears_the_curation():
    entry = annotate(seed("10749609"), Edit(tags=["t"]))
    assert parse_edit_document(entry, "{}\n").is_empty()


def test_a_key_given_twice_is_an_error_not_silently_the_last():
    entry = seed("10749609")
    with pytest.raises(InputError, match=r"line 3.*the key 'tags' is given twice"):
        parse_edit_document(entry, "tags: [a]\nnotes: [n]\ntags: []\n")


def test_an_invalid_edit_document_is_an_error_with_its_line():
    entry = seed("10749609")
    with pytest.raises(InputError, match=r"not valid YAML \(line 2"):
        parse_edit_document(entry, "tags: [a\nnotes: b: c\n")


# --- sections ------------------------------------------------------------------------


def test_sections_list_in_stored_order_then_by_name(library):
    with library.transaction() as view:
        view.replace([set_curation(view.get("9834411"), {"section": "b"}),
                      set_curation(view.get("10749609"), {"section": "C"}),
                      set_curation(view.get("9768608"), {"section": "a"}),
                      set_curation(view.get("8908452"), {"section": "C"})])
        set_section_order(view, ["C"])
    assert sections_list(library.snapshot()) == [("C", 2), ("a", 1), ("b", 1)]


def test_rename_changes_entries_and_the_stored_order(library):
    with library.transaction() as view:
        view.replace([set_curation(view.get("9834411"), {"section": "Old"})])
        set_section_order(view, ["Old"])
    with library.transaction() as view:
        assert rename_section(view, "Old", "New") == 1
    view = library.snapshot()
    assert view.get("9834411").curation.section == "New"
    assert view.meta()["section_order"] == ["New"]


def test_ordering_a_section_without_entries_is_an_error(library):
    with pytest.raises(InputError, match="no entry is in the section 'Ghost'"), library.transaction() as view:
        set_section_order(view, ["Ghost"])

