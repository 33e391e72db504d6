"""The instructor's course folder: copy to ~/course/nbgrader_config.py.

The course id and the exchange come from the global config (nbgrader_config.py beside this
file, installed in /etc/jupyter/). Run nbgrader from ~/course.
"""

from backprop_kit.grading import release_preprocessors

c = get_config()  # noqa: F821 (nbgrader's config loader provides it)

c.CourseDirectory.root = "."
# keep the circuit pictures in the release; clear only the exercise cells
c.GenerateAssignment.preprocessors = release_preprocessors()
