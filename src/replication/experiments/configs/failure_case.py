"""Presets of the failure-case chapter (Fig. S7): an FC network of depth 3 and width 64 on CIFAR-10, batch 512,
η = 0.1, cross-entropy: not overparameterized, so the paper finds an optimal λ ≠ 0 and t* no longer ∝ 1/λ below it.
Each run is trained for ``sweep.physical_time``/(ηλ) epochs (capped), λ = 0 as long as the longest.

Appendix A gives the network, batch size and η only: the λ grid, the physical time and the cap are ours. The paper's
numbers are converted to our units where they are written (``paper_lr``, ``paper_time``; see ``configs``)."""

from . import Fields, paper_lr, paper_time

HAS_LEARNING_RATES = True


def base() -> Fields:
    return Fields(
        data=dict(mnist_source="full", train_samples=50000, test_samples=10000),
        model=dict(width=64, depth=3),
        train=dict(batch_size=512, lr=paper_lr(0.1), evals=200, train_eval_samples=None),  # None: all training images
        seeds=dict(count=1),  # the paper trains one initialization per configuration
        sweep=dict(lams=(1e-5, 1e-4, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5), physical_time=paper_time(2.0),
                   max_epochs=20000),
    )  # fmt: skip


def smoke() -> Fields:
    c = base()
    c.data = dict(mnist_source="embedded", train_samples=512, test_samples=500)
    c.train = dict(batch_size=128, lr=0.1, evals=32)  # η = 0.1 in ours
    c.sweep = dict(lams=(0.03, 0.1, 0.3), physical_time=1.0, max_epochs=64)
    c.seeds.count = 2  # so CI runs the seeds' path of the verdict
    return c


def cpu() -> Fields:
    # 4096 training images of CIFAR-10 (or the stand-in) and all 10000 test images (the optimum is a few test images
    # above its neighbours: on 2000, one seed of three tied it with λ = 3e-5); the paper's η and the base's physical
    # time (4 in ours). λ from 1e-6 to 3e-2: a probe (NOTES.md, session 13) found the best peak at λ = 3e-4 … 1e-3 on
    # the stand-in, and runs below it peak early (t* ≈ 200 epochs), so the cap of 3000 epochs cuts the small λ short
    # of their 20/λ epochs well after their peak (the chapter lists them); 1e-6 and 3e-6 give the runs below the
    # optimum 2.5 decades of ηλ, 2 with any one run left out (the rule's 1.5 that no single run carries: 1e-5 … 3e-4
    # spans 1.48; with 3e-6 alone a seed's span rested on that one run, NOTES.md, session 35).
    c = base()
    c.data.train_samples = 4096
    # 32 evaluations a bucket spaced in log time (512 chunks, 4 an octave; ours): evenly spaced, 100 of them put the
    # capped runs' evaluations 41 epochs apart, and their t* (≈ 120–250) at the 3rd–6th, where t* is not resolved to
    # the rule's 25% (NOTES.md, session 35). The training metrics over the first 512 images (ours: speed).
    c.train = dict(c.train.to_dict(), evals=512, evals_per_octave=4, train_eval_samples=512)
    c.seeds.count = 3  # ours: the optimum is a few test images above its neighbours; each seed must show it
    c.sweep.lams, c.sweep.max_epochs = (1e-6, 3e-6, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03), 3000
    return c


def paper() -> Fields:
    return base()
