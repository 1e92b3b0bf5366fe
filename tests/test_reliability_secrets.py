"""The NCBI API key is sent to NCBI and nowhere else: not in a file, not in output, not in an error.

The fake server echoes the request (with the key in it) in its error pages
and error bodies, as NCBI's do; every command that talks to it runs with the
key set, and then every byte lmscite wrote or printed is searched for the
key in the forms a URL or a page would carry it.
"""

from __future__ import annotations

import html
import os
import subprocess
import sys
import urllib.parse

import pytest
from eutils_server import Fault

KEY = "0123456789abcdef+SECRET/key=0123456789"
ECHO_400 = Fault(status=400, body=b"<eFetchResult><ERROR>bad request: {request}</ERROR></eFetchResult>")
ECHO_200 = Fault(body=b"<eFetchResult><ERROR>cannot serve {request}</ERROR></eFetchResult>")
ECHO_429 = Fault(status=429, body=b'{"error":"API rate limit exceeded for api_key={api_key} on {request}"}')


def key_forms() -> set[str]:
    forms = {KEY, urllib.parse.quote(KEY, safe=""), urllib.parse.quote_plus(KEY)}
    return forms | {html.escape(form) for form in forms} | {"SECRET"}


def assert_no_key(text: str, where: str) -> None:
    found = [form for form in key_forms() if form in text]
    assert not found, f"the API key appears in {where}"


@pytest.fixture
def keyed(eutils, monkeypatch):
    monkeypatch.setenv("NCBI_API_KEY", KEY)
    monkeypatch.setattr("lmscite.pubmed.eutils.MAX_DELAY", 0.01)
    return eutils


def test_the_key_reaches_no_output_error_or_file(run, keyed, tmp_path, library_path):
    keyed.add_search("liver resection", ["10749609", "9834411"])
    keyed.script(Fault.html_page(500), ECHO_429)
    results = [
        run("fetch", "--json", "--max-attempts", "3", "10749609"),
        run("search", "liver resection", "--json", "--fetch"),
    ]
    keyed.script(ECHO_400)
    results.append(run("fetch", "--json", "11091236"))
    keyed.script(ECHO_200)
    results.append(run("fetch", "11700088"))
    keyed.script(*[Fault.html_page(503)] * 2)
    results.append(run("fetch", "--max-attempts", "2", "11748933"))
    keyed.script(ECHO_429, ECHO_429)
    results.append(run("search", "liver resection", "--max", "1"))
    keyed.script(ECHO_400)
    results.append(run("refresh", "--json"))
    results.append(run("refresh"))
    results.append(run("check", "--json"))
    results.append(run("info", "--json"))
    results.append(run("export", "--format", "json", "-o", tmp_path / "export.json"))
    results.append(run("curation", "dump", "-o", tmp_path / "curation.yaml"))
    assert all(r.has_api_key for r in keyed.requests)
    assert any("bad request" in r.err for r in results), "the echoing error body was never reported"
    assert [r.code for r in results][:5] == [0, 0, 1, 1, 3]
    for number, result in enumerate(results):
        assert_no_key(result.out, f"the output of command {number}")
        assert_no_key(result.err, f"the messages of command {number}")
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert library_path in written and tmp_path / "eutils-ratelimit" in written
    for path in written:
        assert_no_key(path.read_bytes().decode("utf-8", "replace"), str(path))


def test_the_key_reaches_no_output_of_a_real_process_that_fails(keyed, tmp_path):
    keyed.script(*[Fault.html_page(500)] * 2, ECHO_400)
    env = {**os.environ, "LMSCITE_EUTILS_URL": keyed.url, "NCBI_API_KEY": KEY, "TMPDIR": str(tmp_path)}
    for pmid in ("10749609", "9834411"):
        done = subprocess.run([sys.executable, "-m", "lmscite", "fetch", "--max-attempts", "2", pmid],
                              check=False, capture_output=True, text=True, timeout=60, env=env)
        assert done.returncode in (1, 3), done.stderr
        assert "Traceback" not in done.stderr
        assert_no_key(done.stdout + done.stderr, f"the output of `fetch {pmid}`")
    for path in (p for p in tmp_path.rglob("*") if p.is_file()):
        assert_no_key(path.read_bytes().decode("utf-8", "replace"), str(path))
    assert all(r.has_api_key for r in keyed.requests)
