"""The --edit session as a library: an edit is a change against what the editor opened, never lost.

`edit_entry` takes the editor as a callable, so these tests are what a Python
user does without the CLI; the CLI's own tests run a real $EDITOR.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lmscite.curation.edit import Edit, annotate
from lmscite.curation.session import (
    EditConflict,
    EditorFailed,
    apply_saved_edit,
    edit_entry,
    merge_curation,
)
from lmscite.curation.written import written_form
from lmscite.errors import InputError
from lmscite.library.store import Library
from lmscite.model import Curation, Piece

PMID = "10749609"


def change(library: Library, **edit) -> None:
    """Another command's annotate, run while the editor is open."""
    with library.transaction() as view:
        view.replace([annotate(view.get(PMID), Edit(**edit))])


def curation(library: Library) -> Curation:
    return library.snapshot().get(PMID).curation


def replacing(old: str, new: str, meanwhile=None):
    """An editor that makes one replacement, running `meanwhile` (another command) before it saves."""

    def editor(text: str) -> str:
        assert old in text
        if meanwhile:
            meanwhile()
        return text.replace(old, new)

    return editor


def kept_files(library: Library) -> list[Path]:
    return sorted(library.path.parent.glob(f"lmscite-edit-{PMID}-*.yaml"))


def test_an_edit_applies_what_the_editor_returned(library):
    entry = library.snapshot().get(PMID)
    result = edit_entry(library, entry, replacing("tags: []", "tags: [sarcoma]"))
    assert result.after.curation.tags == ["sarcoma"]
    assert curation(library).tags == ["sarcoma"]


def test_an_edit_keeps_the_note_and_tag_another_command_added_meanwhile(library):
    entry = library.snapshot().get(PMID)
    meanwhile = lambda: change(library, notes=["theirs"], tags=["theirs"])  # noqa: E731
    edit_entry(library, entry, replacing("tags: []", "tags: [mine]", meanwhile))
    cur = curation(library)
    assert (cur.tags, cur.notes) == (["theirs", "mine"], ["theirs"])
    assert kept_files(library) == []


def test_an_edit_that_removes_a_tag_removes_only_that_tag(library):
    change(library, tags=["a", "b"])
    entry = library.snapshot().get(PMID)
    meanwhile = lambda: change(library, tags=["c"])  # noqa: E731
    edit_entry(library, entry, replacing("- a\n", "", meanwhile))
    assert curation(library).tags == ["b", "c"]


def test_both_changing_the_section_differently_is_refused_and_the_edit_kept_with_its_base(library):
    change(library, section="Old")
    entry = library.snapshot().get(PMID)
    meanwhile = lambda: change(library, section="Theirs")  # noqa: E731
    with pytest.raises(EditConflict, match="both changed the section .yours: 'Mine', the library's now: 'Theirs'"):
        edit_entry(library, entry, replacing("section: Old", "section: Mine", meanwhile))
    assert curation(library).section == "Theirs"
    [kept] = kept_files(library)
    data = yaml.safe_load(kept.read_text())
    assert (data["section"], data["base"]["section"]) == ("Mine", "Old")


def test_both_changing_the_section_the_same_way_is_no_conflict(library):
    entry = library.snapshot().get(PMID)
    meanwhile = lambda: change(library, section="Same", notes=["theirs"])  # noqa: E731
    edit_entry(library, entry, replacing("section:", "section: Same", meanwhile))
    assert (curation(library).section, curation(library).notes) == ("Same", ["theirs"])


def test_the_excerpt_is_one_unit_in_a_merge(library):
    entry = library.snapshot().get(PMID)
    meanwhile = lambda: change(library, excerpt="1-2")  # noqa: E731
    with pytest.raises(EditConflict, match="both changed the excerpt .yours: '... The records of 26 patients"):
        edit_entry(library, entry, replacing("excerpt: ''", "excerpt: '3'", meanwhile))


def test_a_gloss_written_into_the_excerpt_is_part_of_it_in_a_merge(library):
    change(library, excerpt="...6...")
    entry = library.snapshot().get(PMID)
    meanwhile = lambda: change(library, tags=["theirs"])  # noqa: E731
    edit_entry(library, entry, replacing("there were 15 R0", "there were 15 R0 [clear margins Ed.]", meanwhile))
    cur = curation(library)
    assert "15 R0 [clear margins Ed.], 3 R1" in written_form(cur.excerpt)
    assert cur.tags == ["theirs"]


def test_a_saved_edit_applies_as_a_change_after_more_commands_ran(library):
    entry = library.snapshot().get(PMID)
    with pytest.raises(InputError, match="out of range"):
        edit_entry(library, entry, replacing("tags: []\nexcerpt: ''", "tags: [mine]\nexcerpt: 1-99"))
    [kept] = kept_files(library)
    change(library, notes=["later"], tags=["later"])
    data = yaml.safe_load(kept.read_text().replace("1-99", "1-2"))
    with library.transaction() as view:
        view.replace([apply_saved_edit(view.get(PMID), data, kept.name)])
    cur = curation(library)
    assert (cur.tags, cur.notes) == (["later", "mine"], ["later"])
    assert written_form(cur.excerpt).startswith("Liver resection is the treatment of choice")


def test_a_saved_edit_whose_base_was_tampered_with_is_refused(library):
    entry = library.snapshot().get(PMID)
    with pytest.raises(InputError, match="its `base` is not as lmscite wrote it"):
        apply_saved_edit(entry, {"tags": ["x"], "base": {"tags": "x", "colour": 1}}, "kept.yaml")


def test_a_saved_edit_holding_only_its_base_is_refused_not_read_as_clear_everything(library):
    change(library, tags=["keep"])
    entry = library.snapshot().get(PMID)
    with pytest.raises(InputError, match="holds no curation to apply"):
        apply_saved_edit(entry, {"base": {"tags": ["keep"]}}, "kept.yaml")


def test_an_edit_replaced_by_an_empty_mapping_is_kept_as_a_file_that_reads_back(library):
    change(library, tags=["keep"])
    entry = library.snapshot().get(PMID)
    meanwhile = lambda: change(library, section="Theirs")  # noqa: E731

    def clear_all(text: str) -> str:
        meanwhile()
        return "{section: Mine}\n"

    change(library, section="Old")
    entry = library.snapshot().get(PMID)
    with pytest.raises(EditConflict):
        edit_entry(library, entry, clear_all)
    [kept] = kept_files(library)
    data = yaml.safe_load(kept.read_text())
    assert data == {"section": "Mine", "base": {"section": "Old", "tags": ["keep"]}}


def test_a_failing_editor_keeps_what_it_saved(library):
    entry = library.snapshot().get(PMID)

    def failing(text: str) -> str:
        raise EditorFailed("the editor exited with status 3", text.replace("tags: []", "tags: [half]"))

    with pytest.raises(InputError, match="status 3; your edit is kept in"):
        edit_entry(library, entry, failing)
    [kept] = kept_files(library)
    assert "tags: [half]" in kept.read_text()


def test_an_invalid_edit_is_reopened_with_its_problem_while_reopen_says_so(library):
    entry = library.snapshot().get(PMID)
    seen: list[str] = []

    def editor(text: str) -> str:
        seen.append(text)
        return text.replace("tags: []", "tags: [unclosed") if len(seen) == 1 else "tags: [fixed]\n"

    edit_entry(library, entry, editor, reopen=lambda problem: True)
    assert seen[1].startswith("# ERROR: the edited document: not valid YAML")
    assert curation(library).tags == ["fixed"]


def test_a_dry_run_edit_saves_nothing(library):
    entry = library.snapshot().get(PMID)
    before = library.path.read_bytes()
    result = edit_entry(library, entry, replacing("tags: []", "tags: [x]"), dry_run=True)
    assert result.after.curation.tags == ["x"]
    assert library.path.read_bytes() == before


# --- merge_curation ---------------------------------------------------------------------------


def test_excerpts_that_differ_only_on_the_side_that_changed_merge_to_that_side():
    quote = [Piece("quote", "a", "", "", 0, 1)]
    glossed = [*quote, Piece("gloss", "note")]
    assert merge_curation(Curation(excerpt=quote), Curation(excerpt=glossed), Curation(excerpt=quote, tags=["t"]),
                          PMID).excerpt == glossed


def test_an_order_changed_on_one_side_only_is_that_sides():
    assert merge_curation(Curation(order=1), Curation(order=2), Curation(order=1, notes=["n"]), PMID).order == 2
    assert merge_curation(Curation(order=1), Curation(order=1), Curation(order=3), PMID).order == 3
