"""The (η, λ) sweep helpers the Section 2 chapters share: planning, per-run summaries, the t* fit and its table."""

import dataclasses
import math

import numpy as np
import pytest

from replication.analysis import plan, sweeps, tables, verdicts
from replication.training import History


def _history(lr, lam, t_peak, *, steps_per_epoch=4, epochs=40, peak=0.9, diverged_at=None):
    """Accuracy that rises linearly to ``peak`` at epoch ``t_peak`` and decays after it (a Fig. S6 shape)."""
    epoch = np.arange(epochs + 1, dtype=float)
    acc = np.where(epoch <= t_peak, 0.1 + (peak - 0.1) * epoch / max(t_peak, 1), peak - 0.01 * (epoch - t_peak))
    if diverged_at is not None:
        acc[epoch * steps_per_epoch >= diverged_at] = np.nan
    metrics = dict(
        step=epoch * steps_per_epoch, epoch=epoch, test_accuracy=acc, train_error=np.where(epoch >= t_peak, 0.0, 0.5)
    )
    return History(
        lr=lr,
        lam=lam,
        steps=epochs * steps_per_epoch,
        diverged=diverged_at is not None,
        diverged_at=None if diverged_at is None else float(diverged_at),
        metrics=metrics,
    )


def test_plan_sweep_keeps_the_window_trains_tau_over_eta_lambda_and_adds_lambda_zero():
    runs = plan.plan_sweep(
        [0.1, 1.0], [0.0, 0.01, 0.1, 1.0], physical_time=2.0, min_lr_lam=0.005, max_lr_lam=0.5, max_epochs=150
    )
    by = {(r.lr, r.lam): r.epochs for r in runs}
    # ηλ = 1e-3 (0.1, 0.01) and 1 (1, 1) fall outside the window; ceil(2/0.01) = 200 is capped at 150
    assert by == {(0.1, 0.1): 150, (0.1, 1.0): 20, (0.1, 0.0): 150, (1.0, 0.01): 150, (1.0, 0.1): 20, (1.0, 0.0): 150}
    with pytest.raises(ValueError, match="widen the window"):
        plan.plan_sweep([0.1], [0.01], physical_time=1.0, min_lr_lam=0.1, max_lr_lam=1.0, max_epochs=10)


def test_plan_sweep_rounds_whole_epochs_through_floating_point_dust():
    # The paper's WRN: 0.1 of its 48-step epochs is 2·0.1·48 = 9.600000000000001 steps·ηλ in our units, so τ/(ηλ)
    # reads 500.00000000000006 epochs at ηλ = 4e-4: that is 500 epochs (ceil would train 501), and 1.2 is still 2.
    tau = 2 * (0.1 * 48) / 48
    runs = plan.plan_sweep(
        [0.1, 0.2], [0.004, 0.005], physical_time=tau, min_lr_lam=0.0, max_lr_lam=1.0, max_epochs=10**4
    )
    assert {(r.lr, r.lam): r.epochs for r in runs if r.lam} == {(0.1, 0.004): 500, (0.1, 0.005): 400, (0.2, 0.004): 250,
                                                                 (0.2, 0.005): 200}  # fmt: skip
    assert plan.plan_sweep([1.0], [1.0], physical_time=1.2, min_lr_lam=0, max_lr_lam=2, max_epochs=9)[0].epochs == 2
    zero = plan.plan_sweep(
        [0.1], [0.004], physical_time=tau, min_lr_lam=0, max_lr_lam=1, max_epochs=10**6, zero_lr_time=3 * 0.1
    )  # 0.30000000000000004 / 0.1 = 3.0000000000000004: 3 epochs
    assert zero[-1].lam == 0.0 and zero[-1].epochs == 3


def test_fit_tstar_recovers_minus_one_and_leaves_out_diverged_instant_and_unlearned_runs():
    c = 0.5
    hist = [_history(1.0, lam, c / lam, epochs=int(3 * c / lam)) for lam in (0.005, 0.01, 0.02, 0.05)]
    hist.append(_history(1.0, 0.1, 20, peak=0.15))  # a noise "peak" off the line
    hist.append(_history(1.0, 0.2, 5, diverged_at=12))  # diverged
    hist.append(_history(1.0, 0.0, 200, epochs=300))  # λ = 0: not in the fit
    rows = sweeps.summarize(hist)
    assert [r.t_star for r in rows[:4]] == pytest.approx([100, 50, 25, 10], abs=1)
    assert math.isnan(rows[5].t_star) and rows[5].diverged
    everything = sweeps.fit_tstar(rows)
    threshold = sweeps.learning_threshold(rows)
    assert threshold == pytest.approx(0.1 + 0.5 * (0.9 - 0.1))  # halfway to the λ = 0 run's peak
    learned = sweeps.fit_tstar(rows, min_peak_accuracy=threshold)
    assert everything.n_runs == 5 and learned.n_runs == 4 and learned.not_learned == ((1.0, 0.1),)
    assert learned.exponent == pytest.approx(-1.0, abs=0.02)
    assert learned.decades == pytest.approx(1.0)
    assert learned.c == pytest.approx(c, rel=0.05)
    assert everything.exponent > learned.exponent  # the unlearned run flattens the fit
    one = sweeps.fit_tstar(rows[:1])
    assert one.n_runs == 1 and math.isnan(one.exponent)


def test_format_runs_prints_one_line_per_run_with_its_note():
    rows = sweeps.summarize(
        [
            _history(1.0, 0.01, 50, epochs=100),
            _history(1.0, 0.1, 5, peak=0.15),
            _history(1.0, 0.2, 5, diverged_at=12),
            _history(1.0, 0.0, 80, epochs=100),
            _history(1.0, 0.05, 38, epochs=40),
        ]
    )
    text = tables.format_runs(rows, min_peak_accuracy=0.5)
    lines = text.splitlines()
    assert len(lines) == 6 and lines[0].split()[:3] == ["η", "λ", "ηλ"]
    assert lines[1].split()[-1] == "0.9000" and "0.01" in lines[1]  # no note
    assert lines[2].endswith("did not learn") and lines[3].endswith("diverged at step 12")
    assert not lines[4].endswith("learn")  # λ = 0 is never called unlearned
    assert lines[5].endswith("still rising at the end")  # t* = 38 of 40 epochs
    assert sweeps.peaked_at_end(rows[4]) and not sweeps.peaked_at_end(rows[0])
    assert "train acc 1 at" in tables.format_runs(rows, ("λ", "train acc 1 at"))
    with pytest.raises(ValueError, match="columns: unknown column 'loss'"):
        tables.format_runs(rows, ("λ", "loss"))


def test_describe_fit_says_why_there_is_no_exponent():
    nan = float("nan")
    assert sweeps.TstarFit(-1.0804, 1.0, 0.5, 6, 1.62).describe() == "-1.080 over 1.6 decades (6 runs)"
    assert sweeps.TstarFit(nan, nan, nan, 1, 0.0).describe() == "no exponent (only 1 usable run)"
    assert sweeps.TstarFit(-1.0804, 1.0, 0.5, 6, 1.62).short() == "-1.080"
    assert sweeps.TstarFit(nan, nan, nan, 1, 0.0).short() == "none"  # a label's number: never "nan"


def test_final_test_accuracy_is_the_last_finite_value_and_the_figure_marks_divergence():
    from replication.viz import sweeps as sweep_plots

    good = _history(0.2, 0.01, 10, epochs=20)
    bad = _history(0.2, 0.1, 5, epochs=20, diverged_at=40)
    assert sweeps.final_test_accuracy(good) == pytest.approx(0.9 - 0.01 * 10)
    assert sweeps.final_test_accuracy(bad) == pytest.approx(0.9 - 0.01 * (9 - 5))  # epoch 9 (step 36), before the NaNs
    assert sweeps.test_accuracy_at(good, 4.5) == pytest.approx(0.1 + 0.8 * 5 / 10)  # the evaluation at epoch 5
    assert math.isnan(sweeps.test_accuracy_at(bad, 12))  # only NaNs after the divergence
    fig = sweep_plots.final_accuracy_figure({"fixed T": [bad, good]}, title="t")
    line, crosses = fig.data
    assert list(line.x) == [0.01, 0.1] and list(crosses.x) == [0.1] and crosses.marker.symbol == "x"


def _row(lr, lam, acc, *, t_star=10.0, epochs=40.0, diverged=False, t_train_zero=math.nan):
    return sweeps.RunSummary(lr, lam, lr * lam, epochs, t_star, acc, diverged, None, t_train_zero)


def test_smallest_lambda_against_zero_per_eta():
    """Fig. 2b per η on 1000 test images: 2 images apart is a tie (reproduced), 50 below is not reproduced, and a
    λ = 0 run still improving at the end of a run shorter than the paper's is inconclusive; over every η, all_of."""
    rows = [_row(0.1, 0.01, 0.90), _row(0.1, 0.1, 0.80), _row(0.1, 0.0, 0.902), _row(0.5, 0.01, 0.85),
            _row(0.5, 0.0, 0.90), _row(1.0, 0.01, 0.7)]  # fmt: skip
    got = {v.lr: v for v in verdicts.smallest_lambda_vs_zero(rows, n_test=1000)}
    assert set(got) == {0.1, 0.5}  # η = 1 has no λ = 0 run to compare with
    assert got[0.1].matches_zero and got[0.1].smallest_lam == 0.01 and got[0.1].best_lam == 0.01
    assert "a tie with λ = 0 (2 of 1000 test images apart)" in got[0.1].describe()
    assert not got[0.5].matches_zero and "50 of 1000 test images below λ = 0" in got[0.5].describe()
    both = verdicts.compare_with_zero({"": ([rows], None)}, n_test=1000)
    assert both.verdict().outcome == "not reproduced" and both.count() == "1 of 2 η"
    assert both.lines() == [v.describe() for v in got.values()]
    two = verdicts.compare_with_zero({"a": ([rows[:3]], None), "b": ([rows[5:]], None)}, n_test=1000)
    assert two.count() == "a: 1 of 1 η; b: 0 of 0 η" and two.verdict().outcome == "inconclusive"
    assert "b: inconclusive: no η has both" in two.verdict().reason
    # the λ = 0 run's length is printed beside the paper's: a number, or a function of η (FC: 10⁶/η)
    capped = verdicts.smallest_lambda_vs_zero(rows, n_test=1000, paper_zero_epochs=lambda lr: 1e3 / lr)
    assert [v.paper_zero_epochs for v in capped] == [pytest.approx(1e4), pytest.approx(2e3)]
    assert "λ = 0 (capped: trained 40 epochs, the paper 1e+04)" in capped[0].describe()
    assert "λ = 0 (trained 40 epochs)" in got[0.1].describe()
    long_enough = verdicts.smallest_lambda_vs_zero(rows, n_test=1000, paper_zero_epochs=40)[0]
    assert "λ = 0 (trained 40 epochs, the paper 40)" in long_enough.describe()
    rising = [_row(0.1, 0.01, 0.95), _row(0.1, 0.0, 0.90, t_star=40.0)]  # λ = 0 peaks at its last evaluation
    short = verdicts.smallest_lambda_vs_zero(rising, n_test=1000, paper_zero_epochs=1e4)[0]
    assert short.verdict.outcome == "inconclusive" and "λ = 0 capped" in short.verdict.reason


def test_smallest_lambda_against_zero_over_seeds_counts_only_when_every_seed_agrees():
    """Fig. 2b with three initialization seeds on 1000 test images: per η each seed is decided alone; the η counts
    as reproduced only when all three are, disagreement (or a seed without the comparison) is inconclusive, and the
    accuracies shown are the seeds' means."""
    seed_rows = [
        [_row(0.1, 0.01, 0.90), _row(0.1, 0.0, 0.902), _row(0.5, 0.01, 0.91), _row(0.5, 0.0, 0.90)],
        [_row(0.1, 0.01, 0.92), _row(0.1, 0.0, 0.90), _row(0.5, 0.01, 0.85), _row(0.5, 0.0, 0.90)],
        [_row(0.1, 0.01, 0.91), _row(0.1, 0.0, 0.91), _row(0.5, 0.01, 0.92), _row(0.5, 0.0, 0.90)],
    ]
    got = {v.lr: v for v in verdicts.smallest_lambda_over_seeds(seed_rows, n_test=1000)}
    assert got[0.1].verdict.outcome == "reproduced" and got[0.1].seeds == 3
    assert "the same in each of 3 seeds" in got[0.1].verdict.reason and "seed 3: reproduced" in got[0.1].verdict.reason
    assert got[0.1].smallest_accuracy == pytest.approx(0.91) and got[0.1].zero_accuracy == pytest.approx(0.904)
    assert "mean over 3 seeds" in got[0.1].describe()
    assert got[0.5].verdict.outcome == "inconclusive"  # seed 2 is 50 images below λ = 0, seeds 1 and 3 beat it
    assert "the 3 seeds disagree (2 reproduced, 1 not reproduced" in got[0.5].verdict.reason
    comparison = verdicts.compare_with_zero({"": (seed_rows, None)}, n_test=1000)
    assert comparison.count() == "1 of 2 η" and comparison.verdict().outcome == "inconclusive"
    missing = [seed_rows[0], seed_rows[1], [r for r in seed_rows[2] if r.lr != 0.5]]  # seed 3 has no η = 0.5
    lacking = {v.lr: v for v in verdicts.smallest_lambda_over_seeds(missing, n_test=1000)}[0.5]
    assert lacking.verdict.outcome == "inconclusive" and "only 2 of 3 seeds" in lacking.verdict.reason
    one = verdicts.smallest_lambda_over_seeds(seed_rows[:1], n_test=1000)  # one seed: its own verdicts, unchanged
    assert one == verdicts.smallest_lambda_vs_zero(seed_rows[0], n_test=1000)


def test_plan_sweep_trains_lambda_zero_as_long_as_the_paper_when_told():
    kw = dict(physical_time=1.0, min_lr_lam=0.0, max_lr_lam=1.0, max_epochs=500)
    longest = {r.lr: r.epochs for r in plan.plan_sweep([0.1, 1.0], [0.1, 0.01], **kw) if r.lam == 0}
    assert longest == {0.1: 500, 1.0: 100}  # the longest λ > 0 run at each η (1/(0.1·0.01) = 1000 is capped)
    fixed = plan.plan_sweep([0.1, 1.0], [0.1, 0.01], zero_epochs=2000, **kw)
    assert {r.epochs for r in fixed if r.lam == 0} == {2000}  # the paper's length, beyond the λ > 0 cap
    per_eta = {r.lr: r.epochs for r in plan.plan_sweep([0.1, 1.0], [0.1], zero_lr_time=30.0, **kw) if r.lam == 0}
    assert per_eta == {0.1: 300, 1.0: 30}  # ceil(30/η), capped at max_epochs
    assert {r.epochs for r in plan.plan_sweep([0.01], [1.0], zero_lr_time=30.0, **kw) if r.lam == 0} == {500}
    with pytest.raises(ValueError, match="zero_epochs or zero_lr_time"):
        plan.plan_sweep([0.1], [0.1], zero_epochs=10, zero_lr_time=1.0, **kw)
    with pytest.raises(ValueError, match="zero_epochs"):
        plan.plan_sweep([0.1], [0.1], zero_epochs=0, **kw)


def test_best_lambda_within_a_budget_uses_only_that_budget_and_that_eta():
    # t_peak 5 (λ = 0.1) peaks within a budget of 10 epochs; t_peak 30 (λ = 0.01) peaks later but higher
    runs = [_history(0.2, 0.1, 5, peak=0.7), _history(0.2, 0.01, 30, peak=0.9), _history(0.4, 0.1, 2, peak=0.99)]
    short = verdicts.best_lambda_within_budget(runs, lr=0.2, budget=10)
    long = verdicts.best_lambda_within_budget(runs, lr=0.2, budget=40)
    assert (short.best_lam, long.best_lam) == (0.1, 0.01)
    assert [lam for lam, _ in short.accuracies] == [0.01, 0.1] and short.best_accuracy == pytest.approx(0.7)
    with pytest.raises(ValueError, match="no run at lr=0.3"):
        verdicts.best_lambda_within_budget(runs, lr=0.3, budget=10)


def test_accuracy_when_training_accuracy_first_reaches_one():
    h = _history(0.1, 0.01, 12)  # train error 0 from epoch 12 on
    (row,) = sweeps.summarize([h])
    assert row.t_train_zero == 12
    assert verdicts.accuracy_when_train_reaches_one(h, row) == pytest.approx(0.9)
    never = dataclasses.replace(row, t_train_zero=math.nan)
    assert math.isnan(verdicts.accuracy_when_train_reaches_one(h, never))


def test_optimal_lambda_is_interior_and_fits_each_side():
    # accuracy peaks at λ = 0.01; t* ∝ 1/λ above it and flat below it (the failure case of Fig. S7)
    rows = [_row(0.1, lam, acc, t_star=t, epochs=2 / (0.1 * lam))
            for lam, acc, t in ((1e-3, 0.50, 100), (3e-3, 0.55, 100), (0.01, 0.60, 100), (0.03, 0.58, 33.3),
                                (0.1, 0.5, 10))]  # fmt: skip
    v = verdicts.optimal_lambda(rows + [_row(0.1, 0.0, 0.52)], physical_time=2.0)
    assert v.interior and v.best_lam == 0.01 and v.zero_accuracy == 0.52
    assert v.fit_below.exponent == pytest.approx(0.0, abs=1e-9)
    assert v.fit_above.exponent == pytest.approx(-1.0, abs=0.01)
    cut = dataclasses.replace(rows[0], epochs=100.0)
    assert verdicts.optimal_lambda([cut, *rows[1:]], physical_time=2.0).cut_short == ((1e-3, 100.0, 20000.0),)
    assert not verdicts.optimal_lambda(rows[3:], physical_time=2.0).interior


def test_spread_max_ratio_and_the_deep_linear_prediction():
    runs = {"a": _history(0.1, 0.01, 10, peak=0.9), "b": _history(0.1, 0.01, 20, peak=0.8)}
    early, end = verdicts.accuracy_spread(runs, epoch=5), verdicts.accuracy_spread(runs)
    assert early.spread == pytest.approx((0.1 + 0.8 * 5 / 10) - (0.1 + 0.7 * 5 / 20))
    assert end.when == "at the end" and end.spread == pytest.approx((0.9 - 0.3) - (0.8 - 0.2))
    t = np.array([0.0, 1.0, 2.0, 3.0])
    assert verdicts.max_ratio_until(t, [1, 2, 4, 100], [1, 1, 1, 1], until=2.0) == pytest.approx(4.0)
    assert math.isnan(verdicts.max_ratio_until(t, t + 1, t + 1, until=0.0))
    assert verdicts.deep_linear_fixed_point_prediction(0.3) == pytest.approx(0.7)
    assert verdicts.deep_linear_fixed_point_prediction(1.5) == 0.0


def test_analyze_sweep_fits_with_and_without_the_runs_that_did_not_learn():
    hist = [_history(1.0, lam, round(1 / lam), epochs=120) for lam in (0.01, 0.02, 0.05)]
    hist += [_history(1.0, 0.1, 10, peak=0.15, epochs=120), _history(1.0, 0.0, 110, epochs=120)]
    a = sweeps.analyze_sweep(hist)
    assert a.threshold == pytest.approx(0.5) and a.fit.n_runs == 4 and a.fit_learned.n_runs == 3
    assert a.fit_learned.not_learned == ((1.0, 0.1),) and a.fit_learned.exponent == pytest.approx(-1.0, abs=0.02)


def test_extra_table_columns_must_have_one_cell_per_row():
    rows = [_row(0.1, 0.01, 0.9), _row(0.1, 0.0, 0.9)]
    text = tables.format_runs(rows, ("λ", "max acc"), extra={"final": ["0.1", "0.2"]})
    assert text.splitlines()[0].split() == ["λ", "max", "acc", "final", "note"] and text.endswith("0.2")
    with pytest.raises(ValueError, match="extra column 'final' has 1 cells for 2 rows"):
        tables.format_runs(rows, extra={"final": ["x"]})


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "sgdw"])
def test_clock_gain_is_the_decay_rate_of_the_optimizers_own_chain(optimizer):
    """With no loss gradient, θ under our optimizer chain decays as exp(−gain·ηλ·t) once momentum has built up:
    the clock that :func:`beyond.clock_gain` predicts (1/(1 − β) for momentum + L2, 1 for SGD and SGDW)."""
    import jax.numpy as jnp

    from replication.experiments import beyond
    from replication.training import TrainSpec
    from replication.training.optimizers import optimizer_direction

    lr, lam, beta = 0.01, 0.01, 0.9
    tx = optimizer_direction(TrainSpec(optimizer=optimizer, momentum=beta))
    theta = jnp.ones(())
    state = tx.init(theta)
    norms = []
    for _ in range(4000):
        d, state = tx.update(jnp.zeros(()), state, theta, lam=lam)
        theta = theta - lr * d
        norms.append(float(theta))
    rate = -np.diff(np.log(norms[1000:]))  # per step, after the transient of 1/(1 − β) steps
    assert rate.mean() == pytest.approx(beyond.clock_gain(optimizer, beta) * lr * lam, rel=0.02)


def test_optimizer_runs_put_momentum_on_its_own_clock():
    from replication.experiments import beyond
    from replication.experiments.configs import Config

    grid = dict(lrs=(0.02, 0.08), lams=(2.5e-3, 0.01, 0.1, 0.4))
    cfg = Config(momentum=0.9, optimizers={"momentum": grid, "sgdw": grid},
                 sweep=dict(physical_time=2.0, min_lr_lam=5e-4, max_lr_lam=0.1, max_epochs=4000))  # fmt: skip
    sgdw = {(r.lr, r.lam): r.epochs for r in beyond.optimizer_runs(cfg, "sgdw")}
    momentum = {(r.lr, r.lam): r.epochs for r in beyond.optimizer_runs(cfg, "momentum")}
    # SGDW: the sweep's window 5e-4 ≤ ηλ ≤ 0.1 and τ/(ηλ) steps; λ = 0 as long as the η's longest run
    assert sgdw == {(0.02, 0.1): 1000, (0.02, 0.4): 250, (0.02, 0.0): 1000, (0.08, 0.01): 2500,
                    (0.08, 0.1): 250, (0.08, 0.4): 63, (0.08, 0.0): 2500}  # fmt: skip
    # momentum: the window in η/(1 − β)·λ (5e-5 ≤ ηλ ≤ 0.01) and runs τ(1 − β)/(ηλ): one tenth as long
    assert momentum == {(0.02, 2.5e-3): 4000, (0.02, 0.01): 1000, (0.02, 0.1): 100, (0.02, 0.4): 25, (0.02, 0.0): 4000,
                        (0.08, 2.5e-3): 1000, (0.08, 0.01): 250, (0.08, 0.1): 25, (0.08, 0.0): 1000}  # fmt: skip
    # an optimizer's own window: its values of the sweep's fields, planned and evaluated with them
    window = dict(min_lr_lam=1e-4, max_epochs=8000, evals_per_octave=4)
    own = Config(cfg.to_dict(), optimizers={"momentum": grid, "sgdw": dict(grid, sweep=window)})
    assert dict(beyond.optimizer_window(own, "sgdw")) == dict(physical_time=2.0, min_lr_lam=1e-4, max_lr_lam=0.1,
                                                              max_epochs=8000, evals_per_octave=4)  # fmt: skip
    assert beyond.optimizer_window(own, "momentum") == cfg.sweep
    longer = {(r.lr, r.lam): r.epochs for r in beyond.optimizer_runs(own, "sgdw")}
    # ηλ = 2e-4 now inside at both η: τ/(ηλ) = 10000 steps, capped at the window's 8000, and λ = 0 as long
    assert longer == {**sgdw, (0.02, 0.01): 8000, (0.02, 0.0): 8000, (0.08, 2.5e-3): 8000, (0.08, 0.0): 8000}
    assert {(r.lr, r.lam) for r in beyond.optimizer_runs(own, "momentum")} == set(momentum)
    typo = Config(cfg.to_dict(), optimizers={"sgdw": dict(grid, sweep=dict(min_lrlam=1e-4))})
    with pytest.raises(ValueError, match=r"optimizers.sgdw.sweep has fields \['min_lrlam'\]"):
        beyond.optimizer_window(typo, "sgdw")
    with pytest.raises(ValueError, match="momentum=1.0 must be in"):
        beyond.clock_gain("momentum", 1.0)
    with pytest.raises(ValueError, match="optimizer='lion'"):
        beyond.clock_gain("lion", 0.9)


def test_the_comparison_trains_each_pairs_lambda_zero_once():
    import dataclasses
    from types import SimpleNamespace

    from replication.analysis.plan import SweepRun
    from replication.core.provenance import Provenance
    from replication.experiments import beyond
    from replication.experiments.configs import get_config
    from replication.experiments.grid import GridResult
    from replication.training import History

    for preset in ("smoke", "cpu", "paper"):
        cfg = get_config("beyond", preset)
        planned = beyond.comparison_runs(cfg)
        for reader, trainer in beyond.ZERO_FROM.items():
            own = {name: beyond.optimizer_runs(cfg, name) for name in (reader, trainer)}
            assert planned[reader] == [r for r in own[reader] if r.lam > 0]  # the partner trains both η
            zero = {r.lr: r.epochs for r in planned[trainer] if r.lam == 0}
            for lr in zero:  # as long as the longer of the two asks
                assert zero[lr] == max(r.epochs for n in own for r in own[n] if r.lam == 0 and r.lr == lr)
            assert [r for r in planned[trainer] if r.lam > 0] == [r for r in own[trainer] if r.lam > 0]

    def grid(runs, seeds=(0, 1)):
        hist = [[History(r.lr, r.lam, r.epochs, False, None, {"step": np.array([s])}) for r in runs] for s in seeds]
        prov = Provenance("cpu", "cpu", 1.0)
        return GridResult(tuple(runs), tuple(hist[0]), prov, False, seeds=seeds,
                          by_seed=tuple(map(tuple, hist)))  # fmt: skip

    a, b = SweepRun(0.1, 0.5, 10), SweepRun(0.1, 0.0, 20)
    elsewhere = [SweepRun(0.3, 0.0, 20), SweepRun(0.2, 0.5, 10), SweepRun(0.2, 0.0, 10)]  # η it lacks or has λ = 0 at
    spliced = beyond.with_zero_runs(grid([a, *elsewhere[1:]]), grid([dataclasses.replace(a, lam=0.25), b, *elsewhere]))
    assert spliced.runs == (a, *elsewhere[1:], b)
    spliced = beyond.with_zero_runs(grid([a]), grid([dataclasses.replace(a, lam=0.25), b]))
    assert spliced.runs == (a, b) and [h.lam for h in spliced.histories] == [0.5, 0.0]
    assert [[float(h.metrics["step"][0]) for h in hs] for hs in spliced.by_seed] == [[0, 0], [1, 1]]
    line = beyond.describe_grid("sgdw", SimpleNamespace(grid=spliced))
    assert line.startswith("SGDW (decoupled): 2 runs × 2 seeds: computed in 1 s") and line.endswith(
        "; 1 of its runs, λ = 0, are momentum + L2's (the same update, trained once)"
    )
    assert "λ = 0" not in beyond.describe_grid("momentum", SimpleNamespace(grid=spliced))
    with pytest.raises(ValueError, match="different seeds"):
        beyond.with_zero_runs(grid([a]), grid([b], seeds=(0, 2)))
