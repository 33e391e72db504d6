"""A throw-away local JupyterHub with the course recipe's settings, and learners logging in.

Shared by ``tests/test_hub.py`` and ``benchmarks/classroom.py``. The hub loads
``deploy/local/jupyterhub_config.py`` (and so the TLJH snippet's default URL and limits), then
a config written into a scratch folder overrides what only a test may do: the dummy
authenticator with ``allow_all`` and the simple spawner (everyone runs as the hub's user),
every port on 127.0.0.1 and free. A learner logs in through the hub's form, as a person
would: the ``_xsrf`` cookie, ``POST /hub/login``, the OAuth redirects to ``/user/NAME/``;
their cookies then reach the kernel API through the proxy.

configurable-http-proxy comes from npm: :func:`find_chp` uses BACKPROP_KIT_CHP, the PATH or
``.cache/npm`` in the checkout, and installs it there with ``npm install --prefix`` if needed.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.learners import ROOT, SERVEREXT_OFF, Learner, free_port, stop, wait_http

RECIPE = ROOT / "deploy" / "local" / "jupyterhub_config.py"
NPM_PREFIX = ROOT / ".cache" / "npm"
CHP_VERSION = "5"


def find_chp(install: bool = True) -> str | None:
    """The configurable-http-proxy command, installed into .cache/npm if missing and allowed."""
    candidates = [
        os.environ.get("BACKPROP_KIT_CHP"),
        str(NPM_PREFIX / "node_modules" / ".bin" / "configurable-http-proxy"),
        shutil.which("configurable-http-proxy"),
    ]
    for path in candidates:
        if path and Path(path).exists():
            return path
    npm = shutil.which("npm")
    if not (install and npm):
        return None
    NPM_PREFIX.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            npm,
            "install",
            "--prefix",
            str(NPM_PREFIX),
            "--no-audit",
            "--no-fund",
            f"configurable-http-proxy@{CHP_VERSION}",
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    path = NPM_PREFIX / "node_modules" / ".bin" / "configurable-http-proxy"
    return str(path) if path.exists() else None


@dataclass
class Hub:
    """A JupyterHub we started (``proc``), at ``url`` (the proxy), with its scratch folder."""

    proc: subprocess.Popen
    url: str
    work: Path
    log: Path
    homes: Path
    descendants: set[int] = field(default_factory=set)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def hub_config(work: Path, chp: str, *, extension: bool = True) -> Path:
    """The throw-away config: the recipe, then the test-only settings (127.0.0.1 only)."""
    homes = work / "home"
    port, hub_port, api_port = free_port(), free_port(), free_port()
    args = ["--allow-root"] if os.geteuid() == 0 else []
    if not extension:
        args.append(f"--ServerApp.jpserver_extensions={SERVEREXT_OFF}")
    text = f"""\
# Written by tests/hubs.py for one test run on 127.0.0.1; deleted with its folder.
c = get_config()
load_subconfig({str(RECIPE)!r})
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {str(homes / "{username}")!r}
c.Spawner.args = {args!r}
c.Spawner.environment = {{"JUPYTER_CONFIG_DIR": {str(work / "jupyter-config")!r}}}
c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{hub_port}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.JupyterHub.concurrent_spawn_limit = 0
"""
    path = work / "jupyterhub_config.py"
    path.write_text(text)
    return path


def start_hub(work: Path, chp: str, *, extension: bool = True) -> Hub:
    """Start JupyterHub from :func:`hub_config` in ``work``; wait until its proxy answers."""
    work.mkdir(parents=True, exist_ok=True)
    (work / "state").mkdir(exist_ok=True)
    config = hub_config(work, chp, extension=extension)
    url = next(ln.split('"')[1] for ln in config.read_text().splitlines() if "bind_url =" in ln)
    jupyterhub = Path(sys.executable).with_name("jupyterhub")
    env = dict(
        os.environ,
        BACKPROP_KIT_HUB_STATE=str(work / "state"),
        CONFIGPROXY_AUTH_TOKEN=secrets.token_hex(16),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    log = work / "hub.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(jupyterhub), "-f", str(config)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=work,
        )
    hub = Hub(proc, url, work, log, work / "home")
    try:
        wait_http(f"{url}/hub/health", proc, log, timeout=120, any_status=False)
    except BaseException:
        stop_hub(hub)
        raise
    return hub


def _descendants(pid: int) -> set[int]:
    import psutil

    try:
        return {p.pid for p in psutil.Process(pid).children(recursive=True)}
    except psutil.Error:
        return set()


def stop_hub(hub: Hub) -> None:
    """Stop the hub by its id (it stops the servers and proxy it started); then any survivor."""
    import psutil

    hub.descendants |= _descendants(hub.proc.pid)
    stop(hub.proc, timeout=30)
    for pid in hub.descendants:
        try:
            p = psutil.Process(pid)
            p.terminate()
            p.wait(5)
        except psutil.TimeoutExpired:
            p.kill()
        except psutil.Error:
            pass


def rss_mb(hub: Hub) -> dict[str, float]:
    """Resident memory (MB) of the hub, its proxy, the learners' servers and their kernels."""
    import psutil

    out = {"hub": 0.0, "proxy": 0.0, "servers": 0.0, "kernels": 0.0}
    root = psutil.Process(hub.proc.pid)
    out["hub"] = root.memory_info().rss / 1e6
    for p in root.children(recursive=True):
        hub.descendants.add(p.pid)
        try:
            cmd = " ".join(p.cmdline())
            rss = p.memory_info().rss / 1e6
        except psutil.Error:
            continue
        if "configurable-http-proxy" in cmd:
            out["proxy"] += rss
        elif "ipykernel" in cmd:
            out["kernels"] += rss
        elif "jupyterhub-singleuser" in cmd:
            out["servers"] += rss
    return out


def give_chapters(hub: Hub, name: str) -> None:
    """Put the chapters where the recipe's default URL looks (/etc/skel's job on a real hub)."""
    home = hub.homes / name
    if not (home / "backprop-kit").exists():
        home.mkdir(parents=True, exist_ok=True)
        shutil.copytree(
            ROOT / "notebooks",
            home / "backprop-kit",
            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "learner"),
        )


async def login(hub: Hub, name: str, timeout: float = 180) -> tuple[Learner, str]:
    """Log ``name`` in through the hub's form; a Learner on their server, and the page URL.

    The page URL is where the browser landed after the redirects (the recipe's default URL).
    """
    import httpx

    give_chapters(hub, name)
    async with httpx.AsyncClient(base_url=hub.url, timeout=60) as client:
        await client.get("/hub/login")
        xsrf = client.cookies.get("_xsrf", path="/hub/")
        resp = await client.post(
            "/hub/login",
            data={"username": name, "password": "any", "_xsrf": xsrf},
            headers={"X-XSRFToken": xsrf},
        )
        if resp.status_code != 302:
            raise RuntimeError(f"login of {name}: HTTP {resp.status_code}")
        # as a browser does: follow to /hub/spawn, which starts the server (then spawn-pending)
        await client.get(resp.headers["location"], follow_redirects=True)
        deadline = time.monotonic() + timeout
        while True:
            resp = await client.get(f"/user/{name}/", follow_redirects=True)
            if resp.status_code == 200 and resp.url.path.startswith(f"/user/{name}/lab"):
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name}'s server not ready in {timeout} s ({resp.url})")
            await asyncio.sleep(0.5)
        landed = str(resp.url)
        prefix = f"/user/{name}/"
        cookies = [c for c in client.cookies.jar if prefix.startswith(c.path or "/")]
        header = "; ".join(f"{c.name}={c.value}" for c in cookies)
        user_xsrf = next((c.value for c in cookies if c.name == "_xsrf" and c.path != "/hub/"), "")
    headers = {"Cookie": header}
    if user_xsrf:
        headers["X-XSRFToken"] = user_xsrf
    return Learner(f"{hub.url}/user/{name}", headers), landed
