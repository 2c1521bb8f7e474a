"""The package's shape: layers as folders, imports in one direction, each idea defined once.

Layers, lowest first: the top level (project, errors, settings, formats), publish/, sparql/,
web/, and the command line over them all. A module may import its own layer and the ones below,
never one above; no two modules import each other, even through others."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "ict_diplomacy"
LAYERS = {"": 0, "publish": 1, "sparql": 2, "web": 3, "cli": 4, "__main__": 4}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(p for p in parts if p != "__init__")


def imports(path: Path) -> set[str]:
    """The modules of the package that `path` imports, anywhere in the file (lazy imports too)."""
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[:len(package) - node.level + 1] if node.level > 1 else package
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            found.update(_existing(f"{target}.{alias.name}".strip(".")) or _existing(target) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ict_diplomacy"):
            found.add(_existing(node.module.removeprefix("ict_diplomacy").strip(".")))
    return {m for m in found if m is not None and m != module_name(path)}


def _existing(name: str) -> str | None:
    """The module `name` names, if it is one (not a function or class imported from a module)."""
    path = PACKAGE.joinpath(*name.split(".")) if name else PACKAGE
    if path.with_suffix(".py").is_file() or (path / "__init__.py").is_file():
        return name
    return None


def layer(module: str) -> int:
    first = module.split(".")[0]
    return LAYERS.get(first, 0) if "." in module or first in LAYERS else 0


GRAPH = {module_name(p): imports(p) for p in PACKAGE.rglob("*.py")}


def test_the_layers_are_folders_with_a_docstring_saying_what_they_may_import():
    for folder in ("publish", "sparql", "web"):
        doc = ast.get_docstring(ast.parse((PACKAGE / folder / "__init__.py").read_text(encoding="utf-8")))
        assert doc and "May import" in doc, folder


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_go_down_the_layers(module):
    upward = sorted(m for m in GRAPH[module] if layer(m) > layer(module))
    assert not upward, f"{module} (layer {layer(module)}) imports {upward}"


def test_no_import_cycles():
    seen, cycle = {}, []

    def visit(module: str, path: list[str]) -> None:
        seen[module] = "open"
        for target in sorted(GRAPH.get(module, ())):
            if seen.get(target) == "open":
                cycle.append(path[path.index(target):] + [target])
            elif target not in seen:
                visit(target, path + [target])
        seen[module] = "done"

    for module in sorted(GRAPH):
        if module not in seen:
            visit(module, [module])
    assert not cycle, " -> ".join(cycle[0])


def definitions(name: str) -> list[str]:
    """The modules defining a top-level function or class called `name`."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
                found.append(module_name(path))
    return found


@pytest.mark.parametrize("name, home", [("parse_accept", "formats"), ("negotiate", "formats"), ("Format", "formats"),
                                        ("mask", "sparql.text"), ("with_values", "sparql.text"),
                                        ("Engine", "sparql.engine"), ("open_engine", "sparql.connect"),
                                        ("Settings", "settings"), ("fields", "web.http"), ("query_params", "web.http")])
def test_each_idea_is_defined_once(name, home):
    assert definitions(name) == [home]


def test_no_route_reads_starlettes_query_params():
    """Starlette's `request.query_params` decodes with urllib (tests/test_query_strings.py): every
    query string is read by web.http.query_params instead."""
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            assert not (isinstance(node, ast.Attribute) and node.attr == "query_params"), \
                f"{module_name(path)}, line {node.lineno}: use web.http.query_params(request)"


def test_modules_and_functions_stay_readable():
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert text.count("\n") <= 420, f"{module_name(path)}: {text.count(chr(10))} lines"
