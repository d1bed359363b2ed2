"""Headline numbers (paper vs ours) that the chapters record and the landing page collects, one JSON file per
chapter: ``$REPLICATION_RESULTS/<preset>/headlines/<chapter>.json``."""

from __future__ import annotations

import os

from replication.core.presets import check_preset
from replication.core.provenance import Provenance
from replication.experiments.store import json_number, read_json, results_root, write_json_atomic

__all__ = ["record_headline", "load_headlines", "data_label"]

_DATA_NAMES = {"cifar10": "CIFAR-10", "fashion-mnist": "Fashion-MNIST", "mnist": "MNIST"}


def data_label(data_name: str | None, images: int) -> str:
    """``images`` images of the named data set, saying when it stands in for CIFAR-10 (for a headline's setting)."""
    name = _DATA_NAMES.get(data_name or "", str(data_name))
    return f"{images} {name} images" + ("" if data_name == "cifar10" else " (stand-in for CIFAR-10)")


def record_headline(
    chapter: str,
    key: str,
    ours,
    *,
    provenance: Provenance,
    paper: str,
    label: str,
    setting: str | None = None,
    root: str | os.PathLike | None = None,
) -> None:
    """Record one headline number of ``chapter`` (e.g. the fitted t* exponent) beside the paper's value, with the
    ``setting`` (model, data, optimizer) that produced it where it depends on the preset or the machine."""
    path = results_root(root) / check_preset(provenance.preset) / "headlines" / f"{chapter}.json"
    current = read_json(path) if path.exists() else {}
    current[key] = {
        "ours": json_number(ours),
        "paper": paper,
        "label": label,
        "setting": setting,
        "chapter": chapter,
        "provenance": provenance.to_dict(),
    }
    write_json_atomic(path, current)


def load_headlines(preset: str, root: str | os.PathLike | None = None) -> dict[str, dict]:
    """All headline numbers recorded at ``preset``, keyed by headline key."""
    folder = results_root(root) / check_preset(preset) / "headlines"
    out: dict[str, dict] = {}
    for path in sorted(folder.glob("*.json")) if folder.exists() else []:
        out.update(read_json(path))
    return out
