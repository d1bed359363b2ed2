"""Every chapter's presets, as the flax examples' ``configs/``: one module per chapter whose ``base()`` is the
paper's own setting (appendix A), and whose ``smoke()``, ``cpu()`` and ``paper()`` return only what they change.
An override can only change a field the base has (a typo is an error, not a silent new field), and fields are
grouped (``cfg.model.width``, ``cfg.sweep.lams``). :func:`get_config` merges them into a read-only :class:`Config`;
:func:`paper_differences` lists where a preset departs from the paper."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from types import MappingProxyType

from replication.core.presets import check_preset
from replication.core.validation import check_choice

__all__ = ["Config", "merge", "get_config", "chapters", "paper_differences"]


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


def get_config(chapter: str, preset: str) -> Config:
    """The configuration of ``chapter`` at ``preset``: its base with the preset's overrides."""
    check_preset(preset)
    module = _module(chapter)
    return Config(merge(module.base(), getattr(module, preset)()), chapter=chapter, preset=preset)


def paper_differences(cfg: Config) -> list[tuple[str, object, object]]:
    """(field, this preset's value, the paper's) for every field where ``cfg`` departs from the chapter's base."""
    paper = Config(_module(cfg.chapter).base())

    def walk(ours, theirs, prefix):
        for key, value in theirs.items():
            mine = ours[key]
            if isinstance(value, Config):
                yield from walk(mine, value, f"{prefix}{key}.")
            elif mine != value:
                yield f"{prefix}{key}", mine, value

    return list(walk(cfg, paper, ""))
