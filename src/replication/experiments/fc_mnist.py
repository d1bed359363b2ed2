"""The fully-connected network on MNIST (appendix A: 3 hidden layers of 2048, ReLU, σ_w = √2, σ_b = 0, trained on
the first 512 MNIST samples with batch 512, i.e. full batch): data, model, the stored (η, λ) grid, and the entry
points of Fig. 2a–c/S1/S6 (:func:`tstar_sweep`) and Fig. S5 (:func:`mse_sweep`)."""

from __future__ import annotations

import dataclasses
import math

from flax import nnx

from replication import data as data_lib
from replication.analysis.criteria import EtaSpreads, Verdict, eta_flattening_verdict, eta_spreads
from replication.analysis.plan import SweepRun, plan_sweep
from replication.analysis.verdicts import accuracy_when_train_reaches_one
from replication.core import ledger
from replication.experiments.grid import GridResult, cached_grid, spec_config
from replication.experiments.results import SweepResult, analyzed
from replication.models import MLP, functional
from replication.training import Dataset, TrainSpec

__all__ = ["STUDIES", "load_data", "make_model", "sweep_runs", "run_sweep", "seed_list", "tstar_sweep", "mse_sweep",
           "mse_verdict"]  # fmt: skip

# What this chapter computes and stores, in the chapter's order; the headless runner runs exactly these.
STUDIES = ("tstar_sweep", "mse_sweep")


@ledger.timed_calls("data loading")
def load_data(source: str, train_samples: int, test_samples: int) -> Dataset:
    """First ``train_samples`` MNIST training images and first ``test_samples`` test images, standardized with
    the training subset's statistics, flattened; one-hot targets."""
    train = data_lib.first_n(data_lib.load_mnist("train", source), train_samples)
    test = data_lib.first_n(data_lib.load_mnist("test", source), test_samples)
    stats = data_lib.normalization_stats(train.images)
    return Dataset(
        x_train=data_lib.flatten(data_lib.standardize(train.images, stats)),
        y_train=data_lib.one_hot(train.labels),
        labels_train=train.labels,
        x_test=data_lib.flatten(data_lib.standardize(test.images, stats)),
        y_test=data_lib.one_hot(test.labels),
        labels_test=test.labels,
    )


def make_model(width: int, depth: int, seed: int):
    """Appendix A's FC network (standard parameterization, LeCun init, σ_w = √2, σ_b = 0) as (apply_fn, params)."""
    net = MLP(784, 10, width=width, depth=depth, rngs=nnx.Rngs(seed), sigma_w=math.sqrt(2.0), sigma_b=0.0)
    return functional(net)


def sweep_runs(cfg, *, lrs=None, lams=None, physical_time=None, zero_lr_time=None) -> list[SweepRun]:
    """The Fig. 2a grid of ``cfg.sweep`` (or the given η, λ, physical time and λ = 0 length in epochs·η)."""
    s = cfg.sweep
    return plan_sweep(lrs or s.lrs, lams or s.lams, physical_time=physical_time or s.physical_time,
                      min_lr_lam=s.min_lr_lam, max_lr_lam=s.max_lr_lam, max_epochs=s.max_epochs,
                      zero_lr_time=s.zero_lr_time if lrs is None else zero_lr_time)  # fmt: skip


def run_sweep(
    cfg, runs: list[SweepRun], *, seed: int, loss: str = "xent", name: str = "fc_mnist", log=print,
    evals: int | None = None, seeds: list[int] | None = None, **spec_options,
) -> GridResult:  # fmt: skip
    """Train ``runs`` (full batch: one step per epoch) from one initialization (or from each of ``seeds``, all in the
    same vmapped program; full batch, so there is no data order to vary), as one vmapped grid; the result is
    stored and reused when the same configuration and code run again, and a killed computation resumes from its
    checkpoint (``results/<preset>/checkpoints/``). ``spec_options`` go to :class:`TrainSpec` (``schedule``,
    ``autol2``, ...)."""
    spec = TrainSpec(loss=loss, batch_size=None, evals=evals or cfg.sweep.evals, **spec_options)
    d, m = cfg.data, cfg.model
    config = dict(name=name, preset=cfg.preset, seed=seed, loss=loss, width=m.width, depth=m.depth,
                  source=d.mnist_source, train_samples=d.train_samples, test_samples=d.test_samples,
                  evals=spec.evals, runs=[dataclasses.asdict(r) for r in runs])  # fmt: skip
    if seeds is not None:
        config["seeds"] = list(seeds)
    if spec_options:
        config["spec"] = spec_config(spec_options)
    return cached_grid(
        name, cfg.preset, config, runs, seed=seed, spec=spec, code=run_sweep, log=log,
        load=lambda: load_data(d.mnist_source, d.train_samples, d.test_samples),
        build=(lambda s=seed: make_model(m.width, m.depth, s)), seeds=seeds,
    )  # fmt: skip


def seed_list(cfg, seed: int) -> list[int] | None:
    """The initialization seeds ``seed``, ``seed`` + 1, … (``cfg.seeds.count`` of them; None for one seed)."""
    count = cfg.seeds.count
    if count < 1:
        raise ValueError(f"seeds.count={count!r} must be at least 1.")
    return None if count == 1 else [seed + k for k in range(count)]


def tstar_sweep(cfg, *, seed: int) -> SweepResult:
    """Fig. 2a–c, S1, S6: the cross-entropy grid, each run trained for τ/(ηλ) epochs, with its t* analysis; with
    ``cfg.seeds.count`` > 1 from that many initializations (the analysis of the first one, plus the spread and the
    bootstrap intervals over all)."""
    return analyzed(run_sweep(cfg, sweep_runs(cfg), seed=seed, seeds=seed_list(cfg, seed)))


def mse_sweep(cfg, *, seed: int) -> SweepResult:
    """Fig. S5: the same network with MSE loss, trained for ``cfg.mse.physical_time``/(ηλ) epochs."""
    runs = sweep_runs(
        cfg, lrs=cfg.mse.lrs, lams=cfg.mse.lams, physical_time=cfg.mse.physical_time, zero_lr_time=cfg.mse.zero_lr_time
    )
    return analyzed(run_sweep(cfg, runs, seed=seed, loss="mse", name="fc_mnist_mse"))


def mse_verdict(cfg, mse: SweepResult) -> tuple[EtaSpreads, Verdict]:
    """Fig. S5's claim from the MSE sweep (:func:`replication.analysis.criteria.eta_flattening_verdict`): per λ > 0,
    each η's test accuracy when its training accuracy first reached 1 and its peak, on ``data.test_samples``
    images."""
    by_lam: dict[float, list[tuple[float, float]]] = {}
    for h, r in zip(mse.histories, mse.rows, strict=True):
        if r.lam > 0 and not r.diverged:
            by_lam.setdefault(r.lam, []).append((accuracy_when_train_reaches_one(h, r), r.max_test_accuracy))
    return eta_spreads(by_lam, cfg.data.test_samples), eta_flattening_verdict(by_lam, cfg.data.test_samples)
