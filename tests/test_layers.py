"""The folders show the architecture: each subpackage imports only its own layer or lower ones.

Layers, lowest first: core → pictures | nn → explorers → chapters → exercises → tools.
pictures and nn stand side by side and do not import each other; chapter material (chapters/)
is imported only by chapters and exercises (and by notebooks and tests); the server extension
imports nothing of the kit. Checked from the import statements themselves.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import backprop_kit

PACKAGE = Path(backprop_kit.__file__).parent
RANK = {
    "core": 0,
    "pictures": 1,
    "nn": 1,
    "explorers": 2,
    "chapters": 3,
    "exercises": 4,
    "tools": 5,
}
LOOSE = {
    "__init__.py",
    "__main__.py",
    "serverext.py",
    "_editable_data.py",
}  # API, CLI, server, build


def kit_imports(path: Path, package: Path = PACKAGE) -> list[str]:
    """The backprop_kit modules a file imports (absolute or relative), as dotted names."""
    here = ["backprop_kit", *path.relative_to(package).parts[:-1]]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "backprop_kit"]
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            if module == "backprop_kit":
                found += [f"backprop_kit.{a.name}" for a in node.names]
            elif module.split(".")[0] == "backprop_kit":
                found.append(module)
    return found


def violations(path: Path, package: Path = PACKAGE) -> list[str]:
    """Each import of ``path`` that breaks the layering, as a sentence."""
    me = path.relative_to(package).parts[0]
    bad = []
    for target in kit_imports(path, package):
        parts = target.split(".")
        other = parts[1] if len(parts) > 1 else ""
        if other not in RANK:  # the public API at the top: only the tools go through it
            if me != "tools":
                bad.append(f"{me} imports the top-level {target}")
        elif RANK[other] > RANK[me]:
            bad.append(f"{me} imports the higher layer {target}")
        elif other != me and {me, other} == {"pictures", "nn"}:
            bad.append(f"{me} imports its neighbour {target}")
        elif other == "chapters" and me not in ("chapters", "exercises"):
            bad.append(f"{me} imports chapter material {target}")
    return bad


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.parent != PACKAGE)


def test_every_module_lives_in_a_room():
    assert {p.name for p in PACKAGE.glob("*.py")} <= LOOSE
    assert {p.relative_to(PACKAGE).parts[0] for p in MODULES} == set(RANK)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_a_higher_layer(path: Path):
    assert violations(path) == []


def test_the_server_extension_imports_nothing_of_the_kit():
    for name in ("serverext.py", "_editable_data.py"):
        if (PACKAGE / name).exists():
            assert kit_imports(PACKAGE / name) == [], name


def test_the_check_finds_each_kind_of_violation(tmp_path: Path):
    (tmp_path / "core").mkdir()
    (tmp_path / "pictures").mkdir()
    (tmp_path / "tools").mkdir()
    bad = tmp_path / "core" / "x.py"
    bad.write_text("from ..explorers import base\nimport backprop_kit.tools.site\n")
    side = tmp_path / "pictures" / "y.py"
    side.write_text("from backprop_kit.nn.arrays import matmul\nfrom backprop_kit import draw\n")
    tool = tmp_path / "tools" / "z.py"
    tool.write_text("from backprop_kit.chapters import circuits\nfrom backprop_kit import Value\n")
    assert len(violations(bad, tmp_path)) == 2
    assert len(violations(side, tmp_path)) == 2
    assert violations(tool, tmp_path) == ["tools imports chapter material backprop_kit.chapters"]
