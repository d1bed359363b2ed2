"""Presets of the AutoL2 chapter (Fig. 1c, S9–S11) in three settings; AutoL2 runs with Algorithm 1's constants
(λ0 = 0.1, ÷10, refractory 0.1/λ steps).

``wrn``, the paper's (appendix A, "Figures 1c, S9"): the optimal-λ chapter's WRN setting (momentum 0.9,
flip/crop/mixup, η = 0.2 in the authors' units), its constant-λ sweep shared (same runs, so a stored result is
reused), AutoL2 measured every 10 steps; the budget is 200 epochs at `paper` (appendix A; a prefix of the sweep's
2000 epochs) and the sweep's longest at `smoke`/`cpu`. S10 reuses the WRN chapter's fixed-T sweep under the step
schedule.
``cnn`` (Fig. S11, whose setup the paper does not give; ours): Fig. 3's CNN without batch norm, SGD at its η
(:func:`~replication.experiments.configs.cnn_cifar.setting`), a λ sweep and AutoL2 (every 5 steps, as Algorithm
1's text) at ``cnn.budget`` epochs.
The top-level groups: the FC/MNIST setting (full-batch SGD; Fig. S11's FC panel), whose sweep is the optimal-λ
chapter's; AutoL2 every 5 steps below ``paper`` (Algorithm 1's text) and every 10 at ``paper``."""

from . import Fields, preset_fields
from . import cnn_cifar as _cnn

HAS_LEARNING_RATES = True


def _shared(preset: str) -> dict:
    """The optimal-λ chapter's FC setting (data, network, η, λ grid, evaluations; the budget its longest) and its
    WRN setting (the budget its longest, AutoL2 every 10 steps) at ``preset``."""
    o = preset_fields("optimal_l2", preset)
    wrn = dict(o["wrn"], budget=max(o["wrn"]["budgets"]), every=10)
    keys = ("data", "model", "lr", "lams", "evals", "evals_per_octave")
    return dict({k: o[k] for k in keys}, budget=max(o["budgets"]), wrn=wrn)


def base() -> Fields:
    # the CNN's λ grid and budget are ours (the paper gives none for S11): Fig. 3's grid below λ0, 1000 epochs
    c = Fields(_shared("paper"), cnn=dict(_cnn.setting("paper"), lams=(1e-4, 1e-3, 1e-2), budget=1000, every=5),
               autol2=dict(lam0=0.1, every=10, delay=0.1, factor=10.0), schedule_budget=2000)  # fmt: skip
    c.wrn.budget = 200  # appendix A: Fig. 1c/S9 are 200 epochs (a prefix of the 2000-epoch sweep)
    return c


def _scaled(c: Fields, preset: str) -> Fields:
    """What smoke and cpu share: the optimal-λ chapter's settings at ``preset``; AutoL2 every 5 steps in the FC
    races (Algorithm 1's text)."""
    for key, value in _shared(preset).items():
        setattr(c, key, value)
    c.autol2.every = 5
    return c


def smoke() -> Fields:
    c = _scaled(base(), "smoke")
    c.cnn = dict(_cnn.setting("smoke"), lams=(0.01, 0.1), budget=2, every=5)
    c.schedule_budget = 64
    return c


def cpu() -> Fields:
    # CNN: the CNN chapter's cpu network and stand-in data (batch 64, η = 0.1). Only λ ≤ 0.05 learns there
    # (t* ≈ 4/(ηλ) steps: 800 at λ = 0.05), so the sweep is λ = 0, 0.01, 0.03, 0.05 at 125 epochs. WRN: the
    # optimal-λ chapter's cpu setting (its sweep reused; AutoL2 adds ~1350 steps). The CNN race keeps 48
    # evaluations a run (the CNN chapter's cpu preset has 24 since session 23, checked for that chapter's claims
    # only; a race reads the epochs to the tuned accuracy at its evaluations).
    c = _scaled(base(), "cpu")
    c.cnn = dict(_cnn.setting("cpu"), lams=(0.01, 0.03, 0.05), budget=125, every=5)
    c.cnn.train.evals = 48
    c.schedule_budget = 512
    return c


def paper() -> Fields:
    return base()


def decide_wrn() -> Fields:
    # Fig. 1c at cpu: λ0 = 0.1 at η = 0.6 with momentum 0.9 can collapse a run before the first decay (NOTES.md,
    # session 15: 2 of 3 initializations then; the chapter's race shows each one). The paper's setting (WRN-28-10,
    # CIFAR-10, 200 epochs), where it does not (the paper's Fig. 1c), from three initializations (ours, as at cpu)
    c = paper()
    c.wrn.seeds.count = 3
    return c
