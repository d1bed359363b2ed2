"""Section 3's optimal λ (Fig. 1b, 4, S3, S4): c measured from one short run at a large λ, a λ sweep as long as the
largest budget (every shorter budget is a prefix of it), and one run per budget at λ_pred = f·c/T.

Two settings: the paper's own, a WRN with momentum 0.9 and flip/crop/mixup at a constant learning rate
(:func:`wrn_prediction_study`, with :func:`scheduled_prediction` for λ_pred = c/(0.3T) under Fig. 1a's step
schedule), and the FC network on MNIST trained by full-batch SGD (:func:`prediction_study`, our second setting)."""

from __future__ import annotations

import dataclasses

from replication.analysis.budgets import PredictionRow, prediction_runs, prediction_table
from replication.analysis.criteria import DEFAULT, Verdict, prediction_verdict, seeds_agree
from replication.analysis.peaks import measure_c as measure_c_from_history
from replication.analysis.plan import SweepRun
from replication.analysis.seeds import seed_list
from replication.core.provenance import Provenance
from replication.experiments import cifar, wrn_cifar
from replication.experiments.claims import Claim, Decider
from replication.experiments.configs import Config
from replication.experiments.fc_mnist import run_sweep
from replication.experiments.grid import GridResult
from replication.experiments.results import n_test_images
from replication.training.records import TrainSpec

__all__ = ["STUDIES", "CLAIMS", "CMeasurement", "fc_sweep", "fc_evaluations", "measure_c", "tuning_sweep",
           "PredictionStudy", "prediction_study", "wrn_setting", "wrn_sweep", "wrn_measure_c", "wrn_tuning_sweep",
           "wrn_prediction_study", "SCHEDULE_FRACTION", "ScheduledPrediction", "scheduled_prediction",
           "scheduled_prediction_study", "PAPER_C", "c_in_steps"]  # fmt: skip

# What this chapter computes and stores, in the chapter's order; the headless runner runs exactly these.
STUDIES = ("wrn_prediction_study", "scheduled_prediction_study", "prediction_study")

# Fig. 4a: the paper's c = t*·λ (t* in epochs of 48 steps, at the paper's η = 0.2, its units), WRN-28-10 on CIFAR-10.
PAPER_C = 0.0066

# The paper's claims this chapter judges (replication.experiments.claims): the chapter records ours under each key.
CLAIMS = (
    Claim(
        "Fig. 1b, 4, S3, S4",
        "Predicted optimal λ = c/T within an order of magnitude of the tuned λ",
        f"c ≈ {PAPER_C}; accuracy within 0.4% of tuned",
        "optimal_l2.accuracy_gap",
        "the paper's setting at our sizes: a Wide ResNet (WRN-28-10 at paper) · CIFAR-10 or its stand-in · momentum "
        "0.9, flip/crop/mixup; the chapter's second setting is FC on MNIST with full-batch SGD",
        Decider(
            "the paper's setting (WRN-28-10 on CIFAR-10, budgets 50–2000 epochs) from three initializations: in the "
            "probes of NOTES.md's session 16 (a WRN-10-2, cpu's network then) L2 did not help with 512 or 4096 "
            "training images (λ = 0 as good at most budgets, the tuned λ at the grid's smallest), so no cpu size we "
            "probed decides it",
            "decide_wrn",
            "wrn_prediction_study",
            base="paper",
            probed=True,
        ),
    ),
)

# Section 3: under the step schedule the run should peak before the first decay at 0.3T, so λ_pred ≈ c/(0.3T).
SCHEDULE_FRACTION = 0.3


@dataclasses.dataclass(frozen=True)
class CMeasurement:
    """Fig. 4a: the short run at ``lam`` and c = t*·λ read off it (t* in epochs)."""

    grid: GridResult
    lam: float
    c: float

    @property
    def t_star(self) -> float:
        return self.c / self.lam


def _c_from(grid: GridResult, lam: float) -> CMeasurement:
    m = grid.histories[0].metrics
    tol = DEFAULT.peak_tolerance(n_test_images(grid))  # t* as every sweep reads it
    return CMeasurement(grid, lam, measure_c_from_history(m["epoch"], m["test_accuracy"], lam, tol=tol))


def fc_sweep(cfg, runs: list[SweepRun], *, seed: int, name: str, **spec_options) -> GridResult:
    """Train ``runs`` in the FC/MNIST setting (full-batch SGD) with the setting's evaluation cadence (``cfg.evals``,
    ``cfg.evals_per_octave``); ``spec_options`` add e.g. the step schedule or AutoL2."""
    return run_sweep(cfg, runs, seed=seed, name=name, evals=cfg.evals, evals_per_octave=cfg.evals_per_octave,
                     **spec_options)  # fmt: skip


def fc_evaluations(cfg) -> str:
    """The FC setting's evaluation cadence in words (the measurement of c is evaluated evenly: ``cfg.c.evals``)."""
    return TrainSpec(evals=cfg.evals, evals_per_octave=cfg.evals_per_octave).describe_evaluations()


def measure_c(cfg, *, seed: int) -> CMeasurement:
    grid = run_sweep(cfg, [SweepRun(cfg.lr, cfg.c.lam, cfg.c.epochs)], seed=seed, name="optimal_l2_measure_c",
                     evals=cfg.c.evals)  # fmt: skip
    return _c_from(grid, cfg.c.lam)


def tuning_sweep(cfg, *, seed: int, budget: int | None = None, **spec_options) -> GridResult:
    """λ = 0 and every λ of ``cfg.lams``, each trained ``budget`` epochs (default: the largest budget)."""
    budget = budget or max(cfg.budgets)
    runs = [SweepRun(cfg.lr, float(lam), budget) for lam in (0.0,) + tuple(cfg.lams)]
    return fc_sweep(cfg, runs, seed=seed, name="optimal_l2_sweep", **spec_options)


@dataclasses.dataclass(frozen=True)
class PredictionStudy:
    """c, the tuning sweep, the runs at λ_pred, and one :class:`PredictionRow` per (factor, budget) from the tuning
    sweep's first initialization; ``rows_by_seed``: the same rows from each of its initializations (() with one)."""

    c: CMeasurement
    tuning: GridResult
    predicted: GridResult
    rows: tuple[PredictionRow, ...]
    rows_by_seed: tuple[tuple[PredictionRow, ...], ...] = ()

    @property
    def provenance(self) -> Provenance:
        return Provenance.combine([self.c.grid.provenance, self.tuning.provenance, self.predicted.provenance])

    def judge(self, factor: float = 1.0) -> Verdict:
        """Section 3's verdict (:func:`~replication.analysis.criteria.prediction_verdict`) on the rows of each
        initialization of the tuning sweep (the same c and runs at λ_pred), kept only where the seeds agree
        (:func:`~replication.analysis.criteria.seeds_agree`); with one initialization, its own."""
        per_seed = self.rows_by_seed or (self.rows,)
        return seeds_agree([prediction_verdict(list(rows), factor=factor) for rows in per_seed], len(per_seed))


def prediction_study(cfg, *, seed: int) -> PredictionStudy:
    """The FC/MNIST setting: full-batch SGD at ``cfg.lr``."""
    c = measure_c(cfg, seed=seed)
    tuning = tuning_sweep(cfg, seed=seed)
    predicted = fc_sweep(cfg, prediction_runs(c.c, cfg.budgets, cfg.lr), seed=seed, name="optimal_l2_predicted")
    rows = prediction_table(c.c, cfg.budgets, list(tuning.histories), list(predicted.histories),
                            n_test=cfg.data.test_samples)  # fmt: skip
    return PredictionStudy(c, tuning, predicted, tuple(rows))


def wrn_setting(cfg) -> Config:
    """The chapter's ``wrn`` group as a configuration of its own (data, model, train, schedule, lr, c, budgets, lams,
    evals), with the preset, as :func:`replication.experiments.cifar.run_sweep` reads it."""
    return Config(cfg.wrn, preset=cfg.preset)


def c_in_steps(c: float, w) -> float:
    """c = t*·λ (t* in epochs) of the WRN setting ``w`` (:func:`wrn_setting`) as t*·ηλ with t* in steps: the number
    that compares across η and batch sizes (an epoch's steps and η differ between presets), ours."""
    return c * cifar.steps_per_epoch(w) * w.lr


def wrn_sweep(w, runs: list[SweepRun], *, seed: int, name: str, evals: int | None = None, **spec_options) -> GridResult:
    """Train ``runs`` of the WRN of ``w`` (:func:`wrn_setting`) in Fig. 1's setting: momentum 0.9, flip/crop/mixup,
    batch ``w.train.batch_size``, ``evals`` evaluations per run (default ``w.evals``, the sweep's: one per epoch
    at `cpu`, so that the shortest budget has a few; the runs at λ_pred use ``w.train.evals``); ``spec_options`` add
    e.g. the step schedule or AutoL2."""
    w = w.replace(train=dict(evals=int(evals or w.evals)))
    options = dict(wrn_cifar.MOMENTUM, **spec_options)
    return cifar.run_sweep(w, runs, seed=seed, name=name, model=wrn_cifar.model_config(w), **options)


def wrn_measure_c(w, *, seed: int) -> CMeasurement:
    """Fig. 4a: one run at the large λ ``w.c.lam`` for ``w.c.epochs`` epochs (the paper: λ = 0.01, 2 epochs)."""
    run = SweepRun(w.lr, w.c.lam, w.c.epochs)
    return _c_from(wrn_sweep(w, [run], seed=seed, name="optimal_l2_wrn_measure_c", evals=w.c.evals), w.c.lam)


def wrn_tuning_sweep(w, *, seed: int, budget: float | None = None) -> GridResult:
    """λ = 0 and every λ of ``w.lams`` at the constant learning rate, each trained ``budget`` epochs (default: the
    largest budget; a constant-η run contains every shorter budget), from ``w.seeds.count`` initializations (the
    histories are the first's; ``by_seed`` holds each), evaluated as ``w.evals_per_octave`` says."""
    budget = budget or max(w.budgets)
    runs = [SweepRun(w.lr, float(lam), budget) for lam in (0.0,) + tuple(w.lams)]
    return wrn_sweep(w, runs, seed=seed, name="optimal_l2_wrn_sweep", seeds=seed_list(w, seed),
                     evals_per_octave=w.evals_per_octave)  # fmt: skip


def wrn_prediction_study(cfg, *, seed: int) -> PredictionStudy:
    """Fig. 1b, 4, S3, S4 in the paper's setting: c at a large λ, the λ sweep, and a run at f·c/T per budget."""
    w = wrn_setting(cfg)
    c = wrn_measure_c(w, seed=seed)
    tuning = wrn_tuning_sweep(w, seed=seed)
    runs = prediction_runs(c.c, w.budgets, w.lr)
    predicted = wrn_sweep(w, runs, seed=seed, name="optimal_l2_wrn_predicted", evals=w.train.evals)

    def rows_of(histories) -> tuple[PredictionRow, ...]:
        return tuple(prediction_table(c.c, w.budgets, list(histories), list(predicted.histories),
                                      n_test=w.data.test_samples))  # fmt: skip

    by_seed = tuple(rows_of(h) for h in tuning.by_seed)
    return PredictionStudy(c, tuning, predicted, by_seed[0] if by_seed else rows_of(tuning.histories), by_seed)


@dataclasses.dataclass(frozen=True)
class ScheduledPrediction:
    """Section 3 under the step schedule at Fig. 1a's fixed budget T: the fixed-T sweep (the WRN chapter's), the runs
    at λ = c/T and c/(0.3T) with the same schedule, and one :class:`PredictionRow` per factor (1 and 1/0.3)."""

    c: CMeasurement
    fixed: GridResult
    predicted: GridResult
    rows: tuple[PredictionRow, ...]

    @property
    def provenance(self) -> Provenance:
        return Provenance.combine([self.c.grid.provenance, self.fixed.provenance, self.predicted.provenance])


def scheduled_prediction(cfg, c: CMeasurement, *, seed: int) -> ScheduledPrediction:
    """λ_pred = c/(0.3T) (and c/T) at T = ``schedule.fixed_T`` with the step schedule, against the best λ of Fig. 1a's
    fixed-T sweep. c must come from the same learning rate as the schedule starts with."""
    w = wrn_setting(cfg)
    if w.schedule.lr != w.lr:
        raise ValueError(f"wrn.schedule.lr={w.schedule.lr!r} must equal wrn.lr={w.lr!r}, the η c was measured at.")
    fixed = wrn_cifar.fixed_T_sweep(w, seed=seed)
    T, factors = w.schedule.fixed_T, (1.0, 1.0 / SCHEDULE_FRACTION)
    runs = prediction_runs(c.c, [T], w.lr, factors=factors)
    predicted = wrn_sweep(w, runs, seed=seed, name="optimal_l2_wrn_scheduled", evals=w.train.evals, schedule="step")
    rows = prediction_table(c.c, [T], list(fixed.histories), list(predicted.histories), factors=factors,
                            n_test=w.data.test_samples)  # fmt: skip
    return ScheduledPrediction(c, fixed, predicted, tuple(rows))


def scheduled_prediction_study(cfg, *, seed: int) -> ScheduledPrediction:
    """:func:`scheduled_prediction` with c measured as :func:`wrn_prediction_study` measures it (stored: reused)."""
    return scheduled_prediction(cfg, wrn_measure_c(wrn_setting(cfg), seed=seed), seed=seed)
