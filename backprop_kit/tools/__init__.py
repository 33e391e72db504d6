"""The instructor tools behind one command, ``backprop-kit`` (or ``python -m backprop_kit``):
``backprop-kit COMMAND`` what it reads, then where it writes (always named), then switches. A
problem is one line on stderr and exit status 2, with nothing written."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from backprop_kit.tools.files import ToolError

INSTRUCTOR = {"nbformat", "nbclient", "nbconvert", "nbgrader"}  # the ``instructor`` extra
EXAMPLES = """\
examples, from the kit's folder:
  backprop-kit student notebooks notebooks/learner --learner
  backprop-kit student notebooks student
  backprop-kit grade notebooks --check
  backprop-kit rerun notebooks/02_chain_rule.ipynb
  backprop-kit site notebooks/learner site
  backprop-kit figures notebooks/figures"""
ARGUMENTS = {  # one meaning for each name, in every subcommand
    "SRC": "folder of notebooks to read (DEST may lie inside it: it is not read)",
    "DEST": "folder to write, replaced whole: new, empty, or made by this command",
    "FOLDER": "folder of instructor notebooks",
    "NOTEBOOK...": "notebooks to run, e.g. notebooks/*.ipynb",
    "--learner": "the learner edition: each solution folded after its exercise, no other files",
    "--check": "write nothing; exit 1 if a notebook needs marks",
}
COMMANDS = {
    "student": "SRC DEST --learner: write the student edition of the notebooks in SRC: each "
    "region between '### BEGIN SOLUTION' and '### END SOLUTION' becomes 'raise "
    "NotImplementedError()'; exercise outputs and nbgrader's test cells go",
    "grade": "FOLDER --check: write nbgrader's marks into the notebooks in FOLDER: solution-cell "
    "metadata and a locked autograder test cell after each exercise's check",
    "rerun": "NOTEBOOK...: re-execute notebooks in a fresh kernel and store their outputs",
    "site": "SRC DEST: a static web site, one page per notebook, pictures embedded",
    "figures": "DEST: the notes' three circuit figures as SVG and PNG",
}


def parser() -> argparse.ArgumentParser:
    """The command line: one subcommand per tool, ``backprop-kit NAME READ WRITE --switch``."""
    top = argparse.ArgumentParser(
        prog="backprop-kit",
        description="The instructor tools of backprop-kit. A folder a tool writes is replaced\n"
        "whole, and only if it is new, empty or made by that tool.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, text in COMMANDS.items():
        args, summary = text.split(": ", 1)
        p = sub.add_parser(name, help=summary, description=summary[0].upper() + summary[1:] + ".")
        for arg in args.split():
            if arg.startswith("--"):
                p.add_argument(arg, action="store_true", help=ARGUMENTS[arg])
            else:  # NOTEBOOK... is args.notebooks
                dest, many = arg.lower().replace("...", "s"), arg.endswith("...")
                p.add_argument(
                    dest, metavar=arg.rstrip("."), type=Path, nargs="+" if many else None,
                    help=ARGUMENTS[arg],
                )  # fmt: skip
    return top


def main(argv: list[str] | None = None) -> int:
    """Run ``backprop-kit`` with ``argv``; return the exit status."""
    args = parser().parse_args(argv)
    module = {"grade": "grading"}.get(args.command, args.command)
    try:
        return int(importlib.import_module(f"backprop_kit.tools.{module}").run(args))
    except ModuleNotFoundError as err:
        if (err.name or "").split(".")[0] not in INSTRUCTOR:
            raise
        print(
            f"backprop-kit {args.command}: needs {err.name}, one of the instructor tools: "
            "pip install 'backprop-kit[instructor]'",
            file=sys.stderr,
        )
    except ToolError as err:
        print(f"backprop-kit {args.command}: {err}", file=sys.stderr)
    return 2
