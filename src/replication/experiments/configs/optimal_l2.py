"""Presets of the optimal-λ chapter (Section 3, Fig. 1b, 4, S3, S4), on the FC/MNIST setup of Fig. 2 (the paper runs
this on a WRN with CIFAR-10, which the CIFAR chapters cover). One λ sweep of max(budgets) epochs tunes λ for every
budget; c is measured at a large λ for ``c_epochs`` epochs."""

from . import fc_mnist as _fc


def _base(preset):
    cfg = getattr(_fc, preset)()
    return {k: cfg[k] for k in ("mnist_source", "train_samples", "test_samples", "width", "depth")}


def smoke():
    return dict(
        _base("smoke"),
        lr=0.2,
        c_lam=0.1,
        c_epochs=64,
        budgets=(16, 32, 64, 128),
        lams=(1e-3, 1e-2, 3e-2, 0.1),
        evals=64,
        evals_c=64,
    )


def cpu():
    # η = 0.2 as Fig. 2c at cpu; budgets over 1.5 decades; the sweep adds λ = 0 as the paper's reference point.
    return dict(
        _base("cpu"),
        lr=0.2,
        c_lam=0.1,
        c_epochs=128,
        budgets=(32, 64, 128, 256, 512, 1024),
        lams=(1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3),
        evals=256,
        evals_c=128,
    )


def paper():
    # the FC network at the paper's own size (width 2048, 10000 test images); budgets over 2 decades
    return dict(
        _base("paper"),
        lr=0.15,
        c_lam=0.1,
        c_epochs=256,
        budgets=(50, 100, 200, 500, 1000, 2000, 5000),
        lams=(1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3),
        evals=1024,
        evals_c=256,
    )
