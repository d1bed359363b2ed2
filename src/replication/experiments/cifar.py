"""The CIFAR-10 experiments (appendix A): data (the real CIFAR-10 when present, else a named stand-in), the models of
Fig. 3 (CNN ± BN), Fig. 2d–f/1a (WRN) and S7 (FC width 64), and their stored (η, λ) sweeps.

CIFAR-10 is in no package registry (``make cifar10`` fetches it from its authors), so a machine without it runs on
the stand-in that :func:`replication.data.load_cifar10_or_stand_in` names (Fashion-MNIST when Debian's package is
installed, else MNIST; both 28×28×1 images); every chapter shows that notice.
Inputs are standardized with the training subset's mean and standard deviation.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from flax import nnx

from replication import data as data_lib
from replication.analysis.plan import SweepRun
from replication.core import ledger
from replication.core.validation import check_choice
from replication.experiments.grid import GridResult, cached_grid, rehearsal_cifar_shapes, spec_config
from replication.models import MLP, functional
from replication.models.convnets import CNN, WideResNet
from replication.training import Dataset, TrainSpec

__all__ = ["MODELS", "load_data", "make_model", "run_sweep", "steps_per_epoch"]

MODELS = ("cnn", "wrn", "fc")


def _cifar10_shaped(n: int) -> np.ndarray:
    """``n`` placeholder images of CIFAR-10's shape (a rehearsal plans and compiles with them; never trained on)."""
    return (np.arange(n * 32 * 32 * 3, dtype=np.int64) % 251).astype(np.uint8).reshape(n, 32, 32, 3)


@ledger.timed_calls("data loading")
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
    train, notice = data_lib.load_cifar10_or_stand_in("train", path, mnist_source=mnist_source)
    test, _ = data_lib.load_cifar10_or_stand_in("test", path, mnist_source=mnist_source)
    train, test = data_lib.first_n(train, train_samples), data_lib.first_n(test, test_samples)
    if notice is not None and rehearsal_cifar_shapes():  # rehearse the run on CIFAR-10 itself: its shape matters
        train, test = (dataclasses.replace(d, images=_cifar10_shaped(len(d)), name="cifar10") for d in (train, test))
        notice = None
    stats = data_lib.normalization_stats(train.images)

    def prep(images):
        x = data_lib.standardize(images, stats)
        if x.ndim == 3:
            x = x[..., None]
        if downsample > 1:
            x = data_lib.average_pool(x, downsample)
        return data_lib.flatten(x) if flatten else x

    return (
        Dataset(
            prep(train.images),
            data_lib.one_hot(train.labels),
            train.labels,
            prep(test.images),
            data_lib.one_hot(test.labels),
            test.labels,
        ),
        train.name,
        notice,
    )


def make_model(
    kind: str,
    *,
    image_shape: tuple[int, ...],
    seed: int,
    channels: int = 300,
    hidden: int = 500,
    batch_norm: bool = False,
    depth: int = 28,
    widen: int = 10,
    width: int = 64,
    sigma_w: float | None = None,
):
    """(apply_fn, params) of appendix A's ``"cnn"`` (σ_w = √2), ``"wrn"`` (σ_w = 1) or ``"fc"`` (S7: ReLU, σ_w = √2),
    for inputs of ``image_shape`` (H, W, C), or (D,) for ``"fc"``."""
    check_choice("model", kind, MODELS)
    rngs = nnx.Rngs(seed)
    if kind == "cnn":
        h, w, c = image_shape
        return functional(
            CNN(
                channels=channels,
                hidden=hidden,
                image_size=h,
                in_channels=c,
                batch_norm=batch_norm,
                sigma_w=math.sqrt(2.0) if sigma_w is None else sigma_w,
                rngs=rngs,
            )
        )
    if kind == "wrn":
        return functional(
            WideResNet(
                depth, widen, in_channels=image_shape[-1], sigma_w=1.0 if sigma_w is None else sigma_w, rngs=rngs
            )
        )
    return functional(
        MLP(
            int(math.prod(image_shape)),
            10,
            width=width,
            depth=depth,
            rngs=rngs,
            sigma_w=math.sqrt(2.0) if sigma_w is None else sigma_w,
            sigma_b=0.0,
        )
    )


def steps_per_epoch(cfg) -> int:
    """Training steps per epoch of a CIFAR-setting config (``data.train_samples``, ``train.batch_size``), as the
    engine counts them (:meth:`replication.training.TrainSpec.steps_per_epoch`)."""
    return TrainSpec(batch_size=cfg.train.batch_size).steps_per_epoch(cfg.data.train_samples)


def runs_per_program(kind: str) -> int | None:
    """Convnet runs train one per program (on CPU a vmapped grid of 4 ran at 0.82× (CNN) and 0.66× (WRN) the speed
    of a loop, NOTES.md session 6; on an H200 two vmapped WRN-28-10 runs at batch 1024 did not finish a 2-step chunk
    in 140 s where one run takes 0.19 s a step, benchmarks/gpu/2026-12-04-h200); FC runs train a whole bucket as
    one vmapped program."""
    return 1 if kind != "fc" else None


def run_sweep(cfg, runs: list[SweepRun], *, seed: int, name: str, model: dict, log=print, **spec_options) -> GridResult:
    """Train ``runs`` of the ``model`` (keyword arguments of :func:`make_model`, with ``kind``) on ``cfg.data`` with
    ``cfg.train``'s batch size and evaluations, as one stored, resumable grid; the result carries the stand-in's
    notice (None on CIFAR-10), the input shape and the data set's name."""
    d, tr = cfg.data, cfg.train
    eval_batch_size, bn_group = tr.get("eval_batch_size"), tr.get("bn_group")
    spec = TrainSpec(batch_size=tr.batch_size, evals=tr.evals, eval_batch_size=eval_batch_size, bn_group=bn_group,
                     **{"runs_per_program": runs_per_program(model["kind"]), **spec_options})  # fmt: skip
    downsample = d.get("downsample", 1)
    ds, data_name, notice = load_data(d.train_samples, d.test_samples, mnist_source=d.mnist_source,
                           flatten=model["kind"] == "fc", downsample=downsample)  # fmt: skip
    dataset = "cifar10" if notice is None else f"{data_name}-stand-in"
    config = dict(name=name, preset=cfg.preset, seed=seed, dataset=dataset, mnist_source=d.mnist_source,
                  train_samples=d.train_samples, test_samples=d.test_samples, downsample=downsample, model=model,
                  batch_size=tr.batch_size, evals=tr.evals, eval_batch_size=eval_batch_size,
                  spec=spec_config(spec_options), runs=[dataclasses.asdict(r) for r in runs])  # fmt: skip
    if bn_group is not None:  # batch-norm statistics over groups of this many images (the paper's WRN: per device)
        config["bn_group"] = bn_group

    def build():
        kwargs = {k: v for k, v in model.items() if k != "kind"}
        return make_model(model["kind"], image_shape=ds.x_train.shape[1:], seed=seed, **kwargs)

    grid = cached_grid(name, cfg.preset, config, runs, seed=seed, load=lambda: ds, build=build, spec=spec,
                       code=run_sweep, log=log)  # fmt: skip
    return dataclasses.replace(grid, notice=notice, input_shape=tuple(ds.x_train.shape[1:]), data_name=data_name)
