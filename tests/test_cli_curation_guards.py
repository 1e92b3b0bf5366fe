"""Curation commands never delete or re-read the curator's work without a word.

Each test is one way a value could silently mean "delete" or be read as
something else (issue 12, item 6), one way two names that look the same could
be two, or one message that misled.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SEED = Path(__file__).parent / "data" / "seed" / "liver-metastases.pubmed.xml"


@pytest.fixture
def seeded(run, library_path) -> Path:
    assert run("import", SEED).code == 0
    return library_path


def curation_of(library_path: Path, pmid: str) -> dict:
    return json.loads(library_path.read_text())["entries"][pmid].get("curation", {})


def section_order(library_path: Path) -> list[str] | None:
    return json.loads(library_path.read_text())["meta"]["1"].get("section_order")


def refused(run, library_path: Path, *args: str, stdin: str = "") -> str:
    """Run a command that must be refused: exit 2, one error line, the library byte-identical."""
    before = library_path.read_bytes()
    result = run(*args, stdin=stdin)
    assert result.code == 2, result
    assert result.err.startswith("lmscite: error: ") and result.err.count("\n") == 1, result.err
    assert library_path.read_bytes() == before
    return result.err


# --- sections order and rename ---------------------------------------------------------------


def test_sections_order_without_names_is_refused_and_keeps_the_order(run, seeded):
    run("annotate", "9834411", "--section", "Sarcoma")
    run("sections", "order", "Sarcoma")
    err = refused(run, seeded, "sections", "order")
    assert "give --clear" in err
    assert section_order(seeded) == ["Sarcoma"]


def test_sections_order_clear_forgets_the_order_and_says_what_it_was(run, seeded):
    run("annotate", "9834411", "--section", "Sarcoma")
    run("sections", "order", "Sarcoma")
    result = run("sections", "order", "--clear")
    assert result.code == 0
    assert "it was: Sarcoma" in result.err
    assert section_order(seeded) is None


def test_sections_order_with_names_and_clear_is_refused(run, seeded):
    run("annotate", "9834411", "--section", "Sarcoma")
    refused(run, seeded, "sections", "order", "Sarcoma", "--clear")


def test_renaming_onto_a_section_with_entries_is_refused(run, seeded):
    run("annotate", "9834411", "--section", "Sarcoma")
    run("annotate", "10749609", "--section", "Resection")
    err = refused(run, seeded, "sections", "rename", "Sarcoma", "Resection")
    assert "already has 1 entry" in err and "--merge" in err


def test_renaming_onto_a_section_with_merge_merges(run, seeded):
    run("annotate", "9834411", "--section", "Sarcoma")
    run("annotate", "10749609", "--section", "Resection")
    run("sections", "order", "Sarcoma", "Resection")
    assert run("sections", "rename", "Sarcoma", "Resection", "--merge").code == 0
    assert curation_of(seeded, "9834411")["section"] == "Resection"
    assert section_order(seeded) == ["Resection"]


# --- the curation file ------------------------------------------------------------------------


def test_an_entry_listed_with_no_curation_is_refused_not_cleared(run, seeded, tmp_path):
    run("annotate", "10749609", "--tag", "keep", "--note", "a note")
    path = tmp_path / "c.yaml"
    path.write_text('entries:\n  "10749609":\n')
    err = refused(run, seeded, "annotate", "--from", path)
    assert "PMID 10749609 is listed with no curation" in err and '{}' in err
    assert curation_of(seeded, "10749609")["tags"] == ["keep"]


def test_an_entry_given_an_empty_mapping_is_cleared(run, seeded, tmp_path):
    run("annotate", "10749609", "--tag", "keep")
    path = tmp_path / "c.json"
    path.write_text('{"entries": {"10749609": {}}}')
    assert run("annotate", "--from", path).code == 0
    assert "tags" not in curation_of(seeded, "10749609")


@pytest.mark.parametrize("key", ["sections", "page", "searches", "entries"])
def test_a_top_level_key_with_no_value_is_refused(run, seeded, tmp_path, key):
    run("annotate", "9834411", "--section", "Sarcoma")
    run("sections", "order", "Sarcoma")
    path = tmp_path / "c.yaml"
    path.write_text(f"{key}:\n")
    err = refused(run, seeded, "annotate", "--from", path)
    assert f"`{key}` is given with no value" in err


@pytest.mark.parametrize("field", ["tags", "notes"])
def test_a_text_where_a_list_belongs_is_refused_not_reread(run, seeded, tmp_path, field):
    path = tmp_path / "c.yaml"
    path.write_text(f'entries:\n  "10749609":\n    {field}: "abc"\n')
    err = refused(run, seeded, "annotate", "--from", path)
    assert f"`{field}` must be a list: write [abc]" in err


def test_a_text_where_a_list_belongs_is_refused_in_the_edit_document_too(run, seeded):
    err = refused(run, seeded, "annotate", "10749609", "--from", "-", stdin="tags: abc\n")
    assert "`tags` must be a list" in err


# --- names that look the same are the same ----------------------------------------------------


@pytest.mark.parametrize("typed", ["review\u200b", "re\u00adview", " review\t", "review\u2060", "\u202ereview",
                                   "review\u3164", "\ufeffreview"])
def test_a_tag_with_invisible_characters_is_the_tag_a_reader_sees(run, seeded, typed):
    run("annotate", "10749609", "--tag", "review")
    assert run("annotate", "10749609", "--tag", typed).code == 0
    assert curation_of(seeded, "10749609")["tags"] == ["review"]


def test_tags_are_stored_composed(run, seeded):
    assert run("annotate", "10749609", "--tag", "me\u0301tastase").code == 0
    assert curation_of(seeded, "10749609")["tags"] == ["m\u00e9tastase"]


def test_untag_removes_the_tag_spelt_with_an_invisible_character(run, seeded):
    run("annotate", "10749609", "--tag", "review")
    assert run("annotate", "10749609", "--untag", "review\u200b").code == 0
    assert "tags" not in curation_of(seeded, "10749609")


def test_section_names_are_cleaned_in_annotate_files_and_edits(run, seeded, tmp_path):
    run("annotate", "9834411", "--section", "Sarcoma\u200b")
    path = tmp_path / "c.yaml"
    path.write_text('entries:\n  "10749609": {section: "Sar\\u200bcoma", tags: ["a\\u200bb"]}\n')
    assert run("annotate", "--from", path).code == 0
    assert run("annotate", "10917467", "--from", "-", stdin="section: \"Sarcoma\\u200b\"\n").code == 0
    assert json.loads(run("sections", "--json").out) == [{"section": "Sarcoma", "entries": 3}]
    assert curation_of(seeded, "10749609")["tags"] == ["ab"]


def test_sections_order_and_rename_match_the_name_a_reader_sees(run, seeded):
    run("annotate", "9834411", "--section", "Sarcoma")
    assert run("sections", "order", "Sarcoma\u200b").code == 0
    assert section_order(seeded) == ["Sarcoma"]
    assert run("sections", "rename", "Sar\u200bcoma", "Leio\u200bmyosarcoma").code == 0
    assert curation_of(seeded, "9834411")["section"] == "Leiomyosarcoma"
    assert section_order(seeded) == ["Leiomyosarcoma"]


def test_a_tag_of_only_invisible_characters_is_empty(run, seeded):
    assert "a tag is empty" in refused(run, seeded, "annotate", "10749609", "--tag", "\u200b")


# --- messages that said the wrong thing -------------------------------------------------------


def test_a_quote_of_a_letter_inside_words_is_refused_in_one_short_line(run, seeded):
    err = refused(run, seeded, "annotate", "10749609", "--quote", "e")
    assert "'e' is not in the abstract" in err
    assert len(err) < 400


def test_a_gloss_left_outside_a_changed_excerpt_points_to_clear_glosses(run, seeded):
    assert run("annotate", "10749609", "--excerpt", "1-6", "--gloss", "15 R0 [clear margins]").code == 0
    err = refused(run, seeded, "annotate", "10749609", "--excerpt", "1-2")
    assert "holds the gloss [clear margins Ed.] after" in err and "--clear glosses" in err


def test_tagging_and_untagging_the_same_tag_is_refused(run, seeded):
    assert "both added and removed" in refused(run, seeded, "annotate", "10749609", "--tag", "a", "--untag", "a")


def test_glossing_one_phrase_twice_in_one_command_is_refused(run, seeded):
    err = refused(run, seeded, "annotate", "10749609", "--gloss", "15 R0 [one]", "--gloss", "15 R0 [two]")
    assert "glossed twice" in err


@pytest.mark.parametrize("stdin", ["", "~\n", "null\n", "# only a comment\n---\n"])
def test_an_empty_curation_for_one_pmid_is_refused_not_read_as_clear_everything(run, seeded, stdin):
    run("annotate", "10749609", "--tag", "keep")
    err = refused(run, seeded, "annotate", "10749609", "--from", "-", stdin=stdin)
    assert "empty (null)" in err and "{}" in err
    assert curation_of(seeded, "10749609")["tags"] == ["keep"]


def test_an_edit_document_replaced_by_null_is_refused_and_kept(run, seeded, tmp_path, monkeypatch):
    import sys

    run("annotate", "10749609", "--tag", "keep")
    script = tmp_path / "nulling.py"
    script.write_text("import pathlib, sys\npathlib.Path(sys.argv[-1]).write_text('~\\n')\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    err = refused(run, seeded, "annotate", "10749609", "--edit")
    assert "empty (null)" in err and "your edit is kept in" in err
    assert curation_of(seeded, "10749609")["tags"] == ["keep"]
