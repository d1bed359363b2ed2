"""Beyond the paper: Fig. 2a's protocol (every (η, λ) trained for τ/(ηλ) steps, t* and its power-law fit) on
FC/MNIST for five optimizers, each from several initialization seeds (one vmapped program per optimizer):
SGD and momentum SGD with the paper's coupled L2 term, SGDW (momentum with decoupled weight decay), Adam with the
coupled L2 term, and AdamW (``optax.adamw``). The network, data and τ are the FC chapter's
(:mod:`replication.experiments.fc_mnist`); the optimizers are :func:`replication.training.step.optimizer_direction`."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

from replication.analysis.criteria import Verdict
from replication.analysis.peaks import fit_power_law
from replication.analysis.plan import SweepRun, plan_sweep
from replication.analysis.seeds import SeedFit
from replication.analysis.verdicts import SmallestLambdaVerdict, smallest_lambda_over_seeds
from replication.experiments.claims import Claim, Decider
from replication.experiments.configs import Config
from replication.experiments.fc_mnist import run_sweep, seed_list
from replication.experiments.grid import GridResult
from replication.experiments.results import SweepResult, analyzed, only_grid

__all__ = [
    "CLAIMS",
    "STUDIES",
    "OPTIMIZERS",
    "LABELS",
    "clock_gain",
    "optimizer_window",
    "optimizer_runs",
    "optimizer_sweep",
    "ZERO_FROM",
    "comparison_runs",
    "with_zero_runs",
    "describe_grid",
    "comparison",
    "ClockRow",
    "clock_rows",
    "format_clock_table",
    "format_small_lambda",
    "per_lr_exponents",
    "c_ratio",
    "disagreements",
    "peak_times",
]

# What this chapter computes and stores, in the chapter's order; the headless runner runs exactly these.
STUDIES = ("comparison",)

# The paper's claims this chapter judges (replication.experiments.claims): the chapter records ours under each key.
CLAIMS = (
    Claim(
        "Beyond the paper: SGDW",
        "FC on MNIST, Fig. 2a's protocol with momentum SGD and decoupled weight decay (SGDW)",
        "not in the paper",
        "beyond.sgdw_exponent",
        "FC 3×{beyond_paper} (width {beyond_cpu} at cpu) · MNIST, 512 images, full batch · SGDW (momentum, "
        "decoupled), seeds",
    ),
    Claim(
        "Beyond the paper: momentum + L2",
        "FC on MNIST, Fig. 2a's protocol with momentum SGD and the coupled L2 term (runs of τ(1 − β)/(ηλ) steps)",
        "not in the paper",
        "beyond.momentum_exponent",
        "FC 3×{beyond_paper} (width {beyond_cpu} at cpu) · MNIST, 512 images, full batch · momentum SGD + L2, "
        "several seeds",
    ),
    Claim(
        "Beyond the paper: Adam + L2",
        "FC on MNIST, Fig. 2a's protocol with Adam and the coupled L2 term",
        "not in the paper",
        "beyond.adam_exponent",
        "FC 3×{beyond_paper} (width {beyond_cpu} at cpu) · MNIST, 512 images, full batch · Adam + L2, several seeds",
        Decider(
            "λ = 3e-5 … 1e-3 at η = 0.001 and 0.004 (ηλ down to 3e-8), so that at least four runs learn over 1.5 "
            "decades: cpu's λ (≥ 0.05) let the L2 term dominate Adam's normalized step; runs of up to "
            "6.7·10⁷ full-batch steps",
            "decide_adam",
            "optimizer_sweep",
            options=(("optimizer", "adam"),),
        ),
    ),
    Claim(
        "Beyond the paper: AdamW",
        "FC on MNIST, Fig. 2a's protocol with AdamW: is t* still ∝ 1/(ηλ)?",
        "not in the paper",
        "beyond.adamw_exponent",
        "FC 3×{beyond_paper} (width {beyond_cpu} at cpu) · MNIST, 512 images, full batch · AdamW, several seeds",
    ),
)

OPTIMIZERS = ("sgd", "momentum", "sgdw", "adam", "adamw")
LABELS = {
    "sgd": "SGD + L2 (the paper's)",
    "momentum": "momentum + L2",
    "sgdw": "SGDW (decoupled)",
    "adam": "Adam + L2",
    "adamw": "AdamW (decoupled)",
}


def clock_gain(optimizer: str, momentum: float) -> float:
    """How much faster the predicted clock of ``optimizer`` runs than SGD's at equal ηλ (the chapter's predictions):
    1/(1 − β) for momentum + L2, whose effective rate η/(1 − β) applies to the L2 term too (t* ≈ c(1 − β)/(ηλ));
    1 for SGD, SGDW (the decay is ηλ per step), Adam + L2 and AdamW."""
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer={optimizer!r} must be one of {OPTIMIZERS}.")
    if not 0.0 <= momentum < 1.0:
        raise ValueError(f"momentum={momentum!r} must be in [0, 1).")
    return 1.0 / (1.0 - momentum) if optimizer == "momentum" else 1.0


def optimizer_window(cfg, optimizer: str) -> Config:
    """The sweep ``optimizer``'s grid is planned and evaluated with: the preset's shared ``sweep``, with the values
    of that optimizer's own ``sweep`` group where it has one (ours: at cpu, momentum + L2 and SGDW, whose spans
    rested on one run at the shared window, train further down in ηλ)."""
    if optimizer not in cfg.optimizers:
        raise ValueError(f"optimizer={optimizer!r} must be one of {tuple(cfg.optimizers)}.")
    own = dict(cfg.optimizers[optimizer].get("sweep", {}))
    unknown = sorted(set(own) - set(cfg.sweep) - {"evals_per_octave"})
    if unknown:
        raise ValueError(f"optimizers.{optimizer}.sweep has fields {unknown} that the sweep has not; "
                         f"fields: {sorted({*cfg.sweep, 'evals_per_octave'})}")  # fmt: skip
    return Config({**cfg.sweep, **own})


def optimizer_runs(cfg, optimizer: str) -> list[SweepRun]:
    """The runs of one optimizer's grid: Fig. 2a's protocol on that optimizer's predicted clock (ours): every (η, λ)
    with gain·ηλ inside its window (:func:`optimizer_window`), trained τ/(gain·ηλ) epochs (full batch: steps),
    λ = 0 as long as that η's longest run; gain = :func:`clock_gain` (1 but for momentum + L2, whose runs are
    1 − β as long at equal ηλ and whose window lies 1 − β lower)."""
    gain = clock_gain(optimizer, cfg.momentum)  # checks the optimizer's name first
    grid, s = cfg.optimizers[optimizer], optimizer_window(cfg, optimizer)
    return plan_sweep(grid.lrs, grid.lams, physical_time=s.physical_time / gain, min_lr_lam=s.min_lr_lam / gain,
                      max_lr_lam=s.max_lr_lam / gain, max_epochs=s.max_epochs)  # fmt: skip


def optimizer_sweep(cfg, optimizer: str, *, seed: int) -> SweepResult:
    """One optimizer's grid (``cfg.optimizers[optimizer]``, :func:`optimizer_runs`), trained from
    ``cfg.seeds.count`` initializations with its window's evaluations; stored and reused like every grid."""
    return analyzed(_train(cfg, optimizer, optimizer_runs(cfg, optimizer), seed=seed))


def _train(cfg, optimizer: str, runs: list[SweepRun], *, seed: int) -> GridResult:
    s = optimizer_window(cfg, optimizer)
    return run_sweep(cfg, runs, seed=seed, seeds=seed_list(cfg, seed), name=f"beyond_{optimizer}",
                     optimizer=optimizer, momentum=cfg.momentum, evals=s.evals,
                     evals_per_octave=s.get("evals_per_octave"))  # fmt: skip


# λ = 0 is the same update for these pairs (no L2 term and no decay: the same momentum step, the same Adam
# direction), so :func:`comparison` trains it once: reader -> trainer; the trainer's λ = 0 runs are as long as the
# longer of the two asks at each η, and the reader reads them (ours: it spares a third of a grid).
ZERO_FROM = {"sgdw": "momentum", "adam": "adamw"}


def comparison_runs(cfg) -> dict[str, list[SweepRun]]:
    """What :func:`comparison` trains for each optimizer: :func:`optimizer_runs`, but for the pairs of
    :data:`ZERO_FROM`: the reader without its λ = 0 runs at the η its partner trains, the partner's λ = 0 runs as
    long as the longer of the two at each η."""
    out = {name: optimizer_runs(cfg, name) for name in OPTIMIZERS}
    for reader, trainer in ZERO_FROM.items():
        shared = {r.lr for r in out[trainer] if r.lam == 0}
        longest = {r.lr: r.epochs for r in out[reader] if r.lam == 0 and r.lr in shared}
        out[reader] = [r for r in out[reader] if not (r.lam == 0 and r.lr in shared)]
        out[trainer] = [dataclasses.replace(r, epochs=max(r.epochs, longest.get(r.lr, 0))) if r.lam == 0 else r
                        for r in out[trainer]]  # fmt: skip
    return out


def with_zero_runs(grid: GridResult, partner: GridResult) -> GridResult:
    """``grid`` with the λ = 0 runs of ``partner`` (trained from the same initializations) appended at the η where
    ``grid`` has runs and no λ = 0 of its own, each seed's to that seed's runs: what the analysis of ``grid`` reads.
    ``grid`` keeps its own provenance and identity."""
    if grid.seeds != partner.seeds:
        raise ValueError(f"the grids were trained from different seeds: {grid.seeds} and {partner.seeds}.")
    missing = {r.lr for r in grid.runs} - {r.lr for r in grid.runs if r.lam == 0}
    zero = [i for i, r in enumerate(partner.runs) if r.lam == 0 and r.lr in missing]
    return dataclasses.replace(
        grid,
        runs=grid.runs + tuple(partner.runs[i] for i in zero),
        histories=grid.histories + tuple(partner.histories[i] for i in zero),
        by_seed=tuple(own + tuple(theirs[i] for i in zero) for own, theirs in zip(grid.by_seed, partner.by_seed)),
    )


def judge_exponent(cfg, sweeps: Sequence[SweepResult]) -> Verdict:
    """An optimizer's exponent from a grid of its decider's size (a recorded probe,
    :mod:`replication.experiments.probes`): the exponent verdict of :func:`optimizer_sweep`'s one grid."""
    return only_grid(sweeps, "one optimizer's exponent").verdict.verdict


def describe_grid(optimizer: str, result: SweepResult) -> str:
    """One line: the optimizer's grid (:meth:`GridResult.describe`), and for a reader of :data:`ZERO_FROM` which
    of its runs its partner's grid trained."""
    line = f"{LABELS[optimizer]}: {result.grid.describe()}"
    if optimizer not in ZERO_FROM:
        return line
    n_zero = sum(r.lam == 0 for r in result.grid.runs)
    return f"{line}; {n_zero} of its runs, λ = 0, are {LABELS[ZERO_FROM[optimizer]]}'s (the same update, trained once)"


def comparison(cfg, *, seed: int) -> dict[str, SweepResult]:
    """Every optimizer's sweep, in the order of ``OPTIMIZERS``, the λ = 0 runs of each pair of :data:`ZERO_FROM`
    trained once (:func:`comparison_runs`)."""
    planned = comparison_runs(cfg)
    grids = {name: _train(cfg, name, planned[name], seed=seed) for name in OPTIMIZERS}
    for reader, trainer in ZERO_FROM.items():
        grids[reader] = with_zero_runs(grids[reader], grids[trainer])
    return {name: analyzed(grid) for name, grid in grids.items()}


@dataclasses.dataclass(frozen=True)
class ClockRow:
    """One optimizer: the pooled t* fit with its bootstrap intervals over seeds, and per η the smallest λ's peak
    accuracy against λ = 0's (mean ± std over seeds: (η, λ, mean, std, λ = 0 mean, λ = 0 std)) and, in ``zero``,
    that comparison decided as Fig. 2b's is (per η, in each seed on the test images, kept where the seeds agree)."""

    optimizer: str
    fit: SeedFit
    small_vs_zero: tuple[tuple[float, float, float, float, float, float], ...]
    fit_learned: SeedFit | None = None  # over the runs that learned (each seed's threshold)
    verdict: Verdict | None = None  # the book's rule on t* ∝ 1/(ηλ) (runs that learned and peaked inside, ±0.25)
    zero: tuple[SmallestLambdaVerdict, ...] = ()  # per η: the smallest λ against λ = 0 by the book's rule

    def covers(self, exponent: float) -> bool:
        """Whether the bootstrap interval of the exponent contains ``exponent``."""
        lo, hi = self.fit.exponent_ci
        return bool(lo <= exponent <= hi)

    def matches_zero(self, lr: float) -> bool | None:
        """Whether, at η = ``lr``, the smallest λ matches (a tie) or beats λ = 0 by the book's rule (``zero``): True
        reproduced, False not reproduced, None inconclusive or not compared."""
        outcome = next((v.verdict.outcome for v in self.zero if v.lr == lr), None)
        return {"reproduced": True, "not reproduced": False}.get(outcome)


def clock_rows(results: dict[str, SweepResult], *, n_test: int) -> list[ClockRow]:
    """A :class:`ClockRow` per optimizer (each sweep needs several seeds); its small-λ comparison decided on
    ``n_test`` test images."""
    rows = []
    for name, res in results.items():
        if res.seeds is None:
            raise ValueError(f"the {name} sweep has one seed; clock_rows needs seeds.count > 1.")
        zero = tuple(smallest_lambda_over_seeds(res.rows_by_seed, n_test=n_test))
        rows.append(ClockRow(name, res.seeds.fit, tuple(res.seeds.smallest_lambda_vs_zero()), res.seeds.fit_learned,
                             res.verdict.verdict, zero))  # fmt: skip
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


def format_small_lambda(rows: list[ClockRow]) -> str:
    """Per optimizer and η: the smallest λ's peak test accuracy against λ = 0's (mean ± sd over seeds) and the
    comparison's outcome by the book's rule (``ClockRow.zero``; its reason where it is inconclusive, and the λ it
    compared where a smaller one diverged)."""
    lines = []
    for r in rows:
        decided = {v.lr: v for v in r.zero}
        for lr, lam, mean, sd, zero_mean, zero_sd in r.small_vs_zero:
            v = decided.get(lr)
            if v is None:
                said = "not compared"
            else:
                said = v.verdict.describe() if v.verdict.outcome == "inconclusive" else v.verdict.outcome
                said += f" (compared at λ = {v.smallest_lam:g})" if v.smallest_lam != lam else ""
            lines.append(f"{LABELS[r.optimizer]:<24} η = {lr:<6g} λ = {lam:<7g} {mean:.4f} ± {sd:.4f} vs "
                         f"{zero_mean:.4f} ± {zero_sd:.4f}: {said}")  # fmt: skip
    return "\n".join(lines)


def per_lr_exponents(result: SweepResult) -> dict[float, float]:
    """Per η, the slope of log mean t* (over seeds) against log λ: the λ-dependence at a fixed η (−1 for a clean
    1/(ηλ) clock). NaN where fewer than two λ peaked after the first evaluation."""
    spread = result.seeds.spread if result.seeds is not None else None
    if spread is None:
        raise ValueError("per_lr_exponents needs a sweep with several seeds.")
    out = {}
    for lr in sorted({s.lr for s in spread}):
        pts = [(s.lam, s.t_star_mean) for s in spread if s.lr == lr and s.lam > 0 and s.t_star_mean > 0]
        lams, tstars = zip(*pts) if pts else ((), ())
        out[lr] = fit_power_law(lams, tstars)[0] if len(set(lams)) >= 2 else math.nan
    return out


def c_ratio(row: ClockRow, reference: ClockRow) -> tuple[float, float, float]:
    """c of ``row`` over c of ``reference``, with a conservative range from the ends of both bootstrap intervals."""
    (lo, hi), (ref_lo, ref_hi) = row.fit.c_ci, reference.fit.c_ci
    return row.fit.c / reference.fit.c, lo / ref_hi, hi / ref_lo


def disagreements(rows: list[ClockRow], *, momentum: float) -> list[str]:
    """The chapter's summary in sentences: per optimizer, where the measurement departs from the prediction stated
    before it (exponent −1 except for Adam + L2; c ratio to SGD's 1 − β for momentum + L2 and 1 for SGDW; small λ
    matching λ = 0), or that it agrees. With a row's ``verdict`` the exponent is judged as the landing page judges
    it (the book's rule), and an interval over every fittable run that excludes −1 itself is named beside it."""
    by_name = {r.optimizer: r for r in rows}
    expected_ratio = {name: 1.0 / clock_gain(name, momentum) for name in ("momentum", "sgdw")}  # c / c(SGD)
    lines = []
    for r in rows:
        label, notes = LABELS[r.optimizer], []
        lo, hi = r.fit.exponent_ci
        if r.fit_learned is not None and r.fit_learned.n_points < r.fit.n_points:
            notes.append(f"only {r.fit_learned.n_points} of {r.fit.n_points} λ > 0 runs learned (peak above halfway "
                         "from chance to λ = 0's)")  # fmt: skip
        if r.optimizer == "adam":
            if r.covers(-1.0):
                notes.append(f"its interval {lo:.2f} … {hi:.2f} contains −1: no sign here of the departure predicted")
        elif r.verdict is not None and r.verdict.outcome != "reproduced":
            notes.append(f"t* ∝ 1/(ηλ) {r.verdict.describe()}")
        elif not r.covers(-1.0):
            within = "within the book's tolerance of −1 (reproduced), but the " if r.verdict is not None else ""
            notes.append(f"{within}exponent interval {lo:.2f} … {hi:.2f} over every fittable run excludes −1 itself")
        if r.optimizer in expected_ratio and "sgd" in by_name:
            ratio, c_lo, c_hi = c_ratio(r, by_name["sgd"])
            if not c_lo <= expected_ratio[r.optimizer] <= c_hi:
                notes.append(
                    f"c / c(SGD) = {ratio:.2g} ({c_lo:.2g} … {c_hi:.2g}), predicted {expected_ratio[r.optimizer]:.2g}"
                )
        below = [f"η = {lr:g}" for lr, *_ in r.small_vs_zero if r.matches_zero(lr) is False]
        if below:
            notes.append("the smallest λ stays below λ = 0 at " + ", ".join(below))
        lines.append(f"{label}: " + ("; ".join(notes) if notes else "agrees with the prediction"))
    return lines


def peak_times(result: SweepResult) -> dict[float, tuple[float, float, float]]:
    """Per η: (λ = 0's mean t*, the smallest λ's mean t*, c/(ηλ) at that λ with c this sweep's pooled c), all in
    epochs. When c/(ηλ) is longer than λ = 0 takes to peak, the peak comes when learning is done, not on the decay
    clock, and t* can only grow slower than 1/(ηλ) there."""
    if result.seeds is None:
        raise ValueError("peak_times needs a sweep with several seeds.")
    spread, c = result.seeds.spread, result.seeds.fit.c
    out = {}
    for lr in sorted({s.lr for s in spread}):
        zero = [s for s in spread if s.lr == lr and s.lam == 0]
        pos = [s for s in spread if s.lr == lr and s.lam > 0]
        if zero and pos:
            small = min(pos, key=lambda s: s.lam)
            out[lr] = (zero[0].t_star_mean, small.t_star_mean, c / (lr * small.lam))
    return out
