"""Presets of the CNN chapter (Fig. 3a–f, S6): appendix A's CNN without and with batch norm, SGD η = 0.01, batch
128, trained for 0.01/(ηλ) epochs; λ = 0 for the paper's 21000 / 9500 epochs at `paper`, and as long as the longest
λ > 0 run below.

Physical time is counted in steps·η·λ across presets (``sweep.physical_steps``): the paper's 0.01 epochs of 390
steps (50000/128) is 3.9 step-units; a preset with fewer images per epoch trains proportionally more epochs.

Units: ``base()``/``paper()`` in the paper's (the authors' code: our η and every physical time are twice theirs),
``smoke()``/``cpu()`` in ours; ``get_config`` converts (see ``configs``)."""

LR_FIELDS = ("train.lr",)
TIME_FIELDS = ("sweep.physical_steps",)

PAPER_LAMS = (5e-5, 0.0001, 0.0005, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2)


def base():
    return dict(
        units="paper",
        data=dict(mnist_source="full", train_samples=50000, test_samples=10000),
        model=dict(channels=300, hidden=500),
        train=dict(batch_size=128, lr=0.01, evals=200, eval_batch_size=1000),
        # λ = 0: 21000 epochs without BN, 9500 with BN (appendix A)
        sweep=dict(
            lams=PAPER_LAMS, physical_steps=0.01 * 390, max_epochs=21000, zero_epochs=21000, zero_epochs_bn=9500
        ),
        budget=dict(epochs=100),  # Fig. 3c/f: the paper gives no budget; 100 epochs is ours
    )


def scaled():
    # smoke and cpu: our units; λ = 0 as long as the longest λ > 0 run (the chapter prints the paper's length)
    return dict(units="ours", sweep=dict(zero_epochs=None, zero_epochs_bn=None))


def smoke():
    return dict(
        data=dict(mnist_source="embedded", train_samples=128, test_samples=128),
        model=dict(channels=4, hidden=32),
        train=dict(batch_size=64, lr=0.1, evals=4, eval_batch_size=128),
        sweep=dict(lams=(1.0, 2.0), physical_steps=4.0, max_epochs=4),
        budget=dict(epochs=2),
    )


def cpu():
    # 16 channels and a 64-unit dense layer, 1024 training and 500 test images, batch 64, η = 0.1 (η = 0.3 diverges
    # without BN), ηλ over 2 decades. In the standard parameterization the NTK grows with the width, so the top of
    # this grid (λ ≥ 0.2 at 8 channels) can pull the weights to zero before the network learns; the chapter marks
    # those runs and fits with and without them. Sessions 3–5 ran 8 channels on 512 images; the convolutions as
    # matrix products (session 6) made a 16-channel step cheaper than the old 8-channel one.
    return dict(
        data=dict(train_samples=1024, test_samples=500),
        model=dict(channels=16, hidden=64),
        train=dict(batch_size=64, lr=0.1, evals=48, eval_batch_size=500),
        sweep=dict(lams=(0.02, 0.05, 0.1, 0.2, 0.5, 2.0), physical_steps=4.0, max_epochs=500),
        budget=dict(epochs=50),
    )


def paper():
    return {}
