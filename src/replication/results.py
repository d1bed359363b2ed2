"""Results on disk: atomic JSON writes, and the headline numbers (paper vs ours) the landing page collects.

Layout: ``$REPLICATION_RESULTS/<preset>/headlines/<chapter>.json`` (default root: ``./results``).
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

from .atomic import atomic_write_bytes
from .presets import check_preset
from .provenance import Provenance

__all__ = ["results_root", "write_json_atomic", "read_json", "record_headline", "load_headlines"]


def results_root(root: str | os.PathLike | None = None) -> Path:
    return Path(root or os.environ.get("REPLICATION_RESULTS") or "results").expanduser()


def write_json_atomic(path: str | os.PathLike, obj) -> Path:
    """Write ``obj`` as JSON to ``path`` atomically: readers never see half a file, and a value that cannot be
    serialized leaves the old file untouched."""
    text = json.dumps(obj, indent=2, sort_keys=True, allow_nan=False) + "\n"
    return atomic_write_bytes(path, text.encode())


def read_json(path: str | os.PathLike):
    with open(path) as f:
        return json.load(f)


def _json_number(value):
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # "nan" / "inf": recorded, never silently dropped
    return value


def record_headline(chapter: str, key: str, ours, *, provenance: Provenance, paper: str, label: str,
                    root: str | os.PathLike | None = None) -> Path:
    """Record one headline number of ``chapter`` (e.g. the fitted t* exponent) beside the paper's value."""
    path = results_root(root) / check_preset(provenance.preset) / "headlines" / f"{chapter}.json"
    current = read_json(path) if path.exists() else {}
    current[key] = {"ours": _json_number(ours), "paper": paper, "label": label, "chapter": chapter,
                    "provenance": provenance.to_dict()}
    return write_json_atomic(path, current)


def load_headlines(preset: str, root: str | os.PathLike | None = None) -> dict[str, dict]:
    """All headline numbers recorded at ``preset``, keyed by headline key."""
    folder = results_root(root) / check_preset(preset) / "headlines"
    out: dict[str, dict] = {}
    for path in sorted(folder.glob("*.json")) if folder.exists() else []:
        out.update(read_json(path))
    return out
