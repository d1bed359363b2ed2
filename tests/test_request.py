"""A grid's one identity, :class:`GridRequest`: its JSON round trip, the round trip through the store (request →
key → stored result → request), sharing by construction (two chapters that ask for the same runs read one stored
result, whatever they call it), the store checked before any data is loaded, and clear errors for bad requests."""

import dataclasses
import json
import math

import pytest

from replication.analysis.plan import SweepRun
from replication.experiments import autol2, fc_mnist, grid, optimal_l2
from replication.experiments.code_key import code_key
from replication.experiments.configs import get_config
from replication.experiments.request import DataRequest, GridRequest, ModelRequest
from replication.experiments.store import run_path
from replication.training import TrainSpec
from replication.training.autol2 import AutoL2


def _request(**changes) -> GridRequest:
    fields = dict(data=DataRequest("mnist", 64, 32, mnist_source="embedded", flatten=True),
                  model=ModelRequest.of("fc", width=16, depth=2),
                  train=TrainSpec(batch_size=None, evals=4, schedule="step", autol2=AutoL2(lam0=0.01, every=2)),
                  runs=(SweepRun(0.2, 0.01, 8), SweepRun(0.2, 0.0, 8)), seed=3, seeds=(3, 4))  # fmt: skip
    return GridRequest(**{**fields, **changes})


def test_the_canonical_json_round_trips_and_keys_every_field():
    req = _request()
    text = json.dumps(req.to_json(), sort_keys=True)
    back = GridRequest.from_json(json.loads(text))
    assert back == req and back.key("c0de") == req.key("c0de")
    assert req.key("c0de") != req.key("c0de2")  # the code is part of the key
    edits = dict(data=dataclasses.replace(req.data, test_samples=33), model=ModelRequest.of("fc", width=17, depth=2),
                 train=dataclasses.replace(req.train, evals=5), runs=req.runs[:1], seed=4, seeds=(3,))  # fmt: skip
    keys = {field: dataclasses.replace(req, **{field: value}).key("c0de") for field, value in edits.items()}
    assert len(set(keys.values()) | {req.key("c0de")}) == len(edits) + 1


def test_defaults_written_out_or_left_out_are_the_same_request():
    assert ModelRequest.of("wrn", depth=10, widen=2) == ModelRequest.of("wrn", depth=10, widen=2, sigma_w=1.0)
    assert ModelRequest.of("cnn", sigma_w=None) == ModelRequest.of("cnn", sigma_w=math.sqrt(2.0))
    assert ModelRequest.of("wrn", depth=10, widen=2).label == "WRN-10-2"
    # the engine's runs per program is speed only: never in the request, decided by the model's kind
    assert "runs_per_program" not in _request().to_json()["train"]
    assert _request().spec.runs_per_program is None
    assert _request(model=ModelRequest.of("cnn")).spec.runs_per_program == 1


def test_steps_are_epochs_times_whole_batches_rounded_up():
    req = _request(train=TrainSpec(batch_size=20), runs=(SweepRun(0.1, 0.0, 2.5), SweepRun(0.1, 0.1, 0.01)))
    assert req.steps() == (8, 1)  # 64 // 20 = 3 steps an epoch: ceil(7.5) = 8; at least one step


@pytest.mark.parametrize(
    "build, match",
    [
        (lambda: DataRequest("imagenet", 10, 10), "dataset"),
        (lambda: DataRequest("mnist", 0, 10, mnist_source="full"), "train_samples"),
        (lambda: DataRequest("mnist", 10, 10, mnist_source="nowhere"), "mnist_source"),
        (lambda: DataRequest("cifar10", 10, 10, mnist_source="full"), "mnist_source"),
        (lambda: DataRequest("cifar10", 10, 10, downsample=3).input_shape, "downsample"),
        (lambda: ModelRequest.of("resnet"), "model"),
        (lambda: ModelRequest.of("wrn", width=3), "width"),
        (lambda: _request(runs=()), "runs"),
        (lambda: _request(seeds=(1, 1)), "seeds"),
        (lambda: _request(train=TrainSpec(runs_per_program=2)), "runs_per_program"),
    ],
)
def test_bad_requests_name_the_parameter(build, match):
    with pytest.raises(ValueError, match=match):
        build()


def test_input_shape_is_known_without_loading():
    assert DataRequest("cifar10", 10, 10, downsample=2).input_shape == (16, 16, 3)
    assert DataRequest("fashion-mnist-stand-in", 10, 10, flatten=True).input_shape == (784,)
    assert fc_mnist.data_request(get_config("fc_mnist", "smoke")).input_shape == (784,)


def test_request_to_key_to_stored_result_to_request(tmp_path, monkeypatch):
    """The stored file is named by the request's key and holds the request's JSON, which reads back as the request;
    the same request under another name is the same stored result, found before any data is loaded."""
    monkeypatch.setenv("REPLICATION_RESULTS", str(tmp_path))
    req = _request(train=TrainSpec(batch_size=None, evals=2), seeds=())
    trained = grid.cached_grid("first", "smoke", req, log=lambda *_: None)
    key = code_key(grid.train_request)
    path = run_path(req.label, req.to_json(), key, preset="smoke")
    assert path.exists() and path.name == f"fc-mnist-{req.key(key.key)}.json"
    stored = json.loads(path.read_text())
    assert GridRequest.from_json(stored["config"]) == req and not trained.reused

    def no_data(*args, **kwargs):
        raise AssertionError("data loaded although the result is stored")

    monkeypatch.setattr(grid, "load_data", no_data)
    again = grid.cached_grid("another name", "smoke", req, log=lambda *_: None)
    assert again.reused and again.request == req
    assert [h.to_json() for h in again.histories] == [h.to_json() for h in trained.histories]
    assert again.data_name == "mnist" and again.notice is None and again.input_shape == (784,)


def test_two_chapters_that_ask_for_the_same_runs_share_one_stored_result(tmp_path, monkeypatch):
    """The AutoL2 chapter's FC race compares against the optimal-λ chapter's tuning sweep: once the optimal-λ
    chapter has stored it, the AutoL2 chapter plans it as stored (same request, same file)."""
    monkeypatch.setenv("REPLICATION_RESULTS", str(tmp_path))
    opt_cfg, auto_cfg = get_config("optimal_l2", "smoke"), get_config("autol2", "smoke")
    tuned = optimal_l2.tuning_sweep(opt_cfg, seed=0, budget=auto_cfg.budget)
    with grid.rehearsing(cifar_shapes=False) as grids:
        autol2.constant_lr_race(auto_cfg, seed=0)
    shared = [g for g in grids if g.config == tuned.request.to_json()]
    assert len(shared) == 1 and shared[0].stored
    assert len(list((tmp_path / "smoke" / "runs").glob("*.json"))) == 1
