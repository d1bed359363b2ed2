"""Presets of the CNN chapter (Fig. 3a–f, S6): appendix A's CNN without and with batch norm, SGD η = 0.01, batch 128,
trained for 0.01/(ηλ) epochs; λ = 0 as long as the longest λ > 0 run (the paper: 21000 / 9500 epochs).

Physical time is counted in steps·η·λ across presets (``physical_steps``): the paper's 0.01 epochs of 390 steps
(50000/128) is 3.9 step-units; a preset with fewer images per epoch trains proportionally more epochs."""

PAPER_LAMS = (5e-5, 0.0001, 0.0005, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2)


def smoke():
    return dict(
        mnist_source="embedded",
        train_samples=128,
        test_samples=128,
        channels=4,
        hidden=32,
        batch_size=64,
        lr=0.1,
        lams=(1.0, 2.0),
        physical_steps=4.0,
        max_epochs=4,
        evals=4,
        eval_batch_size=128,
        budget_epochs=2,
    )


def cpu():
    # 8 channels and a 64-unit dense layer instead of 300/500; 512 training and 500 test images of whatever the
    # machine has (CIFAR-10 or the stand-in); batch 64; η = 0.1 instead of 0.01 (XLA's CPU convolutions run at
    # ~7 GFLOP/s on 2 cores, so the runs must be short; η = 0.3 diverges without BN); ηλ over 2 decades (2e-3 … 0.2)
    # instead of 4.6. Physical time is matched to the paper's in steps·η·λ: 0.01 epochs × 390 steps ≈ 4 step-units.
    # In the standard parameterization the NTK grows with the width, so at 8 channels the top of this grid (λ ≥ 0.2)
    # pulls the weights to zero before the network learns (session 3: peak accuracy 0.13–0.17); the chapter marks
    # those runs and fits with and without them. Batch 128 and 1000 test images took 46 + 39 min (session 3).
    return dict(
        mnist_source="full",
        train_samples=512,
        test_samples=500,
        channels=8,
        hidden=64,
        batch_size=64,
        lr=0.1,
        lams=(0.02, 0.05, 0.1, 0.2, 0.5, 2.0),
        physical_steps=4.0,
        max_epochs=500,
        evals=48,
        eval_batch_size=500,
        budget_epochs=50,
    )


def paper():
    return dict(
        mnist_source="full",
        train_samples=50000,
        test_samples=10000,
        channels=300,
        hidden=500,
        batch_size=128,
        lr=0.01,
        lams=PAPER_LAMS,
        physical_steps=0.01 * 390,
        max_epochs=21000,
        evals=200,
        eval_batch_size=1000,
        budget_epochs=100,
    )
