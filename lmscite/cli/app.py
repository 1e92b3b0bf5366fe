"""The Typer application, its global options and the helpers every command shares."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from lmscite import __version__
from lmscite.cli.console import out, set_quiet, stdin_text

if TYPE_CHECKING:
    from lmscite.ids import TypedId

app = typer.Typer(
    name="lmscite",
    help="Curate annotated PubMed bibliographies: fetch records, annotate them, export pages.",
    epilog="Example: lmscite search 'liver metastases resection' --max 20 | lmscite fetch -",
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@dataclass
class State:
    db: Optional[Path] = None

    def library(self):
        """The library named by --db / LMSCITE_DB / config, else the user data folder's.

        Only the default's folder is created: a library path the user gave,
        however given, must be in a folder that exists (a typo must not
        scatter libraries in new folders).
        """
        from lmscite.config import db_is_named, db_path
        from lmscite.library.store import Library

        path = db_path(self.db)
        _opened.setdefault(path, _fingerprint(path))
        return Library(path, create_parents=not db_is_named(self.db))


_opened: dict[Path, tuple[int, int, int] | None] = {}
"""Each library file this command opened, as it was then: the boundary tells an interrupted user what changed."""


def _fingerprint(path: Path) -> tuple[int, int, int] | None:
    try:
        facts = path.stat()
    except OSError:
        return None
    return (facts.st_ino, facts.st_mtime_ns, facts.st_size)


def forget_libraries() -> None:
    _opened.clear()


def library_changed() -> bool | None:
    """Whether a library this command opened has been written since (None: it opened none)."""
    if not _opened:
        return None
    return any(_fingerprint(path) != before for path, before in _opened.items())


def _version(value: bool) -> None:
    if value:
        out(f"lmscite {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Optional[Path] = typer.Option(
        None, "--db", metavar="PATH",
        help="Library file (default: $LMSCITE_DB, the config file's `db`, else the user data folder)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only errors on stderr."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    set_quiet(quiet)
    ctx.obj = State(db=db)
    if ctx.invoked_subcommand is None:
        out(ctx.get_help())
        raise typer.Exit()


def state(ctx: typer.Context) -> State:
    return ctx.find_root().obj or State()


def read_ids(tokens: list[str], from_file: Optional[Path] = None) -> list[TypedId]:
    """Ids from arguments, `-` (stdin) and --from FILE, typed; the one reading of ids every command uses."""
    from lmscite.errors import InputError
    from lmscite.ids import parse_ids

    lines: list[str] = []
    for token in tokens:
        if token == "-":
            lines.extend(stdin_text().splitlines())
        else:
            lines.append(token)
    if from_file is not None:
        try:
            lines.extend(from_file.read_text(encoding="utf-8-sig").splitlines())
        except OSError as exc:
            raise InputError(f"{from_file}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise InputError(f"{from_file}: not UTF-8 text") from None
    return parse_ids(lines)


def entry_ids(tokens: list[str]) -> list[TypedId]:
    """The ids a command that takes entries was given: PMIDs, PubMed links, DOIs, PMC ids, `-`.

    Junk is a usage error (nothing is done), and so are arguments that hold
    no id at all (`""`, or `-` on empty input): commands read "no ids" as
    "every entry", which blank input must not turn into by accident.
    """
    from lmscite.errors import InputError
    from lmscite.ids import require_valid

    ids = require_valid(read_ids(tokens))
    if tokens and not ids:
        raise InputError("no ids given (the arguments or the input held none)")
    return ids
