"""Probes recorded in the repository: the size a :class:`~replication.experiments.claims.Decider` declares, trained
once (on this machine or a GPU), its stored grids committed under ``probes/<chapter>/<decider>/``, and the claim
judged from them by the chapter's own rule (the decider's ``judge``) each time the book is built, instead of a
number quoted in prose.

:func:`recorded_probe` reads them back whatever code trained them (each file's checksum is checked), and says what
the judgement rests on: the runs, where, when and by which commit they were trained, whether they are the whole
declared size (every run the decider's study plans, with the same data, model, training and seeds) and which parts
of the code have changed since (:func:`replication.experiments.why.code_differences`).

``python -m replication.experiments probe <claim key>`` (``make probe CLAIM=...``) trains a decider's size, or
reads it from the store, and records it (:func:`record_probe`).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

from replication.analysis.criteria import Verdict
from replication.core.project import project_root
from replication.core.provenance import Provenance
from replication.experiments.claims import Claim, Decider, claim, claims_with_deciders
from replication.experiments.code_key import code_key
from replication.experiments.grid import GridResult, grid_from_stored, train_request
from replication.experiments.rehearsal import decider_study, plan_decider
from replication.experiments.request import GridRequest
from replication.experiments.results import SweepResult, analyzed
from replication.experiments.store import _payload_checksum, read_json, results_root
from replication.experiments.why import code_differences

__all__ = ["PROBES", "RecordedProbe", "ProbeError", "probe_folder", "recorded_probe", "record_probe", "main"]

PROBES = "probes"  # the folder of the project's checkout that holds them


class ProbeError(ValueError):
    """A recorded probe that cannot be read (a damaged file, or one that is not a stored grid); the message names
    the file and says why."""


@dataclasses.dataclass(frozen=True)
class RecordedProbe:
    """A decider's size as recorded: the claim ``key``, its files (relative to the project), their grids, the
    declared runs no recorded grid holds (none when the probe is the whole size), the parts of the code that differ
    from today's, the claim's verdict on these runs by the chapter's rule, and how many runs the declared size has
    (each run from each initialization: the same data, model, training, η, λ and steps)."""

    key: str
    files: tuple[str, ...]
    grids: tuple[GridResult, ...]
    missing: tuple[str, ...]
    changed: tuple[str, ...]
    verdict: Verdict
    declared: int  # how many runs (× initializations) the declared size has
    extra: tuple[str, ...] = ()  # recorded runs the declared size does not ask for (judged with the others)

    @property
    def whole(self) -> bool:
        return not self.missing

    @property
    def wall_time_s(self) -> float:
        return sum(g.provenance.wall_time_s for g in self.grids)

    def folder(self) -> str:
        """The probe's folder, relative to the project (``probes/<chapter>/<decider>/``)."""
        return str(Path(self.files[0]).parent) + "/"

    def basis(self) -> str:
        """What was trained, where, when and by what code: "probes/...: 12 runs in 1 grid, the whole declared size;
        trained 2026-12-05 at commit 09c0d84 on CPU (2 cores, x86_64), 3646 s in all; the code has changed since in
        2 parts (...)"."""
        runs = sum(len(g.runs) * max(1, len(g.seeds)) for g in self.grids)
        commits = sorted({g.provenance.commit for g in self.grids})
        devices = "; ".join(sorted({g.provenance.device for g in self.grids}))
        dates = sorted(g.provenance.date[:10] for g in self.grids)
        when = dates[0] if dates[0] == dates[-1] else f"{dates[0]} to {dates[-1]}"
        listed = "; ".join(self.missing[:3]) + (f"; and {len(self.missing) - 3} more" if len(self.missing) > 3 else "")
        size = (
            "the whole declared size"
            if self.whole
            else f"{self.declared - len(self.missing)} of the declared size's {self.declared} runs (missing: {listed})"
        )
        if self.extra:
            size += f", and {len(self.extra)} run{'s' if len(self.extra) != 1 else ''} beyond it, judged with them"
        parts = [c.replace(" changed", "") for c in self.changed]
        named = ", ".join(parts[:4]) + (f", and {len(parts) - 4} more" if len(parts) > 4 else "")
        plural = "s" if len(parts) != 1 else ""
        code = (
            f"the code has changed since in {len(parts)} part{plural} ({named})"
            if parts
            else "the code that trained them is today's"
        )
        grids = f"{len(self.grids)} grid{'s' if len(self.grids) != 1 else ''}"
        return (f"{self.folder()}: {runs} runs in {grids}, {size}; trained {when} at commit"
                f"{'s' if len(commits) > 1 else ''} {', '.join(commits)} on {devices}, {self.wall_time_s:.0f} s in "
                f"all; {code}")  # fmt: skip

    def describe(self) -> str:
        """One sentence: what was trained, where and by what, and what the chapter's rule makes of it."""
        return f"a recorded probe at this size ({self.basis()}) reads {self.verdict.describe()}"

    def to_dict(self) -> dict:
        """What a headline record keeps (plain JSON)."""
        return dict(folder=self.folder(), files=list(self.files), whole=self.whole, missing=list(self.missing),
                    changed=list(self.changed), basis=self.basis(), outcome=self.verdict.outcome,
                    reason=self.verdict.reason)  # fmt: skip


def probe_folder(key: str, root: str | Path | None = None, decider: Decider | None = None) -> Path:
    """``<project>/probes/<chapter>/<decider's config>/`` of the claim ``key`` (``root``: another probes folder;
    ``decider``: one of the claim's ``tried`` sizes, else its decider)."""
    declared, decider = _declared(key, decider)
    base = Path(root) if root is not None else project_root() / PROBES
    return base / declared.chapter / decider.config


def _declared(key: str, decider: Decider | None = None) -> tuple[Claim, Decider]:
    """The claim ``key`` and the size asked for: ``decider`` (which must be the claim's decider or one of its
    ``tried``), else its decider."""
    declared = claim(key)
    if decider is None:
        if declared.decider is None:
            raise ValueError(f"claim {key!r} declares no Decider, so it has no size to probe.")
        return declared, declared.decider
    if decider != declared.decider and decider not in declared.tried:
        raise ValueError(f"claim {key!r} declares no size {decider.config}() (neither its decider nor tried).")
    return declared, decider


def _read(path: Path) -> tuple[GridResult, dict]:
    try:
        stored = read_json(path)
    except (OSError, ValueError) as err:
        raise ProbeError(f"{path}: cannot be read as JSON ({err}).") from err
    if not isinstance(stored, dict) or not all(k in stored for k in ("payload", "provenance", "config", "checksum")):
        raise ProbeError(f"{path}: not a stored grid (it needs payload, provenance, config and checksum).")
    if stored["checksum"] != _payload_checksum(stored["payload"]):
        raise ProbeError(f"{path}: damaged (its payload does not match its checksum).")
    try:
        grid = grid_from_stored(stored["payload"], Provenance.from_dict(stored["provenance"]), stored["config"])
    except (KeyError, TypeError, ValueError) as err:
        raise ProbeError(f"{path}: not a grid this version can read ({type(err).__name__}: {err}).") from err
    return grid, stored.get("code_parts") or {}


def _instances(request: GridRequest) -> set[str]:
    """Every run of ``request`` from each initialization, as a string that names its data, model, training, data
    order, initialization, η, λ and steps."""
    fields = request.to_json()
    setting = json.dumps({k: fields[k] for k in ("data", "model", "train")}, sort_keys=True)
    inits = request.seeds or (request.seed,)
    return {json.dumps([setting, request.seed, s, r.lr, r.lam, n])
            for s in inits for r, n in zip(request.runs, request.steps(), strict=True)}  # fmt: skip


def _run_text(instance: str) -> str:
    _, order, init, lr, lam, steps = json.loads(instance)
    return f"η = {lr:g}, λ = {lam:g}, {steps} steps, initialization {init}"


def _planned(key: str, seed: int, decider: Decider | None = None) -> list[GridRequest]:
    declared, decider = _declared(key, decider)
    grids, error = plan_decider(declared.chapter, decider, seed=seed)
    if error:
        raise ValueError(f"claim {key!r}: its decider's study could not be planned ({error}).")
    planned = [GridRequest.from_json(g.config) for g in grids if g.config is not None]
    if not planned:
        raise ValueError(f"claim {key!r}: its decider's study {decider.study} asks for no grid.")
    return planned


def judge(key: str, sweeps: tuple[SweepResult, ...], decider: Decider | None = None) -> Verdict:
    """The claim ``key`` on ``sweeps`` (grids of its decider's size, or of ``decider``, one of its ``tried``) by
    the chapter's rule: the decider's ``judge``, a function of the chapter's experiment module called with the
    decider's config and the sweeps."""
    declared, decider = _declared(key, decider)
    if decider.judge is None:
        raise ValueError(f"claim {key!r}: its Decider names no judge, so recorded runs cannot be judged.")
    module, cfg = decider_study(declared.chapter, decider)
    return getattr(module, decider.judge)(cfg, sweeps)


def recorded_probe(key: str, *, root: str | Path | None = None, seed: int | None = None,
                   decider: Decider | None = None) -> RecordedProbe | None:  # fmt: skip
    """The probe recorded for the claim ``key`` (None where its folder holds no file); ``root``: another probes
    folder; ``seed``: the seed its study started from (default: the recorded grids' own, so that a chapter run from
    another seed still reads the probe as the size it is); ``decider``: one of the claim's ``tried`` sizes (default:
    its decider). Raises :class:`ProbeError` for a file that cannot be used."""
    folder = probe_folder(key, root, decider)
    paths = sorted(folder.glob("*.json")) if folder.is_dir() else []
    if not paths:
        return None
    read = [_read(p) for p in paths]
    grids = tuple(g for g, _ in read)
    have = set().union(*(_instances(g.request) for g in grids))
    seed = grids[0].request.seed if seed is None else seed
    try:
        want = set().union(*(_instances(r) for r in _planned(key, seed, decider)))
    except ValueError as err:  # a size that no longer plans: said in the book, not raised from it
        raise ProbeError(f"{folder}: {err}") from err
    missing = tuple(_run_text(i) for i in sorted(want - have))
    extra = tuple(_run_text(i) for i in sorted(have - want))
    today = code_key(train_request)
    changed = sorted({c for _, parts in read for c in code_differences(parts, today)})
    try:
        project = project_root()
        files = tuple(str(p.resolve().relative_to(project.resolve())) for p in paths)
    except ValueError:
        files = tuple(str(p) for p in paths)
    try:
        verdict = judge(key, tuple(analyzed(g) for g in grids), decider)
    except ValueError as err:  # grids the judge cannot take (e.g. two of one variant): the files, not the code
        raise ProbeError(f"{folder}: its grids cannot be judged by the chapter's rule ({err}).") from err
    return RecordedProbe(key, files, grids, missing, tuple(changed), verdict, len(want), extra)


def record_probe(key: str, *, root: str | Path | None = None, seed: int = 0, train: bool = True,
                 log=print) -> RecordedProbe:  # fmt: skip
    """Train the claim ``key``'s decider size (each grid the store holds is read, not trained: results/<base
    preset>/; ``train=False``: train nothing), copy the stored grids of that size into its probe folder (replacing
    what was there; after an interrupted run, the grids that finished) and read the probe back."""
    declared, d = _declared(key)
    if train:
        module, cfg = decider_study(declared.chapter, d)
        getattr(module, d.study)(cfg, seed=seed, **dict(d.options))
    grids, error = plan_decider(declared.chapter, d, seed=seed)
    stored = [g for g in grids if g.stored]
    if error or not stored:
        raise ValueError(f"claim {key!r}: no grid of its decider's size is stored in {results_root() / d.base}"
                         f"{f' ({error})' if error else ''}; train it first (without --stored-only).")  # fmt: skip
    folder = probe_folder(key, root)
    if folder.is_dir():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for g in stored:
        shutil.copy2(results_root() / d.base / "runs" / g.identity, folder / g.identity)
        log(f"recorded {g.identity} ({g.name}: {g.n_runs} runs)")
    probe = recorded_probe(key, root=root, seed=seed)
    assert probe is not None
    return probe


def main(argv=None) -> int:
    """``python -m replication.experiments probe <claim key>... [--seed S]`` (``make probe CLAIM=...``): train each
    claim's decider size (or read it from the store), record it under probes/, and print what it reads."""
    import argparse

    p = argparse.ArgumentParser(prog="python -m replication.experiments probe", description=main.__doc__)
    p.add_argument("keys", nargs="+", metavar="claim", help=f"one or more of: {', '.join(claims_with_deciders())}")
    p.add_argument("--seed", type=int, default=0, help="the initialization seed the decider's study starts from")
    p.add_argument("--root", default=None, help="the probes folder to record into (default: the project's probes/)")
    p.add_argument(
        "--stored-only",
        action="store_true",
        help="train nothing: record the grids of the size that are stored (e.g. after a run was stopped)",
    )
    args = p.parse_args(argv)
    known = claims_with_deciders()
    for key in args.keys:
        if key not in known:
            p.error(f"claim {key!r} declares no decider; one of: {', '.join(known)}")
    for key in args.keys:
        probe = record_probe(key, root=args.root, seed=args.seed, train=not args.stored_only)
        print(f"{key}: {probe.describe()}", flush=True)
    return 0
