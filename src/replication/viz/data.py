"""Figures and widgets of the data chapter: a grid of digits, class balance, an ASCII digit viewer."""

from __future__ import annotations

import numpy as np
import plotly.express as px
import plotly.graph_objects as go

from replication.data.integrity import ImageDataset

__all__ = ["digit_grid_figure", "class_balance_figure", "digit_explorer"]


def digit_grid_figure(dataset: ImageDataset, n: int = 20, class_names: tuple[str, ...] | None = None) -> go.Figure:
    """The first ``n`` images, each titled with its index and label (or the label's name from ``class_names``)."""
    images = dataset.images[:n, ..., 0] if dataset.images.shape[-1] == 1 else dataset.images[:n]  # grey or RGB
    fig = px.imshow(images, facet_col=0, facet_col_wrap=10, binary_string=True,
                    facet_col_spacing=0.01, facet_row_spacing=0.04, height=260)  # fmt: skip
    for ann in fig.layout.annotations:
        i = int(ann.text.split("=")[1])
        label = dataset.labels[i]
        ann.text = f"#{i}: {label if class_names is None else class_names[label]}"
    fig.update_xaxes(showticklabels=False).update_yaxes(showticklabels=False)
    fig.update_layout(title_text=f"First {n} {dataset.name.upper()} training images (index: label)",
                      margin=dict(l=10, r=10, t=60, b=10))  # fmt: skip
    return fig


def class_balance_figure(datasets: dict[str, ImageDataset], what: str = "digit") -> go.Figure:
    """The fraction of each class (``what``) in each named dataset, as grouped bars."""
    fig = go.Figure()
    for name, ds in datasets.items():
        fig.add_bar(x=list(range(ds.num_classes)), y=ds.label_counts() / len(ds), name=name)
    fig.update_layout(title_text=f"Fraction of each {what}", xaxis_title=what, yaxis_title="fraction",
                      barmode="group", height=380)  # fmt: skip
    return fig


def _ascii(image: np.ndarray) -> str:
    return "\n".join("".join("#" if v > 128 else ("+" if v > 32 else ".") for v in row[::2]) for row in image[::2])


def digit_explorer(dataset: ImageDataset, start: int = 0):
    """An index slider and the chosen image drawn in characters (live in Jupyter; the static book shows the
    starting image)."""
    import ipywidgets as widgets

    view = widgets.Output()

    def show(index):
        with view:
            view.clear_output(wait=True)
            print(f"image {index}, label {dataset.labels[index]}\n" + _ascii(dataset.images[index, ..., 0]))

    slider = widgets.IntSlider(value=int(start), min=0, max=len(dataset) - 1, description="index")
    slider.observe(lambda change: show(change["new"]), names="value")
    show(slider.value)
    return widgets.VBox([slider, view])
