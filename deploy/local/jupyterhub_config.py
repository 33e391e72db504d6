"""A course hub on one machine without TLJH: real Unix users log in with their passwords.

    sudo mkdir -p /srv/jupyterhub && sudo chmod 700 /srv/jupyterhub
    printf '%s\\n' ada bo > /srv/jupyterhub/learners.txt        # who may log in
    sudo jupyterhub -f deploy/local/jupyterhub_config.py

JupyterHub's PAM authenticator checks each person's Unix password, and each learner's server
runs as that Unix user (so nbgrader's exchange can tell them apart). Only the names in
``learners.txt`` and ``instructors.txt`` (same folder) get in. It listens on 127.0.0.1:8000:
put it behind HTTPS (a reverse proxy) before anyone else uses it. The cookie secret is made
on first start; the proxy's token is new at each start. docs/deploy.md walks through it.
"""

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub's config loader provides it)
here = Path(__file__).resolve().parent
load_subconfig(str(here.parent / "tljh" / "jupyterhub_config.d" / "backprop_kit.py"))  # noqa: F821

state = Path(os.environ.get("BACKPROP_KIT_HUB_STATE", "/srv/jupyterhub"))


def _names(path: Path) -> set[str]:
    """User names, one a line (# starts a comment); none when the file is missing."""
    if not path.exists():
        return set()
    lines = (ln.split("#", 1)[0].strip() for ln in path.read_text().splitlines())
    return {ln for ln in lines if ln}


c.JupyterHub.bind_url = os.environ.get("BACKPROP_KIT_HUB_URL", "http://127.0.0.1:8000")
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.admin_users = _names(state / "instructors.txt")
c.Authenticator.allowed_users = _names(state / "learners.txt") | c.Authenticator.admin_users
c.JupyterHub.spawner_class = "localprocess"
# the learners' servers run the hub's own environment (it holds the kit and nbgrader): it must
# be readable and executable by them (docs/deploy.md: /opt/backprop-kit/venv)
c.Spawner.cmd = [str(Path(sys.executable).with_name("jupyterhub-singleuser"))]
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
chp = os.environ.get("BACKPROP_KIT_CHP")  # configurable-http-proxy, if not on PATH
if chp:
    c.ConfigurableHTTPProxy.command = [chp]
