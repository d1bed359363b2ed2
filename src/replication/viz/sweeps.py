"""Figures of an (η, λ) sweep: t* against ηλ (Fig. 2a/d, 3a), peak accuracy against λ (2b), a fixed budget (2c),
time to training accuracy 1 (S1), and the learning curves against epochs and against epochs·η·λ (S6)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from replication.analysis.seeds import SeedFit, SeedSpread
from replication.analysis.sweeps import RunSummary, TstarFit, best_within_budget, final_test_accuracy, fittable
from replication.viz.plotting import reference_line

__all__ = [
    "tstar_figure",
    "peak_accuracy_figure",
    "fixed_budget_figure",
    "train_accuracy_time_figure",
    "curves_figure",
    "final_accuracy_figure",
    "tstar_seeds_figure",
    "peak_accuracy_seeds_figure",
    "optimizers_tstar_figure",
]


def _colors(n):
    """n colours from Viridis, stopping short of its pale yellow end (hard to see on the white card)."""
    return sample_colorscale("Viridis", [0.85 * i / max(1, n - 1) for i in range(n)])


def tstar_figure(rows: list[RunSummary], fit: TstarFit, *, title: str) -> go.Figure:
    fig = go.Figure()
    lrs = sorted({r.lr for r in rows})
    for color, lr in zip(_colors(len(lrs)), lrs):
        mine = [r for r in rows if r.lr == lr and r.lam > 0 and not r.diverged]
        fig.add_scatter(
            x=[r.lr_lam for r in mine],
            y=[r.t_star for r in mine],
            mode="markers",
            name=f"η = {lr:g}",
            marker=dict(color=color, size=9),
        )
        bad = [r for r in rows if r.lr == lr and r.diverged]
        if bad:
            fig.add_scatter(
                x=[r.lr_lam for r in bad],
                y=[r.epochs for r in bad],
                mode="markers",
                name=f"η = {lr:g}: diverged",
                marker=dict(color=color, symbol="x", size=11),
            )
    use = [r for r in rows if fittable(r)]
    if not np.isfinite(fit.exponent) or len(use) < 2:
        fig.update_layout(
            title_text=title + " (too few runs peaked after the start to fit)",
            xaxis=dict(type="log", title="η·λ"),
            yaxis=dict(type="log", title="epochs to peak t*"),
        )
        return fig
    x = np.geomspace(min(r.lr_lam for r in use), max(r.lr_lam for r in use), 20)
    fig.add_scatter(
        x=x,
        y=fit.prefactor * x**fit.exponent,
        mode="lines",
        name=f"fit: exponent {fit.exponent:.2f}",
        line=dict(color="black"),
    )
    lx = np.log([r.lr_lam for r in use])
    ly = np.log([r.t_star for r in use])
    fig.add_scatter(
        x=x,
        y=np.exp(ly.mean()) * (x / np.exp(lx.mean())) ** -1.0,
        mode="lines",
        name="slope −1 (paper)",
        line=dict(color="gray", dash="dash"),
    )
    fig.update_layout(
        title_text=title,
        xaxis=dict(type="log", title="η·λ"),
        yaxis=dict(type="log", title="epochs to peak test accuracy t*"),
        height=440,
    )
    return fig


def peak_accuracy_figure(rows: list[RunSummary], *, title: str) -> go.Figure:
    fig = go.Figure()
    lrs = sorted({r.lr for r in rows})
    for color, lr in zip(_colors(len(lrs)), lrs):
        mine = sorted([r for r in rows if r.lr == lr and r.lam > 0], key=lambda r: r.lam)
        fig.add_scatter(
            x=[r.lam for r in mine],
            y=[r.max_test_accuracy for r in mine],
            mode="lines+markers",
            name=f"η = {lr:g}",
            line=dict(color=color),
        )
    # λ = 0 cannot sit on a log λ axis: a dotted line across the λ range, named in the legend. As the paper draws it
    # (Fig. 2 caption), one line: the best λ = 0 accuracy over every η; each η's own λ = 0 line is in the legend,
    # hidden until clicked (the verdicts compare per η).
    zeros = [r for r in rows if r.lam == 0 and np.isfinite(r.max_test_accuracy)]
    if zeros:
        best = max(zeros, key=lambda r: r.max_test_accuracy)
        reference_line(fig, y=best.max_test_accuracy, name=f"λ = 0, best over η (η = {best.lr:g})", color="black")
    for color, lr in zip(_colors(len(lrs)), lrs):
        zero = [r for r in rows if r.lr == lr and r.lam == 0]
        if zero:
            reference_line(fig, y=zero[0].max_test_accuracy, name=f"η = {lr:g}, λ = 0", color=color,
                           visible="legendonly")  # fmt: skip
    fig.update_layout(title_text=title, xaxis=dict(type="log", title="λ"), yaxis_title="max test accuracy", height=440)
    return fig


def fixed_budget_figure(histories, *, lr: float, budget_epochs: float, title: str) -> go.Figure:
    mine = sorted([h for h in histories if h.lr == lr and h.lam > 0], key=lambda h: h.lam)
    zero = [h for h in histories if h.lr == lr and h.lam == 0]
    fig = go.Figure()
    fig.add_scatter(
        x=[h.lam for h in mine],
        y=[best_within_budget(h, budget_epochs) for h in mine],
        mode="lines+markers",
        name=f"within {budget_epochs:g} epochs",
    )
    if zero:
        reference_line(fig, y=best_within_budget(zero[0], budget_epochs), name="λ = 0 within the same budget")
    fig.update_layout(title_text=title, xaxis=dict(type="log", title="λ"), yaxis_title="max test accuracy", height=420)
    return fig


def train_accuracy_time_figure(rows: list[RunSummary], *, title: str) -> go.Figure:
    fig = go.Figure()
    lams = sorted({r.lam for r in rows})
    for color, lam in zip(_colors(len(lams)), lams):
        mine = sorted([r for r in rows if r.lam == lam and np.isfinite(r.t_train_zero)], key=lambda r: r.lr)
        if mine:
            fig.add_scatter(
                x=[r.lr for r in mine],
                y=[r.t_train_zero for r in mine],
                mode="lines+markers",
                name=f"λ = {lam:g}",
                line=dict(color=color),
            )
    fig.update_layout(
        title_text=title,
        xaxis=dict(type="log", title="η"),
        yaxis=dict(type="log", title="epochs to training accuracy 1"),
        height=420,
    )
    return fig


def curves_figure(
    histories, *, metric: str, physical: bool, title: str, ylabel: str, lr: float | None = None
) -> go.Figure:
    """One curve per λ > 0 run (at η = ``lr`` only, as Fig. S6 shows one η per model, when given): ``metric``
    against epochs, or against epochs·η·λ (the collapse of Fig. S6)."""
    fig = go.Figure()
    runs = sorted([h for h in histories if h.lam > 0 and lr in (None, h.lr)], key=lambda h: (h.lr, h.lam))
    if not runs:
        raise ValueError(f"lr={lr} is not an η of these runs: {sorted({h.lr for h in histories})}.")
    for color, h in zip(_colors(len(runs)), runs):
        x = h.metrics["epoch"] * (h.lr * h.lam if physical else 1.0)
        keep = x > 0
        fig.add_scatter(
            x=x[keep],
            y=h.metrics[metric][keep],
            mode="lines",
            name=f"η = {h.lr:g}, λ = {h.lam:g}",
            line=dict(color=color),
        )
    fig.update_layout(
        title_text=title,
        xaxis=dict(type="log", title="epochs · η · λ" if physical else "epochs"),
        yaxis_title=ylabel,
        height=420,
    )
    return fig


def final_accuracy_figure(series: dict, *, title: str) -> go.Figure:
    """Fig. 1a: the final test accuracy against λ, one line per ``{name: histories}`` (e.g. fixed T against T ∝ 1/λ);
    a diverged run is drawn as a cross at the bottom of the axis."""
    fig = go.Figure()
    for color, (name, histories) in zip(_colors(len(series)), series.items()):
        mine = sorted(histories, key=lambda h: h.lam)
        fig.add_scatter(
            x=[h.lam for h in mine],
            y=[final_test_accuracy(h) for h in mine],
            mode="lines+markers",
            name=name,
            line=dict(color=color),
        )
        bad = [h for h in mine if h.diverged]
        if bad:
            fig.add_scatter(
                x=[h.lam for h in bad],
                y=[0.0] * len(bad),
                mode="markers",
                showlegend=False,
                marker=dict(symbol="x", size=10, color=color),
                name=f"{name}: diverged",
            )
    fig.update_layout(
        title_text=title, xaxis=dict(type="log", title="λ"), yaxis_title="final test accuracy", height=420
    )
    return fig


def tstar_seeds_figure(spread: list[SeedSpread], fit: SeedFit, *, title: str) -> go.Figure:
    """Fig. 2a over seeds: each (η, λ > 0)'s mean t* with ± one standard deviation over seeds as error bars, the
    pooled fit, and the fits at both ends of its bootstrap interval (dotted), with slope −1 through the data."""
    fig = go.Figure()
    lrs = sorted({s.lr for s in spread})
    for color, lr in zip(_colors(len(lrs)), lrs):
        mine = sorted(
            [s for s in spread if s.lr == lr and s.lam > 0 and np.isfinite(s.t_star_mean)], key=lambda s: s.lam
        )
        if not mine:
            continue
        fig.add_scatter(
            x=[s.lr * s.lam for s in mine],
            y=[s.t_star_mean for s in mine],
            error_y=dict(type="data", array=[s.t_star_std for s in mine], visible=True),
            mode="markers",
            name=f"η = {lr:g} (mean ± sd over seeds)",
            marker=dict(color=color, size=9),
        )
    pts = [s for s in spread if s.lam > 0 and np.isfinite(s.t_star_mean) and s.t_star_mean > 0]
    if np.isfinite(fit.exponent) and len(pts) >= 2:
        x = np.geomspace(min(s.lr * s.lam for s in pts), max(s.lr * s.lam for s in pts), 20)
        centre = np.exp(np.mean(np.log(x)))
        at_centre = fit.prefactor * centre**fit.exponent
        fig.add_scatter(x=x, y=fit.prefactor * x**fit.exponent, mode="lines", line=dict(color="black"),
                        name=f"pooled fit: exponent {fit.exponent:.2f}")  # fmt: skip
        lo, hi = fit.exponent_ci
        for end in (lo, hi):
            fig.add_scatter(x=x, y=at_centre * (x / centre) ** end, mode="lines", line=dict(color="black", dash="dot"),
                            name=f"{fit.level:.0%} CI end: exponent {end:.2f}")  # fmt: skip
        fig.add_scatter(x=x, y=at_centre * (x / centre) ** -1.0, mode="lines", line=dict(color="gray", dash="dash"),
                        name="slope −1 (paper)")  # fmt: skip
    fig.update_layout(title_text=title, xaxis=dict(type="log", title="η·λ"),
                      yaxis=dict(type="log", title="epochs to peak test accuracy t*"), height=440)  # fmt: skip
    return fig


def peak_accuracy_seeds_figure(spread: list[SeedSpread], *, title: str) -> go.Figure:
    """Fig. 2b over seeds: mean peak test accuracy against λ per η with a band of ± one standard deviation over
    seeds; λ = 0 (mean over seeds) as a dotted line per η."""
    fig = go.Figure()
    lrs = sorted({s.lr for s in spread})
    for color, lr in zip(_colors(len(lrs)), lrs):
        mine = sorted([s for s in spread if s.lr == lr and s.lam > 0 and np.isfinite(s.peak_mean)], key=lambda s: s.lam)
        if not mine:
            continue
        lam = [s.lam for s in mine]
        upper = [s.peak_mean + s.peak_std for s in mine]
        lower = [s.peak_mean - s.peak_std for s in mine]
        fig.add_scatter(x=lam + lam[::-1], y=upper + lower[::-1], fill="toself", fillcolor=color, opacity=0.2,
                        line=dict(width=0), hoverinfo="skip", name=f"η = {lr:g}: ± sd over seeds")  # fmt: skip
        fig.add_scatter(x=lam, y=[s.peak_mean for s in mine], mode="lines+markers", name=f"η = {lr:g} (mean)",
                        line=dict(color=color))  # fmt: skip
    for color, lr in zip(_colors(len(lrs)), lrs):
        zero = [s for s in spread if s.lr == lr and s.lam == 0 and np.isfinite(s.peak_mean)]
        if zero:
            reference_line(fig, y=zero[0].peak_mean, name=f"η = {lr:g}, λ = 0 (mean)", color=color)
    fig.update_layout(title_text=title, xaxis=dict(type="log", title="λ"), yaxis_title="max test accuracy", height=440)
    return fig


def optimizers_tstar_figure(series: dict, *, title: str) -> go.Figure:
    """t* against ηλ for several optimizers: ``{name: (spread, fit)}``; per optimizer the mean t* over seeds per
    (η, λ) with ± sd error bars and its pooled fit line."""
    fig = go.Figure()
    for color, (name, (spread, fit)) in zip(_colors(len(series)), series.items()):
        pts = sorted([s for s in spread if s.lam > 0 and np.isfinite(s.t_star_mean) and s.t_star_mean > 0],
                     key=lambda s: s.lr * s.lam)  # fmt: skip
        if not pts:
            continue
        fig.add_scatter(x=[s.lr * s.lam for s in pts], y=[s.t_star_mean for s in pts], mode="markers", name=name,
                        error_y=dict(type="data", array=[s.t_star_std for s in pts], visible=True),
                        marker=dict(color=color, size=8), legendgroup=name)  # fmt: skip
        if np.isfinite(fit.exponent):
            x = np.geomspace(pts[0].lr * pts[0].lam, pts[-1].lr * pts[-1].lam, 20)
            fig.add_scatter(x=x, y=fit.prefactor * x**fit.exponent, mode="lines", line=dict(color=color),
                            name=f"{name}: exponent {fit.exponent:.2f}", legendgroup=name)  # fmt: skip
    fig.update_layout(title_text=title, xaxis=dict(type="log", title="η·λ"),
                      yaxis=dict(type="log", title="epochs to peak test accuracy t*"), height=480)  # fmt: skip
    return fig
