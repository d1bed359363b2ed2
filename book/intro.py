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
# # On the training dynamics of deep networks with L2 regularization: a re-executable replication
#
# This book re-runs the experiments and the theory of Lewkowycz & Gur-Ari (NeurIPS 2020). Every number shown
# is computed by the code the book shows, from the package `replication` in this repository; every figure's
# caption names the preset, the device and the wall time that produced it.
#
# ## What the paper claims
#
# For overparameterized networks trained with the loss $L + \tfrac{1}{2}\lambda\|\theta\|_2^2$:
#
# 1. **Time to peak performance scales as $1/\lambda$.** The number of steps until the test accuracy peaks is
#    $t_* \approx c/\lambda$; with plain SGD at learning rate $\eta$ it is $t_* \approx c'/(\eta\lambda)$, across six
#    decades of $\eta\lambda$ (Fig. 2, 3).
# 2. **Performance does not degrade at small $\lambda$ if you train long enough.** With a fixed budget the accuracy
#    peaks at one $\lambda$; with a budget $\propto 1/\lambda$ it plateaus as $\lambda \to 0$, and a small non-zero
#    $\lambda$ often beats $\lambda = 0$ (Fig. 1a, 2).
# 3. **Two applications.** The optimal $\lambda$ for a budget $T$ is predicted by $\lambda_{\rm pred} = c/T$, with $c$
#    measured cheaply at a large $\lambda$ (Fig. 1b, 4); and **AutoL2**, which starts at a large $\lambda$ and decays it
#    when the loss or error rises, trains faster and ends better than a tuned constant (Fig. 1c).
# 4. **Theory.** For a $k$-homogeneous network at infinite width, the NTK decays as $\Theta_t = e^{-2(k-1)\lambda t}\Theta_0$
#    and the function obeys eq. (1); for MSE each kernel mode learns at $t \sim 1/\gamma$ and decays to zero at
#    $t \sim 1/\lambda$ (eq. 3, Fig. 5), which a linear model ($k = 1$) does not.
#
# ## Presets
#
# | preset | what it is | where |
# | --- | --- | --- |
# | `smoke` | tiny sizes; checks the pipeline in minutes. **Never a replication.** | CI |
# | `cpu` | scaled down to a 2-core CPU; each chapter states its sizes, each verdict whether they decide its claim | `make book` (default) |
# | `paper` | the paper's sizes (appendix A) | a GPU |
#
# Re-execute the whole book with `make book PRESET=cpu`, or one chapter with papermill, e.g.
# `jupytext --to ipynb -o - book/data.py | papermill - out.ipynb -p preset cpu -p seed 0`.

# %% tags=["parameters", "remove-cell"]
preset = "cpu"
seed = 0

# %% [markdown]
# ## Figures of the paper, the chapter that reproduces each, and our number
#
# The "ours" column is read from the headline results that the chapters record when they run at this page's preset;
# the last column says which model, data and optimizer produced each of our numbers. Where that differs from the
# paper's setting (smaller networks and data sets below `paper`, and every CIFAR row on a machine without CIFAR-10,
# which runs on a stand-in), the two numbers of a row are not measurements of the same thing. The verdict column is
# decided by code from our runs, by the rule printed above the table (`replication.analysis.criteria`): "reproduced"
# appears only where that rule says so, "inconclusive" says why the runs cannot decide, and a row whose chapter has
# no rule for its claim yet says so.

# %% tags=["remove-input"]
from IPython.display import HTML, display

from replication.analysis import criteria
from replication.core.presets import check_parameters
from replication.site import banner, headlines
from replication.site import registry as figures

check_parameters(preset=preset, seed=seed)
banner.show_banner(preset)
display(HTML(f"<p><strong>The rule.</strong> {criteria.DEFAULT.describe()}.</p>"))
display(HTML(figures.landing_table_html(headlines.load_headlines(preset),
                                        figures.toc_chapters())))

# %% [markdown]
# ## What could decide them
#
# A claim our runs leave inconclusive says what could decide it: a size declared beside the claim (a `decide_...`
# function of its chapter's config module, built from `cpu` or `paper`), planned by the chapter as the rehearsal
# plans a preset (nothing is trained) and priced in run-steps, FLOPs and time: on the machine that ran the chapter
# (for a `cpu`-based size at the rate a timed step of each model reached there; for a `paper`-based one a lower
# bound, its FLOPs at the machine's matrix-multiply rate) and on H200 GPUs (the rehearsal's estimate: the fraction
# of the peak measured on one). "Probed" sizes rest on probe runs recorded in the project's `NOTES.md` or committed
# whole under its `probes/`; the others are our estimate. A size whose recorded probe still reads inconclusive says
# so, and is listed as "tried before" beside the next size declared. Where a size was trained once and its runs are
# committed under the project's `probes/`, the chapter's own rule judges the claim from them each time the chapter
# runs: that reading (in bold only for the whole size trained by today's code), and the runs it rests on (whether
# they are the whole size, when, where and by which commit, and which code has changed since), follow the size. The
# landing table above keeps the verdict of this preset's runs.

# %% tags=["remove-input"]
display(HTML(figures.decisions_table_html(headlines.load_headlines(preset))))

# %% [markdown]
# ## Conventions
#
# Unless a chapter says otherwise we follow the paper: L2 is the explicit loss term $\tfrac12\lambda\|\theta\|^2$ on
# **all** parameters (not decoupled weight decay), standard parameterization with LeCun initialization
# $W \sim \mathcal N(0, \sigma_w^2/N_{\rm in})$, and appendix A's softmax-loss normalization
# $-\frac{1}{2k|B|}\sum y\log p$. The authors' code (google/autol2) minimizes twice that objective at the same λ (it
# adds `L2 * sum(theta**2)`, no ½, and averages cross-entropy over batch and classes), so its run at $(\eta, \lambda)$ is
# ours at $(2\eta, \lambda)$: the same λ, twice the η. The `paper` presets are written in the paper's units, which are
# the code's, and converted in one place (`replication.training.conventions`, applied by the presets), so a `paper`
# run is the authors' run step for step; every chapter prints the units of its numbers first. See the
# [data and conventions](data) chapter.

# %% [markdown]
# ## Citing
#
# The paper replicated here:
#
# ```bibtex
# @inproceedings{lewkowycz2020training,
#   title     = {On the training dynamics of deep networks with {$L_2$} regularization},
#   author    = {Lewkowycz, Aitor and Gur-Ari, Guy},
#   booktitle = {Advances in Neural Information Processing Systems},
#   volume    = {33},
#   year      = {2020},
#   eprint    = {2006.08643},
#   archivePrefix = {arXiv},
# }
# ```
#
# This book: see `CITATION.cff` in its repository (code and text under the Apache License 2.0). Data sources and
# their attributions are listed in the [data and conventions](data) chapter.
