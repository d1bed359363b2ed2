"""Presets of the FC/MNIST chapter (Fig. 2a–c, S1, S5, S6). Appendix A: width 2048, depth 3, 512 samples,
batch 512, τ = 2/(ηλ) epochs, η ∈ (0.0025 … 50), λ ∈ (0, 1e-5 … 100)."""

PAPER_LRS = (0.0025, 0.01, 0.02, 0.025, 0.03, 0.05, 0.08, 0.15, 0.3, 0.5, 1, 1.5, 2, 5, 10, 25, 50)
PAPER_LAMS = (1e-5, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 20, 50, 100)


def smoke():
    return dict(
        mnist_source="embedded",
        train_samples=128,
        test_samples=500,
        width=64,
        depth=3,
        lrs=(0.2, 0.8),
        lams=(0.01, 0.03, 0.1),
        physical_time=2.0,
        min_lr_lam=2e-3,
        max_lr_lam=0.1,
        max_epochs=1000,
        evals=40,
        budget_lr=0.2,
        budget_epochs=200,
        mse_lrs=(0.2,),
        mse_lams=(0.03, 0.1),
        mse_physical_time=1.0,
    )


def cpu():
    # Width 512 instead of 2048, 2000 test images instead of 10000, ηλ over 2.2 decades (5e-4 … 0.08) instead of 6.
    # MSE at width 512 diverges within 5 steps for η ≥ 0.2 (measured), so its η grid is smaller than the paper's.
    return dict(
        mnist_source="full",
        train_samples=512,
        test_samples=2000,
        width=512,
        depth=3,
        lrs=(0.05, 0.2, 0.8),
        lams=(1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3),
        physical_time=2.0,
        min_lr_lam=5e-4,
        max_lr_lam=0.1,
        max_epochs=4000,
        evals=100,
        budget_lr=0.2,
        budget_epochs=150,
        mse_lrs=(0.01, 0.025, 0.05),
        mse_lams=(0.05, 0.15),
        mse_physical_time=1.0,
    )


def paper():
    return dict(
        mnist_source="full",
        train_samples=512,
        test_samples=10000,
        width=2048,
        depth=3,
        lrs=PAPER_LRS,
        lams=PAPER_LAMS,
        physical_time=2.0,
        min_lr_lam=1e-5,
        max_lr_lam=1.0,
        max_epochs=200_000,
        evals=200,
        budget_lr=0.15,
        budget_epochs=1000,
        mse_lrs=(0.001, 0.005, 0.01, 0.02, 0.035, 0.05, 0.15, 0.3),
        mse_lams=(1e-5, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 50, 100),
        mse_physical_time=1.0,
    )
