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
# # Predicting the optimal λ for a budget (Section 3, Fig. 1b, 4, S3, S4)
#
# **The paper's claim.** Since the test accuracy peaks at $t_* \approx c/\lambda$, the smallest λ that peaks within a
# budget of $T$ epochs is $\lambda_\text{pred} = c/T$, and c can be measured cheaply: train at a large λ, where the
# (degraded) accuracy peaks early, and read off $c = t_*\lambda$ (Fig. 4a: λ = 0.01 for 2 epochs, c ≈ 0.0066 for
# a WRN on CIFAR-10 with momentum). Over budgets spanning close to two decades, the tuned λ is always within an order
# of magnitude of $\lambda_\text{pred}$ (Fig. 4b) and $\lambda_\text{pred}$'s accuracy is within 0.4% of the tuned
# one (Fig. 1b). Fig. S4: using $2c$ (small λ peak about twice as late as large λ) is closer still.
#
# **Here.** The FC network on MNIST of the Fig. 2 chapter (appendix A's setup; the width and the test set are
# scaled down at `cpu`, see the parameters printed below), trained by full-batch SGD at a fixed η, so one step is
# one epoch and c is in epochs·λ (at that η). The WRN/CIFAR-10 version needs a GPU (`paper` preset of the CIFAR
# chapter). Our loss and L2 conventions are appendix A's (½λ‖θ‖²); google/autol2's λΣθ² with mean-over-classes
# cross-entropy would shift λ by a constant factor, not the relation $\lambda_\text{pred} \propto 1/T$.
#
# **Protocol.** (1) Measure c with one short run at a large λ. (2) One sweep over λ (and λ = 0) trained for the
# largest budget; with a constant learning rate a run of $T_\max$ epochs contains every shorter budget, so the tuned
# λ at budget T is the λ with the best test accuracy within its first T epochs. (3) One run at $\lambda_\text{pred}
# = c/T$ (and at $2c/T$) for each budget T. "Accuracy" is the best test accuracy reached within the budget, as in
# the paper.

# %% tags=["parameters"]
preset = "cpu"
seed = 0

# %%
import numpy as np

from replication import analysis
from replication.analysis import budgets as optimal_l2
from replication.analysis.sweeps import SweepRun
from replication.core import presets
from replication.core.provenance import Provenance
from replication.experiments import fc_mnist
from replication.experiments.configs import get_config
from replication.site import banner, headlines
from replication.viz import applications as application_plots
from replication.viz import plotting

presets.check_parameters(preset=preset, seed=seed)
cfg = get_config("optimal_l2", preset)
banner.show_banner(preset)
print(
    f"FC depth {cfg.depth}, width {cfg.width}, {cfg.train_samples} MNIST training images (full batch), first "
    f"{cfg.test_samples} test images; η = {cfg.lr}; budgets T = {cfg.budgets} epochs; λ sweep {cfg.lams} + λ = 0"
)

# %% [markdown]
# ## Fig. 4a: measuring c at a large λ

# %%
(c_hist,), c_prov, _ = fc_mnist.run_sweep(
    cfg, [SweepRun(cfg.lr, cfg.c_lam, cfg.c_epochs)], seed=seed, name="optimal_l2_measure_c", evals=cfg.evals_c
)
c = analysis.measure_c(c_hist.metrics["epoch"], c_hist.metrics["test_accuracy"], cfg.c_lam)
t_star_c = c / cfg.c_lam
plotting.show(
    application_plots.named_curves_figure(
        {f"λ = {cfg.c_lam:g}": c_hist}, title=f"Fig. 4a: test accuracy at λ = {cfg.c_lam:g}, η = {cfg.lr:g}"
    ),
    f"Fig. 4a: the short measurement run (λ = {cfg.c_lam:g}, {cfg.c_epochs} epochs); its test accuracy peaks "
    f"at t* = {t_star_c:g} epochs, so c = t*·λ = {c:.3g}.",
    provenance=c_prov,
)
print(
    f"t* = {t_star_c:g} epochs at λ = {cfg.c_lam:g} → c = {c:.4g} (epochs·λ at η = {cfg.lr:g}); this run cost "
    f"{cfg.c_epochs} epochs, {c_prov.wall_time_s:.0f} s"
)

# %% [markdown]
# ## The λ sweep and the runs at $\lambda_\text{pred}$

# %%
t_max = max(cfg.budgets)
tuning_runs = [SweepRun(cfg.lr, float(lam), t_max) for lam in (0.0,) + tuple(cfg.lams)]
tuning, tuning_prov, _ = fc_mnist.run_sweep(cfg, tuning_runs, seed=seed, name="optimal_l2_sweep", evals=cfg.evals)
pred_runs = optimal_l2.prediction_runs(c, cfg.budgets, cfg.lr)
predicted, pred_prov, _ = fc_mnist.run_sweep(cfg, pred_runs, seed=seed, name="optimal_l2_predicted", evals=cfg.evals)
rows = optimal_l2.prediction_table(c, cfg.budgets, tuning, predicted)
table_prov = Provenance.combine([c_prov, tuning_prov, pred_prov])  # the table draws on all three computations
diverged = [h.lam for h in tuning + predicted if h.diverged]
print(
    f"sweep: {len(tuning)} runs × {t_max} epochs in {tuning_prov.wall_time_s:.0f} s; predicted: {len(predicted)} "
    f"runs in {pred_prov.wall_time_s:.0f} s; diverged: {diverged or 'none'}"
)
print(
    f"{'c×':>3}{'T':>6}{'λ_pred':>9}{'λ_tuned':>9}{'(0.1% range)':>18}{'ratio':>7}{'acc pred':>10}{'acc tuned':>10}"
    f"{'gap':>8}{'acc λ=0':>9}"
)
for r in rows:
    print(
        f"{r['factor']:>3g}{r['budget']:>6g}{r['lam_pred']:>9.2g}{r['lam_tuned']:>9.2g}"
        f"{'%.2g–%.2g' % (r['lam_tuned_low'], r['lam_tuned_high']):>18}{r['ratio']:>7.2f}{r['accuracy_pred']:>10.4f}"
        f"{r['accuracy_tuned']:>10.4f}{r['gap']:>8.4f}{r['accuracy_lam0']:>9.4f}"
    )

# %% [markdown]
# ## Fig. 4b: tuned against predicted λ

# %%
plotting.show(
    application_plots.prediction_figure(rows, title="Fig. 4b: tuned λ and λ_pred against the budget"),
    f"Fig. 4b: the tuned λ at each budget (bars: every swept λ within 0.1% of the best accuracy), "
    f"λ_pred = c/T with c = {c:.3g} measured above, and 2c/T (Fig. S4); shaded: within 10× of c/T. "
    f"λ sweep {cfg.lams}.",
    provenance=table_prov,
)
base = [r for r in rows if r["factor"] == 1.0]
n_within = sum(r["within_decade"] for r in base)
worst_gap = max(r["gap"] for r in base)
mean_ratio = float(np.exp(np.mean(np.log([r["ratio"] for r in base]))))
print("Paper: tuned λ within an order of magnitude of λ_pred at every budget; accuracy within 0.4% of the tuned.")
print(
    f"Ours (c/T): within 10× at {n_within} of {len(base)} budgets (geometric-mean λ_pred/λ_tuned = {mean_ratio:.2f}); "
    f"largest accuracy gap {100 * worst_gap:.2f}% (budget T = {max(base, key=lambda r: r['gap'])['budget']:g})"
)
holds_from = next((r["budget"] for i, r in enumerate(base) if all(x["within_decade"] for x in base[i:])), None)
if holds_from is None:
    print("The tuned λ is not within 10× of c/T even at the largest budget.")
else:
    print(
        f"λ_tuned is within 10× of c/T for every budget T ≥ {holds_from:g} epochs, i.e. T ≥ "
        f"{holds_from / t_star_c:.1f} × the t* of the measurement run; below that λ_pred is too large."
    )
two = [r for r in rows if r["factor"] == 2.0]
print(
    f"Ours (2c/T, Fig. S4): within 10× at {sum(r['within_decade'] for r in two)} of {len(two)}; largest gap "
    f"{100 * max(r['gap'] for r in two):.2f}%"
)
headlines.record_headline(
    "optimal_l2",
    "optimal_l2.accuracy_gap",
    round(100 * worst_gap, 2),
    provenance=table_prov,
    paper="c ≈ 0.0066; accuracy within 0.4% of tuned",
    label=f"largest gap (%) of λ_pred = c/T to the tuned λ over {len(base)} budgets "
    f"{min(cfg.budgets)}–{max(cfg.budgets)} epochs; tuned within 10× at {n_within}/{len(base)}",
)

# %% [markdown]
# ## Fig. S3 and S4: accuracy against λ at each budget

# %%
pred_by_budget = {r["budget"]: r["lam_pred"] for r in base}
plotting.show(
    application_plots.budget_sweep_figure(
        tuning, [float(T) for T in cfg.budgets], pred_by_budget, title="Fig. S3: best test accuracy within T against λ"
    ),
    "Fig. S3: one curve per budget T: the best test accuracy within T of each λ of the sweep; the dashed line "
    "of the same colour is λ_pred = c/T.",
    provenance=Provenance.combine([c_prov, tuning_prov]),
)

# %% [markdown]
# ## Fig. 1b: learning curves at $\lambda_\text{pred}$ and at the tuned λ

# %%
T_show = sorted(cfg.budgets)[len(cfg.budgets) // 2]
r_show = next(r for r in base if r["budget"] == T_show)
h_pred = next(h for h in predicted if h.steps == T_show and h.lam == r_show["lam_pred"])
h_tuned = next(h for h in tuning if h.lam == r_show["lam_tuned"])
plotting.show(
    application_plots.named_curves_figure(
        {f"λ_pred = {r_show['lam_pred']:.2g}": h_pred, f"tuned λ = {r_show['lam_tuned']:.2g}": h_tuned},
        title=f"Fig. 1b: budget T = {T_show} epochs",
        budget=T_show,
    ),
    f"Fig. 1b: test accuracy at λ_pred = c/T and at the tuned λ for the budget T = {T_show} epochs (dotted line); "
    f"the tuned run continues to the largest budget.",
    provenance=table_prov,
)
print(
    f"T = {T_show}: λ_pred reaches {r_show['accuracy_pred']:.4f}, the tuned λ {r_show['accuracy_tuned']:.4f} "
    f"within the budget"
)

# %% [markdown]
# **Reading the numbers.** The claim holds here if the tuned λ stays within the shaded band at every budget and the
# gap column stays small. The λ sweep is a factor ≈3 apart, so "tuned λ" is only known to that resolution; the 0.1%
# range shows how flat the optimum is. Where the gap is negative, λ_pred did better than every swept λ.
