"""Presets of the theory chapter (Section 4, Fig. 5, Theorem 1, Lemma 1, App. B.1). Base = appendix A's Fig. 5
(λ = 0.01; one mode with γ/λ > 1 and one with γ/λ < 1; f0 = 0, y = 1) and Fig. 5c (kernel width 5000, trained
width 1e5, λ = 0.002, η = 0.01, 200 samples). Theorem 1's widths and App. B.1's grid are ours. Section 4's
models are the paper's own (gradient flow on a kernel, MSE): their η is not the authors' code's and is not converted."""

from . import Fields


def base() -> Fields:
    return Fields(
        mnist_source="full",
        mode=dict(lam=0.01, gammas=(1.0, 0.001), f0=0.0, y=1.0),
        # the static slider figure: a grid over λ and γ (k = 2 beside k = 1)
        slider=dict(lams=(1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1), gammas=(1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0), k=2),
        fig5c=dict(samples=200, kernel_width=5000, train_width=100_000, lam=0.002, lr=0.01, t_max=2000.0),
        thm1=dict(samples=200, widths={2: (256, 512, 1024, 2048, 4096, 8192), 3: (256, 512, 1024, 2048, 4096)},
                  lam=0.01, lr=0.02, t_max=50.0, records=2),
        lemma1=dict(samples=200, width=2048),
        b1=dict(widths=(100, 400, 1600, 6400), c=(0.2, 0.5, 0.8, 1.5)),  # deep linear net, width n, λ = c/√n
    )  # fmt: skip


def smoke() -> Fields:
    c = base()
    c.mnist_source = "embedded"
    c.fig5c = dict(samples=50, kernel_width=256, train_width=256, lam=0.01, lr=0.04, t_max=100.0)
    c.thm1.samples, c.thm1.widths, c.thm1.lr = 16, {2: (64, 128, 256), 3: (64, 128)}, 0.05
    c.lemma1 = dict(samples=16, width=64)
    c.b1 = dict(widths=(100, 400), c=(0.5, 1.5))
    return c


def cpu() -> Fields:
    # Fig. 5c scaled down: λ = 0.01 (5× shorter run), kernel width 4096, trained width 1024, η = 0.04 (ηγ_max ≈ 1.4
    # < 2, still stable).
    c = base()
    c.fig5c = dict(samples=200, kernel_width=4096, train_width=1024, lam=0.01, lr=0.04, t_max=400.0)
    c.thm1.samples, c.thm1.widths, c.thm1.lr = 64, {2: (128, 256, 512, 1024, 2048), 3: (128, 256, 512, 1024)}, 0.05
    c.lemma1 = dict(samples=64, width=512)
    return c


def paper() -> Fields:
    return base()
