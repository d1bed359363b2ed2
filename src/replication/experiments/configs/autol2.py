"""Presets of the AutoL2 chapter (Fig. 1c, S9–S11) in three settings; AutoL2 runs with Algorithm 1's constants
(λ0 = 0.1, ÷10, refractory 0.1/λ steps).

``wrn``, the paper's (appendix A, "Figures 1c, S9"): the optimal-λ chapter's WRN setting (momentum 0.9,
flip/crop/mixup, η = 0.2 in the authors' units), its constant-λ sweep shared (same runs, so a stored result is
reused), AutoL2 measured every 10 steps; the budget is 200 epochs at `paper` (appendix A; a prefix of the sweep's
2000 epochs) and the sweep's longest at `smoke`/`cpu`. S10 reuses the WRN chapter's fixed-T sweep under the step
schedule.
``cnn`` (Fig. S11, whose setup the paper does not give; ours): Fig. 3's CNN without batch norm, SGD at its η, a
λ sweep and AutoL2 (every 5 steps, as Algorithm 1's text) at ``cnn.budget`` epochs.
The top-level groups: the FC/MNIST setting (full-batch SGD; Fig. S11's FC panel), whose sweep is the optimal-λ
chapter's; AutoL2 every 5 steps below ``paper`` (Algorithm 1's text) and every 10 at ``paper``.

Units: the top-level (FC) groups' ``base()``/``paper()`` are in the paper's (the authors' code: our η is twice
theirs), ``smoke()``/``cpu()`` in ours; ``get_config`` converts (see ``configs``). The ``wrn`` and ``cnn`` groups
are in ours at every preset (taken through ``get_config``)."""

from . import optimal_l2 as _opt

LR_FIELDS = ("lr",)  # the FC setting's


def _shared(preset):
    from . import merge

    cfg = merge(_opt.base(), getattr(_opt, preset)())
    wrn = dict(cfg["wrn"], budget=max(cfg["wrn"]["budgets"]), every=10)
    fc = dict({k: cfg[k] for k in ("data", "model", "lr", "lams", "evals")}, budget=max(cfg["budgets"]))
    return dict(fc, wrn=wrn)


def _cnn_group(preset, **fields):
    from . import get_config

    cfg = get_config("cnn_cifar", preset).to_dict()
    return dict({k: cfg[k] for k in ("data", "model", "train")}, **fields)


def base():
    # the CNN's λ grid and budget are ours (the paper gives none for S11): Fig. 3's grid below λ0, 1000 epochs
    cnn = _cnn_group("paper", lams=(1e-4, 1e-3, 1e-2), budget=1000, every=5)
    shared = _shared("paper")
    shared["wrn"]["budget"] = 200  # appendix A: Fig. 1c/S9 are 200 epochs (a prefix of the 2000-epoch sweep)
    return dict(shared, cnn=cnn, units="paper", autol2=dict(lam0=0.1, every=10, delay=0.1, factor=10.0),
                schedule_budget=2000)  # fmt: skip


def scaled():
    return dict(units="ours", autol2=dict(every=5))


def smoke():
    return dict(_shared("smoke"), cnn=_cnn_group("smoke", lams=(0.01, 0.1), budget=2), schedule_budget=64)


def cpu():
    # CNN: the CNN chapter's cpu network and stand-in data (batch 64, η = 0.1). Only λ ≤ 0.05 learns there
    # (t* ≈ 4/(ηλ) steps: 800 at λ = 0.05), so the sweep is λ = 0, 0.01, 0.03, 0.05 at 125 epochs. Sized when that
    # network had 8 channels on 512 images (~16 min for the five runs with AutoL2 at ~0.19 s a run-step); it has 16 on
    # 1024 now. WRN: the optimal-λ chapter's cpu setting (its sweep reused; AutoL2 adds ~1350 steps). Not yet run.
    return dict(_shared("cpu"), cnn=_cnn_group("cpu", lams=(0.01, 0.03, 0.05), budget=125), schedule_budget=512)


def paper():
    return {}
