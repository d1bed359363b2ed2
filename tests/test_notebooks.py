"""Chapters as entry points: a bad papermill parameter fails with our message, not a deep traceback."""

import jupytext
import nbformat
import papermill
import pytest
from conftest import REPO


def test_bad_preset_through_papermill_fails_with_a_clear_message(tmp_path):
    nb = jupytext.read(REPO / "book" / "data.py")
    src = tmp_path / "data.ipynb"
    nbformat.write(nb, src)
    with pytest.raises(papermill.PapermillExecutionError) as err:
        papermill.execute_notebook(
            str(src),
            str(tmp_path / "out.ipynb"),
            parameters={"preset": "fast"},
            kernel_name="python3",
            progress_bar=False,
            cwd=str(REPO),
        )
    assert err.value.ename == "ValueError"
    assert "preset='fast' is not allowed; choose one of: 'smoke', 'cpu', 'paper'" in err.value.evalue
    assert not any("jax" in line for line in err.value.traceback)
