"""Theorem 2 / eq. 3 (mode_solution) and eq. S10 (function_dynamics) against high-accuracy ODE solutions of eq. 1."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from replication.theory import function_dynamics, kernel_decay, mode_solution

F0, Y = 0.7, 1.3


def ode_mode(t_eval, gamma, lam, k, f0=F0, y=Y):
    """Eq. 1 for one mode with MSE loss, integrated (LSODA, rtol 1e-11) for g = f·e^{kλt}, which removes the
    e^{−kλt} decay so that relative accuracy holds down to f ~ 1e−300: dg/dt = −γe^{−2(k−1)λt}(g − y e^{kλt})."""

    def rhs(t, g):
        return -gamma * np.exp(-2 * (k - 1) * lam * t) * g + gamma * y * np.exp(-(k - 2) * lam * t)

    def jac(t, g):
        return [[-gamma * np.exp(-2 * (k - 1) * lam * t)]]

    sol = solve_ivp(rhs, (0, t_eval[-1]), [f0], t_eval=t_eval, rtol=1e-11, atol=1e-12, method="LSODA", jac=jac)
    assert sol.success
    return sol.y[0] * np.exp(-k * lam * t_eval)


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_mode_solution_matches_ode_over_the_grid(k):
    worst = 0.0
    for gamma in [1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0]:
        for lam in [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0]:
            t = np.concatenate([[0.0], np.geomspace(1e-3, 30.0 / lam, 12)])
            ref = ode_mode(t, gamma, lam, k)
            got = mode_solution(t, gamma, lam, k, F0, Y)
            worst = max(worst, float(np.max(np.abs(got - ref) / np.abs(ref))))
    assert worst < 1e-6


def test_mode_solution_stays_finite_and_correct_at_the_extremes():
    # γ/λ = 1e8, λt up to 1e3: eq. 3 as printed overflows (e^{γ/(2(k-1)λ)} = e^{5e7}).
    for k in [2, 3, 4]:
        gamma, lam = 100.0, 1e-6
        t = np.concatenate([[0.0], np.geomspace(1e-4, 60.0 / (k * lam), 15)])
        got = mode_solution(t, gamma, lam, k, F0, Y)
        assert np.all(np.isfinite(got))
        np.testing.assert_allclose(got, ode_mode(t, gamma, lam, k), rtol=1e-6)
    late = mode_solution(np.array([1e2, 1e3])[:, None] / 1e-3, 1e5, 1e-3, [1, 2, 3, 4], F0, Y)
    assert np.all(np.isfinite(late))
    # λt = 1e3: k ≥ 2 modes have decayed to (numerically) zero; the linear model sits at γy/(γ+λ).
    np.testing.assert_allclose(late[1, 1:], 0.0, atol=1e-300)
    assert late[1, 0] == pytest.approx(1e5 * Y / (1e5 + 1e-3), rel=1e-12)


def test_lambda_zero_is_the_ntk_flow_for_every_k():
    t = np.linspace(0, 50, 11)
    for k in [1, 2, 3]:
        np.testing.assert_allclose(mode_solution(t, 0.3, 0.0, k, F0, Y), Y + (F0 - Y) * np.exp(-0.3 * t), rtol=1e-14)
    # and continuity: a tiny λ is close to λ = 0 over a time ≪ 1/λ
    np.testing.assert_allclose(mode_solution(t, 0.3, 1e-9, 2, F0, Y), mode_solution(t, 0.3, 0.0, 2, F0, Y), rtol=1e-6)


def test_mode_solution_broadcasts_and_validates():
    out = mode_solution(np.linspace(0, 10, 5)[:, None, None], [0.1, 1.0], 0.01, np.array([1, 2, 3])[:, None], F0, Y)
    assert out.shape == (5, 3, 2)
    for kwargs, name in [
        (dict(t=-1.0), "t"),
        (dict(gamma=-0.1), "gamma"),
        (dict(lam=-1e-3), "lam"),
        (dict(k=1.5), "k"),
        (dict(k=0.0), "k"),
        (dict(f0=np.nan), "f0"),
        (dict(y=np.inf), "y"),
    ]:
        args = dict(t=1.0, gamma=1.0, lam=0.01, k=2, f0=F0, y=Y) | kwargs
        with pytest.raises(ValueError, match=name):
            mode_solution(**args)


def test_theorem2_peak_structure():
    """γ/λ > 1: the mode first learns y (time ~1/γ), then decays to 0 (time ~1/λ). γ/λ < 1: it never learns."""
    lam = 0.01
    t = np.geomspace(1e-2, 5e3, 4000)
    fast = mode_solution(t, 100 * lam, lam, 2, 0.0, 1.0)
    slow = mode_solution(t, 0.01 * lam, lam, 2, 0.0, 1.0)
    assert fast.max() > 0.97 and 0.5 / (100 * lam) < t[fast.argmax()] < 5.0 / lam
    assert fast[-1] < 1e-3
    assert slow.max() < 0.02


def test_function_dynamics_matches_eq1_on_a_random_psd_kernel():
    rng = np.random.default_rng(0)
    n = 12
    a = rng.normal(size=(n, 3 * n))
    theta0 = a @ a.T / (3 * n)
    theta0 += np.diag(np.geomspace(1e-3, 1.0, n))
    f0, y = 0.1 * rng.normal(size=n), np.sign(rng.normal(size=n))
    lam, t = 0.02, np.linspace(0, 300, 31)
    for k in [1, 2, 3]:

        def rhs(tt, f):
            return -np.exp(-2 * (k - 1) * lam * tt) * theta0 @ (f - y) - k * lam * f

        ref = solve_ivp(rhs, (0, t[-1]), f0, t_eval=t, rtol=1e-11, atol=1e-13, method="LSODA").y.T
        got = function_dynamics(theta0, f0, y, lam, k, t)
        assert got.shape == (t.size, n)
        np.testing.assert_allclose(got, ref, rtol=1e-6, atol=1e-10)


def test_function_dynamics_validates_its_kernel():
    with pytest.raises(ValueError, match="theta0"):
        function_dynamics(np.ones((2, 3)), [0, 0], [1, 1], 0.01, 2, 1.0)
    with pytest.raises(ValueError, match="theta0"):
        function_dynamics(np.array([[1.0, 0.0], [0.0, -1.0]]), [0, 0], [1, 1], 0.01, 2, 1.0)
    with pytest.raises(ValueError, match="f0"):
        function_dynamics(np.eye(2), [0, 0, 0], [1, 1], 0.01, 2, 1.0)


def test_kernel_decay_is_eq2():
    t = np.linspace(0, 10, 5)
    np.testing.assert_allclose(kernel_decay(t, 0.1, 3), np.exp(-0.4 * t))
    np.testing.assert_allclose(kernel_decay(t, 0.1, 1), 1.0)


def test_fig5ab_verdict_is_decided_by_the_curves():
    """Eq. (3) itself reproduces Fig. 5a/b's claims; a mode that never decays, a linear model that decays, or a
    small-γ mode that learns is "not reproduced", each named in the reason."""
    import dataclasses

    from replication.experiments.configs import get_config
    from replication.experiments.theory_checks import FixedPoint, deep_linear_verdict, mode_examples

    modes = mode_examples(get_config("theory", "smoke"))
    t_learn, t_decay = modes.timescales()
    assert t_learn == pytest.approx(np.log(2) / modes.gammas[0], rel=0.05)  # 1 − e^{−γt} = ½ while λt ≪ 1
    assert 1 / modes.lam < t_decay < 10 / modes.lam
    assert modes.verdict().outcome == "reproduced"
    stays = dataclasses.replace(modes, learns=np.minimum(1.0, modes.time * modes.gammas[0]))
    assert stays.verdict().outcome == "not reproduced" and "never happens" in stays.verdict().reason
    decays = dataclasses.replace(modes, linear=modes.learns)
    assert decays.verdict().outcome == "not reproduced" and "k = 1 keeps it: not reproduced" in decays.verdict().reason
    learns = dataclasses.replace(modes, never=modes.learns)
    assert "never learns: not reproduced" in learns.verdict().reason
    rows = [FixedPoint(100, 0.5, 0.5 + 1e-6, 0.5), FixedPoint(100, 1.5, 0.0, 0.0)]
    assert deep_linear_verdict(rows).outcome == "reproduced"
    assert deep_linear_verdict(rows + [FixedPoint(400, 0.5, 0.51, 0.5)]).outcome == "not reproduced"
