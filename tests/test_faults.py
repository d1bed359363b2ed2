"""Fault injection: every way a run can be interrupted or a file damaged, and what must follow —
nothing is lost, nothing damaged is used, nothing is silently reused.

Faults injected here (each test names its own):
  1. SIGKILL right after a checkpoint, mid-bucket        → resume; history identical to an uninterrupted run
  2. SIGKILL right after the checkpoint between buckets   → resume; identical
  3. SIGKILL while a checkpoint is being written          → the previous checkpoint is used; identical
  4. a truncated checkpoint                               → reported, set aside, trained afresh; identical
  5. a checkpoint of another run (other η)                → reported, set aside; identical
  6. a checkpoint with a flipped byte, edited or non-object metadata → reported, set aside; identical
  7. SIGKILL while a stored result is being written       → no result file; next call computes, then reuses
  8. a bad or unknown papermill parameter (preset, seed, sed) → ValueError naming it, no JAX traceback
Related checks elsewhere: tests/test_store.py (a stored result with a changed value or truncated: recomputed),
tests/test_data.py (damaged MNIST wheel/cache; a CIFAR-10 file that is not the published one is refused before
unpickling), tests/test_train.py (a run that diverges mid-grid leaves the rest of the grid unchanged),
tests/test_presets_results.py (atomic write when writing fails).
"""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import numpy as np
import papermill
import pytest
from conftest import REPO

import replication

DRIVER = Path(__file__).with_name("fault_driver.py")
# the drivers import the replication package this test imports (a worktree's src, not the editable install's)
DRIVER_PATH = os.pathsep.join([str(DRIVER.parent), str(Path(replication.__file__).resolve().parents[1])])
pytestmark = pytest.mark.slow  # each test starts a process or a kernel


def drive(*args, expect_killed=False):
    env = dict(os.environ, PYTHONPATH=DRIVER_PATH)
    proc = subprocess.run(
        [sys.executable, str(DRIVER), *map(str, args)], capture_output=True, text=True, env=env, timeout=300
    )
    if expect_killed:
        assert proc.returncode == -9, (proc.returncode, proc.stderr[-2000:])
    else:
        assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The uninterrupted run (no checkpoint at all)."""
    out = tmp_path_factory.mktemp("ref") / "ref.json"
    drive("train", out)
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def killed_after_five_saves(tmp_path_factory) -> bytes:
    """The checkpoint a run killed right after its 5th save leaves (bucket 1 mid-way): the damage tests each start
    from a copy of it (one killed process for all of them; the kill itself is tested below)."""
    where = tmp_path_factory.mktemp("killed")
    drive("train", where / "never.json", where / "grid.ckpt", "--kill-after-save", 5, expect_killed=True)
    return (where / "grid.ckpt").read_bytes()


def resume_and_compare(tmp_path, ckpt, reference):
    out = tmp_path / "resumed.json"
    log = drive("train", out, ckpt)
    assert json.loads(out.read_text()) == reference
    assert not ckpt.exists()  # removed once the grid is finished
    return log


@pytest.mark.parametrize("kill_after_save", [5, 16, 20])  # bucket 1 mid-way; between buckets; bucket 2 mid-way
def test_sigkill_during_training_resumes_with_identical_history(tmp_path, reference, kill_after_save):
    ckpt = tmp_path / "grid.ckpt"
    drive("train", tmp_path / "never.json", ckpt, "--kill-after-save", kill_after_save, expect_killed=True)
    assert ckpt.exists() and not (tmp_path / "never.json").exists()
    log = resume_and_compare(tmp_path, ckpt, reference)
    assert "LOG" not in log  # the checkpoint was good: no complaint
    # the reference really exercises AutoL2 and momentum: λ decays in at least one run
    assert any(min(v for v in h["metrics"]["lam"] if v is not None) < h["lam"] for h in reference)


def test_sigkill_while_writing_a_checkpoint_falls_back_to_the_previous_one(tmp_path, reference):
    ckpt = tmp_path / "grid.ckpt"
    drive("train", tmp_path / "never.json", ckpt, "--kill-during-write", 7, expect_killed=True)
    assert ckpt.exists()  # checkpoint 6, whole
    assert list(tmp_path.glob(".grid.ckpt.*.tmp"))  # the half-done 7th, never renamed
    resume_and_compare(tmp_path, ckpt, reference)


def _resave_meta(ckpt, edit):
    """Rewrite the checkpoint's metadata with ``edit`` (a whole, readable archive; the arrays untouched)."""
    with np.load(ckpt) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(arrays.pop("__meta__").tobytes().decode())
    buf = io.BytesIO()
    np.savez(buf, __meta__=np.frombuffer(json.dumps(edit(meta)).encode(), dtype=np.uint8), **arrays)
    ckpt.write_bytes(buf.getvalue())


@pytest.mark.parametrize("damage", ["truncate", "foreign", "flip_byte", "meta_list", "meta_edited"])
def test_damaged_or_foreign_checkpoint_is_reported_set_aside_and_ignored(
    tmp_path, reference, killed_after_five_saves, damage
):
    ckpt = tmp_path / "grid.ckpt"
    raw = killed_after_five_saves
    ckpt.write_bytes(raw)
    if damage == "meta_list":
        _resave_meta(ckpt, lambda meta: [])
    elif damage == "meta_edited":  # resume one chunk early: the restored state would not be that chunk's
        _resave_meta(ckpt, lambda meta: dict(meta, chunk=meta["chunk"] - 1))
    elif damage == "truncate":
        ckpt.write_bytes(raw[: len(raw) // 2])
    elif damage == "flip_byte":
        b = bytearray(raw)
        b[len(b) // 2] ^= 0xFF  # zip's CRC or our sha256 catches it, whichever reads it first
        ckpt.write_bytes(bytes(b))
    else:
        from replication.training.checkpoint import load_checkpoint, save_checkpoint

        with np.load(ckpt) as z:
            arrays = {k: z[k] for k in z.files}
        meta = json.loads(arrays.pop("__meta__").tobytes().decode())
        meta.pop("digests")
        save_checkpoint(ckpt, dict(meta, fingerprint="another-run"), arrays)  # whole and valid, but not ours
        assert load_checkpoint(ckpt, "another-run") is not None
    damaged = ckpt.read_bytes()
    log = resume_and_compare(tmp_path, ckpt, reference)
    expected = {"truncate": ("unreadable",), "flip_byte": ("unreadable", "checksum"), "foreign": ("another run",)}
    expected.update(meta_list=("metadata",), meta_edited=("checksum",))
    assert "starting this grid afresh" in log and any(e in log for e in expected[damage])
    (aside,) = tmp_path.glob("grid.ckpt.damaged-*")  # set aside, kept as it was, named in the engine's message
    assert aside.read_bytes() == damaged and aside.name in log and "set aside" in log


def test_sigkill_while_writing_a_result_leaves_nothing_half_written(tmp_path):
    drive("store", tmp_path, "--kill-during-write", 1, expect_killed=True)
    runs = tmp_path / "smoke" / "runs"
    assert not list(runs.glob("*.json"))  # nothing that could be read as a result
    assert "COMPUTED" in drive("store", tmp_path)
    assert "REUSED" in drive("store", tmp_path)
    (stored,) = runs.glob("*.json")
    assert json.loads(stored.read_text())["payload"] == {"values": [0, 1, 2, 3, 4]}


@pytest.mark.parametrize(
    "params, message",
    [
        ({"preset": "gpu"}, "preset='gpu' is not allowed; choose one of: 'smoke', 'cpu', 'paper'"),
        ({"preset": "smoke", "seed": -1}, "seed=-1"),
        # papermill itself only warns about a name the parameters cell lacks (and would run seed 0 here)
        ({"preset": "smoke", "sed": 1}, "unknown parameter 'sed': a chapter takes only preset, seed"),
    ],
)
def test_bad_papermill_parameter_fails_with_our_message(tmp_path, params, message):
    nb = jupytext.read(REPO / "book" / "optimal_l2.py")
    src = tmp_path / "chapter.ipynb"
    nbformat.write(nb, src)
    with pytest.raises(papermill.PapermillExecutionError) as err:
        papermill.execute_notebook(
            str(src),
            str(tmp_path / "out.ipynb"),
            parameters=params,
            kernel_name="python3",
            progress_bar=False,
            cwd=str(REPO),
        )
    assert err.value.ename == "ValueError" and message in err.value.evalue
    assert not any("jax" in line for line in err.value.traceback)
