"""One module per chapter, each with a function per preset (``smoke()``, ``cpu()``, ``paper()``), as in the
flax examples' ``configs/``. :func:`get_config` validates the chapter and preset names."""

from __future__ import annotations

import importlib
import pkgutil

from replication.core.presets import check_preset
from replication.core.validation import check_choice

__all__ = ["Config", "get_config", "chapters"]


class Config(dict):
    """A dict whose keys are also attributes; read-only once built."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError as err:
            raise AttributeError(f"config has no field {name!r}; fields: {sorted(self)}") from err

    def __setitem__(self, key, value):
        raise TypeError("Config is read-only; build a new one with Config(old, field=value).")


def chapters() -> tuple[str, ...]:
    """The chapters that have a config module."""
    return tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")))


def get_config(chapter: str, preset: str) -> Config:
    """The configuration of ``chapter`` at ``preset``."""
    check_choice("chapter", chapter, chapters())
    check_preset(preset)
    module = importlib.import_module(f"{__name__}.{chapter}")
    return Config(getattr(module, preset)(), chapter=chapter, preset=preset)
