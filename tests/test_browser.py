"""The chapters as learners see them: JupyterLab in a real (headless) Chromium.

Starts ``jupyter lab`` on 127.0.0.1 with a random port and token over a copy of the notebooks,
opens each chapter, runs all cells and checks what a learner would see: the kernel ends idle,
no cell shows an error or stderr, every explorer rendered its sliders; in chapters 2, 4 and 5
moving a slider with the keyboard changes the circuit picture and the printed gradient, and
the step-through button highlights the next gate; in chapter 8 pressing Train with the
keyboard changes the training explorer's loss picture and its readout. A screenshot of each
chapter is saved in ``artifacts/screenshots/``.

Accessibility (WCAG 2.1 AA), in the notebook's output areas only (JupyterLab's own interface
is not the kit's to fix): axe-core (from ``axe-playwright-python``) finds no serious or critical
violation in any chapter; every picture reaches a screen reader (each ``<img>`` has an alt
text, each SVG image a name, each slider handle the name of its variable, readouts are live
regions); and in chapter 2 one explorer is driven with the keyboard alone (Tab to a slider,
arrows move it, Tab to Next, Enter and Space press it), every stop showing a focus ring.

Needs Playwright for Python (the ``test`` extra) and a system Chromium (Debian: ``apt-get install
chromium``; or set BACKPROP_KIT_CHROMIUM to the browser's path). Without them the test skips
with that advice, except under CI=true, where it fails.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHAPTERS = sorted(p.name for p in (ROOT / "notebooks").glob("0[0-9]_*.ipynb"))
SLIDER_CHAPTERS = ("02_", "04_", "05_")
TRAIN_CHAPTERS = ("08_",)
STDERR = "application/vnd.jupyter.stderr"
ERROR = "application/vnd.jupyter.error"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser test cannot run in CI: {reason}")
    pytest.skip(f"{reason} (install with: apt-get install chromium; pip install playwright)")


def _chromium() -> str:
    candidates = [
        os.environ.get("BACKPROP_KIT_CHROMIUM"),
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        shutil.which("google-chrome"),
    ]
    for path in candidates:
        if path and Path(path).exists():
            return path
    _unavailable("no Chromium found")
    raise AssertionError  # unreachable


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server over a scratch copy of notebooks/ (so autosave never touches it)."""
    work = tmp_path_factory.mktemp("lab")
    root = work / "notebooks"
    shutil.copytree(ROOT / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    port, token = _free_port(), secrets.token_hex(16)
    cmd = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        f"--port={port}",
        "--ip=127.0.0.1",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.workspaces_dir={work / 'workspaces'}",
        f"--LabApp.user_settings_dir={work / 'settings'}",
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    # No "get notified about official Jupyter news?" toast over the screenshots.
    notification = work / "settings" / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    # Render every cell (no windowing), so that every widget view exists in the page.
    tracker = work / "settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    (tracker / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(work / "config"))
    log = (work / "lab.log").open("w")
    server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=1)
                break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError((work / "lab.log").read_text()) from None
                time.sleep(0.5)
        else:
            raise RuntimeError("jupyter lab did not start within 60 s")
        yield url, token
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed")
    executable = _chromium()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def _run_all(page) -> None:
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    _wait_kernel_idle(page)
    # Clear the stored outputs first, so that every prompt, output and widget checked below
    # comes from this run. Then start "Run All" without awaiting its promise (evaluate has no
    # timeout of its own); the prompts say when every cell has run.
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.wait_for_function(
        """() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                 .every(p => !/\\d/.test(p.textContent))""",
        timeout=30_000,
    )
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    page.wait_for_function(
        """() => {
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
            return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""",
        timeout=180_000,
    )
    _wait_kernel_idle(page)


def _wait_kernel_idle(page) -> None:
    """Wait until the notebook's kernel is connected and idle (not merely the indicator)."""
    page.wait_for_function(
        """() => {
            const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
            const kernel = w && w.sessionContext && w.sessionContext.session
                && w.sessionContext.session.kernel;
            return kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
        }""",
        timeout=120_000,  # generous: a loaded 2-core machine can take a while to start a kernel
    )


def _explorer_state(page) -> tuple[str, str]:
    """The first explorer's circuit picture (SVG markup) and its readout text."""
    return page.evaluate(
        """() => {
            const box = document.querySelector('.bpk-explorer');
            const svg = box.querySelector('svg');
            const readout = box.querySelector('.bpk-readout');
            return [svg ? svg.outerHTML : '', readout ? readout.textContent : ''];
        }"""
    )


def _wait_until_the_explorer_changes(page, picture: str, readout: str) -> None:
    """Until both the first explorer's picture and its readout differ from these."""
    page.wait_for_function(
        "([p, r]) => { const b = document.querySelector('.bpk-explorer');"
        " return b.querySelector('svg').outerHTML !== p"
        " && b.querySelector('.bpk-readout').textContent !== r; }",
        arg=[picture, readout],
        timeout=10_000,
    )


def _highlighted(page) -> str:
    return page.evaluate(
        """() => {
            const h = document.querySelector('.bpk-explorer svg .bpk-highlight');
            return h ? (h.getAttribute('data-gate') || h.outerHTML) : '';
        }"""
    )


def _train_and_see_the_loss_picture_change(page) -> None:
    """Chapter 8: press Train (focused, Enter) in the training explorer; its picture (loss curve
    and boundary) and the words above it must change."""
    explorer = page.locator(".bpk-train-explorer").first
    explorer.scroll_into_view_if_needed()
    state = """() => { const b = document.querySelector('.bpk-train-explorer');
        const img = b.querySelector('.bpk-train-picture img');
        return [img ? img.getAttribute('src') : '', b.textContent]; }"""
    picture, words = page.evaluate(state)
    assert picture, "the training explorer shows a picture"
    train = explorer.locator("button:has-text('Train')").first
    train.focus()
    train.press("Enter")  # with the keyboard, as a learner without a mouse would
    page.wait_for_function(
        f"([p, w]) => {{ const [p2, w2] = ({state})(); return p2 !== p && w2 !== w"
        " && w2.includes('done'); }",
        arg=[picture, words],
        timeout=60_000,
    )


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_in_jupyterlab(lab, browser, name):
    url, token = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{url}/lab/tree/{name}?token={token}&reset", wait_until="domcontentloaded")
        _run_all(page)
        stderr = page.locator(f".jp-OutputArea-output[data-mime-type='{STDERR}']")
        assert stderr.count() == 0, stderr.first.inner_text()
        errors = page.locator(f".jp-OutputArea-output[data-mime-type='{ERROR}']")
        assert errors.count() == 0, errors.first.inner_text()
        if name != "00_index.ipynb":
            page.wait_for_selector(".widget-slider", timeout=30_000, state="attached")
            views = page.locator(".jupyter-widgets.widget-container, .jupyter-widgets")
            assert views.count() > 0
            broken = page.locator(".jp-OutputArea-output:has-text('Error displaying widget')")
            assert broken.count() == 0
        if name.startswith(SLIDER_CHAPTERS):
            explorer = page.locator(".bpk-explorer").first
            explorer.scroll_into_view_if_needed()
            picture, readout = _explorer_state(page)
            handle = explorer.locator(".widget-slider .noUi-handle").first
            handle.focus()
            for _ in range(5):
                handle.press("ArrowRight")
            _wait_until_the_explorer_changes(page, picture, readout)
            before = _highlighted(page)
            explorer.locator("button:has-text('Next')").first.click()
            page.wait_for_function(
                "(b) => { const h = document.querySelector('.bpk-explorer svg .bpk-highlight');"
                " return h && (h.getAttribute('data-gate') || h.outerHTML) !== b; }",
                arg=before,
                timeout=10_000,
            )
        _check_text_alternatives(page)
        _check_axe(page, name)
        if name.startswith("02_"):
            _drive_explorer_with_the_keyboard(page)
        if name.startswith(TRAIN_CHAPTERS):
            _train_and_see_the_loss_picture_change(page)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name[:-6]}.png"), full_page=False)
    finally:
        page.close()


# --- accessibility ------------------------------------------------------------------------------
OUTPUT = ".jp-OutputArea-output"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _check_text_alternatives(page) -> None:
    """Every picture in the outputs reaches a screen reader; sliders are named; readouts live."""
    problems = page.evaluate(
        """(out) => {
            const bad = [];
            for (const img of document.querySelectorAll(`${out} img`)) {
                if (img.hidden || img.closest('[hidden], [aria-hidden="true"]')) continue;
                if (!(img.getAttribute('alt') || '').trim()) bad.push('img without alt');
            }
            for (const svg of document.querySelectorAll(`${out} svg[role="img"]`)) {
                if (!(svg.getAttribute('aria-label') || '').trim()) bad.push('svg without name');
            }
            for (const h of document.querySelectorAll(`${out} [role="slider"]`)) {
                if (!(h.getAttribute('aria-label') || '').trim()) bad.push('unnamed slider');
            }
            for (const e of document.querySelectorAll(`${out} .bpk-live`)) {
                if (e.getAttribute('aria-live') !== 'polite') bad.push('readout not live');
            }
            // every control of every explorer: in the Tab order, and named
            const controls = 'button, input, select, [role="slider"]';
            for (const c of document.querySelectorAll(`${out} .bpk-a11y :is(${controls})`)) {
                if (c.disabled) continue;
                const name = (c.getAttribute('aria-label') || c.textContent || c.title
                    || (c.labels && c.labels.length ? c.labels[0].textContent : '')).trim();
                if (c.tabIndex < 0) bad.push(`not reachable by Tab: ${c.outerHTML.slice(0, 80)}`);
                if (!name) bad.push(`control without a name: ${c.outerHTML.slice(0, 80)}`);
            }
            return bad;
        }""",
        OUTPUT,
    )
    assert problems == [], problems
    pictures = page.locator(f"{OUTPUT} img[alt], {OUTPUT} svg[role='img']").count()
    assert pictures > 0  # every chapter shows at least one picture


def _check_axe(page, name: str) -> None:
    """axe-core over the output areas: no serious or critical WCAG 2.1 A/AA violation."""
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        _unavailable("axe-playwright-python is not installed")
    results = Axe().run(
        page,
        context={"include": [[OUTPUT]]},
        options={"runOnly": {"type": "tag", "values": AXE_TAGS}},
    )
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes'][0]['target']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], f"{name}: {bad}"


_FOCUSED = """() => {
    const e = document.activeElement, cs = getComputedStyle(e);
    return {tag: e.tagName, label: e.getAttribute('aria-label') || e.textContent.trim(),
            outline: cs.outlineStyle !== 'none' ? parseFloat(cs.outlineWidth) : 0,
            inExplorer: !!e.closest('.bpk-explorer')};
}"""


def _tab_to(page, want, limit: int = 30) -> dict:
    """Press Tab until the focused element satisfies ``want``; each stop must show a focus
    ring at least 2 px wide."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED)
        assert focused["inExplorer"], f"Tab left the explorer before reaching it: {focused}"
        assert focused["outline"] >= 2, f"no visible focus on {focused}"
        if want(focused):
            return focused
    raise AssertionError(f"Tab never reached the control ({limit} presses)")


def _drive_explorer_with_the_keyboard(page) -> None:
    """Keyboard only, from the explorer's formula box: a slider, then the Next button."""
    explorer = page.locator(".bpk-explorer").first
    explorer.scroll_into_view_if_needed()
    explorer.locator("input").first.focus()  # where Tab from the cell above would land
    picture, readout = _explorer_state(page)
    _tab_to(page, lambda f: f["label"] == "x" and f["tag"] == "DIV")  # x's slider handle
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    _wait_until_the_explorer_changes(page, picture, readout)
    _tab_to(page, lambda f: f["tag"] == "BUTTON" and f["label"] == "Next")
    step = int(_highlighted(page) or -1)  # the step shown now (-1: the whole pass, none marked)
    for key in ("Enter", "Space"):
        step += 1  # chapter 2's circuit has 2 gates: Next twice stays within steps 0 … 2
        page.keyboard.press(key)
        page.wait_for_function(
            "(s) => { const h = document.querySelector('.bpk-explorer svg .bpk-highlight');"
            " return h && h.getAttribute('data-gate') === s; }",
            arg=str(step),
            timeout=10_000,
        )
        live = explorer.locator(".bpk-live[aria-live='polite']").last.inner_text()
        assert live.startswith(f"Step {step} of 2"), live  # the live step line says where


def test_learner_edition_folds_each_solution_in_jupyterlab(lab, browser):
    """The learner edition as a learner opens it (notebooks/learner): every exercise is
    unanswered, its solution sits folded under "Show a solution", and one click shows it."""
    url, token = lab
    name = "learner/04_sigmoid_neuron.ipynb"
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{url}/lab/tree/{name}?token={token}&reset", wait_until="domcontentloaded")
        page.wait_for_selector(".jp-MarkdownOutput details", timeout=60_000, state="attached")
        folds = page.locator(".jp-MarkdownOutput details")
        learner = json.loads((ROOT / "notebooks" / name).read_text())["cells"]
        folded = sum("solution" in c["metadata"].get("tags", []) for c in learner)
        stubs = sum(
            "".join(c["source"]).count("raise NotImplementedError()")
            for c in learner
            if c["cell_type"] == "code"
        )
        assert folds.count() == folded >= 3
        for i in range(folds.count()):
            fold = folds.nth(i)
            fold.scroll_into_view_if_needed()
            assert fold.get_attribute("open") is None
            assert fold.locator("summary").is_visible()
            assert not fold.locator("pre").is_visible()  # the solution is not on screen
        cells_with_stubs = sum(
            "raise NotImplementedError()" in "".join(c["source"])
            for c in learner
            if c["cell_type"] == "code"
        )
        assert stubs >= folded
        assert page.locator(".jp-CodeCell:has-text('raise NotImplementedError()')").count() == (
            cells_with_stubs
        )
        folds.first.locator("summary").click()
        assert folds.first.locator("pre").is_visible()
        assert "answer.value" in folds.first.locator("pre").inner_text()
    finally:
        page.close()
