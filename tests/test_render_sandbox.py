"""A user's --template reads only what it is given and runs within time and memory limits.

Each limit is tested with a small value so that the tests stay fast; the
defaults are in `lmscite.render.TemplateLimits`.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from records import SEED

from lmscite.errors import InputError
from lmscite.pubmed.xml import iter_entries
from lmscite.render import ExportOptions, Page, TemplateLimits, renderer

ENTRIES = list(iter_entries(SEED))[:2]
FAST = TemplateLimits(seconds=0.5, memory=64 << 20, output=1 << 20)


def render(template: Path, fmt: str = "markdown", limits: TemplateLimits = FAST, folder: Path | None = None) -> str:
    options = ExportOptions(format=fmt, page=Page(generated="2025-01-01"), template=str(template),
                            template_dir=str(folder) if folder else None, template_limits=limits)
    return renderer(fmt)(ENTRIES, options)


def refused(template: Path, *words: str, **options) -> str:
    """Render a template that must stop: one InputError line naming the template, quickly."""
    started = time.monotonic()
    with pytest.raises(InputError) as raised:
        render(template, **options)
    message = str(raised.value)
    assert str(template) in message and "\n" not in message, message
    assert all(word in message for word in words), message
    assert time.monotonic() - started < 10
    return message


def template(tmp_path: Path, source: str, name: str = "mine.md.j2") -> Path:
    path = tmp_path / name
    path.write_text(source, encoding="utf-8")
    return path


# --- what a template reads --------------------------------------------------------------------


def test_a_template_cannot_include_a_file_beside_it_without_a_template_folder(tmp_path):
    (tmp_path / "secret.txt").write_text("SECRET")
    refused(template(tmp_path, '{% include "secret.txt" %}'), "TemplateNotFound", "secret.txt")


def test_a_template_includes_files_inside_its_template_folder(tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    (folder / "head.md.j2").write_text("# {{ page.title }}")
    assert render(template(tmp_path, '{% include "head.md.j2" %}\n'), folder=folder) == "# Annotated bibliography\n"


def test_a_symlink_out_of_the_template_folder_is_not_followed(tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    (tmp_path / "secret.txt").write_text("SECRET")
    (folder / "passwd").symlink_to("/etc/passwd")
    (folder / "secret").symlink_to(tmp_path / "secret.txt")
    for name in ("passwd", "secret"):
        message = refused(template(tmp_path, f'{{% include "{name}" %}}'), "SecurityError",
                          "outside the template folder", folder=folder)
        assert "root:" not in message and "SECRET" not in message


def test_a_symlinked_folder_inside_the_template_folder_is_not_followed_out(tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    (folder / "etc").symlink_to("/etc")
    refused(template(tmp_path, '{% include "etc/passwd" %}'), "outside the template folder", folder=folder)


def test_a_template_cannot_climb_out_of_its_folder_by_path(tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    (tmp_path / "secret.txt").write_text("SECRET")
    refused(template(tmp_path, '{% include "../secret.txt" %}'), "TemplateNotFound", folder=folder)


def test_a_template_still_extends_the_shipped_one(tmp_path):
    mine = template(tmp_path, '{% extends "lmscite/page.md.j2" %}{% block intro %}Mine.{% endblock %}')
    assert "Mine." in render(mine)


def test_a_template_folder_without_a_template_is_a_usage_error(tmp_path):
    options = ExportOptions(format="markdown", template_dir=str(tmp_path))
    with pytest.raises(InputError, match="--template-dir goes with --template"):
        renderer("markdown")(ENTRIES, options)


def test_the_cli_takes_the_template_folder(run, library, tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    (folder / "n.j2").write_text("{{ page.count }} entries")
    mine = template(tmp_path, '{% include "n.j2" %}\n')
    result = run("export", "--template", mine, "--template-dir", folder)
    assert (result.code, result.out) == (0, "19 entries\n")


# --- bounded time and memory ------------------------------------------------------------------


def test_a_range_beyond_jinjas_limit_is_refused(tmp_path):
    refused(template(tmp_path, "{% for i in range(10**9) %}{% endfor %}"), "Range too big")


def test_nested_loops_stop_at_the_time_limit_naming_the_line(tmp_path):
    source = "first line\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    refused(template(tmp_path, source), "(line 2) stopped: it ran for longer than 0.5 s")


def test_nested_loops_over_lists_stop_at_the_time_limit(tmp_path):
    source = ("{% set xs = [0] * 3000 %}{% for a in xs %}{% for b in xs %}{% for c in xs %}"
              "{% endfor %}{% endfor %}{% endfor %}")
    refused(template(tmp_path, source), "ran for longer than 0.5 s")


@pytest.mark.parametrize("expression", ['"a" * 10**9', "[1] * 10**9", "10**9 * 'ab'", "2 ** 10000000000"])
def test_multiplying_past_the_memory_limit_is_refused_before_it_runs(tmp_path, expression):
    refused(template(tmp_path, f"{{{{ {expression} }}}}"), "larger than the memory limit")


def test_a_filter_that_grows_past_the_memory_limit_stops(tmp_path):
    refused(template(tmp_path, '{{ "x"|center(10**9) }}'), "more than the memory limit")


def test_formatting_past_the_memory_limit_stops(tmp_path):
    refused(template(tmp_path, '{{ "%999999999d"|format(1) }}'), "more than the memory limit")


def test_a_page_past_the_output_limit_stops(tmp_path):
    refused(template(tmp_path, '{% for i in range(100) %}{{ "x" * 100000 }}{% endfor %}'), "longer than")


def test_recursion_through_macros_stops(tmp_path):
    refused(template(tmp_path, "{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}"), "RecursionError")


def test_the_memory_limit_is_lifted_after_rendering(tmp_path):
    import resource

    before = resource.getrlimit(resource.RLIMIT_AS)
    refused(template(tmp_path, '{{ "x"|center(10**9) }}'))
    assert resource.getrlimit(resource.RLIMIT_AS) == before
    assert len("y" * (200 << 20)) == 200 << 20


def test_a_template_within_its_limits_renders(tmp_path):
    source = "{% for i in range(1000) %}{{ i }}{% endfor %}\n"
    assert render(template(tmp_path, source)) == "".join(map(str, range(1000))) + "\n"


def test_a_template_past_a_limit_writes_no_output_file(run, library, tmp_path):
    out = tmp_path / "page.md"
    result = run("export", "--template", template(tmp_path, "{{ 'a' * 10**12 }}"), "-o", out)
    assert result.code == 2 and result.err.startswith("lmscite: error: template ") and "Traceback" not in result.err
    assert not out.exists()
