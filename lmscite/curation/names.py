"""Tag and section names as the library keeps them: one spelling for what a reader sees as one name.

`review` and `review<zero-width space>` look the same on every page but
would be two tags, and a section named with a composed "é" would not be the
one named with "e" and a combining accent.  So every name is cleaned where
it enters (annotate, the curation file, the edit document, sections rename
and order): Unicode NFC, whitespace of any kind as single spaces, ends
trimmed, and no control or format characters (zero-width spaces and joiners,
soft hyphens, bidirectional marks) nor the few letters that show as nothing
(Hangul fillers, the combining grapheme joiner), which a reader cannot see or
tell apart.  Joined emoji (person + ZWJ + sign) come apart into their parts.
"""

from __future__ import annotations

import unicodedata

_UNSEEN = frozenset({"Cc", "Cf", "Cs"})
"""Unicode categories a reader cannot see: controls, format characters, surrogates."""
_BLANK_LETTERS = frozenset("\u034f\u115f\u1160\u3164\uffa0")
"""Characters of visible categories that show as nothing."""


def clean_name(name: str) -> str:
    """The name as stored: NFC, invisible characters dropped, whitespace runs as one space, trimmed.

    Whitespace is spaced out before invisible characters go, so that a tab
    or a line break between two words keeps them apart.
    """
    if name.isascii() and name.isprintable() and "  " not in name:
        return name.strip()
    spaced = "".join(" " if char.isspace() else char for char in unicodedata.normalize("NFC", name))
    kept = "".join(char for char in spaced
                   if unicodedata.category(char) not in _UNSEEN and char not in _BLANK_LETTERS)
    return " ".join(kept.split())
