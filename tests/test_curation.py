"""Editing one entry's curation: edits, their stamps, and sections across the library."""

from __future__ import annotations

import pytest
from records import seed

from lmscite.curation.edit import Edit, annotate, set_curation
from lmscite.curation.excerpt import Gloss
from lmscite.curation.sections import rename_section, sections_list, set_section_order
from lmscite.curation.written import written_form
from lmscite.errors import InputError

STAMP = "2026-01-02T03:04:05Z"




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
    entry = annotate(seed("10749609"), Edit(excerpt="...6...", glosses=[Gloss("15 R0", "typo")]))
    entry = annotate(entry, Edit(glosses=[Gloss("15 R0", "R0 resection is clear surgical margins.")]))
    assert written_form(entry.curation.excerpt) == (
        "... In the 23 first liver resections, there were 15 R0 [R0 resection is clear surgical margins. Ed.], "
        "3 R1, and 5 R2 resections. ...")


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
