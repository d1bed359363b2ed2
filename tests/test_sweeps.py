"""The (η, λ) sweep helpers the Section 2 chapters share: planning, per-run summaries, the t* fit and its table."""

import math

import numpy as np
import pytest

from replication.analysis import sweeps
from replication.training import History


def _history(lr, lam, t_peak, *, steps_per_epoch=4, epochs=40, peak=0.9, diverged_at=None):
    """Accuracy that rises linearly to ``peak`` at epoch ``t_peak`` and decays after it (a Fig. S6 shape)."""
    epoch = np.arange(epochs + 1, dtype=float)
    acc = np.where(epoch <= t_peak, 0.1 + (peak - 0.1) * epoch / max(t_peak, 1), peak - 0.01 * (epoch - t_peak))
    if diverged_at is not None:
        acc[epoch * steps_per_epoch >= diverged_at] = np.nan
    metrics = dict(
        step=epoch * steps_per_epoch, epoch=epoch, test_accuracy=acc, train_error=np.where(epoch >= t_peak, 0.0, 0.5)
    )
    return History(
        lr=lr,
        lam=lam,
        steps=epochs * steps_per_epoch,
        diverged=diverged_at is not None,
        diverged_at=None if diverged_at is None else float(diverged_at),
        metrics=metrics,
    )


def test_plan_sweep_keeps_the_window_trains_tau_over_eta_lambda_and_adds_lambda_zero():
    runs = sweeps.plan_sweep(
        [0.1, 1.0], [0.0, 0.01, 0.1, 1.0], physical_time=2.0, min_lr_lam=0.005, max_lr_lam=0.5, max_epochs=150
    )
    by = {(r.lr, r.lam): r.epochs for r in runs}
    # ηλ = 1e-3 (0.1, 0.01) and 1 (1, 1) fall outside the window; ceil(2/0.01) = 200 is capped at 150
    assert by == {(0.1, 0.1): 150, (0.1, 1.0): 20, (0.1, 0.0): 150, (1.0, 0.01): 150, (1.0, 0.1): 20, (1.0, 0.0): 150}
    with pytest.raises(ValueError, match="widen the window"):
        sweeps.plan_sweep([0.1], [0.01], physical_time=1.0, min_lr_lam=0.1, max_lr_lam=1.0, max_epochs=10)


def test_fit_tstar_recovers_minus_one_and_leaves_out_diverged_instant_and_unlearned_runs():
    c = 0.5
    hist = [_history(1.0, lam, c / lam, epochs=int(3 * c / lam)) for lam in (0.005, 0.01, 0.02, 0.05)]
    hist.append(_history(1.0, 0.1, 20, peak=0.15))  # a noise "peak" off the line
    hist.append(_history(1.0, 0.2, 5, diverged_at=12))  # diverged
    hist.append(_history(1.0, 0.0, 200, epochs=300))  # λ = 0: not in the fit
    rows = sweeps.summarize(hist)
    assert [r["t_star"] for r in rows[:4]] == pytest.approx([100, 50, 25, 10], abs=1)
    assert math.isnan(rows[5]["t_star"]) and rows[5]["diverged"]
    everything = sweeps.fit_tstar(rows)
    threshold = sweeps.learning_threshold(rows)
    assert threshold == pytest.approx(0.1 + 0.5 * (0.9 - 0.1))  # halfway to the λ = 0 run's peak
    learned = sweeps.fit_tstar(rows, min_peak_accuracy=threshold)
    assert everything["n_runs"] == 5 and learned["n_runs"] == 4 and learned["not_learned"] == [(1.0, 0.1)]
    assert learned["exponent"] == pytest.approx(-1.0, abs=0.02)
    assert learned["decades"] == pytest.approx(1.0)
    assert learned["c"] == pytest.approx(c, rel=0.05)
    assert everything["exponent"] > learned["exponent"]  # the unlearned run flattens the fit
    one = sweeps.fit_tstar(rows[:1])
    assert one["n_runs"] == 1 and math.isnan(one["exponent"])


def test_format_runs_prints_one_line_per_run_with_its_note():
    rows = sweeps.summarize(
        [
            _history(1.0, 0.01, 50, epochs=100),
            _history(1.0, 0.1, 5, peak=0.15),
            _history(1.0, 0.2, 5, diverged_at=12),
            _history(1.0, 0.0, 80, epochs=100),
            _history(1.0, 0.05, 38, epochs=40),
        ]
    )
    text = sweeps.format_runs(rows, min_peak_accuracy=0.5)
    lines = text.splitlines()
    assert len(lines) == 6 and lines[0].split()[:3] == ["η", "λ", "ηλ"]
    assert lines[1].endswith("  ") and "0.01" in lines[1] and "0.9000" in lines[1]
    assert lines[2].endswith("did not learn") and lines[3].endswith("diverged at step 12")
    assert not lines[4].endswith("learn")  # λ = 0 is never called unlearned
    assert lines[5].endswith("still rising at the end")  # t* = 38 of 40 epochs
    assert sweeps.peaked_at_end(rows[4]) and not sweeps.peaked_at_end(rows[0])
    assert "train acc 1 at" in sweeps.format_runs(rows, ("λ", "train acc 1 at"))
    with pytest.raises(ValueError, match="columns: unknown column 'loss'"):
        sweeps.format_runs(rows, ("λ", "loss"))


def test_describe_fit_says_why_there_is_no_exponent():
    assert sweeps.describe_fit(dict(exponent=-1.0804, decades=1.62, n_runs=6)) == "-1.080 over 1.6 decades (6 runs)"
    assert sweeps.describe_fit(dict(exponent=float("nan"), decades=0.0, n_runs=1)) == "no exponent (only 1 usable run)"


def test_final_test_accuracy_is_the_last_finite_value_and_the_figure_marks_divergence():
    from replication.viz import sweeps as sweep_plots

    good = _history(0.2, 0.01, 10, epochs=20)
    bad = _history(0.2, 0.1, 5, epochs=20, diverged_at=40)
    assert sweeps.final_test_accuracy(good) == pytest.approx(0.9 - 0.01 * 10)
    assert sweeps.final_test_accuracy(bad) == pytest.approx(0.9 - 0.01 * (9 - 5))  # epoch 9 (step 36), before the NaNs
    assert sweeps.test_accuracy_at(good, 4.5) == pytest.approx(0.1 + 0.8 * 5 / 10)  # the evaluation at epoch 5
    assert math.isnan(sweeps.test_accuracy_at(bad, 12))  # only NaNs after the divergence
    fig = sweep_plots.final_accuracy_figure({"fixed T": [bad, good]}, title="t")
    line, crosses = fig.data
    assert list(line.x) == [0.01, 0.1] and list(crosses.x) == [0.1] and crosses.marker.symbol == "x"
