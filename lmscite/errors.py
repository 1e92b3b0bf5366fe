"""Errors a user can cause or meet, each carrying the exit code the CLI maps it to.

Exit codes (the README's table says the same; a test compares them):
0 ok, 1 some items failed or not found, 2 bad usage or input,
3 the library, an output or the network failed, 70 a bug in lmscite,
130 interrupted (Ctrl-C, SIGTERM, SIGHUP), 141 the reader of the output closed it early.
"""

from __future__ import annotations

from collections.abc import Sequence

from lmscite.wording import LIST_LIMIT, capped, plural, shell_words

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_USAGE = 2
EXIT_FAILURE = 3
EXIT_BUG = 70
"""sysexits.h's EX_SOFTWARE: an exception lmscite did not expect, which is lmscite's fault, not the user's."""
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141
"""128 + SIGPIPE: what a shell reports for any Unix tool whose reader went away (`lmscite list | head -1`)."""


class LmsciteError(Exception):
    """Base of every error lmscite reports as one `lmscite: error: ...` line."""

    exit_code = EXIT_USAGE


class InputError(LmsciteError):
    """Bad arguments or bad input data (ids, files, curation)."""


class ParseError(InputError):
    """A PubMed XML or MEDLINE file that cannot be read as such."""


class NotInLibraryError(LmsciteError):
    """Ids the command was given that name no entry in the library.

    Exit 1, not 2: commands do what they can with the ids that exist and
    report these, as fetch does with ids PubMed does not have.  The message
    is built here, the one wording for every command: at most a screenful of
    ids, and the `lmscite fetch` that would add them.
    """

    exit_code = EXIT_PARTIAL

    def __init__(self, ids: Sequence[str]) -> None:
        if isinstance(ids, str):
            raise TypeError("NotInLibraryError takes the ids, not a message: NotInLibraryError([pmid])")
        self.ids = list(ids)
        super().__init__(_not_in_library(self.ids))


def _not_in_library(ids: list[str]) -> str:
    """ "PMID 123 is not in the library; add it with `lmscite fetch 123`", or the capped many."""
    noun = "PMID" if all(i.isdigit() for i in ids) else "id"
    hint = f"`lmscite fetch {shell_words(ids)}`" if len(ids) <= LIST_LIMIT else "`lmscite fetch`"
    if len(ids) == 1:
        named = f"PMID {ids[0]}" if noun == "PMID" else ids[0]
        return f"{named} is not in the library; add it with {hint}"
    return f"{plural(len(ids), noun)} are not in the library: {capped(ids)}; add them with {hint}"


class StoreError(LmsciteError):
    """The library file cannot be read, locked or written."""

    exit_code = EXIT_FAILURE


class NetworkError(LmsciteError):
    """E-utilities could not be reached or kept failing."""

    exit_code = EXIT_FAILURE


class OutputError(LmsciteError):
    """Standard output cannot be written: a full disk, a closed descriptor, an I/O error."""

    exit_code = EXIT_FAILURE


class BrokenPipeOutput(OutputError):
    """The program reading lmscite's output stopped before the end (`| head -1`)."""

    exit_code = EXIT_BROKEN_PIPE
