"""Plotly figures that work in the static, offline book and in a live notebook.

:func:`show` emits the figure as Plotly's JSON mime type, which live Jupyter (JupyterLab, Notebook 7, VS Code)
renders natively. In the book, :mod:`replication.site.sphinx_offline` renders the same JSON as an HTML div and serves
plotly.js from the installed plotly package once per page, so the static HTML needs no CDN.

Every figure carries a caption that names the preset, device and wall time that produced it, and gets the book's
one figure style (:func:`style`, applied by :func:`figure_bundle`): a title split into the paper's figure number and
a subtitle, a legend below the plot (it wraps into rows on a phone), and a white card that stays readable in the
theme's dark mode. Reference lines (λ = 0, t = 1/λ) are legend entries drawn by :func:`reference_line`, never
``add_vline``/``add_hline`` annotations (on a log axis plotly reads an annotation's x as an exponent).
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from replication.core import ledger
from replication.core.provenance import Provenance
from replication.viz.figure_data import data_link_html, figure_title

__all__ = [
    "PLOTLY_CONFIG",
    "FONT",
    "TITLE_WIDTH",
    "wrap_title",
    "style",
    "reference_line",
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


TITLE_WIDTH = 48  # characters of a title line: what a 400 px screen shows of the 14 px subtitle
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
# "Fig. 2b: max test accuracy against λ" -> ("Fig. 2b", "max test accuracy against λ"); also "Fig. 5a/b", "Fig. S6"
_FIG_TITLE = re.compile(r"^(Fig(?:ure)?\.\s*[S]?\d+[a-z]?(?:[/–-][a-z])?)\s*[:.]\s*(.+)$", re.S)


def style(fig: go.Figure) -> go.Figure:
    """The book's figure style, in place; returns ``fig``. Safe to apply twice.

    * Title "Fig. 2b: what it shows" becomes the bold figure number with the rest as a subtitle, and titles and
      subtitles are broken into lines of at most :data:`TITLE_WIDTH` characters (:func:`wrap_title`), so that a long
      title stays inside the figure at a phone's width (400 px). Figures with sliders keep their titles as written.
    * Legend under the plot, horizontal: it wraps into rows on a narrow screen instead of squeezing the plot.
      Figures with sliders keep it above the plot (the sliders live under it).
    * White paper and light-grey plot area with dark text: the same card in the theme's light and dark mode.
    * Margins grow to fit tick labels and titles (``automargin``); the width follows the page (``autosize``).
    """
    title = fig.layout.title.text or ""
    match = _FIG_TITLE.match(title)
    sliders = bool(fig.layout.sliders)
    if match and not (fig.layout.title.subtitle and fig.layout.title.subtitle.text):
        fig.update_layout(title=dict(text=f"<b>{match.group(1)}</b>", subtitle=dict(text=match.group(2))))
    if not sliders:  # (a slider step sets the title's text: its lines stay as written)
        subtitle = fig.layout.title.subtitle.text if fig.layout.title.subtitle else None
        fig.update_layout(title_text=wrap_title(fig.layout.title.text or ""))
        if subtitle:
            fig.update_layout(title_subtitle_text=wrap_title(subtitle))
    legend = (
        dict(orientation="h", x=0, xanchor="left", y=1.02, yanchor="bottom")
        if sliders
        else dict(orientation="h", x=0, xanchor="left", y=-0.18, yanchor="top")
    )
    fig.update_layout(
        template="plotly_white",
        font=dict(family=FONT, size=13, color="#222"),
        title=dict(
            x=0.01,
            xanchor="left",
            y=0.98,
            yanchor="top",
            automargin=True,
            font=dict(size=16),
            subtitle=dict(font=dict(size=14, color="#444")),
        ),
        legend=dict(**legend, font=dict(size=12), bgcolor="rgba(255,255,255,0.8)"),
        paper_bgcolor="white",
        plot_bgcolor="#f7f8fa",
        autosize=True,
        margin=dict(l=60, r=20, t=fig.layout.margin.t if fig.layout.margin.t is not None else 70),
        hoverlabel=dict(namelength=-1),
    )
    fig.update_xaxes(automargin=True, showline=True, linecolor="#888", gridcolor="#e3e5e8", title_standoff=8)
    fig.update_yaxes(automargin=True, showline=True, linecolor="#888", gridcolor="#e3e5e8", title_standoff=8)
    return fig


def wrap_title(text: str, width: int = TITLE_WIDTH) -> str:
    """``text`` with line breaks (``<br>``) between words so that no line is longer than ``width`` characters:
    Plotly never wraps a title, and a phone shows about 48 characters of the subtitle. Existing breaks are kept;
    markup does not count toward the width. Safe to apply twice."""
    lines = []
    for line in re.split(r"<br\s*/?>", text):
        words, current = line.split(" "), ""
        for word in words:
            candidate = f"{current} {word}" if current else word
            if current and len(re.sub("<[^>]+>", "", candidate)) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
    return "<br>".join(lines)


def _finite(values) -> np.ndarray:
    a = np.asarray([v for v in (values if values is not None else []) if v is not None], dtype=float).ravel()
    return a[np.isfinite(a)]


def reference_line(
    fig: go.Figure,
    *,
    x: float | None = None,
    y: float | None = None,
    name: str,
    color: str = "gray",
    dash: str = "dot",
    **trace,
) -> go.Figure:
    """A vertical (``x=``) or horizontal (``y=``) reference line drawn as a legend entry across the data already in
    ``fig``. Unlike ``add_vline(annotation_text=...)`` it cannot stretch a log axis, and labels never overlap.
    Call it after the data traces."""
    if (x is None) == (y is None):
        raise ValueError("give exactly one of x= (a vertical line) or y= (a horizontal line).")
    along = "y" if x is not None else "x"
    data = np.concatenate([_finite(getattr(t, along, None)) for t in fig.data] or [np.array([])])
    span = [data.min(), data.max()] if data.size else [0.0, 1.0]
    xs, ys = ([x, x], span) if x is not None else (span, [y, y])
    fig.add_scatter(x=xs, y=ys, mode="lines", name=name, line=dict(color=color, dash=dash, width=1.5), **trace)
    return fig


def figure_bundle(fig: go.Figure) -> dict:
    """The mime bundle of ``fig`` in the book's :func:`style`: Plotly's JSON (rendered live and by the book) and a
    plain-text fallback."""
    title = figure_title(fig)
    fig = style(go.Figure(fig))
    return {
        "application/vnd.plotly.v1+json": {**json.loads(fig.to_json()), "config": PLOTLY_CONFIG},
        "text/plain": f"<Plotly figure: {title}>",
    }


def caption_html(caption: str, provenance: Provenance, data_link: str = "") -> str:
    """The caption paragraph: the caption, the provenance line, then ``data_link`` (HTML) if given."""
    line = html.escape(provenance.line()).replace("`", "")
    link = f" {data_link}" if data_link else ""
    return f'<p class="replication-caption"><strong>Figure.</strong> {html.escape(caption)} <em>({line})</em>{link}</p>'


def show(fig: go.Figure, caption: str, *, provenance: Provenance) -> None:
    """Display ``fig`` with a caption stating the preset, device and wall time in ``provenance``, and a link to the
    CSV of the numbers it plots (:mod:`replication.viz.figure_data`)."""
    from IPython.display import display

    with ledger.timed("figures"):
        display(figure_bundle(fig), raw=True)
        caption_markup = caption_html(caption, provenance, data_link_html(fig, provenance))
        display({"text/html": caption_markup, "text/plain": f"Figure. {caption} ({provenance.line()})"}, raw=True)


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
