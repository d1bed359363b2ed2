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
# # When the scaling fails: a narrow FC network on CIFAR-10 (appendix D, Fig. S7)
#
# **The paper's claim.** The relations of Section 2 are a property of overparameterized networks. A fully-connected
# network of depth 3 and width 64 trained on CIFAR-10 (batch 512, η = 0.1, cross-entropy) is not overparameterized:
# its test accuracy has a maximum at some $\lambda_\text{opt} \neq 0$, and training smaller λ for longer does not
# recover it; below $\lambda_\text{opt}$, $t_*$ stops following $1/\lambda$.
#
# **Here.** The same network (ReLU, σ_w = √2, σ_b = 0, ½λ‖θ‖²), each run trained for a physical time
# epochs·η·λ = constant; at `cpu` on a subset of the training set (printed below). The data is CIFAR-10 when the
# machine has it and otherwise the stand-in named in the banner; a stand-in that is easier than CIFAR-10 makes this
# width *more* overparameterized relative to the task, so the failure may be milder or absent there. Appendix A gives
# only the network, the batch size (512) and η = 0.1: the λ grid, the physical time and the cap on a run's length are
# ours at every preset (including `paper`).

# %% tags=["parameters", "remove-cell"]
preset = "cpu"
seed = 0

# %% [markdown]
# The preset's configuration, and where it departs from appendix A's.

# %%
from replication.analysis import tables
from replication.experiments import failure_case
from replication.experiments.configs import paper_differences
from replication.site import banner, headlines
from replication.viz import plotting
from replication.viz import sweeps as sweep_plots

cfg = banner.start_chapter("failure_case", preset=preset, seed=seed, show=False)
for field, ours, paper in paper_differences(cfg):
    print(f"{field}: {ours} (paper: {paper})")

# %% [markdown]
# Train the λ grid (or reuse the stored result).

# %%
res = failure_case.sweep(cfg, seed=seed)
banner.show_banner(preset, res.grid.notice)
print(res.grid.describe())
print(tables.format_runs(
    res.rows, ("λ", "ηλ", "epochs", "t*", "t*·ηλ", "max acc", "train acc 1 at")))

# %% [markdown]
# ## Fig. S7: peak accuracy and t* against λ
#
# An overparameterized network would show a plateau at small λ and a straight t* line of slope −1.

# %%
plotting.show(
    sweep_plots.peak_accuracy_figure(
        res.rows, title="Fig. S7: max test accuracy against λ (FC width 64)"),
    "Fig. S7: maximum test accuracy of each run "
    f"(trained {cfg.sweep.physical_time:g}/(ηλ) epochs); dotted: λ = 0.",
    provenance=res.provenance)
plotting.show(
    sweep_plots.tstar_figure(
        res.rows, res.fit, title="Fig. S7: t* against η·λ (FC width 64)"),
    "Fig. S7: epochs to the peak test accuracy against η·λ; "
    "a straight line of slope −1 is the overparameterized behaviour.",
    provenance=res.provenance)

# %% [markdown]
# Where the optimum lies, and how t* scales on either side of it.

# %%
opt, verdict = failure_case.judge(cfg, res)
print(f"λ_opt = {opt.best_lam:g} (max test accuracy {opt.best_accuracy:.4f}); "
      f"λ = 0: {opt.zero_accuracy:.4f}")
for name, fit in (("λ ≤ λ_opt", opt.fit_below), ("λ ≥ λ_opt", opt.fit_above)):
    print(f"t* exponent for {name}: "
          + (fit.describe() if fit else "fewer than two runs"))
print(f"all λ > 0: exponent {res.fit.describe()}")

# %% [markdown]
# The paper's claim beside what we found, and any run that the cap on a run's length cut short.

# %%
print("Paper: an interior optimum λ_opt ≠ 0, and smaller λ trained longer does not "
      "reach it. Ours: λ_opt is "
      + (f"interior: the best peak is at λ = {opt.best_lam:g}" if opt.interior
         else "the smallest λ swept, so no interior optimum was found in this range"))
if opt.cut_short:
    print("runs cut short by max_epochs: " + ", ".join(
        f"λ = {lam:g} ({e:g} of {p:.0f} epochs)" for lam, e, p in opt.cut_short))

# %% [markdown]
# **Reading the numbers.** Two signs of the failure: the max-accuracy curve turns down below some λ (an interior optimum
# rather than a plateau), and the t* exponent below λ_opt departs from −1. The verdict asks for both: λ_opt is the
# smallest λ tied for the best peak (a few test images apart is a tie), and the exponent below it is decided over the
# runs that learned and peaked inside their run with t\* resolved to 25%, over a span of ηλ that no single run
# carries, by the book's rule for every exponent. The optimum can be only a few
# test images above its neighbours, so at `cpu` the grid is trained from `seeds.count` initializations (ours; the data
# order is the same for each): each seed is judged alone and the verdict stands only when they agree (the table and
# figures show the first).

# %% tags=["hide-input"]
print(verdict.describe())
below = opt.fit_below.exponent if opt.fit_below else float("nan")
headlines.record_headline(
    "failure_case", "failure_case.exponent_below_opt", round(below, 3), verdict=verdict,
    provenance=res.provenance, seed=seed,
    label=f"t* exponent for λ ≤ λ_opt = {opt.best_lam:g} "
          "(every run; the verdict: the runs that qualify)")
