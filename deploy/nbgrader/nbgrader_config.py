"""nbgrader's exchange for a backprop-kit course: the global config every user reads.

Install in the learners' environment, as ENV/etc/jupyter/nbgrader_config.py (or
/etc/jupyter/; TLJH: /opt/tljh/user/etc/jupyter/), then create
the exchange once, as root:

    mkdir -p /srv/nbgrader/exchange && chmod 1777 /srv/nbgrader/exchange

Learners fetch, submit and fetch feedback with it; the instructor releases, collects and
releases feedback. nbgrader keeps submissions apart by Unix user: each learner needs their own
(TLJH and the local recipe do that; Zero to JupyterHub mounts this file through its
config.yaml). docs/deploy.md says what else keeps one learner out of another's work.
"""

c = get_config()  # noqa: F821 (nbgrader's config loader provides it)

c.CourseDirectory.course_id = "backprop-kit"
c.Exchange.root = "/srv/nbgrader/exchange"
# A random part in every submission's folder name (nbgrader's default, kept on purpose): the
# inbound folder cannot be listed, and a name cannot be guessed.
c.ExchangeSubmit.add_random_string = True
