"""AutoL2 (appendix E, Algorithm 1): an automatic schedule for the L2 coefficient λ.

Start at a large λ (0.1). Every ``every`` steps the training loop measures the bare training loss (without the L2
term) and the training error. If either has been above its running minimum at two consecutive measurements, and the
step is past the end of the refractory period, divide λ by ``factor`` (10) and forbid any further decay for the next
``delay``/λ steps (0.1/λ: "the physical scale of the system"). Otherwise fold the *previous* measurement into the
running minima (so a decay step never lowers them).

The controller is a frozen configuration; its state is a small pytree of JAX scalars (:class:`AutoL2State`), so
``update`` runs inside ``jit``/``vmap``/``lax.scan`` with λ as traced state, not a Python constant.

Two variants (``variant=``):

* ``"paper"`` (default): Algorithm 1 as printed. Increases are strict (loss > min, error > min), the refractory
  period starts at step 0, measurements are whatever the caller passes (our engine: the training batch of that
  step; with full-batch training, the whole training set).
* ``"code"``: the authors' google/autol2 (``jax_wideresnet_exps.py``). The error test is on accuracy,
  ``acc ≤ running max`` at two consecutive measurements, and the loss test is ``loss ≥ running min``: both are
  *non-strict*, so a plateau (e.g. training accuracy stuck at 1.0) counts as an increase and decays λ every time the
  refractory period ends. Its first refractory period is ``delay/λ0`` steps (the code compares
  ``step > delay/λ + step_of_last_decay`` with the last decay at step 0), and it measures on one training batch.
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import jax.numpy as jnp

from replication.core.validation import check_choice, check_positive, check_positive_int

__all__ = ["AutoL2", "AutoL2State", "VARIANTS"]

VARIANTS = ("paper", "code")


class AutoL2State(NamedTuple):
    """λ and the controller's memory (all JAX scalars; a pytree)."""

    lam: jnp.ndarray  # current λ
    min_loss: jnp.ndarray  # running minimum of the bare training loss (∞ until the second measurement)
    min_error: jnp.ndarray  # running minimum of the training error
    prev_loss: jnp.ndarray  # the previous measurement (∞ before the first)
    prev_error: jnp.ndarray
    min_step: jnp.ndarray  # end of the refractory period (a decay needs step > min_step)
    n_decays: jnp.ndarray  # how many times λ was decayed
    last_decay: jnp.ndarray  # step of the last decay (−1: none)


@dataclasses.dataclass(frozen=True)
class AutoL2:
    """Algorithm 1 of appendix E. ``every`` is k (the paper measures every 5 steps; the authors' code every 10)."""

    lam0: float = 0.1
    factor: float = 10.0
    delay: float = 0.1
    every: int = 5
    variant: str = "paper"

    def __post_init__(self):
        check_positive("lam0", self.lam0)
        check_positive("delay", self.delay)
        check_positive_int("every", self.every)
        check_choice("variant", self.variant, VARIANTS)
        if not self.factor > 1.0:
            raise ValueError(f"factor={self.factor!r} must be > 1 (λ is divided by it).")

    def init(self, lam0=None) -> AutoL2State:
        """The state before training; ``lam0`` (may be traced) overrides the configured starting λ."""
        lam = jnp.asarray(self.lam0 if lam0 is None else lam0, jnp.float32)
        inf = jnp.asarray(jnp.inf, jnp.float32)
        min_step = self.delay / lam if self.variant == "code" else jnp.zeros((), jnp.float32)
        return AutoL2State(
            lam=lam,
            min_loss=inf,
            min_error=inf,
            prev_loss=inf,
            prev_error=inf,
            min_step=min_step,
            n_decays=jnp.asarray(0, jnp.int32),
            last_decay=jnp.asarray(-1, jnp.int32),
        )

    def increased(self, state: AutoL2State, loss, error):
        """ERROR_OR_LOSS_INCREASES: loss or error above its running minimum now *and* at the previous measurement."""
        if self.variant == "paper":
            up_loss = (loss > state.min_loss) & (state.prev_loss > state.min_loss)
            up_err = (error > state.min_error) & (state.prev_error > state.min_error)
        else:  # google/autol2: minloss <= loss (both), maxacc >= acc (both); finite minima only
            seen = jnp.isfinite(state.min_loss)
            up_loss = seen & (loss >= state.min_loss) & (state.prev_loss >= state.min_loss)
            up_err = seen & (error >= state.min_error) & (state.prev_error >= state.min_error)
        return up_loss | up_err

    def update(self, state: AutoL2State, step, loss, error) -> AutoL2State:
        """One measurement at ``step`` (call it when step % every == 0). Traceable: no Python control flow on
        values. A NaN measurement counts as no increase and leaves the minima alone."""
        step = jnp.asarray(step, jnp.float32)
        loss = jnp.asarray(loss, jnp.float32)
        error = jnp.asarray(error, jnp.float32)
        # steps are integers: the 1e-3 only keeps float32 rounding of an integer boundary (0.1/0.01 = 9.9999990)
        # from turning the strict "t > MIN_STEP" into "t >= MIN_STEP"
        decay = self.increased(state, loss, error) & (step > state.min_step + 1e-3)
        new_lam = jnp.where(decay, state.lam / self.factor, state.lam)
        fold = ~decay
        return AutoL2State(
            lam=new_lam,
            min_loss=jnp.where(fold, jnp.fmin(state.min_loss, state.prev_loss), state.min_loss),
            min_error=jnp.where(fold, jnp.fmin(state.min_error, state.prev_error), state.min_error),
            prev_loss=loss,
            prev_error=error,
            min_step=jnp.where(decay, self.delay / new_lam + step, state.min_step),
            n_decays=state.n_decays + decay.astype(jnp.int32),
            last_decay=jnp.where(decay, step.astype(jnp.int32), state.last_decay),
        )

    def maybe_update(self, state: AutoL2State, step, loss, error) -> AutoL2State:
        """``update`` when ``step`` is a measurement step (step % every == 0), else ``state`` unchanged."""
        new = self.update(state, step, loss, error)
        due = (jnp.asarray(step) % self.every) == 0
        return AutoL2State(*(jnp.where(due, a, b) for a, b in zip(new, state)))
