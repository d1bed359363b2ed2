"""Results on disk: atomic JSON writes, and the headline numbers (paper vs ours) the landing page collects.

Layout: ``$REPLICATION_RESULTS/<preset>/headlines/<chapter>.json`` and ``.../<preset>/runs/<name>-<key>.json``
(default root: ``./results``).

:func:`cached_result` is the result store: a run is keyed by the hash of its full configuration and of the code
version, stored with its provenance and a checksum of its payload; a damaged file is recomputed, never used.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Callable
from pathlib import Path

from .atomic import atomic_write_bytes
from .presets import check_preset
from .provenance import Provenance

__all__ = ["results_root", "write_json_atomic", "read_json", "record_headline", "load_headlines", "config_key",
           "code_version", "cached_result"]

# Modules whose source decides what a stored run contains: a change to any of them invalidates stored runs.
_CODE_MODULES = ("train", "autol2", "augment", "models", "convnets", "data", "analysis", "finite_width", "theory")


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


def code_version() -> str:
    """sha256 (first 16 hex) of the package version and the source of the modules that produce stored runs."""
    from importlib import import_module

    from . import __version__

    h = hashlib.sha256(__version__.encode())
    for name in _CODE_MODULES:
        module = import_module(f"{__package__}.{name}")
        h.update(Path(module.__file__).read_bytes())
    return h.hexdigest()[:16]


def config_key(config: dict) -> str:
    """sha256 (first 16 hex) of the canonical JSON of ``config`` plus :func:`code_version`."""
    text = json.dumps(config, sort_keys=True, default=str)
    return hashlib.sha256((text + code_version()).encode()).hexdigest()[:16]


def _payload_checksum(payload) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, allow_nan=False).encode()).hexdigest()


def cached_result(name: str, config: dict, compute: Callable[[], dict], *, preset: str,
                  root: str | os.PathLike | None = None, log=print) -> dict:
    """Return the stored payload of run ``name`` with exactly ``config`` (and this code version), or compute it
    with ``compute()``, store it atomically and return it. A stored file that is truncated, unreadable or whose
    checksum does not match is reported through ``log`` and recomputed. The provenance of the computation (preset,
    device, wall time of ``compute``) is stored beside the payload; the returned dict holds ``payload``,
    ``provenance`` (a :class:`Provenance`, the original computation's even when reused), ``reused`` and ``path``."""
    check_preset(preset)
    key = config_key(config)
    path = results_root(root) / preset / "runs" / f"{name}-{key}.json"
    if path.exists():
        try:
            stored = read_json(path)
            if stored.get("checksum") != _payload_checksum(stored["payload"]) or stored.get("config_key") != key:
                raise ValueError("checksum mismatch")
            return {"payload": stored["payload"], "provenance": Provenance.from_dict(stored["provenance"]),
                    "reused": True, "path": str(path)}
        except (ValueError, KeyError, TypeError, json.JSONDecodeError) as err:
            log(f"stored result {path.name} is damaged ({err}); recomputing it")
    from .provenance import Stopwatch

    with Stopwatch(preset) as clock:
        payload = compute()
    prov = clock.provenance
    write_json_atomic(path, {"name": name, "config": config, "config_key": key, "code_version": code_version(),
                             "payload": payload, "checksum": _payload_checksum(payload), "provenance": prov.to_dict()})
    return {"payload": payload, "provenance": prov, "reused": False, "path": str(path)}
