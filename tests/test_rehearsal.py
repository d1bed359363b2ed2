"""The rehearsal (the rehearsal issue): it plans what training would do, step for step, without training or
writing; its FLOPs agree with a hand count; a stored grid is seen as stored."""

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import replication
from replication.experiments import fc_mnist, headless, program_check, rehearsal
from replication.experiments.configs import get_config
from replication.experiments.grid import rehearsing
from replication.training import TrainSpec
from replication.training.plan import plan_grid

SRC = str(Path(replication.__file__).resolve().parents[1])  # the package this test imports (a worktree's src too)


def _files(root):
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())


def test_rehearsal_plans_every_run_as_training_then_does_and_sees_it_stored(tmp_path, monkeypatch):
    monkeypatch.setenv("REPLICATION_RESULTS", str(tmp_path))
    planned = rehearsal.rehearse_chapter("fc_mnist", preset="smoke", compile_steps=False, log=lambda _: None)
    assert planned.errors == ()
    assert _files(tmp_path) == []  # nothing written
    assert [g.grid.name for g in planned.grids] == ["fc_mnist", "fc_mnist_mse"]
    assert not any(g.grid.stored for g in planned.grids)
    with rehearsing():  # the placeholder histories have the engine's evaluation steps
        placeholders = fc_mnist.tstar_sweep(get_config("fc_mnist", "smoke"), seed=0)
    headless.run_chapter("fc_mnist", preset="smoke", seed=0, log=lambda _: None)
    trained = fc_mnist.tstar_sweep(get_config("fc_mnist", "smoke"), seed=0)
    for fake, real in zip(placeholders.grid.histories, trained.grid.histories, strict=True):
        assert fake.steps == real.steps
        np.testing.assert_array_equal(fake.metrics["step"], real.metrics["step"])
    grid = planned.grids[0].grid
    by_seed = trained.grid.by_seed
    assert grid.n_runs == len(by_seed) * len(by_seed[0])
    assert sum(p.n_real for p in grid.plan.programs) == grid.n_runs
    again = rehearsal.rehearse_chapter("fc_mnist", preset="smoke", compile_steps=False, log=lambda _: None)
    assert all(g.grid.stored for g in again.grids) and again.flops == 0


def test_step_flops_agree_with_a_hand_count_and_the_table_states_its_rate(tmp_path, monkeypatch):
    monkeypatch.setenv("REPLICATION_RESULTS", str(tmp_path))
    ch = rehearsal.rehearse_chapter("fc_mnist", preset="smoke", log=lambda _: None)
    cfg = get_config("fc_mnist", "smoke")
    cost = ch.grids[0]
    width, depth, batch = cfg.model.width, cfg.model.depth, cost.grid.plan.batch
    sizes = [784] + [width] * depth + [10]
    macs = [a * b for a, b in zip(sizes[:-1], sizes[1:])]
    # forward 2·MAC; backward 2·MAC for the weights' gradient and 2·MAC for the input's, but none for the images'
    hand = batch * (6 * sum(macs) - 2 * macs[0])
    assert cost.step.flops == pytest.approx(hand, rel=0.05)
    assert cost.flops >= cost.run_steps * cost.step.flops
    table = rehearsal.format_table([ch], fraction=0.5)
    rate = 0.5 * rehearsal.ACCELERATORS[-1].tf32_flops
    by_flops = ch.flops / rate / 3600
    by_latency = sum(g.sequential_steps for g in ch.grids) * rehearsal.STEP_FLOOR_S / 3600
    assert "fc_mnist" in table and "0.50 × 495 TFLOP/s" in table
    # tiny smoke models are latency-bound: the step floor decides, never less than the FLOP count would
    assert math.isfinite(by_flops) and ch.hours(rate) >= max(by_flops, by_latency) * (1 - 1e-9)
    assert ch.hours(rate) == pytest.approx(sum(max(g.flops / rate, g.sequential_steps * rehearsal.STEP_FLOOR_S)
                                               for g in ch.grids) / 3600)  # fmt: skip


def test_eight_devices_split_runs_or_the_batch_and_never_add_work():
    spec = TrainSpec(batch_size=64, evals=4, bn_group=8, runs_per_program=1)
    plan = plan_grid([0.1] * 3, [1e-3] * 3, [100, 100, 300], spec, n_train=256)
    one = rehearsal._shares(plan, 256, 100, 1)
    plan8 = plan_grid([0.1] * 3, [1e-3] * 3, [100, 100, 300], spec, n_train=256, n_devices=8)
    eight = rehearsal._shares(plan8, 256, 100, 8)
    assert all(p.mode == "batch" for p in plan8.programs)  # one run per program: its batch is split
    assert eight[0] == pytest.approx(one[0] / 8) and eight[3] == pytest.approx(1 / 8)


def test_a_study_that_raises_is_listed_not_hidden(tmp_path, monkeypatch):
    monkeypatch.setenv("REPLICATION_RESULTS", str(tmp_path))

    def broken(cfg, *, seed):
        raise ValueError("bn_group=7 must divide the training batch")

    monkeypatch.setattr(fc_mnist, "STUDIES", ("broken",), raising=True)
    monkeypatch.setattr(fc_mnist, "broken", broken, raising=False)
    ch = rehearsal.rehearse_chapter("fc_mnist", preset="smoke", compile_steps=False, log=lambda _: None)
    assert ch.errors == ("broken: ValueError: bn_group=7 must divide the training batch",)
    assert "study broken: ValueError" in rehearsal.format_table([ch], fraction=0.3)


def test_headless_paper_run_lists_every_grid_and_its_estimate_before_training(tmp_path, monkeypatch, capsys):
    """`python -m replication.experiments fc_mnist --preset paper` prints what it will train first (the data is a
    stand-in of the paper's sizes here: only its shape matters to the plan)."""
    monkeypatch.setenv("REPLICATION_RESULTS", str(tmp_path))
    real = fc_mnist.load_data("embedded", 512, 500)
    monkeypatch.setattr(fc_mnist, "load_data", lambda source, n_train, n_test: real)
    trained = []

    def fake_run_chapter(chapter, *, preset, seed, log):
        trained.append(capsys.readouterr().out)  # what had been printed when training would start
        raise SystemExit(0)

    monkeypatch.setattr(headless, "run_chapter", fake_run_chapter)
    with pytest.raises(SystemExit):
        headless.main(["fc_mnist", "--preset", "paper", "--yes"])
    before = trained[0]
    assert "fc_mnist at paper: 2 grids" in before and "estimate about" in before
    assert "  fc_mnist: 191 runs, 21 programs" in before and "  fc_mnist_mse: 93 runs" in before


def test_programs_are_built_placed_compiled_and_stepped_over_forced_devices(tmp_path):
    """`rehearse --cpu-devices 4`: every grid's largest program of each placement is built by the engine over 4 CPU
    devices, compiled with a memory analysis per device, and one real step of it runs (smoke sizes); nothing is
    written. (A process of its own: the devices must be forced before JAX starts its backend.)"""
    out = tmp_path / "table.md"
    env = dict(os.environ, REPLICATION_RESULTS=str(tmp_path / "results"), PYTHONPATH=SRC)
    env.pop("XLA_FLAGS", None)
    cmd = [sys.executable, "-m", "replication.experiments", "rehearse", "fc_mnist", "--preset", "smoke",
           "--cpu-devices", "4", "--out", str(out)]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    table = out.read_text()
    assert "compiled over 4 devices" in table
    rows = [line.split(" | ") for line in table.splitlines() if line.startswith("| fc_mnist | fc_mnist")]
    assert {(r[1], r[2]) for r in rows} == {("fc_mnist", "runs"), ("fc_mnist", "batch"), ("fc_mnist_mse", "batch")}
    assert all("train loss finite" in r[5] for r in rows)
    assert all(float(r[4].split()[0]) > 0 for r in rows)  # a memory analysis per device
    assert not (tmp_path / "results").exists() or _files(tmp_path / "results") == []


def test_programs_over_more_devices_than_there_are_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("REPLICATION_RESULTS", str(tmp_path))
    with rehearsing() as grids:
        fc_mnist.tstar_sweep(get_config("fc_mnist", "smoke"), seed=0)
    with pytest.raises(ValueError, match=r"devices=64, but JAX sees 1 device.*--cpu-devices 64"):
        program_check.check_programs(grids[0], grids[0].build(), 64)
