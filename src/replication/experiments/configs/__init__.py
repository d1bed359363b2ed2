"""Every chapter's presets, as the flax examples' ``configs/``: one module per chapter whose ``base()`` is the
paper's own setting (appendix A), and whose ``smoke()``, ``cpu()`` and ``paper()`` return only what they change.
An override can only change a field the base has (a typo is an error, not a silent new field), and fields are
grouped (``cfg.model.width``, ``cfg.sweep.lams``). :func:`get_config` merges them into a read-only :class:`Config`;
:func:`paper_differences` lists where a preset departs from the paper.

**Units, in one place.** ``base()`` and ``paper()`` are written in the paper's units, which are the authors' code's
(google/autol2 minimizes twice our loss, so its run at (η, λ) is ours at (2η, λ)); ``smoke()`` and ``cpu()`` are
written in ours. Each module names its learning-rate fields (``LR_FIELDS``), its physical-time fields
(``TIME_FIELDS``: epochs·η·λ, steps·η·λ, ηλ bounds) and the λ of its MSE runs (``MSE_LAM_FIELDS``: the authors' MSE
run at (η, λ) is ours at (η, 2λ)), and :func:`get_config` converts them with
:mod:`replication.training.conventions` when the preset is written in the paper's units, so every ``Config`` it
returns is in our units and a ``paper`` run is the authors' run step for step. ``cfg.units`` says what the preset
was written in. A module may also define ``scaled()``: what ``smoke`` and ``cpu`` share unless they override it
(``units="ours"`` and, e.g., λ = 0 as long as the longest run instead of the paper's length)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from types import MappingProxyType

from replication.core.presets import check_preset
from replication.core.validation import check_choice
from replication.training.conventions import from_authors, mse_from_authors, physical_time_from_authors

__all__ = ["UNITS", "Config", "merge", "get_config", "paper_config", "chapters", "paper_differences", "in_our_units",
           "units_note"]  # fmt: skip

UNITS = ("paper", "ours")


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


def _convert_path(fields: dict, path: str, convert) -> None:
    *groups, last = path.split(".")
    node = fields
    for g in groups:
        node[g] = dict(node[g])
        node = node[g]
    value = node[last]
    if value is None:
        return
    node[last] = tuple(convert(v) for v in value) if isinstance(value, (tuple, list)) else convert(value)


def in_our_units(fields: Mapping, lr_fields=(), time_fields=(), mse_lam_fields=()) -> dict:
    """``fields`` with every η (``lr_fields``), physical time (``time_fields``) and λ of an MSE run
    (``mse_lam_fields``, Fig. S5: their λ is half of ours, their η ours) converted from the units named by
    ``fields["units"]`` to ours (:mod:`replication.training.conventions`); unchanged when they are ours already."""
    out = dict(fields)
    check_choice("units", out.get("units", "ours"), UNITS)
    if out.get("units", "ours") == "ours":
        return out
    for path in lr_fields:
        _convert_path(out, path, lambda lr: from_authors(lr, 0.0)[0])
    for path in time_fields:
        _convert_path(out, path, physical_time_from_authors)
    for path in mse_lam_fields:
        _convert_path(out, path, lambda lam: mse_from_authors(1.0, lam)[1])
    return out


def _fields(module, preset: str) -> dict:
    """The module's base, then (below ``paper``) what the scaled presets share, then the preset's overrides."""
    fields = module.base()
    if preset != "paper" and hasattr(module, "scaled"):
        fields = merge(fields, module.scaled())
    fields = merge(fields, getattr(module, preset)())
    fields_of = {kind: getattr(module, kind, ()) for kind in ("LR_FIELDS", "TIME_FIELDS", "MSE_LAM_FIELDS")}
    return in_our_units(fields, *fields_of.values())


def get_config(chapter: str, preset: str) -> Config:
    """The configuration of ``chapter`` at ``preset`` in our units: its base with the preset's overrides."""
    check_preset(preset)
    return Config(_fields(_module(chapter), preset), chapter=chapter, preset=preset)


def paper_config(chapter: str) -> Config:
    """The chapter's ``paper`` preset (appendix A's values), in our units: what a chapter quotes as "the paper's"."""
    return get_config(chapter, "paper")


def units_note(cfg: Config) -> str | None:
    """One sentence on the units of ``cfg`` (None for a chapter without η): every chapter prints it first."""
    if "units" not in cfg:
        return None
    ours = (
        "Units: every η and physical time (epochs·η·λ) on this page is in our units, appendix A's loss "
        "−1/(2k|B|) Σ y log p + ½λ‖θ‖²; google/autol2 minimizes twice that, so its run at (η, λ) is ours at (2η, λ)."
    )
    if cfg.units == "paper":
        return (f"{ours} This preset is written in the paper's units (the authors' code's) and converted by "
                "replication.training.conventions: the paper's η is half of the η printed here, λ is the same, and "
                "each run is the authors' run step for step.")  # fmt: skip
    return f"{ours} This preset is written in our units (its sizes and grids are scaled down, chosen by us)."


def paper_differences(cfg: Config) -> list[tuple[str, object, object]]:
    """(field, this preset's value, the paper's) for every field where ``cfg`` departs from the chapter's ``paper``
    preset, both in our units (``units``, what each was written in, is left out)."""
    paper = Config(_fields(_module(cfg.chapter), "paper"))

    def walk(ours, theirs, prefix):
        for key, value in theirs.items():
            mine = ours[key]
            if key == "units" and not prefix:
                continue
            if isinstance(value, Config) and isinstance(mine, Config):
                yield from walk(mine, value, f"{prefix}{key}.")
            elif mine != value:
                yield f"{prefix}{key}", mine, value

    return list(walk(cfg, paper, ""))
