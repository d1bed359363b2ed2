"""Presets of the failure-case chapter (Fig. S7): an FC network of depth 3 and width 64 on CIFAR-10, batch 512,
η = 0.1, cross-entropy: not overparameterized, so the paper finds an optimal λ ≠ 0 and t* no longer ∝ 1/λ below it.
Each run is trained for ``sweep.physical_time``/(ηλ) epochs (capped), λ = 0 as long as the longest.

Appendix A gives the network, batch size and η only: the λ grid, the physical time and the cap are ours.
Units: ``base()``/``paper()`` in the paper's (our η and every physical time are twice the authors'), ``smoke()``/
``cpu()`` in ours; ``get_config`` converts (see ``configs``)."""

LR_FIELDS = ("train.lr",)
TIME_FIELDS = ("sweep.physical_time",)


def base():
    return dict(
        units="paper",
        data=dict(mnist_source="full", train_samples=50000, test_samples=10000),
        model=dict(width=64, depth=3),
        train=dict(batch_size=512, lr=0.1, evals=200),
        sweep=dict(lams=(1e-5, 1e-4, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5), physical_time=2.0, max_epochs=20000),
    )


def scaled():
    return dict(units="ours")


def smoke():
    return dict(
        data=dict(mnist_source="embedded", train_samples=512, test_samples=500),
        train=dict(batch_size=128, evals=32),
        sweep=dict(lams=(0.03, 0.1, 0.3), physical_time=1.0, max_epochs=64),
    )


def cpu():
    # 4096 training images of CIFAR-10 (or the stand-in); ηλ over 2 decades (3e-4 … 3e-2)
    return dict(
        data=dict(train_samples=4096, test_samples=2000),
        train=dict(evals=100),
        sweep=dict(lams=(0.003, 0.01, 0.03, 0.1, 0.3), max_epochs=3000),
    )


def paper():
    return {}
