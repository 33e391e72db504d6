"""``backprop-kit rerun`` never loses a notebook: faults while writing, a notebook changed during
the run, a failing notebook among several, a folder it cannot write, a file that is no notebook."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from backprop_kit.tools import files, main
from backprop_kit.tools import rerun as rr
from backprop_kit.tools.files import ToolError

pytestmark = pytest.mark.slow  # re-runs whole notebooks in kernels

ROOT = Path(__file__).resolve().parents[1]


def notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = dict(rr.KERNELSPEC)
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, path)
    return path


def outputs(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return [o.get("text", "") for c in nb.cells for o in c.get("outputs", [])]


def test_a_good_notebook_is_rerun_and_keeps_its_permissions(tmp_path):
    nb = notebook(tmp_path / "a.ipynb", "print(6 * 7)")
    os.chmod(nb, 0o640)
    assert main(["rerun", str(nb)]) == 0
    assert outputs(nb) == ["42\n"]
    assert oct(nb.stat().st_mode & 0o777) == oct(0o640)
    assert [p.name for p in tmp_path.iterdir()] == ["a.ipynb"]  # no temporary file left


def test_a_write_that_fails_half_way_leaves_the_original_whole(tmp_path, monkeypatch):
    nb = notebook(tmp_path / "a.ipynb", "print(1)")
    before = nb.read_bytes()
    real_fdopen = os.fdopen

    class HalfWriter:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, text):
            self.f.write(text[: len(text) // 2])
            raise OSError(28, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.f, name)

    monkeypatch.setattr(files.os, "fdopen", lambda *a, **k: HalfWriter(real_fdopen(*a, **k)))
    new = nbformat.writes(nbformat.v4.new_notebook()) + "\n"  # what rerun() would store
    with pytest.raises(ToolError, match="No space left on device") as err:
        files.write_text(nb, new)
    assert "\n" not in str(err.value)
    assert nb.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["a.ipynb"]


@pytest.mark.slow
def test_killed_during_the_write_the_original_is_whole(tmp_path):
    """A rerun in a subprocess, killed while it writes a big notebook (slowed down): the file
    on disk is the old notebook or the new one, never a part of one."""
    big = "print('x' * 20_000_000)"
    nb = notebook(tmp_path / "big.ipynb", big)
    before = nb.read_bytes()
    script = (
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "from backprop_kit.tools import files, rerun as rr\n"
        "real = os.fdopen\n"
        "class Slow:\n"
        "    def __init__(self, f): self.f = f\n"
        "    def __enter__(self): return self\n"
        "    def __exit__(self, *e): self.f.close()\n"
        "    def __getattr__(self, n): return getattr(self.f, n)\n"
        "    def write(self, text):\n"
        "        for i in range(0, len(text), 1_000_000):\n"
        "            self.f.write(text[i:i + 1_000_000]); self.f.flush()\n"
        "            print('writing', flush=True); time.sleep(0.05)\n"
        "files.os.fdopen = lambda *a, **k: Slow(real(*a, **k))\n"
        "rr.rerun(Path(sys.argv[1]))\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(nb)], stdout=subprocess.PIPE, cwd=ROOT
    )
    try:
        for line in proc.stdout:  # the temporary file is being written
            if b"writing" in line:
                break
        time.sleep(0.1)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert nb.read_bytes() == before  # killed before the rename: the old notebook, whole
    nbformat.read(nb, as_version=4)


def test_a_notebook_changed_during_the_run_is_not_overwritten(tmp_path, monkeypatch):
    nb = notebook(tmp_path / "a.ipynb", "print(1)")
    from nbclient import NotebookClient

    real_execute = NotebookClient.execute

    def execute_while_the_learner_saves(self, *args, **kwargs):
        result = real_execute(self, *args, **kwargs)
        notebook(nb, "print('my edit')")  # saved from JupyterLab meanwhile
        return result

    monkeypatch.setattr(NotebookClient, "execute", execute_while_the_learner_saves)
    mine = nb  # after the run the learner's edit must still be there
    with pytest.raises(ToolError, match="changed on disk while it ran; not overwritten"):
        rr.rerun(nb)
    assert "print('my edit')" in mine.read_text()


@pytest.mark.slow
def test_one_failure_does_not_stop_the_others_and_the_status_counts_them(tmp_path, capsys):
    good1 = notebook(tmp_path / "1.ipynb", "print(1)")
    bad = notebook(tmp_path / "2.ipynb", "1 / 0")
    good2 = notebook(tmp_path / "3.ipynb", "print(3)")
    missing = tmp_path / "4.ipynb"
    before = bad.read_bytes()
    status = main(["rerun", str(good1), str(bad), str(good2), str(missing)])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2
    assert outputs(good1) == ["1\n"] and outputs(good2) == ["3\n"]
    assert bad.read_bytes() == before
    assert len(err) == 3  # one line per failure, then the count
    assert "2.ipynb" in err[0] and "a cell raised ZeroDivisionError: division by zero" in err[0]
    assert "\x1b" not in err[0]  # no terminal colour codes from the kernel's traceback
    assert "4.ipynb" in err[1] and "not a notebook file" in err[1]
    assert err[2] == "backprop-kit rerun: 2 of 4 failed"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_folder_it_cannot_write_is_one_line_and_the_file_stays(tmp_path):
    nb = notebook(tmp_path / "a.ipynb", "print(1)")
    before = nb.read_bytes()
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(ToolError, match="cannot write .*: Permission denied") as err:
            rr.rerun(nb)
    finally:
        tmp_path.chmod(0o755)
    assert "\n" not in str(err.value) and nb.read_bytes() == before


def test_files_that_are_not_notebooks_are_one_line_each_and_the_next_still_runs(tmp_path, capsys):
    """JSON that is no notebook used to stop rerun with a traceback, before the next ones."""
    junk = ["{not json", '{"a": 1}', "[1, 2]", "null"]
    paths = [tmp_path / f"junk{i}.ipynb" for i in range(len(junk))]
    for path, text in zip(paths, junk):
        path.write_text(text)
    good = notebook(tmp_path / "good.ipynb", "print(6 * 7)")
    assert main(["rerun", *map(str, paths), str(good)]) == len(junk)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == len(junk) + 1 and "Traceback" not in "".join(err)
    assert all(f"junk{i}.ipynb: cannot read it as a notebook" in err[i] for i in range(len(junk)))
    assert [p.read_text() for p in paths] == junk and outputs(good) == ["42\n"]


@pytest.mark.slow
def test_a_folder_that_refuses_the_temporary_file_is_one_line(tmp_path, monkeypatch):
    """The same as a read-only folder, for a user (root) whom chmod does not stop."""
    nb = notebook(tmp_path / "a.ipynb", "print(1)")
    before = nb.read_bytes()

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files, "tempfile", SimpleNamespace(mkstemp=refuse))  # the writer's only
    with pytest.raises(ToolError, match="cannot write .*: Permission denied") as err:
        rr.rerun(nb)
    assert "\n" not in str(err.value) and nb.read_bytes() == before


def test_running_again_stores_the_same_file(tmp_path):
    """A widget's view used to get a new random model id on every run: an instructor's rerun
    changed every notebook with an explorer, with nothing else changed."""
    path = notebook(tmp_path / "w.ipynb", "import ipywidgets\nipywidgets.IntSlider(3)")
    rr.rerun(path)
    first = path.read_bytes()
    view = nbformat.read(path, 4).cells[0].outputs[0].data
    assert "application/vnd.jupyter.widget-view+json" in view  # a widget was displayed
    rr.rerun(path)
    assert path.read_bytes() == first


def test_a_symlinked_file_is_written_through_and_a_killed_runs_leftovers_are_swept(tmp_path):
    real, links = tmp_path / "real", tmp_path / "links"
    real.mkdir()
    links.mkdir()
    (real / "t.ipynb").write_text("old", encoding="utf-8")
    (links / "t.ipynb").symlink_to(real / "t.ipynb")
    stale, fresh = real / ".t.ipynb.abc.tmp", real / ".t.ipynb.def.tmp"
    stale.write_text("left by a kill", encoding="utf-8")
    fresh.write_text("another run, writing now", encoding="utf-8")
    os.utime(stale, (0, 0))
    files.write_text(links / "t.ipynb", "new")
    assert (links / "t.ipynb").is_symlink() and (real / "t.ipynb").read_text() == "new"
    assert not stale.exists() and fresh.exists()  # only what is old enough to be a leftover


def test_a_fifo_named_like_a_notebook_is_not_read(tmp_path):
    from backprop_kit.tools.notebooks import notebooks_in

    (tmp_path / "a.ipynb").write_text("{}", encoding="utf-8")
    os.mkfifo(tmp_path / "b.ipynb")  # opening it to read would wait for a writer forever
    assert notebooks_in(tmp_path) == [tmp_path / "a.ipynb"]
