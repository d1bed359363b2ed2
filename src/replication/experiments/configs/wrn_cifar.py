"""Presets of the Wide ResNet chapter (Fig. 2d–f, 1a, S2, S12).

Appendix A: WRN-28-10, batch 1024, σ_w = 1, σ_b = 0. Fig. 2d–f: SGD, no augmentation, 0.1/(ηλ) epochs. Fig. 1a:
momentum 0.9, augmentation (flip, crop, mixup), η = 0.2 × 0.2 at 0.3T/0.6T/0.9T, fixed T = 200 against
T(λ) = 0.1/λ (chosen so that T(0.0005) = 200). S2: momentum and augmentation at a fixed learning rate. S12 (appendix
F): Fig. 1a's setup repeated for several σ_w.

Physical time is counted in *steps*·η·λ across presets: an epoch of the paper has 49 steps (50000/1024), one of
`cpu` has ``train_samples/batch_size``; ``physical_steps`` is the paper's 0.1 epochs × 49 steps ≈ 5 step-units
(4 at `cpu`).
"""

PAPER_LRS = (0.0125, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6)
PAPER_LAMS = (1.5625e-5, 6.25e-5, 1.25e-4, 2.5e-4, 5e-4, 1e-3, 2e-3, 4e-3, 8e-3, 0.016)


def smoke():
    # one run per section: XLA compiles each grid program once (~6 s for a WRN on 2 cores)
    return dict(
        mnist_source="embedded",
        train_samples=64,
        test_samples=64,
        depth=10,
        widen=1,
        batch_size=32,
        lrs=(0.2,),
        lams=(1.0,),
        min_lr_lam=0.0,
        max_lr_lam=1.0,
        physical_steps=4.0,
        max_epochs=2,
        evals=2,
        eval_batch_size=64,
        budget_epochs=2,
        sched_lr=0.2,
        sched_lams=(1.0,),
        fixed_T=2,
        T_scale=2.0,
        sched_max_epochs=2,
        sigmas=(1.0,),
        sigma_lam=1.0,
        sigma_epochs=2,
    )


def cpu():
    # WRN-10-1 (16/16/32/64 channels, 78k parameters) instead of WRN-28-10, on 256 training / 256 test images averaged
    # down 2× (28×28 → 14×14: the stand-in; 4× fewer FLOPs), batch 32 (8 steps per epoch). Measured on 2 cores: ~0.2 s
    # per run-step (XLA's CPU convolutions reach only 3–7 GFLOP/s). With the loss normalized by 2k (appendix A), η of
    # 0.1–0.4 and λ ≥ 0.25 barely train in the available steps (probe: accuracy ≤ 0.26 after 48 steps, 0.11 at
    # λ ≥ 0.25), so Fig. 2d–f use larger η and smaller λ: ηλ over 2.1 decades (2e-3 … 0.26) at 4 step-units of
    # physical time (20 min). Fig. 1a/S2: with momentum the physical time is steps·ηλ/(1 − m). A first plan at
    # η = 0.4 (effective 4), λ = 0.0025…0.02, fixed T = 60 epochs, T(λ) = 0.3/λ (18 min) learned only at the smallest
    # λ (peaks 0.56, 0.24, 0.19, 0.18): ηλ/(1 − m) ≥ 0.02 pulls the weights in before the augmented task is learned.
    # So: η = 0.6 (effective 6), λ = 3.1e-4…2.5e-3, T(λ) = 0.025/λ epochs (80 … 10) against a fixed T = 40 = T(6.25e-4).
    # S12 repeats Fig. 1a's setup (as the paper's appendix F does) per σ_w at the best-trained λ, T = 80 epochs.
    return dict(
        mnist_source="full",
        train_samples=256,
        test_samples=256,
        downsample=2,
        depth=10,
        widen=1,
        batch_size=32,
        lrs=(1.6, 6.4),
        lams=(1.25e-3, 2.5e-3, 5e-3, 0.01, 0.02, 0.04),
        min_lr_lam=1.9e-3,
        max_lr_lam=0.3,
        physical_steps=4.0,
        max_epochs=250,
        evals=32,
        eval_batch_size=256,
        budget_epochs=20,
        sched_lr=0.6,
        sched_lams=(3.125e-4, 6.25e-4, 1.25e-3, 2.5e-3),
        fixed_T=40,
        T_scale=0.025,
        sched_max_epochs=120,
        sigmas=(0.5, 1.0, 2.0),
        sigma_lam=3.125e-4,
        sigma_epochs=80,
    )


def paper():
    return dict(
        mnist_source="full",
        train_samples=50000,
        test_samples=10000,
        depth=28,
        widen=10,
        batch_size=1024,
        lrs=PAPER_LRS,
        lams=PAPER_LAMS,
        min_lr_lam=2.5e-5,
        max_lr_lam=1.0,
        physical_steps=0.1 * 49,
        max_epochs=4000,
        evals=200,
        eval_batch_size=1000,
        budget_epochs=200,
        sched_lr=0.2,
        sched_lams=(5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3),
        fixed_T=200,
        T_scale=0.1,
        sched_max_epochs=4000,
        sigmas=(0.5, 1.0, 2.0),
        sigma_lam=5e-4,
        sigma_epochs=200,
    )
