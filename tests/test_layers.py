"""The imports of app/ and reference/: no cycle, and no module imports a layer above its own.

Data flows one way: endpoint -> service -> (engine | repository) -> reference. Every import
counts, wherever it is written: inside a function and under TYPE_CHECKING too.
"""

import ast
from collections.abc import Iterator, Mapping
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("app", "reference")
SKIPPED = ("app/db/migrations",)
"""Alembic's scripts: loaded by Alembic from their files, never imported."""

LAYERS = (
    ("reference", ("reference", "reference.*")),
    (
        "foundation",
        (
            "app",
            "app.untrusted",
            "app.errors",
            "app.private",
            # The signed disk cache of work that is slow to redo (sample batches, listings).
            "app.cache",
            "app.periodic",
            "app.admission",
            "app.middleware",
            "app.ratelimit",
            "app.exception_handlers",
            "app.guard",
        ),
    ),
    ("database", ("app.db", "app.db.*")),
    ("engine", ("app.grading", "app.grading.*")),
    # Process isolation for grading and jobs alike; its workers' default memory limit is the
    # engine's.
    ("sandbox", ("app.sandbox", "app.sandbox.*")),
    ("problem sets", ("app.problemsets", "app.problemsets.*")),
    # The settings name the problem directory the catalog reads by default.
    ("settings", ("app.config",)),
    ("jobs", ("app.jobs", "app.jobs.*")),
    ("services", ("app.services",)),
    ("records", ("app.*.repository", "app.*.schemas")),
    ("domain services", ("app.*",)),
    ("endpoints", ("app.deps", "app.uploads", "app.*.endpoints", "app.web", "app.web.*")),
    (
        "root",
        (
            "app.main",
            "app.bootstrap",
            "app.server",
            "app.worker",
            "app.worker_runtime",
            "app.protocol",
            "app.cli",
            "app.warmup",
            "app.commands",
            "app.commands.*",
        ),
    ),
)
"""Lowest first: a module may import its own layer and those below it, never one above."""

PLACED_FIRST = ("endpoints", "root")
"""Layers whose patterns are tried before the others' (they pick modules out of packages
that another layer's pattern also matches, such as app.problemsets.endpoints)."""

Graph = Mapping[str, set[str]]


def module_name(path: Path, root: Path) -> str:
    """The dotted name a file is imported by."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_files(root: Path) -> dict[str, Path]:
    """Every module of the project's packages, by name."""
    files = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if not relative.startswith(SKIPPED):
                files[module_name(path, root)] = path
    return files


def imported_names(name: str, path: Path) -> Iterator[str]:
    """Every name an `import` or `from ... import` in the module can bind, made absolute."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            # A name that is not a module of its own is defined by `base`, its owner.
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph(files: Mapping[str, Path]) -> dict[str, set[str]]:
    """Module -> the project's modules it imports (a name from a module counts as that one)."""
    graph = {}
    for name, path in files.items():
        owners = (_owner(imported, files) for imported in imported_names(name, path))
        graph[name] = {owner for owner in owners if owner is not None and owner != name}
    return graph


def _owner(imported: str, files: Mapping[str, Path]) -> str | None:
    """The project module that defines a dotted name, or None for a name from elsewhere."""
    while imported and imported not in files:
        imported = imported.rpartition(".")[0]
    return imported or None


def cycles(graph: Graph) -> list[list[str]]:
    """Each group of modules that import one another in a circle, sorted (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in sorted(graph.get(module, ())):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = stack[stack.index(module) :]
            del stack[stack.index(module) :]
            if len(group) > 1 or module in graph.get(module, ()):
                found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(found)


def layer_of(module: str) -> int:
    """The position of the module's layer, lowest 0."""
    positions = {name: position for position, (name, _) in enumerate(LAYERS)}
    ordered = sorted(LAYERS, key=lambda layer: layer[0] not in PLACED_FIRST)
    for name, patterns in ordered:
        if any(fnmatchcase(module, pattern) for pattern in patterns):
            return positions[name]
    raise LookupError(f"{module} is in no layer; add it to LAYERS")


def upward_imports(graph: Graph) -> list[str]:
    """Each import of a module in a higher layer than the importer's, as a readable line."""
    lines = []
    for module in sorted(graph):
        for target in sorted(graph[module]):
            if layer_of(target) > layer_of(module):
                lines.append(
                    f"{module} ({LAYERS[layer_of(module)][0]}) imports "
                    f"{target} ({LAYERS[layer_of(target)][0]})"
                )
    return lines


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph(project_files(ROOT))


def test_no_module_imports_itself_in_a_circle(graph: Graph) -> None:
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(group) for group in found)


def test_no_module_imports_a_layer_above_its_own(graph: Graph) -> None:
    found = upward_imports(graph)
    assert not found, "imports from a lower layer to a higher one:\n" + "\n".join(found)


CIRCLE = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        (CIRCLE, [["a", "b", "c"]]),
        ({"a": {"a"}}, [["a"]]),
        ({"a": {"b"}, "b": set(), "c": {"b"}}, []),
        ({"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"c"}}, [["a", "b"], ["c", "d"]]),
    ],
)
def test_a_circle_of_imports_is_found(graph: Graph, expected: list[list[str]]) -> None:
    assert cycles(graph) == expected


@pytest.mark.parametrize(
    ("module", "layer"),
    [
        ("reference.dense", "reference"),
        ("app.errors", "foundation"),
        ("app.grading.mathparse.parse", "engine"),
        ("app.sandbox.pool", "sandbox"),
        ("app.problemsets.catalog", "problem sets"),
        ("app.problemsets.endpoints", "endpoints"),
        ("app.jobs.endpoints", "endpoints"),
        ("app.batches.repository", "records"),
        ("app.batches.jobs", "domain services"),
        ("app.rules.service", "domain services"),
        ("app.rules.repository", "records"),
        ("app.regrade_requests.service", "domain services"),
        ("app.regrade_requests.repository", "records"),
        ("app.web.regrade_requests", "endpoints"),
        ("app.web.service", "endpoints"),
        ("app.commands.local", "root"),
        ("app.bootstrap", "root"),
    ],
)
def test_a_module_is_placed_by_the_first_pattern_it_matches(module: str, layer: str) -> None:
    assert LAYERS[layer_of(module)][0] == layer


def test_an_import_from_below_to_above_is_named() -> None:
    graph = {"app.grading.engine": {"app.batches.service"}, "app.batches.service": set()}
    assert upward_imports(graph) == [
        "app.grading.engine (engine) imports app.batches.service (domain services)"
    ]


def test_imports_in_functions_under_type_checking_and_relative_ones_all_count(
    tmp_path: Path,
) -> None:
    for name in ("__init__", "errors", "services", "grading/__init__", "grading/limits"):
        path = tmp_path / "app" / f"{name}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
    (tmp_path / "app" / "grading" / "engine.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "from . import limits\n"
        "if TYPE_CHECKING:\n"
        "    from app.services import Services\n"
        "def late():\n"
        "    import app.errors\n"
        "    from .. import services\n"
    )
    files = {module_name(path, tmp_path): path for path in tmp_path.rglob("*.py")}
    graph = import_graph(files)
    assert graph["app.grading.engine"] == {"app.errors", "app.grading.limits", "app.services"}
