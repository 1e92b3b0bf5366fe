"""Curation as text a curator edits: the curation file and the `--edit` document.

The curation file
-----------------
YAML (``.yaml``/``.yml``, and standard input), JSON (``.json``) or TOML
(``.toml``, read only), chosen by the file name's extension::

    page: {title: ..., intro: ..., footer: ...}        # optional, library meta "page"
    sections: [First section, Second section]          # optional, meta "section_order"
    searches: {Name shown on the page: "pubmed query"}  # optional, meta "searches"
    entries:
      "10749609":
        section: Surgical resection
        order: 1
        tags: [leiomyosarcoma]
        excerpt: "... there were 15 R0 [R0 resection is clear surgical margins. Ed.], 3 R1 ..."
        notes: ["Expertise makes a difference. ..."]

``excerpt`` is the excerpt written as the page shows it (see
`lmscite.curation.written`: quotes of the abstract, ``...``, ``[insertions]``,
``[glosses Ed.]``, ``{literal text}``, blank lines between paragraphs), or
sentence numbers (``"1-2, ...3-5"``).  Files written before schema 2 (a list
of sentence runs, with ``glosses`` apart) are read as the excerpt they showed.
An entry listed in the file gets exactly the curation written there (a field
left out is cleared); entries not listed keep theirs.  A top-level key left
out leaves that library setting alone; an empty one clears it.  Everything is
validated before anything changes, and the whole file is applied in one
write.  `dump_document` writes the library back in this layout (only curated
entries, by section order, then order, then PMID; searches by name), so
dump -> load -> dump is byte-identical.  See docs/curation-file.md.

The edit document
-----------------
`edit_document` is what `annotate --edit` opens: the numbered sentences as
comment lines (read-only context), then the entry's curation as YAML in the
layout of one entry of the curation file, with the excerpt written out.
`parse_edit_document` reads it back; an unchanged document or one holding
only comments changes nothing, ``{}`` clears everything.
"""

from __future__ import annotations

import json
import sys
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import yaml

from lmscite import markup
from lmscite.citation import shown_title
from lmscite.curation.edit import (
    FIELDS,
    curation_from_data,
    curation_to_data,
    editable,
    set_curation,
)
from lmscite.curation.names import clean_name
from lmscite.curation.order import page_sort_key
from lmscite.curation.sections import META_SECTION_ORDER, check_order_known
from lmscite.curation.sentences import sentences
from lmscite.errors import InputError
from lmscite.ids import normalise_pmid
from lmscite.library.store import LibraryView, now
from lmscite.model import Curation, Entry
from lmscite.wording import plural

PAGE_KEYS = ("title", "intro", "footer")
FILE_KEYS = ("page", "sections", "searches", "entries")
META_PAGE = "page"
META_SEARCHES = "searches"
_FOLD_AT = 60
_WIDTH = 88


# --- the curation file ------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Block scalars for long text, so curation files read and diff well in git."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text else (">" if len(text) > _FOLD_AT else None)
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


def _represent_none(dumper: yaml.SafeDumper, _value: None) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:null", "")


_Dumper.add_representer(str, _represent_text)
_Dumper.add_representer(type(None), _represent_none)


class _Loader(yaml.SafeLoader):
    """Safe loading that refuses a key given twice, which YAML would settle silently by the last one."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value_node in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if not isinstance(key, (str, int)):
                continue
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} is given twice", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=_WIDTH)


def file_format(name: str) -> str:
    """The format a curation file's name asks for: yaml (also stdin and unknown names), json or toml."""
    lowered = name.lower()
    if lowered.endswith(".json"):
        return "json"
    if lowered.endswith(".toml"):
        return "toml"
    return "yaml"


def parse_document(raw: bytes, fmt: str, name: str) -> Any:
    """A curation file's (or edit document's) data; an InputError naming the file when unreadable."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{name}: not UTF-8 text") from None
    try:
        if fmt == "json":
            return json.loads(text) if text.strip() else None
        if fmt == "toml":
            if sys.version_info >= (3, 11):
                import tomllib
            else:
                import tomli as tomllib

            return tomllib.loads(text)
        return yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"{name}: not valid YAML{where}: {problem}") from None
    except ValueError as exc:
        raise InputError(f"{name}: not valid {fmt.upper()}: {exc}") from None


@dataclass
class ApplyReport:
    """What applying a curation file changed (or would change)."""

    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    settings: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    """PMIDs the file curates that the library does not hold: skipped, for the caller to report."""

    def summary(self, dry_run: bool = False) -> str:
        verb = "would update" if dry_run else "updated"
        text = f"{verb} {plural(len(self.updated), 'entry')}, {len(self.unchanged)} unchanged"
        if self.settings:
            text += f"; {'would set' if dry_run else 'set'} {', '.join(self.settings)}"
        return text


def apply_document(view: LibraryView, document: Any, name: str, *, dry_run: bool = False,
                   stamp: str | None = None) -> ApplyReport:
    """Check the whole curation file against the library, then apply it (unless `dry_run`).

    Nothing changes unless everything is valid; call inside one
    `Library.transaction` so that it is one write.  Entries the library does
    not hold are skipped and listed in `ApplyReport.missing`, as every
    command does with ids it does not have.
    """
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise InputError(f"{name}: a curation file is a mapping with {', '.join(FILE_KEYS)}")
    unknown = [key for key in document if key not in FILE_KEYS]
    if unknown:
        raise InputError(f"{name}: unknown key {unknown[0]!r} (keys: {', '.join(FILE_KEYS)})")
    blank = next((key for key in FILE_KEYS if key in document and document[key] is None), None)
    if blank:
        empty = "[]" if blank == "sections" else "{}"
        raise InputError(f"{name}: `{blank}` is given with no value; write `{blank}: {empty}` to clear it, "
                         f"or leave the key out to keep it; nothing was changed")
    settings = _settings(document, name)
    stamp = stamp or now()
    report = ApplyReport()
    changed: list[Entry] = []
    problems: list[str] = []
    for pmid, data in _entries_of(document, name).items():
        entry = view.get(pmid)
        if entry is None:
            report.missing.append(pmid)
            continue
        try:
            updated = set_curation(entry, data, stamp)
        except InputError as exc:
            problems.append(str(exc))
            continue
        (report.updated if updated else report.unchanged).append(pmid)
        if updated:
            changed.append(updated)
    if problems:
        more = f" (and {plural(len(problems) - 1, 'more problem')})" if len(problems) > 1 else ""
        raise InputError(f"{name}: {problems[0]}{more}; nothing was changed")
    if META_SECTION_ORDER in settings:
        check_order_known(view, settings[META_SECTION_ORDER] or [], changed)
    meta = view.meta()
    report.settings = [key for key, value in settings.items() if meta.get(key) != value]
    if not dry_run:
        view.replace(changed)
        for key in report.settings:
            view.set_meta(key, settings[key])
    return report


def _settings(document: dict[str, Any], name: str) -> dict[str, Any]:
    """The library settings the file sets: meta key -> value (None clears)."""
    settings: dict[str, Any] = {}
    if "page" in document:
        page = document["page"]
        if not isinstance(page, dict) or any(k not in PAGE_KEYS for k in page):
            raise InputError(f"{name}: `page` holds only {', '.join(PAGE_KEYS)}")
        if any(v is not None and not isinstance(v, str) for v in page.values()):
            raise InputError(f"{name}: the values of `page` must be text")
        kept = {k: page[k].strip() for k in PAGE_KEYS if page.get(k) and page[k].strip()}
        settings[META_PAGE] = kept or None
    if "sections" in document:
        names = document["sections"]
        if not isinstance(names, list) or not all(isinstance(n, str) and clean_name(n) for n in names):
            raise InputError(f"{name}: `sections` must be a list of section names")
        names = [clean_name(n) for n in names]
        duplicate = next((n for n, count in Counter(names).items() if count > 1), None)
        if duplicate:
            raise InputError(f"{name}: section {duplicate!r} is listed twice in `sections`")
        settings[META_SECTION_ORDER] = names or None
    if "searches" in document:
        searches = document["searches"]
        if not isinstance(searches, dict) or not all(
                isinstance(k, str) and k.strip() and isinstance(v, str) and v.strip()
                for k, v in searches.items()):
            raise InputError(f"{name}: `searches` maps a name to a PubMed query, both text")
        settings[META_SEARCHES] = {k.strip(): v.strip() for k, v in sorted(searches.items())} or None
    return settings


def _entries_of(document: dict[str, Any], name: str) -> dict[str, Any]:
    entries = document.get("entries") or {}
    if not isinstance(entries, dict):
        raise InputError(f"{name}: `entries` maps each PMID to its curation")
    out: dict[str, Any] = {}
    for key, data in entries.items():
        pmid = normalise_pmid(str(key)) if isinstance(key, (str, int)) and not isinstance(key, bool) else None
        if pmid is None:
            raise InputError(f"{name}: {key!r} under `entries` is not a PMID")
        if pmid in out:
            raise InputError(f"{name}: PMID {pmid} is listed twice under `entries`")
        if data is None:
            raise InputError(f"{name}: PMID {pmid} is listed with no curation; write `\"{pmid}\": {{}}` "
                             f"to clear its curation, or leave it out to keep it; nothing was changed")
        out[pmid] = data
    return out


def document_data(view: LibraryView) -> dict[str, Any]:
    """The library's curation in the curation-file layout."""
    meta = view.meta()
    data: dict[str, Any] = {}
    page = meta.get(META_PAGE) or {}
    if page:
        data["page"] = {k: page[k] for k in PAGE_KEYS if page.get(k)}
    if meta.get(META_SECTION_ORDER):
        data["sections"] = list(meta[META_SECTION_ORDER])
    if meta.get(META_SEARCHES):
        data["searches"] = dict(sorted(meta[META_SEARCHES].items()))
    curated = [e for e in view.entries() if not e.curation.is_empty()]
    curated.sort(key=page_sort_key(meta.get(META_SECTION_ORDER) or []))
    data["entries"] = {e.pmid: curation_to_data(e.curation) for e in curated}
    return data


def dump_document(view: LibraryView, fmt: str = "yaml") -> str:
    """The curation file for this library, in YAML or JSON."""
    data = document_data(view)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt != "yaml":
        raise InputError(f"cannot write curation as {fmt!r} (choose yaml or json)")
    return _yaml(data)


def format_curation(curation: Curation) -> str:
    """One entry's curation as YAML in the curation-file layout, for showing it."""
    data = curation_to_data(curation)
    return _yaml(data) if data else "{}\n"


# --- the --edit document ----------------------------------------------------


_EDIT_HELP = """\
Edit the curation below and save to apply it; save it unchanged, or with only
these comment lines left, to change nothing; replace it by {} to clear it all.
  section: the heading the entry stands under;  order: its place there (1, 2, ...)
  excerpt: written as the page shows it: the abstract's words, "..." where text
           is left out, [your words] in brackets, [a gloss Ed.] after a phrase,
           {text kept as written} that is not in the abstract, a blank line
           between paragraphs; or sentence numbers, e.g. "1-2, ...3-5"
  notes:   editorial notes after the excerpt (Markdown allowed)"""


def edit_document(entry: Entry) -> str:
    """The readable document `annotate --edit` opens: sentences as comments, then the curation."""
    lines = [f"# lmscite annotate {entry.pmid} --edit",
             *("# " + line for line in textwrap.wrap(markup.plain(shown_title(entry)), 96)), "#"]
    found = sentences(entry.abstract)
    lines.append("# The abstract's sentences (read-only):" if found else "# (no abstract)")
    label = None
    for sentence in found:
        if sentence.label and sentence.label != label:
            lines.append(f"#   {sentence.label}:")
            label = sentence.label
        wrapped = textwrap.wrap(sentence.text, 90) or [""]
        lines.append(f"#   {sentence.number:>3}  {wrapped[0]}")
        lines.extend(f"#        {more}" for more in wrapped[1:])
    lines.append("#")
    lines.extend("# " + line for line in _EDIT_HELP.splitlines())
    data = curation_to_data(entry.curation)
    shown = {name: data.get(name, [] if name in ("tags", "notes") else None)
             for name in FIELDS}
    if shown["excerpt"] is None:
        shown["excerpt"] = ""
    return "\n".join(lines) + "\n\n" + _yaml(shown)


def parse_edit_document(entry: Entry, text: str) -> Curation | None:
    """The curation an edited document asks for; None when it changes nothing."""
    if not any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines()):
        return None
    data = parse_document(text.encode(), "yaml", "the edited document")
    if isinstance(data, dict) and "base" in data:
        raise InputError("the edited document: `base` belongs to recovery files; apply one with "
                         f"`lmscite annotate {entry.pmid} --from FILE`")
    new = parse_edit_data(entry, data)
    return None if editable(new) == editable(entry.curation) else new


def parse_edit_data(entry: Entry, data: Any) -> Curation:
    """The curation an edit document's data asks for, checked against the abstract."""
    return curation_from_data(entry, data)


_BASE_NOTE = """# lmscite: `base` below is the curation this edit started from. Keep it as it is:
# `lmscite annotate {pmid} --from FILE` then applies your changes (and only those)
# to the entry as it is by then, and says so when another command changed the same thing.
"""


def recovery_document(text: str, base: dict[str, Any], pmid: str) -> str:
    """A kept edit: the text as saved, then its base.

    The text stays as the curator left it when it reads as YAML with the
    base added (or cannot be read at all, so the curator must fix it anyway);
    a document whose layout would not take the base, such as ``{}``, is
    written again in block style first.
    """
    tail = _BASE_NOTE.format(pmid=pmid) + _yaml({"base": base})
    joined = text.rstrip("\n") + "\n\n" + tail
    if _read_yaml(joined) is not None:
        return joined
    saved = _read_yaml(text)
    return _yaml(saved) + "\n" + tail if isinstance(saved, dict) else joined


def _read_yaml(text: str) -> Any:
    """The text's YAML data, or None when it is not YAML."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError:
        return None
