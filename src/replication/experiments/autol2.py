"""AutoL2 (appendix E, Algorithm 1) against the tuned constant λ on the FC/MNIST setup (Fig. 1c, S9, S10): the
constant-λ sweep is the optimal-λ chapter's, and each race is measured as :func:`replication.analysis.budgets.race`."""

from __future__ import annotations

import dataclasses

from replication.analysis.budgets import RaceRow, race, tuned_l2
from replication.analysis.plan import SweepRun
from replication.core.provenance import Provenance
from replication.experiments.fc_mnist import run_sweep
from replication.experiments.optimal_l2 import tuning_sweep
from replication.training import AutoL2, History

__all__ = ["controller", "Race", "constant_lr_race", "schedule_race"]


def controller(cfg, variant: str = "paper") -> AutoL2:
    a = cfg.autol2
    return AutoL2(lam0=a.lam0, factor=a.factor, delay=a.delay, every=a.every, variant=variant)


@dataclasses.dataclass(frozen=True)
class Race:
    """Named runs, the reference they race against, the race's rows and the provenance of every run shown."""

    contenders: dict[str, History]
    reference: str
    rows: tuple[RaceRow, ...]
    provenance: Provenance
    sweep_reused: bool


def _auto(cfg, *, seed, budget, name, **spec_options) -> tuple[History, Provenance]:
    grid = run_sweep(cfg, [SweepRun(cfg.lr, cfg.autol2.lam0, budget)], seed=seed, name=name, evals=cfg.evals,
                     **spec_options)  # fmt: skip
    return grid.histories[0], grid.provenance


def constant_lr_race(cfg, *, seed: int) -> Race:
    """Fig. 1c/S9: both AutoL2 variants, the tuned constant λ, λ0 and the smallest λ, at the constant learning rate."""
    sweep = tuning_sweep(cfg, seed=seed, budget=cfg.budget)
    tuned = tuned_l2(list(sweep.histories), cfg.budget)
    by_lam = {h.lam: h for h in sweep.histories}
    runs = {f"AutoL2 ({label})": _auto(cfg, seed=seed, budget=cfg.budget, name=f"autol2_{v}", autol2=controller(cfg, v))
            for v, label in (("paper", "Algorithm 1"), ("code", "google/autol2 variant"))}  # fmt: skip
    reference = f"tuned constant λ = {tuned.lam:g}"
    contenders = {k: h for k, (h, _) in runs.items()} | {reference: by_lam[tuned.lam]}
    contenders |= {f"constant λ = {lam:g}": by_lam[lam] for lam in (cfg.autol2.lam0, min(cfg.lams))}
    rows = race(contenders, reference, cfg.budget)
    prov = Provenance.combine([sweep.provenance, *(p for _, p in runs.values())])
    return Race(contenders, reference, tuple(rows), prov, sweep.reused)


def schedule_race(cfg, *, seed: int) -> Race:
    """Fig. S10: AutoL2 and the tuned constant λ, both under the step learning-rate schedule at
    ``cfg.schedule_budget`` (a schedule moves with T, so the sweep is retrained at that budget)."""
    T = cfg.schedule_budget
    runs = [SweepRun(cfg.lr, float(lam), T) for lam in cfg.lams]
    sweep = run_sweep(cfg, runs, seed=seed, name="autol2_schedule_sweep", evals=cfg.evals, schedule="step")
    auto, auto_prov = _auto(cfg, seed=seed, budget=T, name="autol2_schedule", schedule="step", autol2=controller(cfg))
    tuned = tuned_l2(list(sweep.histories), T)
    reference = f"tuned constant λ = {tuned.lam:g} + schedule"
    contenders = {"AutoL2 + schedule": auto, reference: next(h for h in sweep.histories if h.lam == tuned.lam)}
    rows = race(contenders, reference, T)
    return Race(contenders, reference, tuple(rows), Provenance.combine([sweep.provenance, auto_prov]), sweep.reused)
