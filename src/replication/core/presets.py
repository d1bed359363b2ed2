"""The three presets every chapter runs at, and the banner that says which one produced a page.

* ``smoke``: seconds per chapter on 2 CPU cores; checks the pipeline end to end. Never a replication.
* ``cpu``: a real, scaled-down replication on a laptop-class CPU (the default of ``make book``).
* ``paper``: the paper's own sizes (appendix A), for a GPU.
"""

from __future__ import annotations

from numbers import Integral

from replication.core.validation import check_choice

__all__ = ["PRESETS", "PRESET_DESCRIPTIONS", "check_preset", "check_seed", "check_parameters", "is_replication"]

PRESETS = ("smoke", "cpu", "paper")
PRESET_DESCRIPTIONS = {
    "smoke": "a pipeline check with tiny sizes; its numbers are NOT a replication of the paper",
    "cpu": "a real replication, scaled down to run on a 2-core CPU; sizes differ from the paper's as stated",
    "paper": "the paper's own sizes (appendix A)",
}


def check_preset(preset: str) -> str:
    """Return ``preset`` if it is one of :data:`PRESETS`, else raise ``ValueError`` naming them."""
    return check_choice("preset", preset, PRESETS)


def check_seed(seed) -> int:
    """Return ``seed`` if it is an integer in [0, 2**31 − 1] (a JAX PRNG seed), else raise naming the range."""
    if isinstance(seed, bool) or not isinstance(seed, Integral) or not 0 <= int(seed) < 2**31:
        raise ValueError(f"seed={seed!r} must be an integer in [0, 2147483647].")
    return int(seed)


def check_parameters(*, preset: str, seed) -> None:
    """Validate a chapter's papermill parameters (the first thing each chapter does)."""
    check_preset(preset)
    check_seed(seed)


def is_replication(preset: str) -> bool:
    """Whether results at ``preset`` may be presented as a replication (everything but ``smoke``)."""
    return check_preset(preset) != "smoke"
