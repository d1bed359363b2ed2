"""Presets of the theory chapter (Section 4, Fig. 5, Theorem 1, Lemma 1, App. B.1)."""


def _common():
    return dict(
        # Fig. 5a/b (appendix A: λ = 0.01; one mode with γ/λ > 1 and one with γ/λ < 1), f0 = 0, y = 1.
        mode_lam=0.01,
        mode_gammas=(1.0, 0.001),
        mode_f0=0.0,
        mode_y=1.0,
        # the static slider figure: a grid over λ and γ (k = 2 beside k = 1)
        slider_lams=(1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1),
        slider_gammas=(1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0),
        slider_k=2,
        # App. B.1: deep linear net, width n, λ = c/√n
        b1_widths=(100, 400, 1600, 6400),
        b1_c=(0.2, 0.5, 0.8, 1.5),
    )


def smoke():
    return dict(
        _common(),
        mnist_source="embedded",
        fig5c_samples=50,
        fig5c_kernel_width=256,
        fig5c_train_width=256,
        fig5c_lam=0.01,
        fig5c_lr=0.04,
        fig5c_t_max=100.0,
        thm1_samples=16,
        thm1_widths={2: (64, 128, 256), 3: (64, 128)},
        thm1_lam=0.01,
        thm1_lr=0.05,
        thm1_t_max=50.0,
        thm1_records=2,
        lemma1_samples=16,
        lemma1_width=64,
        b1_widths=(100, 400),
        b1_c=(0.5, 1.5),
    )


def cpu():
    # Fig. 5c scaled down: λ = 0.01 instead of 0.002 (5× shorter run), kernel width 4096 instead of 5000,
    # trained width 1024 instead of 1e5, η = 0.04 instead of 0.01 (ηγ_max ≈ 1.4 < 2, still stable).
    return dict(
        _common(),
        mnist_source="full",
        fig5c_samples=200,
        fig5c_kernel_width=4096,
        fig5c_train_width=1024,
        fig5c_lam=0.01,
        fig5c_lr=0.04,
        fig5c_t_max=400.0,
        thm1_samples=64,
        thm1_widths={2: (128, 256, 512, 1024, 2048), 3: (128, 256, 512, 1024)},
        thm1_lam=0.01,
        thm1_lr=0.05,
        thm1_t_max=50.0,
        thm1_records=2,
        lemma1_samples=64,
        lemma1_width=512,
    )


def paper():
    # Appendix A, Fig. 5c: kernel width 5000, trained width 1e5, λ = 0.002, η = 0.01, 200 samples.
    return dict(
        _common(),
        mnist_source="full",
        fig5c_samples=200,
        fig5c_kernel_width=5000,
        fig5c_train_width=100_000,
        fig5c_lam=0.002,
        fig5c_lr=0.01,
        fig5c_t_max=2000.0,
        thm1_samples=200,
        thm1_widths={2: (256, 512, 1024, 2048, 4096, 8192), 3: (256, 512, 1024, 2048, 4096)},
        thm1_lam=0.01,
        thm1_lr=0.02,
        thm1_t_max=50.0,
        thm1_records=2,
        lemma1_samples=200,
        lemma1_width=2048,
    )
