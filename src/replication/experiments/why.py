"""Why a chapter would train (``python -m replication.experiments why <chapter> --preset P``): for each grid its
studies ask for, whether it is stored, and if not, how the request differs from the nearest stored result of the same
model kind and data set (the fewest differences): the fields of its request
(:class:`~replication.experiments.request.GridRequest`), and the parts of the code (a definition, or a package module
it executes) whose keys differ (:class:`replication.experiments.code_key.CodeKey` ``parts``).

The grids are found as the rehearsal finds them (:func:`replication.experiments.grid.rehearsing`): nothing trains
and nothing is written.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

from replication.core.presets import check_preset
from replication.experiments.code_key import CodeKey
from replication.experiments.grid import PlannedGrid
from replication.experiments.rehearsal import plan_studies
from replication.experiments.store import read_json, results_root

__all__ = ["Explanation", "config_differences", "code_differences", "explain", "explain_chapter", "main"]


@dataclasses.dataclass(frozen=True)
class Explanation:
    """One grid: stored or not; if not, the nearest stored file of its name and what differs from it."""

    name: str
    stored: bool
    file: str  # the file the request is (or would be) stored in
    nearest: str | None = None
    config: tuple[str, ...] = ()  # "width: 32 → 48"
    code: tuple[str, ...] = ()  # "module replication.training.engine changed"

    def describe(self) -> str:
        if self.stored:
            return f"{self.name}: stored ({self.file})"
        if self.nearest is None:
            return f"{self.name}: not stored, and no result of this name is stored at this preset ({self.file})"
        what = [f"config {c}" for c in self.config] + [f"code: {c}" for c in self.code]
        differs = "; ".join(what) if what else "nothing recorded differs (stored by an older version of the store?)"
        return f"{self.name}: not stored ({self.file}); the nearest stored, {self.nearest}, differs in: {differs}"


def _short(value) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def config_differences(stored, requested, path: str = "") -> list[str]:
    """Each field where ``requested`` differs from ``stored`` (nested dicts and lists by path, e.g.
    ``runs[3].epochs: 20 → 40``; a list of another length as one entry)."""
    if isinstance(stored, dict) and isinstance(requested, dict):
        out = []
        for key in sorted(set(stored) | set(requested), key=str):
            sub = f"{path}.{key}" if path else str(key)
            if key not in stored:
                out.append(f"{sub}: added ({_short(requested[key])})")
            elif key not in requested:
                out.append(f"{sub}: removed (was {_short(stored[key])})")
            else:
                out += config_differences(stored[key], requested[key], sub)
        return out
    if isinstance(stored, list) and isinstance(requested, list):
        if len(stored) != len(requested):
            return [f"{path}: {len(stored)} entries → {len(requested)}"]
        return [d for i, (a, b) in enumerate(zip(stored, requested, strict=True))
                for d in config_differences(a, b, f"{path}[{i}]")]  # fmt: skip
    same = json.dumps(stored, sort_keys=True, default=str) == json.dumps(requested, sort_keys=True, default=str)
    return [] if same else [f"{path}: {_short(stored)} → {_short(requested)}"]


def code_differences(stored_parts: dict | None, requested: CodeKey) -> list[str]:
    """Each part of the code whose key differs from the stored result's, or that one side lacks; one entry saying
    so when the stored result predates per-part keys."""
    if not stored_parts:
        return ["the stored result predates per-part code keys: which part changed cannot be told"]
    now = dict(requested.parts)
    out = [f"{part} changed" for part in sorted(now) if part in stored_parts and stored_parts[part] != now[part]]
    out += [f"{part} newly executed" for part in sorted(set(now) - set(stored_parts))]
    out += [f"{part} no longer executed" for part in sorted(set(stored_parts) - set(now))]
    return out


def explain(grid: PlannedGrid, root=None) -> Explanation:
    """:class:`Explanation` of one grid the rehearsal planned (its ``config`` and ``code`` are the request)."""
    if grid.stored:
        return Explanation(grid.name, True, grid.identity)
    if grid.config is None or grid.code is None:
        raise ValueError(f"grid {grid.name!r} carries no request (config and code key) to compare.")
    folder = results_root(root) / check_preset(grid.preset) / "runs"
    label = grid.identity.rsplit("-", 1)[0]  # the request's label: model kind and data set
    pattern = re.compile(rf"{re.escape(label)}-[0-9a-f]{{16}}\.json")
    best = None
    for path in sorted(folder.glob(f"{label}-*.json"), key=lambda p: -p.stat().st_mtime):
        if not pattern.fullmatch(path.name):
            continue
        try:
            stored = read_json(path)
            config = config_differences(stored["config"], grid.config)
        except (OSError, ValueError, KeyError, TypeError):
            continue  # damaged: the store sets it aside when it is asked for
        code = [] if stored.get("code_key") == grid.code.key else code_differences(stored.get("code_parts"), grid.code)
        if best is None or len(config) + len(code) < len(best[1]) + len(best[2]):
            best = (path, config, code)
    if best is None:
        return Explanation(grid.name, False, grid.identity)
    return Explanation(grid.name, False, grid.identity, Path(best[0]).name, tuple(best[1]), tuple(best[2]))


def explain_chapter(chapter: str, *, preset: str, seed: int = 0, root=None) -> tuple[list[Explanation], list[str]]:
    """Every grid ``chapter``'s declared studies ask for at ``preset``, explained; and the studies that raised."""
    grids, errors = plan_studies(chapter, preset=preset, seed=seed, cifar_shapes=False)  # as a run here asks
    out, seen = [], set()
    for g in grids:
        if g.identity not in seen:
            seen.add(g.identity)
            out.append(explain(g, root))
    return out, errors


def main(argv=None) -> int:
    """``python -m replication.experiments why <chapter>... [--preset cpu]``: print each grid's explanation."""
    from replication.experiments.headless import chapter_parser, chapters_named

    p = chapter_parser("python -m replication.experiments why", __doc__, raw=True)
    args = p.parse_args(argv)
    for chapter in chapters_named(p, args.chapters):
        explanations, errors = explain_chapter(chapter, preset=args.preset, seed=args.seed)
        stored = sum(e.stored for e in explanations)
        print(f"{chapter} at {args.preset}: {stored} of {len(explanations)} grids stored", flush=True)
        for e in explanations:
            print(f"  {e.describe()}", flush=True)
        for e in errors:
            print(f"  study {e}", flush=True)
    return 0
