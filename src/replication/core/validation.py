"""Input checks shared by every public entry point.

Each check raises a ``ValueError`` that names the parameter, the value it got and what is allowed, so that a
bad papermill parameter or function argument fails with one readable line instead of a traceback from inside
JAX.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from numbers import Integral, Real

__all__ = [
    "check_choice",
    "check_finite",
    "check_positive",
    "check_nonnegative",
    "check_positive_int",
]


def check_choice(name: str, value, allowed: Iterable):
    """Return ``value`` if it is one of ``allowed``; otherwise raise naming the allowed values."""
    allowed = tuple(allowed)
    if value not in allowed:
        listed = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name}={value!r} is not allowed; choose one of: {listed}.")
    return value


def check_finite(name: str, value) -> float:
    """Return ``value`` as a float if it is a finite real number."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{name}={value!r} must be a real number.")
    if not math.isfinite(float(value)):
        raise ValueError(f"{name}={value!r} must be finite (not NaN or infinity).")
    return float(value)


def check_positive(name: str, value) -> float:
    """Return ``value`` as a float if it is finite and > 0."""
    value = check_finite(name, value)
    if value <= 0:
        raise ValueError(f"{name}={value!r} must be > 0.")
    return value


def check_nonnegative(name: str, value) -> float:
    """Return ``value`` as a float if it is finite and >= 0."""
    value = check_finite(name, value)
    if value < 0:
        raise ValueError(f"{name}={value!r} must be >= 0.")
    return value


def check_positive_int(name: str, value, *, maximum: int | None = None) -> int:
    """Return ``value`` if it is an integer >= 1 (and <= ``maximum`` when given)."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{name}={value!r} must be a positive integer.")
    value = int(value)
    if value < 1:
        raise ValueError(f"{name}={value!r} must be a positive integer (>= 1).")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name}={value!r} must be between 1 and {maximum}.")
    return value
