"""The Typer application, its global options and the helpers every command shares."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import typer

from lmscite import __version__
from lmscite.cli.console import set_quiet

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

        return Library(db_path(self.db), create_parents=not db_is_named(self.db))


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"lmscite {__version__}\n")
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
        sys.stdout.write(ctx.get_help() + "\n")
        raise typer.Exit()


def state(ctx: typer.Context) -> State:
    return ctx.find_root().obj or State()


def read_ids(tokens: list[str], from_file: Optional[Path] = None) -> list[tuple[str, Optional[str]]]:
    """Ids from arguments, `-` (stdin) and --from FILE: (as written, normalised PMID or None)."""
    from lmscite.errors import InputError
    from lmscite.ids import parse_id_tokens

    lines: list[str] = []
    for token in tokens:
        if token == "-":
            lines.extend(_stdin_lines())
        else:
            lines.append(token)
    if from_file is not None:
        try:
            lines.extend(from_file.read_text(encoding="utf-8-sig").splitlines())
        except OSError as exc:
            raise InputError(f"{from_file}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise InputError(f"{from_file}: not UTF-8 text") from None
    return parse_id_tokens(lines)


def _stdin_lines() -> list[str]:
    from lmscite.errors import InputError

    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise InputError("standard input is not UTF-8 text") from None


def valid_pmids(tokens: list[str], from_file: Optional[Path] = None) -> list[str]:
    """PMIDs from the arguments; any token that is not a PMID is a usage error.

    Arguments that hold no id at all (`""`, or `-` on empty input) are an error
    too: commands read "no PMIDs" as "every entry", which blank input must not
    turn into by accident.
    """
    from lmscite.errors import InputError

    pairs = read_ids(tokens, from_file)
    bad = [raw for raw, pmid in pairs if pmid is None]
    if bad:
        raise InputError(f"not a PMID: {bad[0]!r}" + (f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""))
    if (tokens or from_file is not None) and not pairs:
        raise InputError("no PMIDs given (the arguments or the input held none)")
    return list(dict.fromkeys(pmid for _, pmid in pairs if pmid))
