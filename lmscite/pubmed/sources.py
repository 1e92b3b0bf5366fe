"""Reading records from files: PubMed XML or MEDLINE text, told apart by content.

A file is read whole before anything is stored, so a file that fails halfway
adds nothing; parsing itself streams, so memory follows the entries kept, not
the file's size.  The format is told from the first bytes in any Unicode
encoding a file can carry (UTF-8, UTF-16 and UTF-32, with or without a
byte-order mark): XML readers honour them all, and a file saved by a Windows
editor as "Unicode" is UTF-16.  XML then decodes itself (lxml reads its
byte-order mark and declaration); MEDLINE text is decoded in the encoding found.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from lmscite.errors import InputError, ParseError
from lmscite.model import Entry

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
"""Byte-order marks, longest first (UTF-32 LE begins with UTF-16 LE's)."""
_BY_ZEROS = {
    (False, True, False, True): "utf-16-le",
    (True, False, True, False): "utf-16-be",
    (False, True, True, True): "utf-32-le",
    (True, True, True, False): "utf-32-be",
}
"""Which of the first four bytes are zero, for two ASCII characters (UTF-16) or one (UTF-32)."""


def encoding_of(head: bytes) -> str:
    """The Unicode encoding the first bytes are in: by byte-order mark, else by where the zero bytes fall.

    Text with no mark is UTF-8 unless its first characters are ASCII written
    in two or four bytes, as `<?xml` or `PMID-` are in UTF-16 and UTF-32.
    """
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    return _BY_ZEROS.get(tuple(byte == 0 for byte in head[:4]), "utf-8")


def detect(head: bytes) -> str:
    """"xml" or "medline" from the first bytes of a file."""
    encoding = encoding_of(head)
    width = 4 if "32" in encoding else 2 if "16" in encoding else 1
    cut = head[: len(head) - len(head) % width] if width > 1 else head
    text = cut.decode(encoding, errors="replace").lstrip("\ufeff").lstrip()
    if text.startswith("<"):
        return "xml"
    from lmscite.pubmed.medline import looks_like_medline

    if looks_like_medline(text):
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

        if encoding_of(head) == "utf-32":
            buffered.read(len(codecs.BOM_UTF32))  # libxml2 knows UTF-32 by its first "<", not by this mark
        yield from _named(iter_entries(buffered, origin=name, source_kind="file"), name)
        return
    from lmscite.pubmed.medline import iter_entries as iter_medline

    text = io.TextIOWrapper(buffered, encoding=encoding_of(head), errors="strict", newline=None)
    try:
        yield from _named(iter_medline(text, origin=name), name)
    finally:
        text.detach()


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
