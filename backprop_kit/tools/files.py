"""Never lose a file: every tool writes a temporary file or folder beside its target, then
renames it into place (:func:`write_text`, :func:`new_folder`). A folder is replaced only if it
is new, empty or made by the same tool: its :data:`MARK` file lists what the tool wrote."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

MARK = ".backprop-kit"
CHECKPOINTS = ".ipynb_checkpoints"  # JupyterLab's copies, made again whenever it saves


class ToolError(Exception):
    """Why a tool stopped, in one line; nothing was written."""


def write_text(path: Path, text: str, before_replace: Callable[[], None] | None = None) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file and a rename, keeping its
    permission bits; ``before_replace`` runs just before the rename (if it raises, nothing is)."""
    path, tmp = Path(os.path.realpath(path)), ""  # a symlink: write its target, keep the link
    try:
        _sweep(path.parent, f".{path.name}.*.tmp")
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask())
        if before_replace is not None:
            before_replace()
        os.replace(tmp, path)
    except OSError as err:
        raise ToolError(f"cannot write {path}: {err.strerror or err}") from None
    finally:
        if tmp:
            Path(tmp).unlink(missing_ok=True)


STALE_SECONDS = 600  # a temporary file or folder this old was left by a killed run


def _sweep(folder: Path, pattern: str) -> None:
    """Remove what killed runs left in ``folder`` (names matching ``pattern``, old enough not
    to be another run's work in progress)."""
    now = time.time()
    for left in folder.glob(pattern):
        try:
            if now - left.lstat().st_mtime > STALE_SECONDS and not left.is_symlink():
                shutil.rmtree(left) if left.is_dir() else left.unlink()
        except OSError:
            pass  # not ours to remove after all: leave it


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2``); False where that is not offered."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [
        ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint
    ]  # fmt: skip
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def replace_folder(tmp: Path, dest: Path) -> None:
    """Put the finished folder ``tmp`` at ``dest`` (same parent); the old ``dest`` goes."""
    if not dest.exists():
        os.rename(tmp, dest)
    elif _exchange(tmp, dest):
        shutil.rmtree(tmp)  # now the old folder
    else:  # two renames: a kill between them leaves the old folder beside DEST, named .old-*
        old = dest.with_name(f".{dest.name}.old-{os.getpid()}")
        os.rename(dest, old)
        os.rename(tmp, dest)
        shutil.rmtree(old)


def _files(folder: Path) -> list[str]:
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if not p.is_dir() and CHECKPOINTS not in p.relative_to(folder).parts
    )


def check_ours(dest: Path, tool: str, src: Path | None = None) -> None:
    """A :class:`ToolError` unless ``tool`` may replace ``dest``: new, empty, or holding only
    what ``tool`` wrote there last time (its :data:`MARK` lists it), and not holding ``src``."""
    if src is not None and Path(src).resolve().is_relative_to(dest.resolve()):
        raise ToolError(f"{dest} holds the notebooks of {src}; choose a folder outside it")
    if dest.is_symlink():
        raise ToolError(f"{dest} is a symbolic link; give a real folder")
    if not dest.exists():
        above = next(p for p in dest.absolute().parents if p.exists())
        if not above.is_dir():
            raise ToolError(f"{dest}: {above} is a file, not a folder")
        return
    if not dest.is_dir():
        raise ToolError(f"{dest} is a file, not a folder")
    if not [p for p in dest.iterdir() if p.name != CHECKPOINTS]:
        return
    mark = dest / MARK
    lines = mark.read_text(encoding="utf-8").split("\n") if mark.is_file() else [""]
    if not lines[0].startswith(f"made by backprop-kit {tool};"):
        raise ToolError(
            f"{dest} holds files that backprop-kit {tool} did not make (it has no {MARK} file "
            "of its own); choose a new or empty folder"
        )
    extra = sorted(set(_files(dest)) - set(lines[1:]) - {MARK})
    if extra:
        more = f" and {len(extra) - 1} more" if len(extra) > 1 else ""
        raise ToolError(
            f"{dest} holds {extra[0]}{more}, which backprop-kit {tool} did not write; "
            "move it out or choose another folder"
        )


@contextmanager
def new_folder(dest: Path, tool: str, src: Path | None = None) -> Iterator[Path]:
    """``with new_folder(dest, tool) as tmp:`` fill ``tmp``, which then replaces ``dest`` whole
    (after :func:`check_ours`); if the block raises, ``dest`` is untouched."""
    dest = Path(dest)
    check_ours(dest, tool, src)
    tmp = None
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        _sweep(dest.parent, f".{dest.name}.partial-*")
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.partial-", dir=dest.parent))
        yield tmp
        listed = "".join(f"{name}\n" for name in _files(tmp))
        (tmp / MARK).write_text(
            f"made by backprop-kit {tool}; it replaces this folder whole and stops at a file "
            f"not listed here\n{listed}",
            encoding="utf-8",
        )
        os.chmod(tmp, 0o777 & ~_umask())
        replace_folder(tmp, dest)
    except (OSError, ToolError) as err:  # named by DEST, not by the hidden temporary folder
        why = err if isinstance(err, ToolError) else f"cannot write {err.filename or dest}: "
        why = f"{why}{'' if isinstance(err, ToolError) else err.strerror or err}"
        raise ToolError(
            f"{why}; {dest} left as it was".replace(str(tmp or dest), str(dest))
        ) from None
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
