"""The kit's server extension: kernel websockets get TCP_NODELAY, once, and it is installed.

``backprop_kit.serverext`` wraps the kernel websocket handler's ``open`` so that it calls
``set_nodelay(True)`` first (jupyter_server never does, and a slider drag then waits for a
delayed ACK on every update: ``benchmarks/drag.py`` measures it). These tests check the wrap
on a stand-in class and on the real handler, that loading twice wraps once, that a
jupyter_server without the handler gets one warning and no crash, and that the install
enables it (``jupyter server extension list``) and the usual config switches it off.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backprop_kit import serverext

pytestmark = pytest.mark.slow  # starts real Jupyter servers

ROOT = Path(__file__).resolve().parents[1]


class FakeHandler:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def set_nodelay(self, value: bool) -> None:
        self.calls.append(f"nodelay={value}")

    async def open(self, kernel_id: str) -> str:
        self.calls.append(f"open {kernel_id}")
        return kernel_id


class FakeApp:
    def __init__(self) -> None:
        self.log = logging.getLogger("fake-serverapp")


def test_open_sets_nodelay_first_and_keeps_the_result():
    class Handler(FakeHandler):
        pass

    assert serverext.patch(Handler) is True
    h = Handler()
    assert asyncio.run(h.open("k1")) == "k1"
    assert h.calls == ["nodelay=True", "open k1"]


def test_patching_twice_wraps_once():
    class Handler(FakeHandler):
        pass

    assert serverext.patch(Handler) is True
    assert serverext.patch(Handler) is False
    h = Handler()
    asyncio.run(h.open("k"))
    assert h.calls.count("nodelay=True") == 1


def test_a_closed_stream_does_not_stop_open():
    class Handler(FakeHandler):
        def set_nodelay(self, value: bool) -> None:
            raise AttributeError("'NoneType' object has no attribute 'set_nodelay'")

    serverext.patch(Handler)
    h = Handler()
    assert asyncio.run(h.open("k")) == "k" and h.calls == ["open k"]


def test_the_real_handler_is_found_and_loading_twice_wraps_once(caplog):
    handler = serverext._find_handler()
    assert handler is not None and handler.__name__ == "KernelWebsocketHandler"
    app = FakeApp()
    with caplog.at_level(logging.INFO, logger="fake-serverapp"):
        serverext._load_jupyter_server_extension(app)
        serverext._load_jupyter_server_extension(app)
    wrapped = handler.open
    assert getattr(wrapped, serverext._MARK)
    assert not getattr(wrapped.__wrapped__, serverext._MARK, False)  # one layer only
    assert "TCP_NODELAY" in caplog.text


def test_a_server_without_the_handler_gets_one_warning(monkeypatch, caplog):
    monkeypatch.setattr(serverext, "HANDLER_LOCATIONS", (("no.such.module", "Nope"),))
    with caplog.at_level(logging.WARNING, logger="fake-serverapp"):
        serverext._load_jupyter_server_extension(FakeApp())
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "TCP_NODELAY" in warnings[0].getMessage()


def test_import_is_cheap():
    code = "import sys, backprop_kit.serverext; print('jupyter_server' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_config_entry_is_declared_and_enables_the_extension():
    entry = ROOT / "backprop_kit" / "jupyter_server_config.d" / "backprop_kit.json"
    config = json.loads(entry.read_text())
    assert config == {"ServerApp": {"jpserver_extensions": {"backprop_kit.serverext": True}}}
    assert serverext._jupyter_server_extension_points() == [{"module": "backprop_kit.serverext"}]
    text = (ROOT / "pyproject.toml").read_text()
    assert '"etc/jupyter/jupyter_server_config.d" = [' in text and entry.name in text


def _extension_list(extra_env: dict[str, str] | None = None) -> str:
    jupyter = Path(sys.executable).with_name("jupyter")
    env = dict(os.environ, **(extra_env or {}))
    out = subprocess.run(
        [str(jupyter), "server", "extension", "list"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    return out.stdout + out.stderr


def test_the_install_enables_it_in_this_environment():
    installed = Path(sys.prefix, "etc", "jupyter", "jupyter_server_config.d", "backprop_kit.json")
    assert installed.exists(), "pip install did not install the server extension's config entry"
    listing = _extension_list()
    line = next(ln for ln in listing.splitlines() if "backprop_kit.serverext" in ln)
    assert "enabled" in line, listing


def test_the_usual_config_switches_it_off(tmp_path):
    """``jpserver_extensions`` with false, in a user's config dir, disables it."""
    config = tmp_path / "config"
    config.mkdir()
    (config / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": {"backprop_kit.serverext": False}}})
    )
    listing = _extension_list({"JUPYTER_CONFIG_DIR": str(config)})
    lines = [ln for ln in listing.splitlines() if "backprop_kit.serverext" in ln]
    assert any("disabled" in ln for ln in lines), listing


@pytest.mark.slow
def test_a_wheel_installed_into_a_fresh_venv_enables_it(tmp_path):
    """Not only the editable install: the wheel carries the entry as a data file."""
    built = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path / "dist"), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("backprop_kit-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # The kit's dependencies come from this environment (a .pth after the venv's own
    # site-packages), so nothing is downloaded; its config dir (etc/jupyter) is not on the
    # fresh venv's Jupyter path, so only the wheel's entry can enable the extension there.
    (site,) = (venv / "lib").glob("python3*/site-packages")
    parent = [p for p in sys.path if p.endswith("site-packages")]
    (site / "_parent_env.pth").write_text("\n".join(parent) + "\n")
    pip = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert pip.returncode == 0, pip.stdout[-2000:] + pip.stderr[-2000:]
    entry = venv / "etc" / "jupyter" / "jupyter_server_config.d" / "backprop_kit.json"
    assert entry.exists()
    listing = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "jupyter_server", "extension", "list"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,  # not the checkout, whose backprop_kit/ would be imported instead
    )
    text = listing.stdout + listing.stderr
    assert f"Config dir: {venv}/etc/jupyter" in text, text
    line = next(ln for ln in text.splitlines() if "backprop_kit.serverext" in ln)
    assert "enabled" in line, text
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import backprop_kit; print(backprop_kit.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert where.stdout.startswith(str(site)), where.stdout  # the wheel's copy, not the checkout
