"""The Makefile checks what a user types before any target runs: one line naming the mistake, nothing left behind."""

import re
import shutil
import subprocess

import pytest
from conftest import REPO


def make(*args, cwd=REPO):
    return subprocess.run(["make", "--no-print-directory", *args], cwd=cwd, capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(shutil.which("make") is None, reason="GNU make is not installed")
@pytest.mark.parametrize(
    "args, message",
    [
        (["book", "PRESET=nope"], "PRESET=nope is not a preset; choose smoke, cpu or paper"),
        (["book", "PRSET=smoke"], "unknown variable PRSET; make takes PRESET SEED CH"),
        (["chapter", "CH=fc_mnist", "SEED=-1"], "SEED=-1 is not a seed"),
        (["book", "SEED=one"], "SEED=one is not a seed"),
    ],
)
def test_a_mistyped_make_variable_stops_in_one_line_and_leaves_nothing(args, message):
    proc = make(*args)
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1 and message in lines[0], lines
    assert not (REPO / "_build" / "stage" / "nope").exists()


@pytest.mark.skipif(shutil.which("make") is None, reason="GNU make is not installed")
def test_good_variables_pass_the_checks():
    proc = make("-n", "help", "PRESET=smoke", "SEED=12", "CH=fc_mnist")
    assert proc.returncode == 0, proc.stderr


def _documented_variables() -> list[tuple[str, str]]:
    """Every ``make <target> VAR=...`` the Makefile's help and the README show a user."""
    text = (REPO / "Makefile").read_text() + (REPO / "README.md").read_text()
    return sorted(set(re.findall(r"make ([a-z][a-z-]*) ([A-Z][A-Z_]*)=", text)) - {("book", "PRSET")})


@pytest.mark.skipif(shutil.which("make") is None, reason="GNU make is not installed")
def test_every_variable_the_help_and_readme_show_passes_the_checks():
    """``make probe CLAIM=...`` once stopped at the unknown-variable check its own help line invites."""
    shown = _documented_variables()
    assert ("probe", "CLAIM") in shown and len(shown) >= 6
    for target, variable in shown:
        proc = make("-n", target, f"{variable}=x")
        assert "unknown variable" not in proc.stdout + proc.stderr, (target, variable, proc.stderr)
