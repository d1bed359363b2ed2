"""The fully-connected network on MNIST (appendix A: 3 hidden layers of 2048, ReLU, σ_w = √2, σ_b = 0, trained on
the first 512 MNIST samples with batch 512, i.e. full batch): data, model and the (η, λ) sweep of Fig. 2a–c."""

from __future__ import annotations

import dataclasses
import math

from flax import nnx

from replication import data as data_lib
from replication.analysis.sweeps import SweepRun, plan_sweep
from replication.core.provenance import Provenance
from replication.experiments.grid import cached_grid, spec_config
from replication.models import MLP, functional
from replication.training import Dataset, History, TrainSpec

__all__ = ["load_data", "make_model", "sweep_runs", "run_sweep"]


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
    return functional(
        MLP(784, 10, width=width, depth=depth, rngs=nnx.Rngs(seed), sigma_w=math.sqrt(2.0), sigma_b=0.0, use_bias=True)
    )


def sweep_runs(cfg, *, lrs=None, lams=None, physical_time=None) -> list[SweepRun]:
    return plan_sweep(
        lrs or cfg.lrs,
        lams or cfg.lams,
        physical_time=physical_time or cfg.physical_time,
        min_lr_lam=cfg.min_lr_lam,
        max_lr_lam=cfg.max_lr_lam,
        max_epochs=cfg.max_epochs,
    )


def run_sweep(
    cfg,
    runs: list[SweepRun],
    *,
    seed: int,
    loss: str = "xent",
    name: str = "fc_mnist",
    log=print,
    evals: int | None = None,
    **spec_options,
) -> tuple[list[History], Provenance, bool]:
    """Train ``runs`` (full batch: one step per epoch) from one initialization, as one vmapped grid; the result is
    stored and reused when the same configuration and code run again, and a killed computation resumes from its
    checkpoint (``results/<preset>/checkpoints/``). ``spec_options`` go to :class:`TrainSpec` (``schedule``,
    ``autol2``, ...). Returns (histories, provenance of the computation, reused)."""
    spec = TrainSpec(loss=loss, batch_size=None, evals=evals or cfg.evals, **spec_options)
    config = dict(
        name=name,
        preset=cfg.preset,
        seed=seed,
        loss=loss,
        width=cfg.width,
        depth=cfg.depth,
        source=cfg.mnist_source,
        train_samples=cfg.train_samples,
        test_samples=cfg.test_samples,
        evals=spec.evals,
        runs=[dataclasses.asdict(r) for r in runs],
    )
    if spec_options:
        config["spec"] = spec_config(spec_options)
    return cached_grid(
        name,
        cfg.preset,
        config,
        runs,
        seed=seed,
        spec=spec,
        code=run_sweep,
        log=log,
        load=lambda: load_data(cfg.mnist_source, cfg.train_samples, cfg.test_samples),
        build=lambda: make_model(cfg.width, cfg.depth, seed),
    )
