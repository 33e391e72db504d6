"""Settings every test shares: one hypothesis profile and the markers of the fast inner loop.

Markers (``pytest -m "not browser and not slow"`` is the inner loop, about a minute):

* ``browser`` — JupyterLab in headless Chromium (every test in ``test_browser.py``);
* ``slow`` — a test that runs whole notebooks, a real nbgrader course, a Jupyter server, a very
  large circuit or the linters (marked where it is defined), and the two training notebooks.
  The notebooks themselves, checked by nbval, are ``notebooks``.

Hypothesis: no per-example deadline (a loaded CI machine is not a failing test) and, under
``CI=true``, a derandomized search so that a run is reproducible from the commit alone.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "kit",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("ci", parent=settings.get_profile("kit"), derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "kit")


#: the notebooks that train networks (10-20 s each): checked in the full run
SLOW_NOTEBOOKS = {"08_train_a_network.ipynb", "09_your_own_engine.ipynb"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: JupyterLab driven in headless Chromium")
    config.addinivalue_line("markers", "slow: notebooks, nbgrader, huge circuits, linters")
    config.addinivalue_line("markers", "notebooks: a notebook cell checked by nbval")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark by where a test lives: the browser module and the notebooks nbval collects."""
    for item in items:
        path = item.path
        if path.name == "test_browser.py":
            item.add_marker(pytest.mark.browser)
        elif path.suffix == ".ipynb":
            item.add_marker(pytest.mark.notebooks)
            if path.name in SLOW_NOTEBOOKS:
                item.add_marker(pytest.mark.slow)
