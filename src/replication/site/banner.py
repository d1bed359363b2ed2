"""The admonition at the top of every chapter: which preset produced the page, and any notice (e.g. a stand-in)."""

from __future__ import annotations

import html

from replication.core.presets import PRESET_DESCRIPTIONS, check_preset

__all__ = ["banner_html", "show_banner", "run_yourself_commands", "run_yourself_html", "start_chapter"]


def banner_html(preset: str, extra: str | None = None) -> str:
    """An admonition naming the preset; a warning for ``smoke`` and for any ``extra`` notice (e.g. a stand-in)."""
    check_preset(preset)
    kind = "warning" if preset == "smoke" or extra else "note"
    lines = [
        f"This page was executed with the <code>{preset}</code> preset: {html.escape(PRESET_DESCRIPTIONS[preset])}."
    ]
    if extra:
        lines.append(html.escape(extra))
    body = "".join(f"<p>{line}</p>" for line in lines)
    return (
        f'<div class="admonition {kind} replication-banner"><p class="admonition-title">'
        f"{'Not a replication' if preset == 'smoke' else 'Preset'}</p>{body}</div>"
    )


def show_banner(preset: str, extra: str | None = None) -> None:
    """Display :func:`banner_html` in a notebook (HTML for the book, plain text for a terminal)."""
    from IPython.display import display

    text = f"[{preset} preset] {PRESET_DESCRIPTIONS[check_preset(preset)]}" + (f"\n{extra}" if extra else "")
    display({"text/html": banner_html(preset, extra), "text/plain": text}, raw=True)


def run_yourself_commands(chapter: str, *, preset: str, seed: int) -> list[tuple[str, str]]:
    """(what it does, the command) to re-run ``chapter`` from a checkout after ``make env data``: with make, with
    papermill alone (the notebook's ``preset`` and ``seed`` parameters), and its training headless (chapters that
    store runs), each at this page's preset and seed."""
    from replication.experiments.headless import CHAPTERS

    check_preset(preset)
    out = [
        ("re-execute this page and rebuild the book", f"make chapter CH={chapter} PRESET={preset} SEED={seed}"),
        ("execute the notebook alone with papermill",
         f".venv/bin/jupytext --to ipynb --output - book/{chapter}.py | .venv/bin/papermill - {chapter}-out.ipynb "
         f"-k replication -p preset {preset} -p seed {seed} --engine replication"),
    ]  # fmt: skip
    if chapter in CHAPTERS:
        headless = f".venv/bin/python -m replication.experiments {chapter} --preset {preset} --seed {seed}"
        out.append(("train its runs without the book (a cluster, a GPU), reused by the two above", headless))
    return out


def run_yourself_html(chapter: str, *, preset: str, seed: int) -> str:
    """A collapsed admonition with :func:`run_yourself_commands` (another preset: change ``preset``; presets:
    smoke, cpu, paper)."""
    items = "".join(f"<li>{html.escape(what)}:<br><code>{html.escape(cmd)}</code></li>"
                    for what, cmd in run_yourself_commands(chapter, preset=preset, seed=seed))  # fmt: skip
    return (
        '<details class="replication-run-yourself"><summary>Run this chapter yourself</summary>'
        f"<p>From a checkout, after <code>make env data</code>; another preset (smoke, cpu, paper) or seed: change "
        f"them in the command.</p><ul>{items}</ul></details>"
    )


def start_chapter(chapter: str, *, preset: str, seed, show: bool = True):
    """What every chapter does first: validate its papermill parameters, load its configuration at ``preset`` (in
    our units), (unless ``show`` is False, for chapters that first need to know their data) show the preset banner,
    and print the units the page uses and where its runs depart from the authors' code."""
    from replication.core import ledger
    from replication.core.presets import check_parameters
    from replication.experiments.configs import get_config, units_note
    from replication.experiments.departures import departures_note

    check_parameters(preset=preset, seed=seed)
    ledger.install()  # where the chapter's time goes (make ledger), when make runs it
    cfg = get_config(chapter, preset)
    if show:
        show_banner(preset)
    from IPython.display import display

    commands = "\n".join(f"{what}: {cmd}" for what, cmd in run_yourself_commands(chapter, preset=preset, seed=seed))
    display({"text/html": run_yourself_html(chapter, preset=preset, seed=seed), "text/plain": commands}, raw=True)
    for note in (units_note(cfg), departures_note(chapter)):
        if note:
            print(note)
    return cfg
