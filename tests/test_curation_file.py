"""The curation file and the edit document: reading, checking, applying and dumping them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from records import seed, with_abstract

from lmscite.curation.edit import Edit, annotate, stamped
from lmscite.curation.excerpt import excerpt_text
from lmscite.curation.file import (
    apply_document,
    dump_document,
    edit_document,
    parse_document,
    parse_edit_document,
)
from lmscite.curation.sections import sections_list
from lmscite.curation.sentences import sentences
from lmscite.curation.written import written_form
from lmscite.errors import InputError

EXAMPLE = Path(__file__).parent.parent / "examples" / "liver-metastases" / "curation.yaml"
STAMP = "2026-01-02T03:04:05Z"





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
    assert "group.{[no significant difference in these results...}" in written_form(
        view.get("10918156").curation.excerpt)
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
    assert dumped["entries"]["10749609"]["excerpt"] == (
        "... Liver resection is the treatment of choice for hepatic metastases from colorectal carcinoma. In "
        "contrast, the role of liver resection for hepatic metastases from leiomyosarcoma has not been defined. "
        "... In the 23 first liver resections, there were 15 R0 [R0 resection is clear surgical margins. Ed.], "
        "3 R1, and 5 R2 resections. ...")
    assert "glosses" not in dumped["entries"]["10749609"]


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


def test_a_pmid_the_library_lacks_is_skipped_and_listed_while_the_rest_is_applied(library):
    with library.transaction() as view:
        report = apply_document(view, {"entries": {"123": {"tags": ["x"]}, "9834411": {"tags": ["kept"]}}}, "f")
    assert report.missing == ["123"]
    assert report.updated == ["9834411"]
    assert library.snapshot().get("9834411").curation.tags == ["kept"]


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
    assert body["excerpt"] == written_form(entry.curation.excerpt)
    assert body["excerpt"].startswith("... Liver resection is the treatment of choice")
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
    changed = stamped(entry, new, STAMP)
    assert (changed.curation.notes, changed.curation.tags) == (["new"], ["t"])
    assert written_form(changed.curation.excerpt).startswith("... In the 23 first liver resections")
    assert changed.curation.updated == STAMP


def test_editing_other_fields_leaves_a_drifted_excerpt_as_stored():
    entry = annotate(seed("9768608"), Edit(excerpt="2"))
    drifted = with_abstract(entry, "A new first sentence. " + " ".join(
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
