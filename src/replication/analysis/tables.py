"""The per-run table every Section 2 chapter prints, one formatter for all of them."""

from __future__ import annotations

import math

from replication.analysis.seeds import SeedSpread
from replication.analysis.sweeps import RunSummary, learned, peaked_at_end

__all__ = ["RUN_COLUMNS", "format_runs", "format_seed_spread", "format_predictions", "format_race"]

RUN_COLUMNS = {  # name: (width, formatter)
    "η": (7, lambda r: f"{r.lr:g}"),
    "λ": (11, lambda r: f"{r.lam:g}"),
    "ηλ": (9, lambda r: f"{r.lr_lam:.2g}"),
    "epochs": (8, lambda r: f"{r.epochs:g}"),
    "t*": (8, lambda r: f"{r.t_star:.4g}"),
    "t*·ηλ": (9, lambda r: f"{r.t_star * r.lr_lam:.3g}"),
    "max acc": (9, lambda r: f"{r.max_test_accuracy:.4f}"),
    "train acc 1 at": (16, lambda r: f"{r.t_train_zero:.4g}"),
}


def _note(r: RunSummary, min_peak_accuracy: float | None) -> str:
    if r.diverged:
        return f"diverged at step {r.diverged_at:g}"
    if r.lam > 0 and not learned(r, min_peak_accuracy):
        return "did not learn"
    if r.lam > 0 and peaked_at_end(r):
        return "still rising at the end"
    return ""


def format_runs(
    rows: list[RunSummary],
    columns: tuple[str, ...] = ("η", "λ", "ηλ", "epochs", "t*", "t*·ηλ", "max acc"),
    *,
    min_peak_accuracy: float | None = None,
    extra: dict[str, list[str]] | None = None,
) -> str:
    """One line per run (t* in epochs) with a last column saying whether it diverged (and when), never learned
    (given ``min_peak_accuracy``) or was still rising at the end; ``extra`` adds named columns of preformatted
    cells, one per row."""
    for c in columns:
        if c not in RUN_COLUMNS:
            raise ValueError(f"columns: unknown column {c!r}; allowed: {sorted(RUN_COLUMNS)}.")
    extra = extra or {}
    for name, cells in extra.items():
        if len(cells) != len(rows):
            raise ValueError(f"extra column {name!r} has {len(cells)} cells for {len(rows)} rows.")
    widths = {name: max(len(name), *(len(c) for c in cells)) + 2 for name, cells in extra.items()}
    head = "".join(f"{c:>{RUN_COLUMNS[c][0]}}" for c in columns) + "".join(f"{n:>{widths[n]}}" for n in extra)
    lines = [head + "  note"]
    for i, r in enumerate(rows):
        cells = "".join(f"{RUN_COLUMNS[c][1](r):>{RUN_COLUMNS[c][0]}}" for c in columns)
        cells += "".join(f"{extra[n][i]:>{widths[n]}}" for n in extra)
        lines.append(cells + f"  {_note(r, min_peak_accuracy)}".rstrip())
    return "\n".join(lines)


def format_seed_spread(spread: list[SeedSpread]) -> str:
    """One line per (η, λ): how many seeds did not diverge, t* (epochs) and the peak test accuracy as mean ± std
    over seeds, and t*·ηλ from the mean t*."""
    lines = [f"{'η':>7}{'λ':>11}{'seeds':>7}{'t* mean ± sd':>20}{'t*·ηλ':>9}{'max acc mean ± sd':>22}"]
    for s in spread:
        tstar = f"{s.t_star_mean:.4g} ± {s.t_star_std:.2g}"
        peak = f"{s.peak_mean:.4f} ± {s.peak_std:.4f}"
        lines.append(f"{s.lr:>7g}{s.lam:>11g}{s.n_seeds:>7}{tstar:>20}{s.t_star_mean * s.lr * s.lam:>9.3g}{peak:>22}")
    return "\n".join(lines)


def _short_lam(x: float) -> str:
    """λ in at most 6 characters and 2 significant digits: 0.0025, 1.6e-4 (where ``:.2g`` writes 0.00016), 3e-5."""
    text = f"{x:.2g}"
    if x > 0 and ("e" in text or len(text) > 6):
        exponent = math.floor(math.log10(x))
        mantissa = f"{x / 10**exponent:.2g}"
        if mantissa == "10":  # rounding carried into the next decade
            mantissa, exponent = "1", exponent + 1
        text = f"{mantissa}e{exponent}"
    return text


def format_predictions(rows) -> str:
    """Fig. 4b as a table: per (factor, budget) λ_pred, the tuned λ and its range (within 0.1% of the best, or
    within the test set's resolution when wider), their ratio (to the nearest tied λ), both accuracies, the gap and
    λ = 0's accuracy within the budget ("—": no λ = 0 run). A tuned λ at the edge of the swept grid is marked <
    (its smallest) or > (its largest); one tied with another λ is marked "=" (the tied λ are in its range)."""
    # 84 characters wide: the book's output box wraps longer lines
    head = (f"{'c×':>4}{'T':>6}{'λ_pred':>8}{'λ_tuned':>9}{'(range)':>15}{'ratio':>7}{'acc pred':>9}"
            f"{'acc tuned':>10}{'gap':>8}{'acc λ=0':>8}")  # fmt: skip
    lines = [head]
    for r in rows:
        t = r.tuned
        span = f"{_short_lam(t.lam_low)}–{_short_lam(t.lam_high)}"
        tie = "=" if len(t.tied_lams) > 1 else ""
        tuned = {"smallest": "<", "largest": ">"}.get(t.edge, "") + tie + _short_lam(t.lam)
        zero = f"{t.accuracy_lam0:.4f}" if t.accuracy_lam0 == t.accuracy_lam0 else "—"  # NaN: no λ = 0 run
        lines.append(f"{r.factor:>4.3g}{r.budget:>6g}{_short_lam(r.lam_pred):>8}{tuned:>9}{span:>15}{r.ratio:>7.2f}"
                     f"{r.accuracy_pred:>9.4f}{t.accuracy:>10.4f}{r.gap:>8.4f}{zero:>8}")  # fmt: skip
    return "\n".join(lines)


def format_race(rows) -> str:
    """Fig. 1c as a table: best accuracy within the budget, the epoch each run first reaches the reference's best
    ("never" if it does not within the budget), the speed-up and the last λ."""
    # ≤ 84 characters wide (the book's output box wraps longer lines) for names up to 40 characters
    lines = [f"{'run':<40}{'best acc':>9}{'epoch to target':>16}{'speed-up':>9}{'final λ':>9}"]
    for r in rows:
        reached = r.epoch_to_target == r.epoch_to_target  # not NaN
        when = f"{r.epoch_to_target:g}" if reached else "never"
        speed = f"{r.speedup:.2f}×" if r.speedup == r.speedup else "—"  # NaN: never, or both reach it at epoch 0
        lines.append(f"{r.name:<40}{r.best_accuracy:>9.4f}{when:>16}{speed:>9}{r.final_lam:>9.2g}")
    return "\n".join(lines)
