"""Counts and lists in messages, written one way everywhere (lmscite.wording) and for unknown ids (errors)."""

from __future__ import annotations

import pytest

from lmscite.errors import EXIT_PARTIAL, NotInLibraryError
from lmscite.wording import capped, plural, shell_words, shorten


@pytest.mark.parametrize("number, word, expected", [
    (1, "entry", "1 entry"), (2, "entry", "2 entries"), (0, "entry", "0 entries"), (1_000, "PMID", "1,000 PMIDs"),
    (2, "day", "2 days"), (3, "more problem", "3 more problems"), (1, "sentence", "1 sentence"),
])
def test_plural_counts_the_words_messages_use(number, word, expected):
    assert plural(number, word) == expected


def test_a_short_list_is_named_whole():
    assert capped(["a", "b", "c"]) == "a, b, c"


def test_a_long_list_names_twenty_and_counts_the_rest():
    items = [str(n) for n in range(100_000)]
    assert capped(items) == ", ".join(items[:20]) + " and 99,980 more"


def test_shorten_keeps_short_text_and_cuts_long_text_with_an_ellipsis():
    assert shorten("abc", 5) == "abc"
    assert shorten("abcdefgh", 5) == "abcd\u2026"


def test_a_suggested_command_quotes_what_a_shell_would_read():
    assert shell_words(["123", "10.1016/S0140-6736(00)02029-1"]) == "123 '10.1016/S0140-6736(00)02029-1'"


@pytest.mark.parametrize("ids, message", [
    (["123"], "PMID 123 is not in the library; add it with `lmscite fetch 123`"),
    (["PMC99"], "PMC99 is not in the library; add it with `lmscite fetch PMC99`"),
    (["1", "2"], "2 PMIDs are not in the library: 1, 2; add them with `lmscite fetch 1 2`"),
    (["1", "10.1000/x"], "2 ids are not in the library: 1, 10.1000/x; add them with `lmscite fetch 1 10.1000/x`"),
    ([str(n) for n in range(1, 22)],
     "21 PMIDs are not in the library: " + ", ".join(str(n) for n in range(1, 21))
     + " and 1 more; add them with `lmscite fetch`"),
])
def test_ids_not_in_the_library_are_one_message_exiting_1(ids, message):
    error = NotInLibraryError(ids)
    assert str(error) == message
    assert error.exit_code == EXIT_PARTIAL
    assert error.ids == ids


def test_not_in_library_takes_ids_not_a_ready_message():
    with pytest.raises(TypeError, match="takes the ids"):
        NotInLibraryError("PMID 1 is not in the library")
