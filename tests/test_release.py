"""Releases: one version source, repeated by CITATION.cff and CHANGELOG.md (tools/release.py), and the build stamp
in every page's footer."""

import importlib.util
import re
import shutil
import subprocess

import pytest
from conftest import REPO

import replication
from replication.site.sphinx_offline import build_stamp

spec = importlib.util.spec_from_file_location("release", REPO / "tools" / "release.py")
release = importlib.util.module_from_spec(spec)
spec.loader.exec_module(release)


def test_the_version_has_one_source_that_the_citation_and_the_distribution_repeat():
    from importlib import metadata

    assert release.package_version() == replication.__version__ == metadata.version("l2-dynamics")
    assert release.citation_version() == replication.__version__


def test_release_check_names_each_problem(tmp_path):
    for name in ("CITATION.cff", "CHANGELOG.md"):
        shutil.copy(REPO / name, tmp_path / name)
    (tmp_path / "src" / "replication").mkdir(parents=True)
    (tmp_path / "src" / "replication" / "__init__.py").write_text('__version__ = "9.9.9"\n')
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    found = release.problems("9.9.9", tmp_path)
    assert found == [
        f"CITATION.cff says version: {replication.__version__!r}, not '9.9.9'",
        "CHANGELOG.md has no non-empty '## [9.9.9] - YYYY-MM-DD' section",
    ]
    assert release.problems("9.9", tmp_path) == ["VERSION='9.9' is not of the form X.Y.Z"]
    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text(changelog.read_text().replace("## [Unreleased]", "## [9.9.9] - 2026-12-04"))
    cff = tmp_path / "CITATION.cff"
    cff.write_text(re.sub(r"^version: .*$", "version: 9.9.9", cff.read_text(), flags=re.M))
    assert release.problems("9.9.9", tmp_path) == []


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_build_stamp_names_the_version_and_the_commit(tmp_path):
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True)
    stamp = build_stamp()
    assert stamp.startswith(f"l2-dynamics {replication.__version__}, commit ")
    if head.returncode == 0:
        assert head.stdout.strip() in stamp
    assert build_stamp(tmp_path) == f"l2-dynamics {replication.__version__}, commit unknown"  # not a checkout
