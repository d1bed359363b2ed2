"""Presets of the CNN chapter (Fig. 3a–f, S6): appendix A's CNN without and with batch norm, SGD η = 0.01, batch 128,
trained for 0.01/(ηλ) epochs; λ = 0 as long as the longest λ > 0 run (the paper: 21000 / 9500 epochs)."""

PAPER_LAMS = (5e-5, 0.0001, 0.0005, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2)


def smoke():
    return dict(mnist_source="embedded", train_samples=256, test_samples=256, channels=4, hidden=32, batch_size=64,
                lr=0.01, lams=(0.5, 1.0, 2.0), physical_time=0.01, max_epochs=8, evals=16, eval_batch_size=256,
                budget_epochs=2)


def cpu():
    # 16 channels and a 128-unit dense layer instead of 300/500; 1024 training and 1000 test images of whatever the
    # machine has (CIFAR-10 or the stand-in); ηλ over 2.3 decades (1e-4 … 2e-2) instead of 4.6.
    return dict(mnist_source="full", train_samples=1024, test_samples=1000, channels=16, hidden=128, batch_size=128,
                lr=0.01, lams=(0.01, 0.03, 0.1, 0.3, 1.0, 2.0), physical_time=0.01, max_epochs=100, evals=100,
                eval_batch_size=500, budget_epochs=10)


def paper():
    return dict(mnist_source="full", train_samples=50000, test_samples=10000, channels=300, hidden=500, batch_size=128,
                lr=0.01, lams=PAPER_LAMS, physical_time=0.01, max_epochs=21000, evals=200, eval_batch_size=1000,
                budget_epochs=100)
