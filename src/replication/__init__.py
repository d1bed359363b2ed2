"""l2-dynamics: a re-executable replication of Lewkowycz & Gur-Ari (NeurIPS 2020),
*On the training dynamics of deep networks with L2 regularization*.

Subpackages, in the order they may import each other (a layer imports only the layers above it in this list;
``make test`` checks it with import-linter):

* :mod:`replication.core`: argument checks, atomic writes, the ``smoke``/``cpu``/``paper`` preset names, provenance.
* :mod:`replication.data`: MNIST, Fashion-MNIST, CIFAR-10 (all verified), the stand-in, preprocessing, augmentation.
* :mod:`replication.models`: appendix A's networks (FC, CNN, Wide ResNet) in Flax NNX, as pure ``apply_fn``.
* :mod:`replication.training`: the loss, the vectorized (η, λ) grid engine, AutoL2, checkpoints.
* :mod:`replication.theory`: Section 4: the mode solution, the empirical NTK, the finite-width experiments.
* :mod:`replication.analysis`: t*, power laws, sweep plans and summaries, verdicts, c and λ_pred, tables.
* :mod:`replication.experiments`: the result store, one module per experiment, and every chapter's presets.
* :mod:`replication.viz`: Plotly figures that render offline in the static book.
* :mod:`replication.site`: the landing page's figure registry, headline numbers, banners, offline Sphinx plumbing.

The names below are the public API, imported on first use (``import replication`` itself loads nothing heavy).
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_PUBLIC = {
    "replication.data": ("load_mnist", "load_cifar10", "load_cifar10_or_stand_in", "first_n", "one_hot", "standardize"),
    "replication.models": ("MLP", "CNN", "WideResNet", "functional", "parameter_count"),
    "replication.training": ("TrainSpec", "Dataset", "History", "train_grid", "train", "AutoL2"),
    "replication.theory": ("mode_solution", "kernel_decay", "function_dynamics"),
    "replication.theory.ntk": ("empirical_ntk", "homogeneity_degree"),
    "replication.analysis": ("time_to_peak", "fit_power_law", "estimate_c", "predict_optimal_l2", "measure_c"),
    "replication.analysis.plan": ("SweepRun", "plan_sweep"),
    "replication.analysis.sweeps": ("summarize", "fit_tstar"),
    "replication.experiments.configs": ("get_config",),
    "replication.experiments.store": ("cached_result",),
    "replication.experiments.request": ("GridRequest", "DataRequest", "ModelRequest"),
    "replication.experiments.grid": ("cached_grid",),
}
_WHERE = {name: module for module, names in _PUBLIC.items() for name in names}
_SUBPACKAGES = ("core", "data", "models", "training", "theory", "analysis", "experiments", "viz", "site")

__all__ = sorted(_WHERE) + list(_SUBPACKAGES)


def __getattr__(name: str):
    if name in _SUBPACKAGES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'replication' has no attribute {name!r}")


def __dir__():
    return __all__
