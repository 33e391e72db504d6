"""Build helper (not imported at run time): ``pip install -e .`` installs the data files too.

setuptools' ``editable_wheel`` (up to at least 84.2) asks the distribution for ``has_data``,
which does not exist (it is ``has_data_files``), so an editable install silently drops
``[tool.setuptools.data-files]``: the server extension's ``jupyter_server_config.d`` entry.
pyproject.toml points ``[tool.setuptools.cmdclass] editable_wheel`` here; the subclass runs
``install_data`` into the editable wheel, as a regular wheel install does.
"""

from __future__ import annotations

from setuptools.command.editable_wheel import editable_wheel


class EditableWheelWithData(editable_wheel):
    """setuptools' editable wheel, plus the project's data files."""

    def _run_install(self, category: str) -> None:
        if category == "data":
            if self.distribution.has_data_files():
                self.run_command("install_data")
            return
        super()._run_install(category)
