"""Libraries and curation files written with schema 1 are read, and written again, without loss."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lmscite.curation.written import written_form
from lmscite.library.store import Library
from lmscite.model import SCHEMA
from lmscite.upgrade import entry_v1

OLD = Path(__file__).parent / "data" / "schema1"
SEED = Path(__file__).parent / "data" / "seed" / "liver-metastases.pubmed.xml"
EPOCH = "1735689600"


@pytest.fixture
def old_library(tmp_path) -> Path:
    path = tmp_path / "library.json"
    shutil.copy(OLD / "library.json", path)
    return path


def test_the_kept_library_really_is_schema_1():
    data = json.loads((OLD / "library.json").read_text())
    assert data["meta"]["1"]["schema"] == 1
    assert "glosses" in data["entries"]["10749609"]["curation"]


@pytest.mark.parametrize("fmt, page", [("markdown", "liver-metastases.md"), ("html", "liver-metastases.html")])
def test_a_schema_1_library_exports_the_very_pages_it_did(run, old_library, monkeypatch, fmt, page):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    done = run("--db", old_library, "export", "--format", fmt)
    assert done.code == 0, done.err
    assert done.out == (OLD / page).read_text(encoding="utf-8")


def test_reading_a_schema_1_library_leaves_the_file_as_it_was(run, old_library):
    before = old_library.read_bytes()
    assert run("--db", old_library, "show", "10749609").code == 0
    assert run("--db", old_library, "check").code == 0
    assert old_library.read_bytes() == before


def test_the_first_write_upgrades_every_entry_and_the_schema_number(run, old_library, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert run("--db", old_library, "annotate", "9194777", "--note", "upgraded").code == 0
    data = json.loads(old_library.read_text())
    assert data["meta"]["1"]["schema"] == SCHEMA == 2
    for entry in data["entries"].values():
        curation = entry.get("curation", {})
        assert "glosses" not in curation
        assert all(isinstance(piece, dict) and "kind" in piece for piece in curation.get("excerpt", []))
    assert run("--db", old_library, "annotate", "9194777", "--clear", "notes").code == 0
    done = run("--db", old_library, "export", "--format", "markdown")
    assert done.out == (OLD / "liver-metastases.md").read_text(encoding="utf-8")


def test_each_sentence_run_becomes_its_quote_and_each_gloss_stands_after_its_phrase(old_library):
    entry = Library(old_library).snapshot().get("10749609")
    written = written_form(entry.curation.excerpt)
    assert written.startswith("... Liver resection is the treatment of choice for hepatic metastases")
    assert "there were 15 R0 [R0 resection is clear surgical margins. Ed.], 3 R1, and 5 R2" in written
    assert written.count("...") == 4
    quotes = [piece for piece in entry.curation.excerpt if piece.kind == "quote"]
    assert all(entry.abstract and piece.end > piece.start for piece in quotes)


def test_a_run_whose_text_the_abstract_no_longer_holds_is_kept_and_reported():
    doc = json.loads((OLD / "library.json").read_text())["entries"]["10749609"]
    doc["abstract"]["sections"][0]["text"] = doc["abstract"]["sections"][0]["text"].replace(
        "has not been defined", "remains open")
    upgraded = entry_v1(doc)
    quotes = [p for p in upgraded["curation"]["excerpt"] if p["kind"] == "quote"]
    assert quotes[0]["text"].endswith("has not been defined.")
    assert (quotes[0]["start"], quotes[0]["end"]) == (0, 0)


def test_a_gloss_whose_phrase_is_gone_keeps_its_note_at_the_end_with_a_flag():
    doc = json.loads((OLD / "library.json").read_text())["entries"]["10749609"]
    doc["curation"]["glosses"] = [{"phrase": "no such words", "note": "kept"}]
    upgraded = entry_v1(doc)["curation"]
    assert upgraded["excerpt"][-1] == {"kind": "gloss", "text": "kept"}
    assert upgraded["flags"] == ["gloss 'kept' stood after 'no such words', which is no longer in the excerpt; "
                                 "it now stands at its end (schema 2)"]


def test_an_entry_not_in_schema_1s_shape_is_left_for_the_librarys_checks():
    doc = {"pmid": "1", "curation": {"excerpt": "not a list"}}
    assert entry_v1(doc) is doc


@pytest.mark.parametrize("fmt, page", [("markdown", "liver-metastases.md")])
def test_a_schema_1_curation_file_applies_and_gives_the_same_page(run, library_path, monkeypatch, fmt, page):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert run("import", SEED).code == 0
    done = run("annotate", "--from", OLD / "curation.yaml")
    assert done.code == 0, done.err
    assert run("export", "--format", fmt).out == (OLD / page).read_text(encoding="utf-8")


def test_a_schema_1_curation_file_dumps_in_todays_written_form(run, library_path):
    assert run("import", SEED).code == 0
    assert run("annotate", "--from", OLD / "curation.yaml").code == 0
    dumped = run("curation", "dump").out
    assert "glosses:" not in dumped and "sentences:" not in dumped
    assert "15 R0 [R0 resection is clear surgical margins. Ed.], 3 R1" in " ".join(dumped.split())
