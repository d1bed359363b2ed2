"""Where the project is: the chapters find the checkout and its results from the package (or
``$REPLICATION_PROJECT``), never from the current folder."""

import os
import subprocess
import sys

import pytest
from conftest import REPO

from replication.core import project

# what a chapter run from another folder (papermill without --cwd) asks for first
SNIPPET = """
from replication.experiments.store import results_root
from replication.site import headlines, registry
print(results_root())
print(registry.toc_chapters_in_order()[-1], sorted(registry.toc_chapters()) == sorted(registry.toc_chapters_in_order()))
registry.landing_table_html(headlines.load_headlines("smoke"), registry.toc_chapters())  # the landing page's cell
"""


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("REPLICATION_RESULTS", "REPLICATION_PROJECT")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), env.get("PYTHONPATH", "")])
    return env | extra


def test_results_and_toc_resolve_into_the_checkout_from_any_folder(tmp_path):
    run = subprocess.run([sys.executable, "-c", SNIPPET], cwd=tmp_path, env=_env(), capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    results, toc = run.stdout.splitlines()
    assert results == str(REPO / "results")
    assert toc == "intro True"
    assert list(tmp_path.iterdir()) == []  # nothing written where the chapter happened to run


def test_the_project_variable_comes_first(monkeypatch, tmp_path):
    (tmp_path / "_toc.yml").write_text("root: intro\n")
    monkeypatch.setenv("REPLICATION_PROJECT", str(tmp_path))
    monkeypatch.delenv("REPLICATION_RESULTS", raising=False)
    assert project.project_root() == tmp_path
    from replication.experiments.store import results_root

    assert results_root() == tmp_path / "results"
    monkeypatch.setenv("REPLICATION_RESULTS", str(tmp_path / "elsewhere"))
    assert results_root() == tmp_path / "elsewhere"


@pytest.mark.parametrize("where", ["nowhere", "no-toc"])
def test_a_project_variable_without_a_book_stops_with_one_line(monkeypatch, tmp_path, where):
    (tmp_path / "no-toc").mkdir()
    monkeypatch.setenv("REPLICATION_PROJECT", str(tmp_path / where))
    with pytest.raises(project.ProjectNotFoundError) as err:
        project.project_root()
    message = str(err.value)
    assert f"REPLICATION_PROJECT={tmp_path / where}" in message and "\n" not in message


def test_an_installed_package_asks_for_the_project_variable(monkeypatch, tmp_path):
    installed = tmp_path / "site-packages" / "replication" / "core" / "project.py"
    assert project.source_checkout(installed) is None
    assert project.source_checkout(REPO / "src" / "replication" / "core" / "project.py") == REPO
    monkeypatch.delenv("REPLICATION_PROJECT", raising=False)
    monkeypatch.setattr(project, "source_checkout", lambda module_file: None)
    with pytest.raises(project.ProjectNotFoundError, match="set REPLICATION_PROJECT") as err:
        project.project_root()
    assert "\n" not in str(err.value)
