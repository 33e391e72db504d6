"""nbgrader's exchange among real Unix users: chapter 4 handed out, submitted, graded, returned.

The instructor (root, as on a hub's server) releases chapter 4 with the kit's course config
(``deploy/nbgrader/course_nbgrader_config.py``) through the exchange configured by the
shipped global config (``deploy/nbgrader/nbgrader_config.py``, its exchange root moved into a
scratch folder). Three throw-away Unix users (``bpk-test-…``, homes 0700 as docs/deploy.md
asks) fetch it as themselves, and submit a blank, a right and a one-wrong notebook; the
instructor collects, autogrades (0, full marks, one less), and releases feedback, which each
learner fetches. Then one learner tries to look at another's work and is refused: the inbound
and feedback folders cannot be listed, a submission's folder name carries a random part, and
another learner's home (their copy and nbgrader's cache) and the instructor's course (with
the solutions) cannot be read.

The users are removed afterwards (``userdel -r``), also those left by an earlier crashed run.
The learners must be able to execute this environment's Python: every folder above it that
lacks ``o+x`` gets it for the test and has its mode restored after. Needs root (it skips
otherwise, e.g. on a hosted CI runner) and useradd/userdel (missing: it skips, except under
CI=true, where it fails).
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "notebooks" / "04_sigmoid_neuron.ipynb"
GLOBAL_CONFIG = ROOT / "deploy" / "nbgrader" / "nbgrader_config.py"
COURSE_CONFIG = ROOT / "deploy" / "nbgrader" / "course_nbgrader_config.py"
PREFIX = "bpk-test-"
STUDENTS = {"blank": f"{PREFIX}ada", "right": f"{PREFIX}bo", "wrong": f"{PREFIX}cy"}
WRONG_ID = "ch04-dw0"
COURSE_ID = "backprop-kit"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"exchange test cannot run in CI: {reason}")
    pytest.skip(reason)


def _remove_users(names: list[str]) -> None:
    for name in names:
        subprocess.run(["userdel", "-r", name], capture_output=True, timeout=60)


def _leftover_users() -> list[str]:
    return [u.pw_name for u in pwd.getpwall() if u.pw_name.startswith(PREFIX)]


@contextlib.contextmanager
def reachable(paths: list[Path]) -> Iterator[None]:
    """Every folder above ``paths`` gets o+x (traverse) for the test; modes restored after."""
    changed: dict[Path, int] = {}
    try:
        for path in paths:
            for folder in [path, *path.parents] if path.is_dir() else path.parents:
                mode = folder.stat().st_mode
                if folder not in changed and not mode & stat.S_IXOTH:
                    changed[folder] = stat.S_IMODE(mode)
                    folder.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)
        yield
    finally:
        for folder, mode in changed.items():
            folder.chmod(mode)


class Course:
    """The scratch course: exchange, config, the instructor's folder, the learners' homes."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.exchange = base / "exchange"
        self.config = base / "jupyter-config"
        self.course = base / "course"
        self.homes = base / "home"
        self.python = sys.executable
        # the shipped global config, with the exchange moved into the scratch folder
        self.config.mkdir()
        (self.config / "nbgrader_config.py").write_text(
            "c = get_config()\n"
            f"load_subconfig({str(GLOBAL_CONFIG)!r})\n"
            f"c.Exchange.root = {str(self.exchange)!r}\n"
        )
        self.exchange.mkdir()
        self.exchange.chmod(0o1777)  # as docs/deploy.md: everyone writes, no one removes another's
        self.homes.mkdir()
        self.course.mkdir(mode=0o700)
        (self.course / "source" / "ps1").mkdir(parents=True)
        shutil.copy(CHAPTER, self.course / "source" / "ps1" / CHAPTER.name)
        shutil.copy(COURSE_CONFIG, self.course / "nbgrader_config.py")

    def env(self, home: Path) -> dict[str, str]:
        return {
            "HOME": str(home),
            "PATH": f"{Path(self.python).parent}:/usr/bin:/bin",
            "JUPYTER_CONFIG_DIR": str(self.config),
            "LANG": "C.UTF-8",
        }

    def instructor(self, *args: str) -> str:
        """nbgrader as the instructor (root), from the course folder."""
        out = subprocess.run(
            [self.python, "-m", "nbgrader", *args],
            cwd=self.course,
            env={**self.env(Path(os.environ.get("HOME", "/root"))), **_keep_env()},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert out.returncode == 0, f"nbgrader {args}:\n{out.stdout[-2000:]}{out.stderr[-3000:]}"
        return out.stdout + out.stderr

    def as_user(self, name: str, argv: list[str], check: bool = True) -> str:
        """Run ``argv`` as the Unix user ``name``, in their home."""
        user = pwd.getpwnam(name)
        out = subprocess.run(
            argv,
            cwd=user.pw_dir,
            env=self.env(Path(user.pw_dir)),
            user=user.pw_uid,
            group=user.pw_gid,
            extra_groups=[],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check:
            assert out.returncode == 0, f"{name} {argv}:\n{out.stdout[-2000:]}{out.stderr[-3000:]}"
        return out.stdout + out.stderr

    def learner(self, name: str, *args: str) -> str:
        return self.as_user(name, [self.python, "-m", "nbgrader", *args])

    def write_as(self, name: str, path: Path, nb) -> None:
        """Write a notebook into a learner's folder, owned by them (their own work)."""
        user = pwd.getpwnam(name)
        nbformat.write(nb, path)
        os.chown(path, user.pw_uid, user.pw_gid)


def _keep_env() -> dict[str, str]:
    return {
        k: os.environ[k] for k in ("CI", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ
    }


def _wrong(source):
    nb = nbformat.from_dict(json.loads(json.dumps(source)))
    for cell in nb.cells:
        if f'attempt("{WRONG_ID}")' in cell.source:
            head, rest = cell.source.split("### BEGIN SOLUTION")
            cell.source = (
                head + "answer.value = 12345.0  # wrong" + rest.split("### END SOLUTION")[1]
            )
            return nb
    raise AssertionError(f"no cell attempts {WRONG_ID}")


PROBE = r"""
import json, os, sys
exchange, other_home, course, guess = sys.argv[1:5]
out = {}
def attempt(key, fn):
    try:
        fn()
        out[key] = "allowed"
    except PermissionError:
        out[key] = "refused"
    except FileNotFoundError:
        out[key] = "not found"
attempt("list inbound", lambda: os.listdir(os.path.join(exchange, "inbound")))
attempt("list feedback", lambda: os.listdir(os.path.join(exchange, "feedback")))
attempt("guess a submission", lambda: os.listdir(guess))
attempt("other's home", lambda: os.listdir(other_home))
nb = "04_sigmoid_neuron.ipynb"
attempt("other's copy", lambda: open(os.path.join(other_home, "ps1", nb)).read())
attempt("instructor's course", lambda: os.listdir(course))
attempt("instructor's solutions", lambda: open(os.path.join(course, "source", "ps1", nb)).read())
print(json.dumps(out))
"""


@pytest.fixture
def course():
    if os.geteuid() != 0:  # not a missing tool: this machine's user cannot make users
        pytest.skip("needs root to create throw-away Unix users (.ci/run runs as root)")
    if shutil.which("useradd") is None or shutil.which("userdel") is None:
        _unavailable("useradd/userdel are missing (Debian: apt-get install passwd)")
    _remove_users(_leftover_users())  # from an earlier run that crashed
    base = Path(tempfile.mkdtemp(prefix=PREFIX))
    base.chmod(0o755)
    created: list[str] = []
    try:
        c = Course(base)
        for name in STUDENTS.values():
            subprocess.run(
                [
                    "useradd",
                    "-m",
                    "-b",
                    str(c.homes),
                    "-K",
                    "HOME_MODE=0700",
                    "-s",
                    "/bin/sh",
                    name,
                ],
                check=True,
                capture_output=True,
                timeout=60,
            )
            created.append(name)
        python = Path(sys.executable)
        with reachable([python, python.resolve(), Path(sys.prefix), ROOT]):
            yield c
    finally:
        _remove_users(created)
        shutil.rmtree(base, ignore_errors=True)
    assert not _leftover_users()


def each(c: Course, command: str) -> None:
    """Every learner runs ``nbgrader COMMAND ps1`` as themselves, at the same time."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(STUDENTS)) as pool:
        list(pool.map(lambda name: c.learner(name, command, "ps1"), STUDENTS.values()))


@pytest.mark.slow
def test_exchange_round_trip_among_unix_users(course: Course):
    from nbgrader.api import Gradebook

    c = course
    c.instructor("generate_assignment", "ps1")
    c.instructor("release_assignment", "ps1")
    source = nbformat.read(c.course / "source" / "ps1" / CHAPTER.name, as_version=4)
    answers = {"right": source, "wrong": _wrong(source)}
    each(c, "fetch_assignment")  # the learners at once, as in a class (and a shorter test)
    for kind, name in STUDENTS.items():
        fetched = Path(pwd.getpwnam(name).pw_dir) / "ps1" / CHAPTER.name
        assert fetched.exists() and "### BEGIN SOLUTION" not in fetched.read_text()
        if kind in answers:
            c.write_as(name, fetched, answers[kind])
    each(c, "submit")

    c.instructor("collect", "ps1")
    c.instructor("autograde", "ps1", "--create")
    with Gradebook(f"sqlite:///{c.course / 'gradebook.db'}") as gb:
        scores = {kind: gb.find_submission("ps1", name).score for kind, name in STUDENTS.items()}
        full = gb.find_assignment("ps1").max_score
    assert full >= 3
    assert scores == {"blank": 0, "right": full, "wrong": full - 1}, scores

    c.instructor("generate_feedback", "ps1")
    c.instructor("release_feedback", "ps1")
    each(c, "fetch_feedback")
    for kind, name in STUDENTS.items():
        got = list((Path(pwd.getpwnam(name).pw_dir) / "ps1" / "feedback").rglob("*.html"))
        assert len(got) == 1, got
        text = got[0].read_text()
        score = re.search(r"Score:\s*([0-9.]+)\s*/\s*([0-9.]+)", text)
        assert score, text[:2000]
        assert float(score.group(1)) == scores[kind]  # their own feedback

    # cy looks at bo's work and the instructor's, and is refused
    exchange = c.exchange / COURSE_ID
    inbound = sorted(p.name for p in (exchange / "inbound").iterdir())
    assert len(inbound) == len(STUDENTS)
    bo = STUDENTS["right"]
    (bo_folder,) = [n for n in inbound if n.startswith(f"{bo}+ps1+")]
    assert len(bo_folder.split("+")) == 4 and len(bo_folder.split("+")[3]) >= 12  # random part
    guess = exchange / "inbound" / bo_folder.rsplit("+", 1)[0]
    probe = c.as_user(
        STUDENTS["wrong"],
        [
            c.python,
            "-c",
            PROBE,
            str(exchange),
            pwd.getpwnam(bo).pw_dir,
            str(c.course),
            str(guess),
        ],
    )
    seen = json.loads(probe.strip().splitlines()[-1])
    assert seen == {
        "list inbound": "refused",
        "list feedback": "refused",
        "guess a submission": "not found",
        "other's home": "refused",
        "other's copy": "refused",
        "instructor's course": "refused",
        "instructor's solutions": "refused",
    }, seen
