"""Instructor tools, behind one command: editions, grading, site, rerun, figures."""
