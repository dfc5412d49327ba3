"""The package's layers point one way: model <- forms, rules <- engines <- workflows <- CLI."""

from __future__ import annotations

import ast
from pathlib import Path

import pepdocs

PACKAGE = Path(pepdocs.__file__).parent

# A module may import from its own layer and any lower one. `forms` and `rules` share a rank
# but never import each other: rules read records and policies, never forms.
RANK = {
    "_errors": 0,
    "_types": 0,
    "_util": 0,
    "_version": 0,
    "model": 1,
    "forms": 2,
    "rules": 2,
    "engines": 3,
    "workflows": 4,
    "build": 5,
    "_cli": 5,
    "service": 5,
    "__init__": 5,
    "__main__": 5,
}
APART = {("forms", "rules"), ("rules", "forms")}


def _layer(module: str) -> str:
    """The layer of a dotted module name inside pepdocs ('pepdocs.forms._spec' -> 'forms')."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path) -> list[str]:
    module = "pepdocs." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            found.append(target)
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
    return [name for name in found if name == "pepdocs" or name.startswith("pepdocs.")]


def test_no_module_imports_a_higher_layer() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        own = _layer("pepdocs." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts))
        for target in _imports(path):
            other = _layer(target)
            if RANK[other] > RANK[own] or (own, other) in APART:
                wrong.append(f"{path.relative_to(PACKAGE)} imports {target}")
    assert wrong == []


def test_every_module_has_a_layer() -> None:
    layers = {
        _layer("pepdocs." + ".".join(p.relative_to(PACKAGE).with_suffix("").parts)) for p in PACKAGE.rglob("*.py")
    }
    assert layers <= set(RANK)
