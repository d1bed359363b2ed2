# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (replication)
#     language: python
#     name: replication
# ---

# %% [markdown]
# # AutoL2: an automatic schedule for λ (Section 3, Fig. 1c, S9–S11; appendix E)
#
# **The paper's claim.** Start with a large λ = 0.1, which trains fast, and divide λ by 10 whenever the bare training
# loss or the training error has been above its running minimum at two consecutive measurements (every 5 steps),
# with a refractory period of 0.1/λ steps after each decay (Algorithm 1). Against the tuned constant λ at the same
# budget and with a constant learning rate, AutoL2 "trains significantly faster and achieves superior performance"
# (Fig. 1c, S9, WRN-28-10 on CIFAR-10). With the step learning-rate schedule it starts faster but ends below the tuned
# constant λ (Fig. S10).
#
# **Here.** The FC network on MNIST (full-batch SGD at fixed η, the setup of the Fig. 2 and optimal-λ chapters); the
# tuned constant λ is the best λ of the optimal-λ chapter's sweep at the same budget, whose stored runs this chapter
# reuses. `replication.autol2.AutoL2` is the controller: its state (λ, the running minima, the end of the refractory
# period) is carried through the jitted `lax.scan` of the engine, and it is consulted every k steps with the bare
# loss and error of that step's training batch (here the whole training set). Two variants: `"paper"` is Algorithm 1
# as printed (strict increases); `"code"` is google/autol2's (non-strict: `loss ≥ min`, `accuracy ≤ max`, so a
# plateau counts as an increase). L2 is ½λ‖θ‖² (google/autol2: λΣθ²).
#
# **What we report.** For each contender: its best test accuracy within the budget T, and the first epoch at which
# it reaches the tuned constant λ's best accuracy within T (so the tuned run's own epoch is its t*; a contender that
# never gets there shows "never").

# %% tags=["parameters"]
preset = "cpu"
seed = 0

# %%
import numpy as np

from replication.analysis import budgets as optimal_l2
from replication.analysis.sweeps import SweepRun
from replication.core import presets
from replication.core.provenance import Provenance
from replication.experiments import fc_mnist
from replication.experiments.configs import get_config
from replication.site import banner, headlines
from replication.training.autol2 import AutoL2
from replication.viz import applications as application_plots
from replication.viz import plotting

presets.check_parameters(preset=preset, seed=seed)
cfg = get_config("autol2", preset)
opt_cfg = get_config("optimal_l2", preset)
banner.show_banner(preset)
T = cfg.budget
controllers = {
    v: AutoL2(lam0=cfg.lam0, factor=cfg.factor, delay=cfg.delay, every=cfg.every, variant=v) for v in ("paper", "code")
}
print(
    f"FC depth {cfg.depth}, width {cfg.width}, {cfg.train_samples} MNIST images, full batch, η = {cfg.lr}; budget "
    f"T = {T} epochs; AutoL2: λ0 = {cfg.lam0}, ÷{cfg.factor:g}, refractory {cfg.delay}/λ steps, every {cfg.every} steps"
)

# %% [markdown]
# ## Fig. 1c and S9: constant learning rate

# %%
sweep_runs = [SweepRun(cfg.lr, float(lam), T) for lam in (0.0,) + tuple(cfg.lams)]
sweep, sweep_prov, reused = fc_mnist.run_sweep(opt_cfg, sweep_runs, seed=seed, name="optimal_l2_sweep", evals=cfg.evals)
tuned = optimal_l2.tuned_l2(sweep, T)
h_tuned = next(h for h in sweep if h.lam == tuned["lam"])
auto, auto_provs = {}, {}
for variant, ctrl in controllers.items():
    (auto[variant],), auto_provs[variant], _ = fc_mnist.run_sweep(
        cfg, [SweepRun(cfg.lr, cfg.lam0, T)], seed=seed, name=f"autol2_{variant}", evals=cfg.evals, autol2=ctrl
    )
contenders = {
    "AutoL2 (Algorithm 1)": auto["paper"],
    "AutoL2 (google/autol2 variant)": auto["code"],
    f"tuned constant λ = {tuned['lam']:g}": h_tuned,
}
for lam in (cfg.lam0, min(cfg.lams)):
    contenders[f"constant λ = {lam:g}"] = next(h for h in sweep if h.lam == lam)
race = optimal_l2.race(contenders, f"tuned constant λ = {tuned['lam']:g}", T)
print(
    f"sweep {'reused from the optimal-λ chapter' if reused else 'computed'} ({sweep_prov.wall_time_s:.0f} s); "
    "AutoL2 runs " + ", ".join(f"{p.wall_time_s:.0f} s ({v})" for v, p in auto_provs.items())
)
race_prov = Provenance.combine([sweep_prov, *auto_provs.values()])  # the figures below show runs of all three
print(f"target: the tuned λ's best accuracy within {T} epochs = {race[0]['target']:.4f}")
print(f"{'run':<36}{'best acc':>9}{'epoch to target':>17}{'speed-up':>10}{'final λ':>10}")
for r in race:
    when, speed = (
        ("never", "—")
        if not np.isfinite(r["epoch_to_target"])
        else (f"{r['epoch_to_target']:g}", f"{r['speedup']:.2f}×")
    )
    print(f"{r['name']:<36}{r['best_accuracy']:>9.4f}{when:>17}{speed:>10}{r['final_lam']:>10.2g}")

# %%
plotting.show(
    application_plots.named_curves_figure(contenders, title=f"Fig. 1c: test accuracy, constant η, T = {T}"),
    f"Fig. 1c / S9: test accuracy of AutoL2 (both variants) against the tuned constant λ (best of the "
    f"sweep {cfg.lams} within T = {T} epochs) and two other constants; full-batch SGD, η = {cfg.lr}.",
    provenance=race_prov,
)
plotting.show(
    application_plots.named_curves_figure(
        contenders, metric="train_loss", ylabel="bare training loss", title="Fig. S9: bare training loss"
    ),
    "Fig. S9: the bare training loss (without the L2 term) of the same runs.",
    provenance=race_prov,
)
plotting.show(
    application_plots.lambda_figure(contenders, title="Fig. S11: λ(t) under AutoL2"),
    f"Fig. S11: λ against epochs: AutoL2 decays it by {cfg.factor:g} when the loss or error rises; the "
    "constants are flat.",
    provenance=race_prov,
)
paper_row = next(r for r in race if r["name"] == "AutoL2 (Algorithm 1)")
tuned_row = next(r for r in race if r["name"].startswith("tuned"))
decays = auto["paper"].metrics["epoch"][1:][np.diff(auto["paper"].metrics["lam"]) < 0]
print("Paper: AutoL2 trains faster and ends better than the tuned constant λ.")
reached = (
    f"reaches the tuned best at epoch {paper_row['epoch_to_target']:g} against the tuned run's "
    f"{tuned_row['epoch_to_target']:g} (speed-up {paper_row['speedup']:.2f}×)"
    if np.isfinite(paper_row["epoch_to_target"])
    else "never reaches the tuned best within the budget"
)
print(
    f"Ours: AutoL2 (Algorithm 1) decays λ at epochs {[float(e) for e in decays]}; best accuracy "
    f"{paper_row['best_accuracy']:.4f} vs tuned {tuned_row['best_accuracy']:.4f} "
    f"({100 * (paper_row['best_accuracy'] - tuned_row['best_accuracy']):+.2f}%); {reached}"
)
headlines.record_headline(
    "autol2",
    "autol2.speedup",
    round(paper_row["speedup"], 2) if np.isfinite(paper_row["speedup"]) else "never reaches the tuned accuracy",
    provenance=Provenance.combine([sweep_prov, auto_provs["paper"]]),
    paper="faster and better (no LR schedule)",
    label=f"epochs to the tuned λ's best accuracy, tuned / AutoL2, T = {T}; accuracy "
    f"{paper_row['best_accuracy']:.4f} vs tuned {tuned_row['best_accuracy']:.4f}",
)

# %% [markdown]
# ## Fig. S10: with the step learning-rate schedule
#
# The learning rate drops by 0.2 at 0.3T, 0.6T and 0.9T. A step schedule moves with T, so the constant-λ sweep is
# retrained at this budget; AutoL2 runs under the same schedule.

# %%
Ts = cfg.schedule_budget
sched_runs = [SweepRun(cfg.lr, float(lam), Ts) for lam in cfg.lams]
sched, sched_prov, _ = fc_mnist.run_sweep(
    cfg, sched_runs, seed=seed, name="autol2_schedule_sweep", evals=cfg.evals, schedule="step"
)
(auto_sched,), auto_sched_prov, _ = fc_mnist.run_sweep(
    cfg,
    [SweepRun(cfg.lr, cfg.lam0, Ts)],
    seed=seed,
    name="autol2_schedule",
    evals=cfg.evals,
    schedule="step",
    autol2=controllers["paper"],
)
tuned_s = optimal_l2.tuned_l2(sched, Ts)
h_tuned_s = next(h for h in sched if h.lam == tuned_s["lam"])
contenders_s = {"AutoL2 + schedule": auto_sched, f"tuned constant λ = {tuned_s['lam']:g} + schedule": h_tuned_s}
race_s = optimal_l2.race(contenders_s, f"tuned constant λ = {tuned_s['lam']:g} + schedule", Ts)
for r in race_s:
    when = "never" if not np.isfinite(r["epoch_to_target"]) else f"{r['epoch_to_target']:g}"
    print(f"{r['name']:<40}{r['best_accuracy']:>9.4f}  epoch to target {when}")
plotting.show(
    application_plots.named_curves_figure(contenders_s, title=f"Fig. S10: with the step schedule, T = {Ts}"),
    f"Fig. S10: AutoL2 and the tuned constant λ (best of {cfg.lams} at T = {Ts}), both with the learning rate "
    "× 0.2 at 0.3T, 0.6T, 0.9T.",
    provenance=Provenance.combine([sched_prov, auto_sched_prov]),
)
gap_s = race_s[0]["best_accuracy"] - race_s[1]["best_accuracy"]
print(
    f"Paper (S10): with the schedule AutoL2 starts faster but the tuned constant λ ends better. Ours: AutoL2 "
    f"{race_s[0]['best_accuracy']:.4f} vs tuned {race_s[1]['best_accuracy']:.4f} ({100 * gap_s:+.2f}%)"
)

# %% [markdown]
# **Reading the numbers.** Algorithm 1 was designed on a WRN with minibatch noise and data augmentation; on a
# full-batch FC network the measurements are noiseless, so the "two consecutive increases" rule sees every genuine
# rise of the bare loss that the L2 term causes. The refractory period, 0.1/λ *steps*, is short here in physical
# time (η·λ·0.1/λ = 0.1·η), which lets λ fall quickly. Whatever the tables above say is what this setup gives; the
# CIFAR chapters run the paper's own setting.
