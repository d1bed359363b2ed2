"""Fig. S7: an FC network of width 64 on CIFAR-10 (not overparameterized), each λ trained for
``sweep.physical_time``/(ηλ) epochs (capped at ``sweep.max_epochs``)."""

from __future__ import annotations

import math

from replication.analysis.criteria import Verdict, scaling_failure_verdict, seeds_agree
from replication.analysis.plan import plan_sweep
from replication.analysis.seeds import seed_list
from replication.analysis.verdicts import OptimumVerdict, optimal_lambda
from replication.experiments.cifar import run_sweep
from replication.experiments.claims import Claim
from replication.experiments.results import SweepResult, analyzed

__all__ = ["STUDIES", "CLAIMS", "sweep", "judge"]

# What this chapter computes and stores, in the chapter's order; the headless runner runs exactly these.
STUDIES = ("sweep",)

# The paper's claims this chapter judges (replication.experiments.claims): the chapter records ours under each key.
CLAIMS = (
    Claim(
        "Fig. S7",
        "Failure case: FC width 64 on CIFAR-10 is not overparameterized; scaling breaks below λ_opt",
        "t* constant below λ_opt",
        "failure_case.exponent_below_opt",
        "FC depth 3, width 64 · CIFAR-10 or its stand-in · SGD, batch 512",
    ),
)


def sweep(cfg, *, seed: int) -> SweepResult:
    """Fig. S7's λ grid at ``train.lr``, each λ trained ``sweep.physical_time``/(ηλ) epochs (capped), from
    ``seeds.count`` initializations."""
    s = cfg.sweep
    runs = plan_sweep([cfg.train.lr], s.lams, physical_time=s.physical_time, min_lr_lam=0.0, max_lr_lam=math.inf,
                      max_epochs=s.max_epochs)  # fmt: skip
    model = dict(kind="fc", width=cfg.model.width, depth=cfg.model.depth)
    return analyzed(run_sweep(cfg, runs, seed=seed, name="failure_case", model=model, seeds=seed_list(cfg, seed)))


def judge(cfg, res: SweepResult) -> tuple[OptimumVerdict, Verdict]:
    """Fig. S7's optimum and t* fits on either side of it (the first seed's), and the claim's verdict
    (:func:`replication.analysis.criteria.scaling_failure_verdict`; ties on ``data.test_samples`` images), decided in
    each seed and kept only when the seeds agree (:func:`~replication.analysis.criteria.seeds_agree`)."""
    physical_time = cfg.sweep.physical_time
    opt = optimal_lambda(res.rows, physical_time=physical_time)
    verdicts = []
    for analysis in res.analyses_by_seed:
        cut = optimal_lambda(analysis.rows, physical_time=physical_time).cut_short
        verdicts.append(scaling_failure_verdict(list(analysis.rows), threshold=analysis.threshold,
                                                n_test=cfg.data.test_samples, cut_short=cut))  # fmt: skip
    return opt, seeds_agree(verdicts, len(verdicts))
