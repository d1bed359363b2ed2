"""AutoL2 (appendix E, Algorithm 1) against the tuned constant λ (Fig. 1c, S9–S11), each race measured as
:func:`replication.analysis.budgets.race`.

Three settings: the paper's WRN with momentum and flip/crop/mixup (:func:`wrn_race`, and :func:`wrn_schedule_race`
under the step schedule), whose constant-λ sweep is the optimal-λ chapter's; Fig. 3's CNN (:func:`cnn_race`, Fig.
S11); and the FC network on MNIST with full-batch SGD (:func:`constant_lr_race`, :func:`schedule_race`; Fig. S11's FC
panel), whose sweep is the optimal-λ chapter's FC one."""

from __future__ import annotations

import dataclasses
import math

from replication.analysis.budgets import RaceRow, lambda_decays, race, tuned_l2
from replication.analysis.criteria import Verdict, race_verdict, refractory_bound, seeds_agree
from replication.analysis.plan import SweepRun
from replication.analysis.seeds import seed_list
from replication.core.provenance import Provenance
from replication.experiments import cifar, wrn_cifar
from replication.experiments.claims import Claim, Decider
from replication.experiments.configs import Config
from replication.experiments.optimal_l2 import fc_sweep, tuning_sweep, wrn_setting, wrn_sweep, wrn_tuning_sweep
from replication.training import AutoL2, History

__all__ = [
    "CLAIMS",
    "STUDIES",
    "controller",
    "Race",
    "constant_lr_race",
    "schedule_race",
    "wrn_race",
    "wrn_schedule_race",
    "cnn_race",
]

# What this chapter computes and stores, in the chapter's order; the headless runner runs exactly these.
STUDIES = ("wrn_race", "wrn_schedule_race", "cnn_race", "constant_lr_race", "schedule_race")

# The paper's claims this chapter judges (replication.experiments.claims): the chapter records ours under each key.
CLAIMS = (
    Claim(
        "Fig. 1c, S9, S10, S11",
        "AutoL2 trains faster and ends better than the tuned constant λ",
        "faster and better (no LR schedule)",
        "autol2.speedup",
        "the paper's setting at our sizes: a Wide ResNet · CIFAR-10 or its stand-in · momentum 0.9, "
        "flip/crop/mixup, AutoL2 every 10 steps; S11's FC (full-batch SGD) and CNN panels in the chapter",
        Decider(
            "the paper's setting (WRN-28-10 on CIFAR-10, 200 epochs) from three initializations: at our WRN size "
            "AutoL2's λ0 = 0.1 at η = 0.6 with momentum 0.9 can collapse a run before its first decay (the race "
            "above shows each initialization), which the paper's runs did not (its Fig. 1c)",
            "decide_wrn",
            "wrn_race",
            base="paper",
        ),
    ),
)


def controller(cfg, variant: str = "paper", *, every: int | None = None) -> AutoL2:
    """Algorithm 1 with ``cfg.autol2``'s constants, measuring every ``every`` steps (default ``cfg.autol2.every``)."""
    a = cfg.autol2
    return AutoL2(lam0=a.lam0, factor=a.factor, delay=a.delay, every=every or a.every, variant=variant)


@dataclasses.dataclass(frozen=True)
class Race:
    """Named runs, the reference they race against, the race's rows and the provenance of every run shown."""

    contenders: dict[str, History]
    reference: str
    rows: tuple[RaceRow, ...]
    provenance: Provenance
    sweep_reused: bool
    notice: str | None = None  # the CIFAR stand-in's notice (None: CIFAR-10 or MNIST itself)
    seed_races: tuple[Race, ...] = ()  # the same race from each initialization seed (this one the first); () one seed

    @property
    def auto(self) -> RaceRow:
        """The first contender's row (the AutoL2 run)."""
        return self.rows[0]

    @property
    def tuned(self) -> RaceRow:
        return next(r for r in self.rows if r.name == self.reference)

    def judge(self, n_test: int, autol2: AutoL2) -> Verdict:
        """Fig. 1c's verdict on this race (:func:`replication.analysis.criteria.race_verdict`), inconclusive where
        most of the first contender's decays waited only for the refractory period of its controller ``autol2``;
        with ``seed_races``, the verdict of each seed's race, decided only where every seed agrees
        (:func:`~replication.analysis.criteria.seeds_agree`)."""
        if len(self.seed_races) > 1:
            return seeds_agree([r.judge(n_test, autol2) for r in self.seed_races], len(self.seed_races))
        h = self.contenders[self.auto.name]
        bound = refractory_bound(h.metrics["step"], h.metrics["lam"], delay=autol2.delay, every=autol2.every)
        return race_verdict(self.auto, self.tuned, n_test, refractory=bound)

    def verdict(self) -> str:
        """One sentence: when AutoL2 decayed λ, its best accuracy against the tuned constant λ's, and whether (and
        how much sooner) it reaches the tuned λ's best accuracy within the budget."""
        auto, tuned = self.auto, self.tuned
        decays = lambda_decays(self.contenders[auto.name])
        speedup = f"speed-up {auto.speedup:.2f}×" if math.isfinite(auto.speedup) else "no speed-up defined"
        reached = (f"reaches the tuned best at epoch {auto.epoch_to_target:g} against the tuned run's "
                   f"{tuned.epoch_to_target:g} ({speedup})" if math.isfinite(auto.epoch_to_target)
                   else "never reaches the tuned best within the budget")  # fmt: skip
        return (
            f"{auto.name} decays λ at epochs {decays}; best accuracy {auto.best_accuracy:.4f} vs tuned "
            f"{tuned.best_accuracy:.4f} ({100 * (auto.best_accuracy - tuned.best_accuracy):+.2f}%); {reached}"
        )


def _against_tuned(sweep, autos: dict, budget: float, *, n_test: int, constants=(), suffix: str = "") -> Race:
    """The race of the AutoL2 runs ``autos`` (name: GridResult of one run) against the sweep's tuned constant λ at
    ``budget`` and the sweep's runs at ``constants``. When several λ tie for the best on the ``n_test`` test images
    (:func:`replication.analysis.budgets.tuned_l2`), the reference is the tied λ that is hardest for the first AutoL2
    run: the one against which it has the smallest speed-up (a tie is never broken in AutoL2's favour)."""
    tuned = tuned_l2(list(sweep.histories), budget, n_test=n_test)
    by_lam = {h.lam: h for h in sweep.histories}
    autos_h = {k: g.histories[0] for k, g in autos.items()}

    def named(lam: float) -> str:
        ties = f" (tied with λ = {', '.join(f'{x:g}' for x in tuned.tied if x != lam)})" if len(tuned.tied) > 1 else ""
        return f"tuned constant λ = {lam:g}{suffix}{ties}"

    def against(lam: float) -> list[RaceRow]:
        return race(autos_h | {named(lam): by_lam[lam]}, named(lam), budget, n_test=n_test)

    def hardness(lam: float) -> tuple:
        first = against(lam)[0]  # no speed-up (never reaches it) is the hardest; then the smallest speed-up
        return (math.isfinite(first.speedup), first.speedup if math.isfinite(first.speedup) else 0.0, -lam)

    lam_ref = min(tuned.tied, key=hardness)
    reference = named(lam_ref)
    contenders = autos_h | {reference: by_lam[lam_ref]}
    contenders |= {f"constant λ = {lam:g}{suffix}": by_lam[lam] for lam in constants if lam != lam_ref}
    rows = race(contenders, reference, budget, n_test=n_test)
    prov = Provenance.combine([sweep.provenance, *(g.provenance for g in autos.values())])
    return Race(contenders, reference, tuple(rows), prov, sweep.reused, sweep.notice)


def _auto(cfg, *, seed, budget, name, **spec_options):
    return fc_sweep(cfg, [SweepRun(cfg.lr, cfg.autol2.lam0, budget)], seed=seed, name=name, **spec_options)


def constant_lr_race(cfg, *, seed: int) -> Race:
    """Fig. 1c/S9 on FC/MNIST (Fig. S11's FC panel): both AutoL2 variants, the tuned constant λ, λ0 and the smallest
    λ, at the constant learning rate."""
    sweep = tuning_sweep(cfg, seed=seed, budget=cfg.budget)
    autos = {f"AutoL2 ({label})": _auto(cfg, seed=seed, budget=cfg.budget, name=f"autol2_{v}",
                                        autol2=controller(cfg, v))
             for v, label in (("paper", "Algorithm 1"), ("code", "google/autol2 variant"))}  # fmt: skip
    return _against_tuned(
        sweep, autos, cfg.budget, n_test=cfg.data.test_samples, constants=(cfg.autol2.lam0, min(cfg.lams))
    )


def schedule_race(cfg, *, seed: int) -> Race:
    """Fig. S10 on FC/MNIST: AutoL2 and the tuned constant λ, both under the step learning-rate schedule at
    ``cfg.schedule_budget`` (a schedule moves with T, so the sweep is retrained at that budget)."""
    T = cfg.schedule_budget
    runs = [SweepRun(cfg.lr, float(lam), T) for lam in cfg.lams]
    sweep = fc_sweep(cfg, runs, seed=seed, name="autol2_schedule_sweep", schedule="step")
    auto = _auto(cfg, seed=seed, budget=T, name="autol2_schedule", schedule="step", autol2=controller(cfg))
    return _against_tuned(sweep, {"AutoL2 + schedule": auto}, T, n_test=cfg.data.test_samples, suffix=" + schedule")


def wrn_race(cfg, *, seed: int) -> Race:
    """Fig. 1c/S9 in the paper's setting: AutoL2 (Algorithm 1, measured every ``wrn.every`` = 10 steps) against the
    tuned constant λ of the optimal-λ chapter's WRN sweep (its runs, as long as its largest budget) within
    ``wrn.budget`` and its smallest and largest λ: the first seed's race, with every seed's in ``seed_races``
    (``wrn.seeds.count`` initializations; each seed's AutoL2 run races against the same seed's sweep)."""
    w = wrn_setting(cfg)
    if not 0 < w.budget <= max(w.budgets):
        raise ValueError(f"wrn.budget={w.budget!r} must lie in (0, {max(w.budgets)}], the sweep's length.")
    sweep = wrn_tuning_sweep(w, seed=seed)
    seeds = seed_list(w, seed)
    auto = wrn_sweep(w, [SweepRun(w.lr, cfg.autol2.lam0, w.budget)], seed=seed, name="autol2_wrn", seeds=seeds,
                     evals_per_octave=w.evals_per_octave, autol2=controller(cfg, every=w.every))  # fmt: skip
    races = tuple(
        _against_tuned(
            _seed_view(sweep, k),
            {"AutoL2 (Algorithm 1)": _seed_view(auto, k)},
            w.budget,
            n_test=w.data.test_samples,
            constants=(min(w.lams), max(w.lams)),
        )  # fmt: skip
        for k in range(len(seeds or [seed]))
    )
    return dataclasses.replace(races[0], seed_races=races if len(races) > 1 else ())


def _seed_view(grid, k: int):
    """The grid as trained from its k-th initialization seed (the grid itself when it has one)."""
    return dataclasses.replace(grid, histories=grid.by_seed[k]) if grid.by_seed else grid


def wrn_schedule_race(cfg, *, seed: int) -> Race:
    """Fig. S10 in the paper's setting: AutoL2 under the step schedule at Fig. 1a's fixed T against the best λ of
    the WRN chapter's fixed-T sweep (the same runs)."""
    w = wrn_setting(cfg)
    T = w.schedule.fixed_T
    fixed = wrn_cifar.fixed_T_sweep(w, seed=seed)
    auto = wrn_sweep(w, [SweepRun(w.schedule.lr, cfg.autol2.lam0, T)], seed=seed, name="autol2_wrn_schedule",
                     evals=w.train.evals, schedule="step", autol2=controller(cfg, every=w.every))  # fmt: skip
    return _against_tuned(fixed, {"AutoL2 + schedule": auto}, T, n_test=w.data.test_samples, suffix=" + schedule")


def cnn_setting(cfg) -> Config:
    """The chapter's ``cnn`` group as a configuration of its own, with the preset."""
    return Config(cfg.cnn, preset=cfg.preset)


def cnn_race(cfg, *, seed: int) -> Race:
    """Fig. S11's CNN panel (setup ours): Fig. 3's CNN without batch norm, SGD at its η, λ = 0 and ``cnn.lams``
    trained ``cnn.budget`` epochs, against AutoL2 (every ``cnn.every`` steps) for the same budget."""
    k = cnn_setting(cfg)
    model = dict(kind="cnn", channels=k.model.channels, hidden=k.model.hidden, batch_norm=False)
    runs = [SweepRun(k.train.lr, float(lam), k.budget) for lam in (0.0,) + tuple(k.lams)]
    sweep = cifar.run_sweep(k, runs, seed=seed, name="autol2_cnn_sweep", model=model)
    auto = cifar.run_sweep(k, [SweepRun(k.train.lr, cfg.autol2.lam0, k.budget)], seed=seed, name="autol2_cnn",
                           model=model, autol2=controller(cfg, every=k.every))  # fmt: skip
    return _against_tuned(
        sweep,
        {"AutoL2 (Algorithm 1)": auto},
        k.budget,
        n_test=k.data.test_samples,
        constants=(min(k.lams), max(k.lams)),
    )
