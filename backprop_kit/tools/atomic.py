"""Never lose a file: write beside the target, then rename into place.

- :func:`write_text` writes one file (a notebook) to a temporary file in the same folder and
  renames it over the target: killed half-way, the old file is still whole.
- :func:`new_folder` gives a temporary folder beside a destination folder; fill it, then
  :func:`replace_folder` moves it into place in one step (the old and new folders are swapped
  atomically on Linux, ``renameat2(RENAME_EXCHANGE)``), so the destination is either complete
  or untouched. On any failure the temporary folder is removed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


def write_text(path: Path, text: str, before_replace: Callable[[], None] | None = None) -> None:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``path`` through a temporary file beside it
    and a rename; the file keeps its permission bits.

    ``before_replace`` runs after the temporary file is complete and just before the rename;
    if it raises (e.g. because ``path`` changed on disk meanwhile), nothing is replaced, the
    temporary file is removed and the error propagates.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
        os.chmod(tmp, mode)
        if before_replace is not None:
            before_replace()
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``); False where
    the system or the file system does not offer it."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [
        ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint
    ]  # fmt: skip
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def replace_folder(tmp: Path, dest: Path) -> None:
    """Put the finished folder ``tmp`` at ``dest`` (both in the same parent folder); the old
    ``dest``, if any, is removed afterwards."""
    if not dest.exists():
        os.rename(tmp, dest)
    elif _exchange(tmp, dest):
        shutil.rmtree(tmp)  # now the old folder
    else:  # two renames: a kill between them leaves the old folder beside DEST, named .old-*
        old = dest.with_name(f".{dest.name}.old-{os.getpid()}")
        os.rename(dest, old)
        os.rename(tmp, dest)
        shutil.rmtree(old)


@contextmanager
def new_folder(dest: Path, keep_existing: bool = False) -> Iterator[Path]:
    """``with new_folder(dest) as tmp:`` fill ``tmp``; on leaving, ``tmp`` replaces ``dest``
    (:func:`replace_folder`). With ``keep_existing`` the files already in ``dest`` are copied
    into ``tmp`` first. If the block raises, ``tmp`` is removed and ``dest`` is untouched.
    ``OSError`` from creating ``tmp`` (a folder that cannot be written) reaches the caller."""
    dest = Path(dest)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.partial-", dir=dest.parent))
    try:
        if keep_existing and dest.is_dir():
            shutil.copytree(dest, tmp, symlinks=True, dirs_exist_ok=True)
        yield tmp
        os.chmod(tmp, 0o777 & ~_umask())
        replace_folder(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
