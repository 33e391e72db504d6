"""The course recipes in deploy/: they parse, let no one in by default, and render offline.

* No shipped file names the dummy authenticator or ``allow_all`` (only the tests' throw-away
  configs do), nor holds anything that looks like a committed secret; the Zero to JupyterHub
  values, merged with the chart's own defaults (which say ``dummy``), authenticate for real.
* ``deploy/z2jh/config.yaml`` renders and lints against the copy of the chart kept in
  ``deploy/z2jh/chart/`` (PyPI's helm-python-sdk: Helm as a library, no cluster), and the
  chart's schema refuses a mistyped key.
* ``repo2docker --no-build`` still writes a Dockerfile that builds environment.yml and runs
  postBuild, which installs the kit (and so enables its server extension).

Under CI=true a missing tool fails the test instead of skipping it.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
CHART = DEPLOY / "z2jh" / "chart" / "jupyterhub"
Z2JH_CONFIG = DEPLOY / "z2jh" / "config.yaml"
KUBE_VERSION = "v1.32.0"  # the chart's kubeVersion is >= 1.32


def _missing(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is missing in CI (it comes with the test extra)")
    pytest.skip(f"{what} is missing: pip install -e '.[test]'")


def shipped_files() -> list[Path]:
    """Every file under deploy/ that the kit wrote (the vendored chart is checked by values)."""
    chart = DEPLOY / "z2jh" / "chart"
    return sorted(p for p in DEPLOY.rglob("*") if p.is_file() and chart not in p.parents)


SECRET_PATTERNS = [
    re.compile(r"\b[0-9a-f]{32,}\b"),  # openssl rand -hex 32 and the like
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"),  # GitHub tokens
    re.compile(
        r"(client_secret|cookie_secret|secretToken|api_token|auth_token|password)"
        r"\s*[:=]\s*[\"']?[A-Za-z0-9+/_\-]{12,}",
        re.IGNORECASE,
    ),
]


def test_deploy_holds_the_recipes():
    names = {p.relative_to(DEPLOY).as_posix() for p in shipped_files()}
    for needed in (
        "tljh/config.yaml",
        "tljh/jupyterhub_config.d/backprop_kit.py",
        "local/jupyterhub_config.py",
        "nbgrader/nbgrader_config.py",
        "nbgrader/course_nbgrader_config.py",
        "z2jh/config.yaml",
    ):
        assert needed in names
    for kept in ("LICENSE", "SOURCE.md", "jupyterhub/Chart.yaml", "jupyterhub/values.schema.yaml"):
        assert (DEPLOY / "z2jh" / "chart" / kept).exists(), kept
    assert "BSD" in (DEPLOY / "z2jh" / "chart" / "LICENSE").read_text()


@pytest.mark.parametrize("path", shipped_files(), ids=lambda p: p.relative_to(DEPLOY).as_posix())
def test_no_shipped_recipe_lets_anyone_in_or_holds_a_secret(path: Path):
    text = path.read_text()
    assert not re.search(r"dummy", text, re.IGNORECASE), "the dummy authenticator is for tests"
    assert not re.search(r"allow_?all", text, re.IGNORECASE), "allow_all is for tests"
    for pattern in SECRET_PATTERNS:
        assert not pattern.search(text), f"looks like a committed secret: {pattern.pattern}"
    if path.suffix == ".py":
        ast.parse(text, str(path))
    if path.suffix in (".yaml", ".yml"):
        assert isinstance(yaml.safe_load(text), dict)


def test_the_local_recipe_uses_real_unix_users():
    text = (DEPLOY / "local" / "jupyterhub_config.py").read_text()
    assert 'authenticator_class = "pam"' in text and 'spawner_class = "localprocess"' in text
    tljh = yaml.safe_load((DEPLOY / "tljh" / "config.yaml").read_text())
    assert tljh["auth"]["type"].startswith(("oauthenticator.", "ltiauthenticator."))
    assert tljh["services"]["cull"]["enabled"] is True


def z2jh_values() -> dict:
    return yaml.safe_load(Z2JH_CONFIG.read_text())


def test_z2jh_values_override_the_charts_dummy_authenticator():
    chart_defaults = yaml.safe_load((CHART / "values.yaml").read_text())
    assert chart_defaults["hub"]["config"]["JupyterHub"]["authenticator_class"] == "dummy"
    values = z2jh_values()
    hub = values["hub"]["config"]
    assert hub["JupyterHub"]["authenticator_class"] not in ("dummy", "null", "simple")
    assert "allow_all" not in json.dumps(values).lower()
    assert hub["GitHubOAuthenticator"]["allowed_organizations"]
    single = values["singleuser"]
    assert single["defaultUrl"].endswith("/00_index.ipynb")
    assert single["memory"]["guarantee"] and single["memory"]["limit"]
    assert values["cull"]["enabled"] is True


@pytest.fixture(scope="module")
def helm():
    try:
        import helm_python
    except ImportError:
        _missing("helm-python-sdk")
    return helm_python


@pytest.fixture(scope="module")
def chart_dir(tmp_path_factory) -> Path:
    """The kept chart, with values.schema.yaml turned into the values.schema.json Helm reads."""
    copy = tmp_path_factory.mktemp("chart") / "jupyterhub"
    shutil.copytree(CHART, copy)
    schema = yaml.safe_load((copy / "values.schema.yaml").read_text())
    (copy / "values.schema.json").write_text(json.dumps(schema))
    return copy


@pytest.mark.slow
def test_z2jh_config_renders_and_lints_against_the_kept_chart(helm, chart_dir):
    values = z2jh_values()
    chart = helm.Chart.load(chart_dir)
    assert chart.metadata["appVersion"] == "5.5.0"
    chart.validate_schema(values)
    manifests = chart.render(values, name="course", namespace="course", is_install=True)
    docs = [
        d
        for path, text in manifests.items()
        if path.endswith((".yaml", ".yml"))
        for d in yaml.safe_load_all(text)
        if isinstance(d, dict) and d.get("kind")
    ]
    kinds = {d["kind"] for d in docs}
    assert {"Deployment", "Service", "Secret", "ConfigMap"} <= kinds, kinds
    assert len(docs) >= 20
    merged = chart.merge_values(values)
    assert merged["hub"]["config"]["JupyterHub"]["authenticator_class"] == "github"
    report = helm.lint(str(chart_dir), values, kube_version=KUBE_VERSION)
    errors = [m for m in report["messages"] if m["severity"] >= 3] + report.get("errors", [])
    assert not errors, errors


@pytest.mark.slow
def test_the_charts_schema_refuses_a_mistyped_key(helm, chart_dir):
    values = z2jh_values()
    values["singleuser"]["memroy"] = values["singleuser"].pop("memory")
    chart = helm.Chart.load(chart_dir)
    with pytest.raises(helm.HelmValuesError, match="memroy"):
        chart.validate_schema(values)


@pytest.mark.slow
def test_repo2docker_writes_a_dockerfile_that_installs_the_kit(tmp_path):
    repo2docker = Path(sys.executable).with_name("repo2docker")
    if not repo2docker.exists():
        _missing("jupyter-repo2docker")
    out = subprocess.run(
        [
            str(repo2docker),
            "--no-build",
            "--debug",
            "--target-repo-dir",
            "/srv/backprop-kit",
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    text = out.stdout + out.stderr
    assert out.returncode == 0, text[-3000:]
    assert "FROM " in text and "environment.yml" in text, text[-3000:]
    # --target-repo-dir reaches the build as the REPO_DIR build argument
    assert "RUN ./postBuild" in text and "WORKDIR ${REPO_DIR}" in text, text[-3000:]
    assert "pip install --no-deps -e ." in (ROOT / "postBuild").read_text()
