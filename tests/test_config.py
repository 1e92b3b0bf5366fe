"""The config file as a user writes it: read when right, refused in one line when not."""

from __future__ import annotations

import pytest


@pytest.fixture
def config(tmp_path, monkeypatch):
    path = tmp_path / "config.toml"
    monkeypatch.setenv("LMSCITE_CONFIG", str(path))
    monkeypatch.delenv("LMSCITE_DB", raising=False)
    return path


def test_the_config_files_db_is_the_library(run, config, tmp_path, data):
    config.write_text(f'db = "{tmp_path / "from-config.json"}"\n', encoding="utf-8")
    assert run("import", data / "xml/bp_pubmed2_two_articles.xml").code == 0
    assert (tmp_path / "from-config.json").exists()


def test_a_config_file_that_is_not_utf8_is_one_error_line(run, config, tmp_path):
    config.write_bytes(f'email = "caf\xe9@example.org"\ndb = "{tmp_path / "x.json"}"\n'.encode("latin-1"))
    result = run("list")
    assert result.code == 2
    assert result.err == f"lmscite: error: config file {config} is not UTF-8 text (TOML files are UTF-8)\n"


def test_a_config_file_that_is_not_toml_is_one_error_line(run, config):
    config.write_text("db = \n", encoding="utf-8")
    result = run("list")
    assert result.code == 2
    assert result.err.startswith(f"lmscite: error: config file {config} is not valid TOML: ")
    assert len(result.err.splitlines()) == 1


@pytest.mark.parametrize("text, message", [
    ('emial = "me@example.org"\n', "unknown key 'emial' (keys: db, email, eutils_url)"),
    ("db = 5\n", "`db` must be text, not 5"),
    ('db = "  "\n', "`db` must be text, not '  '"),
    ('api_key = "secret"\n', "the NCBI API key is read from $NCBI_API_KEY only, never from a file; remove `api_key`"),
], ids=["typo", "number", "blank", "api-key"])
def test_a_wrong_key_or_value_is_refused_not_ignored(run, config, text, message):
    config.write_text(text, encoding="utf-8")
    result = run("list")
    assert result.code == 2
    assert result.err == f"lmscite: error: config file {config}: {message}\n"
    assert "secret" not in result.err
