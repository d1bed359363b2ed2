"""The fully-connected network of appendix A (Fig. 2a–c, S7) and of Section 4 (NTK parameterization)."""

from __future__ import annotations

import math

from flax import nnx

from replication.core.validation import check_choice, check_nonnegative, check_positive, check_positive_int
from replication.models.layers import ACTIVATIONS, BatchNorm, Dense

__all__ = ["MLP"]


class MLP(nnx.Module):
    """Fully-connected net: ``depth`` hidden layers of ``width`` units (appendix A's FC: depth 3, width 2048,
    ReLU, σ_w = √2, σ_b = 0). Inputs are flattened; the output has ``n_out`` logits."""

    def __init__(
        self,
        n_in: int,
        n_out: int,
        *,
        width: int,
        depth: int,
        rngs: nnx.Rngs,
        activation: str = "relu",
        parameterization: str = "standard",
        sigma_w: float = math.sqrt(2.0),
        sigma_b: float = 0.0,
        use_bias: bool = True,
        batch_norm: bool = False,
    ):
        check_positive_int("width", width)
        if not isinstance(depth, int) or depth < 0:
            raise ValueError(f"depth must be an integer >= 0 (hidden layers); got {depth!r}.")
        check_choice("activation", activation, ACTIVATIONS)
        check_positive("sigma_w", sigma_w)
        check_nonnegative("sigma_b", sigma_b)
        sizes = [n_in] + [width] * depth + [n_out]
        kw = dict(parameterization=parameterization, sigma_w=sigma_w, sigma_b=sigma_b, use_bias=use_bias)
        self.layers = nnx.List([Dense(a, b, rngs=rngs, **kw) for a, b in zip(sizes[:-1], sizes[1:])])
        self.norms = nnx.List([BatchNorm(width) for _ in range(depth)]) if batch_norm else None
        self.activation = activation

    def __call__(self, x):
        h = x.reshape(x.shape[0], -1)
        act = ACTIVATIONS[self.activation]
        for i, layer in enumerate(self.layers[:-1]):
            h = layer(h)
            if self.norms is not None:
                h = self.norms[i](h)
            h = act(h)
        return self.layers[-1](h)
