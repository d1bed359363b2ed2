"""Fig. 1 in the paper's setting (WRN, momentum 0.9, flip/crop/mixup): the convergence flag of Fig. 1a's runs, AutoL2
measured every 10 steps, and the optimal-λ study and AutoL2 races trained at a micro size."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest
from conftest import needs_fashion

from replication.analysis.budgets import tuned_l2
from replication.analysis.criteria import DEFAULT
from replication.analysis.peaks import time_to_peak
from replication.analysis.sweeps import ConvergenceState, best_within_budget, convergence_state
from replication.training import AutoL2, Dataset, History, TrainSpec, train_grid


def _history(epochs, acc) -> History:
    epochs, acc = np.asarray(epochs, float), np.asarray(acc, float)
    n = len(epochs)
    metrics = {k: np.zeros(n) for k in ("step", "train_loss", "train_error", "test_loss", "sq_norm", "lr")}
    metrics |= {"epoch": epochs, "test_accuracy": acc, "lam": np.full(n, 1e-3)}
    return History(lr=0.1, lam=1e-3, steps=int(epochs[-1]), diverged=False, diverged_at=None, metrics=metrics)


@pytest.mark.parametrize(
    ("tail", "state"),
    [((0.50, 0.60, 0.70), "still improving"), ((0.80, 0.801, 0.802), "converged"), ((0.80, 0.70, 0.60), "declining")],
)
def test_convergence_state_on_synthetic_histories(tail, state):
    """Over the last 15% of 20 epochs (epochs 17–20) the accuracy moves as ``tail``: the flag follows the relative
    change from the first evaluation in the window to the last one."""
    epochs = np.arange(21.0)
    acc = np.r_[np.linspace(0.1, 0.5, 17), tail, tail[-1]]
    got = convergence_state(_history(epochs, acc), window=0.15, tol=0.01)
    assert got.start_epoch == 17.0
    assert got.relative_change == pytest.approx((tail[-1] - tail[0]) / tail[0])
    assert got.state == state


def test_convergence_state_ignores_a_diverged_tail_and_checks_its_arguments():
    acc = np.r_[np.linspace(0.1, 0.9, 10), np.nan, np.nan]
    got = convergence_state(_history(np.arange(12.0), acc), window=0.2)
    assert got.final_accuracy == pytest.approx(0.9) and got.start_epoch == 8.0
    assert ConvergenceState(0.1, 0.01, np.nan, np.nan, np.nan).state == "diverged"
    for kwargs, name in ((dict(window=0.0), "window"), (dict(window=1.0), "window"), (dict(tol=0.0), "tol")):
        with pytest.raises(ValueError, match=name):
            convergence_state(_history([0, 1], [0.1, 0.2]), **kwargs)


def test_autol2_every_10_changes_lambda_only_at_multiples_of_10():
    """Appendix A (Fig. 1c): measurements every 10 steps, so λ(t), recorded at every step of a minibatch run, can
    only change right after a step that is a multiple of 10; and it does change."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((64, 8)).astype(np.float32)
    labels = (x[:, 0] + 0.5 * rng.standard_normal(64) > 0).astype(np.int32)
    y = np.eye(2, dtype=np.float32)[labels]
    data = Dataset(x, y, labels, x, y, labels)
    w = {"w": jnp.asarray(rng.standard_normal((8, 2)) / np.sqrt(8), jnp.float32)}
    spec = TrainSpec(batch_size=8, evals=300, autol2=AutoL2(every=10, variant="code"))
    (h,) = train_grid(lambda p, xb: xb @ p["w"], w, data, [0.5], [0.1], [300], spec)
    step, lam = h.metrics["step"], h.metrics["lam"]
    assert np.all(np.diff(step) == 1)
    changed = step[1:][np.diff(lam) != 0]
    assert changed.size >= 2
    assert len({int(s) % 10 for s in changed}) == 1, changed  # one phase: the measurement steps
    first = int(changed[0])
    assert first % 10 in (0, 1)  # recorded at the measurement step or the one after it


@needs_fashion  # the WRN setting's stand-in: on MNIST these runs are others
@pytest.mark.slow
@pytest.mark.heavy  # 30–45 s cold on 2 cores: WRN chunk programs of 9–12 s of XLA compilation each
def test_wrn_prediction_study_at_a_micro_size(tmp_path, monkeypatch):
    """The optimal-λ chapter's WRN setting at smoke sizes (one tiny grid each): λ_pred in every row is c/T with
    c = t*·λ recomputed from the measurement run; the predicted runs are trained at those λ for T epochs; the tuned
    λ is the sweep's (ties kept)."""
    monkeypatch.setenv("REPLICATION_RESULTS", str(tmp_path))
    from replication.experiments import optimal_l2
    from replication.experiments.configs import get_config

    cfg = get_config("optimal_l2", "smoke")
    w = optimal_l2.wrn_setting(cfg)
    study = optimal_l2.wrn_prediction_study(cfg, seed=0)
    m = study.c.grid.histories[0].metrics
    tol = DEFAULT.peak_tolerance(w.data.test_samples)  # t* as every sweep reads it: within 0.5% or a tie
    c = time_to_peak(m["epoch"], m["test_accuracy"], tol=tol) * w.c.lam
    assert study.c.c == pytest.approx(c) and c > 0
    assert [(r.factor, r.budget) for r in study.rows] == [(f, T) for f in (1.0, 2.0) for T in w.budgets]
    for r, h in zip(study.rows, study.predicted.histories):
        assert r.lam_pred == pytest.approx(r.factor * c / r.budget)
        assert h.lam == pytest.approx(r.lam_pred) and h.metrics["epoch"][-1] == pytest.approx(r.budget)
        assert r.tuned == tuned_l2(list(study.tuning.histories), r.budget, n_test=w.data.test_samples)  # ties kept


@needs_fashion  # the WRN setting's stand-in: on MNIST these runs are others
@pytest.mark.slow
def test_wrn_scheduled_prediction_at_a_micro_size(tmp_path, monkeypatch):
    """Under the step schedule λ_pred = c/T and c/(0.3T), trained with η decaying."""
    monkeypatch.setenv("REPLICATION_RESULTS", str(tmp_path))
    from replication.experiments import optimal_l2
    from replication.experiments.configs import get_config

    cfg = get_config("optimal_l2", "smoke")
    w = optimal_l2.wrn_setting(cfg)
    measured = optimal_l2.wrn_measure_c(w, seed=0)
    sched = optimal_l2.scheduled_prediction(cfg, measured, seed=0)
    T, c = w.schedule.fixed_T, measured.c
    assert [r.lam_pred for r in sched.rows] == pytest.approx([c / T, c / (0.3 * T)])
    assert all(h.metrics["lr"][-1] < h.metrics["lr"][0] for h in sched.predicted.histories)  # the step schedule


@pytest.mark.slow
@pytest.mark.heavy  # 30–45 s cold on 2 cores: WRN chunk programs of 9–12 s of XLA compilation each
def test_wrn_autol2_race_at_a_micro_size(tmp_path, monkeypatch):
    """AutoL2's WRN race reuses the optimal-λ chapter's stored sweep and races against its tuned λ (the tie hardest
    for AutoL2, its ties named); from two initialization seeds, each seed's AutoL2 run against the same seed's sweep,
    and the verdict names each seed's."""
    monkeypatch.setenv("REPLICATION_RESULTS", str(tmp_path))
    from replication.experiments import autol2, optimal_l2
    from replication.experiments.configs import get_config

    two = dict(wrn=dict(seeds=dict(count=2)))
    cfg, acfg = get_config("optimal_l2", "smoke").replace(**two), get_config("autol2", "smoke").replace(**two)
    w = optimal_l2.wrn_setting(cfg)
    tuning = optimal_l2.wrn_tuning_sweep(w, seed=0)
    race = autol2.wrn_race(acfg, seed=0)
    assert race.sweep_reused  # the optimal-λ chapter's stored sweep, stored above
    assert len(race.seed_races) == 2
    for k, r in enumerate(race.seed_races):
        tuned = tuned_l2(list(tuning.by_seed[k]), acfg.wrn.budget, n_test=w.data.test_samples)
        ref_lam = float(r.reference.removeprefix("tuned constant λ = ").split()[0])
        assert ref_lam in tuned.tied  # a λ tied for the best (the one hardest for AutoL2), its ties named
        assert r.reference.endswith(")") == (len(tuned.tied) > 1)
        ref = next(h for h in tuning.by_seed[k] if h.lam == ref_lam)
        assert r.rows[0].name.startswith("AutoL2")
        assert r.rows[0].target == pytest.approx(best_within_budget(ref, acfg.wrn.budget))
    autos = [r.contenders[r.auto.name].metrics["sq_norm"] for r in race.seed_races]
    assert not np.array_equal(autos[0], autos[1])  # two initializations
    verdict = race.judge(w.data.test_samples, autol2.controller(acfg, every=acfg.wrn.every))
    assert "seed 1:" in verdict.reason and "seed 2:" in verdict.reason


@pytest.mark.slow
def test_cnn_race_at_a_micro_size(tmp_path, monkeypatch):
    """Fig. S11's CNN panel at smoke sizes: the tuned constant λ is the sweep's best (or tied with it), and AutoL2
    only decays λ."""
    monkeypatch.setenv("REPLICATION_RESULTS", str(tmp_path))
    from replication.experiments import autol2
    from replication.experiments.configs import get_config

    acfg = get_config("autol2", "smoke")
    cnn = autol2.cnn_race(acfg, seed=0)
    constants = [r for r in cnn.rows if r.name.startswith(("tuned", "constant"))]
    tie = 3 / autol2.cnn_setting(acfg).data.test_samples  # the tuned λ is the sweep's best, or tied with it
    assert max(r.best_accuracy for r in constants) - cnn.tuned.best_accuracy <= tie + 1e-9
    assert cnn.auto.final_lam <= acfg.autol2.lam0 * (1 + 1e-6)  # AutoL2 only decays (λ is float32)


def test_fig1b_figure_draws_each_rows_accuracy_against_its_budget():
    """Fig. 1b as the paper draws it: one point per budget for the tuned λ and for each factor's λ_pred run."""
    from replication.analysis.budgets import PredictionRow, TunedL2
    from replication.viz.applications import budget_accuracy_figure

    rows = [PredictionRow(f, T, f * 0.1 / T, TunedL2(T, 1e-3, 0.9 + T / 1e4, 1e-3, 1e-3, 0.8), 0.85 + f * T / 1e4)
            for f in (1.0, 2.0) for T in (10.0, 100.0)]  # fmt: skip
    fig = budget_accuracy_figure(rows, title="t")
    tuned, pred1, pred2 = fig.data
    assert list(tuned.x) == [10.0, 100.0] and list(tuned.y) == pytest.approx([0.901, 0.91])
    assert list(pred1.y) == pytest.approx([0.851, 0.86]) and list(pred2.y) == pytest.approx([0.852, 0.87])
    assert pred2.name == "λ_pred = 2c/T"


def test_the_wrn_setting_of_the_paper_presets_is_appendix_a_in_our_units():
    """Fig. 1b/4 and 1c/S9 at ``paper``: η = 0.2 in the authors' units is 0.4 in ours (converted once, not twice), the
    λ grid, the budgets, 200 epochs and every 10 steps of appendix A; the Fig. 1a schedule group is the WRN chapter's,
    so its fixed-T sweep is shared."""
    from replication.experiments.configs import get_config
    from replication.training.conventions import from_authors

    opt, auto, wrn = (get_config(c, "paper") for c in ("optimal_l2", "autol2", "wrn_cifar"))
    assert opt.wrn.lr == pytest.approx(from_authors(0.2, 0.0)[0]) == pytest.approx(0.4)
    assert opt.wrn.schedule.to_dict() == wrn.schedule.to_dict() | {"lr": opt.wrn.lr}
    assert wrn.schedule.lr == pytest.approx(0.4)  # so the schedule sweep is the same runs in both chapters
    assert tuple(opt.wrn.lams) == (5e-6, 1e-5, 5e-5, 1e-4, 2e-4, 4e-4, 1e-3, 2e-3)
    assert max(opt.wrn.budgets) == 2000 and opt.wrn.train.batch_size == 1024 and opt.wrn.train.bn_group == 128
    assert (auto.wrn.budget, auto.wrn.every, auto.autol2.every) == (200, 10, 10)
    assert get_config("autol2", "cpu").autol2.every == 5


@pytest.mark.parametrize("preset", ["cpu", "paper"])
def test_the_fixed_T_grid_is_one_grid_for_the_three_chapters_that_read_it(preset):
    """Fig. 1a's fixed-T sweep (from each chapter's own seed count) is asked for identically by the WRN, optimal-λ
    and AutoL2 chapters, so it trains once per preset: planned, nothing trains."""
    from replication.experiments import autol2, optimal_l2, wrn_cifar
    from replication.experiments.configs import get_config
    from replication.experiments.grid import rehearsing

    with rehearsing(cifar_shapes=False) as planned:
        wrn_cifar.fixed_T_sweep(get_config("wrn_cifar", preset), seed=0)
        wrn_cifar.fixed_T_sweep(optimal_l2.wrn_setting(get_config("optimal_l2", preset)), seed=0)
        wrn_cifar.fixed_T_sweep(autol2.wrn_setting(get_config("autol2", preset)), seed=0)
    assert len(planned) == 3 and len({p.identity for p in planned}) == 1, [p.identity for p in planned]
    seeds = get_config("wrn_cifar", preset).seeds.count
    assert planned[0].n_runs == seeds * len(get_config("wrn_cifar", preset).schedule.lams)


def test_fig1a_decider_trains_the_papers_physical_time_where_cpu_trains_an_eighth():
    """Fig. 1a's T(λ) = T_scale/λ epochs as steps·ηλ (our units): the paper's 0.1/λ epochs of 48 steps at η = 0.4 is
    1.92; cpu's 0.025/λ of 16 steps at η = 0.6 is 1/8 of it; the decider's is the paper's. In each the fixed T is
    T(λ) of a λ of the grid (the paper's T(5e-4) = 200), and the config's step count is the engine's."""
    from replication.experiments.cifar import steps_per_epoch
    from replication.experiments.configs import decider_config, get_config
    from replication.experiments.wrn_cifar import judge_fixed_T, physical_time_text, schedule_physical_time

    paper, cpu = get_config("wrn_cifar", "paper"), get_config("wrn_cifar", "cpu")
    decide = decider_config("wrn_cifar", "decide_fixed_T", "cpu")
    for c in (paper, cpu, decide):
        assert c.data.train_samples // c.train.batch_size == steps_per_epoch(c)
        expected = c.schedule.T_scale / c.schedule.fixed_T
        assert any(lam == pytest.approx(expected) for lam in c.schedule.lams)
    assert schedule_physical_time(paper) == pytest.approx(48 * 0.4 * 0.1) == pytest.approx(1.92)
    assert schedule_physical_time(cpu) == pytest.approx(schedule_physical_time(paper) / 8)
    assert schedule_physical_time(decide) == pytest.approx(schedule_physical_time(paper))
    assert (decide.schedule.fixed_T, decide.data.test_samples) == (320, 10000)
    assert decide.schedule.lams == (cpu.schedule.lams[0] / 4, cpu.schedule.lams[0] / 2, *cpu.schedule.lams)
    assert "is 0.24, the paper's 1.92 (0.125×)" in physical_time_text(cpu)
    with pytest.raises(ValueError, match="one fixed-T sweep"):
        judge_fixed_T(decide, ())
