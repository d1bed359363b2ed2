"""Layer 6a, figures: Plotly figures that render offline in the static book and live in Jupyter."""
