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
# **Here, two settings.** (1) *The paper's*: the Wide ResNet of the WRN chapter with momentum 0.9 and flip/crop/mixup at
# a constant learning rate, η = 0.2 in the paper's units (the authors' code's), which is η = 0.4 in ours
# (`replication.training.conventions.from_authors`: their objective is twice ours at the same λ). At `cpu` this is a
# small WRN on a few hundred images (printed below) at the η of the WRN chapter's `cpu` Fig. 1a (ours), so c, the
# budgets and the λ grid are in that model's epochs and are ours; at `paper` they are appendix A's. (2) *Ours, a second
# setting*: the FC network on MNIST of the Fig. 2 chapter trained by full-batch SGD, where one step is one epoch.
#
# **Protocol.** (1) Measure c with one short run at a large λ. (2) One sweep over λ (and λ = 0) trained for the
# largest budget; with a constant learning rate a run of $T_\max$ epochs contains every shorter budget, so the tuned
# λ at budget T is the λ with the best test accuracy within its first T epochs. (3) One run at $\lambda_\text{pred}
# = c/T$ (and at $2c/T$) for each budget T. "Accuracy" is the best test accuracy reached within the budget, as in
# the paper (appendix A). (4) Under Fig. 1a's step schedule (η × 0.2 at 0.3T, 0.6T, 0.9T) Section 3 proposes
# $\lambda_\text{pred} \approx c/(0.3T)$, the smallest λ that peaks before the first decay: at T = 200 that is 1e-4
# (test accuracy 0.960) against the tuned 5e-4 (0.967). We test it at Fig. 1a's fixed T against the WRN chapter's
# fixed-T runs.

# %% tags=["parameters", "remove-cell"]
preset = "cpu"
seed = 0

# %% [markdown]
# The preset's configuration and where it departs from appendix A's.

# %%
from replication.analysis import budgets, criteria, tables
from replication.core.provenance import Provenance
from replication.experiments import deciders, optimal_l2, wrn_cifar
from replication.experiments.configs import paper_config, paper_differences
from replication.site import banner, headlines
from replication.viz import applications, plotting

cfg = banner.start_chapter("optimal_l2", preset=preset, seed=seed, show=False)
for field, ours, paper in paper_differences(cfg):
    print(f"{field}: {ours} (paper: {paper})")

# %% [markdown]
# ## The paper's setting: a WRN with momentum and augmentation
#
# ### Fig. 4a: measuring c at a large λ
#
# One short run at a large λ (the paper: λ = 0.01 for 2 epochs); c = t*·λ with t* in epochs.

# %%
w = optimal_l2.wrn_setting(cfg)
wrn = optimal_l2.wrn_prediction_study(cfg, seed=seed)
banner.show_banner(preset, wrn.c.grid.notice)
print(f"{wrn_cifar.model_label(w)}, {w.data.train_samples} training images of "
      f"{wrn.c.grid.input_shape}, batch {w.train.batch_size}, momentum 0.9, "
      f"flip/crop/mixup, η = {w.lr} (ours); budgets T = {w.budgets} epochs; "
      f"λ sweep {w.lams} + λ = 0")

# %% [markdown]
# The measurement run's test accuracy against epochs.

# %%
plotting.show(
    applications.named_curves_figure(
        {f"λ = {wrn.c.lam:g}": wrn.c.grid.histories[0]},
        title=f"Fig. 4a (WRN): test accuracy at λ = {wrn.c.lam:g}",
    ),
    f"Fig. 4a: the WRN measurement run (λ = {wrn.c.lam:g}, {w.c.epochs} epochs, "
    f"constant η = {w.lr}); it peaks at t* = {wrn.c.t_star:g} epochs, so "
    f"c = t*·λ = {wrn.c.c:.3g}.",
    provenance=wrn.c.grid.provenance,
)

# %% [markdown]
# The c it gives, beside the paper's, and what the run cost. Since c counts epochs, and an epoch's steps and η
# differ between the paper's setting and ours, it is also given as t*·ηλ with t* in steps (our units).

# %%
paper_c = optimal_l2.PAPER_C
paper_w = optimal_l2.wrn_setting(paper_config("optimal_l2"))
print(f"Paper: c ≈ {paper_c} (WRN-28-10, CIFAR-10). Ours: t* = {wrn.c.t_star:g} epochs "
      f"at λ = {wrn.c.lam:g} → c = {wrn.c.c:.4g}; the run cost {w.c.epochs} epochs, "
      f"{wrn.c.grid.provenance.wall_time_s:.0f} s")
print("As t*·ηλ with t* in steps (comparable across η and batch sizes): paper "
      f"{optimal_l2.c_in_steps(paper_c, paper_w):.3g}, "
      f"ours {optimal_l2.c_in_steps(wrn.c.c, w):.3g}")

# %% [markdown]
# ### Fig. 1b: best accuracy per budget, λ_pred against the tuned λ
#
# One row per budget: λ_pred = c/T (and 2c/T, Fig. S4), the tuned λ (best of the sweep within T, with every λ within
# 0.1% of it, or within the book's tie rule when that is wider, printed below: the paper's 0.1% is less than one image
# of a small test set), their ratio, both accuracies and the gap (tuned minus predicted). A tuned λ marked = is tied
# with other λ (within the tie rule): the tie is kept, and the ratio is to the tied λ nearest λ_pred. One marked < is
# the smallest λ of the sweep (> the largest): the best λ may lie beyond the grid, so its ratio is a bound. When λ = 0
# does as well as the tuned λ (or ties with it), L2 does not help at that budget and the "tuned λ" is chosen by noise.
#
# Where the preset's `wrn.seeds.count` is above one (ours at `cpu`, for the AutoL2 chapter's race against it), the
# sweep is trained from that many initialization seeds; this table and the figures read the first seed's runs, and
# the verdict below is decided in each seed's sweep (the same c and runs at λ_pred) and kept only where they agree.

# %%
print(f"sweep: {wrn.tuning.describe()}\npredicted: {wrn.predicted.describe()}")
print(f"tie rule: accuracies {criteria.DEFAULT.tie_images} or fewer of the "
      f"{w.data.test_samples} test images apart")
print(tables.format_predictions(wrn.rows))

# %% [markdown]
# Fig. 1b: the best test accuracy within each budget, of the tuned λ and of the runs at λ_pred.

# %%
plotting.show(
    applications.budget_accuracy_figure(
        wrn.rows, title="Fig. 1b (WRN): best test accuracy within T"
    ),
    "Fig. 1b: the best test accuracy within each budget T of the tuned λ and of the "
    f"runs at λ_pred = c/T and 2c/T (c = {wrn.c.c:.3g} from Fig. 4a); momentum 0.9, "
    f"flip/crop/mixup, constant η = {w.lr}.",
    provenance=wrn.provenance,
)

# %% [markdown]
# How far the tuned λ lies from λ_pred, and how much accuracy λ_pred gives up, beside the paper's claim.

# %%
one_wrn = budgets.summarize_predictions(wrn.rows, factor=1.0)
print("Paper: λ_pred within 0.4% of the tuned accuracy; "
      "tuned λ within 10× of λ_pred at every budget.")
print(f"Ours: within 10× at {one_wrn.n_within} of {one_wrn.n_budgets} budgets "
      f"(geometric-mean λ_pred/λ_tuned = {one_wrn.mean_ratio:.2f}); largest gap "
      f"{100 * one_wrn.worst_gap:.2f}% (T = {one_wrn.worst_budget:g})")
print(one_wrn.caveats() or "Every tuned λ lies inside the grid and beats λ = 0.")

# %% [markdown]
# ### Fig. 4b, S3 and S4 from the same runs

# %%
plotting.show(
    applications.prediction_figure(
        wrn.rows, title="Fig. 4b (WRN): tuned λ and λ_pred against T"
    ),
    "Fig. 4b: the tuned λ at each budget (bars: every swept λ within 0.1% of the best "
    f"accuracy, or within {criteria.DEFAULT.tie_images} test images), λ_pred = c/T and "
    f"2c/T; shaded: within 10× of c/T. λ sweep {w.lams}.",
    provenance=wrn.provenance,
)

# %% [markdown]
# Fig. S3 and S4: the best accuracy within each budget against λ, with λ_pred = c/T and 2c/T marked.

# %%
for f, fig, label in ((1.0, "S3", "c/T"), (2.0, "S4", "2c/T")):
    pred = {r.budget: r.lam_pred for r in wrn.rows if r.factor == f}
    plotting.show(
        applications.budget_sweep_figure(
            list(wrn.tuning.histories), [float(T) for T in w.budgets], pred,
            title=f"Fig. {fig} (WRN): best test accuracy within T against λ",
        ),
        f"Fig. {fig}: one curve per budget T; dashed: λ_pred = {label}.",
        provenance=Provenance.combine([wrn.c.grid.provenance, wrn.tuning.provenance]),
    )

# %% [markdown]
# ### Under the step schedule: λ_pred = c/(0.3T)
#
# At Fig. 1a's fixed budget, with the step schedule: runs at c/T and c/(0.3T) against the best λ of the WRN
# chapter's fixed-T sweep (the same stored runs).

# %%
sched = optimal_l2.scheduled_prediction(cfg, wrn.c, seed=seed)
print(f"fixed-T sweep: {sched.fixed.describe()}; λ = {w.schedule.lams}")
print(tables.format_predictions(sched.rows))
r03 = next(r for r in sched.rows if r.factor != 1.0)
print(f"Paper (T = 200): λ_pred = c/(0.3T) ≈ 1e-4 reaches 0.960 against the optimum "
      f"5e-4 at 0.967. Ours (T = {r03.budget:g}): c/(0.3T) = {r03.lam_pred:.3g} "
      f"reaches {r03.accuracy_pred:.4f} against the best λ = {r03.tuned.lam:g} at "
      f"{r03.tuned.accuracy:.4f} (ratio {r03.ratio:.2f}, gap {100 * r03.gap:.2f}%)")

# %% [markdown]
# The verdict on Section 3's claim in this setting, decided by the book's criteria (only budgets whose tuned λ lies
# inside the grid and beats λ = 0 can decide it), and the landing page's number.

# %% tags=["hide-input"]
decided = wrn.judge(factor=1.0)
print(f"Verdict: {decided.describe()}")

# %% [markdown]
# Where the verdict is inconclusive, what could decide it: the size declared beside the claim
# (`decide_wrn()` in the chapter's config module), planned as the rehearsal plans a preset (nothing trains) and
# priced here and on a GPU.

# %% tags=["hide-input"]
decision = deciders.what_would_decide("optimal_l2.accuracy_gap", decided, seed=seed)
print(decision.describe())

# %% [markdown]
# The landing page's number: the largest accuracy gap of λ_pred = c/T to the tuned λ, with the verdict.

# %% tags=["hide-input"]
stand_in = "" if wrn.c.grid.notice is None else ", on the stand-in"
headlines.record_headline(
    "optimal_l2", "optimal_l2.accuracy_gap", round(100 * one_wrn.worst_gap, 2),
    provenance=wrn.provenance, seed=seed, verdict=decided, decision=decision,
    label=f"largest gap (%) of λ_pred = c/T to the tuned λ over {one_wrn.n_budgets} "
        f"budgets {min(w.budgets)}–{max(w.budgets)} epochs; tuned within 10× at "
        f"{one_wrn.n_within}/{one_wrn.n_budgets}; {wrn_cifar.model_label(w)}, "
        f"momentum, flip/crop/mixup, c = {wrn.c.c:.3g}{stand_in}; tuned λ at the "
        f"grid's edge at {one_wrn.n_at_edge}/{one_wrn.n_budgets}, λ = 0 as good as "
        f"tuned at {one_wrn.n_lam0_as_good}/{one_wrn.n_budgets}",
)

# %% [markdown]
# ## A second setting (ours): FC on MNIST, full-batch SGD
#
# The same protocol on the Fig. 2 chapter's FC network; the paper gives this setting's budgets and λ grid only for
# its WRN, so they are ours, and so is the evaluation cadence of the sweeps (an evaluation of the whole test split
# costs many full-batch steps: at `cpu` they are evaluated in log time, as the line below says).

# %%
print(f"FC depth {cfg.model.depth}, width {cfg.model.width}, "
      f"{cfg.data.train_samples} MNIST training images (full batch), first "
      f"{cfg.data.test_samples} test images; η = {cfg.lr}; budgets T = {cfg.budgets} "
      f"epochs; λ sweep {cfg.lams} + λ = 0;\n{optimal_l2.fc_evaluations(cfg)}")

# %% [markdown]
# ### Fig. 4a (FC): measuring c at a large λ
#
# One short run at a large λ; c = t*·λ with t* in epochs.

# %%
study = optimal_l2.prediction_study(cfg, seed=seed)
c = study.c
plotting.show(
    applications.named_curves_figure(
        {f"λ = {c.lam:g}": c.grid.histories[0]},
        title=f"Fig. 4a (FC): test accuracy at λ = {c.lam:g}, η = {cfg.lr:g}",
    ),
    f"Fig. 4a: the short measurement run (λ = {c.lam:g}, {cfg.c.epochs} epochs); its "
    f"test accuracy peaks at t* = {c.t_star:g} epochs, so c = t*·λ = {c.c:.3g}.",
    provenance=c.grid.provenance,
)

# %% [markdown]
# The measured c and what the measurement run cost.

# %%
print(f"t* = {c.t_star:g} epochs at λ = {c.lam:g} → c = {c.c:.4g} (epochs·λ at η = "
      f"{cfg.lr:g}); this run cost {cfg.c.epochs} epochs, "
      f"{c.grid.provenance.wall_time_s:.0f} s")

# %% [markdown]
# ### The λ sweep and the runs at $\lambda_\text{pred}$ (FC)
#
# The tuned λ at each budget, against λ_pred = c/T and 2c/T (Fig. S4); "gap" is the tuned accuracy minus the
# predicted one.

# %%
diverged = [
    h.lam for h in study.tuning.histories + study.predicted.histories if h.diverged
]
print(f"sweep: {study.tuning.describe()}\npredicted: {study.predicted.describe()}"
      f"\ndiverged: {diverged or 'none'}")
print(tables.format_predictions(study.rows))

# %% [markdown]
# ### Fig. 4b (FC): tuned against predicted λ

# %%
plotting.show(
    applications.prediction_figure(
        study.rows, title="Fig. 4b (FC): tuned λ and λ_pred against the budget"
    ),
    "Fig. 4b: the tuned λ at each budget (bars: every swept λ within 0.1% of the best "
    f"accuracy, or within {criteria.DEFAULT.tie_images} test images), λ_pred = c/T "
    f"with c = {c.c:.3g} measured above, and 2c/T (Fig. S4); shaded: within 10× of "
    f"c/T. λ sweep {cfg.lams}.",
    provenance=study.provenance,
)

# %% [markdown]
# How far the tuned λ lies from c/T and from 2c/T, beside the paper's claim.

# %%
one, two = (budgets.summarize_predictions(study.rows, factor=f) for f in (1.0, 2.0))
print("Paper: tuned λ within an order of magnitude of λ_pred at every budget; "
      "accuracy within 0.4% of the tuned.")
for v in (one, two):
    print(f"Ours ({v.factor:g}c/T): within 10× at {v.n_within} of {v.n_budgets} "
          f"budgets (geometric-mean λ_pred/λ_tuned = {v.mean_ratio:.2f}); largest "
          f"accuracy gap {100 * v.worst_gap:.2f}% (T = {v.worst_budget:g})")
print(one.caveats() or "Every tuned λ lies inside the grid and beats λ = 0.")

# %% [markdown]
# From which budget on the prediction holds, in units of the measurement run's t*.

# %% tags=["hide-input"]
print(one.describe_holds(c.t_star))

# %% [markdown]
# ### Fig. S3 (FC): accuracy against λ at each budget

# %%
predicted_lam = {r.budget: r.lam_pred for r in study.rows if r.factor == 1.0}
plotting.show(
    applications.budget_sweep_figure(
        list(study.tuning.histories), [float(T) for T in cfg.budgets], predicted_lam,
        title="Fig. S3 (FC): best test accuracy within T against λ",
    ),
    "Fig. S3: one curve per budget T: the best test accuracy within T of each λ of the "
    "sweep; the dashed line of the same colour is λ_pred = c/T.",
    provenance=Provenance.combine([c.grid.provenance, study.tuning.provenance]),
)

# %% [markdown]
# ### Learning curves at $\lambda_\text{pred}$ and at the tuned λ (FC)
#
# At the middle budget: the run at λ_pred (trained T epochs) and the tuned λ's run (trained to the largest budget).

# %%
row = sorted(
    (r for r in study.rows if r.factor == 1.0), key=lambda r: r.budget
)[len(cfg.budgets) // 2]
h_pred = next(h for h in study.predicted.histories
              if h.steps == row.budget and h.lam == row.lam_pred)
h_tuned = next(h for h in study.tuning.histories if h.lam == row.tuned.lam)
runs = {f"λ_pred = {row.lam_pred:.2g}": h_pred,
        f"tuned λ = {row.tuned.lam:.2g}": h_tuned}

# %% [markdown]
# The two learning curves, and the best accuracy each reaches within T.

# %%
plotting.show(
    applications.named_curves_figure(
        runs, title=f"FC: budget T = {row.budget:g} epochs", budget=row.budget
    ),
    f"Test accuracy at λ_pred = c/T and at the tuned λ for the budget "
    f"T = {row.budget:g} epochs (dotted line); the tuned run continues to the largest "
    "budget.",
    provenance=study.provenance,
)
print(f"T = {row.budget:g}: λ_pred reaches {row.accuracy_pred:.4f}, the tuned λ "
      f"{row.tuned.accuracy:.4f} within it")

# %% [markdown]
# **Reading the numbers.** In either setting the claim holds if the tuned λ stays within the shaded band at every budget
# and the gap column stays small. Neighbouring λ of the sweep are a few times apart (printed above), so "tuned λ" is
# only known to that resolution; the range shows how flat the optimum is. Where the gap is negative, λ_pred did better
# than every swept λ. The WRN setting at `cpu` is a small network on a few hundred images (CIFAR-10's, or the stand-in
# its banner names): its c and budgets are in its own epochs, not the paper's.
