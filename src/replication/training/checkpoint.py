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
import time
from pathlib import Path
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from replication.core.atomic import atomic_write_bytes, set_aside
from replication.training.records import METRICS, History
from replication.training.sharding import Placement

__all__ = [
    "CheckpointError",
    "save_checkpoint",
    "load_checkpoint",
    "fingerprint",
    "tree_to_arrays",
    "arrays_to_tree",
    "GridCheckpoint",
    "Resumed",
]


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


def _records_to_arrays(records: list[dict]) -> dict[str, np.ndarray]:
    return {f"records/{k}": np.stack([np.asarray(r[k], dtype=np.float32) for r in records]) for k in METRICS}


def _arrays_to_records(arrays: dict[str, np.ndarray]) -> list[dict]:
    n = arrays["records/step"].shape[0]
    return [{k: arrays[f"records/{k}"][i] for k in METRICS} for i in range(n)]


class Resumed(NamedTuple):
    """Where a program stopped: its next chunk, its state (params, optimizer state, λ state; not yet placed on the
    devices), its evaluations so far and which of its runs are still finite."""

    chunk: int
    state: Any
    records: list[dict]
    alive: np.ndarray


class GridCheckpoint:
    """The checkpoint file of one grid (``path`` None: no checkpoint, and every method does nothing).

    It belongs to the call whose ``identity`` (any pytree: runs, spec, seed, data, initial parameters, code key)
    has the same :func:`fingerprint`; a damaged or foreign file is named through ``log`` and set aside. It holds the
    finished runs' histories, the program to resume and, mid-program, that program's state and evaluations."""

    def __init__(self, path, identity, *, seconds: float, log, placement: Placement = Placement()):
        self.path = None if path is None else Path(path)
        self.seconds, self.log, self.placement = seconds, log, placement
        self.key = None if self.path is None else fingerprint(*identity)
        self.meta: dict = {}
        self.arrays: dict[str, np.ndarray] = {}
        if self.path is not None:
            try:
                self.meta, self.arrays = load_checkpoint(self.path, self.key) or ({}, {})
            except CheckpointError as err:  # set aside (kept for a look, never read again) and named in one line
                set_aside(self.path, err.reason, log, kind="checkpoint", then="starting this grid afresh")
        self.last_save = time.monotonic()

    @property
    def first_program(self) -> int:
        """The program to start at (those before it are finished)."""
        return self.meta.get("bucket", 0)

    def finished(self) -> dict[int, History]:
        """The histories of the runs finished before the interruption, by run index."""
        return {int(i): History.from_json(h) for i, h in self.meta.get("done", {}).items()}

    def resume_chunk(self, index: int) -> int:
        """The chunk program ``index`` resumes at (0: it starts afresh)."""
        return self.meta.get("chunk", 0) if index == self.first_program else 0

    def resume(self, index: int, like) -> Resumed | None:
        """Program ``index``'s saved state (shaped like ``like``), or None if it starts afresh."""
        if self.resume_chunk(index) == 0:
            return None
        try:
            state = jax.tree.map(jnp.asarray, arrays_to_tree("state", self.arrays, like))
            records, alive = _arrays_to_records(self.arrays), self.arrays["alive"].astype(bool)
        except (CheckpointError, KeyError) as err:
            self.log(f"{err}; starting this bucket afresh")
            return None
        return Resumed(self.meta["chunk"], state, records, alive)

    def after_chunk(self, index: int, next_chunk: int, state, records, alive, done: dict[int, History]) -> None:
        """Mid-program: save if ``seconds`` have passed since the last save (several processes: process 0's clock
        decides, so that all of them take part in gathering the state)."""
        if self.path is not None and self.placement.agree(time.monotonic() - self.last_save >= self.seconds):
            self._write(index, next_chunk, self.placement.to_host(state), records, alive, done)

    def between_programs(self, next_index: int, first_record: dict, done: dict[int, History]) -> None:
        """After a program: save the finished histories; the next program starts at its first chunk."""
        if self.path is not None:
            self._write(next_index, 0, (), [first_record], np.ones(1, bool), done)

    def _write(self, index, next_chunk, state, records, alive, done) -> None:
        meta = dict(
            fingerprint=self.key, bucket=index, chunk=next_chunk, done={str(i): h.to_json() for i, h in done.items()}
        )
        arrays = {**tree_to_arrays("state", state), **_records_to_arrays(records), "alive": alive}
        save_checkpoint(self.path, meta, arrays)
        self.last_save = time.monotonic()

    def remove(self) -> None:
        """The grid is finished: delete the file."""
        if self.path is not None:
            self.path.unlink(missing_ok=True)
