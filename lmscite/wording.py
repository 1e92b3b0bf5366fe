"""How messages count and list things: one wording for every command.

A message names what it is about, but the things can be many: 100,000
unknown ids once made a 971 KB error line.  Every list in a message goes
through `capped`, so a line names at most `LIST_LIMIT` of them and counts
the rest, and every count through `plural`, so that "1 entry" and
"2 entries" are written one way everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

LIST_LIMIT = 20
"""Most items a message names before it counts the rest ("and 99,871 more")."""

TEXT_LIMIT = 80
"""Most characters of one user-given value a message quotes (a token can be a whole file)."""


def count(number: int) -> str:
    """A number as messages write it: 99,871."""
    return f"{number:,}"


def plural(number: int, word: str) -> str:
    """ "1 entry", "2 entries", "1,000 PMIDs": English plurals of the words messages count."""
    if number == 1:
        return f"1 {word}"
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "o", "u"):
        return f"{count(number)} {word[:-1]}ies"
    return f"{count(number)} {word}s"


def more(hidden: int) -> str:
    """What a capped list says of the rest: "and 99,871 more" (empty when nothing is hidden)."""
    return f"and {count(hidden)} more" if hidden > 0 else ""


def capped(items: Sequence[str], limit: int = LIST_LIMIT) -> str:
    """ "a, b, c" or, past `limit`, "a, b, ... t and 99,871 more"."""
    shown = ", ".join(items[:limit])
    rest = more(len(items) - limit)
    return f"{shown} {rest}" if rest else shown


def shorten(text: str, limit: int = TEXT_LIMIT) -> str:
    """`text`, or its start and an ellipsis when it is longer than `limit` characters."""
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


def shell_words(words: Sequence[str]) -> str:
    """Words as a command a user can paste: DOIs hold `(`, `;` and `<`, which a shell would read."""
    import shlex  # only when a message suggests a command: `lmscite --help` stays fast

    return shlex.join(words)
