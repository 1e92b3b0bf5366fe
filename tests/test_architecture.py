"""The package layout is the architecture: each package imports only the packages below it.

Every import is counted, also those inside functions (lmscite imports
lazily to keep `--help` fast), so a lazy import cannot hide a dependency
that runs the wrong way.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "lmscite"
CORE = ("wording", "errors", "config", "ids", "markup", "files", "model", "anchor", "upgrade", "citation")
ALLOWED = {
    "core": {"core"},
    "pubmed": {"core", "pubmed"},
    "library": {"core", "library"},
    "curation": {"core", "library", "curation"},
    "sync": {"core", "pubmed", "library", "curation", "sync"},
    "render": {"core", "curation", "render"},
    "cli": {"core", "pubmed", "library", "curation", "sync", "render", "cli"},
}
"""What each package may import; the package docstrings say the same in words."""


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(ROOT.rglob("*.py"))}


def _imports(path: Path) -> set[str]:
    """Every lmscite module this file imports, at any depth in the file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("lmscite"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("lmscite"):
            modules = _modules()
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if child in modules else node.module)
    return found


def package_of(module: str) -> str:
    """The layer a module belongs to: a sub-package name, or "core" for the top-level modules."""
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in CORE or parts[1] == "__main__":
        return "cli" if parts[-1] == "__main__" else "core"
    return parts[1]


def test_every_package_is_a_known_layer():
    packages = {package_of(name) for name in _modules()}
    assert packages == set(ALLOWED)


@pytest.mark.parametrize("module", sorted(_modules()))
def test_no_import_runs_up_a_level(module):
    layer = package_of(module)
    wrong = sorted(name for name in _imports(_modules()[module])
                   if package_of(name) not in ALLOWED[layer])
    assert wrong == [], f"{module} ({layer}) imports {wrong}"


def test_core_modules_import_in_one_direction():
    """wording -> errors -> ids, markup -> model -> anchor -> upgrade, citation; config and files need only errors."""
    order = {"wording": 0, "errors": 1, "ids": 2, "markup": 2, "config": 2, "files": 2, "model": 3, "anchor": 4,
             "upgrade": 5, "citation": 4}
    for name in CORE:
        path = ROOT / f"{name}.py"
        for imported in _imports(path):
            other = imported.split(".")[-1]
            if other in order:
                assert order[other] < order[name], f"lmscite.{name} imports lmscite.{other}"


def test_there_are_no_import_cycles():
    graph = {name: {i for i in _imports(path) if i in _modules() and i != name}
             for name, path in _modules().items()}
    graph = {name: {i for i in deps if not name.startswith(i + ".")} for name, deps in graph.items()}
    done: set[str] = set()
    trail: list[str] = []

    def visit(name: str) -> None:
        if name in trail:
            raise AssertionError("import cycle: " + " -> ".join([*trail[trail.index(name):], name]))
        if name in done:
            return
        trail.append(name)
        for imported in sorted(graph[name]):
            visit(imported)
        trail.pop()
        done.add(name)

    for name in sorted(graph):
        visit(name)


@pytest.mark.parametrize("package", sorted(set(ALLOWED) - {"core"}))
def test_each_package_says_what_it_is_for_and_what_it_may_import(package):
    doc = ast.get_docstring(ast.parse((ROOT / package / "__init__.py").read_text(encoding="utf-8")))
    assert doc and "May import:" in doc


def test_only_the_cli_writes_to_the_terminal():
    writers = []
    for name, path in _modules().items():
        if package_of(name) == "cli":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\bprint\(|\bsys\.(stdout|stderr)\b", text):
            writers.append(name)
    assert writers == []


def test_inside_the_cli_only_console_writes_to_stdout_or_stderr():
    """console guards every write (a full disk, a closed or broken stdout) and escapes what a terminal gets."""
    writers = []
    for name, path in _modules().items():
        text = path.read_text(encoding="utf-8")
        if package_of(name) == "cli" and name != "lmscite.cli.console" and re.search(
                r"\bprint\(|\bsys\.(stdout|stderr)\b", text):
            writers.append(name)
    assert writers == []


def _package_edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {name: set() for name in ALLOWED if name != "core"}
    for name, path in _modules().items():
        layer = package_of(name)
        if layer != "core":
            edges[layer].update(package_of(i) for i in _imports(path) if package_of(i) != layer)
    return edges


def test_the_architecture_page_shows_the_imports_the_code_has():
    doc = (ROOT.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = doc.split("<!-- package imports:", 1)[1].split("<!-- end of package imports -->", 1)[0]
    rows = [line.split("|")[1:3] for line in block.splitlines() if line.startswith("| `")]
    shown = {name.strip().strip("`"): {i.strip() for i in imports.split(",")} for name, imports in rows}
    assert shown == _package_edges()
