"""Invariants of the book: chapters paired and in the toc, parameters cells, offline config, vendored files."""

import hashlib
import re
import tomllib

import jupytext
import pytest
import yaml
from conftest import REPO

from replication.core import presets
from replication.site import registry as figures

BOOK = REPO / "book"
CHAPTER_FILES = sorted(BOOK.glob("*.py"))


def test_every_chapter_is_in_the_toc_and_every_toc_entry_exists():
    in_toc = figures.toc_chapters(REPO / "_toc.yml")
    assert {p.stem for p in CHAPTER_FILES} == in_toc
    order = figures.toc_chapters_in_order(REPO / "_toc.yml")
    assert order[-1] == "intro" and sorted(order) == sorted(in_toc)


@pytest.mark.parametrize("py", CHAPTER_FILES, ids=lambda p: p.stem)
def test_py_and_ipynb_are_in_sync(py):
    ipynb = py.with_suffix(".ipynb")
    assert ipynb.exists(), f"{ipynb.name} missing: run `make sync`"
    a, b = jupytext.read(py), jupytext.read(ipynb)
    assert [(c.cell_type, c.source) for c in a.cells] == [(c.cell_type, c.source) for c in b.cells], (
        f"{py.name} and {ipynb.name} differ: run `make sync`"
    )
    assert not any(c.get("outputs") for c in b.cells), f"{ipynb.name} holds outputs; commit it output-free"


@pytest.mark.parametrize("py", CHAPTER_FILES, ids=lambda p: p.stem)
def test_parameters_cell_holds_a_valid_preset_and_a_seed(py):
    nb = jupytext.read(py)
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"{py.name} needs exactly one cell tagged 'parameters'"
    scope = {}
    exec(cells[0].source, scope)
    presets.check_preset(scope["preset"])
    assert isinstance(scope["seed"], int)
    # the book shows the preset that ran once: papermill's injected cell; the default one is removed from the page
    assert "remove-cell" in cells[0].metadata["tags"]


MAX_CELL_LINES = 12


@pytest.mark.parametrize("py", CHAPTER_FILES, ids=lambda p: p.stem)
def test_chapter_cells_are_a_sentence_of_prose_and_a_short_call(py):
    """A chapter reads as a document: every code cell (but the parameters) follows prose and holds at most
    MAX_CELL_LINES non-blank lines; anything longer belongs in the package."""
    nb = jupytext.read(py)
    for before, cell in zip([None, *nb.cells], nb.cells):
        if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
            continue
        lines = [line for line in cell.source.splitlines() if line.strip()]
        assert before is not None and before.cell_type == "markdown", f"{py.name}: no prose before\n{cell.source}"
        assert len(lines) <= MAX_CELL_LINES, f"{py.name}: a cell of {len(lines)} lines\n{cell.source}"


# A file name in prose whose extension is also a top-level domain: the book's Markdown parser (linkify) makes it an
# external link, e.g. NOTES.md → http://NOTES.md (a Moldovan host). In backticks it is code, not a link.
BARE_FILE_NAME = re.compile(r"(?<![\w/.-])[\w-]+\.(md|py|sh|io)\b")


@pytest.mark.parametrize("py", CHAPTER_FILES, ids=lambda p: p.stem)
def test_prose_names_files_in_code_spans_so_they_are_not_made_links(py):
    nb = jupytext.read(py)
    bare = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        prose = re.sub(r"```.*?```|`[^`]*`|\$[^$]*\$", " ", cell.source, flags=re.S)  # code, fences and math
        bare += [m.group(0) for m in BARE_FILE_NAME.finditer(prose)]
    assert not bare, f"{py.name}: put {bare} in backticks (linkify would make them links to hosts)"


# Characters a code cell shows on one line in the 1400 px layout (780 px box, 16 px padding each side, 8.43 px per
# character of the theme's 14 px monospace; measured in Chromium): a longer line wraps back to column 0.
CODE_WIDTH = 88


@pytest.mark.parametrize("py", CHAPTER_FILES, ids=lambda p: p.stem)
def test_chapter_code_fits_the_code_box_without_wrapping(py):
    nb = jupytext.read(py)
    long = [
        line
        for cell in nb.cells
        if cell.cell_type == "code"
        for line in cell.source.splitlines()
        if len(line) > CODE_WIDTH
    ]
    assert not long, f"{py.name}: {len(long)} code lines over {CODE_WIDTH} characters, e.g.\n" + "\n".join(long[:3])


def test_make_env_and_environment_yml_install_the_lock_of_pyproject():
    """`make env` and environment.yml install the same hashed lock, and the lock pins every direct requirement of
    pyproject.toml (dependencies and the book/test extras) at a version inside its range."""
    from packaging.markers import Marker
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    env = yaml.safe_load((REPO / "environment.yml").read_text())
    pip_lines = [d for d in env["dependencies"] if isinstance(d, dict)][0]["pip"]
    assert "-r requirements.lock" in pip_lines and not any(line.startswith("-e") for line in pip_lines)
    assert "--require-hashes -r requirements.lock" in (REPO / "Makefile").read_text()
    python = [d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python=")][0]
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert python == "python=3.11" and ">=3.11" in project["requires-python"]
    # the only conda packages are python and pip: every library version comes from the lock
    assert {d.split("=")[0] for d in env["dependencies"] if isinstance(d, str)} == {"python", "pip"}

    lock_text = (REPO / "requirements.lock").read_text()
    pins = {}
    for line in lock_text.splitlines():
        if line and not line.startswith((" ", "#")) and "==" in line:
            pin, _, marker = line.strip(" \\").partition(";")
            if marker and not Marker(marker).evaluate({"python_version": "3.11", "python_full_version": "3.11.7"}):
                continue  # a pin for another Python (jax 0.11+ needs 3.12)
            name, version = pin.strip().split("==")
            pins[canonicalize_name(name)] = version
    assert lock_text.count("--hash=sha256:") >= len(pins)
    direct = (
        project["dependencies"] + project["optional-dependencies"]["book"] + project["optional-dependencies"]["test"]
    )
    for spec in direct:
        req = Requirement(spec)
        if req.marker is not None and not req.marker.evaluate({"python_version": "3.11"}):
            continue  # a range for another Python (the lock is verified on 3.11)
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not in requirements.lock (make lock)"
        assert req.specifier.contains(pins[name], prereleases=True), f"lock pins {req.name}=={pins[name]}, not {spec}"


def test_book_config_points_only_at_local_assets():
    sphinx = yaml.safe_load((REPO / "_config.yml").read_text())["sphinx"]
    config = sphinx["config"]
    assert not config["mathjax_path"].startswith(("http", "//"))
    assert (BOOK / "_vendor" / config["mathjax_path"]).exists()
    for path in config["nb_ipywidgets_js"]:
        assert not path.startswith(("http", "//")) and (BOOK / "_vendor" / path).exists()
    assert config["html_static_path"] == ["book/_vendor"]
    # Jupyter Book 1 injects every script under _static into every page: the vendored files must not live there
    assert not (BOOK / "_static").exists()
    assert "replication.site.sphinx_offline" in sphinx["extra_extensions"]


def test_vendored_files_match_their_recorded_hashes():
    manifest = (BOOK / "_vendor" / "VENDOR.md").read_text()
    rows = re.findall(r"^\s+([0-9a-f]{64})\s+\./(\S+)$", manifest, flags=re.M)
    assert len(rows) > 50
    for digest, rel in rows:
        assert hashlib.sha256((BOOK / "_vendor" / rel).read_bytes()).hexdigest() == digest, rel


def test_figure_registry_is_consistent():
    rows = figures.figures()
    keys = [r.headline for r in rows if r.headline]
    assert len(keys) == len(set(keys)) and len(keys) >= 23
    assert all(k.split(".")[0] == r.chapter for r in rows if (k := r.headline))
    # the landing page lists the chapters' declared claims in the book's order (no second list)
    order = figures.toc_chapters_in_order()
    chapters_seen = [r.chapter for r in rows if r.chapter]
    assert chapters_seen == sorted(chapters_seen, key=order.index)
    html = figures.landing_table_html({}, {"data"})
    assert html.count("<tr>") == len(rows) + 1
    assert '<a href="data.html">data</a>' in html and "planned" in html
    assert html.count("<col ") == 7 and "table-layout:fixed" in html  # the table fits the page's width
    # the settings name the presets' current sizes (they are read from the configs, so they cannot go stale)
    from replication.experiments.configs import get_config

    cnn = next(r for r in rows if r.chapter == "cnn_cifar")
    assert f"{get_config('cnn_cifar', 'cpu').model.channels} at cpu" in cnn.setting_text()
    assert f"{get_config('cnn_cifar', 'cpu').model.channels} at cpu" in html


def test_the_chapter_list_imports_no_jax_and_every_declared_claim_is_recorded_by_its_chapter():
    """The Makefile imports the registry for the chapter list on every call: it must stay light. Each claim a chapter
    declares is recorded by that chapter's cells (its key appears there), so no claim is declared and left empty."""
    import subprocess
    import sys

    code = "import sys, replication.site.registry as r; r.toc_chapters_in_order(); print('jax' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
    for row in figures.figures():
        if row.headline:
            name = row.headline.split(".", 1)[1]
            source = (BOOK / f"{row.chapter}.py").read_text()
            assert name in source or "_exponent" in name and "beyond" == row.chapter, row.headline
