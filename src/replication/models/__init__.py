"""Layer 2, models: appendix A's networks in Flax NNX (standard or NTK parameterization, stax-style batch norm),
and ``functional`` to view one as a pure ``apply_fn(params, x)``."""

from replication.models.convnets import CNN, WideResNet

from .layers import ACTIVATIONS, PARAMETERIZATIONS, BatchNorm, Dense, functional, parameter_count
from .mlp import MLP

__all__ = [
    "Dense",
    "BatchNorm",
    "functional",
    "parameter_count",
    "ACTIVATIONS",
    "PARAMETERIZATIONS",
    "MLP",
    "CNN",
    "WideResNet",
]
