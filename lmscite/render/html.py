"""The annotated bibliography as one self-contained HTML5 file.

Everything the page needs is inside it (styles, the optional filter script),
so it works offline, printed, and attached to an e-mail.  Record text reaches
the page only through `lmscite.markup` (escaped, with PubMed's inline tags
kept) and curator Markdown only through markdown-it with raw HTML off and
unsafe link schemes dropped.  A Content-Security-Policy allows exactly the
page's own style and script (by hash), so even a mistake elsewhere could not
run injected code.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from markupsafe import Markup, escape

from lmscite import markup
from lmscite.model import Entry
from lmscite.render import ExportOptions
from lmscite.render.page import (
    Flavour,
    build,
    load_template,
    markdown_parser,
    one_final_newline,
    plain_paragraph,
    render_template,
)

TEMPLATE = "page.html.j2"


@dataclass(frozen=True)
class Assets:
    """The inline style and script, and the policy that allows just them."""

    style: Markup
    script: Markup
    csp: Markup


def render(entries: Sequence[Entry], options: ExportOptions) -> str:
    template = load_template(options, TEMPLATE, autoescape=True)
    context = build(entries, options, FLAVOUR)
    context["assets"] = assets()
    return one_final_newline(render_template(template, context, options))


@lru_cache(maxsize=1)
def assets() -> Assets:
    folder = resources.files("lmscite.render") / "templates"
    style = (folder / "page.css").read_text(encoding="utf-8")
    script = (folder / "filter.js").read_text(encoding="utf-8")
    csp = "; ".join((
        "default-src 'none'",
        f"style-src {_hash(style)}",
        f"script-src {_hash(script)}",
        "img-src data:",
        "base-uri 'none'",
        "form-action 'none'",
    ))
    return Assets(style=Markup(style), script=Markup(script), csp=Markup(csp))


def _hash(source: str) -> str:
    digest = base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


def text(value: str) -> Markup:
    """Plain text, safe in element content and in quoted attributes."""
    return escape(value)


def fragment(value: str) -> Markup:
    return Markup(markup.to_html(value))


def curator_markdown(source: str) -> Markup:
    return Markup(markdown_parser().render(source))


def note(source: str) -> Markup:
    """An editorial note framed as "[Ed. ...]", inside its paragraph when it is one.

    A note that is plain prose is written as the parser would write its one
    paragraph, without parsing it.
    """
    if plain_paragraph(source):
        return Markup(f"<p>[Ed. {_parser_escape(source)}]</p>")
    return parsed_note(source)


def _parser_escape(text: str) -> str:
    """Text as markdown-it writes it: `&`, `<`, `>` and `"` escaped, `'` not (unlike `escape`).

    markdown-it's own function is not imported for it: importing the parser
    costs a page with no Markdown to parse 40 ms.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def parsed_note(source: str) -> Markup:
    """`note` for any Markdown: rendered by the parser."""
    rendered = markdown_parser().render(source).strip()
    if not rendered:
        return Markup("")
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        return Markup(f"<p>[Ed. {rendered[3:-4]}]</p>")
    return Markup(f'<span class="ed">[Ed.</span>\n{rendered}\n<span class="ed">]</span>')


def gloss(value: str) -> Markup:
    """An inline editorial note, "[... Ed.]", set off so a reader sees whose words they are."""
    return Markup('<span class="gloss">[{} Ed.]</span>').format(" ".join(value.split()))


FLAVOUR = Flavour(fragment=fragment, text=text, markdown=curator_markdown, note=note,
                  gloss=gloss, safe=Markup)
