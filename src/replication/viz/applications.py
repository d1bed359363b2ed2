"""Figures of Section 3: tuned against predicted λ (Fig. 4b), accuracy against λ per budget (S3/S4), named
learning curves (Fig. 1b/1c, S9, S10) and λ(t) under AutoL2 (a panel of ours; the paper has none)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from replication.analysis.budgets import PredictionRow
from replication.analysis.sweeps import best_within_budget
from replication.training import History
from replication.viz.plotting import reference_line
from replication.viz.sweeps import _colors

__all__ = ["prediction_figure", "budget_accuracy_figure", "budget_sweep_figure", "named_curves_figure", "lambda_figure"]


def prediction_figure(rows: list[PredictionRow], *, title: str) -> go.Figure:
    """Fig. 4b: the tuned λ (bars: every λ within 0.1% of the best, or within the test set's resolution when
    wider) and λ_pred = f·c/T against the budget T."""
    fig = go.Figure()
    base = [r for r in rows if r.factor == 1.0]
    budgets = np.array([r.budget for r in base])
    tuned = np.array([r.tuned.lam for r in base])
    fig.add_scatter(
        x=budgets,
        y=tuned,
        mode="markers",
        name="tuned λ (best of the sweep)",
        marker=dict(size=10, color="black"),
        error_y=dict(
            type="data",
            symmetric=False,
            array=[r.tuned.lam_high - r.tuned.lam for r in base],
            arrayminus=[r.tuned.lam - r.tuned.lam_low for r in base],
        ),
    )
    for color, f in zip(("#1f77b4", "#ff7f0e"), sorted({r.factor for r in rows})):
        mine = [r for r in rows if r.factor == f]
        label = "λ_pred = c/T" if f == 1.0 else f"λ_pred = {f:g}c/T (Fig. S4)"
        fig.add_scatter(
            x=[r.budget for r in mine],
            y=[r.lam_pred for r in mine],
            mode="lines+markers",
            name=label,
            line=dict(color=color, dash="solid" if f == 1.0 else "dash"),
        )
    fig.add_scatter(
        x=np.r_[budgets, budgets[::-1]],
        y=np.r_[[r.lam_pred * 10 for r in base], [r.lam_pred / 10 for r in base][::-1]],
        mode="lines",  # a band: no markers at its corners
        fill="toself",
        fillcolor="rgba(31,119,180,0.1)",
        line=dict(width=0),
        name="within 10× of c/T",
        hoverinfo="skip",
    )
    fig.update_layout(
        title_text=title,
        xaxis=dict(type="log", title="budget T (epochs)"),
        yaxis=dict(type="log", title="λ"),
        height=440,
    )
    return fig


def budget_accuracy_figure(rows: list[PredictionRow], *, title: str) -> go.Figure:
    """Fig. 1b as the paper draws it: the best test accuracy within each budget T of the tuned λ and of the run at
    λ_pred = f·c/T (one line per factor f)."""
    fig = go.Figure()
    base = sorted((r for r in rows if r.factor == 1.0), key=lambda r: r.budget)
    fig.add_scatter(x=[r.budget for r in base], y=[r.tuned.accuracy for r in base], mode="lines+markers",
                    name="tuned λ (best of the sweep)", line=dict(color="black"), marker=dict(size=9))  # fmt: skip
    for color, f in zip(("#1f77b4", "#ff7f0e"), sorted({r.factor for r in rows})):
        mine = sorted((r for r in rows if r.factor == f), key=lambda r: r.budget)
        label = "λ_pred = c/T" if f == 1.0 else f"λ_pred = {f:g}c/T"
        fig.add_scatter(x=[r.budget for r in mine], y=[r.accuracy_pred for r in mine], mode="lines+markers",
                        name=label, line=dict(color=color, dash="solid" if f == 1.0 else "dash"))  # fmt: skip
    fig.update_layout(title_text=title, xaxis=dict(type="log", title="budget T (epochs)"),
                      yaxis_title="best test accuracy within T", height=420)  # fmt: skip
    return fig


def budget_sweep_figure(tuning: list[History], budgets, predicted: dict[float, float], *, title: str) -> go.Figure:
    """Fig. S3: for each budget T, the best test accuracy within T against λ; the dashed line of the same colour
    marks λ_pred(T). ``predicted`` maps T to λ_pred."""
    fig = go.Figure()
    runs = sorted([h for h in tuning if h.lam > 0], key=lambda h: h.lam)
    for color, T in zip(_colors(len(budgets)), budgets):
        fig.add_scatter(
            x=[h.lam for h in runs],
            y=[best_within_budget(h, T) for h in runs],
            mode="lines+markers",
            name=f"T = {T:g}",
            line=dict(color=color),
            legendgroup=str(T),
        )
    for color, T in zip(_colors(len(budgets)), budgets):
        reference_line(fig, x=predicted[T], name=f"λ_pred, T = {T:g}", color=color, dash="dash", legendgroup=str(T))
    fig.update_layout(
        title_text=title, xaxis=dict(type="log", title="λ"), yaxis_title="best test accuracy within T", height=460
    )
    return fig


def named_curves_figure(
    curves: dict[str, History],
    *,
    metric: str = "test_accuracy",
    title: str,
    ylabel: str = "test accuracy",
    budget: float | None = None,
) -> go.Figure:
    """One line per named run against epochs (Fig. 1b/1c, S9, S10); a diverged run ends with a cross."""
    fig = go.Figure()
    for color, (name, h) in zip(_colors(len(curves)), curves.items()):
        m = h.metrics
        ok = np.isfinite(m[metric])
        fig.add_scatter(x=m["epoch"][ok], y=m[metric][ok], mode="lines", name=name, line=dict(color=color))
        if h.diverged and ok.any():
            fig.add_scatter(
                x=[m["epoch"][ok][-1]],
                y=[m[metric][ok][-1]],
                mode="markers",
                showlegend=False,
                marker=dict(symbol="x", size=12, color=color),
                name=f"{name}: diverged",
            )
    if budget is not None:
        reference_line(fig, x=budget, name=f"budget T = {budget:g} epochs")
    fig.update_layout(title_text=title, xaxis_title="epochs", yaxis_title=ylabel, height=440)
    return fig


def lambda_figure(curves: dict[str, History], *, title: str) -> go.Figure:
    """λ(t) of each named run (AutoL2's schedule against the constants), log scale."""
    fig = go.Figure()
    for color, (name, h) in zip(_colors(len(curves)), curves.items()):
        m = h.metrics
        ok = np.isfinite(m["lam"]) & (m["lam"] > 0)
        fig.add_scatter(x=m["epoch"][ok], y=m["lam"][ok], mode="lines", name=name, line=dict(color=color, shape="hv"))
    fig.update_layout(title_text=title, xaxis_title="epochs", yaxis=dict(type="log", title="λ"), height=400)
    return fig
