"""The library commands as a user meets them: import, list, show, remove, info, and exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

XML = "xml/bp_pubmed2_two_articles.xml"


def test_import_reports_what_it_added_on_stderr_and_prints_nothing_on_stdout(run, data):
    result = run("import", data / XML)
    assert result.code == 0
    assert result.out == ""
    assert "imported 2 entries: 2 added, 0 updated, 0 unchanged" in result.err


def test_importing_the_same_file_again_changes_nothing(run, data, library_path):
    run("import", data / XML)
    before = library_path.read_bytes()
    result = run("import", data / XML)
    assert "0 added, 0 updated, 2 unchanged" in result.err
    assert library_path.read_bytes() == before


def test_import_reads_xml_and_medline_and_stdin(run, data):
    assert run("import", data / "medline/bp_pubmed_result2.txt").code == 0
    result = run("import", "-", stdin=(data / XML).read_bytes())
    assert result.code == 0
    assert "2 added" in result.err
    assert len(run("list", "--format", "ids").out.split()) == 6


def test_an_empty_set_imports_nothing_and_says_so(run, data, library_path):
    result = run("import", data / "xml/mp_37909814_empty_set.xml")
    assert result.code == 0
    assert "no records" in result.err
    assert not library_path.exists()


def test_a_file_that_fails_halfway_adds_nothing_and_the_good_files_are_imported(run, data, tmp_path):
    whole = (data / "xml/mp_39142283_43_authors.xml").read_bytes()
    broken = tmp_path / "truncated.xml"
    broken.write_bytes(whole[: len(whole) // 2])
    result = run("import", data / XML, broken)
    assert result.code == 1
    (warning,) = [line for line in result.err.splitlines() if line.startswith("lmscite: warning: ")]
    assert "truncated.xml: malformed XML" in warning and "nothing was imported from it" in warning
    assert "imported 2 entries: 2 added" in result.err
    assert run("list", "--format", "ids").out.split() == ["11700088", "11748933"]


def test_a_single_file_that_cannot_be_read_is_the_commands_one_error_line(run, tmp_path, library_path):
    broken = tmp_path / "truncated.xml"
    broken.write_bytes(b"<PubmedArticleSet><PubmedArticle>")
    result = run("import", broken)
    assert (result.code, result.err.count("\n")) == (2, 1)
    assert result.err.startswith("lmscite: error: ") and "truncated.xml" in result.err
    assert not library_path.exists()


def test_when_no_file_can_be_read_the_error_says_so_and_names_the_first(run, tmp_path, library_path):
    first, second = tmp_path / "a.xml", tmp_path / "b.nbib"
    first.write_bytes(b"<PubmedArticleSet><PubmedArticle>")
    second.write_bytes(b"not a record")
    result = run("import", first, second)
    assert (result.code, result.err.count("\n")) == (2, 1)
    assert "none of the 2 files could be read" in result.err and "a.xml" in result.err
    assert not library_path.exists()


def test_one_bad_file_among_many_costs_only_itself(run, data, tmp_path):
    files = []
    for number in range(201):
        path = tmp_path / f"copy{number}.xml"
        path.write_bytes((data / XML).read_bytes())
        files.append(path)
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"\x00 not xml")
    result = run("import", *files[:100], bad, *files[100:])
    assert result.code == 1
    assert "bad.xml" in result.err and "imported 2 entries: 2 added" in result.err


def test_an_error_body_is_refused_with_ncbis_message(run, data):
    result = run("import", data / "errors/sul_efetch_empty_id_error_2022.xml")
    assert result.code == 2
    assert "Supplied id parameter is empty" in result.err


def test_a_missing_file_is_a_one_line_usage_error(run, tmp_path):
    result = run("import", tmp_path / "nope.xml")
    assert result.code == 2
    assert result.err == f"lmscite: error: {tmp_path / 'nope.xml'}: no such file\n"


def test_a_non_utf8_medline_file_is_refused(run, tmp_path):
    bad = tmp_path / "latin1.nbib"
    bad.write_bytes("PMID- 1\nTI  - Caf\xe9\n".encode("latin-1"))
    result = run("import", bad)
    assert result.code == 2
    assert "UTF-8" in result.err


def test_list_prints_ids_one_per_line_when_piped(run, data):
    run("import", data / XML)
    assert run("list").out == "11700088\n11748933\n"


def test_list_json_is_the_stored_entries(run, data):
    run("import", data / XML)
    rows = json.loads(run("list", "--json").out)
    assert [r["pmid"] for r in rows] == ["11700088", "11748933"]
    assert rows[0]["journal"]["medline_ta"]


def test_list_filters_by_year_journal_and_grep(run, data):
    run("import", *sorted((data / "xml").glob("*.xml"))[:8])
    years = run("list", "--format", "jsonl", "--year", "2018-2019").out.splitlines()
    assert years and all(json.loads(r)["pub_date"].get("year", "") in {"2018", "2019"} for r in years)
    assert run("list", "--grep", "CRYOPRESERVATION", "--format", "ids").out.split() == ["11748933"]


def test_an_unknown_tag_filter_is_an_error_not_an_empty_list(run, data):
    run("import", data / XML)
    result = run("list", "--tag", "nosuch")
    assert result.code == 2
    assert "no entry has the tag 'nosuch'" in result.err


def test_show_prints_the_citation_title_and_pmid(run, data):
    run("import", data / XML)
    result = run("show", "11748933")
    assert result.code == 0
    assert "PMID: 11748933" in result.out
    assert "Is cryopreservation a homogeneous process?" in result.out


def test_show_of_an_unknown_pmid_exits_1_and_suggests_fetch(run, data):
    run("import", data / XML)
    result = run("show", "123")
    assert result.code == 1
    assert result.out == ""
    assert result.err == "lmscite: error: PMID 123 is not in the library; add it with `lmscite fetch 123`\n"


def test_show_prints_the_known_entries_and_reports_the_unknown_ones(run, data):
    run("import", data / XML)
    result = run("show", "11748933", "123", "456")
    assert result.code == 1
    assert "PMID: 11748933" in result.out
    assert result.err == ("lmscite: error: 2 PMIDs are not in the library: 123, 456; "
                          "add them with `lmscite fetch 123 456`\n")


def test_show_json_round_trips_the_entry(run, data):
    run("import", data / XML)
    from lmscite.model import Entry

    shown = json.loads(run("show", "11748933", "--json").out)[0]
    assert Entry.from_dict(shown).to_dict() == shown


def test_remove_takes_ids_on_stdin_and_reports_missing_ones(run, data):
    run("import", data / XML)
    result = run("remove", "-", stdin="11748933\n999\n")
    assert result.code == 1
    assert result.err == ("removed 1 entry\n"
                          "lmscite: error: PMID 999 is not in the library; add it with `lmscite fetch 999`\n")
    assert run("list").out == "11700088\n"


def test_an_invalid_pmid_is_a_usage_error(run):
    result = run("show", "abc")
    assert result.code == 2
    assert result.err == "lmscite: error: not a PMID, DOI or PMC id: 'abc'\n"


def test_an_unknown_option_is_one_line_with_a_help_hint(run):
    result = run("list", "--colour")
    assert result.code == 2
    assert result.err.startswith("lmscite: error: No such option: --colour")
    assert len(result.err.strip().splitlines()) == 1


def test_info_json_says_where_the_library_is(run, data, library_path):
    run("import", data / XML)
    facts = json.loads(run("info", "--json").out)
    assert facts["library"] == str(library_path)
    assert facts["entries"] == 2


def test_db_option_overrides_the_environment(run, data, tmp_path):
    other = tmp_path / "other.json"
    run("--db", other, "import", data / XML)
    assert other.exists()
    assert run("list").out == ""


def test_quiet_silences_messages_but_not_errors(run, data, tmp_path):
    assert run("--quiet", "import", data / XML).err == ""
    assert run("--quiet", "import", tmp_path / "missing.xml").err.startswith("lmscite: error:")


def test_a_corrupt_library_exits_3_and_is_left_untouched(run, data, library_path):
    library_path.write_text("{not json")
    result = run("import", data / XML)
    assert result.code == 3
    assert "corrupt" in result.err
    assert library_path.read_text() == "{not json"


def test_the_installed_command_runs_as_a_subprocess(data, tmp_path):
    installed = shutil.which("lmscite", path=str(Path(sys.executable).parent))
    assert installed, "the lmscite console script is not installed beside this Python"
    env_db = str(tmp_path / "lib.json")
    done = subprocess.run([installed, "--db", env_db, "import", str(data / XML)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    listed = subprocess.run([installed, "--db", env_db, "list", "--format", "ids"],
                            capture_output=True, text=True, timeout=60)
    assert listed.stdout == "11700088\n11748933\n"
    assert listed.stderr == ""
    version = subprocess.run([installed, "--version"], capture_output=True, text=True, timeout=60)
    assert version.stdout.startswith("lmscite ")


def test_python_dash_m_runs_the_same_command(data, tmp_path):
    done = subprocess.run([sys.executable, "-m", "lmscite", "--db", str(tmp_path / "lib.json"),
                           "import", str(data / XML)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert "2 added" in done.stderr


HEAVY = ("Bio", "pydantic", "jinja2", "lxml", "tinydb", "rich", "yaml", "markdown_it", "lmscite.pubmed.xml",
         "lmscite.pubmed.medline", "lmscite.library.store", "lmscite.model", "lmscite.pubmed.eutils", "lmscite.render")
"""What `--help` and `--version` must not import: they answer before any of it is needed."""


@pytest.mark.parametrize("args, shown", [
    (["--help"], "Usage: lmscite"),
    (["--version"], "lmscite "),
    (["fetch", "--help"], "Usage: lmscite fetch"),
    (["export", "--help"], "Usage: lmscite export"),
], ids=["help", "version", "fetch-help", "export-help"])
def test_version_and_help_do_not_import_heavy_modules(args, shown):
    code = (f"import sys; sys.argv=['lmscite', *{args!r}]\n"
            "from lmscite.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            f"heavy=[m for m in {HEAVY!r} if m in sys.modules]\n"
            "print('HEAVY', heavy, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "HEAVY []" in done.stderr
    assert shown in done.stdout


def test_several_processes_importing_different_files_all_land(data, tmp_path):
    lib = str(tmp_path / "lib.json")
    files = sorted((data / "xml").glob("*.xml"))[:6]
    procs = [subprocess.Popen([sys.executable, "-m", "lmscite", "--db", lib, "import", str(f)],
                              stderr=subprocess.PIPE) for f in files]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    listed = subprocess.run([sys.executable, "-m", "lmscite", "--db", lib, "list", "--format", "ids"],
                            capture_output=True, text=True, timeout=60).stdout.split()
    from lmscite.pubmed.xml import iter_entries

    expected = {e.pmid for f in files for e in iter_entries(f)}
    assert set(listed) == expected


def _commands(command, path):
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _commands(sub, [*path, name])


def test_every_command_help_shows_an_example():
    import typer.main

    from lmscite.cli import app

    missing = []
    for path, command in _commands(typer.main.get_command(app), ["lmscite"]):
        context = command.make_context(" ".join(path), [], resilient_parsing=True)
        if "Example" not in command.get_help(context):
            missing.append(" ".join(path))
    assert missing == []


def test_ci_runs_exactly_the_test_command_the_readme_gives():
    root = Path(__file__).parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    blocks = [line for line in readme.splitlines() if "pytest" in line and line.startswith("python3 -m venv")]
    assert blocks, "the README gives no test command"
    assert blocks[0] in (root / ".ci" / "run").read_text(encoding="utf-8").splitlines()


# --- ids in every form fetch takes, resolved against the library ---------------------------

GUT = "xml/bp_pubmed4_structured_abstract_refs_2018dtd.xml"


@pytest.mark.parametrize("given", [
    "27797938", "PMID:27797938", "https://pubmed.ncbi.nlm.nih.gov/27797938/", "10.1136/gutjnl-2016-312510",
    "https://doi.org/10.1136/GUTJNL-2016-312510", "PMC5442267", "https://pmc.ncbi.nlm.nih.gov/articles/PMC5442267/",
], ids=["pmid", "label", "pubmed-url", "doi", "doi-url-other-case", "pmcid", "pmc-url"])
def test_show_takes_every_id_form_fetch_takes_from_the_library_alone(run, data, given):
    run("import", data / GUT)
    result = run("show", given, "--json")
    assert result.code == 0, result.err
    assert [e["pmid"] for e in json.loads(result.out)] == ["27797938"]


def test_two_forms_of_one_entry_name_it_once(run, data):
    run("import", data / GUT)
    assert run("list", "--format", "ids").out == "27797938\n"
    result = run("export", "-f", "json", "-", stdin="PMC5442267\n10.1136/gutjnl-2016-312510\n27797938\n")
    assert [e["pmid"] for e in json.loads(result.out)] == ["27797938"]


def test_remove_by_doi_removes_that_entry(run, data):
    run("import", data / GUT, data / XML)
    result = run("remove", "doi:10.1136/gutjnl-2016-312510")
    assert result.code == 0
    assert run("list").out == "11700088\n11748933\n"


def test_an_unknown_doi_is_reported_as_written_with_a_fetch_that_a_shell_can_paste(run, data):
    run("import", data / XML)
    result = run("show", "11748933", "10.1016/S0140-6736(00)02029-1")
    assert result.code == 1
    assert "PMID: 11748933" in result.out
    assert result.err == ("lmscite: error: 10.1016/S0140-6736(00)02029-1 is not in the library; "
                          "add it with `lmscite fetch '10.1016/S0140-6736(00)02029-1'`\n")


# --- filter values ----------------------------------------------------------------------------


@pytest.mark.parametrize("year, message", [
    ("abc", "--year 'abc' is not a year or a range of years (2000, 1998-2001, 2010- or -2005)"),
    ("2010-2000", "--year 2010-2000: the range ends before it starts (did you mean 2000-2010?)"),
    ("20000", "--year '20000' is not a year or a range of years"),
    ("-", "--year '-' is not a year or a range of years"),
])
@pytest.mark.parametrize("command", ["list", "export"])
def test_a_year_that_is_not_one_is_a_usage_error_not_an_empty_result(run, library, command, year, message):
    result = run(command, "--year", year)
    assert result.code == 2
    assert result.err.startswith(f"lmscite: error: {message}")
    assert len(result.err.splitlines()) == 1


@pytest.mark.parametrize("year, expected", [
    ("1998", {"9834411", "9782030", "9768608", "9520809"}),
    ("-1997", {"8908452", "9194777"}),
    ("2001-", {"11231853"}),
    (" 1996 - 1997 ", {"8908452", "9194777"}),
])
def test_every_year_form_selects_its_years(run, library, year, expected):
    assert set(run("list", "--year", year).out.split()) == expected


# --- messages stay short whatever they are given ----------------------------------------------


def test_a_hundred_thousand_unknown_ids_make_one_short_line_naming_twenty(run, library):
    unknown = [str(n) for n in range(900_000_001, 900_100_001)]
    result = run("remove", "-", stdin="\n".join(unknown))
    assert result.code == 1
    line = result.err.splitlines()[-1]
    assert len(line) < 500
    assert line == ("lmscite: error: 100,000 PMIDs are not in the library: "
                    f"{', '.join(unknown[:20])} and 99,980 more; add them with `lmscite fetch`")


def test_a_huge_token_is_quoted_short(run, library):
    result = run("show", "x" * 1_000_000)
    assert result.code == 2
    assert result.err == f"lmscite: error: not a PMID, DOI or PMC id: '{'x' * 79}\u2026'\n"


def test_the_known_tags_an_unknown_tag_error_lists_are_capped(run, library):
    run("annotate", "10749609", *(f"--tag=tag{n:02d}" for n in range(25)))
    result = run("list", "--tag", "nosuch")
    assert result.code == 2
    assert result.err.endswith("tag19 and 5 more)\n")
