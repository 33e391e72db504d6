"""A slider drag in JupyterLab in Chromium, with and without the kit's server extension.

Run:  python benchmarks/browser_drag.py     # about 1 minute; needs Debian's chromium

Two ``jupyter lab`` servers on 127.0.0.1 over the same scratch notebook (chapter 4's
explorer, ``explore("sigmoid(w0*x0 + w1*x1 + w2)", …)``): one as installed (extension on),
one with ``--ServerApp.jpserver_extensions=backprop_kit.serverext=False``. Headless Chromium
(Playwright, ``/usr/bin/chromium``) opens each, runs the cell, focuses the ``w0`` slider and
presses ArrowRight back to back inside the page: each press is dispatched when the previous
one's new circuit SVG is in the DOM, and the time from the key to the new SVG is recorded
(``performance.now()``), with when the update left on the websocket and when the last frame
before the new SVG arrived (kernel and network, apart from drawing). The two servers take
turns in rounds. Printed: median and p95 per server and the ratio. Every number is measured
in this run.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.learners import SERVEREXT_OFF, free_port, percentile, stop, wait_http  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CELL = (
    "from backprop_kit import explore\n"
    'explore("sigmoid(w0*x0 + w1*x1 + w2)", w0=2, x0=-1, w1=-3, x1=-2, w2=-3)'
)
# Every frame the page receives on a websocket, timestamped (JupyterLab's kernel connection).
RX_JS = """(() => {
    window.__bpkRx = [];
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
        constructor(...args) {
            super(...args);
            this.addEventListener('message', () => window.__bpkRx.push(performance.now()));
        }
        send(data) {
            window.__bpkTx.push(performance.now());
            return super.send(data);
        }
    };
    window.__bpkTx = [];
})();"""
DRAG_JS = """async ([n, key]) => {
    const box = document.querySelector('.bpk-explorer');
    const handle = box.querySelector('.widget-slider .noUi-handle');
    handle.focus();
    const svg = () => { const s = box.querySelector('svg'); return s ? s.outerHTML : ''; };
    const out = [];
    for (let i = 0; i < n; i++) {
        const before = svg();
        const changed = new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error('no new picture in 10 s')), 10000);
            const obs = new MutationObserver(() => {
                if (svg() !== before) { obs.disconnect(); clearTimeout(timer); resolve(); }
            });
            obs.observe(box, {subtree: true, childList: true, characterData: true,
                              attributes: true});
        });
        const t0 = performance.now();
        const rx0 = window.__bpkRx.length, tx0 = window.__bpkTx.length;
        handle.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true}));
        await changed;
        const t1 = performance.now();
        const rx = window.__bpkRx.slice(rx0).filter(t => t <= t1);
        const tx = window.__bpkTx.slice(tx0).filter(t => t <= t1);
        out.push([t1 - t0, tx.length ? tx[0] - t0 : NaN, rx.length ? rx[rx.length - 1] - t0 : NaN,
                  rx.length]);
    }
    return out;
}"""


def notebook(folder: Path) -> Path:
    nb = {
        "cells": [
            {"cell_type": "code", "execution_count": None, "id": "drag", "metadata": {},
             "outputs": [], "source": CELL}
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }  # fmt: skip
    path = folder / "drag.ipynb"
    path.write_text(json.dumps(nb))
    return path


def start_lab(work: Path, extension: bool) -> tuple[subprocess.Popen, str]:
    work.mkdir(parents=True)
    notebook(work)
    port, token = free_port(), secrets.token_hex(16)
    settings = work / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    cmd = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
        f"--port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={work}", f"--LabApp.workspaces_dir={work / 'workspaces'}",
        f"--LabApp.user_settings_dir={work / 'settings'}", "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.expose_app_in_browser=True",
    ]  # fmt: skip
    if not extension:
        cmd.append(f"--ServerApp.jpserver_extensions={SERVEREXT_OFF}")
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = work / "lab.log"
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(work / "config"))
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=work)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/api/status?token={token}", proc, log)
    except BaseException:
        stop(proc)
        raise
    return proc, f"{url}/lab/tree/drag.ipynb?token={token}"


def open_explorer(context, url: str):
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_function(
        """() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
                   const k = w && w.sessionContext && w.sessionContext.session
                             && w.sessionContext.session.kernel;
                   return k && k.connectionStatus === 'connected' && k.status === 'idle'; }""",
        timeout=120_000,
    )
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    page.wait_for_selector(".bpk-explorer svg", timeout=120_000)
    page.wait_for_selector(".bpk-explorer .widget-slider .noUi-handle", timeout=60_000)
    return page


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--presses", type=int, default=50, help="key presses per round")
    args = parser.parse_args(argv)
    chromium = os.environ.get("BACKPROP_KIT_CHROMIUM") or shutil.which("chromium")
    if not chromium:
        raise SystemExit("no Chromium: apt-get install chromium (or set BACKPROP_KIT_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    print(f"{os.cpu_count()} cores, load average before: {os.getloadavg()[0]:.2f}")
    work = Path(tempfile.mkdtemp(prefix="bpk-browser-drag-"))
    labs: dict[str, tuple[subprocess.Popen, str]] = {}
    samples: dict[str, list[list[float]]] = {"with": [], "without": []}
    try:
        labs["with"] = start_lab(work / "with", extension=True)
        labs["without"] = start_lab(work / "without", extension=False)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_init_script(RX_JS)
            pages = {k: open_explorer(context, url) for k, (_, url) in labs.items()}
            for page in pages.values():  # warm-up
                page.bring_to_front()
                page.evaluate(DRAG_JS, [10, "ArrowRight"])
            for r in range(args.rounds):
                order = ["with", "without"] if r % 2 == 0 else ["without", "with"]
                key = "ArrowLeft" if r % 2 else "ArrowRight"  # stay inside the slider's range
                for k in order:
                    pages[k].bring_to_front()
                    samples[k] += pages[k].evaluate(DRAG_JS, [args.presses, key])
            browser.close()
        loaded = {
            k: "backprop_kit.serverext: TCP_NODELAY" in (work / k / "lab.log").read_text()
            for k in labs
        }
    finally:
        for proc, _ in labs.values():
            stop(proc)
    print(f"extension loaded: with={loaded['with']}, without={loaded['without']}")
    print(
        f"\n{'server':<24}{'n':>5}{'median ms':>11}{'p95 ms':>8}"
        f"{'sent':>7}{'last frame':>12}{'frames':>8}   (medians: ms after the key; frames in)"
    )
    med = {}
    for k in ("without", "with"):
        total = [x[0] for x in samples[k]]
        first = [x[1] for x in samples[k] if x[1] == x[1]]  # NaN: nothing sent before the SVG
        last = [x[2] for x in samples[k] if x[2] == x[2]]
        med[k] = statistics.median(total)
        label = f"{k} the extension"
        print(
            f"{label:<24}{len(total):>5}{med[k]:>11.1f}{percentile(total, 95):>8.1f}"
            f"{statistics.median(first):>7.1f}{statistics.median(last):>12.1f}"
            f"{statistics.median(x[3] for x in samples[k]):>8.0f}"
        )
    print(f"\nkey press -> new SVG, median with / without = {med['with'] / med['without']:.2f}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
