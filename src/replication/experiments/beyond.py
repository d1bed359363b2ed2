"""Beyond the paper: Fig. 2a's protocol (every (η, λ) trained for τ/(ηλ) steps, t* and its power-law fit) on
FC/MNIST for five optimizers, each from several initialization seeds (one vmapped program per optimizer):
SGD and momentum SGD with the paper's coupled L2 term, SGDW (momentum with decoupled weight decay), Adam with the
coupled L2 term, and AdamW (``optax.adamw``). The network, data and τ are the FC chapter's
(:mod:`replication.experiments.fc_mnist`); the optimizers are :func:`replication.training.step.optimizer_direction`."""

from __future__ import annotations

import dataclasses

from replication.analysis.seeds import SeedFit
from replication.experiments.fc_mnist import run_sweep, seed_list, sweep_runs
from replication.experiments.results import SweepResult, analyzed

__all__ = ["OPTIMIZERS", "LABELS", "optimizer_sweep", "comparison", "ClockRow", "clock_rows", "format_clock_table"]

OPTIMIZERS = ("sgd", "momentum", "sgdw", "adam", "adamw")
LABELS = {
    "sgd": "SGD + L2 (the paper's)",
    "momentum": "momentum + L2",
    "sgdw": "SGDW (decoupled)",
    "adam": "Adam + L2",
    "adamw": "AdamW (decoupled)",
}


def optimizer_sweep(cfg, optimizer: str, *, seed: int) -> SweepResult:
    """One optimizer's grid (``cfg.optimizers[optimizer]``), each run τ/(ηλ) epochs (full batch: steps), trained
    from ``cfg.seeds.count`` initializations; stored and reused like every grid."""
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer={optimizer!r} must be one of {OPTIMIZERS}.")
    grid = cfg.optimizers[optimizer]
    runs = sweep_runs(cfg, lrs=grid.lrs, lams=grid.lams)
    return analyzed(run_sweep(cfg, runs, seed=seed, seeds=seed_list(cfg, seed), name=f"beyond_{optimizer}",
                              optimizer=optimizer, momentum=cfg.momentum))  # fmt: skip


def comparison(cfg, *, seed: int) -> dict[str, SweepResult]:
    """Every optimizer's sweep, in the order of ``OPTIMIZERS``."""
    return {name: optimizer_sweep(cfg, name, seed=seed) for name in OPTIMIZERS}


@dataclasses.dataclass(frozen=True)
class ClockRow:
    """One optimizer: the pooled t* fit with its bootstrap intervals over seeds, and per η the smallest λ's peak
    accuracy against λ = 0's (mean ± std over seeds: (η, λ, mean, std, λ = 0 mean, λ = 0 std))."""

    optimizer: str
    fit: SeedFit
    small_vs_zero: tuple[tuple[float, float, float, float, float, float], ...]

    def matches_zero(self, lr: float) -> bool | None:
        """Whether, at η = ``lr``, the smallest λ's mean peak accuracy is within one (combined) standard deviation of
        λ = 0's or above it."""
        for eta, _, mean, std, zero_mean, zero_std in self.small_vs_zero:
            if eta == lr:
                return bool(mean >= zero_mean - (std**2 + zero_std**2) ** 0.5)
        return None


def clock_rows(results: dict[str, SweepResult]) -> list[ClockRow]:
    """A :class:`ClockRow` per optimizer (each sweep needs several seeds)."""
    rows = []
    for name, res in results.items():
        if res.seeds is None:
            raise ValueError(f"the {name} sweep has one seed; clock_rows needs seeds.count > 1.")
        rows.append(ClockRow(name, res.seeds.fit, tuple(res.seeds.smallest_lambda_vs_zero())))
    return rows


def format_clock_table(rows: list[ClockRow]) -> str:
    """Plain-text table: optimizer, exponent [CI], c [CI], points, decades, smallest λ against λ = 0 per η."""
    lines = [f"{'optimizer':<24} {'exponent':>8} {'CI':>17} {'c':>7} {'CI':>17} {'pts':>4} {'dec':>4}  smallest λ vs 0"]
    for r in rows:
        f = r.fit
        zero = "; ".join(f"η={lr:g}: λ={lam:g} {m:.3f}±{s:.3f} vs {zm:.3f}±{zs:.3f}"
                         for lr, lam, m, s, zm, zs in r.small_vs_zero)  # fmt: skip
        lines.append(
            f"{LABELS[r.optimizer]:<24} {f.exponent:>8.3f} {f.exponent_ci[0]:>8.3f}…{f.exponent_ci[1]:<8.3f} "
            f"{f.c:>7.3g} {f.c_ci[0]:>8.3g}…{f.c_ci[1]:<8.3g} {f.n_points:>4} {f.decades:>4.1f}  {zero}"
        )
    return "\n".join(lines)
