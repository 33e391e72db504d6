"""backprop-kit's hub settings, shared by every single-server recipe.

The Littlest JupyterHub loads every ``*.py`` in ``/opt/tljh/config/jupyterhub_config.d/``
after its own settings (``config.yaml``); ``deploy/local/jupyterhub_config.py`` loads this
file too. Nothing here authenticates anyone: that is TLJH's ``auth`` setting (config.yaml) or
the local recipe's PAM authenticator. See docs/deploy.md.
"""

c = get_config()  # noqa: F821 (JupyterHub's config loader provides it)

# Learners land on the course index. The chapters reach each home as ~/backprop-kit/
# (copied from /etc/skel/backprop-kit/ when the user is created; docs/deploy.md).
c.Spawner.default_url = "/lab/tree/backprop-kit/00_index.ipynb"

# A learner's server was ready ~6 s after login on an idle 2-core machine; a class logging in
# at once queues. Generous start-up limits, and at most 10 servers starting at a time.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 120
c.JupyterHub.concurrent_spawn_limit = 10

# Keep the state the hub makes (database, cookie secret) out of any checkout; the cookie
# secret is generated there on first start (or by `openssl rand -hex 32`), never committed.
c.JupyterHub.cookie_secret_file = "/srv/jupyterhub/jupyterhub_cookie_secret"
c.JupyterHub.db_url = "sqlite:////srv/jupyterhub/jupyterhub.sqlite"
