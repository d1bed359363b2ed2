"""Atomic file writes: a temporary file in the same folder, fsync, then ``os.replace``.

A reader (or a run killed mid-write) sees either the old file or the new one, never half of one. A stored file that
cannot be used (damaged, or of another run) is set aside by :func:`set_aside`, never deleted and never used.
"""

from __future__ import annotations

import datetime as _dt
import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write_bytes", "set_aside", "SET_ASIDE_SUFFIX"]

SET_ASIDE_SUFFIX = ".damaged-"  # X -> X.damaged-<UTC time>: globs such as *.json no longer see it


def atomic_write_bytes(path: str | os.PathLike, payload: bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def set_aside(path: str | os.PathLike, why: str, log=print, *, kind: str = "file", then: str = "") -> Path:
    """Rename the damaged or foreign file ``path`` (X) to ``X.damaged-<UTC %Y%m%dT%H%M%S%f>`` in its folder, kept
    for a look but no longer read, and say so through ``log`` in one line: the file, ``why`` it cannot be used, and
    that it was set aside and will be recomputed (``then``: how). Returns the new path. A file that is already gone
    (another process set it aside first) or cannot be renamed is only reported: never a crash."""
    path, why = Path(path), " ".join(str(why).split())  # one line, whatever the reason's text
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    target = path.with_name(f"{path.name}{SET_ASIDE_SUFFIX}{stamp}")
    try:
        os.replace(path, target)
        done = f"set aside as {target.name}"
    except FileNotFoundError:
        done = "already set aside"
    except OSError as err:  # e.g. a read-only folder: the recomputed file replaces it (or fails) later
        done = f"could not be set aside ({type(err).__name__}: {err})"
    log(f"{kind} {path} {why}: {done}; it will be recomputed{f' ({then})' if then else ''}")
    return target
