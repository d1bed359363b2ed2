"""The result store: a run is reused only with the same configuration and the same code (comments and docstrings do
not count), and a damaged file is recomputed, never used."""

import importlib
import sys

import pytest

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
    """The FC sweep's key covers its data, model and engine, and no figure, site or budget-analysis code."""
    from replication.experiments import fc_mnist

    key = code_key(fc_mnist.run_sweep)
    assert {"replication.data.transforms", "replication.models.mlp", "replication.training.engine"} <= set(key.modules)
    assert "replication.experiments.fc_mnist.load_data" in key.definitions
    assert not [m for m in key.modules if m.startswith(("replication.viz", "replication.site"))]
    assert "replication.analysis.budgets" not in key.modules


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
