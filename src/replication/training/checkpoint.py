"""Checkpoints of long runs: a pytree of arrays plus JSON metadata, in one file written atomically.

Format: an ``.npz`` archive whose entry ``__meta__`` holds the metadata (a JSON object, with a ``fingerprint`` of the
run it belongs to, a sha256 of every array and one of the metadata itself). :func:`load_checkpoint` returns ``None``
for a missing file, and raises :class:`CheckpointError` for a damaged one or one of another run; the engine then sets
it aside (:func:`replication.core.atomic.set_aside`) and starts afresh, saying so, so a checkpoint can cost time but
never change a result.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path

import jax
import numpy as np

from replication.core.atomic import atomic_write_bytes

__all__ = ["CheckpointError", "save_checkpoint", "load_checkpoint", "fingerprint", "tree_to_arrays", "arrays_to_tree"]


class CheckpointError(ValueError):
    """A checkpoint that cannot be used (damaged, or of another run); ``reason`` says why without the file's name."""

    def __init__(self, name: str, reason: str):
        super().__init__(f"checkpoint {name} {reason}")
        self.reason = reason


def _digest(a: np.ndarray) -> str:
    a = np.ascontiguousarray(a)
    return hashlib.sha256(str((a.dtype.str, a.shape)).encode() + a.tobytes()).hexdigest()


def fingerprint(*parts) -> str:
    """sha256 of ``parts``: arrays by dtype, shape and bytes; anything else by its JSON (or repr)."""
    h = hashlib.sha256()
    for part in parts:
        for leaf in jax.tree.leaves(part):
            if isinstance(leaf, (np.ndarray, jax.Array)):
                h.update(_digest(np.asarray(leaf)).encode())
            else:
                h.update(json.dumps(leaf, sort_keys=True, default=repr).encode())
    return h.hexdigest()[:24]


def tree_to_arrays(prefix: str, tree) -> dict[str, np.ndarray]:
    return {f"{prefix}/{i}": np.asarray(leaf) for i, leaf in enumerate(jax.tree.leaves(tree))}


def arrays_to_tree(prefix: str, arrays: dict[str, np.ndarray], like):
    """Rebuild a pytree shaped like ``like`` from ``tree_to_arrays(prefix, ...)``; shapes must match."""
    leaves, treedef = jax.tree.flatten(like)
    out = []
    for i, ref in enumerate(leaves):
        key = f"{prefix}/{i}"
        if key not in arrays or np.shape(arrays[key]) != np.shape(ref):
            raise CheckpointError(f"entry {key}", "is missing or has the wrong shape")
        out.append(arrays[key])
    return jax.tree.unflatten(treedef, out)


def _meta_digest(meta: dict) -> str:
    return hashlib.sha256(json.dumps(meta, sort_keys=True).encode()).hexdigest()


def save_checkpoint(path: str | os.PathLike, meta: dict, arrays: dict[str, np.ndarray]) -> Path:
    """Write ``arrays`` and ``meta`` to ``path`` atomically (a reader sees the old checkpoint or the new one)."""
    arrays = {k: np.asarray(v) for k, v in arrays.items()}
    meta = {k: v for k, v in meta.items() if k != "meta_digest"}  # (a loaded meta, saved again: a fresh digest)
    meta["digests"] = {k: _digest(v) for k, v in arrays.items()}
    meta["meta_digest"] = _meta_digest(meta)
    buf = io.BytesIO()
    np.savez(buf, __meta__=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8), **arrays)
    return atomic_write_bytes(path, buf.getvalue())


def load_checkpoint(path: str | os.PathLike, expected_fingerprint: str) -> tuple[dict, dict[str, np.ndarray]] | None:
    """(meta, arrays) of the checkpoint at ``path``; ``None`` if there is none. Raises :class:`CheckpointError` if it
    is unreadable, not a checkpoint's shape, fails its checksums (arrays or metadata), or belongs to another run
    (another fingerprint)."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        meta = json.loads(arrays.pop("__meta__").tobytes().decode())
    except Exception as err:  # noqa: BLE001 -- any read failure means: do not use it
        raise CheckpointError(path.name, f"is unreadable ({type(err).__name__}: {err})") from err
    if not isinstance(meta, dict) or not isinstance(meta.get("digests"), dict):
        raise CheckpointError(path.name, "is damaged (its metadata is not a checkpoint's)")
    if meta.pop("meta_digest", None) != _meta_digest(meta):
        raise CheckpointError(path.name, "fails its checksum (metadata)")
    if meta.get("fingerprint") != expected_fingerprint:
        raise CheckpointError(path.name, "belongs to another run")
    digests = meta["digests"]
    if set(digests) != set(arrays) or any(_digest(arrays[k]) != d for k, d in digests.items()):
        raise CheckpointError(path.name, "fails its checksum")
    return meta, arrays
