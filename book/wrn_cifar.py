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
# # Wide ResNet on CIFAR-10 (Section 2, Fig. 2d–f, 1a, S2, S12)
#
# **The paper's claims.** (Fig. 2d–f) A WRN-28-10 trained by SGD without augmentation peaks at
# $t_* \propto 1/(\eta\lambda)$; trained for $0.1/(\eta\lambda)$ epochs, small λ is as good as large λ; a fixed budget
# peaks at one λ. (Fig. 1a) With momentum, augmentation and the step schedule (η × 0.2 at 0.3T, 0.6T, 0.9T), a fixed
# budget T = 200 epochs has an optimal λ (0.0005, test accuracy 0.967), below which accuracy drops, while training for
# $T(\lambda) = 0.1/\lambda$ epochs keeps improving as λ decreases. (S2) Momentum and augmentation at a fixed learning
# rate: same picture as Fig. 2. (S12, appendix F) Fig. 1a's setup repeated for several initialization scales σ_w: the
# runs differ early, but the final accuracy depends only mildly on σ_w.
#
# **Setup.** Pre-activation WRN-d-k with batch norm (batch statistics, as stax), σ_w = 1, σ_b = 0, loss
# $-\frac{1}{2k|B|}\sum y\log p + \frac\lambda2\|\theta\|^2$. Augmentation: random flips, 4-pixel pad-and-crop and mixup
# (α = 1), as google/autol2. At `cpu` a smaller WRN on fewer, averaged-down images (printed below);
# physical time is counted in steps·η·λ, as the paper's; where a preset's value differs from the paper's, the table of
# departures from appendix A below lists both (`replication.experiments.configs.wrn_cifar`). Because the loss is divided
# by 2k = 20, our η is 20× a plain cross-entropy's and our λ 1/20 of it (ηλ is the same; the grid in those units is
# printed below). The data is CIFAR-10 when the machine has it and otherwise the stand-in named in the banner
# (Fashion-MNIST's clothes keep their label under a left-right flip, as CIFAR-10's objects do; on the MNIST fallback a
# flipped digit is not always the same digit; we keep the paper's pipeline either way).

# %% tags=["parameters", "remove-cell"]
preset = "cpu"
seed = 0

# %% [markdown]
# The preset's configuration, where it departs from appendix A's, and the SGD grid in the units of a standard
# cross-entropy (mean over the batch, summed over classes: ours × 2k = 20, so its η is ours / 20 and its λ ours × 20;
# google/autol2's, averaged over classes too, is ours × 2: its η is ours / 2, its λ the same).

# %%
from replication.analysis import criteria, sweeps, tables, verdicts
from replication.core.provenance import Provenance
from replication.experiments import deciders, results, wrn_cifar
from replication.experiments.configs import paper_differences
from replication.site import banner, headlines
from replication.viz import applications, plotting
from replication.viz import sweeps as sweep_plots

cfg = banner.start_chapter("wrn_cifar", preset=preset, seed=seed, show=False)
for field, ours, paper in paper_differences(cfg):
    print(f"{field}: {ours} (paper: {paper})")

# %% [markdown]
# The SGD grid in a standard cross-entropy's units, its training set (`sgd.train_samples`: more images than the
# rest of the chapter at `cpu` (ours: so that a run's peak is set by L2, not by overfitting a few hundred images, as
# in a probe of the wider network in `NOTES.md`'s session 13), and a run's steps do not grow with the data)
# and the number of steps per epoch.

# %%
sgd_cfg = wrn_cifar.sgd_config(cfg)
print(f"SGD grid as a standard cross-entropy's: η = {min(cfg.sgd.lrs) / 20:g}–"
      f"{max(cfg.sgd.lrs) / 20:g}, λ = {20 * min(cfg.sgd.lams):g}–"
      f"{20 * max(cfg.sgd.lams):g}; {sgd_cfg.data.train_samples} training images, "
      f"{wrn_cifar.steps_per_epoch(sgd_cfg)} steps per epoch")

# %% [markdown]
# ## Fig. 2d–f: SGD without augmentation
#
# Train the grid (or reuse it). A run "did not learn" if its peak test accuracy stays below halfway between chance and
# the best λ = 0 run's peak.

# %%
sgd = wrn_cifar.sgd_sweep(cfg, seed=seed)
banner.show_banner(preset, sgd.grid.notice)
print(f"{sgd.grid.describe()}; 'did not learn' below peak accuracy "
      f"{sgd.analysis.threshold:.3f}; {sgd.grid.request.spec.describe_evaluations()}")
print(tables.format_runs(sgd.rows, min_peak_accuracy=sgd.analysis.threshold))

# %% [markdown]
# The line fits every usable run; the second exponent leaves out the runs that did not learn.

# %%
fit, fit_learned = sgd.analysis.fit, sgd.analysis.fit_learned
plotting.show(
    sweep_plots.tstar_figure(sgd.rows, fit, title="Fig. 2d: WRN, t* against η·λ"),
    f"Fig. 2d: epochs to the peak test accuracy against η·λ ({fit.n_runs} runs over "
    f"{fit.decades:.1f} decades; the line fits all of them); crosses: diverged.",
    provenance=sgd.provenance,
)
left_out = ", ".join(f"(η, λ) = ({lr:g}, {lam:g})"
                     for lr, lam in fit_learned.not_learned) or "none"
print(f"Paper: exponent −1. Ours: {fit.describe()}, c = {fit.c:.3g} epoch-units; over "
      f"the runs that learned: {fit_learned.describe()} (left out: {left_out})")

# %% [markdown]
# The verdict on Fig. 2d's claim, decided by the book's criteria over the runs that learned and peaked inside their
# run with t\* resolved to 25%, over a span of ηλ that no single run carries (`replication.analysis.criteria`).
#
# ```{admonition} One small network's exponent
# :class: caution
# At `cpu` the exponent may move with the network's width: `NOTES.md`'s session 24 trained the same grid, seeds and
# data on this network and on one twice as wide (this preset's until then) and compares their verdicts. Read this
# verdict as the small network's, not the Wide ResNet family's. Two things can make it fragile at `cpu`: the
# small-ηλ runs can sit on long plateaus where t\* moves several-fold between seeds or CPUs (another CPU's kernels
# round differently: `NOTES.md`, session 33), and the runs that learn at the largest ηλ can peak within their first
# epoch. Evenly spaced evaluations read such a peak at one of the first few, where t\* is not resolved and the rule
# leaves the run out (`NOTES.md`, session 35), so the `cpu` preset spaces the same number of evaluations in log time
# (ours; the line under the grid says how this run's were spaced). A larger grid with every peak resolved, probed
# in session 35, found t\* on a plateau and then a drop, not a power law, at this size.
# ```

# %% tags=["hide-input"]
stand_in = "" if sgd.grid.notice is None else "; on the stand-in, not CIFAR-10"
wrn, data = (wrn_cifar.model_label(cfg),
             headlines.data_label(sgd.grid.data_name, sgd_cfg.data.train_samples))
decided = sgd.verdict
print(decided.describe())

# %% [markdown]
# Where the verdict is inconclusive, what could decide it: the size declared beside the claim (`decide_tstar_paper()`
# in the chapter's config module), planned as the rehearsal plans a preset (nothing trains) and priced here and on a
# GPU, and the size tried before it (`decide_tstar()`) with what its recorded probe reads; then the landing page's
# number.

# %% tags=["hide-input"]
decision = deciders.what_would_decide(
    "wrn_cifar.tstar_exponent", decided.verdict, seed=seed)
print(decision.describe())
headlines.record_headline(
    "wrn_cifar", "wrn_cifar.tstar_exponent", round(decided.exponent, 3), seed=seed,
    provenance=sgd.provenance, verdict=decided.verdict, decision=decision,
    label=f"{wrn} {decided.exponent_label()}; the first seed's span "
        f"{decided.fit.decades:.1f} decades (every run: {fit.short()}){stand_in}",
    setting=f"{wrn} · {data} · SGD, no augmentation",
)

# %% [markdown]
# The paper's t\* rule in its two readings (see the FC chapter): accuracy ≥ max − 0.005 (this book's) and
# accuracy ≥ 0.995·max, each decided by the same rule. On fewer than 600 test images 0.005 is less than the 3-image
# tie, and a plateau's t\* would hang on a difference the book calls a tie (the last evaluation one or two images
# above one long before it), so the verdict above reads t\* to within one tie there
# (`Criteria.peak_tolerance`, ours); the two readings below keep the paper's 0.5%.

# %%
n_test = results.n_test_images(sgd.grid)
rule = criteria.DEFAULT
print(f"The verdict's t* tolerance on {n_test} test images: "
      f"{rule.peak_tolerance(n_test):.4f} (the paper's {rule.peak_tol:g}, or one tie "
      f"of {rule.tie_images} images where that is more)")
readings = verdicts.tstar_readings(list(sgd.histories))
print("\n".join(readings.lines()))

# %% [markdown]
# One run per configuration decides little in this small setting, so below `paper` the grid is trained from
# `seeds.count` initializations (ours; the paper trains one; the data order is the same for all, so the spread is
# the initialization's). The verdict above then judges the exponent by its bootstrap interval over the seeds; here
# each (η, λ)'s t* as mean ± sd and each seed's own exponent.

# %%
if sgd.seeds is None:
    print(f"This preset trains {cfg.seeds.count} initialization: no spread to show.")
else:
    print(tables.format_seed_spread(sgd.seeds.spread))
    print("each seed's own exponent: "
          + ", ".join(f"{e:.3f}" for e in sgd.seeds.fit.per_seed_exponents))
    figure = sweep_plots.tstar_seeds_figure(list(sgd.seeds.spread), sgd.seeds.fit,
                                            title="Fig. 2d over seeds")
    caption = (f"Fig. 2d over {len(sgd.seeds.seeds)} initialization seeds (mean ± sd); "
               "beyond the paper, which trains one.")
    plotting.show(figure, caption, provenance=sgd.provenance)

# %% [markdown]
# Peak accuracy per run, and the best λ within a fixed budget (Fig. 2f: the paper's η = 0.2, 0.4 in ours, at
# `paper`, the grid's largest η at `cpu`; the budget is ours at every preset: the paper does not give it).

# %%
budget_lr = wrn_cifar.budget_lr(cfg)
best = verdicts.best_lambda_within_budget(
    sgd.histories, lr=budget_lr, budget=cfg.sgd.budget_epochs
)
plotting.show(
    sweep_plots.peak_accuracy_figure(
        sgd.rows, title="Fig. 2e: WRN, max test accuracy against λ"
    ),
    "Fig. 2e: maximum test accuracy of each run; black dotted: the best λ = 0 "
    "run over η, as the paper draws it (each η's own in the legend).",
    provenance=sgd.provenance,
)

# %% [markdown]
# The best test accuracy of each λ within the budget (Fig. 2f), and the λ that reaches the highest.

# %%
plotting.show(
    sweep_plots.fixed_budget_figure(
        sgd.histories, lr=budget_lr, budget_epochs=best.budget,
        title=f"Fig. 2f: WRN within {best.budget:g} epochs, η = {budget_lr:g}",
    ),
    f"Fig. 2f: best test accuracy within {best.budget:g} epochs at η = {budget_lr:g}.",
    provenance=sgd.provenance,
)
print(best.describe())

# %% [markdown]
# The smallest λ against λ = 0 at each η, with the length of our λ = 0 run beside the paper's (appendix A); with
# several seeds, decided in each seed and counted only when they agree (the accuracies are their means). A smallest
# λ below λ = 0 by more than a tie loses only beyond what chance allows on this many test images
# (`criteria.chance_band`, ours): on a few hundred images a gap of about 1% is within it, and the same runs trained on
# another CPU, which rounds differently, land on either side of a 3-image tie (`NOTES.md`, session 32). Two more
# rules of ours (session 35): a tie or a win against a λ = 0 cut short of the paper's length and still rising per
# doubling is inconclusive, and so is a loss of a smallest λ that still climbs above the next λ up (the grid has not
# reached the small λ the claim is about). The lines below name the rule that decided each η.

# %%
zero = wrn_cifar.small_lambda_comparison(cfg, sgd)
print("\n".join(zero.lines()))

# %% [markdown]
# Where the verdict is inconclusive, what could decide it: the size declared beside the claim
# (`decide_small_lambda()` in the chapter's config module), planned as the rehearsal plans a preset (nothing trains) and
# priced here and on a GPU; where that size was trained once and its runs are committed under `probes/`, the same
# rule reads them here.

# %%
decision = deciders.what_would_decide(
    "wrn_cifar.small_lambda_vs_zero", zero.verdict(), seed=seed)
print(decision.describe())
headlines.record_headline(
    "wrn_cifar", "wrn_cifar.small_lambda_vs_zero", zero.count(), verdict=zero.verdict(),
    decision=decision, provenance=sgd.provenance, seed=seed,
    label="η at which the smallest λ matches (a tie) or beats λ = 0",
)

# %% [markdown]
# ## Fig. 1a: momentum, augmentation and the step schedule — fixed T against $T \propto 1/\lambda$
#
# With momentum m the step moves the weights by about η/(1 − m) per unit gradient, so physical time is
# steps·ηλ/(1 − m). The crop pads by the paper's 4 pixels whatever the image size: 12.5% of CIFAR-10's 32-pixel side,
# more of a smaller image (printed below), which makes the augmented task harder than the paper's; the peak
# accuracies printed below say how far these runs got. The physical time of T(λ) (and of Fig. S12's runs) is printed
# beside the paper's: where a preset trains less of it, every run stops earlier in its relaxation, and the λ that ends
# best at the fixed T can move to the grid's small end. `cpu` trains less of it to keep the chapter within its time
# (our choice); the size that could decide Fig. 1a, declared beside the claim and priced below, trains the paper's.
# Where the preset's `seeds.count` is above one (ours at `cpu`), the fixed-T runs are trained from that many
# initializations: the figure and tables show the first, and the verdict is decided in each and kept only where they
# agree (one initialization's final accuracies can scatter by more than a tie: Fig. S12 below shows how far).

# %%
sched = wrn_cifar.schedule_comparison(cfg, seed=seed)
side = sched.fixed.grid.input_shape[0]
print(f"the 4-pixel crop on {side}×{side} images shifts by up to {4 / side:.0%} of the "
      "side (CIFAR-10 32×32: 12.5%)")
print(wrn_cifar.physical_time_text(cfg))
curves = {f"fixed T = {cfg.schedule.fixed_T} epochs": sched.fixed,
          f"T(λ) = {cfg.schedule.T_scale:g}/λ epochs": sched.scaled}

# %% [markdown]
# Fig. 1a: the final test accuracy against λ for the fixed budget and for T(λ) ∝ 1/λ.

# %%
plotting.show(
    sweep_plots.final_accuracy_figure(
        {k: r.histories for k, r in curves.items()},
        title="Fig. 1a: final test accuracy against λ",
    ),
    f"Fig. 1a: WRN with momentum 0.9, augmentation and the step schedule (η = "
    f"{cfg.schedule.lr} × 0.2 at 0.3T, 0.6T, 0.9T); final test accuracy for a fixed "
    f"T = {cfg.schedule.fixed_T} epochs and for T(λ) = {cfg.schedule.T_scale:g}/λ "
    f"(capped at {cfg.schedule.max_epochs}).",
    provenance=Provenance.combine([sched.fixed.provenance, sched.scaled.provenance]),
)

# %% [markdown]
# Each run's final and peak accuracy and its convergence state: the relative change of the test accuracy over the
# last 15% of its epochs ("converged" within ±1%, else "still improving" or "declining"; with the step schedule this
# window holds the last decay at 0.9T). "Still rising at the end" marks a run whose t* falls in its last 10% of epochs.

# %% tags=["hide-input"]
for label, res in curves.items():
    states = [sweeps.convergence_state(h) for h in res.histories]
    extra = {
        "final": [f"{sweeps.final_test_accuracy(h):.4f}" for h in res.histories],
        "Δ last 15%": [f"{100 * st.relative_change:+.1f}%" for st in states],
        "state": [st.state for st in states],
    }
    print(f"{label}:\n"
          + tables.format_runs(res.rows, ("λ", "epochs", "t*", "max acc"), extra=extra))
    print(f"→ {sum(st.state == 'converged' for st in states)} of {len(states)} runs "
          f"converged, {sum(st.state == 'still improving' for st in states)} "
          "still improving\n")

# %% [markdown]
# The paper's claim beside ours, and the landing page's number.

# %% tags=["hide-input"]
best_lam, best_acc = verdicts.best_final_accuracy(sched.fixed.histories)
optimum, _ = wrn_cifar.fixed_T_optimum(cfg, sched.fixed.histories)
fig1a = wrn_cifar.judge_fixed_T(cfg, [sched.fixed])
smallest = {k: sweeps.final_test_accuracy(min(r.histories, key=lambda h: h.lam))
            for k, r in curves.items()}
print(f"Paper: fixed T = 200 peaks at λ = 0.0005 (0.967) and drops below; T ∝ 1/λ "
      f"keeps improving. Ours: fixed T = {cfg.schedule.fixed_T} ends best at "
      f"{optimum.describe()}; at the smallest λ: "
      + ", ".join(f"{k}: {v:.4f}" for k, v in smallest.items()))
print(f"Verdict ({cfg.data.test_samples} test images; {criteria.DEFAULT.tie_images} or "
      f"fewer apart are a tie): {fig1a.describe()}")

# %% [markdown]
# Where the verdict is inconclusive, what could decide it (`decide_fixed_T()` in the chapter's config module: the
# paper's physical time), priced as for Fig. 2e; a probe of that size committed under `probes/` is read by the same
# rule. Then the landing page's number: the λ that ends best (a tie is named in its label) and the verdict.

# %% tags=["hide-input"]
decision_1a = deciders.what_would_decide(
    "wrn_cifar.fixed_T_best_lambda", fig1a, seed=seed)
print(decision_1a.describe())
headlines.record_headline(
    "wrn_cifar", "wrn_cifar.fixed_T_best_lambda", float(best_lam),
    provenance=sched.fixed.provenance,
    label=f"best λ at fixed T = {cfg.schedule.fixed_T} epochs: {optimum.describe()}",
    setting=f"{wrn} · {data} · momentum 0.9, flip/crop/mixup, step schedule", seed=seed,
    verdict=fig1a, decision=decision_1a,
)

# %% [markdown]
# ## Fig. S2: momentum and augmentation at a fixed learning rate
#
# At `paper`, the runs of Fig. 4 as the paper's S2 shows them (λ from 5e-6 to 2e-3, the paper's η = 0.2, 0.4 in ours,
# 2000 epochs). Below `paper`, our choice: Fig. 1a's λ grid, each λ trained T(λ) epochs at the constant learning rate.

# %%
s2 = wrn_cifar.momentum_constant(cfg, seed=seed)
plotting.show(
    sweep_plots.peak_accuracy_figure(
        s2.rows, title="Fig. S2: momentum + augmentation, max test accuracy"
    ),
    f"Fig. S2: momentum 0.9, augmentation, constant η = {s2.rows[0].lr:g} (our units); "
    "each run's length is in the table below.",
    provenance=s2.provenance,
)
print(tables.format_runs(s2.rows, ("λ", "epochs", "t*", "max acc")))

# %% [markdown]
# The t* exponent against λ with momentum, and how many runs still peak at their end.

# %%
rising = sum(sweeps.peaked_at_end(r) for r in s2.rows if r.lam > 0)
print(f"t* exponent against λ with momentum: {s2.fit.describe()}" + (
    f"; but {rising} of {len(s2.rows)} runs peak in the last 10% of their epochs, so "
    "with run lengths ∝ 1/λ the exponent measures the run lengths, not a peak"
    if rising else ""))

# %% [markdown]
# ## Fig. S12: the initialization scale σ_w
#
# Fig. 1a's setup at one λ, one run per σ_w from each of `seeds.count` initializations (the curves show the
# first; the verdict below uses all).

# %%
sigma_grids = wrn_cifar.sigma_runs(cfg, seed=seed)
sigma = {f"σ_w = {s:g}": grid for s, grid in sigma_grids.items()}
plotting.show(
    applications.named_curves_figure(
        {k: g.histories[0] for k, g in sigma.items()},
        title="Fig. S12: test accuracy for several σ_w",
    ),
    f"Fig. S12: Fig. 1a's setup (momentum 0.9, augmentation, η = {cfg.schedule.lr} "
    f"with the step schedule) at λ = {cfg.sigma.lam:g} for T = {cfg.sigma.epochs} "
    "epochs, one run per initialization scale σ_w (the first seed).",
    provenance=Provenance.combine([g.provenance for g in sigma.values()]),
)

# %% [markdown]
# The spread of the test accuracy over σ_w early in training and at the end, beside the paper's claim.

# %%
early, final = (
    verdicts.accuracy_spread({k: g.histories[0] for k, g in sigma.items()}, epoch=epoch)
    for epoch in (0.1 * cfg.sigma.epochs, None)
)
print(early.describe(), final.describe(), sep="\n")
print("Paper (appendix F): runs with different σ_w differ at early times; "
      "the final accuracy depends only mildly on σ_w.")

# %% [markdown]
# The landing page's number is the final spread. Its verdict: a spread of a few test images is a tie (independent);
# a larger one, with one run per σ_w, cannot be told from seed noise and is inconclusive (with seeds, σ_w's spread is
# judged against the seeds').

# %% tags=["hide-input"]
s12 = wrn_cifar.sigma_verdict(cfg, sigma_grids)
print(f"Verdict: {s12.describe()}")
headlines.record_headline(
    "wrn_cifar", "wrn_cifar.sigma_final_spread", round(final.spread, 4), verdict=s12,
    provenance=Provenance.combine([g.provenance for g in sigma.values()]), seed=seed,
    label=f"spread of the final test accuracy over σ_w = "
        f"{', '.join(f'{x:g}' for x in cfg.sigma.scales)}",
)
