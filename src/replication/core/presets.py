"""The three presets every chapter runs at, and the banner that says which one produced a page.

* ``smoke``: seconds per chapter on 2 CPU cores; checks the pipeline end to end. Never a replication.
* ``cpu``: scaled down to a laptop-class CPU (the default of ``make book``); each verdict says whether its sizes decide
  the claim.
* ``paper``: the paper's own sizes (appendix A), for a GPU.
"""

from __future__ import annotations

import ast
from numbers import Integral

from replication.core.validation import check_choice

__all__ = [
    "PRESETS",
    "PRESET_DESCRIPTIONS",
    "check_preset",
    "check_seed",
    "check_parameters",
    "is_replication",
    "CHAPTER_PARAMETERS",
    "injected_parameter_names",
]

PRESETS = ("smoke", "cpu", "paper")
PRESET_DESCRIPTIONS = {
    "smoke": "a pipeline check with tiny sizes; its numbers are NOT a replication of the paper",
    "cpu": "scaled down to run on a 2-core CPU; sizes differ from the paper's as stated, and each verdict says "
    "whether they decide its claim",
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


# The parameters every chapter's `parameters` cell defines: the only names papermill's -p may set.
CHAPTER_PARAMETERS = ("preset", "seed")
# papermill's injected cell starts with this comment (papermill.translators.PythonTranslator.codify)
_INJECTED_HEADER = "# Parameters"


def injected_parameter_names() -> tuple[str, ...] | None:
    """The names papermill injected into the running kernel (``papermill -p NAME VALUE``), read from the kernel's
    input history; None outside IPython or when no parameters were injected."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of the book, not of the package
        return None
    shell = get_ipython()
    history = shell.user_ns.get("In", []) if shell is not None else []
    for source in reversed(history):
        if isinstance(source, str) and source.lstrip().startswith(_INJECTED_HEADER):
            tree = ast.parse(source)
            return tuple(
                target.id
                for node in tree.body
                if isinstance(node, ast.Assign)
                for target in node.targets
                if isinstance(target, ast.Name)
            )
    return None


def check_parameters(*, preset: str, seed, passed=None) -> None:
    """Validate a chapter's papermill parameters (the first thing each chapter does): ``preset``, ``seed``, and the
    names that were passed (default: those papermill injected), each of which must be one of
    :data:`CHAPTER_PARAMETERS` (papermill itself only warns about an unknown one, and `-p sed 1` would run seed 0)."""
    names = injected_parameter_names() if passed is None else tuple(passed)
    unknown = [n for n in names or () if n not in CHAPTER_PARAMETERS]
    if unknown:
        raise ValueError(
            f"unknown parameter{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}: "
            f"a chapter takes only {', '.join(CHAPTER_PARAMETERS)} (e.g. papermill ... -p preset smoke -p seed 1)."
        )
    check_preset(preset)
    check_seed(seed)


def is_replication(preset: str) -> bool:
    """Whether results at ``preset`` may be presented as a replication (everything but ``smoke``)."""
    return check_preset(preset) != "smoke"
