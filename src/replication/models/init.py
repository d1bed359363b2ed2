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


def _prefix_stable(key) -> bool:
    """Whether the first n numbers of a draw of N ≥ n are the draw of n: partitionable threefry only (rbg's bits come
    from XLA's RngBitGenerator for the whole shape, not guaranteed stable across sizes)."""
    if not jax.config.jax_threefry_partitionable:
        return False
    typed = jnp.issubdtype(getattr(key, "dtype", np.uint32), jax.dtypes.prng_key)  # a typed key, or raw uint32
    impl = str(jax.random.key_impl(key)) if typed else getattr(jax.config, "jax_default_prng_impl", "threefry2x32")
    return impl == "threefry2x32"


def standard_normal(key, shape, dtype=jnp.float32) -> jax.Array:
    """``jax.random.normal(key, shape, dtype)``, bit for bit, compiled once per power-of-two size (module
    docstring). Inside a trace (a traced key, or a concrete key under ``jax.jit``), for a key whose implementation is
    not threefry, or where threefry is not partitionable, it is that call itself."""
    shape = tuple(int(s) for s in shape)
    if dtype is None or isinstance(key, jax.core.Tracer) or not _prefix_stable(key):
        return jax.random.normal(key, shape, dtype)
    n = math.prod(shape)
    drawn = _flat_normal(key, 1 << (max(1, n) - 1).bit_length(), jnp.dtype(dtype))
    if isinstance(drawn, jax.core.Tracer):  # a concrete key inside someone's jit: the draw is part of their program
        return jax.random.normal(key, shape, dtype)
    return jnp.asarray(np.asarray(drawn)[:n].reshape(shape))


def lecun_normal(sigma_w: float):
    """N(0, σ_w²/fan_in) (not truncated), the init of appendix A: ``jax.nn.initializers.variance_scaling(σ_w²,
    "fan_in", "normal")`` with its draw from :func:`standard_normal` (the same numbers). fan_in is the product of all
    but the kernel's last (output) axis, as variance_scaling counts it for dense and convolution kernels."""

    def init(key, shape, dtype=jnp.float32):
        if len(shape) < 2:  # variance_scaling has no fan_in for a vector either
            raise ValueError(f"lecun_normal needs a kernel of at least 2 axes (inputs..., outputs); got shape {shape}.")
        fan_in = math.prod(shape[:-1])
        variance = jnp.array(sigma_w**2 / fan_in, dtype=dtype)
        return standard_normal(key, shape, dtype) * jnp.sqrt(variance)

    return init
