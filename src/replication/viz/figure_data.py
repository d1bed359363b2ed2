"""The data behind a figure, as a CSV a reader can take away (Distill's and ReScience's practice).

:func:`figure_csv` writes exactly the traces a Plotly figure holds, one row per plotted point, under a header that
names the figure and its provenance (preset, device, wall time, version, commit). :func:`data_link_html` makes it a
download link written into the page itself (a ``data:`` URI), so it works in the offline book and in a live notebook;
:func:`replication.viz.plotting.show` puts one under every figure. The browser check (``.ci/check_book.py``) follows
every such link and compares its numbers with the ones plotted.

Columns: ``trace`` (the trace's index in the figure), ``name`` (its legend entry), ``x``, ``y``, then ``error_y``
where a trace has error bars, and one column per slider naming the slider position(s) at which the trace is shown.
"""

from __future__ import annotations

import base64
import csv
import dataclasses
import html
import io
import math
import re
import unicodedata
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from replication.core.provenance import Provenance

__all__ = ["FigureTable", "figure_title", "figure_table", "figure_csv", "data_filename", "data_link_html"]


def _plain(text: str | None) -> str:
    """Title markup as plain text: a line break is a space, other tags are dropped."""
    return re.sub("<[^>]+>", "", re.sub(r"<br\s*/?>", " ", text or ""))


def figure_title(fig: go.Figure) -> str:
    """The figure's title as a reader sees it: "Fig. 2a: what it shows" (markup dropped, subtitle joined)."""
    title = _plain(fig.layout.title.text)
    subtitle = _plain(fig.layout.title.subtitle.text) if fig.layout.title.subtitle else ""
    return f"{title}: {subtitle}" if title and subtitle else (title or subtitle or "untitled")


@dataclasses.dataclass(frozen=True)
class FigureTable:
    """A figure's plotted points: ``columns`` and one tuple per point in ``rows``; ``skipped`` says which traces
    hold no numbers to tabulate (images)."""

    columns: tuple[str, ...]
    rows: tuple[tuple, ...]
    skipped: tuple[str, ...] = ()


def _values(v) -> list | None:
    if v is None:
        return None
    return list(np.asarray(v, dtype=object).ravel())


def _cell(v):
    """A CSV cell: numbers in their shortest exact form, missing or non-finite values empty, text as it is."""
    if v is None:
        return ""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return repr(float(v)) if math.isfinite(v) else ""
    return str(v)


def _slider_name(slider, index: int) -> str:
    prefix = (slider.currentvalue.prefix or "").strip().rstrip("=:").strip() if slider.currentvalue else ""
    return f"slider: {prefix or slider.name or index}"


def _shown_at(slider, n_traces: int) -> list[str]:
    """Per trace, the labels of the slider steps at which it is shown (``visible`` true, ``opacity`` above 0); a
    trace no step mentions is shown at every step ("all")."""
    shown: list[list[str]] = [[] for _ in range(n_traces)]
    mentioned = [False] * n_traces
    for step in slider.steps:
        update = step.args[0] if step.args else {}
        visible, opacity = update.get("visible"), update.get("opacity")
        for i in range(n_traces):
            on = None
            if isinstance(visible, (list, tuple)) and i < len(visible):
                on = visible[i] is True
            if isinstance(opacity, (list, tuple)) and i < len(opacity):
                on = (on is not False) and opacity[i] > 0
            if on is not None:
                mentioned[i] = True
                if on:
                    shown[i].append(str(step.label))
    return ["|".join(s) if m else "all" for s, m in zip(shown, mentioned)]


def figure_table(fig: go.Figure) -> FigureTable:
    """Every plotted point of ``fig``: see the module's docstring for the columns."""
    traces = list(fig.data)
    errors = [
        _values(t.error_y.array) if getattr(t, "error_y", None) is not None and t.error_y.array is not None else None
        for t in traces
    ]
    sliders = list(fig.layout.sliders or ())
    slider_columns = [_slider_name(s, k) for k, s in enumerate(sliders)]
    shown = [_shown_at(s, len(traces)) for s in sliders]
    columns = (
        ("trace", "name", "x", "y")
        + (("error_y",) if any(e is not None for e in errors) else ())
        + tuple(slider_columns)
    )
    rows, skipped = [], []
    for i, trace in enumerate(traces):
        if trace.type == "image":
            skipped.append(f"trace {i} ({trace.name or 'image'}): an image, not tabulated")
            continue
        x, y = _values(trace.x), _values(trace.y)
        n = max(len(x or ()), len(y or ()))
        for j in range(n):
            row = [i, trace.name or "", x[j] if x else None, y[j] if y else None]
            if "error_y" in columns:
                row.append(errors[i][j] if errors[i] is not None and j < len(errors[i]) else None)
            row += [s[i] for s in shown]
            rows.append(tuple(row))
    return FigureTable(columns, tuple(rows), tuple(skipped))


def _header(fig: go.Figure, provenance: Provenance, skipped: Sequence[str]) -> list[str]:
    versions = provenance.versions
    return [
        figure_title(fig),
        provenance.line().replace("`", ""),
        f"l2-dynamics {versions.get('replication', '?')} · commit {provenance.commit} · jax {versions.get('jax', '?')}"
        f" · {provenance.date}",
        "one row per plotted point; trace = the trace's index in the figure, name = its legend entry",
        *skipped,
    ]


def figure_csv(fig: go.Figure, provenance: Provenance) -> str:
    """The CSV of :func:`figure_table`, its header lines starting with ``#`` (``pandas.read_csv(f, comment="#")``
    reads it)."""
    table = figure_table(fig)
    out = io.StringIO()
    for line in _header(fig, provenance, table.skipped):
        out.write(f"# {line}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows([_cell(v) for v in row] for row in table.rows)
    return out.getvalue()


def data_filename(fig: go.Figure, preset: str) -> str:
    """``fig-2a-t-against.csv``-like: the title in ASCII letters and digits, then the preset."""
    ascii_title = unicodedata.normalize("NFKD", figure_title(fig)).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title).strip("-")[:60].strip("-") or "figure"
    return f"{slug}-{preset}.csv"


def data_link_html(fig: go.Figure, provenance: Provenance) -> str:
    """A link that downloads :func:`figure_csv` from the page itself (no server, no file beside the page)."""
    payload = base64.b64encode(figure_csv(fig, provenance).encode()).decode()
    name = html.escape(data_filename(fig, provenance.preset))
    return (
        f'<a class="replication-figure-data" download="{name}" href="data:text/csv;charset=utf-8;base64,{payload}"'
        f' title="the numbers plotted in this figure, with their provenance">Data (CSV)</a>'
    )
