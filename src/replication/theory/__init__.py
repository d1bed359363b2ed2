"""Layer 4a, theory (Section 4): the mode solution eq. (3) and its ODE, the empirical NTK and homogeneity
(Lemma 1), and the finite-width experiments (Fig. 5c, Theorem 1, App. B.1)."""

from .modes import function_dynamics, kernel_decay, mode_ode_rhs, mode_solution

__all__ = ["mode_solution", "kernel_decay", "mode_ode_rhs", "function_dynamics"]
