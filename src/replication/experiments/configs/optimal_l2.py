"""Presets of the optimal-λ chapter (Section 3, Fig. 1b, 4, S3, S4) in two settings.

``wrn``, the paper's (appendix A, "Figures 1b, 4, S4"): the WRN chapter's network, data and batch
(:func:`~replication.experiments.configs.wrn_cifar.setting`), momentum 0.9, flip/crop/mixup, η = 0.2 in the paper's
units (``paper_lr(0.2)`` = 0.4 in ours); c from λ = 0.01 trained 2 epochs (Fig. 4a); λ grid 5e-6 … 2e-3; budgets
50 … 2000 epochs. Its ``schedule`` group is the WRN chapter's Fig. 1a (the fixed-T sweep is shared with that chapter)
at this setting's η, for λ_pred = c/(0.3T).

The top-level groups: the FC/MNIST setup of Fig. 2 with full-batch SGD (our second setting; the FC chapter's data and
network). One λ sweep of max(budgets) epochs tunes λ for every budget; c is measured at a large λ for ``c.epochs``
epochs. Its budgets and λ grid are ours: the paper gives them for its WRN only."""

from . import Fields, paper_lr, preset_fields
from . import wrn_cifar as _wrn

HAS_LEARNING_RATES = True


def _fc_groups(preset: str) -> dict:
    """The FC chapter's data and network at ``preset``."""
    c = preset_fields("fc_mnist", preset)
    return dict(data=c["data"], model=c["model"])


def _wrn_group(preset: str, lr: float, **fields) -> dict:
    """The WRN chapter's setting at ``preset`` (our units), with this setting's η (also Fig. 1a's) and ``fields``."""
    s = _wrn.setting(preset)
    return dict(s, schedule=dict(s["schedule"], lr=lr), lr=lr, **fields)


def base() -> Fields:
    # seeds: the λ sweep's initializations (the paper: one); evals_per_octave: the sweep's evaluations in log time
    wrn = _wrn_group("paper", paper_lr(0.2), c=dict(lam=0.01, epochs=2, evals=64),
                     budgets=(50, 100, 250, 500, 1000, 1500, 2000),
                     lams=(5e-6, 1e-5, 5e-5, 1e-4, 2e-4, 4e-4, 1e-3, 2e-3), evals=500, seeds=dict(count=1),
                     evals_per_octave=None)  # fmt: skip
    return Fields(
        wrn=wrn, **_fc_groups("paper"), lr=paper_lr(0.15), c=dict(lam=0.1, epochs=256, evals=256),
        budgets=(50, 100, 200, 500, 1000, 2000, 5000), lams=(1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3),
        evals=1024, evals_per_octave=None,
    )  # fmt: skip


def smoke() -> Fields:
    # one tiny grid per part: c from 6 epochs (64 images barely learn: it peaks at 2.5), two budgets, two λ
    c = base()
    c.wrn = _wrn_group("smoke", 0.6, c=dict(lam=0.05, epochs=6, evals=12), budgets=(1, 2), lams=(0.01, 0.05), evals=4,
                       seeds=dict(count=1), evals_per_octave=None)  # fmt: skip
    c.data, c.model = _fc_groups("smoke").values()
    c.lr, c.c.epochs, c.c.evals = 0.2, 64, 64
    c.budgets, c.lams, c.evals = (16, 32, 64, 128), (1e-3, 1e-2, 3e-2, 0.1), 64
    return c


def cpu() -> Fields:
    # WRN: the WRN chapter's cpu network and stand-in data (16 steps per epoch), η = 0.6 as its Fig. 1a, c at
    # λ = 0.01 (as the paper) for 8 epochs; the grid starts at 3e-5 to move the tuned λ off its edge (at 1e-4 it was
    # at 3 of 6 budgets on the WRN-10-2 of the time; on the WRN-10-1 the tuned λ was at 3e-5, the edge, at 5 of 6:
    # NOTES.md, session 24); budgets 4 … 128 epochs (1.5 decades); the sweep evaluated in log time (below).
    # FC: η = 0.2 as Fig. 2c at cpu; budgets over 1.5 decades; the sweep adds λ = 0 as the paper's reference point.
    c = base()
    # The WRN sweep from three initializations (ours: the AutoL2 race against it, Fig. 1c, was one run), evaluated
    # in log time (every epoch of the first 32, then 16 per doubling; every budget at its end).
    c.wrn = _wrn_group("cpu", 0.6, c=dict(lam=0.01, epochs=8, evals=64), budgets=(4, 8, 16, 32, 64, 128),
                       lams=(3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2), evals=128, seeds=dict(count=3),
                       evals_per_octave=16)  # fmt: skip
    c.data, c.model = _fc_groups("cpu").values()
    c.lr, c.c.epochs, c.c.evals = 0.2, 128, 128
    c.budgets, c.lams = (32, 64, 128, 256, 512, 1024), (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3)
    # ours, for speed: an evaluation (10000 test images) costs ~20 full-batch steps on 512 images, so the sweeps
    # are evaluated in log time (every epoch of the first 32, then 16 per doubling: at most 6.25% apart); every
    # budget, a power of two, is evaluated at its end (NOTES.md, session 15)
    c.evals, c.evals_per_octave = 256, 16
    return c


def paper() -> Fields:
    return base()


def decide_wrn() -> Fields:
    # Fig. 1b at cpu: L2 does not help this WRN (λ = 0 as good at most budgets, the tuned λ at the grid's smallest)
    # with 512 or 4096 training images (probes, NOTES.md, session 16). The paper's setting (WRN-28-10, CIFAR-10,
    # budgets to 2000 epochs), where L2 helps, from three initializations (ours, as at cpu)
    c = paper()
    c.wrn.seeds.count = 3
    return c
