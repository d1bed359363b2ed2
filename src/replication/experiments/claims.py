"""The paper's claims, each declared once, beside the studies that judge it: every chapter's experiment module holds
``CLAIMS`` next to its ``STUDIES`` (the data chapter's in :mod:`replication.experiments.data_checks`, the theory
chapter's in :mod:`replication.experiments.theory_checks`). The chapter records its number and verdict under a
claim's ``key`` (:func:`replication.site.headlines.record_headline`), and the landing page lists the claims in the
book's order (:func:`replication.site.registry.figures`): no second list exists."""

from __future__ import annotations

import dataclasses
import functools
import importlib

__all__ = ["Claim", "Decider", "CLAIM_MODULES", "claims_of", "claim", "claims_with_deciders", "setting_text"]

# chapters whose experiment module is not named after them (``replication.theory`` is the theory layer itself)
CLAIM_MODULES = {"data": "replication.experiments.data_checks", "theory": "replication.experiments.theory_checks"}


@dataclasses.dataclass(frozen=True)
class Decider:
    """What could decide a claim that our ``cpu`` preset leaves inconclusive, declared beside the claim.

    ``size`` says in words what changes and why (the evidence: a probe in NOTES.md, or our estimate where
    ``probed`` is False); ``config`` names the function of the chapter's config module that writes that size (it starts
    from the ``base`` preset, ``cpu()`` or ``paper()``, and overrides by assignment; its grids are planned at that
    preset); ``study`` is the function of the chapter's experiment module that trains what judges the claim, called
    with ``options``. :mod:`replication.experiments.deciders` plans it as the rehearsal does and prices it.
    ``judge``: the function of the chapter's experiment module that decides the claim from grids of this size,
    ``judge(cfg, sweeps) -> Verdict``, so that a probe recorded under ``probes/`` is judged by the chapter's rule
    (:mod:`replication.experiments.probes`); None where none is written yet."""

    size: str
    config: str
    study: str
    base: str = "cpu"
    options: tuple[tuple[str, object], ...] = ()
    probed: bool = False
    judge: str | None = None


@dataclasses.dataclass(frozen=True)
class Claim:
    """One claim: the paper's figure(s), the statement, the paper's value (its number where it gives one), the key the
    chapter records ours under (``"<chapter>.<name>"``), and ``setting``: which model, data and optimizer produce
    ours at every preset (a chapter may record a more precise one with its number). ``setting`` may name a preset's
    size as ``{wrn_cpu}``, ``{cnn_paper}``, ...: :meth:`setting_text` fills them in from the configs. ``decider``:
    what could decide the claim where ``cpu`` leaves it inconclusive (:class:`Decider`; None where none is
    declared). ``tried``: sizes declared before it whose recorded probes did not decide the claim either; their
    probes stay under ``probes/`` and are judged, and shown beside the decider, each time the chapter runs."""

    figure: str
    statement: str
    paper: str
    key: str
    setting: str
    decider: Decider | None = None
    tried: tuple[Decider, ...] = ()

    @property
    def chapter(self) -> str:
        return self.key.split(".", 1)[0]

    def setting_text(self) -> str:
        """``setting`` with the presets' sizes filled in (:func:`setting_text`)."""
        return setting_text(self.setting)


def setting_text(setting: str) -> str:
    """A claim's ``setting`` with the presets' sizes (``{wrn_cpu}``, ...) read from their configs, so it cannot go
    stale."""
    return setting.format_map(_preset_sizes()) if "{" in setting else setting


@functools.cache
def _preset_sizes() -> dict[str, str]:
    from replication.experiments.configs import get_config

    sizes = {}
    for preset in ("paper", "cpu"):
        wrn = get_config("wrn_cifar", preset).model
        sizes[f"wrn_{preset}"] = f"{wrn.depth}-{wrn.widen}"
        sizes[f"cnn_{preset}"] = str(get_config("cnn_cifar", preset).model.channels)
        sizes[f"fc_{preset}"] = str(get_config("fc_mnist", preset).model.width)
        sizes[f"beyond_{preset}"] = str(get_config("beyond", preset).model.width)
    return sizes


def claims_of(chapter: str) -> tuple[Claim, ...]:
    """The claims ``chapter`` judges, in its order (its experiment module's ``CLAIMS``; () for a chapter without)."""
    name = CLAIM_MODULES.get(chapter, f"replication.experiments.{chapter}")
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as err:
        if err.name != name:
            raise
        return ()
    claims = getattr(module, "CLAIMS", ())
    wrong = [c.key for c in claims if c.chapter != chapter]
    if wrong:
        raise ValueError(f"{name}.CLAIMS holds keys of another chapter: {wrong} (keys are '{chapter}.<name>').")
    return claims


def claim(key: str) -> Claim:
    """The claim declared under ``key`` (``"fc_mnist.tstar_exponent"``); a key no chapter declares is an error that
    lists the chapter's keys."""
    declared = claims_of(key.split(".", 1)[0])
    for c in declared:
        if c.key == key:
            return c
    raise KeyError(f"no claim is declared under {key!r}; the chapter declares {[c.key for c in declared]}")


def claims_with_deciders() -> tuple[str, ...]:
    """The keys of every claim that declares a :class:`Decider`, in the book's order of chapters."""
    from replication.experiments.headless import CHAPTERS

    return tuple(c.key for chapter in CHAPTERS for c in claims_of(chapter) if c.decider is not None)
