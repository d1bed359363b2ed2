"""The result store: atomic JSON files under ``$REPLICATION_RESULTS/<preset>/runs/<name>-<key>.json`` (default root:
``results/`` in the project's checkout, :func:`results_root`).

:func:`cached_result` keys a run by the canonical JSON of its configuration and by the :func:`code_key` of the
function that computes it, and stores it with its provenance and a checksum of its payload. A stored run is reused
only when both are the same. Before a stored file is used it is verified: its shape (a dict with a dict payload and a
provenance), its checksum, and its name, config, preset and code key against the request. A damaged or foreign file
is named in one line through ``log``, set aside (:func:`replication.core.atomic.set_aside`) and recomputed, never
used and never a crash.

With ``$REPLICATION_REFUSE_TRAINING`` set (to anything but empty or 0), a result that is not stored is an error
(:class:`TrainingRefused`) instead of a computation: `.ci/run` builds the smoke book that way after
``make headless CH=all``, which proves the headless runner stores everything the book reads.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
from collections.abc import Callable
from pathlib import Path

from replication.core.atomic import atomic_write_bytes, set_aside
from replication.core.presets import check_preset
from replication.core.provenance import Provenance, Stopwatch
from replication.experiments.code_key import CodeKey, code_key

__all__ = [
    "results_root",
    "write_json_atomic",
    "read_json",
    "json_number",
    "config_key",
    "cached_result",
    "StoredResult",
    "REFUSE_TRAINING",
    "TrainingRefused",
    "run_path",
]


def results_root(root: str | os.PathLike | None = None) -> Path:
    """The results folder: ``root``, else ``$REPLICATION_RESULTS``, else ``results/`` in the project (never the
    current folder, so a chapter run from elsewhere finds and writes the same results)."""
    from replication.core.project import project_root

    if root or os.environ.get("REPLICATION_RESULTS"):
        return Path(root or os.environ["REPLICATION_RESULTS"]).expanduser()
    return project_root() / "results"


def write_json_atomic(path: str | os.PathLike, obj) -> Path:
    """Write ``obj`` as JSON to ``path`` atomically: readers never see half a file, and a value that cannot be
    serialized leaves the old file untouched."""
    text = json.dumps(obj, indent=2, sort_keys=True, allow_nan=False) + "\n"
    return atomic_write_bytes(path, text.encode())


def read_json(path: str | os.PathLike):
    with open(path) as f:
        return json.load(f)


def json_number(value):
    """``value`` for strict JSON: non-finite floats as the strings "nan"/"inf" (recorded, never silently dropped)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _canonical(config) -> str:
    return json.dumps(config, sort_keys=True, default=str)


def config_key(config: dict, code: CodeKey | str) -> str:
    """sha256 (first 16 hex) of the canonical JSON of ``config`` and the key of the code that computes it (a
    :class:`CodeKey` or its ``key``)."""
    key = code if isinstance(code, str) else code.key
    return hashlib.sha256((_canonical(config) + key).encode()).hexdigest()[:16]


def _payload_checksum(payload) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, allow_nan=False).encode()).hexdigest()


REFUSE_TRAINING = "REPLICATION_REFUSE_TRAINING"


class TrainingRefused(RuntimeError):
    """A result was not stored and ``$REPLICATION_REFUSE_TRAINING`` forbids computing it."""


@dataclasses.dataclass(frozen=True)
class StoredResult:
    """A payload and how it was made: ``provenance`` (the original computation's, also when reused), whether it was
    ``reused`` from the store, and the file it lives in."""

    payload: dict
    provenance: Provenance
    reused: bool
    path: str


class _Unusable(Exception):
    """A stored file that must not be used; the message says why (``is damaged (...)``, ``is foreign (...)``)."""


def _verified(stored, name: str, config: dict, key: CodeKey, ckey: str, preset: str) -> tuple[dict, Provenance]:
    """(payload, provenance) of the stored run ``stored`` if it is whole and the one requested; else raise."""
    if not isinstance(stored, dict):
        raise _Unusable(f"is damaged (a JSON {type(stored).__name__}, not a stored run)")
    payload, prov = stored.get("payload"), stored.get("provenance")
    if not isinstance(payload, dict) or not isinstance(prov, dict):
        raise _Unusable("is damaged (its payload or provenance is missing or not a JSON object)")
    if stored.get("checksum") != _payload_checksum(payload):
        raise _Unusable("is damaged (checksum mismatch)")
    try:
        provenance = Provenance.from_dict(prov)
    except (TypeError, ValueError) as err:
        raise _Unusable(f"is damaged (its provenance: {err})") from err
    for field, stored_value, requested in (
        ("name", stored.get("name"), name),
        ("config", _canonical(stored.get("config")) if "config" in stored else None, _canonical(config)),
        ("config_key", stored.get("config_key"), ckey),
        ("code_key", stored.get("code_key"), key.key),
        ("preset", provenance.preset, preset),
    ):
        if stored_value != requested:
            raise _Unusable(f"is foreign (its {field} differs from the request)")
    return payload, provenance


def run_path(name: str, config: dict, code: CodeKey, *, preset: str, root=None, kind: str = "runs") -> Path:
    """Where the run ``name`` with ``config`` and ``code`` is stored (``kind="checkpoints"``: its checkpoint)."""
    suffix = ".json" if kind == "runs" else ".ckpt"
    return results_root(root) / check_preset(preset) / kind / f"{name}-{config_key(config, code)}{suffix}"


def cached_result(
    name: str,
    config: dict,
    compute: Callable[[], dict],
    *,
    preset: str,
    code: Callable | CodeKey,
    root: str | os.PathLike | None = None,
    log=print,
) -> StoredResult:
    """Return the stored payload of run ``name`` with exactly ``config`` and the same code, or compute it with
    ``compute()``, store it atomically and return it. ``code`` is the package function whose execution decides the
    payload (see :func:`replication.experiments.code_key.code_key`), or its key already computed. A stored file
    that is truncated, unreadable, of the wrong shape, fails its checksum, or holds another name, config, preset or
    code key than requested is named through ``log`` in one line, set aside and recomputed."""
    check_preset(preset)
    key = code if isinstance(code, CodeKey) else code_key(code)
    path = run_path(name, config, key, preset=preset, root=root)
    ckey = path.stem.rsplit("-", 1)[1]
    if path.exists():
        try:
            try:
                stored = read_json(path)
            except (OSError, ValueError) as err:  # ValueError: not JSON, or not UTF-8
                raise _Unusable(f"is damaged (unreadable: {type(err).__name__}: {err})") from err
            payload, provenance = _verified(stored, name, config, key, ckey, preset)
            return StoredResult(payload, provenance, True, str(path))
        except _Unusable as why:
            set_aside(path, str(why), log, kind="stored run")
    if os.environ.get(REFUSE_TRAINING, "") not in ("", "0"):
        raise TrainingRefused(
            f"{name} at {preset} is not stored ({path.name}) and {REFUSE_TRAINING} is set: it would be computed here"
        )
    with Stopwatch(preset) as clock:
        payload = compute()
    prov = clock.provenance
    write_json_atomic(
        path,
        {
            "name": name,
            "config": config,
            "config_key": ckey,
            "code_key": key.key,
            "code_definitions": list(key.definitions),
            "code_modules": list(key.modules),
            "code_parts": dict(key.parts),
            "payload": payload,
            "checksum": _payload_checksum(payload),
            "provenance": prov.to_dict(),
        },
    )
    return StoredResult(payload, prov, False, str(path))
