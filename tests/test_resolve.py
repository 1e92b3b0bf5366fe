"""Resolving ids against the library, as a Python user calls it: no network, every form fetch takes."""

from __future__ import annotations

import pytest

from lmscite.errors import InputError, NotInLibraryError
from lmscite.ids import parse_ids
from lmscite.library.resolve import resolve
from lmscite.library.store import Library
from lmscite.pubmed.xml import iter_entries


@pytest.fixture
def view(tmp_path, data):
    library = Library(tmp_path / "lib.json")
    with library.transaction() as writing:
        writing.merge(iter_entries(data / "xml/bp_pubmed4_structured_abstract_refs_2018dtd.xml"))
        writing.merge(iter_entries(data / "xml/bp_pubmed2_two_articles.xml"))
    return library.snapshot()


def test_pmids_dois_and_pmc_ids_name_their_entries_in_the_order_given_each_once(view):
    found = resolve(view, parse_ids(["11748933 PMC5442267 10.1136/GUTJNL-2016-312510 pmid:11748933"]))
    assert found.pmids == ["11748933", "27797938"]
    assert found.missing == []


def test_ids_that_name_no_entry_are_kept_as_typed(view):
    found = resolve(view, parse_ids(["123 10.1000/none PMC1 11700088"]))
    assert found.pmids == ["11700088"]
    assert [typed.raw for typed in found.missing] == ["123", "10.1000/none", "PMC1"]
    with pytest.raises(NotInLibraryError, match=r"^3 ids are not in the library: 123, 10.1000/none, PMC1;"):
        found.raise_for_missing()


def test_only_missing_ids_are_reported_at_once_by_require_any(view):
    with pytest.raises(NotInLibraryError):
        resolve(view, parse_ids(["123"])).require_any()
    resolve(view, parse_ids(["123 11700088"])).require_any()


def test_junk_is_an_input_error_naming_it(view):
    with pytest.raises(InputError, match=r"^not a PMID, DOI or PMC id: 'abc' \(and 1 more\)$"):
        resolve(view, parse_ids(["abc 11700088 def"]))
