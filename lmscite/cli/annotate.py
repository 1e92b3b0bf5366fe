"""Commands for the curator's work: annotate, curation dump, sections."""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any, List, Optional

import typer

from lmscite.cli.app import app, entry_ids, state
from lmscite.cli.console import info, out, out_json, read_stdin, table, warn
from lmscite.errors import InputError, NotInLibraryError
from lmscite.wording import capped, plural

if TYPE_CHECKING:
    from lmscite.ids import TypedId
    from lmscite.library.store import Library, LibraryView
    from lmscite.model import Entry

_SETTINGS = {"help_option_names": ["-h", "--help"]}

curation_app = typer.Typer(
    help="The library's curation as one file, to keep beside a page in git.",
    epilog="\b\nExamples:\n  lmscite curation dump -o curation.yaml\n"
           "  lmscite annotate --from curation.yaml",
    invoke_without_command=True, rich_markup_mode=None, context_settings=_SETTINGS)
sections_app = typer.Typer(
    help="List, rename and order the sections entries stand under.",
    invoke_without_command=True, rich_markup_mode=None, context_settings=_SETTINGS)
app.add_typer(curation_app, name="curation")
app.add_typer(sections_app, name="sections")

_ANNOTATE_EPILOG = """\b
Examples:
  lmscite show 10749609 --sentences
  lmscite annotate 10749609 --excerpt '...1-2, ...3-5, ...6-12, ...13-17' \\
      --gloss '15 R0 [R0 resection is clear surgical margins.]'
  lmscite annotate 10962525 --quote 'Liver metastases of colorectal cancer ...[has] a life-threatening
      prognostic aspect. ...' --note 'Expertise makes a difference.'
  lmscite annotate 10749609 9834411 --tag leiomyosarcoma --section 'Surgical resection'
  lmscite annotate 10749609 --edit
  lmscite annotate --from curation.yaml"""


@app.command(epilog=_ANNOTATE_EPILOG)
def annotate(
    ctx: typer.Context,
    pmids: Optional[List[str]] = typer.Argument(
        None, metavar="ID...|-", help="Entries to annotate (PMIDs, PubMed links, DOIs, PMC ids); - reads stdin."),
    excerpt: Optional[str] = typer.Option(
        None, "--excerpt", "-e", metavar="SPEC",
        help="Sentences to show, e.g. '1,3-5'; '...' before or after a range marks skipped text."),
    quote: List[str] = typer.Option(
        [], "--quote", metavar="TEXT",
        help="The excerpt written as it should appear: the abstract's words, '...' where text is left out, "
             "[insertions], [glosses Ed.]; several build one excerpt in order (repeatable)."),
    literal: bool = typer.Option(
        False, "--literal", help="Keep --quote text that is not in the abstract, as written (check reports it)."),
    gloss: List[str] = typer.Option(
        [], "--gloss", metavar="'PHRASE [NOTE]'",
        help="Inline note shown as 'PHRASE [NOTE Ed.]' inside the excerpt (repeatable)."),
    note: List[str] = typer.Option(
        [], "--note", metavar="TEXT", help="Editorial note after the excerpt, Markdown allowed (repeatable)."),
    note_file: List[str] = typer.Option(
        [], "--note-file", metavar="FILE|-", help="Add the note held in FILE (- reads stdin)."),
    tag: List[str] = typer.Option([], "--tag", metavar="TAG", help="Add a tag (repeatable)."),
    untag: List[str] = typer.Option([], "--untag", metavar="TAG", help="Remove a tag (repeatable)."),
    section: Optional[str] = typer.Option(None, "--section", metavar="NAME", help="Put the entries in this section."),
    no_section: bool = typer.Option(False, "--no-section", help="Take the entries out of their section."),
    order: Optional[int] = typer.Option(None, "--order", metavar="N", help="Position inside its section."),
    clear: List[str] = typer.Option(
        [], "--clear", metavar="FIELD",
        help="Empty a field first: excerpt, glosses, notes, tags, section, order or all (repeatable)."),
    dry_run: bool = typer.Option(False, "--dry-run", "-n", help="Show the result; save nothing."),
    edit: bool = typer.Option(False, "--edit", help="Edit the curation in $VISUAL or $EDITOR."),
    from_: Optional[str] = typer.Option(
        None, "--from", metavar="FILE|-",
        help="Apply a curation file (YAML, JSON, TOML); with one PMID, that entry's curation."),
    json_: bool = typer.Option(False, "--json", help="Print the resulting curation as JSON."),
) -> None:
    """Curate entries: excerpt, inline glosses, notes, tags, section and order."""
    from lmscite.curation.edit import Edit
    from lmscite.curation.excerpt import parse_gloss

    tokens = list(pmids or [])
    if [*tokens, *note_file, from_].count("-") > 1:
        raise InputError("only one of the PMIDs, --note-file and --from can read stdin")
    notes = [*note, *(_read_text(name) for name in note_file)]
    change = Edit(clear=clear, excerpt=excerpt, quotes=quote, literal=literal, glosses=[parse_gloss(g) for g in gloss],
                  notes=notes, tags=tag, untags=untag, section=section, no_section=no_section, order=order)
    library = state(ctx).library()
    wanted = entry_ids(tokens) if tokens else []
    if from_ is not None or edit:
        if not change.is_empty() or (from_ is not None and edit):
            raise InputError("--edit and --from replace the whole curation; give no other changes with them")
        if from_ is not None:
            _apply_from(library, from_, wanted, dry_run, json_)
        else:
            _edit(library, wanted, dry_run, json_)
        return
    if change.is_empty():
        raise InputError("nothing to change: give --excerpt, --quote, --gloss, --note, --tag, --section, "
                         "--order, --clear, --edit or --from")
    if not wanted:
        raise InputError("give the PMID(s) to annotate")
    if change.needs_one_entry() and len(wanted) != 1:
        raise InputError("--excerpt, --quote and --gloss apply to exactly one PMID")
    if order is not None and len(wanted) != 1:
        raise InputError("--order applies to exactly one PMID")
    change.check()
    from lmscite.library.resolve import resolve

    if dry_run:
        view = library.snapshot()
        found = resolve(view, wanted)
        if found.pmids:
            _report(_annotate_all(view, found.pmids, change), dry_run=True, json_=json_)
        found.raise_for_missing()
        return
    with library.transaction() as view:
        found = resolve(view, wanted)
        found.require_any()
        results = _annotate_all(view, found.pmids, change)
        view.replace(after for _before, after in results if after is not None)
    _report(results, dry_run=False, json_=json_)
    found.raise_for_missing()


def _read_text(name: str) -> str:
    try:
        raw = read_stdin() if name == "-" else Path(name).read_bytes()
    except OSError as exc:
        raise InputError(f"{name}: {exc.strerror}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{name}: not UTF-8 text") from None


def _entry(view: LibraryView, pmid: str) -> Entry:
    entry = view.get(pmid)
    if entry is None:
        raise NotInLibraryError([pmid])
    return entry


def _one_pmid(view: LibraryView, wanted: list[TypedId], option: str) -> str:
    """The entry an option that works on exactly one entry (--edit, --from with an id) names."""
    from lmscite.library.resolve import resolve

    if len(wanted) != 1:
        raise InputError(f"{option} takes exactly one PMID")
    found = resolve(view, wanted)
    found.raise_for_missing()
    return found.pmids[0]


def _annotate_all(view: LibraryView, pmids: list[str], change: Any) -> list[tuple[Entry, Entry | None]]:
    """(entry as stored, entry as changed or None when unchanged) for each stored PMID, all checked first."""
    from lmscite.curation.edit import annotate as apply_edit
    from lmscite.library.store import now

    stamp = now()
    results = []
    for pmid in pmids:
        entry = _entry(view, pmid)
        results.append((entry, apply_edit(entry, change, stamp)))
    return results


def _report(results: list[tuple[Entry, Entry | None]], *, dry_run: bool, json_: bool) -> None:
    from lmscite.curation.excerpt import excerpt_problems, excerpt_text
    from lmscite.curation.file import format_curation

    if json_:
        out_json([{"pmid": before.pmid, "changed": after is not None,
                   "curation": (after or before).to_dict().get("curation", {})}
                  for before, after in results])
    elif dry_run:
        blocks = []
        for before, after in results:
            entry = after or before
            lines = [f"PMID {entry.pmid}: {'would change' if after else 'no change'} (dry run, nothing saved)",
                     format_curation(entry.curation).rstrip("\n")]
            shown = excerpt_text(entry) if entry.curation.excerpt else ""
            if shown:
                lines.append(textwrap.fill(f"shown as: {shown}", 100, subsequent_indent="  "))
            lines.extend(f"warning: {problem.message}" for problem in excerpt_problems(entry))
            blocks.append("\n".join(lines))
        out("\n\n".join(blocks))
    if not dry_run:
        changed = sum(after is not None for _before, after in results)
        unchanged = len(results) - changed
        info(f"annotated {plural(changed, 'entry')}" + (f"; {unchanged} already so" if unchanged else ""))


# --- --from -----------------------------------------------------------------


def _apply_from(library: Library, source: str, wanted: list[TypedId], dry_run: bool, json_: bool) -> None:
    from lmscite.curation.edit import set_curation
    from lmscite.curation.file import (
        FILE_KEYS,
        apply_document,
        file_format,
        parse_document,
    )
    from lmscite.curation.session import apply_saved_edit

    name = "<stdin>" if source == "-" else source
    if source == "-":
        raw = read_stdin()
    else:
        try:
            raw = Path(source).read_bytes()
        except FileNotFoundError:
            raise InputError(f"{source}: no such file") from None
        except OSError as exc:
            raise InputError(f"{source}: {exc.strerror}") from None
    document = parse_document(raw, file_format(name), name)
    if not wanted:
        if dry_run:
            report = apply_document(library.snapshot(), document, name, dry_run=True)
        else:
            with library.transaction() as view:
                report = apply_document(view, document, name)
        if json_:
            out_json({"updated": report.updated, "unchanged": report.unchanged, "settings": report.settings,
                      "missing": report.missing})
        elif dry_run:
            out(report.summary(dry_run=True))
        else:
            info(report.summary())
        if report.missing:
            raise NotInLibraryError(report.missing)
        return
    if len(wanted) != 1:
        raise InputError("--from with PMIDs takes exactly one PMID (a curation file lists its own)")
    if isinstance(document, dict) and any(key in document for key in FILE_KEYS):
        raise InputError(f"{name} is a curation file; apply it without a PMID: lmscite annotate --from {source}")

    def applied(entry: Entry) -> Entry | None:
        if isinstance(document, dict) and "base" in document:
            return apply_saved_edit(entry, document, name)
        return set_curation(entry, document)

    if dry_run:
        view = library.snapshot()
        entry = _entry(view, _one_pmid(view, wanted, "--from"))
        _report([(entry, applied(entry))], dry_run=True, json_=json_)
        return
    with library.transaction() as view:
        entry = _entry(view, _one_pmid(view, wanted, "--from"))
        result = applied(entry)
        if result is not None:
            view.replace([result])
    _report([(entry, result)], dry_run=False, json_=json_)


# --- --edit -----------------------------------------------------------------


def _edit(library: Library, wanted: list[TypedId], dry_run: bool, json_: bool) -> None:
    """Edit one entry's curation in the user's editor (`lmscite.curation.session` does the rest)."""
    from lmscite.curation.session import edit_entry

    view = library.snapshot()
    pmid = _one_pmid(view, wanted, "--edit")
    entry = _entry(view, pmid)
    command = _editor_command()
    result = edit_entry(library, entry, lambda text: _run_editor(command, text, pmid),
                        reopen=_reopen, dry_run=dry_run)
    if result is None:
        info(f"PMID {pmid}: no change")
        return
    _report([(result.before, result.after)], dry_run=dry_run, json_=json_)


def _reopen(problem: InputError) -> bool:
    """Re-open an edit that cannot be read when a user is there to fix it."""
    if not _interactive():
        return False
    warn(f"{problem}; re-opening the editor")
    return True


def _interactive() -> bool:
    """Whether a user is there to fix an invalid edit in a re-opened editor."""
    return sys.stdin.isatty()


def _editor_command() -> list[str]:
    for name in ("VISUAL", "EDITOR"):
        value = os.environ.get(name, "").strip()
        if value:
            try:
                return shlex.split(value)
            except ValueError as exc:
                raise InputError(f"cannot read ${name} ({value!r}): {exc}") from None
    raise InputError("no editor: set $VISUAL or $EDITOR (e.g. export EDITOR=nano)")


def _run_editor(command: list[str], text: str, pmid: str) -> str:
    """Open `text` in the editor and return what was saved."""
    from lmscite.curation.session import EditorFailed

    handle, name = tempfile.mkstemp(prefix=f"lmscite-{pmid}-", suffix=".yaml")
    path = Path(name)
    keep = False
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        try:
            status = subprocess.run([*command, str(path)], check=False).returncode
        except OSError as exc:
            raise InputError(f"cannot run the editor {command[0]!r}: {exc.strerror}") from None
        try:
            saved = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError(f"the editor removed {path} instead of saving it; nothing was changed") from None
        except UnicodeDecodeError:
            keep = True
            raise InputError(f"the editor saved {path} as text that is not UTF-8; it is left there (save it as "
                             f"UTF-8, then apply it with `lmscite annotate {pmid} --from {path}`)") from None
        except OSError as exc:
            raise InputError(f"cannot read the edit back from {path}: {exc.strerror}; nothing was changed") from None
    finally:
        if not keep:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
    if status != 0:
        raise EditorFailed(f"the editor exited with status {status}", saved)
    return saved


# --- curation dump ----------------------------------------------------------


@curation_app.callback()
def curation(ctx: typer.Context) -> None:
    """The library's curation as one file, to keep beside a page in git."""
    if ctx.invoked_subcommand is None:
        out(ctx.get_help())


@curation_app.command("dump", epilog="\b\nExamples:\n  lmscite curation dump -o curation.yaml\n"
                      "  lmscite --db page.json curation dump --format json")
def dump(
    ctx: typer.Context,
    output: Optional[str] = typer.Option(None, "--output", "-o", metavar="FILE",
                                         help="Write to FILE (default: stdout)."),
    format: Optional[str] = typer.Option(None, "--format", "-f", metavar="yaml|json",
                                         help="File format (default: from FILE's extension, else yaml)."),
) -> None:
    """Write the library's curation as a curation file (read back by `annotate --from`)."""
    from lmscite.curation.file import dump_document, file_format

    chosen = format or (file_format(output) if output and output != "-" else "yaml")
    if chosen not in ("yaml", "json"):
        raise InputError(f"cannot write curation as {chosen!r} (choose yaml or json)")
    library = state(ctx).library()
    text = dump_document(library.snapshot(), chosen)
    if not output or output == "-":
        out(text)
        return
    from lmscite.files import write_output

    write_output(Path(output), text.encode("utf-8"), library.protected())
    info(f"wrote the curation to {output}")


# --- sections ---------------------------------------------------------------


@sections_app.callback(epilog="\b\nExamples:\n  lmscite sections --json\n"
                       "  lmscite sections rename 'Resection' 'Surgical resection'\n"
                       "  lmscite sections order 'Surgical resection' 'Ablation'")
def sections(
    ctx: typer.Context,
    json_: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """List the sections with their entry counts, in page order."""
    if ctx.invoked_subcommand is not None:
        return
    from lmscite.curation.sections import sections_list

    rows = sections_list(state(ctx).library().snapshot())
    if json_:
        out_json([{"section": name, "entries": count} for name, count in rows])
    elif rows:
        table(["section", "entries"], [[name, str(count)] for name, count in rows])
    else:
        info("no sections yet; set one with `lmscite annotate PMID --section NAME`")


@sections_app.command("rename", epilog="Example: lmscite sections rename 'Resection' 'Surgical resection'")
def sections_rename(
    ctx: typer.Context,
    old: str = typer.Argument(..., metavar="OLD"),
    new: str = typer.Argument(..., metavar="NEW"),
    merge: bool = typer.Option(False, "--merge", help="Rename onto a section that has entries, merging the two."),
) -> None:
    """Rename a section in every entry and in the stored section order."""
    from lmscite.curation.names import clean_name
    from lmscite.curation.sections import rename_section

    with state(ctx).library().transaction() as view:
        count = rename_section(view, old, new, merge=merge)
    info(f"renamed section {old!r} to {clean_name(new)!r} in {plural(count, 'entry')}")


@sections_app.command("order", epilog="Examples:\n  lmscite sections order 'Surgical resection' 'Ablation'\n"
                      "  lmscite sections order --clear")
def sections_order(
    ctx: typer.Context,
    names: Optional[List[str]] = typer.Argument(None, metavar="SECTION...", help="Sections in page order."),
    clear: bool = typer.Option(False, "--clear", help="Forget the stored order (sections follow by name)."),
) -> None:
    """Store the order sections appear in on exported pages (others follow by name)."""
    from lmscite.curation.names import clean_name
    from lmscite.curation.sections import clear_section_order, set_section_order

    if clear == bool(names):
        raise InputError("name the sections in page order, or give --clear to forget the stored order")
    with state(ctx).library().transaction() as view:
        if clear:
            forgotten = clear_section_order(view)
        else:
            set_section_order(view, names or [])
    if clear:
        info("section order cleared (sections follow by name)" + (
            f"; it was: {capped(forgotten)}" if forgotten else "; none was stored"))
    else:
        info("section order: " + capped([clean_name(name) for name in names or []]))
