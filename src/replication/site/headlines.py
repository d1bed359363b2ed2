"""Headline numbers (paper vs ours) that the chapters record and the landing page collects, one JSON file per
chapter: ``$REPLICATION_RESULTS/<preset>/headlines/<chapter>.json``.

A file holds ``{"schema": 1, "records": {key: record}, "checksum": sha256 of the canonical JSON of the records}``;
each record says the seed (and, where the chapter knows it, the code key) behind its number, beside its provenance.
A file that is damaged (unreadable, another shape or schema, a checksum mismatch) or foreign (records of another
chapter or preset) is named in one line through ``log``, set aside (:func:`replication.core.atomic.set_aside`) and
read as empty: the landing page shows that chapter as not recorded until the chapter runs again and rewrites it.

A file holds one run of its chapter: each record carries the run (:data:`RUN`, one per process, so one per
executed notebook), and the first record a new run writes drops the records of earlier runs. A chapter that fails
half-way, or that no longer records a key, leaves those rows "not measured yet" instead of an earlier run's numbers
beside the new ones.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from numbers import Integral
from pathlib import Path

from replication.core.atomic import set_aside
from replication.core.presets import check_preset
from replication.core.provenance import Provenance
from replication.experiments.claims import claim
from replication.experiments.store import json_number, read_json, results_root, write_json_atomic

__all__ = ["record_headline", "load_headlines", "data_label", "SCHEMA", "RUN"]

SCHEMA = 1
_FIELDS = ("ours", "paper", "label", "chapter", "seed", "provenance")  # what every record holds

RUN = f"{os.getpid()}-{time.time_ns()}"  # this process's run of a chapter (its headline records)

_DATA_NAMES = {"cifar10": "CIFAR-10", "fashion-mnist": "Fashion-MNIST", "mnist": "MNIST"}


def data_label(data_name: str | None, images: int) -> str:
    """``images`` images of the named data set, saying when it stands in for CIFAR-10 (for a headline's setting)."""
    name = _DATA_NAMES.get(data_name or "", str(data_name))
    return f"{images} {name} images" + ("" if data_name == "cifar10" else " (stand-in for CIFAR-10)")


def _checksum(records: dict) -> str:
    return hashlib.sha256(json.dumps(records, sort_keys=True, allow_nan=False).encode()).hexdigest()


def _problem(stored, chapter: str, preset: str) -> str | None:
    """Why ``stored`` (a headline file's JSON) of ``chapter`` at ``preset`` cannot be used, or None."""
    if not isinstance(stored, dict) or stored.get("schema") != SCHEMA or not isinstance(stored.get("records"), dict):
        return f"is damaged or of an old format (not a schema-{SCHEMA} headline file)"
    records = stored["records"]
    try:
        if stored.get("checksum") != _checksum(records):
            return "is damaged (checksum mismatch)"
    except ValueError:  # a non-finite number: never written by record_headline
        return "is damaged (not strict JSON)"
    for key, rec in records.items():
        if not isinstance(rec, dict) or not all(f in rec for f in _FIELDS) or not isinstance(rec["provenance"], dict):
            return f"is damaged (record {key!r} lacks a field)"
        where = (rec["chapter"], rec["provenance"].get("preset"))
        if where != (chapter, preset):
            return f"is foreign (record {key!r} is of chapter {where[0]!r} at preset {where[1]!r})"
    return None


def _read(path: Path, preset: str, log) -> dict[str, dict]:
    """The records of the headline file at ``path`` ({} if there is none, or it was set aside)."""
    if not path.exists():
        return {}
    try:
        stored = read_json(path)
    except (OSError, ValueError) as err:  # ValueError: not JSON, or not UTF-8
        why = f"is damaged (unreadable: {type(err).__name__}: {err})"
    else:
        why = _problem(stored, path.stem, preset)
        if why is None:
            return stored["records"]
    set_aside(path, why, log, kind="headline file", then="when its chapter runs again")
    return {}


def record_headline(
    chapter: str,
    key: str,
    ours,
    *,
    provenance: Provenance,
    seed: int,
    label: str,
    setting: str | None = None,
    code_key: str | None = None,
    verdict=None,
    decision=None,
    root: str | os.PathLike | None = None,
    log=print,
) -> None:
    """Record one headline number of ``chapter`` (e.g. the fitted t* exponent) under the key of the claim it judges
    (declared beside the chapter's studies, :mod:`replication.experiments.claims`; an undeclared key is an error),
    beside the claim's paper value, with the chapter's ``seed``, the ``setting`` (model, data, optimizer) that
    produced it where it depends on the preset or the machine, the ``code_key`` of the code behind it where the
    chapter has it (the preset is the provenance's), the ``verdict`` on the paper's claim that code decided from
    the runs (:class:`replication.analysis.criteria.Verdict`; None where the chapter decides none), and where it is
    inconclusive the ``decision``: what could decide it and its price
    (:class:`replication.experiments.deciders.Decision`). Records of the chapter's earlier runs are dropped (the
    module's docstring)."""
    if isinstance(seed, bool) or not isinstance(seed, Integral):
        raise ValueError(f"seed={seed!r} must be an integer (the chapter's seed parameter).")
    preset = check_preset(provenance.preset)
    declared = claim(key)
    if declared.chapter != chapter:
        raise ValueError(f"key {key!r} is a claim of {declared.chapter!r}, not of {chapter!r}.")
    if decision is not None and decision.key != key:
        raise ValueError(f"decision is about {decision.key!r}, not {key!r}.")
    path = results_root(root) / preset / "headlines" / f"{chapter}.json"
    records = {k: rec for k, rec in _read(path, preset, log).items() if rec.get("run") == RUN}
    records[key] = {
        "ours": json_number(ours),
        "paper": declared.paper,
        "label": label,
        "setting": setting,
        "chapter": chapter,
        "seed": int(seed),
        "code_key": code_key,
        "verdict": None if verdict is None else {"outcome": verdict.outcome, "reason": verdict.reason},
        "decision": None if decision is None or not decision.needed else decision.to_dict(),
        "provenance": provenance.to_dict(),
        "run": RUN,
    }
    write_json_atomic(path, {"schema": SCHEMA, "records": records, "checksum": _checksum(records)})


def load_headlines(preset: str, root: str | os.PathLike | None = None, log=print) -> dict[str, dict]:
    """All headline numbers recorded at ``preset``, keyed by headline key; a damaged or foreign file is named through
    ``log``, set aside and skipped."""
    folder = results_root(root) / check_preset(preset) / "headlines"
    out: dict[str, dict] = {}
    for path in sorted(folder.glob("*.json")) if folder.exists() else []:
        out.update(_read(path, preset, log))
    return out
