"""Every ``paper`` preset against appendix A, transcribed once below in the paper's units (which are the authors'
code's: google/autol2). ``get_config`` returns our units, in which every η and every physical time (epochs·η·λ,
steps·η·λ, an ηλ bound) is twice the paper's number (``tests/test_conventions.py`` derives that factor from the two
objectives). Every leaf field of every ``paper`` preset is either checked against the table, or listed in ``OURS``
(a value the paper does not give) or in ``KNOWN_DEPARTURES`` (where we knowingly differ), each with its reason."""

import math

import jax.numpy as jnp
import pytest

from replication.experiments import wrn_cifar
from replication.experiments.configs import chapters, get_config, paper_differences
from replication.training.records import TrainSpec
from replication.training.step import schedule_factor

LR, TIME, MSE_LAM, PLAIN = "lr", "time", "mse_lam", "plain"  # how a value converts to our units: ×2, ×2, ×2, unchanged

# ------------------------------------------------------------------------------------------------------------------
# Appendix A (and the captions it points to), in the paper's units. (chapter, field) -> (value, kind, where)
APPENDIX_A = {
    # FC: three hidden layers of width 2048, ReLU, σ_w = √2, σ_b = 0, batch 512 on 512 MNIST samples.
    ("fc_mnist", "model.width"): (2048, PLAIN, "A: FC"),
    ("fc_mnist", "model.depth"): (3, PLAIN, "A: FC, three hidden layers"),
    ("fc_mnist", "data.train_samples"): (512, PLAIN, "A: FC, trained on 512 samples of MNIST"),
    ("fc_mnist", "sweep.lrs"): (
        (0.0025, 0.01, 0.02, 0.025, 0.03, 0.05, 0.08, 0.15, 0.3, 0.5, 1, 1.5, 2, 5, 10, 25, 50),
        LR,
        "A: Fig. 2a,b,c",
    ),
    ("fc_mnist", "sweep.lams"): (
        (1e-5, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 20, 50, 100),
        PLAIN,
        "A: Fig. 2a,b,c (λ = 0 is added by the sweep)",
    ),
    ("fc_mnist", "sweep.physical_time"): (2.0, TIME, "A: 2/(ηλ) epochs"),
    ("fc_mnist", "sweep.zero_lr_time"): (1e6, TIME, "A: λ = 0 for 10⁶/η epochs"),
    ("fc_mnist", "budget.lr"): (0.15, LR, "Fig. 2 caption: η = 0.15 in (c)"),
    # S5's MSE equals ours; only the L2 term differs (λΣθ² against ½λ‖θ‖²): their (η, λ) is our (η, 2λ)
    ("fc_mnist", "mse.lrs"): ((0.001, 0.005, 0.01, 0.02, 0.035, 0.05, 0.15, 0.3), PLAIN, "A: Fig. S5"),
    ("fc_mnist", "mse.lams"): (
        (1e-5, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 50, 100),
        MSE_LAM,
        "A: Fig. S5",
    ),
    ("fc_mnist", "mse.physical_time"): (1.0, TIME, "A: Fig. S5, 1/(ηλ) epochs"),
    ("fc_mnist", "mse.zero_lr_time"): (1e5, PLAIN, "A: Fig. S5, λ = 0 for 10⁵/η epochs (η is the same in ours)"),
    # WRN 28-10, batch 1024, σ_w = 1, σ_b = 0, CIFAR-10.
    ("wrn_cifar", "model.depth"): (28, PLAIN, "A: WRN 28-10"),
    ("wrn_cifar", "model.widen"): (10, PLAIN, "A: WRN 28-10"),
    ("wrn_cifar", "train.batch_size"): (1024, PLAIN, "A: batch size 1024"),
    ("wrn_cifar", "data.train_samples"): (50000, PLAIN, "CIFAR-10's training set"),
    ("wrn_cifar", "data.test_samples"): (10000, PLAIN, "CIFAR-10's test set"),
    ("wrn_cifar", "data.downsample"): (1, PLAIN, "32×32 images"),
    ("wrn_cifar", "sgd.lrs"): ((0.0125, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6), LR, "A: Fig. 2d,e,f"),
    ("wrn_cifar", "sgd.lams"): (
        (1.5625e-5, 6.25e-5, 1.25e-4, 2.5e-4, 5e-4, 1e-3, 2e-3, 4e-3, 8e-3, 0.016),
        PLAIN,
        "A: Fig. 2d,e,f (λ = 0 is added by the sweep)",
    ),
    # 0.1/(ηλ) epochs of 50000 // 1024 = 48 steps (google/autol2's steps_per_epoch)
    ("wrn_cifar", "sgd.physical_steps"): (0.1 * 48, TIME, "A: 0.1/(ηλ) epochs"),
    ("wrn_cifar", "train.bn_group"): (128, PLAIN, "A: WRN, batch size 1024 (per device batch size of 128)"),
    ("wrn_cifar", "sgd.max_epochs"): (4000, PLAIN, "A: as long as the total number of epochs was ≤ 4000"),
    ("wrn_cifar", "sgd.min_lr_lam"): (0.1 / 4000, TIME, "A: 0.1/(ηλ) ≤ 4000 epochs"),
    ("wrn_cifar", "sgd.zero_epochs"): (10000, PLAIN, "A: λ = 0 models for 10000 epochs"),
    ("wrn_cifar", "sgd.budget_lr"): (0.2, LR, "Fig. 2 caption: in (f), η = 0.2"),
    ("wrn_cifar", "schedule.lr"): (0.2, LR, "A: Fig. 1a, η(t = 0) = 0.2"),
    ("wrn_cifar", "schedule.fixed_T"): (200, PLAIN, "A: Fig. 1a, fixed T = 200"),
    ("wrn_cifar", "schedule.T_scale"): (0.1, PLAIN, "A: Fig. 1a, T(λ) = 0.1/λ"),
    ("wrn_cifar", "s2.lr"): (0.2, LR, "A: Figs. 1b, 4, S4 (S2 shows these runs), η = 0.2"),
    ("wrn_cifar", "s2.lams"): (
        (5e-6, 1e-5, 5e-5, 0.0001, 0.0002, 0.0004, 0.001, 0.002),
        PLAIN,
        "A: Figs. 1b, 4, S4",
    ),
    ("wrn_cifar", "s2.epochs"): (2000, PLAIN, "ours, inferred: A gives Fig. 1b's largest budget T = 2000"),
    ("wrn_cifar", "sigma.lam"): (5e-4, PLAIN, "ours, inferred: Fig. 1a's λ with T(λ) = 200 (F repeats Fig. 1a)"),
    ("wrn_cifar", "sigma.epochs"): (200, PLAIN, "ours, inferred: Fig. 1a's T"),
    # CNN: 300 channels, Dense(500), batch 128, σ_w = √2, η = 0.01, 0.01/(ηλ) epochs.
    ("cnn_cifar", "model.channels"): (300, PLAIN, "A: CNN, Conv(300)"),
    ("cnn_cifar", "model.hidden"): (500, PLAIN, "A: CNN, Dense(500)"),
    ("cnn_cifar", "train.batch_size"): (128, PLAIN, "A: CNN, batch size 128"),
    ("cnn_cifar", "train.lr"): (0.01, LR, "A: Fig. 3, η = 0.01"),
    ("cnn_cifar", "data.train_samples"): (50000, PLAIN, "CIFAR-10's training set"),
    ("cnn_cifar", "data.test_samples"): (10000, PLAIN, "CIFAR-10's test set"),
    ("cnn_cifar", "sweep.lams"): ((5e-5, 0.0001, 0.0005, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2), PLAIN, "A: Fig. 3"),
    # 0.01/(ηλ) epochs of 50000 // 128 = 390 steps
    ("cnn_cifar", "sweep.physical_steps"): (0.01 * 390, TIME, "A: Fig. 3, 0.01/(ηλ) epochs"),
    ("cnn_cifar", "sweep.zero_epochs"): (21000, PLAIN, "A: Fig. 3a,b,c, λ = 0 for 21000 epochs"),
    ("cnn_cifar", "sweep.zero_epochs_bn"): (9500, PLAIN, "A: Fig. 3d,e,f, λ = 0 for 9500 epochs"),
    # S7: FC depth 3, width 64, CIFAR-10, batch 512, η = 0.1, cross-entropy.
    ("failure_case", "model.width"): (64, PLAIN, "A: Fig. S7"),
    ("failure_case", "model.depth"): (3, PLAIN, "A: Fig. S7"),
    ("failure_case", "train.batch_size"): (512, PLAIN, "A: Fig. S7"),
    ("failure_case", "train.lr"): (0.1, LR, "A: Fig. S7"),
    ("failure_case", "data.train_samples"): (50000, PLAIN, "CIFAR-10's training set"),
    ("failure_case", "data.test_samples"): (10000, PLAIN, "CIFAR-10's test set"),
    # AutoL2 (Algorithm 1, appendix E; Fig. 1c's measurement interval from appendix A)
    ("autol2", "autol2.lam0"): (0.1, PLAIN, "Section 3: we begin training with λ = 0.1"),
    ("autol2", "autol2.factor"): (10.0, PLAIN, "Section 3: decay by a factor of 10"),
    ("autol2", "autol2.delay"): (0.1, PLAIN, "E: refractory 0.1/λ steps"),
    ("autol2", "autol2.every"): (10, PLAIN, "A: Figs. 1c, S9, measurements every 10 steps"),
    # The FC network of Fig. 2 under the optimal-λ and AutoL2 chapters
    ("optimal_l2", "model.width"): (2048, PLAIN, "A: FC"),
    ("optimal_l2", "model.depth"): (3, PLAIN, "A: FC"),
    ("optimal_l2", "data.train_samples"): (512, PLAIN, "A: FC"),
    ("autol2", "model.width"): (2048, PLAIN, "A: FC"),
    ("autol2", "model.depth"): (3, PLAIN, "A: FC"),
    ("autol2", "data.train_samples"): (512, PLAIN, "A: FC"),
    # Data and Section 4
    ("data", "fc_subset"): (512, PLAIN, "A: 512 samples of MNIST"),
    ("data", "ntk_subset"): (200, PLAIN, "A: Fig. 5c, 200 samples"),
    ("theory", "mode.lam"): (0.01, PLAIN, "A: Fig. 5a,b, λ = 0.01"),
    ("theory", "fig5c.samples"): (200, PLAIN, "A: Fig. 5c"),
    ("theory", "fig5c.kernel_width"): (5000, PLAIN, "A: Fig. 5c, width 5,000"),
    ("theory", "fig5c.train_width"): (100_000, PLAIN, "A: Fig. 5c, width 10^5"),
    ("theory", "fig5c.lr"): (0.01, PLAIN, "A: Fig. 5c, η = 0.01 (MSE, NTK parameterization: no conversion)"),
    ("theory", "fig5c.lam"): (0.002, PLAIN, "Fig. 5 caption: (c) … with λ = 0.002"),
}

# Values the paper does not give: ours at every preset, `paper` included. (chapter, field prefix) -> reason
OURS = {
    ("fc_mnist", "data.test_samples"): "the paper does not say how many test images the FC network is evaluated on",
    ("fc_mnist", "data.mnist_source"): "where MNIST comes from (the full set)",
    ("fc_mnist", "sweep.min_lr_lam"): "Section 2's 6 decades of ηλ; the bounds of the window are ours",
    ("fc_mnist", "sweep.max_lr_lam"): "Section 2's 6 decades of ηλ; the bounds of the window are ours",
    ("fc_mnist", "sweep.max_epochs"): "a cap on a run's length: 2/(ηλ) at the window's lower bound",
    ("fc_mnist", "sweep.evals"): "how often a run is evaluated",
    ("fc_mnist", "budget.epochs"): "Fig. 2c's budget is not given",
    ("wrn_cifar", "data.mnist_source"): "the MNIST fallback of the stand-in; unused on CIFAR-10",
    ("wrn_cifar", "train.evals"): "how often a run is evaluated",
    ("wrn_cifar", "sgd.evals"): "how often Fig. 2d–f's runs are evaluated (None at paper: as ``train.evals``)",
    ("wrn_cifar", "sgd.evals_per_octave"): "Fig. 2d–f's evaluations in log time (None at paper: as ``train``)",
    ("wrn_cifar", "train.eval_batch_size"): "evaluation batch size (no effect on training)",
    ("wrn_cifar", "sgd.max_lr_lam"): "the grid's upper bound: appendix A bounds only the length",
    ("wrn_cifar", "sgd.budget_epochs"): "Fig. 2f's budget is not given",
    ("wrn_cifar", "schedule.lams"): "Fig. 1a's λ grid is not listed in appendix A",
    ("wrn_cifar", "schedule.max_epochs"): "a cap on T(λ)",
    ("wrn_cifar", "sigma.scales"): "the σ_w of Fig. S12 are read off its legend, not listed in appendix A",
    ("cnn_cifar", "data.mnist_source"): "the MNIST fallback of the stand-in; unused on CIFAR-10",
    ("cnn_cifar", "train.evals"): "how often a run is evaluated",
    ("cnn_cifar", "train.eval_batch_size"): "evaluation chunk without BN (speed only: no effect on any number)",
    ("cnn_cifar", "train.bn_eval_batch_size"): "with BN the evaluation's batch statistics are over this many images; "
    "appendix A does not give it",
    ("cnn_cifar", "sweep.max_epochs"): "a cap; the longest λ > 0 run is 0.01/(0.01·5e-5) = 20000 epochs",
    ("cnn_cifar", "budget.epochs"): "Fig. 3c/f's budget is not given",
    ("failure_case", "data.mnist_source"): "the MNIST fallback of the stand-in; unused on CIFAR-10",
    ("failure_case", "train.evals"): "how often a run is evaluated",
    ("failure_case", "train.train_eval_samples"): "the training metrics' images: None (all) at paper; fewer below "
    "is ours (speed; only the metrics, not the steps)",
    ("failure_case", "sweep"): "Fig. S7's λ grid, physical time and cap are not given",
    ("optimal_l2", ""): "two settings: the FC one (grid, budgets, η and c-measurement ours) and the WRN one (``wrn``: "
    "appendix A's η, λ grid and budgets, checked by tests/test_fig1_wrn.py, not yet in this table)",
    ("autol2", ""): "three settings: FC (the FC half of S11; η, λ grid and budgets ours), WRN (``wrn``: Fig. 1c/S9's "
    "200 epochs, every 10 steps) and the CNN half of S11 (``cnn``: the paper gives no setup)",
    ("data", "mnist_source"): "where MNIST comes from",
    (
        "fc_mnist",
        "seeds.count",
    ): "the paper trains one initialization per configuration (1 at paper; more below are ours)",
    ("wrn_cifar", "sgd.train_samples"): "None at paper (Fig. 2d–f train on data.train_samples, as the paper); a "
    "larger training set for Fig. 2d–f alone below `paper` is ours",
    ("wrn_cifar", "seeds.count"): "the paper trains one initialization per configuration (1 at paper; more below "
    "are ours)",
    ("failure_case", "seeds.count"): "the paper trains one initialization per configuration (1 at paper; more "
    "below are ours)",
    ("cnn_cifar", "seeds.count"): "the paper trains one initialization per configuration (1 at paper; more below "
    "are ours)",
    ("beyond", ""): "not in the paper: appendix A's FC network and data under our optimizers, grids and seeds",
    ("theory", ""): "Section 4's other sizes (Theorem 1, Lemma 1, App. B.1 grids, the slider, Fig. 5c's t_max) are "
    "ours",
}

# Where the `paper` preset's runs knowingly differ from appendix A. (chapter, what) -> (reason, our value or None);
# test_known_departures_are_what_the_plans_do checks each against the planned runs.
KNOWN_DEPARTURES = {
    ("wrn_cifar", "sgd: η = 0.2, λ = 6.25e-5"): (
        "the paper trains this one run 8000 epochs; our plan drops it (its ηλ is below sgd.min_lr_lam, the 4000-epoch "
        "bound every other run obeys)",
        None,
    ),
    ("fc_mnist", "sweep: λ = 0 length"): (
        "the paper trains λ = 0 for 10⁶/η epochs (4·10⁸ at η = 0.0025); sweep.max_epochs caps it at 2·10⁶ epochs, "
        "which cuts it for every η < 0.5",
        2_000_000,
    ),
    ("fc_mnist", "sweep: the (η, λ) grid"): (
        "appendix A lists 17 η × 15 λ > 0; our 6-decade window of ηλ (sweep.min_lr_lam … max_lr_lam, ours) keeps 174 "
        "of the 255 pairs",
        174,
    ),
    ("fc_mnist", "mse: λ = 0 length"): (
        "Fig. S5 trains λ = 0 for 10⁵/η epochs (10⁸ at η = 0.001); the same cap of 2·10⁶ epochs cuts it for η < 0.05",
        2_000_000,
    ),
    ("fc_mnist", "mse: the (η, λ) grid"): (
        "appendix A lists 8 η × 13 λ; the Fig. 2 window of ηλ keeps 85 of the 104 pairs",
        85,
    ),
    ("wrn_cifar", "step schedule boundaries"): (
        "google/autol2 decays at int(0.3 T) epochs and its multiples; we decay at 0.3/0.6/0.9 of the steps (the same "
        "for T = 200 and any T that is a multiple of 10)",
        None,
    ),
}


def _leaves(cfg, prefix=""):
    for key, value in cfg.items():
        if hasattr(value, "items"):
            yield from _leaves(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _get(cfg, path):
    for part in path.split("."):
        cfg = cfg[part]
    return cfg


def _ours(value, kind):
    factor = 2.0 if kind in (LR, TIME, MSE_LAM) else 1.0
    return tuple(factor * v for v in value) if isinstance(value, tuple) else factor * value


@pytest.mark.parametrize("chapter, field", sorted(APPENDIX_A))
def test_paper_preset_matches_appendix_a(chapter, field):
    value, kind, where = APPENDIX_A[chapter, field]
    got = _get(get_config(chapter, "paper"), field)
    expected = _ours(value, kind)
    if isinstance(expected, tuple):
        assert len(got) == len(expected) and all(math.isclose(a, b) for a, b in zip(got, expected)), where
    else:
        assert math.isclose(got, expected), f"{chapter}.{field} = {got}, appendix A ({where}): {expected}"


def test_every_paper_field_is_in_the_table_or_marked_as_ours():
    unaccounted = []
    for chapter in chapters():
        for field, _ in _leaves(get_config(chapter, "paper")):
            if field in ("chapter", "preset", "units"):
                continue
            ours = any(c == chapter and (field == p or field.startswith(f"{p}.") or p == "") for c, p in OURS)
            if (chapter, field) not in APPENDIX_A and not ours:
                unaccounted.append(f"{chapter}.{field}")
    assert not unaccounted, f"fields neither checked against appendix A nor marked as ours: {unaccounted}"


def test_the_lists_name_real_fields_and_reasons():
    for (chapter, prefix), reason in OURS.items():
        cfg = get_config(chapter, "paper")
        assert reason and (prefix == "" or _get(cfg, prefix) is not None or prefix in dict(_leaves(cfg)))
    for (chapter, what), (reason, _) in KNOWN_DEPARTURES.items():
        assert chapter in chapters() and reason and what


def test_paper_presets_differ_from_themselves_nowhere_and_every_chapter_with_an_eta_states_its_units():
    from replication.experiments.configs import units_note

    # the chapters whose η come from the paper's (beyond's are ours; Section 4's models are the paper's own flows)
    with_paper_eta = {"fc_mnist", "wrn_cifar", "cnn_cifar", "failure_case", "optimal_l2", "autol2"}
    for chapter in chapters():
        cfg = get_config(chapter, "paper")
        assert paper_differences(cfg) == []
        for preset in ("smoke", "cpu", "paper"):
            note = units_note(get_config(chapter, preset))
            assert (note is not None) == (chapter in with_paper_eta), (chapter, preset)
            assert note is None or ("step for step" in note) == (preset == "paper")


def test_schedule_momentum_and_augmentation_are_appendix_as():
    # Fig. 1a: momentum 0.9, flip/crop/mixup, η × 0.2 at 0.3T, 0.6T, 0.9T
    assert wrn_cifar.SCHEDULED == dict(optimizer="momentum", momentum=0.9, augment=("flip", "crop", "mixup"),
                                       schedule="step")  # fmt: skip
    total = 1000
    factors = [float(schedule_factor("step", jnp.asarray(s), jnp.asarray(total)))
               for s in (0, 299, 300, 599, 600, 899, 900, 999)]  # fmt: skip
    assert factors == pytest.approx([1, 1, 0.2, 0.2, 0.04, 0.04, 0.008, 0.008])
    assert TrainSpec().schedule == "constant"


def test_paper_sweeps_run_lambda_zero_as_long_as_the_paper():
    from replication.experiments import cnn_cifar, fc_mnist

    cnn = get_config("cnn_cifar", "paper")
    plain, normed = cnn_cifar.sweep_runs(cnn), cnn_cifar.sweep_runs(cnn, batch_norm=True)
    assert {r.epochs for r in plain if r.lam == 0} == {21000}
    assert {r.epochs for r in normed if r.lam == 0} == {9500}
    # 0.01/(ηλ) epochs at the paper's η = 0.01: λ = 5e-5 → 20000 epochs, λ = 2 → 1 epoch
    by_lam = {r.lam: r.epochs for r in plain}
    assert by_lam[5e-5] == 20000 and by_lam[0.01] == 100
    fc = get_config("fc_mnist", "paper")
    zero = {r.lr: r.epochs for r in fc_mnist.sweep_runs(fc) if r.lam == 0}
    # 10⁶/η epochs with the paper's η (ours / 2), capped at the grid's longest allowed run
    assert zero[2 * 0.5] == 2_000_000 and zero[2 * 50] == 20_000 and zero[2 * 0.0025] == fc.sweep.max_epochs
    fc_runs = {(r.lr, r.lam): r.epochs for r in fc_mnist.sweep_runs(fc)}
    assert fc_runs[2 * 0.15, 0.01] == math.ceil(2 / (0.15 * 0.01))  # 2/(ηλ) epochs in the paper's η


def test_paper_numbers_are_converted_where_they_are_written_so_inheritance_cannot_reinterpret_them():
    from replication.experiments.configs import Fields, fc_mnist, paper_lr, paper_mse_lam, paper_time
    from replication.training.conventions import from_authors, mse_from_authors, physical_time_from_authors

    assert paper_lr((0.1, 0.2)) == tuple(from_authors(lr, 0.0)[0] for lr in (0.1, 0.2)) == (0.2, 0.4)
    assert paper_lr(0.05) == 0.1 and paper_time(2.0) == physical_time_from_authors(2.0) == 4.0
    assert paper_mse_lam((1e-3,)) == (mse_from_authors(1.0, 1e-3)[1],) == (2e-3,)
    # a preset that inherits the base's physical time inherits the converted number (the old presets converted after
    # the merge, so a scaled preset read the paper's τ = 2 as 2 in ours); one that keeps ours says so by assigning it
    inherited = fc_mnist.base()
    inherited.data.test_samples = 100
    assert inherited.sweep.physical_time == paper_time(2.0) == get_config("fc_mnist", "paper").sweep.physical_time
    assert get_config("fc_mnist", "cpu").sweep.physical_time == paper_time(2.0)  # cpu keeps the paper's τ
    assert get_config("fc_mnist", "smoke").sweep.physical_time == 2.0  # assigned in smoke (ours), visibly
    with pytest.raises(AttributeError, match="widht"):  # a typo is an error, never a new field
        fc_mnist.base().model.widht = 3
    preset = Fields(sweep=dict(lrs=(0.1,)))
    preset.sweep = dict(lrs=(0.2,))  # a whole group may be replaced by assignment
    assert preset.to_dict() == {"sweep": {"lrs": (0.2,)}}


def test_no_config_calls_get_config():
    """Settings shared between chapters go through plain functions of the module that owns them."""
    import ast
    from pathlib import Path

    from replication.experiments import configs

    for path in Path(configs.__file__).parent.glob("*.py"):
        if path.name == "__init__.py":
            continue
        names = {n.id if isinstance(n, ast.Name) else n.attr for n in ast.walk(ast.parse(path.read_text()))
                 if isinstance(n, (ast.Name, ast.Attribute))}  # fmt: skip
        assert not names & {"get_config", "merge"}, path.name


def test_known_departures_are_what_the_plans_do():
    """Each departure listed above, measured on the runs the `paper` presets plan (our units: η twice the paper's)."""
    from replication.analysis.plan import plan_sweep
    from replication.experiments import fc_mnist

    wrn = get_config("wrn_cifar", "paper").sgd
    runs = plan_sweep(wrn.lrs, wrn.lams, physical_time=1.0, min_lr_lam=wrn.min_lr_lam, max_lr_lam=wrn.max_lr_lam,
                      max_epochs=wrn.max_epochs, zero_epochs=wrn.zero_epochs)  # fmt: skip
    assert (0.4, 6.25e-5) not in {(r.lr, r.lam) for r in runs} and (0.4, 1.25e-4) in {(r.lr, r.lam) for r in runs}
    cfg = get_config("fc_mnist", "paper")
    for what, grid, (lrs, lams, time, zero_time) in (
        ("sweep", cfg.sweep, (cfg.sweep.lrs, cfg.sweep.lams, cfg.sweep.physical_time, cfg.sweep.zero_lr_time)),
        ("mse", cfg.mse, (cfg.mse.lrs, cfg.mse.lams, cfg.mse.physical_time, cfg.mse.zero_lr_time)),
    ):
        runs = fc_mnist.sweep_runs(cfg, lrs=lrs, lams=lams, physical_time=time, zero_lr_time=zero_time)
        kept = [r for r in runs if r.lam > 0]
        assert len(kept) == KNOWN_DEPARTURES["fc_mnist", f"{what}: the (η, λ) grid"][1] < len(lrs) * len(lams)
        cap = KNOWN_DEPARTURES["fc_mnist", f"{what}: λ = 0 length"][1]
        zeros = {r.lr: r.epochs for r in runs if r.lam == 0}
        cut = sorted(lr for lr, epochs in zeros.items() if epochs < math.ceil(zero_time / lr))
        assert cut and all(zeros[lr] == cap for lr in cut)
        assert max(cut) < (1.0 if what == "sweep" else 0.1)  # η < 0.5 (paper) ↔ 1 (ours); S5's η < 0.05 is ours too


# The `cpu` presets' physical times (epochs·η·λ or steps·η·λ, our units) and S7's η, against the paper's: the same
# number unless listed here with the reason (the decisive-presets issue). Listed departures must still depart, so a
# fixed one is removed from this table.
CPU_PHYSICAL_DEPARTURES = {
    ("cnn_cifar", "sweep.physical_steps"): "4 step-units (the paper's 7.8): 16 channels at the paper's time and three "
    "seeds would take ~65 min on 2 cores; the CNN waits for the speed issue (NOTES.md, session 13)",
}
PHYSICAL_FIELDS = (
    ("fc_mnist", "sweep.physical_time"),
    ("fc_mnist", "mse.physical_time"),
    ("wrn_cifar", "sgd.physical_steps"),
    ("cnn_cifar", "sweep.physical_steps"),
    ("failure_case", "train.lr"),
    ("failure_case", "sweep.physical_time"),
)


@pytest.mark.parametrize(("chapter", "field"), PHYSICAL_FIELDS)
def test_cpu_presets_run_the_papers_physical_time_unless_a_departure_says_why(chapter, field):
    cpu, paper = (_get(get_config(chapter, preset), field) for preset in ("cpu", "paper"))
    departs = cpu != pytest.approx(paper)
    assert departs == ((chapter, field) in CPU_PHYSICAL_DEPARTURES), (chapter, field, cpu, paper)


def test_the_cnns_cpu_runs_are_short_of_the_papers_time_and_its_paper_runs_are_not():
    """Fig. 3b/3e's comparison treats a still-improving smallest λ as inconclusive only where the runs are shorter
    than the paper's 7.8 step-units (in our units): at cpu (4), not at paper."""
    from replication.experiments import cnn_cifar

    assert get_config("cnn_cifar", "paper").sweep.physical_steps == pytest.approx(7.8)
    assert cnn_cifar.short_of_paper(get_config("cnn_cifar", "cpu"))
    assert not cnn_cifar.short_of_paper(get_config("cnn_cifar", "paper"))
