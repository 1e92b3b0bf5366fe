"""Rules every command keeps, tried on every command the Typer app has (a new command cannot be forgotten).

* Unknown ids: a command that takes entries does what it can with the ones
  the library holds, reports the others in one line, and exits 1.
* Failures are one `lmscite: error:` line with the documented exit code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import typer.main

from lmscite.cli import app
from lmscite.library.store import Library

KNOWN = "10749609"
UNKNOWN = "123"
NOT_IN_LIBRARY = f"lmscite: error: PMID {UNKNOWN} is not in the library; add it with `lmscite fetch {UNKNOWN}`\n"


def command_paths() -> set[str]:
    def walk(command, path):
        yield " ".join(path)
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, [*path, name])

    return set(walk(typer.main.get_command(app), [])) - {""}


def json_pmids(out: str) -> list[str]:
    return [entry["pmid"] for entry in json.loads(out or "[]")]


def tags(library: Library, pmid: str) -> list[str]:
    return library.snapshot().get(pmid).curation.tags


# How each command that takes entries is given KNOWN and UNKNOWN, and what shows that KNOWN was done.
Check = Callable[..., None]
ENTRY_CASES: dict[str, tuple[list[str], Check]] = {
    "show": (["show", "{ids}"], lambda result, **_: f"PMID: {KNOWN}" in result.out),
    "show --json": (["show", "--json", "{ids}"],
                    lambda result, **_: json_pmids(result.out) == [KNOWN]),
    "remove": (["remove", "{ids}"], lambda library, **_: KNOWN not in library.snapshot()),
    "annotate": (["annotate", "{ids}", "--tag", "done"], lambda library, **_: tags(library, KNOWN) == ["done"]),
    "annotate --from FILE": (["annotate", "--from", "{file}"], lambda library, **_: tags(library, KNOWN) == ["done"]),
    "export": (["export", "-f", "json", "{ids}"],
               lambda result, **_: json_pmids(result.out) == [KNOWN]),
    "export --pmid": (["export", "-f", "json", "{--pmid}"],
                      lambda result, **_: json_pmids(result.out) == [KNOWN]),
    "check": (["check", "--uncurated", "{ids}"],
              lambda result, **_: [row.split("\t")[:2] for row in result.out.splitlines()[1:]] == [[KNOWN, "uncurated"]]),
    "refresh": (["refresh", "{ids}"], lambda eutils, **_: [r.ids for r in eutils.to("efetch")] == [[KNOWN]]),
}
TAKES_NO_ENTRIES = {
    "import": "files", "list": "filters", "info": "nothing", "fetch": "PubMed ids, not stored entries",
    "search": "a query", "curation": "a group", "curation dump": "the whole library", "page": "a group",
    "page set": "text", "page unset": "a key", "page show": "nothing", "sections": "nothing",
    "sections rename": "section names", "sections order": "section names", "undo": "a kept version",
}
ONE_ENTRY_OPTIONS = [["--edit"], ["--excerpt", "1"], ["--from", "{one}"]]


def test_every_command_says_here_whether_it_takes_entries():
    entry_commands = {case.split(" -")[0] for case in ENTRY_CASES}
    assert command_paths() == entry_commands | set(TAKES_NO_ENTRIES)


def _args(template: list[str], ids: list[str], tmp_path: Path) -> list[str]:
    curation = tmp_path / "curation.yaml"
    curation.write_text("".join(f"  '{pmid}': {{tags: [done]}}\n" for pmid in ids).join(["entries:\n", ""]))
    one = tmp_path / "one.yaml"
    one.write_text("tags: [done]\n")
    filled = {"{file}": [str(curation)], "{one}": [str(one)], "{ids}": ids,
              "{--pmid}": [part for pmid in ids for part in ("--pmid", pmid)]}
    return [part for token in template for part in filled.get(token, [token])]


@pytest.mark.parametrize("case", sorted(ENTRY_CASES))
def test_unknown_ids_exit_1_with_one_line_and_the_known_ones_done(run, library, eutils, tmp_path, case):
    template, done = ENTRY_CASES[case]
    result = run(*_args(template, [KNOWN, UNKNOWN], tmp_path))
    assert result.code == 1, result.err
    assert result.err.splitlines()[-1] + "\n" == NOT_IN_LIBRARY
    assert "Traceback" not in result.err
    assert done(result=result, library=library, eutils=eutils)


@pytest.mark.parametrize("case", sorted(c for c in ENTRY_CASES if "{ids}" in ENTRY_CASES[c][0]))
def test_ids_on_stdin_are_taken_as_arguments_are(run, library, eutils, tmp_path, case):
    template, done = ENTRY_CASES[case]
    result = run(*_args(template, ["-"], tmp_path), stdin=f"PMID: {KNOWN}\nhttps://pubmed.ncbi.nlm.nih.gov/{UNKNOWN}/\n")
    assert result.code == 1, result.err
    assert result.err.splitlines()[-1] + "\n" == NOT_IN_LIBRARY
    assert done(result=result, library=library, eutils=eutils)


@pytest.mark.parametrize("case", sorted(ENTRY_CASES))
def test_only_unknown_ids_exit_1_and_touch_nothing(run, library, library_path, eutils, tmp_path, case):
    """Also shows that each case's check of "the known one was done" can fail."""
    template, done = ENTRY_CASES[case]
    before = library_path.read_bytes()
    result = run(*_args(template, [UNKNOWN], tmp_path))
    assert result.code == 1
    assert result.err.splitlines()[-1] + "\n" == NOT_IN_LIBRARY
    assert library_path.read_bytes() == before
    assert eutils.to("efetch") == []
    assert result.out == ""
    assert not done(result=result, library=library, eutils=eutils)


@pytest.mark.parametrize("options", ONE_ENTRY_OPTIONS, ids=lambda o: o[0])
def test_an_option_for_one_entry_on_an_unknown_one_exits_1_and_changes_nothing(run, library, library_path,
                                                                               tmp_path, monkeypatch, options):
    monkeypatch.setenv("EDITOR", "false")
    before = library_path.read_bytes()
    result = run("annotate", UNKNOWN, *_args(options, [], tmp_path))
    assert result.code == 1
    assert result.err == NOT_IN_LIBRARY
    assert library_path.read_bytes() == before


# --- one error line, every command ----------------------------------------------------------


@pytest.mark.parametrize("path", sorted(command_paths()))
def test_an_unknown_option_is_one_line_and_exit_2_for_every_command(run, path):
    result = run(*path.split(), "--no-such-option")
    assert result.code == 2
    assert result.err.startswith("lmscite: error: No such option: --no-such-option")
    assert len(result.err.splitlines()) == 1


READS_THE_LIBRARY = {
    "show": [KNOWN], "remove": [KNOWN], "annotate": [KNOWN, "--tag", "x"], "export": [], "check": [],
    "refresh": [], "import": ["{xml}"], "list": [], "info": [], "fetch": [KNOWN], "search": ["x", "--save", "n"],
    "curation dump": [], "page set": ["title", "T"], "page unset": ["title"], "page show": [], "sections": [],
    "sections rename": ["A", "B"], "sections order": ["A"],
}
"""Every command but the two groups (which print their help) and `undo` (the way back from a damaged
library: it reads only the kept versions), with what it needs to reach the library."""


def test_every_command_but_the_groups_is_tried_on_a_corrupt_library():
    assert set(READS_THE_LIBRARY) == command_paths() - {"curation", "page", "undo"}


@pytest.mark.parametrize("path", sorted(READS_THE_LIBRARY))
def test_a_corrupt_library_is_one_line_exit_3_and_left_as_it_was_for_every_command(run, library_path, eutils,
                                                                                    data, path):
    library_path.write_text("{not json")
    xml = str(data / "xml/bp_pubmed2_two_articles.xml")
    extra = [xml if arg == "{xml}" else arg for arg in READS_THE_LIBRARY[path]]
    result = run(*path.split(), *extra)
    assert result.code == 3, result.err
    assert result.err.startswith("lmscite: error: ")
    assert "corrupt" in result.err
    assert len(result.err.splitlines()) == 1
    assert library_path.read_text() == "{not json"
