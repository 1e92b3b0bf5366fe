"""`lmscite annotate`, `curation dump` and `sections` as a curator uses them, on the seed records."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

SEED = Path(__file__).parent / "data" / "seed" / "liver-metastases.pubmed.xml"
EXAMPLE = Path(__file__).parent.parent / "examples" / "liver-metastases" / "curation.yaml"
SECTION = "Selected Medical Journal Annotated References"
R0 = "R0 resection is clear surgical margins."
EXPERTISE = ("Expertise makes a difference. Choose your surgeon and your other doctors carefully. "
             "It usually is a good idea to find a specialist or subspecialist in the field.")


@pytest.fixture
def seeded(run, library_path) -> Path:
    assert run("import", SEED).code == 0
    return library_path


def stored(library_path: Path, pmid: str) -> dict:
    return json.loads(library_path.read_text())["entries"][pmid]


def example_entries(*pmids: str) -> dict:
    entries = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))["entries"]
    return {p: entries[p] for p in pmids}


def editor(tmp_path: Path, *edits: tuple[str, str]) -> str:
    """An EDITOR command: a script that makes these replacements, one call after another."""
    script = tmp_path / "editor.py"
    script.write_text(
        "import pathlib, sys\n"
        f"edits = {list(edits)!r}\n"
        f"count = pathlib.Path({str(tmp_path / 'calls')!r})\n"
        "n = int(count.read_text()) if count.exists() else 0\n"
        "count.write_text(str(n + 1))\n"
        "old, new = edits[min(n, len(edits) - 1)]\n"
        "path = pathlib.Path(sys.argv[-1])\n"
        "text = path.read_text()\n"
        "path.write_text(new if old == '*' else text.replace(old, new))\n")
    return f"{sys.executable} {script}"


# --- the reference page's curation, with flags and with a file ---------------------


def test_the_reference_curation_expressed_with_flags_reads_back_exactly(run, seeded):
    written = {pmid: data["excerpt"] for pmid, data in example_entries("10749609", "10918156", "10615930").items()}
    commands = [
        ("10749609", "--quote", written["10749609"], "--tag", "leiomyosarcoma", "--order", "1"),
        ("10918156", "--quote", written["10918156"], "--order", "9"),
        ("10615930", "--quote", written["10615930"], "--note", EXPERTISE, "--order", "12"),
        ("10749609", "10918156", "10615930", "--section", SECTION),
    ]
    for args in commands:
        result = run("annotate", *args)
        assert result.code == 0, result.err
    dumped = yaml.safe_load(run("curation", "dump").out)["entries"]
    assert dumped == example_entries("10749609", "10918156", "10615930")


def test_sentence_numbers_and_a_gloss_give_the_reference_excerpt_as_one_paragraph(run, seeded):
    result = run("annotate", "10749609", "--excerpt", "...1-2, ...3-5, ...6-12, ...13-17",
                 "--gloss", f"15 R0 [{R0} Ed.]")
    assert result.code == 0, result.err
    page = example_entries("10749609")["10749609"]["excerpt"]
    dumped = yaml.safe_load(run("curation", "dump").out)["entries"]["10749609"]["excerpt"]
    assert dumped == page.replace("\n\n", " ")


def test_a_quote_written_with_text_not_in_the_abstract_is_refused_naming_it_and_nothing_changes(run, seeded):
    before = seeded.read_bytes()
    result = run("annotate", "10749609", "--quote", "... there were 15 R0, 4 R1, and 5 R2 resections ...")
    assert result.code == 2
    assert result.err.startswith("lmscite: error: PMID 10749609: 'there were 15 R0, 4 R1, and 5 R2 resections' "
                                 "is not in the abstract; the closest passage is 'there were 15 R0, 3 R1, and 5 R2")
    assert result.err.count("\n") == 1
    assert seeded.read_bytes() == before


def test_literal_keeps_what_is_not_in_the_abstract_and_check_reports_it(run, seeded):
    result = run("annotate", "10749609", "--literal", "--quote",
                 "... there were 15 R0, 4 R1, and 5 R2 resections. Median survival was 32 months ...")
    assert result.code == 0, result.err
    dumped = yaml.safe_load(run("curation", "dump").out)["entries"]["10749609"]["excerpt"]
    assert dumped == "... there were 15 R0, {4} R1, and 5 R2 resections. Median survival was 32 months ..."
    check = run("check")
    assert check.out.splitlines()[1:] == ["10749609\texcerpt\t'4' is not in the abstract (kept as written)"]


def test_the_glossed_excerpt_reads_as_on_the_page(run, seeded):
    run("annotate", "10749609", "--excerpt", "...6-12", "--gloss", f"15 R0 [{R0}]")
    result = run("annotate", "10749609", "--dry-run", "--tag", "x")
    shown = " ".join(result.out.split())
    assert "there were 15 R0 [R0 resection is clear surgical margins. Ed.], 3 R1, and 5 R2" in shown


def test_the_example_curation_file_applies_to_the_seed_and_dumps_back_byte_identical(run, seeded, tmp_path):
    result = run("annotate", "--from", EXAMPLE)
    assert result.code == 0, result.err
    assert "updated 19 entries, 0 unchanged; set page, section_order, searches" in result.err
    out = tmp_path / "dumped.yaml"
    assert run("curation", "dump", "-o", out).code == 0
    assert out.read_bytes() == EXAMPLE.read_bytes()


def test_a_curation_file_on_stdin_expresses_the_same_curation(run, seeded):
    document = {"entries": example_entries("10749609", "10918156", "10615930")}
    result = run("annotate", "--from", "-", stdin=yaml.safe_dump(document))
    assert result.code == 0, result.err
    assert yaml.safe_load(run("curation", "dump").out)["entries"] == document["entries"]


def test_curation_dump_writes_json_read_back_by_annotate_from(run, seeded, tmp_path):
    run("annotate", "--from", EXAMPLE)
    out = tmp_path / "curation.json"
    run("curation", "dump", "-o", out)
    assert f"15 R0 [{R0} Ed.], 3 R1" in json.loads(out.read_text())["entries"]["10749609"]["excerpt"]
    result = run("annotate", "--from", out)
    assert "updated 0 entries, 19 unchanged" in result.err


def test_an_invalid_curation_file_changes_nothing_and_names_the_pmid(run, seeded, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("entries:\n  '9834411': {tags: [ok]}\n  '10749609': {excerpt: '1-40'}\n")
    before = seeded.read_bytes()
    result = run("annotate", "--from", bad)
    assert result.code == 2
    assert "PMID 10749609: sentence 40 is out of range" in result.err
    assert "nothing was changed" in result.err
    assert seeded.read_bytes() == before


# --- flags ------------------------------------------------------------------------------


def test_every_change_stamps_updated_and_nothing_else_changes(run, seeded):
    before = stored(seeded, "9834411")
    assert run("annotate", "9834411", "--tag", "leiomyosarcoma").code == 0
    after = stored(seeded, "9834411")
    assert after["curation"]["tags"] == ["leiomyosarcoma"]
    assert after["curation"]["updated"]
    assert {k: v for k, v in after.items() if k != "curation"} == {
        k: v for k, v in before.items() if k != "curation"}
    assert set(after["curation"]) - set(before["curation"]) == {"tags", "updated"}


def test_tags_section_and_notes_go_to_several_entries_at_once(run, seeded):
    result = run("annotate", "9834411", "10749609", "--tag", "leiomyosarcoma", "--section", "Sarcoma",
                 "--note", "Both *leiomyosarcoma* series.")
    assert result.code == 0
    assert "annotated 2 entries" in result.err
    for pmid in ("9834411", "10749609"):
        cur = stored(seeded, pmid)["curation"]
        assert (cur["tags"], cur["section"], cur["notes"]) == (
            ["leiomyosarcoma"], "Sarcoma", ["Both *leiomyosarcoma* series."])


def test_a_note_is_read_from_stdin_as_written(run, seeded):
    note = "Expertise makes a difference.\n\n- choose your surgeon\n- and your other doctors"
    assert run("annotate", "10615930", "--note-file", "-", stdin=note + "\n").code == 0
    assert stored(seeded, "10615930")["curation"]["notes"] == [note]


def test_a_quote_is_stored_as_the_abstracts_words_anchored_where_they_stand(run, seeded):
    assert run("annotate", "10615930", "--quote", "Fewer patients referred by general surgeons").code == 0
    [quote] = stored(seeded, "10615930")["curation"]["excerpt"]
    assert quote["kind"] == "quote" and quote["text"] == "Fewer patients referred by general surgeons"
    assert quote["prefix"] == "s versus 26 months. CONCLUSION: "
    assert quote["suffix"].startswith(" had resectable liver disease.")
    assert quote["end"] - quote["start"] == len(quote["text"])


def test_untag_no_section_and_clear(run, seeded):
    run("annotate", "9834411", "--tag", "a", "--tag", "b", "--section", "S", "--order", "3", "--note", "n")
    run("annotate", "9834411", "--untag", "a", "--no-section", "--clear", "order", "--clear", "notes")
    cur = stored(seeded, "9834411")["curation"]
    assert cur["tags"] == ["b"]
    assert not {"section", "order", "notes"} & set(cur)


def test_dry_run_shows_the_result_and_saves_nothing(run, seeded):
    before = seeded.read_bytes()
    result = run("annotate", "10749609", "--excerpt", "6", "--gloss", f"15 R0 [{R0}]", "--dry-run")
    assert result.code == 0
    assert "would change (dry run, nothing saved)" in result.out
    assert f"15 R0 [{R0} Ed.], 3 R1" in " ".join(result.out.split())
    assert seeded.read_bytes() == before


def test_dry_run_json_prints_the_resulting_curation(run, seeded):
    before = seeded.read_bytes()
    result = run("annotate", "10749609", "--tag", "x", "--dry-run", "--json")
    [shown] = json.loads(result.out)
    assert shown["pmid"] == "10749609" and shown["changed"] and shown["curation"]["tags"] == ["x"]
    assert seeded.read_bytes() == before


def test_a_curation_file_dry_run_reports_and_saves_nothing(run, seeded):
    before = seeded.read_bytes()
    result = run("annotate", "--from", EXAMPLE, "--dry-run")
    assert result.out.startswith("would update 19 entries, 0 unchanged")
    assert seeded.read_bytes() == before


# --- errors: one line, exit 2, nothing changed ------------------------------------------


@pytest.mark.parametrize("args, message", [
    (("10749609", "--excerpt", "16-18"), "PMID 10749609: sentence 18 is out of range (the abstract has 17 sentences"),
    (("10749609", "--quote", "liver transplantation"), "'liver transplantation' is not in the abstract"),
    (("10749609", "--quote", "The records were analyzed", "--quote", "Liver resection is"),
     "'Liver resection is' is not in the abstract"),
    (("10749609", "--excerpt", "1", "--quote", "Liver resection is"), "either by sentence numbers"),
    (("10749609", "--literal", "--tag", "x"), "--literal keeps text of a --quote"),
    (("10749609", "--excerpt", "1-2", "--gloss", f"15 R0 [{R0}]"),
     "PMID 10749609: the gloss phrase '15 R0' is not in the excerpt"),
    (("10749609", "9834411", "--excerpt", "1"), "--excerpt, --quote and --gloss apply to exactly one PMID"),
    (("10749609", "--gloss", "15 R0"), "write a gloss as 'PHRASE [NOTE]'"),
    (("10749609", "--clear", "everything"), "cannot clear 'everything'"),
    (("10749609",), "nothing to change"),
    (("10749609", "--section", "A", "--no-section"), "give either --section or --no-section"),
])
def test_a_bad_annotation_is_one_error_line_exit_2_and_changes_nothing(run, seeded, args, message):
    before = seeded.read_bytes()
    result = run("annotate", *args)
    assert result.code == 2
    assert message in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert seeded.read_bytes() == before


def test_annotating_known_and_unknown_pmids_annotates_the_known_and_exits_1(run, seeded):
    result = run("annotate", "10749609", "123", "--tag", "x")
    assert result.code == 1
    assert result.err == ("annotated 1 entry\n"
                          "lmscite: error: PMID 123 is not in the library; add it with `lmscite fetch 123`\n")
    assert run("list", "--tag", "x").out == "10749609\n"


def test_an_unknown_pmid_in_a_curation_file_is_reported_with_exit_1_after_the_rest_is_applied(run, seeded, tmp_path):
    curation = tmp_path / "curation.yaml"
    curation.write_text("entries:\n  '123': {tags: [x]}\n  '10749609': {tags: [x]}\n")
    result = run("annotate", "--from", curation)
    assert result.code == 1
    assert "lmscite: error: PMID 123 is not in the library" in result.err
    assert run("list", "--tag", "x").out == "10749609\n"


# --- --edit ---------------------------------------------------------------------------------


def test_edit_applies_what_the_editor_saved(run, seeded, tmp_path, monkeypatch):
    monkeypatch.setenv("EDITOR", editor(tmp_path, ("tags: []", "tags: [leiomyosarcoma]\n# a comment")))
    result = run("annotate", "10749609", "--edit")
    assert result.code == 0, result.err
    assert stored(seeded, "10749609")["curation"]["tags"] == ["leiomyosarcoma"]


def test_visual_wins_over_editor_and_the_excerpt_is_a_spec(run, seeded, tmp_path, monkeypatch):
    monkeypatch.setenv("EDITOR", "false")
    monkeypatch.setenv("VISUAL", editor(tmp_path, ("excerpt: ''", "excerpt: ...1-2, ...6")))
    assert run("annotate", "10749609", "--edit").code == 0
    excerpt = stored(seeded, "10749609")["curation"]["excerpt"]
    assert [p["kind"] for p in excerpt] == ["gap", "quote", "gap", "quote", "gap"]
    assert excerpt[3]["text"].startswith("In the 23 first liver resections")


def test_an_unchanged_edit_changes_nothing(run, seeded, tmp_path, monkeypatch):
    monkeypatch.setenv("EDITOR", editor(tmp_path, ("no such text", "")))
    before = seeded.read_bytes()
    result = run("annotate", "10749609", "--edit")
    assert result.code == 0
    assert "no change" in result.err
    assert seeded.read_bytes() == before


def test_an_emptied_edit_changes_nothing(run, seeded, tmp_path, monkeypatch):
    run("annotate", "10749609", "--tag", "keep")
    monkeypatch.setenv("EDITOR", editor(tmp_path, ("*", "")))
    before = seeded.read_bytes()
    assert run("annotate", "10749609", "--edit").code == 0
    assert seeded.read_bytes() == before


def test_an_invalid_edit_without_a_terminal_is_kept_in_a_recovery_file(run, seeded, tmp_path, monkeypatch):
    monkeypatch.setenv("EDITOR", editor(tmp_path, ("tags: []\nexcerpt: ''", "tags: [leiomyosarcoma]\nexcerpt: 1-99")))
    before = seeded.read_bytes()
    result = run("annotate", "10749609", "--edit")
    assert result.code == 2
    assert "sentence 99 is out of range" in result.err
    [kept] = seeded.parent.glob("lmscite-edit-10749609-*.yaml")
    assert str(kept) in result.err
    assert "tags: [leiomyosarcoma]\nexcerpt: 1-99" in kept.read_text()
    assert seeded.read_bytes() == before
    kept.write_text(kept.read_text().replace("1-99", "1-2"))
    assert run("annotate", "10749609", "--from", kept).code == 0
    assert stored(seeded, "10749609")["curation"]["tags"] == ["leiomyosarcoma"]


def meddling_editor(tmp_path: Path, other: list[str], old: str, new: str) -> str:
    """An EDITOR that runs another `lmscite` command while the document is open, then saves its change."""
    script = tmp_path / "meddling.py"
    script.write_text(
        "import pathlib, subprocess, sys\n"
        f"subprocess.run([sys.executable, '-m', 'lmscite', *{other!r}], check=True)\n"
        "path = pathlib.Path(sys.argv[-1])\n"
        f"path.write_text(path.read_text().replace({old!r}, {new!r}))\n")
    return f"{sys.executable} {script}"


def test_an_edit_keeps_the_note_and_tag_another_command_added_meanwhile(run, seeded, tmp_path, monkeypatch):
    other = ["annotate", "10749609", "--note", "theirs", "--tag", "theirs"]
    monkeypatch.setenv("EDITOR", meddling_editor(tmp_path, other, "tags: []", "tags: [mine]"))
    result = run("annotate", "10749609", "--edit")
    assert result.code == 0, result.err
    cur = stored(seeded, "10749609")["curation"]
    assert (cur["tags"], cur["notes"]) == (["theirs", "mine"], ["theirs"])


def test_an_edit_in_conflict_is_refused_and_kept_to_apply_once_resolved(run, seeded, tmp_path, monkeypatch):
    other = ["annotate", "10749609", "--section", "Theirs", "--note", "theirs"]
    monkeypatch.setenv("EDITOR", meddling_editor(tmp_path, other, "section:\norder:\ntags: []",
                                                 "section: Mine\norder:\ntags: [mine]"))
    result = run("annotate", "10749609", "--edit")
    assert result.code == 2
    assert "both changed the section (yours: 'Mine', the library's now: 'Theirs')" in result.err
    [kept] = seeded.parent.glob("lmscite-edit-10749609-*.yaml")
    assert str(kept) in result.err
    assert run("annotate", "10749609", "--from", kept).code == 2
    kept.write_text(kept.read_text().replace("section: Mine", "section: Theirs"))
    assert run("annotate", "10749609", "--from", kept).code == 0
    cur = stored(seeded, "10749609")["curation"]
    assert (cur["section"], cur["tags"], cur["notes"]) == ("Theirs", ["mine"], ["theirs"])


def test_a_kept_edit_applied_later_keeps_what_other_commands_did_since(run, seeded, tmp_path, monkeypatch):
    monkeypatch.setenv("EDITOR", editor(tmp_path, ("tags: []\nexcerpt: ''", "tags: [mine]\nexcerpt: 1-99")))
    assert run("annotate", "10749609", "--edit").code == 2
    [kept] = seeded.parent.glob("lmscite-edit-10749609-*.yaml")
    assert run("annotate", "10749609", "--note", "later", "--tag", "later").code == 0
    kept.write_text(kept.read_text().replace("1-99", "1-2"))
    assert run("annotate", "10749609", "--from", kept).code == 0
    cur = stored(seeded, "10749609")["curation"]
    assert (cur["tags"], cur["notes"]) == (["later", "mine"], ["later"])


def test_an_edit_the_library_cannot_take_is_kept_not_lost(run, seeded, tmp_path, monkeypatch):
    script = tmp_path / "then_read_only.py"
    script.write_text(
        "import os, pathlib, sys\n"
        f"os.chmod({str(seeded)!r}, 0o444)\n"
        "path = pathlib.Path(sys.argv[-1])\n"
        "path.write_text(path.read_text().replace('tags: []', 'tags: [mine]'))\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    result = run("annotate", "10749609", "--edit")
    assert result.code == 3
    assert "read-only" in result.err and "your edit is kept in" in result.err
    [kept] = seeded.parent.glob("lmscite-edit-10749609-*.yaml")
    assert "tags: [mine]" in kept.read_text()


def test_an_invalid_edit_on_a_terminal_is_explained_and_reopened(run, seeded, tmp_path, monkeypatch):
    monkeypatch.setattr("lmscite.cli.annotate._interactive", lambda: True)
    monkeypatch.setenv("EDITOR", editor(tmp_path, ("tags: []", "tags: [unclosed"), ("tags: [unclosed", "tags: [fixed]")))
    result = run("annotate", "10749609", "--edit")
    assert result.code == 0, result.err
    assert "not valid YAML" in result.err and "re-opening the editor" in result.err
    assert (tmp_path / "calls").read_text() == "2"
    assert stored(seeded, "10749609")["curation"]["tags"] == ["fixed"]


def test_edit_without_an_editor_is_an_error(run, seeded):
    result = run("annotate", "10749609", "--edit")
    assert result.code == 2
    assert "set $VISUAL or $EDITOR" in result.err


def test_a_failing_editor_keeps_what_was_saved(run, seeded, tmp_path, monkeypatch):
    script = tmp_path / "fail.py"
    script.write_text("import sys, pathlib\np = pathlib.Path(sys.argv[-1])\n"
                      "p.write_text(p.read_text().replace('tags: []', 'tags: [half]'))\nsys.exit(3)\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    result = run("annotate", "10749609", "--edit")
    assert result.code == 2
    assert "the editor exited with status 3" in result.err
    [kept] = seeded.parent.glob("lmscite-edit-10749609-*.yaml")
    assert "tags: [half]" in kept.read_text()


def test_an_editor_that_deletes_its_file_is_one_error_line_and_changes_nothing(run, seeded, monkeypatch):
    monkeypatch.setenv("EDITOR", "rm")
    before = seeded.read_bytes()
    result = run("annotate", "10749609", "--edit")
    assert result.code == 2
    assert result.err.startswith("lmscite: error: the editor removed ")
    assert result.err.endswith(" instead of saving it; nothing was changed\n")
    assert seeded.read_bytes() == before


def test_an_editor_that_saves_another_encoding_leaves_the_edit_where_it_is(run, seeded, tmp_path, monkeypatch):
    script = tmp_path / "latin1.py"
    script.write_text("import sys, pathlib\np = pathlib.Path(sys.argv[-1])\n"
                      "p.write_bytes(p.read_bytes().replace(b'tags: []', 'tags: [caf\\xe9]'.encode('latin-1')))\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    result = run("annotate", "10749609", "--edit")
    assert result.code == 2
    left = Path(result.err.split("the editor saved ", 1)[1].split(" as text", 1)[0])
    assert result.err == (f"lmscite: error: the editor saved {left} as text that is not UTF-8; it is left there "
                          f"(save it as UTF-8, then apply it with `lmscite annotate 10749609 --from {left}`)\n")
    assert b"tags: [caf\xe9]" in left.read_bytes()
    left.unlink()


def test_an_editor_that_leaves_a_folder_in_place_of_its_file_is_one_error_line(run, seeded, monkeypatch):
    monkeypatch.setenv("EDITOR", "sh -c 'rm \"$0\" && mkdir \"$0\"'")
    result = run("annotate", "10749609", "--edit")
    assert result.code == 2
    assert result.err.startswith("lmscite: error: cannot read the edit back from ")
    assert result.err.endswith(": Is a directory; nothing was changed\n")


# --- concurrency ------------------------------------------------------------------------------


def test_concurrent_annotate_processes_on_different_pmids_all_land(run, seeded):
    pmids = ["10749609", "9834411", "11091236", "10917467"]
    env = {**os.environ, "LMSCITE_DB": str(seeded)}
    procs = [subprocess.Popen([sys.executable, "-m", "lmscite", "annotate", pmid, "--tag", f"t{pmid}",
                               "--note", f"note {pmid}"], env=env, stderr=subprocess.PIPE)
             for pmid in pmids]
    for proc in procs:
        _out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    for pmid in pmids:
        cur = stored(seeded, pmid)["curation"]
        assert (cur["tags"], cur["notes"]) == ([f"t{pmid}"], [f"note {pmid}"])


# --- sections ----------------------------------------------------------------------------------


def test_sections_lists_counts_in_page_order(run, seeded):
    run("annotate", "9834411", "10749609", "--section", "Sarcoma")
    run("annotate", "9768608", "--section", "Anatomy")
    run("sections", "order", "Sarcoma")
    assert run("sections").out == "section\tentries\nSarcoma\t2\nAnatomy\t1\n"
    assert json.loads(run("sections", "--json").out) == [
        {"section": "Sarcoma", "entries": 2}, {"section": "Anatomy", "entries": 1}]


def test_sections_rename_renames_in_entries_and_in_the_order(run, seeded):
    run("annotate", "9834411", "10749609", "--section", "Sarcoma")
    run("sections", "order", "Sarcoma")
    result = run("sections", "rename", "Sarcoma", "Leiomyosarcoma")
    assert result.code == 0
    assert "in 2 entries" in result.err
    assert stored(seeded, "9834411")["curation"]["section"] == "Leiomyosarcoma"
    assert json.loads(seeded.read_text())["meta"]["1"]["section_order"] == ["Leiomyosarcoma"]


def test_ordering_or_renaming_an_unknown_section_is_an_error(run, seeded):
    run("annotate", "9834411", "--section", "Sarcoma")
    before = seeded.read_bytes()
    assert "no entry is in the section 'Sarcom'" in run("sections", "order", "Sarcom").err
    result = run("sections", "rename", "Sarcom", "X")
    assert result.code == 2
    assert "no section is named 'Sarcom' (sections: Sarcoma)" in result.err
    assert seeded.read_bytes() == before
