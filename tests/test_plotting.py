"""Figures: the mime bundle, the book's offline renderer, slider figures and provenance captions."""

import json
from types import SimpleNamespace

import plotly.graph_objects as go
import pytest

from replication.core.provenance import Provenance
from replication.site.sphinx_offline import PLOTLY_MIME, PlotlyMimeRenderer, plotly_js_path
from replication.viz import plotting


def _fig():
    return go.Figure(go.Scatter(x=[0, 1, 2], y=[1, 0, 1])).update_layout(title_text="demo")


def test_bundle_carries_plotly_json_and_no_inline_library():
    bundle = plotting.figure_bundle(_fig())
    assert set(bundle) == {PLOTLY_MIME, "text/plain"}
    payload = json.dumps(bundle[PLOTLY_MIME])
    assert json.loads(payload)["data"][0]["y"] == [1, 0, 1]
    assert len(payload) < 20_000  # the figure, not the 4 MB plotly.js


def test_book_renderer_turns_plotly_json_into_an_offline_div():
    data = SimpleNamespace(mime_type=PLOTLY_MIME, content=plotting.figure_bundle(_fig())[PLOTLY_MIME])
    (node,) = PlotlyMimeRenderer.handle_mime(None, data, inline=False)
    html = node.astext()
    assert "plotly-graph-div" in html and "Plotly.newPlot" in html
    assert "<script src" not in html and "cdn" not in html.lower()
    assert PlotlyMimeRenderer.handle_mime(None, SimpleNamespace(mime_type="text/html", content=""), False) is None
    # ranked above text/html (30) for HTML builders
    assert ("html", PLOTLY_MIME, 25) in PlotlyMimeRenderer.mime_priority_overrides
    assert plotly_js_path().stat().st_size > 1_000_000


def test_slider_steps_show_exactly_their_own_traces_and_set_title_text():
    steps = [
        plotting.SliderStep(f"λ={lam}", f"title {lam}", [go.Scatter(y=[lam, 2 * lam]), go.Scatter(y=[lam])])
        for lam in (1, 2, 3)
    ]
    fig = plotting.slider_figure(steps, slider_prefix="λ = ", active=1)
    assert [t.visible for t in fig.data] == [False, False, True, True, False, False]
    assert fig.layout.title.text == "title 2"
    for i, step in enumerate(fig.layout.sliders[0].steps):
        visible, layout = step.args
        assert set(layout) == {"title.text"}  # a plain "title" blanks the title in plotly.js
        shown = [t.y[0] for t, v in zip(fig.data, visible["visible"]) if v]
        assert shown == [i + 1, i + 1]
    moved = plotting.apply_slider_step(fig, 2)
    assert moved.layout.title.text == "title 3" and [t.visible for t in moved.data][-2:] == [True, True]
    with pytest.raises(ValueError, match="at least one"):
        plotting.slider_figure([], slider_prefix="")
    with pytest.raises(ValueError, match=r"active=5 must lie in \[0, 2\]"):
        plotting.slider_figure(steps, slider_prefix="", active=5)


def test_caption_names_preset_device_and_wall_time():
    prov = Provenance("cpu", "CPU (2 cores, x86_64)", 75.0)
    html = plotting.caption_html("Epochs to peak.", prov)
    assert "preset cpu" in html and "CPU (2 cores, x86_64)" in html and "1.2 min" in html
    assert "not a replication" not in html
    smoke = plotting.caption_html("x", Provenance("smoke", "CPU", 0.5))
    assert "smoke preset: a pipeline check, not a replication" in smoke


def test_grid_slider_sliders_are_independent():
    import plotly.graph_objects as go

    from replication.viz.plotting import apply_grid_slider, grid_slider_figure

    cells = {(i, j): [go.Scatter(x=[0, 1], y=[i, j], name=f"{i},{j}")] for i in range(3) for j in range(4)}
    fig = grid_slider_figure(
        cells,
        row_labels=["a", "b", "c"],
        col_labels=["w", "x", "y", "z"],
        row_prefix="λ = ",
        col_prefix="γ = ",
        active=(1, 2),
    )

    def shown(f):
        return [t.name for t in f.data if t.visible is True and t.opacity == 1.0]

    assert shown(fig) == ["1,2"]
    moved = apply_grid_slider(fig, 0, 2)  # row slider: the column choice stays
    assert shown(moved) == ["2,2"]
    moved = apply_grid_slider(moved, 1, 0)  # column slider: the row choice stays
    assert shown(moved) == ["2,0"]
    assert [t.showlegend for t in moved.data if t.opacity == 1.0] == [True] * 3


def test_image_grid_titles_each_image_with_its_own_label_name_grey_or_rgb():
    import numpy as np

    from replication.data import ImageDataset
    from replication.viz.data import digit_grid_figure

    labels = np.array([3, 0, 9, 1], np.int64)
    names = tuple(f"class{i}" for i in range(10))
    for channels in (1, 3):
        ds = ImageDataset(np.zeros((4, 5, 5, channels), np.uint8), labels, "demo", "train", "synthetic")
        titles = {a.text for a in digit_grid_figure(ds, 4, class_names=names).layout.annotations}
        assert titles == {f"#{i}: class{labels[i]}" for i in range(4)}
        assert {a.text for a in digit_grid_figure(ds, 4).layout.annotations} == {f"#{i}: {labels[i]}" for i in range(4)}


def test_long_titles_are_broken_into_lines_a_phone_shows_and_sliders_keep_theirs():
    import re

    text = "one mode of eq. (3) at <i>λ</i> = 0.01, k = 2 and k = 1 (f₀ = 0, y = 1), a long subtitle indeed"
    wrapped = plotting.wrap_title(text)
    lines = wrapped.split("<br>")
    assert len(lines) > 1 and all(len(re.sub("<[^>]+>", "", line)) <= plotting.TITLE_WIDTH for line in lines)
    assert " ".join(lines) == text and plotting.wrap_title(wrapped) == wrapped  # same words; safe twice
    fig = plotting.style(go.Figure().update_layout(title_text=f"Fig. 5a/b: {text}"))
    assert fig.layout.title.text == "<b>Fig. 5a/b</b>" and fig.layout.title.subtitle.text == wrapped
    steps = [plotting.SliderStep("a", "T" * 80, [go.Scatter(y=[1])])]
    assert plotting.style(plotting.slider_figure(steps, slider_prefix="x")).layout.title.text == "T" * 80
