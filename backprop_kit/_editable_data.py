"""Build helper (not imported at run time): ``pip install -e .`` installs the data files too.
setuptools' ``editable_wheel`` (up to at least 84.2) asks for ``has_data``, not
``has_data_files``, so it drops ``[tool.setuptools.data-files]`` (the server extension's
config); pyproject.toml's ``cmdclass`` points here, to run ``install_data`` as a wheel does."""

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
