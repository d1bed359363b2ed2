"""`python -m replication.experiments why`: a grid that is stored says so; after a one-field config edit it names
that field, after a code edit the module whose key changed (the code keys kept per part in each stored result)."""

import dataclasses

from replication.experiments import code_key as code_key_module
from replication.experiments import fc_mnist, grid, why
from replication.experiments.configs import get_config
from replication.experiments.grid import rehearsing


def _explain(cfg):
    with rehearsing(cifar_shapes=False) as grids:
        fc_mnist.mse_sweep(cfg, seed=0)
    return why.explain(grids[0])


def test_why_names_the_differing_config_field_and_code_module(tmp_path, monkeypatch):
    monkeypatch.setenv("REPLICATION_RESULTS", str(tmp_path))
    cfg = get_config("fc_mnist", "smoke")
    fc_mnist.mse_sweep(cfg, seed=0)  # trains 3 tiny runs and stores them
    stored = _explain(cfg)
    assert stored.stored and "stored" in stored.describe()

    wider = cfg.replace(model=cfg.model.replace(width=cfg.model.width + 8))
    edited = _explain(wider)
    assert not edited.stored and edited.nearest == stored.file
    assert edited.config == (f"model.width: {cfg.model.width} → {cfg.model.width + 8}",) and edited.code == ()
    assert f"config model.width: {cfg.model.width} → {cfg.model.width + 8}" in edited.describe()

    real = code_key_module.code_key

    def engine_edited(fn):  # what an edit of the engine does to the key: that module's part changes
        key = real(fn)
        parts = tuple((p, "0" * 12 if p == "module replication.training.engine" else h) for p, h in key.parts)
        return dataclasses.replace(key, key="f" * 16, parts=parts)

    monkeypatch.setattr(grid, "code_key", engine_edited)
    changed = _explain(cfg)
    assert not changed.stored and changed.config == ()
    assert changed.code == ("module replication.training.engine changed",)


def test_config_differences_walk_nested_fields_and_lists():
    old = dict(width=32, runs=[dict(lr=0.1, epochs=20), dict(lr=0.2, epochs=10)], spec=dict(schedule="step"))
    new = dict(width=32, runs=[dict(lr=0.1, epochs=40), dict(lr=0.2, epochs=10)], spec=dict(), seeds=[0, 1])
    assert why.config_differences(old, new) == [
        "runs[0].epochs: 20 → 40",
        "seeds: added ([0, 1])",
        'spec.schedule: removed (was "step")',
    ]
    assert why.config_differences(dict(runs=[1, 2]), dict(runs=[1])) == ["runs: 2 entries → 1"]
