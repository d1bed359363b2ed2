"""Figures and widgets of the theory chapter (Fig. 5 and the mode-solution explorer)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from replication.theory.finite_width import Fig5cCurves, KernelEvolution
from replication.theory.modes import mode_solution
from replication.viz.plotting import figure_bundle, grid_slider_figure, reference_line

__all__ = ["mode_times", "mode_figure", "mode_slider_figure", "mode_explorer", "fig5c_figure", "kernel_figure", "fmt"]

TIME = "time t = step × η"
K_COLORS = {1: "#1f77b4", 2: "#ff7f0e", 3: "#2ca02c", 4: "#d62728"}


def fmt(v: float) -> str:
    """Compact label for a λ or γ value (1e-4, 3e-3, 0.01, 1, 10)."""
    return f"{v:g}"


def mode_times(t_min: float = 1e-2, t_max: float = 1e6, n: int = 160) -> np.ndarray:
    return np.geomspace(t_min, t_max, n)


def mode_figure(lam: float, gammas, ks=(2, 1), *, f0: float = 0.0, y: float = 1.0, t=None) -> go.Figure:
    """Fig. 5a/b: f_a(t) of eq. 3 for each γ in ``gammas`` and each k in ``ks`` at one λ, against log time."""
    t = mode_times(1e-1, 20.0 / lam) if t is None else t
    fig = go.Figure()
    dashes = ["solid", "dash", "dot", "dashdot"]
    for gi, gamma in enumerate(gammas):
        for k in ks:
            fig.add_scatter(
                x=t,
                y=mode_solution(t, gamma, lam, k, f0, y),
                mode="lines",
                name=f"k = {k}, γ/λ = {fmt(gamma / lam)}",
                line=dict(color=K_COLORS.get(k), dash=dashes[gi % len(dashes)]),
            )
    reference_line(fig, x=1.0 / lam, name=f"t = 1/λ = {fmt(1.0 / lam)}")
    fig.update_layout(
        title_text=f"Fig. 5a/b: one mode of eq. (3) at λ = {fmt(lam)}, k = 2 and k = 1 (f₀ = {fmt(f0)}, y = {fmt(y)})",
        xaxis=dict(type="log", title=TIME),
        yaxis_title="f_a(t)",
        height=420,
    )
    return fig


def mode_slider_figure(lams, gammas, *, k: int = 2, f0: float = 0.0, y: float = 1.0) -> go.Figure:
    """The static-book explorer: drag λ and γ (two independent sliders over a precomputed grid); k beside k = 1."""
    t = mode_times()
    cells = {}
    for i, lam in enumerate(lams):
        for j, gamma in enumerate(gammas):
            cells[(i, j)] = [
                go.Scatter(
                    x=t,
                    y=np.round(mode_solution(t, gamma, lam, kk, f0, y), 5),
                    mode="lines",
                    name=f"k = {kk}" + (" (linear model)" if kk == 1 else ""),
                    line=dict(color=K_COLORS.get(kk), dash="solid" if kk == k else "dash"),
                )
                for kk in (k, 1)
            ]
    return grid_slider_figure(
        cells,
        row_labels=[fmt(v) for v in lams],
        col_labels=[fmt(v) for v in gammas],
        row_prefix="λ = ",
        col_prefix="γ = ",
        active=(len(lams) // 2 + 1, len(gammas) - 2),
        layout=dict(
            # short lines: a title does not wrap, and on a phone the figure is 370 px wide
            title=dict(
                text="Drag λ and γ",
                subtitle=dict(text=f"one mode of eq. (3): k = {k} solid, k = 1 dashed<br>f₀ = {fmt(f0)}, y = {fmt(y)}"),
            ),
            xaxis=dict(type="log", title=TIME, range=[-2, 6]),
            yaxis=dict(title="f_a(t)", range=[min(0.0, f0, y) - 0.05, max(1.0, f0, y) + 0.05]),
            height=560,
            margin=dict(b=170),
        ),
    )


def mode_explorer(*, lam: float = 0.01, gamma: float = 1.0, k: int = 2, f0: float = 0.0, y: float = 1.0):
    """ipywidgets sliders (λ and γ on a log scale, k, f0, y) that redraw the mode curves in a live kernel."""
    import ipywidgets as widgets
    from IPython.display import display

    controls = dict(
        lam=widgets.FloatLogSlider(value=lam, base=10, min=-5, max=0, step=0.1, description="λ", readout_format=".1e"),
        gamma=widgets.FloatLogSlider(
            value=gamma, base=10, min=-5, max=2, step=0.1, description="γ", readout_format=".1e"
        ),
        k=widgets.IntSlider(value=k, min=1, max=4, description="k"),
        f0=widgets.FloatSlider(value=f0, min=-1.0, max=1.0, step=0.05, description="f₀"),
        y=widgets.FloatSlider(value=y, min=-1.0, max=1.0, step=0.05, description="y"),
    )
    out = widgets.Output()

    def redraw(**kw):
        t = mode_times(1e-2, 50.0 / kw["lam"] if kw["lam"] > 0 else 1e6)
        fig = go.Figure()
        for kk in sorted({kw["k"], 1}, reverse=True):
            fig.add_scatter(
                x=t,
                y=mode_solution(t, kw["gamma"], kw["lam"], kk, kw["f0"], kw["y"]),
                name=f"k = {kk}",
                line=dict(color=K_COLORS.get(kk), dash="solid" if kk == kw["k"] else "dash"),
            )
        fig.update_layout(
            title_text=f"λ = {kw['lam']:.2g}, γ = {kw['gamma']:.2g} (γ/λ = {kw['gamma'] / kw['lam']:.3g})",
            xaxis=dict(type="log", title=TIME),
            yaxis_title="f_a(t)",
            height=400,
        )
        with out:
            out.clear_output(wait=True)
            # the static book saves this output as text (its widget manager knows no Plotly): say what it is
            note = f"(the figure for {fig.layout.title.text} draws here when a live kernel runs these sliders)"
            display({**figure_bundle(fig), "text/plain": note}, raw=True)

    widgets.interactive_output(redraw, controls)
    return widgets.VBox(
        [
            widgets.HBox([controls["lam"], controls["gamma"]]),
            widgets.HBox([controls["k"], controls["f0"], controls["y"]]),
            out,
        ]
    )


def fig5c_figure(res: Fig5cCurves, *, lam: float) -> go.Figure:
    fig = go.Figure()
    t = res.time
    keep = t > 0
    fig.add_scatter(x=t[keep], y=res.loss_k1[keep], name="eq. (1), k = 1 (linear model)", line=dict(color=K_COLORS[1]))
    fig.add_scatter(
        x=t[keep], y=res.loss_k2[keep], name="eq. (1), k = 2 (2-layer theory)", line=dict(color=K_COLORS[2])
    )
    fig.add_scatter(x=t[keep], y=res.loss_gd[keep], name="gradient descent, 2-layer ReLU", line=dict(color=K_COLORS[3]))
    fig.update_layout(
        title_text=f"Fig. 5c: training loss Σ½(f−y)² on even/odd MNIST, λ = {fmt(lam)}",
        xaxis=dict(type="log", title=TIME),
        yaxis=dict(type="log", title="training loss Σ½(f−y)²"),
        height=440,
    )
    return fig


def kernel_figure(runs: list[KernelEvolution], *, lam: float) -> go.Figure:
    """Theorem 1 measured: Θ_t/Θ_0 over time for each (k, width), against e^{−2(k−1)λt}."""
    fig = go.Figure()
    dashes = {2: "solid", 3: "dash"}
    for run in runs:
        fig.add_scatter(
            x=run.time,
            y=run.ratio,
            mode="lines+markers",
            name=f"k = {run.layers}, width {run.width}",
            line=dict(dash=dashes.get(run.layers, "dot")),
            opacity=0.5 + 0.5 * run.width / max(r.width for r in runs),
        )
    t = np.linspace(0, max(r.time[-1] for r in runs), 50)
    for k in sorted({r.layers for r in runs}):
        fig.add_scatter(
            x=t,
            y=np.exp(-2 * (k - 1) * lam * t),
            name=f"Theorem 1, k = {k}",
            line=dict(color="black", dash=dashes.get(k, "dot"), width=3),
        )
    fig.update_layout(
        title_text="Theorem 1: Θ_t/Θ_0 (projection tr(Θ_tΘ_0)/tr(Θ_0Θ_0)) against e^{−2(k−1)λt}",
        xaxis_title=TIME,
        yaxis_title="kernel ratio",
        height=440,
    )
    return fig
