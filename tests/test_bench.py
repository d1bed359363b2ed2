"""`make bench`'s PyTorch reference run by another interpreter (Debian's python3-torch under /usr/bin/python3, when
this environment has no PyTorch): the row goes out as JSON, the times and PyTorch's version come back as JSON. A
stand-in interpreter (a shell script) plays PyTorch's side, so the protocol is tested without PyTorch."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import bench_engine  # noqa: E402


@pytest.fixture
def fake_python(tmp_path):
    """An 'interpreter' that imports torch (exit 0 for -c) and, run on a script, records the job it was given and
    answers as torch_reference.py does."""
    job_file = tmp_path / "job.json"
    script = tmp_path / "python"
    script.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "-c" ]; then exit 0; fi\n'
        f"printf '%s' \"$2\" > {job_file}\n"
        'echo "some PyTorch warning on stdout"\n'
        'echo \'{"version": "9.9", "seconds": {"NCHW": 0.25, "channels_last": 0.125}}\'\n'
    )
    script.chmod(0o755)
    return script, job_file


def test_a_row_is_timed_by_another_interpreter_through_json(fake_python):
    python, job_file = fake_python
    assert bench_engine.find_torch_python(str(python)) == str(python)
    row = bench_engine.SHORT_NAMES["wrn10"]
    seconds, version = bench_engine.torch_step_seconds(row, 2, str(python))
    assert seconds == {"NCHW": 0.25, "channels_last": 0.125} and version == "9.9"
    job = json.loads(job_file.read_text())
    model = dict(row.model, in_channels=row.input_shape[-1])
    assert job == dict(kind="wrn", input_shape=list(row.input_shape), batch=row.batch, repeats=2,
                       layouts=["NCHW", "channels_last"], model=model)  # fmt: skip


def test_the_fc_row_has_one_layout_and_the_cnn_its_image_size():
    fc, cnn = bench_engine.torch_row(bench_engine.SHORT_NAMES["fc"]), bench_engine.torch_row(bench_engine.ROWS[2])
    assert fc["layouts"] == ("eager",) and fc["model"] == dict(width=2048, depth=3)
    assert cnn["model"] == dict(channels=64, hidden=500, image_size=32, in_channels=3)


def test_an_interpreter_without_torch_is_refused_by_name(tmp_path):
    with pytest.raises(SystemExit, match="--torch-python /nonexistent/python"):
        bench_engine.find_torch_python("/nonexistent/python")
    no_torch = tmp_path / "python"
    no_torch.write_text("#!/bin/sh\nexit 1\n")
    no_torch.chmod(0o755)
    with pytest.raises(SystemExit, match="cannot import torch"):
        bench_engine.find_torch_python(str(no_torch))
    assert bench_engine.torch_step_seconds(bench_engine.ROWS[0], 1, None) is None  # no PyTorch: no columns
    assert bench_engine.find_torch_python("none") is None


def test_here_without_torch_is_refused_and_auto_falls_through(monkeypatch):
    monkeypatch.setattr(bench_engine.importlib.util, "find_spec", lambda name: None)  # this interpreter: no torch
    with pytest.raises(SystemExit, match="--torch-python here: that interpreter cannot import torch"):
        bench_engine.find_torch_python("here")
    monkeypatch.setattr(bench_engine, "_imports_torch", lambda python: python == "/usr/bin/python3")
    assert bench_engine.find_torch_python("auto") == "/usr/bin/python3"


def test_a_failing_reference_names_the_row_and_shows_its_error(tmp_path):
    broken = tmp_path / "python"
    broken.write_text("#!/bin/sh\necho 'RuntimeError: oneDNN said no' >&2\nexit 3\n")
    broken.chmod(0o755)
    with pytest.raises(SystemExit, match="(?s)failed on 'FC 784.*oneDNN said no"):
        bench_engine.torch_step_seconds(bench_engine.ROWS[0], 1, str(broken))


def test_the_step_profile_sums_each_thunk_and_names_its_operation(tmp_path):
    """`benchmarks/step_profile.py`'s readers: a perfetto trace's complete events summed by thunk (the executor's
    own spans left out), and compiled HLO's instructions named by their metadata's last operation."""
    import gzip

    import step_profile

    events = [
        {"ph": "X", "name": "ynn_fusion.3", "dur": 5},
        {"ph": "X", "name": "ynn_fusion.3", "dur": 7},
        {"ph": "X", "name": "sort", "dur": 4},
        {"ph": "X", "name": "ThunkExecutor::Execute", "dur": 100},
        {"ph": "B", "name": "sort", "dur": 50},
    ]
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "a.trace.json.gz").write_bytes(gzip.compress(json.dumps({"traceEvents": events}).encode()))
    total, calls = step_profile.thunk_times(str(tmp_path))
    assert dict(total) == {"ynn_fusion.3": 12, "sort": 4} and calls["ynn_fusion.3"] == 2
    hlo = (
        '  %ynn_fusion.3 = f32[8,4]{1,0} fusion(%a, %b), kind=kCustom, metadata={op_name="jit(run)/while/body/'
        'transpose(jvp())/dot_general" stack_frame_id=1}\n'
        '  ROOT %sort = s32[4]{0} sort(%c), metadata={op_name="x/sort"}'
    )
    hlo += (
        "\n  %ynn_fusion.4 = f32[16,144]{1,0} fusion(%c, %d), kind=kCustom, calls=%fused_computation.4\n"
        "%fused_computation.4 (param_0: f32[8,16]) -> f32[16,144] {\n"
        '  ROOT %dot.1 = f32[16,144]{1,0} dot(%p, %q), metadata={op_name="jit(chunk)/transpose(jvp())/dot_general"}\n}'
        "\n  %ynn_fusion.5 = f32[4]{0} fusion(%e), kind=kCustom, calls=%fused_computation.5\n"
        "%fused_computation.5 (param_0: f32[4]) -> f32[4] {\n  ROOT %add.2 = f32[4]{0} add(%p, %p)\n}"
    )
    assert step_profile.op_names(hlo) == {
        "ynn_fusion.3": "f32[8,4]{1,0} dot_general",
        "sort": "s32[4]{0} sort",
        "ynn_fusion.4": "f32[16,144]{1,0} dot_general",
        "dot.1": "f32[16,144]{1,0} dot_general",
        "ynn_fusion.5": "f32[4]{0} add",
        "add.2": "f32[4]{0} ?",
    }
