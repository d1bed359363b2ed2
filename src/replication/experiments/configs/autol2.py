"""Presets of the AutoL2 chapter (Fig. 1c, S9–S11), on the FC/MNIST setup. The constant-λ sweep is the optimal-λ
chapter's (same runs, so a stored result is shared); AutoL2 runs with Algorithm 1's constants (λ0 = 0.1, ÷10,
refractory 0.1/λ steps, a measurement every 5 steps)."""

from . import optimal_l2 as _opt


def _base(preset):
    cfg = getattr(_opt, preset)()
    keep = ("mnist_source", "train_samples", "test_samples", "width", "depth", "lr", "lams", "evals")
    return dict({k: cfg[k] for k in keep}, budget=max(cfg["budgets"]))


def smoke():
    return dict(_base("smoke"), lam0=0.1, every=5, delay=0.1, factor=10.0, schedule_budget=64)


def cpu():
    return dict(_base("cpu"), lam0=0.1, every=5, delay=0.1, factor=10.0, schedule_budget=512)


def paper():
    return dict(_base("paper"), lam0=0.1, every=5, delay=0.1, factor=10.0, schedule_budget=2000)
