"""Imports flow one way (issue 9; gate and server: issue 11, docs/trust.md): cli → {server,
gate, storage, audit, domain}; server → {gate, storage, audit, domain}; gate → {storage,
audit, domain}; storage → {projections,
domain}; audit → {storage, domain}; projections → domain; domain → nothing of ours.

Every import of every module is checked, wherever it is written (module level, inside a
function, under ``TYPE_CHECKING``), absolute or relative.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
"""The repository root, which is the ``disputes`` package."""

ALLOWED: dict[str, frozenset[str]] = {
    "cli": frozenset({"cli", "server", "gate", "storage", "audit", "domain"}),
    "server": frozenset({"server", "gate", "storage", "audit", "domain"}),
    "gate": frozenset({"gate", "storage", "audit", "domain"}),
    "storage": frozenset({"storage", "projections", "domain"}),
    "audit": frozenset({"audit", "storage", "domain"}),
    "projections": frozenset({"projections", "domain"}),
    "domain": frozenset({"domain"}),
}
"""Each layer and the layers of ours it may import (itself included)."""


def imported_layers(path: Path, root: Path = ROOT) -> list[tuple[int, str, str]]:
    """``(line, imported module, its layer)`` for every import of ``disputes.…`` in ``path``.

    A relative import is resolved against the module's own package; an import of another
    package than ``disputes`` has no layer and is not listed.
    """
    package = ["disputes", *path.relative_to(root).parent.parts]
    found: list[tuple[int, str, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            # ``from disputes import storage`` imports the layer named by the alias.
            names = [f"{module}.{a.name}" for a in node.names] if module == "disputes" else [module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "disputes" and len(parts) > 1:
                found.append((node.lineno, name, parts[1]))
    return found


def violations(root: Path = ROOT) -> list[str]:
    """``file:line imports module (layer → layer not allowed)`` for every forbidden import."""
    found: list[str] = []
    for layer, allowed in ALLOWED.items():
        for path in sorted((root / layer).rglob("*.py")):
            for line, name, target in imported_layers(path, root):
                if target in ALLOWED and target not in allowed:
                    found.append(
                        f"{path.relative_to(root)}:{line} imports {name} "
                        f"({layer} → {target} is not allowed)"
                    )
    return found


def test_imports_flow_one_way() -> None:
    assert violations() == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from disputes.storage.store import Store\n", "projections → storage"),
        ("def f() -> None:\n    import disputes.cli.main\n", "projections → cli"),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from disputes.audit import chain\n",
            "projections → audit",
        ),
        ("from ..storage import views\n", "projections → storage"),
        ("from disputes import audit\n", "projections → audit"),
    ],
)
def test_a_forbidden_import_is_named(tmp_path: Path, source: str, expected: str) -> None:
    (tmp_path / "projections").mkdir()
    (tmp_path / "projections" / "bad.py").write_text(source, encoding="utf-8")
    found = violations(tmp_path)
    assert len(found) == 1
    assert found[0].startswith("projections/bad.py:")
    assert expected in found[0]


def test_allowed_imports_pass(tmp_path: Path) -> None:
    (tmp_path / "projections").mkdir()
    (tmp_path / "projections" / "good.py").write_text(
        "from disputes.domain.model import Dispute\nfrom . import base\nimport json\n",
        encoding="utf-8",
    )
    assert violations(tmp_path) == []
