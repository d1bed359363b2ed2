"""Presets of the optimal-λ chapter (Section 3, Fig. 1b, 4, S3, S4) on the FC/MNIST setup of Fig. 2 (the paper runs
it on a WRN). One λ sweep of max(budgets) epochs tunes λ for every budget; c is measured at a large λ for
``c.epochs`` epochs. The budgets and the λ grid are ours: the paper gives them for its WRN only.

Units: ``base()``/``paper()`` in the paper's (the authors' code: our η is twice theirs), ``smoke()``/``cpu()`` in
ours; ``get_config`` converts (see ``configs``)."""

from . import fc_mnist as _fc

LR_FIELDS = ("lr",)


def _fc_groups(preset):
    from . import merge

    cfg = merge(_fc.base(), getattr(_fc, preset)())
    return dict(data=cfg["data"], model=cfg["model"])


def base():
    return dict(
        _fc_groups("paper"), units="paper", lr=0.15, c=dict(lam=0.1, epochs=256, evals=256),
        budgets=(50, 100, 200, 500, 1000, 2000, 5000), lams=(1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3),
        evals=1024,
    )  # fmt: skip


def scaled():
    return dict(units="ours")


def smoke():
    return dict(_fc_groups("smoke"), lr=0.2, c=dict(epochs=64, evals=64), budgets=(16, 32, 64, 128),
                lams=(1e-3, 1e-2, 3e-2, 0.1), evals=64)  # fmt: skip


def cpu():
    # η = 0.2 as Fig. 2c at cpu; budgets over 1.5 decades; the sweep adds λ = 0 as the paper's reference point.
    return dict(_fc_groups("cpu"), lr=0.2, c=dict(epochs=128, evals=128), budgets=(32, 64, 128, 256, 512, 1024),
                lams=(1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3), evals=256)  # fmt: skip


def paper():
    return {}
