"""The result store: a run is reused only with the same configuration and the same code (comments and docstrings do
not count), and a damaged file is recomputed, never used."""

import importlib
import json
import re
import sys
from pathlib import Path

import pytest

from replication.experiments import store
from replication.experiments.code_key import code_key
from replication.experiments.store import cached_result

PREP = '''
"""Preprocessing."""


def standardize(x):
    """Scale the input."""
    return x * 2  # a comment
'''

EXPERIMENT = '''
"""An experiment module: a run function and a summary beside it."""
from fakepkg import prep

SCALE = 1.0


def load(x):
    return prep.standardize(x) * SCALE


def run(x, offset=0.0):
    """The payload."""
    return load(x) + offset


def summary(values):
    return max(values)
'''


@pytest.fixture
def fakepkg(tmp_path, monkeypatch):
    pkg = tmp_path / "fakepkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "prep.py").write_text(PREP)
    (pkg / "exp.py").write_text(EXPERIMENT)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield pkg
    for name in [m for m in sys.modules if m == "fakepkg" or m.startswith("fakepkg.")]:
        del sys.modules[name]


def key_after(pkg, filename, old, new):
    path = pkg / filename
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    return code_key(importlib.import_module("fakepkg.exp").run).key


def test_key_covers_the_run_its_helpers_and_the_modules_they_import(fakepkg):
    key = code_key(importlib.import_module("fakepkg.exp").run)
    assert key.definitions == ("fakepkg.exp.SCALE", "fakepkg.exp.load", "fakepkg.exp.run")
    assert key.modules == ("fakepkg.prep",)


@pytest.mark.parametrize(
    ("filename", "old", "new"),
    [
        ("prep.py", "return x * 2", "return x * 3"),  # preprocessing
        ("exp.py", "SCALE = 1.0", "SCALE = 0.5"),  # a module-level default the run reads
        ("exp.py", "offset=0.0", "offset=1.0"),  # a default argument
    ],
)
def test_editing_code_that_runs_changes_the_key(fakepkg, filename, old, new):
    before = code_key(importlib.import_module("fakepkg.exp").run).key
    assert key_after(fakepkg, filename, old, new) != before


def test_a_key_computed_again_sees_an_edit_and_its_revert(fakepkg):
    """Each module's part of a key is kept by the sha256 of its source (so that the hundreds of keys a chapter asks
    for do not dump the same ASTs again): an edit made after a key was computed changes the next key, and undoing
    the edit gives the first key back."""
    run = importlib.import_module("fakepkg.exp").run
    first = code_key(run)
    assert code_key(run) == first
    assert key_after(fakepkg, "prep.py", "return x * 2", "return x * 3") != first.key
    assert key_after(fakepkg, "prep.py", "return x * 3", "return x * 2") == first.key


@pytest.mark.parametrize(
    ("filename", "old", "new"),
    [
        ("prep.py", '"""Scale the input."""', '"""Scale the input by two."""'),
        ("prep.py", "# a comment", "# another comment, longer"),
        ("exp.py", '"""The payload."""', ""),
        ("exp.py", "return max(values)", "return min(values)"),  # not reached from run
        ("exp.py", "\n\ndef load", "\n\n\n# spacing and a comment\ndef load"),
    ],
)
def test_comments_docstrings_and_unreached_code_do_not_change_the_key(fakepkg, filename, old, new):
    before = code_key(importlib.import_module("fakepkg.exp").run).key
    assert key_after(fakepkg, filename, old, new) == before


def test_a_run_stored_before_an_edit_is_not_reused_after_it(fakepkg, tmp_path):
    run = importlib.import_module("fakepkg.exp").run
    calls = []

    def compute():
        calls.append(1)
        return {"value": len(calls)}

    first = cached_result("demo", {"x": 1}, compute, preset="smoke", root=tmp_path / "r", code=run, log=calls.append)
    again = cached_result("demo", {"x": 1}, compute, preset="smoke", root=tmp_path / "r", code=run, log=calls.append)
    assert (first.reused, again.reused) == (False, True)
    (fakepkg / "prep.py").write_text(PREP.replace("x * 2", "x * 4"))
    edited = cached_result("demo", {"x": 1}, compute, preset="smoke", root=tmp_path / "r", code=run, log=calls.append)
    assert not edited.reused and edited.payload == {"value": 2}


def test_experiment_keys_follow_the_layers():
    """A grid's key covers its data, model and engine (what trains a request), and no figure, site or
    budget-analysis code, and no chapter's experiment module (they only build requests, which the store keys)."""
    from replication.experiments import grid

    key = code_key(grid.train_request)
    modules = {"replication.data.transforms", "replication.models.mlp", "replication.models.convnets",
               "replication.training.engine", "replication.experiments.request"}  # fmt: skip
    assert modules <= set(key.modules)
    # train_request and the grid module's definitions it reaches (the per-process data and network it reuses)
    grid_defs = ("DATA_LOCATIONS", "_NETWORKS", "_built", "_loaded", "_loaded_from", "train_request")
    assert key.definitions == tuple(f"replication.experiments.grid.{d}" for d in grid_defs)
    assert not [m for m in key.modules if m.startswith(("replication.viz", "replication.site"))]
    assert not {"replication.analysis.budgets", "replication.experiments.fc_mnist"} & set(key.modules)


def test_code_key_refuses_what_it_cannot_read():
    module_level_lambda = eval("lambda: None", {"__name__": __name__})  # qualname '<lambda>': no definition to read
    with pytest.raises(ValueError, match="top-level"):
        code_key(module_level_lambda)
    with pytest.raises(ValueError, match="cannot find the source"):
        code_key(print)


def test_result_store_reuses_only_the_same_config_and_recomputes_damaged_files(tmp_path):
    calls = []

    def compute(value):
        def run():
            calls.append(value)
            return {"value": value, "curve": [1.0, 0.5]}

        return run

    logs = []
    first = cached_result(
        "demo", {"lr": 0.1}, compute(1), preset="cpu", root=tmp_path, code=cached_result, log=logs.append
    )
    again = cached_result(
        "demo", {"lr": 0.1}, compute(2), preset="cpu", root=tmp_path, code=cached_result, log=logs.append
    )
    other = cached_result(
        "demo", {"lr": 0.2}, compute(3), preset="cpu", root=tmp_path, code=cached_result, log=logs.append
    )
    assert (first.reused, again.reused, other.reused) == (False, True, False)
    assert again.payload["value"] == 1 and other.payload["value"] == 3 and calls == [1, 3]
    assert again.provenance.preset == "cpu" and again.provenance.wall_time_s >= 0
    path = first.path
    # a flipped digit in the payload: the checksum catches it and the run is recomputed
    text = open(path).read().replace('"value": 1', '"value": 7')
    open(path, "w").write(text)
    fixed = cached_result(
        "demo", {"lr": 0.1}, compute(4), preset="cpu", root=tmp_path, code=cached_result, log=logs.append
    )
    assert not fixed.reused and fixed.payload["value"] == 4 and "damaged" in logs[-1]
    # a truncated file: recomputed, never used
    open(path, "w").write(open(path).read()[:40])
    again = cached_result(
        "demo", {"lr": 0.1}, compute(5), preset="cpu", root=tmp_path, code=cached_result, log=logs.append
    )
    assert not again.reused and again.payload["value"] == 5
    assert calls == [1, 3, 4, 5]


def _store(tmp_path, value, logs, config=None):
    return cached_result(
        "demo", config or {"lr": 0.1}, lambda: {"value": value}, preset="cpu", root=tmp_path, code=cached_result,
        log=logs.append,
    )  # fmt: skip


def _set_aside(path):
    """The files that ``path`` was set aside as (``<name>.damaged-<UTC time>`` in its folder)."""
    return sorted(p.name for p in path.parent.glob(path.name + ".damaged-*"))


def _rewrite(path, edit):
    stored = json.loads(path.read_text())
    path.write_text(json.dumps(edit(stored)))


def _with_payload(payload):
    def edit(stored):
        return dict(stored, payload=payload, checksum=store._payload_checksum(payload))

    return edit


@pytest.mark.parametrize(
    "damage",
    [
        lambda s: [],
        lambda s: None,
        lambda s: "a string",
        lambda s: 3,
        _with_payload([1, 2]),  # a payload of the wrong type, with a checksum that matches it
        _with_payload(None),
        lambda s: dict(s, provenance=[]),
        lambda s: dict(s, provenance="cpu"),
        lambda s: dict(s, provenance=dict(s["provenance"], preset="paper")),  # another preset's provenance
        lambda s: {k: v for k, v in s.items() if k != "config"},
    ],
    ids=[
        "list",
        "null",
        "string",
        "number",
        "payload-list",
        "payload-null",
        "prov-list",
        "prov-str",
        "prov-preset",
        "no-config",
    ],  # fmt: skip
)
def test_a_stored_run_of_the_wrong_shape_is_named_set_aside_and_recomputed(tmp_path, damage):
    logs = []
    path = Path(_store(tmp_path, 1, logs).path)
    _rewrite(path, damage)
    damaged_text = path.read_text()
    again = _store(tmp_path, 2, logs)
    assert not again.reused and again.payload == {"value": 2}
    (aside,) = _set_aside(path)
    assert re.fullmatch(re.escape(path.name) + r"\.damaged-\d{8}T\d{12}", aside)
    assert (path.parent / aside).read_text() == damaged_text  # kept as it was, for a look
    assert len(logs) == 1 and "\n" not in logs[0]
    assert path.name in logs[0] and aside in logs[0] and "set aside" in logs[0] and "recomputed" in logs[0]
    assert _store(tmp_path, 3, logs).reused  # the recomputed file is whole
    assert sorted(p.name for p in path.parent.glob("*.json")) == [path.name]  # the set-aside file is not a run


@pytest.mark.parametrize(
    "edit",
    [
        lambda s: dict(s, config={"lr": 0.3}),  # the key field edited, the file name and config_key left
        lambda s: dict(s, config={"lr": 0.1, "extra": 1}),
        lambda s: dict(s, code_key="0123456789abcdef"),  # made by other code
        lambda s: dict(s, name="other"),
    ],
    ids=["config", "config-extra", "code-key", "name"],
)
def test_a_stored_run_whose_config_or_code_differs_from_the_request_is_foreign(tmp_path, edit):
    logs = []
    path = Path(_store(tmp_path, 1, logs).path)
    _rewrite(path, edit)
    again = _store(tmp_path, 2, logs)
    assert not again.reused and again.payload == {"value": 2}
    assert len(_set_aside(path)) == 1 and "foreign" in logs[0] and path.name in logs[0]


def test_stored_config_is_compared_canonically(tmp_path):
    """Key order and tuples vs lists do not make a stored run foreign (the same canonical JSON as the key)."""
    logs = []
    _store(tmp_path, 1, logs, config={"b": (1, 2), "a": {"y": 1.5, "x": None}})
    assert _store(tmp_path, 2, logs, config={"a": {"x": None, "y": 1.5}, "b": [1, 2]}).reused and logs == []


def test_set_aside_names_the_file_and_never_crashes_on_a_file_already_gone(tmp_path):
    from replication.core.atomic import set_aside

    logs = []
    path = tmp_path / "x.json"
    path.write_text("{")
    target = set_aside(path, "is damaged (truncated)", logs.append)
    assert not path.exists() and target.read_text() == "{" and target.parent == tmp_path
    set_aside(path, "is damaged (truncated)", logs.append)  # e.g. another process set it aside first
    assert len(logs) == 2 and all(str(path) in line and "recomputed" in line for line in logs)
    assert "already set aside" in logs[1]


def test_refuse_training_reuses_what_is_stored_and_refuses_the_rest(fakepkg, tmp_path, monkeypatch):
    """What .ci/run relies on: after the headless run, the book step may read the store but never compute."""
    run = importlib.import_module("fakepkg.exp").run
    stored = cached_result("demo", {"x": 1}, lambda: {"value": 1}, preset="smoke", root=tmp_path, code=run)
    monkeypatch.setenv(store.REFUSE_TRAINING, "1")
    again = cached_result("demo", {"x": 1}, lambda: {"value": 2}, preset="smoke", root=tmp_path, code=run)
    assert again.reused and again.payload == stored.payload
    with pytest.raises(store.TrainingRefused, match=r"demo at smoke is not stored \(demo-[0-9a-f]{16}\.json\)"):
        cached_result("demo", {"x": 2}, lambda: {"value": 3}, preset="smoke", root=tmp_path, code=run)
    monkeypatch.setenv(store.REFUSE_TRAINING, "0")  # "0" means off
    assert not cached_result("demo", {"x": 2}, lambda: {"value": 3}, preset="smoke", root=tmp_path, code=run).reused
