"""What produced a result: preset, device, wall time and software versions (every caption states them)."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import os
import platform
import subprocess
import time
from importlib import metadata

from replication.core.presets import check_preset

__all__ = ["Provenance", "Stopwatch", "device_description", "software_versions", "git_commit"]


def device_description() -> str:
    """The JAX devices in use, e.g. ``CPU (2 cores, x86_64)``, ``NVIDIA H100 (gpu, 1 device)`` or
    ``NVIDIA H100 (gpu, 16 devices over 2 processes)``: the accelerator's kind and how many there are."""
    import jax

    dev = jax.devices()[0]
    count = jax.device_count()
    devices = f"{count} device{'s' if count != 1 else ''}"
    if jax.process_count() > 1:
        devices += f" over {jax.process_count()} processes"
    if dev.platform == "cpu":
        extra = f", {devices}" if count > 1 else ""
        return f"CPU ({os.cpu_count()} cores, {platform.machine()}{extra})"
    return f"{getattr(dev, 'device_kind', dev.platform)} ({dev.platform}, {devices})"


def software_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    # name shown -> distribution: this package is imported as `replication` and distributed as `l2-dynamics`
    dists = {"jax": "jax", "jaxlib": "jaxlib", "flax": "flax", "optax": "optax", "numpy": "numpy"}
    for pkg, dist in {**dists, "replication": "l2-dynamics"}.items():
        try:
            out[pkg] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def git_commit() -> str:
    """The commit of the source tree, or ``"unknown"`` outside a git checkout."""
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return out.stdout.strip() if out.returncode == 0 else "unknown"


def _format_seconds(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.2f} h"


@dataclasses.dataclass(frozen=True)
class Provenance:
    """The preset, device and wall time behind one result or figure."""

    preset: str
    device: str
    wall_time_s: float
    date: str = dataclasses.field(
        default_factory=lambda: _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    )
    versions: dict = dataclasses.field(default_factory=software_versions)
    commit: str = dataclasses.field(default_factory=git_commit)

    def __post_init__(self):
        check_preset(self.preset)

    def line(self) -> str:
        """``preset `cpu` · CPU (2 cores, x86_64) · wall time 12.3 s`` (+ a warning for smoke)."""
        text = f"preset `{self.preset}` · {self.device} · wall time {_format_seconds(self.wall_time_s)}"
        if self.preset == "smoke":
            text += " · smoke preset: a pipeline check, not a replication"
        return text

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def combine(cls, provenances) -> "Provenance":
        """One provenance for a figure drawn from several stored computations: their common preset, their devices
        and commits (each named once) and the sum of their wall times."""
        provs = list(provenances)
        if not provs:
            raise ValueError("provenances must hold at least one Provenance.")
        presets = sorted({p.preset for p in provs})
        if len(presets) > 1:
            raise ValueError(f"provenances mix the presets {presets}: one figure must come from one preset.")
        return cls(
            presets[0],
            " + ".join(dict.fromkeys(p.device for p in provs)),
            sum(p.wall_time_s for p in provs),
            date=max(p.date for p in provs),
            versions=provs[0].versions,
            commit=", ".join(dict.fromkeys(p.commit for p in provs)),
        )

    @classmethod
    def from_dict(cls, d: dict) -> "Provenance":
        return cls(**{f.name: d[f.name] for f in dataclasses.fields(cls) if f.name in d})


class Stopwatch:
    """``with Stopwatch(preset) as sw: ...`` then ``sw.provenance`` records preset, device and elapsed time."""

    def __init__(self, preset: str):
        self.preset = check_preset(preset)
        self.seconds = 0.0
        self._start = None

    def __enter__(self):
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self._start
        return False

    @property
    def provenance(self) -> Provenance:
        return Provenance(self.preset, device_description(), self.seconds)
