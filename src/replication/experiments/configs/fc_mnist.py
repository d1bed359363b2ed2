"""Presets of the FC/MNIST chapter (Fig. 2a–c, S1, S5, S6). Base = appendix A: width 2048, depth 3, the first 512
MNIST samples with batch 512 (full batch), τ = 2/(ηλ) epochs, η ∈ (0.0025 … 50), λ ∈ (0, 1e-5 … 100), λ = 0 for
10⁶/η epochs (S5, MSE: 1/(ηλ) and 10⁵/η).

Units: ``base()``/``paper()`` in the paper's (the authors' code: our η is twice theirs, and so is every physical
time), ``smoke()``/``cpu()`` in ours; ``get_config`` converts (see ``configs``)."""

LR_FIELDS = ("sweep.lrs", "budget.lr")
# Fig. S5's MSE converts differently (training.conventions): their (η, λ) is our (η, 2λ), so its η and its λ = 0
# length (10⁵/η epochs) keep their numbers, and its λ and physical time double.
MSE_LAM_FIELDS = ("mse.lams",)
TIME_FIELDS = ("sweep.physical_time", "sweep.min_lr_lam", "sweep.max_lr_lam", "sweep.zero_lr_time",
               "mse.physical_time")  # fmt: skip

PAPER_LRS = (0.0025, 0.01, 0.02, 0.025, 0.03, 0.05, 0.08, 0.15, 0.3, 0.5, 1, 1.5, 2, 5, 10, 25, 50)
PAPER_LAMS = (1e-5, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 20, 50, 100)


def base():
    # The ηλ window spans 6 decades, as Section 2 says the paper's experiments do; its bounds (1e-6 … 1) and the cap
    # on any run's length (2e6 epochs = 2/(ηλ) at the window's lower bound) are ours.
    return dict(
        units="paper",
        data=dict(mnist_source="full", train_samples=512, test_samples=10000),
        model=dict(width=2048, depth=3),
        seeds=dict(count=1),  # the paper trains one initialization per configuration
        sweep=dict(lrs=PAPER_LRS, lams=PAPER_LAMS, physical_time=2.0, min_lr_lam=1e-6, max_lr_lam=1.0,
                   max_epochs=2_000_000, evals=200, zero_lr_time=1e6),
        budget=dict(lr=0.15, epochs=1000),  # Fig. 2c: η = 0.15; the paper gives no budget, 1000 epochs is ours
        mse=dict(lrs=(0.001, 0.005, 0.01, 0.02, 0.035, 0.05, 0.15, 0.3),
                 lams=(1e-5, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 50, 100), physical_time=1.0,
                 zero_lr_time=1e5),
    )  # fmt: skip


def scaled():
    # smoke and cpu: our units; λ = 0 as long as the longest λ > 0 run at its η (the chapter prints the paper's length)
    return dict(units="ours", sweep=dict(zero_lr_time=None), mse=dict(zero_lr_time=None))


def smoke():
    return dict(
        data=dict(mnist_source="embedded", train_samples=128, test_samples=500),
        model=dict(width=64),
        seeds=dict(count=2),
        sweep=dict(lrs=(0.2, 0.8), lams=(0.01, 0.03, 0.1), min_lr_lam=2e-3, max_lr_lam=0.1, max_epochs=1000, evals=40),
        budget=dict(lr=0.2, epochs=200),
        mse=dict(lrs=(0.2,), lams=(0.03, 0.1)),
    )


def cpu():
    # MSE at width 512 diverges within 5 steps for η ≥ 0.2, so its η grid is smaller than the paper's.
    return dict(
        data=dict(test_samples=2000),
        model=dict(width=512),
        seeds=dict(count=3),  # ours: error bars over initializations (the paper has none)
        sweep=dict(lrs=(0.05, 0.2, 0.8), lams=(1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3), min_lr_lam=5e-4, max_lr_lam=0.1,
                   max_epochs=4000, evals=100),
        budget=dict(lr=0.2, epochs=150),
        mse=dict(lrs=(0.01, 0.025, 0.05), lams=(0.05, 0.15)),
    )  # fmt: skip


def paper():
    return {}
