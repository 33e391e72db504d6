"""pyproject.toml, environment.yml, the README and .ci/run tell the same story."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def pyproject_requirements(extra: str | None = None) -> dict[str, Requirement]:
    """The runtime requirements (``extra=None``) or one extra's, by lower-case name."""
    project = pyproject()["project"]
    names = project["dependencies"] if extra is None else project["optional-dependencies"][extra]
    reqs = [Requirement(r) for r in names]
    return {r.name.lower(): r for r in reqs if r.marker is None or r.marker.evaluate()}


# conda-forge names that stand for a PyPI package (the GUI-free build of matplotlib)
CONDA_TO_PYPI = {"matplotlib-base": "matplotlib"}


def conda_pins() -> dict[str, str]:
    """PyPI name -> version from environment.yml's dependencies (conda's `- name=version`)."""
    pins = {}
    text = (ROOT / "environment.yml").read_text().split("\ndependencies:\n", 1)[1]
    for line in text.splitlines():
        m = re.fullmatch(r"\s+- ([A-Za-z0-9_.-]+)(?:==?([0-9][^\s#]*))?\s*(#.*)?", line)
        if m:
            name = m.group(1).lower()
            pins[CONDA_TO_PYPI.get(name, name)] = m.group(2) or ""
    return pins


def test_learner_environment_holds_exactly_the_runtime_packages():
    """Binder's environment is the learner's: the kit's dependencies, no test-only tools."""
    listed = set(conda_pins()) - {"python", "pip"}
    assert listed == set(pyproject_requirements())
    assert not listed & (set(pyproject_requirements("test")) - set(pyproject_requirements()))


def test_environment_pins_satisfy_pyproject():
    pins = conda_pins()
    for name, req in pyproject_requirements().items():
        assert pins[name], f"{name} is not pinned in environment.yml"
        assert req.specifier.contains(Version(pins[name]), prereleases=True), (name, pins[name])


def test_environment_uses_the_gui_free_matplotlib():
    text = (ROOT / "environment.yml").read_text()
    assert "  - matplotlib-base=" in text and "  - matplotlib=" not in text


def test_environment_pins_python_and_binder_installs_the_kit():
    text = (ROOT / "environment.yml").read_text()
    assert "  - conda-forge" in text
    assert conda_pins()["python"] == "3.12"
    assert Requirement("x" + pyproject()["project"]["requires-python"]).specifier.contains("3.12")
    # Binder builds environment.yml before the repository's files are copied in, so a pip
    # entry "-e ." fails there; postBuild, run afterwards, installs the kit.
    assert "- -e ." not in text and "  - pip:" not in text
    post_build = ROOT / "postBuild"
    assert post_build.stat().st_mode & 0o111, "postBuild must be executable"
    assert "pip install --no-deps -e ." in post_build.read_text()


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)\n```", section, flags=re.S)


def test_readme_quick_start_has_exactly_two_one_line_commands():
    commands = quick_start_commands()
    assert len(commands) == 2 and all("\n" not in c for c in commands)
    lab, test = commands
    assert "jupyter lab notebooks/learner/00_index.ipynb" in lab and "pip install -e ." in lab
    assert 'pip install -e ".[test]"' in test and test.endswith("python -m pytest")


def test_ci_runs_the_readme_test_command():
    """.ci/run's own extraction (not a copy of it) finds the Quick start's test command."""
    printed = subprocess.run(
        ["bash", str(ROOT / ".ci" / "run"), "--print-test-command"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.rstrip("\n") == quick_start_commands()[1]


def test_ci_refuses_a_readme_without_the_marked_command(tmp_path):
    (tmp_path / ".ci").mkdir()
    (tmp_path / ".ci" / "run").write_text((ROOT / ".ci" / "run").read_text())
    (tmp_path / "README.md").write_text("# no commands here\n")
    printed = subprocess.run(
        ["bash", str(tmp_path / ".ci" / "run"), "--print-test-command"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert printed.returncode == 1 and "no test command" in printed.stderr


def test_licence_is_named_everywhere():
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert pyproject()["project"]["license"] == "MIT"
    assert "MIT" in (ROOT / "README.md").read_text()


def test_readme_install_commands_name_extras_that_exist():
    extras = set(pyproject()["project"]["optional-dependencies"])
    for command in quick_start_commands():
        for extra in re.findall(r'pip install -e "\.\[(\w+)\]"', command):
            assert extra in extras, extra
    readme = (ROOT / "README.md").read_text()
    for extra in re.findall(r'pip install -e "\.\[(\w+)\]"', readme):
        assert extra in extras, extra


INSTRUCTOR_TOOLS = {"nbformat", "nbclient", "nbconvert", "nbgrader"}


def test_the_instructor_tools_are_an_extra_the_learner_does_not_install():
    """The learner's install (the first Quick-start command) lists none of them; nbgrader, whose
    lab extension adds a menu, a toolbar button and a panel, is not pulled in at all (jupyterlab
    itself brings nbformat, nbclient and nbconvert, through jupyter_server)."""
    assert not INSTRUCTOR_TOOLS & set(pyproject_requirements())
    assert set(pyproject_requirements("instructor")) == INSTRUCTOR_TOOLS
    assert "backprop-kit[instructor]" in pyproject()["project"]["optional-dependencies"]["test"]
    assert pyproject()["project"]["scripts"] == {"backprop-kit": "backprop_kit.tools:main"}


def test_importing_the_kit_loads_no_instructor_tool():
    """Every learner-facing module (all but the tools, and the server extension, which runs in
    Jupyter's server beside its own nbformat) imports without the tools or their packages."""
    package = ROOT / "backprop_kit"
    modules = [
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in sorted(package.rglob("*.py"))
        if p.relative_to(package).parts[0] not in ("tools", "__main__.py", "serverext.py")
    ]
    script = (
        f"import importlib, sys\nfor m in {modules!r}: importlib.import_module(m)\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] in"
        f" {sorted(INSTRUCTOR_TOOLS)!r} or n.startswith('backprop_kit.tools')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"


def test_one_command_runs_every_tool():
    """``python -m backprop_kit`` is ``backprop-kit``: five subcommands, one argument style."""
    done = subprocess.run(
        [sys.executable, "-m", "backprop_kit", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and done.stdout.startswith("usage: backprop-kit")
    for command in ("student", "grade", "rerun", "site", "figures"):
        assert f"\n    {command} " in done.stdout, command


def test_a_tool_without_the_instructor_extra_says_what_to_install(tmp_path):
    """In a learner's install (nbformat hidden here) a tool names the extra, in one line."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "01_a.ipynb").write_text("{}")
    script = (
        "import sys; sys.modules['nbformat'] = None\n"  # import nbformat now fails
        "from backprop_kit.tools import main\n"
        f"raise SystemExit(main(['student', {str(tmp_path / 'src')!r}, 'dest']))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr == (
        "backprop-kit student: needs nbformat, one of the instructor tools: "
        "pip install 'backprop-kit[instructor]'\n"
    )
