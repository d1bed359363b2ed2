"""Where the time goes (core.ledger): compilation is counted apart from the block it happens in, the engine counts
its steps and evaluations, the table adds up, and a process writes its ledger when it ends."""

import json
import os
import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from replication.core import ledger
from replication.training import Dataset, TrainSpec, train_grid


def test_a_timed_block_leaves_out_the_compilation_inside_it():
    ledger.install()
    ledger.reset()
    with ledger.timed("training"):
        f = jax.jit(lambda x: jnp.sin(x) @ jnp.cos(x).T + jnp.tanh(x).sum())  # a new program: compiled here
        f(jnp.ones((64, 64))).block_until_ready()
    snap = ledger.snapshot()
    seconds, counts = snap["seconds"], snap["counts"]
    assert seconds["compilation"] > 0 and counts["programs compiled or read from the cache"] >= 1
    assert seconds["compilation"] == pytest.approx(sum(v for k, v in seconds.items() if k.startswith("compilation: ")))
    assert 0 <= seconds["training"] < snap["wall"] - seconds["compilation"] + 1e-6


def test_the_engine_counts_its_steps_and_evaluations():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 5)).astype(np.float32)
    labels = (x[:, 0] > 0).astype(np.int32)
    y = np.eye(2, dtype=np.float32)[labels]
    data = Dataset(x, y, labels, x[:16], y[:16], labels[:16])
    ledger.reset()
    train_grid(lambda p, xb: xb @ p["w"], {"w": jnp.zeros((5, 2))}, data, [0.1, 0.2], [0.0, 0.01], [16, 16],
               TrainSpec(evals=4, batch_size=8))  # fmt: skip
    counts = ledger.snapshot()["counts"]
    assert counts["steps"] == 2 * 16  # one program of two runs, 4 chunks of 4 steps
    assert counts["evaluation passes (first)"] == 2 and counts["evaluation passes (in chunks)"] == 2 * 4
    assert counts["evaluation images"] == (2 + 8) * (32 + 16)
    assert ledger.snapshot()["seconds"]["training"] > 0


def test_the_table_keeps_each_chapters_last_line_and_adds_up():
    line = dict(label="fc_mnist", wall=10.0, seconds={"compilation": 4.0, "training": 3.0, "compilation: XLA": 3.5},
                counts={"steps": 1200})  # fmt: skip
    text = ledger.table([dict(line, wall=99.0), line])
    row = next(r for r in text.splitlines() if r.startswith("fc_mnist |"))
    assert row.split(" | ")[1:4] == ["10.0 s", "4.0 s (40%)", "3.0 s (30%)"]
    assert row.endswith("3.0 s (30%)")  # other: 10 − 4 − 3
    assert "fc_mnist: steps: 1,200; compilation: XLA 3.5 s" in text


def test_a_process_appends_its_ledger_when_it_ends(tmp_path):
    path = tmp_path / "ledger.jsonl"
    code = ("from replication.core import ledger; import jax, jax.numpy as jnp; ledger.install(); "
            "jax.jit(lambda x: x * 2 + 1)(jnp.ones(3)).block_until_ready()")  # fmt: skip
    env = dict(os.environ, REPLICATION_LEDGER=str(path), REPLICATION_LEDGER_LABEL="theory")
    for _ in range(2):
        subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120)
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    assert [x["label"] for x in lines] == ["theory", "theory"] and lines[0]["seconds"]["compilation"] > 0
    assert ledger.main([str(path)]) == 0 and ledger.main([str(tmp_path / "none.jsonl")]) == 1
