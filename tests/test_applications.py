"""Section 3 on synthetic histories: measure_c, λ_pred = c/T, the tuned λ, the prediction table and the AutoL2 race."""

import dataclasses

import numpy as np
import pytest

from replication.analysis import NotPeakedError, measure_c, predict_optimal_l2
from replication.analysis.budgets import first_epoch_reaching, prediction_runs, prediction_table, race, tuned_l2
from replication.training import METRICS, History

C_TRUE = 2.0


def synthetic(lam, epochs=1000, lr=0.2):
    """A history whose test accuracy rises like 1 − e^{−t/20}, peaks at t* = C_TRUE/λ at a height that falls with λ,
    and decays afterwards (Fig. 4a's shape)."""
    t = np.arange(0, epochs + 1, dtype=float)
    peak = C_TRUE / lam if lam > 0 else np.inf
    height = 0.9 - 0.5 * lam
    acc = height * np.minimum(t / peak, 1.0) if lam > 0 else 0.8 * (1 - np.exp(-t / 300))
    acc = acc - (0.2 * np.clip((t - peak) / peak, 0, None) if lam > 0 else 0)
    m = {k: np.zeros_like(t) for k in METRICS}
    m.update(step=t, epoch=t, test_accuracy=acc, lam=np.full_like(t, lam), lr=np.full_like(t, lr))
    return History(lr=lr, lam=lam, steps=epochs, diverged=False, diverged_at=None, metrics=m)


def test_measure_c_reads_t_star_times_lambda():
    h = synthetic(0.1, epochs=100)  # peaks at t = 20
    assert measure_c(h.metrics["epoch"], h.metrics["test_accuracy"], 0.1, tol=0.0) == pytest.approx(C_TRUE)
    # with the learning rate: c in physical units t*·η·λ
    assert measure_c(h.metrics["epoch"], h.metrics["test_accuracy"], 0.1, lr=0.2, tol=0.0) == pytest.approx(0.4)
    assert predict_optimal_l2(C_TRUE, 200) == pytest.approx(0.01)


def test_measure_c_refuses_a_run_that_has_not_peaked():
    h = synthetic(0.01, epochs=100)  # would peak at t = 200
    with pytest.raises(NotPeakedError, match="train longer"):
        measure_c(h.metrics["epoch"], h.metrics["test_accuracy"], 0.01)
    with pytest.raises(ValueError, match="lam=0"):
        measure_c(h.metrics["epoch"], h.metrics["test_accuracy"], 0.0)
    with pytest.raises(ValueError, match="budget"):
        predict_optimal_l2(1.0, 0)


def test_tuned_lambda_is_the_smallest_that_peaks_within_the_budget():
    lams = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1]
    hists = [synthetic(lam) for lam in lams] + [synthetic(0.0)]
    for T in (40, 100, 400):
        tuned = tuned_l2(hists, T)
        # in this model the best λ within T is the smallest that has peaked: λ ≥ c/T
        expected = min(lam for lam in lams if C_TRUE / lam <= T)
        assert tuned.lam == pytest.approx(expected)
        assert tuned.lam_low <= tuned.lam <= tuned.lam_high
        assert np.isfinite(tuned.accuracy_lam0)


def test_tuned_lambda_at_the_grid_edge_and_lambda0_as_good_are_flagged():
    """A budget so long that the smallest swept λ wins is flagged ("smallest": the optimum may lie below the grid),
    one so short that the largest wins is flagged "largest"; λ = 0 beating every λ > 0 counts in the verdict, and
    the table marks the edges with < and >."""
    from replication.analysis.budgets import summarize_predictions
    from replication.analysis.tables import format_predictions

    lams = [0.01, 0.02, 0.05]
    hists = [synthetic(lam) for lam in lams] + [synthetic(0.0)]
    long, short, inside = tuned_l2(hists, 1000), tuned_l2(hists, 10), tuned_l2(hists, 100)
    assert (long.lam, long.edge) == (0.01, "smallest") and (short.lam, short.edge) == (0.05, "largest")
    assert (inside.lam, inside.edge) == (0.02, "")
    assert not long.lam0_as_good  # λ = 0 rises slowly in this model
    better_lam0 = [synthetic(lam) for lam in lams] + [synthetic(0.0, epochs=1000)]
    better_lam0[-1].metrics["test_accuracy"][:] = 0.99
    assert tuned_l2(better_lam0, 100).lam0_as_good
    predicted = [synthetic(C_TRUE / T, epochs=T) for T in (10, 100, 1000)]
    rows = prediction_table(C_TRUE, (10, 100, 1000), hists, predicted, factors=(1.0,))
    verdict = summarize_predictions(rows)
    assert (verdict.n_at_edge, verdict.n_lam0_as_good) == (2, 0)
    assert "edge of the swept grid at 2 of 3" in verdict.caveats() and "λ = 0" not in verdict.caveats()
    table = format_predictions(rows).splitlines()
    assert max(map(len, table)) <= 84  # the book's output box wraps longer lines
    assert "<0.01" in table[3] and ">0.05" in table[1] and "<" not in table[2].split()[3]
    no_lam0 = prediction_table(C_TRUE, (100,), hists[:-1], predicted[1:2], factors=(1.0,))
    assert format_predictions(no_lam0).splitlines()[1].rstrip().endswith("—")
    assert summarize_predictions(no_lam0).caveats() == ""


def test_the_budget_from_which_the_prediction_holds_is_said_as_it_is():
    """Where the tuned λ is within 10× of λ_pred from the smallest budget on, the sentence says every budget;
    from a later one, that it does not hold at every smaller one; never, that it does not hold at all."""
    from replication.analysis.budgets import PredictionVerdict

    def verdict(holds_from, n_within):
        return PredictionVerdict(1.0, n_within, 3, 1.0, 0.0, 10.0, holds_from)

    assert "at every budget (T ≥ 10 epochs, i.e. T ≥ 2.0 ×" in verdict(10.0, 3).describe_holds(5.0)
    assert "for every budget T ≥ 100 epochs" in verdict(100.0, 2).describe_holds(5.0)
    assert "not at every smaller one" in verdict(100.0, 2).describe_holds(5.0)
    assert "not within 10×" in verdict(None, 0).describe_holds(5.0)
    # from real rows: within 10× at every budget reads so
    from replication.analysis.budgets import summarize_predictions

    hists = [synthetic(lam) for lam in (0.01, 0.02, 0.05)]
    predicted = [synthetic(C_TRUE / T, epochs=T) for T in (10, 100)]
    every = summarize_predictions(prediction_table(C_TRUE, (10, 100), hists, predicted, factors=(1.0,)))
    assert (every.n_within == every.n_budgets) == ("at every budget" in every.describe_holds(5.0))


def test_prediction_table_keeps_its_columns_apart_for_lambdas_near_1e_4():
    """Session 24: λ in [1e-4, 1e-3) written with :.2g ("0.00016", 7 characters) ran into the next column of the
    table ("<=0.000160.00016–0.00031"); now at most 6 characters each, so every row splits into its 10 columns."""
    from replication.analysis.tables import _short_lam, format_predictions

    assert [_short_lam(x) for x in (0.0025, 1.5625e-4, 3.125e-4, 3e-5, 9.96e-5, 9.96e-6, 0.5, 2.0)] == [
        "0.0025", "1.6e-4", "3.1e-4", "3e-5", "0.0001", "1e-5", "0.5", "2"]  # fmt: skip
    lams = [1.5625e-4, 3.125e-4, 6.25e-4]
    hists = [synthetic(lam) for lam in lams] + [synthetic(0.0)]
    predicted = [synthetic(C_TRUE / T, epochs=T) for T in (10, 100, 1000)]
    table = format_predictions(prediction_table(C_TRUE, (10, 100, 1000), hists, predicted, factors=(1.0,)))
    rows = table.splitlines()[1:]
    assert all(len(row.split()) == 10 for row in rows), table
    assert max(map(len, table.splitlines())) <= 84


def test_prediction_table_ratios_and_gaps():
    budgets = (40, 100, 400)
    runs = prediction_runs(C_TRUE, budgets, 0.2, factors=(1.0, 2.0))
    assert [r.lam for r in runs[:3]] == pytest.approx([C_TRUE / T for T in budgets])
    assert [r.epochs for r in runs] == [40, 100, 400] * 2
    tuning = [synthetic(lam) for lam in (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1)]
    predicted = [synthetic(r.lam, epochs=r.epochs) for r in runs]
    rows = prediction_table(C_TRUE, budgets, tuning, predicted, factors=(1.0, 2.0))
    base = [r for r in rows if r.factor == 1.0]
    assert all(r.ratio == pytest.approx(1.0) and r.within_decade for r in base)
    assert all(abs(r.gap) < 1e-9 for r in base)  # c/T is exactly the tuned λ in this model
    assert all(r.gap > 0 for r in rows if r.factor == 2.0)  # 2c/T over-regularizes here


def test_race_reports_epochs_to_the_reference_accuracy_and_never():
    ref = synthetic(0.01, epochs=400)  # peaks at 200
    fast = synthetic(0.02, epochs=400)  # peaks at 100, lower
    h = dict(ref.metrics)
    h["test_accuracy"] = np.minimum(1.0, ref.metrics["test_accuracy"] * 1.5)  # gets there sooner
    better = History(0.2, 0.01, 400, False, None, h)
    rows = {r.name: r for r in race({"ref": ref, "fast": fast, "better": better}, "ref", 400)}
    assert rows["ref"].epoch_to_target == pytest.approx(first_epoch_reaching(ref, rows["ref"].target))
    assert rows["ref"].speedup == pytest.approx(1.0)
    assert np.isnan(rows["fast"].epoch_to_target) and np.isnan(rows["fast"].speedup)
    assert rows["better"].speedup > 1.4
    with pytest.raises(ValueError, match="reference"):
        race({"a": ref}, "b", 100)
    # a run that ends 2 test images below the reference's best never reaches it exactly, but reaches it to within a
    # tie (3 images) when the race knows the test set's size; the reference is timed to the same threshold
    h = dict(ref.metrics)
    h["test_accuracy"] = np.minimum(ref.metrics["test_accuracy"] * 1.5, rows["ref"].target - 2 / 1000)
    tied = History(0.2, 0.01, 400, False, None, h)
    assert np.isnan(race({"ref": ref, "tied": tied}, "ref", 400)[1].epoch_to_target)
    within = {r.name: r for r in race({"ref": ref, "tied": tied}, "ref", 400, n_test=1000)}
    assert within["tied"].reach == pytest.approx(rows["ref"].target - 3 / 1000)
    assert within["tied"].speedup > 1.4 and within["ref"].speedup == pytest.approx(1.0)
    assert within["ref"].epoch_to_target == pytest.approx(first_epoch_reaching(ref, within["ref"].reach))
    # the landing page's number: the speed-up, or why there is none
    assert rows["fast"].speedup_or_why() == "never reaches the tuned accuracy"
    assert rows["better"].speedup_or_why() == round(rows["better"].speedup, 2)
    at_start = dataclasses.replace(rows["ref"], epoch_to_target=0.0, speedup=float("nan"))
    assert at_start.speedup_or_why() == "no speed-up defined"
    from replication.analysis.tables import format_race

    long = "tuned constant λ = 0.0003125 + schedule"  # the longest name a chapter prints
    table = format_race(race({long: ref, "fast": fast}, long, 400)).splitlines()
    assert table[2].split()[-3:-1] == ["never", "—"]
    assert max(map(len, table)) <= 84  # the book's output box wraps longer lines


def _flat(lam, accuracy, epochs=100):
    """A run whose test accuracy is ``accuracy`` at every evaluation."""
    t = np.arange(0.0, epochs + 1, 10.0)
    metrics = {k: np.zeros_like(t) for k in METRICS}
    metrics.update(step=t, epoch=t, test_accuracy=np.full_like(t, accuracy), lam=np.full_like(t, lam))
    return History(0.2, lam, int(epochs), False, None, metrics)


def test_tuned_lambda_ties_within_the_test_sets_resolution_are_named_not_broken():
    # on 512 test images, 393 and 392 correct are a tie (Fig. 1a's case); 0.1% would call 392 worse
    hists = [_flat(0.0, 380 / 512), _flat(1e-4, 300 / 512), _flat(1e-3, 392 / 512), _flat(1e-2, 393 / 512),
             _flat(1e-1, 200 / 512)]  # fmt: skip
    blind = tuned_l2(hists, 100)
    assert blind.lam == 1e-2 and blind.tied_lams == (1e-2,) and (blind.lam_low, blind.lam_high) == (1e-2, 1e-2)
    tuned = tuned_l2(hists, 100, n_test=512)
    assert tuned.tied == (1e-3, 1e-2) and (tuned.lam_low, tuned.lam_high) == (1e-3, 1e-2)
    assert not tuned.edge and not tuned.lam0_as_good  # λ = 0 is 13 images below
    # a prediction within a decade of either tied λ is within a decade; the ratio is to the nearer one
    (near,) = prediction_table(0.02, [100.0], hists, [_flat(2e-4, 0.7)], factors=(1.0,), n_test=512)
    assert near.ratio == pytest.approx(2e-4 / 1e-3) and near.within_decade  # 5× from 1e-3 (50× from 1e-2)
    (blind_row,) = prediction_table(0.02, [100.0], hists, [_flat(2e-4, 0.7)], factors=(1.0,))
    assert not blind_row.within_decade  # without the resolution, the 1-image lead of 1e-2 decided
    # λ = 0 within the resolution of the best counts as as good; a tie reaching the grid's edge is flagged
    assert tuned_l2([_flat(0.0, 392 / 512)] + hists[1:], 100, n_test=512).lam0_as_good
    edge = tuned_l2(hists[:3] + [_flat(1e-2, 300 / 512)], 100, n_test=512)
    assert edge.tied == (1e-3,) and edge.edge == ""
    edge = tuned_l2([_flat(1e-4, 392 / 512), _flat(1e-3, 393 / 512), _flat(1e-2, 100 / 512)], 100, n_test=512)
    assert edge.tied == (1e-4, 1e-3) and edge.edge == "smallest"
