"""The admonition at the top of every chapter: which preset produced the page, and any notice (e.g. a stand-in)."""

from __future__ import annotations

import html

from replication.core.presets import PRESET_DESCRIPTIONS, check_preset

__all__ = ["banner_html", "show_banner", "start_chapter"]


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


def start_chapter(chapter: str, *, preset: str, seed, show: bool = True):
    """What every chapter does first: validate its papermill parameters, load its configuration at ``preset`` (in
    our units), (unless ``show`` is False, for chapters that first need to know their data) show the preset banner,
    and print the units the page uses."""
    from replication.core.presets import check_parameters
    from replication.experiments.configs import get_config, units_note

    check_parameters(preset=preset, seed=seed)
    cfg = get_config(chapter, preset)
    if show:
        show_banner(preset)
    note = units_note(cfg)
    if note:
        print(note)
    return cfg
