"""Convolutional models of appendix A in Flax NNX: the paper's CNN (with or without batch norm) and Wide ResNet d-k.

Standard parameterization with LeCun init, W ~ N(0, σ_w²/fan_in), biases ~ N(0, σ_b²). Batch norm is
:class:`replication.models.BatchNorm` (batch statistics only, as the paper's stax BatchNorm).

The CNN follows appendix A literally: Conv₁(300) → Act → Conv₂(300) → Act → MaxPool((6,6), VALID) → Conv₁(300) → Act →
Conv₂(300) → MaxPool((6,6), VALID) → Flatten → Dense(500) → Dense(10), where Conv₁/Conv₂ are 3×3 convolutions with
SAME/VALID padding and Act is ReLU or BatchNorm → ReLU. Pooling uses stride 1, the default of stax's ``MaxPool``
(which the paper used); on 32×32 inputs the flattened features are 18×18×channels.

``conv="auto"`` runs the convolutions as matrix products on CPU and as XLA convolutions elsewhere, and pooling is
:func:`replication.models.conv_ops.max_pool` everywhere (why: that module's docstring).
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
from flax import nnx

from replication.core.validation import check_positive_int
from replication.models.conv_ops import conv_function, max_pool
from replication.models.init import lecun_normal
from replication.models.layers import BatchNorm

__all__ = ["CNN", "WideResNet"]


def _conv(n_in, n_out, size, padding, rngs, sigma_w, use_bias=True, strides=1, conv="auto"):
    return nnx.Conv(
        n_in,
        n_out,
        kernel_size=(size, size),
        strides=(strides, strides),
        padding=padding,
        use_bias=use_bias,
        kernel_init=lecun_normal(sigma_w),
        bias_init=jax.nn.initializers.zeros,
        rngs=rngs,
        conv_general_dilated=conv_function(conv),
    )


def _dense(n_in, n_out, rngs, sigma_w):
    return nnx.Linear(n_in, n_out, kernel_init=lecun_normal(sigma_w), bias_init=jax.nn.initializers.zeros, rngs=rngs)


def _max_pool(x, window=6):
    return max_pool(x, window)


class CNN(nnx.Module):
    """Appendix A's CNN (σ_w = √2, σ_b = 0; 300 channels in the paper)."""

    def __init__(
        self,
        *,
        channels: int = 300,
        hidden: int = 500,
        n_out: int = 10,
        image_size: int = 32,
        in_channels: int = 3,
        batch_norm: bool = False,
        sigma_w: float = math.sqrt(2.0),
        conv: str = "auto",
        rngs: nnx.Rngs,
    ):
        check_positive_int("channels", channels)
        c = channels
        self.convs = nnx.List(
            [
                _conv(in_channels, c, 3, "SAME", rngs, sigma_w, conv=conv),
                _conv(c, c, 3, "VALID", rngs, sigma_w, conv=conv),
                _conv(c, c, 3, "SAME", rngs, sigma_w, conv=conv),
                _conv(c, c, 3, "VALID", rngs, sigma_w, conv=conv),
            ]
        )
        self.norms = nnx.List([BatchNorm(c) for _ in range(3)]) if batch_norm else None
        side = image_size - 2 - 5 - 2 - 5  # VALID conv (−2), pool 6 stride 1 (−5), twice
        if side < 1:
            raise ValueError(f"image_size={image_size} is too small for this CNN (needs >= 15).")
        self.dense1 = _dense(side * side * c, hidden, rngs, sigma_w)
        self.dense2 = _dense(hidden, n_out, rngs, sigma_w)

    def _act(self, x, i):
        if self.norms is not None:
            x = self.norms[i](x)
        return jax.nn.relu(x)

    def __call__(self, x):
        x = self._act(self.convs[0](x), 0)
        x = self._act(self.convs[1](x), 1)
        x = _max_pool(x)
        x = self._act(self.convs[2](x), 2)
        x = _max_pool(self.convs[3](x))
        x = x.reshape(x.shape[0], -1)
        return self.dense2(self.dense1(x))


class _Block(nnx.Module):
    """Pre-activation wide basic block: BN → ReLU → conv3×3 → BN → ReLU → conv3×3, plus the (1×1 conv) shortcut."""

    def __init__(self, n_in, n_out, stride, rngs, sigma_w, conv):
        self.bn1, self.bn2 = BatchNorm(n_in), BatchNorm(n_out)
        self.conv1 = _conv(n_in, n_out, 3, "SAME", rngs, sigma_w, use_bias=False, strides=stride, conv=conv)
        self.conv2 = _conv(n_out, n_out, 3, "SAME", rngs, sigma_w, use_bias=False, conv=conv)
        self.shortcut = (
            _conv(n_in, n_out, 1, "SAME", rngs, sigma_w, use_bias=False, strides=stride, conv=conv)
            if (n_in != n_out or stride != 1)
            else None
        )

    def __call__(self, x):
        h = jax.nn.relu(self.bn1(x))
        skip = x if self.shortcut is None else self.shortcut(h)
        h = self.conv1(h)
        h = self.conv2(jax.nn.relu(self.bn2(h)))
        return h + skip


class WideResNet(nnx.Module):
    """WRN-d-k (Zagoruyko & Komodakis 2016) with batch norm; appendix A: WRN-28-10, σ_w = 1, σ_b = 0."""

    def __init__(
        self,
        depth: int = 28,
        widen: int = 10,
        *,
        n_out: int = 10,
        in_channels: int = 3,
        sigma_w: float = 1.0,
        conv: str = "auto",
        rngs: nnx.Rngs,
    ):
        if (depth - 4) % 6 != 0 or depth < 10:
            raise ValueError(f"depth={depth} must be 6n + 4 with n >= 1 (e.g. 10, 16, 22, 28).")
        check_positive_int("widen", widen)
        n = (depth - 4) // 6
        widths = [16, 16 * widen, 32 * widen, 64 * widen]
        self.stem = _conv(in_channels, widths[0], 3, "SAME", rngs, sigma_w, use_bias=False, conv=conv)
        blocks = []
        for g, stride in zip(range(3), (1, 2, 2)):
            for b in range(n):
                blocks.append(
                    _Block(
                        widths[g] if b == 0 else widths[g + 1],
                        widths[g + 1],
                        stride if b == 0 else 1,
                        rngs,
                        sigma_w,
                        conv,
                    )
                )
        self.blocks = nnx.List(blocks)
        self.bn = BatchNorm(widths[3])
        self.head = _dense(widths[3], n_out, rngs, sigma_w)

    def __call__(self, x):
        h = self.stem(x)
        for block in self.blocks:
            h = block(h)
        h = jax.nn.relu(self.bn(h))
        return self.head(jnp.mean(h, axis=(1, 2)))
