"""The engine's plan (plain numbers, no JAX compilation): buckets, programs, padding, placement, work and the
progress it reports; and the derivations every part of the training layer shares (batch, steps per epoch, groups)."""

import numpy as np
import pytest

from replication.training.plan import GridProgress, bucket_steps, chunking, cpu_parts, plan_grid, retirements
from replication.training.records import TrainSpec

LRS, LAMS, STEPS = [0.3, 0.2, 0.1, 0.5, 0.05], [0.01, 0.1, 0.0, 0.03, 0.2], [12, 16, 9, 30, 24]


def layout(plan):
    return [(p.length, p.runs, p.n_real, p.mode) for p in plan.programs]


def test_runs_are_bucketed_by_power_of_two_length_in_order():
    plan = plan_grid(LRS, LAMS, STEPS, TrainSpec(evals=4), n_train=64)
    assert [bucket_steps(s) for s in STEPS] == [16, 16, 16, 32, 32]
    assert layout(plan) == [(16, (0, 1, 2), 3, "runs"), (32, (3, 4), 2, "runs")]
    assert [(p.every, p.n_chunks) for p in plan.programs] == [(4, 4), (8, 4)]
    assert plan.batch == 64 and plan.total_chunks == 8
    assert plan.total_work == 3 * 16 + 2 * 32 and plan.done_before(1) == (4, 48)


def test_chunking_evaluates_evals_times_or_after_every_step():
    assert chunking(64, 8) == (8, 8)
    assert chunking(4, 100) == (1, 4)  # a short bucket: every step


def test_runs_per_program_and_vmap_false_split_the_buckets():
    by_two = plan_grid(LRS, LAMS, STEPS, TrainSpec(evals=4, runs_per_program=2), n_train=64)
    assert [p.runs for p in by_two.programs] == [(0, 1), (2,), (3, 4)]
    separate = plan_grid(LRS, LAMS, STEPS, TrainSpec(evals=4), n_train=64, vmap=False)
    assert [p.runs for p in separate.programs] == [(0,), (1,), (2,), (3,), (4,)]
    # each program stops after the chunk that reaches its run's steps: 12, 16, 9, 30 and 24 steps in chunks of 4,
    # 4, 4, 8 and 8 compute 12 + 16 + 12 + 32 + 24
    assert [p.n_chunks for p in separate.programs] == [3, 4, 3, 4, 3]
    assert separate.total_work == 96


def test_a_program_stops_at_its_longest_run_not_at_its_bucket_length():
    plan = plan_grid([0.1, 0.2], [0.0, 0.1], [10, 9], TrainSpec(evals=4), n_train=64)  # bucket 16, chunks of 4
    (program,) = plan.programs
    assert (program.length, program.every, program.n_chunks) == (16, 4, 3)  # 12 steps, not 16
    assert plan.total_work == 2 * 12


def test_runs_split_over_devices_are_padded_and_auto_goes_data_parallel_when_few():
    runs = plan_grid(LRS, LAMS, STEPS, TrainSpec(evals=4), n_train=64, n_devices=4, shard="runs")
    assert layout(runs) == [(16, (0, 1, 2, 2), 3, "runs"), (32, (3, 4, 4, 4), 2, "runs")]
    assert runs.total_work == 4 * 16 + 4 * 32  # the copies cost steps too
    auto = plan_grid(LRS, LAMS, STEPS, TrainSpec(evals=4, batch_size=32), n_train=64, n_devices=4)
    assert layout(auto) == [(16, (0, 1, 2), 3, "batch"), (32, (3, 4), 2, "batch")]
    odd = plan_grid(LRS, LAMS, STEPS, TrainSpec(evals=4, batch_size=30), n_train=64, n_devices=4)  # 30 % 4 != 0
    assert [p.mode for p in odd.programs] == ["runs", "runs"]
    many = plan_grid(LRS * 2, LAMS * 2, [16] * 10, TrainSpec(evals=4), n_train=64, n_devices=4)
    assert layout(many) == [(16, tuple(range(10)) + (9, 9), 10, "runs")]


def test_on_cpu_devices_auto_never_pads_nor_splits_the_batch():
    """CPU devices share one machine's cores: no data parallel and no padding; a bucket's largest multiple of the
    device count is split over the devices, the runs left over train on one device."""
    assert cpu_parts([0, 1, 2, 3, 4], 2) == [([0, 1, 2, 3], "runs"), ([4], "single")]
    assert cpu_parts([7], 2) == [([7], "single")]
    assert cpu_parts([0, 1, 2], 4) == [([0, 1, 2], "single")]
    assert cpu_parts([0, 1, 2, 3], 1) == [([0, 1, 2, 3], "single")]
    spec = TrainSpec(evals=4, batch_size=32)  # a batch that splits over 2 devices: data parallel on accelerators
    cpu = plan_grid(LRS, LAMS, STEPS, spec, n_train=64, n_devices=2, data_parallel=False)
    assert layout(cpu) == [(16, (0, 1), 2, "runs"), (16, (2,), 1, "single"), (32, (3, 4), 2, "runs")]
    assert [p.n_chunks for p in cpu.programs] == [4, 3, 4]  # each part ends at its own longest run (16, 9, 30)
    assert cpu.total_work == 2 * 16 + 3 * 4 + 2 * 32  # nothing padded
    accelerators = plan_grid(LRS, LAMS, STEPS, spec, n_train=64, n_devices=2)
    assert layout(accelerators) == [(16, (0, 1, 2, 2), 3, "runs"), (32, (3, 4), 2, "runs")]
    assert layout(plan_grid(LRS[:1], LAMS[:1], STEPS[:1], spec, n_train=64, n_devices=2)) == [(16, (0,), 1, "batch")]
    for shard in ("runs", "batch"):  # an explicit choice is kept on CPU devices
        forced = plan_grid(LRS, LAMS, STEPS, spec, n_train=64, n_devices=2, shard=shard, data_parallel=False)
        assert {p.mode for p in forced.programs} == {shard} and len(forced.programs) == 2


def test_the_plan_checks_runs_shard_and_batch():
    spec = TrainSpec(evals=4)
    for lrs, lams, steps, match in [
        ([0.1], [0.0, 0.1], [4], "equal length"),
        ([], [], [], "non-empty"),
        ([-0.1], [0.0], [4], "lr"),
        ([0.1], [-1.0], [4], "lam"),
        ([0.1], [0.0], [0], "steps"),
    ]:
        with pytest.raises(ValueError, match=match):
            plan_grid(lrs, lams, steps, spec, n_train=32)
    with pytest.raises(ValueError, match="shard"):
        plan_grid([0.1], [0.0], [4], spec, n_train=32, shard="model")
    with pytest.raises(ValueError, match="bn_group=5 must divide the training batch of 32 images"):
        plan_grid([0.1], [0.0], [4], TrainSpec(bn_group=5), n_train=32)
    with pytest.raises(ValueError, match='shard="batch" over 4 devices needs a multiple of 4; got a batch of 30'):
        plan_grid([0.1], [0.0], [4], TrainSpec(batch_size=30), n_train=64, n_devices=4, shard="batch")
    with pytest.raises(ValueError, match="batch of 3 groups of 8"):
        plan_grid([0.1], [0.0], [4], TrainSpec(batch_size=24, bn_group=8), n_train=64, n_devices=4, shard="batch")


def test_batch_steps_per_epoch_and_groups_are_derived_once():
    assert TrainSpec().batch_for(100) == 100  # full batch
    assert TrainSpec(batch_size=32).batch_for(100) == 32 and TrainSpec(batch_size=256).batch_for(100) == 100
    assert TrainSpec(batch_size=32).steps_per_epoch(100) == 3 and TrainSpec().steps_per_epoch(100) == 1
    assert TrainSpec(batch_size=32, bn_group=8).batch_for(100) == 32
    with pytest.raises(ValueError, match="bn_group=8 must divide the training batch of 20 images"):
        TrainSpec(batch_size=32, bn_group=8).batch_for(20)  # clamped to 20 images, not a multiple of 8
    with pytest.raises(ValueError, match="bn_group=12 must divide batch_size=16"):
        TrainSpec(batch_size=16, bn_group=12)


def test_progress_is_reported_as_programs_start_after_chunks_and_as_they_end():
    plan = plan_grid([0.1, 0.2, 0.1], [0.0, 1e-3, 1e-2], [16, 16, 64], TrainSpec(evals=4), n_train=64)
    calls = []
    meter = GridProgress(plan, lambda *a: calls.append(a))
    for program in plan.programs:
        meter.start(program)
        for c in range(program.n_chunks):
            meter.chunk_done(program, c)
        meter.end()
    assert [c[:2] for c in calls] == [(0, 8), (1, 8), (2, 8), (3, 8), (4, 8), (4, 8), (5, 8), (6, 8), (7, 8), (8, 8)]
    assert calls[4][2] == (2 * 16) / (2 * 16 + 64) and calls[-1][2] == 1.0  # work = steps × runs

    resumed = []  # a call resumed in the second program's third chunk; the first program had diverged early
    meter = GridProgress(plan, lambda *a: resumed.append(a), first_program=1)
    meter.start(plan.programs[1], 2)
    meter.skip(plan.programs[1], 2)
    meter.end()
    assert [c[:2] for c in resumed] == [(6, 8), (8, 8)] and resumed[-1][2] == 1.0


def test_log_spaced_evaluations_keep_powers_of_two_run_ends_and_a_bounded_relative_spacing():
    """evaluated_chunks: every chunk up to 2n, then n per doubling, so that consecutive evaluations lie between
    1/(2n) and 1/n of the step apart; the powers of two, the run ends and the last chunk always; None: all."""
    from replication.training.plan import evaluated_chunks

    assert evaluated_chunks(5, None) == (True,) * 5
    keep = evaluated_chunks(256, 8)
    at = [c for c in range(1, 257) if keep[c - 1]]
    assert at[:16] == list(range(1, 17)) and len(at) == 16 + 8 * 4  # 16, then 8 per octave up to 256
    assert all(2**k in at for k in range(9))
    gaps = np.diff(at[15:]) / np.array(at[16:])
    assert gaps.min() >= 1 / 16 - 1e-12 and gaps.max() <= 1 / 8 + 1e-12
    odd = evaluated_chunks(100, 8, ends=[37, 0, 400])  # a run ending in chunk 37; ends outside are ignored
    assert odd[36] and odd[99] and sum(odd) == 16 + 8 + 8 + 4 + 1 + 1  # …, 64, 72, 80, 88, 96, 100 (the last), 37
    plan = plan_grid([0.1, 0.1], [0.0, 1e-3], [1024, 600], TrainSpec(evals=256, evals_per_octave=8), n_train=64)
    program = plan.programs[0]
    assert program.every == 4 and program.evaluates(149) and program.n_evals == 48 + 1  # 600 steps end in chunk 150
    assert not program.evaluates(148)
    with pytest.raises(ValueError, match="evals_per_octave=6 must be a power of two"):
        TrainSpec(evals_per_octave=6)


def test_a_program_on_one_device_retires_its_runs_as_they_end_where_that_saves_enough():
    """retirements: the runs axis narrows before the chunk after a run's end where the runs ended since the last
    narrowing would otherwise train on for at least min_work run-steps; the plan's work counts what is computed."""
    assert retirements([2, 8, 5], every=4, min_work=1) == (2, 5)
    assert retirements([2, 8, 5], every=4, min_work=13) == (2,)  # at 5: 1 run × 4 steps × 3 chunks < 13
    assert retirements([6, 7, 20], every=1, min_work=20) == (7,)  # at 6: 1 × 14 < 20; at 7: 2 runs × 13 ≥ 20
    assert retirements([8, 8], every=4, min_work=1) == ()  # nothing ends early
    assert retirements([7, 8], every=4, min_work=5) == ()  # 1 run × 4 steps × 1 chunk < 5
    # 6 runs of 6667, 5000 and 4167 steps (fc_mnist's cpu bucket of 8192, chunks of 81): 83, 62 and 52 chunks
    steps = [6667] * 6 + [5000] * 6 + [4167] * 6
    plan = plan_grid([0.2] * 18, [0.0] * 18, steps, TrainSpec(evals=100), n_train=512)
    (program,) = plan.programs
    assert program.retire == (52, 62) and program.ends[::6] == (83, 62, 52)
    assert program.active(51) == tuple(range(18)) and program.active(52) == tuple(range(12))
    assert program.active(62) == tuple(range(6)) and program.active(-1) == tuple(range(18))
    assert plan.total_work == 81 * (18 * 52 + 12 * 10 + 6 * 21)  # 95,742 run-steps, not 18 × 83 × 81 = 121,014
    assert program.run_evaluations == 18 + 18 * 52 + 12 * 10 + 6 * 21
    split = plan_grid([0.2] * 18, [0.0] * 18, steps, TrainSpec(evals=100), n_train=512, n_devices=2, shard="runs")
    assert all(p.retire == () for p in split.programs)  # a runs axis split over devices keeps its width
    cpu = plan_grid([0.2] * 3, [0.0] * 3, [6667, 4167, 6667], TrainSpec(evals=100), n_train=512, n_devices=2,
                    data_parallel=False)  # fmt: skip
    assert [(p.mode, p.retire) for p in cpu.programs] == [("runs", ()), ("single", ())]
    calls = []
    meter = GridProgress(plan, lambda *a: calls.append(a))
    meter.start(program)
    for c in range(program.n_chunks):
        meter.chunk_done(program, c)
    assert calls[52][2] == 81 * 18 * 52 / plan.total_work  # progress is the run-steps computed
