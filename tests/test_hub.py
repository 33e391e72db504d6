"""A course on a local JupyterHub: 4 learners log in, build chapter 4's explorer, drag a slider.

The hub runs the recipe's settings (``deploy/local/jupyterhub_config.py`` and the TLJH snippet:
the index as the default URL), with only what a test may change in a throw-away config
(dummy authenticator, simple spawner, free ports on 127.0.0.1): see ``tests/hubs.py``. Each
learner logs in through the hub's form and lands on the index; their server loaded the kit's
server extension; through the proxy they start a kernel, build the explorer with
``from backprop_kit import explore`` and move its slider 30 times over the kernel websocket
(the widget comm protocol), every move bringing back a new picture. One learner's cookies do
not open another's server. Latency bounds are generous (a loaded 2-core machine is not a
failure): ``benchmarks/classroom.py`` measures.

configurable-http-proxy comes from npm into ``.cache/npm`` (``tests/hubs.py``); without npm the
test skips, except under CI=true, where it fails.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
from pathlib import Path

import pytest

from tests.hubs import find_chp, login, start_hub, stop_hub

LEARNERS = ["ada", "bo", "cy", "di"]
MOVES = 30


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"hub test cannot run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def hub():
    try:
        import jupyterhub  # noqa: F401
    except ImportError:
        _unavailable("jupyterhub is not installed (pip install -e '.[test]')")
    chp = find_chp()
    if chp is None:
        _unavailable("configurable-http-proxy is missing and npm cannot install it")
    work = Path(tempfile.mkdtemp(prefix="bpk-hub-"))
    h = start_hub(work, chp)
    try:
        yield h
    finally:
        stop_hub(h)
    assert h.proc.poll() is not None


async def _a_learner(hub, name: str) -> dict:
    learner, landed = await login(hub, name)
    try:
        await learner.start()
        moves = [await learner.move() for _ in range(MOVES)]
    finally:
        await learner.close()
    return {"landed": landed, "moves": moves, "headers": learner.headers}


async def _class(hub) -> dict[str, dict]:
    results = await asyncio.gather(*(_a_learner(hub, n) for n in LEARNERS))
    return dict(zip(LEARNERS, results))


@pytest.mark.slow
def test_four_learners_log_in_and_drag_a_slider_through_the_proxy(hub):
    results = asyncio.run(_class(hub))
    for name, r in results.items():
        path = r["landed"].split("?", 1)[0]
        assert path.endswith(f"/user/{name}/lab/tree/backprop-kit/00_index.ipynb"), path
        assert len(r["moves"]) == MOVES
        assert max(r["moves"]) < 15.0, (name, max(r["moves"]))  # generous: no hang
        assert statistics.median(r["moves"]) < 2.0, (name, statistics.median(r["moves"]))
    log = hub.log_text()
    assert log.count("backprop_kit.serverext: TCP_NODELAY on kernel websockets") >= len(LEARNERS)
    assert "Traceback" not in log, log[-3000:]

    # ada's cookies do not open bo's server
    import httpx

    resp = httpx.get(
        f"{hub.url}/user/bo/api/kernels", headers=results["ada"]["headers"], timeout=30
    )
    assert resp.status_code in (302, 403), resp.status_code
    if resp.status_code == 302:
        assert "/hub/" in resp.headers["location"]
