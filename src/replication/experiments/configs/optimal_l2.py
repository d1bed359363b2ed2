"""Presets of the optimal-λ chapter (Section 3, Fig. 1b, 4, S3, S4) in two settings.

``wrn``, the paper's (appendix A, "Figures 1b, 4, S4"): the WRN chapter's network, data and batch, momentum 0.9,
flip/crop/mixup, η = 0.2 in the paper's (the authors' code's) units, i.e. 0.4 in ours
(:func:`replication.training.conventions.from_authors`); c from λ = 0.01 trained 2 epochs (Fig. 4a); λ grid
5e-6 … 2e-3; budgets 50 … 2000 epochs. Its ``schedule`` group is the WRN chapter's Fig. 1a (the fixed-T sweep is
shared with that chapter) at this setting's η, for λ_pred = c/(0.3T).

The top-level groups: the FC/MNIST setup of Fig. 2 with full-batch SGD (our second setting). One λ sweep of
max(budgets) epochs tunes λ for every budget; c is measured at a large λ for ``c.epochs`` epochs. Its budgets and λ
grid are ours: the paper gives them for its WRN only.

Units: the top-level (FC) groups' ``base()``/``paper()`` are in the paper's (the authors' code: our η is twice
theirs) and ``smoke()``/``cpu()`` in ours; ``get_config`` converts (see ``configs``). The ``wrn`` group is in ours
at every preset: it takes the WRN chapter's configuration through ``get_config`` and sets η = ``from_authors(0.2)``."""

from replication.training.conventions import from_authors

from . import fc_mnist as _fc

PAPER_LR, _ = from_authors(0.2, 0.0)  # appendix A's η = 0.2 (the authors' units) in ours

LR_FIELDS = ("lr",)  # the FC setting's; the ``wrn`` group is in our units already


def _fc_groups(preset):
    from . import merge

    cfg = merge(_fc.base(), getattr(_fc, preset)())
    return dict(data=cfg["data"], model=cfg["model"])


def _wrn_group(preset, lr, **fields):
    """The WRN chapter's data/model/train and Fig. 1a schedule at ``preset`` (in our units), with this setting's η
    and ``fields``."""
    from . import get_config

    cfg = get_config("wrn_cifar", preset).to_dict()
    groups = {k: cfg[k] for k in ("data", "model", "train")}
    return dict(groups, schedule=dict(cfg["schedule"], lr=lr), lr=lr, **fields)


def base():
    wrn = _wrn_group("paper", PAPER_LR, c=dict(lam=0.01, epochs=2, evals=64),
                     budgets=(50, 100, 250, 500, 1000, 1500, 2000),
                     lams=(5e-6, 1e-5, 5e-5, 1e-4, 2e-4, 4e-4, 1e-3, 2e-3), evals=500)  # fmt: skip
    return dict(
        wrn=wrn, **_fc_groups("paper"), units="paper", lr=0.15, c=dict(lam=0.1, epochs=256, evals=256),
        budgets=(50, 100, 200, 500, 1000, 2000, 5000), lams=(1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3),
        evals=1024,
    )  # fmt: skip


def scaled():
    return dict(units="ours")


def smoke():
    # one tiny grid per part: c from 6 epochs (64 images barely learn: it peaks at 2.5), two budgets, two λ
    wrn = _wrn_group("smoke", 0.6, c=dict(lam=0.05, epochs=6, evals=12), budgets=(1, 2), lams=(0.01, 0.05), evals=4)
    return dict(wrn=wrn, **_fc_groups("smoke"), lr=0.2, c=dict(epochs=64, evals=64), budgets=(16, 32, 64, 128),
                lams=(1e-3, 1e-2, 3e-2, 0.1), evals=64)  # fmt: skip


def cpu():
    # WRN: the WRN chapter's cpu network and stand-in data (16 steps per epoch since session 7; 8 before), η = 0.6
    # as its Fig. 1a, c at λ = 0.01 (as the paper) for 8 epochs. Session 7 at 256 images (Fashion-MNIST): t* = 3.4
    # epochs, c = 0.034; the tuned λ was the grid's smallest (1e-4) at 3 of 6 budgets, so the grid now starts at
    # 3e-5. Budgets 4 … 128 epochs (1.5 decades); the sweep evaluated every epoch.
    # FC: η = 0.2 as Fig. 2c at cpu; budgets over 1.5 decades; the sweep adds λ = 0 as the paper's reference point.
    wrn = _wrn_group("cpu", 0.6, c=dict(lam=0.01, epochs=8, evals=64), budgets=(4, 8, 16, 32, 64, 128),
                     lams=(3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2), evals=128)  # fmt: skip
    return dict(wrn=wrn, **_fc_groups("cpu"), lr=0.2, c=dict(epochs=128, evals=128),
                budgets=(32, 64, 128, 256, 512, 1024), lams=(1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3),
                evals=256)  # fmt: skip


def paper():
    return {}
