"""Renderers: one module per export format, all with the same signature.

Each module named in FORMATS has `render(entries, options) -> str`, taking the
selected entries in page order and an `ExportOptions`; none touches the store
or the network (data flows one way: store -> renderer).

May import: the core modules and `lmscite.curation` (excerpts as shown,
reader warnings); never `lmscite.library`, `lmscite.pubmed` or `lmscite.sync`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from typing import Callable, Sequence

from lmscite.model import Entry

FORMATS = {
    "markdown": "lmscite.render.markdown",
    "html": "lmscite.render.html",
    "bibtex": "lmscite.render.bibtex",
    "ris": "lmscite.render.ris",
    "csljson": "lmscite.render.csljson",
    "json": "lmscite.render.jsondump",
    "jsonl": "lmscite.render.jsondump",
}


AFFILIATIONS = ("first", "all", "none")
ABSTRACTS = ("excerpt", "full", "none")
PUBMED = "https://pubmed.ncbi.nlm.nih.gov/"


@dataclass
class Page:
    """The page around the entries: stored with `lmscite page set`, or given as options."""

    title: str | None = None
    intro: str | None = None
    footer: str | None = None
    section_order: list[str] = field(default_factory=list)
    searches: dict[str, str] = field(default_factory=dict)
    generated: str | None = None


@dataclass(frozen=True)
class TemplateLimits:
    """What a user's `--template` may use: time, memory beyond what lmscite already holds, page size."""

    seconds: float = 60.0
    memory: int = 1 << 30
    """Bytes of memory the rendering may add."""
    output: int = 256 << 20
    """Characters the page may have."""


@dataclass
class ExportOptions:
    format: str = "markdown"
    page: Page = field(default_factory=Page)
    max_authors: int | None = None
    affiliations: str = "first"
    abstract: str = "excerpt"
    template: str | None = None
    template_dir: str | None = None
    """The only folder a user's template may include or extend files from (besides lmscite's own)."""
    template_limits: TemplateLimits = field(default_factory=TemplateLimits)
    notices: dict[str, Entry] = field(default_factory=dict)
    """Stored records of the retraction/erratum/concern notices the entries link to, by PMID."""


def renderer(name: str) -> Callable[[Sequence[Entry], ExportOptions], str]:
    """The render function of a format, imported only when used."""
    return import_module(FORMATS[name]).render
