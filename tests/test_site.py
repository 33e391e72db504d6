"""Static pages show every explorer's picture without a kernel or a network: offline
``jupyter nbconvert --to html`` of the stored notebooks, and the site built by
``backprop-kit site``, which never deletes a file it did not write."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from backprop_kit.tools import main
from backprop_kit.tools.files import MARK, ToolError
from backprop_kit.tools.site import build_site, static_copy
from tests.test_figures import kill_at_random_moments, snapshot

pytestmark = pytest.mark.slow  # builds whole sites with nbconvert

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
LEARNER = ROOT / "notebooks" / "learner"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def explorer_pictures(nb) -> list[str]:
    """The base64 PNG stored beside each widget view (each explorer's static picture)."""
    return [
        "".join(out["data"]["image/png"]).replace("\n", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if WIDGET_VIEW in out.get("data", {})
    ]


def shown_images(html: str) -> list[str]:
    """The data-URL pictures of ``<img>`` tags outside ``<script>`` and ``<style>`` blocks (CSS
    holds data URLs too, and a script's JSON is not a picture anyone sees)."""
    visible = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S | re.I)
    return re.findall(r'<img\b[^>]*\bsrc="data:image/png;base64,([^"]+)"', visible)


def assert_every_explorer_shows(nb, html: str, name: str) -> None:
    pictures = explorer_pictures(nb)
    shown = set(shown_images(html))
    missing = [i for i, picture in enumerate(pictures) if picture not in shown]
    assert missing == [], f"{name}: explorers {missing} of {len(pictures)} show no picture"


def test_every_chapter_has_an_explorer_picture_to_show():
    chapters = [p for p in NOTEBOOKS if re.match(r"0[1-9]_", p.name)]
    empty = [p.name for p in chapters if not explorer_pictures(nbformat.read(p, 4))]
    assert empty == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_nbconvert_html_of_the_stored_notebook_shows_every_explorer(path):
    """nbconvert's HTML exporter with its defaults, as ``jupyter nbconvert --to html`` runs it,
    on the notebook as stored (no widget state: see tests/test_notebooks.py)."""
    from nbconvert import HTMLExporter

    nb = nbformat.read(path, as_version=4)
    html, _ = HTMLExporter().from_notebook_node(nb)
    assert_every_explorer_shows(nb, html, path.name)


def test_with_widget_state_the_picture_would_be_lost():
    """The failure this guards against: stored widget state makes nbconvert render the widget
    view (an empty box offline) instead of the picture; static_copy drops it."""
    from nbconvert import HTMLExporter

    nb = nbformat.read(ROOT / "notebooks" / "07_vectorised_gradients.ipynb", as_version=4)
    models = [
        out["data"][WIDGET_VIEW]["model_id"]
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if WIDGET_VIEW in out.get("data", {})
    ]
    nb.metadata["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {
            "state": {m: {"model_name": "ImageModel", "state": {}} for m in models},
            "version_major": 2,
            "version_minor": 0,
        }
    }
    html, _ = HTMLExporter().from_notebook_node(nb)
    assert not set(explorer_pictures(nb)) & set(shown_images(html))
    fixed, _ = HTMLExporter().from_notebook_node(static_copy(nb))
    assert_every_explorer_shows(nb, fixed, "static copy")


@pytest.mark.slow
def test_the_nbconvert_command_line_offline(tmp_path):
    path = ROOT / "notebooks" / "07_vectorised_gradients.ipynb"
    subprocess.run(
        [sys.executable, "-m", "nbconvert", "--to", "html", str(path), "--output-dir", tmp_path],
        check=True,
        capture_output=True,
    )
    html = (tmp_path / "07_vectorised_gradients.html").read_text(encoding="utf-8")
    assert_every_explorer_shows(nbformat.read(path, as_version=4), html, path.name)


@pytest.mark.slow
def test_the_site_of_the_learner_edition(tmp_path, capsys):
    site = tmp_path / "site"
    assert main(["site", str(LEARNER), str(site)]) == 0
    assert capsys.readouterr().out.startswith(f"{site}: {len(NOTEBOOKS) + 1} pages")
    pages = sorted(p.name for p in site.iterdir())
    assert pages == sorted([p.stem + ".html" for p in NOTEBOOKS] + ["index.html", MARK])
    titles = [
        re.search(r"<title>(.*?)</title>", (site / p).read_text()).group(1) for p in pages[1:]
    ]
    assert len(set(titles)) == len(NOTEBOOKS) and "Notebook" not in titles  # each its own
    assert "Chapter 1 — Derivatives as sensitivity" in titles
    for path in sorted(LEARNER.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        html = (site / (path.stem + ".html")).read_text(encoding="utf-8")
        assert_every_explorer_shows(nb, html, path.name)
        links = re.findall(r'href="([^"#:]+\.(?:html|ipynb))"', html)
        assert all(link.endswith(".html") and (site / link).is_file() for link in links), links
        assert "BEGIN SOLUTION" not in html
    index = (site / "index.html").read_text(encoding="utf-8")
    assert index == (site / "00_index.html").read_text(encoding="utf-8")
    assert 'href="01_derivatives.html"' in index


def small_source(folder: Path) -> Path:
    folder.mkdir()
    for name, heading in (("00_a", "# Start"), ("01_b", "Text without a heading")):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(heading)])
        nbformat.write(nb, folder / f"{name}.ipynb")
    return folder


def test_site_errors_are_one_line_and_leave_dest_alone(tmp_path, capsys):
    with pytest.raises(ToolError, match="is not a folder"):
        build_site(tmp_path / "missing", tmp_path / "site")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ToolError, match="no notebooks"):
        build_site(tmp_path / "empty", tmp_path / "site")
    src = small_source(tmp_path / "src")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("years of work")
    assert main(["site", str(src), str(mine)]) == 2
    assert "did not make" in capsys.readouterr().err
    assert (mine / "thesis.tex").read_text() == "years of work"
    with pytest.raises(ToolError, match="holds the notebooks"):
        build_site(src, tmp_path)


def test_a_folder_with_an_index_html_is_not_taken_for_a_site(tmp_path, capsys):
    """``site notebooks/learner myproj`` used to delete every other file in myproj (notes, a
    src/ folder) when it held an index.html."""
    src = small_source(tmp_path / "src")
    project = tmp_path / "myproj"
    (project / "src").mkdir(parents=True)
    (project / "src" / "app.py").write_text("print('mine')")
    (project / "index.html").write_text("<h1>my page</h1>")
    before = snapshot(project)
    assert main(["site", str(src), str(project)]) == 2
    assert "did not make" in capsys.readouterr().err
    assert snapshot(project) == before and (project / "src" / "app.py").is_file()


def test_a_site_is_rebuilt_but_a_file_added_to_it_stops_it(tmp_path, capsys):
    src, site = small_source(tmp_path / "src"), tmp_path / "site"
    assert build_site(src, site) and build_site(src, site)  # its own folder: replaced whole
    titles = [re.search(r"<title>(.*?)</title>", (site / n).read_text()).group(1) for n in
              ("00_a.html", "01_b.html")]  # fmt: skip
    assert titles == ["Start", "01_b"]  # the first heading, else the file's name
    (site / "CNAME").write_text("course.example.org")
    assert main(["site", str(src), str(site)]) == 2
    assert "holds CNAME, which backprop-kit site did not write" in capsys.readouterr().err
    assert (site / "CNAME").read_text() == "course.example.org"


def test_a_failing_write_names_dest_not_a_hidden_folder(tmp_path, monkeypatch):
    src, site = small_source(tmp_path / "src"), tmp_path / "site"

    def full_disk(self, *args, **kwargs):
        raise OSError(28, "No space left on device", str(self))

    monkeypatch.setattr(Path, "write_text", full_disk)
    with pytest.raises(ToolError) as err:
        build_site(src, site)
    assert str(err.value).startswith(f"cannot write {site}{os.sep}") and ".partial" not in str(
        err.value
    )
    assert not site.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["src"]


@pytest.mark.slow
def test_killed_at_any_moment_the_site_is_whole(tmp_path):
    src, site = small_source(tmp_path / "src"), tmp_path / "site"

    def whole(folder: Path) -> None:
        pages = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.html")}
        assert sorted(pages) == ["00_a.html", "01_b.html", "index.html"]
        assert all(page.rstrip().endswith("</html>") for page in pages.values())

    kill_at_random_moments(["site", str(src), str(site)], site, whole, kills=5)
