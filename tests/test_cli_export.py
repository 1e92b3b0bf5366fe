"""`lmscite export` and `lmscite page`, and the example that rebuilds the reference page.

The example is checked against the reference page itself
(examples/liver-metastases/reference-page.txt, a copy of
../shared/seed/liver-metastases.txt): for each of its 19 entries the
exported Markdown and HTML must show the page's citation line, title, author
line, affiliation, its excerpt and notes exactly as the page writes them
(white space folded, "..." spacing normalised), and the PubMed link.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import struct
import subprocess
import sys
import zlib
from pathlib import Path
from xml.etree import ElementTree

import html5lib
import pytest

from lmscite.model import Piece
from lmscite.pubmed.xml import iter_entries

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "liver-metastases"
REFERENCE = EXAMPLE / "reference-page.txt"
SEED = EXAMPLE / "liver-metastases.pubmed.xml"
EPOCH = "1735689600"
"""The generation date build.sh fixes (2025-01-01), so rebuilt pages match the committed ones."""

NS = "{http://www.w3.org/1999/xhtml}"
SEED_LACKS = {
    "10918156": "Microwave coagulation therapy is suggested to be equally effective as hepatic resection in "
                "the treatment of multiple (two to nine) hepatic metastases from colorectal carcinoma, whereas "
                "its surgical invasiveness is less than that of hepatic resection. Copyright 2000 American "
                "Cancer Society.",
}
"""Page text that the seed record's abstract does not hold: the example keeps it as literal text."""
HAND_TYPES = {"10918156": "Clinical trial Randomized controlled trial"}
"""Publication types the page prints by hand after an excerpt; the exported page lists the record's own."""
NOT_VERBATIM = [
    ("9873095", "'..' is not in the abstract (kept as written)"),
    ("10918156", "'[no significant difference in these results...' is not in the abstract (kept as written)"),
    ("10918156", "'Microwave coagulation therapy is suggested to be equally effective as hepatic r\u2026' "
                 "is not in the abstract (kept as written)"),
]
"""What `lmscite check` must report of the example: its only pieces that are not the abstracts' words."""


def squash(text: str) -> str:
    return " ".join(text.split())


def as_written(text: str) -> str:
    """Text compared as a reader reads it: white space folded, one space either side of every "..."."""
    return squash(re.sub(r"(\.{3,}|\u2026)", r" \1 ", text))


def text_of(node: ElementTree.Element) -> str:
    return squash("".join(node.itertext()))


def reference_entries() -> dict[str, list[str]]:
    """PMID -> the reference page's lines for that entry (citation first, "Fetch PMID" dropped)."""
    text = REFERENCE.read_text(encoding="utf-8")
    body = text.split("[For the full abstract, use the links provided, or search on Pubmed. Ed.]", 1)[1]
    parts = re.split(r"Fetch PMID: ?(\d+)", body)
    return {pmid: [line for line in block.strip().splitlines() if line.strip()]
            for block, pmid in zip(parts[::2], parts[1::2])}


def seed_affiliations() -> dict[str, str]:
    return {e.pmid: squash(e.authors[0].affiliations[0]) for e in iter_entries(SEED)}


@pytest.fixture
def example(run, tmp_path, monkeypatch) -> dict[str, str]:
    """The example built as build.sh builds it: import, annotate --from, export markdown and html."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    db = tmp_path / "example.json"
    assert run("--db", db, "import", SEED).code == 0
    assert run("--db", db, "annotate", "--from", EXAMPLE / "curation.yaml").code == 0
    pages = {}
    for fmt in ("markdown", "html"):
        done = run("--db", db, "export", "--format", fmt)
        assert done.code == 0, done.err
        pages[fmt] = done.out
    return pages


def html_fields(page: str) -> dict[str, dict[str, str]]:
    doc = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True).parse(page)
    fields = {}
    for article in doc.iter(f"{NS}article"):
        parts: dict[str, list[str]] = {}
        for child in article:
            parts.setdefault(child.get("class") or child.tag, []).append(text_of(child))
        header = [parts["citation"][0], parts["title"][0], parts["authors"][0], *parts.get("affiliation", [])]
        body = [*parts.get("excerpt", []), *parts.get("abstract", []), *parts.get("note", [])]
        fields[article.get("id")] = {"header": " ".join(header), "body": " ".join(body),
                                     "types": " ".join(parts.get("types", [])), "links": parts["links"][0]}
    return fields


def markdown_fields(page: str) -> dict[str, dict[str, str]]:
    """Each entry's paragraphs as a CommonMark renderer shows them: header, body, links."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": True})
    chunks = re.split(r'<a id="(pmid-\d+)"></a>', page.split("\n* * *\n")[0])
    fields = {}
    for anchor, chunk in zip(chunks[1::2], chunks[2::2]):
        doc = html5lib.parse(parser.render(chunk), namespaceHTMLElements=True)
        paragraphs = list(doc.iter(f"{NS}p"))
        types = [p for p in paragraphs[1:-1] if len(p) == 1 and p[0].tag == f"{NS}em" and not (p.text or "").strip()
                 and not (p[0].tail or "").strip()]
        body = [text_of(p) for p in paragraphs[1:-1] if p not in types]
        fields[anchor] = {"header": text_of(paragraphs[0]), "body": " ".join(body),
                          "types": " ".join(text_of(p) for p in types), "links": text_of(paragraphs[-1])}
    return fields


def _after(text: str, head: str) -> str:
    """`text` after its start `head`, which may be spaced differently."""
    wanted = head.replace(" ", "")
    taken = 0
    for index, char in enumerate(text):
        if taken == len(wanted):
            return text[index:].strip()
        if char != " ":
            taken += 1
    return ""


def check_against_reference(fields: dict[str, dict[str, str]]) -> None:
    reference = reference_entries()
    affiliations = seed_affiliations()
    assert len(reference) == 19
    assert list(fields) == [f"pmid-{pmid}" for pmid in reference]
    for pmid, lines in reference.items():
        ours = fields[f"pmid-{pmid}"]
        citation, title = lines[0].strip(), lines[1].strip()
        rest = squash(" ".join(lines[2:]))
        authors = re.match(r"(.*?\.)", rest).group(1)
        affiliation = affiliations[pmid]
        assert ours["header"] == f"{citation} {title} {authors} {affiliation}", pmid
        page_header = (authors + affiliation).replace(" ", "")
        assert rest.replace(" ", "").startswith(page_header), pmid
        page_body = _after(rest, page_header)
        if pmid in HAND_TYPES:
            assert page_body.endswith(HAND_TYPES[pmid])
            page_body = page_body[:-len(HAND_TYPES[pmid])]
            assert squash(ours["types"].replace("·", "")).lower() == HAND_TYPES[pmid].lower()
        assert as_written(ours["body"]) == as_written(page_body), pmid
        for note in re.findall(r"\[Ed\. [^\]]*\]|\[[^\[\]]* Ed\.\]", rest):
            assert squash(note) in ours["body"], (pmid, note)
        assert ours["links"].startswith(f"PMID: {pmid}"), pmid


def test_example_markdown_shows_every_reference_entry_as_the_page_does(example):
    check_against_reference(markdown_fields(example["markdown"]))


def test_example_html_shows_every_reference_entry_as_the_page_does(example):
    check_against_reference(html_fields(example["html"]))


def test_the_text_the_example_cannot_show_is_really_missing_from_the_seed_record():
    abstracts = {e.pmid: " ".join(s.text for s in e.abstract.sections) for e in iter_entries(SEED)}
    for pmid, text in SEED_LACKS.items():
        assert text[:40] not in abstracts[pmid]


def test_example_page_has_the_reference_title_intro_searches_and_disclaimer(example):
    doc = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True).parse(example["html"])
    whole = text_of(doc)
    assert text_of(doc.find(f".//{NS}h1")) == "Liver Metastases: Surgical Resection"
    assert "[For the full abstract, use the links provided, or search on Pubmed. Ed.]" in whole
    assert "The information on this site is not a substitute for professional medical advice." in whole
    searches = [a for a in doc.iter(f"{NS}a") if text_of(a).startswith("Search PubMed: ")]
    assert [text_of(a) for a in searches] == ["Search PubMed: Liver Metastasectomy and Sarcoma",
                                              "Search PubMed: Resection of Liver Metastases"]
    assert all(a.get("href").startswith("https://pubmed.ncbi.nlm.nih.gov/?term=") for a in searches)
    assert "19 entries · generated 2025-01-01" in whole


def test_committed_example_pages_are_what_build_sh_makes(tmp_path):
    """build.sh, run on a copy, rebuilds the committed pages byte for byte."""
    copy = tmp_path / "example"
    copy.mkdir()
    for name in ("build.sh", "curation.yaml", SEED.name):
        shutil.copy(EXAMPLE / name, copy / name)
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["LMSCITE"] = f"{sys.executable} -m lmscite"
    done = subprocess.run(["bash", str(copy / "build.sh")], env=env, capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for name in ("liver-metastases.md", "liver-metastases.html"):
        assert (copy / name).read_bytes() == (EXAMPLE / name).read_bytes(), name


# --- a real browser ---------------------------------------------------------------


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def png_top(data: bytes, rows: int) -> tuple[int, int, set[bytes]]:
    """Width, height and the colours of the first `rows` rows of an 8-bit RGB(A) PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks, header = 8, [], b""
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
    width, height, depth, colour_type = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour_type in (2, 6)
    step = 3 if colour_type == 2 else 4
    raw = zlib.decompressobj().decompress(b"".join(chunks), (1 + width * step) * rows)
    stride = width * step
    previous = bytearray(stride)
    colours: set[bytes] = set()
    for y in range(min(rows, height)):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - step] if i >= step else 0
            b = previous[i]
            c = previous[i - step] if i >= step else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        colours.update(bytes(line[i:i + 3]) for i in range(0, stride, step * 4))
        previous = line
    return width, height, colours


@pytest.mark.browser
def test_example_page_renders_in_headless_chromium(tmp_path):
    browser = chromium()
    if browser is None:
        pytest.skip("no Chromium binary found (install it with `apt-get install -y chromium`)")
    shot = tmp_path / "page.png"
    done = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", "--hide-scrollbars",
         f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1200,2000",
         (EXAMPLE / "liver-metastases.html").as_uri()],
        capture_output=True, text=True, timeout=120)
    assert shot.exists(), done.stderr[-2000:]
    width, height, colours = png_top(shot.read_bytes(), rows=700)
    assert (width, height) == (1200, 2000)
    assert len(colours) > 20, "the screenshot is blank or nearly so"


# --- export -----------------------------------------------------------------------------


@pytest.fixture
def seeded(run, library_path) -> Path:
    assert run("import", SEED).code == 0
    return library_path


def exported_pmids(markdown: str) -> list[str]:
    return re.findall(r'<a id="pmid-(\d+)"></a>', markdown)


def test_export_to_a_file_writes_what_stdout_would_show_with_the_usual_mode(run, seeded, tmp_path):
    target = tmp_path / "page.md"
    done = run("export", "-o", target, "--title", "T")
    assert done.code == 0 and done.out == ""
    assert "exported 19 entries as markdown to" in done.err
    assert target.read_text(encoding="utf-8") == run("export", "--title", "T").out
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert not list(tmp_path.glob(".page.md.*"))


def test_export_selects_by_pmids_on_stdin_in_their_order(run, seeded):
    done = run("export", "-", stdin="9834411\n10749609\n")
    assert exported_pmids(done.out) == ["9834411", "10749609"]


def test_export_selects_by_year_and_sorts_by_date_by_default(run, seeded):
    done = run("export", "--year", "1996-1997")
    assert exported_pmids(done.out) == ["8908452", "9194777"]


def test_export_sort_author_orders_by_first_author(run, seeded):
    done = run("export", "--sort", "author", "--pmid", "10749609", "--pmid", "11088072", "--pmid", "9834411")
    assert exported_pmids(done.out) == ["11088072", "9834411", "10749609"]


def test_export_selects_by_section_and_tag(run, seeded):
    assert run("annotate", "9834411", "--section", "Sarcoma", "--tag", "leio").code == 0
    assert run("annotate", "10749609", "--section", "Sarcoma").code == 0
    assert exported_pmids(run("export", "--section", "Sarcoma").out) == ["9834411", "10749609"]
    assert exported_pmids(run("export", "--tag", "leio").out) == ["9834411"]


def test_export_of_an_unknown_tag_is_an_error_not_an_empty_page(run, seeded):
    done = run("export", "--tag", "nope")
    assert done.code == 2 and done.out == ""
    assert done.err.startswith("lmscite: error: no entry has the tag 'nope'")


def test_export_of_an_empty_library_says_so(run):
    done = run("export")
    assert done.code == 2
    assert "is empty" in done.err


def test_export_rejects_unknown_choices_in_one_line(run, seeded):
    for args, message in ((["--format", "pdf"], "unknown --format 'pdf'"),
                          (["--abstract", "some"], "unknown --abstract 'some'"),
                          (["--affiliations", "last"], "unknown --affiliations 'last'"),
                          (["--sort", "size"], "unknown --sort 'size'"),
                          (["--format", "ris", "--template", "x.j2"], "--template works with")):
        done = run("export", *args)
        assert done.code == 2 and message in done.err and done.err.count("\n") == 1, args


def test_export_template_error_is_one_line_exit_2(run, seeded, tmp_path):
    bad = tmp_path / "bad.html.j2"
    bad.write_text("<p>{{ page.title }</p>", encoding="utf-8")
    done = run("export", "--format", "html", "--template", bad)
    assert done.code == 2 and done.out == ""
    assert done.err.count("\n") == 1 and "TemplateSyntaxError" in done.err and str(bad) in done.err


def test_source_date_epoch_sets_the_generation_date(run, seeded, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "946684800")
    assert "generated 2000-01-01" in run("export").out
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    done = run("export")
    assert done.code == 2 and "SOURCE_DATE_EPOCH" in done.err


def test_export_warns_when_an_excerpt_no_longer_matches_the_abstract(run, seeded):
    from lmscite.library.store import Library

    assert run("annotate", "10749609", "--excerpt", "1").code == 0
    with Library(seeded).transaction() as view:
        entry = view.get("10749609")
        section = entry.abstract.sections[0]
        section.text = section.text.replace("the treatment of choice", "the best treatment")
        view.replace([entry])
    done = run("export", "--pmid", "10749609")
    assert done.code == 0
    assert done.err.startswith("lmscite: warning: PMID 10749609: the quote 'Liver resection is the treatment "
                               "of choice for hepatic")
    assert "is no longer in the abstract; the closest passage now is 'Liver resection is the best" in done.err
    assert "Liver resection is the treatment of choice" in done.out


def test_export_shows_a_quote_whose_abstract_moved_around_it_without_a_warning(run, seeded):
    from lmscite.library.store import Library

    assert run("annotate", "10749609", "--excerpt", "1").code == 0
    with Library(seeded).transaction() as view:
        entry = view.get("10749609")
        entry.abstract.sections[0].text = "A new first sentence. " + entry.abstract.sections[0].text
        view.replace([entry])
    done = run("export", "--pmid", "10749609")
    assert done.code == 0 and done.err == ""
    assert "Liver resection is the treatment of choice" in done.out


def test_stale_excerpt_warnings_stop_at_twenty_and_count_the_rest(run, seeded):
    from lmscite.curation.excerpt import excerpt_problems
    from lmscite.library.store import Library

    with Library(seeded).transaction() as view:
        stale = []
        for pmid in view.pmids():
            entry = view.get(pmid)
            entry.curation.excerpt = [Piece("quote", "Words it never had.", start=0, end=0),
                                      Piece("gap", "..."), Piece("quote", "Nor these.", start=0, end=0)]
            stale.append(entry)
        view.replace(stale)
    problems = sum(len(excerpt_problems(entry)) for entry in stale)
    assert problems > 20
    done = run("export")
    assert done.code == 0
    warnings = done.err.splitlines()
    assert len(warnings) == 21
    assert all(line.startswith("lmscite: warning: PMID ") for line in warnings[:20])
    assert warnings[-1] == f"lmscite: warning: ... and {problems - 20} more stale excerpts (see `lmscite check`)"


# --- page -------------------------------------------------------------------------------


def test_page_set_show_and_unset(run, seeded):
    assert run("page", "set", "title", "Liver   metastases").code == 0
    assert run("page", "set", "footer", "-", stdin="Not *medical* advice.\n").code == 0
    shown = run("page", "show", "--json").out
    assert '"title": "Liver metastases"' in shown and '"footer": "Not *medical* advice."' in shown
    page = run("export").out
    assert page.startswith("# Liver metastases\n") and "Not *medical* advice." in page
    assert run("export", "--title", "Other").out.startswith("# Other\n")
    assert run("page", "unset", "footer").code == 0
    assert "footer: (not set)" in run("page", "show").out
    assert "Not *medical* advice." not in run("export").out


def test_page_set_rejects_unknown_keys_and_empty_text(run, seeded):
    assert run("page", "set", "subtitle", "x").code == 2
    done = run("page", "set", "intro", "-", stdin="  \n")
    assert done.code == 2 and "page unset intro" in done.err


def test_the_help_choices_are_the_renderers_and_sorts_own():
    from lmscite import render
    from lmscite.cli import export
    from lmscite.library import query

    assert export.FORMATS == tuple(render.FORMATS)
    assert export.AFFILIATIONS == render.AFFILIATIONS
    assert export.ABSTRACTS == render.ABSTRACTS
    assert set(export.SORTS) <= set(query.SORTS)


def test_show_page_prints_each_entry_as_the_exported_page_shows_it(run, tmp_path, monkeypatch):
    db = tmp_path / "example.json"
    assert run("--db", db, "import", SEED).code == 0
    assert run("--db", db, "annotate", "--from", EXAMPLE / "curation.yaml").code == 0
    html = run("--db", db, "export", "--format", "html").out
    doc = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True).parse(html)
    articles = {}
    for article in doc.iter(f"{NS}article"):
        tags = [text_of(item) for list_ in article.iter(f"{NS}ul") if list_.get("class") == "tags" for item in list_]
        shown_tags = f" Tags: {', '.join(tags)}" if tags else ""
        text = " ".join(text_of(child) for child in article if child.get("class") != "tags")
        articles[article.get("id")] = text.replace(" PMID: ", shown_tags + " PMID: ", 1) if tags else text
    for pmid in ("10749609", "10918156", "10615930"):
        shown = run("--db", db, "show", "--page", pmid)
        assert shown.code == 0, shown.err
        assert squash(shown.out.replace(" · ", " ")) == articles[f"pmid-{pmid}"], pmid
