"""Presets of the AutoL2 chapter (Fig. 1c, S9–S11) on the FC/MNIST setup. The constant-λ sweep is the optimal-λ
chapter's (same runs, so a stored result is shared); AutoL2 runs with Algorithm 1's constants (λ0 = 0.1, ÷10,
refractory 0.1/λ steps), measuring every 10 steps at ``paper`` (appendix A's interval, for Fig. 1c) and every 5 at
``smoke``/``cpu`` (ours).

Units: ``base()``/``paper()`` in the paper's (the authors' code: our η is twice theirs), ``smoke()``/``cpu()`` in
ours; ``get_config`` converts (see ``configs``)."""

from . import optimal_l2 as _opt

LR_FIELDS = ("lr",)


def _shared(preset):
    from . import merge

    cfg = merge(_opt.base(), getattr(_opt, preset)())
    return dict({k: cfg[k] for k in ("data", "model", "lr", "lams", "evals")}, budget=max(cfg["budgets"]))


def base():
    return dict(_shared("paper"), units="paper", autol2=dict(lam0=0.1, every=10, delay=0.1, factor=10.0),
                schedule_budget=2000)  # fmt: skip


def scaled():
    return dict(units="ours", autol2=dict(every=5))


def smoke():
    return dict(_shared("smoke"), schedule_budget=64)


def cpu():
    return dict(_shared("cpu"), schedule_budget=512)


def paper():
    return {}
