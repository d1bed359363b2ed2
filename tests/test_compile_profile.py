"""tools/compile_profile.py: the listener files each compilation under its test and its program, and the report
adds up the workers' files."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import compile_profile as cp  # noqa: E402


def test_compilations_are_filed_by_test_and_program_and_the_report_adds_the_workers(tmp_path, monkeypatch):
    monkeypatch.setattr(cp, "_seconds", type(cp._seconds)(cp._seconds.default_factory))
    monkeypatch.setitem(cp._current, "test", "tests/a.py::t")
    cp._listener(cp.BACKEND, 2.0, fun_name="jit(chunk)")
    cp._listener(cp.BACKEND, 0.5, fun_name="jit(_normal)")
    cp._listener(cp.TRACE, 0.25, fun_name="chunk")
    cp._seconds["tests/a.py::t"]["wall"] = 4.0
    monkeypatch.setitem(cp._current, "test", cp.OUTSIDE)
    cp._listener(cp.BACKEND, 1.5, fun_name="jit(add)")
    (tmp_path / "gw0.json").write_text(json.dumps({k: dict(v) for k, v in cp._seconds.items()}))
    other = {cp.BY_PROGRAM: {"jit(chunk)": 3.0, "jit(chunk)#n": 1}, "tests/b.py::u": {"wall": 9.0, cp.BACKEND: 3.0},
             cp.OUTSIDE: {cp.BACKEND: 2.0}}  # fmt: skip
    (tmp_path / "gw1.json").write_text(json.dumps(other))
    text = cp.report(tmp_path)
    assert text.splitlines()[0] == (  # the rows outside any test are summed over the workers, not counted as a test
        "2 tests, 13 s of the workers' time; backend compilation 7 s over 4 programs (cache reads included), of "
        "which 4 s outside any test"
    )
    assert "    5.0      2  jit(chunk)" in text and "    0.5      1  jit(_normal)" in text
    assert text.index("tests/b.py::u") < text.index("tests/a.py::t")  # the longest test first
    assert "   4.0      2.5 (   2)    0.2    0.0  tests/a.py::t" in text
