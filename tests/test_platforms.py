"""What the README's Colab and VS Code sections promise, tested as far as this machine can:
the chapters need nothing but the kit and its dependencies, use only core ipywidgets, and the
README's install line works in a fresh virtual environment (Colab and VS Code themselves cannot
run here)."""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import nbformat
import pytest
from packaging.requirements import Requirement

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted(
    (ROOT / "notebooks" / "learner").glob("*.ipynb")
)
CORE_WIDGET_MODULES = {f"@jupyter-widgets/{name}" for name in ("base", "controls", "output")}
EXPLORER_MODULES = (
    "explorers.circuit",
    "core.steps",
    "chapters.scale_explorer",
    "chapters.shapes_explorer",
    "explorers.base",
)


def kit_dependencies() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {Requirement(r).name.lower() for r in project["dependencies"]}


def imported_modules(source: str) -> set[str]:
    from IPython.core.inputtransformer2 import TransformerManager

    tree = ast.parse(TransformerManager().transform_cell(source))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_the_chapters_import_only_the_kit_its_dependencies_and_the_standard_library():
    allowed = set(sys.stdlib_module_names) | {"backprop_kit"} | kit_dependencies()
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        used = set().union(*(imported_modules(c.source) for c in nb.cells if c.cell_type == "code"))
        assert used <= allowed, f"{path.name} imports {sorted(used - allowed)}"
        magics = [c.source for c in nb.cells if re.search(r"^\s*[%!]", c.source, re.M)]
        assert magics == [], f"{path.name} needs an IPython magic or shell command: {magics}"


def test_the_explorers_use_core_ipywidgets_only():
    """Colab and VS Code render the widgets of ipywidgets itself; a custom front-end module
    (an extension) would show nothing there."""
    import ipywidgets

    classes = []
    for name in EXPLORER_MODULES:
        module = importlib.import_module(f"backprop_kit.{name}")
        classes += [
            obj
            for obj in vars(module).values()
            if inspect.isclass(obj)
            and issubclass(obj, ipywidgets.Widget)
            and obj.__module__.startswith("backprop_kit")
        ]
    for cls in classes:
        traits = cls.class_traits()
        for trait in ("_model_module", "_view_module"):
            if trait in traits:
                assert traits[trait].default_value in CORE_WIDGET_MODULES, (cls, trait)


def install_lines() -> dict[str, str]:
    """The install command of the README's Colab and VS Code sections."""
    lines = {}
    for platform in ("Colab", "VS Code"):
        section = README.split(f"## {platform}", 1)[1].split("\n## ", 1)[0]
        lines[platform] = re.findall(r"```(?:python|bash)\n(.*?)\n```", section, flags=re.S)[0]
    return lines


def test_the_readme_gives_an_install_line_for_colab_and_vs_code():
    lines = install_lines()
    assert lines["Colab"] == '%pip install "backprop-kit @ git+https://github.com/OWNER/REPO"'
    assert "pip install -e ." in lines["VS Code"]
    for platform in ("Colab", "VS Code"):
        section = README.split(f"## {platform}", 1)[1].split("\n## ", 1)[0]
        assert "not tested" in section.lower()


@pytest.mark.slow
def test_the_install_line_works_in_a_fresh_venv_and_a_chapter_runs(tmp_path):
    """The Colab line with the repository's folder (a ``file://`` URL) standing in for the
    ``git+https://`` URL: a new environment gets the kit and everything a chapter needs, and
    the learner edition of a chapter runs to the end outside the repository."""
    colab = install_lines()["Colab"]
    requirement = colab.split("%pip install ", 1)[1].strip('"')
    local = requirement.replace("git+https://github.com/OWNER/REPO", ROOT.as_uri())
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "-q", local], check=True, capture_output=True, timeout=900
    )
    work = tmp_path / "work"
    work.mkdir()
    chapter = ROOT / "notebooks" / "learner" / "04_sigmoid_neuron.ipynb"
    shutil.copy(chapter, work / chapter.name)
    where = subprocess.run(
        [python, "-c", "import backprop_kit; print(backprop_kit.__file__)"],
        cwd=work,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert str(env_dir) in where and str(ROOT) not in where  # the installed kit, not the repo
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    result = subprocess.run(
        [bin_dir / "jupyter", "execute", "--inplace", chapter.name],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    ran = nbformat.read(work / chapter.name, as_version=4)
    outputs = [o for c in ran.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("Not attempted yet" in "".join(o.get("text", "")) for o in outputs)
