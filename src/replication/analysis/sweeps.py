"""(η, λ) sweeps as the paper runs them (Section 2, appendix A), and their summaries (t*, peak accuracy, c).

A sweep trains every (η, λ) whose product lies in a window for a fixed *physical time* τ = epochs·η·λ (Fig. 2a–c:
τ = 2), so each run is long enough for its test accuracy to peak. λ = 0 runs as long as the longest run with the
same η (the paper runs it longer still; see each chapter).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from replication.analysis.peaks import estimate_c, fit_power_law, time_to_peak
from replication.core.validation import check_positive
from replication.training import History

__all__ = [
    "SweepRun",
    "plan_sweep",
    "summarize",
    "fittable",
    "learned",
    "fit_tstar",
    "peaked_at_end",
    "describe_fit",
    "learning_threshold",
    "format_runs",
    "best_within_budget",
    "final_test_accuracy",
    "test_accuracy_at",
    "first_time_train_error_zero",
]


@dataclasses.dataclass(frozen=True)
class SweepRun:
    lr: float
    lam: float
    epochs: int


def plan_sweep(
    lrs, lams, *, physical_time: float, min_lr_lam: float, max_lr_lam: float, max_epochs: int, include_zero: bool = True
) -> list[SweepRun]:
    """Every (η, λ > 0) with min ≤ ηλ ≤ max, trained for ceil(τ/(ηλ)) epochs (capped at ``max_epochs``), plus
    λ = 0 for each η, trained as long as that η's longest run."""
    check_positive("physical_time", physical_time)
    runs = []
    for lr in lrs:
        mine = []
        for lam in lams:
            if lam <= 0:
                continue
            p = lr * lam
            if min_lr_lam <= p <= max_lr_lam:
                mine.append(SweepRun(float(lr), float(lam), min(max_epochs, math.ceil(physical_time / p))))
        runs += mine
        if include_zero and mine:
            runs.append(SweepRun(float(lr), 0.0, max(r.epochs for r in mine)))
    if not runs:
        raise ValueError(f"no (η, λ) in the grid has {min_lr_lam} <= η·λ <= {max_lr_lam}; widen the window.")
    return runs


def summarize(histories: list[History], *, tol: float = 0.005) -> list[dict]:
    """Per run: η, λ, ηλ, t* in epochs (the paper's definition; NaN for a diverged run), peak test accuracy,
    whether and when it diverged, and the epochs to training accuracy 1 (Fig. S1)."""
    rows = []
    for h in histories:
        m = h.metrics
        acc = m["test_accuracy"]
        ok = np.isfinite(acc)
        t_star = time_to_peak(m["epoch"], acc, tol=tol) if ok.any() and not h.diverged else float("nan")
        good = np.isfinite(m["epoch"]) & (m["step"] > 0)
        per_step = float(m["epoch"][good][0] / m["step"][good][0]) if good.any() else 1.0  # 1 with full batches
        rows.append(
            dict(
                lr=h.lr,
                lam=h.lam,
                lr_lam=h.lr * h.lam,
                epochs=float(h.steps * per_step),
                t_star=t_star,
                max_test_accuracy=float(np.nanmax(acc)) if ok.any() else float("nan"),
                diverged=h.diverged,
                diverged_at=h.diverged_at,
                t_train_zero=first_time_train_error_zero(h),
            )
        )
    return rows


def fittable(row: dict) -> bool:
    """Whether a run can enter the t* fit: λ > 0, not diverged, and peaked after the first evaluation (t* > 0)."""
    return row["lam"] > 0 and not row["diverged"] and bool(np.isfinite(row["t_star"])) and row["t_star"] > 0


def learned(row: dict, min_peak_accuracy: float | None) -> bool:
    """Whether a run's peak test accuracy reaches ``min_peak_accuracy`` (None: every run counts as learned)."""
    return min_peak_accuracy is None or bool(row["max_test_accuracy"] >= min_peak_accuracy)


def fit_tstar(rows: list[dict], *, min_peak_accuracy: float | None = None) -> dict:
    """Fit t* ∝ (ηλ)^exponent over the non-diverged runs with λ > 0 (Fig. 2a); also c = median t*·ηλ.
    Runs whose accuracy peaks at the first evaluation (t* = 0) cannot enter a log-log fit; with
    ``min_peak_accuracy``, runs that never reach it (they did not learn, so their "peak" is noise) are left out too
    and listed as ``not_learned`` [(η, λ)]. With fewer than two usable runs the exponent, prefactor and c are NaN
    (``n_runs`` says why) rather than an error."""
    use = [r for r in rows if fittable(r)]
    not_learned = [(r["lr"], r["lam"]) for r in use if not learned(r, min_peak_accuracy)]
    use = [r for r in use if learned(r, min_peak_accuracy)]
    x = np.array([r["lr_lam"] for r in use])
    y = np.array([r["t_star"] for r in use])
    if len(np.unique(x)) < 2:
        nan = float("nan")
        return dict(
            exponent=nan,
            prefactor=nan,
            c=estimate_c(y, np.ones_like(x), x) if len(use) else nan,
            n_runs=len(use),
            decades=0.0,
            not_learned=not_learned,
        )
    exponent, prefactor = fit_power_law(x, y)
    return dict(
        exponent=exponent,
        prefactor=prefactor,
        c=estimate_c(y, np.ones_like(x), x),
        n_runs=len(use),
        decades=float(np.log10(x.max() / x.min())),
        not_learned=not_learned,
    )


def peaked_at_end(row: dict, *, fraction: float = 0.9) -> bool:
    """Whether a run's t* falls in the last (1 − ``fraction``) of its epochs: it was still improving when it stopped,
    so its t* measures the run's length, not a peak (in a sweep whose lengths are ∝ 1/λ that alone gives slope −1)."""
    return bool(np.isfinite(row["t_star"]) and row["t_star"] >= fraction * row["epochs"])


def describe_fit(fit: dict) -> str:
    """A :func:`fit_tstar` result in words: "−1.08 over 1.6 decades (6 runs)", or why there is no exponent."""
    if not np.isfinite(fit["exponent"]):
        return f"no exponent (only {fit['n_runs']} usable run{'s' if fit['n_runs'] != 1 else ''})"
    return f"{fit['exponent']:.3f} over {fit['decades']:.1f} decades ({fit['n_runs']} runs)"


def learning_threshold(rows: list[dict], *, chance: float = 0.1) -> float:
    """Halfway between chance and the best λ = 0 run's peak test accuracy (the best run's if there is no λ = 0):
    a run whose peak stays below it has not learned, and its t* says nothing about the claim."""
    zero = [r["max_test_accuracy"] for r in rows if r["lam"] == 0 and np.isfinite(r["max_test_accuracy"])]
    ref = (
        max(zero)
        if zero
        else max((r["max_test_accuracy"] for r in rows if np.isfinite(r["max_test_accuracy"])), default=float("nan"))
    )
    return chance + 0.5 * (ref - chance)


_COLUMNS = {  # name: (width, formatter)
    "η": (7, lambda r: f"{r['lr']:g}"),
    "λ": (11, lambda r: f"{r['lam']:g}"),
    "ηλ": (9, lambda r: f"{r['lr_lam']:.2g}"),
    "epochs": (8, lambda r: f"{r['epochs']:g}"),
    "t*": (8, lambda r: f"{r['t_star']:.4g}"),
    "t*·ηλ": (9, lambda r: f"{r['t_star'] * r['lr_lam']:.3g}"),
    "max acc": (9, lambda r: f"{r['max_test_accuracy']:.4f}"),
    "train acc 1 at": (16, lambda r: f"{r['t_train_zero']:.4g}"),
}


def format_runs(
    rows: list[dict],
    columns: tuple[str, ...] = ("η", "λ", "ηλ", "epochs", "t*", "t*·ηλ", "max acc"),
    *,
    min_peak_accuracy: float | None = None,
) -> str:
    """The per-run table the chapters print (one line per :func:`summarize` row, t* in epochs), with a last column
    saying whether the run diverged (and when) or, given ``min_peak_accuracy``, never learned."""
    for c in columns:
        if c not in _COLUMNS:
            raise ValueError(f"columns: unknown column {c!r}; allowed: {sorted(_COLUMNS)}.")
    lines = ["".join(f"{c:>{_COLUMNS[c][0]}}" for c in columns) + "  note"]
    for r in rows:
        note = ""
        if r["diverged"]:
            note = f"diverged at step {r['diverged_at']:g}"
        elif r["lam"] > 0 and not learned(r, min_peak_accuracy):
            note = "did not learn"
        elif r["lam"] > 0 and peaked_at_end(r):
            note = "still rising at the end"
        lines.append("".join(f"{_COLUMNS[c][1](r):>{_COLUMNS[c][0]}}" for c in columns) + f"  {note}")
    return "\n".join(lines)


def best_within_budget(h: History, budget_epochs: float) -> float:
    """Peak test accuracy reached within the first ``budget_epochs`` epochs (Fig. 2c's fixed budget)."""
    m = h.metrics
    keep = m["epoch"] <= budget_epochs
    acc = m["test_accuracy"][keep]
    return float(np.nanmax(acc)) if np.isfinite(acc).any() else float("nan")


def final_test_accuracy(h: History) -> float:
    """The last finite test accuracy of a run (Fig. 1a plots it at the end of the schedule); NaN if there is none."""
    acc = h.metrics["test_accuracy"]
    ok = np.isfinite(acc)
    return float(acc[ok][-1]) if ok.any() else float("nan")


def test_accuracy_at(h: History, epoch: float) -> float:
    """The test accuracy at the first finite evaluation at or after ``epoch`` (NaN if there is none)."""
    m = h.metrics
    ok = np.isfinite(m["test_accuracy"]) & (m["epoch"] >= epoch)
    return float(m["test_accuracy"][ok][0]) if ok.any() else float("nan")


def first_time_train_error_zero(h: History) -> float:
    """Epochs until the training accuracy first reaches 1 (Fig. S1); NaN if it never does."""
    err = h.metrics["train_error"]
    hit = np.isfinite(err) & (err <= 0.0)
    return float(h.metrics["epoch"][np.argmax(hit)]) if hit.any() else float("nan")
