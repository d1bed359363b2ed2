"""Fig. 3a–f, S6: appendix A's CNN without and with batch norm, SGD, each λ trained for
``sweep.physical_steps``/(ηλ) steps; λ = 0 for ``sweep.zero_epochs`` (``zero_epochs_bn`` with BN) epochs, or as long as
the longest λ > 0 run where those are None."""

from __future__ import annotations

import math

from replication.analysis.criteria import Verdict, all_of
from replication.analysis.plan import SweepRun, plan_sweep
from replication.analysis.seeds import seed_list
from replication.analysis.verdicts import ZeroComparison, compare_with_zero
from replication.experiments.cifar import run_sweep, steps_per_epoch
from replication.experiments.claims import Claim, Decider
from replication.experiments.configs import paper_config
from replication.experiments.results import SweepResult, analyzed

__all__ = [
    "STUDIES",
    "CLAIMS",
    "sweep_runs",
    "sweeps",
    "exponent_verdict",
    "judge_exponent",
    "short_of_paper",
    "small_lambda_comparison",
]

# What this chapter computes and stores, in the chapter's order; the headless runner runs exactly these.
STUDIES = ("sweeps",)

# The paper's claims this chapter judges (replication.experiments.claims): the chapter records ours under each key.
CLAIMS = (
    Claim(
        "Fig. 3a–f",
        "CNN ± BatchNorm on CIFAR-10: t* ∝ 1/(ηλ)",
        "exponent −1",
        "cnn_cifar.tstar_exponent",
        "CNN ± BN ({cnn_paper} channels at paper, {cnn_cpu} at cpu) · CIFAR-10 or its stand-in · SGD",
        Decider(
            "ηλ from 6.25e-5 to 2e-3 at η = 0.1 (λ = 6.25e-4 … 0.02) and the paper's 7.8 step-units, 8 channels on "
            "4096 stand-in images: a probe of part of it (λ = 0.02, 0.05, 0.2 and λ = 0, one seed) stopped learning "
            "from ηλ = 5e-3 with and without BN, and only without BN did λ = 0.02 peak inside its run, so the "
            "learned runs must reach down to 6.25e-5: runs of up to 124800 steps",
            "decide_exponent",
            "sweeps",
            probed=True,
            judge="judge_exponent",
        ),
    ),
    Claim(
        "Fig. 3b, 3e",
        "CNN ± BatchNorm: small λ trained for τ/(ηλ) matches or beats λ = 0",
        "small λ as good as λ = 0 or better",
        "cnn_cifar.small_lambda_vs_zero",
        "CNN ± BN ({cnn_paper} channels at paper, {cnn_cpu} at cpu) · CIFAR-10 or its stand-in · SGD",
        Decider(
            "the size declared for Fig. 3a–f (λ down to 6.25e-4 at η = 0.1, the paper's 7.8 step-units, 8 channels on "
            "4096 stand-in images): in session 34's cpu runs the smallest λ, 0.02, still peaked 27–78 of 500 test "
            "images above λ = 0.05 without BN, so the grid has not reached the small λ the claim is about",
            "decide_exponent",
            "sweeps",
            judge="judge_small_lambda",
        ),
    ),
)


def sweep_runs(cfg, *, batch_norm: bool = False) -> list[SweepRun]:
    """The λ grid at ``cfg.train.lr``; physical time in steps·η·λ converted to this preset's epochs."""
    s = cfg.sweep
    return plan_sweep([cfg.train.lr], s.lams, physical_time=s.physical_steps / steps_per_epoch(cfg), min_lr_lam=0.0,
                      max_lr_lam=math.inf, max_epochs=s.max_epochs,
                      zero_epochs=s.zero_epochs_bn if batch_norm else s.zero_epochs)  # fmt: skip


def sweeps(cfg, *, seed: int) -> dict[str, SweepResult]:
    """``{"without BN": ..., "with BN": ...}``: the same runs for both networks (from ``seeds.count``
    initializations), each analysed."""
    out = {}
    for bn in (False, True):
        model = dict(kind="cnn", channels=cfg.model.channels, hidden=cfg.model.hidden, batch_norm=bn)
        name = f"cnn_cifar_{'bn' if bn else 'plain'}"
        runs = sweep_runs(cfg, batch_norm=bn)
        chunk = cfg.train.bn_eval_batch_size if bn else cfg.train.eval_batch_size  # with BN: the statistics' batch
        grid = run_sweep(cfg, runs, seed=seed, name=name, model=model, seeds=seed_list(cfg, seed),
                         eval_batch_size=chunk)  # fmt: skip
        out["with BN" if bn else "without BN"] = analyzed(grid)
    return out


def exponent_verdict(results: dict[str, SweepResult]) -> Verdict:
    """Fig. 3a–f: t* ∝ 1/(ηλ) with and without batch norm (:func:`sweeps`), each variant decided by its exponent
    verdict (its seeds' interval where it has several), both together (:func:`~replication.analysis.criteria.
    all_of`)."""
    return all_of({name: r.verdict.verdict for name, r in results.items()})


def _by_variant(sweeps_: tuple[SweepResult, ...]) -> dict[str, SweepResult]:
    """A probe's grids named by their model's batch norm, "without BN" first (as :func:`sweeps` returns them)."""
    named: dict[str, SweepResult] = {}
    for s in sweeps_:
        name = "with BN" if s.grid.request.model.option.get("batch_norm") else "without BN"
        if name in named:
            raise ValueError(f"two grids {name}: a probe of Fig. 3 holds one grid per variant.")
        named[name] = s
    return dict(sorted(named.items(), key=lambda kv: kv[0] != "without BN"))


def judge_exponent(cfg, sweeps_: tuple[SweepResult, ...]) -> Verdict:
    """Fig. 3a–f from grids of its decider's size (a recorded probe, :mod:`replication.experiments.probes`): one
    grid per variant, named by its model's batch norm."""
    return exponent_verdict(_by_variant(sweeps_))


def judge_small_lambda(cfg, sweeps_: tuple[SweepResult, ...]) -> Verdict:
    """Fig. 3b/3e from grids of its decider's size: :func:`small_lambda_comparison` of the variants the probe
    holds."""
    return small_lambda_comparison(cfg, _by_variant(sweeps_)).verdict()


def short_of_paper(cfg) -> bool:
    """Whether ``cfg`` trains each run for less physical time (steps·η·λ) than the paper's 7.8 step-units (in our
    units): `cpu` trains 4."""
    return cfg.sweep.physical_steps < paper_config("cnn_cifar").sweep.physical_steps


def small_lambda_comparison(cfg, results: dict[str, SweepResult]) -> ZeroComparison:
    """Fig. 3b/3e: the smallest λ against λ = 0 with and without BN (:func:`sweeps`), decided in each seed on
    ``data.test_samples`` images, beside the paper's λ = 0 lengths (appendix A); where the preset's runs are shorter
    than the paper's (:func:`short_of_paper`), a smallest λ that is below λ = 0 while still improving at its end is
    inconclusive (:func:`~replication.analysis.criteria.zero_comparison`)."""
    paper = paper_config("cnn_cifar").sweep
    zero_epochs = {"without BN": paper.zero_epochs, "with BN": paper.zero_epochs_bn}
    return compare_with_zero({label: (results[label].rows_by_seed, zero_epochs[label]) for label in results},
                             n_test=cfg.data.test_samples, short_of_paper=short_of_paper(cfg))  # fmt: skip
