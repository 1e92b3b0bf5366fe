"""What reaches a terminal: control, bidi and zero-width characters shown, never obeyed; pipes get exact data."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import orjson
import pytest

from lmscite.cli.console import _UNSAFE, for_terminal

PMID = "10749609"
HOSTILE = "Note \x1b[31mred\x1b[0m \x1b]0;owned\x07 back\x08 \u202eevil\u202c zero\u200bwidth"
"""ESC colour codes, an OSC window-title sequence ended by BEL, a backspace, a bidi override, a zero-width space."""
INSTALLED = shutil.which("lmscite", path=str(Path(sys.executable).parent))


def test_control_bidi_and_zero_width_characters_become_visible_escapes():
    assert for_terminal(HOSTILE) == ("Note \\x1b[31mred\\x1b[0m \\x1b]0;owned\\x07 back\\x08 "
                                     "\\u202eevil\\u202c zero\\u200bwidth")


def test_ordinary_text_is_left_alone():
    text = "Tab\there\nnext line\r\nCRLF, no-break\u00a0space, Zürich, \u03b2-catenin, \u4e2d\u6587, \U0001f600"
    assert for_terminal(text) == text


def test_a_lone_carriage_return_is_shown_not_obeyed():
    assert for_terminal("safe\rFORGED") == "safe\\rFORGED"


def test_every_format_and_separator_character_of_this_python_is_escaped():
    """The escaped set is written out (Unicode 15.1); this Python's `unicodedata` must not know more."""
    missed = [f"U+{code:04X}" for code in range(sys.maxunicode + 1)
              if unicodedata.category(chr(code)) in ("Cc", "Cf", "Zl", "Zp")
              and chr(code) not in "\t\n\r" and not _UNSAFE.fullmatch(chr(code))]
    assert missed == []


def test_an_error_naming_hostile_text_shows_it_escaped(run, tmp_path):
    name = tmp_path / "x\x1b]0;owned\x07\u202e.xml"
    result = run("import", name)
    assert result.code == 2
    assert "\x1b" not in result.err and "\u202e" not in result.err
    assert "x\\x1b]0;owned\\x07\\u202e.xml: no such file" in result.err


# --- stdout on a terminal, and not -------------------------------------------------------


@pytest.fixture
def noted(run, library):
    assert run("annotate", PMID, "--note", HOSTILE).code == 0


def on_terminal(*args: str) -> str:
    """What `lmscite ARGS` writes to stdout when stdout is a terminal (a pseudo-terminal here)."""
    assert INSTALLED, "the lmscite console script is not installed beside this Python"
    leader, follower = pty.openpty()
    proc = subprocess.Popen([INSTALLED, *args], stdout=follower, stderr=subprocess.PIPE,
                            env={**os.environ, "COLUMNS": "200"})
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the terminal's other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=60) == 0, proc.stderr.read()
    return b"".join(chunks).decode("utf-8")


def test_show_on_a_terminal_escapes_what_a_note_holds(noted):
    shown = on_terminal("show", PMID)
    assert "\x1b" not in shown and "\u202e" not in shown and "\u200b" not in shown and "\x08" not in shown
    assert "Note \\x1b[31mred\\x1b[0m \\x1b]0;owned\\x07 back\\x08 \\u202eevil\\u202c zero\\u200bwidth" in shown


def test_the_list_table_on_a_terminal_escapes_a_title(run, data, tmp_path):
    xml = (data / "xml/bp_pubmed2_two_articles.xml").read_text(encoding="utf-8")
    hostile = tmp_path / "hostile.xml"
    hostile.write_text(xml.replace("Is cryopreservation", "Is cryo&#x202E;preservation&#x200B;"), encoding="utf-8")
    assert run("import", hostile).code == 0
    shown = on_terminal("list")
    assert "\u202e" not in shown and "\u200b" not in shown
    assert "Is cryo\\u202epreservation\\u200b" in shown


def test_json_on_a_terminal_escapes_them_as_json_and_parses_to_the_same_data(noted):
    shown = on_terminal("show", PMID, "--json")
    assert "\u202e" not in shown and "\u200b" not in shown
    assert orjson.loads(shown)[0]["curation"]["notes"] == [HOSTILE]


def test_piped_output_is_the_exact_data(run, noted):
    result = run("show", PMID)
    assert HOSTILE in result.out
    assert orjson.loads(run("show", PMID, "--json").out)[0]["curation"]["notes"] == [HOSTILE]


def test_no_message_line_is_longer_than_the_limit_whatever_it_quotes(run, tmp_path):
    result = run("import", tmp_path / ("d" * 3000) / "x.xml")
    assert result.code == 2
    [line] = result.err.splitlines()
    assert line.startswith("lmscite: error: ")
    assert len(line) == 2000 and line.endswith("\u2026")
