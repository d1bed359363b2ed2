"""Convolution and max-pooling written as matrix products and elementwise operations, for XLA on CPU.

Why (measured in NOTES.md, session 6): XLA's CPU backend rewrites a convolution into its fast (Eigen) form only in
a program's entry computation. Inside the loop that trains a chunk of steps, the weight-gradient
convolutions JAX emits (batch and feature dimensions swapped) fall back to a slow generic loop: the same step took
2.5× (CNN) to 9× (WRN) longer inside the scan than jitted alone. Here a convolution is the sum over the kernel's
taps of shifted input slices, concatenated along the channels and multiplied by the reshaped kernel in one
``dot`` ("im2col"); its gradients are again slices, pads and dots, which XLA runs at its matrix-multiply rate
wherever they sit. On a GPU, cuDNN's convolutions are faster, so :func:`conv_function` picks this only on CPU. A
forward pass that is never differentiated (the engine's evaluations) is faster with XLA's own convolution on CPU
too: :func:`forward_only` switches to it while such a pass is traced.

The 6×6 stride-1 max-pool of appendix A's CNN is, through ``lax.reduce_window``, a select-and-scatter in its
gradient that XLA's CPU backend runs serially (38 ms a call on 64×26×26×8, 1.1 s on 128×30×30×64).
:func:`max_pool` is the same pooling as two one-dimensional sliding maxima whose gradient routes each output's
gradient to the position of its maximum, as the pooling's derivative does; 6–7× faster in both cases. When several
entries of a window tie for the maximum, the gradient goes to the first along the width, then along the height
(``reduce_window`` takes the first in row-major order): an equally valid subgradient; exact ties among positive
activations are of measure zero, and after a ReLU the tied zeros get no gradient either way.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os

import jax
import jax.numpy as jnp
from jax import lax

from replication.core.validation import check_choice

__all__ = ["CONV_IMPLEMENTATIONS", "conv_as_matmul", "conv_function", "forward_only", "max_pool"]

CONV_IMPLEMENTATIONS = ("auto", "matmul", "lax")

_FORWARD_ONLY = contextvars.ContextVar("forward_only", default=False)


@contextlib.contextmanager
def forward_only():
    """While a function is traced inside this block, :func:`conv_as_matmul` is ``lax.conv_general_dilated``: for a
    pass that is never differentiated (evaluation), where XLA's own CPU convolution is the faster one (a WRN-10-1's
    forward over 1024 images in about half the time, NOTES.md session 30, ``benchmarks/eval_lever.py``); only the
    gradients' convolutions are slow there. Numbers differ from the matrix-product form only by float rounding. The
    choice is made when a function is traced: one jitted inside the block keeps XLA's convolution for later calls
    (its trace is cached)."""
    token = _FORWARD_ONLY.set(True)
    try:
        yield
    finally:
        _FORWARD_ONLY.reset(token)


def conv_as_matmul(
    lhs,
    rhs,
    window_strides,
    padding,
    lhs_dilation=None,
    rhs_dilation=None,
    dimension_numbers=None,
    feature_group_count=1,
    precision=None,
    **_unused,
):
    """A drop-in for ``lax.conv_general_dilated`` on NHWC inputs and HWIO kernels (what ``nnx.Conv`` passes), with
    no dilation and no feature groups: the convolution as one matrix product of the input's patches."""
    if _FORWARD_ONLY.get():
        return lax.conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation,
                                        dimension_numbers, feature_group_count, precision=precision)  # fmt: skip
    if any(d not in (None, 1) for d in (*(lhs_dilation or ()), *(rhs_dilation or ()))) or feature_group_count != 1:
        raise ValueError("conv_as_matmul supports neither dilation nor feature groups; use conv='lax'.")
    kh, kw, cin, cout = rhs.shape
    sh, sw = window_strides
    if isinstance(padding, str):
        padding = lax.padtype_to_pads(lhs.shape[1:3], (kh, kw), (sh, sw), padding)
    x = jnp.pad(lhs, ((0, 0), tuple(padding[0]), tuple(padding[1]), (0, 0)))
    out_h = (x.shape[1] - kh) // sh + 1
    out_w = (x.shape[2] - kw) // sw + 1
    taps = [
        x[:, i : i + (out_h - 1) * sh + 1 : sh, j : j + (out_w - 1) * sw + 1 : sw, :]
        for i in range(kh)
        for j in range(kw)
    ]
    patches = taps[0] if len(taps) == 1 else jnp.concatenate(taps, axis=-1)  # (N, H', W', kh·kw·C): HWI order
    return jnp.dot(patches, rhs.reshape(kh * kw * cin, cout), precision=precision)


def conv_function(conv: str = "auto"):
    """The convolution a model uses: ``"matmul"`` (:func:`conv_as_matmul`), ``"lax"`` (``lax.conv_general_dilated``)
    or ``"auto"``: matmul on CPU, lax on accelerators. ``$REPLICATION_CONV`` overrides ``"auto"`` (for benchmarks)."""
    check_choice("conv", conv, CONV_IMPLEMENTATIONS)
    if conv == "auto":
        conv = os.environ.get("REPLICATION_CONV") or ("matmul" if jax.default_backend() == "cpu" else "lax")
        check_choice("REPLICATION_CONV", conv, CONV_IMPLEMENTATIONS[1:])
    return conv_as_matmul if conv == "matmul" else lax.conv_general_dilated


def _sliding_max(a, window: int, axis: int):
    """Maximum over each run of ``window`` consecutive entries along ``axis`` (stride 1, no padding), and the offset
    (0..window−1) of the first entry that attains it."""
    n = a.shape[axis] - window + 1
    best = lax.slice_in_dim(a, 0, n, axis=axis)
    where = jnp.zeros(best.shape, jnp.int8)
    for k in range(1, window):
        candidate = lax.slice_in_dim(a, k, k + n, axis=axis)
        better = candidate > best
        best = jnp.where(better, candidate, best)
        where = jnp.where(better, jnp.int8(k), where)
    return best, where


@functools.partial(jax.custom_vjp, nondiff_argnums=(1, 2))
def _sliding_max_1d(a, window: int, axis: int):
    return _sliding_max(a, window, axis)[0]


def _sliding_max_fwd(a, window, axis):
    best, where = _sliding_max(a, window, axis)
    return best, (where, a.shape[axis])


def _sliding_max_bwd(window, axis, residuals, g):
    # Each input gathers the gradients of the ≤ window outputs whose maximum it was: input p from output p − k when
    # that output's maximum sat at offset k. One pad of g and of the offsets, then window slices of them, summed in
    # the order of k (the same sums, bit for bit, as scattering each output's gradient with window pads of g;
    # the cpu CNN's step 8–13% faster, NOTES.md, session 20).
    where, size = residuals
    n = g.shape[axis]
    pads = [(0, 0, 0)] * g.ndim
    pads[axis] = (window - 1, size - n, 0)
    zero = jnp.zeros((), g.dtype)
    g_padded, where_padded = lax.pad(g, zero, pads), lax.pad(where, jnp.int8(-1), pads)
    grad = None
    for k in range(window):
        start = window - 1 - k  # input p of the slice is output p − k
        took_it = lax.slice_in_dim(where_padded, start, start + size, axis=axis) == k
        part = jnp.where(took_it, lax.slice_in_dim(g_padded, start, start + size, axis=axis), zero)
        grad = part if grad is None else grad + part
    return (grad,)


_sliding_max_1d.defvjp(_sliding_max_fwd, _sliding_max_bwd)


def max_pool(x, window: int = 6):
    """Max-pooling of NHWC ``x`` over ``window``×``window`` patches with stride 1 and VALID padding (appendix A's
    CNN, stax ``MaxPool`` defaults): the same values as ``nnx.max_pool``; see the module docstring for its gradient."""
    return _sliding_max_1d(_sliding_max_1d(x, window, 1), window, 2)
