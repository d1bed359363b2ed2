"""Presets of the FC/MNIST chapter (Fig. 2a–c, S1, S5, S6). Base = appendix A: width 2048, depth 3, the first 512
MNIST samples with batch 512 (full batch), τ = 2/(ηλ) epochs, η ∈ (0.0025 … 50), λ ∈ (0, 1e-5 … 100)."""

PAPER_LRS = (0.0025, 0.01, 0.02, 0.025, 0.03, 0.05, 0.08, 0.15, 0.3, 0.5, 1, 1.5, 2, 5, 10, 25, 50)
PAPER_LAMS = (1e-5, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 20, 50, 100)


def base():
    return dict(
        data=dict(mnist_source="full", train_samples=512, test_samples=10000),
        model=dict(width=2048, depth=3),
        seeds=dict(count=1),  # the paper trains one initialization per configuration
        sweep=dict(lrs=PAPER_LRS, lams=PAPER_LAMS, physical_time=2.0, min_lr_lam=1e-5, max_lr_lam=1.0,
                   max_epochs=200_000, evals=200),
        budget=dict(lr=0.15, epochs=1000),  # Fig. 2c: η = 0.15; the paper gives no budget, 1000 epochs is ours
        mse=dict(lrs=(0.001, 0.005, 0.01, 0.02, 0.035, 0.05, 0.15, 0.3),
                 lams=(1e-5, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 50, 100), physical_time=1.0),
    )  # fmt: skip


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
