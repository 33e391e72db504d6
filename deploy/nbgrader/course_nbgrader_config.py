"""The instructor's course folder: copy to ~/course/nbgrader_config.py.

The course id and the exchange come from the global config (nbgrader_config.py beside this
file, installed in the environment's etc/jupyter/). Run nbgrader from ~/course.
"""

from pathlib import Path

from backprop_kit.grading import release_preprocessors

c = get_config()  # noqa: F821 (nbgrader's config loader provides it)

# the folder this file is in (an absolute path; "." makes nbgrader warn at every command)
c.CourseDirectory.root = str(Path(__file__).resolve().parent)
# keep the circuit pictures in the release; clear only the exercise cells
c.GenerateAssignment.preprocessors = release_preprocessors()
