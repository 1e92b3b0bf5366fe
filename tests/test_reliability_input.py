"""Bad input: each a one-line `lmscite: error: ...`, a documented exit code, and an untouched library.

The library is compared byte for byte (and its folder for stray files)
before and after each refused command.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from eutils_server import Fault

from lmscite.library.store import Library, verify
from lmscite.model import Entry

DATA = Path(__file__).parent / "data"
SEED = DATA / "seed" / "liver-metastases.pubmed.xml"
SMALL = DATA / "xml" / "hawc_21860499_collective_author.xml"
MEDLINE = DATA / "medline" / "bp_pubmed_result2.txt"
NOT_PMIDS = ["abc", "-1", "0", "12.5", "1" * 30]


def assert_refused(result, code: int, *words: str) -> None:
    """One stderr line, the documented exit code, no traceback, nothing on stdout."""
    assert result.code == code, result.err
    assert result.err.startswith("lmscite: error: "), result.err
    assert result.err.count("\n") == 1, result.err
    assert "Traceback" not in result.err and result.out == ""
    for word in words:
        assert word in result.err


class Untouched:
    """The library file's bytes and its folder's names, to compare after a refused command."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.before = self._state()

    def _state(self) -> tuple[bytes | None, list[str]]:
        body = self.path.read_bytes() if self.path.exists() else None
        kin = sorted(p.name for p in self.path.parent.iterdir()
                     if self.path.name in p.name and not p.name.endswith(".lock"))
        return body, kin

    def check(self) -> None:
        assert self._state() == self.before


@pytest.fixture(scope="module")
def seed_library(tmp_path_factory) -> bytes:
    """The seed records as a library file, built once: most tests start from a copy."""
    from lmscite.sync.importer import import_files

    path = tmp_path_factory.mktemp("seed") / "library.json"
    import_files(Library(path), [str(SEED)])
    return path.read_bytes()


@pytest.fixture
def seeded(seed_library, library_path) -> Untouched:
    library_path.write_bytes(seed_library)
    return Untouched(library_path)


# --- ids ---------------------------------------------------------------------------------------


def test_fetch_reports_each_non_pmid_as_invalid_sends_nothing_and_exits_1(run, eutils, seeded):
    lines = "\ufeff" + "\n\n".join(NOT_PMIDS) + "\n\n\n"
    result = run("fetch", "--json", "-", stdin=lines.encode())
    assert result.code == 1
    rows = [json.loads(line) for line in result.out.splitlines()]
    assert [(r["id"], r["status"]) for r in rows] == [(i, "invalid") for i in NOT_PMIDS]
    assert "Traceback" not in result.err and "fetch: 5 invalid" in result.err
    assert eutils.requests == []
    seeded.check()


def test_a_bom_and_blank_lines_around_real_pmids_are_ignored(run, eutils, library_path):
    result = run("fetch", "-", stdin="\ufeff10749609\r\n\r\n\n  9834411  \n\n".encode())
    assert result.code == 0, result.err
    assert result.out.split() == ["10749609", "9834411"]
    assert sorted(Library(library_path).snapshot().pmids()) == ["10749609", "9834411"]


@pytest.mark.parametrize("command", ["show", "remove", "annotate"])
@pytest.mark.parametrize("token", [*NOT_PMIDS, "", "\ufeffabc"], ids=repr)
def test_show_remove_and_annotate_refuse_a_token_that_is_no_pmid(run, seeded, command, token):
    extra = ["--tag", "x"] if command == "annotate" else []
    assert_refused(run(command, *extra, "--", token), 2)
    seeded.check()


@pytest.mark.parametrize("command", ["show", "remove", "export"])
def test_blank_stdin_is_refused_not_read_as_every_entry(run, seeded, command):
    assert_refused(run(command, "-", stdin=b"\xef\xbb\xbf\n\n  \n"), 2, "no ids given")
    seeded.check()


def test_100000_ids_on_stdin_fetch_only_the_new_ones_in_one_request(run, eutils, library_path):
    stored = [str(1_000_000 + i) for i in range(99_600)]
    with Library(library_path).transaction() as view:
        view.add(Entry(pmid=pmid, title=f"stored {pmid}") for pmid in stored)
    new = eutils.add_synthetic(400)
    ids = stored + new
    random.Random(8).shuffle(ids)
    result = run("fetch", "-", stdin="\n".join(ids).encode())
    assert result.code == 0, result.err
    assert "400 fetched, 99600 skipped" in result.err
    assert [len(r.ids) for r in eutils.to("efetch")] == [400]
    assert sorted(result.out.split()) == sorted(ids)
    assert len(Library(library_path).snapshot()) == 100_000


# --- filters -----------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["list", "export"])
@pytest.mark.parametrize("option", ["--section", "--tag"])
def test_an_unknown_section_or_tag_filter_is_an_error_not_an_empty_result(run, seeded, command, option):
    assert run("annotate", "10749609", "--tag", "known", "--section", "Known").code == 0
    before = Untouched(seeded.path)
    assert_refused(run(command, option, "Nope"), 2, "'Nope'")
    before.check()


# --- the library folder and file ---------------------------------------------------------------


WRITERS = [
    ("import", str(SMALL)),
    ("annotate", "10749609", "--tag", "x"),
    ("remove", "10749609"),
    ("page", "set", "title", "T"),
    ("sections", "order", "--clear"),
]


@pytest.mark.parametrize("args", WRITERS, ids=lambda a: a[0])
def test_a_missing_library_folder_exits_3_and_is_not_created(run, tmp_path, args):
    missing = tmp_path / "no" / "such" / "library.json"
    assert_refused(run("--db", missing, *args), 3, "does not exist")
    assert not (tmp_path / "no").exists()


def unwritable_folders(tmp_path: Path) -> Iterator[Path]:
    """A folder chmod 555 (root ignores that) and /sys, which even root cannot add files to."""
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        yield locked
    if Path("/sys").is_dir():
        yield Path("/sys")


def test_an_unwritable_library_folder_exits_3_and_writes_nothing(run, tmp_path):
    folders = list(unwritable_folders(tmp_path))
    if not folders:
        pytest.skip("no folder here is unwritable for this user")
    for folder in folders:
        before = sorted(p.name for p in folder.iterdir())
        result = run("--db", folder / "library.json", "import", SMALL)
        assert_refused(result, 3, str(folder))
        assert sorted(p.name for p in folder.iterdir()) == before


@pytest.mark.parametrize("args", [*WRITERS, ("fetch", "21860499")], ids=lambda a: a[0])
def test_a_read_only_library_file_exits_3_and_stays_as_it_was(run, eutils, seeded, args):
    seeded.path.chmod(0o444)
    assert_refused(run(*args), 3, "read-only")
    seeded.check()


CORRUPT = {
    "truncated JSON": b'{"entries": {"1": {"pmid": "1", "tit',
    "not UTF-8": b'{"entries": {"1": {"pmid": "1", "title": "caf\xe9"}}}',
    "not an object": b"[1, 2, 3]\n",
    "a table that is a list": b'{"entries": [], "meta": {"1": {"schema": 1}}}',
    "a document that is a number": b'{"entries": {"5": 7}, "meta": {"1": {"schema": 1}}}',
    "a meta document that is a number": b'{"entries": {}, "meta": {"1": 5}}',
    "a schema that is text": b'{"entries": {}, "meta": {"1": {"schema": "1"}}}',
}


@pytest.mark.parametrize("body", CORRUPT.values(), ids=CORRUPT.keys())
@pytest.mark.parametrize("args", [("list",), ("info",), ("show", "5"), *WRITERS], ids=lambda a: a[0])
def test_a_corrupt_library_exits_3_and_is_never_overwritten(run, library_path, body, args):
    library_path.write_bytes(body)
    before = Untouched(library_path)
    assert_refused(run(*args), 3, str(library_path))
    before.check()


@pytest.mark.parametrize("args", [("show", "5"), ("export",), ("annotate", "5", "--tag", "x"),
                                  ("list", "--format", "tsv")], ids=lambda a: a[0])
def test_a_damaged_entry_is_named_and_left_for_the_user_to_fix(run, library_path, args):
    library_path.write_text(json.dumps({"entries": {"5": {"pmid": "5", "title": "T", "mystery": 1}},
                                        "meta": {"1": {"schema": 1}}}))
    before = Untouched(library_path)
    assert_refused(run(*args), 3, "damaged entry (PMID 5)", "mystery")
    before.check()


@pytest.mark.parametrize("args", [("list",), *WRITERS], ids=lambda a: a[0])
def test_a_library_from_a_newer_schema_exits_3_and_is_never_overwritten(run, seeded, args):
    data = json.loads(seeded.path.read_bytes())
    data["meta"]["1"]["schema"] = 99
    seeded.path.write_text(json.dumps(data))
    before = Untouched(seeded.path)
    assert_refused(run(*args), 3, "schema 99", "upgrade lmscite")
    before.check()


# --- files that are not what they claim ---------------------------------------------------------


LATIN1 = "caf\u00e9 na\u00efve".encode("latin-1")


def non_utf8_cases(tmp_path: Path) -> dict[str, tuple[list[str], bytes]]:
    """Each command reading a Latin-1 file or stdin: (arguments, stdin)."""
    nbib = tmp_path / "latin1.nbib"
    nbib.write_bytes(b"PMID- 123\nTI  - " + LATIN1 + b"\n")
    xml = tmp_path / "latin1.xml"
    xml.write_bytes(SMALL.read_bytes().replace(b"Nitrofen", LATIN1))
    ids = tmp_path / "ids.txt"
    ids.write_bytes(b"10749609\n" + LATIN1 + b"\n")
    curation = tmp_path / "curation.yaml"
    curation.write_bytes(b"entries:\n  '10749609':\n    tags: [" + LATIN1 + b"]\n")
    note = tmp_path / "note.md"
    note.write_bytes(LATIN1)
    return {
        "import nbib": (["import", str(nbib)], b""),
        "import xml": (["import", str(xml)], b""),
        "import stdin": (["import", "-"], b"PMID- 1\nTI  - " + LATIN1 + b"\n"),
        "fetch --from": (["fetch", "--from", str(ids)], b""),
        "show stdin": (["show", "-"], LATIN1),
        "annotate --from": (["annotate", "--from", str(curation)], b""),
        "annotate --note-file": (["annotate", "10749609", "--note-file", str(note)], b""),
        "page set": (["page", "set", "intro", "-"], LATIN1),
    }


def test_non_utf8_files_and_stdin_are_refused_with_one_line_each(run, eutils, seeded, tmp_path):
    for name, (args, stdin) in non_utf8_cases(tmp_path).items():
        result = run(*args, stdin=stdin)
        assert_refused(result, 2)
        assert "UTF-8" in result.err or "Invalid bytes" in result.err, name
        seeded.check()
    assert eutils.requests == []


@pytest.mark.parametrize("damage", [
    lambda xml: xml.replace(b"</ArticleTitle>", b"</ArticleTitl>"),
    lambda xml: xml[: len(xml) * 2 // 3],
    lambda xml: xml.replace(b"<Year>", b"<Year a=>", 1),
    lambda xml: b"\x00\x01\x02" + xml,
    lambda xml: xml.replace(b"<PubmedArticleSet>", b"<PubmedArticleSet><PubmedArticleSet>"),
], ids=["mismatched tag", "cut off", "bad attribute", "binary prefix", "doubled root"])
def test_malformed_xml_imports_nothing(run, seeded, tmp_path, damage):
    bad = tmp_path / "bad.xml"
    bad.write_bytes(damage(SEED.read_bytes()))
    assert_refused(run("import", bad), 2, "bad.xml")
    seeded.check()


@pytest.mark.parametrize("damage", [
    lambda xml: xml.replace(b"</ArticleTitle>", b"</ArticleTitl>"),
    lambda xml: xml[: len(xml) * 2 // 3],
], ids=["mismatched tag", "cut off"])
def test_malformed_xml_beside_a_good_file_adds_only_the_good_files_records(run, seeded, tmp_path, damage):
    bad = tmp_path / "bad.xml"
    bad.write_bytes(damage(SEED.read_bytes()))
    before = set(run("list", "--format", "ids").out.split())
    result = run("import", SMALL, bad)
    assert result.code == 1 and "Traceback" not in result.err
    assert "lmscite: warning: " in result.err and "bad.xml" in result.err
    assert set(run("list", "--format", "ids").out.split()) - before == {"21860499"}
    assert verify(seeded.path) == []


# --- XML that reaches out or blows up ------------------------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    seen: list[str]

    def do_GET(self) -> None:
        self.seen.append(self.path)
        body = b'<!ENTITY ext "FETCHED">'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that answers anything and records what it was asked."""
    seen: list[str] = []
    handler = type("Recorder", (_Recorder,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def with_doctype(doctype: str, title: str | None = None) -> bytes:
    body = SMALL.read_bytes()
    body = body[body.index(b"<PubmedArticleSet>"):]
    if title is not None:
        body = body.replace(b"<ArticleTitle>", b"<ArticleTitle>" + title.encode(), 1)
    return b'<?xml version="1.0"?>\n' + doctype.encode() + b"\n" + body


def reaching_out(url: str) -> dict[str, bytes]:
    return {
        "external DTD": with_doctype(f'<!DOCTYPE PubmedArticleSet SYSTEM "{url}/pubmed.dtd">'),
        "public DTD": with_doctype(f'<!DOCTYPE PubmedArticleSet PUBLIC "-//X//EN" "{url}/public.dtd">'),
        "external entity": with_doctype(
            f'<!DOCTYPE PubmedArticleSet [<!ENTITY ext SYSTEM "{url}/ext.txt">'
            '<!ENTITY pw SYSTEM "file:///etc/passwd">]>', "&ext;&pw;"),
        "parameter entity": with_doctype(
            f'<!DOCTYPE PubmedArticleSet [<!ENTITY % p SYSTEM "{url}/p.dtd"> %p;]>', "&ext;"),
    }


def test_xml_pointing_at_urls_is_read_offline_with_entities_left_inert(run, library_path, listener, tmp_path):
    url, seen = listener
    for name, body in reaching_out(url).items():
        path = tmp_path / f"{name.replace(' ', '-')}.xml"
        path.write_bytes(body)
        result = run("import", path)
        assert result.code == 0, (name, result.err)
        title = Library(library_path).snapshot().raw("21860499")["title"]
        assert "FETCHED" not in title and "root:" not in title, name
    assert seen == []


def test_an_efetch_answer_pointing_at_a_url_is_read_offline(run, eutils, library_path, listener):
    url, seen = listener
    eutils.script(Fault(body=with_doctype(
        f'<!DOCTYPE PubmedArticleSet [<!ENTITY ext SYSTEM "{url}/ext.txt">]>', "&ext;")))
    result = run("fetch", "21860499")
    assert result.code == 0, result.err
    assert "FETCHED" not in Library(library_path).snapshot().raw("21860499")["title"]
    assert seen == []


def entity_bombs() -> dict[str, bytes]:
    laughs = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    wide = '<!ENTITY a "' + "x" * 50_000 + '">'
    return {
        "billion laughs in text": with_doctype(f"<!DOCTYPE PubmedArticleSet [{laughs}]>", "&l9;"),
        "billion laughs in an attribute": with_doctype(f"<!DOCTYPE PubmedArticleSet [{laughs}]>").replace(
            b'<PMID Version="1">', b'<PMID Version="&l9;">', 1),
        "quadratic blowup": with_doctype(f"<!DOCTYPE PubmedArticleSet [{wide}]>", "&a;" * 50_000),
    }


MEMORY_CAP = 512 << 20
"""Address space for one lmscite process: a few times what an import needs, far below a blow-up."""


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


@pytest.mark.parametrize("name", entity_bombs())
def test_an_entity_bomb_fails_fast_in_bounded_memory(seeded, tmp_path, name):
    bomb = tmp_path / "bomb.xml"
    bomb.write_bytes(entity_bombs()[name])
    done = subprocess.run([sys.executable, "-m", "lmscite", "import", str(bomb)], check=False,
                          capture_output=True, text=True, timeout=20, preexec_fn=_cap_memory)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"lmscite: error: {bomb}: ")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    seeded.check()


# --- MEDLINE, curation files, templates -----------------------------------------------------------


def broken_medline(tmp_path: Path) -> dict[str, Path]:
    """Real records whose second record lost a continuation line's indent, or gained a blank line."""
    records = [r.strip("\n") for r in MEDLINE.read_text(encoding="utf-8").split("\n\n") if r.strip()]
    assert len(records) == 4
    second = records[1].splitlines()
    wrapped = next(i for i, line in enumerate(second) if line.startswith("      ") and i > 3)
    dedented = second[:wrapped] + [second[wrapped].lstrip()] + second[wrapped + 1:]
    split = second[:wrapped] + [""] + second[wrapped:]
    cases = {}
    for name, lines in (("dedented", dedented), ("split", split)):
        path = tmp_path / f"{name}.nbib"
        path.write_text("\n\n".join([records[0], "\n".join(lines), *records[2:]]), encoding="utf-8")
        cases[name] = path
    return cases


@pytest.mark.parametrize("case, words", [("dedented", "nor an indented continuation"),
                                         ("split", "continuation line with no field above it")])
def test_a_medline_file_with_broken_continuation_lines_imports_nothing(run, seeded, tmp_path, case, words):
    path = broken_medline(tmp_path)[case]
    assert_refused(run("import", path), 2, path.name, "line ", words)
    seeded.check()


BAD_CURATION = {
    "yaml syntax": ("c.yaml", "entries: [1, 2\n"),
    "unhashable key": ("c.yaml", "entries:\n  ? [a]\n  : {}\n"),
    "python tag": ("c.yaml", '!!python/object/apply:os.system ["echo pwned"]\n'),
    "key given twice": ("c.yaml", "entries:\n  '10749609': {order: 1}\n  '10749609': {order: 2}\n"),
    "not a mapping": ("c.yaml", "- a\n- b\n"),
    "unknown field": ("c.yaml", "entries:\n  '10749609': {colour: red}\n"),
    "sentence out of range": ("c.yaml", "entries:\n  '10749609': {excerpt: '99'}\n"),
    "negative order": ("c.yaml", "entries:\n  '10749609': {order: -1}\n"),
    "gloss not in excerpt": ("c.yaml", "entries:\n  '10749609':\n    glosses: [{phrase: zebra, note: x}]\n"),
    "json syntax": ("c.json", '{"entries": {"10749609": {"order": 1'),
    "json NaN order": ("c.json", '{"entries": {"10749609": {"order": NaN}}}'),
    "toml syntax": ("c.toml", "entries = [\n"),
    "one bad among good": ("c.yaml", "entries:\n  '10749609': {tags: [ok]}\n  '9834411': {order: x}\n"),
}


@pytest.mark.parametrize("name", BAD_CURATION)
def test_an_invalid_curation_file_changes_nothing(run, seeded, tmp_path, name):
    filename, text = BAD_CURATION[name]
    path = tmp_path / filename
    path.write_text(text, encoding="utf-8")
    assert_refused(run("annotate", "--from", path), 2, filename)
    path.unlink()
    seeded.check()


def test_a_template_with_an_error_leaves_the_output_file_and_the_library_alone(run, seeded, tmp_path):
    template = tmp_path / "bad.j2"
    template.write_text("{{ entries | nosuchfilter }}", encoding="utf-8")
    page = tmp_path / "page.html"
    page.write_text("the page as it was", encoding="utf-8")
    before = Untouched(seeded.path)
    assert_refused(run("export", "--format", "html", "--template", template, "-o", page), 2, "bad.j2")
    assert page.read_text(encoding="utf-8") == "the page as it was"
    before.check()


# --- records whose values are not what they should be (found by the fuzz tests) --------------------


@pytest.mark.parametrize("pmid", ["x21860499", "2186049\u00b9", "218 60499", "1234567890123"])
def test_an_xml_record_whose_pmid_is_no_pmid_imports_nothing(run, seeded, tmp_path, pmid):
    bad = tmp_path / "bad.xml"
    bad.write_bytes(SMALL.read_bytes().replace(b">21860499</PMID>", f">{pmid}</PMID>".encode(), 1))
    assert_refused(run("import", bad), 2, "bad.xml", "is not a PMID")
    seeded.check()


@pytest.mark.parametrize("pmid", ["\u00b9\u00b2\u00b3", "12a", "1234567890123"])
def test_a_medline_record_whose_pmid_is_no_pmid_imports_nothing(run, seeded, tmp_path, pmid):
    bad = tmp_path / "bad.nbib"
    bad.write_text(f"PMID- {pmid}\nTI  - A title.\n", encoding="utf-8")
    assert_refused(run("import", bad), 2, "bad.nbib", "is not a PMID")
    seeded.check()


def test_a_padded_pmid_in_a_file_is_stored_as_the_pmid(run, library_path, tmp_path):
    padded = tmp_path / "padded.nbib"
    padded.write_text("PMID- 0012345\nTI  - A title.\n", encoding="utf-8")
    assert run("import", padded).code == 0
    assert Library(library_path).snapshot().pmids() == ["12345"]
    assert verify(library_path) == []


def test_dates_with_digits_int_cannot_read_still_list_and_export(run, library_path, tmp_path):
    odd = tmp_path / "odd.xml"
    body = SMALL.read_bytes()
    start, end = body.index(b"<PubDate>"), body.index(b"</PubDate>")
    odd.write_bytes(body[:start] + "<PubDate><Year>19x9</Year><Month>\u00b9</Month><Day>\u00b2</Day>".encode()
                    + body[end:])
    assert run("import", odd).code == 0
    assert run("list", "--format", "tsv", "--sort", "date").code == 0
    for fmt in ("markdown", "html", "bibtex", "ris", "csljson", "json"):
        done = run("export", "--format", fmt)
        assert done.code == 0 and "Traceback" not in done.err, fmt


# --- found by review: each a one-line error, exit 2 ---------------------------------------


def test_an_argument_that_is_not_utf8_is_refused_before_it_reaches_the_library(run, seeded):
    result = run("annotate", "8908452", "--note", "a\udcff")
    assert result.code == 2
    assert result.err.startswith("lmscite: error: an argument is not UTF-8 text")
    seeded.check()


def test_an_order_beyond_what_the_library_file_can_hold_is_refused(run, seeded):
    result = run("annotate", "8908452", "--order", str(2**70))
    assert result.code == 2
    assert "the order must be a whole number from 0 to" in result.err
    seeded.check()


def test_an_editor_setting_that_cannot_be_parsed_is_named(run, seeded, monkeypatch):
    monkeypatch.setenv("EDITOR", '"unterminated')
    result = run("annotate", "8908452", "--edit")
    assert result.code == 2
    assert result.err == "lmscite: error: cannot read $EDITOR ('\"unterminated'): No closing quotation\n"


@pytest.mark.parametrize("url", ["http://[::1", "not a url", "ftp://example.org/eutils/"])
def test_a_mistyped_eutils_url_is_bad_input_not_a_network_failure(run, url, monkeypatch):
    monkeypatch.setenv("LMSCITE_EUTILS_URL", url)
    result = run("fetch", "10749609")
    assert result.code == 2
    assert result.err.startswith("lmscite: error: the E-utilities URL ")


def test_rich_markup_in_curation_is_shown_literally_in_terminal_tables(monkeypatch, capsys):
    from lmscite.cli import console

    monkeypatch.setattr(console, "stdout_is_tty", lambda: True)
    console.table(["section"], [["[/x] odd [red]"]])
    assert "[/x] odd [red]" in capsys.readouterr().out
