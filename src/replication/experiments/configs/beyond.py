"""Presets of the "Beyond the paper" chapter: Fig. 2a's protocol (runs of τ/(ηλ) steps, t* and its fit) on FC/MNIST
for SGD, momentum SGD with the coupled L2 term, SGDW, Adam with the coupled L2 term and AdamW, from several
initialization seeds. None of this is in the paper: ``base()`` keeps appendix A's network, data and τ = 2 and adds
our choices, marked below. Every optimizer's (η, λ) grid gives the same products ηλ; Adam's η is three decades below
SGD's (the usual scale of Adam's step), its λ correspondingly larger. Each optimizer runs on its predicted clock
(:func:`replication.experiments.beyond.clock_gain`): momentum + L2's window of ηλ and its runs are 1 − β of the
sweep's, the others' are the sweep's. An optimizer's group may carry ``sweep``: its own values of the shared
``sweep``'s fields (:func:`replication.experiments.beyond.optimizer_window`).
Every number here is ours and in our units (τ = 2 is appendix A's number in our units, not converted)."""

from . import Fields


def base() -> Fields:
    return Fields(
        data=dict(mnist_source="full", train_samples=512, test_samples=10000),
        model=dict(width=2048, depth=3),
        seeds=dict(count=5),  # ours: the paper trains one initialization
        momentum=0.9,  # ours (the paper's Fig. 1a momentum): β for momentum, SGDW, and Adam's β1
        sweep=dict(physical_time=2.0, min_lr_lam=1e-4, max_lr_lam=0.1, max_epochs=20_000, evals=200),
        # ours: per-optimizer grids; ηλ spans the same products for each
        optimizers=dict(
            sgd=dict(lrs=(0.2, 0.8), lams=(2.5e-4, 1e-3, 2.5e-3, 0.01, 0.04, 0.125)),
            momentum=dict(lrs=(0.02, 0.08), lams=(2.5e-3, 0.01, 0.025, 0.1, 0.4, 1.25)),
            sgdw=dict(lrs=(0.02, 0.08), lams=(2.5e-3, 0.01, 0.025, 0.1, 0.4, 1.25)),
            adam=dict(lrs=(0.001, 0.004), lams=(0.05, 0.2, 0.5, 2.0, 8.0, 25.0)),
            adamw=dict(lrs=(0.001, 0.004), lams=(0.05, 0.2, 0.5, 2.0, 8.0, 25.0)),
        ),
    )


def smoke() -> Fields:
    c = base()
    c.data = dict(mnist_source="embedded", train_samples=128, test_samples=500)
    c.model.width = 32
    c.seeds.count = 2
    c.sweep.min_lr_lam, c.sweep.max_lr_lam, c.sweep.max_epochs, c.sweep.evals = 0.01, 0.1, 400, 30
    return c


def cpu() -> Fields:
    # 2 cores: width 256, 3 seeds, 2000 test images; ηλ ≥ 5e-4 (runs of at most 4000 epochs). At this width runs
    # with ηλ ≥ 0.025 do not learn within τ, so the learned runs reach from 5e-4 to 0.008–0.03: 1.2–1.8 decades
    # (from 2e-3 they spanned 1.2, short of the rule's 1.5: NOTES.md, session 16)
    c = base()
    c.data.test_samples = 2000
    c.model.width = 256
    c.seeds.count = 3
    # 32 evaluations a bucket spaced in log time (512 chunks, 4 an octave), so that a peak early in a long run is
    # resolved (evenly spaced, 100 a bucket until session 37: AdamW's early peaks fell at the 3rd or 4th)
    c.sweep = dict(c.sweep.to_dict(), min_lr_lam=5e-4, max_epochs=4000, evals=512, evals_per_octave=4)
    # Momentum + L2 and SGDW at the size above (NOTES.md, session 35): each seed's qualifying runs spanned 1.6–1.8
    # decades, but only through one run at one end (momentum: ηλ = 5e-5; SGDW: 0.032, where the other η does not
    # learn). So these two train one octave more at the low end, at both η (momentum's window is 1 − β lower:
    # ηλ ≥ 2.5e-5 there), so that two runs hold the low end; SGDW's top (0.032, at η = 0.08 alone: 0.025 at
    # η = 0.02 does not learn) gets λ = 0.2 at η = 0.08 (ηλ = 0.016) below it, so that no one run holds it either.
    # Runs up to τ/(ηλ) = 8000 steps. These were the two rows' declared deciders, probed in session 35 (momentum's
    # read reproduced). AdamW's span rested on its one low-end run whose early peak the evenly spaced evaluations
    # resolved; with the log-time evaluations above it decides at the shared window (session 37: not reproduced,
    # −0.393 … −0.286 in 291 s; one octave lower, its session-35 decider's size read −0.578 … −0.321 in 825 s).
    span = dict(min_lr_lam=2.5e-4, max_epochs=8000)
    for name, lams in dict(momentum=(3.125e-4, 6.25e-4, 1.25e-3), sgdw=(3.125e-3, 6.25e-3, 0.0125, 0.2)).items():
        grid = getattr(c.optimizers, name)
        setattr(c.optimizers, name, dict(lrs=grid.lrs, lams=tuple(sorted((*lams, *grid.lams))), sweep=span))
    return c


def paper() -> Fields:
    return base()


def decide_adam() -> Fields:
    # Adam + L2 at cpu: no run learned (at λ ≥ 0.05 the L2 term dominates Adam's normalized step). Ours, not
    # probed: runs that learn need λ ≲ 1e-3 at η = 1e-3, so ≥ 4 of them over 1.5 decades reach ηλ = 3e-8, i.e.
    # runs of τ/(ηλ) = 6.7·10⁷ full-batch steps
    c = cpu()
    c.optimizers.adam.lams = (3e-5, 1e-4, 3e-4, 1e-3)
    c.sweep.min_lr_lam, c.sweep.max_epochs = 3e-8, 70_000_000
    return c
