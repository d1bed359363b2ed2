"""The CSV behind each figure: it holds exactly the plotted numbers (a round trip through the CSV against the
figure's own arrays), names the slider positions a trace is shown at, and carries the provenance header."""

import base64
import csv
import io
import math
import re

import numpy as np
import plotly.graph_objects as go
import pytest

from replication.core.provenance import Provenance
from replication.viz import figure_data, plotting

PROV = Provenance("smoke", "CPU (2 cores, x86_64)", 12.5, versions={"replication": "9.9.9", "jax": "0.10.2"},
                  commit="abc123")  # fmt: skip


def read_csv(text: str) -> tuple[list[str], list[dict]]:
    header = [line[2:] for line in text.splitlines() if line.startswith("# ")]
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    return header, list(csv.DictReader(io.StringIO(body)))


def test_csv_round_trips_every_plotted_number_exactly():
    rng = np.random.default_rng(0)
    x, y = 10 ** rng.uniform(-5, 0, 7), rng.normal(size=7).astype(np.float32)
    fig = go.Figure()
    fig.add_scatter(x=x, y=y, name='η = 0.1, with "quotes", commas')
    fig.add_scatter(x=[1, 2, 3], y=[0.5, None, float("nan")], name="gaps",
                    error_y=dict(type="data", array=[0.1, 0.2, 0.3]))  # fmt: skip
    fig.add_bar(x=[0, 1], y=[3, 4], name="bars")
    fig.update_layout(title_text="Fig. 2a: t* against η·λ")
    header, rows = read_csv(figure_data.figure_csv(plotting.style(fig), PROV))
    assert header[0] == "Fig. 2a: t* against η·λ"  # the title as plotted (style splits it into title and subtitle)
    assert "preset smoke · CPU (2 cores, x86_64) · wall time 12.5 s" in header[1]
    assert header[2].startswith("l2-dynamics 9.9.9 · commit abc123 · jax 0.10.2")
    by_trace = {}
    for row in rows:
        by_trace.setdefault(int(row["trace"]), []).append(row)
    assert [len(v) for v in by_trace.values()] == [7, 3, 2]
    assert by_trace[0][0]["name"] == 'η = 0.1, with "quotes", commas'
    np.testing.assert_array_equal([float(r["x"]) for r in by_trace[0]], x)  # exact: shortest round-trip repr
    np.testing.assert_array_equal([float(r["y"]) for r in by_trace[0]], y.astype(float))
    assert [r["y"] for r in by_trace[1]] == ["0.5", "", ""]  # missing and non-finite points are empty cells
    assert [r["error_y"] for r in by_trace[1]] == ["0.1", "0.2", "0.3"] and by_trace[0][0]["error_y"] == ""
    assert [(r["x"], r["y"]) for r in by_trace[2]] == [("0", "3"), ("1", "4")]


def test_slider_columns_name_the_positions_each_trace_is_shown_at():
    steps = [plotting.SliderStep(f"{lam}", f"t {lam}", [go.Scatter(x=[0, 1], y=[lam, lam], name="k = 1")])
             for lam in (1, 2)]  # fmt: skip
    _, rows = read_csv(figure_data.figure_csv(plotting.slider_figure(steps, slider_prefix="λ = "), PROV))
    assert {(r["trace"], r["slider: λ"]) for r in rows} == {("0", "1"), ("1", "2")}
    cells = {(i, j): [go.Scatter(x=[0], y=[10 * i + j], name="f")] for i in range(2) for j in range(3)}
    grid = plotting.grid_slider_figure(cells, row_labels=["a", "b"], col_labels=["u", "v", "w"], row_prefix="λ = ",
                                       col_prefix="γ: ")  # fmt: skip
    _, rows = read_csv(figure_data.figure_csv(grid, PROV))
    assert {(r["y"], r["slider: λ"], r["slider: γ"]) for r in rows} == {
        (str(10 * i + j), "ab"[i], "uvw"[j]) for i in range(2) for j in range(3)
    }


def test_images_are_named_as_not_tabulated_and_the_link_decodes_to_the_csv():
    fig = go.Figure(go.Image(z=np.zeros((2, 2, 3)), name="digits")).update_layout(title_text="First 2 images")
    header, rows = read_csv(figure_data.figure_csv(fig, PROV))
    assert rows == [] and header[-1] == "trace 0 (digits): an image, not tabulated"
    link = figure_data.data_link_html(fig, PROV)
    assert 'download="first-2-images-smoke.csv"' in link and 'class="replication-figure-data"' in link
    payload = re.search(r'base64,([^"]+)"', link).group(1)
    assert base64.b64decode(payload).decode() == figure_data.figure_csv(fig, PROV)
    assert figure_data.data_filename(go.Figure().update_layout(title_text="λ·η"), "cpu") == "figure-cpu.csv"


def test_caption_carries_the_data_link():
    fig = go.Figure(go.Scatter(x=[1], y=[2])).update_layout(title_text="Fig. 1a: x")
    caption = plotting.caption_html("c", PROV, figure_data.data_link_html(fig, PROV))
    assert caption.startswith('<p class="replication-caption">') and "replication-figure-data" in caption


def test_fig_2b_draws_lambda_zero_as_the_paper_and_s6_one_eta():
    """Fig. 2b: one λ = 0 line, the best over η (each η's own hidden in the legend); Fig. S6: the runs of one η."""
    from replication.analysis.sweeps import RunSummary
    from replication.training import History
    from replication.viz import sweeps

    rows = [RunSummary(lr, lam, lr * lam, 10.0, 5.0, acc, False, None, math.nan)
            for lr, lam, acc in ((0.1, 0.0, 0.80), (0.4, 0.0, 0.85), (0.1, 0.01, 0.9), (0.4, 0.01, 0.88))]  # fmt: skip
    fig = sweeps.peak_accuracy_figure(rows, title="Fig. 2b")
    shown = {t.name: t for t in fig.data if t.visible is None or t.visible is True}
    assert list(shown["λ = 0, best over η (η = 0.4)"].y) == [0.85, 0.85]
    assert {t.name for t in fig.data if t.visible == "legendonly"} == {"η = 0.1, λ = 0", "η = 0.4, λ = 0"}
    epoch = np.array([0.0, 10.0, 20.0])
    histories = [History(lr=lr, lam=lam, steps=20, diverged=False, diverged_at=None,
                         metrics=dict(epoch=epoch, test_accuracy=np.array([0.1, 0.5, 0.6])))
                 for lr in (0.1, 0.4) for lam in (0.0, 0.01, 0.1)]  # fmt: skip
    s6 = sweeps.curves_figure(histories, metric="test_accuracy", physical=True, title="S6", ylabel="acc", lr=0.4)
    assert [t.name for t in s6.data] == ["η = 0.4, λ = 0.01", "η = 0.4, λ = 0.1"]
    assert len(sweeps.curves_figure(histories, metric="test_accuracy", physical=False, title="", ylabel="").data) == 4
    with pytest.raises(ValueError, match="lr=0.2 is not an η"):
        sweeps.curves_figure(histories, metric="test_accuracy", physical=True, title="", ylabel="", lr=0.2)
