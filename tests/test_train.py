"""The training engine: it learns, L2 is ½λ‖θ‖², the vmapped grid equals separate runs, divergence is contained."""

import dataclasses
import math

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from replication import data
from replication.experiments import fc_mnist
from replication.training import Dataset, TrainSpec, l2_term, softmax_xent, train, train_grid
from replication.training.sharding import Placement


@pytest.fixture(scope="module")
def tiny():
    train_ds = data.first_n(data.load_mnist("train", "embedded"), 128)
    test_ds = data.first_n(data.load_mnist("test", "embedded"), 256)
    stats = data.normalization_stats(train_ds.images)
    ds = Dataset(
        data.flatten(data.standardize(train_ds.images, stats)),
        data.one_hot(train_ds.labels),
        train_ds.labels,
        data.flatten(data.standardize(test_ds.images, stats)),
        data.one_hot(test_ds.labels),
        test_ds.labels,
    )
    return ds, fc_mnist.make_model(32, 2, seed=0)


def test_a_tiny_run_learns(tiny):
    ds, (apply_fn, params) = tiny
    h = train(apply_fn, params, ds, lr=0.5, lam=1e-3, steps=64, spec=TrainSpec(evals=8))
    m = h.metrics
    assert not h.diverged
    assert m["test_accuracy"][-1] > m["test_accuracy"][0] + 0.3
    assert m["train_error"][-1] < 0.2 and m["train_loss"][-1] < m["train_loss"][0]
    np.testing.assert_allclose(m["epoch"], m["step"])  # full batch: one step per epoch
    assert m["lam"][0] == pytest.approx(1e-3) and m["lr"][0] == pytest.approx(0.5)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum"])
def test_l2_term_is_half_lambda_theta_squared(tiny, optimizer):
    """With a data loss that does not depend on θ, only ½λ‖θ‖² acts: θ_t = (1 − ηλ)^t θ_0 for SGD (with the
    google/autol2 convention λΣθ² it would be (1 − 2ηλ)^t), and the heavy-ball recurrence for momentum."""
    ds, (_, params) = tiny

    def constant_fn(p, x):
        return jnp.zeros((x.shape[0], 10)) + 0.0 * sum(jnp.sum(leaf) for leaf in __import__("jax").tree.leaves(p))

    lr, lam, steps = 0.1, 0.5, 16
    h = train(
        constant_fn,
        params,
        ds,
        lr=lr,
        lam=lam,
        steps=steps,
        spec=TrainSpec(optimizer=optimizer, momentum=0.9, evals=16),
    )
    norm0 = h.metrics["sq_norm"][0]
    if optimizer == "sgd":
        expected = norm0 * (1 - lr * lam) ** (2 * np.arange(steps + 1))
    else:
        theta, velocity, scale = 1.0, 0.0, [1.0]
        for _ in range(steps):
            velocity = 0.9 * velocity + lam * theta
            theta -= lr * velocity
            scale.append(theta)
        expected = norm0 * np.square(scale)
    np.testing.assert_allclose(h.metrics["sq_norm"], expected, rtol=1e-4)


@pytest.mark.slow
@pytest.mark.parametrize("runs_per_program", [None, 2])
def test_vmapped_grid_equals_separate_runs(tiny, runs_per_program):
    ds, (apply_fn, params) = tiny
    lrs, lams, steps = [0.2, 0.5, 0.5, 0.3, 0.1], [1e-2, 0.0, 3e-2, 1e-3, 0.1], [40, 64, 20, 50, 60]
    spec = TrainSpec(evals=8, runs_per_program=runs_per_program)  # with 2: the bucket of 64 steps runs as 2 + 2
    grid = train_grid(apply_fn, params, ds, lrs, lams, steps, spec)
    loop = train_grid(apply_fn, params, ds, lrs, lams, steps, spec, vmap=False)
    for g, s in zip(grid, loop):
        assert (g.lr, g.lam, g.steps) == (s.lr, s.lam, s.steps)
        for k in g.metrics:
            np.testing.assert_allclose(g.metrics[k], s.metrics[k], rtol=2e-4, atol=1e-5, err_msg=k)
        assert g.metrics["step"][-1] >= g.steps


def test_a_diverging_run_is_flagged_and_the_grid_goes_on(tiny):
    ds, (apply_fn, params) = tiny
    good, bad = train_grid(apply_fn, params, ds, [0.5, 200.0], [1e-3, 5.0], [64, 64], TrainSpec(evals=16))
    alone = train_grid(apply_fn, params, ds, [0.5], [1e-3], [64], TrainSpec(evals=16))[0]
    np.testing.assert_allclose(good.metrics["test_accuracy"], alone.metrics["test_accuracy"], atol=1e-6)
    assert bad.diverged and bad.diverged_at is not None
    assert np.isnan(bad.metrics["train_loss"][-1]) and np.isfinite(bad.metrics["train_loss"][0])
    assert not good.diverged and good.metrics["test_accuracy"][-1] > 0.5
    # the record is JSON-safe and round-trips, NaN included
    from replication.training import History

    back = History.from_json(bad.to_json())
    np.testing.assert_array_equal(np.isnan(back.metrics["train_loss"]), np.isnan(bad.metrics["train_loss"]))


def test_minibatches_step_schedule_and_determinism(tiny):
    ds, (apply_fn, params) = tiny
    spec = TrainSpec(batch_size=32, schedule="step", evals=16)
    a = train(apply_fn, params, ds, lr=0.4, lam=1e-3, steps=128, spec=spec, seed=3)
    b = train(apply_fn, params, ds, lr=0.4, lam=1e-3, steps=128, spec=spec, seed=3)
    c = train(apply_fn, params, ds, lr=0.4, lam=1e-3, steps=128, spec=spec, seed=4)
    for k in a.metrics:
        np.testing.assert_array_equal(a.metrics[k], b.metrics[k])
    assert not np.allclose(a.metrics["train_loss"], c.metrics["train_loss"])
    np.testing.assert_allclose(a.metrics["epoch"], a.metrics["step"] * 32 / 128)
    lr_by_step = dict(zip(a.metrics["step"], a.metrics["lr"]))
    # ×0.2 at 0.3T, 0.6T and 0.9T of T = 128 steps
    assert lr_by_step[32] == pytest.approx(0.4) and lr_by_step[40] == pytest.approx(0.08)
    assert lr_by_step[80] == pytest.approx(0.016) and lr_by_step[120] == pytest.approx(0.4 * 0.2**3)


def test_minibatches_are_each_epochs_shuffled_order_in_turn_whatever_the_chunks(tiny):
    """Step t trains on batch t mod E of epoch t // E's order, permutation(fold_in(PRNGKey(seed), epoch)), as a
    hand-written SGD loop does; the engine draws each epoch's order once and carries it, and its chunks (evals=5
    over 24 steps of 4-step epochs: 6 steps each) begin inside epochs."""
    ds, (apply_fn, params) = tiny
    n, batch, steps, lr, lam, seed = 128, 32, 24, 0.3, 1e-3, 5
    h = train(apply_fn, params, ds, lr=lr, lam=lam, steps=steps, spec=TrainSpec(batch_size=batch, evals=5), seed=seed)
    x, y = jnp.asarray(ds.x_train), jnp.asarray(ds.y_train)

    def objective(p, xb, yb):
        return softmax_xent(apply_fn(p, xb), yb) + lam * l2_term(p)

    grad, p, losses = jax.jit(jax.grad(objective)), params, {}
    for t in range(steps + 1):
        losses[t] = float(softmax_xent(apply_fn(p, x), y))
        order = jax.random.permutation(jax.random.fold_in(jax.random.PRNGKey(seed), t // (n // batch)), n)
        idx = order[(t % (n // batch)) * batch :][:batch]
        p = jax.tree.map(lambda a, g: a - lr * g, p, grad(p, x[idx], y[idx]))
    assert len(h.metrics["step"]) >= 4 and any(int(s) % (n // batch) for s in h.metrics["step"])
    for s, loss in zip(h.metrics["step"], h.metrics["train_loss"]):
        assert loss == pytest.approx(losses[int(s)], rel=2e-5), int(s)


def test_a_later_grid_of_the_same_network_and_data_reuses_the_programs_with_the_same_histories(tiny):
    """The engine keeps the last grids' programs: a grid of the same apply_fn and data that differs only in what
    its programs take as arguments or the plan decides (the evaluation cadence, the schedule) traces nothing anew,
    and trains exactly as programs built afresh for it."""
    from replication.training import engine

    ds, (apply_fn, params) = tiny
    traces = []

    def counted(p, x):
        traces.append(x.shape)
        return apply_fn(p, x)

    args = ([0.4, 0.2], [1e-3, 1e-2], [48, 48])
    train_grid(counted, params, ds, *args, TrainSpec(batch_size=32, evals=4))
    seen = len(traces)
    stepped = TrainSpec(batch_size=32, evals=6, schedule="step")
    again = train_grid(counted, params, ds, *args, stepped)
    assert len(traces) == seen  # no new trace
    fresh = train_grid(lambda p, x: apply_fn(p, x), params, ds, *args, stepped)
    for a, b in zip(again, fresh, strict=True):
        for k in a.metrics:
            np.testing.assert_array_equal(a.metrics[k], b.metrics[k])
    assert again[0].metrics["lr"][-1] < again[0].metrics["lr"][0]  # the step schedule, on the reused programs
    # other programs (a batch size) are built anew, and the cache keeps at most PROGRAM_CACHE_SIZE grids' programs
    train_grid(counted, params, ds, *args, TrainSpec(batch_size=64, evals=2))
    assert len(traces) > seen
    for k in range(engine.PROGRAM_CACHE_SIZE + 2):  # building programs traces nothing: cheap to fill the cache
        engine.grid_programs(counted, TrainSpec(batch_size=32, eval_batch_size=8 + k), ds, 0, Placement(), False)
    assert len(engine._PROGRAMS) == engine.PROGRAM_CACHE_SIZE


def test_the_constant_and_the_step_schedule_are_one_program_and_a_constant_eta_is_exact(tiny):
    """The programs take each run's schedule horizon as an argument (+∞ for a constant η), so both schedules lower
    to the same program (one compilation); a constant η stays exactly η."""
    import jax.numpy as jnp

    from replication.training.engine import start_program
    from replication.training.plan import plan_grid
    from replication.training.step import make_grid_programs

    ds, (apply_fn, params) = tiny
    texts = []
    for schedule in ("constant", "step"):
        spec = TrainSpec(batch_size=32, schedule=schedule, evals=4)
        programs = make_grid_programs(apply_fn, spec, ds, seed=0)
        program = plan_grid([0.4], [1e-3], [64], spec, n_train=ds.n_train).programs[0]
        hyper, state = start_program(programs, program, Placement(), params, [0.4], [1e-3], [64], False)
        assert float(hyper[1][0]) == (math.inf if schedule == "constant" else 64.0)
        texts.append(programs.run_chunk.lower(*state, jnp.int32(0), jnp.int32(8), *hyper).as_text())
    assert texts[0] == texts[1]
    run = train(apply_fn, params, ds, lr=0.4, lam=1e-3, steps=64, spec=TrainSpec(batch_size=32, evals=8))
    assert set(run.metrics["lr"].tolist()) == {np.float32(0.4)}


def test_bad_arguments_name_the_parameter(tiny):
    ds, (apply_fn, params) = tiny
    for kwargs, name in [
        (dict(lr=-0.1), "lr"),
        (dict(lam=-1e-3), "lam"),
        (dict(steps=0), "steps"),
        (dict(lr=math.nan), "lr"),
    ]:
        args = dict(lr=0.1, lam=1e-3, steps=4) | kwargs
        with pytest.raises(ValueError, match=name):
            train(apply_fn, params, ds, **args)
    for kwargs, name in [
        (dict(loss="hinge"), "loss"),
        (dict(optimizer="lion"), "optimizer"),
        (dict(batch_size=0), "batch_size"),
        (dict(momentum=1.5), "momentum"),
    ]:
        with pytest.raises(ValueError, match=name):
            TrainSpec(**kwargs)


def test_batched_evaluation_equals_whole_set_evaluation(tiny):
    """eval_batch_size only changes how the sets are cut (including a ragged last chunk), not the numbers."""
    ds, (apply_fn, params) = tiny
    whole = train(apply_fn, params, ds, lr=0.3, lam=1e-3, steps=8, spec=TrainSpec(evals=4))
    cut = train(apply_fn, params, ds, lr=0.3, lam=1e-3, steps=8, spec=TrainSpec(evals=4, eval_batch_size=50))
    for k in ("train_loss", "train_error", "test_accuracy", "test_loss"):
        np.testing.assert_allclose(cut.metrics[k], whole.metrics[k], rtol=1e-5, atol=1e-6)


def test_evaluation_sets_share_one_forward_per_chunk_size_and_sum_each_set_once():
    """The training and test sets' chunks of equal rows go through one ``lax.map`` (one traced copy of the model's
    forward per row count), and each set's sum is its own rows', every row once."""
    import jax

    from replication.training.step import eval_layout, eval_pieces, summed_over_sets

    assert eval_pieces(10, 4) == [(0, 4), (4, 4), (8, 2)] and eval_pieces(7, None) == [(0, 7)] == eval_pieces(7, 9)
    rng = np.random.default_rng(0)
    sets = [(rng.normal(size=(n, 3)).astype(np.float32), np.arange(n)) for n in (10, 7, 8)]
    layout = eval_layout(sets, 4)
    assert [len(o) for o in layout.owners] == [2 + 1 + 2, 1, 1]  # rows 4: 2 + 1 + 2 chunks; rows 2 (set 0); 3 (set 1)
    traced = []

    def fn(chunk):
        traced.append(chunk[0].shape)
        return jnp.sum(chunk[0] ** 2), jnp.sum(chunk[1])

    got = jax.jit(lambda: summed_over_sets(fn, layout))()
    assert sorted(traced) == [(2, 3), (3, 3), (4, 3)]  # one copy of fn per row count
    for (x, labels), (sq, total) in zip(sets, got):
        assert float(sq) == pytest.approx(float(np.sum(x.astype(np.float64) ** 2)), rel=1e-5)
        assert int(total) == labels.sum()


def test_training_metrics_on_a_subset_leave_the_run_unchanged(tiny):
    """train_eval_samples=k: the training metrics are those of the split's first k images (at step 0 computed here
    from the initial parameters, independently of the engine), everything else is the run of the whole split; k at
    or above the split's size is the whole split."""
    from replication.training.losses import softmax_xent

    ds, (apply_fn, params) = tiny
    spec = TrainSpec(batch_size=32, evals=4)
    whole = train(apply_fn, params, ds, lr=0.3, lam=1e-3, steps=16, spec=spec)
    part = train(
        apply_fn, params, ds, lr=0.3, lam=1e-3, steps=16, spec=dataclasses.replace(spec, train_eval_samples=40)
    )
    for k in ("test_accuracy", "test_loss", "sq_norm", "step"):
        np.testing.assert_array_equal(part.metrics[k], whole.metrics[k])
    out = apply_fn(params, jnp.asarray(ds.x_train[:40]))
    assert part.metrics["train_loss"][0] == pytest.approx(float(softmax_xent(out, jnp.asarray(ds.y_train[:40]))), 1e-5)
    errors = np.mean(np.argmax(np.asarray(out), -1) != ds.labels_train[:40])
    assert part.metrics["train_error"][0] == pytest.approx(errors)
    assert not np.allclose(part.metrics["train_loss"], whole.metrics["train_loss"])
    capped = train(
        apply_fn, params, ds, lr=0.3, lam=1e-3, steps=16, spec=dataclasses.replace(spec, train_eval_samples=999)
    )
    np.testing.assert_array_equal(capped.metrics["train_loss"], whole.metrics["train_loss"])
    with pytest.raises(ValueError, match="train_eval_samples"):
        TrainSpec(train_eval_samples=0)


class Interrupted(Exception):
    pass


@pytest.mark.slow
def test_unvectorized_grid_reports_progress_and_resumes_from_its_checkpoint(tiny, tmp_path):
    """vmap=False (each run a program of its own) keeps progress, checkpoint and logging: a call stopped mid-grid
    resumes from its checkpoint with the histories of an uninterrupted call, bit for bit."""
    ds, (apply_fn, params) = tiny
    args = (apply_fn, params, ds, [0.3, 0.1, 0.2], [1e-3, 1e-2, 0.0], [8, 16, 8])
    spec = TrainSpec(optimizer="momentum", batch_size=32, evals=4)
    calls = []
    plain = train_grid(*args, spec, vmap=False, progress=lambda *a: calls.append(a))
    # three one-run programs (8, 8 and 16 steps) of 4 chunks each, reported as in a vectorized grid
    assert [c[:2] for c in calls][:6] == [(0, 12), (1, 12), (2, 12), (3, 12), (4, 12), (4, 12)]
    assert calls[-1][:2] == (12, 12) and calls[-1][2] == 1.0 and calls[4][2] == 8 / 32

    def stop_at(n):
        seen = []

        def report(*a):
            seen.append(a)
            if len(seen) == n:
                raise Interrupted

        return report

    ckpt, log = tmp_path / "grid.ckpt", []
    with pytest.raises(Interrupted):  # stopped mid-way in the second program, the first one finished
        train_grid(*args, spec, vmap=False, progress=stop_at(8), checkpoint=ckpt, checkpoint_seconds=0.0)
    assert ckpt.exists()
    resumed_calls = []
    resumed = train_grid(
        *args, spec, vmap=False, progress=lambda *a: resumed_calls.append(a), checkpoint=ckpt, log=log.append
    )
    assert resumed_calls[0][:2] == (5, 12) and not log and not ckpt.exists()  # resumed from chunk 1 of program 2
    for a, b in zip(plain, resumed):
        for k in a.metrics:
            np.testing.assert_array_equal(a.metrics[k], b.metrics[k], err_msg=k)


def test_retiring_runs_as_they_end_leaves_every_history_unchanged_and_resumes_across_a_retirement(
    tiny, tmp_path, monkeypatch
):
    """A program whose runs end at different chunks (20, 32 and 24 steps in chunks of 4) narrows its runs axis as
    they end (plan.retirements): the histories of the full-width program to float rounding (a narrower batched
    program may sum in another order), with fewer steps; and a call stopped after a retirement resumes from its
    checkpoint with the histories of an uninterrupted call, bit for bit (afresh, with every run, where the
    checkpoint's state cannot be read)."""
    from replication.core import ledger
    from replication.training import checkpoint, plan

    ds, (apply_fn, params) = tiny
    args = (apply_fn, params, ds, [0.3, 0.1, 0.2], [1e-3, 1e-2, 0.0], [20, 32, 24])
    spec = TrainSpec(evals=8)  # one bucket of 32 steps
    monkeypatch.setattr(plan, "RETIRE_MIN_WORK", 10**9)
    full = train_grid(*args, spec)
    monkeypatch.setattr(plan, "RETIRE_MIN_WORK", 1)
    before = ledger.snapshot()["counts"].get("steps", 0)
    retired = train_grid(*args, spec)
    assert ledger.snapshot()["counts"]["steps"] - before == 20 + 32 + 24  # not 3 × 32
    for a, b in zip(full, retired, strict=True):
        assert (a.steps, a.diverged) == (b.steps, b.diverged)
        for k in a.metrics:
            np.testing.assert_allclose(a.metrics[k], b.metrics[k], rtol=1e-6, atol=1e-9, err_msg=k)

    seen = []

    def stop(*a):
        seen.append(a)
        if len(seen) == 8:  # as chunk 6 is reported: the checkpoint holds chunk 5's state, two runs wide (run 0
            raise Interrupted  # retired before chunk 5), and run 2 retires after the resume, before chunk 6

    ckpt = tmp_path / "grid.ckpt"
    with pytest.raises(Interrupted):
        train_grid(*args, spec, progress=stop, checkpoint=ckpt, checkpoint_seconds=0.0)
    calls, log = [], []
    resumed = train_grid(*args, spec, checkpoint=ckpt, progress=lambda *a: calls.append(a), log=log.append)
    assert calls[0][:2] == (6, 8) and not log  # resumed at chunk 6, the checkpoint's state accepted
    seen.clear()
    with pytest.raises(Interrupted):
        train_grid(*args, spec, progress=stop, checkpoint=ckpt, checkpoint_seconds=0.0)

    def unreadable(*_):
        raise checkpoint.CheckpointError("entry state/0", "is damaged")

    monkeypatch.setattr(checkpoint, "arrays_to_tree", unreadable)  # its state cannot be read: every run afresh
    afresh = train_grid(*args, spec, checkpoint=ckpt, log=log.append)
    assert len(log) == 1 and "starting this bucket afresh" in log[0]
    for a, b, c in zip(retired, resumed, afresh, strict=True):
        for k in a.metrics:
            np.testing.assert_array_equal(a.metrics[k], b.metrics[k], err_msg=k)
            np.testing.assert_array_equal(a.metrics[k], c.metrics[k], err_msg=k)


def test_a_run_that_diverges_only_after_its_own_steps_is_not_diverged():
    """In a vmapped program a shorter run trains on while the longest finishes; what it does after its own steps
    (here: a NaN at step 16 for a run of 8 steps, evaluated every 4) is neither kept nor counted as divergence."""
    from replication.training.engine import _history
    from replication.training.records import METRICS

    steps = np.arange(0, 20, 4, dtype=float)  # evaluations at 0, 4, ..., 16
    records = []
    for s in steps:
        r = {k: np.array([1.0, 1.0]) for k in METRICS}
        r["step"] = np.array([s, s])
        if s >= 16:
            r["train_loss"] = np.array([1.0, np.nan])
        records.append(r)
    short = _history(records, 1, 0.1, 0.0, steps=8, every=4)
    assert not short.diverged and short.diverged_at is None
    np.testing.assert_array_equal(short.metrics["step"], [0, 4, 8])
    long_run = _history(records, 1, 0.1, 0.0, steps=16, every=4)  # the same NaN inside a run's own steps counts
    assert long_run.diverged and long_run.diverged_at == 16


def test_a_run_traces_its_step_once_however_many_evaluations(tiny):
    """The guard against recompilation: a run of 16 chunks traces the network as often as a run of 2 (one chunk
    program: a step and two evaluation passes; the first evaluation is that program with no steps), never once per
    chunk."""
    ds, (apply_fn, params) = tiny
    for evals in (2, 16):
        chex.clear_trace_counter()  # chex counts per function body: each run starts from zero
        guarded = chex.assert_max_traces(lambda p, x: apply_fn(p, x), n=3)
        h = train(guarded, params, ds, lr=0.5, lam=1e-3, steps=64, spec=TrainSpec(evals=evals))
        assert len(h.metrics["step"]) == evals + 1


def test_log_spaced_evaluations_are_the_same_run_seen_less_often(tiny):
    """evals_per_octave: the same run (every metric equal at the steps both evaluate), evaluated less than half as
    often, and t* and its fit within the spacing's resolution of the evenly spaced run's."""
    from replication.analysis.sweeps import fit_tstar, summarize

    ds, (apply_fn, params) = tiny
    lams, steps = [3e-3, 1e-2, 3e-2, 0.1], [512, 512, 256, 128]  # ~ 1/λ: each run long enough to peak
    even = train_grid(apply_fn, params, ds, [0.5] * 4, lams, steps, TrainSpec(evals=128))
    spaced = train_grid(apply_fn, params, ds, [0.5] * 4, lams, steps, TrainSpec(evals=128, evals_per_octave=4))
    for e, s in zip(even, spaced):
        at = np.isin(e.metrics["step"], s.metrics["step"])
        assert at.sum() == len(s.metrics["step"]) < len(e.metrics["step"]) / 2
        for k in e.metrics:
            np.testing.assert_allclose(s.metrics[k], e.metrics[k][at], rtol=1e-5, atol=1e-7, err_msg=k)
    rows_e, rows_s = summarize(even), summarize(spaced)
    # consecutive evaluations are at most 1/4 of the step apart; t* (the first evaluation within 0.005 of the peak)
    # can move by two of them where 256 test images make the curve noisy (one image is 0.0039)
    for r_e, r_s in zip(rows_e, rows_s):
        assert abs(math.log(r_s.t_star / r_e.t_star)) <= 2 * math.log(1.25) + 1e-9, (r_e.lam, r_e.t_star, r_s.t_star)
    assert fit_tstar(rows_s).exponent == pytest.approx(fit_tstar(rows_e).exponent, abs=0.1)


def test_one_compiled_chunk_program_serves_every_chunk_length_and_chunking_leaves_the_run_unchanged(tiny):
    """The chunk's step count is an argument: a grid of four bucket lengths (chunks of 4, 8, 16 and 32 steps at
    evals=4) traces its step once and its evaluation of the two splits once (the first evaluation is the chunk
    program with no steps), and evaluating twice as often (chunks of half the steps) leaves every evaluation the
    two share bit for bit."""
    ds, (apply_fn, params) = tiny
    runs = ([0.5] * 4, [1e-3, 1e-2, 3e-2, 0.1], [12, 30, 60, 100])
    chex.clear_trace_counter()
    guarded = chex.assert_max_traces(lambda p, x: apply_fn(p, x), n=3)  # the chunk: 1 step + 2 evaluations
    coarse = train_grid(guarded, params, ds, *runs, TrainSpec(evals=4, batch_size=32))
    fine = train_grid(apply_fn, params, ds, *runs, TrainSpec(evals=8, batch_size=32))
    for c, f in zip(coarse, fine):
        assert c.steps == f.steps and not c.diverged
        in_f, in_c = np.isin(f.metrics["step"], c.metrics["step"]), np.isin(c.metrics["step"], f.metrics["step"])
        assert in_c.sum() >= len(c.metrics["step"]) - 1 >= 3  # the fine run may stop one coarse spacing earlier
        for k in c.metrics:
            np.testing.assert_array_equal(f.metrics[k][in_f], c.metrics[k][in_c], err_msg=k)


def test_a_grid_with_evaluations_between_chunks_resumes_from_a_checkpoint_taken_between_them(tiny, tmp_path):
    """evals_per_octave: a call stopped after a chunk that ended without an evaluation resumes from its checkpoint
    with the histories of an uninterrupted call, bit for bit."""
    ds, (apply_fn, params) = tiny
    args = (apply_fn, params, ds, [0.3, 0.1], [1e-3, 1e-2], [16, 64])
    spec = TrainSpec(batch_size=32, evals=16, evals_per_octave=2)  # chunks of 1 and 4 steps
    plain = train_grid(*args, spec)
    assert [len(h.metrics["step"]) for h in plain] == [1 + 8, 1 + 8]  # 4 dense, then 2 per doubling

    seen = []

    def stop(*a):
        seen.append(a)
        if len(seen) == 24:  # the 64-step program after its chunk of steps 21–24: its checkpoint holds step 20,
            # which ended without an evaluation (4, 8, 12, 16, 24, …)
            raise Interrupted

    ckpt = tmp_path / "grid.ckpt"
    with pytest.raises(Interrupted):
        train_grid(*args, spec, progress=stop, checkpoint=ckpt, checkpoint_seconds=0.0)
    resumed = train_grid(*args, spec, checkpoint=ckpt)
    for a, b in zip(plain, resumed):
        for k in a.metrics:
            np.testing.assert_array_equal(a.metrics[k], b.metrics[k], err_msg=k)
