"""The fully-connected network on MNIST (appendix A: 3 hidden layers of 2048, ReLU, σ_w = √2, σ_b = 0, trained on
the first 512 MNIST samples with batch 512, i.e. full batch): data, model, the stored (η, λ) grid, and the entry
points of Fig. 2a–c/S1/S6 (:func:`tstar_sweep`) and Fig. S5 (:func:`mse_sweep`)."""

from __future__ import annotations

from replication.analysis.criteria import EtaSpreads, Verdict, eta_flattening_verdict, eta_spreads
from replication.analysis.plan import SweepRun, plan_sweep
from replication.analysis.seeds import seed_list
from replication.analysis.verdicts import ZeroComparison, accuracy_when_train_reaches_one, compare_with_zero
from replication.experiments import request as request_lib
from replication.experiments.claims import Claim, Decider
from replication.experiments.configs import paper_config
from replication.experiments.grid import GridResult, cached_grid
from replication.experiments.request import DataRequest, GridRequest, ModelRequest, build_model
from replication.experiments.results import SweepResult, analyzed, only_grid, pooled
from replication.training import Dataset, TrainSpec

__all__ = ["STUDIES", "CLAIMS", "data_request", "load_data", "make_model", "sweep_runs", "run_sweep", "seed_list",
           "tstar_sweep", "mse_sweep", "mse_verdict"]  # fmt: skip

# What this chapter computes and stores, in the chapter's order; the headless runner runs exactly these.
STUDIES = ("tstar_sweep", "mse_sweep")

# The paper's claims this chapter judges (replication.experiments.claims): the chapter records ours under each key.
CLAIMS = (
    Claim(
        "Fig. 2a–c, S1, S6",
        "FC on MNIST: epochs to peak test accuracy t* ∝ 1/(ηλ); small λ matches or beats λ = 0 when trained for 2/(ηλ)",
        "exponent −1 over 6 decades of ηλ",
        "fc_mnist.tstar_exponent",
        "FC, 3 hidden ReLU layers of width {fc_paper} ({fc_cpu} at cpu) · the first 512 MNIST images · full-batch SGD",
    ),
    Claim(
        "Fig. 2b",
        "FC on MNIST: small λ trained for τ/(ηλ) matches or beats λ = 0",
        "small λ as good as λ = 0 or better (λ = 0 trained 10⁶/η epochs)",
        "fc_mnist.small_lambda_vs_zero",
        "FC, 3 hidden ReLU layers of width {fc_paper} ({fc_cpu} at cpu) · the first 512 MNIST images · full-batch SGD",
        Decider(
            "λ = 0 trained 1/64 of the paper's 10⁶/η (156,250, 39,063 and 9,766 epochs at η = 0.2, 0.8 and 3.2: 4.5, "
            "3.0 and 1.2 doublings longer than cpu's), beside the smallest λ at each η, three seeds as at cpu: in "
            "session 34's cpu runs λ = 0, as long as its η's longest run, still gained 4–15 of 2000 test images over "
            "its last doubling, as much as the smallest λ's lead",
            "decide_zero",
            "tstar_sweep",
            judge="judge_small_lambda",
        ),
    ),
    Claim(
        "Beyond the paper: Fig. 2a over seeds",
        "FC on MNIST: the t* exponent with a bootstrap confidence interval over initialization seeds",
        "one seed per configuration (no error bars)",
        "fc_mnist.tstar_exponent_seeds",
        "FC 3×{fc_paper} (width {fc_cpu} at cpu) · MNIST, 512 images, full batch · SGD + L2, several seeds",
    ),
    Claim(
        "Fig. S5",
        "MSE loss: test accuracy depends on η at training accuracy 1, not at t_test",
        "qualitative",
        "fc_mnist.mse_eta_flattening",
        "FC, 3 hidden ReLU layers of width {fc_paper} ({fc_cpu} at cpu), MSE loss · 512 MNIST images · full-batch SGD",
        Decider(
            "λ = 0.001 and 0.002 at η = 0.025 and 0.05, each run 2/(ηλ) = 20000–80000 epochs: at width 512 the only "
            "λ > 0 run that reached training accuracy 1 in the session-16 probes was λ = 0.005 at η = 0.05 (λ ≥ 0.01 "
            "and η ≥ 0.1 did not), so the rule's two λ at two η need smaller λ and η",
            "decide_s5",
            "mse_sweep",
            probed=True,
            judge="judge_mse",
        ),
    ),
)


def data_request(cfg) -> DataRequest:
    """The chapter's data: the first ``data.train_samples`` MNIST training images and ``data.test_samples`` test
    images, standardized with the training subset's statistics, flattened."""
    d = cfg.data
    return DataRequest("mnist", d.train_samples, d.test_samples, mnist_source=d.mnist_source, flatten=True)


def load_data(source: str, train_samples: int, test_samples: int) -> Dataset:
    """First ``train_samples`` MNIST training images and first ``test_samples`` test images, standardized with
    the training subset's statistics, flattened; one-hot targets."""
    request = DataRequest("mnist", train_samples, test_samples, mnist_source=source, flatten=True)
    return request_lib.load_data(request)[0]


def make_model(width: int, depth: int, seed: int):
    """Appendix A's FC network (standard parameterization, LeCun init, σ_w = √2, σ_b = 0) as (apply_fn, params)."""
    return build_model(ModelRequest.of("fc", width=width, depth=depth), (784,), seed)


def sweep_runs(cfg, *, lrs=None, lams=None, physical_time=None, zero_lr_time=None) -> list[SweepRun]:
    """The Fig. 2a grid of ``cfg.sweep`` (or the given η, λ, physical time and λ = 0 length in epochs·η)."""
    s = cfg.sweep
    return plan_sweep(lrs or s.lrs, lams or s.lams, physical_time=physical_time or s.physical_time,
                      min_lr_lam=s.min_lr_lam, max_lr_lam=s.max_lr_lam, max_epochs=s.max_epochs,
                      zero_lr_time=s.zero_lr_time if lrs is None else zero_lr_time)  # fmt: skip


def run_sweep(
    cfg, runs: list[SweepRun], *, seed: int, loss: str = "xent", name: str = "fc_mnist", log=print,
    evals: int | None = None, seeds: list[int] | None = None, **spec_options,
) -> GridResult:  # fmt: skip
    """Train ``runs`` (full batch: one step per epoch) from one initialization (or from each of ``seeds``, all in the
    same vmapped program; full batch, so there is no data order to vary), as one vmapped grid; the result is
    stored and reused when the same configuration and code run again, and a killed computation resumes from its
    checkpoint (``results/<preset>/checkpoints/``). ``spec_options`` go to :class:`TrainSpec` (``schedule``,
    ``autol2``, ...)."""
    spec = TrainSpec(loss=loss, batch_size=None, evals=evals or cfg.sweep.evals, **spec_options)
    model = ModelRequest.of("fc", width=cfg.model.width, depth=cfg.model.depth)
    request = GridRequest(data_request(cfg), model, spec, tuple(runs), seed=seed, seeds=tuple(seeds or ()))
    return cached_grid(name, cfg.preset, request, log=log)


def tstar_sweep(cfg, *, seed: int) -> SweepResult:
    """Fig. 2a–c, S1, S6: the cross-entropy grid, each run trained for τ/(ηλ) epochs, with its t* analysis; with
    ``cfg.seeds.count`` > 1 from that many initializations (the analysis of the first one, plus the spread and the
    bootstrap intervals over all)."""
    return analyzed(run_sweep(cfg, sweep_runs(cfg), seed=seed, seeds=seed_list(cfg, seed)))


def small_lambda_comparison(cfg, sweep: SweepResult) -> ZeroComparison:
    """Fig. 2b: the smallest λ against λ = 0 at each η of ``sweep`` (:func:`tstar_sweep`), decided in each seed on
    ``data.test_samples`` images, beside the paper's λ = 0 length (10⁶/η, appendix A)."""
    paper_zero = paper_config("fc_mnist").sweep.zero_lr_time  # epochs·η, our units
    return compare_with_zero({"": (sweep.rows_by_seed, lambda lr: paper_zero / lr)}, n_test=cfg.data.test_samples)


def judge_small_lambda(cfg, sweeps) -> Verdict:
    """Fig. 2b from a grid of its decider's size (a recorded probe, :mod:`replication.experiments.probes`):
    :func:`small_lambda_comparison` of its one grid."""
    return small_lambda_comparison(cfg, only_grid(sweeps, "Fig. 2b")).verdict()


def mse_sweep(cfg, *, seed: int) -> SweepResult:
    """Fig. S5: the same network with MSE loss, trained for ``cfg.mse.physical_time``/(ηλ) epochs."""
    runs = sweep_runs(
        cfg, lrs=cfg.mse.lrs, lams=cfg.mse.lams, physical_time=cfg.mse.physical_time, zero_lr_time=cfg.mse.zero_lr_time
    )
    return analyzed(run_sweep(cfg, runs, seed=seed, loss="mse", name="fc_mnist_mse"))


def mse_verdict(cfg, mse: SweepResult) -> tuple[EtaSpreads, Verdict]:
    """Fig. S5's claim from the MSE sweep (:func:`replication.analysis.criteria.eta_flattening_verdict`): per λ > 0,
    each η's test accuracy when its training accuracy first reached 1 and its peak, on ``data.test_samples``
    images."""
    by_lam: dict[float, list[tuple[float, float]]] = {}
    for h, r in zip(mse.histories, mse.rows, strict=True):
        if r.lam > 0 and not r.diverged:
            by_lam.setdefault(r.lam, []).append((accuracy_when_train_reaches_one(h, r), r.max_test_accuracy))
    return eta_spreads(by_lam, cfg.data.test_samples), eta_flattening_verdict(by_lam, cfg.data.test_samples)


def judge_mse(cfg, sweeps) -> Verdict:
    """Fig. S5 from grids of its decider's size (a recorded probe, :mod:`replication.experiments.probes`):
    :func:`mse_verdict` over their runs together."""
    return mse_verdict(cfg, pooled(sweeps))[1]
