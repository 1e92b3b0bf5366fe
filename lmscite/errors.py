"""Errors a user can cause or meet, each carrying the exit code the CLI maps it to.

Exit codes: 0 ok, 1 some items failed or not found, 2 bad usage or input,
3 store or network failure, 130 interrupted.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_USAGE = 2
EXIT_FAILURE = 3
EXIT_INTERRUPTED = 130


class LmsciteError(Exception):
    """Base of every error lmscite reports as one `lmscite: error: ...` line."""

    exit_code = EXIT_USAGE


class InputError(LmsciteError):
    """Bad arguments or bad input data (ids, files, curation)."""


class ParseError(InputError):
    """A PubMed XML or MEDLINE file that cannot be read as such."""


class NotInLibraryError(InputError):
    """A PMID the command needs is not in the library."""


class StoreError(LmsciteError):
    """The library file cannot be read, locked or written."""

    exit_code = EXIT_FAILURE


class NetworkError(LmsciteError):
    """E-utilities could not be reached or kept failing."""

    exit_code = EXIT_FAILURE
