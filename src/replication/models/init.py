"""Parameter initialization: Gaussian draws that compile once per power-of-two size, not once per shape.

``jax.random.normal(key, shape)`` compiles one XLA program per distinct shape (the threefry hash and the inverse
error function, 0.3–4 s each on a 2-core CPU). A model has a few dozen parameter shapes, and the test suite, the
headless runner and every chapter's kernel build models of many sizes: the cold test suite spent 77 s compiling 129
such programs (NOTES.md, session 26). With partitionable threefry (JAX's default since 0.5) each element's bits depend
only on the key and the element's flat index, so the first n numbers of a draw of any size N ≥ n are the draw of n
numbers, bit for bit. :func:`standard_normal` draws the next power of two and keeps the first n: the same
parameters as ``jax.random.normal`` (a test compares every model's), from at most one program per power of two.
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["standard_normal", "lecun_normal"]


@functools.partial(jax.jit, static_argnums=(1, 2))
def _flat_normal(key, size: int, dtype):
    return jax.random.normal(key, (size,), dtype)


def standard_normal(key, shape, dtype=jnp.float32) -> jax.Array:
    """``jax.random.normal(key, shape, dtype)``, bit for bit, compiled once per power-of-two size (module
    docstring). Under a trace (a key that is a tracer), or where threefry is not partitionable, it is that call."""
    shape = tuple(int(s) for s in shape)
    if isinstance(key, jax.core.Tracer) or not jax.config.jax_threefry_partitionable:
        return jax.random.normal(key, shape, dtype)
    n = math.prod(shape)
    drawn = _flat_normal(key, 1 << max(0, math.ceil(math.log2(max(1, n)))), jnp.dtype(dtype))
    return jnp.asarray(np.asarray(drawn)[:n].reshape(shape))


def lecun_normal(sigma_w: float):
    """N(0, σ_w²/fan_in) (not truncated), the init of appendix A: ``jax.nn.initializers.variance_scaling(σ_w²,
    "fan_in", "normal")`` with its draw from :func:`standard_normal` (the same numbers). fan_in is the product of all
    but the kernel's last (output) axis, as variance_scaling counts it for dense and convolution kernels."""

    def init(key, shape, dtype=jnp.float32):
        fan_in = math.prod(shape[:-1])
        variance = jnp.array(sigma_w**2 / fan_in, dtype=dtype)
        return standard_normal(key, shape, dtype) * jnp.sqrt(variance)

    return init
