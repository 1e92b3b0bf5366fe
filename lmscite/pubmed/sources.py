"""Reading records from files: PubMed XML or MEDLINE text, told apart by content.

A file is read whole before anything is stored, so a file that fails halfway
adds nothing; parsing itself streams, so memory follows the entries kept, not
the file's size.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from lmscite.errors import InputError, ParseError
from lmscite.model import Entry

_BOM = b"\xef\xbb\xbf"


def detect(head: bytes) -> str:
    """"xml" or "medline" from the first bytes of a file."""
    text = head.removeprefix(_BOM).lstrip()
    if text.startswith(b"<"):
        return "xml"
    from lmscite.pubmed.medline import looks_like_medline

    if looks_like_medline(text.decode("utf-8", errors="replace")):
        return "medline"
    raise ParseError("not PubMed XML or MEDLINE text")


def iter_stream(stream: BinaryIO, name: str) -> Iterator[Entry]:
    """Entries from an open binary stream, whichever format it holds."""
    buffered = stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(stream)  # type: ignore[arg-type]
    head = buffered.peek(4096)[:4096]
    try:
        kind = detect(head)
    except ParseError as exc:
        raise ParseError(f"{name}: {exc}") from None
    if kind == "xml":
        from lmscite.pubmed.xml import iter_entries

        yield from _named(iter_entries(buffered, origin=name, source_kind="file"), name)
        return
    from lmscite.pubmed.medline import iter_entries as iter_medline

    text = io.TextIOWrapper(buffered, encoding="utf-8-sig", errors="strict", newline=None)
    yield from _named(iter_medline(text, origin=name), name)


def _named(entries: Iterator[Entry], name: str) -> Iterator[Entry]:
    try:
        yield from entries
    except ParseError as exc:
        message = str(exc)
        raise ParseError(message if message.startswith(name) else f"{name}: {message}") from None


def read_file(path: Path) -> list[Entry]:
    """Every entry of one file, or a ParseError and nothing."""
    try:
        with path.open("rb") as handle:
            return list(iter_stream(handle, str(path)))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror}") from None
