"""The CIFAR-10 experiments (appendix A): data (the real CIFAR-10 when present, else a named stand-in), the models of
Fig. 3 (CNN ± BN), Fig. 2d–f/1a (WRN) and S7 (FC width 64), and their stored (η, λ) sweeps.

CIFAR-10 is in no package registry (``make cifar10`` fetches it from its authors), so a machine without it runs on
the stand-in that :func:`replication.data.load_cifar10_or_stand_in` names (Fashion-MNIST when Debian's package is
installed, else MNIST; both 28×28×1 images); every chapter shows that notice.
Inputs are standardized with the training subset's mean and standard deviation.
"""

from __future__ import annotations

import dataclasses

from replication import data as data_lib
from replication.analysis.plan import SweepRun
from replication.experiments import request as request_lib
from replication.experiments.configs import Config
from replication.experiments.grid import GridResult, cached_grid, rehearsal_cifar_shapes
from replication.experiments.request import MODELS, DataRequest, GridRequest, ModelRequest, build_model, stand_in_name
from replication.training import Dataset, TrainSpec

__all__ = ["MODELS", "dataset_here", "data_request", "load_data", "make_model", "run_sweep", "steps_per_epoch"]


def dataset_here(path=None) -> str:
    """What the CIFAR setting trains on, decided without loading anything: ``"cifar10"`` when it is here (or a
    rehearsal plans CIFAR-10's shapes, :func:`replication.experiments.grid.rehearsing`), else the stand-in that
    :func:`replication.data.load_cifar10_or_stand_in` would load (Fashion-MNIST when Debian's package is installed,
    else MNIST)."""
    if rehearsal_cifar_shapes() or data_lib.cifar10_location(path) is not None:
        return "cifar10"
    return "fashion-mnist-stand-in" if data_lib.fashion_mnist_location() is not None else "mnist-stand-in"


def data_request(cfg, *, flatten: bool = False, path=None) -> DataRequest:
    """The first ``data.train_samples``/``data.test_samples`` images of CIFAR-10 (or the stand-in), standardized
    with the training subset's per-channel statistics, averaged over ``data.downsample`` blocks (``flatten``: as
    vectors, for the FC network)."""
    d = cfg.data
    dataset = dataset_here(path)
    return DataRequest(dataset, d.train_samples, d.test_samples, downsample=d.get("downsample", 1), flatten=flatten,
                       mnist_source=d.mnist_source if dataset == "mnist-stand-in" else None)  # fmt: skip


def load_data(
    train_samples: int,
    test_samples: int,
    *,
    mnist_source: str = "full",
    flatten: bool = False,
    downsample: int = 1,
    path=None,
) -> tuple[Dataset, str, str | None]:
    """The first ``train_samples``/``test_samples`` images of CIFAR-10 (or the stand-in) as NHWC float32, averaged
    over ``downsample``×``downsample`` blocks (``flatten``: vectors, for the FC network); returns (dataset, the
    dataset's name: ``"cifar10"``, ``"fashion-mnist"`` or ``"mnist"``, notice or None)."""
    cfg = Config(data=dict(train_samples=train_samples, test_samples=test_samples, mnist_source=mnist_source,
                           downsample=downsample))  # fmt: skip
    request = data_request(cfg, flatten=flatten, path=path)
    ds, notice = request_lib.load_data(request, path=path)
    return ds, stand_in_name(request.dataset), notice


def make_model(kind: str, *, image_shape: tuple[int, ...], seed: int, **options):
    """(apply_fn, params) of appendix A's ``"cnn"`` (σ_w = √2), ``"wrn"`` (σ_w = 1) or ``"fc"`` (S7: ReLU, σ_w = √2),
    for inputs of ``image_shape`` (H, W, C), or (D,) for ``"fc"``; ``options``: the network's sizes
    (:class:`~replication.experiments.request.ModelRequest`)."""
    return build_model(ModelRequest.of(kind, **options), tuple(image_shape), seed)


def steps_per_epoch(cfg) -> int:
    """Training steps per epoch of a CIFAR-setting config (``data.train_samples``, ``train.batch_size``), as the
    engine counts them (:meth:`replication.training.TrainSpec.steps_per_epoch`)."""
    return TrainSpec(batch_size=cfg.train.batch_size).steps_per_epoch(cfg.data.train_samples)


def run_sweep(
    cfg, runs: list[SweepRun], *, seed: int, name: str, model: dict, log=print, seeds: list[int] | None = None,
    **spec_options,
) -> GridResult:  # fmt: skip
    """Train ``runs`` of the ``model`` (its ``kind`` and options, :class:`~replication.experiments.request.
    ModelRequest`) on ``cfg.data`` with ``cfg.train``'s batch size and evaluations, as one stored, resumable grid;
    the result carries the stand-in's notice (None on CIFAR-10), the input shape and the data set's name. ``seeds``:
    every run from each of these initializations (the data order stays ``seed``'s, so their spread is the
    initialization's alone). ``spec_options``: :class:`TrainSpec` fields, over those taken from ``cfg.train``."""
    tr = cfg.train
    spec = dataclasses.replace(
        TrainSpec(batch_size=tr.batch_size, evals=tr.evals, evals_per_octave=tr.get("evals_per_octave"),
                  eval_batch_size=tr.get("eval_batch_size"), bn_group=tr.get("bn_group"),
                  train_eval_samples=tr.get("train_eval_samples")),
        **spec_options,
    )  # fmt: skip
    model = ModelRequest.of(**model)
    request = GridRequest(
        data_request(cfg, flatten=model.kind == "fc"), model, spec, tuple(runs), seed=seed, seeds=tuple(seeds or ())
    )
    return cached_grid(name, cfg.preset, request, log=log)
