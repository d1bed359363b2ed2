"""Plotly figures that work in the static, offline book and in a live notebook.

:func:`show` emits the figure as Plotly's JSON mime type, which live Jupyter (JupyterLab, Notebook 7, VS Code)
renders natively. In the book, :mod:`replication.sphinx_offline` renders the same JSON as an HTML div and serves
plotly.js from the installed plotly package once per page, so the static HTML needs no CDN.

Every figure carries a caption that names the preset, device and wall time that produced it.
"""

from __future__ import annotations

import dataclasses
import html
import json
from collections.abc import Sequence

import plotly.graph_objects as go

from replication.core.provenance import Provenance

__all__ = [
    "PLOTLY_CONFIG",
    "figure_bundle",
    "caption_html",
    "show",
    "SliderStep",
    "slider_figure",
    "apply_slider_step",
    "grid_slider_figure",
    "apply_grid_slider",
]

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "toImageButtonOptions": {"format": "svg"}}


def figure_bundle(fig: go.Figure) -> dict:
    """The mime bundle of ``fig``: Plotly's JSON (rendered live and by the book) and a plain-text fallback."""
    title = fig.layout.title.text or "untitled"
    return {
        "application/vnd.plotly.v1+json": {**json.loads(fig.to_json()), "config": PLOTLY_CONFIG},
        "text/plain": f"<Plotly figure: {title}>",
    }


def caption_html(caption: str, provenance: Provenance) -> str:
    line = html.escape(provenance.line()).replace("`", "")
    return f'<p class="replication-caption"><strong>Figure.</strong> {html.escape(caption)} <em>({line})</em></p>'


def show(fig: go.Figure, caption: str, *, provenance: Provenance) -> None:
    """Display ``fig`` with a caption stating the preset, device and wall time in ``provenance``."""
    from IPython.display import display

    display(figure_bundle(fig), raw=True)
    display(
        {"text/html": caption_html(caption, provenance), "text/plain": f"Figure. {caption} ({provenance.line()})"},
        raw=True,
    )


@dataclasses.dataclass(frozen=True)
class SliderStep:
    """One position of a slider: its label, the figure title there, and the traces shown there."""

    label: str
    title: str
    traces: Sequence[go.BaseTraceType]


def slider_figure(
    steps: Sequence[SliderStep], *, slider_prefix: str, active: int = 0, layout: dict | None = None
) -> go.Figure:
    """A figure with one slider over precomputed ``steps``, so a reader of the static book can move a parameter.

    All traces are in the figure; each slider step sets which are visible and the title (as ``"title.text"``:
    in plotly.js a plain ``"title"`` argument blanks the title).
    """
    if not steps:
        raise ValueError("steps must hold at least one SliderStep.")
    if not 0 <= active < len(steps):
        raise ValueError(f"active={active} must lie in [0, {len(steps) - 1}].")
    fig = go.Figure()
    owner = []
    for i, step in enumerate(steps):
        for trace in step.traces:
            fig.add_trace(trace)
            owner.append(i)
    slider_steps = []
    for i, step in enumerate(steps):
        visible = [o == i for o in owner]
        slider_steps.append(
            dict(method="update", label=step.label, args=[{"visible": visible}, {"title.text": step.title}])
        )
    for trace, o in zip(fig.data, owner):
        trace.visible = o == active
    fig.update_layout(**(layout or {}))
    fig.update_layout(
        title_text=steps[active].title,
        sliders=[dict(active=active, currentvalue=dict(prefix=slider_prefix), steps=slider_steps, pad=dict(t=40))],
    )
    return fig


def apply_slider_step(fig: go.Figure, index: int) -> go.Figure:
    """Apply slider step ``index`` the way plotly.js would (for tests and for exporting one state)."""
    step = fig.layout.sliders[0].steps[index]
    trace_update, layout_update = step.args
    out = go.Figure(fig)
    for trace, visible in zip(out.data, trace_update["visible"]):
        trace.visible = visible
    out.update_layout(title_text=layout_update["title.text"])
    return out


def grid_slider_figure(
    cells: dict,
    *,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    row_prefix: str,
    col_prefix: str,
    active: tuple[int, int] = (0, 0),
    layout: dict | None = None,
) -> go.Figure:
    """A figure with two independent sliders over a precomputed grid (e.g. λ and γ), with no custom JavaScript.

    ``cells[(i, j)]`` lists the traces for row value i and column value j. Each slider restyles its own trace
    attribute, so moving one never undoes the other: the row slider sets ``visible``, the column slider sets
    ``opacity`` (with ``showlegend`` and ``hoverinfo``). A trace is seen exactly when both select it. Fix the
    axis ranges in ``layout``: hidden-by-opacity traces still count for autorange.
    """
    n_rows, n_cols = len(row_labels), len(col_labels)
    if set(cells) != {(i, j) for i in range(n_rows) for j in range(n_cols)}:
        raise ValueError(f"cells must hold exactly the keys (i, j) for i < {n_rows}, j < {n_cols}.")
    if not (0 <= active[0] < n_rows and 0 <= active[1] < n_cols):
        raise ValueError(f"active={active} must index the grid of {n_rows} x {n_cols}.")
    fig = go.Figure()
    owner = []
    for (i, j), traces in sorted(cells.items()):
        for trace in traces:
            fig.add_trace(trace)
            owner.append((i, j))

    def col_args(j):
        on = [o[1] == j for o in owner]
        return {
            "opacity": [1.0 if v else 0.0 for v in on],
            "showlegend": on,
            "hoverinfo": ["all" if v else "skip" for v in on],
        }

    for trace, (i, j) in zip(fig.data, owner):
        trace.visible = i == active[0]
    init = col_args(active[1])
    for trace, op, leg, hov in zip(fig.data, init["opacity"], init["showlegend"], init["hoverinfo"]):
        trace.opacity, trace.showlegend, trace.hoverinfo = op, leg, hov
    row_steps = [
        dict(method="restyle", label=lab, args=[{"visible": [o[0] == i for o in owner]}])
        for i, lab in enumerate(row_labels)
    ]
    col_steps = [dict(method="restyle", label=lab, args=[col_args(j)]) for j, lab in enumerate(col_labels)]
    fig.update_layout(**(layout or {}))
    fig.update_layout(
        sliders=[
            dict(
                active=active[0],
                currentvalue=dict(prefix=row_prefix),
                steps=row_steps,
                pad=dict(t=50),
                y=0,
                name="rows",
            ),
            dict(
                active=active[1],
                currentvalue=dict(prefix=col_prefix),
                steps=col_steps,
                pad=dict(t=50),
                y=-0.28,
                name="cols",
            ),
        ]
    )
    return fig


def apply_grid_slider(fig: go.Figure, slider: int, index: int) -> go.Figure:
    """Apply step ``index`` of slider ``slider`` (0 = rows, 1 = columns) as plotly.js would (for tests)."""
    (update,) = fig.layout.sliders[slider].steps[index].args
    out = go.Figure(fig)
    for attr, values in update.items():
        for trace, value in zip(out.data, values):
            setattr(trace, attr, value)
    sliders = list(out.layout.sliders)
    sliders[slider].active = index
    out.update_layout(sliders=sliders)
    return out
