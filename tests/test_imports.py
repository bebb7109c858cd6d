"""The package's imports run one way: no cycles, and no stage imports one above it.

Read from the source (AST), imports inside functions included: an import
moved into a function to dodge a cycle is still a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "saidwhat"

# Each part of the package and its layer: a module may import from its own
# part and from parts of a lower layer, never from a higher one or a
# different part of the same layer.
LAYERS: dict[str, int] = {
    "version": 0,
    "errors": 0,
    "settings": 0,
    "model": 1,
    "outputs": 1,  # files written whole: a temporary name, then a rename
    "lexicon": 2,
    "linking": 3,  # reads the lexicon's function words
    "attributes": 2,
    "clean": 3,
    "nlp": 3,
    "syntax": 3,
    "evaluate": 4,  # reads linking (variant_change, for misquotes)
    "read": 3,
    "quotes": 4,
    "store": 4,
    "speakers": 5,
    "pipeline": 6,
    "spacy_component": 7,
    "ingest": 7,
    "train_cues": 7,
    "train_model": 7,
    "load": 8,
    "server": 8,
    "spark": 9,
    "cli": 10,
    "__main__": 11,
    "__init__": 11,  # the package's face: ``import saidwhat``
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 2:
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """The saidwhat modules a file imports, anywhere in it."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("saidwhat"))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("saidwhat"):
            module = str(node.module)
            for alias in node.names:
                # ``from saidwhat.cli import store`` imports a module; ``from x import f`` does not.
                candidate = f"{module}.{alias.name}"
                found.add(candidate if _is_module(candidate) else module)
    return found


def _is_module(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def _part(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "__init__"
    return parts[1]


def test_every_part_of_the_package_has_a_layer() -> None:
    parts = {_part(m) for m in _graph()}
    assert parts <= set(LAYERS), f"give these a layer: {sorted(parts - set(LAYERS))}"


def test_no_module_imports_a_higher_layer() -> None:
    wrong = []
    for module, imported in _graph().items():
        source = _part(module)
        for target in imported:
            part = _part(target)
            if part == source:
                continue
            if LAYERS[part] >= LAYERS[source]:
                wrong.append(f"{module} imports {target}")
    assert not wrong, "imports against the layers:\n" + "\n".join(sorted(wrong))


def test_quotes_and_speakers_do_not_import_each_other_both_ways() -> None:
    graph = _graph()
    quotes_to_speakers = [
        f"{m} imports {t}"
        for m, targets in graph.items()
        for t in targets
        if _part(m) == "quotes" and _part(t) == "speakers"
    ]
    assert not quotes_to_speakers


def test_no_import_cycles() -> None:
    graph = _graph()
    # A package's __init__ importing its own modules is how a package is made, not a cycle.
    edges = {
        m: {t for t in targets if t in graph and not m.startswith(t + ".")}
        for m, targets in graph.items()
    }
    state: dict[str, int] = {}
    path: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(edges[module]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


@pytest.mark.parametrize(
    ("source", "target"),
    [("saidwhat.quotes.direct", "saidwhat.speakers.assign"), ("saidwhat.store.x", "saidwhat.cli")],
)
def test_the_layer_check_can_fail(source: str, target: str) -> None:
    assert LAYERS[_part(target)] >= LAYERS[_part(source)]
