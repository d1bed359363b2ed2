"""Every chapter's presets, as the flax examples' ``configs/``: one module per chapter whose ``base()`` is the
paper's own setting (appendix A), and whose ``smoke()``, ``cpu()`` and ``paper()`` are each a complete function: it
starts from ``base()`` and overrides by assignment (``c = base(); c.model.width = 512; return c``). Assigning a field
the base does not have is an error (a typo is never a silent new field), and fields are grouped (``cfg.model.width``,
``cfg.sweep.lams``). :func:`get_config` returns the preset as a read-only :class:`Config`;
:func:`paper_differences` lists where a preset departs from the paper.

**Units, where a number is written.** Every field of every preset is in our units (appendix A's loss; google/autol2
minimizes twice it, so its run at (η, λ) is ours at (2η, λ)). A number taken from the paper (the authors' code) is
written as such and converted on the spot: :func:`paper_lr` (η, ×2), :func:`paper_time` (a physical time
epochs·η·λ, steps·η·λ or an ηλ bound, ×2), :func:`paper_mse_lam` (the λ of an MSE run, Fig. S5, ×2;
:mod:`replication.training.conventions`). A preset that inherits a base value inherits the converted number, so
inheritance cannot reinterpret it; a scaled preset that wants another value says so where it assigns it. Settings
that two chapters share are plain functions of the module that owns them (e.g. ``wrn_cifar.setting(preset)``),
never a ``get_config`` inside a config."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from types import MappingProxyType

from replication.core.presets import check_preset
from replication.core.validation import check_choice
from replication.training.conventions import from_authors, mse_from_authors, physical_time_from_authors

__all__ = ["Config", "Fields", "merge", "get_config", "decider_config", "paper_config", "chapters", "paper_differences",
           "paper_lr", "paper_time", "paper_mse_lam", "preset_fields", "units_note"]  # fmt: skip


def _each(value, convert):
    return tuple(convert(v) for v in value) if isinstance(value, (tuple, list)) else convert(value)


def paper_lr(lr):
    """η (or a tuple of them) as the paper writes it, in our units: 2η (:func:`~replication.training.conventions.
    from_authors`)."""
    return _each(lr, lambda v: from_authors(v, 0.0)[0])


def paper_time(time):
    """A physical time (epochs·η·λ, steps·η·λ) or an ηλ bound as the paper writes it, in our units: twice the
    number (:func:`~replication.training.conventions.physical_time_from_authors`)."""
    return _each(time, physical_time_from_authors)


def paper_mse_lam(lam):
    """The λ of an MSE run (Fig. S5) as the paper writes it, in our units: 2λ (their MSE is ours; their λΣθ² is our
    ½(2λ)‖θ‖²; :func:`~replication.training.conventions.mse_from_authors`)."""
    return _each(lam, lambda v: mse_from_authors(1.0, v)[1])


class Fields:
    """A preset under construction: fields and groups of fields (a dict becomes a group) set by assignment. A field
    the preset was not built with cannot be assigned (``AttributeError`` naming the fields it has)."""

    __slots__ = ("_fields",)

    def __init__(self, fields: Mapping = (), /, **more):
        object.__setattr__(self, "_fields", {k: _group(v) for k, v in {**dict(fields), **more}.items()})

    def __getattr__(self, name):
        try:
            return self._fields[name]
        except KeyError as err:
            raise AttributeError(f"preset has no field {name!r}; fields: {sorted(self._fields)}") from err

    def __setattr__(self, name, value):
        if name not in self._fields:
            raise AttributeError(f"preset has no field {name!r} to set; fields: {sorted(self._fields)}")
        self._fields[name] = _group(value)

    def to_dict(self) -> dict:
        return {k: v.to_dict() if isinstance(v, Fields) else v for k, v in self._fields.items()}


def _group(value):
    return Fields(value) if isinstance(value, Mapping) and not isinstance(value, Fields) else value


def _freeze(value):
    if isinstance(value, Mapping):
        return value if isinstance(value, Config) else Config(value)
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


_RESERVED = {"get", "keys", "values", "items", "replace", "to_dict"}


class Config(Mapping):
    """A read-only mapping whose keys are also attributes; nested groups are Configs too."""

    __slots__ = ("_fields",)

    def __init__(self, fields: Mapping = (), /, **more):
        frozen = {k: _freeze(v) for k, v in {**dict(fields), **more}.items()}
        clash = sorted(set(frozen) & _RESERVED)
        if clash:
            raise ValueError(f"config fields {clash} would hide Config methods; rename them.")
        object.__setattr__(self, "_fields", MappingProxyType(frozen))

    def __getitem__(self, name):
        return self._fields[name]

    def __iter__(self):
        return iter(self._fields)

    def __len__(self):
        return len(self._fields)

    def __getattr__(self, name):
        try:
            return self._fields[name]
        except KeyError as err:
            raise AttributeError(f"config has no field {name!r}; fields: {sorted(self._fields)}") from err

    def __setattr__(self, name, value):
        raise TypeError("Config is read-only; build a new one with config.replace(field=value).")

    __delattr__ = __setattr__

    def __setitem__(self, name, value):
        raise TypeError("Config is read-only; build a new one with config.replace(field=value).")

    __delitem__ = __setitem__

    def __repr__(self):
        return f"Config({dict(self._fields)!r})"

    def replace(self, **changes) -> Config:
        """A copy with ``changes`` merged in (nested groups merge field by field; unknown fields are an error)."""
        return Config(merge(self, changes))

    def to_dict(self) -> dict:
        """Plain nested dicts and tuples (e.g. for JSON)."""
        return {k: v.to_dict() if isinstance(v, Config) else v for k, v in self._fields.items()}


def merge(base: Mapping, override: Mapping, *, where: str = "") -> dict:
    """``base`` with ``override`` applied; a nested mapping in both merges recursively. Every key of ``override``
    must exist in ``base``."""
    out = dict(base)
    for key, value in override.items():
        if key not in base:
            raise KeyError(f"override of unknown config field {where + str(key)!r}; fields: {sorted(map(str, base))}")
        if isinstance(base[key], Mapping) and isinstance(value, Mapping):
            value = merge(base[key], value, where=f"{where}{key}.")
        out[key] = value
    return out


def chapters() -> tuple[str, ...]:
    """The chapters that have a config module."""
    return tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")))


def _module(chapter: str):
    check_choice("chapter", chapter, chapters())
    return importlib.import_module(f"{__name__}.{chapter}")


def preset_fields(chapter: str, preset: str) -> dict:
    """The fields of ``chapter`` at ``preset`` as plain dicts, in our units: its config module's function of that
    name (a complete preset). What chapters share goes through this, never through :func:`get_config`."""
    check_preset(preset)
    module = _module(chapter)
    made = getattr(module, preset)()
    if not isinstance(made, Fields):
        raise TypeError(f"{module.__name__}.{preset}() must return Fields (from base(), overridden by assignment).")
    return made.to_dict()


def get_config(chapter: str, preset: str) -> Config:
    """The configuration of ``chapter`` at ``preset``, in our units."""
    return Config(preset_fields(chapter, preset), chapter=chapter, preset=preset)


def decider_config(chapter: str, name: str, base: str) -> Config:
    """The size at which a claim could be decided (:class:`replication.experiments.claims.Decider`): the function
    ``name`` of ``chapter``'s config module (``decide_...``, a complete preset built from ``base``'s), with
    ``preset`` = ``base``."""
    check_preset(base)
    module = _module(chapter)
    if not name.startswith("decide_") or not callable(getattr(module, name, None)):
        deciders = sorted(n for n in dir(module) if n.startswith("decide_"))
        raise ValueError(f"config={name!r}: {module.__name__} has no such decider; it has {deciders}.")
    made = getattr(module, name)()
    if not isinstance(made, Fields):
        raise TypeError(f"{module.__name__}.{name}() must return Fields (from {base}(), overridden by assignment).")
    return Config(made.to_dict(), chapter=chapter, preset=base)


def paper_config(chapter: str) -> Config:
    """The chapter's ``paper`` preset (appendix A's values), in our units: what a chapter quotes as "the paper's"."""
    return get_config(chapter, "paper")


def units_note(cfg: Config) -> str | None:
    """One sentence on the units of ``cfg`` (None for a chapter without η): every chapter prints it first."""
    if not getattr(_module(cfg.chapter), "HAS_LEARNING_RATES", False):
        return None
    ours = (
        "Units: every η and physical time (epochs·η·λ) on this page is in our units, appendix A's loss "
        "−1/(2k|B|) Σ y log p + ½λ‖θ‖²; google/autol2 minimizes twice that, so its run at (η, λ) is ours at (2η, λ)."
    )
    if cfg.preset == "paper":
        return (f"{ours} This preset is appendix A's, each number converted where the preset writes it "
                "(replication.experiments.configs.paper_lr, paper_time): the paper's η is half of the η printed here, "
                "λ is the same, and each run is the authors' run step for step.")  # fmt: skip
    return (f"{ours} This preset's sizes and grids are scaled down and chosen by us; numbers it takes from the paper "
            "are converted where it writes them.")  # fmt: skip


_IDENTITY = ("chapter", "preset")  # what get_config adds: which config this is, not a setting


def paper_differences(cfg: Config) -> list[tuple[str, object, object]]:
    """(field, this preset's value, the paper's) for every field where ``cfg`` departs from the chapter's ``paper``
    preset, both in our units. A field one of them leaves out reads as None there (what ``Config.get`` gives the
    code)."""
    paper = Config(preset_fields(cfg.chapter, "paper"))

    def walk(ours, theirs, prefix):
        for key in [*theirs, *(k for k in ours if k not in theirs and (prefix or k not in _IDENTITY))]:
            mine, value = ours.get(key), theirs.get(key)
            present = [v for v in (mine, value) if v is not None]
            if present and all(isinstance(v, Config) for v in present):  # a group: compare field by field
                yield from walk(mine or Config(), value or Config(), f"{prefix}{key}.")
            elif mine != value:
                yield f"{prefix}{key}", mine, value

    return list(walk(cfg, paper, ""))
